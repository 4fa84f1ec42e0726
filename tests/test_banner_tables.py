"""Banner tables laid out for reading: wide table, xlsx sheets and the appendix section.

The numbers themselves (letters, weighted percentages) are checked against R in
tests/test_crosstab.py; here: the layout keeps exactly those numbers, hides what the
tidy table hides, and the xlsx holds numbers (not text) in its percentage columns.
"""

from __future__ import annotations

import math

import pytest


@pytest.fixture(scope="module")
def demo_round(demo_dir):
    from peo_lib import load_round
    from peo_lib.paths import codebook_path, raw_dir

    return load_round(codebook_path("2021-1", demo_dir), raw_dir(demo_dir))


def test_wide_banner_keeps_the_tidy_numbers_and_hides_small_groups(demo_round):
    from peo_lib.report.banner_tables import LETTERS_HEADER, banner_wide
    from peo_lib.stats.crosstab import banner

    items = demo_round.codebook.items_in_block("kern")  # the planted starters effect gives letters
    tidy = banner(demo_round, items=items, by=["ervaringsgroep", "gemeente"], min_n=12)
    wide = banner_wide(tidy, demo_round)
    assert tidy["suppressed"].any(), "the fixture should have a municipality under min_n=12"
    checked = 0
    for rec in tidy.itertuples(index=False):
        text = f"{demo_round.codebook.items[rec.item].text} ({rec.item})"
        label = "Ervaring" if rec.by == "ervaringsgroep" else "Gemeente"
        group = {"startend": "Startend", "ervaren": "Ervaren"}.get(rec.group, rec.group)
        col = (label, f"{group} ({rec.letter})")
        shown = wide.loc[(text, rec.category), (*col, "%")]
        if rec.suppressed:
            assert math.isnan(shown) and wide.loc[(text, rec.category), (*col, LETTERS_HEADER)] == ""
            assert math.isnan(wide.loc[(text, "n"), (*col, "%")])
        else:
            assert shown == pytest.approx(rec.pct)
            assert wide.loc[(text, rec.category), (*col, LETTERS_HEADER)] == rec.letters
            assert wide.loc[(text, "n"), (*col, "%")] == rec.base
        checked += 1
    assert checked == len(tidy)
    assert (tidy["letters"] != "").any(), "some column difference should be significant in the demo"


def test_banner_sheets_in_xlsx_hold_numbers_with_formats_and_a_legend(demo_round, tmp_path):
    import openpyxl

    from peo_lib.report.banner_tables import write_banner_sheets

    wb = openpyxl.Workbook()
    titles = write_banner_sheets(wb, demo_round)
    assert titles == ["Kruistabel kernvragen", "Kruistabel regels_en_eisen"]
    wb.save(tmp_path / "b.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "b.xlsx")["Kruistabel kernvragen"]
    assert ws["A1"].value.startswith("Percentages van de kolom")
    header = [c.value for c in ws[5]]  # the %/Sig. row under the two header rows
    pct_cols = [j for j, v in enumerate(header, start=1) if v == "%"]
    assert pct_cols and all(header[j] == "Sig." for j in pct_cols)  # letters right of each %
    numbers = 0
    for row in ws.iter_rows(min_row=6):
        answer = row[1].value
        for j in pct_cols:
            cell = row[j - 1]
            if cell.value is None:
                continue
            assert isinstance(cell.value, (int, float)), (cell.coordinate, cell.value)
            assert cell.number_format == ("0" if answer == "n" else "0%")
            if answer != "n":
                assert 0 <= cell.value <= 1
            numbers += 1
        for j in pct_cols:
            letters = row[j].value
            assert letters is None or (isinstance(letters, str) and letters.isalpha() and letters.isupper())
    assert numbers > 100
    assert ws.freeze_panes == "C6"


def test_banner_section_is_an_accessible_table(demo_round):
    from peo_lib.report.banner_tables import banner_section
    from peo_lib.report.render_html import render_html

    html = render_html(banner_section(demo_round, min_n=12))
    assert html.count("<table") == 2 and html.count("<caption>") == 2
    assert 'scope="colgroup"' in html and 'scope="row"' in html
    assert "minder dan 12 respondenten" in html
    assert "<td>–</td>" in html  # a hidden municipality column


def test_the_round_report_carries_the_banners_in_xlsx_and_appendix(demo_round, tmp_path):
    """RoundReport.save_tables adds a banner sheet per block before Herkomst (explained in the
    Toelichting); an audience workbook has none; banners() is the appendix section."""
    import openpyxl

    from peo_lib.report import RoundReport
    from peo_lib.report.render_html import render_html

    rep = RoundReport(demo_round, out_dir=tmp_path / "panel")
    note = rep.save_tables()
    wb = openpyxl.load_workbook(tmp_path / "panel" / "tabellen.xlsx")
    names = wb.sheetnames
    assert names[0] == "Toelichting" and names[-1] == "Herkomst"
    assert {"Kruistabel kernvragen", "Kruistabel regels_en_eisen"} <= set(names)
    assert "Kruistabel kernvragen" in note.text
    explained = {r[0] for r in wb["Toelichting"].iter_rows(min_row=2, values_only=True)}
    assert "Kruistabel kernvragen" in explained
    html = render_html(rep.banners())
    assert "Kruistabellen" in html and html.count("<table") == 2

    aud = RoundReport(demo_round, out_dir=tmp_path / "aud", audience="gemeenten")
    aud.save_tables()
    assert not [n for n in openpyxl.load_workbook(tmp_path / "aud" / "tabellen.xlsx").sheetnames
                if n.startswith("Kruistabel")]
