"""The trend report: every round together, privacy applied, published like a round report.

Two halves, as :mod:`peo_lib.report.round` + :mod:`peo_lib.publish.runner` for one round:

* Tables and sections (:func:`build_trends_report` -> :class:`TrendsReport`),
  called one line per section by ``notebooks/trends.ipynb``. Statistics come
  from :mod:`peo_lib.stats.trends` and :mod:`peo_lib.data.register`; this module applies
  disclosure control (:mod:`peo_lib.privacy.disclosure`) and presents in Dutch. The tidy
  functions (``raw_trend_table``, ``group_trend_table``,
  ``adjusted_trend_table``, ``changes_table``, ``actions_table``) return
  unrounded numbers with a boolean ``suppressed`` column (statistics NaN
  where hidden): tests compare those with the library's own numbers.
* Publishing (:func:`run_trends_report`): papermill runs the notebook in
  this interpreter's kernel, nbconvert exports code-free offline HTML with
  the round report's template, and ``OUT/trends`` is swapped in atomically
  (all from :mod:`peo_lib.publish.runner`).

Outputs, in ``OUT/trends/``::

    trends.ipynb   the executed notebook (with code, for researchers)
    trends.html    Dutch, no code, no prompts, images embedded, no URL
    tabellen.xlsx  every table of the report, suppressed (n<5)
    figuren/*.png  one trend figure per core scale (same bytes as in the HTML)

Decisions where the contract is silent
--------------------------------------
* Core scales: the scales made only of ``kern`` items
  (:func:`peo_lib.stats.trends.comparability`, ``core_only=True``), in codebook order.
* ``min_n``: the strictest ``privacy.min_n`` of all rounds (one threshold for
  the whole report).
* Suppression: a round's mean (raw or adjusted) on fewer than ``min_n``
  respondents is hidden; per-group points (startend/ervaren) are protected
  per round with :func:`peo_lib.privacy.disclosure.suppress_groups` (``total=True``:
  the round's overall mean is shown, so the other group is hidden too). A
  change between two rounds is hidden when either mean is; an action's
  before/after value when it rests on fewer than ``min_n`` answers.
* Data folder default: the repository's ``data/`` when it holds codebooks,
  otherwise the demo rounds (``data/demo``, generated when missing), so the
  notebook's defaults run as is. The register is ``DATA_DIR/verbeteracties.yml``;
  without it the report says there are no actions.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from peo_lib.errors import ReportError
from peo_lib.formatting import MISSING_TEXT, format_nl
from peo_lib.report.excel import SavesTables
from peo_lib.report.plots import figure_block
from peo_lib.report.provenance_line import LOCK_FILE, git_commit, lock_sha256
from peo_lib.report.structure import Bullets, Heading, Paragraph, Section, Table
from peo_lib.sentences import (DEMO_NOTICE, shown_difference, starter_phrase, survey_phrase, trend_step_sentence,
                                trends_intro)
from peo_lib.vocab import GROUP_LABELS, REGISTER_FILE, TRENDS_DIR

__all__ = [
    "TrendsReport",
    "build_trends_report",
    "core_scales",
    "report_min_n",
    "raw_trend_table",
    "group_trend_table",
    "adjusted_trend_table",
    "changes_table",
    "actions_table",
    "comparability_table",
    "trends_provenance",
    "REGISTER_FILE",
    "TRENDS_DIR",
]

_GROUPS = GROUP_LABELS
_STATS = ["n", "mean", "sd", "se", "ci_low", "ci_high"]


# ----------------------------------------------------------------------
# tidy tables (suppressed)
# ----------------------------------------------------------------------

def core_scales(rounds) -> list[str]:
    """Ids of the core scales (only ``kern`` items) in any of the rounds, in codebook order."""
    from peo_lib.stats.trends import comparability

    comp = comparability(rounds, core_only=True)
    return list(comp.loc[comp["kind"] == "scale", "id"])


def report_min_n(rounds) -> int:
    """The strictest ``privacy.min_n`` of the rounds."""
    return max(int(r.codebook.privacy.min_n) for r in dict(rounds).values())


def raw_trend_table(rounds, *, scale, min_n, weights=None) -> pd.DataFrame:
    """:func:`peo_lib.stats.trends.scale_trend`, rounds with fewer than ``min_n`` scores hidden
    (``weights``: ``{round id: weights or None}``; counts stay unweighted, so does suppression)."""
    from peo_lib.privacy.disclosure import suppress_tidy
    from peo_lib.stats.trends import scale_trend

    t = scale_trend(rounds, scale=scale, weights=weights)
    return suppress_tidy(t, group_cols="round", count_col="n", min_n=min_n, total=False, stat_cols=_STATS)


def group_trend_table(rounds, *, scale, min_n, by="ervaringsgroep", weights=None) -> pd.DataFrame:
    """``scale_trend(by=...)`` with small groups (and a complement) hidden per round.

    :func:`peo_lib.privacy.disclosure.suppress_groups` per round with ``total=True``:
    the round's overall mean and n are published, so one small group alone
    would be given back by the other.
    """
    from peo_lib.privacy.disclosure import suppress_groups
    from peo_lib.stats.trends import scale_trend

    t = scale_trend(rounds, scale=scale, by=by, weights=weights)
    t[by] = t[by].astype(str)
    return suppress_groups(t, group_col=by, n_col="n", min_n=min_n, total=True, by="round", stat_cols=_STATS)


def adjusted_trend_table(rounds, *, scale, min_n, covariates=("ervaringsgroep", "functie"),
                         weights=None) -> pd.DataFrame:
    """:func:`peo_lib.stats.trends.adjusted_trend`, rounds with fewer than ``min_n`` in the model hidden.

    Empty (with the columns) when no covariate is usable.
    """
    from peo_lib.privacy.disclosure import suppress_tidy
    from peo_lib.stats.trends import adjusted_trend

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            t = adjusted_trend(rounds, scale=scale, covariates=covariates, weights=weights)
    except ValueError:
        return pd.DataFrame(columns=["round", "n", "raw_mean", "mean", "se", "ci_low", "ci_high", "series",
                                     "suppressed"])
    out = suppress_tidy(t, group_cols="round", count_col="n", min_n=min_n, total=False,
                        stat_cols=["n", "raw_mean", "mean", "se", "ci_low", "ci_high"])
    out.attrs.update(t.attrs)
    return out


def changes_table(rounds, *, scale, min_n, covariates=("ervaringsgroep", "functie"), alpha=0.05,
                  weights=None) -> pd.DataFrame:
    """Consecutive rounds compared, raw (Welch) and composition-adjusted, each with BH control.

    Returns
    -------
    DataFrame
        :func:`peo_lib.stats.trends.consecutive_changes` (``method="welch"``)
        columns, plus ``adj_diff``, ``adj_ci_low``, ``adj_ci_high``,
        ``adj_p_adjusted``, ``adj_significant`` (``method="adjusted"``) and
        ``suppressed`` (a round of the pair has fewer than ``min_n`` scores:
        every statistic NaN). The BH correction is the library's, over all
        comparable pairs of the scale.
    """
    from peo_lib.stats.trends import consecutive_changes, scale_trend

    ch = consecutive_changes(rounds, scale=scale, method="welch", alpha=alpha, weights=weights)
    adj_cols = {"diff": "adj_diff", "ci_low": "adj_ci_low", "ci_high": "adj_ci_high",
                "p_adjusted": "adj_p_adjusted", "significant": "adj_significant"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            adj = consecutive_changes(rounds, scale=scale, method="adjusted", covariates=covariates, alpha=alpha,
                                      weights=weights)
        ch = ch.merge(adj[["previous", "current", *adj_cols]].rename(columns=adj_cols), on=["previous", "current"],
                      how="left")
    except ValueError:
        for c in adj_cols.values():
            ch[c] = np.nan
    raw = scale_trend(rounds, scale=scale, weights=weights)
    n = dict(zip(raw["round"], raw["n"]))
    small = [(n.get(a, 0) < min_n) or (n.get(b, 0) < min_n) for a, b in zip(ch["previous"], ch["current"])]
    ch["suppressed"] = np.array(small, dtype=bool)
    stats = ["mean_previous", "mean_current", "diff", "ci_low", "ci_high", "t", "df", "p", "p_adjusted",
             "adj_diff", "adj_ci_low", "adj_ci_high", "adj_p_adjusted"]
    for c in stats:
        ch[c] = ch[c].astype(float).where(~ch["suppressed"])
    for c in ("significant", "adj_significant"):
        ch[c] = ch[c].fillna(False).astype(bool) & ~ch["suppressed"]
    return ch


def actions_table(rounds, register, *, min_n, weights=None) -> pd.DataFrame:
    """:func:`peo_lib.data.register.actions_before_after`, values on fewer than ``min_n`` answers hidden.

    A hidden side hides the change too; ``suppressed`` is True when any value
    of the row was hidden. Counts of visible sides are at least ``min_n``.
    """
    from peo_lib.data.register import actions_before_after

    t = actions_before_after(rounds, register, weights=weights)
    hide_b = t["n_before"].notna() & (t["n_before"] < min_n)
    hide_a = t["n_after"].notna() & (t["n_after"] < min_n)
    t["n_before"] = t["n_before"].astype(float).where(~hide_b)
    t["before"] = t["before"].astype(float).where(~hide_b)
    t["n_after"] = t["n_after"].astype(float).where(~hide_a)
    t["after"] = t["after"].astype(float).where(~hide_a)
    for c in ("diff", "ci_low", "ci_high", "p"):
        t[c] = t[c].astype(float).where(~(hide_a | hide_b))
    t["suppressed"] = (hide_a | hide_b).to_numpy(dtype=bool)
    return t


def comparability_table(rounds) -> pd.DataFrame:
    """:func:`peo_lib.stats.trends.comparability` of the core items and scales (no counts: nothing to hide)."""
    from peo_lib.stats.trends import comparability

    return comparability(rounds, core_only=True)


# ----------------------------------------------------------------------
# provenance
# ----------------------------------------------------------------------

def trends_provenance(rounds, *, register=None, now=None) -> dict:
    """Where the trend report comes from: each round's codebook and raw SHA-256, register, version, lock file,
    commit, time."""
    from peo_lib import __version__
    from peo_lib.data.codebook import codebook_hash

    now = now or datetime.now().astimezone()
    return {
        "rondes": [{"ronde": rid, "codeboek_sha256": codebook_hash(r.codebook),
                    "ruwe_data_sha256": r.raw_sha256 or "onbekend"} for rid, r in dict(rounds).items()],
        "verbeteracties_sha256": (register.sha256 if register is not None and register.sha256 else None),
        "peo_lib": __version__,
        "lockbestand_sha256": lock_sha256(),
        "git_commit": git_commit(),
        "tijd": now.strftime("%Y-%m-%d %H:%M:%S %z").strip(),
    }


def _provenance_text(prov: dict) -> str:
    rounds = "; ".join(f"ronde {r['ronde']} (codeboek SHA-256 {r['codeboek_sha256']}, ruwe data SHA-256 "
                       f"{r['ruwe_data_sha256']})" for r in prov["rondes"])
    reg = (f" · {REGISTER_FILE} SHA-256 {prov['verbeteracties_sha256']}" if prov.get("verbeteracties_sha256")
           else f" · geen {REGISTER_FILE}")
    return (f"Herkomst: {rounds}{reg} · peo_lib {prov['peo_lib']} · "
            f"{LOCK_FILE} SHA-256 {prov.get('lockbestand_sha256', 'onbekend')} · git commit {prov['git_commit']} · "
            f"gemaakt {prov['tijd']}")


# ----------------------------------------------------------------------
# the report object
# ----------------------------------------------------------------------

def _ci_text(lo, hi, small) -> str:
    if lo is None or hi is None or np.isnan(lo) or np.isnan(hi):
        return MISSING_TEXT
    return f"{format_nl(lo)} tot {format_nl(hi)}"


class TrendsReport(SavesTables):
    """Tables, figures and texts of the trend report (see :func:`build_trends_report`).

    Section methods return display objects (or display several); the tidy
    tables are cached per scale in :meth:`tables`.
    """

    def __init__(self, rounds: dict, *, register=None, register_note=None, out_dir=None, min_n=None,
                 demo=False, weights=None):
        from peo_lib.privacy.disclosure import label_small

        if not rounds:
            raise ReportError("the trend report needs at least one round")
        self.rounds = dict(rounds)
        self.demo = bool(demo)
        #: {round id: weights or None} (populatie.yml); None or all None: an unweighted report
        self.weights = weights if weights and any(w is not None for w in weights.values()) else None
        self.register = register
        self.register_note = register_note
        self.out_dir = None if out_dir is None else Path(out_dir)
        base = report_min_n(self.rounds)
        self.min_n = base if min_n is None else max(base, int(min_n))
        self.small = label_small(self.min_n)
        self.figures: dict[str, Path] = {}
        self._tables: dict[str, dict] = {}
        self._stacks: dict = {}  # the rounds stacked once for every table (stats.series.reuse_stacks)

    # -- data -------------------------------------------------------------
    @property
    def round_ids(self) -> list[str]:
        return list(self.rounds)

    @cached_property
    def scales(self) -> list[str]:
        return core_scales(self.rounds)

    @cached_property
    def comparability(self) -> pd.DataFrame:
        return comparability_table(self.rounds)

    @cached_property
    def actions(self) -> pd.DataFrame:
        if self.register is None or not len(self.register):
            return actions_table(self.rounds, _empty_register(), min_n=self.min_n)
        return actions_table(self.rounds, self.register, min_n=self.min_n, weights=self.weights)

    @cached_property
    def prov(self) -> dict:
        return trends_provenance(self.rounds, register=self.register)

    def label(self, scale) -> str:
        for r in reversed(list(self.rounds.values())):
            if scale in r.codebook.scales:
                return r.codebook.scales[scale].label
        return scale

    def scale_range(self, scale) -> tuple:
        for r in reversed(list(self.rounds.values())):
            cb = r.codebook
            if scale in cb.scales:
                rs = cb.response_set_of(cb.scales[scale].items[0])
                return rs.min, rs.max
        return 1, 5

    def scale_items(self, scale) -> set:
        return {i for r in self.rounds.values() if scale in r.codebook.scales for i in r.codebook.scales[scale].items}

    def related_actions(self, scale) -> list:
        """Actions whose register entry names the scale or one of its items."""
        if self.register is None:
            return []
        items = self.scale_items(scale)
        return [a for a in self.register.actions if scale in a.schalen or items & set(a.items)]

    def tables(self, scale) -> dict:
        """raw, groups, adjusted, changes and sentence of one scale (computed once).

        The rounds are stacked once per report (:func:`peo_lib.stats.series.reuse_stacks`), not
        once per table and sentence; the numbers are the same.
        """
        from peo_lib.stats.series import reuse_stacks

        if scale not in self._tables:
            with reuse_stacks(self._stacks):
                self._tables[scale] = self._scale_tables(scale)
        return self._tables[scale]

    def _scale_tables(self, scale) -> dict:
        from peo_lib.stats.trends import trend_sentence

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            sentence = trend_sentence(self.rounds, scale=scale, min_n=self.min_n, weights=self.weights)
        kw = dict(scale=scale, min_n=self.min_n, weights=self.weights)
        return dict(
            raw=raw_trend_table(self.rounds, **kw),
            groups=group_trend_table(self.rounds, **kw),
            adjusted=adjusted_trend_table(self.rounds, **kw),
            changes=changes_table(self.rounds, **kw),
            sentence=sentence,
        )

    # -- figures ------------------------------------------------------------
    def _figure(self, name, fig, *, alt):
        block, path = figure_block(fig, name=name, alt=alt,
                                   folder=None if self.out_dir is None else self.out_dir / "figuren")
        if path is not None:
            self.figures[name] = path
        return block

    def scale_figure(self, scale):
        """Trend figure of one scale (raw + adjusted, startend + ervaren, action starts)."""
        from peo_lib.report.trend_plots import trend_chart

        t = self.tables(scale)
        acts = self.related_actions(scale)
        actions = pd.DataFrame([dict(id=a.id + (" (gepland)" if a.status == "gepland" else ""),
                                     ronde_start=a.ronde_start) for a in acts], columns=["id", "ronde_start"])
        lo, hi = self.scale_range(scale)
        fig = trend_chart(t["raw"], adjusted=t["adjusted"] if len(t["adjusted"]) else None, groups=t["groups"],
                          group_labels=_GROUPS, actions=actions, rounds=self.round_ids, small_label=self.small,
                          scale_min=lo, scale_max=hi, title=f"{self.label(scale)}: gemiddelde per ronde")
        from peo_lib.report.trend_plots import trend_alt

        return self._figure(f"trend_{scale}", fig, alt=trend_alt(t["raw"], t["groups"], label=self.label(scale),
                                                                small_label=self.small, scale_min=lo, scale_max=hi))

    # -- sections -------------------------------------------------------------
    def starter_phrase(self) -> str:
        """``hoogstens 2 jaar werkervaring``, or how the limit differs between rounds."""
        limits = {r.codebook.starter_max_years for r in self.rounds.values()}
        if len(limits) == 1:
            return starter_phrase(limits.pop())
        return "werkervaring tot de grens die elke ronde in haar codeboek noemt"

    def intro(self, key):
        """The introduction of a part of the trend report, with the rounds' settings in it."""
        sv = self.rounds[self.round_ids[-1]].codebook.survey
        return Paragraph(trends_intro(key, min_n=self.min_n, small_label=self.small, starters=self.starter_phrase(),
                                      survey=survey_phrase(sv.name, sv.population),
                                      scales=[self.label(s) for s in self.scales]))

    def weighting_sentence(self) -> str:
        """How the report is weighted (None-safe only for a weighted report)."""
        from peo_lib.report.banner_tables import margin_labels
        from peo_lib.sentences import trends_weighting_sentence, without_weight_sentence
        from peo_lib.stats.weighting import weighting_summary

        done = [rid for rid in self.round_ids if self.weights.get(rid) is not None]
        sources, unknown, without = [], [], 0
        for rid in done:
            src = ((self.weights[rid].attrs.get("raking") or {}).get("source") or {}).get("bron")
            sources += [src] if src and src not in sources else []
            unknown += [v for v in margin_labels(self.weights[rid]) if v not in unknown]
            without += int(weighting_summary(self.weights[rid])["n_unweighted"])
        text = trends_weighting_sentence(done, [r for r in self.round_ids if r not in done], sources=sources)
        return text if not without else f"{text} {without_weight_sentence(without, unknown)}"

    def title(self):
        """Heading: the rounds covered and the number of respondents."""
        ids = self.round_ids
        n = sum(r.n for r in self.rounds.values())
        span = ids[0] if len(ids) == 1 else f"{ids[0]} tot en met {ids[-1]}"
        notice = [Paragraph(DEMO_NOTICE, css_class="peo-demo")] if self.demo else []
        short = self.rounds[ids[-1]].codebook.survey.short
        weighting = [Paragraph(self.weighting_sentence(), "note")] if self.weights is not None else []
        return Section([*notice, Paragraph(f"Rondes {span}: {len(ids)} rondes, samen {n} ingevulde vragenlijsten.",
                                           "note"), *weighting],
                       title=f"{short}: trends over de rondes", level=1)

    @cached_property
    def findings(self) -> list:
        """The key findings (:func:`peo_lib.report.findings.trend_findings`), from the suppressed tables."""
        from peo_lib.report.findings import trend_findings

        scales = {s: dict(label=self.label(s), raw=self.tables(s)["raw"], changes=self.tables(s)["changes"],
                          groups=self.tables(s)["groups"]) for s in self.scales}
        return trend_findings(scales, actions=self.actions, round_ids=self.round_ids)

    def key_findings(self):
        """"In het kort": 3-5 findings over the rounds, each with its numbers."""
        return Section([Bullets([f.sentence for f in self.findings], css_class="peo-findings"),
                        Paragraph("Duidelijk = een verschil dat geen toeval lijkt (zie de Verantwoording achteraan).",
                                  "note")])

    def change_section(self):
        """The latest round against the one before, per core scale: the means and whether it changed clearly."""
        ids = self.round_ids
        if len(ids) < 2:
            return Paragraph("Er is nog maar één ronde: geen verandering te tonen.", "note")
        prev, cur = ids[-2], ids[-1]
        rows, clear = [], []
        for s in self.scales:
            ch = self.tables(s)["changes"]
            ch = ch[(ch["previous"] == prev) & (ch["current"] == cur)]
            if ch.empty:
                continue
            r = ch.iloc[0].to_dict()
            hidden = bool(r["suppressed"])
            verdict = (self.small if hidden else "niet vergelijkbaar" if not r["comparable"] else
                       "ja" if r["significant"] else "nee")
            rows.append(dict(label=self.label(s), before=r["mean_previous"], after=r["mean_current"],
                             diff=np.nan if hidden else shown_difference(r["mean_current"], r["mean_previous"]),
                             verdict=verdict, suppressed=hidden))
            if not hidden and r["comparable"] and r["significant"]:
                clear.append(trend_step_sentence(self.label(s), previous=prev, current=cur,
                                                 before=r["mean_previous"], after=r["mean_current"]))
        if not rows:
            return Paragraph(f"Geen kernschalen die in {prev} en {cur} allebei gemeten zijn.", "note")
        table = Table(pd.DataFrame(rows), [("label", "Schaal", "text"), ("before", f"Gem. {prev}", "mean"),
                                           ("after", f"Gem. {cur}", "mean"), ("diff", "Verschil", "diff"),
                                           ("verdict", "Duidelijk veranderd?", "text")], small=self.small,
                      caption=f"Kernschalen: gemiddelde in {prev} en in {cur}")
        others = len(rows) - len(clear)
        text = (Bullets(clear) if clear else None)
        rest = (f"De andere {others} schalen zijn niet duidelijk veranderd." if clear and others else
                f"Geen van de {others} schalen is duidelijk veranderd sinds {prev}." if others else None)
        return Section().add(Paragraph(f"Ronde {cur} vergeleken met ronde {prev}, per kernschaal."), table, text,
                             Paragraph(rest) if rest else None,
                             Paragraph(f"Verschil = {cur} min {prev}, uit de getoonde (afgeronde) gemiddelden.", "note"))

    def appendix(self):
        """"Verantwoording": what the measures mean and the tests of every change (:mod:`peo_lib.report.appendix`)."""
        from peo_lib.report.appendix import trends_appendix

        return trends_appendix(self)

    def response_table(self):
        """Respondents per round (and per experience group), small cells suppressed."""
        from peo_lib.privacy.disclosure import suppress_tidy

        rows = []
        for rid, r in self.rounds.items():
            g = r.background.get("ervaringsgroep")
            counts = g.value_counts() if g is not None else pd.Series(dtype=int)
            rows.append(dict(round=rid, title=r.codebook.title, n=r.n,
                             startend=int(counts.get("startend", 0)), ervaren=int(counts.get("ervaren", 0))))
        t = pd.DataFrame(rows)
        long = t.melt(id_vars=["round"], value_vars=["startend", "ervaren"], var_name="group", value_name="count")
        hidden = suppress_tidy(long, group_cols="group", by="round", count_col="count", min_n=self.min_n, total=True)
        for g in ("startend", "ervaren"):
            part = hidden[hidden["group"] == g].set_index("round")["count"]
            t[g] = t["round"].map(part).astype(float)
        self.response = t
        table = Table(t, [("round", "Ronde", "text"), ("title", "Thema", "text"), ("n", "Respondenten", "int"),
                          ("startend", "Startend", "int"), ("ervaren", "Ervaren", "int")], small=self.small,
                      caption="Respondenten per ronde")
        return Section([table, Paragraph(f"Startend: {self.starter_phrase()}. Wie zijn werkervaring niet invulde, "
                                         "telt alleen mee in het totaal.", "note")])

    def comparability_section(self):
        """Which core items and scales were asked in which round, and where the question changed."""
        comp = self.comparability
        ids = self.round_ids
        rows = []
        for rec in comp.to_dict("records"):
            flags = [w for w, k in (("tekst", "text_changed"), ("antwoordschaal", "response_set_changed"),
                                    ("items", "items_changed")) if rec[k]]
            note = ("gewijzigd: " + ", ".join(flags) + (f" (vanaf {rec['changed_in']})" if rec["changed_in"] else "")
                    if flags or rec["changed_in"] else ("vergelijkbaar" if rec["comparable"] else "niet in elke ronde"))
            rows.append({"id": "Schaal" if rec["kind"] == "scale" else rec["id"], "text": str(rec["text"]),
                         **{f"_r{k}": "✓" if rec[r] else MISSING_TEXT for k, r in enumerate(ids)}, "note": note})
        table = Table(pd.DataFrame(rows), [("id", "Id", "text"), ("text", "Vraag of schaal", "text"),
                                           *[(f"_r{k}", r, "text") for k, r in enumerate(ids)],
                                           ("note", "Vergelijkbaarheid", "text")], small=self.small,
                      caption="Welke kernvragen in welke ronde gesteld zijn")
        changed = comp[comp["changed_in"] != ""]
        note = ("Alle kernvragen zijn in elke ronde met dezelfde tekst en antwoordschaal gesteld."
                if changed.empty and comp["comparable"].all() else
                "Waar een vraag gewijzigd is, wordt de trendlijn onderbroken en wordt niet getoetst.")
        return Section([table, Paragraph(f"✓ = gevraagd in die ronde. {note}", "note")])

    def scale_sections(self):
        """Per core scale: heading, figure, table per round, changes with FDR control, and the sentence."""
        out = Section()
        for scale in self.scales:
            out.add(Heading(self.label(scale), 3, anchor=f"schaal-{scale}"), self.scale_figure(scale),
                    self.round_table(scale), self.changes_section(scale), self.sentence(scale))
        return out

    def round_table(self, scale):
        """Per round: n, raw mean (95% CI), adjusted mean (95% CI), startend and ervaren means."""
        t = self.tables(scale)
        raw = t["raw"].set_index("round")
        adj = t["adjusted"].set_index("round") if len(t["adjusted"]) else None
        grp = t["groups"]
        rows = []
        for rid in raw.index:
            r = raw.loc[rid]
            row = dict(round=rid, n=r["n"], mean=r["mean"],
                       ci=self.small if r["suppressed"] else _ci_text(r["ci_low"], r["ci_high"], self.small))
            if adj is not None and rid in adj.index:
                a = adj.loc[rid]
                row.update(adj_mean=a["mean"],
                           adj_ci=self.small if a["suppressed"] else _ci_text(a["ci_low"], a["ci_high"], self.small))
            else:
                row.update(adj_mean=np.nan, adj_ci=MISSING_TEXT)
            for g in _GROUPS:
                part = grp[(grp["round"] == rid) & (grp["ervaringsgroep"] == g)]
                row[g] = float(part["mean"].iloc[0]) if len(part) else np.nan
            rows.append(row)
        df = pd.DataFrame(rows)
        cols = [("round", "Ronde", "text"), ("n", "n", "int"), ("mean", "Gemiddelde", "mean"),
                ("ci", "95%-BI", "text"), ("adj_mean", "Gecorrigeerd", "mean"), ("adj_ci", "95%-BI", "text"),
                ("startend", "Startend", "mean"), ("ervaren", "Ervaren", "mean")]
        lo, hi = self.scale_range(scale)
        covs = t["adjusted"].attrs.get("covariates", [])
        names = " en ".join(", ".join(covs).rsplit(", ", 1)) if covs else ""
        note = (f"Schaal {lo}-{hi}. Gecorrigeerd = het gemiddelde als elke ronde dezelfde samenstelling naar "
                f"{names} had gehad (alle rondes samen); zo telt een andere samenstelling van de respondenten "
                "niet als verandering." if names else f"Schaal {lo}-{hi}.")
        return Section([Table(df, cols, small=self.small, caption=f"{self.label(scale)}: gemiddelde per ronde"),
                        Paragraph(note, "note")])

    def changes_section(self, scale):
        """Changes between consecutive rounds in plain words: the means and whether each change is clear
        (raw, and after correcting for the composition); the tests are in :meth:`appendix`."""
        ch = self.tables(scale)["changes"].copy()
        if ch.empty:
            return Paragraph("Deze schaal is in minder dan twee rondes gemeten: geen veranderingen te toetsen.",
                             "note")
        ch["pair"] = ch["previous"] + " → " + ch["current"]
        ch["shown_diff"] = [np.nan if s else shown_difference(b, a) for s, a, b in
                            zip(ch["suppressed"], ch["mean_previous"], ch["mean_current"])]
        ch["sig"] = np.where(ch["suppressed"], self.small, np.where(
            ~ch["comparable"], "niet vergelijkbaar", np.where(ch["significant"], "ja", "nee")))
        ch["adj_sig"] = np.where(ch["suppressed"] | ~ch["comparable"] | ch["adj_p_adjusted"].isna(), MISSING_TEXT,
                                 np.where(ch["adj_significant"], "ja", "nee"))
        cols = [("pair", "Rondes", "text"), ("mean_previous", "Gem. eerst", "mean"),
                ("mean_current", "Gem. daarna", "mean"), ("shown_diff", "Verschil", "diff"),
                ("sig", "Duidelijk veranderd?", "text"), ("adj_sig", "Ook na correctie voor samenstelling?", "text")]
        return Section([Table(ch, cols, small=self.small, caption=f"{self.label(scale)}: verandering per ronde",
                              row_small_cols={"mean_previous", "mean_current", "shown_diff"}), Paragraph(
            "Verschil = latere ronde min eerdere, uit de getoonde (afgeronde) gemiddelden. Duidelijk veranderd: een "
            "verschil dat geen toeval lijkt; de toetsen staan in de Verantwoording.", "note")])

    def sentence(self, scale):
        """The plain Dutch paragraph of :func:`peo_lib.stats.trends.trend_sentence`."""
        text = self.tables(scale)["sentence"]
        return Paragraph(text, css_class="peo-trend-sentence", data={"scale": scale})

    def actions_section(self):
        """The improvement actions: register, and related indicators before and after each start."""
        if self.register is None or not len(self.register):
            return Paragraph(self.register_note or f"Er zijn (nog) geen verbeteracties vastgelegd in {REGISTER_FILE}.",
                             "note")
        reg = self.register.to_frame()
        parts = [Table(reg, [("id", "Id", "text"), ("titel", "Verbeteractie", "text"),
                             ("ronde_start", "Vanaf ronde", "text"), ("status", "Status", "text"),
                             ("eigenaar", "Eigenaar", "text")], small=self.small, caption="Register van verbeteracties")]
        t = self.actions.copy()
        t["what"] = np.where(t["measure"] == "mean", "gemiddelde", "% (helemaal) eens")
        t["fmt_before"] = [_value(v, m, self.small, s and np.isnan(v)) for v, m, s in
                           zip(t["before"], t["measure"], t["n_before"].isna() & t["round_before"].notna())]
        t["fmt_after"] = [_value(v, m, self.small, s and np.isnan(v)) for v, m, s in
                          zip(t["after"], t["measure"], t["n_after"].isna() & t["round_after"].notna())]
        t["fmt_diff"] = [_diff(d if d != d else shown_difference(a, b, 1 if m == "mean" else 0), m)
                         for d, a, b, m in zip(t["diff"], t["after"], t["before"], t["measure"])]
        t["ci"] = [_ci_text(a, b, self.small) if m == "mean" else
                   (MISSING_TEXT if np.isnan(a) else f"{format_nl(a, 0)} tot {format_nl(b, 0)}")
                   for a, b, m in zip(t["ci_low"], t["ci_high"], t["measure"])]
        t["rb"] = t["round_before"].fillna(MISSING_TEXT)
        t["ra"] = [r if isinstance(r, str) else ("nog niet (gepland)" if s == "gepland" else MISSING_TEXT)
                   for r, s in zip(t["round_after"], t["status"])]
        for action in self.register.actions:
            part = t[t["id"] == action.id]
            parts.append(Heading(f"{action.id}: {action.titel}", 3))
            if part.empty:
                parts.append(Paragraph("Geen indicatoren aan deze actie gekoppeld.", "note"))
                continue
            parts.append(Table(part, [("label", "Indicator", "text"), ("what", "Maat", "text"),
                                            ("rb", "Ronde voor", "text"), ("fmt_before", "Voor", "text"),
                                            ("ra", "Ronde na", "text"), ("fmt_after", "Na", "text"),
                                            ("fmt_diff", "Verschil", "text"), ("ci", "95%-BI", "text")],
                                     small=self.small, caption=f"{action.id}: indicatoren voor en na de start"))
        parts.append(Paragraph("Voor = de laatste ronde vóór de start van de actie, na = de laatste ronde vanaf de start. "
                        "De vergelijking beschrijft; ze bewijst niet dat een actie werkte, want tussen twee rondes "
                        "verandert ook veel anders. % (helemaal) eens = aandeel van de geldige antwoorden in de "
                        "twee hoogste antwoordcategorieën.", "note"))
        return Section(parts)

    def excel_sheets(self) -> dict:
        """Sheet name -> (table, columns shown as ``n<5`` where ``suppressed``)."""
        def stack(key):
            parts = [self.tables(s)[key].assign(scale=s, label=self.label(s)) for s in self.scales]
            parts = [p for p in parts if len(p)]
            return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["scale", "suppressed"])

        comp = self.comparability.copy()
        sheets = {
            "Vergelijkbaarheid": (comp, []),
            "Trend": (stack("raw"), _STATS),
            "Trend per ervaring": (stack("groups"), _STATS),
            "Gecorrigeerd": (stack("adjusted"), ["n", "raw_mean", "mean", "se", "ci_low", "ci_high"]),
            "Veranderingen": (stack("changes"), ["mean_previous", "mean_current", "diff", "ci_low", "ci_high", "t",
                                                 "df", "p", "p_adjusted", "adj_diff", "adj_ci_low", "adj_ci_high",
                                                 "adj_p_adjusted"]),
            "Verbeteracties": (self.actions, ["n_before", "before", "n_after", "after", "diff", "ci_low", "ci_high",
                                              "p"]),
        }
        prov = self.prov
        rows = [(f"ronde {r['ronde']} {k}", r[k]) for r in prov["rondes"] for k in ("codeboek_sha256",
                                                                                     "ruwe_data_sha256")]
        rows += [("verbeteracties_sha256", prov["verbeteracties_sha256"] or "geen"), ("peo_lib", prov["peo_lib"]),
                 ("lockbestand_sha256", prov.get("lockbestand_sha256", "onbekend")),
                 ("git_commit", prov["git_commit"]), ("tijd", prov["tijd"])]
        sheets["Herkomst"] = (pd.DataFrame(rows, columns=["veld", "waarde"]), [])
        return sheets

    def provenance(self):
        """The provenance line (always the last output of the report)."""
        return Paragraph(_provenance_text(self.prov), css_class="peo-provenance")


