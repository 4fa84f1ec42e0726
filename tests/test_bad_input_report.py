"""Bad input through `peo report`: one clear line, non-zero exit, raw bytes and previous outputs untouched.

The corpus is the one of test_io.py (20 broken inputs). A good report is built
first (with the raw files read-only), then every broken input is fed to the
real CLI against the same output folder.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import stat

import pytest

from conftest import write_tiny_round
from peo_lib.cli import main
from test_io import BAD_INPUTS, _break

pytestmark = [pytest.mark.notebook, pytest.mark.slow]


def _tree_hashes(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _read_only(folder):
    for p in folder.iterdir():
        p.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


@pytest.fixture(scope="module")
def good_report(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    write_tiny_round(data)
    _read_only(data / "raw")
    raw_before = _tree_hashes(data / "raw")
    mtimes = {p.name: p.stat().st_mtime_ns for p in (data / "raw").iterdir()}
    out = tmp_path_factory.mktemp("out")
    assert main(["report", "2099-1", "--data-dir", str(data), "--out", str(out)]) == 0
    assert _tree_hashes(data / "raw") == raw_before  # the full pipeline only read the raw file
    assert {p.name: p.stat().st_mtime_ns for p in (data / "raw").iterdir()} == mtimes
    assert (out / "2099-1" / "samenvatting.html").is_file()
    return data, out


@pytest.mark.parametrize("how, message", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_leaves_previous_report_intact(good_report, tmp_path, capsys, how, message):
    good_data, out = good_report
    data = tmp_path / "data"
    shutil.copytree(good_data, data)
    for p in (data / "raw").iterdir():
        p.chmod(stat.S_IRUSR | stat.S_IWUSR)
    _break(data, how)
    _read_only(data / "raw")
    raw_before = _tree_hashes(data / "raw")
    out_before = _tree_hashes(out)
    capsys.readouterr()
    code = main(["report", "2099-1", "--data-dir", str(data), "--out", str(out)])
    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("peo report: error: ")
    assert re.search(message, err), err
    assert _tree_hashes(data / "raw") == raw_before
    assert _tree_hashes(out) == out_before
