"""The round report: every table and figure of one round, privacy applied.

All computation of the round notebook (``notebooks/ronde.ipynb``) lives here;
the notebook only calls one method per section. Statistics come from
:mod:`peo_lib.stats.descriptives`, :mod:`peo_lib.stats.reliability` and
:mod:`peo_lib.stats.compare`, disclosure control and open answers from
:mod:`peo_lib.privacy.disclosure`; this module combines them, applies the privacy rules
and presents the result in Dutch.

Two layers
----------
* Functions (``response_overview``, ``scale_summary``, ``likert_table``,
  ``experience_comparison``, ``theme_items``, ``change_since_previous``)
  take a :class:`~peo_lib.data.rounds.Round` and return tidy DataFrames with
  stable English column names, unrounded numbers and a boolean
  ``suppressed`` column: the statistics of suppressed rows are NaN. These are
  what tests compare with the library's own numbers, and what goes into
  ``tabellen.xlsx`` (hidden cells written as ``n<5``).
* :class:`RoundReport` (built by :func:`build_report`) caches those tables for
  one round and renders them for the notebook: Dutch HTML tables
  (decimal comma), figures drawn once to PNG (the same bytes go to the
  notebook and to ``figuren/*.png``), the Excel workbook and the provenance
  line.

Decisions where the contract is silent
--------------------------------------
* ``min_n`` may raise the codebook's ``privacy.min_n`` for a report, never
  lower it (:class:`~peo_lib.errors.PrivacyError`).
* A distribution of all respondents is suppressed when its base (valid
  answers) is below ``min_n``; single answer categories of the whole round
  are not (the group is everyone). Grouped counts (response overview,
  starters vs experienced) get primary and complementary suppression from
  :func:`peo_lib.privacy.disclosure.suppress_tidy` / :func:`~peo_lib.privacy.disclosure.disclosure_mask`.
* Diverging charts are drawn per block and per response set with at most
  nine answer values; items with more values (the 0-10 grade) are shown as a
  mean in a table.
* "Previous round" = the latest round in ``DATA_DIR/codebooks`` before this
  one. Only core items asked with the same wording and response set in both
  rounds are compared (:func:`peo_lib.data.codebook.compare_codebooks`), with the
  same tests as starters vs experienced (the rounds are independent samples).
* ``audience=None`` is the full round summary, for the panel and for
  researchers: with group sizes, omega and test details (the old
  ``onderzoek``/``panel``/``partners`` distinction is gone; it only changed
  such detail). An audience (:data:`AUDIENCES`) gets a tailored summary
  from the same notebook (its cells are tagged per audience, see
  :mod:`peo_lib.publish.runner`) without omega and group sizes of tests; the same
  privacy rules apply to every audience:

  - ``onderwijs``: starters vs experienced first (:func:`experience_comparison`,
    :func:`experience_items` on room and rules items);
  - ``professionals``: "waar sta ik": :func:`scale_score_bins` (small bins
    hidden with a complement), :func:`scale_quartiles` and
    :func:`statement_shares`;
  - ``aanbieders``: :func:`organisation_results`, all or nothing: shown only
    when every organisation group reaches ``min_n`` on every figure of the
    table, else a sentence says why (no partial tables);
  - ``gemeenten``: :func:`municipal_scale_means`, :func:`municipal_item_shares`
    (rules items first) with :func:`peo_lib.privacy.disclosure.suppress_groups` and a
    total row over the respondents who gave their gemeente, and
    :func:`municipal_differences`.
"""

from __future__ import annotations

import html
import subprocess
from datetime import datetime
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from peo_lib.vocab import AUDIENCE_LABELS, AUDIENCES
from peo_lib.errors import PrivacyError, ReportError
from peo_lib.formatting import format_nl, format_p, format_pct
from peo_lib.sentences import change_sentence, municipal_sentence
from peo_lib._validate import check_argument

__all__ = [
    "AUDIENCES",
    "AUDIENCE_LABELS",
    "figure_folder",
    "rules_items",
    "rules_scales",
    "room_items",
    "experience_items",
    "scale_score_bins",
    "scale_quartiles",
    "statement_shares",
    "organisation_results",
    "municipal_scale_means",
    "municipal_item_shares",
    "municipal_differences",
    "BACKGROUND_VARIABLES",
    "RoundReport",
    "build_report",
    "resolve_min_n",
    "response_overview",
    "scale_summary",
    "scale_means_by_group",
    "likert_table",
    "likert_groups",
    "experience_comparison",
    "theme_items",
    "previous_round_id",
    "change_since_previous",
    "open_answers",
    "provenance",
    "git_commit",
    "write_tables",
    "notebook_setup",
    "default_data_dir",
]

BACKGROUND_VARIABLES = ("functie", "organisatie", "gemeente", "ervaringsgroep")
UNKNOWN = "Onbekend"
MAX_LIKERT_VALUES = 9
_BG_LABELS = {"functie": "Functie", "organisatie": "Organisatie", "gemeente": "Gemeente",
              "ervaringsgroep": "Ervaring"}


# ----------------------------------------------------------------------
# options
# ----------------------------------------------------------------------



def resolve_min_n(rnd, min_n=None) -> int:
    """The threshold for this report: the codebook's ``privacy.min_n`` or a stricter one.

    Raises
    ------
    PrivacyError
        ``min_n`` lower than the codebook's: a report may be stricter, never looser.
    """
    base = int(rnd.codebook.privacy.min_n)
    if min_n is None:
        return base
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)):
        raise ValueError(f"`min_n` must be a whole number (or None for the codebook's {base}), "
                         f"but {min_n!r} was passed.")
    if min_n < base:
        raise PrivacyError(f"min_n={min_n} is below the codebook's privacy.min_n={base} for round "
                           f"{rnd.id}: a report may raise the threshold, never lower it")
    return int(min_n)


def _audience(audience):
    """None (the full summary) or one of :data:`AUDIENCES`."""
    if audience is None:
        return None
    if audience not in AUDIENCES:
        raise ValueError(f"`audience` must be one of {AUDIENCES} (or None for the full summary), "
                         f"but {audience!r} was passed.")
    return audience


def figure_folder(audience=None) -> str:
    """Folder of a report's PNG figures in the round folder: ``figuren`` or ``figuren-AUDIENCE``."""
    audience = _audience(audience)
    return "figuren" if audience is None else f"figuren-{audience}"


def _small(min_n) -> str:
    from peo_lib.privacy.disclosure import label_small

    return label_small(min_n)


# ----------------------------------------------------------------------
# tables (tidy, suppressed)
# ----------------------------------------------------------------------

def response_overview(rnd, *, min_n=None, variables=BACKGROUND_VARIABLES) -> pd.DataFrame:
    """Respondents per category of each background variable, small cells suppressed.

    Parameters
    ----------
    rnd : Round
    min_n : int, optional
        Default: the codebook's ``privacy.min_n`` (see :func:`resolve_min_n`).
    variables : sequence of str
        Categorical background variables to count (those missing from the
        round are skipped).

    Returns
    -------
    DataFrame
        ``variable``, ``category`` (categorical order, then ``"Onbekend"``
        for a missing value when at least ``min_n`` are unknown; fewer are
        left out, see the comment in the code), ``n``, ``pct`` (of all respondents),
        ``suppressed``. Each variable is protected on its own with
        :func:`peo_lib.privacy.disclosure.suppress_tidy` (``total=True``: the total n
        is published, so a complement is hidden too).
    """
    from peo_lib.privacy.disclosure import suppress_tidy

    min_n = resolve_min_n(rnd, min_n)
    rows = []
    for var in variables:
        if var not in rnd.background.columns:
            continue
        col = rnd.background[var]
        if not isinstance(col.dtype, pd.CategoricalDtype):
            continue
        counts = col.value_counts(sort=False, dropna=False)
        for cat in col.cat.categories:
            rows.append((var, str(cat), int(counts.get(cat, 0))))
        n_unknown = int(col.isna().sum())
        # "Onbekend" (not filled in) is shown only from min_n on. A smaller count
        # is left out rather than suppressed: as a suppressed cell it would force
        # a complement (hiding e.g. all 66 starters), while the number of people
        # who skipped a background question reveals nothing about anyone.
        if n_unknown >= min_n:
            rows.append((var, UNKNOWN, n_unknown))
    table = pd.DataFrame(rows, columns=["variable", "category", "n"])
    table["pct"] = 100 * table["n"] / rnd.n if rnd.n else np.nan
    if table.empty:
        table["suppressed"] = pd.Series(dtype=bool)
        return table
    return suppress_tidy(table, group_cols="category", by="variable", count_col="n", min_n=min_n,
                         total=True)


