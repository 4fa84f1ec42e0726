"""Figures of the trend report: a scale's mean per round, raw and adjusted, and per group.

Like :mod:`peo_lib.report.plots` (whose palette, figure factory and Dutch number
formatter are imported, not copied), these functions draw only tables that
already passed disclosure control (:mod:`peo_lib.privacy.disclosure`): a suppressed
point is not drawn; its round gets the label ``n<5`` at the foot of the
panel. They return a :class:`matplotlib.figure.Figure` without pyplot state.

Design choices (A4 print, colour-blind readers)
-----------------------------------------------
* Width 17 cm (A4 minus margins), two panels side by side: left all
  respondents (raw mean and composition-adjusted mean), right starting and
  experienced professionals. Each point has its 95% interval as an error bar.
* Okabe-Ito colours as in the round report (all respondents blue, startend
  vermillion, ervaren bluish green; adjusted black), and every line also
  differs by marker shape and dash pattern, so the figure works in greyscale.
* A line joins only rounds of one comparable stretch (``series`` of
  :func:`peo_lib.stats.trends.scale_trend`): where the wording changed, the line
  breaks.
* Improvement actions: a dotted vertical line *between* the last round before
  ``ronde_start`` and ``ronde_start`` (the register reads ``ronde_start`` as
  the first round whose fieldwork can show an effect), labelled with the
  action id; the titles are in the table below the figure.
* The y axis spans at least one scale point (so small wobbles do not look
  like cliffs) and never leaves the answer scale; numbers use the Dutch
  decimal comma.
"""

from __future__ import annotations

import numpy as np

from peo_lib.report.plots import A4_WIDTH_IN, GROUP_COLORS, GROUP_MARKERS, _figure, _nl_formatter, _rc

__all__ = ["trend_chart", "trend_alt", "action_position", "ADJUSTED_COLOR", "GROUP_STYLE"]

ADJUSTED_COLOR = "#000000"  # Okabe-Ito black
_ACTION_COLOR = "#555555"
#: Label -> (colour, marker, linestyle) of each line (round-report colours for the same groups).
GROUP_STYLE = {
    "Alle respondenten": (GROUP_COLORS[0], GROUP_MARKERS[0], "-"),
    "Gecorrigeerd voor samenstelling": (ADJUSTED_COLOR, GROUP_MARKERS[2], "--"),
    "Startend": (GROUP_COLORS[1], GROUP_MARKERS[1], "-"),
    "Ervaren": (GROUP_COLORS[2], GROUP_MARKERS[3], "-."),
}


def action_position(ronde_start: str, rounds: list[str]) -> float:
    """x position of an action's start on an axis with one tick per round (0, 1, ...).

    Halfway between the last round before ``ronde_start`` and the next one:
    ``-0.5`` before the first round, ``len(rounds) - 0.5`` after the last.
    """
    return sum(1 for r in rounds if r < str(ronde_start)) - 0.5


def _draw_series(ax, table, x_of, *, label, offset, mean_col="mean"):
    """One line (broken at series changes) with error bars; returns x of hidden points."""
    color, marker, ls = GROUP_STYLE[label]
    hidden_x = []
    first = True
    for _, part in table.groupby("series", sort=True):
        x = np.array([x_of[r] for r in part["round"]], dtype=float) + offset
        m = part[mean_col].to_numpy(dtype=float)
        lo = part["ci_low"].to_numpy(dtype=float)
        hi = part["ci_high"].to_numpy(dtype=float)
        hidden = part["suppressed"].to_numpy(dtype=bool) | np.isnan(m)
        hidden_x += list(x[hidden])
        ok = ~hidden
        if not ok.any():
            continue
        yerr = [m[ok] - np.where(np.isnan(lo[ok]), m[ok], lo[ok]), np.where(np.isnan(hi[ok]), m[ok], hi[ok]) - m[ok]]
        ax.errorbar(x[ok], m[ok], yerr=yerr, fmt="none", ecolor=color, elinewidth=1.0, capsize=2.0, alpha=0.8)
        # the line joins only visible points of one stretch: a hidden point breaks it too
        runs = np.split(np.arange(len(x)), np.flatnonzero(hidden) + 1)
        for run in runs:
            run = [i for i in run if ok[i]]
            if run:
                ax.plot(x[run], m[run], linestyle=ls, marker=marker, color=color, markersize=5,
                        linewidth=1.6, label=label if first else None)
                first = False
    return hidden_x


def _y_limits(tables, scale_min, scale_max, *, min_span=1.0):
    vals = []
    for t in tables:
        if t is None or not len(t):
            continue
        ok = ~t["suppressed"].to_numpy(dtype=bool)
        for c in ("ci_low", "ci_high", "mean"):
            v = t[c].to_numpy(dtype=float)[ok]
            vals += list(v[~np.isnan(v)])
    if not vals:
        return scale_min, scale_max
    lo, hi = min(vals), max(vals)
    mid = (lo + hi) / 2
    half = max((hi - lo) / 2 + 0.1, min_span / 2)
    lo, hi = np.floor((mid - half) * 4) / 4, np.ceil((mid + half) * 4) / 4
    if lo < scale_min:
        lo, hi = scale_min, min(scale_max, scale_min + (hi - lo))
    if hi > scale_max:
        lo, hi = max(scale_min, scale_max - (hi - lo)), scale_max
    return lo, hi


