"""docs/tour.ipynb runs top to bottom in a real Jupyter kernel and draws its figure."""

import pytest

from conftest import ROOT

nbformat = pytest.importorskip("nbformat", reason="the test extra installs nbformat, nbclient and ipykernel")


def test_the_tour_notebook_runs(tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "docs" / "tour.ipynb", as_version=4)
    NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the figure was not drawn"
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert text.count("P(PRC wins)") == 2
