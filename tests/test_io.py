"""Raw readers: every format and encoding the contract promises, and the bad-input corpus.

Each bad input goes through the real CLI (`peo check`) and must give a non-zero
exit, one clear line naming what and where, no traceback, and leave the raw
file's bytes untouched.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import stat
import subprocess
import sys

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from conftest import TINY_CODEBOOK, write_tiny_round
from peo_lib import load_round, score_scales
from peo_lib.cli import main
from peo_lib.errors import RawDataError
from peo_lib.data.readers import read_raw

HEADER = ["ResponseId", "Q2", "Q3", "Q4", "Q5_1", "Q5_2", "Q5_3", "Q5_4", "Q9_1", "Q12"]
ROWS = [
    ["R1", "1", "1", "1", "Eens", "4", "4.0", "Helemaal oneens", "5", "Meer tijd"],
    ["R2", "12,5", "2", "Delft", " helemaal EENS ", "5", "", "Weet ik niet", "3", ""],
    ["R3", "2", "Teamleider", "3", "Neutraal", "3", "9", "2", "1", "Café in Delft"],
]


def _codebook(tmp_path, *, source=None, **extra):
    data = yaml.safe_load(TINY_CODEBOOK)
    if source:
        data["source"] = source
    data.update(extra)
    (tmp_path / "codebooks").mkdir(exist_ok=True)
    (tmp_path / "raw").mkdir(exist_ok=True)
    p = tmp_path / "codebooks" / "2099-1.yml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def _write_text(tmp_path, name, rows, *, sep=";", encoding="utf-8", header=HEADER):
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\r\n").writerows([header] + rows)
    p = tmp_path / "raw" / name
    p.parent.mkdir(exist_ok=True)
    p.write_bytes(buf.getvalue().encode(encoding))
    return p


def _check_expected(rnd):
    assert list(rnd.items.index) == ["R1", "R2", "R3"]
    np.testing.assert_array_equal(rnd.items["PR01"].to_numpy(), [4, 5, 3])
    np.testing.assert_array_equal(rnd.items["PR03"].to_numpy(), [4, np.nan, np.nan])
    assert rnd.missing["PR03"].tolist()[2] == "Weet ik niet"
    assert pd.isna(rnd.missing["PR03"].tolist()[1])  # blank: missing without reason
    assert rnd.missing["PR04"].tolist()[1] == "Weet ik niet"
    np.testing.assert_array_equal(rnd.background["ervaring_jaren"].to_numpy(), [1, 12.5, 2])
    assert rnd.background["ervaringsgroep"].tolist() == ["startend", "ervaren", "startend"]
    assert rnd.background["functie"].tolist() == ["Jeugdhulpverlener", "Gedragswetenschapper", "Teamleider"]
    assert rnd.background["gemeente"].tolist() == ["Den Haag", "Delft", "Zoetermeer"]


@pytest.mark.parametrize("sep", [";", ",", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_delimiters_and_encodings_are_detected(tmp_path, sep, encoding):
    cb = _codebook(tmp_path, source={"file": "r.csv", "format": "auto"})
    _write_text(tmp_path, "r.csv", ROWS, sep=sep, encoding=encoding)
    rnd = load_round(cb)
    _check_expected(rnd)
    assert rnd.raw_delimiter == sep
    # cp1252 is detected from the bytes (the 'é'), UTF-8 is never misread.
    assert rnd.open_answers["OPEN01"].tolist()[2] == "Café in Delft"
    expected = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig"}.get(encoding)
    if expected:
        assert rnd.raw_encoding == expected
    else:
        assert rnd.raw_encoding.replace("_", "").lower() in {"cp1252", "windows1252", "latin1", "iso88591"}


def test_xlsx_with_numbers_and_labels(tmp_path):
    cb = _codebook(tmp_path, source={"file": "r.xlsx", "format": "auto"})
    df = pd.DataFrame(ROWS, columns=HEADER)
    df["Q5_2"] = [4, 5, 3]  # real numbers in Excel cells
    df["Q2"] = [1, 12.5, 2]
    df.to_excel(tmp_path / "raw" / "r.xlsx", index=False)
    _check_expected(load_round(cb))


def test_sav_with_value_labels_and_user_missing(tmp_path):
    cb = _codebook(tmp_path, source={"file": "r.sav", "format": "auto"})
    df = pd.DataFrame({
        "ResponseId": ["R1", "R2", "R3"], "Q2": [1, 12.5, 2], "Q3": [1, 2, 3], "Q4": [1, 2, 3],
        "Q5_1": [4, 5, 3], "Q5_2": [4, 5, 3], "Q5_3": [4, np.nan, 9], "Q5_4": [1, 9, 2],
        "Q9_1": [5, 3, 1], "Q12": ["Meer tijd", "", "Café in Delft"],
    })
    labels = {1: "Helemaal oneens", 2: "Oneens", 3: "Neutraal", 4: "Eens", 5: "Helemaal eens",
              8: "Niet van toepassing", 9: "Weet ik niet"}
    pyreadstat.write_sav(
        df, str(tmp_path / "raw" / "r.sav"),
        column_labels={"Q5_1": "Ik heb voldoende ruimte"},
        variable_value_labels={c: labels for c in ["Q5_1", "Q5_2", "Q5_3", "Q5_4", "Q9_1"]},
        missing_ranges={c: [8, 9] for c in ["Q5_1", "Q5_2", "Q5_3", "Q5_4", "Q9_1"]},
    )
    rnd = load_round(cb)
    _check_expected(rnd)
    assert rnd.raw_format == "sav"


def _qualtrics(tmp_path, *, drop_import_row=False):
    texts = ["Response ID", "Jaren ervaring", "Functie", "Gemeente", "Ruimte", "Oordeel", "Vertrouwen",
             "Regels", "Werk", "Toverstaf"]
    ids = ['{"ImportId":"_recordId"}'] + [f'{{"ImportId":"QID{k}"}}' for k in range(1, 10)]
    quoted = [",".join('"' + c.replace('"', '""') + '"' for c in row) for row in [HEADER, texts, ids] + ROWS]
    if drop_import_row:
        del quoted[2]
    p = tmp_path / "raw" / "q.csv"
    p.write_bytes(("\ufeff" + "\r\n".join(quoted) + "\r\n").encode("utf-8"))
    return p


def test_qualtrics_three_header_rows(tmp_path):
    cb = _codebook(tmp_path, source={"file": "q.csv", "format": "qualtrics"})
    _qualtrics(tmp_path)
    rnd = load_round(cb)
    _check_expected(rnd)
    assert rnd.raw_format == "qualtrics"
    table = read_raw(tmp_path / "raw" / "q.csv")  # auto-detected too
    assert table.format == "qualtrics" and table.first_row == 4
    assert table.column_labels["Q5_1"] == "Ruimte"


def test_reverse_key_and_min_valid_on_known_rows(tmp_path):
    cb = _codebook(tmp_path, source={"file": "r.csv", "format": "auto"})
    _write_text(tmp_path, "r.csv", ROWS)
    scores = score_scales(load_round(cb))["professionele_ruimte"]
    # R1: 4, 4, 4, reverse(1)=5 -> 4.25; R2: 5, 5, NaN, NaN -> 2 valid < min_valid 3 -> NaN;
    # R3: 3, 3, (9 = Weet ik niet), reverse(2)=4 -> 10/3.
    np.testing.assert_allclose(scores.to_numpy(), [4.25, np.nan, 10 / 3])


# ---------------------------------------------------------------------------
# The bad-input corpus: (name, how to break the tiny round, expected message).


def _replace_cell(path, old, new, *, encoding="cp1252"):
    text = path.read_bytes().decode(encoding)
    assert old in text
    path.write_bytes(text.replace(old, new, 1).encode(encoding))


def _break(tmp_path, how):
    cbp = tmp_path / "codebooks" / "2099-1.yml"
    raw = tmp_path / "raw" / "tiny.csv"
    cb_text = cbp.read_text(encoding="utf-8")
    if how == "wrong_delimiter":
        cbp.write_text(cb_text.replace("format: auto}", "format: csv, delimiter: ','}"), encoding="utf-8")
    elif how == "pipe_delimited":
        raw.write_bytes(raw.read_bytes().replace(b";", b"|"))
    elif how == "wrong_encoding":
        cbp.write_text(cb_text.replace("format: auto}", "format: auto, encoding: utf-8}"), encoding="utf-8")
    elif how == "unknown_label":
        _replace_cell(raw, ";Eens;", ";Eensch;")
    elif how == "out_of_range":
        lines = raw.read_bytes().decode("cp1252").split("\r\n")
        cells = lines[5].split(";")
        cells[8] = "7"
        lines[5] = ";".join(cells)
        raw.write_bytes("\r\n".join(lines).encode("cp1252"))
    elif how == "duplicate_ids":
        _replace_cell(raw, "R_0007", "R_0003")
    elif how == "blank_id":
        _replace_cell(raw, "R_0007", "")
    elif how == "missing_column":
        _replace_cell(raw, "Q5_3", "Q5_33")
    elif how == "empty_file":
        raw.write_bytes(b"")
    elif how == "header_only":
        raw.write_bytes(raw.read_bytes().split(b"\r\n")[0] + b"\r\n")
    elif how == "yaml_syntax":
        cbp.write_text(cb_text.replace("title: Testronde", "title: [Testronde"), encoding="utf-8")
    elif how == "unknown_item":
        cbp.write_text(cb_text.replace("[PR01, PR02, PR03, PR04]", "[PR01, PR02, PR05, PR04]"), encoding="utf-8")
    elif how == "unknown_response_set":
        cbp.write_text(cb_text.replace("response_set: eens5, block: werkdruk", "response_set: eens7, block: werkdruk"),
                       encoding="utf-8")
    elif how == "raw_missing":
        raw.unlink()
    elif how == "not_a_number":
        _replace_cell(raw, "R_0002;3;", "R_0002;drie;")
    elif how == "unknown_background_label":
        _replace_cell(raw, ";Westland;", ";Wassenaar;")
    elif how == "qualtrics_header_removed":
        cbp.write_text(cb_text.replace("tiny.csv, format: auto", "q.csv, format: qualtrics"), encoding="utf-8")
        _qualtrics(tmp_path, drop_import_row=True)
    elif how == "sav_unlabelled_code":
        cbp.write_text(cb_text.replace("tiny.csv", "tiny.sav"), encoding="utf-8")
        df = pd.DataFrame({c: [1.0, 2.0, 3.0] for c in HEADER[1:9]})
        df.insert(0, "ResponseId", ["A", "B", "C"])
        df["Q12"] = ["", "", ""]
        df.loc[1, "Q5_2"] = 6.0  # no value label, not in the codebook
        pyreadstat.write_sav(df, str(tmp_path / "raw" / "tiny.sav"))
    elif how == "unknown_file_type":
        cbp.write_text(cb_text.replace("tiny.csv", "tiny.pdf"), encoding="utf-8")
        (tmp_path / "raw" / "tiny.pdf").write_bytes(b"%PDF-1.4")
    elif how == "corrupt_xlsx":
        cbp.write_text(cb_text.replace("tiny.csv", "tiny.xlsx"), encoding="utf-8")
        (tmp_path / "raw" / "tiny.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    else:  # pragma: no cover
        raise AssertionError(how)


BAD_INPUTS = [
    ("wrong_delimiter", r"tiny\.csv, row 1: only one column found with delimiter ','; the header line uses ';'\. "
                        r"fix or remove source\.delimiter"),
    ("pipe_delimited", r"tiny\.csv, row 1: no delimiter found in the header line"),
    ("wrong_encoding", r"tiny\.csv: cannot be decoded as 'utf-8'"),
    ("unknown_label", r"tiny\.csv, column 'Q5_\d', row \d+: value is not in the response set 'eens5' of item PR0\d "
                      r"\(value 'Eensch'\)\. allowed codes or labels: 1=Helemaal oneens"),
    ("out_of_range", r"tiny\.csv, column 'Q9_1', row 6: value is not in the response set 'eens5' of item WD01 \(value '7'\)"),
    ("duplicate_ids", r"tiny\.csv, column 'ResponseId': respondent_id: the column has repeated values \('R_0003' in rows "
                      r"\[5, 9\]\), so it is not a respondent id\. leave respondent_id out of the codebook: respondents "
                      r"are then numbered by row"),
    ("blank_id", r"tiny\.csv, column 'ResponseId', row 9: respondent id is blank"),
    ("missing_column", r"tiny\.csv: 1 column\(s\) named in the codebook are not in the file: 'Q5_3' "
                       r"\(items\.PR03, did you mean 'Q5_33'\?\)"),
    ("empty_file", r"tiny\.csv: the file is empty"),
    ("header_only", r"tiny\.csv: the file has a header but no respondents"),
    ("yaml_syntax", r"2099-1\.yml: YAML syntax error at line \d+, column \d+"),
    ("unknown_item", r"2099-1\.yml: scales\.professionele_ruimte\.items: unknown item\(s\) \['PR05'\]"),
    ("unknown_response_set", r"2099-1\.yml: items\.WD01\.response_set: unknown response set 'eens7'"),
    ("raw_missing", r"tiny\.csv: raw file not found\. put the export in the raw folder"),
    ("not_a_number", r"tiny\.csv, column 'Q2', row 4: not a number \(value 'drie'\)"),
    ("unknown_background_label", r"column 'Q4', row \d+: value is not in the values of background\.gemeente "
                                 r"\(value 'Wassenaar'\)"),
    ("qualtrics_header_removed", r"q\.csv, row 3: not a Qualtrics export this program can read: its third row holds "
                                 r"no ImportId markers .*export again from Qualtrics with the current CSV format"),
    ("sav_unlabelled_code", r"tiny\.sav, column 'Q5_2', row 2 \(case\): value is not in the response set "
                            r"'eens5' of item PR02 \(value 6\)"),
    ("unknown_file_type", r"tiny\.pdf: unknown file type '\.pdf'"),
    ("corrupt_xlsx", r"tiny\.xlsx: not a readable \.xlsx file"),
]


def _hashes(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


@pytest.mark.parametrize("how, message", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_gives_one_clear_message(tmp_path, capsys, how, message):
    write_tiny_round(tmp_path)
    _break(tmp_path, how)
    raw = tmp_path / "raw"
    for p in raw.iterdir():  # the program only ever reads raw data
        p.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    before = _hashes(raw)
    code = main(["check", "2099-1", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" not in err
    assert err.startswith("peo check: error: ")
    assert len(err.strip().splitlines()) == 1, err
    import re

    assert re.search(message, err), err
    assert _hashes(raw) == before


def test_bad_input_corpus_is_large_enough():
    assert len(BAD_INPUTS) >= 15


def test_cli_subprocess_exit_code_and_no_traceback(tmp_path):
    write_tiny_round(tmp_path)
    _break(tmp_path, "unknown_label")
    proc = subprocess.run([sys.executable, "-m", "peo_lib", "check", "2099-1", "--data-dir", str(tmp_path)],
                          capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "value 'Eensch'" in proc.stderr


def test_check_summary(tiny_data_dir, capsys):
    assert main(["check", "2099-1", "--data-dir", str(tiny_data_dir)]) == 0
    out = capsys.readouterr().out
    assert "respondents  40" in out
    assert "items        5 mapped (kern: 4, werkdruk: 1)" in out
    assert "x 'Weet ik niet'" in out
    assert "gemeente: 1 group(s) under min_n=5 (Westland)" in out
    assert "R_00" not in out  # no respondent ids in the summary


def test_check_strict_fails_on_warnings(tiny_data_dir):
    assert main(["check", "2099-1", "--strict", "--data-dir", str(tiny_data_dir)]) == 1


def test_check_warns_about_unused_column_and_unanswered_item(tmp_path, capsys):
    write_tiny_round(tmp_path)
    raw = tmp_path / "raw" / "tiny.csv"
    lines = raw.read_bytes().decode("cp1252").split("\r\n")
    out_lines = []
    for k, line in enumerate(lines):
        if not line:
            out_lines.append(line)
            continue
        cells = line.split(";")
        if k > 0:
            cells[8] = ""  # nobody answered WD01
        cells.append("Extra" if k == 0 else "x")
        out_lines.append(";".join(cells))
    raw.write_bytes("\r\n".join(out_lines).encode("cp1252"))
    assert main(["check", "2099-1", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "item WD01: no valid answers (nobody answered)" in out
    assert "1 column(s) in the file are not in the codebook: Extra" in out


def test_read_raw_rejects_unknown_format_option(tmp_path):
    with pytest.raises(ValueError, match=r"`format` must be one of .*'pdf' was passed"):
        read_raw(tmp_path / "x.csv", format="pdf")
    with pytest.raises(RawDataError, match="raw file not found"):
        read_raw(tmp_path / "x.csv")


# ---------------------------------------------------------------------------
# Real exports (tests/data/real, issue 11): the loader fixes, each on the file that needed it.

from pathlib import Path  # noqa: E402

from peo_lib.data.codebook import parse_codebook, read_codebook  # noqa: E402
from peo_lib.data.readers import detect_format  # noqa: E402
from peo_lib.data.rounds import resolve_columns  # noqa: E402

REAL = Path(__file__).resolve().parent / "data" / "real"


def _real_codebook(name: str):
    (path,) = sorted((REAL / name / "codebooks").glob("*.yml"))
    return path


def _real_data(name: str) -> dict:
    return yaml.safe_load(_real_codebook(name).read_text(encoding="utf-8"))


def _real_raw(name: str) -> Path:
    return REAL / name / "raw" / _real_data(name)["source"]["file"]


def _load_real(name: str, **changes):
    """The corpus round of ``name``, with top-level codebook keys replaced by ``changes`` (parsed in memory)."""
    data = {**_real_data(name), **changes}
    cb = parse_codebook(data, path=_real_codebook(name))
    return load_round(cb, raw_dir=REAL / name / "raw")


def _raw_rows(name, *, encoding="utf-8-sig", skip=0):
    rows = list(csv.reader(io.StringIO(_real_raw(name).read_bytes().decode(encoding))))
    return rows[0], [r for r in rows[1 + skip:] if any(c.strip() for c in r)]


def test_no_respondent_id_numbers_respondents_by_row():
    """pspp_hotel (.sav without id) and springernature_xlsx: case numbers 1..n in file order."""
    hotel = load_round(_real_codebook("pspp_hotel"))
    assert hotel.codebook.respondent_id is None
    assert list(hotel.items.index) == [str(k) for k in range(1, 18)]
    df, _ = pyreadstat.read_sav(str(_real_raw("pspp_hotel")))
    np.testing.assert_array_equal(hotel.items["HOT01"].to_numpy(), df["v1"].to_numpy())
    springer = load_round(_real_codebook("springernature_xlsx"))
    assert springer.items.index[-1] == "7718" and springer.items.index.is_unique


def test_repeated_id_is_not_a_respondent_id_and_the_message_says_so():
    """discovr_raq: the column `id` repeats ('7j69c' twice); naming it respondent_id is refused without advice to
    delete answers; without respondent_id the file loads with case numbers."""
    with pytest.raises(RawDataError) as exc:
        _load_real("discovr_raq", respondent_id="id")
    msg = str(exc.value)
    assert "column 'id': respondent_id: the column has repeated values ('7j69c' in rows [1441, 2342])" in msg
    assert "so it is not a respondent id" in msg
    assert "leave respondent_id out of the codebook: respondents are then numbered by row" in msg
    assert "remove them in the survey tool and export again, never in the raw file" in msg
    assert "remove double submissions from the export" not in msg
    rnd = load_round(_real_codebook("discovr_raq"))
    assert rnd.n == 2571 and rnd.items.index[0] == "1"


def test_qualtrics_2016_import_ids_in_single_quotes():
    raw = _real_raw("qualtrics2016_nobasis")
    assert "{'ImportId': 'QID1'}" in raw.read_text(encoding="utf-8-sig").splitlines()[2]
    assert detect_format(raw) == "qualtrics"
    for fmt in ("auto", "qualtrics"):  # declared or detected: never "line 3 should hold the ImportId markers"
        table = read_raw(raw, format=fmt)
        assert table.format == "qualtrics" and table.first_row == 4 and len(table.data) == 15
        assert table.column_labels["Q1"] == "Indicate how you feel about squash"
    rnd = load_round(_real_codebook("qualtrics2016_nobasis"))
    header, data = _raw_rows("qualtrics2016_nobasis", skip=2)
    j = header.index("Q3_1")
    expected = [float(r[j]) if r[j] not in ("", "-1") else np.nan for r in data]
    np.testing.assert_array_equal(rnd.items["VEG01"].to_numpy(), expected)


def test_qualtrics_legacy_export_is_read():
    """qualtrics_legacy_nobasis: row 1 V1, V2, ..., row 2 the texts; row 2 is skipped and labels the columns."""
    raw = _real_raw("qualtrics_legacy_nobasis")
    assert detect_format(raw) == "qualtrics"
    table = read_raw(raw)
    assert (table.format, table.vintage, table.first_row, len(table.data)) == ("qualtrics", "legacy", 3, 15)
    assert read_raw(raw, format="qualtrics").data.equals(table.data)
    assert table.column_labels["V1"] == "ResponseID" and table.column_labels["V6"] == "IPAddress"
    rnd = load_round(_real_codebook("qualtrics_legacy_nobasis"))
    assert rnd.items.index[0] == "R_ebopwASnJ6p0KSp" and rnd.raw_vintage == "legacy"
    same = load_round(_real_codebook("qualtrics2016_nobasis"))
    pd.testing.assert_frame_equal(rnd.items.reset_index(drop=True), same.items.reset_index(drop=True))


def test_not_a_qualtrics_export_names_both_vintages(tmp_path):
    """A plain CSV (discovr_raq) declared as Qualtrics: the message says what is missing and what to export."""
    with pytest.raises(RawDataError) as exc:
        read_raw(_real_raw("discovr_raq"), format="qualtrics")
    msg = str(exc.value)
    assert "its third row holds no ImportId markers" in msg and "V1, V2, V3 (the legacy export)" in msg
    assert "export again from Qualtrics with the current CSV format" in msg


def test_spss_user_missing_on_a_numeric_background_variable_is_honoured():
    """pspp_nhtsa_2008: age 998/999 are user-missing in the .sav; also when the codebook does not list them."""
    df, _ = pyreadstat.read_sav(str(_real_raw("pspp_nhtsa_2008")), user_missing=True)
    valid = df["age"][~df["age"].isin([998, 999])]
    data = _real_data("pspp_nhtsa_2008")
    bg = {**data["background"], "ervaring_jaren": {"column": "age", "type": "number"}}  # no `missing`
    rnd = _load_real("pspp_nhtsa_2008", background=bg)
    assert int((rnd.background["ervaringsgroep"] == "ervaren").sum()) == int((valid > 25).sum()) == 5831
    assert int(rnd.background["ervaring_jaren"].isna().sum()) == 69
    assert rnd.background["ervaring_jaren"].max() == 86
    assert any(w.startswith("[user_missing] 69 answer(s)") and "998, 999" in w for w in rnd.warnings)
    listed = load_round(_real_codebook("pspp_nhtsa_2008"))  # the corpus codebook lists them: no warning
    assert not any(w.startswith("[user_missing]") for w in listed.warnings)
    assert int((listed.background["ervaringsgroep"] == "ervaren").sum()) == 5831


def test_spss_user_missing_on_items_is_honoured_without_the_codebook():
    """pspp_nhtsa_2008: 6 = Don't know and 7 = Refused are declared user-missing; a set without them still loads."""
    data = _real_data("pspp_nhtsa_2008")
    sets = {k: {"values": v["values"]} for k, v in data["response_sets"].items()}
    rnd = _load_real("pspp_nhtsa_2008", response_sets=sets)
    df, _ = pyreadstat.read_sav(str(_real_raw("pspp_nhtsa_2008")), user_missing=True)
    expected = df["effectivenessPoliceEfforts"].where(~df["effectivenessPoliceEfforts"].isin([6, 7]))
    np.testing.assert_array_equal(rnd.items["EFF01"].to_numpy(), expected.to_numpy())
    assert any(w.startswith("[user_missing]") for w in rnd.warnings)


