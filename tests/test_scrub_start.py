"""deduce's start (issue 17, point 3) and the scrub cache (issue 15, point 5).

* The compact lookup structures (:mod:`peo_lib.privacy.deduce_lookup`) answer
  exactly like deduce's own tries: on random tries, and on the
  de-identification corpora (identical annotations, so recall is unchanged).
* deduce is started only when an answer is not in the scrub cache: counted
  with ``scrub.DEDUCE_STARTS`` in-process and ``$PEO_DEDUCE_STARTS_FILE``
  across processes (a ``peo report`` with a new ``--out`` after one with
  another ``--out`` does not start it again), and the cache holds no
  respondent ids.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from peo_lib.privacy import scrub
from peo_lib.privacy.deid_eval import load_corpus

DEID = Path(__file__).parent / "data" / "deid"


def _random_items(rng, n):
    alphabet = ["a", "b", "van", "de", "Berg", "straat", "1", "-", "’t"]
    return [[rng.choice(alphabet) for _ in range(rng.randint(1, 4))] for _ in range(n)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_compact_trie_answers_like_lookup_trie(seed):
    pytest.importorskip("docdeid")
    from docdeid.ds import LookupTrie
    from docdeid.str import LowercaseString

    from peo_lib.privacy.deduce_lookup import CompactTrie, compact_lookup_structs

    rng = random.Random(seed)
    for pipeline in (None, [LowercaseString()]):
        trie = LookupTrie(matching_pipeline=pipeline)
        for item in _random_items(rng, 60):
            trie.add_item(item)
        from docdeid.ds import DsCollection

        coll = DsCollection()
        coll["t"] = trie
        compact = compact_lookup_structs(coll)["t"]
        assert isinstance(compact, CompactTrie) and isinstance(compact, LookupTrie)
        assert set(compact.children) == set(trie.children)
        for query in _random_items(rng, 300):
            query = [q.upper() if rng.random() < 0.2 else q for q in query] + ["x"]
            for start in range(len(query)):
                assert compact.longest_matching_prefix(query, start_i=start) == \
                    trie.longest_matching_prefix(query, start_i=start), (query, start)
            assert (query[:-1] in compact) == (query[:-1] in trie)
        import pickle

        again = pickle.loads(pickle.dumps(compact))
        assert again._items == compact._items and set(again.children) == set(compact.children)
        assert (again.matching_pipeline is None) == (pipeline is None)


@pytest.mark.slow
@pytest.mark.xdist_group("deduce")
def test_compact_deduce_finds_exactly_what_deduce_finds():
    """Same annotations on every answer of both corpora: the faster start changes no find."""
    pytest.importorskip("deduce")
    fast = scrub._new_deduce()
    full = scrub._new_deduce(compact=False)
    from docdeid.ds import LookupTrie

    from peo_lib.privacy.deduce_lookup import CompactTrie

    assert isinstance(fast.lookup_structs["street"], CompactTrie)
    assert type(full.lookup_structs["street"]) is LookupTrie
    texts = [r["text"] for p in ("corpus.jsonl", "holdout.jsonl", "holdout2.jsonl") for r in load_corpus(DEID / p)]
    texts += ["Mijn collega Petra de Vries woont aan de Laan van Meerdervoort 12 in Den Haag bij Parnassia.",
              "Het Haga Ziekenhuis en de Bronovo; meneer J.W. van den Heuvel, Noordeinde 5, Leidschendam."]
    for text in texts:
        a = [(x.start_char, x.end_char, x.tag) for x in fast.deidentify(text).annotations]
        b = [(x.start_char, x.end_char, x.tag) for x in full.deidentify(text).annotations]
        assert sorted(a) == sorted(b), text


def test_starts_are_counted_and_logged(tmp_path, monkeypatch):
    log = tmp_path / "starts.txt"
    monkeypatch.setenv("PEO_DEDUCE_STARTS_FILE", str(log))
    before = scrub.DEDUCE_STARTS
    scrub._record_start(1.25, "compact")
    assert scrub.DEDUCE_STARTS == before + 1
    assert log.read_text().split() == [str(os.getpid()), "1.25", "compact"]


class _Counting(scrub.Scrubber):
    """A real Scrubber whose deduce is a stand-in that counts starts like the real one."""

    def __init__(self):
        super().__init__()
        self.version = "counting-1"

    @property
    def deduce(self):
        if self._deduce is None:
            scrub._record_start(0.0, "stand-in")

            class _Doc:
                annotations = []

            class _D:
                def deidentify(self, text):
                    return _Doc()

            self._deduce = _D()
        return self._deduce


def test_scrub_cache_by_raw_hash_no_deduce_when_unchanged(tiny_round, tmp_path):
    """Issue 15.5: an unchanged round is served from the cache; deduce does not even start."""
    first_scrubber = _Counting()
    n0 = scrub.DEDUCE_STARTS
    first = scrub.scrub_open_answers(tiny_round, cache_dir=tmp_path, scrubber=first_scrubber)
    assert scrub.DEDUCE_STARTS == n0 + 1
    again = _Counting()
    second = scrub.scrub_open_answers(tiny_round, cache_dir=tmp_path, scrubber=again)
    assert scrub.DEDUCE_STARTS == n0 + 1 and not again.initialised
    assert first.equals(second)
    tiny_round.raw_sha256 = "0" * 64  # another raw file: scrubbed again
    scrub.scrub_open_answers(tiny_round, cache_dir=tmp_path, scrubber=again)
    assert scrub.DEDUCE_STARTS == n0 + 2 and again.initialised


@pytest.mark.slow
@pytest.mark.notebook
def test_new_out_does_not_start_deduce_again(tmp_path):
    """Two `peo report` runs into two --out folders: deduce starts once, the cache has no ids."""
    pytest.importorskip("deduce")
    from conftest import write_tiny_round

    data = tmp_path / "data"
    write_tiny_round(data)
    env = dict(os.environ, PEO_CACHE_DIR=str(tmp_path / "cache"),
               PEO_DEDUCE_STARTS_FILE=str(tmp_path / "starts.txt"))
    for out in ("out-a", "out-b"):
        res = subprocess.run([sys.executable, "-m", "peo_lib", "report", "2099-1", "--data-dir", str(data),
                              "--out", str(tmp_path / out)], env=env, capture_output=True, text=True,
                             timeout=900)
        assert res.returncode == 0, res.stderr[-2000:]
        assert (tmp_path / out / "2099-1" / "samenvatting.html").is_file()
        starts = (tmp_path / "starts.txt").read_text().splitlines()
        assert len(starts) == 1, starts  # the second run found every answer in the cache
    files = list((tmp_path / "cache" / "scrub").glob("*.json"))
    assert files
    ids = [f"R_{r:04d}" for r in range(40)]
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert not any(i in text for i in ids), f
        assert "ResponseId" not in text
    for out in ("out-a", "out-b"):  # and nothing of the cache went into an output folder
        assert not [p for p in (tmp_path / out).rglob("*.json") if p.read_text(errors="ignore").count('"key"')]