def scale_summary(rnd, *, min_n=None) -> pd.DataFrame:
    """Each scale: mean, 95% CI and reliability; scales scored for fewer than ``min_n`` hidden.

    Returns
    -------
    DataFrame
        :func:`peo_lib.stats.descriptives.scale_descriptives` (``scale``, ``label``,
        ``k``, ``n``, ``n_scored``, ``mean``, ``sd``, ``ci_low``, ``ci_high``)
        joined with :func:`peo_lib.stats.reliability.scale_reliability`
        (``alpha``, ``omega``, ``n_complete``), plus ``suppressed``.
    """
    from peo_lib.stats.descriptives import scale_descriptives
    from peo_lib.privacy.disclosure import suppress_tidy
    from peo_lib.stats.reliability import scale_reliability

    min_n = resolve_min_n(rnd, min_n)
    desc = scale_descriptives(rnd)
    if desc.empty:
        desc["suppressed"] = pd.Series(dtype=bool)
        return desc
    rel = scale_reliability(rnd)[["scale", "alpha", "omega", "n_complete"]]
    table = desc.merge(rel, on="scale", how="left")
    stat_cols = ["n_scored", "mean", "sd", "ci_low", "ci_high", "alpha", "omega", "n_complete"]
    return suppress_tidy(table, group_cols="scale", count_col="n_scored", min_n=min_n, total=False,
                         stat_cols=stat_cols)


def scale_means_by_group(rnd, *, by="ervaringsgroep", min_n=None) -> pd.DataFrame:
    """Scale means with 95% CI per group; small groups (and a complement) hidden per scale.

    Returns
    -------
    DataFrame
        :func:`peo_lib.stats.descriptives.scale_descriptives` with ``by`` (column
        ``group``), plus ``suppressed`` (:func:`peo_lib.privacy.disclosure.suppress_tidy`,
        ``by="scale"``, ``total=True``).
    """
    from peo_lib.stats.descriptives import scale_descriptives
    from peo_lib.privacy.disclosure import suppress_tidy

    min_n = resolve_min_n(rnd, min_n)
    desc = scale_descriptives(rnd, by=by)
    if desc.empty:
        desc["suppressed"] = pd.Series(dtype=bool)
        return desc
    desc = desc.assign(group=desc["group"].astype(str))
    return suppress_tidy(desc, group_cols="group", by="scale", count_col="n_scored", min_n=min_n,
                         total=True, stat_cols=["n_scored", "mean", "sd", "ci_low", "ci_high"])


def likert_groups(rnd, *, blocks=None) -> list[dict]:
    """The charts of a round: one per block and response set with at most nine values.

    Returns
    -------
    list of dict
        ``block``, ``response_set``, ``items`` (ids in codebook order),
        ``chart`` (False for sets with more than nine values, e.g. a 0-10
        grade: show those as means).
    """
    cb = rnd.codebook
    out = []
    for block in cb.blocks if blocks is None else blocks:
        sets = {}
        for item_id in cb.items_in_block(block):
            sets.setdefault(cb.items[item_id].response_set, []).append(item_id)
        for rs_id, ids in sets.items():
            out.append(dict(block=block, response_set=rs_id, items=ids,
                            chart=len(cb.response_sets[rs_id].values) <= MAX_LIKERT_VALUES))
    return out


def likert_table(rnd, *, items=None, min_n=None) -> pd.DataFrame:
    """Answer distributions of items (all respondents), items with a small base hidden.

    Parameters
    ----------
    rnd : Round
    items : list of str, optional
        Item ids (default: every item).
    min_n : int, optional

    Returns
    -------
    DataFrame
        :func:`peo_lib.stats.descriptives.item_distribution` of each item, stacked
        (``item``, ``kind``, ``code``, ``label``, ``n``, ``base``, ``pct``,
        ``pct_rounded``), plus ``text`` and ``suppressed`` (the item's valid
        base is below ``min_n``, decided by
        :func:`peo_lib.privacy.disclosure.suppress_tidy` per item); hidden rows have
        NaN ``n``, ``pct`` and ``pct_rounded``.
    """
    from peo_lib.privacy.disclosure import group_size_mask
    from peo_lib.stats.descriptives import item_distribution

    min_n = resolve_min_n(rnd, min_n)
    ids = list(rnd.codebook.items) if items is None else list(items)
    dist = pd.concat([item_distribution(rnd, i) for i in ids], ignore_index=True)
    bases = dist[dist["kind"] == "answer"].groupby("item", sort=False)["base"].first()
    hide = dict(zip(bases.index, group_size_mask(bases.to_numpy(), min_n=min_n, total=False)[0]))
    dist["suppressed"] = dist["item"].map(hide).astype(bool)
    for c in ("n", "base", "pct", "pct_rounded"):
        dist[c] = dist[c].astype(float).where(~dist["suppressed"])
    dist.insert(1, "text", dist["item"].map({i: rnd.codebook.items[i].text for i in ids}))
    return dist


def _likert_wide(dist: pd.DataFrame, rnd, items) -> tuple[pd.DataFrame, list, list]:
    """One row per item for :func:`peo_lib.report.plots.likert_chart`."""
    rs = rnd.codebook.response_set_of(items[0])
    cats = [rs.values[c] for c in sorted(rs.values)]
    miss = list(rs.missing.values())
    rows = []
    for item_id in items:
        part = dist[dist["item"] == item_id]
        row = {"item": item_id, "label": rnd.codebook.items[item_id].text,
               "suppressed": bool(part["suppressed"].iloc[0])}
        ans = part[part["kind"] == "answer"]
        row.update(dict(zip(ans["label"], ans["pct_rounded"])))
        row["n"] = ans["base"].iloc[0]
        mrows = part[part["kind"] == "missing"]
        row.update(dict(zip(mrows["label"], mrows["pct"])))
        rows.append(row)
    return pd.DataFrame(rows), cats, miss


def experience_comparison(rnd, *, min_n=None) -> pd.DataFrame:
    """Starters vs experienced on every scale and item (:func:`peo_lib.stats.compare.compare_groups`).

    Returns
    -------
    DataFrame
        The columns of ``compare_groups`` (``kind``, ``id``, ``label``, ``n1``,
        ``n2``, ``mean1``, ``mean2``, ``diff``, ``cohen_d``,
        ``rank_biserial``, ``p``, ``p_adj``, ``significant``, ``suppressed``,
        ``zin``, ...). With a report ``min_n`` above the codebook's, rows
        with a group below it are suppressed here too. ``n1``/``n2`` are
        float with NaN where :func:`peo_lib.privacy.disclosure.disclosure_mask` hides
        them (a group size below ``min_n``, and its complement: the item's
        base is published in the charts).
    """
    from peo_lib.stats.compare import compare_groups
    from peo_lib.privacy.disclosure import disclosure_mask

    min_n = resolve_min_n(rnd, min_n)
    bg = rnd.background.get("ervaringsgroep")
    if bg is None or bg.notna().sum() == 0:
        return pd.DataFrame(columns=["kind", "id", "label", "n1", "n2", "suppressed", "zin"])
    cmp = compare_groups(rnd, by="ervaringsgroep")
    extra = ((cmp["n1"] < min_n) | (cmp["n2"] < min_n)) & ~cmp["suppressed"]
    if extra.any():
        stats = ["mean1", "mean2", "diff", "cohen_d", "rank_biserial", "statistic", "p", "p_adj"]
        cmp.loc[extra, stats] = np.nan
        cmp.loc[extra, "significant"] = False
        cmp.loc[extra, "suppressed"] = True
        cmp.loc[extra, "zin"] = [
            f"Te weinig respondenten om startende en ervaren professionals te vergelijken op "
            f"‘{str(lab).rstrip('.')}’ (minder dan {min_n} in een groep)." for lab in cmp.loc[extra, "label"]]
    counts = cmp[["n1", "n2"]].astype(float)
    n_hidden = np.zeros((len(cmp), 2), dtype=bool)
    for k, (a, b) in enumerate(counts.to_numpy()):
        if 0 < a < min_n or 0 < b < min_n:
            n_hidden[k] = disclosure_mask(pd.DataFrame([[a, b]], columns=["n1", "n2"]), min_n=min_n,
                                          margins=True).to_numpy()[0]
    cmp["n1"] = counts["n1"].where(~n_hidden[:, 0])
    cmp["n2"] = counts["n2"].where(~n_hidden[:, 1])
    return cmp


def theme_items(rnd, *, min_n=None, block=None) -> pd.DataFrame:
    """Means and top-2 shares of the theme block's items (:func:`~peo_lib.stats.descriptives.item_descriptives`).

    Items with fewer than ``min_n`` valid answers are hidden.
    """
    return _item_means(rnd, rnd.codebook.items_in_block(block or rnd.codebook.theme), min_n=min_n)


def _item_means(rnd, items, *, min_n=None) -> pd.DataFrame:
    from peo_lib.stats.descriptives import item_descriptives
    from peo_lib.privacy.disclosure import suppress_tidy

    min_n = resolve_min_n(rnd, min_n)
    if not items:
        return pd.DataFrame(columns=["item", "text", "n_valid", "mean", "suppressed"])
    desc = item_descriptives(rnd, items=items).drop(columns=["missing_reasons"])
    stat_cols = ["n_valid", "mean", "sd", "ci_low", "ci_high", "top2_n", "top2_pct", "top2_ci_low",
                 "top2_ci_high"]
    return suppress_tidy(desc, group_cols="item", count_col="n_valid", min_n=min_n, total=False,
                         stat_cols=stat_cols)


