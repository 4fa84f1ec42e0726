"""Every Dutch sentence about a result, written once.

Reports, audience summaries, the trend report and the dashboard call these
functions, so a finding reads the same wherever it appears. Pure functions of
already computed (and already suppressed) rows: no statistics here, and no
imports beyond formatting and the vocabulary, so every layer may use them.
"""

from __future__ import annotations

import math

import numpy as np

from peo_lib._validate import check_argument
from peo_lib.formatting import format_nl, format_p
from peo_lib.vocab import EXPERIENCE, EXPERIENCED, STARTER

__all__ = ["difference_sentence", "change_sentence", "municipal_sentence", "group_means_sentence",
           "effect_size_words", "COHEN_D_BENCHMARKS", "RANK_BISERIAL_BENCHMARKS", "subject_phrase", "group_phrase"]


COHEN_D_BENCHMARKS = (0.2, 0.5, 0.8)
#: Cohen's d benchmarks as rank-biserial correlations, r = 2 * Phi(d / sqrt(2)) - 1.
RANK_BISERIAL_BENCHMARKS = tuple(round(math.erf(d / 2), 2) for d in COHEN_D_BENCHMARKS)
_EFFECT_WORDS = ("een verwaarloosbaar verschil", "een klein verschil", "een middelgroot verschil",
                 "een groot verschil")


def effect_size_words(value, *, measure: str = "cohen_d") -> str:
    """Dutch words for an effect size: ``"een klein verschil"``, ...

    Parameters
    ----------
    value : float
        Cohen's d or a rank-biserial correlation (sign ignored).
    measure : {"cohen_d", "rank_biserial"}
        Benchmarks :data:`COHEN_D_BENCHMARKS` (0.2, 0.5, 0.8) or
        :data:`RANK_BISERIAL_BENCHMARKS` (the same effects as correlations).
    """
    check_argument("measure", ("cohen_d", "rank_biserial"), measure)
    if value is None or np.isnan(value):
        return ""
    bench = COHEN_D_BENCHMARKS if measure == "cohen_d" else RANK_BISERIAL_BENCHMARKS
    return _EFFECT_WORDS[int(np.searchsorted(bench, abs(value), side="right"))]


# -- main ---------------------------------------------------------------


_GROUP_PHRASES = {
    (EXPERIENCE, STARTER): "startende professionals",
    (EXPERIENCE, EXPERIENCED): "ervaren professionals",
}


def _group_phrase(by: str, group) -> str:
    return _GROUP_PHRASES.get((by, group), f"respondenten met {by} ‘{group}’")


def _pair_phrase(g1: str, g2: str) -> str:
    suffix = " professionals"
    if g1.endswith(suffix) and g2.endswith(suffix):
        return f"{g1[:-len(suffix)]} en {g2}"
    return f"{g1} en {g2}"


def _subject(kind: str, label: str) -> str:
    text = str(label).strip()
    if kind == "item":
        return f"de stelling ‘{text.rstrip('.')}’"
    return f"‘{text}’"


def _capitalise(s: str) -> str:
    return s[:1].upper() + s[1:]


def difference_sentence(row: dict, *, by: str, min_n: int) -> str:
    """One row of :func:`peo_lib.stats.compare.compare_groups` as a Dutch sentence."""
    g1, g2 = _group_phrase(by, row["group1"]), _group_phrase(by, row["group2"])
    subject = _subject(row["kind"], row["label"])
    if row["suppressed"]:
        return _capitalise(f"te weinig respondenten om {_pair_phrase(g1, g2)} te vergelijken op {subject} "
                           f"(minder dan {min_n} in een groep).")
    means = f"{format_nl(row['mean1'])} tegen {format_nl(row['mean2'])}"
    if np.isnan(row["p"]):
        return _capitalise(f"{_pair_phrase(g1, g2)} scoren gemiddeld {means} op {subject}; "
                           "een toets is niet mogelijk (geen spreiding in de antwoorden).")
    if row["kind"] == "scale":
        es, words = f"d = {format_nl(row['cohen_d'], 2)}", effect_size_words(row["cohen_d"])
    else:
        es = f"r = {format_nl(row['rank_biserial'], 2)}"
        words = effect_size_words(row["rank_biserial"], measure="rank_biserial")
    details = (f"({means}; verschil {format_nl(row['diff'])}; {es}; {words}; "
               f"p na correctie {format_p(row['p_adj'])})")
    if row["significant"]:
        direction = "hoger" if row["diff"] > 0 else "lager"
        return _capitalise(f"{g1} scoren gemiddeld {direction} op {subject} dan {g2} {details}.")
    return _capitalise(f"het verschil tussen {_pair_phrase(g1, g2)} op {subject} is na correctie "
                       f"niet significant {details}.")


