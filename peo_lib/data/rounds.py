"""A survey round: codebook + raw export -> recoded, validated tables.

``load_round`` is the only place where raw cells become codes. Items become
float codes (NaN = missing); a *missing code* (``Weet ik niet``, ``N.v.t.``)
is also NaN in ``items`` but keeps its reason in ``missing``, so the base of
every percentage excludes it while reports can still show it beside the bars.
Anything that is neither a value, a missing code nor blank is an error that
names file, column, row and value.

Recoding works on the *distinct* values of a column (``pd.factorize``), so a
100,000-row column with five labels costs five dictionary look-ups.

Decisions
---------
* Respondents: the ``respondent_id`` column (unique, never blank), or without
  it the case numbers ``"1"``, ``"2"``, ... in file order (as SPSS numbers
  cases). Ids are strings either way (a numeric id 17.0 becomes ``"17"``).
* Columns are found as the codebook module describes (exact, then whitespace-
  normalised, then case-insensitive, or ``#N`` by position).
* SPSS user-missing codes (``RawTable.user_missing``) are missing in every
  column, items and background alike. A declared code the codebook lists as
  ``missing`` keeps the codebook's reason; one it does not list counts as
  blank, with a ``[user_missing]`` warning; one it lists as a *value* stays a
  value (the codebook is explicit), with a ``[user_missing_as_value]`` warning.
* Every warning starts with its key in brackets (``[unused_columns] ...``), the
  key a codebook's ``acknowledged`` list names (see ``peo check``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from peo_lib.data.codebook import Codebook, compare_codebooks, normalise_label, read_codebook
from peo_lib.errors import CodebookError, RawDataError
from peo_lib.data.readers import RawTable, read_raw, sha256_file
from peo_lib.vocab import EXPERIENCE

__all__ = ["Round", "load_round", "load_rounds", "recode_codes", "EXPERIENCE_GROUPS", "round_from_table",
           "resolve_columns"]

EXPERIENCE_COLUMN = EXPERIENCE  # (peo_lib.vocab)
EXPERIENCE_GROUPS = ["startend", "ervaren"]
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


@dataclass
class Round:
    """One recoded round. See design.md ("Library surface").

    Attributes
    ----------
    id : str
        Round id, e.g. ``"2021-1"``.
    codebook : Codebook
    items : DataFrame
        Index respondent id, columns item ids, float codes, NaN = missing.
    missing : DataFrame
        Same shape, categorical: the reason label where a missing code was
        given (``"Weet ik niet"``), else NaN.
    background : DataFrame
        Background variables (categorical with Dutch labels, or numbers) plus
        ``ervaringsgroep`` (``startend``/``ervaren``).
    open_answers : DataFrame
        Raw open answers. Never show these: scrub them first (privacy module).
    raw_path : Path
    raw_sha256 : str
    warnings : list of str
        Things a researcher should look at (see ``peo check``), each ``"[key] text"``.
    unused_columns : list of str
        Columns in the raw file that the codebook does not use.
    multiple_response : dict of DataFrame
        Question id -> respondent x option label: 1.0 ticked, 0.0 not ticked, NaN (the whole row)
        the respondent did not see or answer the question (:func:`recode_multiple_response`).
    """

    id: str
    codebook: Codebook
    items: pd.DataFrame
    missing: pd.DataFrame
    background: pd.DataFrame
    open_answers: pd.DataFrame
    raw_path: Path | None = None
    raw_sha256: str | None = None
    raw_format: str | None = None
    raw_encoding: str | None = None
    raw_delimiter: str | None = None
    raw_vintage: str | None = None
    warnings: list = field(default_factory=list)
    unused_columns: list = field(default_factory=list)
    multiple_response: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:  # keep reprs free of respondent data
        return (f"Round({self.id!r}, n={self.n}, items={self.items.shape[1]}, "
                f"scales={len(self.codebook.scales)}, theme={self.codebook.theme!r})")


# -- recoding -----------------------------------------------------------

def _as_number(value):
    """A cell as a float if it is a number ('4', '4.0', '4,5', 4), else None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip()
    if _NUMBER.match(text):
        return float(text.replace(",", "."))
    return None


