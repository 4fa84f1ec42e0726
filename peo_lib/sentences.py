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
           "effect_size_words", "COHEN_D_BENCHMARKS", "RANK_BISERIAL_BENCHMARKS", "subject_phrase", "group_phrase",
           "years_phrase", "starter_phrase", "suppression_phrase", "missing_phrase", "join_words", "round_intro", "trends_intro", "DEMO_NOTICE",
           "ROUND_INTROS"]


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


# -- texts that depend on a round's settings ------------------------------------------
# The notebooks call these through the report (``rapport.intro("...")``) instead of typing
# the numbers into markdown, so a round with another min_n or starter limit never prints
# something untrue.

def years_phrase(years) -> str:
    """``2 jaar``, ``1,5 jaar``."""
    years = float(years)
    return f"{format_nl(years, 0 if years == int(years) else 1)} jaar"


def starter_phrase(max_years) -> str:
    """``hoogstens 2 jaar werkervaring`` (the codebook's ``starter_max_years``)."""
    return f"hoogstens {years_phrase(max_years)} werkervaring"


def suppression_phrase(min_n, small_label) -> str:
    """The sentence that says how small groups are protected."""
    return (f"Alle cijfers zijn beschermd: een cijfer dat op minder dan {min_n} respondenten rust, wordt niet "
            f"getoond (aangegeven met {small_label}).")


def join_words(words) -> str:
    """``a``, ``a en b``, ``a, b en c``."""
    words = [str(w) for w in words]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " en " + words[-1]


def missing_phrase(reasons) -> str:
    """How the missing reasons of a round (``Weet ik niet``, ...) are counted, or ``""`` when none was used."""
    reasons = [str(r) for r in reasons]
    if not reasons:
        return ""
    verb = "telt" if len(reasons) == 1 else "tellen"
    where = "staat" if len(reasons) == 1 else "staan"
    quoted = join_words(f"‘{r}’" for r in reasons)
    return f"{quoted} {verb} niet mee in de percentages; {'het' if len(reasons) == 1 else 'ze'} {where} apart."


#: Said at the top of every output made from `peo demo` data.
DEMO_NOTICE = ("Let op: dit overzicht is gemaakt met gegenereerde demonstratiegegevens, niet met antwoorden "
               "van echte professionals.")


def round_intro(key: str, *, min_n: int, small_label: str, starter_max_years, min_n_open: int,
                missing_reasons=()) -> str:
    """The introduction of one part of a round summary (``key``: see :data:`ROUND_INTROS`)."""
    check_argument("key", ROUND_INTROS, key)
    protect = suppression_phrase(min_n, small_label)
    starters = starter_phrase(starter_max_years)
    texts = {
        "samenvatting": ("Deze samenvatting beschrijft één ronde van het Professional Ervaringsonderzoek (PEO) onder "
                         "jeugdprofessionals in Haaglanden, over het thema ‘Ruimte voor de professional’. " + protect),
        "antwoorden": ("Per stelling de verdeling van de antwoorden: links (bruin) oneens, rechts (groen) eens, "
                       "neutraal in het midden. " + missing_phrase(missing_reasons)).strip(),
        "vergelijking": (f"Startende professionals ({starters}) vergeleken met ervaren professionals, voor elke "
                         "schaal en elke stelling: het verschil, de effectgrootte en de p-waarde na correctie voor "
                         "het aantal toetsen. Onder elke tabel staat per regel een zin in gewone taal."),
        "open": ("De antwoorden op de open vragen, ontdaan van namen, e-mailadressen, telefoonnummers, adressen, "
                 f"plaatsen en organisatienamen. Antwoorden worden alleen getoond als ten minste {min_n_open} "
                 "mensen de vraag beantwoordden."),
        "onderwijs": ("Deze samenvatting is voor opleidingen en het onderwijs. Ze zet startende professionals "
                      f"({starters}) naast ervaren professionals: waar verschillen zij, en wat zeggen starters over "
                      "hun professionele ruimte en over regels en eisen? " + protect),
        "professionals": ("Deze samenvatting is voor professionals in de jeugdhulp: waar sta ik? Per schaal staat hoe "
                          "u uw eigen score uitrekent en hoe de scores van alle deelnemers verdeeld zijn; per stelling "
                          "welk deel het eens of oneens was. Zo kunt u uw eigen antwoorden naast die van collega's "
                          f"leggen. Groepjes van minder dan {min_n} deelnemers worden niet getoond ({small_label})."),
        "aanbieders": ("Deze samenvatting is voor jeugdhulpaanbieders. Naast de uitkomsten van de hele regio staan de "
                       "uitkomsten per type organisatie, maar alleen als elke groep groot genoeg is (ten minste "
                       f"{min_n} respondenten); anders staat er waarom een tabel ontbreekt."),
        "gemeenten": ("Deze samenvatting is voor gemeenten: de ervaren last van regels en eisen en de verschillen "
                      f"tussen gemeenten. Een gemeente met minder dan {min_n} respondenten krijgt geen cijfers "
                      f"({small_label}), en ook een tweede gemeente niet als die anders uit het totaal terug te "
                      "rekenen is."),
    }
    return texts[key]


#: The parts of a round summary with an introduction of their own.
ROUND_INTROS = ("samenvatting", "antwoorden", "vergelijking", "open", "onderwijs", "professionals", "aanbieders",
                "gemeenten")


def trends_intro(key: str, *, min_n: int, small_label: str, starters: str) -> str:
    """The introduction of one part of the trend report (``key``: ``trends`` or ``trendlijnen``)."""
    check_argument("key", ("trends", "trendlijnen"), key)
    if key == "trends":
        return ("Dit rapport volgt de kernvragen van het Professional Ervaringsonderzoek (PEO) over alle rondes heen: "
                "hoe ervaren jeugdprofessionals in Haaglanden hun professionele ruimte, werkplezier, intentie om te "
                "blijven, regels en eisen en werkdruk, en wat verandert daarin? " + suppression_phrase(min_n, small_label))
    return ("Per schaal het gemiddelde per ronde met een 95%-betrouwbaarheidsinterval. Links alle respondenten: de "
            "doorgetrokken lijn is het gewone gemiddelde, de gestreepte lijn het gemiddelde gecorrigeerd voor de "
            "samenstelling (alsof elke ronde even veel startende en ervaren professionals en dezelfde functies had). "
            "Lopen de twee lijnen uiteen, dan komt een verschil tussen rondes (deels) doordat er andere mensen "
            f"meededen. Rechts startende ({starters}) en ervaren professionals apart. Een stippellijn markeert de "
            "start van een verbeteractie. Onder elke figuur de cijfers, de veranderingen tussen opeenvolgende rondes "
            "(getoetst, met correctie voor het aantal vergelijkingen) en een samenvatting in gewone taal.")
