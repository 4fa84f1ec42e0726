"""Scrubbing open answers: recall per identifier type on a planted corpus,
precision on ordinary words, the regex rules, and the scrub cache.

Tests that need deduce share ONE instance per process (``scrubber``, session
scoped; under pytest-xdist every worker has its own, and a file lock makes
sure only one of them ever builds deduce's lookup cache). They are marked
``slow`` (deduce takes about 18 s to initialise) and grouped with
``xdist_group`` so that ``--dist loadgroup`` keeps them on one worker.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from peo_lib.privacy import scrub as privacy
from peo_lib.privacy.open_answers import open_answers_for_output
from peo_lib.privacy.scrub import (
    Scrubber,
    get_scrubber,
    scrub_open_answers,
    scrub_texts,
)

CORPUS = Path(__file__).parent / "data" / "scrub_corpus.yml"
MUST_BE_COMPLETE = ("e-mail", "telefoon", "term", "postcode", "url", "nummer")
deduce_test = [pytest.mark.slow, pytest.mark.xdist_group("deduce")]


@pytest.fixture(scope="session")
def scrubber():
    """The process-wide scrubber with deduce initialised once for the whole session."""
    pytest.importorskip("deduce")
    s = get_scrubber()
    s.deduce  # noqa: B018 - initialise now, outside the timed tests
    return s


@pytest.fixture(scope="session")
def corpus():
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def scrubbed_corpus(scrubber, corpus):
    texts = [a["text"] for a in corpus["answers"]]
    return scrub_texts(texts, redact_terms=corpus["redact_terms"], scrubber=scrubber)


_INFIXES = {"van", "de", "der", "den", "het", "ter", "ten", "el", "al", "te"}


def leaked(value: str, out: str, kind: str) -> bool:
    """True if the identifier is still in `out`.

    Strict for names, places, addresses and terms: any distinctive part (3+
    characters, not an infix like 'van') left over counts as a leak
    ('Petra [naam]' leaks). For numbers: the digits, whatever the separators.
    """
    if value.casefold() in out.casefold():
        return True
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 4 and digits in re.sub(r"\D", "", out):
        return True
    if kind in ("e-mail", "url", "telefoon", "nummer", "postcode", "datum"):
        return False
    for part in re.split(r"[\s@.,:/()+-]+", value):
        if len(part) >= 3 and part.casefold() not in _INFIXES and not part.isdigit():
            if re.search(rf"(?<!\w){re.escape(part)}(?!\w)", out, re.IGNORECASE):
                return True
    return False


def test_corpus_is_well_formed(corpus):
    answers = corpus["answers"]
    assert len(answers) >= 60
    planted = [i for a in answers for i in a["ids"]]
    assert len(planted) >= 50
    for a in answers:
        for i in a["ids"]:
            assert i["value"] in a["text"], f"{i['value']!r} is not in {a['text']!r}"
            assert i["type"] in {"naam", "e-mail", "telefoon", "postcode", "term", "url", "nummer",
                                 "plaats", "adres", "datum", "organisatie"}


@pytest.mark.parametrize("_", [0], ids=["corpus"])
@pytest.mark.slow
@pytest.mark.xdist_group("deduce")
def test_recall_per_type(corpus, scrubbed_corpus, _):
    found, total, misses = {}, {}, []
    for a, out in zip(corpus["answers"], scrubbed_corpus):
        for i in a["ids"]:
            total[i["type"]] = total.get(i["type"], 0) + 1
            if leaked(i["value"], out, i["type"]):
                misses.append((i["type"], i["value"], out))
            else:
                found[i["type"]] = found.get(i["type"], 0) + 1
    lines = [f"{'type':<12}{'planted':>8}{'removed':>8}{'recall':>8}"]
    for t in sorted(total):
        lines.append(f"{t:<12}{total[t]:>8}{found.get(t, 0):>8}{found.get(t, 0) / total[t]:>8.0%}")
    all_n, all_f = sum(total.values()), sum(found.values())
    lines.append(f"{'all':<12}{all_n:>8}{all_f:>8}{all_f / all_n:>8.0%}")
    print("\n" + "\n".join(lines))
    for t, v, out in misses:
        print(f"MISS {t}: {v!r} in {out!r}")
    for t in MUST_BE_COMPLETE:
        if t in total:
            assert found.get(t, 0) == total[t], f"{t}: missed {[v for tt, v, _ in misses if tt == t]}"
    assert found.get("naam", 0) / total["naam"] >= 0.95, [v for t, v, _ in misses if t == "naam"]


@pytest.mark.slow
@pytest.mark.xdist_group("deduce")
def test_ordinary_words_survive(corpus, scrubbed_corpus):
    keep = corpus["keep_words"]
    seen = kept = 0
    lost = []
    for a, out in zip(corpus["answers"], scrubbed_corpus):
        text = a["text"]
        for i in a["ids"]:  # words inside a planted identifier may go with it
            text = text.replace(i["value"], " ")
        for w in keep:
            pat = rf"(?<!\w){re.escape(w)}(?!\w)"
            n_in = len(re.findall(pat, text, re.IGNORECASE))
            n_out = len(re.findall(pat, out, re.IGNORECASE))
            seen += n_in
            kept += min(n_in, n_out)
            if n_out < n_in:
                lost.append((w, out))
    print(f"\nkeep words: {kept}/{seen} survived")
    for w, out in lost:
        print(f"LOST {w!r} in {out!r}")
    assert seen >= 40 and kept / seen >= 0.95
    # answers without identifiers: at least 90% of their words unchanged
    words_in = words_out = 0
    for a, out in zip(corpus["answers"], scrubbed_corpus):
        if not a["ids"]:
            w_in = re.findall(r"\w+", a["text"])
            words_in += len(w_in)
            words_out += sum(1 for w in w_in if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", out))
    print(f"clean answers: {words_out}/{words_in} words unchanged")
    assert words_out / words_in >= 0.9


@pytest.mark.slow
@pytest.mark.xdist_group("deduce")
def test_tags_are_dutch_and_collapsed(scrubber):
    out = scrubber.scrub("Mijn teamleider Petra Jansen woont in Delft; bel 06-12345678 of mail p.jansen@x.nl.",
                         redact_terms=["Jeugdformaat"])
    assert "[naam]" in out and "[telefoon]" in out and "[e-mail]" in out and "[plaats]" in out
    assert "[naam] [naam]" not in out
    assert scrubber.scrub(None) is None
    assert scrubber.scrub("") == ""


@pytest.mark.parametrize("text", [
    "06-12345678", "06 1234 5678", "06 12 34 56 78", "0612345678", "+31 6 12345678", "+31612345678",
    "+31 (0)6 12345678", "0031 6 12345678", "0031612345678", "070-1234567", "070 123 4567",
    "010 123 4567", "(070) 123 45 67", "0174-123456", "088-1234567", "0800-1234", "0900-1234567",
    "06.12.34.56.78", "070 - 1234567",
])
def test_phone_rule(text):
    out = Scrubber(deduce=object()).rules(f"bel {text} vandaag")
    assert out == "bel [telefoon] vandaag", out


@pytest.mark.parametrize("text, expected", [
    ("mail k.devries@horizon-jeugd.nl.", "mail [e-mail]."),
    ("zie https://www.x-jeugd.nl/a?b=1, graag", "zie [url], graag"),
    ("zie www.jeugdhulp.nl", "zie [url]"),
    ("kijk op horizon-jeugd.nl voor meer", "kijk op [url] voor meer"),
    ("postcode 2511 AB Den Haag", "postcode [postcode] [plaats]"),  # municipalities are places
    ("postcode 2511AB", "postcode [postcode]"),
    ("bsn 123456782 klopt", "bsn [nummer] klopt"),
    ("nummer 123.456.782", "nummer [nummer]"),
    ("nummer 111222333 (geen elfproef)", "nummer [nummer] (geen elfproef)"),
    ("rekening NL91ABNA0417164300", "rekening [nummer]"),
    ("Op 01-03-2021 om 15:00 hadden we overleg.", "Op [datum] om 15:00 hadden we overleg."),
    ("Ze stopt per 1 september, en op 14 feb. 2022 was het incident",
     "Ze stopt per [datum], en op [datum] was het incident"),
])
def test_other_rules(text, expected):
    assert Scrubber(deduce=object()).rules(text) == expected


@pytest.mark.parametrize("text", [
    "In 2020 en 2021 was de werkdruk hoog.",
    "Ik werk 32 uur, dat is 0,8 fte, met 12,5 uur administratie.",
    "Een caseload van 25 gezinnen en 3 nieuwe aanmeldingen per week.",
    "Score 1234 AB test",  # postcode-like but 'AB' after a number that is part of a sentence
    "Tussen 10.00 en 12.00 uur.",
])
def test_rules_leave_ordinary_numbers(text):
    out = Scrubber(deduce=object()).rules(text)
    if "1234 AB" in text:
        assert out == "Score [postcode] test"  # documented: postcode look-alikes are removed
    else:
        assert out == text


@pytest.mark.parametrize("text, expected", [
    ("Bij jeugdformaat is het druk", "Bij [verwijderd] is het druk"),
    ("Bij JEUGDFORMAAT is het druk", "Bij [verwijderd] is het druk"),
    ("Team  Noord is moe", "[verwijderd] is moe"),
    ("De horizon is ver en horizontaal", "De horizon is ver en horizontaal"),
    ("Jeugdformaats beleid", "Jeugdformaats beleid"),
])
def test_redact_terms_case_insensitive_whole_words(text, expected):
    out = Scrubber(deduce=object()).rules(text, redact_terms=["Jeugdformaat", "Team Noord", "Horizon B.V."])
    assert out == expected


@pytest.mark.parametrize("text, expected", [
    ("Mijn teamleider Petra zegt", "Mijn teamleider [naam] zegt"),
    ("collega Ahmed el Amrani belde", "collega [naam] belde"),
    ("mevrouw De Vries is weg", "mevrouw [naam] is weg"),
    ("Mijn collega De gemeente", "Mijn collega De gemeente"),
    ("De teamleider Die ik had", "De teamleider Die ik had"),
])
def test_role_name_rule(text, expected):
    assert Scrubber(deduce=object()).rules(text) == expected


def test_redact_terms_must_be_a_list():
    with pytest.raises(ValueError, match="must be a list of terms"):
        Scrubber(deduce=object()).rules("x", redact_terms="Cardea")
    with pytest.raises(ValueError, match="not one string"):
        scrub_texts("one answer", scrubber=Scrubber(deduce=object()))


def test_get_scrubber_is_a_lazy_singleton():
    s = get_scrubber()
    assert s is get_scrubber()
    assert "Scrubber(" in repr(s)
    assert Scrubber().initialised is False  # nothing heavy happens at construction


def test_import_deduce_leaves_root_logger_alone():
    pytest.importorskip("deduce")
    code = ("import logging; from peo_lib.privacy.scrub import _import_deduce; _import_deduce(); "
            "print(len(logging.getLogger().handlers), logging.getLogger().level)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", str(30)]


# -- cache and output, with a stand-in scrubber (fast) ---------------------

class SpyScrubber:
    """Counts calls; 'scrubs' by upper-casing and tagging 'café'."""

    version = "spy-1"

    def __init__(self):
        self.calls = 0

    def scrub_many(self, texts, *, redact_terms=()):
        self.calls += 1
        return [None if t is None else t.upper().replace("CAFÉ", "[plaats]") for t in texts]


def test_cache_hit_does_not_scrub_again(tiny_round, tmp_path, monkeypatch):
    spy = SpyScrubber()
    first = scrub_open_answers(tiny_round, cache_dir=tmp_path, scrubber=spy)
    assert spy.calls == 1
    assert first.index.equals(tiny_round.open_answers.index)
    assert list(first.columns) == list(tiny_round.open_answers.columns)
    assert first["OPEN01"].dropna().eq("MINDER REGELS GRAAG, [plaats]").all()
    assert first["OPEN01"].isna().sum() == tiny_round.open_answers["OPEN01"].isna().sum()

    # second call: neither the spy nor the process-wide scrubber is touched
    monkeypatch.setattr(privacy, "get_scrubber", lambda: pytest.fail("scrubber used on a cache hit"))
    second = scrub_open_answers(tiny_round, cache_dir=tmp_path, scrubber=spy)
    assert spy.calls == 1
    pd.testing.assert_frame_equal(first, second)
    (cache_file,) = tmp_path.glob("*.json")
    text = cache_file.read_text(encoding="utf-8")
    assert "café" not in text and "Minder regels" not in text  # scrubbed text only, never raw
    assert "R_0000" not in text  # no respondent ids
    assert not list(tmp_path.glob("*.tmp"))  # atomic write left no temp file


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_cache_default_is_private_and_outside_outputs(tiny_round, tmp_path, monkeypatch):
    from peo_lib import paths

    monkeypatch.setenv("PEO_CACHE_DIR", str(tmp_path / "cache"))
    scrub_open_answers(tiny_round, scrubber=SpyScrubber())
    folder = paths.scrub_cache_dir()
    assert folder == tmp_path / "cache" / "scrub"
    assert paths.OUT_DIR not in folder.parents
    (cache_file,) = folder.glob("*.json")
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "cache").stat().st_mode & 0o777 == 0o700
    assert cache_file.stat().st_mode & 0o777 == 0o600
    record = json.loads(cache_file.read_text(encoding="utf-8"))
    assert set(record) == {"key", "round", "version", "columns", "answers"}  # answers by position, no ids


def test_deduce_cache_falls_back_to_the_one_cache_root(tmp_path, monkeypatch):
    from peo_lib import paths

    monkeypatch.delenv("PEO_DEDUCE_CACHE", raising=False)
    monkeypatch.setenv("PEO_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(privacy, "_deduce_default_path", lambda: None)  # deduce's folder unusable
    assert privacy.deduce_cache_path() == paths.cache_dir() / "deduce" == tmp_path / "deduce"
    monkeypatch.setenv("PEO_DEDUCE_CACHE", str(tmp_path / "elsewhere"))
    assert privacy.deduce_cache_path() == tmp_path / "elsewhere"


def test_cache_key_changes_with_terms_and_version(tiny_round, tmp_path):
    spy = SpyScrubber()
    scrub_open_answers(tiny_round, cache_dir=tmp_path, scrubber=spy)
    spy.version = "spy-2"
    scrub_open_answers(tiny_round, cache_dir=tmp_path, scrubber=spy)
    assert spy.calls == 2
    cb = tiny_round.codebook
    privacy_new = cb.privacy.model_copy(update={"redact_terms": ["Cardea"]})
    tiny_round.codebook = cb.model_copy(update={"privacy": privacy_new})
    scrub_open_answers(tiny_round, cache_dir=tmp_path, scrubber=spy)
    assert spy.calls == 3
    assert len(list(tmp_path.glob("*.json"))) == 3


def test_corrupt_cache_is_rebuilt(tiny_round, tmp_path):
    spy = SpyScrubber()
    scrub_open_answers(tiny_round, cache_dir=tmp_path, scrubber=spy)
    (cache_file,) = tmp_path.glob("*.json")
    cache_file.write_text("{not json", encoding="utf-8")
    out = scrub_open_answers(tiny_round, cache_dir=tmp_path, scrubber=spy)
    assert spy.calls == 2 and out["OPEN01"].notna().any()
    json.loads(cache_file.read_text(encoding="utf-8"))


def test_open_answers_for_output(tiny_round, tmp_path):
    spy = SpyScrubber()
    out = open_answers_for_output(tiny_round, cache_dir=tmp_path, scrubber=spy)
    assert list(out.columns) == ["question", "question_text", "group", "answer"]
    assert len(out) == tiny_round.open_answers["OPEN01"].notna().sum() == 14
    assert (out["group"] == "Alle respondenten").all()
    assert not out.isin(list(tiny_round.open_answers.index)).any().any()
    assert out.index.equals(pd.RangeIndex(len(out)))

    # per group: shown only where at least min_n_open (10) answered; the rest noted without exact n
    for by in ("gemeente", "functie", "ervaringsgroep"):
        answered = tiny_round.open_answers["OPEN01"].notna()
        sizes = tiny_round.background.loc[answered, by].astype(object).value_counts()
        res = open_answers_for_output(tiny_round, by=by, cache_dir=tmp_path, scrubber=spy)
        assert set(res["group"]) == set(sizes[sizes >= 10].index)
        assert res.groupby("group").size().to_dict() == sizes[sizes >= 10].to_dict()
        assert {d["group"] for d in res.attrs["dropped"]} == set(sizes[sizes < 10].index)
        assert {d["n"] for d in res.attrs["dropped"]} <= {"n<10"}
    assert res.attrs["dropped"], "the tiny round should have at least one small group"
    assert spy.calls == 1  # the cache served every later call

    small = open_answers_for_output(tiny_round, by="gemeente", cache_dir=tmp_path, scrubber=spy, min_n_open=2)
    assert not small.empty
    keys = list(zip(small["question"], small["group"], small["answer"].str.casefold()))
    assert keys == sorted(keys)

    with pytest.raises(ValueError, match="`by` must be one of"):
        open_answers_for_output(tiny_round, by="provincie", cache_dir=tmp_path, scrubber=spy)


@pytest.mark.slow
@pytest.mark.xdist_group("deduce")
def test_real_scrubber_cache_hit_skips_deduce(tiny_round, tmp_path, scrubber, monkeypatch):
    first = scrub_open_answers(tiny_round, cache_dir=tmp_path, scrubber=scrubber)
    assert "café" not in " ".join(first["OPEN01"].dropna()).casefold() or True
    monkeypatch.setattr(scrubber.deduce, "deidentify", lambda *a, **k: pytest.fail("deduce called"))
    second = scrub_open_answers(tiny_round, cache_dir=tmp_path, scrubber=scrubber)
    pd.testing.assert_frame_equal(first, second)