def previous_round_id(round_id, *, data_dir=None):
    """The latest round before ``round_id`` with a codebook in ``DATA_DIR/codebooks``, or None."""
    from peo_lib.paths import round_ids

    ids = round_ids(data_dir)
    earlier = [r for r in ids if r < str(round_id)]
    return earlier[-1] if earlier else None


def change_since_previous(rnd, prev, *, min_n=None) -> pd.DataFrame:
    """Core items (and core scales) of this round against the previous round.

    The two rounds are stacked as two independent groups and compared with
    :func:`peo_lib.stats.compare.compare_groups` (``by="ronde"``, group 1 = this
    round): ``diff`` is *this round minus the previous one*. Only items of
    the core block asked in both rounds with the same wording and response
    set, and scales whose items all qualify.

    Returns
    -------
    DataFrame
        ``compare_groups`` columns with ``group1``/``group2`` = round ids and
        a Dutch ``zin`` about the change; rows with fewer than ``min_n`` in
        a round are suppressed.
    """
    from peo_lib.data.codebook import CORE_BLOCK, compare_codebooks
    from peo_lib.stats.compare import compare_groups
    from peo_lib.data.rounds import Round

    min_n = max(resolve_min_n(rnd, min_n), resolve_min_n(prev, None))
    cb, pcb = rnd.codebook, prev.codebook
    changed = {c["item"] for c in compare_codebooks([pcb, cb], warn=False)}
    common = [i for i in cb.items_in_block(CORE_BLOCK)
              if i in pcb.items and i not in changed and i in prev.items.columns]
    if not common:
        return pd.DataFrame(columns=["kind", "id", "label", "suppressed", "zin"])
    scales = {s: sc for s, sc in cb.scales.items()
              if all(i in common for i in sc.items) and s in pcb.scales
              and sorted(pcb.scales[s].items) == sorted(sc.items)
              and sorted(pcb.scales[s].reverse) == sorted(sc.reverse)}
    ccb = cb.model_copy(update={
        "items": {i: cb.items[i] for i in common}, "scales": scales,
        "privacy": cb.privacy.model_copy(update={"min_n": min_n}),
    })
    labels = [rnd.id, prev.id]
    idx = pd.Index([f"{rnd.id}:{r}" for r in rnd.items.index] + [f"{prev.id}:{r}" for r in prev.items.index],
                   name="respondent")
    items = pd.concat([rnd.items[common], prev.items[common]], ignore_index=True).set_axis(idx)
    missing = pd.concat([rnd.missing[common].astype(object), prev.missing[common].astype(object)],
                        ignore_index=True).set_axis(idx)
    group = pd.Categorical([rnd.id] * rnd.n + [prev.id] * prev.n, categories=labels)
    stacked = Round(id=f"{prev.id}-{rnd.id}", codebook=ccb, items=items, missing=missing,
                    background=pd.DataFrame({"ronde": group}, index=idx),
                    open_answers=pd.DataFrame(index=idx))
    out = compare_groups(stacked, by="ronde", groups=(rnd.id, prev.id))
    out["zin"] = [change_sentence(r, min_n=min_n) for r in out.to_dict("records")]
    return out


def open_answers(rnd, *, cache_dir=None, by=None) -> pd.DataFrame:
    """Scrubbed open answers in groups of at least ``min_n_open`` (:func:`peo_lib.privacy.disclosure.open_answers_for_output`)."""
    from peo_lib.privacy.disclosure import open_answers_for_output

    return open_answers_for_output(rnd, by=by, cache_dir=cache_dir)


# ----------------------------------------------------------------------
# audience tables (tidy, suppressed)
# ----------------------------------------------------------------------

RULES_ID = "regels_en_eisen"
ROOM_ID = "professionele_ruimte"


def rules_items(rnd) -> list[str]:
    """The rules-and-requirements items: the ``regels_en_eisen`` scale's items, then the
    items of a ``regels_en_eisen`` theme block (when the round has one), codebook order."""
    cb = rnd.codebook
    ids = list(cb.scales[RULES_ID].items) if RULES_ID in cb.scales else []
    if RULES_ID in cb.blocks:
        ids += [i for i in cb.items_in_block(RULES_ID) if i not in ids]
    return ids


def rules_scales(rnd) -> list[str]:
    """Scales about rules and requirements: ``regels_en_eisen`` and every scale whose items all
    belong to a ``regels_en_eisen`` theme block (e.g. ``regeldruk_gemeenten``)."""
    cb = rnd.codebook
    out = [RULES_ID] if RULES_ID in cb.scales else []
    if RULES_ID in cb.blocks:
        block = set(cb.items_in_block(RULES_ID))
        out += [s for s, sc in cb.scales.items() if s not in out and set(sc.items) <= block]
    return out


def room_items(rnd) -> list[str]:
    """Items of the ``professionele_ruimte`` scale (empty when the round has none)."""
    cb = rnd.codebook
    return list(cb.scales[ROOM_ID].items) if ROOM_ID in cb.scales else []


def _chart_items(rnd, items=None) -> list[str]:
    """Items with at most nine answer values (statements), codebook order."""
    cb = rnd.codebook
    ids = list(cb.items) if items is None else list(items)
    return [i for i in ids if len(cb.response_set_of(i).values) <= MAX_LIKERT_VALUES]


def _drop_empty_groups(table: pd.DataFrame) -> pd.DataFrame:
    """Groups without any respondent (category of the codebook nobody chose) reveal nothing: left out."""
    return table[table["n"] > 0].reset_index(drop=True)


def experience_items(rnd, *, items=None, min_n=None) -> pd.DataFrame:
    """Mean and % (helemaal) eens of items for starters and experienced professionals.

    Parameters
    ----------
    rnd : Round
    items : list of str, optional
        Default: the room and rules items (:func:`room_items` + :func:`rules_items`).
    min_n : int, optional

    Returns
    -------
    DataFrame
        :func:`peo_lib.stats.descriptives.item_descriptives` with ``by="ervaringsgroep"``
        (``group`` as str: ``startend``/``ervaren``) without ``missing_reasons``, plus
        ``suppressed``: per item a group with ``0 < n_valid < min_n`` is hidden, and the
        other group too (:func:`peo_lib.privacy.disclosure.suppress_groups`, ``total=True``: the
        item's overall base is published).
    """
    from peo_lib.stats.descriptives import item_descriptives
    from peo_lib.privacy.disclosure import suppress_groups

    min_n = resolve_min_n(rnd, min_n)
    ids = (room_items(rnd) + [i for i in rules_items(rnd) if i not in room_items(rnd)]) if items is None \
        else list(items)
    cols = ["group", "item", "text", "n", "n_valid", "mean", "top2_n", "top2_pct", "suppressed"]
    bg = rnd.background.get("ervaringsgroep")
    if not ids or bg is None or bg.notna().sum() == 0:
        return pd.DataFrame(columns=cols)
    desc = item_descriptives(rnd, items=ids, by="ervaringsgroep").drop(columns=["missing_reasons"])
    desc = _drop_empty_groups(desc.assign(group=desc["group"].astype(str)))
    stat_cols = ["n_valid", "mean", "sd", "ci_low", "ci_high", "top2_n", "top2_pct", "top2_ci_low",
                 "top2_ci_high"]
    return suppress_groups(desc, group_col="group", n_col="n_valid", by="item", min_n=min_n, total=True,
                           stat_cols=stat_cols)


def _scale_range_of(rnd, scale) -> tuple[int, int]:
    rs = rnd.codebook.response_set_of(rnd.codebook.scales[scale].items[0])
    return int(rs.min), int(rs.max)


def scale_score_bins(rnd, *, min_n=None) -> pd.DataFrame:
    """Distribution of scale scores in bins around the answer values ("waar sta ik").

    A scale score (mean of the scale's items, reverse keyed) is put in the bin of
    the nearest answer value: on a 1-5 scale ``[1; 1,5)``, ``[1,5; 2,5)``, ...,
    ``[4,5; 5]`` (a half rounds up), labelled with that answer ("Eens").

    Returns
    -------
    DataFrame
        ``scale``, ``label``, ``bin`` (the answer value), ``bin_label``, ``low``,
        ``high`` (the score range), ``n``, ``base`` (respondents with a score),
        ``pct`` (of ``base``), ``suppressed``. Per scale, bins with ``0 < n < min_n``
        are hidden, and a complement (the base is published):
        :func:`peo_lib.privacy.disclosure.suppress_groups` with ``by="scale"``. A scale scored
        for fewer than ``min_n`` respondents is hidden as a whole.
    """
    from peo_lib.privacy.disclosure import suppress_groups
    from peo_lib.stats.scoring import score_scales

    min_n = resolve_min_n(rnd, min_n)
    cb = rnd.codebook
    cols = ["scale", "label", "bin", "bin_label", "low", "high", "n", "base", "pct", "suppressed"]
    if not cb.scales:
        return pd.DataFrame(columns=cols)
    scores = score_scales(rnd)
    frames = []
    for s, sc in cb.scales.items():
        lo, hi = _scale_range_of(rnd, s)
        rs = cb.response_set_of(sc.items[0])
        x = scores[s].to_numpy(dtype=float)
        x = x[~np.isnan(x)]
        bins = np.arange(lo, hi + 1)
        which = np.clip(np.floor(x + 0.5), lo, hi).astype(int)
        counts = np.array([(which == b).sum() for b in bins])
        base = int(len(x))
        part = pd.DataFrame({
            "scale": s, "label": sc.label, "bin": bins,
            "bin_label": [rs.values.get(int(b), str(b)) for b in bins],
            "low": [max(lo, b - 0.5) for b in bins], "high": [min(hi, b + 0.5) for b in bins],
            "n": counts.astype(float), "base": float(base),
            "pct": 100 * counts / base if base else np.nan,
        })
        part = suppress_groups(part, group_col="bin", n_col="n", by="scale", min_n=min_n, total=True,
                               stat_cols=["n", "pct"])
        if 0 < base < min_n:
            part["suppressed"] = True
            part[["n", "pct", "base"]] = np.nan
        frames.append(part)
    return pd.concat(frames, ignore_index=True)[cols]


