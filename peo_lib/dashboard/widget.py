"""The live panel dashboard (ipywidgets), for PJH meetings on a projector.

A presenter clicks through the results while the panel asks "and for
starters?", "and in our municipality?", "how was that last year?". Two tabs:

``Verkennen`` (explore)
    Round (or ``Alle rondes`` for the trend), block, subject (a scale, one
    statement, or every statement of the block), breakdown (``geen``,
    ``ervaringsgroep``, ``functie``, ``organisatie``, ``gemeente``) and view
    (``Verdeling``: diverging Likert bars; ``Gemiddelde``: mean with 95%
    t-interval; ``Trend``: means over rounds).
``Bespreken`` (discussion)
    One statement at a time (``Vorige``/``Volgende``) with its distribution
    for everyone, starters and experienced professionals, and a short text.

Both tabs have ``Bewaar als PNG`` (writes ``OUT/dashboard/*.png``).

Design decisions
----------------
* **Speed.** Each round is reduced once to count tables (breakdown group x
  subject x answer category, plus sums and sums of squares for means):
  :func:`round_tables`. These hold no respondent rows and are cached on disk
  by codebook hash and raw-file SHA-256 (:func:`load_tables`), so a restart
  does not re-read the exports. A figure is one long-lived matplotlib
  ``Figure`` per view whose artists are updated in place and blitted onto a
  cached static background; the Agg buffer is encoded as PNG (fast zlib
  level) into an ``ipywidgets.Image``. No seaborn, no full redraw.
* **Privacy.** Every suppression decision is taken by
  :func:`peo_lib.privacy.disclosure.disclosure_mask` (primary, complementary, LP audit),
  on the group x category counts for the distribution and on the group sizes
  for means and trends; results are cached per selection (a background thread
  fills the cache while the presenter talks, because the LP audit can take
  100 ms). A hidden row shows only ``n<5``; hidden cells of a visible row are
  merged into one hatched block centred on zero (its width is the total
  minus the visible cells, which is public anyway), so no position or width
  gives a hidden cell back. As in :mod:`peo_lib.stats.descriptives`, respondents
  whose group is unknown are left out of a breakdown, and ``Totaal`` in a
  breakdown is the total of the groups shown (so ``Totaal`` minus the groups
  reveals nothing within the figure). Open point for the privacy owner: the
  ``geen`` view's total minus this total describes the unknown-group
  respondents (a linked-table case, see ``privacy.py``); including them as a
  suppressed ``Onbekend`` row instead makes its complement hide a large
  group (e.g. all starters) whenever 1-4 people left their group blank.
* **Scales in the distribution view** are shown as the scale score rounded to
  the nearest answer category (said in the subtitle); their means use the
  unrounded scores.
* **Projector.** 16:9 figure, 15-20 pt text, dark text on white, the
  ColorBrewer PuOr diverging palette with a grey neutral (colour-blind safe),
  Okabe-Ito colours plus distinct markers for trend lines; Dutch labels and
  decimal comma throughout.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import pickle
import textwrap
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from peo_lib._validate import check_argument
from peo_lib.stats.intervals import t_quantile

__all__ = [
    "Dashboard",
    "RoundTables",
    "round_tables",
    "load_tables",
    "show_dashboard",
    "BREAKDOWNS",
    "VIEWS",
    "ALL_ROUNDS",
]

ALL_ROUNDS = "__alle_rondes__"
BREAKDOWNS = {
    "geen": "Geen uitsplitsing",
    "ervaringsgroep": "Startend / ervaren",
    "functie": "Functie",
    "organisatie": "Organisatie",
    "gemeente": "Gemeente",
}
VIEWS = {"verdeling": "Verdeling", "gemiddelde": "Gemiddelde", "trend": "Trend"}
TOTAL_LABEL = "Totaal"
UNKNOWN_LABEL = "Onbekend"
GROUP_LABELS = {"startend": "Startend", "ervaren": "Ervaren"}
MAX_ROWS = 24
MAX_CATS = 11
MAX_LINES = 12
_CACHE_VERSION = 1
_FIGSIZE = (12.0, 6.75)  # 16:9 for the projector
_DPI = 100
_SAVE_DPI = 150
_TITLE_ZONE = 0.165  # top share of the figure holding title and subtitle (only in saved PNGs)

_PUOR = {
    2: ["#e08214", "#8073ac"],
    3: ["#e08214", "#bdbdbd", "#8073ac"],
    4: ["#b35806", "#fdb863", "#b2abd2", "#542788"],
    5: ["#b35806", "#f1a340", "#bdbdbd", "#998ec3", "#542788"],
    6: ["#b35806", "#e08214", "#fdb863", "#b2abd2", "#8073ac", "#542788"],
    7: ["#b35806", "#e08214", "#fdb863", "#bdbdbd", "#b2abd2", "#8073ac", "#542788"],
}
_OKABE_ITO = ["#000000", "#E69F00", "#0072B2", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#8C6D00",
              "#004D80", "#006B4F", "#9C3D00", "#7A3A66"]
_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "h", "<", ">", "p", "*"]


# ======================================================================
# helpers
# ======================================================================



def _colours(k: int) -> list[str]:
    """Diverging colour-blind-safe colours for k ordered categories."""
    if k in _PUOR:
        return list(_PUOR[k])
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["PuOr"]
    cols = [to_hex(cmap(1 - (0.08 + 0.84 * i / (k - 1)))) for i in range(k)]
    if k % 2:
        cols[k // 2] = "#bdbdbd"
    return cols


def _text_colour(hex_colour: str) -> str:
    """Black or white, whichever reads better on the colour (WCAG relative luminance)."""
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    lum = 0.2126 * r ** 2.2 + 0.7152 * g ** 2.2 + 0.0722 * b ** 2.2
    return "#000000" if lum > 0.25 else "#ffffff"


def _fmt(x, decimals=1) -> str:
    from peo_lib.formatting import format_nl

    return format_nl(x, decimals)


def _wrap(text: str, width: int = 70, lines: int = 2) -> str:
    parts = textwrap.wrap(text, width)
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1].rstrip(" .,;") + " …"
    return "\n".join(parts)


# ======================================================================
# per-round precomputed tables
# ======================================================================

@dataclass
class RoundTables:
    """Aggregated counts of one round: everything the dashboard draws.

    No respondent rows: only counts per breakdown group x subject x answer
    category, and sums / sums of squares for means.

    Attributes
    ----------
    round_id, title, theme : str
    min_n : int
        ``privacy.min_n`` of the round.
    n : int
        Respondents.
    subjects : dict
        Subject key (``"item:PR01"``, ``"scale:werkplezier"``) -> dict with
        ``kind``, ``id``, ``label``, ``text``, ``block``, ``categories``
        (answer labels), ``codes``.
    groups : dict
        Breakdown -> list of group labels (``Onbekend`` last when present).
    counts : dict
        Breakdown -> int array (groups, subjects, categories).
    sums, sumsq : dict
        Breakdown -> float array (groups, subjects): sum and sum of squares of
        the valid values (item codes, unrounded scale scores).
    valid : dict
        Breakdown -> int array (groups, subjects): valid values behind sums.
    blocks : list of str
    """

    round_id: str
    title: str
    theme: str
    min_n: int
    n: int
    subjects: dict
    groups: dict
    counts: dict
    sums: dict
    sumsq: dict
    valid: dict
    blocks: list = field(default_factory=list)

    @property
    def subject_keys(self) -> list[str]:
        return list(self.subjects)

    def subject_index(self, key: str) -> int:
        return self._index()[key]

    def _index(self):
        idx = self.__dict__.get("_idx")
        if idx is None:
            idx = {k: i for i, k in enumerate(self.subjects)}
            self.__dict__["_idx"] = idx
        return idx

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_idx", None)
        return state


def _group_codes(rnd, breakdown: str):
    """Group labels and a code per respondent (unknown -> an ``Onbekend`` group)."""
    n = rnd.n
    if breakdown == "geen":
        return [TOTAL_LABEL], np.zeros(n, dtype=np.int64)
    col = rnd.background[breakdown]
    codes = col.cat.codes.to_numpy().astype(np.int64)
    labels = [GROUP_LABELS.get(str(c), str(c)) for c in col.cat.categories]
    if (codes < 0).any():
        codes = np.where(codes < 0, len(labels), codes)
        labels.append(UNKNOWN_LABEL)
    return labels, codes


def round_tables(rnd) -> RoundTables:
    """Reduce a :class:`~peo_lib.data.rounds.Round` to the dashboard's count tables.

    Parameters
    ----------
    rnd : Round
        From :func:`peo_lib.load_round`.

    Returns
    -------
    RoundTables

    Notes
    -----
    One ``np.bincount`` per breakdown over (group, subject, category): about
    10 ms for 10,000 respondents x 40 items on a laptop.
    """
    from peo_lib.stats.scoring import score_scales

    if not hasattr(rnd, "items") or not hasattr(rnd, "codebook"):
        raise TypeError(f"expected a Round from load_round(), got {type(rnd).__name__}")
    cb = rnd.codebook
    subjects, columns, cat_idx = {}, [], []
    scores = score_scales(rnd) if cb.scales else pd.DataFrame(index=rnd.items.index)
    for scale_id, sc in cb.scales.items():
        rs = cb.response_set_of(sc.items[0])
        codes = sorted(rs.values)
        block = cb.items[sc.items[0]].block
        subjects[f"scale:{scale_id}"] = dict(kind="scale", id=scale_id, label=sc.label, text=sc.label,
                                             block=block, categories=[rs.values[c] for c in codes],
                                             codes=codes, items=list(sc.items))
        x = scores[scale_id].to_numpy(dtype=float)
        columns.append(x)
        rounded = np.floor(x + 0.5)
        cat_idx.append(np.where(np.isnan(x), -1, np.searchsorted(codes, np.clip(rounded, codes[0], codes[-1]))))
    for item_id, item in cb.items.items():
        rs = cb.response_sets[item.response_set]
        codes = sorted(rs.values)
        subjects[f"item:{item_id}"] = dict(kind="item", id=item_id, label=item_id, text=item.text,
                                           block=item.block, categories=[rs.values[c] for c in codes],
                                           codes=codes)
        x = rnd.items[item_id].to_numpy(dtype=float)
        columns.append(x)
        pos = np.searchsorted(codes, np.nan_to_num(x, nan=codes[0]))
        pos = np.clip(pos, 0, len(codes) - 1)
        cat_idx.append(np.where(np.isnan(x), -1, pos))
    S = len(subjects)
    K = max((len(s["categories"]) for s in subjects.values()), default=1)
    X = np.column_stack(columns) if columns else np.empty((rnd.n, 0))
    C = np.column_stack(cat_idx).astype(np.int64) if cat_idx else np.empty((rnd.n, 0), dtype=np.int64)
    ok = C >= 0
    Xz = np.where(ok, X, 0.0)
    subj = np.broadcast_to(np.arange(S), C.shape)
    groups, counts, sums, sumsq, valid = {}, {}, {}, {}, {}
    options = ["geen"] + [b for b in BREAKDOWNS if b != "geen" and b in rnd.background.columns
                          and isinstance(rnd.background[b].dtype, pd.CategoricalDtype)]
    for b in options:
        labels, g = _group_codes(rnd, b)
        G = len(labels)
        gs = g[:, None] * S + subj
        flat = (gs * K + C)[ok]
        counts[b] = np.bincount(flat, minlength=G * S * K).reshape(G, S, K)
        valid[b] = np.bincount(gs[ok], minlength=G * S).reshape(G, S)
        sums[b] = np.bincount(gs.ravel(), weights=Xz.ravel(), minlength=G * S).reshape(G, S)
        sumsq[b] = np.bincount(gs.ravel(), weights=(Xz ** 2).ravel(), minlength=G * S).reshape(G, S)
        groups[b] = labels
    return RoundTables(round_id=rnd.id, title=cb.title, theme=cb.theme, min_n=cb.privacy.min_n, n=rnd.n,
                       subjects=subjects, groups=groups, counts=counts, sums=sums, sumsq=sumsq, valid=valid,
                       blocks=list(cb.blocks))


def _cache_key(cb, raw_path: Path) -> str:
    from peo_lib.data.codebook import codebook_hash
    from peo_lib.data.readers import sha256_file

    h = hashlib.sha256()
    h.update(f"v{_CACHE_VERSION}|{codebook_hash(cb)}|{sha256_file(raw_path)}".encode())
    return h.hexdigest()[:24]


def load_tables(data_dir=None, *, cache_dir=None) -> dict[str, RoundTables]:
    """Count tables of every round in ``DATA_DIR/codebooks``, cached on disk.

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder with ``codebooks/`` and ``raw/`` (default: ``paths.DATA_DIR``).
    cache_dir : str or Path, optional
        Where to keep the aggregated tables (default ``OUT/dashboard/.cache``).
        An entry is reused only when the codebook hash and the raw file's
        SHA-256 match; it holds counts, never respondent rows.

    Returns
    -------
    dict
        Round id -> :class:`RoundTables`, oldest first.

    Raises
    ------
    PEOError
        No codebooks in the folder, or a codebook / raw file error.
    """
    from peo_lib import paths
    from peo_lib.data.codebook import read_codebook
    from peo_lib.errors import CodebookError
    from peo_lib.data.rounds import load_round

    cdir = paths.codebook_dir(data_dir)
    rdir = paths.raw_dir(data_dir)
    files = paths.codebook_files(data_dir)
    if not files:
        paths.require_round_ids(data_dir)
    cache = Path(cache_dir) if cache_dir is not None else paths.OUT_DIR / "dashboard" / ".cache"
    out = {}
    for f in files:
        cb = read_codebook(f)
        if cb.round in out:
            raise CodebookError(f, f"round: {cb.round!r} is also the round of another codebook")
        key = None
        try:
            key = _cache_key(cb, cb.raw_file(rdir))
            hit = cache / f"{cb.round}-{key}.pkl"
            if hit.is_file():
                with open(hit, "rb") as fh:
                    out[cb.round] = pickle.load(fh)
                continue
        except (OSError, pickle.PickleError, EOFError, AttributeError):
            pass
        tables = round_tables(load_round(cb, rdir))
        out[cb.round] = tables
        if key is not None:
            try:
                cache.mkdir(parents=True, exist_ok=True)
                for old in cache.glob(f"{cb.round}-*.pkl"):
                    old.unlink(missing_ok=True)
                tmp = cache / f".{cb.round}-{key}.{os.getpid()}.tmp"
                with open(tmp, "wb") as fh:
                    pickle.dump(tables, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, cache / f"{cb.round}-{key}.pkl")
            except OSError:
                pass
    return dict(sorted(out.items()))


# ======================================================================
# privacy-checked tables behind the figures
# ======================================================================

def _dist_mask(counts: np.ndarray, labels, min_n: int):
    """(cell hidden G x K, row hidden G, total cells hidden K, total hidden): the report's rule."""
    from peo_lib.privacy.disclosure import distribution_mask

    return distribution_mask(counts, min_n=min_n)


