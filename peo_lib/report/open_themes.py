"""The themes of the open answers in a round report: counts per group, quotes, trend, xlsx sheets.

:func:`open_themes_section` returns one :class:`~peo_lib.report.structure.Section` with, per open
question that has a code frame (:mod:`peo_lib.data.codeframe`):

* how many professionals answered and how many answers are coded (confirmed by a researcher,
  proposed by the rules only, not coded yet);
* a bar chart of the themes (% of those who answered: everyone, starters, experienced) with its alt text;
* the themes with the number and % of the respondents who answered (parents with their children);
* per breakdown (starters/experienced, functie, ...) the % per group, where a group whose answering
  base is under ``min_n`` is hidden, with its complement
  (:func:`peo_lib.privacy.disclosure.group_size_mask`, the report's one rule for per-group figures);
* one or two scrubbed quotes per theme, only from groups of at least ``min_n_open`` answering
  respondents (:func:`peo_lib.privacy.open_answers.open_answers_for_output`), without respondent ids;
* the trend of each theme's share over the rounds that used the frame ("niet in codeframe" where a
  theme did not exist yet, never 0).

:func:`open_theme_sheets` gives the same tables as ``tabellen.xlsx`` sheets (one per question),
:func:`open_answers_appendix` the alphabetical, deduplicated list of every shown answer, and
:func:`question_coding` the scrubbed answers with their coding store (used by the coding widget and
``peo code``). :func:`round_report_section` and :func:`round_report_sheets` are the hooks of
:class:`~peo_lib.report.round.RoundReport` and ``round_sheets``. Nothing here writes a respondent id;
the per-respondent frames stay in memory.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from peo_lib.data.codeframe import CodeFrame, codeframe_for, fold_text, load_codeframes
from peo_lib.data.coding import CONFIRMED, PROPOSED, UNCODED, CodingStore, coding_path, read_coding
from peo_lib.formatting import format_pct
from peo_lib.paths import data_dir_of
from peo_lib.report.structure import Bullets, Column, Heading, Paragraph, Section, Table
from peo_lib.stats.open_themes import respondent_codes, status_counts, theme_counts, theme_trend
from peo_lib.vocab import ALL_RESPONDENTS, BREAKDOWN_LABELS, BREAKDOWNS, EXPERIENCE, GROUP_LABELS, UNKNOWN_LABEL

__all__ = ["QuestionCoding", "question_coding", "open_themes_section", "open_theme_tables", "open_theme_sheets",
           "open_answers_appendix", "theme_quotes", "theme_chart", "dedupe_answers", "question_section",
           "trend_table", "trend_blocks", "round_report_section", "round_report_sheets"]

NOT_IN_FRAME = "–"
_STATUS_NL = {CONFIRMED: "bevestigd door een onderzoeker", PROPOSED: "alleen voorgesteld door de trefwoorden",
              UNCODED: "nog niet gecodeerd"}




@dataclass
class QuestionCoding:
    """One open question of one round: its scrubbed answers (in memory), code frame and coding store."""

    rnd: object
    question: str
    text: str
    frame: CodeFrame | None
    store: CodingStore
    answers: pd.Series  # scrubbed, indexed by respondent: never written anywhere

    def codes(self, *, rules=True) -> pd.DataFrame:
        return respondent_codes(self.answers, self.store, self.frame, rules=rules)

    def save(self):
        """Write the coding file (new answers with their rule proposals; confirmed entries unchanged)."""
        return self.store.save()


def question_coding(rnd, question, *, data_dir=None, cache_dir=None, scrubber=None, frames=None) -> QuestionCoding:
    """Scrub a question's answers and join them with its code frame and coding file.

    Parameters
    ----------
    rnd : Round
    question : str
        Open-question id of the codebook (``OPEN01``).
    data_dir : str or Path, optional
        Holds ``codeframes/`` and ``codering/`` (default: the round's data dir, :func:`data_dir_of`).
    cache_dir, scrubber : optional
        See :func:`peo_lib.privacy.scrub.scrub_open_answers`.
    frames : list of CodeFrame, optional
        Already loaded frames.

    Returns
    -------
    QuestionCoding
        Its store is synced (new answers added with rule proposals) but not saved.
    """
    from peo_lib._validate import check_argument
    from peo_lib.privacy.scrub import scrub_open_answers

    cb = rnd.codebook
    check_argument("question", list(cb.open_questions), question)
    data_dir = data_dir_of(rnd) if data_dir is None else Path(data_dir)
    frame = codeframe_for(question, rnd.id, data_dir=data_dir, frames=frames)
    store = read_coding(coding_path(rnd.id, question, data_dir=data_dir), round_id=rnd.id, question=question,
                        frame=frame)
    scrubbed = scrub_open_answers(rnd, cache_dir=cache_dir, scrubber=scrubber)[question]
    store.sync(scrubbed, frame=frame)
    return QuestionCoding(rnd, question, cb.open_questions[question].text, frame, store, scrubbed)


# -- tables (suppressed) --------------------------------------------------------------------------

def _group_series(rnd, var):
    s = rnd.background[var]
    order = [str(c) for c in s.cat.categories] if hasattr(s, "cat") else sorted({str(v) for v in s.dropna()})
    return s.astype(object).where(s.notna(), UNKNOWN_LABEL).map(str), order + [UNKNOWN_LABEL]


def _suppress_groups(counts: pd.DataFrame, *, min_n, total) -> pd.DataFrame:
    """Hide groups whose answering base is under ``min_n`` (and their complement where a total is shown)."""
    from peo_lib.privacy.disclosure import group_size_mask

    bases = counts.drop_duplicates("group")[["group", "base"]]
    hidden, _ = group_size_mask(bases["base"].to_numpy(), min_n=min_n, total=total)
    hide = dict(zip(bases["group"], hidden))
    out = counts.copy()
    out["suppressed"] = out["group"].map(hide).astype(bool)
    for c in ("n", "base", "pct"):
        out[c] = out[c].astype(float).where(~out["suppressed"])
    return out


def open_theme_tables(qc: QuestionCoding, *, min_n, breakdowns=BREAKDOWNS, rules=True) -> dict:
    """The suppressed tables of one question: ``overall``, ``status`` and ``by`` (breakdown -> table).

    ``overall`` and each ``by`` table have the columns of
    :func:`peo_lib.stats.open_themes.theme_counts` plus ``suppressed``; in ``by`` tables a hidden group
    has NaN counts. ``status`` has ``status``, ``n``, ``base`` (all respondents; NaN when hidden).
    """
    codes = qc.codes(rules=rules)
    overall = _suppress_groups(theme_counts(codes, qc.frame, qc.rnd.id).assign(group=ALL_RESPONDENTS),
                               min_n=min_n, total=False)
    st = status_counts(codes).assign(group=ALL_RESPONDENTS)
    base = int(codes["answered"].sum())
    st["suppressed"] = base < min_n
    for c in ("n", "base"):
        st[c] = st[c].astype(float).where(~st["suppressed"])
    by = {}
    for var in breakdowns:
        if var not in qc.rnd.background.columns:
            continue
        groups, order = _group_series(qc.rnd, var)
        counts = theme_counts(codes, qc.frame, qc.rnd.id, groups=groups, unknown=UNKNOWN_LABEL)
        if counts.empty:
            continue
        counts["group"] = pd.Categorical(counts["group"], [g for g in order if g in set(counts["group"])])
        counts = counts.sort_values(["group"], kind="stable").assign(group=lambda d: d["group"].astype(str))
        # "Onbekend" (background question skipped) is shown only from min_n on, as in the response
        # overview: as a hidden group it would force a complement (hiding e.g. all starters), while who
        # skipped a background question is no one the panel can point at (dashboard: left out too).
        counts = counts[(counts["group"] != UNKNOWN_LABEL) | (counts["base"] >= min_n)]
        by[var] = _suppress_groups(counts.reset_index(drop=True), min_n=min_n, total=base >= min_n)
    return {"overall": overall, "status": st, "by": by, "base": base}


def theme_quotes(qc: QuestionCoding, *, quote_by=EXPERIENCE, per_theme=2, cache_dir=None, scrubber=None,
                 min_n_open=None, rules=True) -> dict:
    """Theme id -> up to ``per_theme`` (quote, group) pairs, only from groups of at least ``min_n_open``.

    Quotes come from :func:`~peo_lib.privacy.open_answers.open_answers_for_output` grouped by
    ``quote_by`` (so only answers of groups with at least ``min_n_open`` answering respondents can
    be quoted); confirmed codings are preferred over rule proposals (``rules=False``: confirmed only),
    then answers without a privacy tag and of moderate length, one text per theme and groups mixed.
    """
    from peo_lib.privacy.open_answers import open_answers_for_output

    shown = open_answers_for_output(qc.rnd, by=quote_by, cache_dir=cache_dir, scrubber=scrubber,
                                    min_n_open=min_n_open)
    shown = shown[shown["question"] == qc.question] if len(shown) else shown
    out = {t: [] for t in (qc.frame.active_themes(qc.rnd.id) if qc.frame else [])}
    cands = []
    for grp, text in dict.fromkeys(zip(shown.get("group", []), shown.get("answer", []))):
        key = qc.store.key_of(text)
        st = qc.store.status(key)
        if st == UNCODED or (st == PROPOSED and not rules):
            continue
        cands.append(((st != CONFIRMED, "[" in text, abs(len(text) - 90), text.casefold()), text, grp,
                      qc.store.themes(key)))
    cands.sort(key=lambda c: c[0])
    used_texts = set()
    for strict in (True, False):  # first pass: a text quoted once, groups mixed; then fill up
        for _, text, grp, themes in cands:
            for t in themes:
                have = out.get(t)
                if have is None or len(have) >= per_theme or any(q == text for q, _ in have):
                    continue
                if strict and (text in used_texts or any(g == grp for _, g in have)):
                    continue
                have.append((text, grp))
                used_texts.add(text)
    return out


# -- the chart ------------------------------------------------------------------------------------

def theme_chart(tables, *, title, small):
    """Horizontal bars: % of those who answered per theme, all respondents and starters/experienced.

    Drawn from the suppressed tables only: a hidden group gets no bar (its legend entry says ``small``).
    Returns ``(matplotlib Figure, alt text)``.
    """
    from peo_lib.report.plots import GROUP_COLORS, _figure, _pct_formatter, _rc, _wrap

    ov = tables["overall"]
    series = [(f"{ALL_RESPONDENTS} (n={_fmt_base(ov)})", ov["pct"].to_numpy(dtype=float))]
    exp = tables["by"].get(EXPERIENCE)
    if exp is not None:
        for grp, part in exp.groupby("group", sort=False):
            pct = part.set_index("theme")["pct"].reindex(ov["theme"]).to_numpy(dtype=float)
            series.append((_group_header(EXPERIENCE, grp, part["base"].iloc[0], small), pct))
    labels = [_wrap(_label(r), 34) for r in ov.to_dict("records")]
    k, m = len(labels), len(series)
    with _rc():
        fig = _figure(6.7, 0.9 + 0.28 * k * m)
        ax = fig.add_subplot()
        h = 0.8 / m
        y = np.arange(k)
        for j, (name, pct) in enumerate(series):
            ax.barh(y + (j - (m - 1) / 2) * h, np.nan_to_num(pct), height=h, color=GROUP_COLORS[j % 6], label=name)
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.xaxis.set_major_formatter(_pct_formatter(0))
        ax.set_xlabel("% van wie de vraag beantwoordde (meer thema's per antwoord mogelijk)")
        ax.set_title(_wrap(title, 70), loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        if m > 1:
            ax.legend(loc="best", frameon=False)
    order = ov.sort_values("pct", ascending=False, kind="stable")
    top = [f"{r['label']} ({format_pct(r['pct'], 0)})" for r in order.head(3).to_dict("records")
           if r["pct"] == r["pct"]]
    head = f"Staafdiagram: {title}" + ("" if title.endswith((".", "?", "!")) else ".")
    alt = head + (" Het vaakst genoemd: " + "; ".join(top) + "." if top else "")
    return fig, alt


# -- the section ------------------------------------------------------------------------------

def _label(rec) -> str:
    return ("– " + rec["label"]) if rec["level"] == 2 else rec["label"]


def _overall_table(tables, small, text) -> Table:
    ov = tables["overall"].assign(shown=lambda d: [_label(r) for r in d.to_dict("records")])
    return Table(ov, [("shown", "Thema", "text"), ("n", "Aantal", "int"), ("pct", "% van wie antwoordde", "pct")],
                 small=small, caption=f"Thema's in de antwoorden op ‘{text}’", row_small_cols={"n", "pct"})


def _group_header(var, grp, base, small) -> str:
    label = GROUP_LABELS.get(grp, grp) if var == EXPERIENCE else grp
    return f"{label} ({small if base != base else f'n={int(base)}'})"


def _by_table(var, table, overall, small, text) -> Table:
    """Themes x groups (% of the group's answering respondents); a hidden group's column shows ``small``."""
    wide = overall[["theme", "level", "label"]].copy()
    wide["shown"] = [_label(r) for r in wide.to_dict("records")]
    wide[ALL_RESPONDENTS] = overall["pct"].to_numpy()
    cols = [Column("shown", "Thema"), Column(ALL_RESPONDENTS, f"{ALL_RESPONDENTS} (n={_fmt_base(overall)})", "pct")]
    for j, (grp, part) in enumerate(table.groupby("group", sort=False)):
        src = f"g{j}"
        wide[src] = part.set_index("theme")["pct"].reindex(wide["theme"]).to_numpy()
        cols.append(Column(src, _group_header(var, grp, part["base"].iloc[0], small), "pct"))
    return Table(wide, cols, small=small, hidden_col="_none",
                 caption=f"Thema's naar {BREAKDOWN_LABELS.get(var, var).lower()}: % van wie antwoordde (‘{text}’)")


def _fmt_base(overall) -> str:
    b = overall["base"].iloc[0] if len(overall) else np.nan
    return "?" if b != b else str(int(b))


def _status_paragraph(tables, small) -> Paragraph:
    st = tables["status"].set_index("status")
    base = tables["base"]
    if st["suppressed"].any() or st.empty:
        return Paragraph(f"Minder dan het minimum aantal professionals beantwoordde deze vraag ({small}): "
                         "geen cijfers.", "small")
    parts = [f"{int(st.loc[s, 'n'])} {_STATUS_NL[s]}" for s in (CONFIRMED, PROPOSED, UNCODED) if st.loc[s, "n"] > 0]
    return Paragraph(f"{base} professionals beantwoordden deze vraag. Hun antwoorden: " + "; ".join(parts) +
                     ". Eén antwoord kan bij meer thema's horen, dus de percentages tellen op tot meer dan 100%.",
                     "note")


def _quote_blocks(quotes, frame, quote_by) -> list:
    items = []
    for t, qs in quotes.items():
        for text, grp in qs:
            who = GROUP_LABELS.get(grp, grp).lower() if quote_by == EXPERIENCE else grp
            items.append(f"{frame.label(t)}: ‘{text}’" + ("" if quote_by is None else f" ({who})"))
    if not items:
        return []
    return [Heading("Citaten", 4), Bullets(items, css_class="peo-quotes"),
            Paragraph("Citaten zijn geschoond van namen en andere persoonsgegevens en komen alleen uit groepen "
                      "waarin genoeg mensen antwoordden.", "note")]


def _figure_block(name, fig, *, alt):
    from peo_lib.report.plots import figure_block

    return figure_block(fig, name=name, alt=alt)[0]


def question_section(qc: QuestionCoding, *, min_n, small, breakdowns=BREAKDOWNS, rules=True, quote_by=EXPERIENCE,
                     history=(), cache_dir=None, scrubber=None, figure=_figure_block) -> Section:
    """The themes of one open question (see the module docstring); ``history``: earlier QuestionCodings;
    ``figure(name, fig, alt=...)`` turns the chart into a block (RoundReport: its ``_figure``, which also
    writes ``figuren/NAME.png``)."""
    out = Section([Heading(qc.text, 3)])
    if qc.frame is None:
        return out.add(Paragraph("Voor deze vraag is (nog) geen codeframe: de antwoorden staan in de bijlage.",
                                 "note"))
    tables = open_theme_tables(qc, min_n=min_n, breakdowns=breakdowns, rules=rules)
    out.add(_status_paragraph(tables, small))
    if tables["status"]["suppressed"].any():
        return out
    fig, alt = theme_chart(tables, title=f"Thema's: {qc.text}", small=small)
    out.add(figure(f"themas_{qc.question}", fig, alt=alt), _overall_table(tables, small, qc.text))
    for var, table in tables["by"].items():
        out.add(_by_table(var, table, tables["overall"], small, qc.text))
    if tables["by"] and any(t["suppressed"].any() for t in tables["by"].values()):
        out.add(Paragraph(f"{small}: te weinig professionals in de groep beantwoordden de vraag (of hun aantal "
                          "is anders uit het totaal terug te rekenen); die cijfers worden niet getoond.", "note"))
    out.add(*_quote_blocks(theme_quotes(qc, quote_by=quote_by, cache_dir=cache_dir, scrubber=scrubber, rules=rules),
                           qc.frame, quote_by))
    if history:
        out.add(*trend_blocks([*history, qc], min_n=min_n, small=small, rules=rules))
    return out


def trend_table(codings, *, min_n, rules=True) -> pd.DataFrame:
    """Theme x round shares (raw :func:`~peo_lib.stats.open_themes.theme_trend` plus ``suppressed``: base < min_n)."""
    trend = theme_trend([(c.rnd.id, c.codes(rules=rules), c.frame) for c in codings if c.frame is not None])
    trend["suppressed"] = trend["base"] < min_n
    for c in ("n", "base", "pct"):
        trend[c] = trend[c].astype(float).where(~trend["suppressed"])
    return trend


def trend_blocks(codings, *, min_n, small, rules=True) -> list:
    """The trend of each theme's share: a table with one column per round (text cells: %, ``small``, –)."""
    trend = trend_table(codings, min_n=min_n, rules=rules)
    if trend.empty or trend["round"].nunique() < 2:
        return []
    rounds = sorted(trend["round"].unique())
    first = trend.drop_duplicates("theme").set_index("theme")
    wide = pd.DataFrame({"shown": [("– " if isinstance(first.loc[t, "parent"], str) else "") + first.loc[t, "label"]
                                   for t in first.index]}, index=first.index)
    for r in rounds:
        part = trend[trend["round"] == r].set_index("theme")
        wide[r] = [NOT_IN_FRAME if not part.loc[t, "active"] else small if part.loc[t, "suppressed"]
                   else format_pct(part.loc[t, "pct"], 0) for t in wide.index]
    cols = [Column("shown", "Thema")] + [Column(r, f"{r} (n={_round_base(trend, r, small)})") for r in rounds]
    return [Heading("Door de rondes heen", 4),
            Table(wide.reset_index(drop=True), cols, small=small, hidden_col="_none",
                  caption="Aandeel van wie antwoordde dat een thema noemde, per ronde"),
            Paragraph(f"{NOT_IN_FRAME}: het thema stond in die ronde nog niet (of niet meer) in het codeframe.",
                      "note")]


def _round_base(trend, r, small) -> str:
    b = trend.loc[trend["round"] == r, "base"].iloc[0]
    return small if b != b else str(int(b))


def _history(rnd, question, history, *, data_dir, cache_dir, scrubber, frames) -> list:
    """Earlier rounds' QuestionCodings: ``"earlier"`` loads every earlier round of the data dir."""
    if not history:
        return []
    if history == "earlier":
        from peo_lib.data.rounds import load_round
        from peo_lib.errors import PEOError
        from peo_lib.paths import codebook_path, raw_dir, round_ids

        rounds = []
        for rid in [r for r in round_ids(data_dir) if r < rnd.id]:
            if codeframe_for(question, rid, frames=frames) is None:
                continue
            try:
                rounds.append(load_round(codebook_path(rid, data_dir), raw_dir(data_dir)))
            except PEOError as exc:
                warnings.warn(f"round {rid} left out of the theme trend: {exc}", stacklevel=3)
        history = rounds
    return [question_coding(r, question, data_dir=data_dir, cache_dir=cache_dir, scrubber=scrubber, frames=frames)
            for r in history if question in r.codebook.open_questions]


def open_themes_section(rnd, *, data_dir=None, cache_dir=None, scrubber=None, min_n=None, breakdowns=BREAKDOWNS,
                        rules=True, quote_by=EXPERIENCE, history="earlier", figure=_figure_block) -> Section:
    """The themes of every open question of a round (one sub-section per question).

    Parameters
    ----------
    rnd : Round
    data_dir : str or Path, optional
        Holds ``codeframes/`` and ``codering/`` (default: the round's data dir).
    cache_dir, scrubber : optional
        Scrub cache and scrubber (:func:`peo_lib.privacy.scrub.scrub_open_answers`).
    min_n : int, optional
        Threshold of every figure (default: the codebook's ``privacy.min_n``; never lower).
    breakdowns : sequence of str
        Background variables to show the themes by (default: ervaring, functie, organisatie, gemeente).
    rules : bool
        Count rule proposals nobody confirmed yet (default True; the section says how many).
    quote_by : str or None
        The grouping that decides which answers may be quoted (groups of at least ``min_n_open``).
    history : "earlier", list of Round, or None
        Rounds for the trend: every earlier round of the data dir with a frame (default), the rounds
        given, or none.
    figure : callable, optional
        ``figure(name, fig, alt=...)`` -> block; default: an embedded PNG, no file
        (:meth:`RoundReport._figure` also writes ``figuren/NAME.png``).

    Returns
    -------
    Section
    """
    from peo_lib.report.tables import _small, resolve_min_n

    min_n = resolve_min_n(rnd, min_n)
    data_dir = data_dir_of(rnd) if data_dir is None else Path(data_dir)
    frames = load_codeframes(data_dir)
    out = Section(title="Thema's in de open antwoorden")
    if not rnd.codebook.open_questions:
        return out.add(Paragraph("Deze ronde had geen open vragen."))
    for q in rnd.codebook.open_questions:
        qc = question_coding(rnd, q, data_dir=data_dir, cache_dir=cache_dir, scrubber=scrubber, frames=frames)
        hist = _history(rnd, q, history, data_dir=data_dir, cache_dir=cache_dir, scrubber=scrubber,
                        frames=frames) if qc.frame is not None else []
        out.add(question_section(qc, min_n=min_n, small=_small(min_n), breakdowns=breakdowns, rules=rules,
                                 quote_by=quote_by, history=hist, cache_dir=cache_dir, scrubber=scrubber,
                                 figure=figure))
    return out


# -- the appendix and the xlsx ------------------------------------------------------------------

def dedupe_answers(answers: pd.DataFrame) -> pd.DataFrame:
    """Per question, one row per answer that differs only in case, spacing or final punctuation.

    ``answers``: ``rep.answers`` (question, question_text, group, answer). Returns question,
    question_text, answer (the most frequent spelling) and count, alphabetical per question.
    """
    cols = ["question", "question_text", "answer", "count"]
    if answers is None or len(answers) == 0:
        return pd.DataFrame(columns=cols)
    a = answers.assign(_fold=answers["answer"].map(lambda t: fold_text(t).rstrip(" .!?;,")))
    rows = []
    for (q, qt, f), part in a.groupby(["question", "question_text", "_fold"], sort=False):
        spelling = part["answer"].value_counts().sort_index().idxmax()
        rows.append((q, qt, spelling, len(part), f))
    out = pd.DataFrame(rows, columns=[*cols, "_fold"]).sort_values(["question", "_fold", "answer"], kind="stable")
    return out.drop(columns="_fold").reset_index(drop=True)


def open_answers_appendix(answers: pd.DataFrame, codebook, *, min_n_open=None) -> Section:
    """"Bijlage: alle open antwoorden": per question the scrubbed answers, alphabetical, deduplicated.

    ``answers`` is ``rep.answers`` (already limited to groups of at least ``min_n_open``).
    """
    min_n_open = codebook.privacy.min_n_open if min_n_open is None else min_n_open
    out = Section(title="Bijlage: alle open antwoorden")
    dd = dedupe_answers(answers)
    for q, oq in codebook.open_questions.items():
        part = dd[dd["question"] == q]
        out.add(Heading(oq.text, 3))
        if part.empty:
            out.add(Paragraph(f"Minder dan {min_n_open} antwoorden: niet getoond.", "small"))
            continue
        out.add(Paragraph(f"{int(part['count'].sum())} antwoorden, {len(part)} verschillende; antwoorden die alleen "
                          "in hoofdletters, spaties of leestekens verschillen staan één keer, met hun aantal.",
                          "note"),
                Bullets(list(part["answer"]), kind="answers", counts=[int(c) for c in part["count"]]))
    return out


def _sheet_rows(qc, tables) -> pd.DataFrame:
    parts = [tables["overall"].assign(breakdown=ALL_RESPONDENTS)]
    parts += [t.assign(breakdown=BREAKDOWN_LABELS.get(v, v),
                       group=t["group"].map(lambda g: GROUP_LABELS.get(g, g)) if v == EXPERIENCE else t["group"])
              for v, t in tables["by"].items()]
    st = tables["status"].assign(breakdown=ALL_RESPONDENTS, theme="(" + tables["status"]["status"] + ")",
                                 label=tables["status"]["status"].map(lambda s: f"Status: {_STATUS_NL[s]}"),
                                 level=np.nan, parent=None)
    st["pct"] = 100.0 * st["n"] / st["base"]
    df = pd.concat([*parts, st], ignore_index=True)
    return df.assign(question=qc.question)


def open_theme_sheets(codings, *, min_n, breakdowns=BREAKDOWNS, rules=True, trends=None) -> dict:
    """Sheet name -> :class:`~peo_lib.report.excel.Sheet`: ``Thema's OPEN01`` per question with a frame.

    Parameters
    ----------
    codings : list of QuestionCoding
        This round's questions (:func:`question_coding`).
    min_n : int
    trends : dict, optional
        Question -> list of earlier QuestionCodings: adds a sheet ``Thematrend OPEN01``.
    """
    from peo_lib.report.excel import Col, Sheet

    sheets = {}
    for qc in codings:
        if qc.frame is None:
            continue
        df = _sheet_rows(qc, open_theme_tables(qc, min_n=min_n, breakdowns=breakdowns, rules=rules))
        sheets[f"Thema's {qc.question}"[:31]] = Sheet(df, [
            Col("question", "Vraag (id)", "text", "id van de open vraag", keep=True),
            Col("breakdown", "Uitsplitsing", "text", "alle respondenten, of de achtergrondvraag van de groepen"),
            Col("group", "Groep", "text", "de groep"), Col("theme", "Thema (id)", "text", "thema-id uit het codeframe"),
            Col("label", "Thema", "text", "naam van het thema"),
            Col("parent", "Hoofdthema (id)", "text", "bij een subthema: het hoofdthema"),
            Col("n", "Aantal", "int", "respondenten wier antwoord dit thema noemt", hidden_count=True),
            Col("base", "Antwoordden", "int", "respondenten in de groep die de vraag beantwoordden"),
            Col("pct", "%", "pct", "aantal als deel van wie antwoordde (meer thema's per antwoord mogelijk)")],
            f"Thema's in de antwoorden op ‘{qc.text}’ per groep; gecodeerd met codeframe "
            f"{qc.frame.path.name if qc.frame.path else qc.question} (ook voorstellen van trefwoorden: "
            f"{'ja' if rules else 'nee'}).")
        if trends and trends.get(qc.question):
            tr = trend_table([*trends[qc.question], qc], min_n=min_n, rules=rules)
            sheets[f"Thematrend {qc.question}"[:31]] = Sheet(tr.assign(active=tr["active"].map({True: "ja",
                                                                                                 False: "nee"})), [
                Col("theme", "Thema (id)", "text", "thema-id"), Col("label", "Thema", "text", "naam"),
                Col("round", "Ronde", "text", "ronde"),
                Col("active", "In codeframe", "text", "nee: het thema bestond in die ronde niet (geen 0%)", keep=True),
                Col("n", "Aantal", "int", "respondenten met dit thema"), Col("base", "Antwoordden", "int", "basis"),
                Col("pct", "%", "pct", "aandeel van wie antwoordde")],
                f"Het aandeel van elk thema per ronde (‘{qc.text}’).")
    return sheets


# -- the round report's hooks (RoundReport.open_themes, round_sheets) ---------------------------------

def round_report_section(rep) -> Section:
    """:func:`open_themes_section` for a :class:`~peo_lib.report.round.RoundReport` (its min_n, cache, figures)."""
    return open_themes_section(rep.rnd, cache_dir=rep.cache_dir, min_n=rep.min_n, figure=rep._figure)


def round_report_sheets(rep, *, history="earlier") -> dict:
    """:func:`open_theme_sheets` for a RoundReport: one sheet per question with a frame, plus its trend sheet."""
    rnd = rep.rnd
    data_dir = data_dir_of(rnd)
    frames = load_codeframes(data_dir)
    codings = [question_coding(rnd, q, data_dir=data_dir, cache_dir=rep.cache_dir, frames=frames)
               for q in rnd.codebook.open_questions]
    trends = {qc.question: _history(rnd, qc.question, history, data_dir=data_dir, cache_dir=rep.cache_dir,
                                    scrubber=None, frames=frames) for qc in codings if qc.frame is not None}
    return open_theme_sheets(codings, min_n=rep.min_n, trends=trends)
