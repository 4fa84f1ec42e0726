"""The published HTML in Debian's chromium (Playwright, sync API): offline, code-free, images load,
and accessible: axe-core finds no WCAG 2.1 A/AA violation on any kind of page, headings do not skip
levels, the page does not scroll sideways at 390 px, and "In het kort" comes first.

Chromium comes from apt (``make browser``); ``playwright install`` is never
run. Every request is routed: anything not ``file://`` is aborted and
recorded, and the test demands none. axe-core is read from ``tests/assets/axe.min.js``
(see ``tests/assets/README.md``) and injected as page content: no network.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

# One worker runs this module (``--dist loadgroup``): its fixture builds every kind of page (about
# 40 s), which under plain xdist distribution two workers built side by side.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-report")]

ROUND = "2021-1"
AXE = Path(__file__).parent / "assets" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
KINDS = ["samenvatting", "onderwijs", "professionals", "aanbieders", "gemeenten", "trends"]


@pytest.fixture(scope="module")
def outputs(demo_dir, tmp_path_factory):
    """Every kind of published page of one demo round, and the trend report: kind -> path."""
    from peo_lib.publish.runner import run_reports, run_round_report, run_trends_report
    from peo_lib.report import AUDIENCES

    out = tmp_path_factory.mktemp("browser-out")
    path = run_round_report(ROUND, data_dir=demo_dir, out_dir=out, timeout=300)
    run_reports([ROUND], jobs=2, data_dir=demo_dir, out_dir=out, audience=list(AUDIENCES), timeout=300,
                progress=False)
    trends = run_trends_report(data_dir=demo_dir, out_dir=out, timeout=300)
    pages = {"samenvatting": path / "samenvatting.html", "trends": trends / "trends.html"}
    pages.update({a: path / f"samenvatting-{a}.html" for a in AUDIENCES})
    return pages


@pytest.fixture(scope="module")
def summary_html(outputs):
    return outputs["samenvatting"]


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
    for heading in ("In het kort", "Inhoud", "Wie deden mee", "Startende en ervaren professionals",
                    "Open antwoorden", "Wat is veranderd sinds de vorige ronde", "Verantwoording"):
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


def _offline_page(browser, path, *, width=1000, height=1400):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_wcag_violation(browser, outputs, kind):
    """axe-core, rules tagged WCAG 2.0/2.1 A and AA, on every kind of page; headings never skip a level."""
    page = _offline_page(browser, outputs[kind])
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    problems = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]]
    assert problems == [], problems
    assert len(result["passes"]) > 10  # axe really ran
    order = page.evaluate("axe.run(document, {runOnly: ['heading-order', 'page-has-heading-one', 'landmark-unique']})")
    assert order["violations"] == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in order["violations"]]
    levels = page.evaluate("Array.from(document.querySelectorAll('main h1,main h2,main h3,main h4,main h5'))"
                           ".map(h => Number(h.tagName[1]))")
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    page.close()


@pytest.mark.parametrize("kind", KINDS)
def test_in_het_kort_comes_first_and_names_a_number(browser, outputs, kind):
    page = _offline_page(browser, outputs[kind])
    first_h2 = page.locator("main h2").first
    assert first_h2.inner_text().strip().rstrip("¶") == "In het kort"
    findings = page.locator("ul.peo-findings li").all_inner_texts()
    assert 1 <= len(findings) <= 5 and any(re.search(r"\d+,\d|\d+%", f) for f in findings), findings
    # nothing but the title block lies between the h1 and "In het kort"
    between = page.evaluate("""() => {
        const h1 = document.querySelector('main h1'), h2 = document.querySelector('main h2');
        return Array.from(document.querySelectorAll('main h1, main h2, main h3, main table, main figure, main img'))
            .filter(e => (h1.compareDocumentPosition(e) & 4) && (e.compareDocumentPosition(h2) & 4)).length; }""")
    assert between == 0
    # the table of contents follows, and every link lands on a heading of the page
    toc = page.locator("nav.peo-toc a")
    assert toc.count() >= 3
    for href in toc.evaluate_all("as => as.map(a => a.getAttribute('href'))"):
        assert page.locator(f"[id='{href[1:]}']").count() == 1, href
    page.close()


@pytest.mark.parametrize("kind", ["samenvatting", "gemeenten", "trends"])
def test_no_horizontal_scroll_on_a_phone(browser, outputs, kind, tmp_path):
    """At 390 px the page does not scroll sideways: wide tables scroll in their own box, images scale."""
    page = _offline_page(browser, outputs[kind], width=390, height=844)
    width = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    assert max(width[:2]) <= width[2], width
    images = page.evaluate("Array.from(document.images).map(i => i.getBoundingClientRect().right)")
    assert images and max(images) <= 390
    page.screenshot(path=str(tmp_path / f"{kind}-390.png"))
    page.close()


def test_figures_state_their_numbers(browser, outputs):
    """Every image has an alt text with its main numbers (or points to the table right below it)."""
    for kind in ("samenvatting", "trends"):
        page = _offline_page(browser, outputs[kind])
        alts = page.evaluate("Array.from(document.images).map(i => i.alt)")
        assert alts and all(re.search(r"\d+,\d|\d+%", a) for a in alts), alts
        page.close()


def test_published_round_has_a_two_page_handout(outputs):
    from peo_lib.report.handout import pdf_page_count

    pdf = outputs["samenvatting"].parent / "samenvatting.pdf"
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and 1 <= pdf_page_count(data) <= 2
    assert not (outputs["samenvatting"].parent / "samenvatting-onderwijs.pdf").exists()
    assert "samenvatting.pdf" in outputs["samenvatting"].read_text(encoding="utf-8")


def test_every_demo_round_fits_on_two_a4_pages(demo_dir, tmp_path):
    """The handout of every demo round: "In het kort", core scales, theme, change, provenance; <= 2 pages."""
    import warnings

    from peo_lib.data.demo import ROUND_IDS
    from peo_lib.report.handout import find_chromium, handout_html, pdf_page_count, write_pdf
    from peo_lib.report.round import build_report

    if find_chromium() is None:
        pytest.fail("Debian chromium is not installed: run `make browser` (apt-get install chromium)")
    for rid in ROUND_IDS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            rep = build_report(rid, data_dir=demo_dir)
            page = handout_html(rep)
        for head in ("In het kort", "Kernschalen: startende en ervaren professionals", "Thema: ", "Wat is veranderd",
                     "Herkomst: ronde " + rid):
            assert head in page, (rid, head)
        assert "Midden-Delfland" not in page  # suppressed everywhere; the handout shows no small group
        pdf = write_pdf(page, tmp_path / f"{rid}.pdf")
        assert pdf is not None and pdf_page_count(pdf.read_bytes()) <= 2, rid
