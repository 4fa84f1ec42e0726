"""The coding widget of ``notebooks/coderen.ipynb`` in real JupyterLab, driven in Debian chromium.

JupyterLab runs on 127.0.0.1 (free port, no token, ``--expose-app-in-browser`` so the test can
ask the app to run all cells, as the researcher does with Run All) on a copy of the demo rounds
with a code frame. The kernel scrubs the answers with the real scrubber (deduce) into a private
cache folder. In the page: the progress line, a theme ticked, "Klopt, volgende" clicked; then
the coding file on disk holds those decisions, keyed by hash, with no respondent id.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from peo_lib.browser import free_port, launch_chromium
from open_theme_helpers import coded_demo_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]



@pytest.fixture(scope="module")
def lab(demo_dir, tmp_path_factory):
    """JupyterLab serving a parameterised copy of coderen.ipynb (round 2021-1, question OPEN01)."""
    import nbformat

    from peo_lib.dashboard.server import stop_process, wait_for_port
    from peo_lib.paths import NOTEBOOK_DIR

    root = tmp_path_factory.mktemp("lab")
    data = coded_demo_dir(demo_dir, root / "data")
    nb = nbformat.read(NOTEBOOK_DIR / "coderen.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", []))
    params.source = f'ronde = "2021-1"\nvraag = "OPEN01"\ndata_dir = {str(data)!r}\n'  # what papermill would inject
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "coderen.ipynb")
    env = dict(os.environ, PEO_CACHE_DIR=str(root / "cache"), JUPYTER_CONFIG_DIR=str(root / "jupyter-config"),
               JUPYTERLAB_WORKSPACES_DIR=str(root / "workspaces"), JUPYTER_RUNTIME_DIR=str(root / "runtime"))
    port = free_port()
    log = open(root / "lab.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         "--allow-root", "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
         "--expose-app-in-browser", f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, cwd=str(root), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        if not wait_for_port(port, proc=proc, timeout=120):
            log.flush()
            pytest.fail("JupyterLab did not start:\n" + (root / "lab.log").read_text(errors="replace")[-3000:])
        yield {"url": f"http://127.0.0.1:{port}/lab/tree/coderen.ipynb", "data": data, "root": root}
    finally:
        stop_process(proc)
        log.close()


def _close_dialogs(page) -> list[str]:
    """Dismiss JupyterLab dialogs (their texts are returned for the failure message)."""
    texts = []
    for _ in range(5):
        dialog = page.query_selector("dialog.jp-Dialog")
        if dialog is None:
            break
        texts.append(dialog.inner_text()[:200])
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)
    return texts


def test_coding_in_jupyterlab_saves_each_decision(lab):
    from peo_lib.data.codeframe import read_codeframe
    from peo_lib.data.coding import CONFIRMED, coding_path, read_coding

    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(lab["url"], timeout=180_000)
        page.wait_for_function("() => window.jupyterapp && document.querySelector('.jp-Notebook')",
                               timeout=180_000)
        # Run All as the researcher does; until the notebook is the current widget with its kernel, the
        # command does nothing, so repeat it until a cell shows it ran (an execution count or "*")
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            # not awaited: the command's promise resolves only when every cell has run
            page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells')"
                          ".catch(() => null); return true; }")
            try:
                page.wait_for_function("() => [...document.querySelectorAll('.jp-InputPrompt')]"
                                       ".some(p => /\\[[0-9*]+\\]/.test(p.textContent))", timeout=5_000)
                break
            except Exception:  # noqa: BLE001 - not yet: try again
                continue
        try:
            page.wait_for_selector(".peo-coding", timeout=240_000)
        except Exception:
            shots = lab["root"].parent / "coding-failure.png"
            page.screenshot(path=str(shots), full_page=True)
            raise
        progress = page.locator(".peo-coding").get_by_text("gecodeerd").first
        page.wait_for_function("() => /0 van \\d+ gecodeerd/.test(document.querySelector('.peo-coding')"
                               ".innerText)", timeout=60_000)
        total = int(progress.inner_text().split(" van ")[1].split()[0])
        assert total > 10
        first_answer = page.locator(".peo-coding .widget-html").nth(3).inner_text()
        _close_dialogs(page)  # e.g. JupyterLab's first-run news or kernel dialogs over the notebook
        page.get_by_role("button", name="✓ Klopt, volgende").click()
        page.wait_for_function(f"() => document.querySelector('.peo-coding').innerText"
                               f".includes('1 van {total} gecodeerd')", timeout=60_000)
        page.get_by_label("Waardering en beloning").check()
        page.wait_for_function(f"() => document.querySelector('.peo-coding').innerText"
                               f".includes('2 van {total} gecodeerd')", timeout=60_000)
        body = page.inner_text(".peo-coding")
        assert "Traceback" not in page.inner_text("body") and "Opgeslagen in" in body
    path = coding_path("2021-1", "OPEN01", data_dir=lab["data"])
    frame = read_codeframe(lab["data"] / "codeframes" / "OPEN01.yml")
    saved = read_coding(path, round_id="2021-1", question="OPEN01", frame=frame)
    confirmed = [k for k in saved.entries if saved.status(k) == CONFIRMED]
    assert len(confirmed) == 2
    assert any("waardering" in saved.themes(k) for k in confirmed)
    assert first_answer.strip() in {saved.entries[k].text.strip() for k in confirmed}
    from peo_lib import load_round
    from peo_lib.paths import codebook_path

    ids = {str(i) for i in load_round(codebook_path("2021-1", lab["data"])).items.index}
    text = path.read_text(encoding="utf-8")
    assert not [i for i in ids if i in text.split()]  # keys are hashes, never respondent ids
