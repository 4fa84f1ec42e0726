"""``peo slides ROUND``: the round's deck (python-pptx) opens in LibreOffice and holds nothing private.

LibreOffice comes from Debian (``apt-get install libreoffice-impress``); it converts the deck to PDF
headless, with a profile of its own (another LibreOffice on the machine does not interfere).
"""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

ROUND = "2023-1"


def _peo(*args):
    return subprocess.run([sys.executable, "-m", "peo_lib", *args], capture_output=True, text=True,
                          timeout=600, env=dict(os.environ))


@pytest.fixture(scope="module")
def deck(demo_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("slides-out")
    res = _peo("slides", ROUND, "--data-dir", str(demo_dir), "--out", str(out))
    assert res.returncode == 0, res.stderr
    path = out / ROUND / "presentatie.pptx"
    assert f"Slides written: {path}" in res.stdout
    assert not list(out.glob(".*.tmp-*")), "the build folder is removed"
    return path


@pytest.fixture(scope="module")
def slides(deck):
    from pptx import Presentation

    return list(Presentation(deck).slides)


def _pictures(slide):
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def test_deck_has_the_slides_and_a_chart_on_every_chart_slide(slides, demo_dir):
    from PIL import Image

    from peo_lib import load_round
    from peo_lib.paths import codebook_path

    cb = load_round(codebook_path(ROUND, demo_dir)).codebook
    deck = slides[0].part.package.presentation_part.presentation
    width, height = deck.slide_width, deck.slide_height
    assert len(slides) >= 8
    titles = [s.shapes.title.text for s in slides]
    core = [sc.label for sc in cb.scales.values() if all(cb.items[i].block == "kern" for i in sc.items)]
    assert titles[0].startswith(f"PEO ronde {ROUND}") and titles[1] == "In het kort"
    chart_titles = [*core, "Startende en ervaren professionals", next(t for t in titles if t.startswith("Thema:"))]
    for t in chart_titles:
        assert t in titles, t
        pics = _pictures(slides[titles.index(t)])
        assert len(pics) == 1, t
        pic = pics[0]
        assert len(pic._element.nvPicPr.cNvPr.get("descr", "")) > 40, "every chart has its alt text"
        width_px, _ = Image.open(io.BytesIO(pic.image.blob)).size
        assert width_px >= 1400, "charts at presentation resolution"
        assert pic.left >= 0 and pic.top >= 0 and pic.left + pic.width <= width and pic.top + pic.height <= height
    assert any(t.startswith("Wat is veranderd sinds") for t in titles)
    assert "Verbeteracties: stand van zaken" in titles
    actions = slides[titles.index("Verbeteracties: stand van zaken")]
    text = " ".join(sh.text_frame.text for sh in actions.shapes if sh.has_text_frame)
    assert "3 verbeteracties in het register: 1 gepland, 1 lopend en 1 afgerond." in text
    cells = [c.text for sh in actions.shapes if sh.has_table for row in sh.table.rows for c in row.cells]
    assert "Werkdrukgesprek in elk team, twee keer per jaar" in cells and "gepland" in cells


def test_provenance_line_is_in_the_notes_of_every_slide(slides):
    for s in slides:
        notes = s.notes_slide.notes_text_frame.text
        assert f"Herkomst: ronde {ROUND} · codeboek SHA-256 " in notes
        assert "ruwe data SHA-256 " in notes and "git commit" in notes


@pytest.mark.slow
def test_libreoffice_converts_the_deck_to_pdf_with_one_page_per_slide(deck, slides, tmp_path):
    from peo_lib.report.handout import pdf_page_count

    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.fail("LibreOffice is not installed: apt-get install -y libreoffice-impress")
    res = subprocess.run([exe, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--norestore",
                          "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "error" not in (res.stdout + res.stderr).lower()
    pdf = tmp_path / "presentatie.pdf"
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-"
    assert pdf_page_count(data) == len(slides)


def _deck_text(deck) -> tuple[str, str]:
    """Every XML part of the deck (raw), and the unescaped text of every text run in it."""
    with zipfile.ZipFile(deck) as z:
        raw = "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    runs = html.unescape("\n".join(re.findall(r"<a:t>([^<]*)</a:t>", raw)))
    descr = html.unescape("\n".join(re.findall(r'descr="([^"]*)"', raw)))
    return raw, runs + "\n" + descr


def test_no_respondent_id_and_no_open_answer_in_the_deck(deck, demo_dir):
    from peo_lib import load_round
    from peo_lib.paths import codebook_path

    rnd = load_round(codebook_path(ROUND, demo_dir))
    raw, text = _deck_text(deck)
    assert "Ervaren professionele ruimte" in text and "n<5" in text  # the check reads the deck's text
    ids = [str(i) for i in rnd.items.index]
    assert len(ids) > 100 and all(len(i) > 8 for i in ids)
    assert [i for i in ids if i in raw] == []
    answers = {str(a).strip() for a in rnd.open_answers.stack().dropna() if len(str(a).strip()) >= 12}
    assert len(answers) > 10
    assert [a for a in answers if a in text or html.escape(a) in raw] == []
    for q in rnd.codebook.open_questions.values():  # no open question at all (its answers are not on slides)
        assert q.text not in text


def test_unknown_round_is_one_line(demo_dir, tmp_path):
    res = _peo("slides", "2099-2", "--data-dir", str(demo_dir), "--out", str(tmp_path / "out"))
    assert res.returncode != 0
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    assert "no codebook for round '2099-2'" in res.stderr
    assert not (tmp_path / "out" / "2099-2").exists()


def test_a_rebuilt_report_keeps_the_deck(tmp_path):
    """The full summary swaps the round folder in; the deck `peo slides` wrote stays."""
    from peo_lib.publish.install import install_round

    target, tmp = tmp_path / ROUND, tmp_path / f".{ROUND}.tmp-1-x"
    target.mkdir()
    (target / "presentatie.pptx").write_bytes(b"deck")
    (target / "samenvatting.html").write_text("old")
    tmp.mkdir()
    (tmp / "samenvatting.html").write_text("new")
    install_round(tmp, target)
    assert (target / "presentatie.pptx").read_bytes() == b"deck"
    assert (target / "samenvatting.html").read_text() == "new"


def test_a_group_under_min_n_shows_no_figure_in_the_deck(tiny_data_dir, tmp_path):
    """16 starters under min_n=20: no starters' mean and no comparison sentence, only ``n<20``."""
    from pptx import Presentation

    from peo_lib.publish.slides import write_slides

    path = write_slides("2099-1", data_dir=tiny_data_dir, out_dir=tmp_path / "out", min_n=20)
    _, text = _deck_text(path)
    assert "n<20" in text
    assert "Startende professionals scoren" not in text
    assert "verschillen startende en ervaren professionals niet duidelijk (" not in text
    assert "Te weinig startende of ervaren professionals voor een vergelijking (n<20)." in text
    assert "Er zijn nog geen verbeteracties vastgelegd" in text  # no register in this data dir
    titles = [s.shapes.title.text for s in Presentation(path).slides]
    assert "Ervaren professionele ruimte" in titles and "Startende en ervaren professionals" in titles
    assert [i for i in (f"R_{k:04d}" for k in range(40)) if i in text] == []
