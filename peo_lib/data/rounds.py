"""A survey round: codebook + raw export -> recoded, validated tables.

``load_round`` is the only place where raw cells become codes. Items become
float codes (NaN = missing); a *missing code* (``Weet ik niet``, ``N.v.t.``)
is also NaN in ``items`` but keeps its reason in ``missing``, so the base of
every percentage excludes it while reports can still show it beside the bars.
Anything that is neither a value, a missing code nor blank is an error that
names file, column, row and value.

Recoding works on the *distinct* values of a column (``pd.factorize``), so a
100,000-row column with five labels costs five dictionary look-ups.
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

__all__ = ["Round", "load_round", "load_rounds", "recode_codes", "EXPERIENCE_GROUPS", "round_from_table"]

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
        Things a researcher should look at (see ``peo check``).
    unused_columns : list of str
        Columns in the raw file that the codebook does not use.
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
    warnings: list = field(default_factory=list)
    unused_columns: list = field(default_factory=list)

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
                 column: str = "?", what: str = "response set"):
    """Map raw cells to codes and missing reasons.

    Parameters
    ----------
    values : Series
        Raw cells of one column (codes, labels, blanks).
    labels, missing : dict
        ``{code: label}`` for valid answers and for missing-with-reason.
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
    u_code = np.full(len(uniques) + 1, np.nan)
    u_reason = np.full(len(uniques) + 1, -1, dtype=np.int8)
    for j, u in enumerate(uniques):
        if isinstance(u, str) and not u.strip():
            fact = np.where(fact == j, -1, fact)  # a blank string is a blank cell
            continue
        num = _as_number(u)
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
                _raise_unmapped(s, pos, labels, missing, table, column, what)
    # index -1 (blank) takes the trailing NaN / -1 slot
    return u_code[fact], u_reason[fact]


def _raise_unmapped(s, pos, labels, missing, table, column, what):
    value = s.iloc[pos]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    allowed = ", ".join(f"{c}={lab}" for c, lab in {**labels, **missing}.items())
    hint = f"allowed codes or labels: {allowed}"
    if table is not None and table.user_missing.get(column):
        hint += "; SPSS declares user-missing codes here: add them to the response set's 'missing'"
    row = table.row_number(pos) if table is not None else pos
    raise RawDataError(
        f"value is not in the {what}", path=table.path if table is not None else None,
        column=column, row=f"{row}" if table is None or table.row_word == "row" else f"{row} (case)",
        value=value, hint=hint,
    )


def _numbers(s: pd.Series, *, table, column, missing: dict) -> np.ndarray:
    """Numeric background cells; Dutch decimal comma accepted, missing codes -> NaN."""
    if s.dtype.kind in "iuf":
        v = s.to_numpy(dtype=float)
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
    needed = _check_columns(cb, table)
    index = _respondent_index(cb, table)
    X, items, missing = _recode_items(cb, table, index)
    background = _recode_background(cb, table, index)
    warn = _add_experience_group(background, cb, index)
    open_answers = pd.DataFrame(
        {k: _texts(df[q.column]) for k, q in cb.open_questions.items()},
        index=index, columns=list(cb.open_questions), dtype=object,
    )
    warn += _unanswered_warnings(cb, X, missing)
    used = set(needed)
    unused = [str(c) for c in df.columns if c not in used]
    return Round(
        id=cb.round, codebook=cb, items=items, missing=missing, background=background,
        open_answers=open_answers, raw_path=table.path, raw_sha256=raw_sha256, raw_format=table.format,
        raw_encoding=table.encoding, raw_delimiter=table.delimiter, warnings=warn, unused_columns=unused,
    )


def _check_columns(cb: Codebook, table: RawTable) -> dict:
    """``{column: codebook key}`` of every column the codebook uses; all absent ones raise at once."""
    df = table.data
    needed = {cb.respondent_id: "respondent_id"}
    needed.update({it.column: f"items.{k}" for k, it in cb.items.items()})
    needed.update({b.column: f"background.{k}" for k, b in cb.background.items()})
    needed.update({o.column: f"open_questions.{k}" for k, o in cb.open_questions.items()})
    absent = [c for c in needed if c not in df.columns]
    if absent:
        parts = []
        for c in absent[:8]:
            close = difflib.get_close_matches(c, [str(x) for x in df.columns], n=1)
            parts.append(f"{c!r} ({needed[c]}{', did you mean ' + repr(close[0]) + '?' if close else ''})")
        more = f" and {len(absent) - 8} more" if len(absent) > 8 else ""
        raise RawDataError(
            f"{len(absent)} column(s) named in the codebook are not in the file: "
            + ", ".join(parts) + more,
            path=table.path, hint=f"fix the column names in {cb.path or 'the codebook'}",
        )
    return needed


