"""Per-round count tables behind the dashboard, and their on-disk cache.

Each round is reduced once to count tables (breakdown group x subject x answer
category, plus sums and sums of squares for means): :func:`round_tables`.
They hold no respondent rows, so the dashboard never keeps individual answers
in memory after start-up. :func:`load_tables` caches them as pickles in the
private cache folder (``peo_lib.paths.cache_dir() / "dashboard"``, never in an
output folder, which may be published), keyed by codebook hash and raw-file
SHA-256, so a restart does not re-read the exports. An entry that is stale,
unreadable or written by an older version of this module is rebuilt.

Respondents whose group is unknown get an ``Onbekend`` group here (last);
whether it is shown is the model's decision (:mod:`peo_lib.dashboard.model`).
Every categorical background variable the codebook declares is a breakdown
(:data:`~peo_lib.vocab.BREAKDOWNS` first, in that order, then the others in
codebook order). Missing answers *with a reason* ("Weet ik niet", "Niet van
toepassing") are counted per group, subject and reason (``missing``), beside
the group sizes (``sizes``), so the dashboard can show them next to the bars
as the report does (share of everyone in the group).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from peo_lib.vocab import BREAKDOWNS, GROUP_LABELS, TOTAL_LABEL, UNKNOWN_LABEL

__all__ = ["RoundTables", "round_tables", "load_tables", "breakdown_options", "NO_BREAKDOWN"]

#: The breakdown key for "no breakdown": one group, the total.
NO_BREAKDOWN = "geen"
#: Part of every cache key. Bump it when RoundTables or its module path changes,
#: so a pickle written by an older version is never unpickled.
_CACHE_VERSION = 5


@dataclass
class RoundTables:
    """Aggregated counts of one round: everything the dashboard draws.

    No respondent rows: only counts per breakdown group x subject x answer
    category, and sums / sums of squares for means.

    Attributes
    ----------
    round_id, title, theme : str
    min_n : int
        ``privacy.min_n`` of the round.
    n : int
        Respondents.
    subjects : dict
        Subject key (``"item:PR01"``, ``"scale:werkplezier"``) -> dict with
        ``kind``, ``id``, ``label``, ``text``, ``block``, ``categories``
        (answer labels), ``codes``.
    groups : dict
        Breakdown -> list of group labels (``Onbekend`` last when present).
    counts : dict
        Breakdown -> int array (groups, subjects, categories).
    sums, sumsq : dict
        Breakdown -> float array (groups, subjects): sum and sum of squares of
        the valid values (item codes, unrounded scale scores).
    valid : dict
        Breakdown -> int array (groups, subjects): valid values behind sums.
    blocks : list of str
    missing : dict
        Breakdown -> int array (groups, subjects, reasons): missing answers
        with a reason; the reasons of a subject are its ``missing`` labels
        (``subjects[key]["missing"]``, empty for scales).
    sizes : dict
        Breakdown -> int array (groups,): respondents per group.
    banners : dict
        Block title -> wide banner table (:func:`peo_lib.report.banner_tables.banner_sheets`:
        suppressed column percentages with their letters), weighted as the report is.
    banner_weighting : str or None
        The weighting sentence of those banners (None: unweighted).
    multiple : DataFrame
        :func:`peo_lib.report.tables.multiple_response_table` (suppressed).
    grids : dict
        Grid id -> ``{"text", "items", "block"}``: the codebook's matrix questions (one
        overview each, titled with the question).
    weighted : dict or None
        With raking weights (``populatie.yml`` covers the round, as in the report): ``n_design``
        (respondents with a weight) and per breakdown the weighted sums the weighted percentages
        and the ``svymean`` intervals need: ``counts`` (groups, subjects, categories: sum of w),
        ``w``, ``wy``, ``w2``, ``w2y``, ``w2y2`` (groups, subjects: sums of w, w y, w^2, w^2 y,
        w^2 y^2 over the valid values). Sums over groups of respondents only, never a row.
    weighting : str or None
        The Dutch sentence saying to what the figures are weighted (None: unweighted).
    """

    round_id: str
    title: str
    theme: str
    min_n: int
    n: int
    subjects: dict
    groups: dict
    counts: dict
    sums: dict
    sumsq: dict
    valid: dict
    blocks: list = field(default_factory=list)
    missing: dict = field(default_factory=dict)
    sizes: dict = field(default_factory=dict)
    banners: dict = field(default_factory=dict)
    banner_weighting: str | None = None
    multiple: pd.DataFrame = field(default_factory=pd.DataFrame)
    grids: dict = field(default_factory=dict)
    weighted: dict | None = None
    weighting: str | None = None

    @property
    def subject_keys(self) -> list[str]:
        return list(self.subjects)

    def subject_index(self, key: str) -> int:
        return self._index()[key]

    def _index(self):
        idx = self.__dict__.get("_idx")
        if idx is None:
            idx = {k: i for i, k in enumerate(self.subjects)}
            self.__dict__["_idx"] = idx
        return idx

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_idx", None)
        return state


def _group_codes(rnd, breakdown: str):
    """Group labels and a code per respondent (unknown -> an ``Onbekend`` group)."""
    n = rnd.n
    if breakdown == NO_BREAKDOWN:
        return [TOTAL_LABEL], np.zeros(n, dtype=np.int64)
    col = rnd.background[breakdown]
    codes = col.cat.codes.to_numpy().astype(np.int64)
    labels = [GROUP_LABELS.get(str(c), str(c)) for c in col.cat.categories]
    if (codes < 0).any():
        codes = np.where(codes < 0, len(labels), codes)
        labels.append(UNKNOWN_LABEL)
    return labels, codes


def _subject_columns(rnd):
    """Subjects (scales first, then items), their values and their category index per respondent.

    Returns ``(subjects, columns, cat_idx)``: the subject metadata of
    :class:`RoundTables`, one float array of values per subject (item codes,
    unrounded scale scores) and one int array of category positions (-1: no
    valid value; a scale score is rounded to the nearest answer category).
    """
    from peo_lib.stats.scoring import score_scales

    cb = rnd.codebook
    subjects, columns, cat_idx = {}, [], []
    scores = score_scales(rnd) if cb.scales else pd.DataFrame(index=rnd.items.index)
    for scale_id, sc in cb.scales.items():
        rs = cb.response_set_of(sc.items[0])
        codes = sorted(rs.values)
        block = cb.items[sc.items[0]].block
        subjects[f"scale:{scale_id}"] = dict(kind="scale", id=scale_id, label=sc.label, text=sc.label,
                                             block=block, categories=[rs.values[c] for c in codes],
                                             codes=codes, items=list(sc.items),
                                             response_set=cb.items[sc.items[0]].response_set, missing=[])
        x = scores[scale_id].to_numpy(dtype=float)
        columns.append(x)
        rounded = np.floor(x + 0.5)
        cat_idx.append(np.where(np.isnan(x), -1, np.searchsorted(codes, np.clip(rounded, codes[0], codes[-1]))))
    for item_id, item in cb.items.items():
        rs = cb.response_sets[item.response_set]
        codes = sorted(rs.values)
        subjects[f"item:{item_id}"] = dict(kind="item", id=item_id, label=item_id, text=item.text,
                                           block=item.block, categories=[rs.values[c] for c in codes],
                                           codes=codes, response_set=item.response_set,
                                           missing=list(dict.fromkeys(rs.missing.values())))
        x = rnd.items[item_id].to_numpy(dtype=float)
        columns.append(x)
        pos = np.searchsorted(codes, np.nan_to_num(x, nan=codes[0]))
        pos = np.clip(pos, 0, len(codes) - 1)
        cat_idx.append(np.where(np.isnan(x), -1, pos))
    return subjects, columns, cat_idx


def _report_tables(rnd, weights) -> dict:
    """The report's own suppressed tables the dashboard shows as they are: banners, multiple response."""
    from peo_lib.report.banner_tables import banner_sheets, weighting_sentence
    from peo_lib.report.tables import multiple_response_table

    cb = rnd.codebook
    grids = {g: dict(text=grid.text, items=list(grid.items), block=cb.items[grid.items[0]].block)
             for g, grid in cb.grids.items()}
    return dict(banners=banner_sheets(rnd, weights=weights), banner_weighting=weighting_sentence(weights),
                multiple=multiple_response_table(rnd), grids=grids)


