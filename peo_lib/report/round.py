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
from peo_lib.sentences import (DEMO_NOTICE, answer_group_phrases, change_weighting_sentence, chart_axis_phrase,
                                omega_missing_phrase,
                                others_no_change_sentence, others_not_different_sentence, plain_change_sentence,
                                plain_group_sentence, respondents_sentence, round_intro, scale_range_sentence,
                                shown_difference, survey_phrase, top2_phrase, unknown_left_out_sentence)
from peo_lib.report.audience_tables import _scale_range_of
from peo_lib.report.audience_sections import AudienceSections, _clear
from peo_lib.report.excel import SavesTables
from peo_lib.report.findings import round_findings
from peo_lib.report.provenance_line import provenance, provenance_paragraph
from peo_lib.report.structure import Bullets, Details, Heading, Paragraph, Section, Table
from peo_lib.report.tables import (_item_means, _likert_wide, _small, change_since_previous,
                                   experience_comparison, figure_folder, likert_groups, likert_table,
                                   open_answers, previous_round_id, resolve_min_n, response_overview,
                                   multiple_response_table, scale_means_by_group, scale_summary, theme_items)
from peo_lib.vocab import ALL_RESPONDENTS, AUDIENCE_LABELS, AUDIENCES, EXPERIENCE, GROUP_LABELS, check_audience

__all__ = ["RoundReport", "build_report", "notebook_setup", "AUDIENCES", "AUDIENCE_LABELS"]

_KINDS = {None: "text", "peo-note": "note", "peo-small": "small"}


def _p(text, cls=None) -> Paragraph:
    return Paragraph(text, _KINDS[cls])


def _sentences(texts, *, ordered=False) -> Bullets:
    return Bullets(list(texts), ordered=ordered)


#: Background variables whose per-group tables are shown whole or not at all (organisations are not
#: compared on what a partial table leaves over; see :func:`peo_lib.report.audience_tables.organisation_results`).
ALL_OR_NOTHING = ("organisatie",)


def _all_or_nothing(table: pd.DataFrame) -> pd.DataFrame:
    """Hide every group of a scale when any group with respondents is suppressed for it."""
    out = table.copy()
    hide = out[out["n"] > 0].groupby("scale")["suppressed"].any()
    rows = out["scale"].map(hide).fillna(False).astype(bool)
    out.loc[rows, ["n_scored", "mean", "sd", "ci_low", "ci_high"]] = np.nan
    out["suppressed"] = out["suppressed"].astype(bool) | rows
    return out


def _verdict(rec, small) -> str:
    if rec["suppressed"]:
        return small
    p = rec.get("p_adj")
    if p is None or p != p:
        return "geen toets"
    return "ja" if _clear(rec) else "nee"


