"""The views of the meeting mode and the meeting record: what one step shows.

A *view* is one subject of one round under one breakdown: a statement, a
scale, or the overview of a block's statements that share a response set.
:func:`block_views` lists a block's views as the static report groups them
(:func:`peo_lib.report.tables.likert_groups`): one overview per response set;
a set with more than nine values (the 0-10 rapportcijfer) is shown as means,
not as bars, and apart from the Likert statements.

:class:`ViewRenderer` draws a view with the dashboard's figures (every number
from the privacy-checked :class:`~peo_lib.dashboard.model._Model`) and writes
its main number and its sentence (Dutch, aggregates only). The meeting tab
(:mod:`peo_lib.dashboard.meeting`) shows it on screen; the meeting record
(:mod:`peo_lib.publish.verslag`) embeds :meth:`ViewRenderer.full_png`.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd

from peo_lib.dashboard.figures import MAX_ROWS, MEETING_FIGSIZE, _DistributionFigure, _fmt, _MeanFigure, _short, _wrap
from peo_lib.dashboard.tables import NO_BREAKDOWN
from peo_lib.privacy.disclosure import label_small
from peo_lib.sentences import group_means_sentence, top2_phrase
from peo_lib.vocab import (BREAKDOWN_LABELS, CORE_BLOCK, EXPERIENCE, EXPERIENCED, GROUP_LABELS, STARTER,
                           TOTAL_LABEL, UNKNOWN_LABEL)

__all__ = ["View", "block_views", "block_label", "breakdown_label", "breakdown_choices", "ViewRenderer",
           "MAX_LIKERT_VALUES", "png_name"]

#: As the report (:data:`peo_lib.report.tables.MAX_LIKERT_VALUES`): more values are shown as means.
MAX_LIKERT_VALUES = 9


@dataclass(frozen=True)
class View:
    """One step of a meeting: ``subject`` is ``item:ID``, ``scale:ID``, ``block:BLOCK:RESPONSE_SET`` or
    ``block:BLOCK:grid:GRID`` (a matrix question; ``title`` is its question text)."""

    round_id: str
    block: str
    subject: str
    label: str
    items: tuple = ()
    as_means: bool = False
    title: str = ""


def block_label(block: str) -> str:
    """``Kern (vaste vragen)`` or ``Thema: regels en eisen``."""
    return "Kern (vaste vragen)" if block == CORE_BLOCK else f"Thema: {block.replace('_', ' ')}"


def breakdown_label(b: str) -> str:
    """The Dutch name of a breakdown (any background variable the codebook declares)."""
    if b == NO_BREAKDOWN:
        return "Geen uitsplitsing"
    if b == EXPERIENCE:
        return f"{GROUP_LABELS[STARTER]} / {GROUP_LABELS[EXPERIENCED].lower()}"
    return BREAKDOWN_LABELS.get(b, b.replace("_", " ").capitalize())


def breakdown_choices(tables) -> list[tuple[str, str]]:
    """(label, key) of every breakdown in any of the given RoundTables, ``geen`` first."""
    keys = [NO_BREAKDOWN]
    for t in tables:
        keys += [b for b in t.groups if b not in keys]
    return [(breakdown_label(b), b) for b in keys]


def block_views(t, block: str) -> list[View]:
    """A block's views: one overview per response set with more than one statement, then scales, then items."""
    items = [(k, m) for k, m in t.subjects.items() if m["kind"] == "item" and m["block"] == block]
    sets: dict[str, list] = {}
    for k, m in items:
        sets.setdefault(m.get("response_set") or "|".join(m["categories"]), []).append(k)
    views = []
    likert = [rs for rs, ks in sets.items() if len(t.subjects[ks[0]]["categories"]) <= MAX_LIKERT_VALUES]
    for rs, keys in sets.items():
        as_means = rs not in likert
        if len(keys) < 2:  # a single question (the 0-10 rapportcijfer) is its own view below
            continue
        cats = t.subjects[keys[0]]["categories"]
        if as_means:
            label = f"Overzicht: {len(keys)} vragen met een schaal van {len(cats)} waarden (gemiddelden)"
        elif len(likert) == 1:
            label = f"Overzicht: alle {len(keys)} stellingen van dit blok"
        else:
            label = f"Overzicht: {len(keys)} stellingen ({cats[0].lower()} … {cats[-1].lower()})"
        views.append(View(t.round_id, block, f"block:{block}:{rs}", label, tuple(keys), as_means))
    for g, grid in getattr(t, "grids", {}).items():  # a matrix question: one overview titled with the question
        keys = tuple(f"item:{i}" for i in grid["items"] if f"item:{i}" in t.subjects)
        if grid["block"] == block and len(keys) >= 2:
            text = grid["text"] if len(grid["text"]) <= 80 else grid["text"][:78] + "…"
            views.append(View(t.round_id, block, f"block:{block}:grid:{g}", f"Vraag: {text}", keys,
                              len(t.subjects[keys[0]]["categories"]) > MAX_LIKERT_VALUES, title=grid["text"]))
    for k, m in t.subjects.items():
        if m["kind"] == "scale" and m["block"] == block:
            views.append(View(t.round_id, block, k, f"Schaal: {m['label']}"))
    for k, m in items:
        text = m["text"] if len(m["text"]) <= 80 else m["text"][:78] + "…"
        views.append(View(t.round_id, block, k, f"{m['id']} · {text}",
                          as_means=len(m["categories"]) > MAX_LIKERT_VALUES))
    return views