def round_tables(rnd) -> RoundTables:
    """Reduce a :class:`~peo_lib.data.rounds.Round` to the dashboard's count tables.

    Parameters
    ----------
    rnd : Round
        From :func:`peo_lib.load_round`.

    Returns
    -------
    RoundTables

    Notes
    -----
    One ``np.bincount`` per breakdown over (group, subject, category): about
    10 ms for 10,000 respondents x 40 items on a laptop.
    """
    if not hasattr(rnd, "items") or not hasattr(rnd, "codebook"):
        raise TypeError(f"expected a Round from load_round(), got {type(rnd).__name__}")
    cb = rnd.codebook
    subjects, columns, cat_idx = _subject_columns(rnd)
    S = len(subjects)
    K = max((len(s["categories"]) for s in subjects.values()), default=1)
    X = np.column_stack(columns) if columns else np.empty((rnd.n, 0))
    C = np.column_stack(cat_idx).astype(np.int64) if cat_idx else np.empty((rnd.n, 0), dtype=np.int64)
    ok = C >= 0
    Xz = np.where(ok, X, 0.0)
    subj = np.broadcast_to(np.arange(S), C.shape)
    Mi = _missing_index(rnd, subjects)
    M = max((len(s["missing"]) for s in subjects.values()), default=0) or 1
    has_reason = Mi >= 0
    from peo_lib.paths import data_dir_of
    from peo_lib.report.banner_tables import weighting_sentence
    from peo_lib.stats.weighting import round_weights

    weights = round_weights(rnd, data_dir=data_dir_of(rnd))  # the report's one rule for "weighted"
    if weights is not None:
        wv = weights.reindex(rnd.items.index).to_numpy(dtype=float)
        wz = np.where(np.isfinite(wv), wv, 0.0)[:, None] * ok  # respondent x subject: w where a valid value
        weighted = {"n_design": int(np.isfinite(wv).sum()), **{k: {} for k in ("counts", "w", "wy", "w2", "w2y", "w2y2")}}
    groups, counts, sums, sumsq, valid, missing, sizes = {}, {}, {}, {}, {}, {}, {}
    for b in breakdown_options(rnd):
        labels, g = _group_codes(rnd, b)
        G = len(labels)
        gs = g[:, None] * S + subj
        flat = (gs * K + C)[ok]
        counts[b] = np.bincount(flat, minlength=G * S * K).reshape(G, S, K)
        valid[b] = np.bincount(gs[ok], minlength=G * S).reshape(G, S)
        sums[b] = np.bincount(gs.ravel(), weights=Xz.ravel(), minlength=G * S).reshape(G, S)
        sumsq[b] = np.bincount(gs.ravel(), weights=(Xz ** 2).ravel(), minlength=G * S).reshape(G, S)
        missing[b] = np.bincount((gs * M + Mi)[has_reason], minlength=G * S * M).reshape(G, S, M)
        sizes[b] = np.bincount(g, minlength=G)
        groups[b] = labels
        if weights is not None:
            def wsum(values, _gs=gs, _G=G):
                return np.bincount(_gs.ravel(), weights=values.ravel(), minlength=_G * S).reshape(_G, S)

            weighted["counts"][b] = np.bincount(flat, weights=wz[ok], minlength=G * S * K).reshape(G, S, K)
            for key, values in (("w", wz), ("wy", wz * Xz), ("w2", wz ** 2), ("w2y", wz ** 2 * Xz),
                                ("w2y2", (wz * Xz) ** 2)):
                weighted[key][b] = wsum(values)
    return RoundTables(round_id=rnd.id, title=cb.title, theme=cb.theme, min_n=cb.privacy.min_n, n=rnd.n,
                       subjects=subjects, groups=groups, counts=counts, sums=sums, sumsq=sumsq, valid=valid,
                       blocks=list(cb.blocks), missing=missing, sizes=sizes, **_report_tables(rnd, weights),
                       weighted=weighted if weights is not None else None,
                       weighting=weighting_sentence(weights, what="De percentages en gemiddelden zijn"))