class RoundReport(SavesTables, AudienceSections):
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
        self._handout_job = None
        self.cache_dir = cache_dir
        self.small = _small(self.min_n)
        self.figures: dict[str, Path] = {}

    # -- cached tables ------------------------------------------------
    @cached_property
    def overview(self) -> pd.DataFrame:
        return response_overview(self.rnd, min_n=self.min_n)

    @cached_property
    def scales(self) -> pd.DataFrame:
        return scale_summary(self.rnd, min_n=self.min_n, weights=self.weights)

    @cached_property
    def reliability_gaps(self) -> list:
        """Per row of :attr:`scales`: ``[(measure, Dutch reason)]`` for α or ω that could not be estimated
        (a dash with a footnote, never the privacy marker); empty for a suppressed row."""
        out = []
        for r in self.scales.to_dict("records"):
            gaps = []
            if not r["suppressed"]:
                if r.get("alpha") != r.get("alpha"):
                    gaps.append(("α", "één stelling (α vraagt er ten minste twee)" if r["k"] < 2 else
                                 "geen spreiding in de antwoorden, of te weinig respondenten"))
                if r.get("omega") != r.get("omega"):
                    gaps.append(("ω", omega_missing_phrase(r.get("omega_reason"))))
            out.append(gaps)
        return out

    @property
    def reliability_notes(self) -> list:
        """Per row of :attr:`scales` the footnote text of :attr:`reliability_gaps` (None: nothing missing)."""
        return ["; ".join(f"{what} niet te schatten: {why}" for what, why in gaps) or None
                for gaps in self.reliability_gaps]

    @cached_property
    def scales_by_group(self) -> pd.DataFrame:
        return scale_means_by_group(self.rnd, min_n=self.min_n, weights=self.weights)

    @cached_property
    def distributions(self) -> pd.DataFrame:
        return likert_table(self.rnd, min_n=self.min_n, weights=self.weights)

    @cached_property
    def comparison(self) -> pd.DataFrame:
        return experience_comparison(self.rnd, min_n=self.min_n, weights=self.weights)

    @cached_property
    def theme(self) -> pd.DataFrame:
        return theme_items(self.rnd, min_n=self.min_n, weights=self.weights)

    @cached_property
    def other_items(self) -> pd.DataFrame:
        ids = [i for g in likert_groups(self.rnd) if not g["chart"] for i in g["items"]]
        return _item_means(self.rnd, ids, min_n=self.min_n, weights=self.weights)

    @cached_property
    def multiple(self) -> pd.DataFrame:
        return multiple_response_table(self.rnd, min_n=self.min_n)

    @cached_property
    def change(self):
        if self.previous is None:
            return None
        return change_since_previous(self.rnd, self.previous, min_n=self.min_n, weights=self.weights)

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

    @cached_property
    def value_ranges(self) -> dict:
        """Scale or item id -> (lowest, highest) answer code (for "op een schaal van 1 tot 5")."""
        cb = self.rnd.codebook
        out = {i: (cb.response_set_of(i).min, cb.response_set_of(i).max) for i in cb.items}
        out.update({s: _scale_range_of(self.rnd, s) for s in cb.scales})
        return out

    def _span(self, rec) -> dict:
        lo, hi = self.value_ranges.get(rec["id"], (1, 5))
        return {"lo": lo, "hi": hi}

    def _labels(self, item) -> list:
        """The item's answer labels from the negative to the positive end (the response set's ``positive``)."""
        return self.rnd.codebook.response_set_of(item).ordered_labels

    @cached_property
    def findings(self) -> list:
        """The key findings (:func:`peo_lib.report.findings.round_findings`), from the suppressed tables."""
        cb = self.rnd.codebook
        agree = [i for i in cb.items_in_block(cb.theme) if top2_phrase(self._labels(i)) == "(helemaal) eens"] \
            if cb.theme in cb.blocks else []
        return round_findings(
            comparison=self.comparison, change=self.change,
            previous_id=None if self.previous is None else self.previous.id,
            theme=self.theme, theme_title=self.theme_title, agreement_items=agree, ranges=self.value_ranges,
            municipal=self.municipal_tests if self.audience == "gemeenten" else None)

    def key_findings(self):
        """"In het kort": 3-5 findings in plain Dutch, each with its numbers (rules: :mod:`peo_lib.report.findings`)."""
        return Section([Bullets([f.sentence for f in self.findings], css_class="peo-findings"),
                        _p("Duidelijk = een verschil dat geen toeval lijkt (zie de Verantwoording achteraan).",
                           "peo-note")])

    # -- sections -------------------------------------------------------
    def intro(self, key):
        """The introduction of a part of the summary, with this round's settings in it (see
        :func:`peo_lib.sentences.round_intro`)."""
        cb = self.rnd.codebook
        sv = cb.survey
        return Paragraph(round_intro(key, min_n=self.min_n, small_label=self.small,
                                     starter_max_years=cb.starter_max_years, min_n_open=cb.privacy.min_n_open,
                                     missing_reasons=self.missing_reasons_used,
                                     survey=survey_phrase(sv.name, sv.population, sv.subject),
                                     respondents=sv.respondents,
                                     variables=[cb.background_label(v) for v in cb.summary_variables()
                                                if v in set(self.overview["variable"])]))

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
        n_text = respondents_sentence(self.rnd.n, cb.survey.respondents)
        parts = [*notice, _p(f"{fw}{n_text}{aud}", "peo-note")]
        if (weighted := self.weighting_note()) is not None:  # every summary says it once, at the top
            parts.append(weighted)
        return Section(parts, title=f"{cb.survey.short} ronde {self.rnd.id}: {self.theme_title}", level=1)

    def weighting_note(self):
        """"De percentages, gemiddelden en toetsen ... zijn gewogen naar ... (bron: ...)", or None unweighted."""
        from peo_lib.report.banner_tables import weighting_sentence

        sentence = weighting_sentence(self.weights, what="De percentages, gemiddelden en toetsen in deze "
                                                         "samenvatting zijn")
        return None if sentence is None else _p(sentence, "peo-note")

    def response_overview(self):
        """Respondents per category of each background variable the panel summary shows (the codebook's
        ``breakdowns``, default every categorical one); tabellen.xlsx holds every variable."""
        cb = self.rnd.codebook
        parts = [_p(f"Totaal: {self.rnd.n} respondenten.")]
        ov = self.overview
        for var in cb.summary_variables():
            part = ov[ov["variable"] == var].copy()
            if part.empty:
                continue
            label = cb.background_label(var)
            if var == EXPERIENCE:
                yrs = format_nl(cb.starter_max_years, 0)
                part["category"] = part["category"].map(
                    {"startend": f"Startend (≤ {yrs} jaar)", "ervaren": f"Ervaren (> {yrs} jaar)"}).fillna(
                    part["category"])
            parts.append(Table(part, [("category", label, "text"), ("n", "n", "int"),
                                      ("pct", "%", "pct")], small=self.small,
                               caption=f"Respondenten naar {label.lower()}"))
        short = [cb.background_label(v) for v in cb.summary_variables() if v in ov.attrs["unknown_left_out"]]
        if short:
            parts.append(_p(unknown_left_out_sentence(short, min_n=self.min_n), "peo-note"))
        if ov["suppressed"].any():
            parts.append(_p(f"{self.small}: minder dan {self.min_n} respondenten (of een cel die "
                            "anders uit het totaal terug te rekenen is); deze aantallen worden niet getoond.",
                            "peo-note"))
        return Section(parts)

    @cached_property
    def scales_by_variable(self) -> pd.DataFrame:
        """Scale means per group of every categorical background variable but ``ervaringsgroep`` (which has
        :attr:`scales_by_group`), stacked with a ``variable`` column; suppressed per variable and scale."""
        frames = [scale_means_by_group(self.rnd, by=var, min_n=self.min_n, weights=self.weights).assign(variable=var)
                  for var in self.rnd.codebook.report_variables() if var != EXPERIENCE and var in self.rnd.background]
        frames = [_all_or_nothing(f) if f["variable"].iloc[0] in ALL_OR_NOTHING else f for f in frames if len(f)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["variable", "scale", "label", "group", "n", "n_scored", "mean", "suppressed"])

    def breakdown_scales(self):
        """Per background variable of the panel summary (not ``ervaringsgroep``): the scale means per group."""
        cb = self.rnd.codebook
        tab = self.scales_by_variable
        parts = []
        for var in cb.summary_variables():
            part = tab[tab["variable"] == var] if len(tab) else tab
            if var == EXPERIENCE or part.empty:
                continue
            label = cb.background_label(var)
            groups = [g for g in dict.fromkeys(part["group"]) if (part.loc[part["group"] == g, "n"] > 0).any()]
            parts += [Heading(f"Naar {label.lower()}", 3),
                      self._pivot(part[part["group"].isin(groups)], row_col="label", col_col="group",
                                  value_col="mean", kind="mean", row_head="Schaal", cols=groups,
                                  caption=f"Gemiddelde score per schaal, naar {label.lower()}")]
            if var in ALL_OR_NOTHING:
                parts.append(_p(f"Per {label.lower()} staat een schaal er alleen in als elke groep genoeg "
                                "respondenten heeft; anders is de hele rij afgeschermd.", "peo-note"))
        if not parts:
            return _p("Geen schalen of geen andere achtergrondkenmerken in deze ronde.", "peo-note")
        parts.append(_p(f"{self.small}: minder dan {self.min_n} respondenten met een score in een groep (of een "
                        "groep die anders uit het totaal terug te rekenen is). Groepen zonder respondenten "
                        "staan er niet in.", "peo-note"))
        return Section(parts)

    def scale_overview(self):
        """Table of scales: mean and its 95% interval (the reliability is in :meth:`appendix`)."""
        sc = self.scales.copy()
        sc["margin"] = [self.small if r["suppressed"] else f"{format_nl(r['ci_low'])} tot {format_nl(r['ci_high'])}"
                        for r in sc.to_dict("records")]
        cols = [("label", "Schaal", "text"), ("k", "Stellingen", "int"), ("n_scored", "n", "int"),
                ("mean", "Gemiddelde", "mean"), ("margin", "Marge (95%-BI)", "text")]
        table = Table(sc, cols, small=self.small, row_small_cols={"n_scored", "mean"},
                      caption="Gemiddelde score per schaal (alle respondenten)")
        note = _p(f"{self._scale_range_sentence()} De marge geeft aan waar het gemiddelde van alle "
                  f"{self.rnd.codebook.survey.respondents} waarschijnlijk ligt. Hoe betrouwbaar elke schaal is, staat "
                  "in de Verantwoording.", "peo-note")
        return Section([table, note])

    def _scale_range_sentence(self) -> str:
        """"Schaalscores lopen van 1 (helemaal oneens) tot 5 (helemaal eens)", from each scale's own codes and
        labels (:func:`peo_lib.sentences.scale_range_sentence`)."""
        cb = self.rnd.codebook
        ranges = {}
        for sc in cb.scales.values():
            rs = cb.response_set_of(sc.items[0])
            ranges.setdefault((rs.min, rs.max, *rs.end_labels()), []).append(sc.label)
        return scale_range_sentence([(*k, v) for k, v in ranges.items()],
                                    reversed_items=any(sc.reverse for sc in cb.scales.values()))

    def scale_figure(self):
        """Means with 95% CI per scale, starters and experienced side by side."""
        from peo_lib.report.plots import mean_ci_alt, mean_ci_chart

        sg = self.scales_by_group
        # a group nobody is in (no years of experience asked) is left out, not drawn as "n<5"
        answered = sg[sg["suppressed"].astype(bool) | sg["mean"].notna()]
        present = [g for g in GROUP_LABELS if g in set(answered["group"])]
        data = sg[sg["group"].isin(present)].assign(group=lambda d: d["group"].map(GROUP_LABELS))
        overall = self.scales.assign(group=ALL_RESPONDENTS)
        both = pd.concat([overall[["label", "group", "mean", "ci_low", "ci_high", "suppressed"]],
                          data[["label", "group", "mean", "ci_low", "ci_high", "suppressed"]]],
                         ignore_index=True)
        lo, hi = self._scale_range()
        groups = [ALL_RESPONDENTS, *[GROUP_LABELS[g] for g in present]]
        title = "Schaalgemiddelden met 95%-betrouwbaarheidsinterval"
        fig = mean_ci_chart(both, group_col="group", groups=groups, small_label=self.small, scale_min=lo,
                            scale_max=hi, title=title)
        return self._figure("schalen", fig, alt=mean_ci_alt(both, title=title, group_col="group", groups=groups,
                                                            small_label=self.small, scale_min=lo, scale_max=hi))

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
        from peo_lib.report.plots import likert_alt, likert_chart

        out = []
        for g in likert_groups(self.rnd, blocks=None if block is None else [block]):
            if not g["chart"]:
                continue
            wide, cats, miss = _likert_wide(self.distributions, self.rnd, g["items"])
            name = "likert_" + g["block"] + ("" if g["response_set"] == "eens5" else "_" + g["response_set"]) + \
                ("" if g["grid"] is None else "_" + g["grid"])
            title = g["title"] or (("Kernvragen" if g["block"] == "kern" else f"Thema: {self.theme_title}") +
                                   ": verdeling van de antwoorden")
            low, _, high = answer_group_phrases(cats)
            fig = likert_chart(wide, categories=cats, missing_categories=miss, small_label=self.small,
                               title=title, axis_label=chart_axis_phrase(low, high))
            out.append(self._figure(name, fig, alt=likert_alt(wide, categories=cats, title=title,
                                                              small_label=self.small)))
            out.append(self._likert_numbers(g["items"], title))
        return out

    def _likert_numbers(self, items, title) -> Details:
        """The numbers of a Likert chart, in a table a reader can open right below it."""
        low, mid, high = answer_group_phrases(self._labels(items[0]))
        part = self.shares[self.shares["item"].isin(items)] if len(self.shares) else self.shares
        cols = [("text", "Stelling", "text"), ("base", "n", "int"), ("pct_low", f"% {low}", "pct")]
        cols += [("pct_mid", f"% {mid}", "pct")] if mid else []
        return Details("Cijfers bij de figuur", [Table(part, cols + [("pct_high", f"% {high}", "pct")],
                                                        small=self.small, caption=f"{title} (in cijfers)")])

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
                                      small=self.small, caption=f"Overige vragen ({block}): gemiddelde"))
        return out

    def multiple_response_section(self):
        """"Tick all that apply" questions (:func:`~peo_lib.report.tables.multiple_response_section`)."""
        from peo_lib.report.tables import multiple_response_section

        return multiple_response_section(self.multiple, min_n=self.min_n)

    def comparison_tables(self):
        """Starters vs experienced: every scale and statement with its means and whether they differ clearly.

        A sentence for each clear difference and one sentence for all the others; the tests are in
        :meth:`appendix` (and in tabellen.xlsx).
        """
        cmp = self.comparison
        if cmp.empty:
            return _p("Ervaringsjaren zijn in deze ronde niet gevraagd: geen vergelijking mogelijk.")
        parts = self._verdict_parts(
            cmp, heads=("Schalen", "Stellingen"), means=[("mean1", "Gem. startend"), ("mean2", "Gem. ervaren")],
            verdict="Duidelijk verschil?", caption="{}: gemiddelde van startende en ervaren professionals",
            sentence=plain_group_sentence,
            others=lambda n, kind, clear: others_not_different_sentence(n, kind, any_shown=clear))
        parts.append(_p("Verschil = startend min ervaren, berekend uit de getoonde (afgeronde) gemiddelden. "
                        "Duidelijk verschil: een verschil dat geen toeval lijkt; hoe dat getoetst is, staat in de "
                        f"Verantwoording. {self.small}: te weinig respondenten in een groep.", "peo-note"))
        from peo_lib.report.banner_tables import weighting_sentence

        if (weighted := weighting_sentence(self.weights, what="De gemiddelden en toetsen in dit deel zijn")):
            parts.append(_p(weighted, "peo-note"))
        return Section(parts)

    def _verdict_parts(self, table, *, heads, means, verdict, caption, sentence, others) -> list:
        """Per kind (scales, statements): a heading, the verdict table, a sentence per clear row and one
        sentence for all other shown rows."""
        parts = []
        for kind, head in zip(("scale", "item"), heads):
            part = table[table["kind"] == kind]
            if part.empty:
                continue
            parts += [Heading(head, 3), self._verdict_table(part, first="Schaal" if kind == "scale" else "Stelling",
                                                            means=means, verdict=verdict, caption=caption.format(head))]
            recs = part.to_dict("records")
            clear = [r for r in recs if _clear(r)]
            if clear:
                parts.append(_sentences(sentence(r, **self._span(r)) for r in clear))
            rest = sum(1 for r in recs if not r["suppressed"] and not _clear(r))
            if rest:
                parts.append(_p(others(rest, kind, bool(clear))))
        return parts

    def _verdict_table(self, part, *, first, means, verdict, caption, diff=("mean1", "mean2")) -> Table:
        """Label, two means, their shown difference (``diff``: a minus b) and the verdict ("ja"/"nee")."""
        a, b = diff
        t = part.copy()
        t["shown_diff"] = [np.nan if r["suppressed"] else shown_difference(r[a], r[b]) for r in t.to_dict("records")]
        t["verdict"] = [_verdict(r, self.small) for r in t.to_dict("records")]
        cols = [("label", first, "text"), *[(c, h, "mean") for c, h in means], ("shown_diff", "Verschil", "diff"),
                ("verdict", verdict, "text")]
        return Table(t, cols, small=self.small, row_small_cols={a, b, "shown_diff"}, caption=caption)

    def theme_section(self):
        """The theme block: its chart, and per response set the means and the share of the top two answers."""
        th = self.theme
        cb = self.rnd.codebook
        if th.empty:
            return _p("Deze ronde heeft geen themavragen.")
        out = Section([_p(f"Het thema van deze ronde is ‘{self.theme_title}’. De stellingen:"),
                       *self._block_body(cb.theme)])
        sets = {}
        for item in th["item"]:
            sets.setdefault(cb.items[item].response_set, []).append(item)
        for rs, ids in sets.items():
            if len(cb.response_sets[rs].values) > 9:
                continue  # a 0-10 grade: its mean is in the table of other questions
            top = top2_phrase(self._labels(ids[0]))
            part = th[th["item"].isin(ids)]
            out.add(Table(part, [("text", "Stelling" if top == "(helemaal) eens" else "Vraag", "text"),
                                 ("n_valid", "n", "int"), ("mean", "Gemiddelde", "mean"),
                                 ("top2_pct", f"% {top}", "pct")], small=self.small,
                          caption=f"Thema {self.theme_title}: gemiddelde en % {top}"))
        theme_items_ = set(cb.items_in_block(cb.theme))
        scales = self.scales[self.scales["scale"].map(
            lambda s: all(i in theme_items_ for i in cb.scales[s].items))]
        if len(scales):
            out.add(_p("Themaschaal: " + "; ".join(
                f"{r['label']}: gemiddeld {format_nl(r['mean'])} (marge {format_nl(r['ci_low'])} tot "
                f"{format_nl(r['ci_high'])})" if not r["suppressed"]
                else f"{r['label']}: {self.small}" for r in scales.to_dict("records")) + "."))
        return out

    def change_section(self):
        """Core scales and statements against the previous round: the means and whether they changed clearly."""
        if self.previous is None:
            return _p(self.previous_note or "Er is geen eerdere ronde om mee te vergelijken.", "peo-note")
        ch = self.change
        if ch is None or ch.empty:
            return _p(f"Geen kernvragen die in ronde {self.previous.id} op dezelfde manier gesteld zijn.",
                      "peo-note")
        r0, r1 = self.previous.id, self.rnd.id
        parts = [_p(f"Vergeleken met ronde {r0} ({self.previous.n} respondenten). Alleen vragen die in beide "
                    "rondes hetzelfde gesteld zijn."),
                 *self._verdict_parts(
                     ch, heads=("Schalen", "Kernstellingen"), means=[("mean2", f"Gem. {r0}"), ("mean1", f"Gem. {r1}")],
                     verdict="Duidelijk veranderd?", caption="{}: gemiddelde in " + f"{r0} en in {r1}",
                     sentence=plain_change_sentence,
                     others=lambda n, kind, clear: others_no_change_sentence(n, kind, previous=r0, any_shown=clear))]
        parts.append(_p(f"Verschil = {r1} min {r0}, berekend uit de getoonde (afgeronde) gemiddelden. Duidelijk "
                        "veranderd: een verschil dat geen toeval lijkt (zie de Verantwoording).", "peo-note"))
        if ch.attrs.get("weighted"):
            parts.append(_p(change_weighting_sentence(previous=r0, previous_weighted=ch.attrs["previous_weighted"]),
                            "peo-note"))
        return Section(parts)

    def open_themes(self):
        """The themes of the open answers per question, counted per group (:mod:`peo_lib.report.open_themes`)."""
        from peo_lib.report.open_themes import round_report_section

        return round_report_section(self)

    def open_answers_appendix(self):
        """"Bijlage: alle open antwoorden": every scrubbed answer, alphabetical and deduplicated."""
        from peo_lib.report.open_themes import open_answers_appendix

        return open_answers_appendix(self.answers, self.rnd.codebook)

    @cached_property
    def population_weights(self):
        """The round's raking weights when ``populatie.yml`` covers it, else None
        (:func:`peo_lib.stats.weighting.round_weights`: the one rule for "weighted")."""
        from peo_lib.paths import data_dir_of
        from peo_lib.stats.weighting import round_weights

        return round_weights(self.rnd, data_dir=data_dir_of(self.rnd))

    @property
    def weights(self):
        """The weights every figure of this report uses (full and audience summaries alike): the
        round's :attr:`population_weights`, or None when the round is not weighted."""
        return self.population_weights

    def banners(self):
        """"Kruistabellen": per block every statement against the background variables, column
        percentages with significance letters (:mod:`peo_lib.report.banner_tables`); full summary only."""
        from peo_lib.report.banner_tables import banner_section_of, weighting_sentence

        return banner_section_of(self.banner_tables, min_n=self.min_n, weighting=weighting_sentence(self.weights))

    @cached_property
    def banner_tables(self) -> dict:
        """Sheet title -> wide banner per block (:func:`~peo_lib.report.banner_tables.banner_sheets`),
        computed once for the appendix and the xlsx."""
        from peo_lib.report.banner_tables import banner_sheets

        return banner_sheets(self.rnd, weights=self.weights, min_n=self.min_n)

    def excel_extra(self, wb) -> list:
        """Sheets that :func:`~peo_lib.report.excel.write_tables` cannot lay out (the banners, two header
        rows and letters): ``[(title, note), ...]`` for the Toelichting."""
        from peo_lib.report.banner_tables import banner_legend, write_banner_sheets

        titles = write_banner_sheets(wb, self.rnd, weights=self.weights, min_n=self.min_n, sheets=self.banner_tables)
        legend = banner_legend(weighted=self.weights is not None, min_n=self.min_n)
        return [(t, "Kruistabel: elke stelling van het blok tegen de achtergrondkenmerken. " + legend) for t in titles]

    def appendix(self):
        """"Verantwoording": what each statistic means, the reliability and the tests (:mod:`peo_lib.report.appendix`)."""
        from peo_lib.report.appendix import round_appendix

        return round_appendix(self)

    def start_handout(self) -> None:
        """Start printing the handout in the background (chromium, about 1.5 s) while the rest of the
        report is made; :meth:`save_handout` collects it. Shows nothing."""
        from peo_lib.report.handout import HANDOUT_PDF, handout_html, start_pdf

        if self.out_dir is None or self.audience is not None or self._handout_job is not None:
            return None
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._handout_job = start_pdf(handout_html(self), self.out_dir / HANDOUT_PDF)
        return None

    def save_handout(self):
        """Write the 2-page A4 handout ``samenvatting.pdf`` to ``out_dir`` (:mod:`peo_lib.report.handout`);
        the full summary only. Shows a line pointing to it, or nothing when no PDF could be made."""
        if self.out_dir is None or self.audience is not None:
            return None
        self.start_handout()  # at once, unless an earlier cell started it
        job, self._handout_job = self._handout_job, None
        path = job.wait()
        return None if path is None else _p(f"Deze samenvatting op twee A4-pagina's: {path.name}.", "peo-note")

    def excel_sheets(self) -> dict:
        """Sheet name -> :class:`~peo_lib.report.excel.Sheet` (Dutch headers, suppressed cells empty)."""
        from peo_lib.report.excel import round_sheets

        return round_sheets(self)

    @property
    def excel_about(self) -> str:
        from peo_lib.report.banner_tables import weighting_sentence

        about = f"Tabellen van {self.rnd.codebook.survey.short} ronde {self.rnd.id} ({self.theme_title})."
        weighted = weighting_sentence(self.weights, what="De percentages, gemiddelden en toetsen zijn")
        return f"{about} {weighted}" if weighted else about

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
    from peo_lib.stats.distributions import read_distributions, write_distributions

    if out_dir is not None:  # a report build keeps the round's value counts for later comparisons
        write_distributions(rnd, data_dir=data_dir)
    prev, note = None, None
    prev_id = previous_round_id(round_id, data_dir=data_dir)
    if prev_id is not None:
        try:
            prev = load_round(codebook_path(prev_id, data_dir), raw_dir(data_dir))
        except PEOError as exc:
            import warnings

            from peo_lib.data.codebook import read_codebook

            # without its raw file the previous round is compared from its stored value counts (same numbers)
            try:
                prev = read_distributions(prev_id, codebook=read_codebook(codebook_path(prev_id, data_dir)),
                                          data_dir=data_dir)
                warnings.warn(f"previous round {prev_id} could not be loaded ({exc}); compared from its stored "
                              f"distributions instead", stacklevel=2)
            except PEOError as stored_exc:  # the reader gets Dutch without paths; the notebook's log keeps why
                warnings.warn(f"previous round {prev_id} could not be loaded, so no comparison: {exc}; "
                              f"nor its stored distributions: {stored_exc}", stacklevel=2)
                note = (f"De vergelijking met de vorige ronde ({prev_id}) is in deze samenvatting niet beschikbaar: "
                        "de gegevens van die ronde konden niet worden gelezen.")
        else:
            if out_dir is not None:
                write_distributions(prev, data_dir=data_dir)
    return RoundReport(rnd, out_dir=out_dir, min_n=min_n, audience=audience, previous=prev,
                       previous_note=note, cache_dir=cache_dir, demo=is_demo(data_dir))
