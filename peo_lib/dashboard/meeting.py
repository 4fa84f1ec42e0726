"""The ``Bijeenkomst`` tab: the dashboard that runs a PJH meeting and keeps what the group concludes.

The presenter picks the round, the block (core or theme) and the breakdown
(any background variable the codebook declares), then steps through the
block's views (:func:`peo_lib.dashboard.views.block_views`: the overviews per
response set, the scales, the statements) with ``Vorige``/``Volgende`` or the
arrow keys (the ``peo`` Voila template clicks these buttons on ``←``/``→``
unless the cursor is in a text field). Each view shows its main number, the
chart and its sentence; beside it a ``Conclusie`` field and a ``Verbeteractie
voorstellen`` form.

What is typed is saved as the meeting goes: a conclusion one second after the
last key stroke (debounced), an action when it is proposed, both atomically to
``DATA_DIR/bijeenkomsten/YYYY-MM-DD.yml`` (:mod:`peo_lib.data.meetings`), so a
crash or a closed browser loses nothing. A reloaded page reads the file back
and opens at the view discussed last. Layout: the figure column takes 62% of
the width, so at 1366x768 the main number, the chart and the sentence are
above the fold; text is at least 18 px.
"""

from __future__ import annotations

import datetime as _dt
import html
import os
import threading
import time

from peo_lib.dashboard.tables import NO_BREAKDOWN
from peo_lib.dashboard.views import block_label, block_views, breakdown_choices, png_name

__all__ = ["MeetingPanel", "next_round_ids", "refresh_when_requested", "SAVE_DELAY"]

#: Seconds after the last key stroke before a conclusion is written.
SAVE_DELAY = 1.0
#: CSS class of the meeting panel once it shows the state of the meeting file (after a pre-heat: once
#: the kernel's page was requested and the file re-read).
READY_CLASS = "peo-meeting-ready"
#: CSS class of the meeting panel of a pre-heated kernel until then: hidden (its place kept), so the
#: presenter does not first see the pre-heat's view and then watch it jump to the restored one.
WAITING_CLASS = "peo-meeting-waiting"
#: Seconds between two looks at the meeting file for changes made elsewhere (:meth:`MeetingPanel.watch_file`).
WATCH_SECONDS = 2.0

_CSS = """
<style>
.peo-meeting.peo-meeting-waiting { visibility: hidden; }
.peo-meeting .peo-key { font-size: 30px; font-weight: bold; color: #01665e; margin: 2px 0; }
.peo-meeting .peo-sentence { font-size: 20px; line-height: 1.35; color: #111; }
.peo-meeting .peo-fig-title { font-size: 22px; font-weight: bold; line-height: 1.2; margin-top: 2px; }
.peo-meeting .peo-fig-sub { font-size: 16px; color: #333; }
.peo-meeting textarea { font-size: 18px !important; }
.peo-meeting input[type=text] { font-size: 18px !important; }
.peo-meeting .widget-select-multiple select { font-size: 15px !important; }
</style>
"""


def next_round_ids(latest: str, k: int = 4) -> list[str]:
    """The ``k`` round ids after ``latest`` (``2023-1`` -> ``2023-2``, ``2024-1``, ...)."""
    year, half = (int(x) for x in latest.split("-"))
    out = []
    for _ in range(k):
        year, half = (year, 2) if half == 1 else (year + 1, 1)
        out.append(f"{year}-{half}")
    return out


