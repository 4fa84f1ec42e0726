"""Figures of the round report: diverging stacked Likert bars and means with CI.

Plot functions draw only tables that already passed disclosure control
(:mod:`peo_lib.privacy.disclosure`): a suppressed row is drawn as the label ``n<5``,
never as bars. They build a :class:`matplotlib.figure.Figure` directly (no
pyplot state, no GUI backend, nothing to close by hand) and return it; the
report renders each figure once to PNG bytes (:func:`figure_png`) and uses the
same bytes for the notebook output and the PNG file.

Design choices (A4 print, colour-blind readers)
-----------------------------------------------
* Width 17 cm (A4 minus margins), 8-10 pt text, 150 dpi PNG (sharp in print, quick to draw).
* Likert colours: ColorBrewer BrBG (brown = disagree, teal = agree), safe for
  the common colour-vision deficiencies and still ordered in greyscale; the
  neutral category is light grey and straddles zero. Every segment has a dark
  outline (7:1 against white) and carries its percentage from 10% on (white
  text only on the two darkest fills, else dark text: at least 4.5:1).
* Alt texts state the main numbers (:func:`likert_alt`, :func:`mean_ci_alt`);
  the Likert charts also get their numbers in a table below (the report).
* "Weet ik niet" and "Niet van toepassing" are not in the base of the
  percentages: they are shown in a separate narrow panel right of the bars,
  as a percentage of everyone who saw the item.
* Groups in mean plots: Okabe-Ito blue and vermillion, with different marker
  shapes (circle, square) so the figure also works in greyscale.
* Every number in tick labels and annotations uses the Dutch decimal comma
  (:func:`peo_lib.formatting.format_nl`).
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import numpy as np

from peo_lib.formatting import format_nl
from peo_lib.sentences import chart_axis_phrase

__all__ = [
    "likert_chart",
    "mean_ci_chart",
    "figure_png",
    "likert_alt",
    "mean_ci_alt",
    "likert_colors",
    "GROUP_COLORS",
    "GROUP_MARKERS",
    "A4_WIDTH_IN",
]

A4_WIDTH_IN = 17 / 2.54
DPI = 150
#: Okabe-Ito blue, vermillion, bluish green and reddish purple (each at least 3:1 against white); the
#: two light Okabe-Ito colours (orange, sky blue) are replaced by darker ones that reach 3:1 too.
GROUP_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#996600", "#6A51A3"]
GROUP_MARKERS = ["o", "s", "D", "^", "v", "P"]
_NEUTRAL = "#d9d9d9"
_MISSING = "#595959"
#: Outline of every bar segment: 7:1 against white, so each segment is visible against the page
#: (WCAG 1.4.11) also where its fill is light; the fills stay the ColorBrewer order.
_EDGE = "#595959"
#: Fills dark enough for white text (at least 4.5:1); other fills get dark text.
_WHITE_TEXT_ON = ("#8c510a", "#01665e")
_TEXT = "#222222"
_RC = {
    "font.size": 8.5,
    "axes.titlesize": 10,
    "axes.labelsize": 8.5,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8,
    "font.family": "DejaVu Sans",
    "svg.fonttype": "none",
    # Labels come from codebooks and exports: "$x$" is text, never maths (and "$\\foo$" never raises).
    "text.parse_math": False,
}


def _figure(width, height):
    """A pyplot-free Figure with an Agg canvas (no GUI, garbage collected)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _rc():
    import matplotlib as mpl

    return mpl.rc_context(_RC)


def likert_colors(n_neg: int, n_neutral: int, n_pos: int) -> list[str]:
    """BrBG colours: ``n_neg`` disagree (darkest first), ``n_neutral`` grey, ``n_pos`` agree (darkest last)."""
    browns = ["#8c510a", "#bf812d", "#dfc27d", "#f0dcb0"]
    teals = ["#01665e", "#35978f", "#80cdc1", "#b9e3dc"]
    pick = {0: [], 1: [1], 2: [0, 2], 3: [0, 1, 2], 4: [0, 1, 2, 3]}
    if n_neg not in pick or n_pos not in pick:
        raise ValueError(f"likert_colors supports up to 4 categories per side, got {n_neg} and {n_pos}")
    neg = [browns[i] for i in pick[n_neg]]
    pos = [teals[i] for i in pick[n_pos]][::-1]
    return neg + [_NEUTRAL] * n_neutral + pos


