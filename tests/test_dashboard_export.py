"""``peo dashboard --export ROUND``: one offline HTML file with suppressed aggregates only.

Checked in Debian's chromium (Playwright; ``playwright install`` is never run) with every request that
is not ``file://`` aborted and counted (none allowed): switching statement, breakdown and view changes
the table and the chart; axe-core (``tests/assets/axe.min.js``, injected as page content) finds no WCAG
2.1 A/AA violation. The embedded data is parsed and checked: no base under min_n, a hidden group never
alone beside a shown total, one total for every view, no respondent id.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROUND = "2023-1"
AXE = Path(__file__).parent / "assets" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _peo(*args):
    return subprocess.run([sys.executable, "-m", "peo_lib", *args], capture_output=True, text=True,
                          timeout=600, env=dict(os.environ))


def _embedded(page_html: str) -> dict:
    m = re.search(r'<script type="application/json" id="peo-data">(.*?)</script>', page_html, re.S)
    assert m, "the data is embedded in the page"
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def exported(demo_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("dash-out")
    res = _peo("dashboard", "--export", ROUND, "--data-dir", str(demo_dir), "--out", str(out))
    assert res.returncode == 0, res.stderr
    path = out / "dashboard" / f"{ROUND}.html"
    assert f"Offline dashboard written: {path}" in res.stdout
    assert not list(out.glob(".*.tmp-*"))
    return path


def _check_suppressed(data: dict) -> int:
    """Every rule about the embedded rows; returns the number of hidden rows seen."""
    from peo_lib.vocab import BREAKDOWNS

    min_n, hidden_rows = data["min_n"], 0
    assert {b["id"] for b in data["breakdowns"]} <= {"geen", *BREAKDOWNS}  # single breakdowns only
    for s in data["subjects"]:
        totals = set()
        for b, view in s["views"].items():
            for kind in ("dist", "mean"):
                rows = view.get(kind)
                if rows is None:
                    assert kind == "dist" and s["colors"] is None
                    continue
                assert rows[0]["rij"] == data["total"]
                for r in rows:
                    assert set(r) <= {"rij", "n", "label", "pct", "m", "lo", "hi"}  # no counts per answer
                    if r["n"] is None:
                        hidden_rows += 1
                        assert r["label"] == data["small"]
                        assert all(v is None for v in r.get("pct", [])) and r.get("m") is None
                    else:
                        assert r["n"] >= min_n, (s["key"], b, r)
                hidden = [r for r in rows[1:] if r["n"] is None]
                # a hidden group is never alone beside a shown total (else: total minus the others)
                assert rows[0]["n"] is None or len(hidden) != 1, (s["key"], b, kind)
                if b != "geen" and not hidden and rows[0]["n"] is not None:
                    assert sum(r["n"] for r in rows[1:]) == rows[0]["n"]  # Totaal is every group, unknown too
                totals.add(rows[0]["n"])
            for point in s["trend"][b]:  # every round of a trend is suppressed on its own
                assert point["ronde"] <= data["round"]
                assert all(r["n"] is None or r["n"] >= min_n for r in point["rows"])
                assert point["rows"][0]["n"] is None or sum(r["n"] is None for r in point["rows"][1:]) != 1
            assert [r["label"] for r in view["dist" if "dist" in view else "mean"]] == \
                [r["label"] for r in view["mean"]]  # distribution and mean hide the same groups
        assert len(totals) == 1, f"{s['key']}: one Totaal in every view ({totals})"
    return hidden_rows


def test_embedded_data_is_suppressed_and_holds_no_respondent(exported, demo_dir):
    from peo_lib import load_round
    from peo_lib.paths import codebook_path

    text = exported.read_text(encoding="utf-8")
    data = _embedded(text)
    assert data["round"] == ROUND and data["min_n"] == 5
    assert _check_suppressed(data) > 0  # the demo has small gemeenten: the rule was exercised
    rnd = load_round(codebook_path(ROUND, demo_dir))
    assert [i for i in map(str, rnd.items.index) if i in text] == []
    answers = {str(a).strip() for a in rnd.open_answers.stack().dropna() if len(str(a).strip()) >= 12}
    assert answers and [a for a in answers if a in text] == []
    assert text.rstrip().endswith("</html>") and f"Herkomst: ronde {ROUND} · codeboek SHA-256" in text
    from peo_lib.publish.html import check_offline_html

    assert check_offline_html(text) == []


def test_tiny_round_hides_the_small_gemeente_and_its_complement(tiny_data_dir, tmp_path):
    """Westland has 2 of 40 respondents: hidden, with a second gemeente, in every view by gemeente."""
    from peo_lib.publish.dashboard_export import export_dashboard

    path = export_dashboard("2099-1", data_dir=tiny_data_dir, out_dir=tmp_path / "out",
                            cache_dir=tmp_path / "cache")
    data = _embedded(path.read_text(encoding="utf-8"))
    _check_suppressed(data)
    for s in data["subjects"]:
        rows = {r["rij"]: r for r in s["views"]["gemeente"]["mean"]}
        assert rows["Westland"]["n"] is None
        assert sum(r["n"] is None for r in rows.values()) >= 2
    assert "Westland (n=2)" not in path.read_text(encoding="utf-8")


def _open(browser, path):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    blocked, errors = [], []

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, blocked, errors


def _shown(page) -> tuple[str, str, str]:
    return (page.get_attribute("body", "data-view"), page.inner_text("#peo-table"),
            page.inner_html("#peo-figure"))


@pytest.mark.browser
def test_switching_statement_breakdown_and_view_offline(browser, exported):
    page, blocked, errors = _open(browser, exported)
    view0, table0, fig0 = _shown(page)
    assert "Totaal" in table0 and "<svg" in fig0 and "<rect" in fig0

    page.select_option("#peo-onderwerp", "item:PR01")
    view1, table1, fig1 = _shown(page)
    assert view1.startswith("item:PR01|geen|dist") and table1 != table0 and fig1 != fig0
    assert page.inner_text("#peo-view-title").startswith("Ik ")

    page.select_option("#peo-uitsplitsing", "ervaringsgroep")
    view2, table2, _ = _shown(page)
    assert "Startend" in table2 and "Ervaren" in table2 and "Startend" not in table1
    assert page.is_visible("#peo-sentence") and "professionals" in page.inner_text("#peo-sentence")

    page.check("#peo-view-mean")
    view3, table3, fig3 = _shown(page)
    assert view3.endswith("|mean") and "Gemiddelde" in table3 and "<circle" in fig3

    page.check("#peo-view-trend")  # means per round, one line per group
    view_t, table_t, fig_t = _shown(page)
    assert view_t.endswith("|trend") and "<path" in fig_t and "2020-2" in table_t and f"{ROUND}" in table_t
    assert not page.is_visible("#peo-sentence")  # the sentence is about this round only
    page.check("#peo-view-mean")

    page.focus("#peo-volgende")
    page.keyboard.press("Enter")  # the buttons work from the keyboard
    view4, table4, _ = _shown(page)
    assert view4.startswith("item:PR02|ervaringsgroep|mean") and table4 != table3
    page.select_option("#peo-uitsplitsing", "gemeente")
    assert "n<5" in page.inner_text("#peo-table")  # small gemeenten are hidden in the browser too

    page.select_option("#peo-onderwerp", "overzicht:kern")  # every statement of the block, by response set
    assert page.get_attribute("body", "data-view") == "overzicht:kern|geen|dist"
    assert page.locator("#peo-figure svg").count() >= 1 and page.is_disabled("#peo-uitsplitsing")
    overview = page.inner_text("#peo-table")
    assert "PR01 · " in overview and "PR02 · " in overview
    assert "TV01 · " in overview and "Andere antwoordschaal (0 tot 10)" in overview  # the grade apart
    page.select_option("#peo-blok", page.eval_on_selector("#peo-blok", "s => s.options[s.options.length-1].value"))
    assert page.get_attribute("body", "data-view") != view4
    assert blocked == [] and errors == []
    page.close()


@pytest.mark.browser
def test_axe_finds_no_wcag_violation(browser, exported):
    page, blocked, _ = _open(browser, exported)
    for step in (None, "ervaringsgroep", "mean", "trend", "overzicht"):  # every kind of chart and table
        if step in ("mean", "trend"):
            page.check(f"#peo-view-{step}")
        elif step == "overzicht":
            page.select_option("#peo-onderwerp", "overzicht:kern")
        elif step:
            page.select_option("#peo-uitsplitsing", step)
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
        assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == []
        assert len(result["passes"]) > 10
    labels = page.evaluate("Array.from(document.querySelectorAll('select')).map(s => s.labels.length)")
    assert labels == [1, 1, 1]
    assert page.get_attribute("#peo-figure svg", "role") == "img"
    assert len(page.text_content("#peo-figure svg desc")) > 20
    assert blocked == []
    page.close()
