"""The sections of the audience summaries (onderwijs, professionals, aanbieders, gemeenten).

:class:`AudienceSections` is a mixin of :class:`peo_lib.report.round.RoundReport`: the same report
object, the same suppressed tables (:mod:`peo_lib.report.audience_tables`), one method per section
of ``notebooks/ronde.ipynb`` whose cell is tagged with the audience. Plain Dutch in the main text
("duidelijk" verschil); the tests are in the appendix (:mod:`peo_lib.report.appendix`).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from peo_lib.formatting import format_nl
from peo_lib.report.audience_tables import (experience_items, municipal_differences, municipal_item_shares,
                                            municipal_scale_means, organisation_results, room_items,
                                            rules_items, rules_scales, scale_quartiles, scale_score_bins,
                                            statement_shares, _scale_range_of)
from peo_lib.report.structure import Heading, Paragraph, Section, Table
from peo_lib.sentences import (answer_group_phrases, end_label, join_words, missing_phrase, municipal_plain_sentence,
                                plain_group_sentence, shown_difference, starter_phrase, top2_phrase)

__all__ = ["AudienceSections"]

_KINDS = {None: "text", "peo-note": "note", "peo-small": "small"}


def _p(text, cls=None) -> Paragraph:
    return Paragraph(text, _KINDS[cls])


def _sentences(texts, *, ordered=False):
    from peo_lib.report.structure import Bullets

    return Bullets(list(texts), ordered=ordered)


def _clear(rec) -> bool:
    """A shown row whose test is significant (after BH) and whose shown means differ: "duidelijk"."""
    return (not rec["suppressed"] and bool(rec.get("significant"))
            and shown_difference(rec["mean1"], rec["mean2"]) != 0)


class AudienceSections:
    """The audience sections of a round report (mixed into :class:`~peo_lib.report.round.RoundReport`)."""

    # -- audience sections ------------------------------------------------
    def response_by(self, variable):
        """Respondents per category of one background variable (``"organisatie"``, ``"gemeente"``)."""
        part = self.overview[self.overview["variable"] == variable]
        label = self.rnd.codebook.background_label(variable)
        if part.empty:
            return _p(f"De vraag naar {label.lower()} is in deze ronde niet gesteld.")
        out = Section([_p(f"Totaal: {self.rnd.n} respondenten."),
                       Table(part, [("category", label, "text"), ("n", "n", "int"),
                                    ("pct", "%", "pct")], small=self.small,
                             caption=f"Respondenten naar {label.lower()}")])
        if part["suppressed"].any():
            out.add(_p(f"{self.small}: minder dan {self.min_n} respondenten (of een cel die anders uit het "
                      "totaal terug te rekenen is).", "peo-note"))
        return out

    def _pivot(self, table, *, row_col, col_col, value_col, kind, row_head, rows=None, cols=None,
               col_heads=None, caption=None) -> Table:
        """A wide table (rows x columns) of one statistic; hidden cells (NaN) show ``n<5``."""
        rows = list(dict.fromkeys(table[row_col])) if rows is None else rows
        cols = list(dict.fromkeys(table[col_col])) if cols is None else cols
        look = {(r[row_col], r[col_col]): r for r in table.to_dict("records")}
        heads = col_heads or {}
        wide = pd.DataFrame([{"_row": str(r), **{f"_c{k}": (np.nan if (rec := look.get((r, c))) is None
                                                            or rec.get("suppressed") else rec.get(value_col))
                                                 for k, c in enumerate(cols)}} for r in rows])
        columns = [("_row", row_head, "text")] + [(f"_c{k}", str(heads.get(c, c)), kind) for k, c in enumerate(cols)]
        return Table(wide, columns, small=self.small, row_header=True, caption=caption)

    # onderwijs
    @cached_property
    def starter_items(self) -> pd.DataFrame:
        return experience_items(self.rnd, min_n=self.min_n, weights=self.weights)

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
        recs = [r for r in cmp.to_dict("records") if _clear(r)]
        shown_n = int((~cmp["suppressed"]).sum())
        if not recs:
            parts.append(_p(f"Op geen van de {shown_n} schalen en stellingen verschillen startende en ervaren "
                            "professionals duidelijk."))
        else:
            recs.sort(key=lambda r: (r["kind"] != "scale", -abs(r["cohen_d"] if r["kind"] == "scale"
                                                                 else r["rank_biserial"])))
            parts.append(_p(f"Op {len(recs)} van de {shown_n} schalen en stellingen is het verschil duidelijk, "
                            "de grootste verschillen eerst:"))
            parts.append(_sentences(plain_group_sentence(r, **self._span(r))
                                    for r in recs))
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
            top = top2_phrase(self._labels(ids[0]))
            parts.append(Heading(head, 3))
            parts.append(Table(pd.DataFrame(wide), [
                ("text", "Stelling", "text"), ("pct_startend", f"% {top}, startend", "pct"),
                ("pct_ervaren", f"% {top}, ervaren", "pct"), ("mean_startend", "Gem. startend", "mean"),
                ("mean_ervaren", "Gem. ervaren", "mean")], small=self.small,
                caption=f"{head}: wat startende en ervaren professionals antwoordden"))
        tops = dict.fromkeys(top2_phrase(self._labels(i)) for i in ei["item"])
        parts.append(_p(f"% {join_words(tops)} = aandeel van wie de stelling beantwoordde dat een van de twee "
                        "positiefste antwoorden gaf. Of een verschil duidelijk is, staat in de tabellen hierboven.",
                        "peo-note"))
        return Section(parts)

    # professionals
    @cached_property
    def score_bins(self) -> pd.DataFrame:
        return scale_score_bins(self.rnd, min_n=self.min_n, weights=self.weights)

    @cached_property
    def quartiles(self) -> pd.DataFrame:
        return scale_quartiles(self.rnd, min_n=self.min_n, weights=self.weights)

    @cached_property
    def shares(self) -> pd.DataFrame:
        return statement_shares(self.rnd, min_n=self.min_n, weights=self.weights)

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
            lo_label, hi_label = cb.response_set_of(sc.items[0]).end_labels()
            parts.append(Heading(sc.label, 3))
            how = (f"Uw score: het gemiddelde van uw antwoorden ({lo} = {end_label(lo, lo_label)} tot "
                   f"{hi} = {end_label(hi, hi_label)}) "
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
                                     small=self.small, caption=f"{sc.label}: hoe de scores verdeeld zijn"))
        parts.append(_p(f"{self.small}: minder dan {self.min_n} professionals in deze groep, of een groep die "
                        "anders uit het totaal terug te rekenen is.", "peo-note"))
        return Section(parts)

    def mirror_statements(self):
        """Per statement the share in the lower half, the middle and the upper half of its answers, per block
        and response set (an agreement scale says "(helemaal) eens", a frequency item its own words)."""
        sh = self.shares
        cb = self.rnd.codebook
        parts = []
        for block in cb.blocks:
            part = sh[sh["block"] == block] if len(sh) else sh
            if part.empty:
                continue
            head = "Kernvragen" if block == "kern" else f"Thema: {self.theme_title}"
            parts.append(Heading(head, 3))
            sets = {}
            for item in part["item"]:
                sets.setdefault(cb.items[item].response_set, []).append(item)
            for ids in sets.values():
                low, mid, high = answer_group_phrases(self._labels(ids[0]))
                parts.append(Table(part[part["item"].isin(ids)], [
                    ("text", "Stelling", "text"), ("base", "n", "int"), ("pct_low", f"% {low}", "pct"),
                    ("pct_mid", f"% {mid}", "pct"), ("pct_high", f"% {high}", "pct")], small=self.small,
                    caption=f"{head}: % {low}, {mid} en {high}"))
        other = self.other_items
        if len(other):
            parts.append(Heading("Overige vragen", 3))
            parts.append(Table(other, [("text", "Vraag", "text"), ("n_valid", "n", "int"),
                                       ("mean", "Gemiddelde", "mean")], small=self.small,
                               caption="Overige vragen: gemiddelde"))
        parts.append(_p(" ".join(["Percentages van wie de stelling beantwoordde.",
                                  missing_phrase(self.missing_reasons_used)]).strip(), "peo-note"))
        return Section(parts)

    # aanbieders
    @cached_property
    def organisation_scales_table(self) -> pd.DataFrame:
        return organisation_results(self.rnd, what="scales", min_n=self.min_n, weights=self.weights)

    @cached_property
    def organisation_items_table(self) -> pd.DataFrame:
        return organisation_results(self.rnd, what="items", min_n=self.min_n, weights=self.weights)

    def organisation_scales(self):
        """Scale means per organisation (type), only when every organisation is large enough."""
        tab = self.organisation_scales_table
        if tab.attrs.get("reason"):
            return _p(tab.attrs["reason"], "peo-small")
        groups = list(dict.fromkeys(tab["group"]))
        sizes = tab.groupby("group", sort=False)["n"].first()
        table = self._pivot(tab, row_col="label", col_col="group", value_col="mean", kind="mean",
                            row_head="Schaal", cols=groups, caption="Gemiddelde schaalscore per type organisatie",
                            col_heads={g: f"{g} (n = {int(sizes[g])})" for g in groups})
        return Section([table, _p("Gemiddelde schaalscore (1-5) per type organisatie; n = respondenten van dat "
                                  f"type. Elke groep heeft ten minste {self.min_n} respondenten per schaal.",
                                  "peo-note")])

    def organisation_statements(self):
        """Share of the top two answers per statement and organisation (type), per response set ("% (helemaal)
        eens" for agreement statements, the set's own words otherwise); only when every group is large enough."""
        tab = self.organisation_items_table
        if tab.attrs.get("reason"):
            return _p(tab.attrs["reason"], "peo-small")
        groups = list(dict.fromkeys(tab["group"]))
        by_phrase = {}
        for item in dict.fromkeys(tab["item"]):
            by_phrase.setdefault(top2_phrase(self._labels(item)), []).append(item)
        out = Section()
        for top, ids in by_phrase.items():
            what = "Stelling" if top == "(helemaal) eens" else "Vraag"
            out.add(self._pivot(tab[tab["item"].isin(ids)], row_col="text", col_col="group", value_col="top2_pct",
                                kind="pct", row_head=f"{what} (% {top})", cols=groups,
                                caption=f"Aandeel {top} per {what.lower()} en type organisatie"))
        return out

    # gemeenten
    @cached_property
    def municipal_scales_table(self) -> pd.DataFrame:
        return municipal_scale_means(self.rnd, min_n=self.min_n, weights=self.weights)

    @cached_property
    def municipal_rules_table(self) -> pd.DataFrame:
        return municipal_item_shares(self.rnd, min_n=self.min_n, weights=self.weights)

    @cached_property
    def municipal_tests(self) -> pd.DataFrame:
        return municipal_differences(self.rnd, min_n=self.min_n, weights=self.weights,
                                     table=self.municipal_scales_table)

    def rules_section(self):
        """Rules and requirements per gemeente: the rules scales (chart and table) and their statements."""
        from peo_lib.report.plots import mean_ci_alt, mean_ci_chart

        ms = self.municipal_scales_table
        scales = rules_scales(self.rnd)
        if ms.empty or not scales:
            return _p("Geen vragen over regels en eisen of geen gemeente in deze ronde.")
        out = Section()
        for s in scales:
            part = ms[ms["scale"] == s]
            label = part["label"].iloc[0]
            lo, hi = _scale_range_of(self.rnd, s)
            title = f"{label}: gemiddelde per gemeente"
            fig = mean_ci_chart(part, label_col="group", small_label=self.small, scale_min=lo, scale_max=hi,
                                title=title)
            out.add(self._figure(f"gemeenten_{s}", fig, alt=mean_ci_alt(part, title=title, label_col="group",
                                                                       small_label=self.small, scale_min=lo,
                                                                       scale_max=hi, name_hidden=False)))
        items = self.municipal_rules_table
        if len(items):
            ids = list(dict.fromkeys(items["item"]))
            heads = {i: f"Stelling {k}" for k, i in enumerate(ids, start=1)}
            top = top2_phrase(self._labels(ids[0]))
            out.add(_p(f"Aandeel {top} per gemeente (de stellingen staan onder de tabel):"),
                    self._pivot(items, row_col="group", col_col="item", value_col="top2_pct", kind="pct",
                                row_head="Gemeente", cols=ids, col_heads=heads,
                                caption=f"Regels en eisen: % {top} per gemeente"),
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
                            row_head="Gemeente", cols=order, col_heads=labels,
                            caption="Gemiddelde schaalscore per gemeente")
        return Section([table, _sentences(municipal_plain_sentence(r) for r in self.municipal_tests.to_dict("records")),
                        self._municipal_note()])

