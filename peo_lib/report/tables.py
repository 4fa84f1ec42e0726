"""The tidy, suppressed tables of one round report (the compute layer of the report).

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
  ``tabellen.xlsx`` (hidden cells empty, flagged in a marker column).
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

import numpy as np
import pandas as pd

from peo_lib.errors import PrivacyError
from peo_lib.sentences import change_sentence
from peo_lib.vocab import BREAKDOWN_LABELS, EXPERIENCE, UNKNOWN_LABEL, output_names

__all__ = [
    "BACKGROUND_VARIABLES", "resolve_min_n", "figure_folder", "response_overview", "scale_summary",
    "scale_means_by_group", "likert_table", "likert_groups", "experience_comparison", "theme_items",
    "previous_round_id", "change_since_previous", "open_answers", "multiple_response_table",
]

#: The PEO's standard background variables (a round's own list is ``Codebook.report_variables()``).
BACKGROUND_VARIABLES = ("functie", "organisatie", "gemeente", EXPERIENCE)
UNKNOWN = UNKNOWN_LABEL
MAX_LIKERT_VALUES = 9
#: The project's words for its standard background variables (others: the codebook's ``label``).
_BG_LABELS = BREAKDOWN_LABELS


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


def figure_folder(audience=None) -> str:
    """Folder of a report's PNG figures in the round folder: ``figuren`` or ``figuren-AUDIENCE``."""
    return output_names(audience)["figures"]


def _small(min_n) -> str:
    from peo_lib.privacy.disclosure import label_small

    return label_small(min_n)


# ----------------------------------------------------------------------
# tables (tidy, suppressed)
# ----------------------------------------------------------------------

def response_overview(rnd, *, min_n=None, variables=None) -> pd.DataFrame:
    """Respondents per category of each background variable, small cells suppressed.

    Parameters
    ----------
    rnd : Round
    min_n : int, optional
        Default: the codebook's ``privacy.min_n`` (see :func:`resolve_min_n`).
    variables : sequence of str, optional
        Categorical background variables to count (those missing from the
        round are skipped). Default: every categorical background variable the
        codebook declares, and ``ervaringsgroep``
        (:meth:`~peo_lib.data.codebook.Codebook.report_variables`).

    Returns
    -------
    DataFrame
        ``variable``, ``category`` (categorical order, then ``"Onbekend"``
        for a missing value when at least ``min_n`` are unknown; fewer are
        left out, see the comment in the code), ``n``, ``pct`` (of all respondents),
        ``suppressed``. Each variable is protected on its own with
        :func:`peo_lib.privacy.disclosure.suppress_tidy` (``total=True``: the total n
        is published, so a complement is hidden too). ``attrs["unknown_left_out"]``: the variables
        whose unknown (fewer than ``min_n``) is left out, so that their shares add up to under 100%.
    """
    from peo_lib.privacy.disclosure import suppress_tidy

    min_n = resolve_min_n(rnd, min_n)
    rows, left_out = [], []
    for var in rnd.codebook.report_variables() if variables is None else variables:
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
        elif n_unknown:
            left_out.append(var)
    table = pd.DataFrame(rows, columns=["variable", "category", "n"])
    table["pct"] = 100 * table["n"] / rnd.n if rnd.n else np.nan
    if table.empty:
        table["suppressed"] = pd.Series(dtype=bool)
    else:
        table = suppress_tidy(table, group_cols="category", by="variable", count_col="n", min_n=min_n, total=True)
    table.attrs["unknown_left_out"] = left_out
    return table


def scale_summary(rnd, *, min_n=None, weights=None) -> pd.DataFrame:
    """Each scale: mean, 95% CI and reliability; scales scored for fewer than ``min_n`` hidden.

    Returns
    -------
    DataFrame
        :func:`peo_lib.stats.descriptives.scale_descriptives` (``scale``, ``label``,
        ``k``, ``n``, ``n_scored``, ``mean``, ``sd``, ``ci_low``, ``ci_high``)
        joined with :func:`peo_lib.stats.reliability.scale_reliability`
        (``alpha``, ``omega``, ``n_complete``, ``omega_reason``: why omega is NaN, in English, None on a
        suppressed row), plus ``suppressed``.
    With ``weights`` (the round's raking weights) means, SDs, intervals and percentages are weighted
    (:mod:`peo_lib.stats.descriptives`); counts stay unweighted and suppression is decided on them.
    """
    from peo_lib.stats.descriptives import scale_descriptives
    from peo_lib.privacy.disclosure import suppress_tidy
    from peo_lib.stats.reliability import scale_reliability

    min_n = resolve_min_n(rnd, min_n)
    desc = scale_descriptives(rnd, weights=weights)
    if desc.empty:
        desc["suppressed"] = pd.Series(dtype=bool)
        return desc
    rel = scale_reliability(rnd)[["scale", "alpha", "omega", "n_complete", "omega_reason"]]
    table = desc.merge(rel, on="scale", how="left")
    stat_cols = ["n_scored", "mean", "sd", "ci_low", "ci_high", "alpha", "omega", "n_complete"]
    out = suppress_tidy(table, group_cols="scale", count_col="n_scored", min_n=min_n, total=False,
                        stat_cols=stat_cols)
    out["omega_reason"] = out["omega_reason"].astype(object).where(~out["suppressed"].astype(bool), None)
    return out


