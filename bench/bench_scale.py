"""Benchmark (issue 17, target 6): a round of 100,000 respondents x 60 items through ``peo check``
and ``peo report``, with wall time and peak memory. Prints only (no pass/fail).

The round is synthetic (seeded): 60 five-point items in 6 scales of 10 (one theme block of 10),
functie / organisatie / gemeente / years of experience, 8 % blanks and 5 % "Weet ik niet", and
one open question that 1 % of respondents answer (1,000 answers for the scrubber). Every command
is the real ``peo`` command line in a new process into a new output folder; peak memory is the
largest resident set of the process tree (``resource.getrusage(RUSAGE_CHILDREN)`` after each run:
the kernel and the workers are children).

The floor, measured in the same run: ``pandas.read_csv`` of the same file plus
``DataFrame.describe()`` in a new Python process (what any analysis of the file costs at least).
Targets: check and report each under 2 minutes and under 4 GB on this 2-core machine.

Usage: ``python bench/bench_scale.py [--n 100000] [--items 60]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BIN = Path(sys.executable).parent
ROUND = "2099-1"

CODEBOOK_HEAD = """\
round: "{round}"
title: Schaaltest
theme: werkdruk
source: {{file: groot.csv, format: csv}}
respondent_id: id
fieldwork: {{start: 2099-01-10, end: 2099-02-10}}
privacy: {{min_n: 5, min_n_open: 10}}
response_sets:
  eens5:
    values: {{1: Helemaal oneens, 2: Oneens, 3: Neutraal, 4: Eens, 5: Helemaal eens}}
    missing: {{9: Weet ik niet}}
background:
  ervaring_jaren: {{column: jaren, type: number}}
  functie: {{column: functie, values: {{1: Jeugdhulpverlener, 2: Gedragswetenschapper, 3: Teamleider, 4: Anders}}}}
  organisatie: {{column: org, values: {{1: Specialistische jeugdhulp, 2: Wijkteam, 3: Jeugdbescherming, 4: Anders}}}}
  gemeente: {{column: gemeente, values: {{1: Den Haag, 2: Delft, 3: Zoetermeer, 4: Westland, 5: Rijswijk}}}}
starter_max_years: 2
open_questions:
  OPEN01: {{column: open1, text: "Wat zou jij veranderen?"}}
"""


def write_round(data_dir: Path, *, n: int, k: int, seed: int = 17) -> None:
    """The synthetic round: codebook and CSV under ``data_dir``."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    (data_dir / "codebooks").mkdir(parents=True)
    (data_dir / "raw").mkdir()
    per_scale = 10
    items, scales = [], []
    for j in range(k):
        block = "werkdruk" if j >= k - per_scale else "kern"
        items.append(f"  K{j + 1:02d}: {{column: q{j + 1}, text: Stelling {j + 1}., response_set: eens5, "
                     f"block: {block}}}")
    for s in range(k // per_scale):
        ids = ", ".join(f"K{j + 1:02d}" for j in range(s * per_scale, (s + 1) * per_scale))
        scales.append(f"  schaal{s + 1}: {{label: Schaal {s + 1}, items: [{ids}]}}")
    text = CODEBOOK_HEAD.format(round=ROUND) + "items:\n" + "\n".join(items) + "\nscales:\n" + "\n".join(scales)
    (data_dir / "codebooks" / f"{ROUND}.yml").write_text(text + "\n", encoding="utf-8")
    theta = rng.normal(size=n)
    cols = {"id": np.arange(1, n + 1), "jaren": rng.integers(0, 30, n), "functie": rng.integers(1, 5, n),
            "org": rng.integers(1, 5, n), "gemeente": rng.choice(5, n, p=[0.5, 0.2, 0.15, 0.1, 0.05]) + 1}
    for j in range(k):
        x = np.clip(np.round(3 + 0.8 * theta + rng.normal(0, 1, n)), 1, 5).astype(int).astype(str).astype(object)
        u = rng.random(n)
        x[u < 0.05] = "9"
        x[(u >= 0.05) & (u < 0.13)] = ""
        cols[f"q{j + 1}"] = x
    answers = np.array(["Minder regels en meer tijd voor de cliënt.", "Meer collega's in het team.",
                        "Eén werkwijze voor alle gemeenten.", "Minder administratie, meer vertrouwen."], dtype=object)
    open1 = np.full(n, "", dtype=object)
    who = rng.random(n) < 0.01
    open1[who] = answers[rng.integers(0, len(answers), who.sum())] + " (" + np.arange(who.sum()).astype(str) + ")"
    cols["open1"] = open1
    pd.DataFrame(cols).to_csv(data_dir / "raw" / "groot.csv", index=False)


def _run(cmd, env) -> tuple[float, int, str]:
    """(seconds, exit code, last stderr line) of one command in a new process."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    last = (proc.stderr.strip().splitlines() or [""])[-1]
    return time.perf_counter() - t0, proc.returncode, last


def _peak_children_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--items", type=int, default=60)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = tmp / "data"
        t0 = time.perf_counter()
        write_round(data, n=args.n, k=args.items)
        size = (data / "raw" / "groot.csv").stat().st_size / 1e6
        print(f"round: {args.n:,} respondents x {args.items} items, {size:.0f} MB CSV "
              f"(written in {time.perf_counter() - t0:.1f} s)")
        env = {**os.environ, "PEO_CACHE_DIR": str(tmp / "cache"), "PYTHONWARNINGS": "ignore"}
        floor_src = ("import pandas as pd, sys; df = pd.read_csv(sys.argv[1], low_memory=False); "
                     "df.describe()")
        t_floor, _, _ = _run([sys.executable, "-c", floor_src, str(data / "raw" / "groot.csv")], env)
        peak_floor = _peak_children_mb()
        print(f"  floor (pandas.read_csv + describe, new process): {t_floor:.1f} s")
        rows = []
        for what, cmd in (("check", [str(BIN / "peo"), "check", ROUND, "--data-dir", str(data)]),
                          ("report", [str(BIN / "peo"), "report", ROUND, "--data-dir", str(data),
                                      "--out", str(tmp / "out"), "--timeout", "1800"])):
            secs, rc, last = _run(cmd, env)
            peak = _peak_children_mb()  # the largest child so far: check < report in practice
            rows.append((what, secs, rc, peak, last))
        for what, secs, rc, peak, last in rows:
            ok = rc == 0 and secs < 120 and peak < 4096
            print(f"  peo {what}: {secs:.1f} s ({secs / t_floor:.1f}x the floor), peak {peak:,.0f} MB, "
                  f"exit {rc}  (target < 120 s and < 4 GB: {'met' if ok else 'NOT met'})")
            if rc != 0:
                print(f"    {last}")
        print(f"  (peak memory of the floor: {peak_floor:,.0f} MB; the peak is the largest process so far)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
