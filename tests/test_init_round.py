"""Tests of peo_lib.data.init_round: drafts from a .sav and Qualtrics exports of the demo rounds."""

from __future__ import annotations

import shutil

import numpy as np

import pytest
import yaml

from peo_lib.data.codebook import read_codebook
from peo_lib.errors import CodebookError
from peo_lib.data.init_round import MARKER, draft_codebook, init_round, similarity
from peo_lib.data.rounds import load_round


def _confirm(text: str) -> str:
    """What a researcher does after checking: drop the CONTROLEER comment lines."""
    return "\n".join(line for line in text.splitlines() if MARKER not in line) + "\n"


def _check_draft(tmp_path, demo_dir, round_id, raw_name, like_id):
    like = read_codebook(demo_dir / "codebooks" / f"{like_id}.yml")
    text, notes = draft_codebook(round_id, demo_dir / "raw" / raw_name, like=like)
    (tmp_path / "codebooks").mkdir(exist_ok=True)
    path = tmp_path / "codebooks" / f"{round_id}.yml"
    path.write_text(_confirm(text), encoding="utf-8")
    cb = read_codebook(path)
    rnd = load_round(cb, raw_dir=demo_dir / "raw")
    real = read_codebook(demo_dir / "codebooks" / f"{round_id}.yml")
    core = [i for i, it in real.items.items() if it.block == "kern"]
    for item_id in core:  # every core item found under its stable id and right column
        assert cb.items[item_id].column == real.items[item_id].column, item_id
        assert cb.items[item_id].text == real.items[item_id].text
        assert cb.items[item_id].block == "kern"
        assert cb.response_set_of(item_id).signature() == real.response_set_of(item_id).signature()
    assert {k: v.column for k, v in cb.background.items()} == {k: v.column for k, v in real.background.items()}
    assert cb.background["functie"].values == real.background["functie"].values
    assert cb.respondent_id == real.respondent_id
    assert set(cb.scales) == {"professionele_ruimte", "werkplezier", "intentie_om_te_blijven",
                              "regels_en_eisen", "ervaren_werkdruk"}
    assert cb.scales["professionele_ruimte"].reverse == ["PR05"]
    assert rnd.n > 150 and (rnd.background["ervaringsgroep"].notna().mean() > 0.9)
    # exact matches are not marked; new theme questions are
    item_lines = [line for line in text.splitlines() if line.startswith("  ") and MARKER in line]
    assert all("nieuwe vraag" in line for line in item_lines if "gekoppeld op tekst" not in line
               and "achtergrondvariabele" not in line and "open vraag" not in line and "ontbreken" not in line)
    return text, notes, cb


def test_draft_from_spss_sav_matches_core_items(tmp_path, demo_dir):
    text, notes, cb = _check_draft(tmp_path, demo_dir, "2021-2", "peo_2021-2.sav", "2021-1")
    # response sets come from the value labels; the 0-10 grade with labelled end points is filled in
    assert cb.response_sets["eens5"].missing == {8: "Niet van toepassing", 9: "Weet ik niet"}
    assert cb.response_set_of("TV01").values[7] == "7"
    assert cb.response_set_of("TV01").missing == {99: "Weet ik niet"}
    theme_items = cb.items_in_block(cb.theme)
    assert theme_items == ["NIEUW01", "NIEUW02", "NIEUW03", "NIEUW04", "NIEUW05"]
    assert cb.response_set_of("NIEUW05").values == {1: "Nooit", 2: "Zelden", 3: "Soms", 4: "Vaak", 5: "Heel vaak"}
    assert any("NIEUW01" in n and MARKER in n for n in notes)


def test_draft_from_qualtrics_choice_text(tmp_path, demo_dir):
    text, notes, cb = _check_draft(tmp_path, demo_dir, "2023-1", "PEO_voorjaar_2023_Qualtrics.csv", "2022-2")
    assert cb.fieldwork.start.isoformat() == "2023-03-01"
    assert cb.source.file == "PEO_voorjaar_2023_Qualtrics.csv"
    assert "StartDate" not in {it.column for it in cb.items.values()}
    assert cb.open_questions["OPEN01"].column == "QID40_TEXT"
    assert any("metadatakolommen niet opgenomen" in n for n in notes)


