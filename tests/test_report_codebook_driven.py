"""The report follows the codebook, not the PEO's own assumptions (issue 11, points 5, 7, 8 and 9).

Each test writes the tiny round (``conftest.write_tiny_round``) and then changes its codebook the
way a researcher with another export would: a response set that runs from the positive end
(``positive: low``), a frequency set, a scale of two items, a background variable that is not
functie/organisatie/gemeente, the ``breakdowns`` of the panel summary and the ``survey`` texts.
Expected numbers are counted from the raw CSV with the csv module, not with peo_lib.
"""

from __future__ import annotations

import csv
import io

import pytest

from conftest import TINY_CODEBOOK, write_tiny_round

REVERSED_EENS5 = """\
  eens5:
    positive: low
    values: {1: Helemaal eens, 2: Eens, 3: Neutraal, 4: Oneens, 5: Helemaal oneens}
    missing: {8: Niet van toepassing, 9: Weet ik niet}
"""
ORIGINAL_EENS5 = """\
  eens5:
    values: {1: Helemaal oneens, 2: Oneens, 3: Neutraal, 4: Eens, 5: Helemaal eens}
    missing: {8: Niet van toepassing, 9: Weet ik niet}
"""


def _round(tmp_path, codebook: str):
    from peo_lib import load_round

    write_tiny_round(tmp_path)
    path = tmp_path / "codebooks" / "2099-1.yml"
    path.write_text(codebook, encoding="utf-8")
    return load_round(path)


def _raw_column(tmp_path, column: str) -> list[str]:
    text = (tmp_path / "raw" / "tiny.csv").read_bytes().decode("cp1252")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    j = rows[0].index(column)
    return [r[j] for r in rows[1:] if r]


def _agree_share(values) -> float:
    valid = [v for v in values if v in ("Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens")]
    return 100 * sum(v in ("Eens", "Helemaal eens") for v in valid) / len(valid)


# -- point 5: which end is positive, and the set's own words ---------------------------------

def test_positive_low_counts_the_two_positive_answers_and_orders_the_chart(tmp_path):
    from peo_lib.report import tables
    from peo_lib.stats.descriptives import item_descriptives

    assert ORIGINAL_EENS5 in TINY_CODEBOOK
    rnd = _round(tmp_path, TINY_CODEBOOK.replace(ORIGINAL_EENS5, REVERSED_EENS5))
    rs = rnd.codebook.response_sets["eens5"]
    assert rs.top_codes(2) == [2, 1]
    assert rs.ordered_labels == ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"]
    desc = item_descriptives(rnd, items=["PR01"]).iloc[0]
    assert desc["top2_pct"] == pytest.approx(_agree_share(_raw_column(tmp_path, "Q5_1")))
    # the diverging chart runs from the negative end (left) to the positive end (right)
    _, cats, _ = tables._likert_wide(tables.likert_table(rnd), rnd, ["PR01", "PR02"])
    assert cats == ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"]
    shares = tables.likert_table(rnd, items=["PR01"])
    agree = shares[shares["label"].isin(["Eens", "Helemaal eens"])]["pct"].sum()
    assert agree == pytest.approx(desc["top2_pct"])


def test_positive_is_validated_and_part_of_the_set_signature():
    from peo_lib.data.codebook import parse_codebook
    from peo_lib.errors import CodebookError
    import yaml

    data = yaml.safe_load(TINY_CODEBOOK.replace(ORIGINAL_EENS5, REVERSED_EENS5))
    cb = parse_codebook(data)
    assert cb.response_sets["eens5"].positive == "low"
    high = parse_codebook(yaml.safe_load(TINY_CODEBOOK)).response_sets["eens5"]
    assert high.positive == "high" and high.top_codes(2) == [4, 5]
    flipped = high.model_copy(update={"positive": "low"})
    assert flipped.signature() != high.signature()  # a trend must not join two directions silently
    data["response_sets"]["eens5"]["positive"] = "first"
    with pytest.raises(CodebookError, match=r"response_sets\.eens5\.positive"):
        parse_codebook(data)