def recode_codes(values, labels: dict, missing: dict, *, table: RawTable | None = None,
                 column: str = "?", what: str = "response set", codes: dict | None = None):
    """Map raw cells to codes and missing reasons.

    Parameters
    ----------
    values : Series
        Raw cells of one column (codes, labels, blanks).
    labels, missing : dict
        ``{code: label}`` for valid answers and for missing-with-reason.
    codes : dict, optional
        ``{text code: code}``: text answer codes of the export (LimeSurvey ``A1``).
    table : RawTable, optional
        Used to name file and row in errors.

    Returns
    -------
    codes : ndarray of float
        NaN for blank and missing-with-reason cells.
    reason : ndarray of int
        Index into ``list(missing.values())`` or -1.

    Raises
    ------
    RawDataError
        For the first cell that is neither blank, a code nor a label.
    """
    valid_codes = np.array(sorted(labels), dtype=float)
    miss_list = list(missing)
    s = pd.Series(values)
    if s.dtype.kind in "iufb" and s.dtype.kind != "b":
        v = s.to_numpy(dtype=float)
        codes = np.where(np.isin(v, valid_codes), v, np.nan)
        reason = np.full(len(v), -1, dtype=np.int8)
        for k, code in enumerate(miss_list):
            reason[v == code] = k
        bad = ~np.isnan(v) & np.isnan(codes) & (reason < 0)
        if bad.any():
            _raise_unmapped(s, np.flatnonzero(bad)[0], labels, missing, table, column, what)
        return codes, reason
    if isinstance(s.dtype, pd.CategoricalDtype):  # text readers: no hashing needed
        fact, uniques = s.cat.codes.to_numpy(), s.cat.categories
    else:
        fact, uniques = pd.factorize(s, use_na_sentinel=True)
    by_label = {normalise_label(lab): float(c) for c, lab in labels.items()}
    miss_by_label = {normalise_label(lab): k for k, lab in enumerate(missing.values())}
    miss_by_code = {float(c): k for k, c in enumerate(miss_list)}
    valid = set(by_label.values())
    by_text_code = {normalise_label(t): float(c) for t, c in (codes or {}).items()}
    u_code = np.full(len(uniques) + 1, np.nan)
    u_reason = np.full(len(uniques) + 1, -1, dtype=np.int8)
    for j, u in enumerate(uniques):
        if isinstance(u, str) and not u.strip():
            fact = np.where(fact == j, -1, fact)  # a blank string is a blank cell
            continue
        num = by_text_code.get(normalise_label(u)) if by_text_code else None
        num = _as_number(u) if num is None else num
        if num is not None and num in valid:
            u_code[j] = num
        elif num is not None and num in miss_by_code:
            u_reason[j] = miss_by_code[num]
        else:
            key = normalise_label(u)
            if key in by_label:
                u_code[j] = by_label[key]
            elif key in miss_by_label:
                u_reason[j] = miss_by_label[key]
            else:
                pos = int(np.flatnonzero(fact == j)[0])
                _raise_unmapped(s, pos, labels, missing, table, column, what, codes)
    # index -1 (blank) takes the trailing NaN / -1 slot
    return u_code[fact], u_reason[fact]


def _raise_unmapped(s, pos, labels, missing, table, column, what, codes=None):
    value = s.iloc[pos]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    allowed = ", ".join(f"{c}={lab}" for c, lab in {**labels, **missing}.items())
    if codes:
        allowed += " (text codes: " + ", ".join(f"{t}={c}" for t, c in codes.items()) + ")"
    hint = f"allowed codes or labels: {allowed}; add the code or label to the codebook (a missing code to "
    hint += "'missing'), never change the raw file"
    row = table.row_number(pos) if table is not None else pos
    raise RawDataError(
        f"value is not in the {what}", path=table.path if table is not None else None,
        column=column, row=f"{row}" if table is None or table.row_word == "row" else f"{row} (case)",
        value=value, hint=hint,
    )


