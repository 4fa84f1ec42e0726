"""Trends over rounds: comparability, raw and composition-adjusted means.

Every round repeats a core set of items under *stable ids* (design.md). A
trend line may only join rounds in which the same question was asked with the
same response set; :func:`comparability` says where that holds and the trend
functions number the unbroken stretches (``series``) so that a plot draws a
new line, and a test is not run, across a change of wording.

Models
------
* Raw trend (:func:`scale_trend`): mean per round with a t interval, as R
  ``t.test(x)$conf.int``.
* Composition-adjusted trend (:func:`adjusted_trend`): OLS
  ``score ~ C(round) + C(ervaringsgroep) + C(functie)`` (statsmodels), reported
  as *marginal means at a fixed reference composition*: for every round the
  model's prediction averaged over **all respondents of all rounds pooled**
  (complete cases), with the round set to that round. For an additive linear
  model this equals R ``emmeans(fit, ~ round, weights = "proportional")`` and
  ``marginaleffects::avg_predictions(fit, variables = "round")``. The
  difference between two adjusted means is the difference of the round
  coefficients, so a change in the mix of starters and experienced
  professionals alone does not move the adjusted line.
* Single statements (:func:`adjusted_item_trend`): proportional-odds model
  (statsmodels ``OrderedModel``, ``distr="logit"``; as R ``MASS::polr``) with
  the same terms; per round the predicted P(agree) averaged over the pooled
  sample (delta-method interval on the logit scale) and the round
  coefficient as an odds ratio against the first round.
* :func:`consecutive_changes`: consecutive rounds compared with Welch's t test
  (R ``t.test(y, x)``) or with the adjusted model's contrast, with
  Benjamini-Hochberg FDR control over the comparisons of one scale
  (``statsmodels.stats.multitest.multipletests(method="fdr_bh")``, as R
  ``p.adjust(p, "BH")``).

Missing data: a respondent without a scale score (fewer than ``min_valid``
items) is left out of that scale's trend; adjusted models use complete cases
on the covariates, and a covariate that a round did not ask at all is dropped
from the model with a warning (otherwise that round would vanish).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from peo_lib._validate import check_argument
from peo_lib.formatting import format_nl
from peo_lib.stats.intervals import mean_ci

from peo_lib.stats.models import (_fitted_ols, _model_frame, adjusted_item_trend,  # noqa: F401
                                  adjusted_trend, fit_ordinal, ordinal_coefficients, predict_ordinal)
from peo_lib.stats.series import (GROUP_COLUMNS, _as_rounds, _check_level,  # noqa: F401
                                  _scale_label, _scale_range, _scale_rounds, _series_ids, comparability,
                                  reused_in_block, round_mean, stack_rounds, stacked_weights)

__all__ = [
    "comparability",
    "stack_rounds",
    "scale_trend",
    "adjusted_trend",
    "fit_ordinal",
    "ordinal_coefficients",
    "predict_ordinal",
    "adjusted_item_trend",
    "consecutive_changes",
    "trend_sentence",
    "welch_test",
    "round_mean",
    "round_pair_change",
    "GROUP_COLUMNS",
]

# -- raw trend -------------------------------------------------------------

def _mean_ci(x: np.ndarray, level: float) -> dict:
    """Mean, sd, se and the t interval of R ``t.test(x, conf.level=level)``."""
    n, mean, sd, lo, hi = mean_ci(x, confidence=level)
    se = sd / np.sqrt(n) if n > 1 else np.nan
    return dict(n=n, mean=mean, sd=sd, se=se, ci_low=lo, ci_high=hi)


def _weighted_mean_ci(y, w, level: float, by=None) -> list[dict]:
    """svymean / svyby of one round's values (see :func:`scale_trend`), as rows."""
    from peo_lib.stats.weighting import weighted_mean

    index = pd.RangeIndex(len(y))
    ys, ws = pd.Series(y, index=index), pd.Series(w, index=index)
    res = weighted_mean(ys, ws, by=None if by is None else pd.Series(by, index=index), level=level)
    rows = []
    for r in res.to_dict("records"):
        ok = np.isfinite(y) & np.isfinite(w) & ((np.asarray(by, dtype=object) == r["group"]) if by is not None else True)
        sd = (float(np.sqrt(np.average((y[ok] - r["mean"]) ** 2, weights=w[ok]))) if ok.sum() > 1 and w[ok].sum() > 0
              else np.nan)
        rows.append({k: r.get(k) for k in (["group"] if by is not None else [])}
                    | dict(n=r["n"], mean=r["mean"], sd=sd, se=r["se"], ci_low=r["ci_low"], ci_high=r["ci_high"]))
    return rows


