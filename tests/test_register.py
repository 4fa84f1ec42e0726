"""Tests of peo_lib.data.register: one test per kind of bad input, with its message."""

from __future__ import annotations

import textwrap
import warnings

import numpy as np
import pytest

from peo_lib.errors import CodebookError, RegisterError
from peo_lib.data.register import actions_before_after, parse_register, read_register

GOOD = textwrap.dedent("""\
    - id: VA-01
      titel: Eén aanvraagformulier
      ronde_start: "2021-1"
      eigenaar: PJH
      status: afgerond
      schalen: [regels_en_eisen]
      items: [RE01]
    - id: VA-02
      titel: Inwerkprogramma
      ronde_start: "2021-2"
      eigenaar: Opleidingsoverleg
      status: lopend
      schalen: [professionele_ruimte]
      items: []
    """)


def _write(tmp_path, text):
    p = tmp_path / "verbeteracties.yml"
    p.write_text(text, encoding="utf-8")
    return p


def _problems(tmp_path, text, **kw):
    with pytest.raises(RegisterError) as info:
        read_register(_write(tmp_path, text), **kw)
    assert str(tmp_path / "verbeteracties.yml") in str(info.value)
    return info.value.problems


@pytest.fixture(scope="module")
def demo_rounds(demo_dir):
    from peo_lib import load_rounds

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_rounds(demo_dir / "codebooks")


def test_good_register_reads(tmp_path):
    reg = read_register(_write(tmp_path, GOOD))
    assert [a.id for a in reg] == ["VA-01", "VA-02"] and len(reg) == 2
    assert reg.to_frame().loc[0, "schalen"] == "regels_en_eisen"
    assert isinstance(RegisterError(tmp_path, "x"), CodebookError)


def test_mapping_with_top_key_is_accepted(tmp_path):
    text = "verbeteracties:\n" + textwrap.indent(GOOD, "  ")
    assert len(read_register(_write(tmp_path, text))) == 2


def test_missing_file(tmp_path):
    with pytest.raises(RegisterError, match="register file not found"):
        read_register(tmp_path / "nope.yml")


def test_yaml_syntax_error_names_line(tmp_path):
    problems = _problems(tmp_path, GOOD + "- id: [VA-03\n")
    assert problems[0].startswith("YAML syntax error at line")


def test_duplicate_yaml_key(tmp_path):
    problems = _problems(tmp_path, GOOD.replace("  eigenaar: PJH\n", "  eigenaar: PJH\n  eigenaar: Ander\n"))
    assert "duplicate key 'eigenaar'" in problems[0]


def test_not_a_list(tmp_path):
    problems = _problems(tmp_path, "id: VA-01\ntitel: x\n")
    assert problems == ["expected a list of actions (each starting with '- id: ...'), found dict"]


def test_entry_not_a_mapping(tmp_path):
    problems = _problems(tmp_path, GOOD + "- VA-03\n")
    assert problems[0].startswith("verbeteracties[3]: expected a mapping")


def test_missing_key(tmp_path):
    problems = _problems(tmp_path, GOOD.replace("  eigenaar: PJH\n", ""))
    assert problems == ["verbeteracties[1].eigenaar: required key is missing (actie VA-01)"]


def test_unknown_key(tmp_path):
    problems = _problems(tmp_path, GOOD.replace("  titel: Inwerkprogramma", "  title: Inwerkprogramma"))
    assert any(p.startswith("verbeteracties[2].title: unknown key (allowed: id, titel, ronde_start")
               for p in problems)
    assert "verbeteracties[2].titel: required key is missing (actie VA-02)" in problems


def test_bad_status(tmp_path):
    problems = _problems(tmp_path, GOOD.replace("status: lopend", "status: klaar"))
    assert problems == ["verbeteracties[2].status: 'klaar' is not one of gepland, lopend, afgerond (actie VA-02)"]


@pytest.mark.parametrize("value, message", [
    ('"2021-3"', "'2021-3' is not a round id like '2021-1'"),
    ('"voorjaar 2021"', "'voorjaar 2021' is not a round id like '2021-1'"),
    ("2021", "YAML read 2021 as a number"),
])
def test_bad_ronde_start(tmp_path, value, message):
    problems = _problems(tmp_path, GOOD.replace('ronde_start: "2021-1"', f"ronde_start: {value}"))
    assert problems[0].startswith("verbeteracties[1].ronde_start: " + message)


def test_duplicate_ids(tmp_path):
    problems = _problems(tmp_path, GOOD.replace("id: VA-02", "id: VA-01"))
    assert problems == ["verbeteracties[2].id: 'VA-01' is also the id of verbeteracties[1]; ids must be unique"]


def test_items_not_a_list(tmp_path):
    problems = _problems(tmp_path, GOOD.replace("items: [RE01]", "items: RE01"))
    assert problems == ["verbeteracties[1].items: expected a list of ids, e.g. [PR01, PR02], got 'RE01' (actie VA-01)"]


def test_unknown_scale_and_item_against_codebooks(tmp_path, demo_rounds):
    text = GOOD.replace("schalen: [regels_en_eisen]", "schalen: [regels_en_eisn]").replace("[RE01]", "[RE01, XX99]")
    problems = _problems(tmp_path, text, codebooks=demo_rounds)
    assert problems == [
        "verbeteracties[1].schalen: unknown scale(s) 'regels_en_eisn' (did you mean 'regels_en_eisen'?); "
        "not in any codebook given (actie VA-01)",
        "verbeteracties[1].items: unknown item(s) 'XX99'; not in any codebook given (actie VA-01)",
    ]


def test_all_problems_reported_at_once(tmp_path):
    text = GOOD.replace("status: lopend", "status: klaar").replace("  eigenaar: PJH\n", "")
    assert len(_problems(tmp_path, text)) == 2


def test_parse_register_accepts_loaded_data():
    assert len(parse_register([])) == 0


def test_demo_register_and_before_after(demo_dir, demo_rounds):
    reg = read_register(demo_dir / "verbeteracties.yml", codebooks=demo_rounds)
    assert [a.status for a in reg] == ["afgerond", "lopend", "gepland"]
    tab = actions_before_after(demo_rounds, reg)
    assert len(tab) == 3 + 5 + 4
    first = tab.iloc[0]
    assert (first["id"], first["kind"], first["indicator"]) == ("VA-2021-01", "scale", "regels_en_eisen")
    assert (first["round_before"], first["round_after"]) == ("2020-2", "2023-1")
    assert first["diff"] == pytest.approx(first["after"] - first["before"])
    items = tab[tab["kind"] == "item"]
    assert (items["measure"] == "pct_agree").all() and items["after"].dropna().between(0, 100).all()
    planned = tab[tab["status"] == "gepland"]
    assert planned["round_after"].isna().all() and planned["after"].isna().all()
    assert planned["round_before"].eq("2022-1").all()


def test_before_after_reads_register_path(demo_dir, demo_rounds):
    tab = actions_before_after(demo_rounds, demo_dir / "verbeteracties.yml")
    assert tab["comparable"].dropna().all()
    assert np.isfinite(tab.loc[tab["status"] != "gepland", "p"]).all()