def find_view(t, subject: str) -> View | None:
    """The view of a subject key in a round (any block), or None."""
    block = subject.split(":")[1] if subject.startswith("block:") else (t.subjects.get(subject) or {}).get("block")
    if block is None:
        return None
    return next((v for v in block_views(t, block) if v.subject == subject), None)


def _dist_rows(table: pd.DataFrame, *, categories=None) -> list[dict]:
    """The model's distribution rows as the rows :class:`_DistributionFigure` draws (with missing reasons)."""
    cats = categories if categories is not None else table.attrs.get("categories")
    reasons = table.attrs.get("missing", [])
    rows = []
    for _, r in table.iterrows():
        rows.append(dict(label=r["rij"], n_label=r["n_label"], row_hidden=bool(r["verborgen_rij"]),
                         hidden_pct=r.get("verborgen_pct", 0.0),
                         pct=[r.get(c, np.nan) for c in cats],
                         missing=[float(r.get(m, np.nan)) for m in reasons]))
    return rows


def png_name(*parts) -> str:
    """A file name from the parts of a view (``2023-1_kern_PR01_functie.png``): safe characters only."""
    text = "_".join(str(p) for p in parts if p)
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:150] + ".png"


class ViewRenderer:
    """Draws views (figure, main number, sentence) from the privacy-checked model."""

    def __init__(self, model):
        self.model = model
        self.tables = model.tables
        self._dist = None
        self._mean = None

    @property
    def dist_fig(self):
        if self._dist is None:
            self._dist = _DistributionFigure(figsize=MEETING_FIGSIZE)
        return self._dist

    @property
    def mean_fig(self):
        if self._mean is None:
            self._mean = _MeanFigure(figsize=MEETING_FIGSIZE)
        return self._mean

    # -- the figure --------------------------------------------------------
    def subtitle(self, view: View, breakdown: str) -> str:
        t = self.tables[view.round_id]
        parts = [f"Ronde {view.round_id} · {t.title}", block_label(view.block)]
        if breakdown != NO_BREAKDOWN:
            parts.append(f"uitgesplitst naar {breakdown_label(breakdown).lower()}")
            parts.append("Totaal = iedereen in de ronde")
        if view.as_means:
            parts.append("gemiddelde met 95%-betrouwbaarheidsinterval")
        return "\n".join(textwrap.wrap(" · ".join(parts), 110)[:2])

    def title(self, view: View) -> str:
        t = self.tables[view.round_id]
        meta = t.subjects.get(view.subject)
        if meta is None:
            return _wrap(view.title) if view.title else view.label
        return _wrap(meta["text"] if meta["kind"] == "item" else f"Schaal: {meta['label']}")

    def draw(self, view: View, breakdown: str):
        """Draw the view; returns ``(figure, table)`` (the figure holds the on-screen PNG in ``.png``)."""
        t = self.tables[view.round_id]
        small = label_small(t.min_n)
        b = breakdown if breakdown == NO_BREAKDOWN or breakdown in t.groups else NO_BREAKDOWN
        title, sub = self.title(view), self.subtitle(view, b)
        keys = list(view.items) if view.items else [view.subject]
        meta0 = t.subjects[keys[0]]
        frames, message = [], ""
        groups = len(t.groups[b]) if b != NO_BREAKDOWN else 0
        if view.items and len(keys) * (1 + groups) > MAX_ROWS:
            message, b = "Te veel rijen voor één figuur: het overzicht toont iedereen samen.", NO_BREAKDOWN
        for k in keys:
            tab = (self.model.means(view.round_id, k, b) if view.as_means
                   else self.model.distribution(view.round_id, k, b)).copy()
            if view.items:
                short = _short(t.subjects[k])
                tab["rij"] = [short if r == TOTAL_LABEL else f"   {r}" for r in tab["rij"]]
                tab.insert(0, "onderwerp", k)
            frames.append(tab)
        table = pd.concat(frames, ignore_index=True)
        table.attrs.update(frames[0].attrs)
        if message:
            sub = sub.split("\n")[0] + "\n" + message
        if view.as_means:
            fig = self.mean_fig
            fig.png = fig.update(table, meta0["codes"], meta0["categories"], title=title, subtitle=sub)
        else:
            fig = self.dist_fig
            fig.png = fig.update(_dist_rows(table, categories=meta0["categories"]), meta0["categories"],
                                 title=title, subtitle=sub, small_label=small,
                                 reasons=table.attrs.get("missing", []))
        return fig, table

    # -- the words ----------------------------------------------------------
    def main_number(self, view: View, breakdown: str) -> str:
        """The one number to read out (plain text): % agree, or the mean, of everyone in the round."""
        t = self.tables[view.round_id]
        small = label_small(t.min_n)
        if view.items:
            return f"{len(view.items)} {'vragen' if view.as_means else 'stellingen'}"
        meta = t.subjects[view.subject]
        if view.as_means or meta["kind"] == "scale":
            row = self.model.means(view.round_id, view.subject, NO_BREAKDOWN).iloc[0]
            if row["verborgen_rij"]:
                return small
            return f"Gemiddeld {_fmt(row['gemiddelde'])} ({row['n_label']})"
        row = self.model.distribution(view.round_id, view.subject, NO_BREAKDOWN).iloc[0]
        if row["verborgen_rij"]:
            return small
        top = meta["categories"][-2:]
        pct = float(np.nansum([row.get(c, np.nan) for c in top]))
        return f"{_fmt(pct, 0)}% {top2_phrase(meta['categories'])} ({row['n_label']})"

    def sentence(self, view: View, breakdown: str) -> str:
        """The Dutch sentence of the view (aggregates only; a hidden group is never described)."""
        t = self.tables[view.round_id]
        if view.items:
            return self._overview_sentence(view)
        meta = t.subjects[view.subject]
        b = breakdown if breakdown == NO_BREAKDOWN or breakdown in t.groups else NO_BREAKDOWN
        means = self.model.means(view.round_id, view.subject, b)
        lo, hi = meta["codes"][0], meta["codes"][-1]
        scale = f"op een schaal van {lo} ({meta['categories'][0].lower()}) tot {hi} ({meta['categories'][-1].lower()})"
        tot = means.iloc[0]
        if tot["verborgen_rij"]:
            return f"Te weinig antwoorden om iets te tonen ({tot['n_label']})."
        first = f"Iedereen samen scoort gemiddeld {_fmt(tot['gemiddelde'])} {scale} ({tot['n_label']})."
        if b == NO_BREAKDOWN:
            return first
        rows = means[(means["rij"] != TOTAL_LABEL) & (means["rij"] != UNKNOWN_LABEL) & ~means["verborgen_rij"]]
        if b == EXPERIENCE:
            by = {r["rij"]: r for _, r in rows.iterrows()}
            s, e = by.get(GROUP_LABELS[STARTER]), by.get(GROUP_LABELS[EXPERIENCED])
            if s is not None and e is not None:
                overlap = not (s["ci_hoog"] < e["ci_laag"] or e["ci_hoog"] < s["ci_laag"])
                text = group_means_sentence(means={STARTER: s["gemiddelde"], EXPERIENCED: e["gemiddelde"]},
                                            overlap=overlap)
                return f"{first} {text}".strip()
        if len(rows) < 2:
            return first + " Te weinig groepen groot genoeg om te vergelijken."
        hi_r = rows.loc[rows["gemiddelde"].idxmax()]
        lo_r = rows.loc[rows["gemiddelde"].idxmin()]
        overlap = not (hi_r["ci_laag"] > lo_r["ci_hoog"])
        text = (f"Het hoogst scoort {hi_r['rij']} ({_fmt(hi_r['gemiddelde'])}), het laagst {lo_r['rij']} "
                f"({_fmt(lo_r['gemiddelde'])})")
        text += "; de intervallen overlappen: voorzichtig met conclusies." if overlap else "."
        return f"{first} {text}"

    def _overview_sentence(self, view: View) -> str:
        t = self.tables[view.round_id]
        rows = []
        for k in view.items:
            if view.as_means:
                r = self.model.means(view.round_id, k, NO_BREAKDOWN).iloc[0]
                value = r["gemiddelde"]
            else:
                r = self.model.distribution(view.round_id, k, NO_BREAKDOWN).iloc[0]
                value = float(np.nansum([r.get(c, np.nan) for c in t.subjects[k]["categories"][-2:]]))
            if not r["verborgen_rij"]:
                rows.append((value, t.subjects[k]["id"]))
        if len(rows) < 2:
            return "Te weinig antwoorden om de stellingen te vergelijken."
        rows.sort()
        (lo, lo_id), (hi, hi_id) = rows[0], rows[-1]
        if view.as_means:
            return f"Het hoogste gemiddelde heeft {hi_id} ({_fmt(hi)}), het laagste {lo_id} ({_fmt(lo)})."
        phrase = top2_phrase(t.subjects[view.items[0]]["categories"])
        return (f"Het vaakst {phrase}: {hi_id} ({_fmt(hi, 0)}%); het minst vaak: {lo_id} ({_fmt(lo, 0)}%).")

    def full_png(self, view: View, breakdown: str) -> bytes:
        """The saved image of a view: title, subtitle, chart and the sentence below it."""
        fig, _ = self.draw(view, breakdown)
        return fig.full_png(sentence=self.sentence(view, breakdown))
