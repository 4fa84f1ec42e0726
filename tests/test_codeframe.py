"""Code frames (peo_lib.data.codeframe): rules, two levels, reuse across rounds, themes added later, errors."""

from __future__ import annotations

import textwrap

import pytest

from open_theme_helpers import FRAME_OPEN01
from peo_lib.data.codeframe import codeframe_for, fold_text, load_codeframes, parse_codeframe, read_codeframe
from peo_lib.errors import CodeFrameError, CodebookError, PEOError


@pytest.fixture
def frame():
    return parse_codeframe(FRAME_OPEN01)


def test_keywords_match_word_starts_case_and_accent_free(frame):
    assert frame.propose("Minder ADMINISTRATIE graag", "2021-1") == ["administratie"]  # parents: counted, not proposed
    assert "administratie" in frame.propose("de urenregistratie halveren", "2021-1")  # "*registratie": inside a word
    assert "regels" in frame.propose("Regelgeving en protocollen", "2021-1")  # prefix of a word
    assert "regels" not in frame.propose("Een overregeling", "2021-1")  # not inside a word without '*'
    assert frame.propose("Financiële zekerheid", "2021-1") == ["waardering"]  # accents folded
    assert frame.propose("Eén set regels voor alle   gemeenten", "2021-1") == ["regels", "regels_gemeenten"]
    assert frame.propose("Geen idee eigenlijk.", "2021-1") == ["geen_idee"]
    assert frame.propose("Ik heb er geen idee over", "2021-1") == []  # the regex is anchored at the start
    assert frame.propose("", "2021-1") == [] and frame.propose(None, "2021-1") == []
    assert fold_text("  Cliënt\tSYSTEEM ") == "client systeem"


def test_regex_rules_are_searched_without_accents():
    f = parse_codeframe(textwrap.dedent("""\
        question: OPEN01
        themes:
          systeem:
            label: Het cliëntsysteem
            regex: ['cliënt\\w*systeem', '\\bECD\\b']
        """))
    assert f.propose("Het clientsysteem is traag", "2021-1") == ["systeem"]
    assert f.propose("Het Cliëntsysteem", "2021-1") == ["systeem"]
    assert f.propose("het ecd loopt vast", "2021-1") == ["systeem"]
    assert f.propose("recdx", "2021-1") == []


def test_two_levels_parents_before_children(frame):
    assert frame.active_themes("2021-1")[:3] == ["regels", "administratie", "regels_gemeenten"]
    assert frame.children("regels") == ["administratie", "regels_gemeenten"]
    assert frame.themes["administratie"].parent == "regels"
    assert frame.label("regels_gemeenten") == "Eén werkwijze voor alle gemeenten"


def test_a_theme_added_later_is_active_from_its_round_only(frame):
    assert "collegas" not in frame.active_themes("2021-1")
    assert "collegas" in frame.active_themes("2021-2") and "collegas" in frame.active_themes("2023-1")
    text = "Meer tijd voor intervisie en overleg met collega's."
    assert frame.propose(text, "2021-1") == ["werkdruk"]
    assert frame.propose(text, "2021-2") == ["werkdruk", "collegas"]
    f = parse_codeframe(FRAME_OPEN01.replace('since: "2021-2"', 'since: "2021-2"\n    until: "2022-1"'))
    assert "collegas" in f.active_themes("2022-1") and "collegas" not in f.active_themes("2022-2")


def test_frame_is_reused_across_rounds_by_question_id(tmp_path):
    (tmp_path / "codeframes").mkdir()
    (tmp_path / "codeframes" / "OPEN01.yml").write_text(FRAME_OPEN01, encoding="utf-8")
    frames = load_codeframes(tmp_path)
    for rid in ("2020-2", "2021-1", "2023-1"):
        f = codeframe_for("OPEN01", rid, data_dir=tmp_path)
        assert f is not None and f.question == "OPEN01" and f.sha256 == frames[0].sha256
    assert codeframe_for("OPEN02", "2021-1", data_dir=tmp_path) is None
    assert codeframe_for("OPEN01", "2021-1", data_dir=tmp_path / "nowhere") is None  # no folder: no frame


