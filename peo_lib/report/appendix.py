"""The "Verantwoording" appendix of a round summary and of the trend report.

The main text says in plain words whether a difference is clear ("duidelijk") and names the means;
the statistics behind it live here: what each measure means (one sentence each, from
:data:`peo_lib.sentences.STATISTICS_EXPLAINED`), the reliability of the scales (Cronbach's alpha,
McDonald's omega) and the test tables (p after Benjamini-Hochberg, Cohen's d, the rank-biserial r,
Welch, Mann-Whitney, Kruskal-Wallis). Every table is one the report already computed and
suppressed; nothing is computed here. The same numbers, unrounded, are in ``tabellen.xlsx``.
"""

from __future__ import annotations

import numpy as np

from peo_lib.report.structure import Bullets, Heading, Paragraph, Section, Table
from peo_lib.formatting import MISSING_TEXT, format_nl
from peo_lib.sentences import (STATISTICS_EXPLAINED, TEST_NAMES, reliability_missing_note, shown_difference,
                               suppression_phrase)

__all__ = ["round_appendix", "trends_appendix", "TEST_NAMES"]


def _terms(keys) -> Bullets:
    return Bullets([STATISTICS_EXPLAINED[k] for k in keys], css_class="peo-terms")  # each names its term first


def _test_tables(table, *, small, first_means, caption, with_n) -> list:
    """Per kind (scales, statements) the test table of a comparison (``compare_groups`` columns)."""
    out = []
    for kind, head, es_col, es_head in (("scale", "Schalen", "cohen_d", "Cohens d"),
                                        ("item", "Stellingen", "rank_biserial", "r (rangbiserieel)")):
        part = table[table["kind"] == kind].copy()
        if part.empty:
            continue
        out.append(Heading(head, 4))
        if kind == "item":  # every statement's test is in tabellen.xlsx; here the clear ones
            n_all = len(part)
            part = part[part["significant"].astype(bool) & ~part["suppressed"].astype(bool)]
            out.append(Paragraph(f"De toetsen van alle {n_all} stellingen staan in tabellen.xlsx; hier de "
                                 f"{len(part)} met een duidelijk verschil." if len(part) else
                                 f"Geen van de {n_all} stellingen verschilt duidelijk; hun toetsen staan in "
                                 "tabellen.xlsx.", "note"))
            if part.empty:
                continue
        (a, ha), (b, hb) = first_means
        part["shown_diff"] = [np.nan if r["suppressed"] else shown_difference(r[a], r[b])
                              for r in part.to_dict("records")]
        part["test_name"] = part["test"].map(TEST_NAMES).fillna("–") if "test" in part else "–"
        cols = [("label", "Schaal" if kind == "scale" else "Stelling", "text")]
        if with_n:
            cols += [("n1", "n " + ha.split(" ", 1)[-1], "int"), ("n2", "n " + hb.split(" ", 1)[-1], "int")]
        cols += [("shown_diff", "Verschil", "diff"), (es_col, es_head, "coef"), ("p_adj", "p (BH)", "p"),
                 ("test_name", "Toets", "text")]  # the means are in the main text
        out.append(Table(part, cols, small=small, caption=f"{caption}: {head.lower()}",
                         row_small_cols={a, b, "shown_diff", es_col, "p_adj"}))
    return out


def _reliability(rep, *, full) -> list:
    """The reliability table: a suppressed row shows the privacy marker, an α or ω that cannot be estimated
    a dash with a footnote saying why (:func:`peo_lib.sentences.reliability_missing_note`)."""
    sc = rep.scales.copy()
    measures = [("alpha", "α", "Cronbachs α")] + ([("omega", "ω", "McDonalds ω")] if full else [])
    notes = []
    for col, _, _ in measures:
        sc[f"{col}_text"] = [rep.small if r["suppressed"] else (format_nl(r[col], 2) if r[col] == r[col] else
                                                                f"{MISSING_TEXT}*") for r in sc.to_dict("records")]
    for r, gaps in zip(sc.to_dict("records"), rep.reliability_gaps):
        notes += [(r["label"], what, why) for what, why in gaps if what in {m[1] for m in measures}]
    cols = [("label", "Schaal", "text"), ("k", "Stellingen", "int"), ("n_complete", "n (alles ingevuld)", "int")]
    cols += [(f"{col}_text", head, "text") for col, _, head in measures]
    out = [Table(sc, cols, small=rep.small, row_small_cols={"n_complete"}, caption="Betrouwbaarheid van de schalen")]
    if notes:
        out.append(Paragraph(reliability_missing_note(notes, marker=f"{MISSING_TEXT}*"), "note"))
    return out


