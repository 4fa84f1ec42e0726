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
           "ROUND_INTROS", "shown", "shown_difference", "points_phrase", "scale_span_phrase", "plain_group_sentence",
           "others_not_different_sentence", "plain_change_sentence", "others_no_change_sentence", "no_change_sentence",
           "no_group_difference_sentence", "top2_phrase", "theme_extremes_sentence", "municipal_finding_sentence",
           "trend_steady_sentence", "trend_step_sentence", "trend_groups_sentence", "action_moved_sentence",
           "no_action_moved_sentence", "no_trend_change_sentence", "nothing_stands_out_sentence",
           "STATISTICS_EXPLAINED", "answer_group_phrases",
           "municipal_plain_sentence", "end_label", "scale_range_sentence", "omega_missing_phrase",
           "reliability_missing_note", "survey_phrase", "respondents_sentence", "chart_axis_phrase"]


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
            f"({'gewogen ' if r.get('test') == 'svy_kruskal_wallis' else ''}Kruskal-Wallis-toets over {r['k']} "
            f"gemeenten; p na correctie {format_p(r['p_adj'])}).")


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
                missing_reasons=(), survey: str | None = None, respondents: str = "professionals",
                variables=()) -> str:
    """The introduction of one part of a round summary (``key``: see :data:`ROUND_INTROS`).

    ``survey``: :func:`survey_phrase` of the codebook's ``survey`` (default: the PEO's);
    ``respondents``: its plural noun; ``variables``: the background variables the summary shows
    (their labels, for ``respons``).
    """
    check_argument("key", ROUND_INTROS, key)
    protect = suppression_phrase(min_n, small_label)
    starters = starter_phrase(starter_max_years)
    survey = survey or survey_phrase("Professional Ervaringsonderzoek (PEO)", "jeugdprofessionals in Haaglanden",
                                     "Ruimte voor de professional")
    shown = join_words(str(v).lower() for v in variables)
    texts = {
        "samenvatting": f"Deze samenvatting beschrijft één ronde van {survey}. " + protect,
        "respons": (f"Het aantal respondenten per {shown}." if shown else
                    "Deze ronde vroeg geen achtergrondkenmerken om de respondenten in te delen."),
        "antwoorden": ("Per stelling de verdeling van de antwoorden: links (bruin) de negatieve kant van de "
                       "antwoordschaal, rechts (groen) de positieve kant, een neutraal antwoord in het midden; de "
                       "legenda noemt de antwoorden. " + missing_phrase(missing_reasons)).strip(),
        "vergelijking": (f"Startende professionals ({starters}) vergeleken met ervaren professionals, voor elke "
                         "schaal en elke stelling: de gemiddelden van beide groepen en of ze duidelijk verschillen. "
                         "Onder elke tabel staan de duidelijke verschillen in gewone taal; hoe er getoetst is, staat "
                         "in de Verantwoording achteraan."),
        "open": ("De antwoorden op de open vragen, ontdaan van namen, e-mailadressen, telefoonnummers, adressen, "
                 f"plaatsen en organisatienamen. Antwoorden worden alleen getoond als ten minste {min_n_open} "
                 "mensen de vraag beantwoordden."),
        "onderwijs": ("Deze samenvatting is voor opleidingen en het onderwijs. Ze zet startende professionals "
                      f"({starters}) naast ervaren professionals: waar verschillen zij, en wat zeggen starters over "
                      "hun professionele ruimte en over regels en eisen? " + protect),
        "professionals": (f"Deze samenvatting is voor de {respondents} zelf: waar sta ik? Per schaal staat hoe "
                          "u uw eigen score uitrekent en hoe de scores van alle deelnemers verdeeld zijn; per stelling "
                          "welk deel positief of negatief antwoordde. Zo kunt u uw eigen antwoorden naast die van "
                          f"collega's leggen. Groepjes van minder dan {min_n} deelnemers worden niet getoond "
                          f"({small_label})."),
        "aanbieders": ("Deze samenvatting is voor jeugdhulpaanbieders. Naast de uitkomsten van alle respondenten "
                       "staan de uitkomsten per type organisatie, maar alleen als elke groep groot genoeg is (ten minste "
                       f"{min_n} respondenten); anders staat er waarom een tabel ontbreekt."),
        "gemeenten": ("Deze samenvatting is voor gemeenten: de ervaren last van regels en eisen en de verschillen "
                      f"tussen gemeenten. Een gemeente met minder dan {min_n} respondenten krijgt geen cijfers "
                      f"({small_label}), en ook een tweede gemeente niet als die anders uit het totaal terug te "
                      "rekenen is."),
    }
    return texts[key]


