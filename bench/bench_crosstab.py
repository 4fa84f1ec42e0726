"""Benchmark of the banner tables (peo_lib.stats.crosstab). Prints only (no pass/fail).

A banner of 40 items by 4 breakdowns (ervaringsgroep, functie, organisatie,
gemeente: 2 + 4 + 5 + 9 groups) on 10,000 respondents, weighted (raked to
functie and organisatie), with significance letters and disclosure control:
:func:`peo_lib.stats.crosstab.banner`. The floor, measured in the same run,
is plain ``pandas.crosstab`` of the same 160 item x breakdown pairs with the
same weights (``values=w, aggfunc="sum", normalize="columns"``): column
percentages only, no tests, no suppression. Median of 5 runs each.
Target: banner <= 5x the floor and under 1 s.

Run: ``python bench/bench_crosstab.py``.
"""

from __future__ import annotations

import importlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _synthetic import codebook_head  # bench/ is first on sys.path when run as a script

N_RESP = 10_000
N_ITEMS = 40
REPEATS = 5

MARGINS = {
    "functie": {"Jeugdhulpverlener": 0.50, "Gedragswetenschapper": 0.25, "Teamleider": 0.15, "Anders": 0.10},
    "organisatie": {"Specialistische jeugdhulp": 0.30, "Wijkteam": 0.30, "Jeugdbescherming": 0.20,
                    "Vrijgevestigd": 0.10, "Anders": 0.10},
}


def write_round(data_dir: Path, seed: int = 14) -> Path:
    """A synthetic round: N_RESP respondents x N_ITEMS eens5 items with blanks and 'Weet ik niet'."""
    rng = np.random.default_rng(seed)
    (data_dir / "codebooks").mkdir(parents=True)
    (data_dir / "raw").mkdir()
    items = "\n".join(f"  K{j + 1:02d}: {{column: q{j + 1}, text: Stelling {j + 1}., response_set: eens5}}"
                      for j in range(N_ITEMS))
    cb = data_dir / "codebooks" / "2099-2.yml"
    cb.write_text(codebook_head("2099-2", title="Benchmark banner", file="banner.csv") + f"items:\n{items}\n",
                  encoding="utf-8")
    n = N_RESP
    functie = rng.choice(4, n, p=[0.6, 0.2, 0.12, 0.08]) + 1
    cols = {"id": np.arange(1, n + 1), "jaren": rng.integers(0, 30, n), "functie": functie,
            "org": rng.choice(5, n, p=[0.35, 0.3, 0.2, 0.1, 0.05]) + 1,
            "gemeente": rng.choice(9, n, p=[0.45, 0.12, 0.12, 0.1, 0.08, 0.07, 0.0543, 0.0054, 0.0003]) + 1}
    theta = rng.normal(size=n) + 0.2 * (functie == 3)
    for j in range(N_ITEMS):
        x = np.clip(np.round(3 + theta * rng.uniform(0.4, 1.0) + rng.normal(0, 1, n)), 1, 5).astype(int)
        u = rng.random(n)
        cells = x.astype(object)
        cells[u < 0.05] = 9
        cells[(u >= 0.05) & (u < 0.08)] = ""
        cols[f"q{j + 1}"] = cells
    header = list(cols)
    lines = [",".join(header)] + [",".join(str(cols[h][i]) for h in header) for i in range(n)]
    (data_dir / "raw" / "banner.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cb


def _median_time(fn) -> float:
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    import pandas as pd

    from peo_lib import load_round
    from peo_lib.stats.crosstab import banner
    from peo_lib.stats.weighting import rake_weights, weighting_summary
    from peo_lib.vocab import BREAKDOWNS

    with tempfile.TemporaryDirectory() as tmp:
        rnd = load_round(write_round(Path(tmp)))
    t0 = time.perf_counter()
    w = rake_weights(rnd, MARGINS)
    t_rake = time.perf_counter() - t0
    summary = weighting_summary(w)
    items = list(rnd.items.columns)
    by = list(BREAKDOWNS)

    def floor():
        for item in items:
            for b in by:
                pd.crosstab(rnd.items[item], rnd.background[b], values=w, aggfunc="sum", normalize="columns")

    def ours():
        return banner(rnd, items, by=by, weights=w)

    t0 = time.perf_counter()
    for module in ("scipy.linalg", "scipy.optimize", "scipy.stats"):   # loaded on first use by the banner
        importlib.import_module(module)
    t_import = time.perf_counter() - t0
    first = time.perf_counter()
    tab = ours()
    t_first = time.perf_counter() - first
    t_floor = _median_time(floor)
    t_ours = _median_time(ours)
    ratio = t_ours / t_floor
    print(f"banner: {len(items)} items x {len(by)} breakdowns ({', '.join(by)}) on {rnd.n:,} respondents, weighted")
    print(f"  raking to functie + organisatie: {t_rake * 1000:.1f} ms, {summary['passes']} passes, "
          f"n_eff {summary['n_eff']:.0f}, deff {summary['deff']:.3f}")
    print(f"  rows {len(tab):,}; cells with letters {int((tab['letters'] != '').sum()):,}; "
          f"suppressed rows {int(tab['suppressed'].sum()):,}")
    print(f"  floor, pandas.crosstab x {len(items) * len(by)} (median of {REPEATS}): {t_floor * 1000:.0f} ms")
    print(f"  banner (median of {REPEATS}): {t_ours * 1000:.0f} ms (first call {t_first * 1000:.0f} ms, after "
          f"{t_import * 1000:.0f} ms importing scipy)")
    print(f"  ratio banner / floor: {ratio:.2f}x  (target <= 5x and < 1 s: "
          f"{'met' if ratio <= 5 and t_ours < 1 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
