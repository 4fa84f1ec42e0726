"""The 2-page A4 handout of a round: ``OUT/ROUND/samenvatting.pdf``.

Made from the same section objects as the HTML summary (a new flavour, not a new copy of the
tables): "In het kort", the core scales with starters vs experienced, the theme's headline, what
changed since the previous round, and the provenance line. Every figure comes from the report's
suppressed tables. The page is rendered by :func:`peo_lib.report.render_html.render_html`, styled
with the report's CSS plus a compact print style, and printed to PDF by Debian's chromium
(``chromium --headless --print-to-pdf``, no network, no Playwright at run time). Without a
chromium on the PATH no PDF is written (a warning says why); the HTML summary is unaffected.
"""

from __future__ import annotations

import html as htmllib
import re
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

import pandas as pd

from peo_lib.report.render_html import render_html
from peo_lib.report.structure import Bullets, Paragraph, Section, Table
from peo_lib.sentences import shown_difference, top2_phrase

__all__ = ["handout_sections", "handout_html", "write_pdf", "start_pdf", "PdfJob", "pdf_page_count", "HANDOUT_PDF",
           "find_chromium"]

HANDOUT_PDF = "samenvatting.pdf"

_CSS = """
@page { size: A4; margin: 13mm 14mm 13mm; }
html { font-size: 9.6pt; }
main { max-width: none; padding: 0; }
h1 { font-size: 1.55rem; margin-bottom: 0.15em; }
h2 { font-size: 1.15rem; margin: 0.9em 0 0.3em; }
table { font-size: 0.88rem; margin: 0.2em 0 0.5em; }
td, thead th, tbody th { padding: 2px 6px; }
.peo-findings { font-size: 1rem; }
.peo-provenance { margin-top: 1em; font-size: 0.72rem; }
p, li { max-width: none; }
table, ul, .peo-provenance { break-inside: avoid; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
"""


def _core_scales(rep) -> list[str]:
    cb = rep.rnd.codebook
    return [s for s, sc in cb.scales.items() if all(cb.items[i].block == "kern" for i in sc.items)]


def _scales_table(rep) -> Table | Paragraph:
    """Core scales: all respondents, starters, experienced, their shown difference and the verdict."""
    from peo_lib.report.round import _verdict

    core = _core_scales(rep)
    sc = rep.scales.set_index("scale")
    cmp = rep.comparison
    cmp = cmp[cmp["kind"] == "scale"].set_index("id") if len(cmp) else pd.DataFrame()
    rows = []
    for s in core:
        r = sc.loc[s]
        rec = dict(label=r["label"], mean=r["mean"], suppressed=bool(r["suppressed"]))
        if s in cmp.index:
            c = cmp.loc[s].to_dict()
            hidden = bool(c["suppressed"])
            rec.update(m1=c["mean1"], m2=c["mean2"],
                       diff=float("nan") if hidden else shown_difference(c["mean1"], c["mean2"]),
                       verdict=_verdict(c, rep.small))
        else:
            rec.update(m1=float("nan"), m2=float("nan"), diff=float("nan"), verdict="–")
        rows.append(rec)
    if not rows:
        return Paragraph("Deze ronde heeft geen kernschalen.", "note")
    lo, hi = rep._scale_range()
    return Table(pd.DataFrame(rows), [("label", "Schaal", "text"), ("mean", "Alle", "mean"),
                                      ("m1", "Startend", "mean"), ("m2", "Ervaren", "mean"),
                                      ("diff", "Verschil", "diff"), ("verdict", "Duidelijk verschil?", "text")],
                 small=rep.small, row_small_cols={"mean"},
                 caption=f"Kernschalen: gemiddelde score ({lo} tot {hi})")


def _theme(rep) -> list:
    found = [f for f in rep.findings if f.rule == "theme"]
    th = rep.theme
    if th.empty:
        return [Paragraph("Deze ronde heeft geen themavragen.", "note")]
    agree = [i for i in th["item"] if top2_phrase(rep._labels(i)) == "(helemaal) eens"]
    part = th[th["item"].isin(agree)].sort_values("top2_pct", ascending=False)
    out = []  # the theme's headline sentence is in "In het kort" already (when a rule chose it)
    if not found and len(th):
        out.append(Paragraph(f"Het thema van deze ronde is ‘{rep.theme_title}’.", "note"))
    if len(part):
        out.append(Table(part, [("text", "Stelling", "text"), ("top2_pct", "% (helemaal) eens", "pct")],
                         small=rep.small, caption=f"Thema {rep.theme_title}: % (helemaal) eens"))
    return out


