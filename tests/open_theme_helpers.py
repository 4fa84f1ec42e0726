"""Shared pieces of the open-answer theme tests (test_codeframe, test_coding, test_open_themes).

``FRAME_OPEN01`` is a code frame for the demo's toverstaf question (two levels, a theme added in
2021-2); :class:`DemoScrubber` is a fast, deterministic stand-in for deduce that replaces the demo's
planted identifiers by tags; :func:`coded_demo_dir` copies the session's demo rounds into a fresh
data dir with the frame in ``codeframes/``.
"""

from __future__ import annotations

import shutil
import textwrap

FRAME_OPEN01 = textwrap.dedent(
    """\
    question: OPEN01
    title: Toverstaf
    themes:
      regels:
        label: Regels en bureaucratie
        description: Regels, verantwoording en administratieve last.
        keywords: [regel, protocol, aanbesteding]
      administratie:
        label: Minder administratie
        description: Registratie, verslaglegging, verantwoorden.
        keywords: [administratie, "*registratie", verantwoord, verslaglegging, formulier, cijfers]
        parent: regels
      regels_gemeenten:
        label: Eén werkwijze voor alle gemeenten
        keywords: [alle gemeenten, beschikking, aanspreekpunt]
        parent: regels
      werkdruk:
        label: Werkdruk en wachtlijsten
        keywords: [caseload, wachtlijst, tijd]
      ruimte:
        label: Vertrouwen en ruimte voor de professional
        keywords: [vertrouwen, ruimte, zelf meer te zeggen]
      waardering:
        label: Waardering en beloning
        keywords: [waardering, salaris, financi]
      collegas:
        label: Collega's en inwerken
        keywords: [collega, intervisie, inwerk]
        since: "2021-2"
      geen_idee:
        label: Geen concreet antwoord
        regex: ['^\\W*geen idee']
    """
)


class DemoScrubber:
    """Replaces the demo's fictional names, e-mails, phones, organisations and streets by tags (fast)."""

    version = "demo-stand-in-1"

    def __init__(self):
        self.calls = 0

    def scrub_many(self, texts, *, redact_terms=()):
        from peo_lib.data import demo

        self.calls += 1
        tags = [(demo.PEOPLE, "[naam]"), (demo.EMAILS, "[e-mail]"), (demo.PHONES, "[telefoonnummer]"),
                (tuple(demo.REDACT_TERMS) + tuple(redact_terms), "[organisatie]"), (demo.STREETS, "[adres]")]
        out = []
        for t in texts:
            if t is not None:
                for values, tag in tags:
                    for v in sorted(values, key=len, reverse=True):
                        t = t.replace(v, tag)
            out.append(t)
        return out


def coded_demo_dir(demo_dir, target, *, frame=FRAME_OPEN01):
    """A copy of the demo data dir (codebooks, raw) with ``codeframes/OPEN01.yml``; returns ``target``."""
    shutil.copytree(demo_dir / "codebooks", target / "codebooks")
    shutil.copytree(demo_dir / "raw", target / "raw")
    (target / "codeframes").mkdir()
    (target / "codeframes" / "OPEN01.yml").write_text(frame, encoding="utf-8")
    return target
