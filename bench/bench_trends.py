"""Benchmark: the trend report with the rounds stacked once per report, against stacking per call.

Floor (measured in the same run): every table and sentence of every core scale computed the way
``TrendsReport.tables`` did before issue 17, each call stacking all rounds again (the library
functions called outside :func:`peo_lib.stats.series.reuse_stacks`). Ours: ``tables()`` of a
fresh :class:`~peo_lib.report.trends.TrendsReport`, which stack the rounds once (and fit each
OLS model once). On the demo rounds, interleaved, medians printed; the two results are compared
number for number (they must be identical).

(a) the statistics alone (every scale's tables and sentence);
(b) the whole report as ``notebooks/trends.ipynb`` builds it (every code cell executed in this
    process, each cell's output rendered to HTML; figures, workbook), once with the tables
    computed the old way first and once as the notebook does now;
(c) ``peo report --trends --force`` as the user runs it (a new process: kernel, notebook,
    HTML export), for the absolute figure;
(d) with ``--baseline COMMIT`` (default: none; 959879b is the code from when issue 17 was
    filed, before the stack was cached): the same command of that commit's code (a git
    worktree put first on ``PYTHONPATH``, same interpreter and packages) against today's, on
    that commit's own demo rounds, interleaved, medians of wall and notebook-cell seconds.
    (b)'s per-call floor runs inside today's code, so every later speed-up of shared code
    lowers it too; (d) is the "time before" of the target itself.

Target (issue 17): the trend report <= 50% of its time before, as the user waits for it: (d)'s wall
clock. Its notebook-cell seconds are printed beside it; they include the library imports both
versions pay in the cells (scipy.stats, statsmodels, matplotlib's Agg, openpyxl: about 1.2 s).
Prints, never asserts.
Usage: ``python bench/bench_trends.py [--baseline 959879b]``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

BIN = Path(sys.executable).parent


def _naive(report) -> dict:
    """The tables as before: each function stacks the rounds itself."""
    from peo_lib.report import trends as t
    from peo_lib.stats.trends import trend_sentence

    out = {}
    for scale in report.scales:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            sentence = trend_sentence(report.rounds, scale=scale, min_n=report.min_n)
        out[scale] = dict(
            raw=t.raw_trend_table(report.rounds, scale=scale, min_n=report.min_n),
            groups=t.group_trend_table(report.rounds, scale=scale, min_n=report.min_n),
            adjusted=t.adjusted_trend_table(report.rounds, scale=scale, min_n=report.min_n),
            changes=t.changes_table(report.rounds, scale=scale, min_n=report.min_n),
            sentence=sentence)
    return out


def _same(a: dict, b: dict) -> bool:
    import pandas as pd

    for scale in a:
        for key, value in a[scale].items():
            if isinstance(value, str):
                if value != b[scale][key]:
                    return False
            else:
                pd.testing.assert_frame_equal(value, b[scale][key], check_exact=True)
    return True


def _cells():
    """The code cells of notebooks/trends.ipynb after the parameters cell, as compiled (body, last expression)."""
    import ast

    from peo_lib.paths import NOTEBOOK_DIR

    nb = json.loads((NOTEBOOK_DIR / "trends.ipynb").read_text(encoding="utf-8"))
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code" or "parameters" in cell["metadata"].get("tags", []):
            continue
        tree = ast.parse("".join(cell["source"]))
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        out.append((compile(tree, "<cell>", "exec"),
                    None if last is None else compile(ast.Expression(last.value), "<cell>", "eval")))
    return out


def _notebook(data: Path, out: Path, *, naive: bool) -> float:
    """Seconds to run the notebook's cells in this process (after the first, which loads the rounds)."""
    cells = _cells()
    ns = {"data_dir": str(data), "out_dir": str(out)}
    body, last = cells[0]
    exec(body, ns)  # builds `rapport`: loading the rounds is the same both ways
    t0 = time.perf_counter()
    if naive:
        ns["rapport"]._tables.update(_naive(ns["rapport"]))
    for body, last in cells[1:]:
        exec(body, ns)
        value = None if last is None else eval(last, ns)
        if hasattr(value, "_repr_html_"):
            value._repr_html_()
    return time.perf_counter() - t0