def _change(rep) -> list:
    ch = rep.change
    if rep.previous is None or ch is None or ch.empty:
        return [rep.change_section()]
    part = ch[ch["kind"] == "scale"]
    if part.empty:
        return [Paragraph(f"Geen schalen die in {rep.previous.id} op dezelfde manier gemeten zijn.", "note")]
    r0, r1 = rep.previous.id, rep.rnd.id
    return [rep._verdict_table(part, first="Schaal", means=[("mean2", f"Gem. {r0}"), ("mean1", f"Gem. {r1}")],
                               verdict="Duidelijk veranderd?", caption=f"Schalen: {r0} en {r1}")]


def handout_sections(rep) -> list[Section]:
    """The handout's sections (title, In het kort, core scales, theme, change, provenance)."""
    title = rep.title()
    prev = rep.previous.id if rep.previous is not None else None
    return [
        title,
        Section([Bullets([f.sentence for f in rep.findings], css_class="peo-findings")], title="In het kort"),
        Section([_scales_table(rep)], title="Kernschalen: startende en ervaren professionals"),
        Section(_theme(rep), title=f"Thema: {rep.theme_title}"),
        Section(_change(rep), title="Wat is veranderd" + (f" sinds {prev}" if prev else "")),
        Section([Paragraph("Duidelijk = een verschil dat geen toeval lijkt. De hele samenvatting, met alle "
                           "tabellen en de verantwoording, staat in samenvatting.html en tabellen.xlsx.", "note"),
                 rep.provenance()]),
    ]


def handout_html(rep) -> str:
    """The handout as one offline HTML page (Dutch, the report's CSS and a compact print style)."""
    from peo_lib.paths import TEMPLATE_DIR

    css = (Path(TEMPLATE_DIR) / "peo" / "peo.css").read_text(encoding="utf-8") + _CSS
    body = "".join(render_html(s) for s in handout_sections(rep))
    title = htmllib.escape(f"PEO ronde {rep.rnd.id}: samenvatting")
    return (f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{css}</style></head><body class=\"peo-report peo-handout\"><main>{body}</main></body></html>")


def find_chromium() -> str | None:
    """Debian's chromium (or chromium-browser / google-chrome) on the PATH, else None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        exe = shutil.which(name)
        if exe:
            return exe
    return None


class PdfJob:
    """A PDF being printed by headless chromium in the background (:func:`start_pdf`); :meth:`wait` ends it."""

    def __init__(self, proc, tmp: Path, out: Path, path: Path, timeout: float):
        self.proc, self.tmp, self.out, self.path, self.timeout = proc, tmp, out, path, timeout

    def wait(self) -> Path | None:
        """Wait for chromium; move the PDF to its place and return the path, or None (and a warning)."""
        try:
            if self.proc is None:
                return None
            try:
                self.proc.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired as exc:
                self.proc.kill()
                self.proc.communicate()
                warnings.warn(f"chromium could not print {self.path.name}: {exc}", stacklevel=2)
                return None
            if not self.out.is_file() or self.out.read_bytes()[:5] != b"%PDF-":
                warnings.warn(f"chromium wrote no PDF: {self.path.name} not written", stacklevel=2)
                return None
            shutil.move(str(self.out), self.path)
            return self.path
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.proc = None


def start_pdf(page_html: str, path, *, chromium=None, timeout=120) -> PdfJob:
    """Start printing an HTML page to an A4 PDF with headless chromium, in the background.

    The report goes on while chromium prints (about 1.5 s); :meth:`PdfJob.wait` collects it. Without
    chromium the job is empty and ``wait`` returns None (with a warning, as :func:`write_pdf`).
    """
    exe = chromium or find_chromium()
    path = Path(path)
    tmp = Path(tempfile.mkdtemp(prefix="peo-handout-"))
    src, out = tmp / "handout.html", tmp / "handout.pdf"
    if exe is None:
        warnings.warn("no chromium on the PATH: samenvatting.pdf not written (install Debian's chromium)",
                      stacklevel=2)
        return PdfJob(None, tmp, out, path, timeout)
    src.write_text(page_html, encoding="utf-8")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
           "--disable-background-networking", "--disable-component-update", f"--user-data-dir={tmp}/profile",
           "--no-pdf-header-footer", f"--print-to-pdf={out}", src.as_uri()]
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError as exc:
        warnings.warn(f"chromium could not print samenvatting.pdf: {exc}", stacklevel=2)
        proc = None
    return PdfJob(proc, tmp, out, path, timeout)


def write_pdf(page_html: str, path, *, chromium=None, timeout=120) -> Path | None:
    """Print an HTML page to an A4 PDF with headless chromium; None (and a warning) without chromium."""
    return start_pdf(page_html, path, chromium=chromium, timeout=timeout).wait()


def pdf_page_count(data: bytes) -> int:
    """Pages of a PDF (its ``/Type /Page`` objects; enough for chromium's uncompressed page tree)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))
