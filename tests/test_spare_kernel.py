"""The report kernel started while the rounds are checked (peo_lib.publish.spare_kernel, issue 17).

A single-process ``run_reports`` launches one kernel before it checks the rounds and hands it
to papermill; it must run the notebook exactly as a kernel papermill starts itself (execution
counts from 1, the preload invisible), and be gone afterwards on every way out: a build, a
failed check, a failed cell. Up-to-date rounds start none.
"""

from __future__ import annotations

import json

import pytest

from conftest import write_tiny_round

pytestmark = [pytest.mark.notebook]


@pytest.fixture
def spares(monkeypatch):
    """Every SpareKernel run_reports makes, with what happened to it."""
    from peo_lib.publish import spare_kernel

    made = []
    real = spare_kernel.SpareKernel

    class Recorded(real):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.pid = self.km.provisioner.process.pid
            self.taken = False
            made.append(self)

        def take(self):
            km = super().take()
            self.taken = km is not None
            return km

    monkeypatch.setattr(spare_kernel, "SpareKernel", Recorded)
    return made


def _gone(spare) -> bool:
    """The kernel process has ended (and was reaped) and the spare's folder is removed."""
    import os

    try:
        os.kill(spare.pid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    return not alive and not spare.km.has_kernel and not spare.cwd.exists()


def test_a_single_round_runs_on_the_spare_kernel_which_is_gone_afterwards(spares, tmp_path):
    from peo_lib.publish.runner import run_reports

    data = tmp_path / "data"
    write_tiny_round(data)
    out = tmp_path / "out"
    run_reports(["2099-1"], data_dir=data, out_dir=out, progress=False)
    assert len(spares) == 1 and spares[0].taken
    assert _gone(spares[0])
    nb = json.loads((out / "2099-1" / "ronde.ipynb").read_text(encoding="utf-8"))
    counts = [c["execution_count"] for c in nb["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1))  # the preload ran without a count
    assert (out / "2099-1" / "samenvatting.html").is_file()
    # nothing changed: up to date, and no kernel is started for it
    run_reports(["2099-1"], data_dir=data, out_dir=out, progress=False)
    assert len(spares) == 1


def test_a_failed_check_shuts_the_spare_kernel_down(spares, tmp_path):
    from peo_lib.errors import PEOError
    from peo_lib.publish.runner import run_reports

    data = tmp_path / "data"
    write_tiny_round(data)
    for raw in (data / "raw").iterdir():
        raw.write_text("not;a;survey\n", encoding="utf-8")
    with pytest.raises(PEOError):
        run_reports(["2099-1"], data_dir=data, out_dir=tmp_path / "out", progress=False)
    assert len(spares) == 1 and not spares[0].taken
    assert _gone(spares[0])
    assert not (tmp_path / "out" / "2099-1").exists()


def test_a_failed_cell_shuts_the_spare_kernel_down(spares, tmp_path, monkeypatch):
    from peo_lib.errors import ReportError
    from peo_lib.publish import runner

    data = tmp_path / "data"
    write_tiny_round(data)
    broken = tmp_path / "ronde.ipynb"
    nb = json.loads(runner.NOTEBOOK.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "code", "id": "kapot", "metadata": {}, "outputs": [], "execution_count": None,
                        "source": "raise RuntimeError('kapot')"})
    broken.write_text(json.dumps(nb), encoding="utf-8")
    monkeypatch.setattr(runner, "NOTEBOOK", broken)
    with pytest.raises(ReportError, match="kapot"):
        runner.run_reports(["2099-1"], data_dir=data, out_dir=tmp_path / "out", progress=False)
    assert len(spares) == 1 and spares[0].taken
    assert _gone(spares[0])


def test_the_trend_report_runs_on_a_spare_kernel_too(spares, demo_dir, tmp_path):
    from peo_lib.publish.runner import run_trends_report

    path = run_trends_report(data_dir=demo_dir, out_dir=tmp_path / "out")
    assert len(spares) == 1 and spares[0].taken
    assert _gone(spares[0])
    assert (path / "trends.html").is_file()


def test_the_spare_kernel_starts_inside_a_running_event_loop_too():
    """As in a notebook cell or under Playwright's sync API: launched, usable and closed."""
    import asyncio

    from peo_lib.publish.spare_kernel import SpareKernel

    async def inside():
        spare = SpareKernel()
        try:
            return spare.take() is not None, spare
        finally:
            spare.close()

    started, spare = asyncio.run(inside())
    assert started
    assert not spare.km.has_kernel and not spare.cwd.exists()


def test_a_killed_runs_spare_folder_is_removed_by_the_next_spare(tmp_path, monkeypatch):
    import subprocess
    import sys
    import tempfile

    from peo_lib.publish.spare_kernel import SpareKernel

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = tmp_path / f"peo-kernel-{dead}-abc"
    stale.mkdir()
    (stale / "kernel-ipc-1").write_text("")
    alive = tmp_path / "peo-kernel-1-abc"  # pid 1 runs: not ours to remove
    alive.mkdir()
    spare = SpareKernel()
    try:
        assert not stale.exists() and alive.exists()
        assert spare.cwd.parent == tmp_path
    finally:
        spare.close()