#: The parts of a round summary with an introduction of their own.
ROUND_INTROS = ("samenvatting", "respons", "antwoorden", "vergelijking", "open", "onderwijs", "professionals",
                "aanbieders", "gemeenten")


def trends_intro(key: str, *, min_n: int, small_label: str, starters: str, survey: str | None = None,
                 scales=()) -> str:
    """The introduction of one part of the trend report (``key``: ``trends`` or ``trendlijnen``).

    ``survey``: :func:`survey_phrase` of the latest codebook (default: the PEO's); ``scales``: the labels
    of the core scales followed.
    """
    check_argument("key", ("trends", "trendlijnen"), key)
    if key == "trends":
        survey = survey or survey_phrase("Professional Ervaringsonderzoek (PEO)", "jeugdprofessionals in Haaglanden")
        what = f": {join_words(str(x).lower() for x in scales)}" if scales else ""
        return (f"Dit rapport volgt de kernvragen van {survey} over alle rondes heen{what}. Wat verandert daarin? "
                + suppression_phrase(min_n, small_label))
    return ("Per schaal het gemiddelde per ronde met een 95%-betrouwbaarheidsinterval. Links alle respondenten: de "
            "doorgetrokken lijn is het gewone gemiddelde, de gestreepte lijn het gemiddelde gecorrigeerd voor de "
            "samenstelling (alsof elke ronde even veel startende en ervaren professionals en dezelfde functies had). "
            "Lopen de twee lijnen uiteen, dan komt een verschil tussen rondes (deels) doordat er andere mensen "
            f"meededen. Rechts startende ({starters}) en ervaren professionals apart. Een stippellijn markeert de "
            "start van een verbeteractie. Onder elke figuur de cijfers, de veranderingen tussen opeenvolgende rondes "
            "(getoetst, met correctie voor het aantal vergelijkingen) en een samenvatting in gewone taal.")


# -- plain sentences: the main text and "In het kort" (issue 12) ---------------------------------
# The main text says "duidelijk (verschil)" where a test is significant after the Benjamini-Hochberg
# correction, and names the means; the test statistics are in the "Verantwoording" appendix
# (:data:`STATISTICS_EXPLAINED`) and in tabellen.xlsx. A difference in a sentence is always the
# difference of the means *as shown* (rounded to one decimal), so the numbers on the page agree.

def shown(x, decimals: int = 1) -> float:
    """A number as the reader sees it (``format_nl`` rounding): ``3.386 -> 3.4``."""
    return float(f"{float(x):.{decimals}f}")


def shown_difference(a, b, decimals: int = 1) -> float:
    """``a - b`` of the shown (rounded) values: what a reader gets by subtracting the printed means."""
    return round(shown(a, decimals) - shown(b, decimals), decimals)


def points_phrase(diff) -> str:
    """``0,6 punt``, ``1 punt`` (a shown difference on the answer scale, sign ignored)."""
    return f"{format_nl(abs(diff))} punt"


def scale_span_phrase(lo, hi) -> str:
    """``op een schaal van 1 tot 5``."""
    return f"op een schaal van {format_nl(lo, 0)} tot {format_nl(hi, 0)}"


def _quoted(kind: str, label: str) -> str:
    text = str(label).strip().rstrip(".")
    return f"de stelling ‘{text}’" if kind == "item" else f"‘{text}’"