@reused_in_block  # asked for by the tables, sentences and findings of a trend report alike
def scale_trend(rounds, *, scale: str, by: str | None = None, level: float = 0.95, weights=None) -> pd.DataFrame:
    """Raw mean of a scale per round, with a t confidence interval.

    Parameters
    ----------
    rounds : dict of Round or list of Round
    scale : str
        Scale id, e.g. ``"professionele_ruimte"``.
    by : {None, "ervaringsgroep", "functie", "organisatie", "gemeente"}
        Separate lines per group (e.g. startend / ervaren).
    level : float, default 0.95
    weights : dict, optional
        ``{round id: weights or None}``: a weighted round's mean, SE and interval are R
        ``svymean`` (``svyby`` per group: domains of the round's design) with the Wald interval,
        ``sd`` the weighted standard deviation; ``n`` stays the respondents (with a weight). A
        round without weights keeps the t interval.

    Returns
    -------
    DataFrame
        Columns ``round``, [``by``], ``n``, ``mean``, ``sd``, ``se``,
        ``ci_low``, ``ci_high``, ``weighted``, ``series`` (number of the comparable
        stretch: draw a new line where it changes). Only rounds that have the
        scale. Groups are listed even when small: apply disclosure control
        (``peo_lib.privacy.disclosure``) before showing the table.

    Notes
    -----
    The interval is ``mean +- t(n-1) * sd / sqrt(n)``, as R
    ``t.test(x)$conf.int``.
    """
    level = _check_level(level)
    rounds = _as_rounds(rounds)
    if by is not None:
        check_argument("by", (None, *GROUP_COLUMNS), by)
    have = _scale_rounds(rounds, scale)
    series = _series_ids([rounds[r].codebook for r in have], scale=scale)
    sub = {r: rounds[r] for r in have}
    df = stack_rounds(sub, items=False)
    w_all = stacked_weights(sub, weights)
    rows = []
    for rid in have:
        in_round = (df["round"] == rid).to_numpy()
        d = df[in_round]
        if w_all is not None and weights.get(rid) is not None:
            y, w = d[scale].to_numpy(dtype=float), w_all[in_round]
            if by is None:
                rows += [dict(round=rid, **r, weighted=True, series=series[rid]) for r in _weighted_mean_ci(y, w, level)]
            else:
                groups = d[by].astype(object).to_numpy()
                found = {r.pop("group"): r for r in _weighted_mean_ci(y, w, level, by=groups)}
                empty = dict(n=0, mean=np.nan, sd=np.nan, se=np.nan, ci_low=np.nan, ci_high=np.nan)
                rows += [{"round": rid, by: g, **found.get(g, empty), "weighted": True, "series": series[rid]}
                         for g in df[by].cat.categories]
        elif by is None:
            rows.append(dict(round=rid, **_mean_ci(d[scale].to_numpy(dtype=float), level), weighted=False,
                             series=series[rid]))
        else:
            for g in df[by].cat.categories:
                x = d.loc[d[by] == g, scale].to_numpy(dtype=float)
                rows.append({"round": rid, by: g, **_mean_ci(x, level), "weighted": False, "series": series[rid]})
    out = pd.DataFrame(rows)
    out.attrs.update(scale=scale, label=_scale_label(rounds, scale), level=level, kind="raw")
    return out


# -- consecutive changes ---------------------------------------------------

