"""Tables of the audience summaries (onderwijs, professionals, aanbieders, gemeenten): tidy and suppressed.

See :mod:`peo_lib.report.tables` for the conventions (English column names,
unrounded numbers, a boolean ``suppressed`` column).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peo_lib._validate import check_argument
from peo_lib.report.tables import MAX_LIKERT_VALUES, _BG_LABELS, likert_table, resolve_min_n
from peo_lib.sentences import municipal_sentence
from peo_lib.vocab import EXPERIENCE

__all__ = [
    "rules_items", "rules_scales", "room_items", "experience_items", "scale_score_bins", "scale_quartiles",
    "statement_shares", "organisation_results", "municipal_scale_means", "municipal_item_shares",
    "municipal_differences",
]

# ----------------------------------------------------------------------
# audience tables (tidy, suppressed)
# ----------------------------------------------------------------------

RULES_ID = "regels_en_eisen"
ROOM_ID = "professionele_ruimte"


def rules_items(rnd) -> list[str]:
    """The rules-and-requirements items: the ``regels_en_eisen`` scale's items, then the
    items of a ``regels_en_eisen`` theme block (when the round has one), codebook order."""
    cb = rnd.codebook
    ids = list(cb.scales[RULES_ID].items) if RULES_ID in cb.scales else []
    if RULES_ID in cb.blocks:
        ids += [i for i in cb.items_in_block(RULES_ID) if i not in ids]
    return ids


def rules_scales(rnd) -> list[str]:
    """Scales about rules and requirements: ``regels_en_eisen`` and every scale whose items all
    belong to a ``regels_en_eisen`` theme block (e.g. ``regeldruk_gemeenten``)."""
    cb = rnd.codebook
    out = [RULES_ID] if RULES_ID in cb.scales else []
    if RULES_ID in cb.blocks:
        block = set(cb.items_in_block(RULES_ID))
        out += [s for s, sc in cb.scales.items() if s not in out and set(sc.items) <= block]
    return out


def room_items(rnd) -> list[str]:
    """Items of the ``professionele_ruimte`` scale (empty when the round has none)."""
    cb = rnd.codebook
    return list(cb.scales[ROOM_ID].items) if ROOM_ID in cb.scales else []


def _chart_items(rnd, items=None) -> list[str]:
    """Items with at most nine answer values (statements), codebook order."""
    cb = rnd.codebook
    ids = list(cb.items) if items is None else list(items)
    return [i for i in ids if len(cb.response_set_of(i).values) <= MAX_LIKERT_VALUES]


def _drop_empty_groups(table: pd.DataFrame) -> pd.DataFrame:
    """Groups without any respondent (category of the codebook nobody chose) reveal nothing: left out."""
    return table[table["n"] > 0].reset_index(drop=True)


def _weights_of(rnd, weights):
    """The weights as an array in respondent order (None: unweighted); one check for every table."""
    from peo_lib.stats.weighting import design_weights

    return None if weights is None else design_weights(rnd, weights)


def experience_items(rnd, *, items=None, min_n=None, weights=None) -> pd.DataFrame:
    """Mean and % (helemaal) eens of items for starters and experienced professionals.

    Parameters
    ----------
    rnd : Round
    items : list of str, optional
        Default: the room and rules items (:func:`room_items` + :func:`rules_items`).
    min_n : int, optional

    Returns
    -------
    DataFrame
        :func:`peo_lib.stats.descriptives.item_descriptives` with ``by="ervaringsgroep"``
        (``group`` as str: ``startend``/``ervaren``) without ``missing_reasons``, plus
        ``suppressed``: per item a group with ``0 < n_valid < min_n`` is hidden, and the
        other group too (:func:`peo_lib.privacy.disclosure.suppress_groups`, ``total=True``: the
        item's overall base is published).
    """
    from peo_lib.stats.descriptives import item_descriptives
    from peo_lib.privacy.disclosure import suppress_groups

    min_n = resolve_min_n(rnd, min_n)
    ids = (room_items(rnd) + [i for i in rules_items(rnd) if i not in room_items(rnd)]) if items is None \
        else list(items)
    cols = ["group", "item", "text", "n", "n_valid", "mean", "top2_n", "top2_pct", "suppressed"]
    bg = rnd.background.get(EXPERIENCE)
    if not ids or bg is None or bg.notna().sum() == 0:
        return pd.DataFrame(columns=cols)
    desc = item_descriptives(rnd, items=ids, by=EXPERIENCE, weights=weights).drop(columns=["missing_reasons"])
    desc = _drop_empty_groups(desc.assign(group=desc["group"].astype(str)))
    stat_cols = ["n_valid", "mean", "sd", "ci_low", "ci_high", "top2_n", "top2_pct", "top2_ci_low",
                 "top2_ci_high"]
    return suppress_groups(desc, group_col="group", n_col="n_valid", by="item", min_n=min_n, total=True,
                           stat_cols=stat_cols)


def _scale_range_of(rnd, scale) -> tuple[int, int]:
    rs = rnd.codebook.response_set_of(rnd.codebook.scales[scale].items[0])
    return int(rs.min), int(rs.max)


def scale_score_bins(rnd, *, min_n=None, weights=None) -> pd.DataFrame:
    """Distribution of scale scores in bins around the answer values ("waar sta ik").

    A scale score (mean of the scale's items, reverse keyed) is put in the bin of
    the nearest answer value: on a 1-5 scale ``[1; 1,5)``, ``[1,5; 2,5)``, ...,
    ``[4,5; 5]`` (a half rounds up), labelled with that answer ("Eens").

    Returns
    -------
    DataFrame
        ``scale``, ``label``, ``bin`` (the answer value), ``bin_label``, ``low``,
        ``high`` (the score range), ``n``, ``base`` (respondents with a score),
        ``pct`` (of ``base``; with ``weights`` the weighted share, R ``svymean`` of the bin),
        ``suppressed``. Counts stay unweighted. Per scale, bins with ``0 < n < min_n``
        are hidden, and a complement (the base is published):
        :func:`peo_lib.privacy.disclosure.suppress_groups` with ``by="scale"``. A scale scored
        for fewer than ``min_n`` respondents is hidden as a whole.
    """
    from peo_lib.privacy.disclosure import suppress_groups
    from peo_lib.stats.scoring import score_scales

    min_n = resolve_min_n(rnd, min_n)
    cb = rnd.codebook
    cols = ["scale", "label", "bin", "bin_label", "low", "high", "n", "base", "pct", "suppressed"]
    if not cb.scales:
        return pd.DataFrame(columns=cols)
    scores = score_scales(rnd)
    w_all = _weights_of(rnd, weights)
    frames = []
    for s, sc in cb.scales.items():
        lo, hi = _scale_range_of(rnd, s)
        rs = cb.response_set_of(sc.items[0])
        x = scores[s].to_numpy(dtype=float)
        scored = ~np.isnan(x)
        w = None if w_all is None else w_all[scored]
        x = x[scored]
        bins = np.arange(lo, hi + 1)
        which = np.clip(np.floor(x + 0.5), lo, hi).astype(int)
        counts = np.array([(which == b).sum() for b in bins])
        base = int(len(x))
        if w is not None and base:
            inw = np.isfinite(w)
            shares = np.array([w[inw & (which == b)].sum() for b in bins]) / w[inw].sum()
        else:
            shares = counts / base if base else np.full(len(bins), np.nan)
        part = pd.DataFrame({
            "scale": s, "label": sc.label, "bin": bins,
            "bin_label": [rs.values.get(int(b), str(b)) for b in bins],
            "low": [max(lo, b - 0.5) for b in bins], "high": [min(hi, b + 0.5) for b in bins],
            "n": counts.astype(float), "base": float(base),
            "pct": 100 * shares,
        })
        part = suppress_groups(part, group_col="bin", n_col="n", by="scale", min_n=min_n, total=True,
                               stat_cols=["n", "pct"])
        if 0 < base < min_n:
            part["suppressed"] = True
            part[["n", "pct", "base"]] = np.nan
        frames.append(part)
    return pd.concat(frames, ignore_index=True)[cols]


def scale_quartiles(rnd, *, min_n=None, weights=None) -> pd.DataFrame:
    """Quartiles of each scale's scores (the middle half of professionals lies between ``q1`` and ``q3``).

    Returns
    -------
    DataFrame
        ``scale``, ``label``, ``n_scored``, ``q1``, ``median``, ``q3`` (numpy's default
        linear interpolation, as R ``quantile(type = 7)``; with ``weights`` R ``svyquantile(qrule =
        "hf7")``, :func:`peo_lib.stats.weighting.weighted_quantiles`), ``suppressed``
        (``n_scored < min_n``). Minimum and maximum are not given: they are single
        respondents' scores.
    """
    from peo_lib.stats.scoring import score_scales

    min_n = resolve_min_n(rnd, min_n)
    cb = rnd.codebook
    rows = []
    from peo_lib.stats.weighting import weighted_quantiles

    scores = score_scales(rnd) if cb.scales else pd.DataFrame()
    w_all = _weights_of(rnd, weights)
    for s, sc in cb.scales.items():
        values = scores[s].to_numpy(dtype=float)
        x = values[~np.isnan(values)]
        hidden = len(x) < min_n
        if not len(x) or hidden:
            q = [np.nan] * 3
        elif w_all is None:
            q = np.quantile(x, [0.25, 0.5, 0.75])
        else:
            q = weighted_quantiles(values, w_all, [0.25, 0.5, 0.75])
        rows.append(dict(scale=s, label=sc.label, n_scored=np.nan if hidden else float(len(x)),
                         q1=q[0], median=q[1], q3=q[2], suppressed=hidden))
    return pd.DataFrame(rows, columns=["scale", "label", "n_scored", "q1", "median", "q3", "suppressed"])


def statement_shares(rnd, *, items=None, min_n=None, weights=None) -> pd.DataFrame:
    """Per statement the share disagreeing, neutral and agreeing (of valid answers).

    For response sets with an odd number of values the middle one is neutral; ``low`` is
    the negative half ("(helemaal) oneens"), ``high`` the positive half ("(helemaal) eens"),
    by the set's ``positive`` end (codes 1-2 of a set with ``positive: low``). Items with
    more than nine values (a 0-10 grade) are left out.

    Returns
    -------
    DataFrame
        ``item``, ``text``, ``block``, ``base`` (valid answers), ``n_low``, ``n_mid``,
        ``n_high``, ``pct_low``, ``pct_mid``, ``pct_high`` (unrounded, from
        :func:`likert_table`) and ``suppressed`` (base below ``min_n``, as in
        :func:`likert_table`).
    """
    min_n = resolve_min_n(rnd, min_n)
    cb = rnd.codebook
    ids = _chart_items(rnd, items)
    cols = ["item", "text", "block", "base", "n_low", "n_mid", "n_high", "pct_low", "pct_mid", "pct_high",
            "suppressed"]
    if not ids:
        return pd.DataFrame(columns=cols)
    dist = likert_table(rnd, items=ids, min_n=min_n, weights=weights)
    dist = dist[dist["kind"] == "answer"]
    rows = []
    for item_id, part in dist.groupby("item", sort=False):
        codes = cb.response_set_of(item_id).ordered_codes  # negative end first
        k = len(codes)
        low, high = set(codes[: k // 2]), set(codes[(k + 1) // 2:])
        mid = set(codes) - low - high
        hidden = bool(part["suppressed"].iloc[0])
        rec = dict(item=item_id, text=cb.items[item_id].text, block=cb.items[item_id].block,
                   base=part["base"].iloc[0], suppressed=hidden)
        for name, codeset in (("low", low), ("mid", mid), ("high", high)):
            sel = part[part["code"].isin(codeset)]
            rec[f"n_{name}"] = np.nan if hidden else float(sel["n"].sum())
            rec[f"pct_{name}"] = np.nan if hidden or not codeset else float(sel["pct"].sum())
        rows.append(rec)
    return pd.DataFrame(rows, columns=cols)


def _all_or_nothing(table, *, n_col, min_n, by, what):
    """Hide a whole table when any group is under ``min_n``; returns (table, reason or None)."""
    small = table[(table[n_col] < min_n)]
    if small.empty:
        return table.assign(suppressed=False), None
    groups = list(dict.fromkeys(str(g) for g in small["group"]))
    label = _BG_LABELS.get(by, by).lower()
    reason = (f"De {what} per {label} worden niet getoond: in {len(groups)} "
              f"{'groep' if len(groups) == 1 else 'groepen'} ({', '.join(groups)}) antwoordden minder dan "
              f"{min_n} professionals. Alleen als elke {label} groot genoeg is, staat deze tabel in het "
              "rapport; er wordt dan ook niets weggelaten of afgeschermd.")
    out = table.assign(suppressed=True)
    stats = [c for c in out.columns if c not in ("group", "scale", "label", "item", "text", "block", "k",
                                                   "suppressed") and pd.api.types.is_numeric_dtype(out[c])]
    out[stats] = np.nan
    return out, reason


def organisation_results(rnd, *, what="scales", by="organisatie", min_n=None, weights=None) -> pd.DataFrame:
    """Scale means or statement shares per organisation (type), all or nothing.

    The table is shown only when *every* organisation group with respondents has at
    least ``min_n`` of them behind every figure (``n_scored`` per scale, valid
    answers per statement). Otherwise every statistic is NaN, ``suppressed`` is
    True on every row and ``attrs["reason"]`` holds a Dutch sentence saying why:
    no primary and complementary suppression (partial tables invite comparing
    organisations on what is left).

    Respondents who did not give their organisation are left out, as groups
    without any respondent are; there is no total row.

    Parameters
    ----------
    what : {"scales", "items"}
        Scale means (:func:`peo_lib.stats.descriptives.scale_descriptives`) or items
        (:func:`peo_lib.stats.descriptives.item_descriptives` of the statements: mean
        and ``top2_pct``, % (helemaal) eens).
    by : str
        The background variable (default ``"organisatie"``).

    Returns
    -------
    DataFrame
        ``group`` (str) first, then the descriptives' columns, ``suppressed``;
        ``attrs["reason"]`` is None when the table may be shown.
    """
    from peo_lib.stats.descriptives import item_descriptives, scale_descriptives

    check_argument("what", ("scales", "items"), what)
    min_n = resolve_min_n(rnd, min_n)
    if by not in rnd.background.columns or rnd.background[by].notna().sum() == 0:
        out = pd.DataFrame(columns=["group", "suppressed"])
        out.attrs["reason"] = f"De vraag naar {_BG_LABELS.get(by, by).lower()} is in deze ronde niet gesteld."
        return out
    if what == "scales":
        table = scale_descriptives(rnd, by=by, weights=weights)
        n_col = "n_scored"
    else:
        table = item_descriptives(rnd, items=_chart_items(rnd), by=by, weights=weights).drop(
            columns=["missing_reasons"])
        n_col = "n_valid"
    table = _drop_empty_groups(table.assign(group=table["group"].astype(str)))
    out, reason = _all_or_nothing(table, n_col=n_col, min_n=min_n, by=by,
                                  what="schaalgemiddelden" if what == "scales" else "antwoorden op de stellingen")
    out.attrs["reason"] = reason
    return out


def _known(rnd, by) -> np.ndarray:
    return rnd.background[by].notna().to_numpy()


def municipal_scale_means(rnd, *, scales=None, by="gemeente", min_n=None, weights=None) -> pd.DataFrame:
    """Scale means per gemeente with disclosure control, and the region as a whole.

    Parameters
    ----------
    scales : list of str, optional
        Default: every scale, the rules scales (:func:`rules_scales`) first.
    by : str
        Default ``"gemeente"``.

    Returns
    -------
    DataFrame
        ``scale``, ``label``, ``group``, ``n`` (respondents in the gemeente),
        ``n_scored``, ``mean``, ``sd``, ``ci_low``, ``ci_high``, ``is_total`` and
        ``suppressed``. Per scale a gemeente with ``0 < n_scored < min_n`` is hidden
        and so is a complement (:func:`peo_lib.privacy.disclosure.suppress_groups`,
        ``total=True``: the total row is shown). The total row (``group="Alle
        gemeenten"``) covers the respondents who gave their gemeente, so it is
        exactly the sum of the rows above it. Gemeenten without respondents are
        left out.
    """
    from peo_lib.stats.descriptives import _weighted_mean_ci_arrays, mean_ci, scale_descriptives
    from peo_lib.privacy.disclosure import suppress_groups
    from peo_lib.stats.scoring import score_scales

    min_n = resolve_min_n(rnd, min_n)
    cb = rnd.codebook
    order = rules_scales(rnd) + [s for s in cb.scales if s not in rules_scales(rnd)] if scales is None \
        else list(scales)
    cols = ["scale", "label", "group", "n", "n_scored", "mean", "sd", "ci_low", "ci_high", "is_total",
            "suppressed"]
    if not order or by not in rnd.background.columns or rnd.background[by].notna().sum() == 0:
        return pd.DataFrame(columns=cols)
    desc = scale_descriptives(rnd, by=by, weights=weights)
    desc = _drop_empty_groups(desc.assign(group=desc["group"].astype(str)))
    desc = desc[desc["scale"].isin(order)]
    stats = ["n_scored", "mean", "sd", "ci_low", "ci_high"]
    hidden = suppress_groups(desc, group_col="group", n_col="n_scored", by="scale", min_n=min_n, total=True,
                             stat_cols=stats)
    # n (group size) of a hidden gemeente is hidden too; it is the same number on every scale
    hidden_groups = set(hidden.loc[hidden["suppressed"], "group"])
    hidden["n"] = hidden["n"].astype(float).where(~hidden["group"].isin(hidden_groups))
    scores = score_scales(rnd)
    known = _known(rnd, by)
    w_all = _weights_of(rnd, weights)
    totals = []
    for s in order:
        if w_all is None:
            n, m, sd, lo, hi = mean_ci(scores[s].to_numpy(dtype=float)[known])
        else:  # the region as a domain of the round's design (svyby), as the rows above
            sub = scores[[s]].to_numpy(dtype=float)[known]
            n = int(np.isfinite(sub[:, 0]).sum())
            m, sd, lo, hi = (float(a[0]) for a in _weighted_mean_ci_arrays(sub, w_all[known],
                                                                            int(np.isfinite(w_all).sum())))
        small = n < min_n
        totals.append(dict(scale=s, label=cb.scales[s].label, group="Alle gemeenten", n=float(known.sum()),
                           n_scored=np.nan if small else float(n), mean=np.nan if small else m,
                           sd=np.nan if small else sd, ci_low=np.nan if small else lo,
                           ci_high=np.nan if small else hi, is_total=True, suppressed=small))
    hidden["is_total"] = False
    out = pd.concat([hidden, pd.DataFrame(totals)], ignore_index=True)
    out["_o"] = out["scale"].map({s: k for k, s in enumerate(order)})
    out = out.sort_values(["_o", "is_total"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return out[cols]


def municipal_item_shares(rnd, *, items=None, by="gemeente", min_n=None, weights=None) -> pd.DataFrame:
    """% (helemaal) eens per gemeente for statements (default: the rules items), with disclosure control.

    Returns
    -------
    DataFrame
        ``item``, ``text``, ``group``, ``n_valid``, ``top2_n``, ``top2_pct``, ``mean``,
        ``is_total``, ``suppressed``; suppression per item as
        :func:`municipal_scale_means`, total row ``"Alle gemeenten"`` over the
        respondents who gave their gemeente.
    """
    from peo_lib.stats.descriptives import item_descriptives
    from peo_lib.privacy.disclosure import suppress_groups

    min_n = resolve_min_n(rnd, min_n)
    ids = _chart_items(rnd, rules_items(rnd) if items is None else items)
    cols = ["item", "text", "group", "n_valid", "top2_n", "top2_pct", "mean", "is_total", "suppressed"]
    if not ids or by not in rnd.background.columns or rnd.background[by].notna().sum() == 0:
        return pd.DataFrame(columns=cols)
    desc = item_descriptives(rnd, items=ids, by=by, weights=weights).drop(columns=["missing_reasons"])
    desc = _drop_empty_groups(desc.assign(group=desc["group"].astype(str)))
    stats = ["n_valid", "top2_n", "top2_pct", "mean"]
    hidden = suppress_groups(desc[["item", "text", "group", *stats]], group_col="group", n_col="n_valid",
                             by="item", min_n=min_n, total=True, stat_cols=stats)
    hidden["is_total"] = False
    agg = desc.groupby("item", sort=False).agg(n_valid=("n_valid", "sum"), top2_n=("top2_n", "sum"))
    X = rnd.items[ids].to_numpy(dtype=float)[_known(rnd, by)]
    region = None
    if weights is not None:  # the region as a domain of the round's design, as the rows above
        from peo_lib.stats.descriptives import _weighted_mean_ci_arrays

        w_all = _weights_of(rnd, weights)
        w_known, n_design = w_all[_known(rnd, by)], int(np.isfinite(w_all).sum())
        tops = np.column_stack([np.where(np.isnan(X[:, j]), np.nan,
                                         100.0 * np.isin(X[:, j], rnd.codebook.response_set_of(i).top_codes(2)))
                                for j, i in enumerate(ids)])
        region = pd.DataFrame({"mean": _weighted_mean_ci_arrays(X, w_known, n_design)[0],
                               "top2_pct": _weighted_mean_ci_arrays(tops, w_known, n_design)[0]}, index=ids)
    totals = []
    for j, i in enumerate(ids):
        nv, t2 = int(agg.loc[i, "n_valid"]), int(agg.loc[i, "top2_n"])
        small = nv < min_n
        pct = 100 * t2 / nv if region is None else float(region.loc[i, "top2_pct"])
        mean = float(np.nanmean(X[:, j])) if region is None else float(region.loc[i, "mean"])
        totals.append(dict(item=i, text=rnd.codebook.items[i].text, group="Alle gemeenten",
                           n_valid=np.nan if small else float(nv), top2_n=np.nan if small else float(t2),
                           top2_pct=np.nan if small else pct,
                           mean=np.nan if small else mean, is_total=True,
                           suppressed=small))
    out = pd.concat([hidden, pd.DataFrame(totals)], ignore_index=True)
    out["_o"] = out["item"].map({i: k for k, i in enumerate(ids)})
    out = out.sort_values(["_o", "is_total"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return out[cols]


def municipal_differences(rnd, *, by="gemeente", min_n=None, table=None, weights=None) -> pd.DataFrame:
    """Per scale: do the gemeenten differ? Kruskal-Wallis over the gemeenten shown.

    Only gemeenten whose mean is shown in :func:`municipal_scale_means` take part
    (a hidden gemeente's answers must not drive a published test).

    Returns
    -------
    DataFrame
        ``scale``, ``label``, ``k`` (gemeenten tested), ``lowest``/``highest`` (gemeente
        with the lowest/highest mean), ``low_mean``, ``high_mean``, ``h``, ``p``,
        ``p_adj`` (Benjamini-Hochberg over the scales), ``significant``, ``test``
        (``kruskal_wallis``, or with ``weights`` ``svy_kruskal_wallis``: R ``svyranktest(...,
        test = "KruskalWallis")`` on the gemeenten shown, ``h`` its Wald chi-square,
        :func:`peo_lib.stats.compare.svy_kruskal_wallis`) and a Dutch ``zin``.
    """
    from scipy import stats
    from peo_lib.stats.compare import SIGNIFICANCE, bh_adjust
    from peo_lib.stats.scoring import score_scales

    min_n = resolve_min_n(rnd, min_n)
    table = municipal_scale_means(rnd, by=by, min_n=min_n, weights=weights) if table is None else table
    cols = ["scale", "label", "k", "lowest", "highest", "low_mean", "high_mean", "h", "p", "p_adj",
            "significant", "test", "zin"]
    w_all = _weights_of(rnd, weights)
    if table.empty:
        return pd.DataFrame(columns=cols)
    scores = score_scales(rnd)
    group = rnd.background[by].astype(object)
    rows = []
    for s, part in table.groupby("scale", sort=False):
        shown = part[~part["suppressed"] & ~part["is_total"]]
        rec = dict(scale=s, label=part["label"].iloc[0], k=len(shown), lowest=None, highest=None,
                   low_mean=np.nan, high_mean=np.nan, h=np.nan, p=np.nan,
                   test="kruskal_wallis" if w_all is None else "svy_kruskal_wallis")
        if len(shown) >= 2:
            lo, hi = shown.loc[shown["mean"].idxmin()], shown.loc[shown["mean"].idxmax()]
            rec.update(lowest=lo["group"], highest=hi["group"], low_mean=lo["mean"], high_mean=hi["mean"])
            if w_all is not None:
                from peo_lib.stats.compare import svy_kruskal_wallis

                inside = group.isin(list(shown["group"])).to_numpy() & np.isfinite(w_all)
                res = svy_kruskal_wallis(scores[s].to_numpy(dtype=float)[inside], w_all[inside],
                                         group.to_numpy()[inside], n_design=int(np.isfinite(w_all).sum()))
                rec.update(h=res["chisq"], p=res["p"])
            else:
                samples = [scores[s][group == g].dropna().to_numpy(dtype=float) for g in shown["group"]]
                if np.ptp(np.concatenate(samples)) > 0:
                    res = stats.kruskal(*samples)
                    rec.update(h=float(res.statistic), p=float(res.pvalue))
        rows.append(rec)
    out = pd.DataFrame(rows)
    out["p_adj"] = bh_adjust(out["p"].to_numpy(dtype=float))
    out["significant"] = out["p_adj"] < SIGNIFICANCE
    out["zin"] = [municipal_sentence(r) for r in out.to_dict("records")]
    return out[cols]