def plain_group_sentence(row: dict, *, lo=1, hi=5) -> str:
    """Starters vs experienced on one scale or statement, in plain words (row of ``compare_groups``).

    ``"Startende professionals scoren duidelijk lager op ‘Ervaren professionele ruimte’ dan ervaren
    professionals: 2,7 tegen 3,3 op een schaal van 1 tot 5 (0,6 punt verschil)."``
    """
    subject = _quoted(row["kind"], row["label"])
    m1, m2 = row["mean1"], row["mean2"]
    diff = shown_difference(m1, m2)
    means = f"{format_nl(m1)} tegen {format_nl(m2)} {scale_span_phrase(lo, hi)}"
    if row.get("significant") and diff != 0:
        way = "hoger" if diff > 0 else "lager"
        return (f"Startende professionals scoren duidelijk {way} op {subject} dan ervaren professionals: "
                f"{means} ({points_phrase(diff)} verschil).")
    return f"Op {subject} verschillen startende en ervaren professionals niet duidelijk ({means})."


def others_not_different_sentence(n: int, kind: str, *, any_shown: bool) -> str:
    """One sentence for all the non-findings of a table (starters vs experienced).

    ``"Op de andere 17 stellingen verschillen starters en ervaren professionals niet duidelijk."``
    """
    noun = ("schaal" if n == 1 else "schalen") if kind == "scale" else ("stelling" if n == 1 else "stellingen")
    if n == 0:
        return ""
    if not any_shown:
        return f"Op geen van de {n} {noun} verschillen starters en ervaren professionals duidelijk."
    return f"Op de andere {n} {noun} verschillen starters en ervaren professionals niet duidelijk."


def plain_change_sentence(row: dict, *, lo=1, hi=5) -> str:
    """One scale or statement against the previous round, in plain words (row of ``change_since_previous``).

    ``"‘Intentie om te blijven’ is duidelijk gestegen sinds 2020-2: van 3,1 naar 3,5 op een schaal van
    1 tot 5."``
    """
    subject = _quoted(row["kind"], row["label"])
    before, after = row["mean2"], row["mean1"]
    diff = shown_difference(after, before)
    span = scale_span_phrase(lo, hi)
    if row.get("significant") and diff != 0:
        way = "gestegen" if diff > 0 else "gedaald"
        return _capitalise(f"{subject} is duidelijk {way} sinds {row['group2']}: van {format_nl(before)} "
                           f"naar {format_nl(after)} {span}.")
    return _capitalise(f"{subject} is niet duidelijk veranderd sinds {row['group2']} ({format_nl(before)} en "
                       f"{format_nl(after)} {span}).")


def others_no_change_sentence(n: int, kind: str, *, previous: str, any_shown: bool) -> str:
    """One sentence for all statements or scales that did not change clearly."""
    noun = ("schaal" if n == 1 else "schalen") if kind == "scale" else ("stelling" if n == 1 else "stellingen")
    if n == 0:
        return ""
    if not any_shown:
        return f"Geen van de {n} {noun} is duidelijk veranderd sinds {previous}."
    return f"De andere {n} {noun} zijn niet duidelijk veranderd sinds {previous}."


def change_weighting_sentence(*, previous: str, previous_weighted: bool) -> str:
    """How the previous round counts in a weighted comparison between rounds (each round as published)."""
    if previous_weighted:
        return (f"Beide rondes zijn gewogen, elk naar de populatiecijfers van die ronde (ook {previous} zoals in "
                "de eigen samenvatting).")
    return (f"Deze ronde is gewogen; ronde {previous} niet (daarvoor zijn geen populatiecijfers), dus daar telt "
            "elk antwoord even zwaar, zoals in de eigen samenvatting van die ronde.")


def unknown_left_out_sentence(labels: list, *, min_n: int) -> str:
    """Below the respondent tables: fewer than ``min_n`` left these background questions open, so they
    are only in the total (:func:`peo_lib.report.tables.response_overview`) and the shares add up to less."""
    which = join_words([lab.lower() for lab in labels])
    return (f"Bij {which} lieten minder dan {min_n} respondenten de vraag open; zij tellen alleen mee in het "
            "totaal, waardoor de percentages samen iets onder 100% kunnen uitkomen.")


#: Said wherever figures are weighted: the counts stay the respondents.
COUNTS_UNWEIGHTED = "De aantallen (n) zijn de werkelijke, ongewogen aantallen."