def test_draft_from_qualtrics_numeric_takes_sets_from_like(tmp_path, demo_dir):
    text, notes, cb = _check_draft(tmp_path, demo_dir, "2022-1", "PEO_voorjaar_2022_Qualtrics.csv", "2021-2")
    assert any(n.startswith("antwoordcodes zonder labels") for n in notes)


@pytest.fixture
def reworded_sav(tmp_path, demo_dir):
    """The demo's 2021-2 .sav with PR03 reworded a little and PR04 replaced by another question."""
    import pyreadstat

    df, meta = pyreadstat.read_sav(str(demo_dir / "raw" / "peo_2021-2.sav"), user_missing=True)
    labels = dict(zip(meta.column_names, meta.column_labels))
    stem = "Hoe (on)eens ben je het met de volgende stellingen? - "
    labels["ruimte_3"] = stem + "Mijn leidinggevende vertrouwt op mijn vakmanschap."
    labels["ruimte_4"] = stem + "Ik volg graag een cursus over gespreksvoering."
    (tmp_path / "raw").mkdir()
    out = tmp_path / "raw" / "peo_2023-2.sav"
    pyreadstat.write_sav(df, str(out), column_labels=labels, variable_value_labels=meta.variable_value_labels,
                         missing_ranges=meta.missing_ranges)
    return out


def test_uncertain_matches_are_marked(tmp_path, demo_dir, reworded_sav):
    like = demo_dir / "codebooks" / "2021-2.yml"
    text, notes = draft_codebook("2023-2", reworded_sav, like=like)
    lines = text.splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith("  PR03:"))
    assert lines[k - 1].startswith(f"  # {MARKER}: PR03 gekoppeld op tekst (gelijkenis 0,")
    assert "Mijn organisatie vertrouwt op mijn vakmanschap." in lines[k - 1]
    assert "Mijn leidinggevende vertrouwt" in lines[k]
    assert not any(line.startswith("  PR04:") for line in lines)           # too different: not matched
    assert any(f"{MARKER} NIEUW" in n and "ruimte_4" in n for n in notes)
    assert any("PR03" in n and "gelijkenis" in n for n in notes)
    assert any("kernvragen van 2021-2 niet gevonden: PR04" in n for n in notes)
    assert any(line.startswith(f"  # {MARKER}: items ontbreken: PR04") for line in lines)
    # still a valid codebook as drafted (comments only), and after confirming
    cb = yaml.safe_load(text)
    assert cb["items"]["PR03"]["column"] == "ruimte_3"
    (tmp_path / "codebooks").mkdir()
    path = tmp_path / "codebooks" / "2023-2.yml"
    path.write_text(_confirm(text), encoding="utf-8")
    rnd = load_round(path)
    assert rnd.codebook.scales["professionele_ruimte"].items == ["PR01", "PR02", "PR03", "PR05"]


def test_similarity_is_difflib_ratio_on_normalised_labels():
    assert similarity("  Ik heb  Plezier in mijn werk.", "ik heb plezier in mijn werk.") == 1.0
    assert 0.6 < similarity("Mijn organisatie vertrouwt op mijn vakmanschap.",
                            "Mijn leidinggevende vertrouwt op mijn vakmanschap.") < 0.9


def test_draft_without_like_validates(tmp_path, demo_dir):
    text, notes = draft_codebook("2021-2", demo_dir / "raw" / "peo_2021-2.sav")
    (tmp_path / "codebooks").mkdir()
    path = tmp_path / "codebooks" / "2021-2.yml"
    path.write_text(text, encoding="utf-8")
    rnd = load_round(path, raw_dir=demo_dir / "raw")
    assert "RUIMTE_1" in rnd.items.columns and rnd.codebook.items["RUIMTE_1"].block == "kern"