def scale_means_by_group(rnd, *, by="ervaringsgroep", min_n=None, weights=None) -> pd.DataFrame:
    """Scale means with 95% CI per group; small groups (and a complement) hidden per scale.

    Returns
    -------
    DataFrame
        :func:`peo_lib.stats.descriptives.scale_descriptives` with ``by`` (column
        ``group``), plus ``suppressed`` (:func:`peo_lib.privacy.disclosure.suppress_tidy`,
        ``by="scale"``, ``total=True``).
    With ``weights`` (the round's raking weights) means, SDs, intervals and percentages are weighted
    (:mod:`peo_lib.stats.descriptives`); counts stay unweighted and suppression is decided on them.
    """
    from peo_lib.stats.descriptives import scale_descriptives
    from peo_lib.privacy.disclosure import suppress_tidy

    min_n = resolve_min_n(rnd, min_n)
    desc = scale_descriptives(rnd, by=by, weights=weights)
    if desc.empty:
        desc["suppressed"] = pd.Series(dtype=bool)
        return desc
    desc = desc.assign(group=desc["group"].astype(str))
    return suppress_tidy(desc, group_cols="group", by="scale", count_col="n_scored", min_n=min_n,
                         total=True, stat_cols=["n_scored", "mean", "sd", "ci_low", "ci_high"])


def likert_groups(rnd, *, blocks=None) -> list[dict]:
    """The charts of a round: one per block, response set (and grid) with at most nine values.

    Returns
    -------
    list of dict
        ``block``, ``response_set``, ``items`` (ids in codebook order),
        ``grid`` and ``title`` (the codebook's grid id and question text when the
        items are one matrix question, else None: a grid gets a chart of its own),
        ``chart`` (False for sets with more than nine values, e.g. a 0-10
        grade: show those as means).
    """
    cb = rnd.codebook
    grid_of = {i: g for g, grid in cb.grids.items() for i in grid.items}
    out = []
    for block in cb.blocks if blocks is None else blocks:
        sets = {}
        for item_id in cb.items_in_block(block):
            sets.setdefault((cb.items[item_id].response_set, grid_of.get(item_id)), []).append(item_id)
        for (rs_id, grid), ids in sets.items():
            out.append(dict(block=block, response_set=rs_id, items=ids, grid=grid,
                            title=None if grid is None else cb.grids[grid].text,
                            chart=len(cb.response_sets[rs_id].values) <= MAX_LIKERT_VALUES))
    return out