def _wrap(text, width):
    return "\n".join(textwrap.wrap(str(text), width=width, break_long_words=False)) or str(text)


def _pct_formatter(decimals=0, *, absolute=True):
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: f"{format_nl(abs(x) if absolute else x, decimals)}%")


def _nl_formatter(decimals=1):
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: format_nl(x, decimals))


def likert_chart(table, *, categories, missing_categories=(), label_col="label", n_col="n",
                 suppressed_col="suppressed", small_label="n<5", title=None, wrap=42,
                 min_label_pct=10.0, axis_label=None):
    """Diverging stacked bars for a block of Likert items.

    Parameters
    ----------
    table : DataFrame
        One row per item, already through disclosure control, in display order
        (top to bottom). Columns: ``label_col`` (item text), one column per
        entry of ``categories`` (percentages of the valid base, adding up to
        100), one per entry of ``missing_categories`` (percentages of everyone
        who saw the item), ``n_col`` (the base) and ``suppressed_col``.
    categories : list of str
        Valid answer labels, from most negative to most positive; with an odd
        number the middle one is neutral and straddles zero.
    missing_categories : list of str
        Reasons outside the base ("Weet ik niet", "Niet van toepassing"),
        drawn in a panel beside the bars.
    small_label : str
        Shown instead of bars for suppressed rows (``label_small(min_n)``).
    title : str, optional
    wrap : int
        Characters per line of the item texts.
    min_label_pct : float
        Percentages below this are not printed inside their segment.
    axis_label : str, optional
        The x axis text, in the response set's own words
        (:func:`peo_lib.sentences.chart_axis_phrase`); default: negative left, positive right.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cats = list(categories)
    miss = [m for m in missing_categories if m in table.columns]
    k = len(cats)
    n_neg, n_neu = k // 2, k % 2
    colors = likert_colors(n_neg, n_neu, k // 2)
    rows = len(table)
    labels = [_wrap(t, wrap) for t in table[label_col]]
    lines = max(1, max(lab.count("\n") + 1 for lab in labels)) if rows else 1
    height = 0.9 + rows * max(0.42, 0.16 * lines + 0.14) + 0.35
    with _rc():
        fig = _figure(A4_WIDTH_IN, height)
        widths = [5.2, 1.0] if miss else [1]
        axes = fig.subplots(1, len(widths), sharey=True, gridspec_kw={"width_ratios": widths})
        ax = axes[0] if miss else axes
        y = np.arange(rows)
        vals = table[cats].to_numpy(dtype=float) if rows else np.zeros((0, k))
        hidden = table[suppressed_col].to_numpy(dtype=bool) if suppressed_col in table else np.zeros(rows, bool)
        vals = np.where(hidden[:, None], np.nan, vals)
        neg, right = _likert_bars(ax, y, vals, cats, colors, n_neg, n_neu, min_label_pct)
        for yi in np.flatnonzero(hidden):
            ax.text(0, yi, small_label, ha="center", va="center", fontsize=8.5, color=_TEXT,
                    style="italic")
        _style_likert_axis(ax, y, labels, neg, right, rows)
        ax.set_xlabel(axis_label or chart_axis_phrase("negatief", "positief"))
        if miss:
            _missing_panel(axes[1], table, miss, hidden, y, rows)
        _likert_legend(fig, ax, axes, miss, k)
        if title:
            fig.suptitle(title, x=0.01, ha="left", fontsize=10.5, fontweight="bold")
    return fig


def _likert_bars(ax, y, vals, cats, colors, n_neg, n_neu, min_label_pct):
    """Draw the diverging stacked bars with their labels; returns ``(negative part, right ends)``."""
    neg = np.nansum(vals[:, :n_neg], axis=1) + (vals[:, n_neg] / 2 if n_neu else 0)
    left = -np.nan_to_num(neg)
    for j, cat in enumerate(cats):
        w = np.nan_to_num(vals[:, j])
        ax.barh(y, w, left=left, height=0.68, color=colors[j], edgecolor=_EDGE, linewidth=0.6,
                label=cat)
        for yi, (l0, wi) in enumerate(zip(left, w)):
            if wi >= min_label_pct:
                dark = colors[j] in _WHITE_TEXT_ON
                ax.text(l0 + wi / 2, yi, f"{format_nl(wi, 0)}%", ha="center", va="center",
                        fontsize=7.5, color="white" if dark else _TEXT)
        left = left + w
    return neg, left


def _style_likert_axis(ax, y, labels, neg, right, rows):
    """Limits, ticks, grid and spines of the bar panel."""
    ax.axvline(0, color="#555555", linewidth=0.8, zorder=0)
    # asymmetric limits around zero: the bars get the width the item texts leave over
    lo = np.nanmax(np.r_[np.nan_to_num(neg), 0]) if rows else 50
    hi = np.nanmax(np.r_[right, 0]) if rows else 50
    lo, hi = min(100, 10 * np.ceil(max(lo, 20) / 10) + 2), min(100, 10 * np.ceil(max(hi, 20) / 10) + 2)
    ax.set_xlim(-lo, hi)
    ax.xaxis.set_major_formatter(_pct_formatter())
    ax.set_yticks(y, labels)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color="#eeeeee", linewidth=0.6, zorder=-1)
    ax.set_axisbelow(True)


def _missing_panel(mx, table, miss, hidden, y, rows):
    """Draw the narrow panel of reasons outside the base ("Weet ik niet", ...)."""
    mvals = table[miss].to_numpy(dtype=float) if rows else np.zeros((0, len(miss)))
    mvals = np.where(hidden[:, None], np.nan, mvals)
    mleft = np.zeros(rows)
    hatches = ["", "////", "..", "xx"]
    for j, m in enumerate(miss):
        w = np.nan_to_num(mvals[:, j])
        mx.barh(y, w, left=mleft, height=0.5, color="#e6e6e6" if j % 2 else "#bdbdbd",
                edgecolor=_MISSING, linewidth=0.5, hatch=hatches[j % len(hatches)], label=m)
        mleft = mleft + w
    for yi, tot in enumerate(mleft):
        if not hidden[yi]:
            mx.text(tot + 1, yi, f"{format_nl(tot, 0)}%", va="center", fontsize=7.5, color=_TEXT)
    mx.set_xlim(0, max(25, 10 * np.ceil((np.nanmax(mleft, initial=0) + 8) / 10)))
    mx.xaxis.set_major_formatter(_pct_formatter())
    mx.set_title("Niet in\nde basis", fontsize=7.5, loc="center", color="#444444")
    mx.tick_params(axis="y", length=0)
    for side in ("top", "right"):
        mx.spines[side].set_visible(False)


def _likert_legend(fig, ax, axes, miss, k):
    """Figure legend below the bars: answer categories, interleaved with the missing reasons."""
    handles, leg_labels = ax.get_legend_handles_labels()
    ncol = min(k, 5)
    if miss and len(miss) <= ncol:
        # the legend fills column by column: interleave so that row 1 holds the
        # answer categories and row 2 the reasons outside the base
        mh, ml = axes[1].get_legend_handles_labels()
        order = []
        for j in range(k):
            order.append((handles[j], leg_labels[j]))
            if j < len(mh):
                order.append((mh[j], ml[j]))
        handles, leg_labels = [h for h, _ in order], [lab for _, lab in order]
    fig.legend(handles, leg_labels, loc="outside lower center", ncol=ncol,
               frameon=False, handlelength=1.2, columnspacing=1.0)


def mean_ci_chart(table, *, label_col="label", mean_col="mean", lo_col="ci_low", hi_col="ci_high",
                  group_col=None, groups=None, suppressed_col="suppressed", small_label="n<5",
                  scale_min=1, scale_max=5, title=None, xlabel=None,
                  wrap=40):
    """Means with their 95% confidence interval, one row per scale (or item).

    Parameters
    ----------
    table : DataFrame
        Already through disclosure control. One row per label (and group).
    label_col, mean_col, lo_col, hi_col : str
        Columns with the row label, the mean and the CI bounds.
    group_col : str, optional
        Draw one marker per group (e.g. ``ervaringsgroep``), dodged.
    groups : list of str, optional
        Group order (default: order of appearance).
    suppressed_col : str
        Rows with True are drawn as ``small_label``.
    scale_min, scale_max : float
        Range of the answer scale (x axis).

    Returns
    -------
    matplotlib.figure.Figure
    """
    labels = list(dict.fromkeys(table[label_col]))
    if group_col is None:
        group_list = [None]
    else:
        group_list = list(groups) if groups is not None else list(dict.fromkeys(table[group_col]))
    rows = len(labels)
    wrapped = [_wrap(t, wrap) for t in labels]
    lines = max([w.count("\n") + 1 for w in wrapped] or [1])
    height = 0.8 + rows * max(0.38, 0.15 * lines + 0.12) + (0.3 if group_col else 0)
    pos = {lab: i for i, lab in enumerate(labels)}
    with _rc():
        fig = _figure(A4_WIDTH_IN, height)
        ax = fig.subplots()
        ng = len(group_list)
        offsets = np.linspace(-0.18, 0.18, ng) if ng > 1 else [0.0]
        for g_i, g in enumerate(group_list):
            part = table if g is None else table[table[group_col] == g]
            hidden = part[suppressed_col].to_numpy(dtype=bool) if suppressed_col in part else np.zeros(len(part), bool)
            yy = np.array([pos[lab] for lab in part[label_col]], dtype=float) + offsets[g_i]
            m = part[mean_col].to_numpy(dtype=float)
            lo = part[lo_col].to_numpy(dtype=float)
            hi = part[hi_col].to_numpy(dtype=float)
            ok = ~hidden & ~np.isnan(m)
            color = GROUP_COLORS[g_i % len(GROUP_COLORS)]
            ax.errorbar(m[ok], yy[ok], xerr=[m[ok] - np.where(np.isnan(lo[ok]), m[ok], lo[ok]),
                                             np.where(np.isnan(hi[ok]), m[ok], hi[ok]) - m[ok]],
                        fmt=GROUP_MARKERS[g_i % len(GROUP_MARKERS)], color=color, ecolor=color,
                        elinewidth=1.4, capsize=2.5, markersize=5.5, label=g if g is not None else None)
            if ng == 1:  # with several groups the labels collide: the table beside it has the numbers
                for xv, yv in zip(m[ok], yy[ok]):
                    ax.annotate(format_nl(xv, 1), (xv, yv), xytext=(0, 5), textcoords="offset points",
                                ha="center", fontsize=7, color=color)
            for yv in yy[hidden | np.isnan(m)]:
                ax.text((scale_min + scale_max) / 2, yv, small_label if ng == 1 else f"{g}: {small_label}",
                        ha="center", va="center", fontsize=7.5, style="italic", color=_TEXT)
        ax.set_xlim(scale_min - 0.1, scale_max + 0.1)
        ax.set_xticks(np.arange(scale_min, scale_max + 0.001, 0.5))
        ax.xaxis.set_major_formatter(_nl_formatter(1))
        ax.set_yticks(range(rows), wrapped)
        ax.set_ylim(rows - 0.5, -0.6)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color="#e6e6e6", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel(xlabel or f"Gemiddelde ({format_nl(scale_min, 0)}-{format_nl(scale_max, 0)}) met "
                      "95%-betrouwbaarheidsinterval")
        if group_col is not None:
            fig.legend(loc="outside lower center", ncol=ng, frameon=False)
        if title:
            fig.suptitle(title, x=0.01, ha="left", fontsize=10.5, fontweight="bold")
    return fig


def figure_png(fig, *, dpi=DPI) -> bytes:
    """Render a figure once to PNG bytes (shared by the notebook output and the PNG file).

    The constrained layout is computed once and then fixed: ``savefig`` would otherwise lay the
    figure out in a draw of its own before the draw that paints it. Same pixels, 0.08 s less per
    figure (a third of a trend figure). At another dpi than the figure's, savefig lays it out.
    """
    engine = fig.get_layout_engine()
    if engine is not None and dpi == fig.dpi:
        engine.execute(fig)
        fig.set_layout_engine("none")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return buf.getvalue()


def figure_block(fig, *, name, alt, folder=None):
    """Draw ``fig`` once to PNG: the report's :class:`~peo_lib.report.structure.Figure` and, with ``folder``,
    the same bytes as ``folder/NAME.png``. Returns ``(Figure, path or None)``; the figure is cleared."""
    from peo_lib.report.structure import Figure

    png = figure_png(fig)
    path = None
    if folder is not None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        path.write_bytes(png)
    width_px = int(round(fig.get_figwidth() * 96))
    fig.clear()
    return Figure(name, png, alt=alt, width=width_px), path


# ----------------------------------------------------------------------
# alt texts: the main numbers of a chart, in Dutch (from the same suppressed table)
# ----------------------------------------------------------------------

def _short(text, n=70) -> str:
    text = str(text).strip().rstrip(".")
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def likert_alt(table, *, categories, title, small_label="n<5", label_col="label", suppressed_col="suppressed") -> str:
    """Alt text of :func:`likert_chart`: how many statements, and the most and least agreed with
    (share of the upper half of the answers); the table below the chart has every number."""
    k = len(categories)
    upper = list(categories)[(k + 1) // 2:]
    shown = table[~table[suppressed_col].astype(bool)] if suppressed_col in table else table
    text = f"{title}. {len(table)} stellingen."
    if len(shown) and upper:
        agree = shown[upper].sum(axis=1)
        hi, lo = agree.idxmax(), agree.idxmin()
        words = " of ".join(c.lower() for c in upper)
        text += (f" Hoogste aandeel {words}: ‘{_short(shown.loc[hi, label_col])}’ ({format_nl(agree[hi], 0)}%);"
                 f" laagste: ‘{_short(shown.loc[lo, label_col])}’ ({format_nl(agree[lo], 0)}%).")
    hidden = len(table) - len(shown)
    if hidden:
        text += f" {hidden} stelling(en) niet getoond ({small_label})."
    return text + " Alle percentages staan in de tabel onder de figuur."


def mean_ci_alt(table, *, title, label_col="label", group_col=None, groups=None, mean_col="mean",
                suppressed_col="suppressed", small_label="n<5", scale_min=1, scale_max=5, name_hidden=True) -> str:
    """Alt text of :func:`mean_ci_chart`: every shown mean, per label (and group).

    ``name_hidden=False``: a hidden row is counted, not named (a small gemeente is named nowhere).
    """
    parts, hidden_rows = [], 0
    for lab in dict.fromkeys(table[label_col]):
        part = table[table[label_col] == lab]
        vals = []
        for g in (groups or (list(dict.fromkeys(part[group_col])) if group_col else [None])):
            rows = part if g is None else part[part[group_col] == g]
            if rows.empty:
                continue
            r = rows.iloc[0]
            hidden = bool(r.get(suppressed_col, False)) or r[mean_col] != r[mean_col]
            v = small_label if hidden else format_nl(r[mean_col], 1)
            vals.append(v if g is None else f"{str(g).lower()} {v}")
        if not name_hidden and all(v.endswith(small_label) for v in vals):
            hidden_rows += 1
            continue
        parts.append(f"{lab}: {', '.join(vals)}")
    text = f"{title} (schaal {format_nl(scale_min, 0)} tot {format_nl(scale_max, 0)}). " + "; ".join(parts) + "."
    if hidden_rows:
        text += f" {hidden_rows} niet getoond ({small_label})."
    return text