def test_init_round_writes_and_refuses_to_overwrite(tmp_path, demo_dir):
    (tmp_path / "codebooks").mkdir()
    (tmp_path / "raw").mkdir()
    shutil.copy(demo_dir / "codebooks" / "2022-2.yml", tmp_path / "codebooks" / "2022-2.yml")
    shutil.copy(demo_dir / "raw" / "PEO_voorjaar_2023_Qualtrics.csv", tmp_path / "raw")
    result = init_round("2023-1", raw="PEO_voorjaar_2023_Qualtrics.csv", like="2022-2", data_dir=tmp_path)
    assert result.path == tmp_path / "codebooks" / "2023-1.yml"
    assert read_codebook(result.path).items["PR01"].column == "QID31_1"
    with pytest.raises(CodebookError, match="exists already; use --force"):
        init_round("2023-1", raw="PEO_voorjaar_2023_Qualtrics.csv", like="2022-2", data_dir=tmp_path)
    init_round("2023-1", raw="PEO_voorjaar_2023_Qualtrics.csv", like="2022-2", data_dir=tmp_path, force=True)
    with pytest.raises(CodebookError, match="codebook of the previous round not found"):
        init_round("2023-2", raw="PEO_voorjaar_2023_Qualtrics.csv", like="2019-1", data_dir=tmp_path)


@pytest.mark.parametrize("kwargs, match", [
    (dict(round_id="2023-3"), r"round_id='2023-3' is not a round id"),
    (dict(round_id="2023-2", accept=0.95), r"accept=0.95, certain=0.9"),
])
def test_argument_errors(demo_dir, kwargs, match):
    rid = kwargs.pop("round_id")
    with pytest.raises(ValueError, match=match):
        draft_codebook(rid, demo_dir / "raw" / "peo_2021-2.sav", **kwargs)


# -- errors through the CLI: one line on stderr, non-zero exit, never a traceback --------

@pytest.fixture
def cli_data_dir(tmp_path, demo_dir):
    """A data dir with the codebook of 2022-2 and its successor's export, plus bad exports."""
    (tmp_path / "codebooks").mkdir()
    (tmp_path / "raw").mkdir()
    shutil.copy(demo_dir / "codebooks" / "2022-2.yml", tmp_path / "codebooks" / "2022-2.yml")
    shutil.copy(demo_dir / "raw" / "PEO_voorjaar_2023_Qualtrics.csv", tmp_path / "raw")
    (tmp_path / "raw" / "tekst.sav").write_text("dit is geen SPSS-bestand\n", encoding="utf-8")
    (tmp_path / "raw" / "leeg.csv").write_bytes(b"")
    (tmp_path / "raw" / "export.json").write_text('{"a": 1}\n', encoding="utf-8")
    (tmp_path / "raw" / "map.csv").mkdir()
    (tmp_path / "kapot.yml").write_text('round: "2022-2"\ntitle: 3\n', encoding="utf-8")
    return tmp_path


def _init_round_cli(capsys, data_dir, *args):
    from peo_lib.cli import main

    capsys.readouterr()
    code = main(["init-round", *args, "--data-dir", str(data_dir)])
    return code, capsys.readouterr().err


QUALTRICS_2023 = "PEO_voorjaar_2023_Qualtrics.csv"


@pytest.mark.parametrize("args, expected", [
    (["2023-3", "--raw", "tekst.sav"], ["ROUND '2023-3' is not a round id", "YYYY-1", "YYYY-2"]),
    (["2023-1", "--raw", "bestaat_niet.sav"], ["bestaat_niet.sav: export not found", "put the file in"]),
    (["2023-1", "--raw", "/nergens/bestaat_niet.sav"], ["/nergens/bestaat_niet.sav: export not found"]),
    (["2023-1", "--raw", "map.csv"], ["map.csv: is a folder, not an export file"]),
    (["2023-1", "--raw", "tekst.sav"], ["tekst.sav: not a readable SPSS .sav file", "export the round again as"]),
    (["2023-1", "--raw", "leeg.csv"], ["leeg.csv: the file is empty", "export the round again"]),
    (["2023-1", "--raw", "export.json"], ["export.json: unknown file type '.json'", "export the round again as"]),
    (["2023-1", "--raw", QUALTRICS_2023, "--like", "2019-1"],
     ["2019-1.yml: codebook of the previous round not found (--like 2019-1)", "are 2022-2"]),
    (["2023-1", "--raw", QUALTRICS_2023, "--like", "2019-3"],
     ["codebook of the previous round not found (--like 2019-3)", "give a round id"]),
    (["2023-1", "--raw", QUALTRICS_2023, "--like", "KAPOT"],
     ["kapot.yml: the codebook of the previous round", "problems, the first: title:"]),
    (["2022-2", "--raw", QUALTRICS_2023], ["2022-2.yml: a codebook for this round exists already; use --force"]),
])
def test_cli_errors_are_one_line(capsys, cli_data_dir, args, expected):
    args = [str(cli_data_dir / "kapot.yml") if a == "KAPOT" else a for a in args]
    before = sorted(p.name for p in (cli_data_dir / "codebooks").iterdir())
    code, err = _init_round_cli(capsys, cli_data_dir, *args)
    assert code != 0
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("peo init-round: error: ")
    for text in expected:
        assert text in lines[0]
    assert sorted(p.name for p in (cli_data_dir / "codebooks").iterdir()) == before  # nothing written


