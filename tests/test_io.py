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
    ("duplicate_ids", r"tiny\.csv, column 'ResponseId': duplicate respondent id 'R_0003' in rows \[5, 9\]"),
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
    ("qualtrics_header_removed", r"q\.csv, row 3: not a complete Qualtrics export"),
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
