"""Survey weights and weighted estimates: raking as R ``survey::rake``, means and proportions as ``svymean``.

Weights
-------
:func:`rake_weights` rakes a round to population shares of its background
variables (iterative proportional fitting, Deming & Stephan, 1940): starting
from weight 1, the weights of each margin variable's categories are scaled in
turn to the population totals (``survey::postStratify`` on one margin), and
passes repeat until every margin is met to ``epsilon`` (1e-10 in shares), not
for a fixed number of passes (``survey::rake``'s default stops after 10 passes
or at a change below 1 respondent). The weights are then divided by their mean,
so they average 1 over the weighted respondents and weighted counts stay on the
scale of the sample. A respondent whose margin variable is unknown gets NaN and
is left out of every weighted figure.

``trim`` caps the weights afterwards exactly as ``survey::trimWeights(design,
upper, lower, strict=TRUE)``: weights outside the bounds are set to the bound
and the trimmed amount is spread equally over the other respondents, repeated
until none is outside. The sum (so the mean 1) is kept; the margins are then
met only approximately (the largest margin error is recorded).

What was done is in ``w.attrs["raking"]`` (see :func:`weighting_summary`):
margins, source, passes, convergence, the trim cap, Kish's effective sample
size ``n_eff = (sum w)^2 / sum w^2`` and design effect ``deff = n / n_eff = 1 +
CV^2`` (Kish, 1965, *Survey Sampling*, sec. 11.7).

Estimates
---------
:func:`weighted_mean` and :func:`weighted_proportions` are R
``svymean(~y, svydesign(ids=~1, weights=~w, data), na.rm=TRUE)`` and, with
``by``, ``svyby(~y, ~g, design, svymean, na.rm=TRUE)``: the weighted mean
``sum(w y) / sum(w)`` over the valid values with the Taylor-linearisation
(with replacement) variance ``N / (N - 1) * sum(z^2)``, ``z_i = w_i (y_i -
mean) / sum(w)`` for a respondent with a valid value in the group and 0 for
everyone else (Woodruff, 1971; Lumley, 2010, *Complex Surveys*, sec. 2.2).
``N`` is the number of respondents in the design (everyone with a weight),
not of the group or of the valid answers: survey treats a group and the
respondents with a missing value as a *domain*, keeping the others with
weight 0, so the SE of a group differs from ``sd / sqrt(n_g)`` by that
factor. The weights are treated as given: like ``svydesign`` on a
weight column, the SE does not credit the raking (``survey::rake`` on the
design would, through calibration residuals). Intervals are Wald intervals
with the normal quantile, as ``confint(svymean(...))``.

Libraries: weightipy (0.4) stops raking at a relative change of 1 % by
default and says its cap "needs more rigorous testing"; samplics (0.6) pulls
in polars and pyarrow for the same loop. The IPF here is a few lines of numpy;
its weights agree with ``survey::rake`` to about 1e-12 (tests/test_weighting.py).
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from peo_lib.errors import WeightingError

__all__ = ["rake_weights", "round_weights", "design_weights", "weighting_summary", "kish_effective_n", "design_effect", "weighted_mean",
           "weighted_proportions", "WeightingError", "EPSILON", "MAX_PASSES"]

#: Margins are met to this (largest absolute difference of a weighted share from its target).
EPSILON = 1e-10
#: Passes of IPF before raking gives up (an unreachable margin never converges).
MAX_PASSES = 1000




# ======================================================================
# Kish
# ======================================================================

def _valid_weights(w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return w[np.isfinite(w)]


def kish_effective_n(weights) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2`` of the respondents with a weight.

    Parameters
    ----------
    weights : array-like
        NaN (no weight) is left out.

    Returns
    -------
    float
        Equal to the number of weights when they are all equal (Kish, 1965, sec. 11.7).
    """
    w = _valid_weights(weights)
    ss = float((w**2).sum())
    return float(w.sum() ** 2 / ss) if ss > 0 else float("nan")