def test_scale_sentence_and_headers_use_the_sets_own_range_and_labels(tmp_path):
    from peo_lib.report.round import RoundReport

    freq = ("  freq5:\n    values: {1: Nooit, 2: Zelden, 3: Soms, 4: Vaak, 5: Heel vaak}\n")
    cb = TINY_CODEBOOK.replace(ORIGINAL_EENS5, REVERSED_EENS5 + freq)
    cb = cb.replace("response_set: eens5, block: werkdruk", "response_set: freq5, block: werkdruk")
    rep = RoundReport(_round(tmp_path, cb))
    note = rep.scale_overview().text()
    assert "Schaalscores lopen van 1 (helemaal eens) tot 5 (helemaal oneens)" in note
    assert "(helemaal oneens) tot 5 (helemaal eens)" not in note
    theme = rep.theme_section()._repr_html_()
    assert "% ‘vaak’ of ‘heel vaak’" in theme and "(helemaal) eens" not in theme
    valid = [int(v) for v in _raw_column(tmp_path, "Q9_1") if v.strip()]
    top2 = rep.theme.set_index("item").loc["WD01", "top2_pct"]
    assert top2 == pytest.approx(100 * sum(v >= 4 for v in valid) / len(valid))


def test_likert_axis_text_comes_from_the_labels(tmp_path, monkeypatch):
    from peo_lib.report import plots
    from peo_lib.report.round import RoundReport

    freq = ("  freq5:\n    values: {1: Nooit, 2: Zelden, 3: Soms, 4: Vaak, 5: Heel vaak}\n")
    cb = TINY_CODEBOOK.replace(ORIGINAL_EENS5, ORIGINAL_EENS5 + freq)
    cb = cb.replace("response_set: eens5, block: werkdruk", "response_set: freq5, block: werkdruk")
    rep = RoundReport(_round(tmp_path, cb))
    seen = []
    real = plots.likert_chart

    def spy(*args, **kwargs):
        fig = real(*args, **kwargs)
        seen.append(fig.axes[0].get_xlabel())
        return fig

    monkeypatch.setattr(plots, "likert_chart", spy)
    rep.likert_figures("werkdruk")
    rep.likert_figures("kern")
    assert seen == ["% van de geldige antwoorden (links ‘nooit’ of ‘zelden’, rechts ‘vaak’ of ‘heel vaak’)",
                    "% van de geldige antwoorden (links (helemaal) oneens, rechts (helemaal) eens)"]


# -- point 7: an omega that cannot be estimated is a dash with a reason, not n<5 -------------------

