"""Codebook parsing: shapes, cross-checks and the messages a researcher sees."""

from __future__ import annotations

import warnings

import pytest
import yaml

from conftest import TINY_CODEBOOK
from peo_lib.data.codebook import CodebookChangeWarning, compare_codebooks, parse_codebook, read_codebook
from peo_lib.errors import CodebookError


def _tiny(**changes):
    data = yaml.safe_load(TINY_CODEBOOK)
    for path, value in changes.items():
        node = data
        keys = path.split("__")
        for k in keys[:-1]:
            node = node[k]
        if value is _DELETE:
            del node[keys[-1]]
        else:
            node[keys[-1]] = value
    return data


_DELETE = object()


def test_tiny_codebook_parses(tiny_data_dir):
    cb = read_codebook(tiny_data_dir / "codebooks" / "2099-1.yml")
    assert cb.round == "2099-1"
    assert cb.blocks == ["kern", "werkdruk"]
    assert cb.scales["professionele_ruimte"].min_valid_effective == 3
    assert cb.response_set_of("PR04").max == 5
    assert len(cb.sha256) == 64


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"items__PR04__response_set": "eens7"},
         r"items\.PR04\.response_set: unknown response set 'eens7' \(known: eens5\)"),
        ({"scales__professionele_ruimte__items": ["PR01", "PR02", "PR99"]},
         r"scales\.professionele_ruimte\.items: unknown item\(s\) \['PR99'\]"),
        ({"scales__professionele_ruimte__reverse": ["WD01"]},
         r"scales\.professionele_ruimte\.reverse: item\(s\) \['WD01'\] are not in the scale's items"),
        ({"scales__professionele_ruimte__min_valid": 5},
         r"scales\.professionele_ruimte\.min_valid: 5 is more than the 4 items"),
        ({"items__PR02__column": "Q5_1"},
         r"items\.PR02\.column: column 'Q5_1' is also used by items\.PR01\.column"),
        ({"items__WD01__block": "werkdrukk"},
         r"items\.WD01\.block: unknown block 'werkdrukk'"),
        ({"round": "2021-3"}, r"round: '2021-3' is not a round id like '2021-1'"),
        ({"title": _DELETE}, r"title: required key is missing"),
        ({"items__PR01__colum": "x"}, r"items\.PR01\.colum: unknown key"),
        ({"response_sets__eens5__missing": {5: "Weet ik niet"}},
         r"response_sets\.eens5: code\(s\) \[5\] are both a value and a missing code"),
        ({"response_sets__eens5__values": {1: "Oneens", 2: " oneens"}},
         r"labels 'Oneens' and ' oneens' are the same"),
        ({"background__ervaring_jaren": {"column": "Q2", "values": {1: "kort"}}},
         r"background\.ervaring_jaren\.type: must be 'number'"),
        ({"scales__PR01": {"label": "x", "items": ["PR01"]}},
         r"scales\.PR01: id 'PR01' is also used in items"),
    ],
)
def test_codebook_problems_name_the_key_path(changes, message):
    with pytest.raises(CodebookError, match=message):
        parse_codebook(_tiny(**changes), path="cb.yml")


def test_all_problems_reported_at_once():
    with pytest.raises(CodebookError) as exc:
        parse_codebook(_tiny(items__PR04__response_set="x", items__WD01__block="y"), path="cb.yml")
    assert len(exc.value.problems) == 2
    assert str(exc.value).startswith("cb.yml: 2 problems")