def breakdown_options(rnd) -> list[str]:
    """The breakdowns of a round: ``geen``, then every categorical background variable.

    :data:`~peo_lib.vocab.BREAKDOWNS` come first in their order, then any other
    labelled background variable the codebook declares, in its order (a
    ``type: number`` variable such as ``ervaring_jaren`` is no breakdown).
    """
    bg = rnd.background
    cats = [c for c in bg.columns if isinstance(bg[c].dtype, pd.CategoricalDtype)]
    return [NO_BREAKDOWN] + [b for b in BREAKDOWNS if b in cats] + [c for c in cats if c not in BREAKDOWNS]


def _missing_index(rnd, subjects) -> np.ndarray:
    """Respondent x subject: the position of the missing reason in the subject's ``missing`` list, else -1."""
    out = np.full((rnd.n, len(subjects)), -1, dtype=np.int64)
    miss = getattr(rnd, "missing", None)
    if miss is None:
        return out
    for j, meta in enumerate(subjects.values()):
        if meta["kind"] != "item" or not meta["missing"] or meta["id"] not in miss.columns:
            continue
        col = miss[meta["id"]].astype(object).to_numpy()
        for k, reason in enumerate(meta["missing"]):
            out[col == reason, j] = k
    return out


# ----------------------------------------------------------------------
# the on-disk cache
# ----------------------------------------------------------------------