def _value(v, measure, small, hidden) -> str:
    if hidden:
        return small
    if v is None or np.isnan(v):
        return MISSING_TEXT
    return format_nl(v, 1) if measure == "mean" else f"{format_nl(v, 0)}%"


def _diff(d, measure) -> str:
    if d is None or np.isnan(d):
        return MISSING_TEXT
    text = format_nl(d, 1 if measure == "mean" else 0)
    text = ("+" + text) if d > 0 and text.strip("0,") else text
    return text if measure == "mean" else f"{text} procentpunt"


def _empty_register():
    from peo_lib.data.register import Register

    return Register(actions=[])


# ----------------------------------------------------------------------
# building
# ----------------------------------------------------------------------

def build_trends_report(*, data_dir=None, out_dir=None, min_n=None) -> TrendsReport:
    """Load every round in ``DATA_DIR/codebooks`` and the register, and prepare the trend report.

    Parameters
    ----------
    data_dir : str or Path, optional
        Holds ``codebooks/``, ``raw/`` and (optionally) ``verbeteracties.yml``
        (default: ``data/`` or ``$PEO_DATA_DIR``; never the demo rounds).
    out_dir : str or Path, optional
        Where ``tabellen.xlsx`` and ``figuren/*.png`` go; None: nothing is written.
    min_n : int, optional
        A threshold above the rounds' ``privacy.min_n``.

    Returns
    -------
    TrendsReport

    Raises
    ------
    CodebookError, RawDataError, RegisterError
        A codebook, raw file or the register is invalid.
    PopulationError, WeightingError
        ``populatie.yml`` is invalid or cannot weight a round it covers (the rounds it covers are
        weighted, each with its own weights; the others count every answer once).
    """
    from peo_lib.data.register import read_register
    from peo_lib.paths import DATA_DIR, codebook_dir, is_demo, raw_dir, require_round_ids
    from peo_lib.data.rounds import load_rounds

    data_dir = Path(data_dir) if data_dir is not None else Path(DATA_DIR)  # never a silent demo fallback
    require_round_ids(data_dir)
    folder = codebook_dir(data_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # wording changes are shown in the comparability table
        rounds = load_rounds(folder, raw_dir(data_dir))
    reg_path = data_dir / REGISTER_FILE
    register, note = None, None
    if reg_path.is_file():
        register = read_register(reg_path, codebooks=[r.codebook for r in rounds.values()])
    else:
        note = f"Er is geen register van verbeteracties ({REGISTER_FILE}) in {data_dir.name}/: geen acties getoond."
    from peo_lib.stats.weighting import round_weights

    weights = {rid: round_weights(r, data_dir=data_dir) for rid, r in rounds.items()}
    return TrendsReport(rounds, register=register, register_note=note, out_dir=out_dir, min_n=min_n,
                        demo=is_demo(data_dir), weights=weights)