def welch_test(x, y, *, level: float = 0.95) -> dict:
    """Welch two-sample t test of ``mean(y) - mean(x)``, as R ``t.test(y, x)``.

    Returns a dict with ``diff``, ``t``, ``df``, ``p``, ``ci_low``, ``ci_high``.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    if len(x) < 2 or len(y) < 2:
        return dict(diff=np.nan, t=np.nan, df=np.nan, p=np.nan, ci_low=np.nan, ci_high=np.nan)
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    se = np.sqrt(vx + vy)
    diff = y.mean() - x.mean()
    df = (vx + vy) ** 2 / (vx ** 2 / (len(x) - 1) + vy ** 2 / (len(y) - 1))
    t = diff / se
    p = 2 * stats.t.sf(abs(t), df)
    half = stats.t.ppf(0.5 + level / 2, df) * se
    return dict(diff=float(diff), t=float(t), df=float(df), p=float(p),
                ci_low=float(diff - half), ci_high=float(diff + half))


def round_pair_change(before, after, *, w_before=None, w_after=None, level: float = 0.95) -> dict:
    """``mean(after) - mean(before)`` of two rounds with its test.

    Neither round weighted: :func:`welch_test` (R ``t.test(after, before)``). Otherwise R
    ``svyttest(value ~ round, design)`` on the two rounds stacked as one design, each with its
    own weights (1 each for a round without), t on ``n - 2`` df
    (:func:`peo_lib.stats.compare.svy_mean_difference`).

    Returns
    -------
    dict
        ``diff``, ``t``, ``df``, ``p``, ``ci_low``, ``ci_high``.
    """
    if w_before is None and w_after is None:
        return welch_test(before, after, level=level)
    from peo_lib.stats.compare import svy_mean_difference

    wb, wa = (np.ones(len(v)) if w is None else np.asarray(w, dtype=float)
              for v, w in ((before, w_before), (after, w_after)))
    n_design = int(np.isfinite(wb).sum() + np.isfinite(wa).sum())  # the two rounds as one design
    res = svy_mean_difference(after, wa, before, wb, n_design=n_design, level=level)
    return {k: res[k] for k in ("diff", "t", "df", "p", "ci_low", "ci_high")}


def _round_contrast(res, design, d: pd.DataFrame, prev: str, cur: str, *, level: float) -> dict:
    """The contrast of two round coefficients of a fitted trend model (as ``res.t_test(L)``),
    t on the model's residual df; for the OLS and the weighted (``svyglm``) fit alike."""
    L = design.matrix(d.iloc[:1], round=cur)[0] - design.matrix(d.iloc[:1], round=prev)[0]
    est = float(L @ np.asarray(res.params))
    se = float(np.sqrt(L @ np.asarray(res.cov_params()) @ L))
    t = est / se
    half = float(stats.t.ppf(0.5 + level / 2, res.df_resid)) * se
    return dict(diff=est, t=t, df=float(res.df_resid), p=float(2 * stats.t.sf(abs(t), res.df_resid)),
                ci_low=est - half, ci_high=est + half)