def _cache_key(cb, raw_path: Path, data_dir=None) -> str:
    """Codebook hash, raw file SHA-256 and the population file's (the banners are weighted by it)."""
    from peo_lib.data.codebook import codebook_hash
    from peo_lib.data.population import population_path
    from peo_lib.data.readers import sha256_file

    pop = population_path(data_dir)
    pop_sha = sha256_file(pop) if pop.is_file() else "-"
    h = hashlib.sha256()
    h.update(f"v{_CACHE_VERSION}|{codebook_hash(cb)}|{sha256_file(raw_path)}|{pop_sha}".encode())
    return h.hexdigest()[:24]


def _read_cached(path: Path, round_id: str) -> RoundTables | None:
    """The tables in a cache file, or None when it is missing, unreadable or not this round's tables."""
    if not path.is_file():
        return None
    try:
        with open(path, "rb") as fh:
            tables = pickle.load(fh)
    except Exception:  # truncated, corrupt or from another version: rebuild, never crash
        return None
    if not isinstance(tables, RoundTables) or tables.round_id != round_id:
        return None
    return tables


def _write_cached(cache: Path, round_id: str, key: str, tables: RoundTables) -> None:
    """Replace a round's cache entries by one file, atomically; a cache that cannot be written is skipped."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        for old in cache.glob(f"{round_id}-*.pkl"):
            old.unlink(missing_ok=True)
        tmp = cache / f".{round_id}-{key}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            pickle.dump(tables, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache / f"{round_id}-{key}.pkl")
    except OSError:
        pass


def default_cache_dir() -> Path:
    """``peo_lib.paths.cache_dir() / "dashboard"``: the private cache, never an output folder."""
    from peo_lib import paths

    return paths.cache_dir() / "dashboard"


def load_tables(data_dir=None, *, cache_dir=None) -> dict[str, RoundTables]:
    """Count tables of every round in ``DATA_DIR/codebooks``, cached on disk.

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder with ``codebooks/`` and ``raw/`` (default: ``paths.DATA_DIR``).
    cache_dir : str or Path, optional
        Where to keep the aggregated tables (default
        ``peo_lib.paths.cache_dir() / "dashboard"``, i.e. ``$PEO_CACHE_DIR/dashboard``
        or ``~/.cache/peo_lib/dashboard``). An entry is reused only when the
        codebook hash and the raw file's SHA-256 match; it holds counts, never
        respondent rows. A stale or unreadable entry is rebuilt.

    Returns
    -------
    dict
        Round id -> :class:`RoundTables`, oldest first.

    Raises
    ------
    PEOError
        No codebooks in the folder, or a codebook / raw file error.
    """
    from peo_lib import paths
    from peo_lib.data.codebook import read_codebook
    from peo_lib.data.rounds import load_round
    from peo_lib.errors import CodebookError

    rdir = paths.raw_dir(data_dir)
    files = paths.codebook_files(data_dir)
    if not files:
        paths.require_round_ids(data_dir)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    out = {}
    for f in files:
        cb = read_codebook(f)
        if cb.round in out:
            raise CodebookError(f, f"round: {cb.round!r} is also the round of another codebook")
        try:
            key = _cache_key(cb, cb.raw_file(rdir), data_dir=f.resolve().parent.parent)
        except OSError:  # e.g. no raw file: load_round below raises the clear error
            key = None
        hit = _read_cached(cache / f"{cb.round}-{key}.pkl", cb.round) if key is not None else None
        if hit is not None:
            out[cb.round] = hit
            continue
        out[cb.round] = tables = round_tables(load_round(cb, rdir))
        if key is not None:
            _write_cached(cache, cb.round, key, tables)
    return dict(sorted(out.items()))
