"""The meeting record: ``peo verslag YYYY-MM-DD``.

Reads ``DATA_DIR/bijeenkomsten/YYYY-MM-DD.yml`` (written by the dashboard's
``Bijeenkomst`` tab, :mod:`peo_lib.data.meetings`) and writes, per discussed
view, the figure as the dashboard shows it (drawn again from the
privacy-checked count tables: the same numbers, the same ``n<5``), its
sentence, the group's conclusion and the actions proposed at it, then all
proposed actions in one table::

    OUT/bijeenkomsten/YYYY-MM-DD/verslag.html   one offline file, figures embedded
    OUT/bijeenkomsten/YYYY-MM-DD/verslag.md     the same text; figures in figuren/
    OUT/bijeenkomsten/YYYY-MM-DD/figuren/*.png

The content is built as :mod:`peo_lib.report.structure` sections and rendered
by :func:`peo_lib.report.render_html.render_html`; the page passes
:func:`peo_lib.publish.html.check_offline_html` (no request leaves the
machine) or nothing is written. Privacy: every free text of the meeting
(conclusions, action titles and owners) goes through
:func:`peo_lib.privacy.scrub.scrub_texts` with the ``redact_terms`` of every
round's codebook before it reaches the record; figures hold only suppressed
aggregates. The folder is replaced as a whole (written beside it, then
renamed), so a failed run leaves the previous record intact. The page ends
with a provenance line (rounds with codebook and raw-file SHA-256, the meeting
file's SHA-256, package version, lock file, git commit, time).
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
from datetime import datetime
from pathlib import Path

__all__ = ["write_verslag", "build_verslag", "verslag_dir"]

_MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"]
_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; max-width: 980px;
       margin: 24px auto; padding: 0 16px; line-height: 1.45; }
h1 { font-size: 1.8em; } h2 { margin-top: 2em; border-top: 1px solid #ccc; padding-top: .8em; }
.peo-note { color: #444; } .peo-sentence-main { font-size: 1.1em; }
.peo-conclusion { background: #f3f7f6; border-left: 4px solid #01665e; padding: .5em .8em; }
.peo-table { border-collapse: collapse; } .peo-table th, .peo-table td { border: 1px solid #bbb;
       padding: .3em .5em; text-align: left; vertical-align: top; }
.peo-provenance { color: #555; font-size: .85em; margin-top: 3em; }
"""


def verslag_dir(date, *, out_dir=None) -> Path:
    """``OUT/bijeenkomsten/YYYY-MM-DD``."""
    from peo_lib import paths
    from peo_lib.data.meetings import MEETINGS_FOLDER, check_date

    return Path(out_dir if out_dir is not None else paths.OUT_DIR) / MEETINGS_FOLDER / check_date(date)


def _dutch_date(d) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _scrubbed(meeting, codebooks) -> dict:
    """Free text -> its scrubbed version (names, e-mail, phone, places, the codebooks' redact_terms)."""
    from peo_lib.privacy.scrub import scrub_texts

    terms = sorted({t for cb in codebooks for t in (cb.privacy.redact_terms or [])})
    texts = [n.conclusie for n in meeting.onderwerpen] + [a.titel for a in meeting.acties]
    texts += [a.eigenaar for a in meeting.acties]
    texts = [t for t in dict.fromkeys(texts) if t and t.strip()]
    return dict(zip(texts, scrub_texts(texts, redact_terms=terms))) if texts else {}


def _provenance(meeting_path: Path, codebooks, data_dir) -> str:
    from peo_lib import __version__, paths
    from peo_lib.data.codebook import codebook_hash
    from peo_lib.data.readers import sha256_file
    from peo_lib.report.provenance_line import LOCK_FILE, git_commit, lock_sha256

    parts = []
    for cb in codebooks:
        try:
            raw = sha256_file(cb.raw_file(paths.raw_dir(data_dir)))
        except OSError:
            raw = "onbekend"
        parts.append(f"ronde {cb.round} (codeboek SHA-256 {codebook_hash(cb)}, ruwe data SHA-256 {raw})")
    now = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z")
    return (f"Herkomst: {'; '.join(parts)} · bijeenkomst {meeting_path.name} SHA-256 "
            f"{hashlib.sha256(meeting_path.read_bytes()).hexdigest()} · peo_lib {__version__} · {LOCK_FILE} "
            f"SHA-256 {lock_sha256()} · git commit {git_commit()} · gemaakt {now}")


