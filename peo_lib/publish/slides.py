"""The slide deck of a round for partners and the next PJH meeting: ``OUT/ROUND/presentatie.pptx``.

``peo slides ROUND`` (:func:`write_slides`) builds the round's report object
(:func:`peo_lib.report.round.build_report`) and turns its sections into slides with python-pptx;
nothing is computed again and nothing is suppressed here. Every number, chart and sentence comes from
the report's suppressed tables, its chart functions (:mod:`peo_lib.report.plots`) and the sentences of
:mod:`peo_lib.sentences`; the improvement actions come from the register
(:mod:`peo_lib.data.register`).

The deck (16:9, Dutch):

1. title slide (round, theme, fieldwork, respondents; the demo notice for demo data);
2. "In het kort": the key findings (:mod:`peo_lib.report.findings`);
3. one slide per core scale: the answer distribution of its statements (the report's Likert chart,
   suppressed rows drawn as ``n<5``), its mean and the sentences about starters vs experienced and the
   change since the previous round;
4. one slide per chart of the theme block;
5. starters vs experienced: the report's chart of the scale means with their intervals;
6. what changed since the previous round (the report's verdict table);
7. the status of the verbeteracties;
8. how to read the figures and where everything else is.

Charts are drawn at :data:`SLIDE_DPI` (sharp on a 1920 px projector) through the report's own figure
hook, so they are the report's figures at a higher resolution. Every chart has its alt text (the
picture's description) and its main numbers in the speaker notes; every slide's notes end with the
provenance line. No open answer and no respondent id is ever put on a slide.

Decision: the deck is written into ``OUT/ROUND`` beside the summary (design.md), atomically (a temporary
file in the same folder, then one rename, under the round's output lock).
"""

from __future__ import annotations

import html
import io
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from peo_lib.report.round import RoundReport
from peo_lib.report.structure import Figure, Paragraph, Table
from peo_lib.vocab import CORE_BLOCK, REGISTER_FILE, SLIDES_PPTX

__all__ = ["SlideContent", "deck_contents", "render_deck", "write_slides", "SLIDE_DPI", "SLIDES_PPTX"]

#: Resolution of the charts on the slides (the report's 17 cm wide figures become about 1470 px wide).
SLIDE_DPI = 220
_WIDTH_IN, _HEIGHT_IN = 13.333, 7.5
_MARGIN_IN = 0.5
_TOP_IN = 1.35  # below the slide title
_TITLE_PT, _BODY_PT, _TABLE_PT = 32, 20, 16
_DARK = (0x22, 0x22, 0x22)
_ACCENT = (0x01, 0x66, 0x5E)  # the report's darkest teal (BrBG)
_STATUS_WORDS = {"gepland": "gepland", "lopend": "lopend", "afgerond": "afgerond"}


@dataclass
class SlideContent:
    """What one slide shows, independent of python-pptx.

    ``kind`` is ``"title"`` (the title slide) or ``"content"``; ``lines`` are sentences (a list of
    bullets when ``bullets`` is True); ``figure`` a report :class:`~peo_lib.report.structure.Figure`;
    ``table`` a report :class:`~peo_lib.report.structure.Table` (already suppressed); ``notes`` the
    speaker notes (the provenance line is added when the deck is rendered).
    """

    title: str
    kind: str = "content"
    lines: list = field(default_factory=list)
    bullets: bool = False
    figure: Figure | None = None
    table: Table | None = None
    notes: list = field(default_factory=list)

    @property
    def is_chart(self) -> bool:
        return self.figure is not None


class _SlideReport(RoundReport):
    """The round report with its figures drawn at :data:`SLIDE_DPI` (and never written to a folder)."""

    def _figure(self, name, fig, *, alt):
        from peo_lib.report.plots import figure_png

        png = figure_png(fig, dpi=SLIDE_DPI)
        width_px = int(round(fig.get_figwidth() * SLIDE_DPI))
        fig.clear()
        return Figure(name, png, alt=alt, width=width_px)


