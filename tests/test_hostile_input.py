"""Hostile input and faults (issue 16): nothing a respondent or an export types can run, hide a round or
reach a wrong column; every bad path, option or full disk gets one line and leaves outputs intact."""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from peo_lib.browser import free_port, launch_chromium

from conftest import write_tiny_round
from peo_lib.cli import main

#: OWASP formula-injection payloads, and markup that must stay text.
FORMULAS = ['=HYPERLINK("http://evil.example/x","klik")', "=cmd|' /C calc'!A0", "+1+2", "-3+4", "@SUM(1,2)",
            "\t=1+1", "\r=1+1"]
MARKUP = ["<img src=x onerror=alert(1)>", "<img src=//evil.example/x.png>", "url(//evil.example/y)",
          "<script>alert(2)</script>", "$\\foo$ en $x$"]


def _tree_hashes(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def _hostile_round(data: Path) -> Path:
    """The tiny round with payloads in the title, item and scale texts, a municipality label and open answers."""
    cb = write_tiny_round(data)
    text = cb.read_text(encoding="utf-8")
    text = text.replace("title: Testronde", "title: '=HYPERLINK(\"http://evil.example\",\"t\") <b>titel</b>'")
    text = text.replace("text: Ik heb voldoende ruimte om zelf te bepalen hoe ik mijn werk doe.",
                        "text: \"=cmd|' /C calc'!A0 <img src=x onerror=alert(1)> $\\\\foo$\"")
    text = text.replace("label: Ervaren professionele ruimte", "label: '+SUM(1,2) <script>alert(3)</script>'")
    text = text.replace("2: Delft", "2: '@Delft <img src=x onerror=alert(4)>'")
    cb.write_text(text, encoding="utf-8")
    raw = data / "raw" / "tiny.csv"
    rows = list(csv.reader(io.StringIO(raw.read_bytes().decode("cp1252")), delimiter=";"))
    payloads = FORMULAS + MARKUP
    k = 0
    for row in rows[1:]:
        if row[3] == "Delft":
            row[3] = "@Delft <img src=x onerror=alert(4)>"
        if row[-1]:
            row[-1] = payloads[k % len(payloads)]
            k += 1
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    raw.write_bytes(buf.getvalue().encode("utf-8"))
    return cb


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    data = tmp_path_factory.mktemp("hostile")
    _hostile_round(data)
    # the open answers need a lower min_n_open to be shown at all (13 answers)
    cb = data / "codebooks" / "2099-1.yml"
    cb.write_text(cb.read_text(encoding="utf-8").replace("min_n_open: 10", "min_n_open: 5"), encoding="utf-8")
    out = tmp_path_factory.mktemp("hostile_out")
    assert main(["report", "2099-1", "--data-dir", str(data), "--out", str(out)]) == 0
    return data, out / "2099-1"


@pytest.mark.notebook
def test_no_cell_of_the_workbook_is_a_formula(hostile_report):
    from openpyxl import load_workbook

    _, folder = hostile_report
    wb = load_workbook(folder / "tabellen.xlsx")
    formulas, texts = [], []
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append((ws.title, cell.coordinate, cell.value))
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert formulas == []
    joined = "\n".join(texts)
    assert "=cmd|' /C calc'!A0" in joined and "+SUM(1,2)" in joined  # kept, as text


@pytest.mark.notebook
def test_markup_in_answers_and_labels_is_text_and_the_round_publishes(hostile_report):
    _, folder = hostile_report
    html = (folder / "samenvatting.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html or "&lt;img src=x onerror=alert(4)&gt;" in html
    assert "onerror=alert" not in html.replace("&lt;img src=x onerror=alert", "")
    assert "<script>alert" not in html
    from peo_lib.publish.html import check_offline_html

    assert check_offline_html(html) == []


def test_offline_check_reads_tags_not_text():
    from peo_lib.publish.html import check_offline_html

    assert check_offline_html("<p>&lt;img src=//evil.example/x.png&gt; url(//evil.example/y)</p>") == []
    assert check_offline_html('<img src="//evil.example/x.png">')
    assert check_offline_html('<p style="background:url(https://evil.example/y)">x</p>')
    assert check_offline_html("<style>@import 'https://evil.example/a.css';</style>")
    assert check_offline_html('<link rel="stylesheet" href="https://cdn.example/x.css">')
    assert check_offline_html('<a href="https://example.org">a link loads nothing</a>') == []


def test_duplicate_header_names_both_positions(tmp_path):
    from peo_lib.data.readers import read_raw
    from peo_lib.errors import RawDataError

    p = tmp_path / "dup.csv"
    p.write_text("id;V5_1;V5_2;V5_1\n1;2;3;4\n", encoding="utf-8")
    with pytest.raises(RawDataError, match=r"dup.csv.*'V5_1' appears twice in the header \(columns 2 and 4\)"):
        read_raw(p)
    import pandas as pd

    x = tmp_path / "dup.xlsx"
    pd.DataFrame([[1, 2, 3]], columns=["id", "a", "b"]).rename(columns={"b": "a"}).to_excel(x, index=False)
    with pytest.raises(RawDataError, match=r"'a' appears twice in the header \(columns 2 and 3\)"):
        read_raw(x)


@pytest.mark.parametrize("where", ["../../elsewhere.csv", "/etc/passwd", "link.csv"])
def test_source_file_may_not_leave_the_raw_folder(tmp_path, capsys, where):
    cb = write_tiny_round(tmp_path)
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes((tmp_path / "raw" / "tiny.csv").read_bytes())
    if where == "link.csv":
        (tmp_path / "raw" / "link.csv").symlink_to(outside)
    cb.write_text(cb.read_text(encoding="utf-8").replace("file: tiny.csv", f"file: {where}"), encoding="utf-8")
    assert main(["check", "2099-1", "--data-dir", str(tmp_path)]) != 0
    err = capsys.readouterr().err
    assert "points outside the raw folder" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("command", [["check", "../x"], ["report", "../x"], ["report", "2021-3"],
                                     ["init-round", "../x", "--raw", "x.csv"]])
def test_round_ids_are_checked_before_any_work(tmp_path, capsys, command):
    out = tmp_path / "out"
    assert main([*command, "--data-dir", str(tmp_path), *(["--out", str(out)] if command[0] == "report" else [])]) != 0
    err = capsys.readouterr().err
    assert "is not a round id" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()  # refused before any folder or kernel (was a traceback after 40 s)


@pytest.mark.parametrize("out", ["DATA", "DATA/raw", "DATA/raw/sub", "DATA/codebooks", "/", "FILE"])
def test_bad_output_folders_are_refused_in_one_line(tiny_data_dir, tmp_path, capsys, out):
    (tmp_path / "afile").write_text("x")
    target = out.replace("DATA", str(tiny_data_dir)).replace("FILE", str(tmp_path / "afile"))
    before = _tree_hashes(tiny_data_dir)
    assert main(["report", "2099-1", "--data-dir", str(tiny_data_dir), "--out", target]) != 0
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and "--out" in err, err
    assert _tree_hashes(tiny_data_dir) == before


@pytest.mark.notebook
def test_disk_full_keeps_previous_outputs_and_cleans_stale_builds(tiny_data_dir, tmp_path, capsys, monkeypatch):
    """A full disk (a fake ENOSPC at install) is one line; a killed run's build folder goes next time."""
    import peo_lib.publish.runner as runner

    out = tmp_path / "out"
    assert main(["report", "2099-1", "--data-dir", str(tiny_data_dir), "--out", str(out)]) == 0
    stale = out / ".2099-1.tmp-999999999-dead"  # a pid that cannot exist
    stale.mkdir()
    before = _tree_hashes(out / "2099-1")

    def full(tmp, target):
        raise OSError(errno.ENOSPC, "No space left on device")

    real = runner.NotebookRun.__init__

    def patched(self, *a, **kw):
        real(self, *a, **kw)
        self.install = full

    monkeypatch.setattr(runner.NotebookRun, "__init__", patched)
    capsys.readouterr()
    # --force: the manifest would otherwise (rightly) skip the unchanged round.
    assert main(["report", "2099-1", "--data-dir", str(tiny_data_dir), "--out", str(out), "--force"]) != 0
    err = capsys.readouterr().err
    assert "No space left on device" in err and "previous outputs are unchanged" in err and "Traceback" not in err
    assert _tree_hashes(out / "2099-1") == before
    assert not stale.exists()
    assert not [p for p in out.iterdir() if ".tmp-" in p.name]


def test_numeric_options_are_validated(capsys):
    for argv in (["report", "2099-1", "--min-n", "9" * 5001], ["report", "2099-1", "--timeout", "nan"],
                 ["report", "--all", "--jobs", "0"], ["dashboard", "--port", "70000"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err[-1].startswith("peo ") and "error: argument" in err[-1] and len(err[-1]) < 200


def test_codebook_size_is_checked_up_front(tmp_path):
    from peo_lib.data.codebook import MAX_ITEMS, parse_codebook
    from peo_lib.errors import CodebookError

    items = {f"X{k:04d}": {"column": f"c{k}", "text": f"Stelling {k}", "response_set": "eens5", "block": "kern"}
             for k in range(MAX_ITEMS + 1)}
    data = {"round": "2099-1", "title": "t", "theme": "werkdruk", "source": {"file": "x.csv"}, "respondent_id": "id",
            "response_sets": {"eens5": {"values": {1: "Oneens", 2: "Eens"}}}, "items": items}
    with pytest.raises(CodebookError, match=f"supported are up to {MAX_ITEMS} per round"):
        parse_codebook(data)


def test_dollar_signs_in_labels_are_text_in_charts():
    import pandas as pd

    from peo_lib.report.plots import figure_png, likert_chart

    wide = pd.DataFrame({"label": ["kosten $\\foo$ en $x$"], "Oneens": [40.0], "Eens": [60.0], "base": [10],
                         "suppressed": [False]})
    fig = likert_chart(wide, categories=["Oneens", "Eens"], missing_categories=[], small_label="n<5")
    assert figure_png(fig)[:4] == b"\x89PNG"


@pytest.mark.notebook
@pytest.mark.slow
def test_ctrl_c_on_all_stops_at_once(demo_dir, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "peo_lib", "report", "--all", "--jobs", "2", "--data-dir",
                             str(demo_dir), "--out", str(out)], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out.is_dir() and any(".tmp-" in p.name for p in out.iterdir())):
        time.sleep(0.2)  # until the first reports are being built
    time.sleep(2)
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.strip().splitlines()[-1] == "peo report: stopped"
    time.sleep(3)  # orphaned kernels notice their parent is gone
    kernels = subprocess.run(["pgrep", "-f", f"ipykernel_launcher.*{os.getpid()}"], capture_output=True)
    assert kernels.stdout == b""
    assert not (out / "trends").exists()  # queued work was cancelled


def _html_values(dash) -> list[str]:
    """The value of every HTML widget under the dashboard (what the browser renders as markup)."""
    import ipywidgets as W

    seen, stack, out = set(), [dash.widget], []
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        if isinstance(w, (W.HTML, W.HTMLMath)):
            out.append(w.value)
        stack.extend(getattr(w, "children", ()) or ())
    return out


def test_dashboard_escapes_labels_from_exports(tmp_path):
    """Labels, texts and messages that go into HTML widgets are escaped (no <img onerror> in the markup)."""
    from peo_lib import load_round
    from peo_lib.dashboard.widget import Dashboard

    cb = _hostile_round(tmp_path)
    rnd = load_round(cb)
    dash = Dashboard({"2099-1": rnd}, out_dir=tmp_path / "out", warm_up=False)
    for subject in dash.subject.options:
        dash.subject.value = subject[1] if isinstance(subject, tuple) else subject
        for breakdown in ("gemeente", "ervaringsgroep"):
            dash.breakdown.value = breakdown
            values = _html_values(dash)
            assert not any(re.search(r"<(img|script)\b", v, re.IGNORECASE) for v in values), values
    dash.tabs.selected_index = 1
    for k in range(len(dash._talk_items())):
        dash._talk_goto(k)
        values = _html_values(dash)
        assert not any(re.search(r"<(img|script)\b", v, re.IGNORECASE) for v in values), values
    dash.tabs.selected_index = 0
    dash.subject.value = "item:PR01"
    assert "&lt;img src=x onerror=alert(1)&gt;" in dash.heading.value  # shown, as text


@pytest.mark.notebook
@pytest.mark.slow
def test_kill_9_at_any_moment_leaves_the_previous_outputs(tiny_data_dir, tmp_path):
    """SIGKILL during validation, the notebook run and the export: the old outputs stay, the next run cleans up."""
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "peo_lib", "report", "2099-1", "--data-dir", str(tiny_data_dir), "--out", str(out)]
    assert subprocess.run(cmd, capture_output=True, timeout=300).returncode == 0
    before = _tree_hashes(out / "2099-1")
    for delay in (0.5, 2.5, 5.0):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert _tree_hashes(out / "2099-1") == before, delay
    assert subprocess.run(cmd, capture_output=True, timeout=300).returncode == 0
    assert not [p.name for p in out.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


@pytest.mark.browser
@pytest.mark.slow
def test_hostile_labels_run_no_script_in_the_dashboard(tmp_path):
    """The dashboard in Voila and chromium on a round whose labels carry <img onerror>: zero dialogs."""
    from peo_lib.dashboard.server import dashboard_notebook, stop_process, voila_command, voila_env, wait_for_port

    data = tmp_path / "data"
    _hostile_round(data)
    port = free_port()
    nb = dashboard_notebook(out_dir=tmp_path / "out")
    log = open(tmp_path / "voila.log", "wb")
    proc = subprocess.Popen(voila_command(nb, port=port), env=voila_env(data_dir=data, out_dir=tmp_path / "out"),
                            cwd=str(nb.parent), start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    dialogs = []
    try:
        assert wait_for_port(port, proc=proc, timeout=90), (tmp_path / "voila.log").read_text(errors="replace")
        with launch_chromium() as browser:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(f"http://127.0.0.1:{port}/", timeout=180_000)
            page.wait_for_selector(".peo-figure img, img.peo-figure", state="visible", timeout=180_000)
            page.locator(".peo-breakdown select").select_option(label="Gemeente")
            page.get_by_text("Bespreken").first.click()
            page.wait_for_timeout(1500)
            assert page.locator("img[src='x']").count() == 0
            assert page.locator("script:has-text('alert(')").count() == 0
    finally:
        stop_process(proc)
        log.close()
    assert dialogs == []