def test_yaml_syntax_error_names_line(tmp_path):
    p = tmp_path / "2099-1.yml"
    p.write_text("round: '2099-1'\nitems:\n  PR01: {column: Q1, text: [unclosed\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"2099-1\.yml: YAML syntax error at line \d+, column \d+"):
        read_codebook(p)


def test_duplicate_yaml_key_is_an_error(tmp_path):
    p = tmp_path / "2099-1.yml"
    p.write_text(TINY_CODEBOOK.replace("  PR02:", "  PR01:"), encoding="utf-8")
    with pytest.raises(CodebookError, match="duplicate key 'PR01'"):
        read_codebook(p)


def test_missing_and_empty_codebook(tmp_path):
    with pytest.raises(CodebookError, match="codebook file not found"):
        read_codebook(tmp_path / "nope.yml")
    (tmp_path / "empty.yml").write_text("", encoding="utf-8")
    with pytest.raises(CodebookError, match="the codebook is empty"):
        read_codebook(tmp_path / "empty.yml")


def test_boolean_label_gets_a_quoting_hint():
    # YAML 1.1 reads an unquoted `no` as False.
    with pytest.raises(CodebookError, match="put the label in quotes"):
        parse_codebook(_tiny(response_sets__eens5__values={1: False, 2: "Ja"}), path="cb.yml")


def test_changed_wording_across_rounds_warns():
    a = parse_codebook(_tiny(), path="a.yml")
    b_data = _tiny(round="2099-2")
    b_data["items"]["PR01"]["text"] = "Ik heb ruimte."
    b = parse_codebook(b_data, path="b.yml")
    with pytest.warns(CodebookChangeWarning, match=r"item PR01: text changed between rounds 2099-1 and 2099-2"):
        changes = compare_codebooks([b, a])
    assert [(c["item"], c["what"]) for c in changes] == [("PR01", "text")]


def test_same_wording_other_case_does_not_warn():
    a = parse_codebook(_tiny(), path="a.yml")
    b_data = _tiny(round="2099-2")
    b_data["items"]["PR01"]["text"] = b_data["items"]["PR01"]["text"].upper()
    b_data["items"]["PR01"]["column"] = "V7"
    b = parse_codebook(b_data, path="b.yml")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert compare_codebooks([a, b]) == []


def test_changed_response_set_across_rounds_warns():
    a = parse_codebook(_tiny(), path="a.yml")
    b_data = _tiny(round="2099-2")
    b_data["response_sets"]["eens5"]["values"][3] = "Niet eens, niet oneens"
    b = parse_codebook(b_data, path="b.yml")
    changes = compare_codebooks([a, b], warn=False)
    assert {c["what"] for c in changes} == {"response_set"}
    assert {c["item"] for c in changes} == {"PR01", "PR02", "PR03", "PR04", "WD01"}


# -- issue 11: what real exports need from the codebook --------------------------------

from pathlib import Path  # noqa: E402

REAL = Path(__file__).resolve().parent / "data" / "real"


def test_respondent_id_is_optional():
    cb = parse_codebook(_tiny(respondent_id=_DELETE), path="cb.yml")
    assert cb.respondent_id is None
    assert read_codebook(REAL / "pspp_hotel" / "codebooks" / "2030-1.yml").respondent_id is None


def test_text_codes_are_numbered_by_position_or_by_codes():
    """LimeSurvey answer codes (limesurvey_n2_codes): text keys, numbered 1, 2, ... or by `codes`."""
    cb = read_codebook(REAL / "limesurvey_n2_codes" / "codebooks" / "2032-2.yml")
    rs = cb.response_sets["satisfied5"]
    assert rs.values == {1: "Very satisfied", 2: "Satisfied", 3: "Neither/nor", 4: "Dissatisfied",
                         5: "Very dissatisfied"}
    assert rs.missing == {6: "Does not apply", 7: "I don’t want to answer this question"}
    assert rs.codes == {f"A{k}": k for k in range(1, 8)} and (rs.min, rs.max) == (1, 5)
    gender = cb.background["gender"]
    assert gender.values == {1: "Woman", 3: "Man", 4: "Gender diverse (Gender-fluid)", 5: "Non-binary"}
    assert gender.missing == {2: "I don't want to answer this question"} and gender.codes["A3"] == 3
    explicit = _tiny()
    explicit["response_sets"]["eens5"] = {"values": {"Y": "Ja", "N": "Nee"}, "codes": {"Y": 1, "N": 0}}
    assert parse_codebook(explicit, path="cb.yml").response_sets["eens5"].values == {1: "Ja", 0: "Nee"}


@pytest.mark.parametrize("rs, message", [
    ({"values": {"A1": "x", 2: "y"}}, r"response_sets\.eens5: values: mix of integer codes and text codes"),
    ({"values": {"A1": "x", "A2": "y"}, "codes": {"A1": 1}},
     r"response_sets\.eens5: codes: text code\(s\) \['A2'\] have no number in `codes`"),
    ({"values": {1: "x", 2: "y"}, "codes": {"A9": 9}}, r"response_sets\.eens5\.codes\.A9: 9 is not a code"),
    ({"values": {1: "x", 2: "y"}, "codes": {"a1": 1, "A1": 2}}, r"codes: 'a1' and 'A1' are the same"),
])
def test_text_code_problems_name_the_key(rs, message):
    data = _tiny()
    data["response_sets"]["eens5"] = rs
    with pytest.raises(CodebookError, match=message):
        parse_codebook(data, path="cb.yml")


def test_missing_as_a_list_of_codes_for_a_numeric_background_variable():
    data = _tiny()
    data["background"]["ervaring_jaren"] = {"column": "Q2", "type": "number", "missing": [98, 99]}
    cb = parse_codebook(data, path="cb.yml")
    assert cb.background["ervaring_jaren"].missing == {98: "code 98", 99: "code 99"}
    nhtsa = read_codebook(REAL / "pspp_nhtsa_2008" / "codebooks" / "2030-2.yml")
    assert nhtsa.background["ervaring_jaren"].missing == {998: "Don't know", 999: "Refused"}


def test_scale_accepts_sets_with_the_same_codes_and_other_wording():
    """reporttool_epsi_sav: fornoyd10 and verdi10 have the same codes (1-10, missing 11 and 98)."""
    cb = read_codebook(REAL / "reporttool_epsi_sav" / "codebooks" / "2031-1.yml")
    a, b = cb.response_sets["fornoyd10"], cb.response_sets["verdi10"]
    assert a.values != b.values and a.code_signature() == b.code_signature()
    data = yaml.safe_load((REAL / "reporttool_epsi_sav" / "codebooks" / "2031-1.yml").read_text(encoding="utf-8"))
    del data["response_sets"]["verdi10"]["missing"][98]
    with pytest.raises(CodebookError, match=r"scales\.verdi\.items: items use response sets with different codes "
                                            r"\(fornoyd10: \[1, .*10\], missing \[11, 98\]; verdi10: .*missing \[11\]\)"):
        parse_codebook(data, path="cb.yml")


def test_labels_that_differ_only_in_case_are_the_same_label():
    a = parse_codebook(_tiny(), path="a.yml")
    b_data = _tiny(round="2099-2")
    b_data["response_sets"]["eens5"]["values"] = {k: v.upper() for k, v in b_data["response_sets"]["eens5"]["values"].items()}
    b = parse_codebook(b_data, path="b.yml")
    assert a.response_sets["eens5"].signature() == b.response_sets["eens5"].signature()
    assert compare_codebooks([a, b], warn=False) == []


def test_fieldwork_placeholder_acknowledged_and_header_rows():
    cb = parse_codebook(_tiny(fieldwork={"start": None, "end": None}, acknowledged=["unused_columns"],
                              source={"file": "x.csv", "header_rows": 2}), path="cb.yml")
    assert cb.fieldwork is None and cb.acknowledged == ["unused_columns"] and cb.source.header_rows == 2
    with pytest.raises(CodebookError, match=r"source\.header_rows"):
        parse_codebook(_tiny(source={"file": "x.csv", "header_rows": 0}), path="cb.yml")


@pytest.mark.parametrize("name", sorted(p.name for p in REAL.iterdir() if (p / "SOURCE").is_file()))
def test_every_corpus_codebook_parses(name):
    (path,) = sorted((REAL / name / "codebooks").glob("*.yml"))
    cb = read_codebook(path)
    assert cb.items and cb.round == path.stem
