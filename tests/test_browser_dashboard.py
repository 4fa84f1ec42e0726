"""The dashboard in Voila, driven in Debian chromium through Playwright.

Starts Voila on 127.0.0.1 (free port) with the offline ``peo`` template on
the demo rounds, changes the breakdown in the browser, checks that the figure
changes, that no error or traceback shows and that no request leaves the
machine. A screenshot is kept in ``outputs/test-artifacts/``.
"""

from __future__ import annotations

import base64
import shutil
import socket
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest

from peo_lib.browser import free_port, launch_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOCAL = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture(scope="module")
def voila_url(demo_dir, tmp_path_factory):
    from peo_lib.dashboard.server import dashboard_notebook, stop_process, voila_command, voila_env, wait_for_port

    out = tmp_path_factory.mktemp("dash_out")
    port = free_port()
    nb = dashboard_notebook(out_dir=out)
    log = open(out / "voila.log", "wb")
    proc = subprocess.Popen(voila_command(nb, port=port), env=voila_env(data_dir=demo_dir, out_dir=out),
                            cwd=str(nb.parent), start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_for_port(port, proc=proc, timeout=90):
            log.flush()
            pytest.fail("Voila did not start:\n" + (out / "voila.log").read_text(errors="replace")[-3000:])
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop_process(proc)
        log.close()
    assert proc.poll() is not None


def _figure_src(page) -> str:
    return page.eval_on_selector(".peo-figure img, img.peo-figure", "el => el.src")


def _png_bytes(page) -> bytes:
    """The PNG bytes behind the figure (blob: URLs are read in the page)."""
    data = page.evaluate(
        """async () => {
            const el = document.querySelector('.peo-figure img, img.peo-figure');
            const r = await fetch(el.src); const b = new Uint8Array(await r.arrayBuffer());
            let s = ''; for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
            return btoa(s);
        }"""
    )
    return base64.b64decode(data)


def test_dashboard_in_voila(voila_url):

    external = []
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1600, "height": 1000})

        def route(r):
            host = urlparse(r.request.url).hostname or ""
            if r.request.url.startswith(("http://", "https://", "ws://", "wss://")) and host not in LOCAL:
                external.append(r.request.url)
                return r.abort()
            return r.continue_()

        page.route("**/*", route)
        page.goto(voila_url, timeout=180_000)
        page.wait_for_selector(".peo-figure img, img.peo-figure", state="visible", timeout=180_000)
        page.wait_for_function(
            "() => { const el = document.querySelector('.peo-figure img, img.peo-figure');"
            " return el && el.naturalWidth > 0; }", timeout=60_000)
        before = _png_bytes(page)
        src_before = _figure_src(page)
        assert before[:8] == b"\x89PNG\r\n\x1a\n"

        # the breakdown dropdown (ipywidgets Dropdown -> <select>)
        select = page.locator(".peo-breakdown select")
        assert select.count() == 1
        select.select_option(label="Gemeente")
        page.wait_for_function(
            "src => { const el = document.querySelector('.peo-figure img, img.peo-figure');"
            " return el && el.src !== src && el.naturalWidth > 0; }", arg=src_before, timeout=60_000)
        after = _png_bytes(page)
        assert after != before
        page.wait_for_timeout(300)
        text = page.inner_text("body")
        assert "gemeente" in text.lower()
        for bad in ("Traceback", "Error", "Dit kan niet getoond worden", "Het dashboard kan niet starten"):
            assert bad not in text, f"{bad!r} on the page"
        assert "n<5" in text  # the privacy note under the figure

        shots = Path(__file__).resolve().parent.parent / "outputs" / "test-artifacts"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "dashboard_voila.png"), full_page=True)
    assert external == [], f"requests left the machine: {external}"


def test_foreign_host_header_is_refused(voila_url):
    """DNS rebinding: a page on evil.example that resolves to 127.0.0.1 gets 403, localhost gets the page."""
    import http.client

    port = urlparse(voila_url).port
    statuses = {}
    for host in (f"evil.example:{port}", f"localhost:{port}", f"127.0.0.1:{port}"):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/", headers={"Host": host})
        statuses[host.split(":")[0]] = conn.getresponse().status
        conn.close()
    assert statuses == {"evil.example": 403, "localhost": 200, "127.0.0.1": 200}


def test_dashboard_port_can_be_reused_right_after_a_stop():
    """After a dashboard stops, its port (in TIME_WAIT) counts as free again: no 'port in use'."""
    from peo_lib.dashboard.server import _port_free

    port = free_port()
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen()
    cli = socket.create_connection(("127.0.0.1", port))
    conn, _ = srv.accept()
    conn.close()  # the server side closes first: its end stays in TIME_WAIT
    cli.close()
    srv.close()
    assert _port_free(port)


# -- issue 13: the meeting mode in a real browser, and no kernel left behind -----------------

MEETING_DATE = "2026-12-02"


