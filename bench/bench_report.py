"""Benchmark: the round report against a floor measured in the same run.

(a) One round, as ``peo report ROUND`` runs it (a fresh Python process calling
    :func:`peo_lib.publish.runner.run_round_report`: papermill + nbconvert in one
    process), as a ratio to the floor: the ``papermill`` CLI executing a
    notebook that only does the report's imports and draws one figure, then
    the ``jupyter nbconvert --to html --no-input`` CLI on its output.
    Target: ratio <= 1.5.
(b) ``run_reports(all demo rounds, jobs=2)`` against ``jobs=1`` (each in a
    fresh process). Target: ratio <= 0.65 on the 2-core machine.

The demo rounds are generated into a temporary folder; the scrubbed open
answers are cached once before timing (a warm-up run), as they are after the
first report of a round (``OUT/.cache/scrub``); deduce's first load costs
10-20 s and is not what this measures. Runs are interleaved (floor, ours,
floor, ours, ...) so that machine load hits both alike; medians are printed.
Prints, never asserts.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROUND = "2021-1"
BIN = Path(sys.executable).parent

FLOOR_SOURCE = """\
import numpy as np
import pandas as pd
import scipy.stats
import statsmodels.stats.multitest
import statsmodels.multivariate.factor
import openpyxl
import yaml
import pydantic
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(6.7, 4))
ax.barh(["a", "b", "c"], [40, 35, 25])
plt.show()
"""


def _floor_notebook(path: Path) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                             new_code_cell(FLOOR_SOURCE)],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    nbformat.write(nb, path)


def _run(cmd, **kw) -> float:
    t0 = time.perf_counter()
    res = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **kw)
    if res.returncode:
        raise SystemExit(f"failed ({res.returncode}): {' '.join(cmd)[:200]}\n{res.stderr[-3000:]}")
    return time.perf_counter() - t0


def _exe(name: str) -> str:
    p = BIN / name
    return str(p) if p.exists() else name


def main(repeat: int = 3) -> int:
    from peo_lib.data import demo

    with tempfile.TemporaryDirectory(prefix="peo-bench-") as d:
        d = Path(d)
        data, out, floor_dir = d / "data", d / "out", d / "floor"
        floor_dir.mkdir()
        demo.generate(data)
        nb_in, nb_out = floor_dir / "floor.ipynb", floor_dir / "floor_out.ipynb"
        _floor_notebook(nb_in)
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        ours_cmd = [sys.executable, "-c",
                    "import sys; from peo_lib.publish.runner import run_round_report; "
                    f"run_round_report({ROUND!r}, data_dir={str(data)!r}, out_dir={str(out)!r})"]

        def floor():
            return (_run([_exe("papermill"), "-k", "python3", "--no-progress-bar", str(nb_in), str(nb_out)],
                         env=env)
                    + _run([_exe("jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb_out)], env=env))

        def ours():
            return _run(ours_cmd, env=env)

        print("warm-up (scrub cache, file system, first imports) ...", flush=True)
        from peo_lib.publish.runner import run_reports

        run_reports(demo.ROUND_IDS, jobs=2, data_dir=data, out_dir=out, progress=False)
        floor()
        tf, to = [], []
        for _ in range(repeat):
            tf.append(floor())
            to.append(ours())
        f, o = statistics.median(tf), statistics.median(to)
        print(f"(a) one round ({ROUND}): floor {f:5.1f} s (papermill CLI {FLOOR_SOURCE.count('import')} imports "
              f"+ 1 figure, nbconvert CLI)  report {o:5.1f} s  ratio {o / f:4.2f}  (target <= 1.5)")
        print(f"    runs: floor {[round(x, 1) for x in tf]}, report {[round(x, 1) for x in to]}")

        def all_rounds(jobs):
            code = ("from peo_lib.publish.runner import run_reports; "
                    f"run_reports({json.dumps(demo.ROUND_IDS)}, jobs={jobs}, data_dir={str(data)!r}, "
                    f"out_dir={str(out)!r}, progress=False)")
            return _run([sys.executable, "-c", code], env=env)

        t1, t2 = [], []
        for _ in range(max(1, repeat - 1)):
            t1.append(all_rounds(1))
            t2.append(all_rounds(2))
        a, b = statistics.median(t1), statistics.median(t2)
        print(f"(b) all {len(demo.ROUND_IDS)} demo rounds: jobs=1 {a:5.1f} s  jobs=2 {b:5.1f} s  "
              f"ratio {b / a:4.2f}  (target <= 0.65)  [{a / len(demo.ROUND_IDS):.1f} s per round with jobs=1]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
