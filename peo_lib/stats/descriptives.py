"""Descriptive tables of a round: answer distributions, item and scale means.

Every function returns a tidy DataFrame with stable English column names and
unrounded numbers (format with :mod:`peo_lib.formatting` when presenting).
No disclosure control happens here: tables keep every group, also empty ones
(``n = 0``), so that the privacy module can see and suppress small cells.

Conventions
-----------
* Percentages are on a 0-100 scale (``pct``, ``top2_pct``, CI bounds).
* The base of a percentage excludes missing answers: a missing *reason*
  (``Weet ik niet``, ``Niet van toepassing``) and a blank (no answer) are
  counted separately and reported as a share of *all* respondents.
* ``by`` names a categorical background variable of the round
  (``ervaringsgroep``, ``functie``, ``organisatie``, ``gemeente``, ...).
  Groups keep the categorical order; respondents with an unknown group are
  left out of grouped tables (they count in the ungrouped ones).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peo_lib.stats.intervals import mean_ci, mean_ci_from_sums  # noqa: F401  (mean_ci re-exported)
from peo_lib.stats.weighting import design_weights


__all__ = [
    "largest_remainder",
    "item_distribution",
    "item_descriptives",
    "scale_descriptives",
    "mean_ci",
    "wilson_ci",
    "NO_ANSWER_LABEL",
]

NO_ANSWER_LABEL = "Geen antwoord"
CONFIDENCE = 0.95


# -- small statistics ---------------------------------------------------

def largest_remainder(counts, *, decimals: int = 0):
    """Percentages that add up to exactly 100 after rounding (Hare / largest remainder).

    Each share ``100 * c / sum(c)`` is floored to ``decimals``; the units
    still missing to reach 100 go, one each, to the shares with the largest
    remainders (ties: the larger count, then the first position). This is
    the Hare-Niemeyer method used for seat apportionment.

    Parameters
    ----------
    counts : array-like or Series of non-negative numbers
    decimals : int, default 0

    Returns
    -------
    ndarray or Series
        Same shape (a Series keeps its index). All NaN when the counts sum
        to zero (no base).

    Examples
    --------
    >>> largest_remainder([1, 1, 1])
    array([34., 33., 33.])
    """
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"decimals={decimals!r}: expected a whole number >= 0")
    index = counts.index if isinstance(counts, pd.Series) else None
    c = np.asarray(counts, dtype=float)
    if c.ndim != 1:
        raise ValueError(f"counts must be one-dimensional, got shape {c.shape}")
    if np.isnan(c).any() or (c < 0).any():
        raise ValueError("counts must be non-negative numbers without NaN")
    total = c.sum()
    if total <= 0:
        out = np.full(c.shape, np.nan)
    else:
        scale = 10**decimals
        units = 100 * scale
        exact = c * units / total
        floor = np.floor(exact + 1e-9)          # guard 33.99999999 from float division
        remainder = exact - floor
        short = int(round(units - floor.sum()))
        if short > 0:
            order = np.lexsort((np.arange(len(c)), -c, -np.round(remainder, 9)))
            floor[order[:short]] += 1
        out = floor / scale
    return pd.Series(out, index=index, name=getattr(counts, "name", None)) if index is not None else out


def _mean_ci_arrays(n, s1, s2, confidence=CONFIDENCE):
    """Vectorised mean, sd and t-interval (:func:`peo_lib.stats.intervals.mean_ci_from_sums`)."""
    return mean_ci_from_sums(n, s1, s2, confidence=confidence)


def _weighted_mean_ci_arrays(sub, w, n_design: int, confidence=CONFIDENCE):
    """Per column of ``sub`` (NaN = no value): weighted mean, weighted SD and the Wald interval of the
    mean with its Taylor-linearised SE, as R ``svymean`` / ``svyby`` on a domain of a design of
    ``n_design`` respondents (:func:`peo_lib.stats.weighting.weighted_mean`, vectorised)."""
    from scipy.stats import norm

    valid = ~np.isnan(sub) & np.isfinite(w)[:, None]
    W = np.where(valid, w[:, None], 0.0)
    tot = W.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (np.where(valid, sub, 0.0) * W).sum(axis=0) / np.where(tot > 0, tot, np.nan)
        dev = np.where(valid, sub - mean, 0.0)
        var_w = (W * dev**2).sum(axis=0) / np.where(tot > 0, tot, np.nan)
        se = np.sqrt(n_design / (n_design - 1) * ((W * dev / np.where(tot > 0, tot, np.nan)) ** 2).sum(axis=0)) \
            if n_design > 1 else np.full(sub.shape[1], np.nan)
    q = float(norm.ppf(0.5 + confidence / 2))
    return mean, np.sqrt(var_w), mean - q * se, mean + q * se


def wilson_ci(count, nobs, *, confidence: float = CONFIDENCE):
    """Wilson score interval for a proportion (Wilson, 1927; Newcombe, 1998, method 3).

    Wraps :func:`statsmodels.stats.proportion.proportion_confint` with
    ``method="wilson"``; same as R ``prop.test(x, n, correct=FALSE)$conf.int``.
    Works element-wise on arrays; ``nobs == 0`` gives NaN.

    Returns
    -------
    (low, high) : proportions on a 0-1 scale
    """
    from statsmodels.stats.proportion import proportion_confint

    count = np.asarray(count, dtype=float)
    nobs = np.asarray(nobs, dtype=float)
    ok = nobs > 0
    low = np.full(np.broadcast(count, nobs).shape, np.nan)
    high = low.copy()
    if np.any(ok):
        c, n = np.broadcast_arrays(count, nobs)
        lo, hi = proportion_confint(c[ok], n[ok], alpha=1 - confidence, method="wilson")
        low[ok], high[ok] = np.clip(lo, 0, 1), np.clip(hi, 0, 1)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


# -- groups -------------------------------------------------------------

def _check_round(rnd):
    if not hasattr(rnd, "items") or not hasattr(rnd, "codebook") or not hasattr(rnd, "background"):
        raise TypeError(f"expected a Round from load_round(), got {type(rnd).__name__}")


def _group_options(rnd) -> list[str]:
    bg = rnd.background
    return [c for c in bg.columns if isinstance(bg[c].dtype, pd.CategoricalDtype)]


def _groups(rnd, by):
    """``[(label, row mask)]``: one entry for ``by=None``, else one per category (in order)."""
    _check_round(rnd)
    if by is None:
        return [(None, np.ones(rnd.n, dtype=bool))]
    options = _group_options(rnd)
    if not isinstance(by, str) or by not in options:
        hint = ""
        if isinstance(by, str) and by in rnd.background.columns:
            hint = f" ({by!r} is numeric: only categorical background variables can group)"
        raise ValueError(f"`by` must be one of {list(options)} or None, but {by!r} was passed: it is not a "
                         f"categorical background variable of round {rnd.id}{hint}")
    col = rnd.background[by]
    codes = col.cat.codes.to_numpy()
    return [(cat, codes == k) for k, cat in enumerate(col.cat.categories)]


def _group_frame(df: pd.DataFrame, rnd, by, group_labels) -> pd.DataFrame:
    """Turn the ``group`` column into an ordered categorical (keeps empty groups' order)."""
    if by is not None:
        cats = list(rnd.background[by].cat.categories)
        df.insert(0, "group", pd.Categorical(group_labels, categories=cats, ordered=True))
        df.attrs["by"] = by
    return df


def _check_items_arg(rnd, items) -> list[str]:
    all_items = list(rnd.codebook.items)
    if items is None:
        return all_items
    if isinstance(items, str):
        items = [items]
    items = list(items)
    unknown = [i for i in items if i not in rnd.codebook.items]
    if unknown:
        raise ValueError(f"unknown item(s) {unknown} in round {rnd.id}; available: {', '.join(all_items)}")
    return items


# -- tables -------------------------------------------------------------

DISTRIBUTION_COLUMNS = ["kind", "code", "label", "n", "base", "pct", "pct_rounded"]


def item_distribution(rnd, item_id: str, *, by=None, decimals: int = 0, weights=None) -> pd.DataFrame:
    """Answer distribution of one item, as reports show it.

    Parameters
    ----------
    rnd : Round
    item_id : str
        Stable item id (``"PR01"``).
    by : str, optional
        Categorical background variable to split by (see module notes).
    decimals : int, default 0
        Decimals of ``pct_rounded``.
    weights : Series, optional
        Survey weights (:func:`peo_lib.stats.weighting.round_weights`): ``pct`` and ``pct_rounded``
        are then weighted shares of the respondents with a weight (``svymean(~factor(y))``); ``n``
        and ``base`` stay unweighted counts of every respondent (suppression is decided on them).

    Returns
    -------
    DataFrame
        Per group (column ``group`` when ``by`` is given, in categorical
        order, empty groups included), rows of three kinds:

        ``kind="answer"``
            One row per value of the response set, in code order: ``n``,
            ``base`` = valid answers, ``pct`` = 100 n / base, ``pct_rounded``
            by :func:`largest_remainder` so the bars add up to exactly 100.
        ``kind="missing"``
            One row per missing reason (``Weet ik niet``, ...): ``base`` = all
            respondents of the group, ``pct`` = share of all respondents.
        ``kind="no_answer"``
            Blank cells (label ``"Geen antwoord"``, code NaN), same base.

        ``n`` over all rows of a group adds up to the group size. ``pct`` is
        NaN where the base is 0. ``pct_rounded`` of the missing rows is
        ordinary rounding (they are not meant to add up).
    """
    _check_round(rnd)
    if item_id not in rnd.codebook.items:
        raise ValueError(f"unknown item {item_id!r} in round {rnd.id}; available: {', '.join(rnd.codebook.items)}")
    rs = rnd.codebook.response_set_of(item_id)
    values = sorted(rs.values.items())
    reasons = list(rs.missing.items())
    n_v, n_r = len(values), len(reasons)
    groups = _groups(rnd, by)
    # one category index per respondent: values 0..n_v-1, reasons n_v.., blank last
    codes = rnd.items[item_id].to_numpy(dtype=float)
    cat = np.full(len(codes), n_v + n_r, dtype=np.int64)
    for j, (c, _) in enumerate(values):
        cat[codes == c] = j
    reason = rnd.missing[item_id]
    if isinstance(reason.dtype, pd.CategoricalDtype):
        rc = reason.cat.codes.to_numpy()
        cat[rc >= 0] = n_v + rc[rc >= 0]
    n_cat = n_v + n_r + 1
    counts = np.stack([np.bincount(cat[mask], minlength=n_cat) for _, mask in groups])  # G x n_cat
    base = counts[:, :n_v].sum(axis=1)
    total = counts.sum(axis=1)
    shares = counts  # what the percentages are computed from: counts, or weighted counts
    if weights is not None:
        w = np.nan_to_num(design_weights(rnd, weights), nan=0.0)  # no weight: not in the weighted shares
        shares = np.stack([np.bincount(cat[mask], weights=w[mask], minlength=n_cat) for _, mask in groups])
    s_base, s_total = shares[:, :n_v].sum(axis=1), shares.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct_answer = 100 * shares[:, :n_v] / np.where(s_base > 0, s_base, np.nan)[:, None]
        pct_other = 100 * shares[:, n_v:] / np.where(s_total > 0, s_total, np.nan)[:, None]
    rounded = np.stack([largest_remainder(c, decimals=decimals) for c in shares[:, :n_v]])
    n_groups = len(groups)
    out = pd.DataFrame({
        "kind": np.tile(["answer"] * n_v + ["missing"] * n_r + ["no_answer"], n_groups),
        "code": np.tile([float(c) for c, _ in values] + [float(c) for c, _ in reasons] + [np.nan], n_groups),
        "label": np.tile([lab for _, lab in values] + [lab for _, lab in reasons] + [NO_ANSWER_LABEL], n_groups),
        "n": counts.ravel(),
        "base": np.concatenate([np.repeat(base, n_v).reshape(n_groups, n_v),
                                np.repeat(total, n_r + 1).reshape(n_groups, n_r + 1)], axis=1).ravel(),
        "pct": np.concatenate([pct_answer, pct_other], axis=1).ravel(),
        "pct_rounded": np.concatenate([rounded, np.round(pct_other, decimals)], axis=1).ravel(),
    }, columns=DISTRIBUTION_COLUMNS)
    out["kind"] = pd.Categorical(out["kind"], categories=["answer", "missing", "no_answer"])
    out.insert(0, "item", item_id)
    labels = np.repeat(np.array([g for g, _ in groups], dtype=object), n_cat)
    return _group_frame(out, rnd, by, labels)


ITEM_COLUMNS = [
    "item", "text", "block", "n", "n_valid", "n_missing_reason", "n_no_answer", "missing_reasons",
    "mean", "sd", "ci_low", "ci_high", "top2_n", "top2_pct", "top2_ci_low", "top2_ci_high",
]


def item_descriptives(rnd, *, items=None, by=None, weights=None) -> pd.DataFrame:
    """Mean, spread and top-2 share of every item (per group).

    Parameters
    ----------
    rnd : Round
    items : list of str, optional
        Item ids (default: all items of the codebook, in codebook order).
    by : str, optional
        Categorical background variable to split by.

    Returns
    -------
    DataFrame
        One row per item (and group; ``group`` column first, empty groups
        included). Columns: ``item``, ``text``, ``block``, ``n`` (respondents
        in the group), ``n_valid``, ``n_missing_reason`` (answers with a
        missing reason), ``n_no_answer`` (blank), ``missing_reasons`` (dict
        reason label -> count), ``mean``, ``sd``, ``ci_low``/``ci_high``
        (95% t interval of the mean, as R ``t.test``), ``top2_n``,
        ``top2_pct`` (percentage of valid answers in the two codes at the
        positive end of the response set: the two highest codes, or the two
        lowest for a set with ``positive: low``; on the codes as asked, *not*
        reverse keyed),
        ``top2_ci_low``/``top2_ci_high`` (95% Wilson score interval, in
        percent; :func:`wilson_ci`).

        With ``weights`` (survey weights, NaN = not in the design): ``mean``, ``sd`` and
        ``top2_pct`` are weighted over the respondents with a weight, and the intervals are Wald
        intervals with the Taylor-linearised SE, as R ``svymean`` / ``svyby`` (each group a domain
        of the whole design). ``n``, ``n_valid`` and ``top2_n`` stay unweighted counts.
    """
    _check_round(rnd)
    ids = _check_items_arg(rnd, items)
    cb = rnd.codebook
    X = rnd.items[ids].to_numpy(dtype=float)
    tops = [cb.response_set_of(i).top_codes(2) for i in ids]  # the positive end (``positive: high|low``)
    if weights is not None:
        w = design_weights(rnd, weights)
        n_design = int(np.isfinite(w).sum())
    miss_cols = {i: rnd.missing[i] for i in ids}
    frames, labels = [], []
    for group, mask in _groups(rnd, by):
        sub = X[mask]
        valid = ~np.isnan(sub)
        n_valid = valid.sum(axis=0)
        s1 = np.where(valid, sub, 0).sum(axis=0)
        s2 = np.where(valid, sub**2, 0).sum(axis=0)
        mean, sd, lo, hi = _mean_ci_arrays(n_valid, s1, s2)
        top2 = np.array([np.isin(sub[:, j], tops[j]).sum() for j in range(len(ids))], dtype=int)
        with np.errstate(invalid="ignore", divide="ignore"):
            top2_pct = np.where(n_valid > 0, 100 * top2 / n_valid, np.nan)
        wl, wh = wilson_ci(top2, n_valid)
        if weights is not None:
            hit = np.where(valid, np.column_stack([np.isin(sub[:, j], tops[j]) for j in range(len(ids))])
                           if len(ids) else sub, np.nan)
            mean, sd, lo, hi = _weighted_mean_ci_arrays(sub, w[mask], n_design)
            p, _, pl, ph = _weighted_mean_ci_arrays(hit.astype(float), w[mask], n_design)
            top2_pct, wl, wh = 100 * p, pl, ph
        reasons = []
        for i in ids:
            vc = miss_cols[i][mask].value_counts(sort=False)
            reasons.append({str(k): int(v) for k, v in vc.items()})
        n_reason = np.array([sum(r.values()) for r in reasons], dtype=int)
        total = int(mask.sum())
        frames.append(pd.DataFrame({
            "item": ids, "text": [cb.items[i].text for i in ids], "block": [cb.items[i].block for i in ids],
            "n": total, "n_valid": n_valid.astype(int), "n_missing_reason": n_reason,
            "n_no_answer": (total - n_valid - n_reason).astype(int), "missing_reasons": reasons,
            "mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi, "top2_n": top2.astype(int),
            "top2_pct": top2_pct, "top2_ci_low": 100 * wl, "top2_ci_high": 100 * wh,
        }))
        labels += [group] * len(ids)
    out = pd.concat(frames, ignore_index=True)[ITEM_COLUMNS]
    return _group_frame(out, rnd, by, labels)


SCALE_COLUMNS = ["scale", "label", "k", "n", "n_scored", "mean", "sd", "ci_low", "ci_high"]


def scale_descriptives(rnd, *, by=None, weights=None) -> pd.DataFrame:
    """Mean scale scores with 95% t intervals (per group).

    Scores come from :func:`peo_lib.stats.scoring.score_scales` (reverse keys and
    ``min_valid`` applied, SPSS ``MEAN.k``).

    Parameters
    ----------
    rnd : Round
    by : str, optional
        Categorical background variable to split by.

    Returns
    -------
    DataFrame
        One row per scale (and group): ``scale``, ``label``, ``k`` (items),
        ``n`` (respondents in the group), ``n_scored`` (with a score),
        ``mean``, ``sd``, ``ci_low``, ``ci_high`` (as R ``t.test``). With ``weights``: weighted
        mean and SD and the ``svymean`` Wald interval (as :func:`item_descriptives`); counts unweighted.
    """
    from peo_lib.stats.scoring import score_scales

    _check_round(rnd)
    cb = rnd.codebook
    ids = list(cb.scales)
    S = score_scales(rnd).to_numpy(dtype=float) if ids else np.empty((rnd.n, 0))
    frames, labels = [], []
    for group, mask in _groups(rnd, by):
        sub = S[mask]
        valid = ~np.isnan(sub)
        n_sc = valid.sum(axis=0)
        mean, sd, lo, hi = _mean_ci_arrays(n_sc, np.where(valid, sub, 0).sum(axis=0),
                                           np.where(valid, sub**2, 0).sum(axis=0))
        if weights is not None:
            w = design_weights(rnd, weights)
            mean, sd, lo, hi = _weighted_mean_ci_arrays(sub, w[mask], int(np.isfinite(w).sum()))
        frames.append(pd.DataFrame({
            "scale": ids, "label": [cb.scales[s].label for s in ids],
            "k": [len(cb.scales[s].items) for s in ids], "n": int(mask.sum()),
            "n_scored": n_sc.astype(int), "mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi,
        }, columns=SCALE_COLUMNS))
        labels += [group] * len(ids)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SCALE_COLUMNS)
    return _group_frame(out, rnd, by, labels)