def design_effect(weights) -> float:
    """Kish's design effect of unequal weighting, ``n / n_eff = n sum w^2 / (sum w)^2 = 1 + CV^2``.

    ``CV`` is the coefficient of variation of the weights with the ``n`` divisor.
    """
    w = _valid_weights(weights)
    return float(len(w) / kish_effective_n(w)) if len(w) else float("nan")


# ======================================================================
# raking
# ======================================================================

def _categories(rnd, var: str) -> list:
    """The categories of a categorical background variable of a round, in codebook order."""
    bg = rnd.background
    if var not in bg.columns:
        close = difflib.get_close_matches(var, [str(c) for c in bg.columns], n=1)
        raise WeightingError(f"margin variable {var!r} is not a background variable of round {rnd.id}"
                             + (f" (did you mean {close[0]!r}?)" if close else "")
                             + f"; background variables: {list(bg.columns)}")
    col = bg[var]
    if not isinstance(col.dtype, pd.CategoricalDtype):
        raise WeightingError(f"margin variable {var!r} of round {rnd.id} is a number, not a categorical "
                             "variable; weight to categories (e.g. ervaringsgroep instead of ervaring_jaren)")
    return list(col.cat.categories)


def _margin_codes(rnd, margins: dict, where: str):
    """Per margin: category codes per respondent (-1 unknown) and target shares, checked against the round."""
    problems, codes, targets = [], [], []
    for var, shares in margins.items():
        cats = _categories(rnd, var)
        unknown = [c for c in shares if c not in cats]
        for c in unknown:
            close = difflib.get_close_matches(str(c), [str(x) for x in cats], n=1)
            problems.append(f"{where}.{var}: {c!r} is not a value of {var} in round {rnd.id}"
                            + (f" (did you mean {close[0]!r}?)" if close else f" (values: {cats})"))
        if unknown:
            continue
        code = rnd.background[var].cat.codes.to_numpy()
        target = np.array([float(shares.get(c, 0.0)) for c in cats])
        counts = np.bincount(code[code >= 0], minlength=len(cats))
        for c, t, m in zip(cats, target, counts):
            if t > 0 and m == 0:
                problems.append(f"{where}.{var}: nobody in round {rnd.id} is {c!r} (population share {t:g}); "
                                "leave it out or merge it with another category")
            elif t == 0 and m > 0:
                problems.append(f"{where}.{var}: {m} respondent(s) are {c!r} but it has no population share")
        codes.append(code)
        targets.append(target / target.sum() if target.sum() > 0 else target)
    if problems:
        raise WeightingError("; ".join(problems))
    return codes, targets


def _ipf(codes: list, targets: list, *, epsilon: float, max_passes: int):
    """Iterative proportional fitting from weight 1: ``(weights, passes, converged, max_error)``."""
    n = len(codes[0])
    w = np.ones(n)
    sizes = [len(t) for t in targets]
    error = np.inf
    for passes in range(1, max_passes + 1):
        for code, target, k in zip(codes, targets, sizes):
            totals = np.bincount(code, weights=w, minlength=k)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(totals > 0, target * w.sum() / totals, 0.0)
            w = w * factor[code]
        error = _margin_error(w, codes, targets)
        if error < epsilon:
            return w, passes, True, error
    return w, max_passes, False, error


def _margin_error(w: np.ndarray, codes: list, targets: list) -> float:
    """Largest absolute difference between a weighted share and its target."""
    total = w.sum()
    return float(max(np.abs(np.bincount(c, weights=w, minlength=len(t)) / total - t).max()
                     for c, t in zip(codes, targets)))


def _trim(w: np.ndarray, lower: float, upper: float, *, max_rounds: int = 1000):
    """``survey::trimWeights(strict=TRUE)``: cap, spread the trimmed amount equally, repeat."""
    for _ in range(max_rounds):
        outside = (w < lower) | (w > upper)
        if not outside.any():
            return w
        new = np.clip(w, lower, upper)
        new[~outside] += (w - new).sum() / (~outside).sum()
        w = new
    raise WeightingError(f"trimming to [{lower:g}, {upper:g}] times the mean weight did not settle; "
                         "widen the cap")


