"""peo_lib.report.round and peo_lib.report.plots: tables equal the library's own numbers, privacy applied."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peo_lib import report
from peo_lib.errors import PrivacyError


# -- options -------------------------------------------------------------

def test_min_n_may_be_raised_never_lowered(tiny_round):
    assert report.resolve_min_n(tiny_round) == 5
    assert report.resolve_min_n(tiny_round, 8) == 8
    with pytest.raises(PrivacyError, match=r"min_n=3 is below the codebook's privacy.min_n=5"):
        report.resolve_min_n(tiny_round, 3)
    with pytest.raises(ValueError, match="`min_n` must be a whole number"):
        report.resolve_min_n(tiny_round, 5.5)


def test_audience_is_checked(tiny_round):
    with pytest.raises(ValueError, match=r"`audience` must be one of \['onderwijs', 'professionals', "
                                         r"'aanbieders', 'gemeenten'\]"):
        report.RoundReport(tiny_round, audience="iedereen")


# -- response overview ------------------------------------------------------

def test_response_overview_counts_and_suppression(tiny_round):
    ov = report.response_overview(tiny_round)
    bg = tiny_round.background
    for var, part in ov.groupby("variable", sort=False):
        counts = bg[var].value_counts(dropna=False)
        for rec in part.to_dict("records"):
            if rec["suppressed"]:
                assert np.isnan(rec["n"]) and np.isnan(rec["pct"])
                continue
            expected = int(bg[var].isna().sum()) if rec["category"] == report.UNKNOWN else int(counts[rec["category"]])
            assert rec["n"] == expected
            assert rec["pct"] == pytest.approx(100 * expected / tiny_round.n)
        hidden = part["suppressed"].sum()
        assert hidden != 1, f"{var}: a single hidden cell is its total minus the others"
    westland = ov[(ov["variable"] == "gemeente") & (ov["category"] == "Westland")]
    assert westland["suppressed"].all()  # 2 respondents < min_n = 5


def test_stricter_min_n_hides_more(tiny_round):
    ov = report.response_overview(tiny_round, min_n=12)
    functie = ov[ov["variable"] == "functie"]
    assert functie["suppressed"].all()  # 10 per function, all below 12


# -- scales -------------------------------------------------------------------

def test_scale_summary_equals_library(tiny_round):
    from peo_lib.stats.descriptives import scale_descriptives
    from peo_lib.stats.reliability import scale_reliability

    table = report.scale_summary(tiny_round)
    desc = scale_descriptives(tiny_round).set_index("scale")
    rel = scale_reliability(tiny_round).set_index("scale")
    row = table.set_index("scale").loc["professionele_ruimte"]
    assert not row["suppressed"]
    for col in ("mean", "ci_low", "ci_high", "n_scored"):
        assert row[col] == pytest.approx(desc.loc["professionele_ruimte", col])
    assert row["alpha"] == pytest.approx(rel.loc["professionele_ruimte", "alpha"])


def test_scale_summary_hidden_when_base_small(tiny_round):
    table = report.scale_summary(tiny_round, min_n=tiny_round.n + 1)
    assert table["suppressed"].all()
    assert table[["mean", "ci_low", "ci_high", "alpha", "omega"]].isna().all().all()


# -- likert ---------------------------------------------------------------------

def test_likert_table_equals_item_distribution(tiny_round):
    from peo_lib.stats.descriptives import item_distribution

    dist = report.likert_table(tiny_round)
    for item in tiny_round.codebook.items:
        mine = dist[dist["item"] == item].reset_index(drop=True)
        lib = item_distribution(tiny_round, item)
        assert list(mine["label"]) == list(lib["label"])
        if not mine["suppressed"].iloc[0]:
            np.testing.assert_allclose(mine["n"].to_numpy(float), lib["n"].to_numpy(float))
            np.testing.assert_allclose(mine["pct_rounded"].to_numpy(float), lib["pct_rounded"].to_numpy(float))
            answers = mine[mine["kind"] == "answer"]
            assert answers["pct_rounded"].sum() == pytest.approx(100)


def test_likert_table_hides_small_base(tiny_round):
    dist = report.likert_table(tiny_round, min_n=tiny_round.n + 1)
    assert dist["suppressed"].all() and dist["pct"].isna().all()


def test_likert_groups_skip_long_response_sets(demo_dir):
    from peo_lib import load_round

    rnd = load_round(demo_dir / "codebooks" / "2021-1.yml")
    groups = report.likert_groups(rnd)
    assert {g["block"] for g in groups} == set(rnd.codebook.blocks)
    grade = [g for g in groups if g["response_set"] == "cijfer10"]
    assert grade and not any(g["chart"] for g in grade)


# -- comparisons ------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_rounds(demo_dir):
    from peo_lib import load_round

    return {r: load_round(demo_dir / "codebooks" / f"{r}.yml") for r in ("2020-2", "2021-1")}


def test_experience_comparison_equals_compare_groups(demo_rounds):
    from peo_lib.stats.compare import compare_groups

    rnd = demo_rounds["2021-1"]
    mine = report.experience_comparison(rnd)
    lib = compare_groups(rnd, by="ervaringsgroep")
    assert list(mine["id"]) == list(lib["id"])
    assert set(mine["kind"]) == {"scale", "item"}
    assert len(mine) == len(rnd.codebook.scales) + len(rnd.codebook.items)
    for col in ("diff", "cohen_d", "rank_biserial", "p_adj"):
        np.testing.assert_allclose(mine[col].to_numpy(float), lib[col].to_numpy(float), equal_nan=True)
    assert mine["zin"].str.len().gt(20).all()


def test_experience_comparison_stricter_min_n(demo_rounds):
    rnd = demo_rounds["2021-1"]
    mine = report.experience_comparison(rnd, min_n=10_000)
    assert mine["suppressed"].all() and mine["p_adj"].isna().all()
    assert mine["zin"].str.startswith("Te weinig respondenten").all()
    assert mine[["n1", "n2"]].isna().all().all() or mine[["n1", "n2"]].notna().all().all()


def test_change_since_previous_equals_item_means(demo_rounds):
    from peo_lib.stats.descriptives import item_descriptives

    cur, prev = demo_rounds["2021-1"], demo_rounds["2020-2"]
    ch = report.change_since_previous(cur, prev)
    items = ch[ch["kind"] == "item"].set_index("id")
    assert set(items.index) <= set(cur.codebook.items_in_block("kern"))
    m_cur = item_descriptives(cur).set_index("item")["mean"]
    m_prev = item_descriptives(prev).set_index("item")["mean"]
    for item, row in items.iterrows():
        assert row["mean1"] == pytest.approx(m_cur[item])
        assert row["mean2"] == pytest.approx(m_prev[item])
        assert row["diff"] == pytest.approx(m_cur[item] - m_prev[item])
    assert (ch["group1"] == "2021-1").all() and (ch["group2"] == "2020-2").all()


def test_previous_round_id(demo_dir):
    assert report.previous_round_id("2021-1", data_dir=demo_dir) == "2020-2"
    assert report.previous_round_id("2020-2", data_dir=demo_dir) is None


# -- presentation -------------------------------------------------------------------

def test_report_sections_render_dutch_numbers(tiny_round, tmp_path):
    rep = report.RoundReport(tiny_round, out_dir=tmp_path)
    html = rep.scale_overview()._repr_html_()
    mean = rep.scales.set_index("scale").loc["professionele_ruimte", "mean"]
    assert f"{mean:.1f}".replace(".", ",") in html
    assert "." not in f"{mean:.1f}".replace(".", ",")
    overview = rep.response_overview()._repr_html_()
    assert "n&lt;5" in overview and "Westland" in overview


def test_save_tables_writes_suppressed_workbook(tiny_round, tmp_path):
    from openpyxl import load_workbook

    rep = report.RoundReport(tiny_round, out_dir=tmp_path)
    rep.save_tables()
    wb = load_workbook(tmp_path / "tabellen.xlsx")
    assert wb.sheetnames[0] == "Toelichting"
    assert {"Respons", "Schalen", "Antwoordverdeling", "Herkomst"} <= set(wb.sheetnames)
    ws = wb["Respons"]
    header = [c.value for c in ws[1]]
    assert header == ["Kenmerk (id)", "Kenmerk", "Categorie", "n", "%", "Onderdrukt"]  # Dutch, as in the HTML
    rows = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    westland = next(r for r in rows if r["Categorie"] == "Westland")
    assert westland["n"] is None and westland["%"] is None and westland["Onderdrukt"] == "n<5"
    den_haag = next(r for r in rows if r["Categorie"] == "Den Haag")
    n_dh = int((tiny_round.background["gemeente"] == "Den Haag").sum())
    assert den_haag["n"] == n_dh and den_haag["Onderdrukt"] is None
    assert den_haag["%"] == pytest.approx(n_dh / tiny_round.n)  # a fraction, shown as 0%
    ids = set(tiny_round.items.index)
    for sheet in wb.worksheets:  # no respondent id anywhere
        for row in sheet.iter_rows(values_only=True):
            assert not ids & {str(v) for v in row if v is not None}


def test_workbook_is_usable_for_researchers(tiny_round, tmp_path):
    """Numeric columns hold numbers only, with number formats; headers frozen and filtered; every sheet
    and column is explained in the Toelichting; open answers are counted."""
    from openpyxl import load_workbook

    from peo_lib.report.excel import NUMBER_FORMATS

    rep = report.RoundReport(tiny_round, out_dir=tmp_path)
    sheets = rep.excel_sheets()
    rep.save_tables()
    wb = load_workbook(tmp_path / "tabellen.xlsx")
    guide = [r for r in wb["Toelichting"].iter_rows(min_row=2, values_only=True)]
    explained = {(r[0], r[1]) for r in guide}
    for name, spec in sheets.items():
        ws = wb[name]
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref, name
        assert (name, "") in explained or (name, None) in explained, name
        header = [c.value for c in ws[1]]
        for col in spec.columns:
            if col.source not in spec.data.columns:
                continue
            assert (name, col.header) in explained, (name, col.header)
            j = header.index(col.header)
            fmt = NUMBER_FORMATS[col.fmt]
            for row in ws.iter_rows(min_row=2):
                cell = row[j]
                if fmt is None or cell.value is None:
                    continue
                assert isinstance(cell.value, (int, float)), (name, col.header, cell.value)
                assert cell.number_format == fmt, (name, col.header, cell.number_format)
        assert all(ws.column_dimensions[c].width >= 8 for c in "ABC"), name
    assert wb["Schalen"]["A1"].value == "Schaal (id)"
    means = [c.number_format for c in wb["Schalen"]["F"][1:]]
    assert means and set(means) == {"0.0"}
    answers = [dict(zip([c.value for c in wb["Open antwoorden"][1]], r))
               for r in wb["Open antwoorden"].iter_rows(min_row=2, values_only=True)]
    if answers:
        texts = [a["Antwoord"] for a in answers]
        assert len(texts) == len(set(texts))  # counted, not repeated
        assert sum(a["Aantal"] for a in answers) == len(rep.answers)


def test_provenance_fields(tiny_round):
    prov = report.provenance(tiny_round)
    assert prov["codeboek_sha256"] == tiny_round.codebook.sha256
    assert prov["ruwe_data_sha256"] == tiny_round.raw_sha256
    # (other fields may be added, e.g. the lock file's hash)
    assert {"ronde", "codeboek_sha256", "ruwe_data_sha256", "peo_lib", "git_commit", "tijd"} <= set(prov)


def test_git_commit_outside_a_repository(tmp_path):
    assert report.git_commit(tmp_path) == "onbekend"


# -- plots --------------------------------------------------------------------------------

def _likert_input():
    cats = ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"]
    table = pd.DataFrame({
        "label": ["Stelling een", "Stelling twee"],
        **{c: [10.0, 20.0] for c in cats[:4]}, "Helemaal eens": [60.0, 20.0],
        "Weet ik niet": [3.5, np.nan], "n": [40, 3], "suppressed": [False, True],
    })
    return table, cats


def test_likert_chart_draws_suppressed_rows_as_label():
    from peo_lib.report.plots import likert_chart

    table, cats = _likert_input()
    fig = likert_chart(table, categories=cats, missing_categories=["Weet ik niet"], small_label="n<5")
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "n<5" in texts
    assert "60%" in texts
    assert any(t.endswith("%") for t in texts)
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert all("." not in t for t in ticks)


def test_mean_ci_chart_uses_decimal_comma():
    from peo_lib.report.plots import figure_png, mean_ci_chart

    table = pd.DataFrame({"label": ["Schaal A", "Schaal B"], "mean": [3.25, 3.9], "ci_low": [3.1, 3.7],
                          "ci_high": [3.4, 4.1], "suppressed": [False, False]})
    fig = mean_ci_chart(table)
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert "2,5" in ticks and not any("." in t for t in ticks)
    assert "3,2" in [t.get_text() for t in fig.axes[0].texts]  # 3.25 -> 3,2 (half-even on binary)
    assert figure_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"


def test_figure_png_fixes_the_layout_without_changing_a_pixel():
    """figure_png lays a constrained figure out once and then fixes it (issue 17: savefig would lay it
    out again in a draw of its own): the PNG is the one plain savefig makes of the same figure, for a
    Likert chart, a mean chart and a trend chart; at another dpi savefig lays it out as before."""
    import io

    from peo_lib.report.plots import DPI, figure_png, likert_chart, mean_ci_chart
    from peo_lib.report.trend_plots import trend_chart

    table, cats = _likert_input()
    means = pd.DataFrame({"label": ["Schaal A", "Schaal B"], "mean": [3.25, 3.9], "ci_low": [3.1, 3.7],
                          "ci_high": [3.4, 4.1], "suppressed": [False, False]})
    trend = pd.DataFrame({"round": ["2020-2", "2021-1", "2021-2"], "mean": [3.1, 3.4, 3.3], "ci_low": [2.9, 3.2, 3.0],
                          "ci_high": [3.3, 3.6, 3.6], "series": [1, 1, 1], "suppressed": [False, False, True]})
    makers = [lambda: likert_chart(table, categories=cats, missing_categories=["Weet ik niet"], small_label="n<5"),
              lambda: mean_ci_chart(means), lambda: trend_chart(trend, title="Een schaal: gemiddelde per ronde")]
    for make in makers:
        for dpi in (DPI, 96):
            plain = io.BytesIO()
            make().savefig(plain, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
            fig = make()
            assert figure_png(fig, dpi=dpi) == plain.getvalue()
            fixed = type(fig.get_layout_engine()).__name__ == "PlaceHolderLayoutEngine"  # what "none" sets
            assert fixed == (dpi == DPI)


def test_trend_chart_ticks_are_what_their_labels_say():
    """The y ticks of a trend figure sit on tenths its one-decimal labels show exactly: with the axis
    running 2.25-4.0 (quarter limits, as on the demo rounds) matplotlib's default put ticks at 2.25 and
    2.75, printed as 2,2 and 2,8."""
    from peo_lib.formatting import format_nl
    from peo_lib.report.trend_plots import trend_chart

    raw = pd.DataFrame({"round": ["2020-2", "2021-1", "2021-2"], "mean": [2.77, 3.3, 3.52],
                        "ci_low": [2.48, 3.1, 3.3], "ci_high": [2.96, 3.5, 3.72], "series": [1, 1, 1],
                        "suppressed": [False, False, False]})
    fig = trend_chart(raw)
    fig.canvas.draw()
    ax = fig.axes[0]
    lo, hi = ax.get_ylim()
    assert (lo, hi) == (2.25, 4.0)
    ticks = [t for t in ax.get_yticks() if lo <= t <= hi]
    labels = [t.get_text() for t in ax.get_yticklabels() if lo <= t.get_position()[1] <= hi]
    assert len(ticks) >= 3
    assert all(abs(t * 10 - round(t * 10)) < 1e-9 for t in ticks), ticks
    assert labels == [format_nl(t, 1) for t in ticks]


def test_likert_colors_are_ordered():
    from peo_lib.report.plots import likert_colors

    cols = likert_colors(2, 1, 2)
    assert len(cols) == 5 and cols[2] == "#d9d9d9"
    with pytest.raises(ValueError, match="up to 4 categories per side"):
        likert_colors(5, 0, 5)


def test_check_offline_html_finds_urls():
    from peo_lib.publish.runner import check_offline_html

    assert check_offline_html('<img src="data:image/png;base64,AAA"><a href="#x">') == []
    assert check_offline_html('<script src="https://cdn.example/x.js"></script>')
    assert check_offline_html("<style>@import url('http://x/y.css');</style>")
    assert check_offline_html('<link href="//fonts.example/css">')
    assert check_offline_html("<div style=\"background: url(https://x/y.png)\">")


def test_audience_changes_detail_not_privacy(tiny_round):
    full = report.RoundReport(tiny_round).appendix()._repr_html_()
    partners = report.RoundReport(tiny_round, audience="aanbieders").appendix()._repr_html_()
    assert "McDonalds ω" in full and "McDonalds ω" not in partners
    ov_r = report.RoundReport(tiny_round).response_overview()._repr_html_()
    ov_p = report.RoundReport(tiny_round, audience="gemeenten").response_overview()._repr_html_()
    assert ov_r == ov_p


def test_main_text_is_plain_and_the_statistics_are_in_the_appendix(demo_rounds):
    """The comparison says "duidelijk" with the means; p (BH), d and r appear only in the appendix."""
    import re

    rep = report.RoundReport(demo_rounds["2021-1"], previous=demo_rounds["2020-2"])
    main = rep.comparison_tables()._repr_html_() + rep.change_section()._repr_html_()
    for word in ("p (BH)", "Cohens d", "rangbiserieel", "Welch", "Mann-Whitney", "significant"):
        assert word not in main, word
    assert "Duidelijk verschil?" in main and "Duidelijk veranderd?" in main
    assert re.search(r"Op (de andere|geen van de) \d+ stellingen verschillen starters en ervaren professionals", main)
    appendix = rep.appendix()._repr_html_()
    for word in ("p (BH)", "Cohens d", "r (rangbiserieel)", "Welch-t-toets", "Mann-Whitney-toets", "Cronbachs α",
                 "McDonalds ω"):
        assert word in appendix, word
    # a shown difference is the difference of the shown (rounded) means
    for row in re.findall(r"<tr>(.*?)</tr>", main):
        cells = re.findall(r'<td class="num">([^<]*)</td>', row)
        if len(cells) == 3 and "n&lt;" not in row:
            a, b, d = (float(c.replace(",", ".").replace("+", "")) for c in cells)
            assert round(a - b, 1) == pytest.approx(d) or round(b - a, 1) == pytest.approx(d), row


def test_frequency_items_are_not_called_agreement(demo_dir):
    from peo_lib import load_round

    rnd = load_round(demo_dir / "codebooks" / "2021-2.yml")  # WT05 "Hoe vaak ..." (vaak5)
    rep = report.RoundReport(rnd)
    html = rep.theme_section()._repr_html_()
    assert "% ‘vaak’ of ‘heel vaak’" in html
    prof = report.RoundReport(rnd, audience="professionals").mirror_statements()._repr_html_()
    assert "% ‘vaak’ of ‘heel vaak’" in prof and "% ‘nooit’ of ‘zelden’" in prof


def test_missing_previous_raw_file_is_said_in_dutch_without_a_path(demo_dir, tmp_path):
    import shutil
    import warnings

    import yaml

    from peo_lib.report.round import build_report

    shutil.copytree(demo_dir / "codebooks", tmp_path / "codebooks")
    shutil.copytree(demo_dir / "raw", tmp_path / "raw")
    prev = yaml.safe_load((tmp_path / "codebooks" / "2020-2.yml").read_text(encoding="utf-8"))
    (tmp_path / "raw" / prev["source"]["file"]).unlink()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rep = build_report("2021-1", data_dir=tmp_path)
    assert any("previous round 2020-2" in str(w.message) for w in caught)  # the reason, in English, for the log
    html = rep.change_section()._repr_html_()
    assert "niet beschikbaar" in html and "2020-2" in html
    assert str(tmp_path) not in html and "/" not in html.replace("</", "")
    assert [f.rule for f in rep.findings if f.rule in ("change", "no_change")] == []


def test_suppressed_rows_carry_no_number_in_the_workbook(tiny_round, tmp_path):
    from openpyxl import load_workbook

    rep = report.RoundReport(tiny_round, out_dir=tmp_path, min_n=tiny_round.n + 1)
    sheets = rep.excel_sheets()
    rep.save_tables()
    wb = load_workbook(tmp_path / "tabellen.xlsx")
    for name in ("Schalen", "Schalen per ervaring", "Antwoordverdeling", "Thema"):
        spec = sheets[name]
        ws = wb[name]
        header = [c.value for c in ws[1]]
        numeric = [header.index(c.header) for c in spec.columns
                   if c.source in spec.data.columns and c.fmt != "text" and not c.keep]
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        assert rows, name
        for row in rows:
            assert row[header.index("Onderdrukt")] == f"n<{tiny_round.n + 1}", (name, row)
            assert [row[j] for j in numeric] == [None] * len(numeric), (name, row)


def test_respondent_tables_say_when_a_few_left_a_question_open(tiny_round):
    """Fewer than min_n unknown are left out of a respondent table (response_overview), so its shares add
    up to less than 100%: the note below the tables names those questions, and only those."""
    from peo_lib.sentences import unknown_left_out_sentence

    bg = tiny_round.background
    for var in tiny_round.codebook.summary_variables():  # start from complete answers
        if isinstance(bg[var].dtype, pd.CategoricalDtype) and bg[var].isna().any():
            bg[var] = bg[var].fillna(bg[var].cat.categories[0])
    rep = report.RoundReport(tiny_round)
    assert "de vraag open" not in rep.response_overview()._repr_html_()

    var = next(v for v in tiny_round.codebook.summary_variables() if v in ("functie", "gemeente"))
    bg.loc[bg.index[:2], var] = np.nan  # two unknown, fewer than min_n = 5
    html = report.RoundReport(tiny_round).response_overview()._repr_html_()
    label = tiny_round.codebook.background_label(var)
    assert unknown_left_out_sentence([label], min_n=5) in html
    assert "Onbekend" not in html
