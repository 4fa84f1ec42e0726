"""Benchmark: scrubbing 1,000 open answers.

Prints (never asserts): deduce initialisation time, time per answer for the
full scrub (regex rules + deduce), the floor measured in the same run (the
regex rules alone, the part without deduce), their ratio, and the time of a
cache hit in ``scrub_open_answers`` (which must not touch deduce).

Run: ``python bench/bench_scrub.py`` (or ``make bench``).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from peo_lib.privacy.scrub import Scrubber, scrub_open_answers

N = 1000
CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "scrub_corpus.yml"


def answers(n: int, seed: int = 1) -> tuple[list[str], list[str]]:
    """n answers: corpus answers re-combined so most texts are distinct (no free repeats)."""
    corpus = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    base = [a["text"] for a in corpus["answers"]]
    rng = np.random.default_rng(seed)
    out = [" ".join(rng.choice(base, size=int(rng.integers(1, 4)), replace=False)) for _ in range(n)]
    return out, corpus["redact_terms"]


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


def main() -> int:
    texts, terms = answers(N)
    scrubber = Scrubber()
    init, _ = timed(lambda: scrubber.deduce)
    floor, _ = timed(lambda: [scrubber.rules(t, redact_terms=terms) for t in texts], repeat=3)
    full, _ = timed(scrubber.scrub_many, texts, redact_terms=terms)
    words = np.mean([len(t.split()) for t in texts])
    print(f"answers: {N} (mean {words:.0f} words)")
    print(f"deduce init:        {init:8.1f} s   (first run ever: ~3 min to build the lookup cache)")
    print(f"regex rules alone:  {floor / N * 1e3:8.3f} ms/answer  (floor)")
    print(f"full scrub:         {full / N * 1e3:8.3f} ms/answer  = {full / floor:.0f} x floor")
    with tempfile.TemporaryDirectory() as tmp:
        rnd = _FakeRound(texts, terms)
        miss, _ = timed(scrub_open_answers, rnd, cache_dir=tmp, scrubber=scrubber)
        hit, _ = timed(scrub_open_answers, rnd, cache_dir=tmp, scrubber=Scrubber(), repeat=3)
    print(f"scrub_open_answers: miss {miss:.2f} s, cache hit {hit * 1e3:.1f} ms "
          f"(= {hit / floor:.2f} x the regex floor for all {N}; deduce not initialised on a hit)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