def without_weight_sentence(n: int, unknown: list) -> str:
    """``n`` respondents have no weight (one of the ``unknown`` weighting variables is missing): they
    count in n but not in the weighted figures, which this says so that n and a mean agree."""
    who = "1 respondent heeft" if n == 1 else f"{format_nl(n, 0)} respondenten hebben"
    what = " of ".join(unknown) or "een weegkenmerk"
    return f"{who} geen weegfactor ({what} onbekend): die tellen mee in de aantallen, niet in de gewogen cijfers."


def trends_weighting_sentence(weighted: list, unweighted: list, *, sources: list) -> str:
    """One sentence on how the trend report is weighted (rounds with and without population figures)."""
    src = f" (bron: {'; '.join(sources)})" if sources else ""
    text = (f"De gemiddelden en toetsen zijn gewogen: elke ronde naar de populatiecijfers van die ronde{src}."
            if not unweighted else
            f"De gemiddelden en toetsen van {join_words(weighted)} zijn gewogen naar de populatiecijfers van die "
            f"rondes{src}; voor {join_words(unweighted)} zijn er geen populatiecijfers, daar telt elk antwoord "
            "even zwaar.")
    return f"{text} {COUNTS_UNWEIGHTED}"


def no_change_sentence(previous: str) -> str:
    """``"Geen duidelijke veranderingen sinds 2022-2."`` (nothing changed clearly in the core questions)."""
    return (f"Geen duidelijke veranderingen sinds {previous}: de schalen en kernvragen liggen op hetzelfde "
            "niveau als in die ronde.")


def no_group_difference_sentence(n_scales: int, n_items: int) -> str:
    """Starters and experienced differ clearly on nothing."""
    parts = []
    if n_scales:
        parts.append(f"{n_scales} {'schaal' if n_scales == 1 else 'schalen'}")
    if n_items:
        parts.append(f"{n_items} {'stelling' if n_items == 1 else 'stellingen'}")
    return (f"Startende en ervaren professionals verschillen op geen van de {join_words(parts)} duidelijk: "
            "ze ervaren hun werk in deze ronde ongeveer hetzelfde.")


def top2_phrase(labels) -> str:
    """What ``top2_pct`` counts for a response set, from its labels (lowest code first).

    ``(helemaal) eens`` for an agreement scale; otherwise the two highest labels,
    ``‘vaak’ of ‘heel vaak’`` (a frequency item is never called "eens").
    """
    labels = [str(x) for x in labels]
    if len(labels) >= 2 and "eens" in labels[-1].lower() and "eens" in labels[-2].lower():
        return "(helemaal) eens"
    top = labels[-2:]
    return " of ".join(f"‘{t.lower()}’" for t in top)


def theme_extremes_sentence(theme: str, most: dict, least: dict) -> str:
    """The theme's statements with the most and the least agreement, with their shares.

    ``most``/``least``: ``text`` and ``pct`` (0-100) of one statement each.
    """
    def text(r):
        return str(r["text"]).strip().rstrip(".")

    return (f"Thema ‘{theme}’: de meeste professionals zijn het eens met ‘{text(most)}’ "
            f"({format_nl(most['pct'], 0)}% (helemaal) eens), de minste met ‘{text(least)}’ "
            f"({format_nl(least['pct'], 0)}%).")


def municipal_finding_sentence(row: dict) -> str:
    """A scale on which the gemeenten differ clearly, with the lowest and highest shown mean."""
    return (f"Op ‘{row['label']}’ verschillen de gemeenten duidelijk: van {format_nl(row['low_mean'])} in "
            f"{row['lowest']} tot {format_nl(row['high_mean'])} in {row['highest']}.")


# trend report

def trend_steady_sentence(label: str, *, first: str, last: str, before, after, n_rounds: int) -> str:
    """A scale that moved the same way in every round and clearly over the whole period."""
    way = "hoger" if after > before else "lager"
    verb = "gestegen" if after > before else "gedaald"
    return (f"‘{label}’ is in elke ronde iets {way} dan in de vorige: over {n_rounds} rondes duidelijk {verb}, "
            f"van {format_nl(before)} in {first} naar {format_nl(after)} in {last}.")


