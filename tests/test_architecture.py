"""Architecture rules of issue 10: one home per rule, no silent demo data, strict cell tags, light imports."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "peo_lib"


def _peo(*args, env=None):
    return subprocess.run([sys.executable, "-m", "peo_lib", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_trends_without_rounds_is_one_line_and_writes_nothing(tmp_path):
    data = tmp_path / "data"
    (data / "codebooks").mkdir(parents=True)
    out = tmp_path / "out"
    res = _peo("report", "--trends", "--out", str(out), env={"PEO_DATA_DIR": str(data)})
    assert res.returncode != 0
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr
    assert "no codebooks in" in lines[0] and "--data-dir data/demo" in lines[0]
    assert not out.exists()


def test_round_report_never_falls_back_to_demo_data(tmp_path, demo_dir):
    """No codebook in data/: the report stops with one line instead of reporting the demo rounds."""
    data = tmp_path / "data"
    (data / "codebooks").mkdir(parents=True)
    res = _peo("report", "2021-1", "--out", str(tmp_path / "out"), env={"PEO_DATA_DIR": str(data)})
    assert res.returncode != 0 and len(res.stderr.strip().splitlines()) == 1
    assert "no codebooks in" in res.stderr
    from peo_lib.errors import NoRoundsError
    from peo_lib.report.round import build_report

    with pytest.raises(NoRoundsError):
        build_report("2021-1", data_dir=data)


def test_demo_output_says_it_is_demo_data(demo_dir, tmp_path):
    from peo_lib.report.round import build_report
    from peo_lib.sentences import DEMO_NOTICE

    assert DEMO_NOTICE in build_report("2021-1", data_dir=demo_dir).title()._repr_html_()
    copy = tmp_path / "copy"
    shutil.copytree(demo_dir / "codebooks", copy / "codebooks")
    shutil.copytree(demo_dir / "raw", copy / "raw")
    assert DEMO_NOTICE not in build_report("2021-1", data_dir=copy).title()._repr_html_()


def test_select_cells_refuses_unknown_tags():
    import nbformat

    from peo_lib.errors import ReportError
    from peo_lib.publish.runner import NOTEBOOK, select_cells

    nb = nbformat.read(NOTEBOOK, as_version=4)
    select_cells(nb, "gemeenten")  # the committed notebook is fine
    nb.cells[5].metadata["tags"] = ["gemeeten"]
    with pytest.raises(ReportError, match=r"cell 5 .*unknown tag\(s\) \['gemeeten'\]"):
        select_cells(nb, None)


def test_notebook_prose_comes_from_the_codebook(tiny_round):
    """min_n, starter years and min_n_open in the text follow the round's settings."""
    from peo_lib.report.round import RoundReport

    rep = RoundReport(tiny_round, min_n=7)
    text = rep.intro("samenvatting").text
    assert "minder dan 7 respondenten" in text and "n<7" in text
    assert "hoogstens 2 jaar werkervaring" in rep.intro("vergelijking").text
    assert f"ten minste {tiny_round.codebook.privacy.min_n_open} mensen" in rep.intro("open").text
    assert "‘Weet ik niet’ telt niet mee" in rep.intro("antwoorden").text  # the only reason used here
    import json

    for name in ("ronde.ipynb", "trends.ipynb"):
        nb = json.loads((PKG.parent / "notebooks" / name).read_text(encoding="utf-8"))
        prose = " ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        for setting in ("n<5", "twee jaar", "tien mensen", "minimumaantal"):
            assert setting not in prose, (name, setting)


def test_check_argument_has_one_message_format():
    from peo_lib._validate import check_argument

    with pytest.raises(ValueError, match=r"^`by` must be one of \['a', 'b'\], but 'c' was passed\.$"):
        check_argument("by", ("a", "b"), "c")
    import re

    defs = [f for f in PKG.rglob("*.py") if re.search(r"def _?check_argument\(", f.read_text(encoding="utf-8"))]
    assert [f.name for f in defs] == ["_validate.py"]


def test_no_codebook_glob_outside_paths():
    """Listing a data dir's rounds has one home (paths.codebook_files / round_ids)."""
    offenders = [str(f.relative_to(PKG)) for f in PKG.rglob("*.py")
                 if f.name != "paths.py" and ('glob("*.yml")' in f.read_text(encoding="utf-8")
                                              or 'glob("*.y*ml")' in f.read_text(encoding="utf-8"))]
    assert offenders == []


def test_modules_stay_small():
    sizes = {str(f.relative_to(PKG)): len(f.read_text(encoding="utf-8").splitlines()) for f in PKG.rglob("*.py")}
    assert {m: n for m, n in sizes.items() if n > 800} == {}


def test_long_functions_say_why():
    """A function over 90 lines names the reason in its docstring ("Long because ...")."""
    long = []
    for f in PKG.rglob("*.py"):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = node.end_lineno - node.lineno + 1
                if size > 90 and "Long because" not in (ast.get_docstring(node) or ""):
                    long.append(f"{f.relative_to(PKG)}:{node.lineno} {node.name} ({size} lines)")
    assert long == []


def test_the_fast_exit_keeps_what_a_normal_exit_does(tmp_path):
    """``peo`` ends with ``os._exit`` after :func:`peo_lib.cli.main` (no module teardown, issue 17),
    yet exit handlers run, a non-daemon thread finishes, stderr is flushed and the code is main's."""
    data = tmp_path / "data"
    (data / "codebooks").mkdir(parents=True)
    handler, thread = tmp_path / "handler-ran", tmp_path / "thread-done"
    script = (
        "import atexit, sys, threading, time\n"
        f"atexit.register(lambda: open({str(handler)!r}, 'w').write('yes'))\n"
        f"threading.Thread(target=lambda: (time.sleep(0.5), open({str(thread)!r}, 'w').write('yes'))).start()\n"
        f"sys.argv = ['peo', 'report', '--trends', '--out', {str(tmp_path / 'out')!r}]\n"
        "from peo_lib.cli import run\n"
        "run()\n")
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PEO_DATA_DIR": str(data)})
    normal = _peo("report", "--trends", "--out", str(tmp_path / "out"), env={"PEO_DATA_DIR": str(data)})
    assert res.returncode == normal.returncode != 0
    assert "no codebooks in" in res.stderr
    assert handler.read_text() == "yes" and thread.read_text() == "yes"


@pytest.mark.notebook
def test_the_trend_report_process_leaves_the_data_work_to_its_kernel(tmp_path, demo_dir):
    """``peo report --trends`` hashes the inputs, runs papermill and exports the HTML; pandas, numpy,
    matplotlib and scipy belong to the kernel. Imported in the command's process too, they would
    sit on the critical path (issue 17: 0.25 s, when the install lock came from the scrub module)."""
    data, out = tmp_path / "data", tmp_path / "out"
    for name in ("codebooks", "raw"):
        shutil.copytree(demo_dir / name, data / name)
    shutil.copy(demo_dir / "verbeteracties.yml", data / "verbeteracties.yml")
    script = (
        "import json, sys\n"
        "from peo_lib import cli\n"
        "cli._skip_unused_optional_imports()\n"
        f"code = cli.main(['report', '--trends', '--data-dir', {str(data)!r}, '--out', {str(out)!r}])\n"
        "print(json.dumps([code, sorted(m for m in ('pandas', 'numpy', 'matplotlib', 'scipy') if m in sys.modules)]))\n")
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert json.loads(res.stdout.strip().splitlines()[-1]) == [0, []], res.stderr[-2000:]
    assert (out / "trends" / "trends.html").is_file()