def build_verslag(date, *, data_dir=None):
    """The record as report sections.

    Returns
    -------
    (Section, list of (file name, PNG bytes), str, Meeting)
        The section tree, the figures, the provenance line, and the meeting.

    Raises
    ------
    MeetingError
        No or an invalid meeting file (it is validated against the codebooks).
    """
    import pandas as pd

    from peo_lib import paths
    from peo_lib.dashboard.model import _Model
    from peo_lib.dashboard.tables import load_tables
    from peo_lib.dashboard.views import ViewRenderer, breakdown_label, find_view, png_name
    from peo_lib.data.codebook import read_codebook
    from peo_lib.data.meetings import meeting_path, read_meeting
    from peo_lib.report.structure import Bullets, Figure, Heading, Paragraph, Section, Table

    codebooks = [read_codebook(f) for f in paths.codebook_files(data_dir)]
    meeting = read_meeting(date, data_dir=data_dir, codebooks=codebooks)
    scrub = _scrubbed(meeting, codebooks)
    clean = lambda text: scrub.get(text, text)  # noqa: E731 - empty texts are not scrubbed
    discussed = [n for n in meeting.onderwerpen]
    rounds = sorted({n.ronde for n in discussed})
    tables = load_tables(data_dir) if discussed else {}
    renderer = ViewRenderer(_Model(tables)) if discussed else None
    top = Section(title=f"Verslag PJH-bijeenkomst {_dutch_date(meeting.datum)}", level=1)
    top.add(Paragraph(f"Besproken: {len(discussed)} figuren uit {len(rounds)} ronde(s); "
                      f"{len(meeting.acties)} verbeteractie(s) voorgesteld. Groepen van minder dan het minimum "
                      "aantal personen staan in de figuren als n<5; namen en andere persoonsgegevens in de "
                      "teksten zijn vervangen (bijvoorbeeld door [naam]).", kind="note"))
    figures = []
    for k, note in enumerate(discussed, start=1):
        view = find_view(tables[note.ronde], note.onderwerp)
        sec = Section(title=f"{k}. {view.label if view else note.onderwerp}", level=2)
        if view is not None:
            png = renderer.full_png(view, note.uitsplitsing)
            name = png_name(f"{k:02d}", note.ronde, note.onderwerp.split(":", 1)[1], note.uitsplitsing)
            figures.append((name, png))
            sentence = renderer.sentence(view, note.uitsplitsing)
            how = ("zonder uitsplitsing" if note.uitsplitsing == "geen"
                   else f"uitgesplitst naar {breakdown_label(note.uitsplitsing).lower()}")
            sec.add(Paragraph(f"Ronde {note.ronde} · {how}", kind="note"),
                    Figure(name=name, png=png, alt=f"{view.label}. {sentence}", width=900),
                    Paragraph(sentence, css_class="peo-sentence-main"))
        sec.add(Heading("Conclusie van de groep", level=3),
                Paragraph(clean(note.conclusie) if note.conclusie.strip() else "Geen conclusie genoteerd.",
                          css_class="peo-conclusion"))
        mine = [a for a in meeting.acties if a.onderwerp == note.onderwerp]
        if mine:
            sec.add(Heading("Voorgestelde verbeteracties", level=3),
                    Bullets([f"{a.id}: {clean(a.titel)} (eigenaar: {clean(a.eigenaar)}; vanaf ronde "
                             f"{a.ronde_start})" for a in mine]))
        top.add(sec)
    rows = [dict(id=a.id, titel=clean(a.titel), eigenaar=clean(a.eigenaar), start=a.ronde_start,
                 hoort=", ".join([*a.schalen, *a.items]) or "-",
                 status="in het register" if a.overgenomen else "voorgesteld") for a in meeting.acties]
    acties = Section(title="Alle voorgestelde verbeteracties", level=2)
    if rows:
        acties.add(Table(pd.DataFrame(rows), [("id", "Id"), ("titel", "Titel"), ("eigenaar", "Eigenaar"),
                                              ("start", "Startronde"), ("hoort", "Schalen en stellingen"),
                                              ("status", "Status")], small="n<5",
                         caption="Voorgestelde verbeteracties"),
                   Paragraph("Een voorstel komt pas in het register met `peo actions accept DATUM`.", kind="note"))
    else:
        acties.add(Paragraph("Er zijn geen verbeteracties voorgesteld."))
    top.add(acties)
    used = [cb for cb in codebooks if cb.round in rounds] or codebooks
    prov = _provenance(meeting_path(date, data_dir=data_dir), used, data_dir)
    return top, figures, prov, meeting


