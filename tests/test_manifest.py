"""Nothing changed, nothing redone: content-hash manifests decide what `peo report` builds (issue 17).

Two tiny rounds (``2099-1`` from ``write_tiny_round`` and a copy of it as ``2099-2`` with its own
raw file) are built once with ``peo report --all`` (shared by the xdist workers); every test
that builds again works on its own copy of the data and output folders (a manifest names no
folder, so a copy is as up to date as the original).

Other work on this source tree while the tests run must not count as a code change, so the
package and notebook hashes are pinned for the runs here (``stable_code``); that a change in any
source file changes the package hash is tested on a copy of the package.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import write_tiny_round
from peo_lib.cli import main

ROUNDS = ("2099-1", "2099-2")


def _pin_code(mp) -> None:
    """Edits of the package or the notebooks by others during the run do not count (see the module notes)."""
    import peo_lib.publish.manifest as manifest

    mp.setattr(manifest, "package_sha256", lambda package_dir=None: "0" * 64)
    mp.setattr(manifest, "notebook_sha256", lambda name: f"pinned {name}")


@pytest.fixture
def stable_code(monkeypatch):
    _pin_code(monkeypatch)


def _two_rounds(data: Path) -> None:
    """The tiny round and a copy as 2099-2 with its own raw file; no open question (no de-identification
    start in every test worker: what a manifest decides does not depend on it)."""
    write_tiny_round(data)
    (data / "raw" / "tiny2.csv").write_bytes((data / "raw" / "tiny.csv").read_bytes())
    cb1 = data / "codebooks" / "2099-1.yml"
    text = cb1.read_text(encoding="utf-8")
    assert text.count("open_questions:") == 1
    text = text[:text.index("open_questions:")]
    cb1.write_text(text, encoding="utf-8")
    text = (text.replace('round: "2099-1"', 'round: "2099-2"').replace("file: tiny.csv", "file: tiny2.csv")
            .replace("start: 2099-03-01, end: 2099-04-15", "start: 2099-09-01, end: 2099-10-15"))
    (data / "codebooks" / "2099-2.yml").write_text(text, encoding="utf-8")


def _shared_root(tmp_path_factory) -> Path:
    uid = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    root = (tmp_path_factory.getbasetemp().parent / f"manifest-{uid}" if uid
            else tmp_path_factory.mktemp("manifest"))
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """``peo report --all --jobs 2`` once on the two rounds: (data, out)."""
    from peo_lib.fileio import file_lock

    root = _shared_root(tmp_path_factory)
    with file_lock(root / "build.lock"), pytest.MonkeyPatch.context() as mp:
        _pin_code(mp)
        if not (root / "done").is_file():
            shutil.rmtree(root / "data", ignore_errors=True)
            shutil.rmtree(root / "out", ignore_errors=True)
            _two_rounds(root / "data")
            assert _report(root / "data", root / "out", "--all", "--jobs", "2") == 0
            (root / "done").write_text("ok", encoding="utf-8")
    return root / "data", root / "out"


@pytest.fixture
def copy(built, tmp_path):
    """This test's own copy of the built data and outputs (modification times kept)."""
    data, out = built
    shutil.copytree(data, tmp_path / "data")
    shutil.copytree(out, tmp_path / "out")
    return tmp_path / "data", tmp_path / "out"


def _report(data, out, *args) -> int:
    return main(["report", *args, "--data-dir", str(data), "--out", str(out)])


