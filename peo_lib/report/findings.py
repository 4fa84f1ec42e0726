"""The key findings ("In het kort") at the top of every summary, chosen by written-down rules.

Every rule reads tables that already passed disclosure control (:mod:`peo_lib.report.tables`,
:mod:`peo_lib.report.audience_tables`, the tidy tables of :mod:`peo_lib.report.trends`): a
suppressed row is never a finding, and no figure is computed here that a table does not show
(means are the shown means; a difference is the difference of the shown, rounded means). The
sentences come from :mod:`peo_lib.sentences`. "Duidelijk" means significant after the
Benjamini-Hochberg correction that the tables already carry (``significant``).

Rules of a round summary (:func:`round_findings`), in this order, at most :data:`MAX_FINDINGS`
-------------------------------------------------------------------------------------------------
1. **Changes since the previous round** (``change_since_previous``): the core scales that changed
   clearly, largest effect (Cohen's d) first; statements (largest rank-biserial r) only fill up to
   :data:`MAX_PER_RULE` when fewer scales changed. No clear change at all: one sentence that says
   so honestly ("Geen duidelijke veranderingen sinds 2022-2 ...").
2. **Starters vs experienced** (``experience_comparison``): the same for the clear differences
   between starting and experienced professionals; none: one sentence saying they do not differ.
3. **The theme**: of the theme's agreement statements (response set with "eens" as its two highest
   answers) that are shown, the one with the highest and the one with the lowest share
   "(helemaal) eens", in one sentence (only when at least two are shown and they differ).
4. **Gemeenten** (only the gemeenten summary): scales on which the shown gemeenten differ clearly
   (Kruskal-Wallis, BH), largest spread first.

Rules of the trend report (:func:`trend_findings`)
--------------------------------------------------
1. **Steady trend**: a core scale whose shown mean moved the same way between every pair of
   consecutive rounds of its comparable stretch (at least four rounds), and whose change from the
   first to the last of those rounds is clear: Welch's t test computed from the suppressed table's
   means, SDs and counts (``scipy.stats.ttest_ind_from_stats``), BH over the core scales.
2. **Nothing new in the latest round**: no scale changed clearly between the last two rounds: one
   sentence ("Geen duidelijke veranderingen sinds 2022-2 ...").
3. **Clear steps**: a clear change between two consecutive rounds (``changes_table``), largest
   first, at most :data:`MAX_PER_RULE` (a scale already named by rule 1 is not named again).
4. **Starters vs experienced**: a scale on which starters score lower (or higher) than experienced
   professionals in every round where both groups are shown (at least three rounds), with a gap of
   at least 0.2 points in the latest round (descriptive: the per-round tests are in the round
   summaries).
5. **Improvement actions**: indicators whose before/after difference is clear (``p`` < 0.05 in
   ``actions_table``), largest first; when actions were measured after their start and none
   moved, one sentence says so.

When no rule gives anything, one sentence says that nothing stands out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from peo_lib import sentences as zin
from peo_lib.stats.compare import SIGNIFICANCE, bh_adjust

__all__ = ["Finding", "round_findings", "trend_findings", "MAX_FINDINGS", "MAX_PER_RULE"]

MAX_FINDINGS = 5
MAX_PER_RULE = 2
#: The smallest gap (scale points, shown means) for the starters rule of the trend report.
MIN_GROUP_GAP = 0.2
#: Rounds needed for a steady trend, and for the starters rule of the trend report.
MIN_STEADY_ROUNDS = 4
MIN_GROUP_ROUNDS = 3
ALPHA = SIGNIFICANCE  # the significance level of every test in the project


@dataclass(frozen=True)
class Finding:
    """One key finding: the rule that chose it, its Dutch sentence and what it is about.

    ``about`` is the scale or item id (or the action id) it concerns; ``numbers`` the shown
    values in the sentence (tests and a handout can use them).
    """

    rule: str
    sentence: str
    about: str | None = None
    numbers: tuple = field(default_factory=tuple)
    weight: float = 0.0


def _visible(table: pd.DataFrame | None) -> pd.DataFrame:
    if table is None or not len(table):
        return pd.DataFrame()
    keep = ~table["suppressed"].astype(bool) if "suppressed" in table else pd.Series(True, index=table.index)
    return table[keep]


def _effect(row) -> float:
    value = row.get("cohen_d") if row.get("kind") == "scale" else row.get("rank_biserial")
    return 0.0 if value is None or value != value else abs(float(value))


def _clear_rows(table: pd.DataFrame) -> list[dict]:
    """Significant rows whose shown means differ: scales first, then items; largest effect first."""
    vis = _visible(table)
    if vis.empty:
        return []
    rows = [r for r in vis.to_dict("records") if bool(r.get("significant"))
            and zin.shown_difference(r["mean1"], r["mean2"]) != 0]
    return sorted(rows, key=lambda r: (r["kind"] != "scale", -_effect(r)))


def _pick(rows: list[dict]) -> list[dict]:
    """At most MAX_PER_RULE rows: the scales, and items only when fewer scales qualify."""
    scales = [r for r in rows if r["kind"] == "scale"]
    items = [r for r in rows if r["kind"] != "scale"]
    return (scales + items)[:MAX_PER_RULE]


def _range_of(ranges: dict, row) -> dict:
    lo, hi = ranges.get(row["id"], (1, 5))
    return {"lo": lo, "hi": hi}


def round_findings(*, comparison=None, change=None, previous_id=None, theme=None, theme_title=None,
                   agreement_items=(), ranges=None, municipal=None) -> list[Finding]:
    """The key findings of one round (rules in the module docstring).

    Parameters
    ----------
    comparison : DataFrame, optional
        :func:`peo_lib.report.tables.experience_comparison` (suppressed).
    change : DataFrame, optional
        :func:`peo_lib.report.tables.change_since_previous` (suppressed); None when there is
        no previous round.
    previous_id : str, optional
        The previous round (for the "no clear change" sentence).
    theme : DataFrame, optional
        :func:`peo_lib.report.tables.theme_items` (suppressed).
    theme_title : str, optional
    agreement_items : collection of str
        Ids of the theme items whose response set is an agreement scale (rule 3).
    ranges : dict, optional
        Scale or item id -> (lowest, highest) answer code (default 1-5).
    municipal : DataFrame, optional
        :func:`peo_lib.report.audience_tables.municipal_differences` (gemeenten summary only).

    Returns
    -------
    list of Finding
        At most :data:`MAX_FINDINGS`, never empty.
    """
    ranges = ranges or {}
    out: list[Finding] = []
    if change is not None and previous_id is not None:
        picked = _pick(_clear_rows(change))
        for r in picked:
            out.append(Finding("change", zin.plain_change_sentence(r, **_range_of(ranges, r)), r["id"],
                               (zin.shown(r["mean2"]), zin.shown(r["mean1"])), _effect(r)))
        if not picked and len(_visible(change)):
            out.append(Finding("no_change", zin.no_change_sentence(previous_id)))
    if comparison is not None and len(comparison):
        picked = _pick(_clear_rows(comparison))
        for r in picked:
            out.append(Finding("experience", zin.plain_group_sentence(r, **_range_of(ranges, r)), r["id"],
                               (zin.shown(r["mean1"]), zin.shown(r["mean2"])), _effect(r)))
        vis = _visible(comparison)
        if not picked and len(vis):
            out.append(Finding("no_experience", zin.no_group_difference_sentence(
                int((vis["kind"] == "scale").sum()), int((vis["kind"] != "scale").sum()))))
    out.extend(_theme_finding(theme, theme_title, agreement_items))
    if municipal is not None and len(municipal):
        sig = municipal[municipal["significant"].astype(bool) & municipal["low_mean"].notna()].copy()
        sig["_spread"] = sig["high_mean"] - sig["low_mean"]
        for r in sig.sort_values("_spread", ascending=False).head(MAX_PER_RULE).to_dict("records"):
            out.append(Finding("municipal", zin.municipal_finding_sentence(r), r["scale"],
                               (zin.shown(r["low_mean"]), zin.shown(r["high_mean"])), float(r["_spread"])))
    if not out:
        out.append(Finding("nothing", zin.nothing_stands_out_sentence()))
    return out[:MAX_FINDINGS]


def _theme_finding(theme, theme_title, agreement_items) -> list[Finding]:
    vis = _visible(theme)
    if vis.empty or "top2_pct" not in vis:
        return []
    vis = vis[vis["item"].isin(set(agreement_items)) & vis["top2_pct"].notna()]
    if len(vis) < 2:
        return []
    most = vis.loc[vis["top2_pct"].idxmax()]
    least = vis.loc[vis["top2_pct"].idxmin()]
    if round(most["top2_pct"]) == round(least["top2_pct"]):
        return []
    sentence = zin.theme_extremes_sentence(theme_title or "", {"text": most["text"], "pct": most["top2_pct"]},
                                           {"text": least["text"], "pct": least["top2_pct"]})
    return [Finding("theme", sentence, str(most["item"]),
                    (round(float(most["top2_pct"])), round(float(least["top2_pct"]))))]


# ----------------------------------------------------------------------
# the trend report
# ----------------------------------------------------------------------

def _welch_from_stats(a: dict, b: dict) -> float:
    from scipy.stats import ttest_ind_from_stats

    res = ttest_ind_from_stats(a["mean"], a["sd"], a["n"], b["mean"], b["sd"], b["n"], equal_var=False)
    return float(res.pvalue)


def _steady(raw: pd.DataFrame) -> dict | None:
    """The last comparable stretch of shown round means, if it moved the same way every round."""
    vis = _visible(raw)
    if vis.empty:
        return None
    stretch = vis[vis["series"] == vis["series"].iloc[-1]]
    if len(stretch) < MIN_STEADY_ROUNDS:
        return None
    means = [zin.shown(m, 2) for m in stretch["mean"]]
    steps = np.sign(np.diff(means))
    if not (np.all(steps > 0) or np.all(steps < 0)):
        return None
    first, last = stretch.iloc[0].to_dict(), stretch.iloc[-1].to_dict()
    return dict(first=first, last=last, n_rounds=len(stretch), p=_welch_from_stats(first, last))


def trend_findings(scales: dict, *, actions=None, round_ids=()) -> list[Finding]:
    """The key findings of the trend report (rules in the module docstring).

    Parameters
    ----------
    scales : dict
        Scale id -> dict with ``label``, ``raw`` (:func:`peo_lib.report.trends.raw_trend_table`),
        ``changes`` (:func:`~peo_lib.report.trends.changes_table`) and ``groups``
        (:func:`~peo_lib.report.trends.group_trend_table`), all suppressed.
    actions : DataFrame, optional
        :func:`peo_lib.report.trends.actions_table` (suppressed) with ``titel``.
    round_ids : sequence of str
        Every round of the report, in order.

    Returns
    -------
    list of Finding
        At most :data:`MAX_FINDINGS`, never empty.
    """
    out: list[Finding] = []
    steady = {s: st for s, t in scales.items() if (st := _steady(t["raw"])) is not None}
    p_adj = dict(zip(steady, bh_adjust([st["p"] for st in steady.values()])))
    named = set()
    for s, st in sorted(steady.items(), key=lambda kv: -abs(kv[1]["last"]["mean"] - kv[1]["first"]["mean"])):
        if p_adj[s] < ALPHA:
            f, l_ = st["first"], st["last"]
            out.append(Finding("steady", zin.trend_steady_sentence(
                scales[s]["label"], first=f["round"], last=l_["round"], before=f["mean"], after=l_["mean"],
                n_rounds=st["n_rounds"]), s, (zin.shown(f["mean"]), zin.shown(l_["mean"])),
                abs(l_["mean"] - f["mean"])))
            named.add(s)
    latest = [r for t in scales.values() for r in _visible(t["changes"]).to_dict("records")
              if len(round_ids) >= 2 and r["current"] == round_ids[-1] and r["previous"] == round_ids[-2]]
    if latest and not any(bool(r["significant"]) for r in latest):
        out.append(Finding("no_change", zin.no_trend_change_sentence(round_ids[-2], round_ids[-1])))
    steps = []
    for s, t in scales.items():
        ch = _visible(t["changes"])
        if s in named or ch.empty:
            continue
        for r in ch[ch["significant"].astype(bool)].to_dict("records"):
            if zin.shown_difference(r["mean_current"], r["mean_previous"]) != 0:
                steps.append((s, r))
    steps.sort(key=lambda sr: -abs(sr[1]["diff"]))
    for s, r in steps[:MAX_PER_RULE]:
        out.append(Finding("step", zin.trend_step_sentence(
            scales[s]["label"], previous=r["previous"], current=r["current"], before=r["mean_previous"],
            after=r["mean_current"]), s, (zin.shown(r["mean_previous"]), zin.shown(r["mean_current"])),
            abs(r["diff"])))
    out.extend(_group_findings(scales))
    out.extend(_action_findings(actions))
    if not out:
        out.append(Finding("nothing", zin.nothing_stands_out_sentence()))
    return out[:MAX_FINDINGS]


def _group_findings(scales: dict) -> list[Finding]:
    found = []
    for s, t in scales.items():
        g = _visible(t.get("groups"))
        if g.empty:
            continue
        wide = g.pivot_table(index="round", columns="ervaringsgroep", values="mean", aggfunc="first")
        if not {"startend", "ervaren"} <= set(wide.columns):
            continue
        wide = wide[["startend", "ervaren"]].dropna()
        if len(wide) < MIN_GROUP_ROUNDS:
            continue
        gaps = [zin.shown_difference(a, b) for a, b in zip(wide["startend"], wide["ervaren"])]
        last_gap = gaps[-1]
        if abs(last_gap) < MIN_GROUP_GAP or not (all(x < 0 for x in gaps) or all(x > 0 for x in gaps)):
            continue
        last = wide.index[-1]
        found.append(Finding("groups", zin.trend_groups_sentence(
            t["label"], n_rounds=len(wide), lower=last_gap < 0, starters=wide.loc[last, "startend"],
            experienced=wide.loc[last, "ervaren"], last=last), s,
            (zin.shown(wide.loc[last, "startend"]), zin.shown(wide.loc[last, "ervaren"])), abs(last_gap)))
    found.sort(key=lambda f: -f.weight)
    return found[:MAX_PER_RULE]


def _action_findings(actions) -> list[Finding]:
    vis = _visible(actions)
    if vis.empty:
        return []
    measured = vis[vis["after"].notna() & vis["before"].notna()]
    if measured.empty:
        return []
    moved = measured[measured["p"].astype(float) < ALPHA].copy()
    if moved.empty:
        return [Finding("no_action", zin.no_action_moved_sentence(measured["id"].nunique()))]
    moved["_size"] = moved["diff"].abs() / np.where(moved["measure"] == "mean", 1.0, 100.0)
    out = []
    for r in moved.sort_values("_size", ascending=False).head(MAX_PER_RULE).to_dict("records"):
        out.append(Finding("action", zin.action_moved_sentence(
            r["titel"], r["label"], measure=r["measure"], before=r["before"], after=r["after"],
            round_before=r["round_before"], round_after=r["round_after"]), r["id"],
            (r["before"], r["after"]), float(r["_size"])))
    return out