def round_appendix(rep) -> Section:
    """The appendix of a :class:`~peo_lib.report.round.RoundReport` (its audience decides the detail):
    the terms, the reliability table, the two comparison tables and (gemeenten) the Kruskal-Wallis tests."""
    full = rep.audience is None
    terms = ["duidelijk", "gemiddelde", "p_bh", "welch", "mann_whitney", "cohen_d", "rank_biserial", "alpha"]
    if full:
        terms.append("omega")
    if rep.audience == "gemeenten":
        terms.append("kruskal_wallis")
    if rep.weights is not None:
        terms.insert(terms.index("mann_whitney") + 1, "gewogen_toetsen")
    parts = [Paragraph("Hoe de cijfers in deze samenvatting tot stand komen. " +
                       suppression_phrase(rep.min_n, rep.small)),
             Heading("Wat de maten betekenen", 3), _terms(terms)]
    if len(rep.scales):
        parts += [Heading("Betrouwbaarheid van de schalen", 3), *_reliability(rep, full=full)]
    cmp = rep.comparison
    if len(cmp) and "mean1" in cmp:
        weighted = "test" in cmp and cmp["test"].isin(["svy_t", "svy_wilcoxon"]).any()
        how = ("Schalen zijn getoetst met de gewogen t-toets, losse stellingen met de gewogen rangtoets, en de "
               "gemiddelden zijn gewogen; de aantallen (n) zijn ongewogen" if weighted else
               "Schalen zijn getoetst met de Welch-t-toets, losse stellingen met de Mann-Whitney-toets")
        parts += [Heading("Toetsen: startende en ervaren professionals", 3),
                  Paragraph(f"{how}; de p-waarden zijn gecorrigeerd voor het aantal toetsen (Benjamini-Hochberg). "
                            "Verschil = startend min ervaren.", "note"),
                  *_test_tables(cmp, small=rep.small, first_means=[("mean1", "Gem. startend"), ("mean2", "Gem. ervaren")],
                                caption="Startend tegen ervaren", with_n=full)]
    ch = rep.change
    if ch is not None and len(ch) and "mean1" in ch:
        r0, r1 = rep.previous.id, rep.rnd.id
        how = ("De twee rondes zijn samen als één gewogen steekproef vergeleken, elke ronde met haar eigen "
               "weegfactoren, met de gewogen t-toets en de gewogen rangtoets (gelijke antwoorden krijgen het midden "
               "van hun gewicht als rang) en dezelfde correctie als hierboven" if ch.attrs.get("weighted") else
               "De twee rondes zijn vergeleken als twee onafhankelijke groepen, met dezelfde toetsen en correctie "
               "als hierboven")
        parts += [Heading(f"Toetsen: verandering sinds {r0}", 3),
                  Paragraph(f"{how}. Verschil = {r1} min {r0}.", "note"),
                  *_test_tables(ch, small=rep.small, first_means=[("mean1", f"Gem. {r1}"), ("mean2", f"Gem. {r0}")],
                                caption=f"{r1} tegen {r0}", with_n=False)]
    if rep.audience == "gemeenten":
        tests = rep.municipal_tests
        if len(tests):
            parts += [Heading("Toetsen: verschillen tussen gemeenten", 3),
                      Bullets(list(tests["zin"]))]
    parts.append(Paragraph("Alle tabellen, met de onafgeronde cijfers en de toetsgrootheden, staan ook in "
                           "tabellen.xlsx.", "note"))
    return Section(parts)


def trends_appendix(rep) -> Section:
    """The appendix of a :class:`~peo_lib.report.trends.TrendsReport`: terms, and per core scale the tests
    of the changes between consecutive rounds (raw and composition-adjusted)."""
    from peo_lib.formatting import MISSING_TEXT

    weighted = getattr(rep, "weights", None) is not None
    terms = ["duidelijk", "gemiddelde", "p_bh", "welch", *(["gewogen_toetsen"] if weighted else []), "gecorrigeerd"]
    how = ("ruw met de gewogen t-toets (de twee rondes samen als één gewogen steekproef, elke ronde met haar eigen "
           "weegfactoren), gecorrigeerd met een gewogen regressiemodel" if weighted else
           "ruw met de Welch-t-toets, gecorrigeerd met een regressiemodel")
    parts = [Paragraph("Hoe de cijfers in dit rapport tot stand komen. " + suppression_phrase(rep.min_n, rep.small)),
             Heading("Wat de maten betekenen", 3), _terms(terms),
             Heading("Toetsen: veranderingen tussen opeenvolgende rondes", 3),
             Paragraph(f"Per schaal is elke ronde vergeleken met de vorige: {how} dat rekening houdt met de "
                       "samenstelling (ervaringsgroep en functie). De p-waarden zijn per schaal gecorrigeerd voor het "
                       "aantal vergelijkingen (Benjamini-Hochberg, 5%). Verschil = latere ronde min eerdere.", "note")]
    for scale in rep.scales:
        ch = rep.tables(scale)["changes"].copy()
        if ch.empty:
            continue
        ch["pair"] = ch["previous"] + " → " + ch["current"]
        ch["shown_diff"] = [np.nan if s else shown_difference(b, a) for s, a, b in
                            zip(ch["suppressed"], ch["mean_previous"], ch["mean_current"])]
        ch["ci"] = [rep.small if s else (MISSING_TEXT if a != a else
                                         f"{_nl(a)} tot {_nl(b)}") for s, a, b in
                    zip(ch["suppressed"], ch["ci_low"], ch["ci_high"])]
        cols = [("pair", "Rondes", "text"), ("shown_diff", "Verschil", "diff"), ("ci", "95%-BI verschil", "text"),
                ("p_adjusted", "p (BH)", "p"), ("adj_diff", "Verschil gecorr.", "diff"),
                ("adj_p_adjusted", "p (BH) gecorr.", "p")]
        parts += [Heading(rep.label(scale), 4),
                  Table(ch, cols, small=rep.small, caption=f"{rep.label(scale)}: toetsen per paar rondes",
                        row_small_cols={"shown_diff", "p_adjusted", "adj_diff", "adj_p_adjusted"})]
    parts.append(Paragraph("Alle tabellen, met de onafgeronde cijfers, staan ook in tabellen.xlsx.", "note"))
    return Section(parts)


def _nl(x) -> str:
    from peo_lib.formatting import format_nl

    return format_nl(x, 2)
