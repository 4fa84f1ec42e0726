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
  sniffed among ``;``, ``,`` and tab from the header line. A file whose third
  line holds Qualtrics ``ImportId`` markers is read as a Qualtrics export
  (row 1 = column names, rows 2-3 = question text and import ids).
"""

from __future__ import annotations

import csv
import hashlib
import io as _io
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
        Column -> set of codes SPSS declares user-missing.
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


def _is_qualtrics(lines: list[str]) -> bool:
    return len(lines) >= 3 and '"ImportId"' in lines[2].replace('""', '"')


def detect_format(path) -> str:
    """Guess the format of a raw export from its suffix and first lines."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".sav":
        return "sav"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in TEXT_SUFFIXES:
        with open(path, "rb") as fh:
            head = fh.read(64 * 1024)
        try:
            text = head.decode("utf-8-sig", errors="replace")
        except Exception:  # pragma: no cover - replace never raises
            text = ""
        return "qualtrics" if _is_qualtrics(text.splitlines()) else "csv"
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


def _read_csv(path, *, encoding=None, delimiter=None, qualtrics=False) -> RawTable:
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
    skip = []
    first_row = 2
    if qualtrics:
        if not _is_qualtrics(lines):
            raise RawDataError(
                "not a complete Qualtrics export: line 3 should hold the ImportId markers "
                "(Qualtrics writes three header rows: names, question texts, import ids)",
                path=path, row=3,
                hint="export again from Qualtrics (CSV, 'use choice text' or numeric values), "
                "or set source.format: csv if the extra header rows were removed on purpose",
            )
        skip = [1, 2]
        first_row = 4
    try:
        df = pd.read_csv(
            _io.StringIO(text), sep=delim, dtype="category", keep_default_na=False,
            skiprows=skip, skipinitialspace=True, engine="c",
        )
    except pd.errors.ParserError as exc:
        raise RawDataError(
            f"cannot be parsed as {'tab' if delim == chr(9) else repr(delim)}-separated text ({' '.join(str(exc).split())})",
            path=path, hint="check the delimiter and quotes, or set source.delimiter in the codebook",
        ) from None
    _check_columns(df.columns, path=path, header=next(csv.reader(_io.StringIO(header), delimiter=delim), []))
    if len(df.columns) == 1 and len(lines) > 1:
        raise RawDataError(
            f"only one column found with delimiter {delim!r}", path=path, row=1,
            hint="set source.delimiter in the codebook",
        )
    column_labels = {}
    if qualtrics:
        second = next(csv.reader(_io.StringIO(lines[1]), delimiter=delim), [])
        column_labels = {c.strip(): t for c, t in zip(df.columns, second)}
    return RawTable(
        data=_clean_text_frame(df), path=Path(path), format="qualtrics" if qualtrics else "csv",
        first_row=first_row, encoding=enc, delimiter=delim, column_labels=column_labels,
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


def _read_xlsx(path, *, sheet=None) -> RawTable:
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
    header = ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in df.iloc[0]]
    df = df.iloc[1:].reset_index(drop=True)
    df.columns = [h if h else f"Unnamed: {k}" for k, h in enumerate(header)]
    _check_columns(df.columns, path=path, header=header)
    df.columns = [str(c).strip() for c in df.columns]
    for col in df.columns:
        s = df[col]
        is_str = s.map(lambda v: isinstance(v, str))
        if is_str.any():
            stripped = s[is_str].str.strip()
            s = s.copy()
            s[is_str] = stripped.where(stripped != "", None)
            df[col] = s
    return RawTable(data=df, path=Path(path), format="xlsx", first_row=2)


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
        if df[col].dtype == object:
            s = df[col]
            mask = s.notna()
            df[col] = s.where(~mask, s[mask].astype(str).str.strip()).replace("", None)
    return RawTable(
        data=df, path=Path(path), format="sav", first_row=1, row_word="case",
        column_labels=dict(zip(meta.column_names, meta.column_labels or [])),
        value_labels=value_labels, user_missing=user_missing,
    )


def read_raw(path, *, format="auto", encoding=None, delimiter=None, sheet=None) -> RawTable:
    """Read a raw export without changing it.

    Parameters
    ----------
    path : str or Path
    format : {"auto", "csv", "xlsx", "sav", "qualtrics"}
    encoding, delimiter : str, optional
        Overrides for text files (otherwise detected).
    sheet : str or int, optional
        Excel sheet (default: the first).

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
        table = _read_xlsx(path, sheet=sheet)
    else:
        table = _read_csv(path, encoding=encoding, delimiter=delimiter, qualtrics=fmt == "qualtrics")
    if len(table.data) == 0:
        raise RawDataError("the file has a header but no respondents", path=path,
                           hint="export the round again with the responses")
    if len(table.data) > MAX_RESPONDENTS:
        raise RawDataError(f"the file has {len(table.data):,} respondents; supported are up to "
                           f"{MAX_RESPONDENTS:,}", path=path, hint="split the round, or ask for a larger limit")
    return table