def _numbers(s: pd.Series, *, table, column, missing: dict) -> np.ndarray:
    """Numeric background cells; Dutch decimal comma accepted, missing codes -> NaN."""
    if s.dtype.kind in "iuf":
        v = s.to_numpy(dtype=float, copy=True)  # never write into the table read from the file
    else:
        fact, uniques = pd.factorize(s, use_na_sentinel=True)
        u = np.full(len(uniques) + 1, np.nan)
        miss_labels = {normalise_label(x) for x in missing.values()}
        for j, value in enumerate(uniques):
            num = _as_number(value)
            if num is None:
                if normalise_label(value) in miss_labels:
                    continue
                pos = int(np.flatnonzero(fact == j)[0])
                raise RawDataError(
                    "not a number", path=table.path, column=column, row=table.row_number(pos),
                    value=value, hint="numbers may use a decimal comma (3,5) or point (3.5)",
                )
            u[j] = num
        v = u[fact]
    for code in missing:
        v[v == code] = np.nan
    return v


def _texts(s: pd.Series) -> np.ndarray:
    """Open answers as an object array of str / None."""
    values = s.astype(object).to_numpy()
    return np.array([None if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == ""
                     else str(v).strip() for v in values], dtype=object)


def round_from_table(cb: Codebook, table: RawTable, *, raw_sha256: str | None = None) -> Round:
    """Recode a :class:`RawTable` with a codebook (used by :func:`load_round`)."""
    df = table.data
    col_of = resolve_columns(cb, table)
    index = _respondent_index(cb, table, col_of)
    um = _UserMissing(table)
    X, items, missing = _recode_items(cb, table, index, col_of, um)
    background = _recode_background(cb, table, index, col_of, um)
    warn = _add_experience_group(background, cb, index)
    open_answers = pd.DataFrame(
        {k: _texts(df[col_of[q.column]]) for k, q in cb.open_questions.items()},
        index=index, columns=list(cb.open_questions), dtype=object,
    )
    multi = {k: recode_multiple_response(mr, {c: df[col_of[c]] for c in mr.columns}, index=index, table=table)
             for k, mr in cb.multiple_response.items()}
    warn += _unanswered_warnings(cb, X, missing) + um.warnings()
    used = set(col_of.values())
    unused = [str(c) for c in df.columns if c not in used]
    return Round(
        id=cb.round, codebook=cb, items=items, missing=missing, background=background,
        open_answers=open_answers, raw_path=table.path, raw_sha256=raw_sha256, raw_format=table.format,
        raw_encoding=table.encoding, raw_delimiter=table.delimiter, raw_vintage=_vintage(table), warnings=warn,
        unused_columns=unused, multiple_response=multi,
    )


#: Cells of a one-column-per-option question that mean "ticked" / "seen, not ticked" (compared as labels).
TICKED = ("1", "y", "yes", "ja", "true", "x", "checked")
NOT_TICKED = ("0", "n", "no", "nee", "false")


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())


def _cell_key(v) -> str:
    """A cell as text for matching: ``1.0`` -> ``"1"``, labels as :func:`normalise_label`."""
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and float(v).is_integer():
        return str(int(v))
    return normalise_label(v)


def recode_multiple_response(mr, cells: dict, *, index: pd.Index, table: RawTable | None = None) -> pd.DataFrame:
    """A multiple-response question as respondent x option (1.0 ticked, 0.0 not, NaN not seen).

    ``cells``: codebook column -> the file's Series. A respondent saw the question when any cell
    is not blank (module docs of :mod:`peo_lib.data.codebook`); any value that is neither ticked,
    not ticked nor (one column) a code or label of ``values`` raises :class:`RawDataError`.
    """
    n = len(index)
    out = np.zeros((n, len(mr.labels)))
    seen = np.zeros(n, dtype=bool)
    if mr.options is not None:
        for j, (column, label) in enumerate(mr.options.items()):
            ticked = {_cell_key(t) for t in (mr.ticked or TICKED)} | {normalise_label(label)}
            for pos, v in enumerate(cells[column].astype(object).to_numpy()):
                if _blank(v):
                    continue
                key = _cell_key(v)
                if key in ticked:
                    out[pos, j] = 1.0
                elif key not in NOT_TICKED:
                    _raise_unticked(table, column, pos, v, ticked)
                seen[pos] = True
    else:
        lookup = {str(c): j for j, c in enumerate(mr.values)}
        lookup.update({normalise_label(lab): j for j, lab in enumerate(mr.values.values())})
        for pos, v in enumerate(cells[mr.column].astype(object).to_numpy()):
            if _blank(v):
                continue
            parts = [v] if not isinstance(v, str) else [x for x in v.split(mr.separator) if x.strip()]
            for part in parts:
                j = lookup.get(_cell_key(part))
                if j is None:
                    _raise_unticked(table, mr.column, pos, part, set(lookup))
                out[pos, j] = 1.0
            seen[pos] = True
    out[~seen] = np.nan
    return pd.DataFrame(out, index=index, columns=mr.labels)