@pytest.fixture(scope="module")
def meeting_server(demo_dir, tmp_path_factory):
    """Voila in meeting mode (``peo dashboard --meeting``) on a writable copy of the demo rounds."""
    from peo_lib.dashboard.server import dashboard_notebook, stop_process, voila_command, voila_env, wait_for_port

    data = tmp_path_factory.mktemp("meeting_data")
    for sub in ("codebooks", "raw"):
        shutil.copytree(demo_dir / sub, data / sub)
    out = tmp_path_factory.mktemp("meeting_out")
    port = free_port()
    nb = dashboard_notebook(out_dir=out)
    env = voila_env(data_dir=data, out_dir=out, meeting=True)
    env["PEO_MEETING_DATE"] = MEETING_DATE
    log = open(out / "voila.log", "wb")
    proc = subprocess.Popen(voila_command(nb, port=port, orphan_grace=3), env=env, cwd=str(nb.parent),
                            start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_for_port(port, proc=proc, timeout=90):
            log.flush()
            pytest.fail("Voila did not start:\n" + (out / "voila.log").read_text(errors="replace")[-3000:])
        yield {"url": f"http://127.0.0.1:{port}/", "proc": proc, "data": data, "out": out}
    finally:
        stop_process(proc)
        log.close()


def _wait_meeting(page):
    from peo_lib.dashboard.meeting import READY_CLASS

    page.wait_for_selector(f".peo-meeting.{READY_CLASS}", state="attached", timeout=180_000)
    page.wait_for_selector("img.peo-meeting-figure", state="visible", timeout=180_000)
    page.wait_for_function("() => { const el = document.querySelector('img.peo-meeting-figure');"
                           " return el && el.naturalWidth > 0; }", timeout=60_000)


def _wait_for_file_text(path, text, *, deadline=60.0):
    import time

    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if path.is_file() and text in path.read_text(encoding="utf-8"):
            return True
        time.sleep(0.25)
    return False


def test_a_scripted_meeting_in_chromium(meeting_server):
    """Open meeting mode at 1366x768, step with the keyboard, conclude, propose, reload: all still there."""
    from peo_lib import paths
    from peo_lib.data.codebook import read_codebook
    from peo_lib.data.meetings import meeting_path, read_meeting
    from peo_lib.publish.html import check_offline_html
    from peo_lib.publish.verslag import write_verslag

    data = meeting_server["data"]
    file = meeting_path(MEETING_DATE, data_dir=data)
    conclusion = "Starters ervaren minder ruimte dan ervaren collega's"
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(meeting_server["url"], timeout=180_000)
        _wait_meeting(page)
        counter = page.locator(".peo-meeting-counter")
        assert "1 van" in counter.inner_text()
        # above the fold at 1366x768: the main number, the chart and its sentence
        for sel in (".peo-meeting-key", "img.peo-meeting-figure", ".peo-meeting .peo-sentence"):
            box = page.locator(sel).first.bounding_box()
            assert box is not None and box["y"] + box["height"] <= 768, f"{sel} below the fold: {box}"
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('.peo-meeting-counter').innerText"
                               ".includes('2 van')", timeout=60_000)
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('.peo-meeting-counter').innerText"
                               ".includes('3 van')", timeout=60_000)
        page.keyboard.press("ArrowLeft")
        page.wait_for_function("() => document.querySelector('.peo-meeting-counter').innerText"
                               ".includes('2 van')", timeout=60_000)
        box = page.locator(".peo-meeting-conclusion textarea")
        box.click()
        box.press_sequentially(conclusion, delay=15)
        page.keyboard.press("ArrowRight")  # typing: the arrow moves the cursor, not the view
        assert "2 van" in counter.inner_text()
        assert _wait_for_file_text(file, conclusion), "the conclusion was not saved while typing"
        page.locator(".peo-meeting-action-title input").fill("Intervisie voor starters")
        page.locator(".peo-meeting-action-owner input").fill("PJH werkgroep")
        page.locator(".peo-meeting-propose-button").click()
        assert _wait_for_file_text(file, "Intervisie voor starters"), "the action was not saved"
        page.reload(timeout=180_000)
        _wait_meeting(page)
        # back at the view discussed, with its conclusion (the page may first draw the pre-heated view)
        page.wait_for_function("t => document.querySelector('.peo-meeting-counter').innerText.includes('2 van')"
                               " && document.querySelector('.peo-meeting-conclusion textarea').value === t",
                               arg=conclusion, timeout=60_000)
        assert "Intervisie voor starters" in page.inner_text(".peo-meeting")
        for bad in ("Traceback", "Niet opgeslagen", "Het dashboard kan niet starten"):
            assert bad not in page.inner_text("body")
        shots = Path(__file__).resolve().parent.parent / "outputs" / "test-artifacts"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "dashboard_meeting_1366x768.png"))
        page.close(run_before_unload=True)
    codebooks = [read_codebook(f) for f in paths.codebook_files(data)]
    meeting = read_meeting(file, codebooks=codebooks)  # the file validates, with the register's rules
    assert [n.conclusie for n in meeting.onderwerpen] == [conclusion]
    assert [a.titel for a in meeting.acties] == ["Intervisie voor starters"]
    html_path = write_verslag(MEETING_DATE, data_dir=data, out_dir=meeting_server["out"])
    page_html = html_path.read_text(encoding="utf-8")
    assert check_offline_html(page_html) == [] and "Intervisie voor starters" in page_html