class MeetingPanel:
    """The widgets of the ``Bijeenkomst`` tab (see the module docstring).

    Parameters
    ----------
    dash : Dashboard
        Gives the tables, the privacy-checked model and the view renderer.
    data_dir : str or Path, optional
        Where ``bijeenkomsten/`` lives (default ``paths.DATA_DIR``).
    date : str, optional
        The meeting, ``YYYY-MM-DD`` (default ``$PEO_MEETING_DATE``, else today).
    """

    def __init__(self, dash, *, data_dir=None, date=None):
        from peo_lib.data.meetings import check_date, load_or_new

        self.dash = dash
        self.tables = dash.tables
        self.renderer = dash.views
        self.data_dir = data_dir
        self.date = check_date(date or os.environ.get("PEO_MEETING_DATE") or _dt.date.today())
        self.meeting = load_or_new(self.date, data_dir=data_dir)
        self._stamp = self._file_stamp()
        self._lock = threading.RLock()
        self._timer = None
        self._quiet = False
        self.index = 0
        self.views = []
        self._build()
        self._restore_last_view()
        self._connect()
        self._watching = False

    def watch_file(self, interval: float = WATCH_SECONDS) -> None:
        """Show changes to the meeting file made elsewhere (another page, the kernel before a reload).

        A daemon thread stats the file every ``interval`` seconds and, when it changed and nothing
        is being typed here, re-reads it and redraws. This does not rely on the moment a
        pre-heated Voila kernel is handed to its page (:func:`refresh_when_requested`), which
        under load was seen to show the state of the pre-heat: the conclusion typed before it,
        without the action proposed after it.
        """
        if self._watching:
            return
        self._watching = True

        def loop():
            while self._watching:
                time.sleep(interval)
                try:
                    if getattr(self, "_pending", None) is not None or self._file_stamp() == self._stamp:
                        continue
                    with self._lock:
                        if self._sync_from_disk() and self.views:
                            self._show()
                except Exception:  # noqa: BLE001 - a redraw that fails now is retried on the next change
                    continue

        threading.Thread(target=loop, name="peo-meeting-watch", daemon=True).start()

    def stop_watching(self) -> None:
        self._watching = False

    # -- building ------------------------------------------------------------
    def _build(self):
        import ipywidgets as W

        st = {"description_width": "initial"}
        latest = list(self.tables)[-1]
        self.round = W.Dropdown(options=[(f"{r} · {t.title}", r) for r, t in self.tables.items()], value=latest,
                                description="Ronde", style=st, layout=W.Layout(width="290px"))
        self.block = W.Dropdown(description="Blok", style=st, layout=W.Layout(width="340px"))
        self.breakdown = W.Dropdown(description="Uitsplitsing", style=st, layout=W.Layout(width="280px"))
        self.prev_button = W.Button(description="◀ Vorige", layout=W.Layout(width="120px"))
        self.next_button = W.Button(description="Volgende ▶", layout=W.Layout(width="130px"))
        self.counter = W.HTML()
        self.heading = W.HTML()
        self.key_number = W.HTML()
        self.image = W.Image(format="png", layout=W.Layout(width="100%"))
        self.image.add_class("peo-meeting-figure")
        self.sentence = W.HTML()
        self.conclusion = W.Textarea(placeholder="Wat concludeert de groep bij deze figuur?", continuous_update=True,
                                     layout=W.Layout(width="97%", height="120px"))
        self.saved = W.HTML()
        # 97%: at 100% the widget's own margin ran past the panel's right edge
        self.action_title = W.Text(placeholder="Titel van de verbeteractie", layout=W.Layout(width="97%"))
        self.action_owner = W.Text(placeholder="Eigenaar (bijv. PJH werkgroep)", layout=W.Layout(width="97%"))
        self.action_related = W.SelectMultiple(rows=4, layout=W.Layout(width="97%"))
        self.action_start = W.Dropdown(description="Startronde", style=st, layout=W.Layout(width="auto"))
        self.propose_button = W.Button(description="Verbeteractie voorstellen", button_style="primary",
                                       layout=W.Layout(width="97%"))
        self.actions_list = W.HTML()
        self.save_button = W.Button(description="Bewaar als PNG", layout=W.Layout(width="180px"))
        for name in ("round", "block", "breakdown", "prev_button", "next_button", "conclusion", "action_title",
                     "action_owner", "action_related", "action_start", "propose_button", "save_button"):
            getattr(self, name).add_class(f"peo-meeting-{name.replace('_', '-')}")
        self.sentence.add_class("peo-sentence")
        self.counter.add_class("peo-meeting-counter")
        self.key_number.add_class("peo-meeting-key")
        left = W.VBox([self.heading, self.key_number, self.image, self.sentence],
                      layout=W.Layout(width="62%", padding="0 12px 0 0"))
        right = W.VBox([W.HTML("<b>Conclusie</b>"), self.conclusion, self.saved,
                        W.HTML("<b>Verbeteractie voorstellen</b>"), self.action_title, self.action_owner,
                        W.HTML("Hoort bij (schalen/stellingen):"), self.action_related, self.action_start,
                        self.propose_button, self.actions_list, self.save_button],
                       layout=W.Layout(width="37%"))
        controls = W.HBox([self.round, self.block, self.breakdown, self.prev_button, self.next_button,
                           self.counter], layout=W.Layout(flex_flow="row wrap"))
        self.widget = W.VBox([W.HTML(_CSS), controls, W.HBox([left, right])])
        self.widget.add_class("peo-meeting")
        with self._quietly():
            self._refresh_options()

    def _quietly(self):
        panel = self

        class _Quiet:
            def __enter__(self):
                panel._quiet = True

            def __exit__(self, *exc):
                panel._quiet = False

        return _Quiet()

    def _refresh_options(self):
        """Blocks, breakdowns, views, related ids and start rounds of the chosen round."""
        t = self.tables[self.round.value]
        blocks = list(t.blocks)
        old = self.block.value
        self.block.options = [(block_label(b), b) for b in blocks]
        self.block.value = old if old in blocks else (t.theme if t.theme in blocks else blocks[0])
        choices = breakdown_choices([t])
        oldb = self.breakdown.value
        self.breakdown.options = choices
        self.breakdown.value = oldb if oldb in [v for _, v in choices] else NO_BREAKDOWN
        self.views = block_views(t, self.block.value)
        related = [(f"Schaal: {m['label']}", f"scale:{m['id']}") for m in t.subjects.values() if m["kind"] == "scale"]
        related += [(f"{m['id']} · {m['text'][:50]}", f"item:{m['id']}") for m in t.subjects.values()
                    if m["kind"] == "item"]
        self.action_related.options = related
        starts = next_round_ids(list(self.tables)[-1])
        self.action_start.options = starts
        self.action_start.value = starts[0]

    def _connect(self):
        self.round.observe(self._on_round, names="value")
        self.block.observe(self._on_block, names="value")
        self.breakdown.observe(lambda ch: None if self._quiet else self.show(), names="value")
        self.prev_button.on_click(lambda _: self.goto(self.index - 1))
        self.next_button.on_click(lambda _: self.goto(self.index + 1))
        self.conclusion.observe(self._on_text, names="value")
        self.propose_button.on_click(lambda _: self.propose())
        self.save_button.on_click(lambda _: self.save_png())

    def _restore_last_view(self):
        """Open at the view discussed last (after a reload or a crash)."""
        notes = [n for n in self.meeting.onderwerpen if n.ronde in self.tables]
        if not notes:
            return
        last = max(notes, key=lambda n: n.bijgewerkt or "")
        with self._quietly():
            self.round.value = last.ronde
            self._refresh_options()
            if last.blok in [v for _, v in self.block.options]:
                self.block.value = last.blok
                self.views = block_views(self.tables[last.ronde], last.blok)
            if last.uitsplitsing in [v for _, v in self.breakdown.options]:
                self.breakdown.value = last.uitsplitsing
        self.index = next((k for k, v in enumerate(self.views) if v.subject == last.onderwerp), 0)

    # -- the file on disk ------------------------------------------------------
    def _file_stamp(self):
        from peo_lib.data.meetings import meeting_path

        try:
            st = meeting_path(self.date, data_dir=self.data_dir).stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def _sync_from_disk(self) -> bool:
        """Re-read the meeting file when another page or kernel changed it (True when it did)."""
        from peo_lib.data.meetings import load_or_new

        stamp = self._file_stamp()
        if stamp == self._stamp:
            return False
        try:
            self.meeting = load_or_new(self.date, data_dir=self.data_dir)
        except Exception:  # an invalid file: keep what this page has, say so when saving
            return False
        self._stamp = stamp
        return True

    def reload(self):
        """Read the file again and open at the view discussed last (a pre-heated kernel, when its page opens)."""
        with self._lock:
            self._stamp = None  # always re-read: the watch thread may have synced already, without the view
            self._sync_from_disk()
            self._restore_last_view()
        self.show()

    # -- events --------------------------------------------------------------
    def _on_round(self, change):
        if self._quiet:
            return
        self.flush()
        with self._quietly():
            self._refresh_options()
        self.goto(0)

    def _on_block(self, change):
        if self._quiet:
            return
        self.flush()
        self.views = block_views(self.tables[self.round.value], self.block.value)
        self.goto(0)

    @property
    def view(self):
        return self.views[self.index] if self.views else None

    def goto(self, index: int):
        """Show view ``index`` (wraps around); the pending conclusion is written first."""
        self.flush()
        if not self.views:
            return
        self.index = int(index) % len(self.views)
        self.show()

    def show(self):
        """Draw the current view and fill the side panel from the meeting file."""
        with self._lock:  # the refresh thread of a pre-heated kernel may draw too
            self._show()

    def _show(self):
        v = self.view
        if v is None:
            self.heading.value = "<div class='peo-fig-title'>Dit blok heeft geen vragen.</div>"
            return
        self._sync_from_disk()
        b = self.breakdown.value
        fig, _ = self.renderer.draw(v, b)
        self.image.value = fig.png
        self.heading.value = (f"<div class='peo-fig-title'>{_esc(fig.title.get_text())}</div>"
                              f"<div class='peo-fig-sub'>{_esc(fig.subtitle.get_text())}</div>")
        self.key_number.value = f"<div class='peo-key'>{_esc(self.renderer.main_number(v, b))}</div>"
        self.sentence.value = f"<div class='peo-sentence'>{_esc(self.renderer.sentence(v, b))}</div>"
        self.counter.value = f"<span class='peo-note'>{self.index + 1} van {len(self.views)}</span>"
        note = self.meeting.note(v.round_id, v.subject)
        with self._quietly():
            self.conclusion.value = note.conclusie if note else ""
            self.action_related.value = tuple(x for x in ([v.subject] if not v.items else
                                                          [f"item:{k.split(':', 1)[1]}" for k in v.items])
                                              if x in [o for _, o in self.action_related.options])
        self.saved.value = ""
        self._show_actions()

    def _on_text(self, change):
        if self._quiet:
            return
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._pending = (self.view, self.breakdown.value, change["new"])
            self._timer = threading.Timer(SAVE_DELAY, self.flush)
            self._timer.daemon = True
            self._timer.start()
        self.saved.value = "<span class='peo-note'>…</span>"

    def flush(self):
        """Write the pending conclusion now (no-op when nothing is pending)."""
        from peo_lib.data.meetings import set_conclusion, write_meeting

        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            pending, self._pending = getattr(self, "_pending", None), None
            if pending is None:
                return
            view, b, text = pending
            self._sync_from_disk()
            try:
                self.meeting = set_conclusion(self.meeting, ronde=view.round_id, blok=view.block,
                                              onderwerp=view.subject, uitsplitsing=b, conclusie=text)
                write_meeting(self.meeting, data_dir=self.data_dir)
                self._stamp = self._file_stamp()
            except Exception as exc:  # keep the meeting going; say so on screen
                self.saved.value = f"<b>Niet opgeslagen:</b> {_esc(exc)}"
                return
        self.saved.value = (f"<span class='peo-note'>Opgeslagen om {_dt.datetime.now():%H:%M:%S} "
                            f"in bijeenkomsten/{self.date}.yml</span>")

    def propose(self):
        """Add the form's action to the meeting file (validated as a register entry)."""
        from peo_lib.data.meetings import propose_action, write_meeting
        from peo_lib.errors import PEOError

        self.flush()
        related = list(self.action_related.value)
        v = self.view
        with self._lock:
            self._sync_from_disk()
            try:
                meeting, action = propose_action(
                    self.meeting, titel=self.action_title.value, eigenaar=self.action_owner.value,
                    ronde_start=self.action_start.value,
                    schalen=[r.split(":", 1)[1] for r in related if r.startswith("scale:")],
                    items=[r.split(":", 1)[1] for r in related if r.startswith("item:")],
                    onderwerp=v.subject if v is not None else None)
                if v is not None and meeting.note(v.round_id, v.subject) is None:
                    from peo_lib.data.meetings import set_conclusion

                    meeting = set_conclusion(meeting, ronde=v.round_id, blok=v.block, onderwerp=v.subject,
                                             uitsplitsing=self.breakdown.value, conclusie="")
                write_meeting(meeting, data_dir=self.data_dir)
                self._stamp = self._file_stamp()
            except PEOError as exc:
                self.actions_list.value = (f"<b>Niet voorgesteld:</b> {_esc(_dutch_problem(exc))}")
                return None
            self.meeting = meeting
        self.action_title.value = ""
        self._show_actions(f"Voorgesteld: {action.id}. ")
        return action

    def _show_actions(self, head=""):
        v = self.view
        mine = [a for a in self.meeting.acties if v is not None and a.onderwerp == v.subject]
        items = "".join(f"<li>{_esc(a.titel)} <span class='peo-note'>({_esc(a.eigenaar)}, vanaf "
                        f"{_esc(a.ronde_start)})</span></li>" for a in mine)
        total = len(self.meeting.acties)
        self.actions_list.value = (f"<span class='peo-note'>{_esc(head)}{total} voorstel(len) deze bijeenkomst"
                                   f"{'; bij deze figuur:' if mine else '.'}</span>"
                                   + (f"<ul>{items}</ul>" if items else ""))

    def save_png(self):
        """Save the current view as ``OUT/dashboard/DATE_ROUND_SUBJECT_BREAKDOWN.png`` (with its sentence)."""
        v = self.view
        b = self.breakdown.value
        fig, _ = self.renderer.draw(v, b)
        name = png_name(self.date, v.round_id, v.subject.split(":", 1)[1], b)
        path = fig.save_png(self.dash.out_dir / "dashboard" / name, sentence=self.renderer.sentence(v, b))
        self.show()
        self.saved.value = f"Opgeslagen: <code>{_esc(path.name)}</code>"
        return path