def _raise_unticked(table, column, pos, value, allowed):
    row = table.row_number(pos) if table is not None else pos + 1
    raise RawDataError("value is not an option of the multiple-response question",
                       path=None if table is None else table.path, column=column, row=row, value=value,
                       hint=f"allowed: {', '.join(sorted(map(str, allowed)))} or {', '.join(NOT_TICKED)} or blank; "
                       "add the value to `ticked` or `values` in the codebook, never change the raw file")


def _vintage(table: RawTable) -> str | None:
    """What ``peo check`` says about the file's layout beyond its format (legacy Qualtrics, header rows)."""
    parts = [table.vintage] if table.vintage else []
    if table.header_rows > 1 and table.format != "qualtrics":
        parts.append(f"{table.header_rows} header rows")
    return ", ".join(parts) or None


_POSITION = re.compile(r"^#(\d+)$")


def _column_finder(columns: list[str]):
    """A function: codebook column -> the file's column or None (exact, whitespace, case, ``#N``)."""
    exact = set(columns)
    by_space, by_label = {}, {}
    for c in columns:
        by_space.setdefault(" ".join(c.split()), []).append(c)
        by_label.setdefault(normalise_label(c), []).append(c)

    def find(want: str):
        if want in exact:
            return want
        for table, key in ((by_space, " ".join(want.split())), (by_label, normalise_label(want))):
            hits = table.get(key, [])
            if len(hits) == 1:
                return hits[0]
        pos = _POSITION.match(want.strip())
        if pos and 1 <= int(pos.group(1)) <= len(columns):
            return columns[int(pos.group(1)) - 1]
        return None

    return find


def _codebook_columns(cb: Codebook) -> dict:
    """``{column as written in the codebook: codebook key}``."""
    needed = {cb.respondent_id: "respondent_id"} if cb.respondent_id else {}
    needed.update({it.column: f"items.{k}" for k, it in cb.items.items()})
    needed.update({b.column: f"background.{k}" for k, b in cb.background.items()})
    needed.update({o.column: f"open_questions.{k}" for k, o in cb.open_questions.items()})
    needed.update({c: f"multiple_response.{k}" for k, mr in cb.multiple_response.items() for c in mr.columns})
    return needed


def resolve_columns(cb: Codebook, table: RawTable) -> dict:
    """``{codebook column: file column}`` of every column the codebook uses; all absent ones raise at once."""
    columns = [str(x) for x in table.data.columns]
    needed = _codebook_columns(cb)
    find = _column_finder(columns)
    found = {c: find(c) for c in needed}
    absent = [c for c, hit in found.items() if hit is None]
    if absent:
        parts = []
        for c in absent[:8]:
            close = difflib.get_close_matches(c, columns, n=1)
            parts.append(f"{c!r} ({needed[c]}{', did you mean ' + repr(close[0]) + '?' if close else ''})")
        more = f" and {len(absent) - 8} more" if len(absent) > 8 else ""
        raise RawDataError(
            f"{len(absent)} column(s) named in the codebook are not in the file: "
            + ", ".join(parts) + more,
            path=table.path, hint=f"fix the column names in {cb.path or 'the codebook'} (or name a column by "
            "its position, e.g. \"#12\" for the 12th)",
        )
    owner = {}
    for c, hit in found.items():
        if hit in owner:
            raise RawDataError(f"{needed[owner[hit]]} ({owner[hit]!r}) and {needed[c]} ({c!r}) are the same column "
                               "of the file", path=table.path, column=hit,
                               hint=f"give each a different column in {cb.path or 'the codebook'}")
        owner[hit] = c
    return found