def _respondent_index(cb: Codebook, table: RawTable) -> pd.Index:
    """The respondent ids as a unique string index; blank or duplicate ids raise."""
    ids = table.data[cb.respondent_id]
    blank = ids.isna()
    if blank.any():
        pos = int(np.flatnonzero(blank.to_numpy())[0])
        raise RawDataError("respondent id is blank", path=table.path, column=cb.respondent_id,
                           row=table.row_number(pos), hint="every row needs a respondent id")
    if ids.dtype.kind == "f" and np.all(np.mod(ids.to_numpy(), 1) == 0):
        ids = ids.astype("int64").astype(str)  # SPSS/Excel numeric ids: 17.0 -> "17"
    else:
        ids = ids.astype(str)  # text readers already stripped the cells
    index = pd.Index(ids.to_numpy(dtype=object), name="respondent")
    if not index.is_unique:  # the hash table is kept by the index for later look-ups
        _raise_duplicate_ids(cb, table, ids)
    return index


def _raise_duplicate_ids(cb: Codebook, table: RawTable, ids: pd.Series):
    """Raise the error naming the first duplicated respondent id and its rows."""
    dup = ids.duplicated(keep=False).to_numpy()
    positions = np.flatnonzero(dup)
    first = ids.iloc[positions[0]]
    rows = [table.row_number(p) for p in positions if ids.iloc[p] == first]
    n_ids = ids[dup].nunique()
    raise RawDataError(
        f"duplicate respondent id {first!r} in rows {rows}"
        + (f" ({n_ids} ids are duplicated in all)" if n_ids > 1 else ""),
        path=table.path, column=cb.respondent_id,
        hint="remove double submissions from the export (keep the raw file unchanged: fix the export)",
    )


def _recode_items(cb: Codebook, table: RawTable, index: pd.Index):
    """Recode every item: ``(X, items, missing)`` with ``X`` the item-major code block."""
    df = table.data
    # Item-major block (k x n): pandas keeps a float frame as one such block, so
    # DataFrame(X.T) and later .to_numpy().T are views, not copies.
    X = np.empty((len(cb.items), len(index)))
    reasons = {}
    reason_dtypes: dict[str, pd.CategoricalDtype] = {}
    for k, (item_id, item) in enumerate(cb.items.items()):
        rs = cb.response_sets[item.response_set]
        c, r = recode_codes(df[item.column], rs.values, rs.missing, table=table, column=item.column,
                            what=f"response set {item.response_set!r} of item {item_id}")
        X[k] = c
        dtype = reason_dtypes.get(item.response_set)
        if dtype is None:  # one dtype per response set: building categories is the slow part
            dtype = reason_dtypes[item.response_set] = pd.CategoricalDtype(list(rs.missing.values()))
        reasons[item_id] = pd.Categorical.from_codes(r, dtype=dtype, validate=False)
    items = pd.DataFrame(X.T, index=index, columns=list(cb.items), copy=False)
    missing = pd.DataFrame(reasons, index=index, columns=list(cb.items))
    return X, items, missing


def _recode_background(cb: Codebook, table: RawTable, index: pd.Index) -> pd.DataFrame:
    """Background variables: numbers as floats, the others as categoricals with their labels."""
    bg = {}
    for key, var in cb.background.items():
        s = table.data[var.column]
        if var.kind == "number":
            bg[key] = pd.Series(_numbers(s, table=table, column=var.column, missing=var.missing), index=index)
        else:
            bg[key] = _categorical_background(key, var, s, table, index)
    return pd.DataFrame(bg, index=index)


def _categorical_background(key, var, s: pd.Series, table: RawTable, index: pd.Index) -> pd.Series:
    """One categorical background variable, categories in codebook order."""
    labels = var.values or {}
    c, _ = recode_codes(s, labels, var.missing, table=table, column=var.column,
                        what=f"values of background.{key}")
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
            warn.append(f"ervaring_jaren: {int(neg)} negative value(s)")
    else:
        background[EXPERIENCE_COLUMN] = pd.Categorical.from_codes(
            np.full(len(index), -1), categories=EXPERIENCE_GROUPS, ordered=True)
        warn.append("no background.ervaring_jaren: ervaringsgroep (startend/ervaren) is unknown for everyone")
    return warn


def _unanswered_warnings(cb: Codebook, X: np.ndarray, missing: pd.DataFrame) -> list:
    """One warning per item without any valid answer."""
    warn = []
    unanswered = np.isnan(X).all(axis=1)
    for item_id in np.asarray(list(cb.items), dtype=object)[unanswered]:
        n_reason = int(missing[item_id].notna().sum())
        warn.append(f"item {item_id}: no valid answers"
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
                     delimiter=cb.source.delimiter, sheet=cb.source.sheet)
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