def _esc(text) -> str:
    return html.escape(str(text)).replace("\n", " ")


def _dutch_problem(exc) -> str:
    """A short Dutch reason for a refused proposal (the English detail after it)."""
    text = str(exc)
    if "titel" in text:
        return "geef de verbeteractie een titel."
    if "eigenaar" in text:
        return "vul een eigenaar in."
    return text.split(": ", 1)[-1]


def refresh_when_requested(dash) -> None:
    """In a pre-heated Voila kernel, re-read the meeting file once the page is actually requested.

    Voila runs the notebook before anyone opens the page; what was typed on
    another page since then (or before a reload) is in the meeting file, not
    in this kernel. :func:`voila.utils.wait_for_request` returns when this
    kernel is handed to a page (at once outside a pre-heated kernel).
    """
    def ready():  # the page shows the meeting file's state from here on (browser tests wait for it)
        dash.meeting.widget.remove_class(WAITING_CLASS)
        dash.meeting.widget.add_class(READY_CLASS)

    if os.environ.get("VOILA_PREHEAT", "False") == "False":
        ready()
        return
    dash.meeting.widget.add_class(WAITING_CLASS)

    def wait():
        try:
            from voila.utils import wait_for_request

            wait_for_request()
            dash.meeting.reload()
        except Exception:  # the page still works; it just shows the state of the pre-heat
            pass
        ready()

    threading.Thread(target=wait, name="peo-meeting-refresh", daemon=True).start()