def _respondent_index(cb: Codebook, table: RawTable, col_of: dict) -> pd.Index:
    """The respondent ids as a unique string index (case numbers without ``respondent_id``)."""
    if not cb.respondent_id:
        return pd.Index([str(k) for k in range(1, len(table.data) + 1)], dtype=object, name="respondent")
    column = col_of[cb.respondent_id]
    ids = table.data[column]
    blank = ids.isna()
    if blank.any():
        pos = int(np.flatnonzero(blank.to_numpy())[0])
        raise RawDataError("respondent id is blank", path=table.path, column=column,
                           row=table.row_number(pos), hint="every row needs a respondent id; without an id "
                           "column leave respondent_id out of the codebook (respondents are then numbered by row)")
    if ids.dtype.kind == "f" and np.all(np.mod(ids.to_numpy(), 1) == 0):
        ids = ids.astype("int64").astype(str)  # SPSS/Excel numeric ids: 17.0 -> "17"
    else:
        ids = ids.astype(str)  # text readers already stripped the cells
    index = pd.Index(ids.to_numpy(dtype=object), name="respondent")
    if not index.is_unique:  # the hash table is kept by the index for later look-ups
        _raise_duplicate_ids(table, ids, column)
    return index


def _raise_duplicate_ids(table: RawTable, ids: pd.Series, column: str):
    """Raise the error naming the first repeated value and its rows: the column is not a respondent id."""
    dup = ids.duplicated(keep=False).to_numpy()
    positions = np.flatnonzero(dup)
    first = ids.iloc[positions[0]]
    rows = [table.row_number(p) for p in positions if ids.iloc[p] == first]
    n_ids = ids[dup].nunique()
    raise RawDataError(
        f"respondent_id: the column has repeated values ({first!r} in rows {rows}"
        + (f"; {n_ids} values repeat in all" if n_ids > 1 else "") + "), so it is not a respondent id",
        path=table.path, column=column,
        hint="leave respondent_id out of the codebook: respondents are then numbered by row (1, 2, ... in file "
             "order); if the repeats are double submissions, remove them in the survey tool and export again, "
             "never in the raw file",
    )


class _UserMissing:
    """The file's user-missing declarations (SPSS), applied to each column; collects what the codebook lacks."""

    def __init__(self, table: RawTable):
        self.declared = table.user_missing or {}
        self.unlisted: dict[str, tuple[int, set]] = {}   # codebook key -> (cells, codes)
        self.as_value: dict[str, set] = {}

    def apply(self, key: str, column: str, s: pd.Series, listed_values, listed_missing) -> pd.Series:
        """``s`` with declared user-missing codes blanked unless the codebook lists them."""
        spec = self.declared.get(column)
        if not spec or s.dtype.kind not in "iuf":
            return s
        v = s.to_numpy(dtype=float)
        hit = np.zeros(len(v), dtype=bool)
        for code in spec:
            lo, hi = code if isinstance(code, tuple) else (code, code)
            hit |= (v >= float(lo)) & (v <= float(hi))
        values = np.isin(v, np.array(sorted(listed_values), dtype=float))
        listed = values | np.isin(v, np.array(sorted(listed_missing), dtype=float))
        if (hit & values).any():
            self.as_value[key] = set(v[hit & values].tolist())
        blank = hit & ~listed
        if not blank.any():
            return s
        self.unlisted[key] = (int(blank.sum()), set(v[blank].tolist()))
        return pd.Series(np.where(blank, np.nan, v), index=s.index, name=s.name)

    def warnings(self) -> list:
        out = []
        if self.unlisted:
            keys = list(self.unlisted)
            cells = sum(n for n, _ in self.unlisted.values())
            codes = sorted({_code_text(c) for _, cs in self.unlisted.values() for c in cs}, key=float)
            out.append(f"[user_missing] {cells} answer(s) of {len(keys)} question(s) ({', '.join(keys[:6])}"
                       + (", ..." if len(keys) > 6 else "") + f") hold SPSS user-missing code(s) {', '.join(codes)} "
                       "that the codebook does not list: counted as blank; add them to 'missing' to show a reason")
        for key, codes in self.as_value.items():
            out.append(f"[user_missing_as_value:{key}] {key}: code(s) {', '.join(_code_text(c) for c in sorted(codes))} "
                       "are declared user-missing in the .sav but are values in the codebook: counted as answers")
        return out