def main(repeat: int = 3) -> int:
    import matplotlib

    matplotlib.use("Agg")
    warnings.simplefilter("ignore")
    from peo_lib.data import demo
    from peo_lib.report.trends import TrendsReport, build_trends_report

    with tempfile.TemporaryDirectory(prefix="peo-bench-trends-") as d:
        d = Path(d)
        demo.generate(d / "data")
        base = build_trends_report(data_dir=d / "data")
        scales = base.scales
        _naive(base)  # imports, first use

        def ours():
            rep = TrendsReport(base.rounds, register=base.register, min_n=base.min_n)
            return {s: rep.tables(s) for s in scales}

        tn, to = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            a = _naive(base)
            tn.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            b = ours()
            to.append(time.perf_counter() - t0)
        n, o = statistics.median(tn), statistics.median(to)
        print(f"(a) trend statistics, {len(base.rounds)} demo rounds x {len(scales)} scales: "
              f"stacked per call {n:5.2f} s  stacked once {o:5.2f} s  ratio {o / n:4.2f}  identical: {_same(a, b)}")
        print(f"    runs: per call {[round(x, 2) for x in tn]}, once {[round(x, 2) for x in to]}")

        tn, to = [], []
        for k in range(repeat):
            tn.append(_notebook(d / "data", d / f"nb-naive-{k}", naive=True))
            to.append(_notebook(d / "data", d / f"nb-once-{k}", naive=False))
        n, o = statistics.median(tn), statistics.median(to)
        print(f"(b) the trend report's notebook cells, in process: stacked per call {n:5.2f} s  stacked once "
              f"{o:5.2f} s  ratio {o / n:4.2f}  (target <= 0.50)")
        print(f"    runs: per call {[round(x, 2) for x in tn]}, once {[round(x, 2) for x in to]}")

        env = {**os.environ, "PYTHONWARNINGS": "ignore", "PEO_CACHE_DIR": str(d / "cache")}
        peo = str(BIN / "peo") if (BIN / "peo").exists() else "peo"
        t0 = time.perf_counter()
        res = subprocess.run([peo, "report", "--trends", "--force", "--data-dir", str(d / "data"), "--out",
                              str(d / "out")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        wall = time.perf_counter() - t0
        if res.returncode:
            print(f"peo report --trends failed: {res.stderr[-2000:]}")
            return 1
        nb = json.loads((d / "out" / "trends" / "trends.ipynb").read_text(encoding="utf-8"))
        cells = [(c["metadata"].get("papermill", {}).get("duration") or 0.0, "".join(c["source"]).split("\n")[-1])
                 for c in nb["cells"] if c["cell_type"] == "code"]
        total = sum(s for s, _ in cells)
        top = ", ".join(f"{src.strip()[:28]} {s:.1f} s" for s, src in sorted(cells, reverse=True)[:4])
        print(f"(c) peo report --trends --force: {wall:5.1f} s wall, notebook cells {total:.1f} s ({top})")
    return 0


def _trends_run(env, data: Path, out: Path) -> tuple[float, float]:
    """(wall, notebook-cell seconds) of ``python -m peo_lib report --trends`` into the new folder ``out``,
    of the code on ``env``'s PYTHONPATH (run from that folder: ``-m`` puts the working folder first on sys.path)."""
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "peo_lib", "report", "--trends", "--data-dir", str(data),
                          "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                         cwd=env["PYTHONPATH"])
    wall = time.perf_counter() - t0
    if res.returncode:
        raise SystemExit(f"peo report --trends failed:\n{res.stderr[-2000:]}")
    nb = json.loads((out / "trends" / "trends.ipynb").read_text(encoding="utf-8"))
    return wall, sum(c["metadata"].get("papermill", {}).get("duration") or 0.0
                     for c in nb["cells"] if c["cell_type"] == "code")


def against_commit(commit: str, repeat: int = 5) -> None:
    """(d): today's ``peo report --trends`` against the code of ``commit`` on that commit's demo rounds."""
    repo = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="peo-bench-baseline-") as d:
        d = Path(d)
        old = d / "old"
        subprocess.run(["git", "-C", str(repo), "worktree", "add", "--detach", "-q", str(old), commit], check=True)
        try:
            base = {**os.environ, "PYTHONWARNINGS": "ignore", "PEO_CACHE_DIR": str(d / "cache")}
            env_old = {**base, "PYTHONPATH": str(old)}
            env_new = {**base, "PYTHONPATH": str(repo)}
            subprocess.run([sys.executable, "-m", "peo_lib", "demo", "--data-dir", str(d / "data")], env=env_old,
                           check=True, stdout=subprocess.DEVNULL, cwd=str(old))
            runs = {"old": [], "new": []}
            for k in range(repeat + 1):  # the first pair warms the caches (deduce, fonts)
                for name, env in (("old", env_old), ("new", env_new)):
                    r = _trends_run(env, d / "data", d / f"out-{name}-{k}")
                    if k:
                        runs[name].append(r)
            med = {n: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for n, v in runs.items()}
            print(f"(d) peo report --trends against the code of {commit} (its demo rounds): wall "
                  f"{med['old'][0]:4.1f} s -> {med['new'][0]:4.1f} s, ratio {med['new'][0] / med['old'][0]:4.2f} "
                  f"(target <= 0.50: the time the user waits); notebook cells {med['old'][1]:4.1f} s -> "
                  f"{med['new'][1]:4.1f} s, ratio {med['new'][1] / med['old'][1]:4.2f} (both pay the same ~1.2 s "
                  "of library imports inside the cells)")
        finally:
            subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force", str(old)], check=False)


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default=None, help="also time the trend report of this commit's code (d)")
    args = ap.parse_args()
    code = main()
    if args.baseline:
        against_commit(args.baseline)
    sys.exit(code)
