"""The dashboard's matplotlib figures, made for a projector and for speed.

One long-lived ``Figure`` per view (:class:`_DistributionFigure`,
:class:`_MeanFigure`, :class:`_TrendFigure`, all :class:`_LiveFigure`): its
static artists (axes, ticks, legend) are drawn once into a cached background;
the dynamic ones (bars, points, labels) are updated in place and blitted onto
it, and the Agg buffer is encoded as PNG (fast zlib level) for an
``ipywidgets.Image``. No seaborn, no full redraw. Title and subtitle are shown
as HTML above the image on screen and drawn into the figure only by
:meth:`_LiveFigure.save_png`.

The figures draw the privacy-checked rows of :mod:`peo_lib.dashboard.model`
and compute nothing about respondents. In the distribution a hidden row shows
only its ``n<5`` label; hidden cells of a visible row (should a rule ever hide
them) are merged into one hatched block centred on zero, whose width is the
row total minus the visible cells, so no position or width gives a hidden cell
back.

Projector: 16:9, 15-20 pt text, dark text on white, the report's palette
(:mod:`peo_lib.report.plots`: ColorBrewer BrBG with a grey neutral for the
answers, its group colours, then Okabe-Ito, plus distinct markers for trend
lines; one palette for report and dashboard); Dutch labels and decimal comma
throughout. Scales in the distribution view are the scale score rounded to the
nearest answer category (the caller says so in the subtitle).
"""

from __future__ import annotations

import io
import math
import os
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from peo_lib.vocab import TOTAL_LABEL

MAX_ROWS = 24
MAX_CATS = 11
MAX_LINES = 12
_FIGSIZE = (12.0, 6.75)  # 16:9 for the projector
_DPI = 100
_SAVE_DPI = 150
#: The meeting tab's figures: smaller canvas, so the same point sizes read larger in a 62% column.
MEETING_FIGSIZE = (10.0, 6.2)
_TITLE_ZONE = 0.165  # top share of the figure holding title and subtitle (only in saved PNGs)

_OKABE_ITO = ["#000000", "#E69F00", "#0072B2", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#8C6D00",
              "#004D80", "#006B4F", "#9C3D00", "#7A3A66"]
_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "h", "<", ">", "p", "*"]
#: Row labels of the missing-reason column beside the bars ("Niet in de basis", as in the report).
_MISSING_HEADER = "Niet in de basis"
#: Trend line colours (filled from the report's palette when the first trend figure is made).
_LINES = list(_OKABE_ITO)