def trend_chart(raw, *, adjusted=None, groups=None, group_col="ervaringsgroep", group_labels=None,
                actions=None, rounds=None, small_label="n<5", scale_min=1, scale_max=5, title=None):
    """A scale's trend: raw and adjusted mean (left), per group (right), with action starts.

    Parameters
    ----------
    raw : DataFrame
        :func:`peo_lib.stats.trends.scale_trend` after disclosure control: ``round``,
        ``mean``, ``ci_low``, ``ci_high``, ``series``, ``suppressed``.
    adjusted : DataFrame, optional
        :func:`peo_lib.stats.trends.adjusted_trend` after disclosure control (same
        columns). Drawn dashed in black beside the raw line.
    groups : DataFrame, optional
        ``scale_trend(..., by=group_col)`` after disclosure control; one line
        per group in ``group_labels`` (right panel).
    group_col : str
    group_labels : dict, optional
        Group value -> legend label (default ``{"startend": "Startend",
        "ervaren": "Ervaren"}``); groups not in it are not drawn.
    actions : DataFrame, optional
        ``id`` and ``ronde_start`` of the improvement actions to mark.
    rounds : list of str, optional
        Round ids on the x axis (default: those in ``raw``).
    small_label : str
        Label for suppressed points (``label_small(min_n)``).
    scale_min, scale_max : float
        The answer scale (limits of the y axis).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    rounds = [str(r) for r in (rounds if rounds is not None else list(dict.fromkeys(raw["round"])))]
    x_of = {r: i for i, r in enumerate(rounds)}
    group_labels = group_labels or {"startend": "Startend", "ervaren": "Ervaren"}
    panels = [("Alle respondenten", [("Alle respondenten", raw, "mean")]
               + ([("Gecorrigeerd voor samenstelling", adjusted, "mean")] if adjusted is not None else []))]
    if groups is not None and len(groups):
        panels.append(("Startend en ervaren", [
            (lab, groups[groups[group_col].astype(str) == g], "mean") for g, lab in group_labels.items()
            if (groups[group_col].astype(str) == g).any()]))
    from matplotlib.ticker import MaxNLocator

    lo, hi = _y_limits([t for _, lines in panels for _, t, _ in lines], scale_min, scale_max)
    with _rc():
        fig = _figure(A4_WIDTH_IN, 3.3)
        axes = np.atleast_1d(fig.subplots(1, len(panels), sharey=True))
        for ax, (head, lines) in zip(axes, panels):
            n = len(lines)
            offsets = np.linspace(-0.07 * (n - 1), 0.07 * (n - 1), n) if n > 1 else [0.0]
            hidden = {}
            for (label, table, col), off in zip(lines, offsets):
                for xh in _draw_series(ax, table, x_of, label=label, offset=off, mean_col=col):
                    hidden.setdefault(int(round(xh)), []).append(label)
            for xi, labs in sorted(hidden.items()):
                text = small_label if len(labs) == len(lines) or n == 1 else \
                    "\n".join(f"{lab.split()[0]}: {small_label}" for lab in labs)
                ax.text(xi, lo + 0.03 * (hi - lo), text, ha="center", va="bottom", fontsize=6.5,
                        style="italic", color="#333333")
            if actions is not None:
                for rec in actions.to_dict("records"):
                    xa = action_position(rec["ronde_start"], rounds)
                    if not -0.5 <= xa <= len(rounds) - 0.5:
                        continue
                    ax.axvline(xa, color=_ACTION_COLOR, linestyle=":", linewidth=1.1, zorder=0)
                    ax.text(xa, hi, f" {rec['id']}", rotation=90, ha="right", va="top", fontsize=6.5,
                            color=_ACTION_COLOR)
            ax.set_xlim(-0.6, len(rounds) - 0.4)
            ax.set_xticks(range(len(rounds)), rounds)
            ax.set_ylim(lo, hi)
            # steps of 1, 2 or 5 tenths: matplotlib's default also takes 0.25, which one decimal prints as
            # 2,2 for 2.25 (a grid of 2,2 2,5 2,8 3,0 read as uneven); the span is at least 1 (_y_limits)
            ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 5, 10]))
            ax.yaxis.set_major_formatter(_nl_formatter(1))
            ax.grid(axis="y", color="#e6e6e6", linewidth=0.6)
            ax.set_axisbelow(True)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            ax.set_title(head, fontsize=9, loc="left")
            ax.tick_params(axis="x", labelsize=7.5)
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False, fontsize=7,
                      handlelength=2.4)
        axes[0].set_ylabel(f"Gemiddelde (schaal {scale_min:g}-{scale_max:g})\nmet 95%-BI")
        if title:
            fig.suptitle(title, x=0.01, ha="left", fontsize=10.5, fontweight="bold")
    return fig


def trend_alt(raw, groups=None, *, label, small_label="n<5", scale_min=1, scale_max=5,
              group_col="ervaringsgroep", group_labels=None) -> str:
    """Alt text of :func:`trend_chart`: the shown mean of every round, and of each group in the last round
    (the table below the figure has every number)."""
    from peo_lib.formatting import format_nl

    group_labels = group_labels or {"startend": "startend", "ervaren": "ervaren"}

    def value(r):
        return small_label if bool(r["suppressed"]) or r["mean"] != r["mean"] else format_nl(r["mean"], 1)

    rounds = "; ".join(f"{r['round']}: {value(r)}" for r in raw.to_dict("records"))
    text = (f"{label}, gemiddelde per ronde (schaal {format_nl(scale_min, 0)} tot {format_nl(scale_max, 0)}). "
            f"Alle respondenten: {rounds}.")
    if groups is not None and len(groups) and len(raw):
        last = raw["round"].iloc[-1]
        part = groups[groups["round"] == last]
        vals = [f"{lab} {value(r)}" for g, lab in group_labels.items()
                for r in part[part[group_col].astype(str) == g].to_dict("records")]
        if vals:
            text += f" In {last}: {', '.join(vals)}."
    return text + " De cijfers staan ook in de tabel onder de figuur."