def _state(folder: Path) -> dict:
    """Every file under ``folder``: relative path -> (modification time, SHA-256)."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _states(out: Path) -> dict:
    return {name: _state(out / name) for name in (*ROUNDS, "trends")}


def _rebuilt(before: dict, after: dict) -> list[str]:
    """The folders whose every output file was written again (the others must be untouched)."""
    out = []
    for name in before:
        if after[name] == before[name]:
            continue
        html = "trends.html" if name == "trends" else "samenvatting.html"
        assert after[name][html][0] != before[name][html][0], f"{name} changed but its HTML was not rebuilt"
        out.append(name)
    return out


# -- building ------------------------------------------------------------------------------

@pytest.mark.notebook
@pytest.mark.slow
def test_second_run_rebuilds_nothing(copy, stable_code, capsys):
    data, out = copy
    before = _states(out)
    assert all(before.values())
    capsys.readouterr()
    assert _report(data, out, "--all", "--jobs", "2") == 0
    err = capsys.readouterr().err
    assert _states(out) == before  # not one file written again: same bytes, same modification times
    assert "2099-1 up to date" in err and "2099-2 up to date" in err and "trends up to date" in err
    assert "nothing to build: 2 round reports up to date" in err
    assert not [p for p in out.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


@pytest.mark.notebook
@pytest.mark.slow
def test_changed_codebook_rebuilds_that_round_and_the_trends_only(copy, stable_code, capsys):
    data, out = copy
    before = _states(out)
    books = data / "codebooks"
    os.utime(books / "2099-1.yml")  # touched, not changed: a modification time is not content
    cb = books / "2099-2.yml"
    cb.write_text(cb.read_text(encoding="utf-8").replace("title: Testronde", "title: Testronde najaar"),
                  encoding="utf-8")
    capsys.readouterr()
    assert _report(data, out, "--all", "--jobs", "2") == 0
    err = capsys.readouterr().err
    assert _rebuilt(before, _states(out)) == ["2099-2", "trends"]
    assert "2099-1 up to date" in err and "1 of 1 round reports done" in err and "[trends]" in err
    manifest = json.loads((out / "2099-2" / ".manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["codebooks"]["2099-2"] == hashlib.sha256(cb.read_bytes()).hexdigest()


@pytest.mark.notebook
@pytest.mark.slow
def test_force_rebuilds_everything(copy, stable_code, capsys):
    data, out = copy
    before = _states(out)
    assert _report(data, out, "--all", "--jobs", "2", "--force") == 0
    assert _rebuilt(before, _states(out)) == [*ROUNDS, "trends"]
    assert "up to date" not in capsys.readouterr().err


@pytest.mark.notebook
@pytest.mark.slow
def test_changed_raw_file_rebuilds_its_round(copy, stable_code, capsys):
    data, out = copy
    before = _states(out)
    raw = data / "raw" / "tiny2.csv"
    text = raw.read_bytes().decode("cp1252")
    assert ";Eens;" in text
    raw.write_bytes(text.replace(";Eens;", ";Oneens;", 1).encode("cp1252"))  # one answer changed
    assert _report(data, out, "2099-2") == 0
    assert _rebuilt(before, _states(out)) == ["2099-2"]  # the trend report is built by --all / --trends only
    manifest = json.loads((out / "2099-2" / ".manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["raw_files"]["2099-2"] == hashlib.sha256(raw.read_bytes()).hexdigest()


# -- what a manifest holds and when it counts (no notebook runs) ---------------------------

@pytest.mark.notebook
def test_manifest_records_inputs_and_outputs_and_no_data(built):
    from peo_lib.report.provenance_line import lock_sha256

    data, out = built
    doc = json.loads((out / "2099-2" / ".manifest.json").read_text(encoding="utf-8"))
    inputs = doc["inputs"]
    assert set(inputs["codebooks"]) == set(inputs["raw_files"]) == {"2099-1", "2099-2"}  # and the previous round
    assert inputs["notebook"] and inputs["environment"]["peo_lib"] and inputs["register"] is None
    assert inputs["environment"]["lock_sha256"] == lock_sha256()
    assert {"samenvatting.html", "ronde.ipynb", "tabellen.xlsx"} <= set(doc["outputs"])
    trends = json.loads((out / "trends" / ".manifest.json").read_text(encoding="utf-8"))
    assert set(trends["inputs"]["codebooks"]) == set(ROUNDS) and "trends.html" in trends["outputs"]
    text = (out / "2099-2" / ".manifest.json").read_text(encoding="utf-8") + json.dumps(trends)
    assert "R_00" not in text and "Minder regels" not in text  # hashes only: no respondent ids, no answers
    html = (out / "2099-2" / "samenvatting.html").read_text(encoding="utf-8")
    assert f"requirements.lock SHA-256 {lock_sha256()}" in html[html.rindex("peo-provenance"):]


@pytest.mark.notebook
def test_up_to_date_needs_every_output_and_the_previous_round(copy, stable_code):
    from peo_lib.publish.manifest import is_current, manifest_name, round_inputs

    data, out = copy
    inputs = round_inputs("2099-2", data_dir=data)
    assert is_current(out / "2099-2", manifest_name(), inputs)
    assert not is_current(out / "2099-2", manifest_name("onderwijs"), round_inputs("2099-2", data_dir=data,
                                                                                   audience="onderwijs"))
    assert not is_current(out / "2099-2", manifest_name(), round_inputs("2099-2", data_dir=data, min_n=8))
    (out / "2099-2" / "tabellen.xlsx").unlink()
    assert not is_current(out / "2099-2", manifest_name(), inputs)
    raw = data / "raw" / "tiny.csv"  # the previous round's raw file: 2099-2's report compares with it
    raw.write_bytes(raw.read_bytes() + b"\r\n")
    assert round_inputs("2099-2", data_dir=data) != inputs
    assert round_inputs("2099-2", data_dir=data)["codebooks"] == inputs["codebooks"]


def test_previous_round_is_the_one_the_report_compares_with(tmp_path):
    from peo_lib.publish.manifest import previous_round
    from peo_lib.report.tables import previous_round_id

    _two_rounds(tmp_path)
    shutil.copy(tmp_path / "codebooks" / "2099-1.yml", tmp_path / "codebooks" / "2098-1.yml")
    for rid in ("2098-1", "2099-1", "2099-2", "2100-1"):
        assert previous_round(rid, tmp_path) == previous_round_id(rid, data_dir=tmp_path)


def test_package_hash_follows_every_source_file(tmp_path):
    from peo_lib.paths import PACKAGE_DIR
    from peo_lib.publish.manifest import package_sha256

    pkg = tmp_path / "peo_lib"
    shutil.copytree(PACKAGE_DIR, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    first = package_sha256(pkg)
    (pkg / "__pycache__").mkdir(exist_ok=True)
    (pkg / "__pycache__" / "cli.cpython-311.pyc").write_bytes(b"cache")
    assert package_sha256(pkg) == first  # caches are not code
    css = next(pkg.rglob("*.css"))
    css.write_text(css.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert package_sha256(pkg) != first  # a template is code too


def test_full_summary_install_keeps_the_audience_manifests(tmp_path):
    """The full summary swaps the round folder in: kept audience summaries keep their manifests;
    an audience summary replaces only its own manifest, after its HTML."""
    from peo_lib.publish.runner import _install_summary

    target = tmp_path / "2099-1"
    target.mkdir()
    for name, text in ((".manifest.json", "old"), (".manifest-onderwijs.json", "aud"),
                       ("samenvatting-onderwijs.html", "aud"), ("ronde-onderwijs.ipynb", "aud"),
                       ("samenvatting.html", "old")):
        (target / name).write_text(text, encoding="utf-8")
    new = tmp_path / ".2099-1.tmp-1-x"
    new.mkdir()
    for name in (".manifest.json", "samenvatting.html", "ronde.ipynb", "tabellen.xlsx"):
        (new / name).write_text("new", encoding="utf-8")
    _install_summary(new, target, None)
    assert (target / ".manifest.json").read_text(encoding="utf-8") == "new"
    assert (target / ".manifest-onderwijs.json").read_text(encoding="utf-8") == "aud"
    aud = tmp_path / ".2099-1-onderwijs.tmp-1-x"
    aud.mkdir()
    for name in (".manifest-onderwijs.json", "samenvatting-onderwijs.html", "ronde-onderwijs.ipynb"):
        (aud / name).write_text("aud2", encoding="utf-8")
    _install_summary(aud, target, "onderwijs")
    assert (target / ".manifest-onderwijs.json").read_text(encoding="utf-8") == "aud2"
    assert (target / ".manifest.json").read_text(encoding="utf-8") == "new"
    assert (target / "samenvatting.html").read_text(encoding="utf-8") == "new"