def _n_at_caps(w: np.ndarray, caps) -> int:
    """Respondents whose weight is at the upper cap (or at a positive lower cap); 0 without trimming."""
    if caps is None:
        return 0
    lower, upper = caps
    at = np.abs(w - upper) <= 1e-12 * upper
    if lower > 0:
        at |= np.abs(w - lower) <= 1e-12 * lower
    return int(at.sum())


def _check_trim(trim):
    """``trim`` -> (lower, upper) caps relative to the mean weight 1, or None."""
    if trim is None:
        return None
    lower, upper = (0.0, trim) if np.isscalar(trim) else tuple(trim)
    if not (np.isfinite(upper) and upper > 1 and 0 <= lower < 1):
        raise ValueError(f"`trim` must be an upper cap above 1 (times the mean weight, e.g. 5) or a pair "
                         f"(lower, upper) with 0 <= lower < 1 < upper, but {trim!r} was passed.")
    return float(lower), float(upper)


def _population_margins(rnd, margins, data_dir):
    """``(margins, source, where)``: the margins given, or the round's entry in ``populatie.yml``."""
    if margins is not None:
        return margins, None, "margins"
    from peo_lib.data.population import read_population

    population = read_population(data_dir=data_dir)
    margins, entry = population.margins_for(rnd.id)
    source = {"bron": entry.bron, "geldig": entry.valid_for, "file": str(population.path),
              "sha256": population.sha256}
    return margins, source, f"{population.path.name} ({entry.valid_for}) marges"


def rake_weights(rnd, margins=None, *, trim=None, data_dir=None, epsilon: float = EPSILON,
                 max_passes: int = MAX_PASSES) -> pd.Series:
    """Rake a round to population shares, as R ``survey::rake`` run to convergence.

    Parameters
    ----------
    rnd : Round
        From :func:`peo_lib.load_round`.
    margins : dict, optional
        ``{variable: {category label: share}}`` for categorical background
        variables (``functie``, ``organisatie``, ``gemeente``,
        ``ervaringsgroep``); shares of a variable add up to 1. Default: the
        round's entry in ``DATA_DIR/populatie.yml``
        (:func:`peo_lib.data.population.read_population`).
    trim : float or (float, float), optional
        Cap the weights at ``trim`` times the mean weight (or to ``(lower,
        upper)``), as ``survey::trimWeights(..., strict=TRUE)``.
    data_dir : str or Path, optional
        Where ``populatie.yml`` is, when ``margins`` is not given.
    epsilon : float
        Largest accepted difference between a weighted share and its target.
    max_passes : int
        Passes over all margins before giving up.

    Returns
    -------
    Series
        Named ``weight``, indexed like ``rnd.items``: mean 1 over the weighted
        respondents, NaN for a respondent with an unknown margin variable.
        ``.attrs["raking"]`` holds what was done (:func:`weighting_summary`).

    Raises
    ------
    WeightingError
        A margin that does not fit the round (unknown variable or category,
        a category nobody is in, respondents in a category without a
        share) or raking that does not converge (one line).

    Examples
    --------
    >>> w = rake_weights(rnd, {"functie": {"Jeugdhulpverlener": 0.55, "Gedragswetenschapper": 0.2,
    ...                                    "Teamleider": 0.15, "Anders": 0.1}})   # doctest: +SKIP
    >>> weighting_summary(w)["deff"]                                                # doctest: +SKIP
    1.21
    """
    margins, source, where = _population_margins(rnd, margins, data_dir)
    if not isinstance(margins, dict) or not margins or not all(isinstance(v, dict) and v for v in margins.values()):
        raise ValueError("`margins` must be a non-empty dict {variable: {category: share}}, e.g. "
                         "{'functie': {'Jeugdhulpverlener': 0.55, ...}}.")
    caps = _check_trim(trim)
    codes, targets = _margin_codes(rnd, margins, where)
    known = np.logical_and.reduce([c >= 0 for c in codes])
    if not known.any():
        raise WeightingError(f"round {rnd.id}: nobody has every margin variable ({list(margins)}) known")
    w_known, passes, converged, error = _ipf([c[known] for c in codes], targets, epsilon=epsilon,
                                             max_passes=max_passes)
    if not converged:
        raise WeightingError(f"round {rnd.id}: raking to {list(margins)} did not converge in {passes} passes "
                             f"(largest margin error {error:.2g}); the margins may not fit together in this "
                             "sample (e.g. an empty combination of categories)")
    w_known = w_known / w_known.mean()
    if caps is not None:
        w_known = _trim(w_known, *caps)
    weights = np.full(len(known), np.nan)
    weights[known] = w_known
    out = pd.Series(weights, index=rnd.items.index, name="weight")
    out.attrs["raking"] = {
        "round": rnd.id, "margins": {v: dict(zip(_categories(rnd, v), t)) for v, t in zip(margins, targets)},
        "source": source, "passes": passes, "converged": True, "epsilon": epsilon,
        "max_margin_error": _margin_error(w_known, [c[known] for c in codes], targets),
        "trim": caps, "n_trimmed": _n_at_caps(w_known, caps), "n": int(known.sum()),
        "n_unweighted": int((~known).sum()),
    }
    return out


