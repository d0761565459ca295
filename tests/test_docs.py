"""The examples in README.md and docs/*.md run as written.

In each file, ```console blocks' `$ wargame ...` lines and ```python blocks run in
document order in one scratch directory (with configs/ linked in), so a later example
can read what an earlier one wrote. Install commands (pip, venv) are not run here:
CI runs them for real.
"""

import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```(console|python)\n(.*?)```", re.S)


def _examples(path):
    return BLOCK.findall(path.read_text())


@pytest.mark.parametrize("doc", [d for d in DOCS if _examples(d)], ids=lambda p: p.name)
def test_doc_examples_run(doc, tmp_path):
    (tmp_path / "configs").symlink_to(ROOT / "configs")
    wargame = shutil.which("wargame")
    for kind, body in _examples(doc):
        if kind == "python":
            p = subprocess.run([sys.executable, "-c", body], cwd=tmp_path, capture_output=True, text=True, timeout=600)
            assert p.returncode == 0, f"{doc.name}: python example failed:\n{body}\n{p.stderr}"
            continue
        for line in body.splitlines():
            if not line.startswith("$ wargame "):
                continue
            cmd = line[2:].replace("wargame", wargame or f"{sys.executable} -m wargame", 1)
            p = subprocess.run(cmd, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=600)
            assert p.returncode == 0, f"{doc.name}: `{line}` exited {p.returncode}:\n{p.stderr}"
