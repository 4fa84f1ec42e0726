"""Benchmark: what a researcher waits for at ``peo report``, against a floor measured in the same run.

Floor: the pipeline a user would script by hand: the ``papermill`` CLI executing a notebook
that only does the report's imports and draws one figure, then the ``jupyter nbconvert --to
html --no-input`` CLI on its output.

(a) cold: ``peo report ROUND --out NEWDIR``, a new, empty output folder each time, with the
    scrub cache present (as after ``make demo``: a new ``--out`` does not scrub again) and
    deduce's lookup cache built by setup. Target (issue 17): ratio <= 1.0.
(b) warm: the same command again into the same folder, nothing changed: the manifest says
    the round is up to date (``2021-1 up to date``). Target: far below the floor.
(c) ``peo report --all --jobs 2`` into a new folder, then the same command again: the second
    run rebuilds nothing. Target: second / first <= 0.05.

Every command is the real ``peo`` command line (a new process each time). Runs of (a) and (b)
are interleaved with the floor so that machine load hits all alike; medians are printed. The
code (``peo_lib``, ``notebooks``) is copied into the temporary folder and put first on
``PYTHONPATH`` (kernels inherit it), so that edits in the working tree during the benchmark do
not count as code changes for the manifests. Prints, never asserts.

Usage: ``python bench/bench_report.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROUND = "2021-1"
BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent

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


def _run(cmd, *, env, want=None) -> float:
    t0 = time.perf_counter()
    res = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    seconds = time.perf_counter() - t0
    if res.returncode:
        raise SystemExit(f"failed ({res.returncode}): {' '.join(map(str, cmd))[:200]}\n{res.stderr[-3000:]}")
    if want is not None and want not in res.stderr:
        raise SystemExit(f"expected {want!r} from {' '.join(map(str, cmd))[:200]}, got:\n{res.stderr[-3000:]}")
    return seconds


def _exe(name: str) -> str:
    p = BIN / name
    return str(p) if p.exists() else name


def _snapshot(dest: Path) -> Path:
    """The code as it is now, in ``dest`` (what the kernels and the manifests see during the benchmark)."""
    for name in ("peo_lib", "notebooks"):
        shutil.copytree(REPO / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "requirements.lock"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, dest / name)
    # as `make setup` does for the package: with PYTHONDONTWRITEBYTECODE set, nothing else would cache it
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", str(dest / "peo_lib")], check=True,
                   stdout=subprocess.DEVNULL)
    return dest


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs of (a) and (b) (default 3)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="peo-bench-") as d:
        d = Path(d)
        code = _snapshot(d / "code")
        env = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": str(code),
               "PEO_CACHE_DIR": str(d / "cache")}
        data, floor_dir = d / "data", d / "floor"
        floor_dir.mkdir()
        _run([sys.executable, "-m", "peo_lib", "demo", "--data-dir", str(data)], env=env)
        nb_in, nb_out = floor_dir / "floor.ipynb", floor_dir / "floor_out.ipynb"
        _floor_notebook(nb_in)
        peo = [_exe("peo"), "report"]
        dirs = ["--data-dir", str(data)]

        def floor():
            return (_run([_exe("papermill"), "-k", "python3", "--no-progress-bar", str(nb_in), str(nb_out)], env=env)
                    + _run([_exe("jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb_out)], env=env))

        print("warm-up: peo report --all (fills the scrub cache, as make demo does) ...", flush=True)
        t_first = _run([*peo, "--all", "--jobs", "2", *dirs, "--out", str(d / "warmup")], env=env)
        floor()
        tf, tcold, twarm = [], [], []
        for k in range(args.repeat):
            out = d / f"new-{k}"
            tf.append(floor())
            tcold.append(_run([*peo, ROUND, *dirs, "--out", str(out)], env=env, want="1 of 1 round reports done"))
            twarm.append(_run([*peo, ROUND, *dirs, "--out", str(out)], env=env, want=f"{ROUND} up to date"))
        f, cold, warm = (statistics.median(x) for x in (tf, tcold, twarm))
        print(f"floor: {f:5.1f} s  (papermill CLI, {FLOOR_SOURCE.count('import')} imports + 1 figure, "
              f"then the nbconvert CLI)  runs {[round(x, 1) for x in tf]}")
        print(f"(a) cold  peo report {ROUND} --out NEWDIR   {cold:5.1f} s  ratio {cold / f:4.2f}  (target <= 1.0)  "
              f"runs {[round(x, 1) for x in tcold]}")
        print(f"(b) warm  the same again (up to date)      {warm:5.1f} s  ratio {warm / f:4.2f}  (far below 1)  "
              f"runs {[round(x, 2) for x in twarm]}")
        full = _run([*peo, "--all", "--jobs", "2", *dirs, "--out", str(d / "all")], env=env, want="[trends]")
        again = _run([*peo, "--all", "--jobs", "2", *dirs, "--out", str(d / "all")], env=env,
                     want="trends up to date")
        print(f"(c) peo report --all --jobs 2: first {full:5.1f} s (warm-up run: {t_first:.1f} s), "
              f"second {again:5.2f} s  ratio {again / full:5.3f}  (target <= 0.05)  "
              f"[floor ratio of the first: {full / f:.1f}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