def _slide_report(round_id, *, data_dir, min_n) -> _SlideReport:
    from peo_lib.report.round import build_report

    base = build_report(round_id, data_dir=data_dir, min_n=min_n)
    return _SlideReport(base.rnd, min_n=base.min_n, previous=base.previous, previous_note=base.previous_note,
                        demo=base.demo)


# ----------------------------------------------------------------------
# the contents: report sections -> slides
# ----------------------------------------------------------------------

def _core_scales(rep) -> list[str]:
    cb = rep.rnd.codebook
    return [s for s, sc in cb.scales.items() if all(cb.items[i].block == CORE_BLOCK for i in sc.items)]


def _row(table, key, value):
    if table is None or not len(table):
        return None
    part = table[table[key] == value]
    return None if part.empty else part.iloc[0].to_dict()


def _scale_chart(rep, scale_id) -> Figure | None:
    """The report's Likert chart of one scale's statements (None when their answers have over 9 values)."""
    from peo_lib.report.plots import likert_alt, likert_chart
    from peo_lib.report.tables import MAX_LIKERT_VALUES, _likert_wide

    cb = rep.rnd.codebook
    sc = cb.scales[scale_id]
    if len(cb.response_set_of(sc.items[0]).values) > MAX_LIKERT_VALUES:
        return None
    wide, cats, miss = _likert_wide(rep.distributions, rep.rnd, list(sc.items))
    title = f"{sc.label}: verdeling van de antwoorden"
    fig = likert_chart(wide, categories=cats, missing_categories=miss, small_label=rep.small, title=title)
    return rep._figure(f"schaal_{scale_id}", fig, alt=likert_alt(wide, categories=cats, title=title,
                                                                 small_label=rep.small))


def _scale_lines(rep, scale_id) -> list[str]:
    """The scale's mean, starters vs experienced, and the change since the previous round (shown rows only)."""
    from peo_lib.formatting import format_nl
    from peo_lib.sentences import plain_change_sentence, plain_group_sentence, scale_span_phrase

    lo, hi = rep.value_ranges.get(scale_id, (1, 5))
    rec = _row(rep.scales, "scale", scale_id)
    if rec is None or rec["suppressed"]:
        return [f"Te weinig respondenten voor een gemiddelde ({rep.small})."]
    lines = [f"Gemiddeld {format_nl(rec['mean'])} {scale_span_phrase(lo, hi)} (marge {format_nl(rec['ci_low'])} "
             f"tot {format_nl(rec['ci_high'])}; {int(rec['n_scored'])} respondenten)."]
    cmp = _row(rep.comparison[rep.comparison["kind"] == "scale"] if len(rep.comparison) else None, "id", scale_id)
    if cmp is not None and not cmp["suppressed"]:
        lines.append(plain_group_sentence(cmp, lo=lo, hi=hi))
    ch = rep.change
    chg = _row(ch[ch["kind"] == "scale"] if ch is not None and len(ch) else None, "id", scale_id)
    if chg is not None and not chg["suppressed"]:
        lines.append(plain_change_sentence(chg, lo=lo, hi=hi))
    return lines


def _theme_slides(rep) -> list[SlideContent]:
    cb = rep.rnd.codebook
    if cb.theme not in cb.blocks:
        return [SlideContent(f"Thema: {rep.theme_title}", lines=["Deze ronde heeft geen themavragen."])]
    found = [f.sentence for f in rep.findings if f.rule == "theme"]
    scale_lines = [b.text for b in rep.theme_section().walk() if isinstance(b, Paragraph)
                   and b.text.startswith("Themaschaal")]
    figures = [b for b in rep.likert_figures(cb.theme) if isinstance(b, Figure)]
    lines = found + scale_lines or [f"Het thema van deze ronde is ‘{rep.theme_title}’."]
    return [SlideContent(f"Thema: {rep.theme_title}", lines=lines if k == 0 else [], figure=fig, notes=[fig.alt])
            for k, fig in enumerate(figures)] or [SlideContent(f"Thema: {rep.theme_title}", lines=lines)]


