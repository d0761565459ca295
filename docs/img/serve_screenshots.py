"""Screenshots of `wargame serve` for docs/exercise.md (rerun: python docs/img/serve_screenshots.py).

Starts the real server on a free port in a temporary folder, plays taiwan_strait with
two teams (PRC, USA) to the first war turn in headless Chromium (the system's, through
Playwright), and writes serve_team.png, serve_facilitator.png and serve_room.png here.
"""

import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
CFG = str(HERE.parents[1] / "configs" / "taiwan_strait.toml")


def main() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "wargame", "serve", CFG, "--play", "PRC,USA", "--port", str(port),
               "--save", "class.json", "--lookahead-runs", "300", "--turn-minutes", "10"]
        p = subprocess.Popen(cmd, cwd=tmp, stdout=subprocess.PIPE, text=True)
        links = {}
        for line in p.stdout:
            m = re.match(r"\s+(\S+)\s+(http://\S+)", line)
            if m:
                links[m.group(1)] = m.group(2)
            if line.startswith("Give each team"):
                break
        time.sleep(1.0)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=exe, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1000, "height": 1300})
                page.goto(links["facilitator"])
                page.fill("#inject input[name=text]", "fronts.landing.lift_per_day *0.5 for 30 days : storm season")
                page.click("#inject button")
                for _ in range(6):  # PRC mobilises and invades; then USA has to choose
                    page.goto(links["PRC"])
                    if page.locator("#decide").count() == 0:
                        break
                    if page.locator("input[value=invade]").count():
                        page.check("input[value=invade]")
                    page.click("#submit")
                page.goto(links["facilitator"])
                if page.locator("#look-USA").count():
                    page.click("#look-USA")
                page.screenshot(path=str(HERE / "serve_facilitator.png"), full_page=True)
                page.goto(links["USA"])
                page.screenshot(path=str(HERE / "serve_team.png"), full_page=True)
                page.goto(links["facilitator"])
                page.goto(links["facilitator"].split("/facilitator/")[0] + page.get_attribute("#room", "href"))
                page.screenshot(path=str(HERE / "serve_room.png"), full_page=True)
                browser.close()
        finally:
            p.kill()
            p.wait()


if __name__ == "__main__":
    main()
