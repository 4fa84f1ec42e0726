"""The coding widget: confirm or change the themes of open answers in JupyterLab (ipywidgets).

One screen per *distinct* scrubbed answer (never the raw text, never a respondent id): the answer,
how often it was given, its status, one checkbox per theme of the code frame that is active in the
round (sub-themes indented under their parent) with the rules' proposal already ticked, the buttons
``◀ Vorige``, ``✓ Klopt, volgende`` and ``Volgende ▶``, and the progress ``37 van 148 gecodeerd``.

Decisions
---------
* Ticking or unticking a box is a decision: the answer is *confirmed* with the ticked themes at once
  and the coding file (``DATA_DIR/codering/ROUND/QUESTION.yml``) is saved (atomically), so nothing is
  lost when the kernel stops. ``✓ Klopt, volgende`` confirms the themes as shown (also "no theme":
  nothing ticked) and moves on; ``Vorige``/``Volgende`` only move.
* ``Alleen nog niet bevestigde`` makes the buttons skip answers that are already confirmed.
* :meth:`CodingWidget.suggestions` proposes new themes from the uncoded answers (TF-IDF + NMF,
  :func:`peo_lib.stats.open_themes.suggest_themes`), shown as *suggesties*: a researcher adds a theme
  to the code frame by hand.

Usage (``notebooks/coderen.ipynb``)::

    from peo_lib.dashboard.coding_widget import coding_widget
    w = coding_widget("2021-1", "OPEN01", data_dir="data/demo")
    w          # shows itself
"""

from __future__ import annotations

import html
from collections import Counter

from peo_lib.data.coding import CONFIRMED, PROPOSED, UNCODED, answer_key

__all__ = ["CodingWidget", "coding_widget"]

_STATUS_TEXT = {CONFIRMED: "bevestigd", PROPOSED: "voorstel van de trefwoorden (nog niet bevestigd)",
                UNCODED: "nog niet gecodeerd"}


