"""Benchmark: de-identification of open answers (issue 15 point 4, issue 17 point 3).

Prints (never asserts):

1. deduce's start, each in a fresh process: deduce's own route (unpickling
   its lookup tries) *before*, and the compact lookup structures *after*
   (:mod:`peo_lib.privacy.deduce_lookup`), plus the first scrubbed answer of
   a fresh process (imports, deduce, word lists, one answer). Seconds and
   peak memory (max RSS), as ratios against floors measured in the same run:
   ``python -c pass`` and ``python -c "import pandas"``.
2. Throughput on 1,000 answers: the full scrub against the regex rules alone,
   and a cache hit of ``scrub_open_answers`` (which must not start deduce).
3. Recall per category with a 95 % Wilson interval and ordinary-word
   survival on the three annotated corpora in ``tests/data/deid``.

Run: ``python bench/bench_scrub.py`` (or ``make bench``); ``--quick`` skips
the deduce-route start (about 20 s and 1.1 GB).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from peo_lib.privacy.deid_eval import evaluate, format_table, load_corpus
from peo_lib.privacy.scrub import Scrubber, scrub_open_answers

N = 1000
ROOT = Path(__file__).resolve().parent.parent
DEID = ROOT / "tests" / "data" / "deid"

_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
{body}
print(json.dumps({{"s": time.perf_counter() - t0,
                   "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
_BODIES = {
    "python -c pass": "pass",
    "import pandas": "import pandas",
    "deduce start, before (deduce's own cache)": (
        "from peo_lib.privacy import scrub\nscrub._new_deduce(compact=False)"),
    "deduce start, after (compact structures)": (
        "from peo_lib.privacy import scrub\nscrub._new_deduce()"),
    "first answer, after (fresh process)": (
        "from peo_lib.privacy.scrub import get_scrubber\n"
        "get_scrubber().scrub('Mijn collega Petra de Vries belt je op 06-12345678.')"),
}


def child(body: str) -> dict:
    """Run ``body`` in a fresh interpreter; seconds from its first line and its peak RSS (MB)."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _CHILD.format(body=body)], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["wall"] = time.perf_counter() - t0
    return res


def bench_start(quick: bool) -> None:
    print("== deduce start (fresh process each; wall = process start to exit) ==")
    results = {}
    for label, body in _BODIES.items():
        if quick and "before" in label:
            continue
        results[label] = child(body)
    floor = results["python -c pass"]
    pandas_floor = results["import pandas"]
    print(f"{'':44}{'s':>7}{'MB':>8}{'x pass':>9}{'x pandas':>10}{'MB x pandas':>13}")
    for label, r in results.items():
        print(f"{label:44}{r['wall']:7.2f}{r['mb']:8.0f}{r['wall'] / floor['wall']:9.1f}"
              f"{r['wall'] / pandas_floor['wall']:10.1f}{r['mb'] / pandas_floor['mb']:13.1f}")
    before = results.get("deduce start, before (deduce's own cache)")
    after = results["deduce start, after (compact structures)"]
    if before:
        print(f"after / before: time {after['wall'] / before['wall']:.2f}, memory {after['mb'] / before['mb']:.2f}"
              f"  (target: first answer <= 5 s and <= 500 MB)")


def answers(n: int, seed: int = 1) -> list[str]:
    """n answers: corpus answers re-combined so most texts are distinct (no free repeats)."""
    base = [r["text"] for r in load_corpus(DEID / "corpus.jsonl")]
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(base, size=int(rng.integers(1, 4)), replace=False)) for _ in range(n)]


def timed(fn, *args, repeat=1, **kw):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(*args, **kw)
        best = min(best, time.perf_counter() - t0)
    return best, result


class _FakeRound:
    """Just enough of a Round for scrub_open_answers."""

    def __init__(self, texts, terms):
        from peo_lib.data.codebook import OpenQuestion, Privacy

        class _CB:
            privacy = Privacy(redact_terms=terms)
            open_questions = {"OPEN01": OpenQuestion(column="Q12", text="Toverstaf?")}

        self.id = "2099-1"
        self.codebook = _CB()
        self.raw_sha256 = "bench-" + str(len(texts))
        self.open_answers = pd.DataFrame({"OPEN01": texts}, index=[f"R{i}" for i in range(len(texts))],
                                         dtype=object)


def bench_throughput(scrubber) -> None:
    texts, terms = answers(N), ["Jeugdformaat", "Cardea"]
    floor, _ = timed(lambda: [scrubber.rules(t, redact_terms=terms) for t in texts], repeat=3)
    full, _ = timed(scrubber.scrub_many, texts, redact_terms=terms)
    words = np.mean([len(t.split()) for t in texts])
    print(f"\n== throughput: {N} answers (mean {words:.0f} words) ==")
    print(f"regex rules alone:  {floor / N * 1e3:8.3f} ms/answer  (floor)")
    print(f"full scrub:         {full / N * 1e3:8.3f} ms/answer  = {full / floor:.1f} x floor")
    with tempfile.TemporaryDirectory() as tmp:
        rnd = _FakeRound(texts, terms)
        miss, _ = timed(scrub_open_answers, rnd, cache_dir=tmp, scrubber=scrubber)
        fresh = Scrubber()
        hit, _ = timed(scrub_open_answers, rnd, cache_dir=tmp, scrubber=fresh, repeat=3)
    print(f"scrub_open_answers: miss {miss:.2f} s, cache hit {hit * 1e3:.1f} ms "
          f"(= {hit / floor:.2f} x the regex floor for all {N}; deduce started on the hit: {fresh.initialised})")


def bench_recall(scrubber) -> None:
    for name in ("corpus.jsonl", "holdout.jsonl", "holdout2.jsonl"):
        rows = load_corpus(DEID / name)
        ev = evaluate(rows, scrubber.scrub_many([r["text"] for r in rows]))
        n_pii = sum(r["kind"] == "pii" for r in rows)
        print(f"\n== recall: {name} ({n_pii} answers with personal data, {len(rows) - n_pii} without) ==")
        print(format_table(ev))
        fails = ev.failures()
        print("targets: all met" if not fails else "targets NOT met: " + "; ".join(fails))


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    bench_start(quick="--quick" in argv)
    scrubber = Scrubber()
    t0 = time.perf_counter()
    scrubber.deduce  # noqa: B018
    print(f"(deduce in this process: {time.perf_counter() - t0:.1f} s)")
    bench_throughput(scrubber)
    bench_recall(scrubber)
    return 0


if __name__ == "__main__":
    sys.exit(main())