def _code_text(code: float) -> str:
    return str(int(code)) if float(code).is_integer() else str(code)


def _recode_items(cb: Codebook, table: RawTable, index: pd.Index, col_of: dict, um: _UserMissing):
    """Recode every item: ``(X, items, missing)`` with ``X`` the item-major code block."""
    df = table.data
    # Item-major block (k x n): pandas keeps a float frame as one such block, so
    # DataFrame(X.T) and later .to_numpy().T are views, not copies.
    X = np.empty((len(cb.items), len(index)))
    reasons = {}
    reason_dtypes: dict[str, pd.CategoricalDtype] = {}
    for k, (item_id, item) in enumerate(cb.items.items()):
        rs = cb.response_sets[item.response_set]
        column = col_of[item.column]
        cells = um.apply(item_id, column, df[column], rs.values, rs.missing)
        c, r = recode_codes(cells, rs.values, rs.missing, table=table, column=column,
                            what=f"response set {item.response_set!r} of item {item_id}", codes=rs.codes)
        X[k] = c
        dtype = reason_dtypes.get(item.response_set)
        if dtype is None:  # one dtype per response set: building categories is the slow part
            dtype = reason_dtypes[item.response_set] = pd.CategoricalDtype(list(rs.missing.values()))
        reasons[item_id] = pd.Categorical.from_codes(r, dtype=dtype, validate=False)
    items = pd.DataFrame(X.T, index=index, columns=list(cb.items), copy=False)
    missing = pd.DataFrame(reasons, index=index, columns=list(cb.items))
    return X, items, missing


def _recode_background(cb: Codebook, table: RawTable, index: pd.Index, col_of: dict,
                       um: _UserMissing) -> pd.DataFrame:
    """Background variables: numbers as floats, the others as categoricals with their labels."""
    bg = {}
    for key, var in cb.background.items():
        column = col_of[var.column]
        s = um.apply(f"background.{key}", column, table.data[column], (var.values or {}) if var.kind != "number"
                     else (), var.missing)
        if var.kind == "number":
            bg[key] = pd.Series(_numbers(s, table=table, column=column, missing=var.missing), index=index)
        else:
            bg[key] = _categorical_background(key, var, s, table, index, column)
    return pd.DataFrame(bg, index=index)


def _categorical_background(key, var, s: pd.Series, table: RawTable, index: pd.Index, column: str) -> pd.Series:
    """One categorical background variable, categories in codebook order."""
    labels = var.values or {}
    c, _ = recode_codes(s, labels, var.missing, table=table, column=column,
                        what=f"values of background.{key}", codes=var.codes)
    order = list(labels)
    idx = np.full(len(c), -1, dtype=np.int64)
    pos = {float(code): k for k, code in enumerate(order)}
    ok = ~np.isnan(c)
    idx[ok] = [pos[x] for x in c[ok]]
    return pd.Series(pd.Categorical.from_codes(idx, categories=list(labels.values())), index=index)