def _size_mask(sizes: np.ndarray, min_n: int):
    """(group hidden G, total hidden) for statistics per group: the report's rule."""
    from peo_lib.privacy.disclosure import group_size_mask

    return group_size_mask(sizes, min_n=min_n)


class _Model:
    """Privacy-checked tables per selection, cached; thread-safe."""

    def __init__(self, tables: dict[str, RoundTables]):
        self.tables = tables
        self._cache = {}

    def _cached(self, key, fn):
        hit = self._cache.get(key)
        if hit is None:  # pure computation: a rare double computation by two threads is harmless
            hit = fn()
            self._cache[key] = hit
        return hit

    def has(self, key) -> bool:
        return key in self._cache

    # -- distribution -------------------------------------------------
    def distribution(self, round_id: str, subject: str, breakdown: str) -> pd.DataFrame:
        """Rows Totaal (+ groups): n label, visible percentages, hidden share."""
        return self._cached(("dist", round_id, subject, breakdown),
                            lambda: self._distribution(round_id, subject, breakdown))

    def _distribution(self, round_id, subject, breakdown):
        t = self.tables[round_id]
        s = t.subject_index(subject)
        cats = t.subjects[subject]["categories"]
        K = len(cats)
        label = _small_label(t.min_n)
        rows = []
        if breakdown == "geen":
            counts = t.counts["geen"][:, s, :K]
            cell, row, _, _ = _dist_mask(counts, [TOTAL_LABEL], t.min_n)
            entries = [(TOTAL_LABEL, counts[0], cell[0], row[0])]
        else:
            labels, keep = _known(t.groups[breakdown])
            counts = t.counts[breakdown][keep, s, :K]
            cell, row, tcell, thidden = _dist_mask(counts, labels, t.min_n)
            total = counts.sum(axis=0)
            entries = [(TOTAL_LABEL, total, tcell, thidden)]
            entries += [(lab, counts[g], cell[g], row[g]) for g, lab in enumerate(labels)
                        if counts[g].sum() > 0]
        for lab, c, hidden, row_hidden in entries:
            n = int(c.sum())
            rec = {"rij": lab}
            if row_hidden or n == 0:
                rec.update({"n": np.nan, "n_label": label if n else "n=0", "verborgen_rij": True,
                            "verborgen_pct": np.nan})
                rec.update({cat: np.nan for cat in cats})
            else:
                pct = 100.0 * c / n
                hidden = np.asarray(hidden, dtype=bool)
                rec.update({"n": n, "n_label": f"n={n}", "verborgen_rij": False,
                            "verborgen_pct": float(pct[hidden].sum()) if hidden.any() else 0.0})
                rec.update({cat: (np.nan if hidden[k] else float(pct[k])) for k, cat in enumerate(cats)})
            rows.append(rec)
        out = pd.DataFrame(rows)
        out.attrs.update(categories=list(cats), round=round_id, subject=subject, breakdown=breakdown)
        return out

    # -- means ----------------------------------------------------------
    def means(self, round_id: str, subject: str, breakdown: str) -> pd.DataFrame:
        """Rows Totaal (+ groups): n label, mean, 95% t-interval (NaN where hidden)."""
        return self._cached(("mean", round_id, subject, breakdown),
                            lambda: self._means(round_id, subject, breakdown))

    def _means(self, round_id, subject, breakdown):
        t = self.tables[round_id]
        s = t.subject_index(subject)
        label = _small_label(t.min_n)
        b = breakdown
        labels, known = _known(t.groups[b]) if b != "geen" else ([TOTAL_LABEL], slice(None))
        n = t.valid[b][known, s].astype(float)
        s1 = t.sums[b][known, s]
        s2 = t.sumsq[b][known, s]
        if b == "geen":
            hidden, _ = _size_mask(n, t.min_n)
            names, rows_n, rows_s1, rows_s2, rows_h = [TOTAL_LABEL], n, s1, s2, hidden
        else:
            hidden, thidden = _size_mask(n, t.min_n)
            keep = n > 0
            names = [TOTAL_LABEL] + [lab for g, lab in enumerate(labels) if keep[g]]
            rows_n = np.concatenate([[n.sum()], n[keep]])
            rows_s1 = np.concatenate([[s1.sum()], s1[keep]])
            rows_s2 = np.concatenate([[s2.sum()], s2[keep]])
            rows_h = np.concatenate([[thidden], hidden[keep]])
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(rows_n > 0, rows_s1 / rows_n, np.nan)
            var = np.where(rows_n > 1, (rows_s2 - rows_n * mean ** 2) / (rows_n - 1), np.nan)
            half = t_quantile(rows_n - 1) * np.sqrt(np.clip(var, 0, None)) / np.sqrt(rows_n)
        rows_h = rows_h | (rows_n == 0)
        out = pd.DataFrame({
            "rij": names,
            "n": np.where(rows_h, np.nan, rows_n),
            "n_label": [label if h and k > 0 else ("n=0" if k == 0 else f"n={int(k)}")
                        for h, k in zip(rows_h, rows_n)],
            "gemiddelde": np.where(rows_h, np.nan, mean),
            "ci_laag": np.where(rows_h, np.nan, mean - half),
            "ci_hoog": np.where(rows_h, np.nan, mean + half),
            "verborgen_rij": rows_h,
        })
        out.attrs.update(round=round_id, subject=subject, breakdown=breakdown)
        return out

    # -- trend ----------------------------------------------------------
    def trend(self, subject: str, breakdown: str) -> pd.DataFrame:
        """Tidy: round x row (Totaal + groups) with mean, interval, n label."""
        frames = []
        for rid, t in self.tables.items():
            if subject not in t.subjects or (breakdown != "geen" and breakdown not in t.groups):
                continue
            m = self.means(rid, subject, breakdown).copy()
            m.insert(0, "ronde", rid)
            frames.append(m)
        if not frames:
            return pd.DataFrame(columns=["ronde", "rij", "n", "n_label", "gemiddelde", "ci_laag", "ci_hoog",
                                         "verborgen_rij"])
        return pd.concat(frames, ignore_index=True)