def test_omega_of_two_items_is_a_dash_with_a_footnote_in_html_and_xlsx(tmp_path):
    from openpyxl import load_workbook

    from peo_lib.report.round import RoundReport

    cb = TINY_CODEBOOK.replace("""    min_valid: 3
""", """    min_valid: 3
  twee:
    label: Twee stellingen
    items: [PR01, PR02]
    min_valid: 2
""")
    rep = RoundReport(_round(tmp_path, cb), out_dir=tmp_path / "out")
    row = rep.scales.set_index("scale").loc["twee"]
    assert not row["suppressed"] and row["omega"] != row["omega"]  # shown scale, omega NaN
    html = rep.appendix()._repr_html_()
    table = html[html.index("Betrouwbaarheid van de schalen"):]
    table = table[:table.index("</table>")]
    assert "Twee stellingen" in table and "–*" in table
    assert "n&lt;5" not in table
    assert "‘Twee stellingen’: ω niet te schatten: minder dan drie stellingen" in html
    rep.save_tables()
    ws = load_workbook(tmp_path / "out" / "tabellen.xlsx")["Schalen"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    two = next(r for r in rows if r["Schaal (id)"] == "twee")
    assert two["McDonalds ω"] is None and two["Onderdrukt"] is None
    assert "minder dan drie stellingen" in two["Toelichting betrouwbaarheid"]
    # the random answers of the tiny round give the four-item scale an improper (Heywood) solution
    four = next(r for r in rows if r["Schaal (id)"] == "professionele_ruimte")
    assert four["McDonalds ω"] is None and four["Onderdrukt"] is None
    assert "Heywood" in four["Toelichting betrouwbaarheid"]
    assert isinstance(four["Cronbachs α"], float)
    assert "‘Ervaren professionele ruimte’: ω niet te schatten: het model geeft een onmogelijke oplossing" in html


# -- point 8: every background variable, and the codebook's choice for the summary -----------------

ROLE_CODEBOOK = TINY_CODEBOOK.replace(
    "  functie: {column: Q3, values: {1: Jeugdhulpverlener, 2: Gedragswetenschapper, 3: Teamleider, 4: Anders}}",
    "  rol: {column: Q3, label: Rol in het team, values: {1: Uitvoerend, 2: Adviserend, 3: Leidinggevend, 4: Anders}}")


def test_every_background_variable_is_in_respons_and_breakdowns_choose_the_summary(tmp_path):
    from openpyxl import load_workbook

    from peo_lib.report.round import RoundReport

    assert ROLE_CODEBOOK != TINY_CODEBOOK
    cb = ROLE_CODEBOOK.replace("starter_max_years: 2\n", "starter_max_years: 2\nbreakdowns: [gemeente, rol]\n")
    rnd = _round(tmp_path, cb)
    rep = RoundReport(rnd, out_dir=tmp_path / "out")
    q3 = _raw_column(tmp_path, "Q3")
    html = rep.response_overview()._repr_html_()
    assert "Rol in het team" in html and "Leidinggevend" in html
    assert "Startend (≤" not in html  # ervaringsgroep is not in this codebook's breakdowns
    assert html.index("Respondenten naar gemeente") < html.index("Respondenten naar rol in het team")
    assert rep.intro("respons").text == "Het aantal respondenten per gemeente en rol in het team."
    rep.save_tables()
    wb = load_workbook(tmp_path / "out" / "tabellen.xlsx")
    header = [c.value for c in wb["Respons"][1]]
    rows = [dict(zip(header, [c.value for c in r])) for r in wb["Respons"].iter_rows(min_row=2)]
    lead = next(r for r in rows if r["Kenmerk (id)"] == "rol" and r["Categorie"] == "Leidinggevend")
    assert lead["Kenmerk"] == "Rol in het team" and lead["n"] == q3.count("3")
    assert {r["Kenmerk (id)"] for r in rows} == {"rol", "gemeente", "ervaringsgroep"}  # xlsx: all of them
    # the scale means per group of a variable, with the small gemeente suppressed
    by = wb["Schalen per kenmerk"]
    header = [c.value for c in by[1]]
    rows = [dict(zip(header, [c.value for c in r])) for r in by.iter_rows(min_row=2)]
    westland = next(r for r in rows if r["Kenmerk (id)"] == "gemeente" and r["Groep"] == "Westland")
    assert westland["Gemiddelde"] is None and westland["Onderdrukt"] == "n<5"
    section = rep.breakdown_scales()._repr_html_()
    assert "Naar rol in het team" in section and "Naar gemeente" in section


def test_breakdowns_must_name_categorical_background_variables():
    import yaml

    from peo_lib.data.codebook import parse_codebook
    from peo_lib.errors import CodebookError

    data = yaml.safe_load(ROLE_CODEBOOK)
    assert parse_codebook(data).summary_variables() == ["rol", "gemeente", "ervaringsgroep"]
    data["breakdowns"] = ["gemeente", "ervaring_jaren"]
    with pytest.raises(CodebookError, match=r"breakdowns\.1: 'ervaring_jaren' is not a categorical"):
        parse_codebook(data)


# -- point 9: texts from the codebook ----------------------------------------------------------------

def test_intro_and_title_come_from_the_codebooks_survey(tmp_path):
    from peo_lib.report.round import RoundReport

    cb = TINY_CODEBOOK.replace('title: Testronde\n', 'title: Testronde\nsurvey: {name: Docentenpanel, population: '
                               'docenten in Utrecht, subject: null, respondents: docenten}\n')
    cb = cb.replace("privacy: {min_n: 5,", "privacy: {min_n: 7,").replace("starter_max_years: 2", "starter_max_years: 3")
    rep = RoundReport(_round(tmp_path, cb))
    intro = rep.intro("samenvatting").text
    assert intro.startswith("Deze samenvatting beschrijft één ronde van het Docentenpanel onder docenten in Utrecht.")
    assert "minder dan 7 respondenten" in intro and "n<7" in intro
    for key in ("samenvatting", "antwoorden", "vergelijking", "professionals"):  # not the PEO audiences' own names
        assert "Haaglanden" not in rep.intro(key).text and "jeugd" not in rep.intro(key).text
    assert "hoogstens 3 jaar werkervaring" in rep.intro("vergelijking").text
    assert "40 docenten vulden de vragenlijst in." in rep.title().text()
    used = rep.intro("antwoorden").text
    assert "‘Weet ik niet’ telt niet mee" in used and "Niet van toepassing" not in used  # only the reasons used


def test_organisations_are_shown_whole_or_not_at_all_per_scale(tmp_path):
    """A small organisation hides the whole scale's row of organisations (no partial tables to compare)."""
    from peo_lib.report.round import RoundReport

    cb = TINY_CODEBOOK.replace("  gemeente: {column: Q4,", "  organisatie: {column: Q4,")
    rep = RoundReport(_round(tmp_path, cb))
    org = rep.scales_by_variable
    org = org[org["variable"] == "organisatie"]
    assert len(org) == 4 and org["suppressed"].all() and org["mean"].isna().all()  # Westland: 2 respondents
    html = rep.breakdown_scales()._repr_html_()
    assert "Naar organisatie" in html and html.count("n&lt;5") >= 4


# -- point 10: multiple-response questions -----------------------------------------------------------

MR_CODEBOOK = """\
round: "2099-2"
title: Meer antwoorden
theme: steun
source: {file: mr.csv, format: csv}
privacy: {min_n: 5, min_n_open: 10, redact_terms: []}
response_sets:
  eens5:
    values: {1: Helemaal oneens, 2: Oneens, 3: Neutraal, 4: Eens, 5: Helemaal eens}
items:
  PR01: {column: Q1, text: Ik heb ruimte., response_set: eens5, block: kern}
multiple_response:
  STEUN:
    text: Welke steun gebruikt u?
    column: Q7
    values: {1: Intervisie, 2: Supervisie, 3: Training}
  KANAAL:
    text: Hoe hoorde u van deze vragenlijst?
    block: steun
    options: {Q8_1: E-mail, Q8_2: Teamleider}
"""
#: (Q1, Q7, Q8_1, Q8_2): Q7 one column with the ticked codes or labels; Q8 one Y/blank column per option,
#: answered by 3 respondents only (under min_n = 5).
MR_ROWS = [("4", "1,3", "Y", ""), ("5", "1", "", "Y"), ("2", "2", "", ""), ("3", "", "", ""), ("4", "Training", "Y", "Y"),
           ("1", "1, 2", "", ""), ("4", "3", "", ""), ("5", "", "", "")]


def _mr_round(tmp_path, rows=MR_ROWS):
    from peo_lib import load_round

    (tmp_path / "codebooks").mkdir(exist_ok=True)
    (tmp_path / "raw").mkdir(exist_ok=True)
    (tmp_path / "codebooks" / "2099-2.yml").write_text(MR_CODEBOOK, encoding="utf-8")
    lines = ["Q1;Q7;Q8_1;Q8_2"] + [";".join(r) for r in rows]
    (tmp_path / "raw" / "mr.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_round(tmp_path / "codebooks" / "2099-2.yml")


def test_multiple_response_percent_of_who_saw_it_with_suppression(tmp_path):
    from openpyxl import load_workbook

    from peo_lib.report.round import RoundReport

    rnd = _mr_round(tmp_path)
    steun = rnd.multiple_response["STEUN"]
    assert list(steun.columns) == ["Intervisie", "Supervisie", "Training"]
    assert int(steun.notna().all(axis=1).sum()) == 6  # two respondents left Q7 blank
    rep = RoundReport(rnd, out_dir=tmp_path / "out")
    tab = rep.multiple.set_index(["question", "option"])
    assert tab.loc[("STEUN", "Intervisie"), "base"] == 6
    assert tab.loc[("STEUN", "Intervisie"), "pct"] == pytest.approx(100 * 3 / 6)  # "1,3", "1", "1, 2"
    assert tab.loc[("STEUN", "Training"), "pct"] == pytest.approx(100 * 3 / 6)  # "1,3", "Training", "3"
    assert tab.loc[("KANAAL", "E-mail"), "suppressed"] and tab.loc[("KANAAL", "E-mail"), "n"] != \
        tab.loc[("KANAAL", "E-mail"), "n"]  # 3 saw it: hidden
    html = rep.multiple_response_section()._repr_html_()
    assert "Welke steun gebruikt u?" in html and "50%" in html and "n&lt;5" in html
    assert "Hoe hoorde u van deze vragenlijst? (basis: n&lt;5 respondenten)" in html
    rep.save_tables()
    ws = load_workbook(tmp_path / "out" / "tabellen.xlsx")["Meer antwoorden"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    email = next(r for r in rows if r["Antwoord"] == "E-mail")
    assert email["n"] is None and email["%"] is None and email["Basis"] is None and email["Onderdrukt"] == "n<5"
    training = next(r for r in rows if r["Antwoord"] == "Training")
    assert training["Basis"] == 6 and training["%"] == pytest.approx(0.5)


def test_multiple_response_refuses_unknown_values_and_bad_declarations(tmp_path):
    import yaml

    from peo_lib.data.codebook import parse_codebook
    from peo_lib.errors import CodebookError, RawDataError

    with pytest.raises(RawDataError, match=r"column 'Q7', row 3.*not an option.*value '4'"):
        _mr_round(tmp_path, rows=[("4", "1", "", ""), ("4", "1,4", "", "")])
    data = yaml.safe_load(MR_CODEBOOK)
    data["multiple_response"]["STEUN"]["options"] = {"Q9": "X"}
    with pytest.raises(CodebookError, match=r"multiple_response\.STEUN: .*either `options`"):
        parse_codebook(data)
    data = yaml.safe_load(MR_CODEBOOK)
    data["multiple_response"]["KANAAL"]["options"] = {"Q1": "E-mail"}
    with pytest.raises(CodebookError, match=r"column 'Q1' is also used by items\.PR01"):
        parse_codebook(data)


def test_a_round_without_multiple_response_questions_has_no_such_section(tiny_round):
    from peo_lib.report.round import RoundReport

    rep = RoundReport(tiny_round)
    assert rep.multiple.empty
    assert "Vragen met meer antwoorden" not in rep.multiple_response_section()._repr_html_()
    assert "Meer antwoorden" not in rep.excel_sheets()


# -- point 10: grid (matrix) questions ---------------------------------------------------------------

def test_a_grid_gets_one_likert_chart_titled_with_its_question(tmp_path, monkeypatch):
    import yaml

    from peo_lib.data.codebook import parse_codebook
    from peo_lib.errors import CodebookError
    from peo_lib.report import plots, tables
    from peo_lib.report.round import RoundReport

    cb = TINY_CODEBOOK.replace("scales:\n", "grids:\n  RUIMTE:\n    text: Hoe ervaart u uw ruimte?\n"
                               "    items: [PR01, PR02, PR03]\nscales:\n", 1)
    rnd = _round(tmp_path, cb)
    kern = [g for g in tables.likert_groups(rnd) if g["block"] == "kern"]
    assert [(g["items"], g["title"]) for g in kern] == [(["PR01", "PR02", "PR03"], "Hoe ervaart u uw ruimte?"),
                                                        (["PR04"], None)]
    titles = []
    real = plots.likert_chart
    monkeypatch.setattr(plots, "likert_chart", lambda *a, **k: titles.append(k["title"]) or real(*a, **k))
    RoundReport(rnd).likert_figures("kern")
    assert titles == ["Hoe ervaart u uw ruimte?", "Kernvragen: verdeling van de antwoorden"]
    data = yaml.safe_load(cb)
    data["grids"]["RUIMTE"]["items"] = ["PR01", "WD01"]
    with pytest.raises(CodebookError, match=r"grids\.RUIMTE\.items: a grid's items need one response set and one block"):
        parse_codebook(data)