def test_limesurvey_text_answer_codes():
    """limesurvey_n2_codes: answers A1, A2, ... scored by position in the set; gender through `codes`."""
    rnd = load_round(_real_codebook("limesurvey_n2_codes"))
    header, data = _raw_rows("limesurvey_n2_codes")
    j = header.index("C1[SQ001]")
    position = {f"A{k}": float(k) for k in range(1, 6)}
    np.testing.assert_array_equal(rnd.items["SAT01"].to_numpy(), [position.get(r[j], np.nan) for r in data])
    assert rnd.codebook.response_sets["satisfied5"].codes["A6"] == 6
    assert int(rnd.missing["SAT01"].notna().sum()) == sum(r[j] in ("A6", "A7") for r in data)
    g = header.index("A6")
    assert int((rnd.background["gender"] == "Woman").sum()) == sum(r[g] == "A1" for r in data)
    assert int((rnd.background["gender"] == "Man").sum()) == sum(r[g] == "A3" for r in data)


def test_column_names_match_after_normalising_non_breaking_spaces():
    """limesurvey_n2_fulltext: the B11 headers hold a non-breaking space; the codebook types an ordinary one."""
    raw_header = next(h for h in _raw_rows("limesurvey_n2_fulltext")[0] if h.startswith("B11[SQ001]"))
    assert "\xa0" in raw_header
    rnd = load_round(_real_codebook("limesurvey_n2_fulltext"))
    column = rnd.codebook.items["WFH01"].column
    assert "\xa0" not in column
    table = read_raw(_real_raw("limesurvey_n2_fulltext"))
    assert resolve_columns(rnd.codebook, table)[column] == raw_header
    assert raw_header not in rnd.unused_columns