def _experience_slide(rep) -> SlideContent:
    from peo_lib.report.audience_sections import _clear
    from peo_lib.sentences import others_not_different_sentence, plain_group_sentence

    title = "Startende en ervaren professionals"
    cmp = rep.comparison
    if cmp.empty:
        return SlideContent(title, lines=["Ervaringsjaren zijn in deze ronde niet gevraagd: geen vergelijking "
                                          "mogelijk."])
    recs = cmp[cmp["kind"] == "scale"].to_dict("records")
    clear = [r for r in recs if _clear(r)]
    lines = [plain_group_sentence(r, **rep._span(r)) for r in clear]
    rest = sum(1 for r in recs if not r["suppressed"] and not _clear(r))
    if rest:
        lines.append(others_not_different_sentence(rest, "scale", any_shown=bool(clear)))
    if not clear and not rest:
        lines.append(f"Te weinig startende of ervaren professionals voor een vergelijking ({rep.small}).")
    fig = rep.scale_figure()
    return SlideContent(title, lines=lines, figure=fig, notes=[fig.alt])


def _change_slide(rep) -> SlideContent:
    from peo_lib.report.audience_sections import _clear
    from peo_lib.report.handout import _change
    from peo_lib.sentences import others_no_change_sentence, plain_change_sentence

    if rep.previous is None:
        return SlideContent("Wat is veranderd", lines=[rep.previous_note or "Er is geen eerdere ronde om mee te "
                                                       "vergelijken."])
    r0 = rep.previous.id
    blocks = _change(rep)
    table = next((b for b in blocks if isinstance(b, Table)), None)
    lines = [b.text for b in blocks if isinstance(b, Paragraph)]
    ch = rep.change
    if table is not None and ch is not None and len(ch):
        recs = ch[ch["kind"] == "scale"].to_dict("records")
        clear = [r for r in recs if _clear(r)]
        lines = [plain_change_sentence(r, **rep._span(r)) for r in clear]
        rest = sum(1 for r in recs if not r["suppressed"] and not _clear(r))
        if rest:
            lines.append(others_no_change_sentence(rest, "scale", previous=r0, any_shown=bool(clear)))
    return SlideContent(f"Wat is veranderd sinds {r0}", lines=lines, table=table)


def _actions_slide(rep, data_dir) -> SlideContent:
    """The register's actions with their status (read and validated as the register rules say)."""
    import pandas as pd

    from peo_lib import paths
    from peo_lib.data.codebook import read_codebook
    from peo_lib.data.register import STATUSES, read_register
    from peo_lib.sentences import join_words

    title = "Verbeteracties: stand van zaken"
    path = Path(data_dir if data_dir is not None else paths.DATA_DIR) / REGISTER_FILE
    if not path.is_file():
        return SlideContent(title, lines=["Er zijn nog geen verbeteracties vastgelegd (verbeteracties.yml)."])
    books = [read_codebook(f) for f in paths.codebook_files(data_dir)]
    register = read_register(path, codebooks=books)
    frame = register.to_frame()
    if frame.empty:
        return SlideContent(title, lines=["Er zijn nog geen verbeteracties vastgelegd."])
    counts = frame["status"].value_counts()
    parts = [f"{int(counts[s])} {_STATUS_WORDS[s]}" for s in STATUSES if s in counts]
    noun = "verbeteractie" if len(frame) == 1 else "verbeteracties"
    lines = [f"{len(frame)} {noun} in het register: {join_words(parts)}."]
    frame = frame.assign(start=frame["ronde_start"].map(lambda r: f"ronde {r}"))
    table = Table(pd.DataFrame(frame), [("titel", "Verbeteractie", "text"), ("eigenaar", "Eigenaar", "text"),
                                        ("start", "Start", "text"), ("status", "Status", "text")],
                  small=rep.small, caption="Verbeteracties")
    return SlideContent(title, lines=lines, table=table)