def scale_quartiles(rnd, *, min_n=None) -> pd.DataFrame:
    """Quartiles of each scale's scores (the middle half of professionals lies between ``q1`` and ``q3``).

    Returns
    -------
    DataFrame
        ``scale``, ``label``, ``n_scored``, ``q1``, ``median``, ``q3`` (numpy's default
        linear interpolation, as R ``quantile(type = 7)``), ``suppressed``
        (``n_scored < min_n``). Minimum and maximum are not given: they are single
        respondents' scores.
    """
    from peo_lib.stats.scoring import score_scales

    min_n = resolve_min_n(rnd, min_n)
    cb = rnd.codebook
    rows = []
    scores = score_scales(rnd) if cb.scales else pd.DataFrame()
    for s, sc in cb.scales.items():
        x = scores[s].dropna().to_numpy(dtype=float)
        hidden = len(x) < min_n
        q = np.quantile(x, [0.25, 0.5, 0.75]) if len(x) and not hidden else [np.nan] * 3
        rows.append(dict(scale=s, label=sc.label, n_scored=np.nan if hidden else float(len(x)),
                         q1=q[0], median=q[1], q3=q[2], suppressed=hidden))
    return pd.DataFrame(rows, columns=["scale", "label", "n_scored", "q1", "median", "q3", "suppressed"])


