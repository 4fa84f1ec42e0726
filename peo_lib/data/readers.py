"""Reading raw survey exports: CSV, Excel, SPSS and Qualtrics.

The raw file is only ever opened for reading. Readers return a
:class:`RawTable`: the cells as found (strings for text formats, numbers for
binary ones) plus what is needed to name a row the way the researcher sees it
in Excel or a text editor.

Detection (``source.format: auto``)
-----------------------------------
* ``.sav`` -> SPSS via pyreadstat (codes, value labels and user-defined
  missing values kept), ``.xlsx`` -> openpyxl.
* ``.csv``/``.txt``/``.tsv``: the encoding is *detected*: strict UTF-8 first
  (BOM stripped), then strict cp1252 (the Windows default of Dutch exports),
  otherwise charset-normalizer's best match; the delimiter is
  sniffed among ``;``, ``,`` and tab from the header line.
* Qualtrics: a file whose third row holds ``ImportId`` markers is a current
  Qualtrics export (row 1 = column names, rows 2-3 = question texts and import
  ids). Both quote styles are markers: ``{"ImportId":"QID1"}`` (current) and
  ``{'ImportId': 'QID1'}`` (2016 "Insights" exports); each cell is parsed
  leniently (JSON, else a Python literal). A file whose first row reads
  ``V1, V2, V3, ...`` and whose second row is the texts row (starting
  ``ResponseID``, then the question texts) is Qualtrics' *legacy* export: row 2
  is skipped and gives the column labels. Both are ``format: qualtrics``.
* Header rows: a CSV or Excel export may have more than one header row
  (``source.header_rows``); SurveyMonkey's second header row (a blank first
  cell, ``Response`` / option texts) is detected. The first row names the
  columns; the others only add to the question texts (``stem - option``, the
  stem carried over the empty header cells of a grid).
* SPSS user-missing declarations (single codes and ranges) are kept per
  column in :attr:`RawTable.user_missing`; :mod:`peo_lib.data.rounds` treats
  them as missing everywhere.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io as _io
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from peo_lib._validate import check_argument
from peo_lib.errors import RawDataError

__all__ = ["RawTable", "read_raw", "detect_format", "sha256_file", "decode_text"]

TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
DELIMITERS = [";", ",", "\t"]

#: Supported sizes (checked before any work, so a too-large file gets a message instead of a hang):
#: a PEO round has a few hundred respondents; these leave room for a national survey.
MAX_RAW_BYTES = 500_000_000
MAX_RESPONDENTS = 200_000


@dataclass
class RawTable:
    """Cells of a raw export, as read.

    Attributes
    ----------
    data : DataFrame
        One row per respondent, columns as in the file; text formats give
        categorical columns of stripped strings (blank -> NaN).
    path : Path
    format : str
        ``csv``, ``qualtrics``, ``xlsx`` or ``sav``.
    first_row : int
        Row number (as the file shows it: line in a text file, row in Excel,
        case in SPSS) of ``data.iloc[0]``.
    row_word : str
        How rows are named in messages (``row``, ``case``).
    encoding, delimiter : str or None
        What was detected for text files.
    column_labels : dict
        Column -> question text (SPSS variable labels, Qualtrics row 2).
    value_labels : dict
        Column -> {code: label} (SPSS value labels).
    user_missing : dict
        Column -> set of codes SPSS declares user-missing (a ``(lo, hi)`` tuple for a range).
    header_rows : int
        Header rows above the first respondent (Qualtrics: 3, legacy Qualtrics and SurveyMonkey: 2).
    vintage : str or None
        Which variant of a format was read (``legacy`` Qualtrics, ``surveymonkey``), for ``peo check``.
    """

    data: pd.DataFrame
    path: Path
    format: str
    first_row: int = 2
    row_word: str = "row"
    encoding: str | None = None
    delimiter: str | None = None
    column_labels: dict = field(default_factory=dict)
    value_labels: dict = field(default_factory=dict)
    user_missing: dict = field(default_factory=dict)
    header_rows: int = 1
    vintage: str | None = None

    def row_number(self, position: int) -> int:
        """File row number of the respondent at 0-based ``position``."""
        return self.first_row + int(position)


def sha256_file(path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def decode_text(raw: bytes, *, path, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text export; return (text, encoding used).

    UTF-8 is tried strictly first (a BOM marks ``utf-8-sig``); only when that
    fails is charset-normalizer asked, so valid UTF-8 is never misread.
    """
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise RawDataError(
                f"cannot be decoded as {encoding!r} ({exc})", path=path,
                hint="fix source.encoding in the codebook or remove it to detect the encoding",
            ) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8-sig"
    else:
        enc = "utf-8"
    try:
        return raw.decode(enc), enc
    except UnicodeDecodeError:
        pass
    # Not UTF-8: Windows-1252 is what Dutch Excel/SPSS exports write. A strict
    # decode succeeds only when no undefined byte occurs; statistical detection
    # alone mistakes a file with few accents for cp850 ("één" -> "EÚn").
    if b"\x00" not in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw, cp_isolation=["cp1252", "latin_1", "utf_16", "mac_roman", "cp850"]).best()
    if best is None:
        raise RawDataError(
            "the text encoding could not be detected", path=path,
            hint="save the export as UTF-8 CSV or set source.encoding in the codebook",
        )
    return str(best), best.encoding