def likert_table(rnd, *, items=None, min_n=None, weights=None) -> pd.DataFrame:
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
    With ``weights`` (the round's raking weights) means, SDs, intervals and percentages are weighted
    (:mod:`peo_lib.stats.descriptives`); counts stay unweighted and suppression is decided on them.
    """
    from peo_lib.privacy.disclosure import group_size_mask
    from peo_lib.stats.descriptives import item_distribution

    min_n = resolve_min_n(rnd, min_n)
    ids = list(rnd.codebook.items) if items is None else list(items)
    dist = pd.concat([item_distribution(rnd, i, weights=weights) for i in ids], ignore_index=True)
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
    cats = rs.ordered_labels  # negative end first (the set's ``positive``)
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


def experience_comparison(rnd, *, min_n=None, weights=None) -> pd.DataFrame:
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
        base is published in the charts). With ``weights`` (the round's raking weights) means and
        tests are weighted (:func:`~peo_lib.stats.compare.compare_groups`); counts stay unweighted.
    """
    from peo_lib.stats.compare import compare_groups
    from peo_lib.privacy.disclosure import disclosure_mask

    min_n = resolve_min_n(rnd, min_n)
    bg = rnd.background.get("ervaringsgroep")
    if bg is None or bg.notna().sum() == 0:
        return pd.DataFrame(columns=["kind", "id", "label", "n1", "n2", "suppressed", "zin"])
    cmp = compare_groups(rnd, by="ervaringsgroep", weights=weights)
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


def theme_items(rnd, *, min_n=None, block=None, weights=None) -> pd.DataFrame:
    """Means and top-2 shares of the theme block's items (:func:`~peo_lib.stats.descriptives.item_descriptives`).

    Items with fewer than ``min_n`` valid answers are hidden.
    """
    return _item_means(rnd, rnd.codebook.items_in_block(block or rnd.codebook.theme), min_n=min_n, weights=weights)


def _item_means(rnd, items, *, min_n=None, weights=None) -> pd.DataFrame:
    from peo_lib.stats.descriptives import item_descriptives
    from peo_lib.privacy.disclosure import suppress_tidy

    min_n = resolve_min_n(rnd, min_n)
    if not items:
        return pd.DataFrame(columns=["item", "text", "n_valid", "mean", "suppressed"])
    desc = item_descriptives(rnd, items=items, weights=weights).drop(columns=["missing_reasons"])
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


def change_since_previous(rnd, prev, *, min_n=None, weights=None) -> pd.DataFrame:
    """Core items (and core scales) of this round against the previous round.

    The two rounds are compared as two independent groups with
    :func:`peo_lib.stats.compare.compare_samples` (``by="ronde"``, group 1 = this round): ``diff``
    is *this round minus the previous one*. Only items of the core block asked in both rounds with
    the same wording and response set, and scales whose items all qualify (same items, same
    reverse keying); each round's scale scores are its own (as its report published them).

    Parameters
    ----------
    rnd : Round
        This round.
    prev : Round or RoundDistributions
        The previous round, loaded from its raw file or from its stored distributions
        (:func:`peo_lib.stats.distributions.read_distributions`): the result is the same, since the
        tests depend only on each round's value counts.
    min_n : int, optional
        Stricter threshold than the codebooks' ``privacy.min_n`` (the stricter of the two rounds').
    weights : Series, optional
        This round's weights (:func:`peo_lib.stats.weighting.round_weights`). Then the previous round
        counts with its own weights (1 each when ``populatie.yml`` does not weight it), each round as
        its report publishes it: weighted means, the design-based t-test and the weighted rank test
        with mid-point ties (``ties="midpoint"`` of ``compare_samples``, which the stored
        distributions can give exactly) on the two rounds stacked as one design. The counts stay
        the unweighted respondents with a weight. Without ``weights`` both rounds are unweighted.

    Returns
    -------
    DataFrame
        ``compare_groups`` columns with ``group1``/``group2`` = round ids and
        a Dutch ``zin`` about the change; rows with fewer than ``min_n`` in
        a round are suppressed.
    """
    from peo_lib.data.codebook import CORE_BLOCK, compare_codebooks
    from peo_lib.stats.compare import compare_samples
    from peo_lib.stats.distributions import RoundDistributions, round_distributions

    if isinstance(prev, RoundDistributions):
        prev_dist = prev
    elif weights is None:
        prev_dist = round_distributions(prev)
    else:
        from peo_lib.data.population import read_population
        from peo_lib.paths import data_dir_of
        from peo_lib.stats.weighting import round_weights

        prev_w = round_weights(prev, data_dir=data_dir_of(prev))
        entry = read_population(data_dir=data_dir_of(prev)).entry_for(prev.id) if prev_w is not None else None
        prev_dist = round_distributions(prev, weights=prev_w, population=entry)
    pcb = prev_dist.codebook
    min_n = max(resolve_min_n(rnd, min_n), int(pcb.privacy.min_n))
    cb = rnd.codebook
    changed = {c["item"] for c in compare_codebooks([pcb, cb], warn=False)}
    common = [i for i in cb.items_in_block(CORE_BLOCK)
              if i in pcb.items and i not in changed and i in prev_dist.items]
    if not common:
        return pd.DataFrame(columns=["kind", "id", "label", "suppressed", "zin"])
    scales = [s for s, sc in cb.scales.items()
              if all(i in common for i in sc.items) and s in pcb.scales and s in prev_dist.scales
              and sorted(pcb.scales[s].items) == sorted(sc.items)
              and sorted(pcb.scales[s].reverse) == sorted(sc.reverse)]
    from peo_lib.stats.scoring import score_scales

    scores = score_scales(rnd, scales=scales) if scales else None
    columns = [("scale", s, cb.scales[s].label, scores[s].to_numpy(dtype=float)) for s in scales]
    columns += [("item", i, cb.items[i].text, rnd.items[i].to_numpy(dtype=float)) for i in common]
    if weights is None:
        samples = [(kind, key, label, now, prev_dist.scale_values(key) if kind == "scale"
                    else prev_dist.item_values(key)) for kind, key, label, now in columns]
        out = compare_samples(samples, groups=(rnd.id, prev_dist.id), by="ronde", min_n=min_n)
    else:
        from peo_lib.stats.weighting import design_weights

        w_now = design_weights(rnd, weights)
        n_design = int(np.isfinite(w_now).sum()) + prev_dist.n_design  # the two rounds stacked as one design
        samples = []
        for kind, key, label, now in columns:
            before, w_before = prev_dist.weighted_sample(kind, key)
            samples.append((kind, key, label, np.concatenate([now, before]), np.concatenate([w_now, w_before]),
                            np.r_[np.ones(len(now), bool), np.zeros(len(before), bool)], n_design))
        out = compare_samples(samples, groups=(rnd.id, prev_dist.id), by="ronde", min_n=min_n, ties="midpoint")
    out.attrs["weighted"] = weights is not None
    out.attrs["previous_weighted"] = weights is not None and bool(prev_dist.weighted)
    out["zin"] = [change_sentence(r, min_n=min_n) for r in out.to_dict("records")]
    return out


def multiple_response_table(rnd, *, min_n=None) -> pd.DataFrame:
    """Every multiple-response question: per option the % of the respondents who saw the question.

    Returns
    -------
    DataFrame
        ``question``, ``text``, ``block``, ``option`` (label, codebook order), ``n`` (ticked),
        ``base`` (respondents who saw the question: any of its cells not blank), ``pct`` (100 n / base;
        the options add up to more than 100) and ``suppressed``: a question whose base is under
        ``min_n`` is hidden as a whole (as a distribution in :func:`likert_table`; single options of
        the whole round are not, the group is everyone).
    """
    min_n = resolve_min_n(rnd, min_n)
    cols = ["question", "text", "block", "option", "n", "base", "pct", "suppressed"]
    rows = []
    for q, mr in rnd.codebook.multiple_response.items():
        data = rnd.multiple_response[q]
        seen = data.notna().all(axis=1)
        base = int(seen.sum())
        hidden = base < min_n
        for option in mr.labels:
            n = float(data.loc[seen, option].sum())
            rows.append((q, mr.text, mr.block, option, np.nan if hidden else n, np.nan if hidden else float(base),
                         np.nan if hidden or not base else 100 * n / base, hidden))
    return pd.DataFrame(rows, columns=cols)


def multiple_response_section(mr: pd.DataFrame, *, min_n: int, level: int = 2):
    """"Vragen met meer antwoorden": per question a table of its options (% of who saw it).

    ``mr`` is :func:`multiple_response_table` (already suppressed); an empty section when the round
    has no such questions. Report and dashboard both render this section.
    """
    from peo_lib.report.structure import Heading, Paragraph, Section, Table

    small = _small(min_n)
    out = Section()
    if mr.empty:
        return out
    out.add(Heading("Vragen met meer antwoorden", level),
            Paragraph("Bij deze vragen konden respondenten meer dan één antwoord aankruisen. Het percentage is het "
                      "deel van wie de vraag zag (en ten minste één hokje invulde); opgeteld is dat meer dan 100%."))
    for q, part in mr.groupby("question", sort=False):
        hidden = bool(part["suppressed"].iloc[0])
        base = small if hidden else str(int(part["base"].iloc[0]))
        out.add(Heading(str(part["text"].iloc[0]), level + 1),
                Table(part, [("option", "Antwoord", "text"), ("n", "n", "int"), ("pct", "%", "pct")],
                      small=small, caption=f"{part['text'].iloc[0]} (basis: {base} respondenten)"))
    if mr["suppressed"].any():
        out.add(Paragraph(f"{small}: minder dan {min_n} respondenten zagen de vraag.", "note"))
    return out


def open_answers(rnd, *, cache_dir=None, by=None) -> pd.DataFrame:
    """Scrubbed open answers in groups of at least ``min_n_open`` (:func:`peo_lib.privacy.disclosure.open_answers_for_output`)."""
    from peo_lib.privacy.open_answers import open_answers_for_output

    return open_answers_for_output(rnd, by=by, cache_dir=cache_dir)