def _kernels(proc) -> int:
    import psutil

    n = 0
    for child in psutil.Process(proc.pid).children(recursive=True):
        try:
            n += "ipykernel" in " ".join(child.cmdline())
        except (psutil.ZombieProcess, psutil.NoSuchProcess):  # ended between the listing and the look
            pass
    return n


def test_no_kernel_left_behind_after_five_loads(meeting_server):
    """5 page loads and closes: afterwards at most the pre-heated pool (1 kernel) remains."""
    import time

    proc = meeting_server["proc"]
    with launch_chromium() as browser:
        for _ in range(5):
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(meeting_server["url"], timeout=180_000)
            _wait_meeting(page)
            page.close(run_before_unload=True)
    end = time.monotonic() + 120  # a deadline, not a timing assert: the reaper runs every second
    while _kernels(proc) > 1 and time.monotonic() < end:
        time.sleep(0.5)
    assert _kernels(proc) <= 1, f"{_kernels(proc)} kernels after 5 loads and closes"


def _counter(page) -> tuple[int, int]:
    import re

    m = re.search(r"(\d+) van (\d+)", page.inner_text(".peo-meeting-counter"))
    return int(m.group(1)), int(m.group(2))


def _settle(page, *, quiet_ms: int = 2500, deadline_ms: int = 60_000) -> None:
    """Wait until block and counter stop changing (a page may first draw its pre-heated view, then the
    last view of the meeting file)."""
    state = lambda: page.evaluate("() => [document.querySelector('.peo-meeting-block select').value,"  # noqa: E731
                                  " document.querySelector('.peo-meeting-counter').innerText]")
    last, still, waited = state(), 0, 0
    while still < quiet_ms and waited < deadline_ms:
        page.wait_for_timeout(500)
        waited += 500
        now = state()
        still = still + 500 if now == last else 0
        last = now


def _check_view_fits(page, height: int, where: str) -> None:
    """The main number, the chart and its sentence above the fold, no side scroll, room-readable fonts."""
    for sel in (".peo-meeting-key", "img.peo-meeting-figure", ".peo-meeting .peo-sentence"):
        box = page.locator(sel).first.bounding_box()
        assert box is not None and box["height"] > 0 and box["y"] + box["height"] <= height, \
            f"{where}: {sel} below the fold: {box}"
    panel = page.locator(".peo-meeting").first.bounding_box()
    for sel in (".peo-meeting-conclusion textarea", ".peo-meeting-action-title input",
                ".peo-meeting-action-related select", ".peo-meeting-propose-button"):
        box = page.locator(sel).first.bounding_box()
        assert box is not None and box["x"] + box["width"] <= panel["x"] + panel["width"] + 0.5, \
            f"{where}: {sel} runs past the panel's right edge: {box} vs {panel}"
    wide = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert wide <= 0, f"{where}: the page scrolls sideways by {wide} px"
    sizes = page.evaluate("() => ['.peo-meeting .peo-sentence', '.peo-meeting .peo-key'].map("
                          "s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize))")
    assert sizes[0] >= 18 and sizes[1] >= 24, f"{where}: fonts too small for a room: {sizes}"


@pytest.mark.parametrize("width,height,all_blocks", [(1366, 768, True), (1920, 1080, False)])
def test_every_meeting_view_fits_the_projector(meeting_server, width, height, all_blocks):
    """Step through every view (every block at 1366x768, the first block at 1920x1080) with the arrow keys."""
    seen = 0
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(meeting_server["url"], timeout=180_000)
        _wait_meeting(page)
        _settle(page)
        blocks = page.eval_on_selector(".peo-meeting-block select", "s => [...s.options].map(o => o.value)")
        assert len(blocks) >= 2, blocks
        for block in blocks if all_blocks else blocks[:1]:
            select = page.locator(".peo-meeting-block select")
            if select.input_value() != block:
                select.select_option(value=block)
                page.wait_for_function("() => /^1 van/.test(document.querySelector('.peo-meeting-counter')"
                                       ".innerText.trim())", timeout=60_000)
                _settle(page)
            first, total = _counter(page)
            for step in range(total):
                index, _ = _counter(page)
                _wait_meeting(page)
                _check_view_fits(page, height, f"{width}x{height}, block {block}, view {index} of {total}")
                seen += 1
                page.evaluate("() => document.activeElement && document.activeElement.blur()")
                page.keyboard.press("ArrowRight")
                want = index % total + 1
                try:
                    page.wait_for_function(f"() => /^{want} van/.test(document.querySelector("
                                           "'.peo-meeting-counter').innerText.trim())", timeout=60_000)
                except Exception as exc:  # noqa: BLE001 - say where it stuck
                    raise AssertionError(f"{width}x{height}, block {block}: after view {index} of {total} the "
                                         f"counter reads {page.inner_text('.peo-meeting-counter')!r}, not {want}; "
                                         f"focus on {page.evaluate('() => document.activeElement.tagName')}") from exc
        page.close(run_before_unload=True)
    assert seen >= 10
