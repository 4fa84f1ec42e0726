"""The round report object: one method per section of ``notebooks/ronde.ipynb``.

:class:`RoundReport` (built by :func:`build_report`) caches the tidy,
suppressed tables of :mod:`peo_lib.report.tables` and
:mod:`peo_lib.report.audience_tables` for one round and turns them into the
report structure (:mod:`peo_lib.report.structure`): Dutch tables, figures drawn
once to PNG (the same bytes go to the notebook and to ``figuren/*.png``), the
sentences of :mod:`peo_lib.sentences`, the Excel workbook and the provenance
line. The notebook only calls one method per section; each returns a
:class:`~peo_lib.report.structure.Section` (or one block), which displays itself.
Which sections an audience summary holds is decided by the notebook's cell tags
(:func:`peo_lib.publish.runner.select_cells`); the decisions about audiences and
suppression are in :mod:`peo_lib.report.tables`.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from peo_lib.errors import ReportError
from peo_lib.formatting import format_nl
from peo_lib.sentences import DEMO_NOTICE, round_intro, starter_phrase
from peo_lib.report.audience_tables import (experience_items, municipal_differences, municipal_item_shares,
                                            municipal_scale_means, organisation_results, room_items,
                                            rules_items, rules_scales, scale_quartiles, scale_score_bins,
                                            statement_shares, _scale_range_of)
from peo_lib.report.excel import SavesTables
from peo_lib.report.provenance_line import provenance, provenance_paragraph
from peo_lib.report.structure import Bullets, Heading, Paragraph, Section, Table
from peo_lib.report.tables import (_BG_LABELS, _item_means, _likert_wide, _small, change_since_previous,
                                   experience_comparison, figure_folder, likert_groups, likert_table,
                                   open_answers, previous_round_id, resolve_min_n, response_overview,
                                   scale_means_by_group, scale_summary, theme_items)
from peo_lib.vocab import AUDIENCE_LABELS, AUDIENCES, EXPERIENCE, GROUP_LABELS, check_audience

__all__ = ["RoundReport", "build_report", "notebook_setup", "AUDIENCES", "AUDIENCE_LABELS"]

_KINDS = {None: "text", "peo-note": "note", "peo-small": "small"}


def _p(text, cls=None) -> Paragraph:
    return Paragraph(text, _KINDS[cls])


def _sentences(texts, *, ordered=False) -> Bullets:
    return Bullets(list(texts), ordered=ordered)


class RoundReport(SavesTables):
    """Tables, figures and texts of one round's report (see :func:`build_report`).

    Methods named like the notebook's sections return the report structure
    (:class:`~peo_lib.report.structure.Section` or one block), which displays
    itself in the notebook and which other renderers can use; the underlying tidy tables are cached
    properties (``overview``, ``scales``, ``comparison``, ...).
    """

    def __init__(self, rnd, *, out_dir=None, min_n=None, audience=None, previous=None,
                 previous_note=None, cache_dir=None, demo=False):
        self.rnd = rnd
        self.demo = bool(demo)
        self.min_n = resolve_min_n(rnd, min_n)
        self.audience = check_audience(audience)
        self.out_dir = None if out_dir is None else Path(out_dir)
        self.previous = previous
        self.previous_note = previous_note
        self.cache_dir = cache_dir
        self.small = _small(self.min_n)
        self.figures: dict[str, Path] = {}

    # -- cached tables ------------------------------------------------
    @cached_property
    def overview(self) -> pd.DataFrame:
        return response_overview(self.rnd, min_n=self.min_n)

    @cached_property
    def scales(self) -> pd.DataFrame:
        return scale_summary(self.rnd, min_n=self.min_n)

    @cached_property
    def scales_by_group(self) -> pd.DataFrame:
        return scale_means_by_group(self.rnd, min_n=self.min_n)

    @cached_property
    def distributions(self) -> pd.DataFrame:
        return likert_table(self.rnd, min_n=self.min_n)

    @cached_property
    def comparison(self) -> pd.DataFrame:
        return experience_comparison(self.rnd, min_n=self.min_n)

    @cached_property
    def theme(self) -> pd.DataFrame:
        return theme_items(self.rnd, min_n=self.min_n)

    @cached_property
    def other_items(self) -> pd.DataFrame:
        ids = [i for g in likert_groups(self.rnd) if not g["chart"] for i in g["items"]]
        return _item_means(self.rnd, ids, min_n=self.min_n)

    @cached_property
    def change(self):
        if self.previous is None:
            return None
        return change_since_previous(self.rnd, self.previous, min_n=self.min_n)

    @cached_property
    def answers(self) -> pd.DataFrame:
        return open_answers(self.rnd, cache_dir=self.cache_dir)

    @cached_property
    def prov(self) -> dict:
        return provenance(self.rnd)

    # -- figures --------------------------------------------------------
    def _figure(self, name, fig, *, alt):
        from peo_lib.report.plots import figure_block

        folder = None if self.out_dir is None else self.out_dir / figure_folder(self.audience)
        block, path = figure_block(fig, name=name, alt=alt, folder=folder)
        if path is not None:
            self.figures[name] = path
        return block

    # -- sections -------------------------------------------------------
    def intro(self, key):
        """The introduction of a part of the summary, with this round's settings in it (see
        :func:`peo_lib.sentences.round_intro`)."""
        cb = self.rnd.codebook
        return Paragraph(round_intro(key, min_n=self.min_n, small_label=self.small,
                                     starter_max_years=cb.starter_max_years, min_n_open=cb.privacy.min_n_open,
                                     missing_reasons=self.missing_reasons_used))

    @cached_property
    def missing_reasons_used(self) -> list:
        """The missing reasons (``Weet ik niet``, ...) that occur in this round, in response-set order."""
        seen = {}
        for col in self.rnd.missing.columns:
            values = self.rnd.missing[col]
            used = set(values.dropna().unique())
            for cat in getattr(values.dtype, "categories", sorted(used)):
                if cat in used:
                    seen.setdefault(cat, None)
        return list(seen)

    def title(self):
        """Heading: round title, fieldwork and number of respondents."""
        cb = self.rnd.codebook
        fw = ""
        if cb.fieldwork:
            fw = f"Veldwerk {cb.fieldwork.start:%d-%m-%Y} tot en met {cb.fieldwork.end:%d-%m-%Y}. "
        aud = "" if self.audience is None else f" Samenvatting voor {AUDIENCE_LABELS[self.audience]}."
        notice = [Paragraph(DEMO_NOTICE, css_class="peo-demo")] if self.demo else []
        return Section([*notice, _p(f"{fw}{self.rnd.n} professionals vulden de vragenlijst in.{aud}", "peo-note")],
                       title=f"PEO ronde {self.rnd.id}: {cb.title}", level=1)

    def response_overview(self):
        """Respondents per functie, organisatie, gemeente and ervaringsgroep."""
        parts = [_p(f"Totaal: {self.rnd.n} respondenten.")]
        ov = self.overview
        for var, part in ov.groupby("variable", sort=False):
            label = _BG_LABELS.get(var, var)
            part = part.copy()
            if var == EXPERIENCE:
                yrs = format_nl(self.rnd.codebook.starter_max_years, 0)
                part["category"] = part["category"].map(
                    {"startend": f"Startend (≤ {yrs} jaar)", "ervaren": f"Ervaren (> {yrs} jaar)"}).fillna(
                    part["category"])
            parts.append(Table(part, [("category", label, "text"), ("n", "n", "int"),
                                            ("pct", "%", "pct")], small=self.small))
        if ov["suppressed"].any():
            parts.append(_p(f"{self.small}: minder dan {self.min_n} respondenten (of een cel die "
                            "anders uit het totaal terug te rekenen is); deze aantallen worden niet getoond.",
                            "peo-note"))
        return Section(parts)

    def scale_overview(self):
        """Table of scales: mean, 95% CI, alpha (and omega for research)."""
        cols = [("label", "Schaal", "text"), ("k", "Items", "int"), ("n_scored", "n", "int"),
                ("mean", "Gemiddelde", "mean"), ("ci_low", "95%-BI onder", "mean"),
                ("ci_high", "95%-BI boven", "mean"), ("alpha", "Cronbachs α", "coef")]
        if self.audience is None:
            cols.append(("omega", "McDonalds ω", "coef"))
        table = Table(self.scales, cols, small=self.small,
                            row_small_cols={c for c, _, _ in cols if c not in ("k",)})
        note = _p("Schaalscores lopen van 1 (helemaal oneens) tot 5 (helemaal eens), na omkeren van "
                  "negatief geformuleerde items. BI = betrouwbaarheidsinterval. Een α van 0,70 of hoger "
                  "geldt als voldoende betrouwbaar.", "peo-note")
        return Section([table, note])

    def scale_figure(self):
        """Means with 95% CI per scale, starters and experienced side by side."""
        from peo_lib.report.plots import mean_ci_chart

        sg = self.scales_by_group
        groups = [g for g in GROUP_LABELS if g in set(sg["group"])]
        data = sg[sg["group"].isin(groups)].assign(group=lambda d: d["group"].map(GROUP_LABELS))
        overall = self.scales.assign(group="Alle respondenten")
        both = pd.concat([overall[["label", "group", "mean", "ci_low", "ci_high", "suppressed"]],
                          data[["label", "group", "mean", "ci_low", "ci_high", "suppressed"]]],
                         ignore_index=True)
        lo, hi = self._scale_range()
        fig = mean_ci_chart(both, group_col="group", groups=["Alle respondenten", "Startend", "Ervaren"],
                            small_label=self.small, scale_min=lo, scale_max=hi,
                            title="Schaalgemiddelden met 95%-betrouwbaarheidsinterval")
        return self._figure("schalen", fig, alt="Schaalgemiddelden met betrouwbaarheidsinterval")

    def _scale_range(self):
        cb = self.rnd.codebook
        los, his = [], []
        for sc in cb.scales.values():
            rs = cb.response_set_of(sc.items[0])
            los.append(rs.min)
            his.append(rs.max)
        return (min(los), max(his)) if los else (1, 5)

    def likert_figures(self, block=None):
        """Diverging stacked bars per block (and per response set), with notes."""
        from peo_lib.report.plots import likert_chart

        cb = self.rnd.codebook
        out = []
        for g in likert_groups(self.rnd, blocks=None if block is None else [block]):
            if not g["chart"]:
                continue
            wide, cats, miss = _likert_wide(self.distributions, self.rnd, g["items"])
            name = "likert_" + g["block"] + ("" if g["response_set"] == "eens5" else "_" + g["response_set"])
            title = ("Kernvragen" if g["block"] == "kern" else f"Thema: {self.theme_title}") + \
                ": verdeling van de antwoorden"
            fig = likert_chart(wide, categories=cats, missing_categories=miss, small_label=self.small,
                               title=title)
            out.append(self._figure(name, fig, alt=f"Verdeling van de antwoorden: {title}"))
        return out

    def block_sections(self, *, theme=False):
        """One heading per block with its Likert chart(s) and the means of other items.

        Parameters
        ----------
        theme : bool
            Include the theme block (default False: :meth:`theme_section` shows it).
        """
        cb = self.rnd.codebook
        out = Section()
        for block in cb.blocks:
            if block == cb.theme and not theme:
                continue
            head = "Kernvragen" if block == "kern" else f"Themablok: {self.theme_title}"
            out.add(Heading(head, 3), *self._block_body(block))
        return out

    @property
    def theme_title(self) -> str:
        """The theme's name: the title after its colon ("Ronde 2: Regels en eisen"), else the theme id."""
        cb = self.rnd.codebook
        if ":" in cb.title:
            return cb.title.split(":")[-1].strip()
        return cb.theme.replace("_", " ").capitalize()

    def _block_body(self, block) -> list:
        out = list(self.likert_figures(block))
        other = self.other_items
        other = other[other["block"] == block] if len(other) else other
        if len(other):
            out.append(Table(other, [("text", "Vraag", "text"), ("n_valid", "n", "int"),
                                              ("mean", "Gemiddelde", "mean"), ("ci_low", "95%-BI onder", "mean"),
                                              ("ci_high", "95%-BI boven", "mean")],
                                      small=self.small))
        return out

    def comparison_tables(self):
        """Starters vs experienced: every scale and item, with a Dutch sentence each."""
        cmp = self.comparison
        if cmp.empty:
            return _p("Ervaringsjaren zijn in deze ronde niet gevraagd: geen vergelijking mogelijk.")
        parts = []
        for kind, head, es_col, es_head in (("scale", "Schalen", "cohen_d", "Cohens d"),
                                            ("item", "Stellingen", "rank_biserial", "r (rangbiserieel)")):
            part = cmp[cmp["kind"] == kind]
            if part.empty:
                continue
            cols = [("label", "Schaal" if kind == "scale" else "Stelling", "text"),
                    ("n1", "n startend", "int"), ("n2", "n ervaren", "int"),
                    ("mean1", "Gem. startend", "mean"), ("mean2", "Gem. ervaren", "mean"),
                    ("diff", "Verschil", "diff"), (es_col, es_head, "coef"), ("p_adj", "p (BH)", "p")]
            if self.audience is not None:
                cols = [c for c in cols if c[0] not in ("n1", "n2")]
            parts.append(Heading(head, 4))
            parts.append(Table(part, cols, small=self.small,
                               row_small_cols={"mean1", "mean2", "diff", es_col, "p_adj"}))
            parts.append(_sentences(part["zin"]))
        parts.append(_p("Verschil = startend min ervaren. p (BH) = p-waarde na correctie voor het aantal "
                        "toetsen (Benjamini-Hochberg); schalen met Welch-t-toets, stellingen met "
                        "Mann-Whitney-toets. Effectgrootte: 0,2 klein, 0,5 middelgroot, 0,8 groot (d).",
                        "peo-note"))
        return Section(parts)

    def theme_section(self):
        """The theme block: its chart, and means and % (helemaal) eens of its items and scales."""
        th = self.theme
        cb = self.rnd.codebook
        if th.empty:
            return _p("Deze ronde heeft geen themavragen.")
        out = Section([_p(f"Het thema van deze ronde is ‘{self.theme_title}’. De stellingen:"),
                       *self._block_body(cb.theme)])
        cols = [("text", "Stelling", "text"), ("n_valid", "n", "int"), ("mean", "Gemiddelde", "mean"),
                ("ci_low", "95%-BI onder", "mean"), ("ci_high", "95%-BI boven", "mean"),
                ("top2_pct", "% (helemaal) eens", "pct")]
        table = Table(th, cols, small=self.small)
        theme_items_ = set(cb.items_in_block(cb.theme))
        scales = self.scales[self.scales["scale"].map(
            lambda s: all(i in theme_items_ for i in cb.scales[s].items))]
        extra = None
        if len(scales):
            extra = _p("Themaschaal: " + "; ".join(
                f"{r['label']}: gemiddeld {format_nl(r['mean'])} (95%-BI {format_nl(r['ci_low'])} tot "
                f"{format_nl(r['ci_high'])}, α = {format_nl(r['alpha'], 2)})" if not r["suppressed"]
                else f"{r['label']}: {self.small}" for r in scales.to_dict("records")) + ".")
        return out.add(table, extra)

    def change_section(self):
        """Core items and scales compared with the previous round (or why not)."""
        if self.previous is None:
            return _p(self.previous_note or "Er is geen eerdere ronde om mee te vergelijken.", "peo-note")
        ch = self.change
        if ch is None or ch.empty:
            return _p(f"Geen kernvragen die in ronde {self.previous.id} op dezelfde manier gesteld zijn.",
                      "peo-note")
        r0, r1 = self.previous.id, self.rnd.id
        parts = [_p(f"Vergeleken met ronde {r0} ({self.previous.n} respondenten). Alleen vragen die in beide "
                    "rondes hetzelfde gesteld zijn. Verschil = deze ronde min de vorige.")]
        for kind, head, es_col, es_head in (("scale", "Schalen", "cohen_d", "Cohens d"),
                                            ("item", "Kernstellingen", "rank_biserial", "r")):
            part = ch[ch["kind"] == kind]
            if part.empty:
                continue
            cols = [("label", "Schaal" if kind == "scale" else "Stelling", "text"),
                    ("mean2", f"Gem. {r0}", "mean"), ("mean1", f"Gem. {r1}", "mean"),
                    ("diff", "Verschil", "diff"), (es_col, es_head, "coef"), ("p_adj", "p (BH)", "p")]
            parts.append(Heading(head, 4))
            parts.append(Table(part, cols, small=self.small,
                               row_small_cols={"mean1", "mean2", "diff", es_col, "p_adj"}))
            sig = part[part["significant"]]
            if len(sig):
                parts.append(_sentences(sig["zin"]))
            else:
                parts.append(_p("Geen van deze verschillen is significant na correctie.", "peo-note"))
        return Section(parts)

    def open_answers_section(self):
        """Scrubbed open answers per question, only for groups of at least min_n_open."""
        ans = self.answers
        cb = self.rnd.codebook
        parts = []
        for q, oq in cb.open_questions.items():
            part = ans[ans["question"] == q] if len(ans) else ans
            parts.append(Heading(oq.text, 4))
            if len(part) == 0:
                parts.append(_p(f"Minder dan {cb.privacy.min_n_open} antwoorden: niet getoond.", "peo-small"))
                continue
            parts.append(_p(f"{len(part)} antwoorden; gelijke antwoorden staan één keer, met hun aantal.",
                            "peo-note"))
            counts = part["answer"].value_counts(sort=False)  # keeps the (alphabetical) order
            parts.append(Bullets(list(counts.index), kind="answers", counts=[int(c) for c in counts]))
        if not cb.open_questions:
            parts.append(_p("Deze ronde had geen open vragen."))
        return Section(parts)

    # -- audience sections ------------------------------------------------
    def response_by(self, variable):
        """Respondents per category of one background variable (``"organisatie"``, ``"gemeente"``)."""
        part = self.overview[self.overview["variable"] == variable]
        if part.empty:
            return _p(f"De vraag naar {_BG_LABELS.get(variable, variable).lower()} is in deze ronde niet gesteld.")
        out = Section([_p(f"Totaal: {self.rnd.n} respondenten."),
                       Table(part, [("category", _BG_LABELS.get(variable, variable), "text"), ("n", "n", "int"),
                                    ("pct", "%", "pct")], small=self.small)])
        if part["suppressed"].any():
            out.add(_p(f"{self.small}: minder dan {self.min_n} respondenten (of een cel die anders uit het "
                      "totaal terug te rekenen is).", "peo-note"))
        return out

    def _pivot(self, table, *, row_col, col_col, value_col, kind, row_head, rows=None, cols=None,
               col_heads=None) -> Table:
        """A wide table (rows x columns) of one statistic; hidden cells (NaN) show ``n<5``."""
        rows = list(dict.fromkeys(table[row_col])) if rows is None else rows
        cols = list(dict.fromkeys(table[col_col])) if cols is None else cols
        look = {(r[row_col], r[col_col]): r for r in table.to_dict("records")}
        heads = col_heads or {}
        wide = pd.DataFrame([{"_row": str(r), **{f"_c{k}": (np.nan if (rec := look.get((r, c))) is None
                                                            or rec.get("suppressed") else rec.get(value_col))
                                                 for k, c in enumerate(cols)}} for r in rows])
        columns = [("_row", row_head, "text")] + [(f"_c{k}", str(heads.get(c, c)), kind) for k, c in enumerate(cols)]
        return Table(wide, columns, small=self.small, row_header=True)

    # onderwijs
    @cached_property
    def starter_items(self) -> pd.DataFrame:
        return experience_items(self.rnd, min_n=self.min_n)

    def experience_highlights(self):
        """The groups' sizes and the differences that are significant, largest effect first."""
        cmp = self.comparison
        if cmp.empty:
            return _p("Ervaringsjaren zijn in deze ronde niet gevraagd: geen vergelijking mogelijk.")
        ov = self.overview[self.overview["variable"] == "ervaringsgroep"].set_index("category")

        def count(g):
            if g not in ov.index or ov.loc[g, "suppressed"]:
                return self.small
            return str(int(ov.loc[g, "n"]))

        parts = [_p(f"In deze ronde vulden {count('startend')} startende professionals "
                    f"({starter_phrase(self.rnd.codebook.starter_max_years)}) en {count('ervaren')} ervaren professionals de vragenlijst in.")]
        sig = cmp[cmp["significant"] & ~cmp["suppressed"]].copy()
        if sig.empty:
            parts.append(_p(f"Op geen van de {len(cmp)} schalen en stellingen verschillen startende en ervaren "
                            "professionals significant (na correctie voor het aantal toetsen)."))
        else:
            sig["_es"] = sig["cohen_d"].abs().fillna(sig["rank_biserial"].abs() * 2)
            sig = sig.sort_values(["kind", "_es"], ascending=[False, False])
            parts.append(_p(f"Op {len(sig)} van de {len(cmp)} schalen en stellingen is het verschil significant "
                            "(na correctie voor het aantal toetsen), de grootste verschillen eerst:"))
            parts.append(_sentences(sig["zin"]))
        return Section(parts)

    def starters_room_rules(self):
        """What starters say about professional room and rules: % (helemaal) eens and means per group."""
        ei = self.starter_items
        if ei.empty:
            return _p("Geen stellingen over ruimte of regels, of geen ervaringsjaren in deze ronde.")
        parts = []
        for head, ids in (("Professionele ruimte", room_items(self.rnd)),
                          ("Regels en eisen", [i for i in rules_items(self.rnd) if i not in room_items(self.rnd)])):
            part = ei[ei["item"].isin(ids)]
            if part.empty:
                continue
            wide = []
            for item, g in part.groupby("item", sort=False):
                rec = {"text": g["text"].iloc[0], "suppressed": False}
                for grp in ("startend", "ervaren"):
                    row = g[g["group"] == grp]
                    hidden = row.empty or bool(row["suppressed"].iloc[0])
                    rec[f"pct_{grp}"] = np.nan if hidden else row["top2_pct"].iloc[0]
                    rec[f"mean_{grp}"] = np.nan if hidden else row["mean"].iloc[0]
                wide.append(rec)
            parts.append(Heading(head, 3))
            parts.append(Table(pd.DataFrame(wide), [
                ("text", "Stelling", "text"), ("pct_startend", "% (helemaal) eens, startend", "pct"),
                ("pct_ervaren", "% (helemaal) eens, ervaren", "pct"), ("mean_startend", "Gem. startend", "mean"),
                ("mean_ervaren", "Gem. ervaren", "mean")], small=self.small))
        parts.append(_p("% (helemaal) eens = aandeel ‘eens’ en ‘helemaal eens’ van wie de stelling beantwoordde. "
                        "Of een verschil significant is, staat in de tabellen hierboven.", "peo-note"))
        return Section(parts)

    # professionals
    @cached_property
    def score_bins(self) -> pd.DataFrame:
        return scale_score_bins(self.rnd, min_n=self.min_n)

    @cached_property
    def quartiles(self) -> pd.DataFrame:
        return scale_quartiles(self.rnd, min_n=self.min_n)

    @cached_property
    def shares(self) -> pd.DataFrame:
        return statement_shares(self.rnd, min_n=self.min_n)

    def mirror_scales(self):
        """Per scale: how to compute your own score, the quartiles and the distribution in bins."""
        cb = self.rnd.codebook
        if not cb.scales:
            return _p("Deze ronde heeft geen schalen.")
        q = self.quartiles.set_index("scale")
        parts = []
        for s, sc in cb.scales.items():
            texts = [cb.items[i].text.rstrip(".") for i in sc.items]
            rev = [cb.items[i].text.rstrip(".") for i in sc.reverse]
            lo, hi = _scale_range_of(self.rnd, s)
            parts.append(Heading(sc.label, 3))
            how = (f"Uw score: het gemiddelde van uw antwoorden ({lo} = helemaal oneens tot {hi} = helemaal eens) "
                   f"op {len(texts)} stellingen: " + "; ".join(f"‘{x}’" for x in texts) + ".")
            if rev:
                how += (" Bij " + "; ".join(f"‘{x}’" for x in rev) + f" telt het antwoord omgekeerd "
                        f"({lo} wordt {hi}, {hi} wordt {lo}).")
            parts.append(_p(how))
            row = q.loc[s]
            if row["suppressed"]:
                parts.append(_p(f"Minder dan {self.min_n} professionals hebben een score op deze schaal: "
                                "geen verdeling getoond.", "peo-small"))
                continue
            parts.append(_p(f"De helft van de professionals scoort tussen {format_nl(row['q1'])} en "
                            f"{format_nl(row['q3'])}; de middelste score (mediaan) is {format_nl(row['median'])}. "
                            f"Een kwart scoort lager dan {format_nl(row['q1'])}, een kwart hoger dan "
                            f"{format_nl(row['q3'])}."))
            bins = self.score_bins[self.score_bins["scale"] == s].copy()
            bins["range"] = [f"{format_nl(a)} tot {'en met ' if b == hi else ''}{format_nl(b)}"
                             for a, b in zip(bins["low"], bins["high"])]
            parts.append(Table(bins, [("range", "Uw score", "text"), ("bin_label", "Ongeveer", "text"),
                                            ("pct", "% professionals", "pct"), ("n", "n", "int")],
                                     small=self.small))
        parts.append(_p(f"{self.small}: minder dan {self.min_n} professionals in deze groep, of een groep die "
                        "anders uit het totaal terug te rekenen is.", "peo-note"))
        return Section(parts)

    def mirror_statements(self):
        """Per statement the share disagreeing, neutral and agreeing, per block; other items as means."""
        sh = self.shares
        cb = self.rnd.codebook
        parts = []
        for block in cb.blocks:
            part = sh[sh["block"] == block] if len(sh) else sh
            if part.empty:
                continue
            head = "Kernvragen" if block == "kern" else f"Thema: {self.theme_title}"
            parts.append(Heading(head, 3))
            parts.append(Table(part, [("text", "Stelling", "text"), ("base", "n", "int"),
                                            ("pct_low", "% (helemaal) oneens", "pct"),
                                            ("pct_mid", "% neutraal", "pct"),
                                            ("pct_high", "% (helemaal) eens", "pct")], small=self.small))
        other = self.other_items
        if len(other):
            parts.append(Heading("Overige vragen", 3))
            parts.append(Table(other, [("text", "Vraag", "text"), ("n_valid", "n", "int"),
                                             ("mean", "Gemiddelde", "mean")], small=self.small))
        parts.append(_p("Percentages van wie de stelling beantwoordde; ‘weet ik niet’ en ‘niet van toepassing’ "
                        "tellen niet mee.", "peo-note"))
        return Section(parts)

    # aanbieders
    @cached_property
    def organisation_scales_table(self) -> pd.DataFrame:
        return organisation_results(self.rnd, what="scales", min_n=self.min_n)

    @cached_property
    def organisation_items_table(self) -> pd.DataFrame:
        return organisation_results(self.rnd, what="items", min_n=self.min_n)

    def organisation_scales(self):
        """Scale means per organisation (type), only when every organisation is large enough."""
        tab = self.organisation_scales_table
        if tab.attrs.get("reason"):
            return _p(tab.attrs["reason"], "peo-small")
        groups = list(dict.fromkeys(tab["group"]))
        sizes = tab.groupby("group", sort=False)["n"].first()
        table = self._pivot(tab, row_col="label", col_col="group", value_col="mean", kind="mean",
                            row_head="Schaal", cols=groups,
                            col_heads={g: f"{g} (n = {int(sizes[g])})" for g in groups})
        return Section([table, _p("Gemiddelde schaalscore (1-5) per type organisatie; n = respondenten van dat "
                                  f"type. Elke groep heeft ten minste {self.min_n} respondenten per schaal.",
                                  "peo-note")])

    def organisation_statements(self):
        """% (helemaal) eens per statement and organisation (type), only when every group is large enough."""
        tab = self.organisation_items_table
        if tab.attrs.get("reason"):
            return _p(tab.attrs["reason"], "peo-small")
        groups = list(dict.fromkeys(tab["group"]))
        return self._pivot(tab, row_col="text", col_col="group", value_col="top2_pct", kind="pct",
                           row_head="Stelling (% (helemaal) eens)", cols=groups)

    # gemeenten
    @cached_property
    def municipal_scales_table(self) -> pd.DataFrame:
        return municipal_scale_means(self.rnd, min_n=self.min_n)

    @cached_property
    def municipal_rules_table(self) -> pd.DataFrame:
        return municipal_item_shares(self.rnd, min_n=self.min_n)

    @cached_property
    def municipal_tests(self) -> pd.DataFrame:
        return municipal_differences(self.rnd, min_n=self.min_n, table=self.municipal_scales_table)

    def _municipal_rows(self, table):
        return list(dict.fromkeys(table["group"]))  # gemeenten in codebook order, total last

    def rules_section(self):
        """Rules and requirements per gemeente: the rules scales (chart and table) and their statements."""
        from peo_lib.report.plots import mean_ci_chart

        ms = self.municipal_scales_table
        scales = rules_scales(self.rnd)
        if ms.empty or not scales:
            return _p("Geen vragen over regels en eisen of geen gemeente in deze ronde.")
        out = Section()
        for s in scales:
            part = ms[ms["scale"] == s]
            label = part["label"].iloc[0]
            lo, hi = _scale_range_of(self.rnd, s)
            fig = mean_ci_chart(part, label_col="group", small_label=self.small, scale_min=lo, scale_max=hi,
                                title=f"{label}: gemiddelde per gemeente")
            out.add(self._figure(f"gemeenten_{s}", fig, alt=f"{label} per gemeente"))
        items = self.municipal_rules_table
        if len(items):
            ids = list(dict.fromkeys(items["item"]))
            heads = {i: f"Stelling {k}" for k, i in enumerate(ids, start=1)}
            out.add(_p("Aandeel (helemaal) eens per gemeente:"),
                    self._pivot(items, row_col="group", col_col="item", value_col="top2_pct", kind="pct",
                                row_head="Gemeente", cols=ids, col_heads=heads),
                    _sentences((self.rnd.codebook.items[i].text for i in ids), ordered=True))
        return out.add(self._municipal_note())

    def _municipal_note(self):
        return _p(f"{self.small}: minder dan {self.min_n} respondenten in die gemeente, of een gemeente die "
                  "anders uit het totaal (‘Alle gemeenten’) terug te rekenen is. ‘Alle gemeenten’ telt wie een "
                  "gemeente opgaf.", "peo-note")

    def municipal_scales(self):
        """Every scale's mean per gemeente (rules scales first), and whether gemeenten differ."""
        ms = self.municipal_scales_table
        if ms.empty:
            return _p("Geen gemeente gevraagd of geen schalen in deze ronde.")
        order = list(dict.fromkeys(ms["scale"]))
        labels = dict(zip(ms["scale"], ms["label"]))
        table = self._pivot(ms, row_col="group", col_col="scale", value_col="mean", kind="mean",
                            row_head="Gemeente", cols=order, col_heads=labels)
        return Section([table, _sentences(self.municipal_tests["zin"]), self._municipal_note()])

    def excel_sheets(self) -> dict:
        """Sheet name -> (table, columns shown as ``n<5`` where suppressed)."""
        dist = self.distributions.drop(columns=["pct_rounded"])
        sheets = {
            "Respons": (self.overview, ["n", "pct"]),
            "Schalen": (self.scales, ["n_scored", "mean", "sd", "ci_low", "ci_high", "alpha", "omega",
                                      "n_complete"]),
            "Schalen per ervaring": (self.scales_by_group, ["n_scored", "mean", "sd", "ci_low", "ci_high"]),
            "Antwoordverdeling": (dist, ["n", "base", "pct"]),
            "Startend vs ervaren": (self.comparison, ["n1", "n2", "mean1", "mean2", "diff", "cohen_d",
                                                      "rank_biserial", "statistic", "p", "p_adj"]),
            "Thema": (self.theme, ["n_valid", "mean", "sd", "ci_low", "ci_high", "top2_n", "top2_pct",
                                   "top2_ci_low", "top2_ci_high"]),
        }
        if self.change is not None and not self.change.empty:
            sheets["Verandering"] = (self.change, ["n1", "n2", "mean1", "mean2", "diff", "cohen_d",
                                                   "rank_biserial", "statistic", "p", "p_adj"])
        ans = self.answers
        sheets["Open antwoorden"] = (ans[["question", "question_text", "group", "answer"]] if len(ans)
                                     else pd.DataFrame(columns=["question", "question_text", "group", "answer"]), [])
        sheets["Herkomst"] = (pd.DataFrame(list(self.prov.items()), columns=["veld", "waarde"]), [])
        return sheets

    def provenance(self):
        """The provenance line (always the last output of the report)."""
        return provenance_paragraph(self.prov)


