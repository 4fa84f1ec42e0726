"""peo_lib.publish.runner: the round notebook through papermill, HTML through nbconvert, atomic outputs."""

from __future__ import annotations

import json
import re
import shutil
import sys

import pytest

from peo_lib.errors import NotebookCellError, ReportError

ROUND = "2021-1"


# -- no notebook run needed ---------------------------------------------------

def test_kernel_comes_from_this_interpreter(tmp_path, monkeypatch):
    """A user-level 'python3' kernelspec pointing elsewhere does not matter."""
    from peo_lib.publish.runner import KERNEL_NAME, kernel_manager_class

    spec_dir = tmp_path / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps(
        {"argv": ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
         "display_name": "elsewhere", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    km = kernel_manager_class()(kernel_name=KERNEL_NAME)
    assert km.kernel_spec.argv[0] == sys.executable
    assert km.kernel_spec_manager.get_kernel_spec("python3").argv[0] == "/nonexistent/python"


def test_template_has_no_cdn_blocks():
    from peo_lib.publish.runner import TEMPLATE_DIR

    text = (TEMPLATE_DIR / "peo" / "index.html.j2").read_text(encoding="utf-8")
    for block in ("html_head_js", "jupyter_widgets", "html_head_js_mathjax", "html_head_js_mermaidjs",
                  "data_widget_view", "footer"):
        assert re.search(r"block " + block + r"\b", text), block
    assert "http" not in (TEMPLATE_DIR / "peo" / "peo.css").read_text(encoding="utf-8")


def test_run_reports_checks_jobs():
    from peo_lib.publish.runner import run_reports

    with pytest.raises(ValueError, match="`jobs` must be a whole number >= 1"):
        run_reports(["2021-1"], jobs=0)


def test_all_round_ids(demo_dir):
    from peo_lib.data.demo import ROUND_IDS
    from peo_lib.publish.runner import all_round_ids

    assert all_round_ids(demo_dir) == sorted(ROUND_IDS)


# -- notebook runs --------------------------------------------------------------

@pytest.fixture(scope="module")
def published(demo_dir, tmp_path_factory):
    """One good run of the round notebook on a copy of the demo data."""
    from peo_lib.publish.runner import run_round_report

    data = tmp_path_factory.mktemp("data")
    shutil.copytree(demo_dir / "codebooks", data / "codebooks")
    shutil.copytree(demo_dir / "raw", data / "raw")
    out = tmp_path_factory.mktemp("out")
    path = run_round_report(ROUND, data_dir=data, out_dir=out, timeout=300)
    return path, data, out


@pytest.mark.notebook
def test_outputs_exist(published):
    path, _, out = published
    assert path == out / ROUND
    for name in ("ronde.ipynb", "samenvatting.html", "tabellen.xlsx"):
        assert (path / name).is_file(), name
    pngs = sorted(p.name for p in (path / "figuren").glob("*.png"))
    assert "schalen.png" in pngs and "likert_kern.png" in pngs
    assert not [p for p in out.iterdir() if p.name.startswith(f".{ROUND}.")]  # no temp dirs left


def _sheet(path, name):
    from openpyxl import load_workbook

    ws = load_workbook(path, read_only=True)[name]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


@pytest.mark.notebook
def test_xlsx_equals_library_numbers(published):
    from peo_lib import load_round
    from peo_lib.stats.compare import compare_groups
    from peo_lib.stats.descriptives import scale_descriptives
    from peo_lib.stats.reliability import scale_reliability

    path, data, _ = published
    rnd = load_round(data / "codebooks" / f"{ROUND}.yml")
    desc = scale_descriptives(rnd).set_index("scale")
    rel = scale_reliability(rnd).set_index("scale")
    for row in _sheet(path / "tabellen.xlsx", "Schalen"):
        assert row["Gemiddelde"] == pytest.approx(desc.loc[row["Schaal (id)"], "mean"])
        assert row["95%-BI onder"] == pytest.approx(desc.loc[row["Schaal (id)"], "ci_low"])
        assert row["Cronbachs α"] == pytest.approx(rel.loc[row["Schaal (id)"], "alpha"])
    cmp = compare_groups(rnd, by="ervaringsgroep").set_index("id")
    rows = _sheet(path / "tabellen.xlsx", "Startend vs ervaren")
    assert len(rows) == len(rnd.codebook.scales) + len(rnd.codebook.items)
    for row in rows:
        if row["Onderdrukt"]:
            continue
        assert row["p (BH)"] == pytest.approx(cmp.loc[row["Id"], "p_adj"])
        assert row["Verschil"] == pytest.approx(cmp.loc[row["Id"], "diff"])
    resp = _sheet(path / "tabellen.xlsx", "Respons")
    md = next(r for r in resp if r["Categorie"] == "Midden-Delfland")  # 1-4 respondents in every round
    assert md["n"] is None and md["%"] is None and md["Onderdrukt"] == "n<5"  # empty, with the marker
    for r in resp:
        if not r["Onderdrukt"]:
            assert r["n"] >= 5 or r["n"] == 0
            assert 0 <= r["%"] <= 1  # a fraction, formatted as 0%


@pytest.mark.notebook
def test_html_is_offline_code_free_with_provenance(published):
    from peo_lib import load_round
    from peo_lib.publish.runner import check_offline_html

    path, data, _ = published
    html = (path / "samenvatting.html").read_text(encoding="utf-8")
    assert check_offline_html(html) == []
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*https?://""", html, re.I)
    assert not re.search(r"@import[^;]*https?://", html, re.I)
    assert "<script" not in html.lower()
    assert not re.search(r'class="[^"]*\b(jp-InputArea|jp-InputPrompt|jp-OutputPrompt)\b', html)
    assert not re.search(r"<pre[^>]*>[^<]*(import|rapport\.|build_report)", html)
    assert "build_report(" not in html and "import " not in html
    rnd = load_round(data / "codebooks" / f"{ROUND}.yml")
    tail = html[html.rindex("peo-provenance"):]
    assert f"ronde {ROUND}" in tail
    assert rnd.codebook.sha256 in tail and rnd.raw_sha256 in tail
    assert "peo_lib 0." in tail and "git commit" in tail
    assert html.count("data:image/png;base64,") >= 3
    assert "Wat is veranderd sinds de vorige ronde" in html
    ids = list(rnd.items.index[:50])
    assert not [i for i in ids if re.search(rf"\b{re.escape(str(i))}\b", html) and len(str(i)) > 3]


@pytest.mark.notebook
def test_executed_notebook_keeps_parameters(published):
    import nbformat

    path, _, _ = published
    nb = nbformat.read(path / "ronde.ipynb", as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert ["parameters"] in tags and ["injected-parameters"] in tags
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.notebook
def test_failed_run_keeps_previous_outputs(published):
    from peo_lib.publish.runner import run_round_report

    path, data, out = published
    before = {p.name: p.read_bytes() for p in path.iterdir() if p.is_file()}
    cb = data / "codebooks" / f"{ROUND}.yml"
    good = cb.read_text(encoding="utf-8")
    cb.write_text(good.replace("response_set: eens5", "response_set: eens7", 1), encoding="utf-8")
    try:
        with pytest.raises(NotebookCellError) as info:
            run_round_report(ROUND, data_dir=data, out_dir=out, timeout=300)
    finally:
        cb.write_text(good, encoding="utf-8")
    err = info.value
    assert isinstance(err, ReportError)
    assert err.ename == "CodebookError" and "eens7" in err.evalue
    assert err.cell_index == 1 and "from peo_lib.report.round import" in err.first_line
    assert "cell 1 of ronde.ipynb" in str(err) and "previous outputs are unchanged" in str(err)
    assert err.evidence.is_file()
    after = {p.name: p.read_bytes() for p in path.iterdir() if p.is_file()}
    assert after == before
    assert not [p for p in out.iterdir() if ".tmp-" in p.name]


@pytest.mark.notebook
@pytest.mark.slow
def test_run_reports_in_parallel(published, capsys):
    from peo_lib.publish.runner import run_reports

    from peo_lib.publish.progress import Progress

    _, data, out = published
    result = run_reports(["2020-2", ROUND], jobs=2, data_dir=data, out_dir=out, timeout=300,
                         progress=Progress(sys.stderr, phases=True))  # the phase lines a terminal shows
    assert list(result) == ["2020-2", ROUND]
    assert (out / "2020-2" / "samenvatting.html").is_file()
    err = capsys.readouterr().err
    assert re.search(r"\[1/2\] \d{4}-\d .* s ", err) and "2 of 2 round reports done" in err
    # what it is doing, in order, before the per-round lines (checking, then building with 2 workers)
    assert err.index("checking 2 rounds") < err.index("building 2 round reports (2 workers") < err.index("[1/2]")
    assert "[IPKernelApp]" not in err and "Traceback" not in err


def test_unknown_round_fails_before_a_kernel_starts(demo_dir, tmp_path):
    from peo_lib.publish.runner import run_round_report

    with pytest.raises(ReportError, match=r"no codebook for round '2031-1' .*available: 2020-2, 2021-1"):
        run_round_report("2031-1", data_dir=demo_dir, out_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_progress_bar_only_on_a_terminal():
    """A pipe or log file gets plain lines; a terminal also gets tqdm's bar (carriage returns)."""
    import io

    from peo_lib.publish.progress import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    for stream, bar in ((io.StringIO(), False), (Tty(), True)):
        prog = Progress(stream)
        prog.phase("checking 3 rounds")
        prog.start(3, what="round reports")
        for k in range(1, 4):
            prog.step(f"[{k}/3] done")
        prog.close()
        text = stream.getvalue()
        assert all(f"[{k}/3] done" in text for k in (1, 2, 3))
        assert ("\r" in text) is bar, text
        assert ("checking 3 rounds" in text) is bar  # phase lines on a terminal only (bad input: one line)
    silent = Progress(None)
    silent.start(2, what="x")
    silent.step("nothing")  # no stream: nothing written, no error
    assert silent.seconds >= 0


@pytest.mark.notebook
def test_missing_previous_raw_file_warns_on_the_command_line_and_says_so_in_dutch(demo_dir, tmp_path, capsys):
    """The previous round's raw export is gone: the report is built, the CLI says why there is no
    comparison, and the HTML says in Dutch that it is not available (no English, no file path)."""
    import yaml

    from peo_lib.cli import main

    data = tmp_path / "data"
    shutil.copytree(demo_dir / "codebooks", data / "codebooks")
    shutil.copytree(demo_dir / "raw", data / "raw")
    for cb in sorted((data / "codebooks").glob("*.yml")):
        if cb.stem > ROUND:
            cb.unlink()  # only the rounds up to ROUND: a short run
    prev = sorted(cb.stem for cb in (data / "codebooks").glob("*.yml"))[-2]
    raw_name = yaml.safe_load((data / "codebooks" / f"{prev}.yml").read_text(encoding="utf-8"))["source"]["file"]
    (data / "raw" / raw_name).unlink()
    capsys.readouterr()
    assert main(["report", ROUND, "--data-dir", str(data), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert f"warning: {ROUND} gets no comparison with the previous round {prev}" in err, err
    html = (tmp_path / "out" / ROUND / "samenvatting.html").read_text(encoding="utf-8")
    assert f"De vergelijking met de vorige ronde ({prev}) is in deze samenvatting niet beschikbaar" in html
    for leak in (raw_name, str(data), "could not be loaded", "Traceback", "Warning"):
        assert leak not in html, leak


@pytest.mark.notebook
def test_previous_round_without_raw_file_is_compared_from_its_stored_distributions(demo_dir, tmp_path, capsys):
    """`peo report PREV` stores its value counts; its raw file is then removed; `peo report ROUND`
    still has the comparison (same text as with the raw file), and the CLI says where it came from."""
    import yaml

    from peo_lib.cli import main

    data = tmp_path / "data"
    shutil.copytree(demo_dir / "codebooks", data / "codebooks")
    shutil.copytree(demo_dir / "raw", data / "raw")
    for cb in sorted((data / "codebooks").glob("*.yml")):
        if cb.stem > ROUND:
            cb.unlink()
    prev = sorted(cb.stem for cb in (data / "codebooks").glob("*.yml"))[-2]
    assert main(["report", ROUND, "--data-dir", str(data), "--out", str(tmp_path / "with-raw")]) == 0
    assert (data / "aggregaten" / f"{prev}.json").is_file()  # stored while the raw file was there
    raw_name = yaml.safe_load((data / "codebooks" / f"{prev}.yml").read_text(encoding="utf-8"))["source"]["file"]
    (data / "raw" / raw_name).unlink()
    capsys.readouterr()
    assert main(["report", ROUND, "--data-dir", str(data), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert f"warning: {ROUND} is compared with the previous round {prev} from its stored distributions" in err, err

    def change_text(root):
        html = (root / ROUND / "samenvatting.html").read_text(encoding="utf-8")
        start = html.index('id="Wat-is-veranderd')
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start:start + 20_000]))

    stored, raw = change_text(tmp_path / "out"), change_text(tmp_path / "with-raw")
    assert f"Vergeleken met ronde {prev}" in stored and "niet beschikbaar" not in stored
    assert stored[:4000] == raw[:4000]  # the same sentences and numbers as from the raw file