def deck_contents(rep, *, data_dir=None) -> list[SlideContent]:
    """The slides of a round's deck (see the module docstring), from a report object.

    Parameters
    ----------
    rep : RoundReport
        From :func:`peo_lib.report.round.build_report` (its figures are used as it draws them).
    data_dir : str or Path, optional
        Where ``verbeteracties.yml`` is (default: ``paths.DATA_DIR``).

    Returns
    -------
    list of SlideContent
    """
    cb = rep.rnd.codebook
    title = rep.title()
    under = [b.text for b in title.blocks if isinstance(b, Paragraph)]
    slides = [SlideContent(title.title, kind="title", lines=under),
              SlideContent("In het kort", lines=[f.sentence for f in rep.findings], bullets=True,
                           notes=["Duidelijk = een verschil dat geen toeval lijkt."])]
    for s in _core_scales(rep):
        fig = _scale_chart(rep, s)
        slides.append(SlideContent(cb.scales[s].label, lines=_scale_lines(rep, s), figure=fig,
                                   notes=[fig.alt] if fig is not None else []))
    slides += _theme_slides(rep)
    slides.append(_experience_slide(rep))
    slides.append(_change_slide(rep))
    slides.append(_actions_slide(rep, data_dir))
    slides.append(SlideContent("Zo lees je de cijfers", bullets=True, lines=[
        "Duidelijk verschil: een verschil dat geen toeval lijkt (getoetst, met correctie voor het aantal toetsen).",
        f"{rep.small}: te weinig respondenten in een groep (minder dan {rep.min_n}); die cijfers tonen we niet.",
        "‘Weet ik niet’ en ‘Niet van toepassing’ tellen niet mee in de percentages.",
        "Alle tabellen, de open antwoorden en de verantwoording: samenvatting.html en tabellen.xlsx.",
    ]))
    return slides


# ----------------------------------------------------------------------
# rendering with python-pptx
# ----------------------------------------------------------------------