def test_cli_bad_round_id_in_a_real_process(cli_data_dir):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "peo_lib", "init-round", "2023-3", "--raw", "x.sav",
                           "--data-dir", str(cli_data_dir)], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        ("peo init-round: error: ROUND '2023-3' is not a round id: use YYYY-1 for a spring round or YYYY-2 for an "
         "autumn round, e.g. 2023-2")]


def test_cli_init_round_succeeds_after_errors(capsys, cli_data_dir):
    code, err = _init_round_cli(capsys, cli_data_dir, "2023-1", "--raw", QUALTRICS_2023, "--like", "2022-2")
    assert code == 0 and err == ""
    assert read_codebook(cli_data_dir / "codebooks" / "2023-1.yml").items["PR01"].column == "QID31_1"


# -- real exports (tests/data/real, issue 11): drafts that survive `peo check` --------------------

import re  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

from peo_lib.data.check import check_round  # noqa: E402

REAL = Path(__file__).resolve().parent / "data" / "real"
CORPUS = sorted(p.name for p in REAL.iterdir() if (p / "SOURCE").is_file())
#: Columns of the corpus that are survey-tool metadata or identify a respondent: never items or open questions.
METADATA = {"IPAddress", "LocationLatitude", "LocationLongitude", "LocationAccuracy", "RecipientEmail",
            "RecipientFirstName", "RecipientLastName", "ExternalDataReference", "StartDate", "EndDate", "Status",
            "Finished", "ResponseSet", "V2", "V3", "V4", "V5", "V6", "V7", "V8", "V9", "V10", "submitdate", "lastpage",
            "startlanguage", "seed", "startdate", "datestamp", "LANG", "interviewtime"}


def _real_raw(name: str) -> Path:
    return next((REAL / name / "raw").iterdir())


def _finish(text: str, *, fieldwork="{start: 2020-01-01, end: 2020-02-01}") -> str:
    """What the researcher does: confirm the CONTROLEER lines, name the theme, fill in the fieldwork dates."""
    text = _confirm(text)
    text = re.sub(r"^theme: (thema|nieuw_thema)$", "theme: eigen_thema", text, flags=re.M)
    text = re.sub(r"block: (thema|nieuw_thema)\}", "block: eigen_thema}", text)
    return text.replace("fieldwork: {start: null, end: null}", f"fieldwork: {fieldwork}")