def _sniff_delimiter(header: str, *, path) -> str:
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    if counts[best] == 0:
        try:
            return csv.Sniffer().sniff(header, delimiters="".join(DELIMITERS)).delimiter
        except csv.Error:
            raise RawDataError(
                "no delimiter found in the header line (expected ';', ',' or tab)", path=path, row=1,
                hint="export the data as CSV with a header row",
            ) from None
    return best


_MARKER_START = re.compile(r"""^\{\s*['"]ImportId['"]\s*:""")
SURVEYMONKEY_SUBHEADERS = {"response", "open-ended response"}


def _is_import_id(cell: str) -> bool:
    """A Qualtrics ImportId marker in either quote style (JSON or a Python-literal dict)."""
    text = cell.strip()
    if not text.startswith("{"):
        return False
    for parse in (json.loads, ast.literal_eval):
        try:
            value = parse(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        return isinstance(value, dict) and "ImportId" in value
    return bool(_MARKER_START.match(text))


def _is_qualtrics(rows: list[list[str]]) -> bool:
    """Row 3 holds ImportId markers (in at least half of its non-empty cells)."""
    if len(rows) < 3:
        return False
    cells = [c for c in rows[2] if c.strip()]
    return bool(cells) and 2 * sum(_is_import_id(c) for c in cells) >= len(cells)


def _is_qualtrics_legacy(rows: list[list[str]]) -> bool:
    """Row 1 starts ``V1, V2, V3`` and row 2 is the texts row that starts ``ResponseID`` (never a respondent)."""
    if len(rows) < 2 or len(rows[0]) < 3 or not rows[1]:
        return False
    head = [c.strip() for c in rows[0][:3]]
    return head == ["V1", "V2", "V3"] and rows[1][0].strip().casefold() == "responseid"


def _is_surveymonkey(rows: list[list[str]]) -> bool:
    """SurveyMonkey's second header row: blank first cell, ``Response`` cells, no numbers."""
    if len(rows) < 2 or not rows[1] or rows[1][0].strip():
        return False
    cells = {c.strip().casefold() for c in rows[1]}
    numbers = any(re.fullmatch(r"[+-]?\d+([.,]\d+)?", c.strip()) for c in rows[1])
    return bool(cells & SURVEYMONKEY_SUBHEADERS) and not numbers


def _first_rows(text: str, delim: str, k: int = 3) -> list[list[str]]:
    """The first ``k`` records of a text export (quoted line breaks kept inside their cell)."""
    try:
        return list(itertools.islice(csv.reader(_io.StringIO(text), delimiter=delim), k))
    except csv.Error:
        return []


def _head_text(path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(256 * 1024)
    return head.decode("utf-8-sig", errors="replace")


def detect_format(path) -> str:
    """Guess the format of a raw export from its suffix and first lines."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".sav":
        return "sav"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in TEXT_SUFFIXES:
        text = _head_text(path)
        first = text.splitlines()[0] if text else ""
        counts = {d: first.count(d) for d in DELIMITERS}
        rows = _first_rows(text, max(counts, key=counts.get))
        return "qualtrics" if _is_qualtrics(rows) or _is_qualtrics_legacy(rows) else "csv"
    raise RawDataError(
        f"unknown file type {suffix!r}", path=path,
        hint="use .csv, .xlsx or .sav, or set source.format in the codebook (csv, xlsx, sav, qualtrics)",
    )


def _strip_categorical(s: pd.Series) -> pd.Series:
    """Strip the categories of a text column; blank becomes missing. Costs O(categories)."""
    cats = [str(c).strip() for c in s.cat.categories]
    keep = sorted({c for c in cats if c != ""})
    pos = {c: k for k, c in enumerate(keep)}
    remap = np.array([pos.get(c, -1) for c in cats] + [-1], dtype=np.int32)
    codes = remap[s.cat.codes.to_numpy()]  # code -1 (NaN) takes the trailing -1
    return pd.Series(pd.Categorical.from_codes(codes, categories=keep, validate=False), index=s.index,
                     name=s.name)


def _clean_text_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells as categoricals of stripped strings (blank -> NaN).

    Survey columns hold a handful of distinct answers, so parsing straight into
    categoricals and stripping the categories is far cheaper than stripping
    every cell (100,000 x 60 cells: ~0.3 s instead of ~3 s).
    """
    df.columns = [str(c).strip() for c in df.columns]
    return pd.DataFrame({c: _strip_categorical(df[c]) for c in df.columns}, index=df.index)


def _check_columns(columns, *, path, header=None):
    """Refuse an empty header, and a column name that occurs twice in the raw header.

    ``header`` is the header as written in the file (pandas renames a second
    ``V5_1`` to ``V5_1.1`` before anyone sees it, so an item could be filled
    from the wrong column); without it the parsed names are checked.
    """
    cols = [str(c).strip() for c in columns]
    if not cols or all(c == "" or c.startswith("Unnamed:") for c in cols):
        raise RawDataError("no header row with column names", path=path, row=1)
    raw = [str(c).strip() for c in (header if header is not None else cols)]
    seen = {}
    for pos, name in enumerate(raw, start=1):
        if name and name in seen:
            raise RawDataError(f"column name {name!r} appears twice in the header (columns {seen[name]} and {pos})",
                               path=path, row=1, hint="rename one of them in a copy of the export and point "
                               "source.file at the copy; the raw file itself stays as it is")
        seen[name] = pos


@dataclass
class _Header:
    """How the header rows of a text export are laid out."""

    rows: int = 1                  # header rows above the first respondent
    vintage: str | None = None     # "legacy" (Qualtrics), "surveymonkey"
    labels_from: tuple = ()        # 0-based header rows that hold question texts


def _qualtrics_header(rows, *, path) -> _Header:
    if _is_qualtrics(rows):
        return _Header(rows=3, labels_from=(1,))
    if _is_qualtrics_legacy(rows):
        return _Header(rows=2, vintage="legacy", labels_from=(1,))
    found = ("its third row holds no ImportId markers" if len(rows) >= 3
             else f"it has only {len(rows)} row(s)")
    raise RawDataError(
        f"not a Qualtrics export this program can read: {found} (current exports: row 3 "
        "{\"ImportId\":\"QID1\"}), and row 1 does not start with V1, V2, V3 (the legacy export)",
        path=path, row=3 if len(rows) >= 3 else None,
        hint="export again from Qualtrics with the current CSV format (Data & Analysis > Export & Import > "
        "Export data > CSV), or set source.format: csv if the extra header rows were removed on purpose",
    )


def _text_header(rows, *, header_rows=None, qualtrics=False, path=None) -> _Header:
    """The header layout: Qualtrics (current or legacy), ``header_rows`` as given, or SurveyMonkey's two rows."""
    if qualtrics:
        return _qualtrics_header(rows, path=path)
    if header_rows is not None:
        return _Header(rows=header_rows, labels_from=tuple(range(1, header_rows)))
    if _is_surveymonkey(rows):
        return _Header(rows=2, vintage="surveymonkey", labels_from=(1,))
    return _Header()


def _header_labels(columns, rows, header: _Header, *, qualtrics: bool) -> dict:
    """Column -> question text from the extra header rows (SurveyMonkey: ``stem - option``)."""
    if not header.labels_from:
        return {}
    extra = [rows[k] if k < len(rows) else [] for k in header.labels_from]
    if qualtrics:
        return {c: t for c, t in zip(columns, extra[0])}
    first = rows[0] if rows else []
    labels, stem = {}, ""
    for j, col in enumerate(columns):
        head = first[j].strip() if j < len(first) else ""
        stem = head or stem
        subs = [r[j].strip() for r in extra if j < len(r) and r[j].strip()
                and r[j].strip().casefold() not in SURVEYMONKEY_SUBHEADERS]
        text = " - ".join([stem, *subs]) if stem else " - ".join(subs)
        if text:
            labels[col] = text
    return labels


def _parse_text(text: str, delim: str, skip: list, *, path) -> pd.DataFrame:
    try:
        return pd.read_csv(
            _io.StringIO(text), sep=delim, dtype="category", keep_default_na=False,
            skiprows=skip, skipinitialspace=True, engine="c",
        )
    except pd.errors.ParserError as exc:
        raise RawDataError(
            f"cannot be parsed as {'tab' if delim == chr(9) else repr(delim)}-separated text ({' '.join(str(exc).split())})",
            path=path, hint="check the delimiter and quotes, or set source.delimiter in the codebook",
        ) from None


def _read_csv(path, *, encoding=None, delimiter=None, qualtrics=False, header_rows=None) -> RawTable:
    raw = Path(path).read_bytes()
    if not raw.strip():
        raise RawDataError("the file is empty", path=path, hint="export the round again")
    text, enc = decode_text(raw, path=path, encoding=encoding)
    lines = text.splitlines()
    header = lines[0] if lines else ""
    delim = delimiter or _sniff_delimiter(header, path=path)
    if delimiter and header.count(delimiter) == 0:
        seen = _sniff_delimiter(header, path=path)
        raise RawDataError(
            f"only one column found with delimiter {delimiter!r}; the header line uses {seen!r}",
            path=path, row=1, hint="fix or remove source.delimiter in the codebook",
        )
    if len(lines) - 1 > MAX_RESPONDENTS * 1.05:  # counted before parsing (header rows, blank lines: 5% slack)
        raise RawDataError(f"the file has about {len(lines) - 1:,} rows; supported are up to "
                           f"{MAX_RESPONDENTS:,} respondents", path=path,
                           hint="split the round, or ask for a larger limit")
    rows = _first_rows(text, delim, k=max(3, header_rows or 0))
    layout = _text_header(rows, header_rows=header_rows, qualtrics=qualtrics, path=path)
    df = _parse_text(text, delim, list(range(1, layout.rows)), path=path)
    _check_columns(df.columns, path=path, header=rows[0] if rows else [])
    if len(df.columns) == 1 and len(lines) > 1:
        raise RawDataError(
            f"only one column found with delimiter {delim!r}", path=path, row=1,
            hint="set source.delimiter in the codebook",
        )
    labels = _header_labels([str(c).strip() for c in df.columns], rows, layout, qualtrics=qualtrics)
    return RawTable(
        data=_clean_text_frame(df), path=Path(path), format="qualtrics" if qualtrics else "csv",
        first_row=layout.rows + 1, encoding=enc, delimiter=delim, column_labels=labels,
        header_rows=layout.rows, vintage=layout.vintage,
    )


def _xlsx_sheet_names(path) -> list[str]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
    except Exception:  # noqa: BLE001 - read_excel below gives the message
        return []
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _read_xlsx(path, *, sheet=None, header_rows=None) -> RawTable:
    names = _xlsx_sheet_names(path)
    which = f"sheet {sheet!r}" if sheet is not None else f"the first sheet ({names[0]!r})" if names else "the sheet"
    try:
        df = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object, engine="openpyxl",
                           header=None)
    except ValueError as exc:
        raise RawDataError(f"cannot read {which} ({exc})", path=path,
                           hint=f"set source.sheet in the codebook to one of {names}") from None
    except Exception as exc:  # openpyxl raises zipfile/KeyError variants on corrupt files
        raise RawDataError(f"not a readable .xlsx file ({type(exc).__name__}: {exc})", path=path) from None
    if df.shape[0] == 0 or df.shape[1] == 0:
        hint = f"set source.sheet in the codebook to one of {names}" if len(names) > 1 else None
        raise RawDataError(f"{which} is empty", path=path, hint=hint)
    cells = [["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in df.iloc[k]]
             for k in range(min(len(df), max(3, header_rows or 0)))]
    layout = (_Header(rows=header_rows, labels_from=tuple(range(1, header_rows))) if header_rows
              else _text_header(cells))
    header = cells[0]
    df = df.iloc[layout.rows:].reset_index(drop=True)
    df.columns = [h if h else f"Unnamed: {k}" for k, h in enumerate(header)]
    _check_columns(df.columns, path=path, header=header)
    labels = _header_labels([str(c).strip() for c in df.columns], cells, layout, qualtrics=False)
    df.columns = [str(c).strip() for c in df.columns]
    for col in df.columns:
        s = df[col]
        is_str = s.map(lambda v: isinstance(v, str))
        if is_str.any():
            stripped = s[is_str].str.strip()
            s = s.copy()
            s[is_str] = stripped.where(stripped != "", None)
            df[col] = s
    return RawTable(data=df, path=Path(path), format="xlsx", first_row=layout.rows + 1, column_labels=labels,
                    header_rows=layout.rows, vintage=layout.vintage)


def _read_sav(path) -> RawTable:
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(str(path), user_missing=True, apply_value_formats=False)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise RawDataError(f"not a readable SPSS .sav file ({exc})", path=path) from None
    if df.shape[1] == 0:
        raise RawDataError("the file holds no variables", path=path)
    value_labels = {
        col: meta.value_labels.get(name, {})
        for col, name in meta.variable_to_label.items()
    }
    user_missing = {}
    for col, spec in (meta.missing_ranges or {}).items():
        codes = set()
        for rng in spec:
            lo, hi = rng.get("lo"), rng.get("hi")
            if lo == hi:
                codes.add(lo)
            else:
                codes.add((lo, hi))
        user_missing[col] = codes
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col].dtype):
            s = df[col].astype(object)
            mask = s.notna()
            stripped = s[mask].astype(str).str.strip()
            s[mask] = stripped.where(stripped != "", None)
            df[col] = s
    return RawTable(
        data=df, path=Path(path), format="sav", first_row=1, row_word="case",
        column_labels=dict(zip(meta.column_names, meta.column_labels or [])),
        value_labels=value_labels, user_missing=user_missing,
    )


