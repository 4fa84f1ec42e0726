"""Benchmark: recode + validate + score 100,000 respondents x 60 items (10 scales).

Prints the time of the library's path (``round_from_table`` -> ``score_scales``,
i.e. everything ``load_round`` does after the file is read) as a ratio to a
floor measured in the same run: a plain vectorised pandas mean per scale over
the same frame (no recoding, no validation, no reverse keys, no min_valid).
Target (issue 3): ratio <= 3 and under 1 s on the 2-core machine.
Also prints file-reading times for information. Prints, never asserts.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from peo_lib.data.codebook import parse_codebook
from peo_lib.data.readers import RawTable, read_raw
from peo_lib.data.rounds import round_from_table
from peo_lib.stats.scoring import score_scales

N, K, S = 100_000, 60, 10
LABELS = {1: "Helemaal oneens", 2: "Oneens", 3: "Neutraal", 4: "Eens", 5: "Helemaal eens"}


def make(rng, *, as_labels: bool):
    codes = rng.integers(1, 6, size=(N, K)).astype(float)
    codes[rng.random((N, K)) < 0.03] = np.nan
    codes[rng.random((N, K)) < 0.02] = 9
    cols = {f"V{j}": codes[:, j] for j in range(K)}
    df = pd.DataFrame(cols)
    if as_labels:
        lab = {**{float(k): v for k, v in LABELS.items()}, 9.0: "Weet ik niet"}
        df = df.apply(lambda s: s.map(lab)).astype(object)
    df.insert(0, "id", [f"R{i}" for i in range(N)])
    df["jaren"] = rng.integers(0, 30, N).astype(float)
    cb = parse_codebook({
        "round": "2099-1", "title": "bench", "theme": "t", "source": {"file": "x.csv"},
        "respondent_id": "id",
        "response_sets": {"e5": {"values": LABELS, "missing": {9: "Weet ik niet"}}},
        "items": {f"I{j:02d}": {"column": f"V{j}", "text": f"item {j}", "response_set": "e5"} for j in range(K)},
        "scales": {f"s{s}": {"label": f"s{s}", "items": [f"I{j:02d}" for j in range(s * 6, s * 6 + 6)],
                             "reverse": [f"I{s * 6:02d}"], "min_valid": 4} for s in range(S)},
        "background": {"ervaring_jaren": {"column": "jaren", "type": "number"}},
    })
    return cb, df


def timeit_pair(floor, ours, repeat=7):
    """Median times of two functions, run interleaved so machine load hits both alike."""
    tf, to = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        floor()
        t1 = time.perf_counter()
        ours()
        t2 = time.perf_counter()
        tf.append(t1 - t0)
        to.append(t2 - t1)
    return statistics.median(tf), statistics.median(to)


def timeit(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    rng = np.random.default_rng(3)
    for as_labels in (False, True):
        cb, df = make(rng, as_labels=as_labels)
        if as_labels:  # as read_raw returns text columns: categoricals of stripped strings
            df = df.astype({c: "category" for c in df.columns if c.startswith("V")})
        table = RawTable(data=df, path=Path("bench.csv"), format="sav")
        groups = [[f"V{j}" for j in range(s * 6, s * 6 + 6)] for s in range(S)]
        numeric = df[[f"V{j}" for j in range(K)]]
        if as_labels:  # the floor needs numbers: same frame, already coded
            numeric = numeric.apply(lambda s: s.astype(object).map({v: float(k) for k, v in LABELS.items()}))

        def floor():
            return pd.DataFrame({f"s{s}": numeric[g].mean(axis=1) for s, g in enumerate(groups)})

        def ours():
            return score_scales(round_from_table(cb, table))

        t_floor, t_ours = timeit_pair(floor, ours)
        kind = "labels (text cells)" if as_labels else "codes (numeric cells)"
        print(f"{kind:24s} floor {t_floor * 1000:7.1f} ms  peo {t_ours * 1000:7.1f} ms  "
              f"ratio {t_ours / t_floor:5.2f}  (target <= 3 and < 1 s)")
    # File reading, for information: CSV and .sav of the numeric frame.
    cb, df = make(rng, as_labels=False)
    with tempfile.TemporaryDirectory() as d:
        csv_path = Path(d) / "x.csv"
        df.to_csv(csv_path, sep=";", index=False)
        t_csv = timeit(lambda: read_raw(csv_path), repeat=2)
        t_pd = timeit(lambda: pd.read_csv(csv_path, sep=";"), repeat=2)
        print(f"read CSV 100k x 62: peo {t_csv:.2f} s, plain pd.read_csv {t_pd:.2f} s, ratio {t_csv / t_pd:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