def _draft_real(tmp_path, name, round_id="2040-1"):
    (tmp_path / "raw").mkdir(parents=True, exist_ok=True)
    raw = _real_raw(name)
    shutil.copy(raw, tmp_path / "raw" / raw.name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = init_round(round_id, raw=raw.name, data_dir=tmp_path)
    assert [str(w.message) for w in caught] == []  # no library warnings (pandas date guessing, openpyxl, ...)
    return result


@pytest.mark.parametrize("name", CORPUS)
def test_draft_of_a_real_export_passes_check_once_confirmed(tmp_path, name):
    result = _draft_real(tmp_path, name)
    cb = read_codebook(result.path)  # the draft parses as it is
    drafted = {it.column for it in cb.items.values()} | {q.column for q in cb.open_questions.values()}
    assert not drafted & METADATA
    with pytest.raises(CodebookError, match=r"still a draft of peo init-round: line \d+: CONTROLEER marker left"):
        check_round("2040-1", data_dir=tmp_path)
    result.path.write_text(_finish(result.yaml_text), encoding="utf-8")
    report = check_round("2040-1", data_dir=tmp_path)
    assert report.round.n > 10 and report.round.items.shape[1] >= 3
    assert not [w for w in report.warnings if w.startswith("[user_missing")]


def test_draft_without_an_id_column_leaves_respondent_id_out(tmp_path):
    """reporttool_epsi_sav: no id; the computed score 'Image' (unique decimals) is neither id nor item; the SPSS
    user-missing code 98 (unlabelled) is carried into the sets' missing, also where the .sav forgot to declare it."""
    result = _draft_real(tmp_path, "reporttool_epsi_sav")
    cb = read_codebook(result.path)
    assert cb.respondent_id is None and "respondent_id:" not in result.yaml_text
    assert any("respondent_id weggelaten" in n for n in result.notes)
    columns = {it.column: it for it in cb.items.values()}
    assert "Image" not in columns and "q3EM" not in columns and "StartDate" not in columns
    q4a = next(i for i, it in cb.items.items() if it.column == "q4a")  # 98 declared user-missing, no label
    assert cb.response_set_of(q4a).missing == {11: "Vet ikke", 98: "code 98"}
    q4d = next(i for i, it in cb.items.items() if it.column == "q4d")  # 98 in the data, not declared
    assert 98 in cb.response_set_of(q4d).missing
    assert (cb.fieldwork.start.isoformat(), cb.fieldwork.end.isoformat()) == ("2015-06-18", "2015-06-30")


def test_draft_of_a_file_whose_id_repeats(tmp_path):
    """discovr_raq: `id` repeats; init-round does not stop, leaves respondent_id out and lists `id` to check."""
    result = _draft_real(tmp_path, "discovr_raq")
    cb = read_codebook(result.path)
    assert cb.respondent_id is None and "id" not in {it.column for it in cb.items.values()}
    assert not cb.open_questions
    lines = result.yaml_text.splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith('#   "id": '))
    assert lines[k - 1].startswith(f"# {MARKER}") and "herhalen zich" in lines[k]


def test_draft_of_spss_survey_with_counts_and_age(tmp_path):
    """pspp_nhtsa_2008: age is a numeric background variable with its user-missing codes; count questions
    (labels only on 96+, Don't know, ...) are no items; the interview language is metadata."""
    result = _draft_real(tmp_path, "pspp_nhtsa_2008")
    cb = read_codebook(result.path)
    assert cb.respondent_id == "id"
    age = cb.background["leeftijd"]
    assert (age.column, age.kind, age.missing) == ("age", "number", {998: "DK", 999: "RF"})
    assert cb.background["geslacht"].values == {1: "Male", 2: "Female"}
    columns = {it.column for it in cb.items.values()}
    for count in ("portionsPerSitting", "monthDaysMin1drink", "weightOfRespondent", "normalized_wt"):
        assert count not in columns
        assert re.search(rf'^#   "{count}": ', result.yaml_text, flags=re.M)
    assert '#   "LANG": metadata (taal)' in result.yaml_text
    eff = next(i for i, it in cb.items.items() if it.column == "effectivenessPoliceEfforts")
    assert cb.response_set_of(eff).missing == {6: "Don't know", 7: "Refused"}


def test_draft_of_qualtrics_exports_skips_metadata(tmp_path):
    for name, rid in (("qualtrics2016_nobasis", "ResponseID"), ("qualtrics_legacy_nobasis", "V1")):
        result = _draft_real(tmp_path / name, name)
        cb = read_codebook(result.path)
        assert cb.respondent_id == rid
        for column in ("IPAddress", "LocationLatitude", "RecipientEmail", "V5", "V6"):  # metadata, or empty
            if f'"{column}"' in result.yaml_text:
                assert re.search(rf'^#   "{column}": (metadata|leeg)', result.yaml_text, flags=re.M), column
        assert re.search(r'^#   "(LocationLatitude|StartDate|V8)": metadata', result.yaml_text, flags=re.M)
        assert cb.fieldwork.start.isoformat() == "2016-06-24"
        q1 = next(i for i, it in cb.items.items() if it.column == "Q1")
        assert cb.response_set_of(q1).missing == {-1: "code -1"}