def notebook_setup() -> None:
    """Quiet, reproducible notebook output: no warnings in the report, Agg for any pyplot use."""
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    warnings.filterwarnings("ignore", category=UserWarning, module="peo_lib")
    warnings.filterwarnings("ignore", category=FutureWarning)


def build_report(round_id, *, data_dir=None, out_dir=None, min_n=None, audience=None,
                 cache_dir=None) -> RoundReport:
    """Load a round (and its previous round) and prepare its report.

    Parameters
    ----------
    round_id : str
        ``"2021-1"``; the codebook is ``DATA_DIR/codebooks/ROUND.yml``.
    data_dir : str or Path, optional
        Holds ``codebooks/`` and ``raw/`` (default: ``data/`` or ``$PEO_DATA_DIR``; never the demo).
    out_dir : str or Path, optional
        Where ``tabellen.xlsx`` and ``figuren/*.png`` go (the round's output
        folder). None: nothing is written.
    min_n : int, optional
        Stricter threshold than the codebook's ``privacy.min_n``.
    audience : {"onderwijs", "professionals", "aanbieders", "gemeenten"}, optional
        Changes technical detail and the title line (None: the full summary);
        which sections a summary holds is chosen by the notebook's cell tags.
    cache_dir : str or Path, optional
        Cache of scrubbed open answers (scrubbed text only, no ids). Default:
        :func:`peo_lib.paths.scrub_cache_dir` (private, never in an output folder).

    Returns
    -------
    RoundReport
    """
    from peo_lib.errors import PEOError
    from peo_lib.paths import codebook_path, raw_dir
    from peo_lib.data.rounds import load_round

    from peo_lib.paths import DATA_DIR, is_demo

    # No demo fallback: a report comes from the data dir it is given (or data/), never silently from
    # generated data; `peo report --data-dir data/demo` (and `make demo`) is the one way to the demo.
    data_dir = Path(data_dir) if data_dir is not None else Path(DATA_DIR)
    if not codebook_path(round_id, data_dir).is_file():
        from peo_lib.paths import require_round_ids, round_ids

        require_round_ids(data_dir)
        raise ReportError(f"no codebook for round {round_id!r} in {codebook_path(round_id, data_dir).parent} "
                          f"(available: {', '.join(round_ids(data_dir))}); pass --data-dir for another folder")
    rnd = load_round(codebook_path(round_id, data_dir), raw_dir(data_dir))
    if rnd.id != str(round_id):
        raise ReportError(f"{codebook_path(round_id, data_dir)} holds round {rnd.id!r}, not {round_id!r}")
    prev, note = None, None
    prev_id = previous_round_id(round_id, data_dir=data_dir)
    if prev_id is not None:
        try:
            prev = load_round(codebook_path(prev_id, data_dir), raw_dir(data_dir))
        except PEOError as exc:
            note = f"De vorige ronde ({prev_id}) kon niet worden geladen, dus geen vergelijking: {exc}"
    return RoundReport(rnd, out_dir=out_dir, min_n=min_n, audience=audience, previous=prev,
                       previous_note=note, cache_dir=cache_dir, demo=is_demo(data_dir))