def test_surveymonkey_second_header_row_and_columns_by_position():
    """surveymonkey_starwars: row 2 ('Response', option texts) is a header row, detected or declared; grid columns
    with an empty header cell are named by position ("#17")."""
    raw = _real_raw("surveymonkey_starwars")
    table = read_raw(raw)
    assert (table.header_rows, table.vintage, table.first_row, len(table.data)) == (2, "surveymonkey", 3, 1186)
    assert table.column_labels["Unnamed: 16"].endswith(" - Luke Skywalker")
    assert read_raw(raw, header_rows=2).data.equals(table.data)
    rnd = load_round(_real_codebook("surveymonkey_starwars"))
    assert rnd.codebook.source.header_rows == 2 and rnd.codebook.items["FAV_LUKE"].column == "#17"
    header, data = _raw_rows("surveymonkey_starwars", encoding="cp1252", skip=1)
    very = sum(r[16] == "Very favorably" for r in data)
    assert int((rnd.items["FAV_LUKE"] == 5).sum()) == very
    assert rnd.items.index.is_unique and rnd.items.index[0] == data[0][0]


def test_column_by_position_out_of_range_is_named(tmp_path):
    data = _real_data("pspp_hotel")
    data["items"]["HOT01"]["column"] = "#9"
    with pytest.raises(RawDataError, match=r"'#9' \(items\.HOT01.*name a column by its position"):
        load_round(parse_codebook(data, path="cb.yml"), raw_dir=REAL / "pspp_hotel" / "raw")