def _page(section, prov: str) -> str:
    from peo_lib.report.render_html import render_html

    title = html.escape(section.title or "Verslag")
    return (f'<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
            f"<style>{_CSS}</style></head><body><main>{render_html(section)}</main>"
            f'<p class="peo-provenance">{html.escape(prov)}</p></body></html>\n')


def _markdown(section, prov: str) -> str:
    """The same content as Markdown (figures as files in ``figuren/``)."""
    from peo_lib.report.structure import Bullets, Figure, Heading, Paragraph, Section, Table

    out = []

    def walk(block, level):
        if isinstance(block, Section):
            if block.title:
                out.append(f"{'#' * block.level} {block.title}\n")
            for b in block.blocks:
                walk(b, block.level)
        elif isinstance(block, Heading):
            out.append(f"{'#' * block.level} {block.text}\n")
        elif isinstance(block, Paragraph):
            out.append(("> " if block.css_class == "peo-conclusion" else "") + block.text + "\n")
        elif isinstance(block, Bullets):
            out.append("\n".join(f"- {i}" for i in block.items) + "\n")
        elif isinstance(block, Figure):
            out.append(f"![{block.alt}](figuren/{block.name})\n")
        elif isinstance(block, Table):
            cols = block.columns
            out.append("| " + " | ".join(c.header for c in cols) + " |")
            out.append("|" + "---|" * len(cols))
            for rec in block.data.to_dict("records"):
                out.append("| " + " | ".join(str(rec.get(c.source, "")).replace("|", "/") for c in cols) + " |")
            out.append("")

    walk(section, 1)
    out.append(f"---\n\n{prov}\n")
    return "\n".join(out)


def write_verslag(date, *, data_dir=None, out_dir=None) -> Path:
    """Write the meeting record of ``date`` (see the module docstring); returns the HTML path.

    Raises
    ------
    MeetingError
        No or an invalid meeting file.
    ReportError
        The page would load something from the network (nothing is written).
    """
    from peo_lib.errors import ReportError
    from peo_lib.publish.html import check_offline_html

    section, figures, prov, _ = build_verslag(date, data_dir=data_dir)
    page = _page(section, prov)
    bad = check_offline_html(page)
    if bad:
        raise ReportError(f"the meeting record would load {len(bad)} external resource(s), e.g. {bad[0]!r}; "
                          "nothing written")
    target = verslag_dir(date, out_dir=out_dir)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "figuren").mkdir(parents=True)
    try:
        (tmp / "verslag.html").write_text(page, encoding="utf-8")
        (tmp / "verslag.md").write_text(_markdown(section, prov), encoding="utf-8")
        for name, png in figures:
            (tmp / "figuren" / name).write_bytes(png)
        old = target.with_name(f".{target.name}.{os.getpid()}.old")
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target / "verslag.html"
