"""Rounds as one series: argument normalisation, comparability of questions across rounds, stacking.

Shared by :mod:`peo_lib.stats.trends` (raw trends, changes) and
:mod:`peo_lib.stats.models` (composition-adjusted models); see
:mod:`peo_lib.stats.trends` for the rules.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd

from peo_lib.data.codebook import CORE_BLOCK, Codebook, compare_codebooks
from peo_lib.stats.scoring import score_scales

__all__ = ["GROUP_COLUMNS", "comparability", "stack_rounds", "stacked_weights", "reuse_stacks", "round_mean"]

GROUP_COLUMNS = ("ervaringsgroep", "functie", "organisatie", "gemeente")
_EXPERIENCE = "ervaringsgroep"


# -- argument checks and normalisation -----------------------------------



def _as_rounds(rounds) -> dict:
    """Normalise a dict or list of Round objects to ``{id: Round}`` in time order."""
    if isinstance(rounds, Mapping):
        items = list(rounds.values())
    elif isinstance(rounds, Sequence) and not isinstance(rounds, (str, bytes)):
        items = list(rounds)
    else:
        raise TypeError(f"rounds: expected a dict {{round id: Round}} from load_rounds() or a list of "
                        f"Round, got {type(rounds).__name__}")
    for r in items:
        if not hasattr(r, "codebook") or not hasattr(r, "items"):
            raise TypeError(f"rounds: expected Round objects from load_round(), got {type(r).__name__}")
    out = {}
    for r in sorted(items, key=lambda r: r.id):
        if r.id in out:
            raise ValueError(f"rounds: round {r.id!r} is given twice")
        out[r.id] = r
    if not out:
        raise ValueError("rounds: no rounds given")
    return out


def _rounds_with(rounds: dict, *, kind: str, key: str) -> list[str]:
    """The rounds whose codebook has scale/item ``key`` (``kind``: "scale" or "item"), or a ValueError."""
    attr = "scales" if kind == "scale" else "items"
    have = [rid for rid, r in rounds.items() if key in getattr(r.codebook, attr)]
    if not have:
        known = sorted({k for r in rounds.values() for k in getattr(r.codebook, attr)})
        article = "a" if kind == "scale" else "an"
        raise ValueError(f"{kind}={key!r} is not {article} {kind} of any round; known {attr}: {known}")
    return have


def _scale_rounds(rounds: dict, scale: str) -> list[str]:
    return _rounds_with(rounds, kind="scale", key=scale)


def _item_rounds(rounds: dict, item: str) -> list[str]:
    return _rounds_with(rounds, kind="item", key=item)


def _check_level(level):
    if not isinstance(level, (int, float)) or not 0 < level < 1:
        raise ValueError(f"level={level!r}: expected a confidence level between 0 and 1, e.g. 0.95")
    return float(level)


# -- comparability ---------------------------------------------------------

def _scale_signature(cb: Codebook, scale: str):
    sc = cb.scales[scale]
    return (tuple(sc.items), tuple(sorted(sc.reverse)))


def _series_ids(codebooks: list[Codebook], *, item=None, scale=None) -> dict[str, int]:
    """Round id -> number of the unbroken stretch of an item or scale (1, 2, ...).

    A new stretch starts where the item's wording or response set changed
    (``compare_codebooks``), or, for a scale, where its item list or reverse
    keys changed or one of its items changed.
    """
    cbs = sorted(codebooks, key=lambda c: c.round)
    # the trend report asks this for every scale and item of the same rounds: compared once per block
    changes = _reused(("codebook_changes", _codebooks_key(cbs)), lambda: compare_codebooks(cbs, warn=False))
    breaks_by_item: dict[str, set] = {}
    for c in changes:
        breaks_by_item.setdefault(c["item"], set()).add(c["current"])
    out = {}
    series = 0
    prev_sig = None
    for cb in cbs:
        if item is not None:
            if item not in cb.items:
                continue
            brk = cb.round in breaks_by_item.get(item, set())
        else:
            if scale not in cb.scales:
                continue
            sig = _scale_signature(cb, scale)
            brk = (prev_sig is not None and sig != prev_sig) or any(
                cb.round in breaks_by_item.get(i, set()) for i in cb.scales[scale].items)
            prev_sig = sig
        if series == 0 or brk:
            series += 1
        out[cb.round] = series
    return out


def comparability(rounds, *, core_only: bool = True) -> pd.DataFrame:
    """In which rounds each core item and scale was asked, and whether it changed.

    Parameters
    ----------
    rounds : dict of Round or list of Round
        As returned by :func:`~peo_lib.data.rounds.load_rounds`.
    core_only : bool, default True
        Only items that are in the ``kern`` block in at least one round (and
        scales made of such items); ``False`` lists every item and scale.

    Returns
    -------
    DataFrame
        One row per item or scale, columns: ``kind`` (``item``/``scale``),
        ``id``, ``text`` (latest wording or scale label), ``block``,
        ``n_rounds``, ``first_round``, ``last_round``, ``text_changed``,
        ``response_set_changed``, ``items_changed`` (scales: item list,
        reverse keys or an item's wording/response set changed),
        ``changed_in`` (rounds that start a new stretch, comma separated),
        ``comparable`` (asked in every round of the span with no change, so
        one line may join all its rounds), then one boolean column per round
        id (asked in that round).

    Notes
    -----
    Changes are found with :func:`peo_lib.data.codebook.compare_codebooks`
    (wording compared after :func:`~peo_lib.data.codebook.normalise_label`;
    response sets compared by codes and labels, not by name).
    """
    rounds = _as_rounds(rounds)
    cbs = [r.codebook for r in rounds.values()]
    ids = list(rounds)
    changes = compare_codebooks(cbs, warn=False)
    by_item: dict[str, dict[str, set]] = {}
    for c in changes:
        by_item.setdefault(c["item"], {}).setdefault(c["what"], set()).add(c["current"])
    rows = []
    item_ids = []
    for cb in cbs:
        for i, it in cb.items.items():
            if i not in item_ids and (not core_only or it.block == CORE_BLOCK):
                item_ids.append(i)
    for cb in cbs:  # items that were core only in a later round
        for i, it in cb.items.items():
            if i not in item_ids and not core_only:
                item_ids.append(i)
    for i in item_ids:
        asked = {rid: i in rounds[rid].codebook.items for rid in ids}
        present = [rid for rid in ids if asked[rid]]
        latest = rounds[present[-1]].codebook.items[i]
        changed = _breaks(_series_ids(cbs, item=i))
        rows.append(dict(
            kind="item", id=i, text=latest.text, block=latest.block, n_rounds=len(present),
            first_round=present[0], last_round=present[-1],
            text_changed=bool(by_item.get(i, {}).get("text")),
            response_set_changed=bool(by_item.get(i, {}).get("response_set")),
            items_changed=False, changed_in=", ".join(changed),
            comparable=not changed and _contiguous(ids, present), **asked,
        ))
    scale_ids = []
    for cb in cbs:
        for s, sc in cb.scales.items():
            if s in scale_ids:
                continue
            if core_only and not all(cb.items[x].block == CORE_BLOCK for x in sc.items):
                continue
            scale_ids.append(s)
    for s in scale_ids:
        asked = {rid: s in rounds[rid].codebook.scales for rid in ids}
        present = [rid for rid in ids if asked[rid]]
        latest = rounds[present[-1]].codebook.scales[s]
        changed = _breaks(_series_ids(cbs, scale=s))
        members = {x for rid in present for x in rounds[rid].codebook.scales[s].items}
        blocks = {rounds[rid].codebook.items[x].block for rid in present
                  for x in rounds[rid].codebook.scales[s].items}
        rows.append(dict(
            kind="scale", id=s, text=latest.label, block=CORE_BLOCK if blocks == {CORE_BLOCK} else
            ", ".join(sorted(blocks)),
            n_rounds=len(present), first_round=present[0], last_round=present[-1],
            text_changed=any(by_item.get(x, {}).get("text") for x in members),
            response_set_changed=any(by_item.get(x, {}).get("response_set") for x in members),
            items_changed=bool(changed), changed_in=", ".join(changed),
            comparable=not changed and _contiguous(ids, present), **asked,
        ))
    cols = ["kind", "id", "text", "block", "n_rounds", "first_round", "last_round", "text_changed",
            "response_set_changed", "items_changed", "changed_in", "comparable", *ids]
    return pd.DataFrame(rows, columns=cols)


def _breaks(series: dict[str, int]) -> list[str]:
    """Rounds that start a new comparable stretch (not the first round)."""
    ids = list(series)
    return [b for a, b in zip(ids[:-1], ids[1:]) if series[a] != series[b]]


def _contiguous(all_ids: list[str], present: list[str]) -> bool:
    """True when no round between the first and last presence is skipped."""
    lo, hi = all_ids.index(present[0]), all_ids.index(present[-1])
    return hi - lo + 1 == len(present)


# -- stacking --------------------------------------------------------------

#: The stack cache of the current :func:`reuse_stacks` block (None: every call stacks afresh).
_STACKS: ContextVar[dict | None] = ContextVar("peo_lib_stacks", default=None)


@contextmanager
def reuse_stacks(cache: dict | None = None):
    """Within this block, :func:`stack_rounds` stacks one set of rounds once and hands out that frame.

    A trend report asks for the same stack of the same rounds dozens of times (every table and
    sentence of every scale, raw and adjusted); stacking scores every scale of every round again
    each time. Inside ``with reuse_stacks(cache):`` the first call for a set of Round *objects*
    (their ids and identities, and ``items``) stacks them and keeps the frame in ``cache``; later
    calls get a shallow copy of it (pandas copy-on-write: changing the copy never changes the
    cached frame). The complete-case model frames and OLS fits of the adjusted trends
    (:mod:`peo_lib.stats.models`) are made once per block in the same way. Pass the same dict
    to several blocks to reuse them across blocks, as :class:`peo_lib.report.trends.TrendsReport`
    does for the life of a report.

    The caller promises not to change the rounds' data in place inside the block (the report
    never does); outside any block nothing is cached, so interactive use always sees the
    current data. Numbers are the same with and without the cache (bit for bit): a cached
    value *is* what the first call computed.
    """
    token = _STACKS.set({} if cache is None else cache)
    try:
        yield _STACKS.get()
    finally:
        _STACKS.reset(token)


def stack_rounds(rounds, *, items: bool = True) -> pd.DataFrame:
    """All rounds in one long table, aligned on stable item and scale ids.

    Parameters
    ----------
    rounds : dict of Round or list of Round
    items : bool, default True
        Also carry the item codes (one column per item id).

    Returns
    -------
    DataFrame
        One row per respondent per round (``RangeIndex``). Columns:
        ``round`` (ordered categorical of round ids), ``respondent``,
        ``ervaringsgroep``, ``functie``, ``organisatie``, ``gemeente``
        (categoricals, categories in order of first appearance; NaN when a
        round did not ask it), ``ervaring_jaren``, then one float column per
        scale id (scored per round with that round's codebook), then, with
        ``items=True``, one float column per item id (NaN where a round did
        not ask the item).

    Notes
    -----
    Alignment is by id only; whether an id means the same question in every
    round is what :func:`comparability` reports. The frame holds respondent
    ids: it is an analysis table, never an output. Inside a
    :func:`reuse_stacks` block the same rounds are stacked only once.
    """
    rounds = _as_rounds(rounds)
    frame = _reused(("stack", _rounds_key(rounds), bool(items)), lambda: _stack(rounds, items=items))
    return frame if _STACKS.get() is None else frame.copy(deep=False)


def _rounds_key(rounds: dict) -> tuple:
    """The identity of a set of Round objects in a :func:`reuse_stacks` cache: their ids and ``id()``.

    The cache keeps the objects themselves alive (:func:`_keep_alive`), so an ``id()`` in a key
    can never be reused by another object while the cache lives.
    """
    _keep_alive(rounds.values())
    return tuple((rid, id(r)) for rid, r in rounds.items())


def stacked_weights(rounds, weights) -> np.ndarray | None:
    """Survey weights aligned with the rows of :func:`stack_rounds`, or None when no round is weighted.

    ``weights`` maps round ids to that round's weights (:func:`peo_lib.stats.weighting.round_weights`)
    or None; a round without weights counts every respondent once (weight 1), as its own report
    does. NaN: a respondent outside the round's weighted design (an unknown margin variable).
    """
    from peo_lib.stats.weighting import design_weights

    rounds = _as_rounds(rounds)
    if weights is None:
        return None
    if not isinstance(weights, dict):
        raise TypeError(f"`weights` must be a dict {{round id: weights or None}}, not {type(weights).__name__}.")
    if all(weights.get(rid) is None for rid in rounds):
        return None
    return np.concatenate([design_weights(r, weights[rid]) if weights.get(rid) is not None else np.ones(len(r.items))
                           for rid, r in rounds.items()])


def _weights_key(weights) -> tuple:
    """The identity of a weights dict in a :func:`reuse_stacks` cache (kept alive like the rounds)."""
    if not weights:
        return ()
    _keep_alive(w for w in weights.values() if w is not None)
    return tuple(sorted((rid, id(w)) for rid, w in weights.items() if w is not None))


def _codebooks_key(codebooks) -> tuple:
    """The identity of a list of codebooks in a :func:`reuse_stacks` cache (kept alive like the rounds)."""
    _keep_alive(codebooks)
    return tuple(id(cb) for cb in codebooks)


def _keep_alive(objects) -> None:
    """Inside a :func:`reuse_stacks` block, hold ``objects`` for the life of its cache, so that an
    ``id()`` in a cache key can never be reused by another object meanwhile."""
    cache = _STACKS.get()
    if cache is not None:
        alive = cache.setdefault("alive", {})
        for obj in objects:
            alive.setdefault(id(obj), obj)


def _reused(key: tuple, compute):
    """``compute()``, or, inside a :func:`reuse_stacks` block, its value from the block's cache.

    ``key`` must name everything the value depends on (:func:`_rounds_key` for the rounds).
    The warnings ``compute()`` gave are recorded and given again each time the value is
    reused, so a cached answer warns like a fresh one. The value is shared: callers must
    not change it in place (hand out ``copy(deep=False)`` of a DataFrame).
    """
    cache = _STACKS.get()
    if cache is None:
        return compute()
    if key not in cache:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                value, error = compute(), None
            except Exception as exc:  # noqa: BLE001 - raised again below, after its warnings
                value, error = None, exc
        if error is not None:  # the warnings before the error, as without the cache
            for w in caught:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            raise error
        cache[key] = (value, list(caught))
    value, caught = cache[key]
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return value


def _stack(rounds: dict, *, items: bool) -> pd.DataFrame:
    ids = list(rounds)
    scale_ids: list[str] = []
    item_ids: list[str] = []
    for r in rounds.values():
        scale_ids += [s for s in r.codebook.scales if s not in scale_ids]
        item_ids += [i for i in r.items.columns if i not in item_ids]
    parts = []
    for rid, r in rounds.items():
        bg = r.background
        part = pd.DataFrame({"round": rid, "respondent": r.items.index.astype(str)})
        for col in GROUP_COLUMNS:
            part[col] = (bg[col].astype("object").to_numpy() if col in bg.columns
                         else np.full(len(part), np.nan, dtype=object))
        part["ervaring_jaren"] = (bg["ervaring_jaren"].to_numpy(dtype=float)
                                  if "ervaring_jaren" in bg.columns else np.nan)
        scores = score_scales(r)
        for s in scale_ids:
            part[s] = scores[s].to_numpy() if s in scores.columns else np.nan
        if items:
            for i in item_ids:
                part[i] = r.items[i].to_numpy(dtype=float) if i in r.items.columns else np.nan
        parts.append(part)
    df = pd.concat(parts, ignore_index=True)
    df["round"] = pd.Categorical(df["round"], categories=ids, ordered=True)
    for col in GROUP_COLUMNS:
        cats = []
        for r in rounds.values():
            if col in r.background.columns:
                s = r.background[col]
                is_cat = isinstance(s.dtype, pd.CategoricalDtype)
                levels = list(s.cat.categories) if is_cat else list(s.dropna().unique())
                cats += [c for c in levels if c not in cats]
        df[col] = pd.Categorical(df[col].where(df[col].notna(), None), categories=cats,
                                 ordered=col == _EXPERIENCE)
    return df


def _scale_label(rounds: dict, scale: str) -> str:
    for r in reversed(list(rounds.values())):
        if scale in r.codebook.scales:
            return r.codebook.scales[scale].label
    return scale


def _scale_range(rounds: dict, scale: str) -> tuple[int, int]:
    for r in reversed(list(rounds.values())):
        cb = r.codebook
        if scale in cb.scales:
            rs = cb.response_set_of(cb.scales[scale].items[0])
            return rs.min, rs.max
    raise ValueError(scale)


def round_mean(values, weights=None) -> float:
    """Mean of a round's values (weighted when ``weights`` is given; NaN values and NaN weights,
    respondents outside the weighted design, are left out); NaN when nothing is left."""
    x = np.asarray(values, dtype=float)
    ok = np.isfinite(x) if weights is None else np.isfinite(x) & np.isfinite(weights)
    if not ok.any():
        return np.nan
    return float(x[ok].mean()) if weights is None else float(np.average(x[ok], weights=np.asarray(weights)[ok]))


def reused_in_block(fn):
    """Decorator: inside a :func:`reuse_stacks` block, ``fn(rounds, **options)`` is computed once per
    set of Round objects and options, and every caller gets its own copy of the DataFrame.

    For the trend statistics that a trend report asks for from its tables, its sentences and its
    findings alike (the same scale trend or change table up to four times per scale). ``weights``
    is keyed by the identity of its arrays (:func:`_weights_key`); options that cannot be a key
    (hashable after lists become tuples) are computed afresh. Outside a block: just ``fn``.
    """
    @functools.wraps(fn)
    def wrapper(rounds, **options):
        if _STACKS.get() is None:
            return fn(rounds, **options)
        rounds = _as_rounds(rounds)
        parts = []
        for name, value in sorted(options.items()):
            if name == "weights":
                value = _weights_key(value)
            elif isinstance(value, list):
                value = tuple(value)
            parts.append((name, value))
        try:
            key = (fn.__module__, fn.__qualname__, _rounds_key(rounds), tuple(parts))
            hash(key)
        except TypeError:
            return fn(rounds, **options)
        return _reused(key, lambda: fn(rounds, **options)).copy()

    return wrapper

