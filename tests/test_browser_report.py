"""samenvatting.html in Debian's chromium (Playwright, sync API): offline, code-free, images load.

Chromium comes from apt (``make browser``); ``playwright install`` is never
run. Every request is routed: anything not ``file://`` is aborted and
recorded, and the test demands none.
"""

from __future__ import annotations

import shutil

import pytest

pytestmark = pytest.mark.browser

ROUND = "2021-1"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def summary_html(demo_dir, tmp_path_factory):
    from peo_lib.publish.runner import run_round_report

    out = tmp_path_factory.mktemp("browser-out")
    path = run_round_report(ROUND, data_dir=demo_dir, out_dir=out, timeout=300)
    return path / "samenvatting.html"


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("Debian chromium is not installed: run `make browser` (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_summary_opens_offline_without_code(browser, summary_html, tmp_path):
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    blocked = []

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(summary_html.as_uri())
    page.wait_for_load_state("load")

    assert blocked == []
    # no visible code: no input areas of code cells, no <pre> holding Python
    assert page.locator(".jp-CodeCell .jp-InputArea").count() == 0
    pre_texts = page.locator("pre").all_inner_texts()
    assert not [t for t in pre_texts if "import " in t or "rapport." in t or "build_report" in t]
    body = page.inner_text("body")
    assert "build_report" not in body and "rapport." not in body
    # the Dutch text of markdown cells is visible, so are the sections
    for heading in ("Wie deden mee", "Startende en ervaren professionals", "Open antwoorden",
                    "Wat is veranderd sinds de vorige ronde"):
        assert page.get_by_role("heading", name=heading).first.is_visible(), heading
    # every image decoded
    images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
    assert len(images) >= 3
    assert all(done and width > 0 for done, width in images)
    # provenance is the last line
    last = page.locator("main p").last.inner_text()
    assert last.startswith("Herkomst: ronde 2021-1")
    shot = tmp_path / "samenvatting.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.close()


def test_summary_prints_on_a4(browser, summary_html, tmp_path):
    page = browser.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    page.goto(summary_html.as_uri())
    pdf = tmp_path / "samenvatting.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    page.close()
