"""Measure de-identification on an annotated corpus: recall per category and ordinary-word survival.

Used by ``tests/test_deid_recall.py`` and ``bench/bench_scrub.py`` on the
corpora in ``tests/data/deid/`` (see ``make_corpus.py`` there). A corpus is a
JSONL file, one answer a line: ``{"id", "kind": "pii"|"clean", "text",
"spans": [{"start", "end", "category", "text"}]}``.

How a span counts as removed
----------------------------
The scrubbed text is aligned with the original word by word
(:class:`difflib.SequenceMatcher` on the lower-cased word tokens, Dutch tags
such as ``[naam]`` being tokens of their own), which says for every original
word whether it survived. A span is *removed* when none of its distinctive
words survived: every word of an e-mail address, phone number, postcode,
BSN, date, IP address, ResponseId or URL (``06-[telefoon]`` is a leak), and
every word of a name, address, school, district or organisation except
infixes (``van``, ``de``, ...) and generic words (``basisschool``,
``stichting``, ``college``, ...). ``Petra [naam]`` is a leak.

Ordinary words are the word tokens of the ``clean`` answers (no personal
data at all); their *survival* is the share still there after scrubbing.
The words of ``pii`` answers outside any span are reported too (context).

Recall comes with a 95 % Wilson interval (``statsmodels``
``proportion_confint(method="wilson")``).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["load_corpus", "evaluate", "Evaluation", "CategoryScore", "TARGETS", "format_table"]

_WORD = re.compile(r"\[[a-z-]+\]|\w+", re.UNICODE)
_INFIXES = frozenset("van de der den het ter ten te el al in 't op da di du le la".split())
_GENERIC = frozenset(
    "basisschool school college lyceum obs cbs ikc sbo stichting jeugd jeugdzorg zorggroep jeugdhulp "
    "jeugdnetwerk zorgcoöperatie b v bv".split())
_STRICT = frozenset(["e-mail", "telefoon", "postcode", "bsn", "geboortedatum", "ip", "responseid", "url"])

#: Targets (issue 15): (minimum recall, minimum Wilson lower bound); survival of ordinary words >= 0.95.
TARGETS = {"naam": (0.95, 0.90), "e-mail": (1.0, None), "telefoon": (1.0, None), "bsn": (1.0, None),
           "ip": (1.0, None), "responseid": (1.0, None), "url": (1.0, None), "postcode": (1.0, None)}
SURVIVAL_TARGET = 0.95


def load_corpus(path):
    """The answers of a JSONL corpus, as a list of dicts (``text[start:end] == span text`` checked).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    list of dict
    """
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        for span in row["spans"]:
            if row["text"][span["start"]:span["end"]] != span["text"]:
                raise ValueError(f"{path}:{n}: span {span!r} does not match the text")
        rows.append(row)
    return rows


def _tokens(text):
    return [(m.start(), m.end(), m.group().casefold()) for m in _WORD.finditer(text)]


def _surviving(original, scrubbed):
    """Per word token of ``original``: (start, end, word, survived)."""
    a = _tokens(original)
    b = [t for _, _, t in _tokens(scrubbed)]
    kept = [False] * len(a)
    matcher = difflib.SequenceMatcher(None, [t for _, _, t in a], b, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.a, block.a + block.size):
            kept[k] = True
    return [(s, e, w, k) for (s, e, w), k in zip(a, kept)]


def _distinctive(word, category):
    if category in _STRICT:
        return True
    return word not in _INFIXES and word not in _GENERIC


@dataclass
class CategoryScore:
    """Recall of one category: ``removed`` of ``n`` spans, with a 95 % Wilson interval."""

    category: str
    n: int
    removed: int
    low: float
    high: float
    misses: list = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.removed / self.n if self.n else float("nan")


@dataclass
class Evaluation:
    """Recall per category, ordinary-word survival, and what was missed or lost."""

    scores: dict
    clean_words: int
    clean_kept: int
    context_words: int
    context_kept: int
    lost_words: list

    @property
    def survival(self) -> float:
        return self.clean_kept / self.clean_words if self.clean_words else float("nan")

    @property
    def context_survival(self) -> float:
        return self.context_kept / self.context_words if self.context_words else float("nan")

    def failures(self) -> list:
        """Every target that is not met, as a sentence (empty when all are met)."""
        out = []
        for cat, (min_recall, min_low) in TARGETS.items():
            sc = self.scores.get(cat)
            if sc is None or sc.n == 0:
                out.append(f"{cat}: no spans in the corpus")
                continue
            if sc.recall < min_recall:
                out.append(f"{cat}: recall {sc.recall:.3f} < {min_recall} (missed {sc.misses[:8]})")
            if min_low is not None and sc.low < min_low:
                out.append(f"{cat}: Wilson lower bound {sc.low:.3f} < {min_low}")
        if not self.survival >= SURVIVAL_TARGET:
            out.append(f"ordinary words: {self.survival:.3f} survive < {SURVIVAL_TARGET} "
                       f"(lost {self.lost_words[:10]})")
        return out


def _wilson(count, n):
    from statsmodels.stats.proportion import proportion_confint

    if n == 0:
        return float("nan"), float("nan")
    low, high = proportion_confint(count, n, alpha=0.05, method="wilson")
    return float(low), float(high)


def evaluate(rows, scrubbed) -> Evaluation:
    """Score scrubbed answers against the annotated ``rows``.

    Parameters
    ----------
    rows : list of dict
        From :func:`load_corpus`.
    scrubbed : list of str
        The scrubbed text of each row, in the same order.

    Returns
    -------
    Evaluation
    """
    if len(rows) != len(scrubbed):
        raise ValueError(f"{len(rows)} answers but {len(scrubbed)} scrubbed texts")
    counts, misses = {}, {}
    clean_words = clean_kept = ctx_words = ctx_kept = 0
    lost = []
    for row, out in zip(rows, scrubbed):
        toks = _surviving(row["text"], out)
        for span in row["spans"]:
            cat = span["category"]
            inside = [(w, k) for s, e, w, k in toks if s < span["end"] and span["start"] < e
                      and _distinctive(w, cat)]
            leaked = any(k for _, k in inside)
            n, r = counts.get(cat, (0, 0))
            counts[cat] = (n + 1, r + (0 if leaked else 1))
            if leaked:
                misses.setdefault(cat, []).append(span["text"])
        for s, e, w, k in toks:
            if any(s < sp["end"] and sp["start"] < e for sp in row["spans"]):
                continue
            if row["kind"] == "clean":
                clean_words += 1
                clean_kept += k
                if not k:
                    lost.append(row["text"][s:e])
            else:
                ctx_words += 1
                ctx_kept += k
    scores = {}
    for cat, (n, r) in sorted(counts.items()):
        low, high = _wilson(r, n)
        scores[cat] = CategoryScore(cat, n, r, low, high, misses.get(cat, []))
    return Evaluation(scores, clean_words, clean_kept, ctx_words, ctx_kept, lost)


def format_table(ev: Evaluation, title="") -> str:
    """A plain-text table: category, n, removed, recall, 95 % Wilson interval, target."""
    lines = [title] if title else []
    lines.append(f"{'category':<14}{'n':>5}{'removed':>9}{'recall':>8}   {'95% Wilson':<15} target")
    for cat, sc in ev.scores.items():
        target = TARGETS.get(cat)
        t = "" if target is None else (f">= {target[0]:.2f}, low >= {target[1]:.2f}" if target[1] else "100%")
        lines.append(f"{cat:<14}{sc.n:>5}{sc.removed:>9}{sc.recall:>8.3f}   [{sc.low:.3f}, {sc.high:.3f}]  {t}")
    lines.append(f"ordinary words survive: {ev.clean_kept}/{ev.clean_words} = {ev.survival:.3f} (target >= "
                 f"{SURVIVAL_TARGET}); context words in answers with personal data: "
                 f"{ev.context_kept}/{ev.context_words} = {ev.context_survival:.3f}")
    return "\n".join(lines)