class CodingWidget:
    """Code the answers of one open question (see the module docstring).

    Parameters
    ----------
    coding : QuestionCoding
        From :func:`peo_lib.report.open_themes.question_coding` (needs a code frame).
    save : bool
        Save the coding file after every decision (default True; False for a dry run).

    Attributes
    ----------
    widget : ipywidgets.VBox
    keys : list of str
        The distinct answers' keys, alphabetical by text.
    index : int
        The answer shown.
    """

    def __init__(self, coding, *, save=True):
        import ipywidgets as W

        from peo_lib.errors import CodeFrameError

        if coding.frame is None:
            from peo_lib.data.codeframe import codeframe_dir

            raise CodeFrameError(codeframe_dir(_data_dir(coding)) / f"{coding.question}.yml",
                                 f"no code frame for {coding.question} in round {coding.rnd.id}; write one first "
                                 "(format: docs/codeframe.md)")
        self.coding = coding
        self.store = coding.store
        self.frame = coding.frame
        self.save_each = bool(save)
        self.keys = self.store.current_keys()
        self.given = Counter(answer_key(self.store.round_id, t) for t in coding.answers
                             if isinstance(t, str) and t.strip())
        self.index = 0
        self._loading = False
        self.themes = self.frame.active_themes(self.store.round_id)
        self.title = W.HTML(f"<h3>Coderen: {html.escape(coding.text)}</h3>"
                            f"<div class='peo-note'>Ronde {html.escape(self.store.round_id)} · "
                            f"codeframe {html.escape(coding.frame.path.name if coding.frame.path else coding.question)}"
                            "</div>")
        self.progress = W.HTML()
        self.position = W.HTML()
        self.answer = W.HTML(layout=W.Layout(border="1px solid #ccc", padding="8px", width="100%"))
        self.meta = W.HTML()
        self.boxes = {t: W.Checkbox(value=False, description=self._box_label(t), indent=False,
                                    layout=W.Layout(margin="0 0 0 24px" if self.frame.themes[t].parent else "0"))
                      for t in self.themes}
        for t, box in self.boxes.items():
            box.observe(self._on_box, names="value")
            box.tooltip = self.frame.themes[t].description or self.frame.themes[t].label
        self.prev_button = W.Button(description="◀ Vorige", layout=W.Layout(width="140px"))
        self.confirm_button = W.Button(description="✓ Klopt, volgende", button_style="primary",
                                       layout=W.Layout(width="180px"))
        self.next_button = W.Button(description="Volgende ▶", layout=W.Layout(width="140px"))
        self.only_open = W.Checkbox(value=False, description="Alleen nog niet bevestigde", indent=False)
        self.prev_button.on_click(lambda _: self.previous())
        self.next_button.on_click(lambda _: self.next())
        self.confirm_button.on_click(lambda _: self.confirm())
        self.message = W.HTML()
        self.widget = W.VBox([self.title, self.progress, self.position, self.answer, self.meta,
                              W.VBox(list(self.boxes.values())),
                              W.HBox([self.prev_button, self.confirm_button, self.next_button, self.only_open]),
                              self.message])
        self.widget.add_class("peo-coding")
        self.show(0)

    def _box_label(self, t) -> str:
        th = self.frame.themes[t]
        return ("↳ " if th.parent else "") + th.label

    # -- state -----------------------------------------------------------------------------------
    @property
    def key(self):
        return self.keys[self.index] if self.keys else None

    def selected(self) -> list:
        """Theme ids ticked now."""
        return [t for t, b in self.boxes.items() if b.value]

    def progress_text(self) -> str:
        done, total = self.store.progress()
        return f"{done} van {total} gecodeerd"

    def show(self, index) -> None:
        """Show answer ``index`` (0-based; clipped to the answers)."""
        if not self.keys:
            self.answer.value = "<i>Geen antwoorden op deze vraag.</i>"
            self._refresh()
            return
        self.index = max(0, min(int(index), len(self.keys) - 1))
        key = self.key
        self._loading = True
        try:
            chosen = set(self.store.themes(key))
            for t, b in self.boxes.items():
                b.value = t in chosen
        finally:
            self._loading = False
        self.answer.value = html.escape(self.store.entries[key].text)
        self._refresh()

    def _refresh(self) -> None:
        self.progress.value = f"<b>{self.progress_text()}</b>"
        if not self.keys:
            self.position.value = self.meta.value = ""
            return
        n = self.given.get(self.key, 0)
        self.position.value = f"<span class='peo-note'>Antwoord {self.index + 1} van {len(self.keys)}</span>"
        self.meta.value = (f"<span class='peo-note'>{n} keer gegeven · status: "
                           f"{_STATUS_TEXT[self.store.status(self.key)]}</span>")
        self.prev_button.disabled = self._step(-1) is None
        self.next_button.disabled = self._step(+1) is None

    def _decide(self) -> None:
        self.store.set_themes(self.key, self.selected(), confirmed=True, frame=self.frame)
        if self.save_each:
            path = self.store.save()
            self.message.value = f"<span class='peo-note'>Opgeslagen in {html.escape(str(path))}</span>"

    def _on_box(self, change) -> None:
        if self._loading or not self.keys:
            return
        self._decide()
        self._refresh()

    # -- navigation ----------------------------------------------------------------------------
    def _step(self, direction):
        i = self.index + direction
        while 0 <= i < len(self.keys):
            if not self.only_open.value or self.store.status(self.keys[i]) != CONFIRMED:
                return i
            i += direction
        return None

    def next(self) -> None:
        """Show the next answer (with ``Alleen nog niet bevestigde``: the next one not confirmed)."""
        i = self._step(+1)
        if i is not None:
            self.show(i)

    def previous(self) -> None:
        i = self._step(-1)
        if i is not None:
            self.show(i)

    def confirm(self) -> None:
        """Confirm the ticked themes of the answer shown (none ticked: "no theme") and go to the next."""
        if not self.keys:
            return
        self._decide()
        i = self._step(+1)
        if i is not None:
            self.show(i)
        else:
            self._refresh()

    # -- suggestions ----------------------------------------------------------------------------
    def uncoded_texts(self) -> list:
        """The answers (one per respondent who gave it) that no rule and no researcher coded yet."""
        return [t for t in self.coding.answers if isinstance(t, str) and t.strip()
                and self.store.status(answer_key(self.store.round_id, t)) == UNCODED]

    def suggestions(self, **kwargs):
        """*Suggestions* for new themes from the uncoded answers (:func:`~peo_lib.stats.open_themes.suggest_themes`)."""
        from peo_lib.stats.open_themes import suggest_themes

        return suggest_themes(self.uncoded_texts(), **kwargs)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _data_dir(coding):
    from peo_lib.paths import data_dir_of

    return data_dir_of(coding.rnd)


def coding_widget(round_id, question, *, data_dir=None, cache_dir=None, scrubber=None, save=True) -> CodingWidget:
    """Load a round, scrub its answers (cached) and open the coding widget for one question.

    Parameters
    ----------
    round_id : str
        ``"2021-1"``.
    question : str
        Open-question id (``OPEN01``); its code frame must exist in ``DATA_DIR/codeframes``.
    data_dir : str or Path, optional
        Holds ``codebooks/``, ``raw/``, ``codeframes/`` and ``codering/`` (default: data/).
    cache_dir, scrubber : optional
        See :func:`peo_lib.privacy.scrub.scrub_open_answers`.
    save : bool
        Save the coding file after every decision.

    Returns
    -------
    CodingWidget
    """
    from pathlib import Path

    from peo_lib.data.rounds import load_round
    from peo_lib.paths import DATA_DIR, codebook_path, raw_dir
    from peo_lib.report.open_themes import question_coding

    data_dir = Path(DATA_DIR if data_dir is None else data_dir)
    rnd = load_round(codebook_path(round_id, data_dir), raw_dir(data_dir))
    qc = question_coding(rnd, question, data_dir=data_dir, cache_dir=cache_dir, scrubber=scrubber)
    return CodingWidget(qc, save=save)