def round_weights(rnd, *, data_dir=None, trim=None) -> pd.Series | None:
    """The round's weights when ``DATA_DIR/populatie.yml`` covers it, else None (unweighted).

    The one rule for "is this round weighted": no population file, or no entry for the
    round, means unweighted; an entry that does not fit the round (a category the
    codebook does not have, raking that does not converge) is an error, never a silent
    fall-back to unweighted figures.

    Parameters
    ----------
    rnd : Round
    data_dir : str or Path, optional
        The data dir holding ``populatie.yml`` (default: the workspace's).
    trim : float or (float, float), optional
        As :func:`rake_weights`.

    Raises
    ------
    PopulationError, WeightingError
        The file is invalid, or its entry for this round cannot be applied (one line).
    """
    from peo_lib.data.population import population_path, read_population

    if not population_path(data_dir).is_file():
        return None
    if read_population(data_dir=data_dir).entry_for(rnd.id) is None:
        return None
    return rake_weights(rnd, trim=trim, data_dir=data_dir)


def weighting_summary(weights) -> pd.Series:
    """What a weight vector is: n, Kish effective n and design effect, range, and the raking record.

    Parameters
    ----------
    weights : Series
        From :func:`rake_weights` (or any weights; then only the statistics).

    Returns
    -------
    Series
        ``n`` (weighted respondents), ``n_unweighted`` (NaN weight), ``n_eff``,
        ``deff``, ``min``, ``max``, and from the raking record ``passes``,
        ``max_margin_error``, ``trim`` (the cap, or None), ``n_trimmed``,
        ``source`` (the population file's ``bron``) and ``margins``.
    """
    w = np.asarray(weights, dtype=float)
    valid = w[np.isfinite(w)]
    rec = dict(getattr(weights, "attrs", {}).get("raking", {}))
    out = {"n": len(valid), "n_unweighted": int((~np.isfinite(w)).sum()),
           "n_eff": kish_effective_n(valid), "deff": design_effect(valid),
           "min": float(valid.min()) if len(valid) else np.nan, "max": float(valid.max()) if len(valid) else np.nan}
    for key in ("passes", "max_margin_error", "trim", "n_trimmed", "source", "margins"):
        out[key] = rec.get(key)
    return pd.Series(out, dtype=object)


# ======================================================================
# weighted estimates (svymean / svyby)
# ======================================================================

def design_weights(rnd, weights) -> np.ndarray:
    """Survey weights as a float array in the round's respondent order (NaN: not in the design).

    Raises ValueError when a respondent has no entry (use NaN for "not weighted") or a weight is
    negative: the one check of a weights argument for every weighted table and test.
    """
    w = weights if isinstance(weights, pd.Series) else pd.Series(np.asarray(weights, dtype=float),
                                                                  index=rnd.items.index)
    if not rnd.items.index.isin(w.index).all():
        raise ValueError("`weights` must have a weight (or NaN) for every respondent (same index as the round, "
                         "e.g. from round_weights(rnd)).")
    w = w.reindex(rnd.items.index).to_numpy(dtype=float)
    if (w[np.isfinite(w)] < 0).any():
        raise ValueError("`weights` must not be negative.")
    return w


