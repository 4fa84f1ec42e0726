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
    for everyone, starters and experienced professionals, and a short text
    (the sentence of :func:`peo_lib.sentences.group_means_sentence`, as in the
    reports).

Both tabs have ``Bewaar als PNG`` (writes ``OUT/dashboard/*.png``).

This module holds the widgets and their events only. The layers below it:
:mod:`peo_lib.dashboard.tables` (count tables per round, cached on disk),
:mod:`peo_lib.dashboard.model` (privacy-checked rows per selection) and
:mod:`peo_lib.dashboard.figures` (blitted matplotlib figures). Text put into
an HTML widget is escaped with :func:`_escape`; the one exception is the
``n<5`` label in the status line (see :meth:`Dashboard._draw_explore`). A
background thread fills the model's cache while the dashboard is idle.
"""

from __future__ import annotations

import contextlib
import html
import os
import textwrap
import threading
import time
import warnings
from pathlib import Path

import pandas as pd

from peo_lib._validate import check_argument
from peo_lib.dashboard.figures import (MAX_ROWS, _DistributionFigure, _fmt, _LiveFigure, _MeanFigure, _short,
                                       _TrendFigure, _wrap)
from peo_lib.dashboard.model import _Model
from peo_lib.dashboard.tables import NO_BREAKDOWN, RoundTables, load_tables, round_tables
from peo_lib.dashboard.views import (ViewRenderer, _dist_rows, block_views, breakdown_choices, breakdown_label,
                                     find_view, png_name)
from peo_lib.privacy.disclosure import label_small
from peo_lib.sentences import group_means_sentence
from peo_lib.vocab import (CORE_BLOCK, EXPERIENCE, EXPERIENCE_GROUPS, EXPERIENCED, GROUP_LABELS, STARTER,
                           TOTAL_LABEL)

__all__ = ["Dashboard", "show_dashboard", "ALL_ROUNDS", "VIEWS"]

#: The value of the ``Ronde`` dropdown for the trend over all rounds.
ALL_ROUNDS = "__alle_rondes__"
VIEWS = {"verdeling": "Verdeling", "gemiddelde": "Gemiddelde", "trend": "Trend"}


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
.peo-dash .peo-table-wrap { overflow-x: auto; max-width: 100%; }
.peo-dash table.peo-table { border-collapse: collapse; font-size: 16px; }
.peo-dash table.peo-table th, .peo-dash table.peo-table td { padding: 2px 8px; border-bottom: 1px solid #bbb;
  text-align: left; vertical-align: top; }
.peo-dash table.peo-table caption { text-align: left; font-weight: bold; padding: 4px 0; }
</style>
"""


class Dashboard:
    """The PJH panel dashboard.

    Parameters
    ----------
    rounds : dict
        Round id -> :class:`~peo_lib.data.rounds.Round` (from
        :func:`peo_lib.load_rounds`) or -> :class:`~peo_lib.dashboard.tables.RoundTables`
        (from :func:`~peo_lib.dashboard.tables.load_tables`, faster to start).
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
    meeting : MeetingPanel
        The ``Bijeenkomst`` tab (:mod:`peo_lib.dashboard.meeting`).
    banners : BannerPanel
        The ``Kruistabellen`` tab: the report's banner tables and multiple-response questions
        (:mod:`peo_lib.dashboard.banner_view`).
    """

    def __init__(self, rounds: dict, *, out_dir=None, warm_up: bool = True, data_dir=None, meeting_date=None,
                 mode: str = "verkennen"):
        from peo_lib import paths

        if not isinstance(rounds, dict) or not rounds:
            raise ValueError(f"`rounds` must be a non-empty dict of round id -> Round, got {rounds!r:.80}")
        check_argument("warm_up", [True, False], warm_up)
        check_argument("mode", ["verkennen", "bijeenkomst"], mode)
        tables = {}
        for rid, r in sorted(rounds.items()):
            tables[rid] = r if isinstance(r, RoundTables) else round_tables(r)
        self.tables = tables
        self.model = _Model(tables)
        self.views = ViewRenderer(self.model)
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
        explore = self._build_explore(round_opts, latest)
        talk = self._build_talk(round_opts[:-1], latest)
        from peo_lib.dashboard.meeting import MeetingPanel

        self.meeting = MeetingPanel(self, data_dir=data_dir, date=meeting_date)
        self._build_layout(explore, talk)
        with self._quietly():  # sets _quiet; the options are filled before any observer exists
            self._refresh_blocks()
        self._connect()
        self.redraw()
        self._talk_shown = False
        self._meeting_shown = False
        self.tabs.observe(self._on_tab, names="selected_index")
        if mode == "bijeenkomst":
            self.tabs.selected_index = 2
        self._warm = None
        if warm_up:
            self._warm = threading.Thread(target=self._warm_up, name="peo-dashboard-warm-up", daemon=True)
            self._warm.start()

    # -- building ------------------------------------------------------------
    def _build_explore(self, round_opts, latest):
        """The controls, figure and status of the ``Verkennen`` tab."""
        import ipywidgets as W

        wide = W.Layout(width="auto")
        st = {"description_width": "initial"}
        self.round = W.Dropdown(options=round_opts, value=latest, description="Ronde", style=st, layout=wide)
        self.block = W.Dropdown(options=[("-", "")], description="Blok", style=st, layout=wide)
        self.subject = W.Dropdown(options=[("-", "")], description="Onderwerp", style=st,
                                  layout=W.Layout(width="100%"))
        self.breakdown = W.Dropdown(options=breakdown_choices(self.tables.values()), value=NO_BREAKDOWN,
                                    description="Uitsplitsing", style=st, layout=wide)
        self.view = W.ToggleButtons(options=[(VIEWS[v], v) for v in VIEWS], value="verdeling",
                                    description="Weergave", style={"description_width": "initial",
                                                                   "button_width": "150px"})
        self.heading = W.HTML()
        self.image, self.save_button, self.saved = _figure_widgets()
        self.status = _note()
        return W.VBox([
            W.HBox([self.round, self.block, self.breakdown]),
            self.subject,
            self.view,
            self.heading,
            self.image,
            self.status,
            W.HBox([self.save_button, self.saved]),
        ])

    def _build_talk(self, round_opts, latest):
        """The controls, figure and text of the ``Bespreken`` tab."""
        import ipywidgets as W

        self.talk_round = W.Dropdown(options=round_opts, value=latest, description="Ronde",
                                     style={"description_width": "initial"}, layout=W.Layout(width="auto"))
        self.prev_button = W.Button(description="◀ Vorige", layout=W.Layout(width="160px"))
        self.next_button = W.Button(description="Volgende ▶", layout=W.Layout(width="160px"))
        self.talk_counter = W.HTML()
        self.talk_heading = W.HTML()
        self.talk_image, self.talk_save, self.talk_saved = _figure_widgets()
        self.talk_text = _note()
        self.talk_index = 0
        return W.VBox([
            W.HBox([self.talk_round, self.prev_button, self.next_button, self.talk_counter]),
            self.talk_heading,
            self.talk_image,
            self.talk_text,
            W.HBox([self.talk_save, self.talk_saved]),
        ])

    def _build_layout(self, explore, talk):
        """The tabs under the title, with the CSS classes the template and the browser tests use."""
        import ipywidgets as W

        from peo_lib.dashboard.banner_view import BannerPanel

        self.banners = BannerPanel(self.tables, latest=list(self.tables)[-1])
        self.tabs = W.Tab(children=[explore, talk, self.meeting.widget, self.banners.widget])
        self.tabs.set_title(0, "Verkennen")
        self.tabs.set_title(1, "Bespreken")
        self.tabs.set_title(2, "Bijeenkomst")
        self.tabs.set_title(3, "Kruistabellen")
        header = W.HTML(_CSS + '<div class="peo-title">PEO · Ruimte voor de professional</div>')
        self.widget = W.VBox([header, self.tabs])
        self.widget.add_class("peo-dash")
        for name in ("round", "block", "subject", "breakdown", "view", "save_button", "talk_round",
                     "prev_button", "next_button", "talk_save"):
            getattr(self, name).add_class(f"peo-{name.replace('_', '-')}")

    def _connect(self):
        """Observe the controls (after the first option refresh, which must not redraw)."""
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
        opts = [("Kern (vaste vragen)" if b == CORE_BLOCK else f"Thema: {b.replace('_', ' ')}", b) for b in blocks]
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
        for rid in reversed(self._rounds_in_view()):  # one overview per response set, as the report
            if self.block.value in self.tables[rid].blocks:
                opts += [(v.label, v.subject) for v in block_views(self.tables[rid], self.block.value)
                         if v.items]
                break
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
    @contextlib.contextmanager
    def _quietly(self):
        """Set controls without their own events firing (the caller redraws once)."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    def _on_round(self, change):
        if self._quiet:
            return
        with self._quietly():
            if change["new"] == ALL_ROUNDS:
                self.view.value = "trend"
            elif self.view.value == "trend":
                self.view.value = "verdeling"
            self._refresh_blocks()
        self.redraw()

    def _on_block(self, change):
        if self._quiet:
            return
        with self._quietly():
            self._refresh_subjects()
        self.redraw()

    def _on_view(self, change):
        if self._quiet:
            return
        with self._quietly():
            if change["new"] == "trend" and self.round.value != ALL_ROUNDS:
                self._trend_from = self.round.value
                self.round.value = ALL_ROUNDS
                self._refresh_blocks()
            elif change["new"] != "trend" and self.round.value == ALL_ROUNDS:
                self.round.value = getattr(self, "_trend_from", list(self.tables)[-1])
                self._refresh_blocks()
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
        if breakdown != NO_BREAKDOWN:
            parts.append(f"uitgesplitst naar {breakdown_label(breakdown).lower()}")
            parts.append("Totaal = iedereen in de ronde")
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
            detail = _escape(f"{type(exc).__name__}: {exc}")
            self.status.value = f"<b>Dit kan niet getoond worden:</b> {detail}"
            raise
        finally:
            self._busy = False
            self._last_action = time.monotonic()
        self.timings.append(time.perf_counter() - t0)

    def _draw_explore(self):
        rid, subj, b, view = self.round.value, self.subject.value, self.breakdown.value, self.view.value
        min_n = min(t.min_n for t in self.tables.values())
        small = label_small(min_n)  # "n<5": written here, left unescaped ("<" before a digit is text in HTML)
        note = (f"Groepen van minder dan {min_n} personen worden niet getoond (<b>{small}</b>), "
                "en soms een tweede kleine groep, zodat het totaal ze niet verraadt.")
        if view == "trend" or rid == ALL_ROUNDS:
            return self._draw_trend(subj, b, small), note
        t = self.tables[rid]
        if getattr(t, "weighting", None):
            note += " " + _escape(t.weighting)
        if b != NO_BREAKDOWN:
            note += (" <b>Totaal</b> is iedereen in de ronde, ook wie deze vraag over zichzelf niet "
                     "beantwoordde (Onbekend), zoals in het rapport.")
        if subj.startswith("block:"):
            ov = find_view(t, subj) or next((v for v in block_views(t, subj.split(":")[1]) if v.items), None)
            keys = list(ov.items) if ov is not None else []
            return self._draw_overview(rid, keys, b, "gemiddelde" if ov and ov.as_means else view, small,
                                       title=ov.title if ov is not None else ""), note
        meta = t.subjects.get(subj)
        title = _wrap(meta["text"] if meta["kind"] == "item" else f"Schaal: {meta['label']}")
        if view == "verdeling":
            table = self.model.distribution(rid, subj, b)
            self._current_table, self._current_fig = table, self._dist_fig
            extra = "schaalscore afgerond op de antwoordschaal" if meta["kind"] == "scale" else ""
            png = self._dist_fig.update(_dist_rows(table), meta["categories"], title=title,
                                        subtitle=self._subtitle(rid, b, extra), small_label=small,
                                        reasons=table.attrs.get("missing", []))
        else:
            table = self.model.means(rid, subj, b)
            self._current_table, self._current_fig = table, self._mean_fig
            png = self._mean_fig.update(table, meta["codes"], meta["categories"], title=title,
                                        subtitle=self._subtitle(rid, b, "gemiddelde met 95%-betrouwbaarheidsinterval"))
        return png, note

    def _draw_overview(self, rid, keys, b, view, small, *, title=""):
        t = self.tables[rid]
        block = self.block.value
        if title:  # a matrix question: its own question text
            title = _wrap(title)
        else:
            title = ("Kern: alle stellingen" if block == CORE_BLOCK
                     else f"Thema {block.replace('_', ' ')}: alle stellingen")
        groups = [g for g in t.groups.get(b, [TOTAL_LABEL])] if b != NO_BREAKDOWN else []
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
            if frames:
                table.attrs.update(frames[0].attrs)
            rows = _dist_rows(table, categories=cats) if len(table) else []
            return self._dist_fig.update(rows, cats, title=title, subtitle=sub, small_label=small,
                                         message=message, reasons=table.attrs.get("missing", []))
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
                                          message=("Een trend is er per stelling: kies één stelling van deze vraag."
                                                   if ":grid:" in subj else
                                                   "Kies één stelling of schaal voor de trend."))
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
        if change["new"] == 2 and not self._meeting_shown:
            self._meeting_shown = True
            self.meeting.goto(self.meeting.index)
        if change["new"] == 3:
            self.banners.refresh()

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
        b = EXPERIENCE if EXPERIENCE in t.groups else NO_BREAKDOWN
        table = self.model.distribution(rid, key, b)
        means = self.model.means(rid, key, b)
        small = label_small(t.min_n)
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
            b = EXPERIENCE if EXPERIENCE in self.tables[rid].groups else NO_BREAKDOWN
            name = png_name(rid, key.split(":", 1)[1], b, "bespreking")
            fig, label = self._talk_fig, self.talk_saved
            sentence = self._sentence(rid, key, b)
        else:
            rid = "alle-rondes" if self.round.value == ALL_ROUNDS else self.round.value
            subj = self.subject.value.split(":", 1)[1]
            view = "trend" if self.round.value == ALL_ROUNDS else self.view.value
            name = png_name(rid, subj, self.breakdown.value, view)
            fig, label = self._current_fig, self.saved
            sentence = "" if view == "trend" else self._sentence(rid, self.subject.value, self.breakdown.value)
        try:
            path = fig.save_png(folder / name, sentence=sentence)
        except OSError as exc:
            label.value = f"<b>Niet opgeslagen:</b> {_escape(exc)}"
            raise
        # saving drew at another size: re-blit so the screen and the buffer agree again
        if tab == "bespreken":
            self._talk_goto(self.talk_index)
        else:
            self.redraw()
        label.value = f"Opgeslagen: <code>{_escape(path.parent.name)}/{_escape(path.name)}</code>"
        return path

    def _sentence(self, rid, subject, breakdown) -> str:
        """The Dutch sentence of a view (kept in a saved PNG); empty when there is none."""
        t = self.tables.get(rid)
        view = find_view(t, subject) if t is not None else None
        return self.views.sentence(view, breakdown) if view is not None else ""

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
                for b in list(t.groups):
                    for key in t.subjects:
                        for kind, fn in (("dist", self.model.distribution), ("mean", self.model.means)):
                            if self.model.has((kind, rid, key, b)):
                                continue
                            while self._busy or time.monotonic() - self._last_action < 0.4:
                                time.sleep(0.1)
                            fn(rid, key, b)
        except Exception:  # a warm-up failure must never disturb the meeting
            return


def _note():
    """An HTML widget in the note style (status lines, the discussion text)."""
    import ipywidgets as W

    note = W.HTML()
    note.add_class("peo-note")
    return note


def _figure_widgets():
    """The figure, its ``Bewaar als PNG`` button and the line reporting the save (the same in both tabs)."""
    import ipywidgets as W

    image = W.Image(format="png", layout=W.Layout(width="100%", max_width="1400px"))
    image.add_class("peo-figure")
    save = W.Button(description="Bewaar als PNG", button_style="primary", layout=W.Layout(width="220px"))
    return image, save, _note()


def _escape(text) -> str:
    """Text for an HTML widget: ``<``, ``>``, ``&`` and quotes escaped."""
    return html.escape(str(text))


def _heading(fig: _LiveFigure) -> str:
    """Title and subtitle of a figure as HTML (shown above the image)."""
    title = _escape(fig.title.get_text().replace("\n", " "))
    sub = _escape(fig.subtitle.get_text().replace("\n", " "))
    return f'<div class="peo-fig-title">{title}</div><div class="peo-fig-sub">{sub}</div>'


def _talk_summary(means: pd.DataFrame, meta) -> str:
    """The ``Bespreken`` text (HTML): means of everyone and per experience group, and their comparison."""
    by = {r["rij"]: r for _, r in means.iterrows()}
    parts = []
    tot = by.get(TOTAL_LABEL)
    if tot is not None and not tot["verborgen_rij"]:
        parts.append(f"<b>Iedereen</b>: gemiddeld {_fmt(tot['gemiddelde'])} ({_escape(tot['n_label'])})")
    for group in EXPERIENCE_GROUPS:
        name = GROUP_LABELS[group]
        r = by.get(name)
        if r is None:
            continue
        if r["verborgen_rij"]:
            parts.append(f"<b>{_escape(name)}</b>: {_escape(r['n_label'])}")
        else:
            parts.append(f"<b>{_escape(name)}</b>: gemiddeld {_fmt(r['gemiddelde'])} "
                         f"(95%-BI {_fmt(r['ci_laag'])} – {_fmt(r['ci_hoog'])}; {_escape(r['n_label'])})")
    s, e = by.get(GROUP_LABELS[STARTER]), by.get(GROUP_LABELS[EXPERIENCED])
    if s is not None and e is not None and not (s["verborgen_rij"] or e["verborgen_rij"]):
        overlap = not (s["ci_hoog"] < e["ci_laag"] or e["ci_hoog"] < s["ci_laag"])
        sentence = group_means_sentence(means={STARTER: s["gemiddelde"], EXPERIENCED: e["gemiddelde"]},
                                        overlap=overlap)
        if sentence:
            parts.append(_escape(sentence))
    lo, hi = _escape(meta["categories"][0]), _escape(meta["categories"][-1])
    parts.append(f"<span style='color:#555'>Schaal: {meta['codes'][0]} = {lo} … {meta['codes'][-1]} = {hi}</span>")
    return "<br>".join(parts)


def show_dashboard(data_dir=None, *, out_dir=None, mode=None):
    """Build and display the dashboard (the one call of ``notebooks/dashboard.ipynb``).

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder with ``codebooks/`` and ``raw/``. Default: ``$PEO_DATA_DIR``
        (set by ``peo dashboard --data-dir``), else the repository's ``data/``.
    out_dir : str or Path, optional
        Output folder for saved PNGs (default ``$PEO_OUT_DIR`` or ``outputs/``).
        The count tables are cached in the private cache folder, not here
        (see :func:`peo_lib.dashboard.tables.load_tables`).
    mode : {"verkennen", "bijeenkomst"}, optional
        The tab to open with (default ``$PEO_DASHBOARD_MODE``, set by
        ``peo dashboard --meeting``, else ``verkennen``). Meeting files go to
        ``DATA_DIR/bijeenkomsten/``.

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
            tables = load_tables(data_dir)
        mode = mode or os.environ.get("PEO_DASHBOARD_MODE") or "verkennen"
        dash = Dashboard(tables, out_dir=out, data_dir=data_dir or paths.DATA_DIR, mode=mode)
    except PEOError as exc:
        display(HTML(f"<div style='font-size:20px'><b>Het dashboard kan niet starten.</b><br>"
                     f"<pre style='white-space:pre-wrap'>{_escape(exc)}</pre></div>"))
        return None
    display(dash.widget)
    from peo_lib.dashboard.meeting import refresh_when_requested

    refresh_when_requested(dash)
    dash.meeting.watch_file()  # what another page or the kernel before a reload wrote appears here too
    return dash