def test_scale_of_sets_with_the_same_codes_and_other_wording():
    """reporttool_epsi_sav: the 'verdi' scale mixes fornoyd10 and verdi10 (both 1-10, missing 11 and 98)."""
    rnd = load_round(_real_codebook("reporttool_epsi_sav"))
    assert {rnd.codebook.items[i].response_set for i in rnd.codebook.scales["verdi"].items} == {"fornoyd10", "verdi10"}
    scores = score_scales(rnd)
    df, _ = pyreadstat.read_sav(str(_real_raw("reporttool_epsi_sav")), user_missing=True)
    cols = df[["q8a", "q8b", "q8c"]].where(lambda x: ~x.isin([11, 98]))
    expected = cols.mean(axis=1).where(cols.notna().sum(axis=1) >= 2)
    np.testing.assert_allclose(scores["verdi"].to_numpy(), expected.to_numpy())


def test_check_strict_passes_with_acknowledged_warnings(capsys):
    """pspp_hotel's codebook acknowledges its two warnings: `peo check --strict` is a gate that passes."""
    cb = read_codebook(_real_codebook("pspp_hotel"))
    assert cb.acknowledged
    assert main(["check", "2030-1", "--strict", "--data-dir", str(REAL / "pspp_hotel")]) == 0
    out = capsys.readouterr().out
    assert "no warnings" in out and "acknowledged in the codebook" in out and "[no_fieldwork]" in out
    assert main(["check", "2035-1", "--strict", "--data-dir", str(REAL / "discovr_raq")]) == 1  # not acknowledged