@reused_in_block
def consecutive_changes(rounds, *, scale: str, method: str = "welch",
                        covariates=("ervaringsgroep", "functie"), alpha: float = 0.05,
                        level: float = 0.95, weights=None) -> pd.DataFrame:
    """Change of a scale between consecutive rounds, tested with FDR control.

    Parameters
    ----------
    rounds : dict of Round or list of Round
    scale : str
    method : {"welch", "adjusted"}
        ``welch``: raw means, Welch t test (R ``t.test(cur, prev)``).
        ``adjusted``: the contrast of the two round coefficients in the OLS
        model of :func:`adjusted_trend` (``res.t_test``), i.e. the change
        in composition-adjusted means.
    covariates : sequence of str
        For ``method="adjusted"``.
    alpha : float, default 0.05
        FDR level for ``significant``.
    level : float, default 0.95
    weights : dict, optional
        ``{round id: weights or None}``. ``welch``: a pair with a weighted round is compared as R
        ``svyttest(scale ~ round, design)`` on the two rounds stacked as one design (each with its
        own weights, 1 each for a round without), weighted means, t on ``n - 2`` df.
        ``adjusted``: the contrast in the weighted model of :func:`adjusted_trend` (R ``svyglm``),
        t on its ``n - p`` df.

    Returns
    -------
    DataFrame
        One row per pair of consecutive rounds that have the scale:
        ``previous``, ``current``, ``mean_previous``, ``mean_current``,
        ``diff``, ``ci_low``, ``ci_high``, ``t``, ``df``, ``p``,
        ``p_adjusted`` (Benjamini-Hochberg over the comparable pairs of this
        scale, statsmodels ``multipletests(method="fdr_bh")``, as R
        ``p.adjust(p, "BH")``), ``significant``, ``comparable`` (False when
        the scale's questions changed between the two rounds: then no test,
        NaN).
    """
    from peo_lib.stats.compare import bh_adjust

    check_argument("method", ("welch", "adjusted"), method)
    level = _check_level(level)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha={alpha!r}: expected a level between 0 and 1, e.g. 0.05")
    rounds = _as_rounds(rounds)
    have = _scale_rounds(rounds, scale)
    series = _series_ids([rounds[r].codebook for r in have], scale=scale)
    sub = {r: rounds[r] for r in have}
    if method == "welch":
        df = stack_rounds(sub, items=False)
        means = {r: df.loc[df["round"] == r, scale] for r in have}
        w_all = stacked_weights(sub, weights)
        w_of = {} if w_all is None else {r: w_all[(df["round"] == r).to_numpy()] for r in have}
    else:
        adj = adjusted_trend(sub, scale=scale, covariates=covariates, level=level, weights=weights)
        means = dict(zip(adj["round"], adj["mean"]))
        d, covs = _model_frame(sub, scale, covariates, what="consecutive_changes")
        if stacked_weights(sub, weights) is not None:
            w = stacked_weights(sub, weights)[d.index.to_numpy()]
            d = d[np.isfinite(w) & (w > 0)]
        res, design = _fitted_ols(sub, d, scale, covariates, ["round", *covs], what="consecutive_changes",
                                  weights=weights)
    rows = []
    for prev, cur in zip(have[:-1], have[1:]):
        comparable = series[prev] == series[cur]
        row = dict(previous=prev, current=cur, comparable=comparable)
        if method == "welch":
            x, y = means[prev].to_numpy(dtype=float), means[cur].to_numpy(dtype=float)
            wx, wy = ((w_of[r] if w_of and (weights or {}).get(r) is not None else None) for r in (prev, cur))
            row.update(mean_previous=round_mean(x, wx), mean_current=round_mean(y, wy),
                       **round_pair_change(x, y, w_before=wx, w_after=wy, level=level))
        else:
            row.update(mean_previous=means[prev], mean_current=means[cur],
                       **_round_contrast(res, design, d, prev, cur, level=level))
        if not comparable:
            row.update(t=np.nan, df=np.nan, p=np.nan, ci_low=np.nan, ci_high=np.nan)
        rows.append(row)
    cols = ["previous", "current", "mean_previous", "mean_current", "diff", "ci_low", "ci_high", "t", "df", "p",
            "p_adjusted", "significant", "comparable"]
    out = pd.DataFrame(rows).reindex(columns=cols)
    out["p_adjusted"] = bh_adjust(out["p"].to_numpy(dtype=float))
    out["significant"] = (out["p_adjusted"] <= alpha).astype(bool)  # as multipletests(alpha=alpha)'s reject
    out.attrs.update(scale=scale, method=method, alpha=alpha, weighted=stacked_weights(sub, weights) is not None)
    return out


# -- Dutch sentence ----------------------------------------------------------

def _change_phrase(diff: float, significant: bool, before: float, after: float, lo: int, hi: int,
                   *, subject: str) -> str:
    """Dutch clause: 'is de gemiddelde score gestegen van 3,2 naar 3,4 (schaal 1-5)'."""
    if significant:
        word = "gestegen" if diff > 0 else "gedaald"
        return f"is {subject} {word} van {format_nl(before)} naar {format_nl(after)} (schaal {lo}-{hi})"
    return (f"is {subject} nagenoeg gelijk gebleven ({format_nl(before)} en {format_nl(after)} op een "
            f"schaal van {lo} tot {hi}; het verschil is statistisch niet betrouwbaar)")