def test_a_rotating_question_gets_one_frame_per_round_and_overlaps_are_errors(tmp_path):
    folder = tmp_path / "codeframes"
    folder.mkdir()
    body = "themes:\n  x:\n    label: X\n"
    (folder / "OPEN02-corona.yml").write_text('question: OPEN02\nrounds: ["2020-2"]\n' + body, encoding="utf-8")
    (folder / "OPEN02-regels.yml").write_text('question: OPEN02\nrounds: ["2021-1"]\n' + body, encoding="utf-8")
    assert codeframe_for("OPEN02", "2020-2", data_dir=tmp_path).path.name == "OPEN02-corona.yml"
    assert codeframe_for("OPEN02", "2021-1", data_dir=tmp_path).path.name == "OPEN02-regels.yml"
    assert codeframe_for("OPEN02", "2021-2", data_dir=tmp_path) is None
    (folder / "OPEN02-all.yml").write_text("question: OPEN02\n" + body, encoding="utf-8")
    with pytest.raises(CodeFrameError, match=r"both apply to OPEN02 in round 2021-1.*rounds"):
        codeframe_for("OPEN02", "2021-1", data_dir=tmp_path)


def _error(text, tmp_path):
    path = tmp_path / "OPEN01.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodeFrameError) as info:
        read_codeframe(path)
    return str(info.value)


@pytest.mark.parametrize("old, new, line, expect", [
    ("    parent: regels\n  regels_gemeenten", "    parent: regelz\n  regels_gemeenten", 12,
     r"themes\.administratie\.parent: unknown parent theme 'regelz'; use one of \['regels'"),
    ("  werkdruk:\n    label: Werkdruk en wachtlijsten",
     "  werkdruk:\n    label: Werkdruk en wachtlijsten\n    parent: administratie", 19,
     r"parent 'administratie' has a parent itself; a code frame has two levels, so use 'regels'"),
    ("regex: ['^\\W*geen idee']", "regex: ['(geen idee']", 32,
     r"regex '\(geen idee' is not a valid regular expression"),
    ("    keywords: [caseload", "    keywrds: [caseload", 19,
     r"themes\.werkdruk\.keywrds: unknown key \(allowed: label"),
    ("    label: Waardering en beloning\n", "", 23, r"themes\.waardering\.label: required key is missing; add it"),
    ('since: "2021-2"', "since: 2021", 29, r"since: expected text, got 2021: put it in quotes"),
    ("  ruimte:", "  Ruimte:", 20, r"theme id 'Ruimte' must be lower case"),
    ("label: Geen concreet antwoord", "label: minder administratie", 31,
     r"label 'minder administratie' is also the label of 'administratie'"),
])
def test_errors_name_file_line_key_and_fix(tmp_path, old, new, line, expect):
    assert old in FRAME_OPEN01
    msg = _error(FRAME_OPEN01.replace(old, new, 1), tmp_path)
    assert msg.startswith(str(tmp_path / "OPEN01.yml") + ": ")
    assert len(msg.splitlines()) == 1, msg
    assert f"line {line}," in msg, msg
    import re

    assert re.search(expect, msg), msg


def test_syntax_errors_duplicates_and_wrong_shapes(tmp_path):
    assert "YAML syntax error at line 4" in _error("question: OPEN01\nthemes:\n  a: [unclosed\n", tmp_path)
    dup = FRAME_OPEN01 + "  regels:\n    label: Nog eens\n"
    assert "regels" in _error(dup, tmp_path)
    assert "expected a mapping with `question:` and `themes:`" in _error("- a\n- b\n", tmp_path)
    assert "themes: required key is missing" in _error("question: OPEN01\n", tmp_path)
    with pytest.raises(CodeFrameError, match="code frame file not found"):
        read_codeframe(tmp_path / "missing.yml")


def test_codeframe_error_is_a_peo_error_the_cli_prints_in_one_line():
    assert issubclass(CodeFrameError, CodebookError) and issubclass(CodeFrameError, PEOError)