def trend_step_sentence(label: str, *, previous: str, current: str, before, after) -> str:
    """A clear change between two consecutive rounds."""
    verb = "steeg" if after > before else "daalde"
    return (f"‘{label}’ {verb} duidelijk van {format_nl(before)} in {previous} naar {format_nl(after)} "
            f"in {current}.")


def trend_groups_sentence(label: str, *, n_rounds: int, lower: bool, starters, experienced, last: str) -> str:
    """Starters score lower (or higher) than experienced professionals in every round."""
    way = "lager" if lower else "hoger"
    return (f"Startende professionals scoren in alle {n_rounds} rondes {way} op ‘{label}’ dan ervaren "
            f"professionals (in {last}: {format_nl(starters)} tegen {format_nl(experienced)}).")


def action_moved_sentence(title: str, indicator: str, *, measure: str, before, after, round_before: str,
                          round_after: str) -> str:
    """An indicator of an improvement action that changed clearly between before and after its start."""
    verb = "steeg" if after > before else "daalde"
    if measure == "mean":
        vals = f"van {format_nl(before)} in {round_before} naar {format_nl(after)} in {round_after}"
    else:
        vals = (f"van {format_nl(before, 0)}% (helemaal) eens in {round_before} naar {format_nl(after, 0)}% "
                f"in {round_after}")
    return (f"Sinds de verbeteractie ‘{title}’ {verb} ‘{str(indicator).rstrip('.')}’ duidelijk: {vals}. "
            "Of dat door de actie komt, laat het onderzoek niet zien.")


def no_action_moved_sentence(n_actions: int) -> str:
    """No indicator of the measured improvement actions changed clearly."""
    which = "de verbeteractie" if n_actions == 1 else f"de {n_actions} verbeteracties"
    return f"Bij {which} met een meting na de start is geen indicator duidelijk veranderd."


def no_trend_change_sentence(previous: str, current: str) -> str:
    """Nothing changed clearly in the latest round of the trend report."""
    return f"Geen duidelijke veranderingen sinds {previous}: in {current} liggen alle schalen op hetzelfde niveau."


def nothing_stands_out_sentence() -> str:
    """When no rule finds anything."""
    return "Er springt in deze cijfers niets duidelijk uit: geen grote verschillen en geen duidelijke veranderingen."


#: ``compare_groups``' test ids as the reports name them (appendix, xlsx).
TEST_NAMES = {"welch_t": "Welch-t-toets", "mann_whitney_u": "Mann-Whitney-toets",
              "svy_t": "gewogen t-toets", "svy_wilcoxon": "gewogen rangtoets"}