def trend_sentence(rounds, *, scale: str, covariates=("ervaringsgroep", "functie"), alpha: float = 0.05,
                   min_n: int | None = None, weights=None) -> str:
    """A plain Dutch paragraph on what changed in a scale since the previous round.

    Parameters
    ----------
    rounds : dict of Round or list of Round
    scale : str
    covariates : sequence of str
        Composition the adjusted comparison accounts for.
    alpha : float, default 0.05
        FDR level (Benjamini-Hochberg over the consecutive pairs).
    min_n : int, optional
        Below this many respondents in a round no figure is given (default:
        the latest round's ``privacy.min_n``).
    weights : dict, optional
        ``{round id: weights or None}``: the weighted means and tests of :func:`scale_trend`,
        :func:`consecutive_changes` and :func:`adjusted_trend`.

    Returns
    -------
    str
        E.g. "Ervaren professionele ruimte: sinds de vorige ronde (2022-2) is
        de gemiddelde score gestegen van 3,2 naar 3,4 (schaal 1-5). ...
        Rekening houdend met de samenstelling van de respondenten
        (ervaringsgroep en functie) ...". Uses raw Welch tests and the OLS
        contrast of :func:`consecutive_changes` with BH control; a change of
        wording is reported instead of a comparison.
    """
    rounds = _as_rounds(rounds)
    have = _scale_rounds(rounds, scale)
    label = _scale_label(rounds, scale)
    lo, hi = _scale_range(rounds, scale)
    last = rounds[have[-1]]
    min_n = last.codebook.privacy.min_n if min_n is None else int(min_n)
    raw = scale_trend(rounds, scale=scale, weights=weights)
    if len(have) < 2:
        m = raw.iloc[-1]
        if m["n"] < min_n:
            return f"{label}: in ronde {have[-1]} te weinig respondenten om een gemiddelde te tonen."
        return (f"{label}: in ronde {have[-1]} is de gemiddelde score {format_nl(m['mean'])} "
                f"(schaal {lo}-{hi}); er is nog geen eerdere ronde om mee te vergelijken.")
    prev, cur = have[-2], have[-1]
    r_prev, r_cur = raw.iloc[-2], raw.iloc[-1]
    if min(r_prev["n"], r_cur["n"]) < min_n:
        return f"{label}: te weinig respondenten in ronde {prev} of {cur} om een verandering te tonen."
    welch = consecutive_changes(rounds, scale=scale, method="welch", alpha=alpha, weights=weights).iloc[-1]
    if not welch["comparable"]:
        return (f"{label}: de vragen van deze schaal zijn in ronde {cur} gewijzigd ten opzichte van ronde "
                f"{prev}; de scores ({format_nl(r_prev['mean'])} en {format_nl(r_cur['mean'])}, schaal "
                f"{lo}-{hi}) zijn daarom niet als verandering te lezen.")
    parts = [f"{label}: sinds de vorige ronde ({prev}) "
             + _change_phrase(welch["diff"], bool(welch["significant"]), r_prev["mean"], r_cur["mean"], lo, hi,
                              subject="de gemiddelde score") + "."]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            adj_tab = adjusted_trend(rounds, scale=scale, covariates=covariates, weights=weights)
            adj = consecutive_changes(rounds, scale=scale, method="adjusted", covariates=covariates,
                                      alpha=alpha, weights=weights).iloc[-1]
        covs = adj_tab.attrs["covariates"]
    except ValueError:
        covs = []
    if covs:
        a_prev, a_cur = adj_tab.iloc[-2], adj_tab.iloc[-1]
        names = " en ".join(", ".join(covs).rsplit(", ", 1))
        same = bool(adj["significant"]) == bool(welch["significant"]) and (
            not adj["significant"] or np.sign(adj["diff"]) == np.sign(welch["diff"]))
        if same and adj["significant"]:
            tail = "; de verandering komt dus niet door een andere samenstelling."
        elif welch["significant"] and not adj["significant"]:
            tail = "; het verschil komt dus vooral door een andere samenstelling van de groep."
        elif adj["significant"] and not welch["significant"]:
            tail = "; een andere samenstelling van de groep verhult die verandering in de ruwe cijfers."
        else:
            tail = "."
        parts.append(
            f"Rekening houdend met de samenstelling van de respondenten ({names}) "
            + _change_phrase(adj["diff"], bool(adj["significant"]), a_prev["mean"], a_cur["mean"], lo, hi,
                             subject="de score").split(" (")[0]
            + (f" ({format_nl(a_prev['mean'])} en {format_nl(a_cur['mean'])})" if not adj["significant"] else "")
            + tail
        )
    first = raw.iloc[0]
    if len(have) > 2 and first["n"] >= min_n:
        parts.append(f"In de eerste ronde met deze schaal ({have[0]}) was de score {format_nl(first['mean'])}.")
    return " ".join(parts)