def _colours(k: int) -> list[str]:
    """The report's Likert colours for k ordered categories (:func:`peo_lib.report.plots.likert_colors`).

    ColorBrewer BrBG, grey neutral; more than 4 categories per side (an
    11-point grade) falls back to the same BrBG colour map, sampled evenly.
    """
    from peo_lib.report.plots import likert_colors

    if k <= 9:
        return likert_colors(k // 2, k % 2, k // 2)
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["BrBG"]
    cols = [to_hex(cmap(0.05 + 0.9 * i / (k - 1))) for i in range(k)]
    if k % 2:
        cols[k // 2] = likert_colors(0, 1, 0)[0]
    return cols


def _short_reason(label: str) -> str:
    """A missing reason short enough for the column header: ``n.v.t.``, ``weet niet``."""
    low = label.lower().strip()
    known = {"niet van toepassing": "n.v.t.", "weet ik niet": "weet niet", "wil ik niet zeggen": "zeg ik niet",
             "geen mening": "geen mening"}
    return known.get(low, low if len(low) <= 12 else low[:11] + "…")


def _line_colours() -> list[str]:
    """Trend lines: the report's group colours first, then Okabe-Ito for further lines."""
    from peo_lib.report.plots import GROUP_COLORS

    return list(GROUP_COLORS) + [c for c in _OKABE_ITO if c not in GROUP_COLORS]


def _text_colour(hex_colour: str) -> str:
    """Black or white, whichever reads better on the colour (WCAG relative luminance)."""
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    lum = 0.2126 * r ** 2.2 + 0.7152 * g ** 2.2 + 0.0722 * b ** 2.2
    return "#000000" if lum > 0.25 else "#ffffff"


def _fmt(x, decimals=1) -> str:
    """A number with a decimal comma (:func:`peo_lib.formatting.format_nl`)."""
    from peo_lib.formatting import format_nl

    return format_nl(x, decimals)


def _wrap(text: str, width: int = 70, lines: int = 2) -> str:
    """``text`` wrapped at ``width`` characters, cut to ``lines`` lines (ending in ``…``)."""
    parts = textwrap.wrap(text, width)
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1].rstrip(" .,;") + " …"
    return "\n".join(parts)


def _fit(label: str, width: int = 24) -> str:
    """Row labels: at most two lines of ``width`` characters."""
    if len(label) <= width:
        return label
    return _wrap(label, width, 2)


def _short(meta, width=26) -> str:
    """``PR01 Ik heb voldoende ruim…``: a statement's id and start (row labels of an overview)."""
    text = meta["text"]
    return f"{meta['id']} {text if len(text) <= width else text[:width - 1].rstrip() + '…'}"


def _fmt_pct(x) -> str:
    """A percentage without decimals, Dutch style: ``12%``."""
    return f"{_fmt(x, 0)}%"


# ----------------------------------------------------------------------
# live figures: one Figure per view, artists updated and blitted
# ----------------------------------------------------------------------

class _LiveFigure:
    """A matplotlib Figure kept alive; dynamic artists are blitted onto a cached background."""

    def __init__(self, *, figsize=_FIGSIZE):
        import matplotlib as mpl
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        # Labels come from codebooks and exports: "$x$" is text, never maths ("$\\foo$" would raise).
        # Text objects read this when they are made, and the dashboard makes them in its own figures.
        mpl.rcParams["text.parse_math"] = False

        self.fig = Figure(figsize=figsize, dpi=_DPI, facecolor="white")
        self.canvas = FigureCanvasAgg(self.fig)
        self.dynamic = []
        self._bg = None
        self._bg_key = None
        self.layout_key = None
        self.title = self.fig.text(0.02, 0.965, "", ha="left", va="top", fontsize=20, fontweight="bold",
                                   color="#111111")
        self.subtitle = self.fig.text(0.02, 0.875, "", ha="left", va="top", fontsize=14, color="#333333")
        self.message = self.fig.text(0.5, 0.45, "", ha="center", va="center", fontsize=20, color="#333333")
        self._dyn(self.title, self.subtitle, self.message)

    def _dyn(self, *artists):
        for a in artists:
            a.set_animated(True)
            self.dynamic.append(a)

    def texts(self) -> list[str]:
        """Every visible, non-empty text of the figure (dynamic and static)."""
        out = []
        for t in self.fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_visible")):
            if t.get_visible() and t.get_text() and (t.axes is None or t.axes.get_visible()):
                out.append(t.get_text())
        return out

    def render_png(self) -> bytes:
        """Blit the dynamic artists on the static background and encode as PNG.

        Title and subtitle are not drawn here: the dashboard shows them as
        HTML above the image (text rendering is most of a redraw's cost);
        :meth:`save_png` puts them into the file.
        """
        from PIL import Image

        self.title.set_visible(False)
        self.subtitle.set_visible(False)
        if self._bg is None or self._bg_key != self.layout_key:
            self.canvas.draw()  # static artists only (dynamic ones are animated)
            self._bg = self.canvas.copy_from_bbox(self.fig.bbox)
            self._bg_key = self.layout_key
        else:
            self.canvas.restore_region(self._bg)
        renderer = self.canvas.get_renderer()
        for a in self.dynamic:
            if a.get_visible():
                a.draw(renderer)
        rgb = np.asarray(self.canvas.buffer_rgba())
        rgb = rgb[int(rgb.shape[0] * _TITLE_ZONE):, :, :3]  # the title zone is HTML on screen
        out = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(rgb), "RGB").save(out, format="png", compress_level=1)
        return out.getvalue()

    def save_png(self, path: Path, *, dpi=_SAVE_DPI, sentence: str = "") -> Path:
        """Full (non-blitted) render at a higher resolution, written atomically.

        Title and subtitle are stacked from the legend upwards by their drawn
        height (a two-line title never overlaps its subtitle), and
        ``sentence`` (the view's Dutch sentence) is printed below the chart;
        the saved image is cropped to what is drawn (``bbox_inches="tight"``).
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.png")
        try:
            self._write_full(tmp, dpi=dpi, sentence=sentence)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return path

    def full_png(self, *, dpi=_SAVE_DPI, sentence: str = "") -> bytes:
        """The image :meth:`save_png` writes, as PNG bytes (for the meeting record)."""
        out = io.BytesIO()
        self._write_full(out, dpi=dpi, sentence=sentence)
        return out.getvalue()

    def _write_full(self, target, *, dpi, sentence):
        for a in self.dynamic:
            a.set_animated(False)
        self.title.set_visible(True)
        self.subtitle.set_visible(True)
        footer = self.fig.text(0.02, 0.0, textwrap.fill(sentence, 120) if sentence else "", ha="left",
                               va="top", fontsize=14, color="#111111")
        old = (self.title.get_position(), self.subtitle.get_position(), self.title.get_va(),
               self.subtitle.get_va())
        try:
            self._stack_titles()
            self.fig.savefig(target, dpi=dpi, format="png", facecolor="white", bbox_inches="tight",
                             pad_inches=0.25, metadata={"Software": None})
        finally:
            footer.remove()
            self.title.set_position(old[0])
            self.subtitle.set_position(old[1])
            self.title.set_va(old[2])
            self.subtitle.set_va(old[3])
            for a in self.dynamic:
                a.set_animated(True)
            self._bg = None  # the canvas size changed while saving

    def _stack_titles(self):
        """Subtitle just above the chart's top (legend), the title above the subtitle's drawn height."""
        renderer = self.canvas.get_renderer()
        height = self.fig.bbox.height
        top = 0.83
        self.subtitle.set(va="bottom", y=top)
        sub_h = self.subtitle.get_window_extent(renderer).height / height if self.subtitle.get_text() else 0
        self.title.set(va="bottom", y=top + sub_h + 0.015)


class _DistributionFigure(_LiveFigure):
    """Diverging stacked bars: rows = Totaal/groups (or items), segments = categories."""

    def __init__(self, *, max_rows=MAX_ROWS, max_cats=MAX_CATS, figsize=_FIGSIZE):
        super().__init__(figsize=figsize)
        from matplotlib import transforms

        self.max_rows, self.max_cats = max_rows, max_cats
        self.ax = ax = self.fig.add_axes([0.24, 0.09, 0.57, 0.62])
        ax.set_xlim(-100, 100)
        ax.set_xticks([-100, -50, 0, 50, 100], ["100%", "50%", "0", "50%", "100%"], fontsize=14)
        ax.tick_params(axis="y", left=False, labelleft=False)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.axvline(0, color="#222222", lw=1.2, zorder=3)
        ax.grid(axis="x", color="#dddddd", lw=0.8)
        ax.set_axisbelow(True)
        self._blend = transforms.blended_transform_factory(ax.transAxes, ax.transData)
        # artist pools grow on demand (creating 24 x 11 bars up front costs a second at start-up)
        self.bars, self.seg_texts, self.hidden_bars = [], [], []
        self.row_labels, self.n_labels, self.centre_texts, self.miss_texts = [], [], [], []
        self.legend = None
        # the missing reasons beside the bars, as in the report ("Niet in de basis")
        self.miss_header = self.fig.text(0.885, 0.715, "", ha="left", va="bottom", fontsize=11, color="#333333")
        self._dyn(self.miss_header)

    def _ensure(self, R, K):
        """Create row and segment artists up to R rows and K categories."""
        from matplotlib.patches import Rectangle

        ax = self.ax
        for r in range(len(self.row_labels), min(R, self.max_rows)):
            hb = Rectangle((0, r - 0.36), 0, 0.72, facecolor="white", edgecolor="#444444", hatch="///", lw=0.8)
            ax.add_artist(hb)
            hb.set_clip_path(ax.patch)
            self.hidden_bars.append(hb)
            self.row_labels.append(ax.text(-0.015, r, "", ha="right", va="center", fontsize=16,
                                           transform=self._blend, color="#111111"))
            self.n_labels.append(ax.text(1.01, r, "", ha="left", va="center", fontsize=14,
                                         transform=self._blend, color="#333333"))
            self.centre_texts.append(ax.text(0, r, "", ha="center", va="center", fontsize=16, fontweight="bold",
                                             color="#111111",
                                             bbox=dict(fc="white", ec="#888888", boxstyle="round")))
            self.miss_texts.append(ax.text(1.14, r, "", ha="left", va="center", fontsize=13,
                                           transform=self._blend, color="#333333"))
            self.bars.append([])
            self.seg_texts.append([])
            self._dyn(hb, self.row_labels[r], self.n_labels[r], self.centre_texts[r], self.miss_texts[r])
        for r in range(min(R, self.max_rows)):
            while len(self.bars[r]) < min(K, self.max_cats):
                bar = Rectangle((0, r - 0.36), 0, 0.72, edgecolor="white", lw=0.8)
                ax.add_artist(bar)
                bar.set_clip_path(ax.patch)
                txt = ax.text(0, r, "", ha="center", va="center", fontsize=14)
                self.bars[r].append(bar)
                self.seg_texts[r].append(txt)
                self._dyn(bar, txt)

    def _set_legend(self, categories, small_label):
        from matplotlib.patches import Patch

        key = (tuple(categories), small_label)
        if self.layout_key == ("dist", key):
            return
        if self.legend is not None:
            self.legend.remove()
        cols = _colours(len(categories))
        handles = [Patch(facecolor=c, edgecolor="white") for c in cols]
        handles.append(Patch(facecolor="white", edgecolor="#444444", hatch="///"))
        labels = list(categories) + [f"verborgen ({small_label})"]
        ncol = len(handles) if len(categories) <= 5 else math.ceil(len(handles) / 2)
        self.legend = self.fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.47, 0.81),
                                      ncol=ncol, frameon=False, fontsize=13 if len(categories) <= 5 else 11,
                                      handlelength=1.4, columnspacing=1.2)
        self.layout_key = ("dist", key)

    def update(self, rows: list[dict], categories, *, title, subtitle, small_label, message="", reasons=()):
        """Draw rows ``{label, n_label, pct (K floats, NaN hidden), hidden_pct, row_hidden, missing}``.

        ``reasons`` names the missing reasons whose shares (``missing``, % of
        everyone in the row's group) are printed right of the bars.
        """
        self.title.set_text(title)
        self.subtitle.set_text(subtitle)
        self.message.set_text(message)
        reasons = list(reasons) if not message else []
        header = _MISSING_HEADER + "\n" + " · ".join(_short_reason(r) for r in reasons)
        self.miss_header.set(text=header if reasons else "", visible=bool(reasons))
        self._set_legend(categories, small_label)
        K = len(categories)
        cols = _colours(K)
        tcols = [_text_colour(c) for c in cols]
        R = min(len(rows), self.max_rows)
        self._ensure(0 if message else R, K)
        self.ax.set_ylim(max(R, 1) - 0.5, -0.5)
        fs = 14 if R <= 8 else (12 if R <= 14 else 9)
        lfs = 16 if R <= 8 else (13 if R <= 14 else 10)
        for r in range(len(self.row_labels)):
            on = r < R and not message
            bars, texts = self.bars[r], self.seg_texts[r]
            if not on:
                for a in (*bars, *texts, self.hidden_bars[r], self.row_labels[r], self.n_labels[r],
                          self.centre_texts[r], self.miss_texts[r]):
                    a.set_visible(False)
                continue
            row = rows[r]
            miss = [v for v in row.get("missing", ())][:len(reasons)]
            shown = reasons and not row["row_hidden"] and not all(np.isnan(v) for v in miss)
            self.miss_texts[r].set(text=" · ".join(_fmt_pct(v) for v in miss) if shown else "",
                                   visible=bool(shown), fontsize=fs)
            self.row_labels[r].set(text=_fit(row["label"]), visible=True, fontsize=lfs,
                                   fontweight="bold" if row["label"] == TOTAL_LABEL else "normal")
            if row["row_hidden"]:
                for a in (*bars, *texts, self.hidden_bars[r]):
                    a.set_visible(False)
                self.n_labels[r].set_visible(False)
                self.centre_texts[r].set(text=row["n_label"], visible=True, fontsize=lfs)
                continue
            self.centre_texts[r].set_visible(False)
            self.n_labels[r].set(text=row["n_label"], visible=True, fontsize=fs)
            pct = np.asarray(row["pct"], dtype=float)
            vis = np.nan_to_num(pct, nan=0.0)
            h = float(row["hidden_pct"] or 0.0)
            half = K // 2
            odd = K % 2 == 1
            neg = float(vis[:half].sum())
            neu = float(vis[half]) if odd else 0.0
            # order: negatives, neutral, hidden block, positives; zero in the middle of neutral+hidden
            x = -(neg + (neu + h) / 2)
            hb = self.hidden_bars[r]
            hb.set_visible(False)
            for k in range(max(len(bars), K + 1)):
                if k == half + (1 if odd else 0) and h > 0:
                    hb.set(x=x, width=h, y=r - 0.36, height=0.72, visible=True)
                    x += h
                if k >= len(bars):
                    continue
                bar, txt = bars[k], texts[k]
                if k >= K or np.isnan(pct[k]) or pct[k] <= 0:
                    bar.set_visible(False)
                    txt.set_visible(False)
                    continue
                w = float(pct[k])
                bar.set(x=x, width=w, y=r - 0.36, height=0.72, facecolor=cols[k], visible=True)
                txt.set(x=x + w / 2, y=r, text=_fmt_pct(w) if w >= 6 else "", fontsize=fs,
                        color=tcols[k], visible=w >= 6)
                x += w
        return self.render_png()


class _MeanFigure(_LiveFigure):
    """Mean with 95% t-interval per row (Totaal, groups or items)."""

    def __init__(self, *, max_rows=MAX_ROWS, figsize=_FIGSIZE):
        super().__init__(figsize=figsize)
        from matplotlib import transforms
        from matplotlib.collections import LineCollection

        self.max_rows = max_rows
        self.ax = ax = self.fig.add_axes([0.25, 0.12, 0.62, 0.62])
        ax.tick_params(axis="y", left=False, labelleft=False)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.grid(axis="x", color="#dddddd", lw=0.8)
        ax.set_axisbelow(True)
        self.ci = LineCollection([], colors="#0072B2", linewidths=4, capstyle="round")
        ax.add_collection(self.ci)
        (self.points,) = ax.plot([], [], "o", ms=13, color="#0072B2", mec="white", mew=1.5, zorder=4)
        self._blend = transforms.blended_transform_factory(ax.transAxes, ax.transData)
        self.row_labels, self.value_texts, self.n_labels = [], [], []
        self._dyn(self.ci, self.points)

    def _ensure(self, R):
        ax = self.ax
        for r in range(len(self.row_labels), min(R, self.max_rows)):
            self.row_labels.append(ax.text(-0.015, r, "", ha="right", va="center", fontsize=16,
                                           transform=self._blend))
            self.value_texts.append(ax.text(0, r, "", ha="left", va="center", fontsize=15, color="#111111"))
            self.n_labels.append(ax.text(1.01, r, "", ha="left", va="center", fontsize=14,
                                         transform=self._blend, color="#333333"))
            self._dyn(self.row_labels[r], self.value_texts[r], self.n_labels[r])

    def _set_axis(self, codes, categories):
        key = ("mean", tuple(codes), tuple(categories))
        if self.layout_key == key:
            return
        lo, hi = codes[0], codes[-1]
        self.ax.set_xlim(lo - 0.25, hi + 0.6)
        if len(codes) <= 7:
            labels = [textwrap.fill(c, 10) for c in categories]
            self.ax.set_xticks(codes, labels, fontsize=12)
        else:
            self.ax.set_xticks(codes, [str(c) for c in codes], fontsize=13)
        self.layout_key = key

    def update(self, table: pd.DataFrame, codes, categories, *, title, subtitle, message=""):
        self.title.set_text(title)
        self.subtitle.set_text(subtitle)
        self.message.set_text(message)
        self._set_axis(codes, categories)
        R = 0 if message else min(len(table), self.max_rows)
        self._ensure(R)
        self.ax.set_ylim(max(R, 1) - 0.5, -0.5)
        lfs = 16 if R <= 8 else (13 if R <= 14 else 10)
        segs, xs, ys = [], [], []
        for r in range(len(self.row_labels)):
            lab, val, nl = self.row_labels[r], self.value_texts[r], self.n_labels[r]
            if r >= R:
                lab.set_visible(False), val.set_visible(False), nl.set_visible(False)
                continue
            row = table.iloc[r]
            lab.set(text=_fit(row["rij"]), visible=True, fontsize=lfs,
                    fontweight="bold" if row["rij"] == TOTAL_LABEL else "normal")
            if row["verborgen_rij"]:
                val.set(text=row["n_label"], x=(codes[0] + codes[-1]) / 2, y=r, ha="center", visible=True,
                        fontsize=lfs, fontweight="bold",
                        bbox=dict(fc="white", ec="#888888", boxstyle="round"))
                nl.set_visible(False)
                continue
            m, a, b = row["gemiddelde"], row["ci_laag"], row["ci_hoog"]
            xs.append(m)
            ys.append(r)
            if not (np.isnan(a) or np.isnan(b)):
                segs.append([(a, r), (b, r)])
            right = b if not np.isnan(b) else m
            val.set(text=_fmt(m, 1), x=right + 0.06, y=r, ha="left", visible=True, fontsize=lfs,
                    fontweight="bold", bbox=None)
            nl.set(text=row["n_label"], visible=True, fontsize=min(lfs, 14))
        self.ci.set_segments(segs)
        self.points.set_data(xs, ys)
        return self.render_png()


class _TrendFigure(_LiveFigure):
    """Means over rounds, one line per row (Totaal, groups), with 95% intervals."""

    def __init__(self, *, max_lines=MAX_LINES, max_rounds=16):
        super().__init__()
        from matplotlib.collections import LineCollection

        self.max_lines = max_lines
        _LINES[:] = _line_colours()
        self.ax = ax = self.fig.add_axes([0.19, 0.1, 0.57, 0.66])
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.grid(axis="y", color="#dddddd", lw=0.8)
        ax.tick_params(labelsize=14)
        self.lines, self.cis, self.end_labels, self.small = [], [], [], []
        for g in range(max_lines):
            col = _LINES[g % len(_LINES)]
            (ln,) = ax.plot([], [], marker=_MARKERS[g % len(_MARKERS)], ms=10, lw=3 if g == 0 else 2.2,
                            color=col, zorder=4)
            ci = LineCollection([], colors=col, linewidths=1.6, alpha=0.7)
            ax.add_collection(ci)
            self.lines.append(ln)
            self.cis.append(ci)
            self.end_labels.append(ax.text(0, 0, "", fontsize=14, color=col, va="center", ha="left",
                                           fontweight="bold" if g == 0 else "normal"))
        self.small = []  # "group: n<5" labels, created on demand
        self._max_small = max_lines * max_rounds
        self._dyn(*self.lines, *self.cis, *self.end_labels)

    def _small_text(self, k):
        while len(self.small) <= k:
            t = self.ax.text(0, 0, "", fontsize=12, color="#333333", ha="center", va="center",
                             bbox=dict(fc="white", ec="#888888", boxstyle="round,pad=0.2"))
            self.small.append(t)
            self._dyn(t)
        return self.small[k]

    def _set_axis(self, rounds, codes, categories):
        key = ("trend", tuple(rounds), tuple(codes))
        if self.layout_key == key:
            return
        self.ax.set_xlim(-0.4, max(len(rounds) - 1, 1) + 1.6)
        self.ax.set_xticks(range(len(rounds)), rounds, fontsize=14)
        lo, hi = codes[0], codes[-1]
        self.ax.set_ylim(lo - 0.1, hi + 0.1)
        if len(codes) <= 7:
            self.ax.set_yticks(codes, [f"{c} {categories[i]}" for i, c in enumerate(codes)], fontsize=12)
        else:
            self.ax.set_yticks(codes, [str(c) for c in codes], fontsize=13)
        self.layout_key = key

    def update(self, trend: pd.DataFrame, rounds, codes, categories, *, title, subtitle, message=""):
        self.title.set_text(title)
        self.subtitle.set_text(subtitle)
        self.message.set_text(message)
        self._set_axis(rounds, codes, categories)
        pos = {r: i for i, r in enumerate(rounds)}
        names = list(dict.fromkeys(trend["rij"])) if len(trend) and not message else []
        names = names[: self.max_lines]
        used_small = 0
        span = codes[-1] - codes[0]
        for g in range(self.max_lines):
            ln, ci, el = self.lines[g], self.cis[g], self.end_labels[g]
            if g >= len(names):
                ln.set_visible(False), ci.set_visible(False), el.set_visible(False)
                continue
            sub = trend[trend["rij"] == names[g]]
            xs = np.array([pos[r] for r in sub["ronde"]], dtype=float)
            ys = sub["gemiddelde"].to_numpy(dtype=float)
            ln.set_data(xs, ys)
            ln.set_visible(True)
            segs = [[(x + 0.03 * (g - len(names) / 2), a), (x + 0.03 * (g - len(names) / 2), b)]
                    for x, a, b in zip(xs, sub["ci_laag"], sub["ci_hoog"]) if not (np.isnan(a) or np.isnan(b))]
            ci.set_segments(segs)
            ci.set_visible(True)
            ok = ~np.isnan(ys)
            if ok.any():
                last = np.flatnonzero(ok)[-1]
                el.set(text=f"{names[g]} {_fmt(ys[last], 1)}", x=xs[last] + 0.15,
                       y=ys[last], visible=True)
            else:
                el.set(text=f"{names[g]}", x=xs[-1] + 0.15 if len(xs) else 0, y=codes[0] + 0.1 * span,
                       visible=True)
            for x, h, nl in zip(xs, sub["verborgen_rij"], sub["n_label"]):
                if h and used_small < self._max_small:
                    t = self._small_text(used_small)
                    t.set(text=f"{names[g]}: {nl}", x=x, y=codes[0] + (0.06 + 0.07 * g) * span,
                          color=_LINES[g % len(_LINES)], visible=True)
                    used_small += 1
        for t in self.small[used_small:]:
            t.set_visible(False)
        # de-overlap the end labels
        vis = [e for e in self.end_labels if e.get_visible()]
        vis.sort(key=lambda e: e.get_position()[1])
        min_gap = 0.055 * span
        for a, b in zip(vis, vis[1:]):
            if b.get_position()[1] - a.get_position()[1] < min_gap:
                b.set_y(a.get_position()[1] + min_gap)
        return self.render_png()