#: The appendix ("Verantwoording"): each statistic with one sentence on what it means (term -> sentence).
STATISTICS_EXPLAINED = {
    "duidelijk": ("‘Duidelijk’ verschil of ‘duidelijk’ veranderd betekent: statistisch significant na correctie "
                  "voor het aantal toetsen (p (BH) kleiner dan 0,05); een kleiner verschil kan toeval zijn."),
    "gemiddelde": ("Gemiddelde en 95%-betrouwbaarheidsinterval (BI, ‘marge’): het interval geeft aan waar het gemiddelde "
                   "van alle professionals waarschijnlijk ligt; een smal interval is een nauwkeurige schatting."),
    "p_bh": ("p (BH): de kans op een verschil van deze grootte als er in werkelijkheid geen verschil is, "
             "gecorrigeerd voor het aantal toetsen met de methode van Benjamini en Hochberg."),
    "welch": ("Welch-t-toets: vergelijkt de gemiddelden van twee groepen zonder aan te nemen dat de spreiding in "
              "beide groepen gelijk is (gebruikt voor schalen)."),
    "mann_whitney": ("Mann-Whitney-toets: vergelijkt twee groepen op de volgorde van de antwoorden in plaats van op "
                     "het gemiddelde (gebruikt voor losse stellingen, omdat die maar vijf antwoorden kennen)."),
    "gewogen_toetsen": ("Gewogen t-toets en gewogen rangtoets: dezelfde vergelijkingen als de Welch- en "
                        "Mann-Whitney-toets, maar met de weegfactoren, zodat elke groep meetelt naar haar aandeel "
                        "in de populatie; de onzekerheid houdt rekening met de weging (zoals het R-pakket survey: "
                        "svyttest en svyranktest)."),
    "cohen_d": ("Cohens d: het verschil tussen twee gemiddelden in standaarddeviaties; 0,2 is klein, 0,5 "
                "middelgroot en 0,8 groot."),
    "rank_biserial": ("r (rangbiserieel): de effectgrootte bij de Mann-Whitney-toets, van -1 tot 1; "
                      f"{format_nl(RANK_BISERIAL_BENCHMARKS[0], 2)} is klein, "
                      f"{format_nl(RANK_BISERIAL_BENCHMARKS[1], 2)} middelgroot en "
                      f"{format_nl(RANK_BISERIAL_BENCHMARKS[2], 2)} groot (dezelfde grenzen als bij Cohens d)."),
    "kruskal_wallis": ("Kruskal-Wallis-toets: toetst of drie of meer groepen (hier gemeenten) verschillen in de "
                       "volgorde van hun scores."),
    "alpha": ("Cronbachs α: hoe goed de stellingen van een schaal samen één ding meten, van 0 tot 1; 0,70 of "
              "hoger geldt als voldoende betrouwbaar."),
    "omega": ("McDonalds ω: net als α de betrouwbaarheid van een schaal, maar zonder aan te nemen dat elke "
              "stelling even zwaar telt."),
    "gecorrigeerd": ("Gecorrigeerd voor samenstelling: het gemiddelde alsof elke ronde evenveel startende en "
                     "ervaren professionals en dezelfde functies had, zodat een andere groep deelnemers niet als "
                     "verandering telt."),
}