def read_raw(path, *, format="auto", encoding=None, delimiter=None, sheet=None, header_rows=None) -> RawTable:
    """Read a raw export without changing it.

    Parameters
    ----------
    path : str or Path
    format : {"auto", "csv", "xlsx", "sav", "qualtrics"}
    encoding, delimiter : str, optional
        Overrides for text files (otherwise detected).
    sheet : str or int, optional
        Excel sheet (default: the first).
    header_rows : int, optional
        Header rows of a CSV or Excel export (default: 1, or 2 for a detected
        SurveyMonkey export); ignored for Qualtrics and SPSS.

    Returns
    -------
    RawTable

    Raises
    ------
    RawDataError
        File missing, empty, unreadable, or with an unusable header.
    """
    path = Path(path)
    check_argument("format", ("auto", "csv", "xlsx", "sav", "qualtrics"), format)
    if not path.is_file():
        raise RawDataError(
            "raw file not found", path=path,
            hint="put the export in the raw folder (or pass --data-dir) and check source.file in the codebook",
        )
    size = path.stat().st_size
    if size == 0:
        raise RawDataError("the file is empty", path=path, hint="export the round again")
    if size > MAX_RAW_BYTES:
        raise RawDataError(f"the file is {size / 1e6:.0f} MB; supported are raw files up to "
                           f"{MAX_RAW_BYTES / 1e6:.0f} MB ({MAX_RESPONDENTS:,} respondents)", path=path,
                           hint="export only the columns the codebook uses, or split the round")
    fmt = detect_format(path) if format == "auto" else format
    if fmt == "sav":
        table = _read_sav(path)
    elif fmt == "xlsx":
        table = _read_xlsx(path, sheet=sheet, header_rows=header_rows)
    else:
        table = _read_csv(path, encoding=encoding, delimiter=delimiter, qualtrics=fmt == "qualtrics",
                          header_rows=None if fmt == "qualtrics" else header_rows)
    if len(table.data) == 0:
        raise RawDataError("the file has a header but no respondents", path=path,
                           hint="export the round again with the responses")
    if len(table.data) > MAX_RESPONDENTS:
        raise RawDataError(f"the file has {len(table.data):,} respondents; supported are up to "
                           f"{MAX_RESPONDENTS:,}", path=path, hint="split the round, or ask for a larger limit")
    return table