def _known(labels):
    """Labels and index of the known groups (``Onbekend`` left out, see module notes)."""
    if labels and labels[-1] == UNKNOWN_LABEL:
        return labels[:-1], slice(0, len(labels) - 1)
    return labels, slice(None)


def _small_label(min_n: int) -> str:
    from peo_lib.privacy.disclosure import label_small

    return label_small(min_n)


# ======================================================================
# live figures: one Figure per view, artists updated and blitted
# ======================================================================

class _LiveFigure:
    """A matplotlib Figure kept alive; dynamic artists are blitted onto a cached background."""

    def __init__(self):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=_FIGSIZE, dpi=_DPI, facecolor="white")
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

    def save_png(self, path: Path, *, dpi=_SAVE_DPI) -> Path:
        """Full (non-blitted) render at a higher resolution, written atomically."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        for a in self.dynamic:
            a.set_animated(False)
        self.title.set_visible(True)
        self.subtitle.set_visible(True)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.png")
        try:
            self.fig.savefig(tmp, dpi=dpi, format="png", facecolor="white")
            os.replace(tmp, path)
        finally:
            for a in self.dynamic:
                a.set_animated(True)
            tmp.unlink(missing_ok=True)
            self._bg = None  # the canvas size changed while saving
        return path


class _DistributionFigure(_LiveFigure):
    """Diverging stacked bars: rows = Totaal/groups (or items), segments = categories."""

    def __init__(self, *, max_rows=MAX_ROWS, max_cats=MAX_CATS):
        super().__init__()
        from matplotlib import transforms

        self.max_rows, self.max_cats = max_rows, max_cats
        self.ax = ax = self.fig.add_axes([0.25, 0.09, 0.65, 0.62])
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
        self.row_labels, self.n_labels, self.centre_texts = [], [], []
        self.legend = None

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
            self.bars.append([])
            self.seg_texts.append([])
            self._dyn(hb, self.row_labels[r], self.n_labels[r], self.centre_texts[r])
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
        self.legend = self.fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.55, 0.81),
                                      ncol=ncol, frameon=False, fontsize=13 if len(categories) <= 5 else 11,
                                      handlelength=1.4, columnspacing=1.2)
        self.layout_key = ("dist", key)

    def update(self, rows: list[dict], categories, *, title, subtitle, small_label, message=""):
        """Draw rows ``{label, n_label, pct (K floats, NaN hidden), hidden_pct, row_hidden}``."""
        self.title.set_text(title)
        self.subtitle.set_text(subtitle)
        self.message.set_text(message)
        self._set_legend(categories, small_label)
        K = len(categories)
        cols = _colours(K)
        tcols = [_text_colour(c) for c in cols]
        R = min(len(rows), self.max_rows)
        self._ensure(0 if message else R, K)
        self.ax.set_ylim(max(R, 1) - 0.5, -0.5)
        fs = 14 if R <= 8 else (12 if R <= 14 else 9)
        lfs = 16 if R <= 8 else (13 if R <= 14 else 10)
        mid = (K - 1) / 2
        for r in range(len(self.row_labels)):
            on = r < R and not message
            bars, texts = self.bars[r], self.seg_texts[r]
            if not on:
                for a in (*bars, *texts, self.hidden_bars[r], self.row_labels[r], self.n_labels[r],
                          self.centre_texts[r]):
                    a.set_visible(False)
                continue
            row = rows[r]
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


def _fit(label: str, width: int = 24) -> str:
    """Row labels: at most two lines of ``width`` characters."""
    if len(label) <= width:
        return label
    return _wrap(label, width, 2)


def _short(meta, width=26) -> str:
    text = meta["text"]
    return f"{meta['id']} {text if len(text) <= width else text[:width - 1].rstrip() + '…'}"


def _fmt_pct(x) -> str:
    return f"{_fmt(x, 0)}%"


class _MeanFigure(_LiveFigure):
    """Mean with 95% t-interval per row (Totaal, groups or items)."""

    def __init__(self, *, max_rows=MAX_ROWS):
        super().__init__()
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
        self.ax = ax = self.fig.add_axes([0.19, 0.1, 0.57, 0.66])
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.grid(axis="y", color="#dddddd", lw=0.8)
        ax.tick_params(labelsize=14)
        self.lines, self.cis, self.end_labels, self.small = [], [], [], []
        for g in range(max_lines):
            col = _OKABE_ITO[g % len(_OKABE_ITO)]
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
                          color=_OKABE_ITO[g % len(_OKABE_ITO)], visible=True)
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


# ======================================================================
# the dashboard
# ======================================================================

_CSS = """
<style>
.peo-dash { font-size: 18px; --jp-widgets-font-size: 18px; --jp-ui-font-size1: 18px; color: #111; }
.peo-dash .widget-label, .peo-dash .widget-dropdown > select, .peo-dash .widget-toggle-button,
.peo-dash .widget-button, .peo-dash .widget-html-content, .peo-dash .lm-TabBar-tabLabel,
.peo-dash .p-TabBar-tabLabel { font-size: 18px !important; }
.peo-dash .widget-dropdown > select { height: 36px; }
.peo-dash .widget-dropdown { height: 38px; }
.peo-dash .widget-button, .peo-dash .widget-toggle-button { height: 38px; line-height: 36px; }
.peo-dash .lm-TabBar-tab { min-height: 40px; }
.peo-dash .peo-title { font-size: 26px; font-weight: bold; margin: 4px 0 2px 0; }
.peo-dash .peo-note { font-size: 16px; color: #333; }
.peo-dash .peo-fig-title { font-size: 26px; font-weight: bold; line-height: 1.25; margin-top: 8px; color: #111; }
.peo-dash .peo-fig-sub { font-size: 18px; color: #333; line-height: 1.3; }
.peo-dash .peo-figure img, .peo-dash img.peo-figure { max-width: 100%; height: auto; }
</style>
"""


class Dashboard:
    """The PJH panel dashboard.

    Parameters
    ----------
    rounds : dict
        Round id -> :class:`~peo_lib.data.rounds.Round` (from
        :func:`peo_lib.load_rounds`) or -> :class:`RoundTables` (from
        :func:`load_tables`, faster to start).
    out_dir : str or Path, optional
        Output folder; PNGs go to ``out_dir/dashboard/`` (default:
        ``paths.OUT_DIR``).
    warm_up : bool
        Fill the privacy cache for the current round in a background thread
        while the dashboard is idle (default ``True``).

    Attributes
    ----------
    widget : ipywidgets.VBox
        Display this (``display(dash.widget)``).
    round, block, subject, breakdown, view : ipywidgets widgets
        The controls of the ``Verkennen`` tab (set ``.value`` to drive them).
    image, status, save_button, saved : ipywidgets widgets
        Figure, status line, ``Bewaar als PNG`` and its report.
    talk_round, prev_button, next_button, talk_image, talk_text, talk_save, talk_saved
        The ``Bespreken`` tab.
    """

    def __init__(self, rounds: dict, *, out_dir=None, warm_up: bool = True):
        import ipywidgets as W

        from peo_lib import paths

        if not isinstance(rounds, dict) or not rounds:
            raise ValueError(f"`rounds` must be a non-empty dict of round id -> Round, got {rounds!r:.80}")
        check_argument("warm_up", [True, False], warm_up)
        tables = {}
        for rid, r in sorted(rounds.items()):
            tables[rid] = r if isinstance(r, RoundTables) else round_tables(r)
        self.tables = tables
        self.model = _Model(tables)
        self.out_dir = Path(out_dir) if out_dir is not None else paths.OUT_DIR
        self._busy = False
        self._last_action = time.monotonic()
        self.timings = []  # seconds per redraw (explore tab)
        self._figs = {}
        self._current_table = None
        self._current_fig = None

        latest = list(tables)[-1]
        round_opts = [(f"{rid} · {t.title}", rid) for rid, t in tables.items()]
        round_opts.append(("Alle rondes (trend)", ALL_ROUNDS))
        wide = W.Layout(width="auto")
        st = {"description_width": "initial"}
        self.round = W.Dropdown(options=round_opts, value=latest, description="Ronde", style=st, layout=wide)
        self.block = W.Dropdown(options=[("-", "")], description="Blok", style=st, layout=wide)
        self.subject = W.Dropdown(options=[("-", "")], description="Onderwerp", style=st,
                                  layout=W.Layout(width="100%"))
        avail = [b for b in BREAKDOWNS if b == "geen" or any(b in t.groups for t in tables.values())]
        self.breakdown = W.Dropdown(options=[(BREAKDOWNS[b], b) for b in avail], value="geen",
                                    description="Uitsplitsing", style=st, layout=wide)
        self.view = W.ToggleButtons(options=[(VIEWS[v], v) for v in VIEWS], value="verdeling",
                                    description="Weergave", style={"description_width": "initial",
                                                                   "button_width": "150px"})
        self.heading = W.HTML()
        self.image = W.Image(format="png", layout=W.Layout(width="100%", max_width="1400px"))
        self.image.add_class("peo-figure")
        self.status = W.HTML()
        self.status.add_class("peo-note")
        self.save_button = W.Button(description="Bewaar als PNG", button_style="primary",
                                    layout=W.Layout(width="220px"))
        self.saved = W.HTML()
        self.saved.add_class("peo-note")

        # discussion tab
        self.talk_round = W.Dropdown(options=round_opts[:-1], value=latest, description="Ronde", style=st,
                                     layout=wide)
        self.prev_button = W.Button(description="◀ Vorige", layout=W.Layout(width="160px"))
        self.next_button = W.Button(description="Volgende ▶", layout=W.Layout(width="160px"))
        self.talk_counter = W.HTML()
        self.talk_heading = W.HTML()
        self.talk_image = W.Image(format="png", layout=W.Layout(width="100%", max_width="1400px"))
        self.talk_image.add_class("peo-figure")
        self.talk_text = W.HTML()
        self.talk_text.add_class("peo-note")
        self.talk_save = W.Button(description="Bewaar als PNG", button_style="primary",
                                  layout=W.Layout(width="220px"))
        self.talk_saved = W.HTML()
        self.talk_saved.add_class("peo-note")
        self.talk_index = 0

        explore = W.VBox([
            W.HBox([self.round, self.block, self.breakdown]),
            self.subject,
            self.view,
            self.heading,
            self.image,
            self.status,
            W.HBox([self.save_button, self.saved]),
        ])
        talk = W.VBox([
            W.HBox([self.talk_round, self.prev_button, self.next_button, self.talk_counter]),
            self.talk_heading,
            self.talk_image,
            self.talk_text,
            W.HBox([self.talk_save, self.talk_saved]),
        ])
        self.tabs = W.Tab(children=[explore, talk])
        self.tabs.set_title(0, "Verkennen")
        self.tabs.set_title(1, "Bespreken")
        header = W.HTML(_CSS + '<div class="peo-title">PEO · Ruimte voor de professional</div>')
        self.widget = W.VBox([header, self.tabs])
        self.widget.add_class("peo-dash")

        for name in ("round", "block", "subject", "breakdown", "view", "save_button", "talk_round",
                     "prev_button", "next_button", "talk_save"):
            getattr(self, name).add_class(f"peo-{name.replace('_', '-')}")
        self._quiet = True
        self._refresh_blocks()
        self._quiet = False
        self.round.observe(self._on_round, names="value")
        self.block.observe(self._on_block, names="value")
        for w in (self.subject, self.breakdown):
            w.observe(self._on_change, names="value")
        self.view.observe(self._on_view, names="value")
        self.save_button.on_click(lambda _: self.save_png())
        self.talk_round.observe(lambda ch: self._talk_goto(0), names="value")
        self.prev_button.on_click(lambda _: self._talk_goto(self.talk_index - 1))
        self.next_button.on_click(lambda _: self._talk_goto(self.talk_index + 1))
        self.talk_save.on_click(lambda _: self.save_png(tab="bespreken"))
        self.redraw()
        self._talk_shown = False
        self.tabs.observe(self._on_tab, names="selected_index")
        self._warm = None
        if warm_up:
            self._warm = threading.Thread(target=self._warm_up, name="peo-dashboard-warm-up", daemon=True)
            self._warm.start()

    # figures are created on first use (start-up time in Voila)
    def _fig(self, name, factory):
        fig = self._figs.get(name)
        if fig is None:
            fig = self._figs[name] = factory()
        return fig

    @property
    def _dist_fig(self):
        return self._fig("dist", _DistributionFigure)

    @property
    def _mean_fig(self):
        return self._fig("mean", _MeanFigure)

    @property
    def _trend_fig(self):
        return self._fig("trend", _TrendFigure)

    @property
    def _talk_fig(self):
        return self._fig("talk", lambda: _DistributionFigure(max_rows=6))

    # -- options ----------------------------------------------------------
    def _rounds_in_view(self) -> list[str]:
        return list(self.tables) if self.round.value == ALL_ROUNDS else [self.round.value]

    def _refresh_blocks(self):
        blocks = []
        for rid in self._rounds_in_view():
            for b in self.tables[rid].blocks:
                if b not in blocks:
                    blocks.append(b)
        opts = [("Kern (vaste vragen)" if b == "kern" else f"Thema: {b.replace('_', ' ')}", b) for b in blocks]
        old = self.block.value
        self.block.options = opts
        self.block.value = old if old in blocks else blocks[0]
        self._refresh_subjects()

    def _subject_meta(self, key):
        for rid in reversed(self._rounds_in_view()):
            meta = self.tables[rid].subjects.get(key)
            if meta is not None:
                return meta
        for t in reversed(list(self.tables.values())):
            if key in t.subjects:
                return t.subjects[key]
        return None

    def _refresh_subjects(self):
        keys = []
        for rid in self._rounds_in_view():
            for k, meta in self.tables[rid].subjects.items():
                if meta["block"] == self.block.value and k not in keys:
                    keys.append(k)
        keys.sort(key=lambda k: (not k.startswith("scale:"),))
        opts = []
        if sum(k.startswith("item:") for k in keys) > 1:
            opts.append(("Alle stellingen van dit blok (overzicht)", f"block:{self.block.value}"))
        for k in keys:
            meta = self._subject_meta(k)
            if meta["kind"] == "scale":
                opts.append((f"Schaal: {meta['label']}", k))
            else:
                text = meta["text"] if len(meta["text"]) <= 90 else meta["text"][:88] + "…"
                opts.append((f"{meta['id']} · {text}", k))
        old = self.subject.value
        values = [v for _, v in opts]
        self.subject.options = opts
        if old in values:
            self.subject.value = old
        else:
            first_scale = next((v for v in values if v.startswith("scale:")), None)
            self.subject.value = first_scale or (values[1] if len(values) > 1 else values[0])

    # -- events -----------------------------------------------------------
    def _on_round(self, change):
        if self._quiet:
            return
        self._quiet = True
        try:
            if change["new"] == ALL_ROUNDS:
                self.view.value = "trend"
            elif self.view.value == "trend":
                self.view.value = "verdeling"
            self._refresh_blocks()
        finally:
            self._quiet = False
        self.redraw()

    def _on_block(self, change):
        if self._quiet:
            return
        self._quiet = True
        try:
            self._refresh_subjects()
        finally:
            self._quiet = False
        self.redraw()

    def _on_view(self, change):
        if self._quiet:
            return
        self._quiet = True
        try:
            if change["new"] == "trend" and self.round.value != ALL_ROUNDS:
                self._trend_from = self.round.value
                self.round.value = ALL_ROUNDS
                self._refresh_blocks()
            elif change["new"] != "trend" and self.round.value == ALL_ROUNDS:
                self.round.value = getattr(self, "_trend_from", list(self.tables)[-1])
                self._refresh_blocks()
        finally:
            self._quiet = False
        self.redraw()

    def _on_change(self, change):
        if not self._quiet:
            self.redraw()

    # -- drawing -----------------------------------------------------------
    def _subtitle(self, rid, breakdown, extra=""):
        if rid == ALL_ROUNDS:
            head = f"Alle rondes ({len(self.tables)})"
        else:
            t = self.tables[rid]
            head = f"Ronde {rid} · {t.title}"
        parts = [head]
        if breakdown != "geen":
            parts.append(f"uitgesplitst naar {BREAKDOWNS[breakdown].lower()}")
        if extra:
            parts.append(extra)
        return "\n".join(textwrap.wrap(" · ".join(parts), 115)[:2])

    def redraw(self):
        """Redraw the ``Verkennen`` figure for the current controls."""
        t0 = time.perf_counter()
        self._last_action = time.monotonic()
        self._busy = True
        try:
            png, note = self._draw_explore()
            self.heading.value = _heading(self._current_fig)
            self.image.value = png
            self.status.value = note
            self.saved.value = ""
        except Exception as exc:  # keep the meeting going: show a Dutch message, not a traceback
            self.status.value = f"<b>Dit kan niet getoond worden:</b> {type(exc).__name__}: {exc}"
            raise
        finally:
            self._busy = False
            self._last_action = time.monotonic()
        self.timings.append(time.perf_counter() - t0)

    def _draw_explore(self):
        rid, subj, b, view = self.round.value, self.subject.value, self.breakdown.value, self.view.value
        min_n = min(t.min_n for t in self.tables.values())
        small = _small_label(min_n)
        note = (f"Groepen van minder dan {min_n} personen worden niet getoond (<b>{small}</b>), "
                "en soms een tweede kleine groep, zodat het totaal ze niet verraadt.")
        if view == "trend" or rid == ALL_ROUNDS:
            return self._draw_trend(subj, b, small), note
        t = self.tables[rid]
        if subj.startswith("block:"):
            keys = [k for k, m in t.subjects.items() if m["kind"] == "item" and m["block"] == subj[6:]]
            return self._draw_overview(rid, keys, b, view, small), note
        meta = t.subjects.get(subj)
        title = _wrap(meta["text"] if meta["kind"] == "item" else f"Schaal: {meta['label']}")
        if view == "verdeling":
            table = self.model.distribution(rid, subj, b)
            self._current_table, self._current_fig = table, self._dist_fig
            extra = "schaalscore afgerond op de antwoordschaal" if meta["kind"] == "scale" else ""
            png = self._dist_fig.update(_dist_rows(table), meta["categories"], title=title,
                                        subtitle=self._subtitle(rid, b, extra), small_label=small)
        else:
            table = self.model.means(rid, subj, b)
            self._current_table, self._current_fig = table, self._mean_fig
            png = self._mean_fig.update(table, meta["codes"], meta["categories"], title=title,
                                        subtitle=self._subtitle(rid, b, "gemiddelde met 95%-betrouwbaarheidsinterval"))
        return png, note

    def _draw_overview(self, rid, keys, b, view, small):
        t = self.tables[rid]
        block = self.block.value
        title = "Kern: alle stellingen" if block == "kern" else f"Thema {block.replace('_', ' ')}: alle stellingen"
        groups = [g for g in t.groups.get(b, [TOTAL_LABEL])] if b != "geen" else []
        per = 1 + len(groups)
        message = ""
        if len(keys) * per > MAX_ROWS:
            message = "Te veel rijen voor één figuur:\nkies één stelling of een kleinere uitsplitsing."
        frames = []
        for k in keys if not message else []:
            tab = (self.model.distribution(rid, k, b) if view == "verdeling" else self.model.means(rid, k, b)).copy()
            short = _short(t.subjects[k])
            tab["rij"] = [short if r == TOTAL_LABEL else f"   {r}" for r in tab["rij"]]
            tab.insert(0, "onderwerp", k)
            frames.append(tab)
        table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["onderwerp", "rij", "n_label", "verborgen_rij"])
        self._current_table = table
        sub = self._subtitle(rid, b)
        if view == "verdeling":
            cats = t.subjects[keys[0]]["categories"] if keys else ["-"]
            if frames and len({tuple(t.subjects[k]["categories"]) for k in keys}) > 1:
                message, table = "De stellingen van dit blok hebben verschillende antwoordschalen:\nkies één stelling.", table.iloc[0:0]
            self._current_fig = self._dist_fig
            rows = _dist_rows(table, categories=cats) if len(table) else []
            return self._dist_fig.update(rows, cats, title=title, subtitle=sub, small_label=small,
                                         message=message)
        meta = t.subjects[keys[0]] if keys else None
        codes = meta["codes"] if meta else [1, 5]
        cats = meta["categories"] if meta else ["", ""]
        self._current_fig = self._mean_fig
        return self._mean_fig.update(table, codes, cats, title=title,
                                     subtitle=sub + " · gemiddelde met 95%-betrouwbaarheidsinterval",
                                     message=message)

    def _draw_trend(self, subj, b, small):
        if subj.startswith("block:"):
            self._current_table = pd.DataFrame()
            self._current_fig = self._trend_fig
            return self._trend_fig.update(pd.DataFrame(columns=["ronde", "rij"]), list(self.tables), [1, 5],
                                          ["", "", "", "", ""], title="Trend",
                                          subtitle=self._subtitle(ALL_ROUNDS, b),
                                          message="Kies één stelling of schaal voor de trend.")
        meta = self._subject_meta(subj)
        trend = self.model.trend(subj, b)
        self._current_table, self._current_fig = trend, self._trend_fig
        title = _wrap(meta["text"] if meta["kind"] == "item" else f"Schaal: {meta['label']}")
        asked = list(dict.fromkeys(trend["ronde"])) if len(trend) else []
        extra = "gemiddelde met 95%-betrouwbaarheidsinterval"
        if len(asked) < len(self.tables):
            extra += f" · gevraagd in {len(asked)} van {len(self.tables)} rondes"
        return self._trend_fig.update(trend, list(self.tables), meta["codes"], meta["categories"], title=title,
                                      subtitle=self._subtitle(ALL_ROUNDS, b, extra))

    # -- discussion mode ---------------------------------------------------
    def _talk_items(self) -> list[str]:
        t = self.tables[self.talk_round.value]
        return [k for k, m in t.subjects.items() if m["kind"] == "item"]

    def _on_tab(self, change):
        if change["new"] == 1 and not self._talk_shown:
            self._talk_goto(self.talk_index)

    def _talk_goto(self, index: int):
        self._talk_shown = True
        items = self._talk_items()
        if not items:
            return
        self.talk_index = int(index) % len(items)
        rid = self.talk_round.value
        key = items[self.talk_index]
        t = self.tables[rid]
        meta = t.subjects[key]
        b = "ervaringsgroep" if "ervaringsgroep" in t.groups else "geen"
        table = self.model.distribution(rid, key, b)
        means = self.model.means(rid, key, b)
        small = _small_label(t.min_n)
        png = self._talk_fig.update(_dist_rows(table), meta["categories"], title=_wrap(meta["text"]),
                                    subtitle=f"Ronde {rid} · {t.title} · stelling {meta['id']} · "
                                             "startend (≤ 2 jaar) en ervaren",
                                    small_label=small)
        self.talk_heading.value = _heading(self._talk_fig)
        self.talk_image.value = png
        self.talk_counter.value = f"<span class='peo-note'>Stelling {self.talk_index + 1} van {len(items)}</span>"
        self.talk_text.value = _talk_summary(means, meta)
        self.talk_saved.value = ""
        self._talk_table = table

    # -- saving --------------------------------------------------------------
    def save_png(self, *, tab: str = "verkennen") -> Path:
        """Save the current figure of a tab as ``OUT/dashboard/<naam>.png``.

        Parameters
        ----------
        tab : {"verkennen", "bespreken"}

        Returns
        -------
        Path
            The file written (also reported in the dashboard).
        """
        check_argument("tab", ["verkennen", "bespreken"], tab)
        folder = self.out_dir / "dashboard"
        if tab == "bespreken":
            if not self._talk_shown:
                self._talk_goto(self.talk_index)
            rid = self.talk_round.value
            key = self._talk_items()[self.talk_index]
            name = f"{rid}_{key.split(':', 1)[1]}_bespreking.png"
            fig, label = self._talk_fig, self.talk_saved
        else:
            rid = "alle-rondes" if self.round.value == ALL_ROUNDS else self.round.value
            subj = self.subject.value.split(":", 1)[1]
            view = "trend" if self.round.value == ALL_ROUNDS else self.view.value
            name = f"{rid}_{subj}_{self.breakdown.value}_{view}.png"
            fig, label = self._current_fig, self.saved
        try:
            path = fig.save_png(folder / name)
        except OSError as exc:
            label.value = f"<b>Niet opgeslagen:</b> {exc}"
            raise
        # saving drew at another size: re-blit so the screen and the buffer agree again
        if tab == "bespreken":
            self._talk_goto(self.talk_index)
        else:
            self.redraw()
        label.value = f"Opgeslagen: <code>{path.parent.name}/{path.name}</code>"
        return path

    # -- inspection (tests, notebooks) ----------------------------------------
    def current_table(self) -> pd.DataFrame:
        """The privacy-checked table behind the current ``Verkennen`` figure."""
        return self._current_table.copy()

    def figure_texts(self, *, tab: str = "verkennen") -> list[str]:
        """Every visible text in the current figure of a tab (labels, values, ``n<5``)."""
        check_argument("tab", ["verkennen", "bespreken"], tab)
        if tab == "bespreken" and not self._talk_shown:
            self._talk_goto(self.talk_index)
        fig = self._talk_fig if tab == "bespreken" else self._current_fig
        return fig.texts()

    def talk_table(self) -> pd.DataFrame:
        """The privacy-checked distribution behind the ``Bespreken`` figure."""
        return self._talk_table.copy()

    # -- background cache filling ----------------------------------------------
    def _warm_up(self):
        """Compute privacy masks for likely next selections while the presenter talks."""
        try:
            time.sleep(3.0)  # let the first render reach the browser first
            order = [self.round.value if self.round.value != ALL_ROUNDS else list(self.tables)[-1]]
            order += [r for r in reversed(list(self.tables)) if r not in order]
            for rid in order:
                t = self.tables[rid]
                for b in ["geen", "ervaringsgroep", "functie", "organisatie", "gemeente"]:
                    if b != "geen" and b not in t.groups:
                        continue
                    for key in t.subjects:
                        for kind, fn in (("dist", self.model.distribution), ("mean", self.model.means)):
                            if self.model.has((kind, rid, key, b)):
                                continue
                            while self._busy or time.monotonic() - self._last_action < 0.4:
                                time.sleep(0.1)
                            fn(rid, key, b)
        except Exception:  # a warm-up failure must never disturb the meeting
            return


def _heading(fig: _LiveFigure) -> str:
    """Title and subtitle of a figure as HTML (shown above the image)."""
    import html

    title = html.escape(fig.title.get_text().replace("\n", " "))
    sub = html.escape(fig.subtitle.get_text().replace("\n", " "))
    return f'<div class="peo-fig-title">{title}</div><div class="peo-fig-sub">{sub}</div>'


def _dist_rows(table: pd.DataFrame, *, categories=None) -> list[dict]:
    cats = categories if categories is not None else table.attrs.get("categories")
    rows = []
    for _, r in table.iterrows():
        rows.append(dict(label=r["rij"], n_label=r["n_label"], row_hidden=bool(r["verborgen_rij"]),
                         hidden_pct=r.get("verborgen_pct", 0.0),
                         pct=[r.get(c, np.nan) for c in cats]))
    return rows


def _talk_summary(means: pd.DataFrame, meta) -> str:
    by = {r["rij"]: r for _, r in means.iterrows()}
    parts = []
    for name in ("Startend", "Ervaren"):
        r = by.get(name)
        if r is None:
            continue
        if r["verborgen_rij"]:
            parts.append(f"<b>{name}</b>: {r['n_label']}")
        else:
            parts.append(f"<b>{name}</b>: gemiddeld {_fmt(r['gemiddelde'])} "
                         f"(95%-BI {_fmt(r['ci_laag'])} – {_fmt(r['ci_hoog'])}; {r['n_label']})")
    tot = by.get(TOTAL_LABEL)
    if tot is not None and not tot["verborgen_rij"]:
        parts.insert(0, f"<b>Iedereen</b>: gemiddeld {_fmt(tot['gemiddelde'])} ({tot['n_label']})")
    s, e = by.get("Startend"), by.get("Ervaren")
    if s is not None and e is not None and not (s["verborgen_rij"] or e["verborgen_rij"]):
        diff = s["gemiddelde"] - e["gemiddelde"]
        overlap = not (s["ci_hoog"] < e["ci_laag"] or e["ci_hoog"] < s["ci_laag"])
        word = "hoger" if diff > 0 else "lager"
        parts.append(f"Startende professionals scoren {_fmt(abs(diff))} punt {word} dan ervaren"
                     + (" (de intervallen overlappen: voorzichtig met conclusies)." if overlap else "."))
    lo, hi = meta["categories"][0], meta["categories"][-1]
    parts.append(f"<span style='color:#555'>Schaal: {meta['codes'][0]} = {lo} … {meta['codes'][-1]} = {hi}</span>")
    return "<br>".join(parts)


def show_dashboard(data_dir=None, *, out_dir=None):
    """Build and display the dashboard (the one call of ``notebooks/dashboard.ipynb``).

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder with ``codebooks/`` and ``raw/``. Default: ``$PEO_DATA_DIR``
        (set by ``peo dashboard --data-dir``), else the repository's ``data/``.
    out_dir : str or Path, optional
        Output folder (default ``$PEO_OUT_DIR`` or ``outputs/``).

    Returns
    -------
    Dashboard or None
        ``None`` when there is nothing to show; a Dutch message is displayed
        instead of a traceback.
    """
    from IPython.display import HTML, display

    from peo_lib import paths
    from peo_lib.errors import PEOError

    data_dir = data_dir or os.environ.get("PEO_DATA_DIR") or None
    out = Path(out_dir) if out_dir else paths.OUT_DIR
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tables = load_tables(data_dir, cache_dir=out / "dashboard" / ".cache")
        dash = Dashboard(tables, out_dir=out)
    except PEOError as exc:
        display(HTML(f"<div style='font-size:20px'><b>Het dashboard kan niet starten.</b><br>"
                     f"<pre style='white-space:pre-wrap'>{_escape(str(exc))}</pre></div>"))
        return None
    display(dash.widget)
    return dash


def _escape(text: str) -> str:
    import html

    return html.escape(text)