def _lines_height(lines, *, width_in, pt) -> float:
    """Inches a wrapped text needs (an estimate: average glyph width about half the font size)."""
    per_line = max(20, int(width_in * 72 / (pt * 0.52)))
    n = sum(max(1, -(-len(t) // per_line)) for t in lines)
    return n * pt * 1.25 / 72 + (0.12 * len(lines))


def _text_box(slide, lines, *, left, top, width, height, pt, bullets=False, bold=False, colour=_DARK):
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    for k, text in enumerate(lines):
        par = frame.paragraphs[0] if k == 0 else frame.add_paragraph()
        run = par.add_run()
        run.text = ("• " if bullets else "") + str(text)
        run.font.size = Pt(pt)
        run.font.bold = bold
        run.font.color.rgb = RGBColor(*colour)
        par.space_after = Pt(pt * 0.5)
    return box


def _set_title(slide, text, *, top=0.3, height=1.0, pt=_TITLE_PT):
    from pptx.dml.color import RGBColor
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

    shape = slide.shapes.title
    shape.left, shape.top = Inches(_MARGIN_IN), Inches(top)
    shape.width, shape.height = Inches(_WIDTH_IN - 2 * _MARGIN_IN), Inches(height)
    shape.text_frame.word_wrap = True
    shape.text = text
    for par in shape.text_frame.paragraphs:
        par.alignment = PP_ALIGN.LEFT
        for run in par.runs:
            run.font.size = Pt(pt)
            run.font.bold = True
            run.font.color.rgb = RGBColor(*_ACCENT)


def _png_size(fig: Figure) -> tuple[int, int]:
    from PIL import Image

    return Image.open(io.BytesIO(fig.png)).size


def _picture(slide, fig: Figure, *, left, top, width, height):
    """The chart, as large as its box allows (aspect kept, centred in the box), with its alt text."""
    from pptx.util import Inches

    w_px, h_px = _png_size(fig)
    scale = min(width / w_px, height / h_px)
    w, h = w_px * scale, h_px * scale
    pic = slide.shapes.add_picture(io.BytesIO(fig.png), Inches(left + (width - w) / 2), Inches(top),
                                   Inches(w), Inches(h))
    pic._element.nvPicPr.cNvPr.set("descr", fig.alt)  # the alt text PowerPoint and LibreOffice read
    pic.name = fig.name
    return pic


def _chart_layout(content: SlideContent) -> dict:
    """Text above the chart, or in a column left of it: whichever gives the larger chart."""
    w_px, h_px = _png_size(content.figure)
    full = _WIDTH_IN - 2 * _MARGIN_IN
    pt = _BODY_PT - 2
    above = _lines_height(content.lines, width_in=full, pt=pt) if content.lines else 0.0
    box_above = (full, _HEIGHT_IN - _TOP_IN - above - 0.35)
    col = 4.1
    box_left = (full - col - 0.25, _HEIGHT_IN - _TOP_IN - 0.25)
    fits_left = _lines_height(content.lines, width_in=col, pt=pt) <= box_left[1]

    def scale(box):
        return min(box[0] / w_px, box[1] / h_px)

    if content.lines and fits_left and scale(box_left) > scale(box_above) * 1.08:
        return dict(pt=pt, text=(_MARGIN_IN, _TOP_IN, col, box_left[1]),
                    chart=(_MARGIN_IN + col + 0.25, _TOP_IN, *box_left))
    return dict(pt=pt, text=(_MARGIN_IN, _TOP_IN, full, above),
                chart=(_MARGIN_IN, _TOP_IN + above + 0.1, *box_above))


def _table(slide, t: Table, *, top):
    """A report table as a native pptx table (the report's cell formats; hidden cells show ``n<5``)."""
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

    from peo_lib.report.render_html import format_cell

    recs = t.data.to_dict("records")
    rows, cols = len(recs) + 1, len(t.columns)
    width = _WIDTH_IN - 2 * _MARGIN_IN
    row_h = 0.42
    shape = slide.shapes.add_table(rows, cols, Inches(_MARGIN_IN), Inches(top), Inches(width),
                                   Inches(min(row_h * rows, _HEIGHT_IN - top - 0.3)))
    table = shape.table
    first = 0.42 if cols > 3 else 0.55
    table.columns[0].width = Inches(width * first)
    for k in range(1, cols):
        table.columns[k].width = Inches(width * (1 - first) / (cols - 1))
    for k, c in enumerate(t.columns):
        table.cell(0, k).text = c.header
    for r, rec in enumerate(recs, start=1):
        hidden = bool(rec.get(t.hidden_col)) if t.hidden_col in rec else False
        for k, c in enumerate(t.columns):
            value = rec.get(c.source)
            if c.kind != "text" and hidden and (t.row_small_cols is None or c.source in t.row_small_cols):
                value = float("nan")
            table.cell(r, k).text = html.unescape(format_cell(value, c.kind, t.small)[0])
    pt = _TABLE_PT if rows <= 9 else 13
    for r in range(rows):
        for k in range(cols):
            for par in table.cell(r, k).text_frame.paragraphs:
                par.alignment = PP_ALIGN.LEFT if t.columns[k].kind == "text" else PP_ALIGN.RIGHT
                for run in par.runs:
                    run.font.size = Pt(pt)
    shape.name = t.caption or "Tabel"
    return shape


def _render_slide(prs, content: SlideContent, provenance: str):
    if content.kind == "title":
        slide = prs.slides.add_slide(prs.slide_layouts[0])
        _set_title(slide, content.title, top=2.2, height=1.6, pt=40)
        for ph in list(slide.placeholders):
            if ph.placeholder_format.idx != 0:
                ph._element.getparent().remove(ph._element)
        _text_box(slide, content.lines, left=_MARGIN_IN, top=4.0, width=_WIDTH_IN - 2 * _MARGIN_IN, height=2.5,
                  pt=22)
    else:
        slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only": the slide title is a real title
        _set_title(slide, content.title)
        if content.figure is not None:
            lay = _chart_layout(content)
            if content.lines:
                left, top, width, height = lay["text"]
                _text_box(slide, content.lines, left=left, top=top, width=width, height=height, pt=lay["pt"],
                          bullets=content.bullets)
            left, top, width, height = lay["chart"]
            _picture(slide, content.figure, left=left, top=top, width=width, height=height)
        else:
            top = _TOP_IN
            if content.lines:
                width = _WIDTH_IN - 2 * _MARGIN_IN
                height = _lines_height(content.lines, width_in=width, pt=_BODY_PT)
                _text_box(slide, content.lines, left=_MARGIN_IN, top=top, width=width, height=height, pt=_BODY_PT,
                          bullets=content.bullets)
                top += height + 0.1
            if content.table is not None:
                _table(slide, content.table, top=top)
    notes = slide.notes_slide.notes_text_frame
    notes.text = "\n\n".join([*content.notes, provenance])
    return slide


def render_deck(contents, *, provenance: str) -> bytes:
    """The .pptx bytes of a list of :class:`SlideContent` (16:9; the provenance line in every slide's notes).

    Parameters
    ----------
    contents : list of SlideContent
    provenance : str
        The provenance line (:func:`peo_lib.report.provenance_line.provenance_paragraph`).

    Returns
    -------
    bytes
    """
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(_WIDTH_IN), Inches(_HEIGHT_IN)
    prs.core_properties.title = contents[0].title if contents else "PEO"
    prs.core_properties.language = "nl-NL"
    prs.core_properties.author = "PEO-werkplaats"
    for content in contents:
        _render_slide(prs, content, provenance)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def write_slides(round_id, *, data_dir=None, out_dir=None, min_n=None) -> Path:
    """Write ``OUT/ROUND/presentatie.pptx``: the round's slides for partners and the next PJH meeting.

    Parameters
    ----------
    round_id : str
        ``"2023-1"``; the codebook is ``DATA_DIR/codebooks/ROUND.yml``.
    data_dir : str or Path, optional
        Holds ``codebooks/``, ``raw/`` and ``verbeteracties.yml`` (default: ``data/`` or ``$PEO_DATA_DIR``).
    out_dir : str or Path, optional
        The output root (default: ``outputs/`` or ``$PEO_OUT_DIR``).
    min_n : int, optional
        Stricter than the codebook's ``privacy.min_n`` (never looser).

    Returns
    -------
    Path
        The deck. It is replaced in one rename; a failure leaves an older deck intact.

    Raises
    ------
    PEOError
        Unknown round, bad codebook, raw file or register, or an output folder that cannot be written.
    """
    from peo_lib import paths
    from peo_lib.publish.install import build_dir, check_out_dir, output_lock
    from peo_lib.report.provenance_line import provenance_paragraph

    round_id = paths.check_round_id(round_id)
    root = check_out_dir(out_dir if out_dir is not None else paths.OUT_DIR,
                         data_dir=data_dir if data_dir is not None else paths.DATA_DIR)
    rep = _slide_report(round_id, data_dir=data_dir, min_n=min_n)
    data = render_deck(deck_contents(rep, data_dir=data_dir), provenance=provenance_paragraph(rep.prov).text)
    target = root / round_id / SLIDES_PPTX
    tmp = build_dir(root, f"{round_id}-slides")  # removed by a later run if this process is killed
    try:
        (tmp / SLIDES_PPTX).write_bytes(data)
        with output_lock(root, round_id):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / SLIDES_PPTX, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
