"""De-identification you can put a number on (issue 15, point 4).

Three annotated corpora in ``tests/data/deid`` (made by the seeded generator
``make_corpus.py`` there, committed with its output): ``corpus.jsonl``
(the one the rules were developed on), ``holdout.jsonl`` (another author's
templates, other names, streets, schools and organisations, another seed;
two rules were added after looking at its misses) and ``holdout2.jsonl``
(a third style, written after the rules were final and never tuned on).
All are held to the targets of issue 15: name recall >= 0.95 with a 95 %
Wilson lower bound >= 0.90; e-mail, phone, BSN, IP, ResponseId, URL and
postcode 100 %; >= 95 % of the ordinary words survive.

The targets are checked by :meth:`Evaluation.failures`; the last tests show
that the same check fails for a scrubber that misses things or removes too
much, so a regression cannot pass unnoticed.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from peo_lib.privacy.deid_eval import TARGETS, evaluate, format_table, load_corpus
from peo_lib.privacy.scrub import Scrubber, get_scrubber

DEID = Path(__file__).parent / "data" / "deid"
CORPORA = {"corpus": DEID / "corpus.jsonl", "holdout": DEID / "holdout.jsonl",
           "holdout2": DEID / "holdout2.jsonl"}
CATEGORIES = {"naam", "e-mail", "telefoon", "postcode", "bsn", "geboortedatum", "ip", "responseid", "url",
              "adres", "school", "wijk", "organisatie", "plaats"}


@pytest.fixture(scope="module")
def scrubber():
    s = get_scrubber()
    s.deduce  # noqa: B018 - one deduce start for the module
    return s


@pytest.fixture(scope="module", params=sorted(CORPORA))
def scored(request, scrubber):
    rows = load_corpus(CORPORA[request.param])
    out = scrubber.scrub_many([r["text"] for r in rows])
    return request.param, rows, out, evaluate(rows, out)


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_corpus_is_large_and_well_formed(name):
    rows = load_corpus(CORPORA[name])  # checks text[start:end] == span text
    pii = [r for r in rows if r["kind"] == "pii"]
    clean = [r for r in rows if r["kind"] == "clean"]
    assert len(pii) >= 300 and len(clean) >= 100
    assert all(r["spans"] for r in pii)
    assert all(s["category"] == "plaats" for r in clean for s in r["spans"])
    cats = {s["category"] for r in rows for s in r["spans"]}
    assert CATEGORIES - {"plaats"} <= cats <= CATEGORIES
    assert len({r["id"] for r in rows}) == len(rows)
    names = [s for r in rows for s in r["spans"] if s["category"] == "naam"]
    assert len(names) >= 150
    assert any(s["text"].islower() for s in names), "lower-case names belong in the corpus"
    assert any(re.search(r"\b(?:van|de|der|den|el|al|ter)\b", s["text"]) for s in names), "tussenvoegsels"
    for r in rows:
        spans = sorted(r["spans"], key=lambda s: s["start"])
        assert all(a["end"] <= b["start"] for a, b in zip(spans, spans[1:])), r["id"]


def test_holdouts_use_other_names_than_the_corpus():
    def names(path):
        return {w for r in load_corpus(path) for s in r["spans"] if s["category"] == "naam"
                for w in re.findall(r"\w+", s["text"].casefold()) if len(w) > 3}

    sets = {k: names(p) for k, p in CORPORA.items()}
    for a, b in (("corpus", "holdout"), ("corpus", "holdout2"), ("holdout", "holdout2")):
        shared = sets[a] & sets[b]
        assert len(shared) <= 3, (a, b, shared)


def test_corpus_is_the_generators_output(tmp_path, monkeypatch):
    """The committed files are exactly what the seeded generator writes (no hand edits)."""
    spec = importlib.util.spec_from_file_location("make_corpus", DEID / "make_corpus.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    monkeypatch.setattr(gen, "HERE", tmp_path)
    gen.main()
    for name in ("corpus.jsonl", "holdout.jsonl", "holdout2.jsonl"):
        assert (tmp_path / name).read_bytes() == (DEID / name).read_bytes(), name


def test_no_real_bsn_and_documentation_ip_ranges():
    import ipaddress

    from peo_lib.privacy.scrub_rules import _is_bsn

    for path in CORPORA.values():
        for r in load_corpus(path):
            for s in r["spans"]:
                if s["category"] == "bsn":
                    assert not _is_bsn(s["text"]), f"{s['text']} passes the 11-proof"
                if s["category"] == "ip":
                    ip = ipaddress.ip_address(s["text"])
                    doc = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
                                                             "2001:db8::/32")]
                    assert ip.is_private or any(ip in n for n in doc), s["text"]


@pytest.mark.slow
@pytest.mark.xdist_group("deduce")
def test_targets_are_met(scored):
    name, rows, out, ev = scored
    print("\n" + format_table(ev, name))
    for cat, sc in ev.scores.items():
        for miss in sc.misses:
            print(f"MISS {cat}: {miss!r}")
    assert ev.failures() == []
    for cat in TARGETS:
        assert ev.scores[cat].n >= 10, f"too few {cat} spans for a claim"


@pytest.mark.slow
@pytest.mark.xdist_group("deduce")
def test_answers_without_personal_data_mostly_unchanged(scored):
    _, rows, out, _ = scored
    clean = [(r, o) for r, o in zip(rows, out) if r["kind"] == "clean" and not r["spans"]]
    unchanged = sum(r["text"] == o for r, o in clean)
    assert unchanged / len(clean) >= 0.85, unchanged


def test_the_check_fails_for_a_scrubber_that_misses_names():
    """Rules only, without deduce or the name rules: names are missed and the targets fail."""
    rows = load_corpus(CORPORA["holdout"])
    bare = Scrubber(deduce=object())
    out = [bare.rules(r["text"]) for r in rows]
    ev = evaluate(rows, out)
    assert ev.scores["e-mail"].recall == 1.0  # the strict rules still work ...
    assert ev.scores["naam"].recall < 0.95  # ... but that is not enough for names
    assert any(f.startswith("naam") for f in ev.failures())


def test_the_check_fails_for_a_leak_and_for_over_scrubbing():
    rows = load_corpus(CORPORA["corpus"])
    texts = [r["text"] for r in rows]
    ev = evaluate(rows, texts)  # nothing removed
    assert {f.split(":")[0] for f in ev.failures()} >= set(TARGETS)
    # one phone number left in an otherwise perfect scrub fails the 100 % target
    perfect = []
    leaked_one = False
    for r in rows:
        t = r["text"]
        for s in sorted(r["spans"], key=lambda s: -s["start"]):
            if s["category"] == "telefoon" and not leaked_one:
                leaked_one = True
                continue
            t = t[:s["start"]] + "[x]" + t[s["end"]:]
        perfect.append(t)
    fails = evaluate(rows, perfect).failures()
    assert len(fails) == 1 and fails[0].startswith("telefoon")
    # removing every capitalised word fails the ordinary-word target
    greedy = [re.sub(r"\b[A-Z]\w*", "[naam]", t) for t in perfect]
    assert any(f.startswith("ordinary words") for f in evaluate(rows, greedy).failures())


def test_partial_removal_counts_as_a_leak():
    row = {"id": "x", "kind": "pii", "text": "Bel Petra de Vries op 06-12345678.",
           "spans": [{"start": 4, "end": 18, "category": "naam", "text": "Petra de Vries"},
                     {"start": 22, "end": 33, "category": "telefoon", "text": "06-12345678"}]}
    ev = evaluate([row], ["Bel Petra [naam] op 06-[telefoon]."])
    assert ev.scores["naam"].removed == 0 and ev.scores["telefoon"].removed == 0
    ev = evaluate([row], ["Bel [naam] de [naam] op [telefoon]."])  # the infix may stay
    assert ev.scores["naam"].removed == 1 and ev.scores["telefoon"].removed == 1


def test_wilson_interval_is_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    rows = [{"id": str(i), "kind": "pii", "text": f"Naam{i} x", "spans": [
        {"start": 0, "end": len(f"Naam{i}"), "category": "naam", "text": f"Naam{i}"}]} for i in range(20)]
    out = ["[naam] x"] * 19 + [rows[19]["text"]]
    sc = evaluate(rows, out).scores["naam"]
    low, high = proportion_confint(19, 20, alpha=0.05, method="wilson")
    assert (sc.removed, sc.n) == (19, 20)
    assert sc.low == pytest.approx(low) and sc.high == pytest.approx(high)
    assert json.dumps(format_table(evaluate(rows, out)))  # printable