def test_draft_of_limesurvey_and_surveymonkey_exports(tmp_path):
    lime = read_codebook(_draft_real(tmp_path / "lime", "limesurvey_n2_codes").path)
    sat = next(i for i, it in lime.items.items() if it.column == "C1[SQ001]")
    assert set(lime.response_set_of(sat).codes) >= {"A1", "A2"}  # text codes kept (labels to fill in)
    assert not {"groupTime67", "C1Time", "seed"} & {it.column for it in lime.items.values()}
    star = _draft_real(tmp_path / "star", "surveymonkey_starwars")
    cb = read_codebook(star.path)
    luke = next(it for it in cb.items.values() if it.text.endswith("Luke Skywalker"))
    assert luke.column == "#17"
    assert cb.background["geslacht"].column == "Gender"


def test_draft_of_spss_string_variable_with_value_labels(tmp_path):
    """A string variable with value labels (the real hotel.sav plus one such variable) no longer crashes."""
    import pyreadstat

    df, meta = pyreadstat.read_sav(str(_real_raw("pspp_hotel")), user_missing=True)
    df["land"] = (["nl", "be", "de", "nl"] * 5)[: len(df)]
    df.loc[0, "land"] = "xx"
    (tmp_path / "raw").mkdir()
    pyreadstat.write_sav(df, str(tmp_path / "raw" / "hotel_land.sav"),
                         column_labels={**dict(zip(meta.column_names, meta.column_labels)), "land": "Land"},
                         variable_value_labels={**meta.variable_value_labels,
                                                "land": {"nl": "Nederland", "be": "België", "de": "Duitsland",
                                                         "xx": "Weet ik niet"}})
    result = init_round("2040-1", raw="hotel_land.sav", data_dir=tmp_path)
    cb = read_codebook(result.path)
    land = next(i for i, it in cb.items.items() if it.column == "land")
    rs = cb.response_set_of(land)
    assert rs.codes == {"be": 1, "de": 2, "nl": 3, "xx": 4} and rs.missing == {4: "Weet ik niet"}
    result.path.write_text(_finish(result.yaml_text), encoding="utf-8")
    rnd = check_round("2040-1", data_dir=tmp_path).round
    np.testing.assert_array_equal(rnd.items[land].to_numpy()[:4], [np.nan, 1.0, 2.0, 3.0])
    assert rnd.missing[land].iloc[0] == "Weet ik niet"


def test_check_names_the_lines_a_draft_left(tmp_path):
    result = _draft_real(tmp_path, "pspp_hotel")
    lines = result.yaml_text.splitlines()
    with pytest.raises(CodebookError) as exc:
        check_round("2040-1", data_dir=tmp_path)
    problems = exc.value.problems
    markers = [k for k, line in enumerate(lines, start=1) if MARKER in line]
    assert [p for p in problems if "CONTROLEER marker left" in p] == [
        p for p in problems if re.match(rf"still a draft of peo init-round: line ({'|'.join(map(str, markers))}): ", p)
        and "marker" in p]
    assert len([p for p in problems if "CONTROLEER marker left" in p]) == len(markers)
    theme_line = next(k for k, line in enumerate(lines, start=1) if line.startswith("theme:"))
    assert f"still a draft of peo init-round: line {theme_line}: theme 'thema' is the placeholder" in " ".join(problems)
    assert any("fieldwork dates are not filled in" in p for p in problems)
    # confirmed but the dates left as placeholder: still refused, with the line
    result.path.write_text(_confirm(result.yaml_text).replace("theme: thema", "theme: service")
                           .replace("block: thema}", "block: service}"), encoding="utf-8")
    with pytest.raises(CodebookError, match=r"line \d+: fieldwork dates are not filled in"):
        check_round("2040-1", data_dir=tmp_path)


def test_cli_init_round_prints_no_library_warnings(tmp_path):
    """reporttool_epsi_sav's StartDate (06/24/2015 12:01:38) made pandas warn 'Could not infer format'."""
    import subprocess
    import sys

    (tmp_path / "raw").mkdir()
    shutil.copy(_real_raw("reporttool_epsi_sav"), tmp_path / "raw")
    proc = subprocess.run([sys.executable, "-m", "peo_lib", "init-round", "2040-1", "--raw", "sample.sav",
                           "--data-dir", str(tmp_path)], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "Draft codebook written" in proc.stdout