def _align(y, weights, by):
    """y, w (1 when None) and by as aligned arrays; respondents without a valid weight dropped."""
    if not isinstance(y, pd.Series):
        y = pd.Series(y)
    if weights is None:
        w = pd.Series(1.0, index=y.index)
    else:
        w = weights if isinstance(weights, pd.Series) else pd.Series(np.asarray(weights, dtype=float), index=y.index)
        if not w.index.equals(y.index):
            if not y.index.isin(w.index).all():
                raise ValueError("`weights` must have a weight (or NaN) for every respondent of `y` "
                                 "(same index, e.g. from rake_weights(rnd)).")
            w = w.reindex(y.index)
        w = w.astype(float)
        if (w < 0).any():
            raise ValueError("`weights` must not be negative.")
    if by is not None:
        by = by if isinstance(by, pd.Series) else pd.Series(by, index=y.index)
        by = by.reindex(y.index)
    keep = np.isfinite(w.to_numpy())
    return y[keep], w[keep], (None if by is None else by[keep])


def _svy_mean(y: np.ndarray, w: np.ndarray, n_design: int) -> tuple[float, float]:
    """(mean, SE) of the valid values ``y`` (weights ``w``) of a domain of a design of ``n_design``.

    ``svymean(..., na.rm=TRUE)`` and ``svyby`` keep every respondent of the
    design and give the others weight 0 (domain estimation), so the factor is
    ``N / (N - 1)`` with ``N`` the respondents of the whole design.
    """
    total = w.sum()
    if len(y) == 0 or total <= 0:
        return float("nan"), float("nan")
    mean = float((w * y).sum() / total)
    if n_design < 2:
        return mean, float("nan")
    z = w * (y - mean) / total
    return mean, float(np.sqrt(n_design / (n_design - 1) * (z**2).sum()))


def _groups(by):
    """[(label, boolean mask)] in category order (categorical) or sorted order; NaN groups left out."""
    if isinstance(by.dtype, pd.CategoricalDtype):
        labels = list(by.cat.categories)
    else:
        labels = sorted(by.dropna().unique().tolist())
    values = by.to_numpy(dtype=object)
    return [(g, values == g) for g in labels]


def _quantile(level: float) -> float:
    from scipy.stats import norm

    if not 0 < level < 1:
        raise ValueError(f"`level` must be between 0 and 1 (e.g. 0.95), but {level!r} was passed.")
    return float(norm.ppf(0.5 + level / 2))


def weighted_mean(y, weights=None, *, by=None, level: float = 0.95) -> pd.DataFrame:
    """Weighted mean with its Taylor-linearised SE, as R ``svymean`` / ``svyby``.

    Parameters
    ----------
    y : Series
        Numeric values (an item's codes, a scale score), NaN = missing.
    weights : Series, optional
        Weights indexed like ``y`` (:func:`rake_weights`); NaN = not weighted,
        left out. None: every weight 1 (``svydesign(ids=~1, data)``).
    by : Series, optional
        Groups (e.g. ``rnd.background["functie"]``): one row per group, as
        ``svyby(~y, ~g, design, svymean, na.rm=TRUE)``.
    level : float
        Confidence level of the Wald interval ``mean -/+ z * se``.

    Returns
    -------
    DataFrame
        ``[group], n, n_eff, mean, se, ci_low, ci_high``: ``n`` respondents
        with a valid value and weight, ``n_eff`` their Kish effective n.
    """
    y, w, by = _align(y, weights, by)
    if not pd.api.types.is_numeric_dtype(y):
        raise TypeError("`y` must be numeric (codes or scores); for categories use weighted_proportions.")
    q = _quantile(level)
    yv, wv = y.to_numpy(dtype=float), w.to_numpy(dtype=float)
    rows = []
    for label, mask in ([(None, np.ones(len(yv), dtype=bool))] if by is None else _groups(by)):
        ok = mask & np.isfinite(yv)
        mean, se = _svy_mean(yv[ok], wv[ok], len(yv))
        row = {} if by is None else {"group": label}
        row.update(n=int(ok.sum()), n_eff=kish_effective_n(wv[ok]), mean=mean, se=se,
                   ci_low=mean - q * se, ci_high=mean + q * se)
        rows.append(row)
    return pd.DataFrame(rows)