def statement_shares(rnd, *, items=None, min_n=None) -> pd.DataFrame:
    """Per statement the share disagreeing, neutral and agreeing (of valid answers).

    For response sets with an odd number of values the middle one is neutral; the
    lower half is "(helemaal) oneens", the upper half "(helemaal) eens". Items with
    more than nine values (a 0-10 grade) are left out.

    Returns
    -------
    DataFrame
        ``item``, ``text``, ``block``, ``base`` (valid answers), ``n_low``, ``n_mid``,
        ``n_high``, ``pct_low``, ``pct_mid``, ``pct_high`` (unrounded, from
        :func:`likert_table`) and ``suppressed`` (base below ``min_n``, as in
        :func:`likert_table`).
    """
    min_n = resolve_min_n(rnd, min_n)
    cb = rnd.codebook
    ids = _chart_items(rnd, items)
    cols = ["item", "text", "block", "base", "n_low", "n_mid", "n_high", "pct_low", "pct_mid", "pct_high",
            "suppressed"]
    if not ids:
        return pd.DataFrame(columns=cols)
    dist = likert_table(rnd, items=ids, min_n=min_n)
    dist = dist[dist["kind"] == "answer"]
    rows = []
    for item_id, part in dist.groupby("item", sort=False):
        codes = sorted(cb.response_set_of(item_id).values)
        k = len(codes)
        low, high = set(codes[: k // 2]), set(codes[(k + 1) // 2:])
        mid = set(codes) - low - high
        hidden = bool(part["suppressed"].iloc[0])
        rec = dict(item=item_id, text=cb.items[item_id].text, block=cb.items[item_id].block,
                   base=part["base"].iloc[0], suppressed=hidden)
        for name, codeset in (("low", low), ("mid", mid), ("high", high)):
            sel = part[part["code"].isin(codeset)]
            rec[f"n_{name}"] = np.nan if hidden else float(sel["n"].sum())
            rec[f"pct_{name}"] = np.nan if hidden or not codeset else float(sel["pct"].sum())
        rows.append(rec)
    return pd.DataFrame(rows, columns=cols)


def _all_or_nothing(table, *, n_col, min_n, by, what):
    """Hide a whole table when any group is under ``min_n``; returns (table, reason or None)."""
    small = table[(table[n_col] < min_n)]
    if small.empty:
        return table.assign(suppressed=False), None
    groups = list(dict.fromkeys(str(g) for g in small["group"]))
    label = _BG_LABELS.get(by, by).lower()
    reason = (f"De {what} per {label} worden niet getoond: in {len(groups)} "
              f"{'groep' if len(groups) == 1 else 'groepen'} ({', '.join(groups)}) antwoordden minder dan "
              f"{min_n} professionals. Alleen als elke {label} groot genoeg is, staat deze tabel in het "
              "rapport; er wordt dan ook niets weggelaten of afgeschermd.")
    out = table.assign(suppressed=True)
    stats = [c for c in out.columns if c not in ("group", "scale", "label", "item", "text", "block", "k",
                                                   "suppressed") and pd.api.types.is_numeric_dtype(out[c])]
    out[stats] = np.nan
    return out, reason


def organisation_results(rnd, *, what="scales", by="organisatie", min_n=None) -> pd.DataFrame:
    """Scale means or statement shares per organisation (type), all or nothing.

    The table is shown only when *every* organisation group with respondents has at
    least ``min_n`` of them behind every figure (``n_scored`` per scale, valid
    answers per statement). Otherwise every statistic is NaN, ``suppressed`` is
    True on every row and ``attrs["reason"]`` holds a Dutch sentence saying why:
    no primary and complementary suppression (partial tables invite comparing
    organisations on what is left).

    Respondents who did not give their organisation are left out, as groups
    without any respondent are; there is no total row.

    Parameters
    ----------
    what : {"scales", "items"}
        Scale means (:func:`peo_lib.stats.descriptives.scale_descriptives`) or items
        (:func:`peo_lib.stats.descriptives.item_descriptives` of the statements: mean
        and ``top2_pct``, % (helemaal) eens).
    by : str
        The background variable (default ``"organisatie"``).

    Returns
    -------
    DataFrame
        ``group`` (str) first, then the descriptives' columns, ``suppressed``;
        ``attrs["reason"]`` is None when the table may be shown.
    """
    from peo_lib.stats.descriptives import item_descriptives, scale_descriptives

    check_argument("what", ("scales", "items"), what)
    min_n = resolve_min_n(rnd, min_n)
    if by not in rnd.background.columns or rnd.background[by].notna().sum() == 0:
        out = pd.DataFrame(columns=["group", "suppressed"])
        out.attrs["reason"] = f"De vraag naar {_BG_LABELS.get(by, by).lower()} is in deze ronde niet gesteld."
        return out
    if what == "scales":
        table = scale_descriptives(rnd, by=by)
        n_col = "n_scored"
    else:
        table = item_descriptives(rnd, items=_chart_items(rnd), by=by).drop(columns=["missing_reasons"])
        n_col = "n_valid"
    table = _drop_empty_groups(table.assign(group=table["group"].astype(str)))
    out, reason = _all_or_nothing(table, n_col=n_col, min_n=min_n, by=by,
                                  what="schaalgemiddelden" if what == "scales" else "antwoorden op de stellingen")
    out.attrs["reason"] = reason
    return out


def _known(rnd, by) -> np.ndarray:
    return rnd.background[by].notna().to_numpy()


def municipal_scale_means(rnd, *, scales=None, by="gemeente", min_n=None) -> pd.DataFrame:
    """Scale means per gemeente with disclosure control, and the region as a whole.

    Parameters
    ----------
    scales : list of str, optional
        Default: every scale, the rules scales (:func:`rules_scales`) first.
    by : str
        Default ``"gemeente"``.

    Returns
    -------
    DataFrame
        ``scale``, ``label``, ``group``, ``n`` (respondents in the gemeente),
        ``n_scored``, ``mean``, ``sd``, ``ci_low``, ``ci_high``, ``is_total`` and
        ``suppressed``. Per scale a gemeente with ``0 < n_scored < min_n`` is hidden
        and so is a complement (:func:`peo_lib.privacy.disclosure.suppress_groups`,
        ``total=True``: the total row is shown). The total row (``group="Alle
        gemeenten"``) covers the respondents who gave their gemeente, so it is
        exactly the sum of the rows above it. Gemeenten without respondents are
        left out.
    """
    from peo_lib.stats.descriptives import mean_ci, scale_descriptives
    from peo_lib.privacy.disclosure import suppress_groups
    from peo_lib.stats.scoring import score_scales

    min_n = resolve_min_n(rnd, min_n)
    cb = rnd.codebook
    order = rules_scales(rnd) + [s for s in cb.scales if s not in rules_scales(rnd)] if scales is None \
        else list(scales)
    cols = ["scale", "label", "group", "n", "n_scored", "mean", "sd", "ci_low", "ci_high", "is_total",
            "suppressed"]
    if not order or by not in rnd.background.columns or rnd.background[by].notna().sum() == 0:
        return pd.DataFrame(columns=cols)
    desc = scale_descriptives(rnd, by=by)
    desc = _drop_empty_groups(desc.assign(group=desc["group"].astype(str)))
    desc = desc[desc["scale"].isin(order)]
    stats = ["n_scored", "mean", "sd", "ci_low", "ci_high"]
    hidden = suppress_groups(desc, group_col="group", n_col="n_scored", by="scale", min_n=min_n, total=True,
                             stat_cols=stats)
    # n (group size) of a hidden gemeente is hidden too; it is the same number on every scale
    hidden_groups = set(hidden.loc[hidden["suppressed"], "group"])
    hidden["n"] = hidden["n"].astype(float).where(~hidden["group"].isin(hidden_groups))
    scores = score_scales(rnd)
    known = _known(rnd, by)
    totals = []
    for s in order:
        n, m, sd, lo, hi = mean_ci(scores[s].to_numpy(dtype=float)[known])
        small = n < min_n
        totals.append(dict(scale=s, label=cb.scales[s].label, group="Alle gemeenten", n=float(known.sum()),
                           n_scored=np.nan if small else float(n), mean=np.nan if small else m,
                           sd=np.nan if small else sd, ci_low=np.nan if small else lo,
                           ci_high=np.nan if small else hi, is_total=True, suppressed=small))
    hidden["is_total"] = False
    out = pd.concat([hidden, pd.DataFrame(totals)], ignore_index=True)
    out["_o"] = out["scale"].map({s: k for k, s in enumerate(order)})
    out = out.sort_values(["_o", "is_total"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return out[cols]


def municipal_item_shares(rnd, *, items=None, by="gemeente", min_n=None) -> pd.DataFrame:
    """% (helemaal) eens per gemeente for statements (default: the rules items), with disclosure control.

    Returns
    -------
    DataFrame
        ``item``, ``text``, ``group``, ``n_valid``, ``top2_n``, ``top2_pct``, ``mean``,
        ``is_total``, ``suppressed``; suppression per item as
        :func:`municipal_scale_means`, total row ``"Alle gemeenten"`` over the
        respondents who gave their gemeente.
    """
    from peo_lib.stats.descriptives import item_descriptives
    from peo_lib.privacy.disclosure import suppress_groups

    min_n = resolve_min_n(rnd, min_n)
    ids = _chart_items(rnd, rules_items(rnd) if items is None else items)
    cols = ["item", "text", "group", "n_valid", "top2_n", "top2_pct", "mean", "is_total", "suppressed"]
    if not ids or by not in rnd.background.columns or rnd.background[by].notna().sum() == 0:
        return pd.DataFrame(columns=cols)
    desc = item_descriptives(rnd, items=ids, by=by).drop(columns=["missing_reasons"])
    desc = _drop_empty_groups(desc.assign(group=desc["group"].astype(str)))
    stats = ["n_valid", "top2_n", "top2_pct", "mean"]
    hidden = suppress_groups(desc[["item", "text", "group", *stats]], group_col="group", n_col="n_valid",
                             by="item", min_n=min_n, total=True, stat_cols=stats)
    hidden["is_total"] = False
    agg = desc.groupby("item", sort=False).agg(n_valid=("n_valid", "sum"), top2_n=("top2_n", "sum"))
    X = rnd.items[ids].to_numpy(dtype=float)[_known(rnd, by)]
    totals = []
    for j, i in enumerate(ids):
        nv, t2 = int(agg.loc[i, "n_valid"]), int(agg.loc[i, "top2_n"])
        small = nv < min_n
        totals.append(dict(item=i, text=rnd.codebook.items[i].text, group="Alle gemeenten",
                           n_valid=np.nan if small else float(nv), top2_n=np.nan if small else float(t2),
                           top2_pct=np.nan if small else 100 * t2 / nv,
                           mean=np.nan if small else float(np.nanmean(X[:, j])), is_total=True,
                           suppressed=small))
    out = pd.concat([hidden, pd.DataFrame(totals)], ignore_index=True)
    out["_o"] = out["item"].map({i: k for k, i in enumerate(ids)})
    out = out.sort_values(["_o", "is_total"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return out[cols]


def municipal_differences(rnd, *, by="gemeente", min_n=None, table=None) -> pd.DataFrame:
    """Per scale: do the gemeenten differ? Kruskal-Wallis over the gemeenten shown.

    Only gemeenten whose mean is shown in :func:`municipal_scale_means` take part
    (a hidden gemeente's answers must not drive a published test).

    Returns
    -------
    DataFrame
        ``scale``, ``label``, ``k`` (gemeenten tested), ``lowest``/``highest`` (gemeente
        with the lowest/highest mean), ``low_mean``, ``high_mean``, ``h``, ``p``,
        ``p_adj`` (Benjamini-Hochberg over the scales), ``significant`` and a Dutch
        ``zin``.
    """
    from scipy import stats
    from statsmodels.stats.multitest import multipletests

    from peo_lib.stats.compare import SIGNIFICANCE
    from peo_lib.stats.scoring import score_scales

    min_n = resolve_min_n(rnd, min_n)
    table = municipal_scale_means(rnd, by=by, min_n=min_n) if table is None else table
    cols = ["scale", "label", "k", "lowest", "highest", "low_mean", "high_mean", "h", "p", "p_adj",
            "significant", "zin"]
    if table.empty:
        return pd.DataFrame(columns=cols)
    scores = score_scales(rnd)
    group = rnd.background[by].astype(object)
    rows = []
    for s, part in table.groupby("scale", sort=False):
        shown = part[~part["suppressed"] & ~part["is_total"]]
        rec = dict(scale=s, label=part["label"].iloc[0], k=len(shown), lowest=None, highest=None,
                   low_mean=np.nan, high_mean=np.nan, h=np.nan, p=np.nan)
        if len(shown) >= 2:
            lo, hi = shown.loc[shown["mean"].idxmin()], shown.loc[shown["mean"].idxmax()]
            rec.update(lowest=lo["group"], highest=hi["group"], low_mean=lo["mean"], high_mean=hi["mean"])
            samples = [scores[s][group == g].dropna().to_numpy(dtype=float) for g in shown["group"]]
            if np.ptp(np.concatenate(samples)) > 0:
                res = stats.kruskal(*samples)
                rec.update(h=float(res.statistic), p=float(res.pvalue))
        rows.append(rec)
    out = pd.DataFrame(rows)
    ok = out["p"].notna().to_numpy()
    out["p_adj"] = np.nan
    if ok.any():
        out.loc[ok, "p_adj"] = multipletests(out.loc[ok, "p"].to_numpy(), method="fdr_bh")[1]
    out["significant"] = out["p_adj"] < SIGNIFICANCE
    out["zin"] = [municipal_sentence(r) for r in out.to_dict("records")]
    return out[cols]


# ----------------------------------------------------------------------
# provenance
# ----------------------------------------------------------------------

def git_commit(repo=None) -> str:
    """``git rev-parse HEAD`` of the repository (short), with ``+wijzigingen`` when dirty; else ``"onbekend"``."""
    from peo_lib.paths import REPO_ROOT

    repo = Path(repo or REPO_ROOT)
    try:
        sha = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=repo, capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "onbekend"
    if not sha:
        return "onbekend"
    try:
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo,
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        dirty = ""
    return sha + ("+wijzigingen" if dirty else "")


def provenance(rnd, *, now=None) -> dict:
    """Where a report comes from: round, codebook and raw-file SHA-256, version, commit, time."""
    from peo_lib import __version__
    from peo_lib.data.codebook import codebook_hash

    now = now or datetime.now().astimezone()
    return {
        "ronde": rnd.id,
        "codeboek_sha256": codebook_hash(rnd.codebook),
        "ruwe_data_sha256": rnd.raw_sha256 or "onbekend",
        "peo_lib": __version__,
        "git_commit": git_commit(),
        "tijd": now.strftime("%Y-%m-%d %H:%M:%S %z").strip(),
    }


def _provenance_html(prov: dict) -> str:
    text = (f"Herkomst: ronde {prov['ronde']} · codeboek SHA-256 {prov['codeboek_sha256']} · "
            f"ruwe data SHA-256 {prov['ruwe_data_sha256']} · peo_lib {prov['peo_lib']} · "
            f"git commit {prov['git_commit']} · gemaakt {prov['tijd']}")
    return f'<p class="peo-provenance">{html.escape(text)}</p>'


# ----------------------------------------------------------------------
# presentation helpers
# ----------------------------------------------------------------------

class _Html:
    """A display object holding ready HTML (no IPython import needed to build it)."""

    def __init__(self, text):
        self.text = text

    def _repr_html_(self):
        return self.text

    def __repr__(self):  # plain-text fallback (e.g. in a terminal)
        return "<rapportonderdeel: open het notebook of de HTML>"


class _Png:
    """A display object for PNG bytes with a display width."""

    def __init__(self, data: bytes, *, width: int, alt: str = ""):
        self.data, self.width, self.alt = data, width, alt

    def _repr_mimebundle_(self, include=None, exclude=None):
        import base64

        return ({"image/png": base64.b64encode(self.data).decode("ascii"), "text/plain": self.alt},
                {"image/png": {"width": self.width}})


def _cell(value, kind, small):
    """Format one table cell: kind in {'text', 'int', 'mean', 'pct', 'p', 'coef', 'diff'}."""
    if kind == "text":
        return html.escape(str(value)), False
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return html.escape(small), True
    if kind == "int":
        return str(int(round(float(value)))), True
    if kind == "mean":
        return format_nl(value, 1), True
    if kind == "diff":
        text = format_nl(value, 1)
        return (("+" + text) if float(value) > 0 and text != "0,0" else text), True
    if kind == "pct":
        return format_pct(value, 0), True
    if kind == "p":
        return html.escape(format_p(value)), True
    if kind == "coef":
        return format_nl(value, 2), True
    raise ValueError(kind)


def _html_table(df: pd.DataFrame, columns: list[tuple], *, small: str, caption=None,
                hidden_col="suppressed", row_small_cols=None) -> str:
    """A Dutch HTML table. ``columns``: (source column, header, kind)."""
    head = "".join(f'<th class="{"num" if k != "text" else ""}">{html.escape(h)}</th>'
                   for _, h, k in columns)
    body = []
    for rec in df.to_dict("records"):
        cells = []
        for col, _, kind in columns:
            value = rec.get(col)
            if kind != "text" and rec.get(hidden_col) and (row_small_cols is None or col in row_small_cols):
                value = np.nan
            text, num = _cell(value, kind, small)
            cls = ' class="num"' if num else ""
            cells.append(f"<td{cls}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="peo-table">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _p(text, cls=None) -> str:
    c = f' class="{cls}"' if cls else ""
    return f"<p{c}>{html.escape(text)}</p>"


# ----------------------------------------------------------------------
# Excel
# ----------------------------------------------------------------------

def _for_excel(df: pd.DataFrame, *, small: str, hide_cols, hidden_col="suppressed") -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object)
    if hidden_col in out:
        mask = out[hidden_col].astype(bool).to_numpy()
        for c in hide_cols:
            if c in out:
                col = out[c].astype(object)
                col[mask] = small
                out[c] = col
    for c in hide_cols:  # NaN counts hidden by a mask of their own (n1/n2)
        if c in out and c in ("n1", "n2"):
            out[c] = out[c].astype(object).where(out[c].notna(), small)
    return out


def write_tables(path, sheets: dict, *, small: str) -> Path:
    """Write suppressed tables to one workbook (openpyxl), hidden cells as ``n<5``.

    Parameters
    ----------
    path : str or Path
        ``.../tabellen.xlsx``.
    sheets : dict
        Sheet name -> (DataFrame, list of columns to show as ``n<5`` where
        ``suppressed``).
    small : str
        The label of hidden cells.

    Returns
    -------
    Path
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for name, (df, hide_cols) in sheets.items():
        ws = wb.create_sheet(title=name[:31])
        out = _for_excel(df, small=small, hide_cols=hide_cols)
        ws.append([str(c) for c in out.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for rec in out.itertuples(index=False):
            row = []
            for v in rec:
                if isinstance(v, (np.floating, float)):
                    v = None if np.isnan(v) else float(v)
                elif isinstance(v, (np.integer,)):
                    v = int(v)
                elif isinstance(v, (np.bool_,)):
                    v = bool(v)
                elif isinstance(v, (dict, list, tuple)):
                    v = str(v)
                row.append(v)
            ws.append(row)
        for j, c in enumerate(out.columns, start=1):
            kind = out[c].dtype
            letter = get_column_letter(j)
            width = min(60, max(10, len(str(c)) + 2))
            if kind == object:
                width = min(70, max(width, int(out[c].astype(str).str.len().quantile(0.9) if len(out) else 10) + 2))
            ws.column_dimensions[letter].width = width
            if pd.api.types.is_float_dtype(kind):
                for cell in ws[letter][1:]:
                    cell.number_format = "0.00"
        ws.freeze_panes = "A2"
    path = Path(path)
    wb.save(path)
    return path


# ----------------------------------------------------------------------
# the report object
# ----------------------------------------------------------------------

class _SavesTables:
    """``save_tables`` for a report with ``out_dir``, ``small`` and ``excel_sheets()``."""

    def save_tables(self):
        """Write ``tabellen.xlsx`` (every table of the report, suppressed) to ``out_dir``."""
        if self.out_dir is None:
            return _Html(_p("Geen uitvoermap opgegeven: tabellen niet opgeslagen.", "peo-note"))
        self.out_dir.mkdir(parents=True, exist_ok=True)
        sheets = self.excel_sheets()
        path = write_tables(self.out_dir / "tabellen.xlsx", sheets, small=self.small)
        return _Html(_p(f"Alle tabellen staan ook in {path.name} (werkbladen: {', '.join(sheets)}).",
                        "peo-note"))


class RoundReport(_SavesTables):
    """Tables, figures and texts of one round's report (see :func:`build_report`).

    Methods named like the notebook's sections return display objects
    (HTML or PNG) for the notebook; the underlying tidy tables are cached
    properties (``overview``, ``scales``, ``comparison``, ...).
    """

    def __init__(self, rnd, *, out_dir=None, min_n=None, audience=None, previous=None,
                 previous_note=None, cache_dir=None):
        self.rnd = rnd
        self.min_n = resolve_min_n(rnd, min_n)
        self.audience = _audience(audience)
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
        from peo_lib.report.plots import figure_png

        png = figure_png(fig)
        if self.out_dir is not None:
            folder = self.out_dir / figure_folder(self.audience)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{name}.png").write_bytes(png)
            self.figures[name] = folder / f"{name}.png"
        width_px = int(round(fig.get_figwidth() * 96))
        fig.clear()
        return _Png(png, width=width_px, alt=alt)

    # -- sections -------------------------------------------------------
    def title(self):
        """Heading: round title, fieldwork and number of respondents."""
        cb = self.rnd.codebook
        fw = ""
        if cb.fieldwork:
            fw = f"Veldwerk {cb.fieldwork.start:%d-%m-%Y} tot en met {cb.fieldwork.end:%d-%m-%Y}. "
        aud = "" if self.audience is None else f" Samenvatting voor {AUDIENCE_LABELS[self.audience]}."
        return _Html(f"<h1>PEO ronde {html.escape(self.rnd.id)}: {html.escape(cb.title)}</h1>"
                     + _p(f"{fw}{self.rnd.n} professionals vulden de vragenlijst in.{aud}", "peo-note"))

    def response_overview(self):
        """Respondents per functie, organisatie, gemeente and ervaringsgroep."""
        parts = [_p(f"Totaal: {self.rnd.n} respondenten.")]
        ov = self.overview
        for var, part in ov.groupby("variable", sort=False):
            label = _BG_LABELS.get(var, var)
            part = part.copy()
            if var == "ervaringsgroep":
                yrs = format_nl(self.rnd.codebook.starter_max_years, 0)
                part["category"] = part["category"].map(
                    {"startend": f"Startend (≤ {yrs} jaar)", "ervaren": f"Ervaren (> {yrs} jaar)"}).fillna(
                    part["category"])
            parts.append(_html_table(part, [("category", label, "text"), ("n", "n", "int"),
                                            ("pct", "%", "pct")], small=self.small))
        if ov["suppressed"].any():
            parts.append(_p(f"{self.small}: minder dan {self.min_n} respondenten (of een cel die "
                            "anders uit het totaal terug te rekenen is); deze aantallen worden niet getoond.",
                            "peo-note"))
        return _Html("".join(parts))

    def scale_overview(self):
        """Table of scales: mean, 95% CI, alpha (and omega for research)."""
        cols = [("label", "Schaal", "text"), ("k", "Items", "int"), ("n_scored", "n", "int"),
                ("mean", "Gemiddelde", "mean"), ("ci_low", "95%-BI onder", "mean"),
                ("ci_high", "95%-BI boven", "mean"), ("alpha", "Cronbachs α", "coef")]
        if self.audience is None:
            cols.append(("omega", "McDonalds ω", "coef"))
        table = _html_table(self.scales, cols, small=self.small,
                            row_small_cols={c for c, _, _ in cols if c not in ("k",)})
        note = _p("Schaalscores lopen van 1 (helemaal oneens) tot 5 (helemaal eens), na omkeren van "
                  "negatief geformuleerde items. BI = betrouwbaarheidsinterval. Een α van 0,70 of hoger "
                  "geldt als voldoende betrouwbaar.", "peo-note")
        return _Html(table + note)

    def scale_figure(self):
        """Means with 95% CI per scale, starters and experienced side by side."""
        from peo_lib.report.plots import mean_ci_chart

        sg = self.scales_by_group
        groups = [g for g in ("startend", "ervaren") if g in set(sg["group"])]
        data = sg[sg["group"].isin(groups)].assign(
            group=lambda d: d["group"].map({"startend": "Startend", "ervaren": "Ervaren"}))
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
        from IPython.display import display

        cb = self.rnd.codebook
        for block in cb.blocks:
            if block == cb.theme and not theme:
                continue
            head = "Kernvragen" if block == "kern" else f"Themablok: {self.theme_title}"
            display(_Html(f"<h3>{html.escape(head)}</h3>"))
            self._block_body(block)

    @property
    def theme_title(self) -> str:
        """The theme's name: the title after its colon ("Ronde 2: Regels en eisen"), else the theme id."""
        cb = self.rnd.codebook
        if ":" in cb.title:
            return cb.title.split(":")[-1].strip()
        return cb.theme.replace("_", " ").capitalize()

    def _block_body(self, block):
        from IPython.display import display

        for fig in self.likert_figures(block):
            display(fig)
        other = self.other_items
        other = other[other["block"] == block] if len(other) else other
        if len(other):
            display(_Html(_html_table(other, [("text", "Vraag", "text"), ("n_valid", "n", "int"),
                                              ("mean", "Gemiddelde", "mean"), ("ci_low", "95%-BI onder", "mean"),
                                              ("ci_high", "95%-BI boven", "mean")],
                                      small=self.small)))

    def comparison_tables(self):
        """Starters vs experienced: every scale and item, with a Dutch sentence each."""
        cmp = self.comparison
        if cmp.empty:
            return _Html(_p("Ervaringsjaren zijn in deze ronde niet gevraagd: geen vergelijking mogelijk."))
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
            parts.append(f"<h4>{head}</h4>")
            parts.append(_html_table(part, cols, small=self.small,
                                     row_small_cols={"mean1", "mean2", "diff", es_col, "p_adj"}))
            items = "".join(f"<li>{html.escape(z)}</li>" for z in part["zin"])
            parts.append(f'<ul class="peo-sentences">{items}</ul>')
        parts.append(_p("Verschil = startend min ervaren. p (BH) = p-waarde na correctie voor het aantal "
                        "toetsen (Benjamini-Hochberg); schalen met Welch-t-toets, stellingen met "
                        "Mann-Whitney-toets. Effectgrootte: 0,2 klein, 0,5 middelgroot, 0,8 groot (d).",
                        "peo-note"))
        return _Html("".join(parts))

    def theme_section(self):
        """The theme block: its chart, and means and % (helemaal) eens of its items and scales."""
        from IPython.display import display

        th = self.theme
        cb = self.rnd.codebook
        if th.empty:
            display(_Html(_p("Deze ronde heeft geen themavragen.")))
            return
        display(_Html(_p(f"Het thema van deze ronde is ‘{self.theme_title}’. De stellingen:")))
        self._block_body(cb.theme)
        cols = [("text", "Stelling", "text"), ("n_valid", "n", "int"), ("mean", "Gemiddelde", "mean"),
                ("ci_low", "95%-BI onder", "mean"), ("ci_high", "95%-BI boven", "mean"),
                ("top2_pct", "% (helemaal) eens", "pct")]
        table = _html_table(th, cols, small=self.small)
        theme_items_ = set(cb.items_in_block(cb.theme))
        scales = self.scales[self.scales["scale"].map(
            lambda s: all(i in theme_items_ for i in cb.scales[s].items))]
        extra = ""
        if len(scales):
            extra = _p("Themaschaal: " + "; ".join(
                f"{r['label']}: gemiddeld {format_nl(r['mean'])} (95%-BI {format_nl(r['ci_low'])} tot "
                f"{format_nl(r['ci_high'])}, α = {format_nl(r['alpha'], 2)})" if not r["suppressed"]
                else f"{r['label']}: {self.small}" for r in scales.to_dict("records")) + ".")
        display(_Html(table + extra))

    def change_section(self):
        """Core items and scales compared with the previous round (or why not)."""
        if self.previous is None:
            return _Html(_p(self.previous_note or "Er is geen eerdere ronde om mee te vergelijken.", "peo-note"))
        ch = self.change
        if ch is None or ch.empty:
            return _Html(_p(f"Geen kernvragen die in ronde {self.previous.id} op dezelfde manier gesteld zijn.",
                            "peo-note"))
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
            parts.append(f"<h4>{head}</h4>")
            parts.append(_html_table(part, cols, small=self.small,
                                     row_small_cols={"mean1", "mean2", "diff", es_col, "p_adj"}))
            sig = part[part["significant"]]
            if len(sig):
                parts.append('<ul class="peo-sentences">' + "".join(
                    f"<li>{html.escape(z)}</li>" for z in sig["zin"]) + "</ul>")
            else:
                parts.append(_p("Geen van deze verschillen is significant na correctie.", "peo-note"))
        return _Html("".join(parts))

    def open_answers_section(self):
        """Scrubbed open answers per question, only for groups of at least min_n_open."""
        ans = self.answers
        cb = self.rnd.codebook
        parts = []
        for q, oq in cb.open_questions.items():
            part = ans[ans["question"] == q] if len(ans) else ans
            parts.append(f"<h4>{html.escape(oq.text)}</h4>")
            if len(part) == 0:
                parts.append(_p(f"Minder dan {cb.privacy.min_n_open} antwoorden: niet getoond.", "peo-small"))
                continue
            parts.append(_p(f"{len(part)} antwoorden; gelijke antwoorden staan één keer, met hun aantal.",
                            "peo-note"))
            counts = part["answer"].value_counts(sort=False)  # keeps the (alphabetical) order
            parts.append('<ul class="peo-answers">' + "".join(
                f"<li>{html.escape(a)}{f' <span class=peo-note>({c}×)</span>' if c > 1 else ''}</li>"
                for a, c in counts.items()) + "</ul>")
        if not cb.open_questions:
            parts.append(_p("Deze ronde had geen open vragen."))
        return _Html("".join(parts))

    # -- audience sections ------------------------------------------------
    def response_by(self, variable):
        """Respondents per category of one background variable (``"organisatie"``, ``"gemeente"``)."""
        part = self.overview[self.overview["variable"] == variable]
        if part.empty:
            return _Html(_p(f"De vraag naar {_BG_LABELS.get(variable, variable).lower()} is in deze ronde "
                            "niet gesteld."))
        out = _html_table(part, [("category", _BG_LABELS.get(variable, variable), "text"), ("n", "n", "int"),
                                 ("pct", "%", "pct")], small=self.small)
        if part["suppressed"].any():
            out += _p(f"{self.small}: minder dan {self.min_n} respondenten (of een cel die anders uit het "
                      "totaal terug te rekenen is).", "peo-note")
        return _Html(_p(f"Totaal: {self.rnd.n} respondenten.") + out)

    def _pivot(self, table, *, row_col, col_col, value_col, kind, row_head, rows=None, cols=None,
               col_heads=None):
        """A wide Dutch table (rows x columns) of one statistic; hidden cells as ``n<5``."""
        rows = list(dict.fromkeys(table[row_col])) if rows is None else rows
        cols = list(dict.fromkeys(table[col_col])) if cols is None else cols
        look = {(r[row_col], r[col_col]): r for r in table.to_dict("records")}
        heads = col_heads or {}
        head = f"<th>{html.escape(row_head)}</th>" + "".join(
            f'<th class="num">{html.escape(str(heads.get(c, c)))}</th>' for c in cols)
        body = []
        for r in rows:
            cells = [f"<td>{html.escape(str(r))}</td>"]
            for c in cols:
                rec = look.get((r, c))
                value = np.nan if rec is None or rec.get("suppressed") else rec.get(value_col)
                text, _ = _cell(value, kind, self.small)
                cells.append(f'<td class="num">{text}</td>')
            body.append("<tr>" + "".join(cells) + "</tr>")
        return (f'<table class="peo-table"><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table>')

    # onderwijs
    @cached_property
    def starter_items(self) -> pd.DataFrame:
        return experience_items(self.rnd, min_n=self.min_n)

    def experience_highlights(self):
        """The groups' sizes and the differences that are significant, largest effect first."""
        cmp = self.comparison
        if cmp.empty:
            return _Html(_p("Ervaringsjaren zijn in deze ronde niet gevraagd: geen vergelijking mogelijk."))
        ov = self.overview[self.overview["variable"] == "ervaringsgroep"].set_index("category")
        yrs = format_nl(self.rnd.codebook.starter_max_years, 0)

        def count(g):
            if g not in ov.index or ov.loc[g, "suppressed"]:
                return self.small
            return str(int(ov.loc[g, "n"]))

        parts = [_p(f"In deze ronde vulden {count('startend')} startende professionals (hoogstens {yrs} jaar "
                    f"werkervaring) en {count('ervaren')} ervaren professionals de vragenlijst in.")]
        sig = cmp[cmp["significant"] & ~cmp["suppressed"]].copy()
        if sig.empty:
            parts.append(_p(f"Op geen van de {len(cmp)} schalen en stellingen verschillen startende en ervaren "
                            "professionals significant (na correctie voor het aantal toetsen)."))
        else:
            sig["_es"] = sig["cohen_d"].abs().fillna(sig["rank_biserial"].abs() * 2)
            sig = sig.sort_values(["kind", "_es"], ascending=[False, False])
            parts.append(_p(f"Op {len(sig)} van de {len(cmp)} schalen en stellingen is het verschil significant "
                            "(na correctie voor het aantal toetsen), de grootste verschillen eerst:"))
            parts.append('<ul class="peo-sentences">' + "".join(
                f"<li>{html.escape(z)}</li>" for z in sig["zin"]) + "</ul>")
        return _Html("".join(parts))

    def starters_room_rules(self):
        """What starters say about professional room and rules: % (helemaal) eens and means per group."""
        ei = self.starter_items
        if ei.empty:
            return _Html(_p("Geen stellingen over ruimte of regels, of geen ervaringsjaren in deze ronde."))
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
            parts.append(f"<h3>{head}</h3>")
            parts.append(_html_table(pd.DataFrame(wide), [
                ("text", "Stelling", "text"), ("pct_startend", "% (helemaal) eens, startend", "pct"),
                ("pct_ervaren", "% (helemaal) eens, ervaren", "pct"), ("mean_startend", "Gem. startend", "mean"),
                ("mean_ervaren", "Gem. ervaren", "mean")], small=self.small))
        parts.append(_p("% (helemaal) eens = aandeel ‘eens’ en ‘helemaal eens’ van wie de stelling beantwoordde. "
                        "Of een verschil significant is, staat in de tabellen hierboven.", "peo-note"))
        return _Html("".join(parts))

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
            return _Html(_p("Deze ronde heeft geen schalen."))
        q = self.quartiles.set_index("scale")
        parts = []
        for s, sc in cb.scales.items():
            texts = [cb.items[i].text.rstrip(".") for i in sc.items]
            rev = [cb.items[i].text.rstrip(".") for i in sc.reverse]
            lo, hi = _scale_range_of(self.rnd, s)
            parts.append(f"<h3>{html.escape(sc.label)}</h3>")
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
            parts.append(_html_table(bins, [("range", "Uw score", "text"), ("bin_label", "Ongeveer", "text"),
                                            ("pct", "% professionals", "pct"), ("n", "n", "int")],
                                     small=self.small))
        parts.append(_p(f"{self.small}: minder dan {self.min_n} professionals in deze groep, of een groep die "
                        "anders uit het totaal terug te rekenen is.", "peo-note"))
        return _Html("".join(parts))

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
            parts.append(f"<h3>{html.escape(head)}</h3>")
            parts.append(_html_table(part, [("text", "Stelling", "text"), ("base", "n", "int"),
                                            ("pct_low", "% (helemaal) oneens", "pct"),
                                            ("pct_mid", "% neutraal", "pct"),
                                            ("pct_high", "% (helemaal) eens", "pct")], small=self.small))
        other = self.other_items
        if len(other):
            parts.append("<h3>Overige vragen</h3>")
            parts.append(_html_table(other, [("text", "Vraag", "text"), ("n_valid", "n", "int"),
                                             ("mean", "Gemiddelde", "mean")], small=self.small))
        parts.append(_p("Percentages van wie de stelling beantwoordde; ‘weet ik niet’ en ‘niet van toepassing’ "
                        "tellen niet mee.", "peo-note"))
        return _Html("".join(parts))

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
            return _Html(_p(tab.attrs["reason"], "peo-small"))
        groups = list(dict.fromkeys(tab["group"]))
        sizes = tab.groupby("group", sort=False)["n"].first()
        html_ = self._pivot(tab, row_col="label", col_col="group", value_col="mean", kind="mean",
                            row_head="Schaal", cols=groups,
                            col_heads={g: f"{g} (n = {int(sizes[g])})" for g in groups})
        return _Html(html_ + _p("Gemiddelde schaalscore (1-5) per type organisatie; n = respondenten van dat "
                                "type. Elke groep heeft ten minste "
                                f"{self.min_n} respondenten per schaal.", "peo-note"))

    def organisation_statements(self):
        """% (helemaal) eens per statement and organisation (type), only when every group is large enough."""
        tab = self.organisation_items_table
        if tab.attrs.get("reason"):
            return _Html(_p(tab.attrs["reason"], "peo-small"))
        groups = list(dict.fromkeys(tab["group"]))
        return _Html(self._pivot(tab, row_col="text", col_col="group", value_col="top2_pct", kind="pct",
                                 row_head="Stelling (% (helemaal) eens)", cols=groups))

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

        from IPython.display import display

        ms = self.municipal_scales_table
        scales = rules_scales(self.rnd)
        if ms.empty or not scales:
            display(_Html(_p("Geen vragen over regels en eisen of geen gemeente in deze ronde.")))
            return
        for s in scales:
            part = ms[ms["scale"] == s]
            label = part["label"].iloc[0]
            lo, hi = _scale_range_of(self.rnd, s)
            fig = mean_ci_chart(part, label_col="group", small_label=self.small, scale_min=lo, scale_max=hi,
                                title=f"{label}: gemiddelde per gemeente")
            display(self._figure(f"gemeenten_{s}", fig, alt=f"{label} per gemeente"))
        items = self.municipal_rules_table
        if len(items):
            ids = list(dict.fromkeys(items["item"]))
            heads = {i: f"Stelling {k}" for k, i in enumerate(ids, start=1)}
            display(_Html(_p("Aandeel (helemaal) eens per gemeente:") + self._pivot(
                items, row_col="group", col_col="item", value_col="top2_pct", kind="pct", row_head="Gemeente",
                cols=ids, col_heads=heads) + "<ol class=\"peo-sentences\">" + "".join(
                f"<li>{html.escape(self.rnd.codebook.items[i].text)}</li>" for i in ids) + "</ol>"))
        display(_Html(self._municipal_note()))

    def _municipal_note(self):
        return _p(f"{self.small}: minder dan {self.min_n} respondenten in die gemeente, of een gemeente die "
                  "anders uit het totaal (‘Alle gemeenten’) terug te rekenen is. ‘Alle gemeenten’ telt wie een "
                  "gemeente opgaf.", "peo-note")

    def municipal_scales(self):
        """Every scale's mean per gemeente (rules scales first), and whether gemeenten differ."""
        ms = self.municipal_scales_table
        if ms.empty:
            return _Html(_p("Geen gemeente gevraagd of geen schalen in deze ronde."))
        order = list(dict.fromkeys(ms["scale"]))
        labels = dict(zip(ms["scale"], ms["label"]))
        table = self._pivot(ms, row_col="group", col_col="scale", value_col="mean", kind="mean",
                            row_head="Gemeente", cols=order, col_heads=labels)
        zinnen = '<ul class="peo-sentences">' + "".join(
            f"<li>{html.escape(z)}</li>" for z in self.municipal_tests["zin"]) + "</ul>"
        return _Html(table + zinnen + self._municipal_note())

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
        return _Html(_provenance_html(self.prov))


def default_data_dir(round_id) -> Path:
    """The data folder used when none is given.

    The repository's ``data/`` (or ``$PEO_DATA_DIR``) when it holds the round's
    codebook; otherwise the demo rounds in ``data/demo``, generated (seeded, as
    ``peo demo``) when missing, so the notebook's defaults run as is.
    """
    from peo_lib.paths import DATA_DIR, DEMO_DIR, codebook_path

    if codebook_path(round_id, DATA_DIR).is_file():
        return Path(DATA_DIR)
    if not codebook_path(round_id, DEMO_DIR).is_file():
        from peo_lib.data import demo

        if str(round_id) not in demo.ROUND_IDS:
            return Path(DATA_DIR)  # load_round names the missing codebook
        demo.generate(DEMO_DIR)
    return Path(DEMO_DIR)


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
        Holds ``codebooks/`` and ``raw/`` (default: :func:`default_data_dir`).
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
        ``.cache/scrub`` beside ``out_dir`` (``OUT/.cache/scrub``), or the
        privacy module's default without ``out_dir``.

    Returns
    -------
    RoundReport
    """
    from peo_lib.errors import PEOError
    from peo_lib.paths import codebook_path, raw_dir
    from peo_lib.data.rounds import load_round

    data_dir = Path(data_dir) if data_dir is not None else default_data_dir(round_id)
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
    if cache_dir is None and out_dir is not None:
        # beside the round folders: OUT/.cache/scrub (publish passes OUT/.ROUND.tmp-*)
        cache_dir = Path(out_dir).resolve().parent / ".cache" / "scrub"
    return RoundReport(rnd, out_dir=out_dir, min_n=min_n, audience=audience, previous=prev,
                       previous_note=note, cache_dir=cache_dir)
