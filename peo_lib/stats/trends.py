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
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from peo_lib.stats.intervals import mean_ci
from scipy import stats

from peo_lib.data.codebook import CORE_BLOCK, Codebook, compare_codebooks
from peo_lib.formatting import format_nl
from peo_lib.stats.scoring import score_scales
from peo_lib._validate import check_argument

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
    "GROUP_COLUMNS",
]

#: Background columns that :func:`stack_rounds` always carries (NaN when a round lacks one).
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


def _scale_rounds(rounds: dict, scale: str) -> list[str]:
    have = [rid for rid, r in rounds.items() if scale in r.codebook.scales]
    if not have:
        known = sorted({s for r in rounds.values() for s in r.codebook.scales})
        raise ValueError(f"scale={scale!r} is not a scale of any round; known scales: {known}")
    return have


def _item_rounds(rounds: dict, item: str) -> list[str]:
    have = [rid for rid, r in rounds.items() if item in r.codebook.items]
    if not have:
        known = sorted({i for r in rounds.values() for i in r.codebook.items})
        raise ValueError(f"item={item!r} is not an item of any round; known items: {known}")
    return have


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
    changes = compare_codebooks(cbs, warn=False)
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
    ids: it is an analysis table, never an output.
    """
    rounds = _as_rounds(rounds)
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


# -- raw trend -------------------------------------------------------------

def _mean_ci(x: np.ndarray, level: float) -> dict:
    """Mean, sd, se and the t interval of R ``t.test(x, conf.level=level)``."""
    n, mean, sd, lo, hi = mean_ci(x, confidence=level)
    se = sd / np.sqrt(n) if n > 1 else np.nan
    return dict(n=n, mean=mean, sd=sd, se=se, ci_low=lo, ci_high=hi)


def scale_trend(rounds, *, scale: str, by: str | None = None, level: float = 0.95) -> pd.DataFrame:
    """Raw mean of a scale per round, with a t confidence interval.

    Parameters
    ----------
    rounds : dict of Round or list of Round
    scale : str
        Scale id, e.g. ``"professionele_ruimte"``.
    by : {None, "ervaringsgroep", "functie", "organisatie", "gemeente"}
        Separate lines per group (e.g. startend / ervaren).
    level : float, default 0.95

    Returns
    -------
    DataFrame
        Columns ``round``, [``by``], ``n``, ``mean``, ``sd``, ``se``,
        ``ci_low``, ``ci_high``, ``series`` (number of the comparable
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
    rows = []
    for rid in have:
        d = df[df["round"] == rid]
        if by is None:
            rows.append(dict(round=rid, **_mean_ci(d[scale].to_numpy(dtype=float), level),
                             series=series[rid]))
        else:
            for g in df[by].cat.categories:
                x = d.loc[d[by] == g, scale].to_numpy(dtype=float)
                rows.append({"round": rid, by: g, **_mean_ci(x, level), "series": series[rid]})
    out = pd.DataFrame(rows)
    out.attrs.update(scale=scale, label=_scale_label(rounds, scale), level=level, kind="raw")
    return out


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


# -- design matrices (shared by OLS and the ordinal model) ----------------

def _usable_covariates(df: pd.DataFrame, covariates, *, what: str) -> list[str]:
    covariates = list(covariates)
    for c in covariates:
        check_argument("covariates", GROUP_COLUMNS, c)
    keep = []
    for c in covariates:
        absent = [str(r) for r in df["round"].cat.categories
                  if (df["round"] == r).any() and df.loc[df["round"] == r, c].isna().all()]
        if absent:
            warnings.warn(f"{what}: covariate {c!r} is unknown for everyone in round(s) "
                          f"{', '.join(absent)}; it is left out of the model", UserWarning, stacklevel=3)
            continue
        if df[c].nunique() < 2:
            continue
        keep.append(c)
    return keep


def _dummies(values: pd.Series, levels: list) -> np.ndarray:
    """Treatment-coded dummies (first level is the reference), as R ``contr.treatment``."""
    v = values.to_numpy(dtype=object)
    return np.column_stack([(v == lev).astype(float) for lev in levels[1:]]) if len(levels) > 1 \
        else np.empty((len(v), 0))


class _Design:
    """Column layout of ``C(round) + C(cov1) + ...`` for one fitted sample."""

    def __init__(self, df: pd.DataFrame, factors: list[str], *, constant: bool):
        self.factors = factors
        self.constant = constant
        self.levels = {}
        for f in factors:
            cats = df[f].cat.categories if isinstance(df[f].dtype, pd.CategoricalDtype) else sorted(df[f].unique())
            self.levels[f] = [c for c in cats if (df[f] == c).any()]
        self.names = (["Intercept"] if constant else []) + [
            f"C({f})[T.{lev}]" for f in factors for lev in self.levels[f][1:]]

    def matrix(self, df: pd.DataFrame, **fixed) -> np.ndarray:
        """Design rows for ``df``, with factors in ``fixed`` set to one level for everyone."""
        blocks = [np.ones((len(df), 1))] if self.constant else []
        for f in self.factors:
            values = pd.Series([fixed[f]] * len(df), dtype=object) if f in fixed else df[f].astype(object)
            blocks.append(_dummies(values, self.levels[f]))
        return np.hstack(blocks)


def _model_frame(rounds: dict, column: str, covariates, *, what: str):
    df = stack_rounds(rounds, items=True)
    covs = _usable_covariates(df, covariates, what=what)
    d = df.dropna(subset=[column, *covs]).copy()
    d["round"] = d["round"].cat.remove_unused_categories()
    for c in covs:
        d[c] = d[c].cat.remove_unused_categories()
    return d, covs


# -- adjusted trend (OLS) ----------------------------------------------------

def _fit_ols(d: pd.DataFrame, column: str, factors: list[str]):
    import statsmodels.api as sm

    design = _Design(d, factors, constant=True)
    X = pd.DataFrame(design.matrix(d), columns=design.names, index=d.index)
    res = sm.OLS(d[column].to_numpy(dtype=float), X).fit()
    return res, design


def adjusted_trend(rounds, *, scale: str, covariates=("ervaringsgroep", "functie"),
                   by: str | None = None, level: float = 0.95) -> pd.DataFrame:
    """Composition-adjusted mean of a scale per round (OLS marginal means).

    Fits ``scale ~ C(round) + C(ervaringsgroep) + C(functie)`` by OLS
    (statsmodels) on all rounds that have the scale, then predicts, for every
    round, the mean score *if that round's respondents had the pooled
    composition of all rounds*: the prediction for each respondent of the
    pooled complete-case sample with the round set to that round, averaged.

    Parameters
    ----------
    rounds : dict of Round or list of Round
    scale : str
    covariates : sequence of str, default ("ervaringsgroep", "functie")
        Background factors to adjust for (any of ``GROUP_COLUMNS``).
    by : str, optional
        One of ``covariates``: separate adjusted lines per level of it; the
        model then has a ``C(round):C(by)`` interaction and averages over the
        pooled composition of the other covariates only.
    level : float, default 0.95

    Returns
    -------
    DataFrame
        Columns ``round``, [``by``], ``n`` (respondents of the round in the
        model), ``raw_mean`` (their unadjusted mean), ``mean`` (adjusted),
        ``se``, ``ci_low``, ``ci_high`` (t interval with the model's residual
        df), ``series``. ``attrs`` hold ``formula``, ``covariates`` used,
        ``reference`` (pooled shares of each covariate level) and ``n``.

    Notes
    -----
    For an additive linear model the averaged prediction is ``L @ beta`` with
    ``L`` the mean design row (pooled dummy shares), so its variance is
    ``L V L'``; this is R ``emmeans(fit, ~ round, weights = "proportional")``.
    Complete cases on the covariates; see the module notes for missing
    covariates.
    """
    level = _check_level(level)
    rounds = _as_rounds(rounds)
    have = _scale_rounds(rounds, scale)
    sub = {r: rounds[r] for r in have}
    d, covs = _model_frame(sub, scale, covariates, what=f"adjusted_trend(scale={scale!r})")
    if by is not None:
        check_argument("by", tuple(covariates), by)
        if by not in covs:
            raise ValueError(f"by={by!r} cannot be used: it is not usable as a covariate in these rounds")
    series = _series_ids([rounds[r].codebook for r in have], scale=scale)
    factors = ["round", *covs]
    if by is None:
        res, design = _fit_ols(d, scale, factors)
        X = design.matrix(d)
        names = design.names
        cells = [(rid, {}) for rid in design.levels["round"]]
    else:
        d["_cell"] = d["round"].astype(str) + "\x1f" + d[by].astype(str)
        d["_cell"] = pd.Categorical(d["_cell"])
        others = [c for c in covs if c != by]
        res, design = _fit_ols(d, scale, ["_cell", *others])
        names = design.names
        cells = [(rid, {by: g}) for rid in d["round"].cat.categories for g in d[by].cat.categories
                 if ((d["round"] == rid) & (d[by] == g)).any()]
    tq = stats.t.ppf(0.5 + level / 2, res.df_resid)
    cov = np.asarray(res.cov_params())
    beta = np.asarray(res.params)
    rows = []
    for rid, extra in cells:
        if by is None:
            L = design.matrix(d, round=rid).mean(axis=0)
            mask = d["round"] == rid
        else:
            g = extra[by]
            L = design.matrix(d, _cell=f"{rid}\x1f{g}").mean(axis=0)
            mask = (d["round"] == rid) & (d[by] == g)
        est = float(L @ beta)
        se = float(np.sqrt(L @ cov @ L))
        rows.append({"round": rid, **extra, "n": int(mask.sum()),
                     "raw_mean": float(d.loc[mask, scale].mean()), "mean": est, "se": se,
                     "ci_low": est - tq * se, "ci_high": est + tq * se, "series": series[rid]})
    out = pd.DataFrame(rows)
    formula = f"{scale} ~ C(round)" + (f" * C({by})" if by else "") + "".join(
        f" + C({c})" for c in covs if c != by)
    reference = {c: d[c].value_counts(normalize=True, sort=False).to_dict() for c in covs}
    out.attrs.update(scale=scale, label=_scale_label(rounds, scale), level=level, kind="adjusted",
                     formula=formula, covariates=covs, reference=reference, n=len(d), names=names)
    return out


# -- ordinal model -----------------------------------------------------------

def _ordinal_design(data: pd.DataFrame, predictors) -> tuple[pd.DataFrame, list]:
    """Exog for OrderedModel: numeric columns as is, categoricals treatment-coded, no constant."""
    blocks = []
    factors = []
    for p in predictors:
        s = data[p]
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object:
            levels = list(s.cat.categories) if isinstance(s.dtype, pd.CategoricalDtype) else sorted(s.unique())
            levels = [lev for lev in levels if (s == lev).any()]
            factors.append((p, levels))
            blocks.append(pd.DataFrame(_dummies(s.astype(object), levels), index=data.index,
                                       columns=[f"C({p})[T.{lev}]" for lev in levels[1:]]))
        else:
            factors.append((p, None))
            blocks.append(pd.DataFrame({p: s.to_numpy(dtype=float)}, index=data.index))
    return pd.concat(blocks, axis=1), factors


def fit_ordinal(data: pd.DataFrame, *, outcome: str, predictors, categories=None, distr: str = "logit"):
    """Fit a proportional-odds (cumulative link) model with statsmodels ``OrderedModel``.

    Parameters
    ----------
    data : DataFrame
        Complete cases only (rows with a missing value raise).
    outcome : str
        Ordinal outcome column (codes, labels or an ordered categorical).
    predictors : sequence of str
        Numeric columns enter as is; categorical/text columns as treatment
        dummies (first category is the reference), as R ``contr.treatment``.
    categories : sequence, optional
        Order of the outcome categories (default: the categorical's order,
        else sorted values).
    distr : {"logit", "probit"}
        ``logit`` is the proportional-odds model.

    Returns
    -------
    statsmodels OrderedResults
        Fitted by BFGS, then polished by Newton steps to the maximum of the
        likelihood. ``model.peo_factors`` keeps the factor levels for
        :func:`predict_ordinal`.

    Notes
    -----
    Same model as R ``MASS::polr(outcome ~ predictors, method = "logistic")``:
    ``logit P(Y <= j) = zeta_j - x'beta``. statsmodels stores thresholds
    after the first as log-increments; :func:`ordinal_coefficients` reports
    them as R's ``zeta``. Tested against the UCLA ``ologit`` example (R
    ``polr``), as in statsmodels' own tests.
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    check_argument("distr", ("logit", "probit"), distr)
    cols = [outcome, *predictors]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in data; available: {list(data.columns)}")
    if data[cols].isna().any().any():
        raise ValueError("fit_ordinal: data has missing values in the model columns; drop incomplete rows first")
    y = data[outcome]
    if categories is None:
        categories = list(y.cat.categories) if isinstance(y.dtype, pd.CategoricalDtype) else sorted(y.unique())
    categories = [c for c in categories if (y == c).any()]
    if len(categories) < 2:
        raise ValueError(f"fit_ordinal: outcome {outcome!r} has fewer than two observed categories")
    endog = pd.Series(pd.Categorical(y, categories=categories, ordered=True), index=data.index, name=outcome)
    exog, factors = _ordinal_design(data, predictors)
    model = OrderedModel(endog, exog, distr=distr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = model.fit(method="bfgs", disp=False, maxiter=2000)
        try:  # polish with Newton steps: BFGS (like R's optim in polr) stops ~1e-4 short of the MLE
            polished = model.fit(start_params=np.asarray(res.params), method="newton", disp=False, maxiter=50)
            if np.isfinite(polished.llf) and polished.llf >= res.llf and np.all(np.isfinite(polished.bse)):
                res = polished
        except (np.linalg.LinAlgError, ValueError):
            pass
    if not res.mle_retvals.get("converged", True):
        warnings.warn(f"fit_ordinal: the model for {outcome!r} did not converge", UserWarning, stacklevel=2)
    model.peo_factors = factors
    model.peo_categories = categories
    return res


def ordinal_coefficients(res, *, level: float = 0.95) -> pd.DataFrame:
    """Tidy table of a :func:`fit_ordinal` result, thresholds on R's ``zeta`` scale.

    Returns
    -------
    DataFrame
        Columns ``term``, ``kind`` (``coef``/``threshold``), ``estimate``,
        ``se``, ``z``, ``p``, ``ci_low``, ``ci_high`` and, for coefficients,
        ``odds_ratio``, ``or_ci_low``, ``or_ci_high`` (Wald, as R
        ``exp(confint.default(fit))``). Threshold rows are named
        ``low|high`` as in R ``polr`` and their se comes from the delta
        method on statsmodels' increment parametrisation.
    """
    level = _check_level(level)
    model = res.model
    k_levels = len(model.peo_categories) if hasattr(model, "peo_categories") else model.k_levels
    n_thr = k_levels - 1
    params = np.asarray(res.params)
    cov = np.asarray(res.cov_params())
    names = list(res.model.exog_names)
    k = len(params) - n_thr
    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for j in range(k):
        est, se = params[j], float(np.sqrt(cov[j, j]))
        rows.append(dict(term=names[j], kind="coef", estimate=est, se=se, z=est / se,
                         p=2 * stats.norm.sf(abs(est / se)), ci_low=est - z * se, ci_high=est + z * se,
                         odds_ratio=np.exp(est), or_ci_low=np.exp(est - z * se), or_ci_high=np.exp(est + z * se)))
    # zeta_1 = a_1, zeta_m = a_1 + sum_{i<=m} exp(a_i) -> Jacobian for the delta method
    raw = params[k:]
    zeta = np.cumsum(np.concatenate([[raw[0]], np.exp(raw[1:])]))
    J = np.zeros((n_thr, n_thr))
    for m in range(n_thr):
        J[m, 0] = 1.0
        for i in range(1, m + 1):
            J[m, i] = np.exp(raw[i])
    vz = J @ cov[k:, k:] @ J.T
    cats = [str(c) for c in getattr(model, "peo_categories", range(k_levels))]
    for m in range(n_thr):
        se = float(np.sqrt(vz[m, m]))
        rows.append(dict(term=f"{cats[m]}|{cats[m + 1]}", kind="threshold", estimate=zeta[m], se=se,
                         z=zeta[m] / se, p=2 * stats.norm.sf(abs(zeta[m] / se)),
                         ci_low=zeta[m] - z * se, ci_high=zeta[m] + z * se,
                         odds_ratio=np.nan, or_ci_low=np.nan, or_ci_high=np.nan))
    return pd.DataFrame(rows)


def predict_ordinal(res, data: pd.DataFrame, *, params=None, **fixed) -> pd.DataFrame:
    """Predicted category probabilities of a :func:`fit_ordinal` model for new rows.

    Parameters
    ----------
    res : OrderedResults from :func:`fit_ordinal`
    data : DataFrame
        Rows to predict for (same predictor columns).
    params : array, optional
        Use these parameters instead of ``res.params`` (delta method).
    **fixed
        Predictor values to set for every row (counterfactual prediction),
        e.g. ``round="2021-1"``.

    Returns
    -------
    DataFrame
        One column per outcome category, rows as ``data``.
    """
    model = res.model
    blocks = []
    for name, levels in model.peo_factors:
        if levels is None:
            v = np.full(len(data), float(fixed[name])) if name in fixed else data[name].to_numpy(dtype=float)
            blocks.append(v[:, None])
        else:
            values = pd.Series([fixed[name]] * len(data), dtype=object) if name in fixed \
                else data[name].astype(object).reset_index(drop=True)
            blocks.append(_dummies(values, levels))
    X = np.hstack(blocks)
    p = np.asarray(res.params if params is None else params)
    probs = model.predict(p, exog=X)
    return pd.DataFrame(probs, index=data.index, columns=model.peo_categories)


def _agree_codes(rounds: dict, item: str, agree) -> list:
    if agree is not None:
        return [float(a) for a in agree]
    for r in reversed(list(rounds.values())):
        if item in r.codebook.items:
            codes = sorted(r.codebook.response_set_of(item).values)
            return [float(c) for c in codes[-2:]]
    raise ValueError(item)


def adjusted_item_trend(rounds, *, item: str, covariates=("ervaringsgroep", "functie"), agree=None,
                        level: float = 0.95) -> pd.DataFrame:
    """Composition-adjusted share agreeing with a statement, per round (ordinal logit).

    Fits the proportional-odds model ``item ~ C(round) + C(ervaringsgroep) +
    C(functie)`` (statsmodels ``OrderedModel``, ``distr="logit"``; R
    ``MASS::polr``) to the valid item codes of all rounds that asked the item.

    Parameters
    ----------
    rounds : dict of Round or list of Round
    item : str
        Item id, e.g. ``"PR01"``.
    covariates : sequence of str
    agree : sequence of int, optional
        Codes that count as agreeing (default: the two highest codes of the
        response set, e.g. 4 Eens and 5 Helemaal eens).
    level : float, default 0.95

    Returns
    -------
    DataFrame
        Columns ``round``, ``n``, ``raw_p_agree`` (share of the round's
        respondents in the model), ``p_agree`` (predicted share at the pooled
        composition: each pooled respondent's predicted probability of an
        agree code with the round set, averaged), ``ci_low``, ``ci_high``
        (delta method on the logit of ``p_agree``, numerical gradient),
        ``odds_ratio`` with ``or_ci_low``/``or_ci_high`` (the round's
        coefficient against the first round, Wald), ``series``.
    """
    from statsmodels.tools.numdiff import approx_fprime

    level = _check_level(level)
    rounds = _as_rounds(rounds)
    have = _item_rounds(rounds, item)
    sub = {r: rounds[r] for r in have}
    d, covs = _model_frame(sub, item, covariates, what=f"adjusted_item_trend(item={item!r})")
    agree_codes = _agree_codes(sub, item, agree)
    series = _series_ids([rounds[r].codebook for r in have], item=item)
    codes = sorted(d[item].unique())
    res = fit_ordinal(d, outcome=item, predictors=["round", *covs], categories=codes)
    coefs = ordinal_coefficients(res, level=level).set_index("term")
    agree_cols = [c for c in codes if c in agree_codes]
    z = stats.norm.ppf(0.5 + level / 2)
    cov = np.asarray(res.cov_params())
    rows = []
    round_levels = dict(res.model.peo_factors)["round"]
    for rid in round_levels:
        def f(params, rid=rid):
            pr = predict_ordinal(res, d, params=params, round=rid)
            return np.atleast_1d(pr[agree_cols].sum(axis=1).mean())

        p_hat = float(f(np.asarray(res.params))[0])
        grad = approx_fprime(np.asarray(res.params), f, centered=True).ravel()
        se_p = float(np.sqrt(grad @ cov @ grad))
        if 0 < p_hat < 1:
            se_logit = se_p / (p_hat * (1 - p_hat))
            lo = _expit(_logit(p_hat) - z * se_logit)
            hi = _expit(_logit(p_hat) + z * se_logit)
        else:
            lo = hi = np.nan
        mask = d["round"] == rid
        term = f"C(round)[T.{rid}]"
        if term in coefs.index:
            orr, olo, ohi = coefs.loc[term, ["odds_ratio", "or_ci_low", "or_ci_high"]]
        else:
            orr, olo, ohi = 1.0, np.nan, np.nan
        rows.append(dict(round=rid, n=int(mask.sum()),
                         raw_p_agree=float(d.loc[mask, item].isin(agree_codes).mean()),
                         p_agree=p_hat, ci_low=lo, ci_high=hi, odds_ratio=float(orr),
                         or_ci_low=float(olo), or_ci_high=float(ohi), series=series[rid]))
    out = pd.DataFrame(rows)
    out.attrs.update(item=item, covariates=covs, agree=agree_codes, level=level, kind="ordinal",
                     formula=f"{item} ~ C(round)" + "".join(f" + C({c})" for c in covs), n=len(d))
    return out


def _logit(p):
    return np.log(p / (1 - p))


def _expit(x):
    return 1 / (1 + np.exp(-x))


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


def consecutive_changes(rounds, *, scale: str, method: str = "welch",
                        covariates=("ervaringsgroep", "functie"), alpha: float = 0.05,
                        level: float = 0.95) -> pd.DataFrame:
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
    from statsmodels.stats.multitest import multipletests

    check_argument("method", ("welch", "adjusted"), method)
    level = _check_level(level)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha={alpha!r}: expected a level between 0 and 1, e.g. 0.05")
    rounds = _as_rounds(rounds)
    have = _scale_rounds(rounds, scale)
    series = _series_ids([rounds[r].codebook for r in have], scale=scale)
    if method == "welch":
        df = stack_rounds({r: rounds[r] for r in have}, items=False)
        means = {r: df.loc[df["round"] == r, scale] for r in have}
    else:
        adj = adjusted_trend({r: rounds[r] for r in have}, scale=scale, covariates=covariates, level=level)
        means = dict(zip(adj["round"], adj["mean"]))
        d, covs = _model_frame({r: rounds[r] for r in have}, scale, covariates, what="consecutive_changes")
        res, design = _fit_ols(d, scale, ["round", *covs])
    rows = []
    for prev, cur in zip(have[:-1], have[1:]):
        comparable = series[prev] == series[cur]
        row = dict(previous=prev, current=cur, comparable=comparable)
        if method == "welch":
            x, y = means[prev].to_numpy(dtype=float), means[cur].to_numpy(dtype=float)
            row.update(mean_previous=float(np.nanmean(x)) if np.isfinite(x).any() else np.nan,
                       mean_current=float(np.nanmean(y)) if np.isfinite(y).any() else np.nan)
            row.update(welch_test(x, y, level=level))
        else:
            L = design.matrix(d.iloc[:1], round=cur)[0] - design.matrix(d.iloc[:1], round=prev)[0]
            tt = res.t_test(L)
            ci = np.asarray(tt.conf_int(alpha=1 - level)).ravel()
            row.update(mean_previous=means[prev], mean_current=means[cur], diff=float(np.ravel(tt.effect)[0]),
                       t=float(np.ravel(tt.tvalue)[0]), df=float(res.df_resid), p=float(np.ravel(tt.pvalue)[0]),
                       ci_low=float(ci[0]), ci_high=float(ci[1]))
        if not comparable:
            row.update(t=np.nan, df=np.nan, p=np.nan, ci_low=np.nan, ci_high=np.nan)
        rows.append(row)
    cols = ["previous", "current", "mean_previous", "mean_current", "diff", "ci_low", "ci_high", "t", "df", "p",
            "p_adjusted", "significant", "comparable"]
    out = pd.DataFrame(rows).reindex(columns=cols)
    ok = out["p"].notna()
    out["p_adjusted"] = np.nan
    out["significant"] = False
    if ok.any():
        reject, p_adj, _, _ = multipletests(out.loc[ok, "p"].to_numpy(), alpha=alpha, method="fdr_bh")
        out.loc[ok, "p_adjusted"] = p_adj
        out.loc[ok, "significant"] = reject
    out["significant"] = out["significant"].astype(bool)
    out.attrs.update(scale=scale, method=method, alpha=alpha)
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
                   min_n: int | None = None) -> str:
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
    raw = scale_trend(rounds, scale=scale)
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
    welch = consecutive_changes(rounds, scale=scale, method="welch", alpha=alpha).iloc[-1]
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
            adj_tab = adjusted_trend(rounds, scale=scale, covariates=covariates)
            adj = consecutive_changes(rounds, scale=scale, method="adjusted", covariates=covariates,
                                      alpha=alpha).iloc[-1]
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