def answer_group_phrases(labels) -> tuple[str, str, str]:
    """Names of the lower half, the middle and the upper half of a response set (lowest code first).

    ``("(helemaal) oneens", "neutraal", "(helemaal) eens")`` for an agreement scale, else the labels
    themselves: ``("‘nooit’ of ‘zelden’", "‘soms’", "‘vaak’ of ‘heel vaak’")``.
    """
    labels = [str(x) for x in labels]
    k = len(labels)
    low, mid, high = labels[: k // 2], labels[k // 2: (k + 1) // 2], labels[(k + 1) // 2:]
    if top2_phrase(labels) == "(helemaal) eens" and k == 5:
        return "(helemaal) oneens", "neutraal", "(helemaal) eens"

    def words(xs):
        return " of ".join(f"‘{x.lower()}’" for x in xs)

    return words(low), words(mid), words(high)


def municipal_plain_sentence(row: dict) -> str:
    """Whether the gemeenten differ on one scale, in plain words (row of ``municipal_differences``)."""
    if row["k"] < 2 or row["low_mean"] != row["low_mean"]:
        return f"‘{row['label']}’: te weinig gemeenten met genoeg respondenten om te vergelijken."
    if row.get("significant"):
        return municipal_finding_sentence(row)
    return (f"Op ‘{row['label']}’ verschillen de gemeenten niet duidelijk (van {format_nl(row['low_mean'])} in "
            f"{row['lowest']} tot {format_nl(row['high_mean'])} in {row['highest']}).")


# -- a response set's own words (issue 11, point 5) ------------------------------------------------

def end_label(code, label) -> str:
    """An answer label as it reads inside a sentence: ``"Helemaal eens"`` -> ``helemaal eens``,
    ``"10 (extremely important)"`` (code 10) -> ``extremely important``, ``"1 Helt uenig"`` -> ``helt uenig``.

    A leading copy of the code and surrounding brackets are dropped; the first letter is lowered unless
    the word is an abbreviation (``"NVT"``). A label that is only the code stays as it is.
    """
    import re

    text = " ".join(str(label).split())
    stripped = re.sub(rf"^{re.escape(format_nl(code, 0))}\b[\s.:=-]*", "", text).strip()
    stripped = stripped[1:-1].strip() if stripped.startswith("(") and stripped.endswith(")") else stripped
    text = stripped or text
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def scale_range_sentence(ranges, *, reversed_items: bool = False) -> str:
    """What the scale scores mean, from each scale's own codes and labels.

    ``ranges``: ``(lowest code, highest code, its label, highest label, [scale labels])`` per distinct
    range. One range: ``"Schaalscores lopen van 1 (helemaal oneens) tot 5 (helemaal eens)."``; several
    name their scales: ``"... van 1 (very effective) tot 5 (not at all effective) bij ‘A’; van ..."``.
    """
    ranges = list(ranges)
    if not ranges:
        return ""
    parts = []
    for lo, hi, lo_label, hi_label, scales in ranges:
        span = (f"van {format_nl(lo, 0)} ({end_label(lo, lo_label)}) tot {format_nl(hi, 0)} "
                f"({end_label(hi, hi_label)})")
        parts.append(span if len(ranges) == 1 else f"{span} bij {join_words(f'‘{x}’' for x in scales)}")
    after = ", na omkeren van tegengesteld geformuleerde stellingen" if reversed_items else ""
    return f"Schaalscores lopen {'; '.join(parts)}{after}."


def chart_axis_phrase(negative: str, positive: str) -> str:
    """The x axis of a diverging chart: ``% van de geldige antwoorden (links ‘oneens’, rechts ‘eens’)``."""
    return f"% van de geldige antwoorden (links {negative}, rechts {positive})"


# -- reliability that cannot be estimated (issue 11, point 7) ------------------------------------

#: Key words of :func:`peo_lib.stats.reliability.omega_total`'s reasons -> the Dutch reason.
_OMEGA_REASONS = (
    ("at least 3 items", "minder dan drie stellingen (ω vraagt er ten minste drie)"),
    ("too few for a factor model", "te weinig respondenten voor een factormodel"),
    ("cannot be computed", "de samenhang tussen de stellingen is niet te berekenen (een stelling zonder "
                           "spreiding, of twee stellingen die niemand allebei beantwoordde)"),
    ("not positive definite", "de stellingen hangen zo samen dat het model niet te schatten is (een stelling "
                              "is een combinatie van andere)"),
    ("Heywood", "het model geeft een onmogelijke oplossing (Heywood-geval: één stelling lijkt de schaal "
                "helemaal te meten)"),
    ("did not converge", "het model vond geen oplossing (geen convergentie)"),
)


def omega_missing_phrase(reason) -> str:
    """Why ω is not given for a scale, in Dutch (from the English ``omega_reason``)."""
    text = str(reason or "")
    for key, dutch in _OMEGA_REASONS:
        if key.lower() in text.lower():
            return dutch
    return "het model is voor deze schaal niet te schatten"


def reliability_missing_note(rows, *, marker: str) -> str:
    """The footnote under a reliability table: per scale without α or ω, why (``rows``: label, what, reason).

    ``"– = niet te schatten. ‘Lojaliteit’: ω niet te schatten: minder dan drie stellingen (...)."``
    """
    rows = list(rows)
    if not rows:
        return ""
    return f"{marker} = niet te schatten (geen privacybescherming). " + " ".join(
        f"‘{label}’: {what} niet te schatten: {reason}." for label, what, reason in rows)


# -- who answered (issue 11, point 9) --------------------------------------------------------------

def survey_phrase(name: str, population=None, subject=None) -> str:
    """``het Professional Ervaringsonderzoek (PEO) onder jeugdprofessionals in Haaglanden, over het thema
    ‘Ruimte voor de professional’`` (the codebook's ``survey``; a part left out when it is null)."""
    text = f"het {name}" if not str(name).lower().startswith(("het ", "de ", "een ")) else str(name)
    if population:
        text += f" onder {population}"
    if subject:
        text += f", over het thema ‘{subject}’"
    return text


def respondents_sentence(n: int, respondents: str) -> str:
    """``147 professionals vulden de vragenlijst in.`` (``respondents``: the codebook's plural noun)."""
    return f"{n} {respondents if n != 1 else 'persoon'} {'vulden' if n != 1 else 'vulde'} de vragenlijst in."
