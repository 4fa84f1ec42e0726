"""Themes of open answers in reports (peo_lib.stats.open_themes, peo_lib.report.open_themes):
counts, suppression of small groups, quotes only from groups >= min_n_open, trend, xlsx sheets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from open_theme_helpers import FRAME_OPEN01, DemoScrubber, coded_demo_dir
from peo_lib import load_round
from peo_lib.data.codeframe import parse_codeframe
from peo_lib.report.open_themes import (dedupe_answers, open_answers_appendix, open_theme_sheets, open_theme_tables,
                                        open_themes_section, question_coding, theme_quotes, trend_table)
from peo_lib.stats.open_themes import answered_mask, theme_counts


@pytest.fixture(scope="module")
def data(demo_dir, tmp_path_factory):
    return coded_demo_dir(demo_dir, tmp_path_factory.mktemp("themes") / "data")


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("scrub-cache")


def _qc(data, cache, rid="2021-1", question="OPEN01"):
    return question_coding(load_round(data / "codebooks" / f"{rid}.yml"), question, cache_dir=cache,
                           scrubber=DemoScrubber())


def test_counts_are_respondents_per_theme_over_those_who_answered(data, cache):
    qc = _qc(data, cache)
    t = open_theme_tables(qc, min_n=5)
    ov = t["overall"].set_index("theme")
    ans = qc.answers[answered_mask(qc.answers)]
    frame = qc.frame
    for theme in ("administratie", "werkdruk", "waardering"):
        expect = sum(theme in frame.propose(a, "2021-1") for a in ans)
        assert ov.loc[theme, "n"] == expect > 0
        assert ov.loc[theme, "pct"] == pytest.approx(100 * expect / len(ans))
    # a parent counts each respondent with the parent or a child once
    union = sum(bool({"regels", "administratie", "regels_gemeenten"} & set(frame.propose(a, "2021-1"))) for a in ans)
    assert ov.loc["regels", "n"] == union
    assert ov["base"].eq(len(ans)).all() and t["base"] == len(ans)
    st = t["status"].set_index("status")["n"]
    assert st.sum() == len(ans) and st["bevestigd"] == 0 and st["voorstel"] > 0 and st["ongecodeerd"] > 0
    assert "collegas" not in ov.index  # added in 2021-2


def test_rules_false_counts_confirmed_codings_only(data, cache):
    qc = _qc(data, cache)
    text = "Geen idee eigenlijk."
    qc.store.set_themes(qc.store.key_of(text), ["geen_idee", "ruimte"], frame=qc.frame)
    ov = open_theme_tables(qc, min_n=5, rules=False)["overall"].set_index("theme")
    given = int((qc.answers.dropna().str.strip() == text).sum())
    assert given > 0 and ov.loc["ruimte", "n"] == given and ov.loc["geen_idee", "n"] == given
    assert ov.loc["administratie", "n"] == 0
    with_rules = open_theme_tables(qc, min_n=5)["overall"].set_index("theme")
    assert with_rules.loc["ruimte", "n"] > given  # the proposals count too


def test_small_groups_are_hidden_with_a_complement(data, cache):
    qc = _qc(data, cache)
    rnd = qc.rnd
    t = open_theme_tables(qc, min_n=5)["by"]
    gem = t["gemeente"]
    answered = answered_mask(qc.answers)
    bases = rnd.background.loc[answered, "gemeente"].astype(str).value_counts()
    assert 0 < bases["Midden-Delfland"] < 5
    hidden = gem.drop_duplicates("group").set_index("group")["suppressed"]
    assert hidden["Midden-Delfland"] and hidden.sum() >= 2  # the total would give one hidden group back
    assert gem.loc[gem["suppressed"], ["n", "base", "pct"]].isna().all().all()
    shown = gem[~gem["suppressed"]]
    assert (shown["base"] >= 5).all()
    for grp, part in shown.groupby("group"):
        assert part["base"].iloc[0] == bases[grp]
    # the counts per group add up with the raw counts (nothing else changed)
    raw = theme_counts(qc.codes(), qc.frame, "2021-1", groups=rnd.background["gemeente"].astype(object))
    merged = shown.merge(raw, on=["group", "theme"], suffixes=("", "_raw"))
    assert (merged["n"] == merged["n_raw"]).all() and len(merged) == len(shown)
    html = open_themes_section(rnd, cache_dir=cache, scrubber=DemoScrubber(), history=None)._repr_html_()
    assert "Midden-Delfland (n&lt;5)" in html or "Midden-Delfland (n<5)" in html


def test_a_tiny_answer_base_shows_no_figures_and_no_quotes(tiny_data_dir, tmp_path):
    (tiny_data_dir / "codeframes").mkdir()
    (tiny_data_dir / "codeframes" / "OPEN01.yml").write_text(
        "question: OPEN01\nthemes:\n  regels:\n    label: Minder regels\n    keywords: [regel]\n", encoding="utf-8")
    rnd = load_round(tiny_data_dir / "codebooks" / "2099-1.yml")
    sec = open_themes_section(rnd, cache_dir=tmp_path, scrubber=DemoScrubber(), min_n=15, history=None)
    assert sec.tables() == [] and "geen cijfers" in sec.text() and "Citaten" not in sec.text()
    sec = open_themes_section(rnd, cache_dir=tmp_path, scrubber=DemoScrubber(), history=None)
    assert "14 professionals beantwoordden deze vraag" in sec.text()
    (ov, *_) = sec.tables()
    assert ov.data.set_index("theme").loc["regels", "n"] == 14


def test_quotes_only_from_groups_of_at_least_min_n_open(tiny_data_dir, tmp_path):
    """tiny round: 14 answers, 6 from starters and 8 from experienced (min_n_open = 10)."""
    (tiny_data_dir / "codeframes").mkdir()
    (tiny_data_dir / "codeframes" / "OPEN01.yml").write_text(
        "question: OPEN01\nthemes:\n  regels:\n    label: Minder regels\n    keywords: [regel]\n", encoding="utf-8")
    rnd = load_round(tiny_data_dir / "codebooks" / "2099-1.yml")
    qc = question_coding(rnd, "OPEN01", cache_dir=tmp_path, scrubber=DemoScrubber())
    groups = rnd.background.loc[answered_mask(qc.answers), "ervaringsgroep"].value_counts()
    assert groups.max() < rnd.codebook.privacy.min_n_open <= groups.sum()
    assert theme_quotes(qc, quote_by="ervaringsgroep", cache_dir=tmp_path, scrubber=DemoScrubber()) == {"regels": []}
    everyone = theme_quotes(qc, quote_by=None, cache_dir=tmp_path, scrubber=DemoScrubber())
    assert everyone == {"regels": [("Minder regels graag, café", "Alle respondenten")]}
    sec = open_themes_section(rnd, cache_dir=tmp_path, scrubber=DemoScrubber(), history=None)
    assert "Citaten" not in sec.text() and "café" not in sec.text()


def test_demo_quotes_come_from_large_enough_groups_and_are_scrubbed(data, cache):
    from peo_lib.data import demo

    qc = _qc(data, cache)
    rnd = qc.rnd
    answered = answered_mask(qc.answers)
    sizes = rnd.background.loc[answered, "gemeente"].astype(object).fillna("Onbekend").astype(str).value_counts()
    quotes = theme_quotes(qc, quote_by="gemeente", cache_dir=cache, scrubber=DemoScrubber())
    used = [(q, g) for qs in quotes.values() for q, g in qs]
    assert used and all(1 <= len(qs) <= 2 for qs in quotes.values() if qs)
    assert all(sizes[g] >= rnd.codebook.privacy.min_n_open for _, g in used)
    assert "Midden-Delfland" not in {g for _, g in used}
    assert not [q for q, _ in used if any(x in q for x in demo.PEOPLE + demo.EMAILS + demo.PHONES)]
    for t, qs in quotes.items():  # each quote is an answer coded with its theme
        assert all(t in qc.store.themes(qc.store.key_of(q)) for q, _ in qs)
    none = theme_quotes(qc, quote_by="gemeente", cache_dir=cache, scrubber=DemoScrubber(), min_n_open=1000)
    assert all(qs == [] for qs in none.values())
    assert all(qs == [] for qs in theme_quotes(qc, quote_by=None, cache_dir=cache, scrubber=DemoScrubber(),
                                               rules=False).values())  # nothing confirmed yet


def test_trend_across_rounds_and_a_theme_added_later(data, cache):
    codings = [_qc(data, cache, rid) for rid in ("2020-2", "2021-1", "2021-2", "2022-1")]
    tr = trend_table(codings, min_n=5).set_index(["theme", "round"])
    assert not tr.loc[("collegas", "2021-1"), "active"] and np.isnan(tr.loc[("collegas", "2021-1"), "pct"])
    assert tr.loc[("collegas", "2021-2"), "active"] and tr.loc[("collegas", "2021-2"), "pct"] > 0
    for qc in codings:
        ov = open_theme_tables(qc, min_n=5)["overall"].set_index("theme")
        assert tr.loc[("werkdruk", qc.rnd.id), "pct"] == pytest.approx(ov.loc["werkdruk", "pct"])
    # the earlier rounds' counts are the same with and without the later theme in the frame
    before, after = FRAME_OPEN01.split("  collegas:")[0], FRAME_OPEN01.split("  geen_idee:")[1]
    without = parse_codeframe(before + "  geen_idee:" + after)
    qc = codings[1]
    a = theme_counts(qc.codes(), qc.frame, "2021-1")
    qc.frame = without
    b = theme_counts(qc.codes(), without, "2021-1")
    pd.testing.assert_frame_equal(a, b)
    sec = open_themes_section(codings[-1].rnd, cache_dir=cache, scrubber=DemoScrubber())  # history: earlier rounds
    (trend,) = [t for t in sec.tables() if t.caption.startswith("Aandeel van wie antwoordde")]
    assert [c.header.split(" ")[0] for c in trend.columns[1:]] == ["2020-2", "2021-1", "2021-2", "2022-1"]
    row = trend.data[trend.data["shown"] == "Collega's en inwerken"].iloc[0]
    assert row["2020-2"] == "–" and row["2021-1"] == "–" and row["2021-2"].endswith("%")


def test_sheets_per_question_with_empty_hidden_cells(data, cache, tmp_path):
    from openpyxl import load_workbook

    from peo_lib.report.excel import write_tables

    qc = _qc(data, cache)
    sheets = open_theme_sheets([qc, _qc(data, cache, question="OPEN02")], min_n=5,
                               trends={"OPEN01": [_qc(data, cache, "2020-2")]})
    assert list(sheets) == ["Thema's OPEN01", "Thematrend OPEN01"]  # OPEN02 has no frame
    path = write_tables(tmp_path / "t.xlsx", sheets, small="n<5")
    ws = load_workbook(path)["Thema's OPEN01"]
    rows = list(ws.values)
    head = list(rows[0])
    assert head[:6] == ["Vraag (id)", "Uitsplitsing", "Groep", "Thema (id)", "Thema", "Hoofdthema (id)"]
    md = [r for r in rows[1:] if r[head.index("Groep")] == "Midden-Delfland"]
    assert md and all(r[head.index("Aantal")] is None and r[head.index("%")] is None for r in md)
    assert all(r[head.index("Onderdrukt")] == "n<5" for r in md)
    ids = {str(i) for i in qc.rnd.items.index}
    assert not [c for r in rows for c in r if isinstance(c, str) and c in ids]


def test_appendix_lists_every_answer_once_alphabetically():
    answers = pd.DataFrame({"question": "OPEN01", "question_text": "Vraag?", "group": "Alle respondenten",
                            "answer": ["minder regels", "Minder regels.", "Minder regels", "Anders", "Zo is het"]})
    dd = dedupe_answers(answers)
    assert list(dd["answer"]) == ["Anders", "Minder regels", "Zo is het"] and list(dd["count"]) == [1, 3, 1]

    class _OQ:
        text = "Vraag?"

    class _CB:
        open_questions = {"OPEN01": _OQ(), "OPEN02": _OQ()}

        class privacy:
            min_n_open = 10

    sec = open_answers_appendix(answers, _CB())
    assert "5 antwoorden, 3 verschillende" in sec.text() and "Minder dan 10 antwoorden" in sec.text()


def test_section_has_a_chart_with_alt_text_from_the_suppressed_table(data, cache, tmp_path):
    from peo_lib.report.plots import figure_block

    written = {}

    def figure(name, fig, *, alt):
        block, path = figure_block(fig, name=name, alt=alt, folder=tmp_path / "figuren")
        written[name] = path
        return block

    rnd = load_round(data / "codebooks" / "2021-1.yml")
    sec = open_themes_section(rnd, cache_dir=cache, scrubber=DemoScrubber(), history=None, figure=figure)
    (fig,) = sec.figures()  # OPEN02 has no frame: no chart
    ov = sec.tables()[0].data.sort_values("pct", ascending=False)
    top = ov.iloc[0]
    assert fig.name == "themas_OPEN01" and fig.png.startswith(b"\x89PNG")
    assert f"Het vaakst genoemd: {top['label']} ({round(top['pct'])}%)" in fig.alt
    assert written["themas_OPEN01"].read_bytes() == fig.png


def test_the_round_report_hooks(data, tmp_path, monkeypatch):
    """What RoundReport.open_themes() and round_sheets() will call (the lead wires them in round.py/excel.py)."""
    from openpyxl import load_workbook

    from peo_lib.privacy import scrub
    from peo_lib.report.excel import round_sheets, write_tables
    from peo_lib.report.open_themes import round_report_section, round_report_sheets
    from peo_lib.report.round import build_report

    monkeypatch.setattr(scrub, "get_scrubber", lambda: DemoScrubber())
    rep = build_report("2021-2", data_dir=data, out_dir=tmp_path / "out", cache_dir=tmp_path / "cache")
    sec = round_report_section(rep)
    assert "themas_OPEN01" in rep.figures and rep.figures["themas_OPEN01"].is_file()  # figuren/*.png
    assert any(t.caption.startswith("Aandeel van wie antwoordde") for t in sec.tables())  # trend: 2020-2 .. 2021-2
    html = sec._repr_html_()
    assert "Thema&#x27;s in de open antwoorden" in html or "Thema's in de open antwoorden" in html
    sheets = {**round_sheets(rep), **round_report_sheets(rep)}
    assert {"Thema's OPEN01", "Thematrend OPEN01", "Open antwoorden"} <= set(sheets)
    wb = load_workbook(write_tables(tmp_path / "t.xlsx", sheets, small=rep.small))
    trend = list(wb["Thematrend OPEN01"].values)
    rounds = {r[2] for r in trend[1:]}
    assert rounds == {"2020-2", "2021-1", "2021-2"}
    coll = [r for r in trend[1:] if r[0] == "collegas" and r[2] == "2021-1"]
    assert coll and coll[0][3] == "nee" and coll[0][6] is None  # not in the frame yet: empty, not 0%
