"""Scale scores: reverse keying and the min-valid rule, vectorised.

A scale score is the mean of the respondent's valid item codes after reverse
keying (``min + max - code``), and NaN when fewer than ``min_valid`` items are
valid: the same as SPSS ``MEAN.k(...)`` after ``RECODE`` of reverse items.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["score_scales", "reverse_keyed", "scale_items"]


def _check_round(rnd):
    if not hasattr(rnd, "items") or not hasattr(rnd, "codebook"):
        raise TypeError(f"expected a Round from load_round(), got {type(rnd).__name__}")


def reverse_keyed(rnd, *, scale=None) -> pd.DataFrame:
    """Item codes with reverse-keyed items turned around.

    Parameters
    ----------
    rnd : Round
    scale : str, optional
        Only the items of this scale (reverse keys of that scale). Without it,
        every item that is reversed in any scale is turned around.

    Returns
    -------
    DataFrame
        Respondent x item, float codes.
    """
    _check_round(rnd)
    cb = rnd.codebook
    if scale is not None:
        if scale not in cb.scales:
            raise ValueError(f"scale={scale!r} is not one of {sorted(cb.scales)}")
        scales = {scale: cb.scales[scale]}
        cols = list(cb.scales[scale].items)
    else:
        scales = cb.scales
        cols = list(rnd.items.columns)
    out = rnd.items[cols].copy()
    for sc in scales.values():
        for item_id in sc.reverse:
            rs = cb.response_set_of(item_id)
            out[item_id] = (rs.min + rs.max) - out[item_id]
    return out


def scale_items(rnd, scale: str) -> pd.DataFrame:
    """The (reverse-keyed) item codes of one scale, ready for reliability."""
    return reverse_keyed(rnd, scale=scale)


def score_scales(rnd, *, scales=None) -> pd.DataFrame:
    """Scale scores per respondent.

    Parameters
    ----------
    rnd : Round
    scales : list of str, optional
        Scale ids (default: every scale of the codebook, in codebook order).

    Returns
    -------
    DataFrame
        Index respondent id, one float column per scale id; NaN where fewer
        than ``min_valid`` items were answered validly.

    Notes
    -----
    Equivalent to SPSS ``COMPUTE s = MEAN.k(i1, i2, ...)`` with reverse items
    recoded as ``min + max - code`` first.
    """
    _check_round(rnd)
    cb = rnd.codebook
    ids = list(cb.scales) if scales is None else list(scales)
    unknown = [s for s in ids if s not in cb.scales]
    if unknown:
        raise ValueError(f"unknown scale(s) {unknown}; available: {sorted(cb.scales)}")
    col_pos = {c: k for k, c in enumerate(rnd.items.columns)}
    # Item-major (k x n) layout: reductions over a scale's few items become
    # row-wise vector adds, several times faster than summing along axis 1.
    XT = np.ascontiguousarray(rnd.items.to_numpy(dtype=float, copy=False).T)  # a view for load_round's frames
    out = np.empty((len(ids), XT.shape[1]))
    for j, sid in enumerate(ids):
        sc = cb.scales[sid]
        sub = XT[[col_pos[i] for i in sc.items]]
        for i in sc.reverse:
            rs = cb.response_set_of(i)
            k = sc.items.index(i)
            sub[k] = (rs.min + rs.max) - sub[k]
        invalid = np.isnan(sub)
        count = sub.shape[0] - invalid.sum(axis=0, dtype=np.int32)
        np.copyto(sub, 0.0, where=invalid)  # sub is our own copy
        total = sub.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / count
        mean[count < sc.min_valid_effective] = np.nan
        out[j] = mean
    return pd.DataFrame(out.T, index=rnd.items.index, columns=ids)