def change_sentence(row, *, min_n) -> str:
    """One row of the change since the previous round (rounds as groups) as a Dutch sentence."""
    subject = _subject(row["kind"], row["label"])
    if row["suppressed"]:
        return f"Te weinig respondenten om {subject} te vergelijken (minder dan {min_n} in een ronde)."
    means = (f"gemiddeld {format_nl(row['mean1'])} in {row['group1']} tegen {format_nl(row['mean2'])} "
             f"in {row['group2']}")
    if np.isnan(row["p"]):
        return f"Op {subject}: {means}; een toets is niet mogelijk."
    if row["kind"] == "scale":
        es, words = f"d = {format_nl(row['cohen_d'], 2)}", effect_size_words(row["cohen_d"])
    else:
        es = f"r = {format_nl(row['rank_biserial'], 2)}"
        words = effect_size_words(row["rank_biserial"], measure="rank_biserial")
    detail = f"({means}; {es}, {words}; p na correctie {format_p(row['p_adj'])})"
    if row["significant"]:
        way = "hoger" if row["diff"] > 0 else "lager"
        return f"Op {subject} scoren professionals in {row['group1']} {way} dan in {row['group2']} {detail}."
    return f"Op {subject} is er geen significante verandering {detail}."


def municipal_sentence(r) -> str:
    """One scale's differences between municipalities (Kruskal-Wallis row) as a Dutch sentence."""
    if r["k"] < 2:
        return f"‘{r['label']}’: te weinig gemeenten met genoeg respondenten om te vergelijken."
    spread = (f"de gemiddelden lopen van {format_nl(r['low_mean'])} ({r['lowest']}) tot "
              f"{format_nl(r['high_mean'])} ({r['highest']})")
    if np.isnan(r["p"]):
        return f"‘{r['label']}’: {spread}; een toets is niet mogelijk."
    verdict = "significant" if r["significant"] else "niet significant"
    return (f"‘{r['label']}’: {spread}; de verschillen tussen gemeenten zijn na correctie {verdict} "
            f"(Kruskal-Wallis over {r['k']} gemeenten; p na correctie {format_p(r['p_adj'])}).")


def subject_phrase(kind: str, label: str) -> str:
    """``de stelling ‘...’`` for an item, ``‘label’`` for a scale."""
    return _subject(kind, label)


def group_phrase(by: str, group) -> str:
    """``startende professionals`` for (ervaringsgroep, startend); a neutral phrase for other groups."""
    return _group_phrase(by, group)


def group_means_sentence(means: dict, *, by: str = EXPERIENCE, groups=(STARTER, EXPERIENCED),
                         overlap: bool | None = None) -> str:
    """The means of two groups and their difference, without a test (the dashboard shows aggregates only).

    Parameters
    ----------
    means : dict
        Group value -> mean (NaN or missing: the group is hidden or empty).
    overlap : bool, optional
        Whether the two confidence intervals overlap; True adds a caution.
    """
    g1, g2 = groups
    m1, m2 = means.get(g1, np.nan), means.get(g2, np.nan)
    if m1 is None or m2 is None or np.isnan(m1) or np.isnan(m2):
        return ""
    diff = m1 - m2
    if round(abs(diff), 1) == 0:
        text = f"{_capitalise(_pair_phrase(_group_phrase(by, g1), _group_phrase(by, g2)))} scoren gemiddeld gelijk"
    else:
        way = "hoger" if diff > 0 else "lager"
        text = (f"{_capitalise(_group_phrase(by, g1))} scoren gemiddeld {format_nl(abs(diff))} punt {way} "
                f"dan {_group_phrase(by, g2)}")
    text += f" ({format_nl(m1)} tegen {format_nl(m2)})"
    if overlap:
        text += "; de intervallen overlappen: voorzichtig met conclusies"
    return text + "."
