"""The t confidence interval of a mean, written once (R ``t.test(x)$conf.int``).

``mean ± qt(1 - a/2, n - 1) * sd / sqrt(n)``, vectorised over groups from counts,
sums and sums of squares, so report tables, trends and the dashboard share one
implementation. Only :mod:`scipy.special` is imported (``stdtrit`` is the exact
t quantile, R ``qt``), which keeps the dashboard's start-up light.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CONFIDENCE", "t_quantile", "mean_ci_from_sums", "mean_ci"]

CONFIDENCE = 0.95


def t_quantile(df, *, confidence: float = CONFIDENCE) -> np.ndarray:
    """Two-sided t quantile ``qt(0.5 + confidence / 2, df)``; NaN where ``df < 1``."""
    from scipy.special import stdtrit

    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(df >= 1, stdtrit(np.where(df >= 1, df, 1.0), 0.5 + confidence / 2), np.nan)


def mean_ci_from_sums(n, s1, s2, *, confidence: float = CONFIDENCE):
    """Mean, sd (ddof 1), interval low and high from counts ``n``, sums ``s1`` and sums of squares ``s2``.

    Arrays of one shape; NaN where ``n == 0`` (mean) or ``n < 2`` (sd, interval).
    """
    n = np.asarray(n, dtype=float)
    s1 = np.asarray(s1, dtype=float)
    s2 = np.asarray(s2, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, s1 / np.where(n > 0, n, 1), np.nan)
        var = np.where(n > 1, (s2 - n * mean**2) / np.where(n > 1, n - 1, 1), np.nan)
        sd = np.sqrt(np.clip(var, 0, None))
        half = t_quantile(n - 1, confidence=confidence) * sd / np.sqrt(n)
    return mean, sd, mean - half, mean + half


def mean_ci(values, *, confidence: float = CONFIDENCE):
    """``(n, mean, sd, low, high)`` of one sample, NaNs dropped; as R ``t.test(x)$conf.int``.

    The two-pass mean and sd (not the sums above) keep full precision for one sample.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return 0, np.nan, np.nan, np.nan, np.nan
    m = float(x.mean())
    if n < 2:
        return n, m, np.nan, np.nan, np.nan
    sd = float(x.std(ddof=1))
    half = float(t_quantile(n - 1, confidence=confidence)) * sd / np.sqrt(n)
    return n, m, sd, m - half, m + half