def weighted_quantiles(y, weights, probs) -> np.ndarray:
    """Weighted quantiles as R ``svyquantile(..., qrule = "hf7")``: type 7 when every weight is equal.

    Parameters
    ----------
    y : array-like
        Values; NaN is dropped (``na.rm = TRUE``), as are respondents without a weight or with weight 0.
    weights : array-like
        Weights aligned with ``y``.
    probs : sequence of float
        Probabilities in [0, 1].

    Notes
    -----
    The sorted values ``x_1 <= ... <= x_n`` sit at ``p_k = (w_1 + ... + w_{k-1}) / (w_1 + ... +
    w_{n-1})`` and a quantile is the linear interpolation at ``p`` (``approx(..., rule = 2)``);
    with equal weights ``p_k = (k - 1) / (n - 1)``, R ``quantile(type = 7)``.
    """
    y, w = np.asarray(y, dtype=float), np.asarray(weights, dtype=float)
    ok = np.isfinite(y) & np.isfinite(w) & (w > 0)
    x, w = y[ok], w[ok]
    probs = np.asarray(probs, dtype=float)
    if len(x) == 0:
        return np.full(probs.shape, np.nan)
    if len(x) == 1:
        return np.full(probs.shape, x[0])
    order = np.argsort(x, kind="mergesort")
    x, w = x[order], w[order]
    cum = np.cumsum(w)
    pk = np.r_[0.0, cum[:-1]] / cum[-2]
    return np.interp(probs, pk, x)


def weighted_proportions(y, weights=None, *, by=None, categories=None, level: float = 0.95) -> pd.DataFrame:
    """Weighted proportion of each category with its Taylor-linearised SE, as R ``svymean(~factor(y))``.

    Parameters
    ----------
    y : Series
        Categories (codes or labels; a categorical keeps its order), NaN = missing
        (not in the base).
    weights : Series, optional
        As in :func:`weighted_mean`.
    by : Series, optional
        Groups: ``svyby(~factor(y), ~g, design, svymean, na.rm=TRUE)``.
    categories : list, optional
        Categories in the order wanted, including ones nobody chose (default:
        the categorical's categories, else the sorted values).
    level : float
        Confidence level of the Wald interval.

    Returns
    -------
    DataFrame
        ``[group], category, n, base, n_eff, prop, se, ci_low, ci_high``:
        ``n`` unweighted respondents in the category, ``base`` unweighted
        respondents with a valid answer, ``n_eff`` the Kish effective base,
        ``prop`` the weighted share (0-1).
    """
    y, w, by = _align(y, weights, by)
    if categories is None:
        categories = list(y.cat.categories) if isinstance(y.dtype, pd.CategoricalDtype) else \
            sorted(y.dropna().unique().tolist())
    q = _quantile(level)
    yv, wv = y.to_numpy(dtype=object), w.to_numpy(dtype=float)
    valid = ~pd.isna(yv)
    rows = []
    for label, mask in ([(None, np.ones(len(yv), dtype=bool))] if by is None else _groups(by)):
        ok = mask & valid
        base_w = wv[ok]
        for cat in categories:
            hit = (yv[ok] == cat).astype(float)
            prop, se = _svy_mean(hit, base_w, len(yv))
            row = {} if by is None else {"group": label}
            row.update(category=cat, n=int(hit.sum()), base=int(ok.sum()), n_eff=kish_effective_n(base_w),
                       prop=prop, se=se, ci_low=prop - q * se, ci_high=prop + q * se)
            rows.append(row)
    return pd.DataFrame(rows)