def _add_experience_group(background: pd.DataFrame, cb: Codebook, index: pd.Index) -> list:
    """Add ``ervaringsgroep`` (startend/ervaren) from ``ervaring_jaren`` in place; returns warnings."""
    warn = []
    if "ervaring_jaren" in background:
        years = background["ervaring_jaren"].to_numpy(dtype=float)
        group = np.where(np.isnan(years), -1, np.where(years <= cb.starter_max_years, 0, 1))
        background[EXPERIENCE_COLUMN] = pd.Categorical.from_codes(group, categories=EXPERIENCE_GROUPS,
                                                                  ordered=True)
        neg = np.nansum(years < 0)
        if neg:
            warn.append(f"[negative_years] ervaring_jaren: {int(neg)} negative value(s)")
    else:
        background[EXPERIENCE_COLUMN] = pd.Categorical.from_codes(
            np.full(len(index), -1), categories=EXPERIENCE_GROUPS, ordered=True)
        warn.append("[no_ervaring_jaren] no background.ervaring_jaren: ervaringsgroep (startend/ervaren) is "
                    "unknown for everyone")
    return warn


def _unanswered_warnings(cb: Codebook, X: np.ndarray, missing: pd.DataFrame) -> list:
    """One warning per item without any valid answer."""
    warn = []
    unanswered = np.isnan(X).all(axis=1)
    for item_id in np.asarray(list(cb.items), dtype=object)[unanswered]:
        n_reason = int(missing[item_id].notna().sum())
        warn.append(f"[unanswered:{item_id}] item {item_id}: no valid answers"
                    + (f" ({n_reason} gave a missing reason)" if n_reason else " (nobody answered)"))
    return warn


def load_round(codebook, raw_dir=None) -> Round:
    """Load one round: read its codebook and raw export, recode and validate.

    Parameters
    ----------
    codebook : str, Path or Codebook
        The round's YAML codebook (``data/codebooks/2021-1.yml``) or a parsed one.
    raw_dir : str or Path, optional
        Folder holding ``source.file``. Default: ``raw/`` beside the
        codebook folder (``data/codebooks`` -> ``data/raw``).

    Returns
    -------
    Round

    Raises
    ------
    CodebookError, RawDataError
        With file, key path or column/row/value and how to fix it.
    """
    cb = codebook if isinstance(codebook, Codebook) else read_codebook(codebook)
    if raw_dir is None:
        if cb.path is None:
            raise ValueError("raw_dir is required when the codebook was not read from a file")
        raw_dir = Path(cb.path).resolve().parent.parent / "raw"
    path = cb.raw_file(raw_dir)
    table = read_raw(path, format=cb.source.format, encoding=cb.source.encoding,
                     delimiter=cb.source.delimiter, sheet=cb.source.sheet, header_rows=cb.source.header_rows)
    return round_from_table(cb, table, raw_sha256=sha256_file(path))


def load_rounds(codebook_dir, raw_dir=None, *, rounds=None) -> dict[str, Round]:
    """Load several rounds, in time order, aligned on stable item ids.

    Parameters
    ----------
    codebook_dir : str or Path
        Folder of ``*.yml`` codebooks (``data/codebooks``), or a list of files.
    raw_dir : str or Path, optional
        Default: ``raw/`` beside the codebook folder.
    rounds : list of str, optional
        Only these round ids.

    Returns
    -------
    dict
        Round id -> :class:`Round`, oldest first. Item ids whose wording or
        response set changed between rounds raise a
        :class:`~peo_lib.data.codebook.CodebookChangeWarning`.
    """
    if isinstance(codebook_dir, (str, Path)) and Path(codebook_dir).is_dir():
        from peo_lib.paths import codebook_files

        files = codebook_files(folder=codebook_dir)
    else:
        files = [Path(f) for f in codebook_dir]
    cbs = [read_codebook(f) for f in files]
    seen = {}
    for cb in cbs:
        if cb.round in seen:
            raise CodebookError(cb.path, f"round: {cb.round!r} is also the round of {seen[cb.round]}")
        seen[cb.round] = cb.path
    if rounds is not None:
        unknown = sorted(set(rounds) - set(seen))
        if unknown:
            raise CodebookError(codebook_dir, f"no codebook for round(s) {unknown} "
                                              f"(available: {', '.join(sorted(seen)) or 'none'})")
        cbs = [cb for cb in cbs if cb.round in set(rounds)]
    cbs.sort(key=lambda c: c.round)
    compare_codebooks(cbs, warn=True)
    return {cb.round: load_round(cb, raw_dir) for cb in cbs}
