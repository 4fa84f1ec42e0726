"""The round report: every table and figure of one round, privacy applied.

All computation of the round notebook (``notebooks/ronde.ipynb``) lives here;
the notebook only calls one method per section. Statistics come from
:mod:`peo_lib.descriptives`, :mod:`peo_lib.reliability` and
:mod:`peo_lib.compare`, disclosure control and open answers from
:mod:`peo_lib.privacy`; this module combines them, applies the privacy rules
and presents the result in Dutch.

Two layers
----------
* Functions (``response_overview``, ``scale_summary``, ``likert_table``,
  ``experience_comparison``, ``theme_items``, ``change_since_previous``)
  take a :class:`~peo_lib.rounds.Round` and return tidy DataFrames with
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
  :func:`peo_lib.privacy.suppress_tidy` / :func:`~peo_lib.privacy.disclosure_mask`.
* Diverging charts are drawn per block and per response set with at most
  nine answer values; items with more values (the 0-10 grade) are shown as a
  mean in a table.
* "Previous round" = the latest round in ``DATA_DIR/codebooks`` before this
  one. Only core items asked with the same wording and response set in both
  rounds are compared (:func:`peo_lib.codebook.compare_codebooks`), with the
  same tests as starters vs experienced (the rounds are independent samples).
* ``audience`` changes the amount of technical detail, never what is
  suppressed: ``"onderzoek"`` (default) shows test statistics and omega,
  ``"panel"`` and ``"partners"`` show the plain sentence, difference and
  effect size.
"""

from __future__ import annotations

import html
import subprocess
from datetime import datetime
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import PrivacyError, ReportError
from .formatting import format_nl, format_p, format_pct

__all__ = [
    "AUDIENCES",
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

AUDIENCES = ("onderzoek", "panel", "partners")
BACKGROUND_VARIABLES = ("functie", "organisatie", "gemeente", "ervaringsgroep")
UNKNOWN = "Onbekend"
MAX_LIKERT_VALUES = 9
_BG_LABELS = {"functie": "Functie", "organisatie": "Organisatie", "gemeente": "Gemeente",
              "ervaringsgroep": "Ervaring"}


# ----------------------------------------------------------------------
# options
# ----------------------------------------------------------------------

def _check_argument(param, options, value):
    """Raise ValueError naming the parameter, the allowed values and the value passed."""
    if value not in options:
        raise ValueError(f"`{param}` must be one of {options}, but {value!r} was passed.")


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


def _audience(audience) -> str:
    audience = "onderzoek" if audience is None else audience
    _check_argument("audience", AUDIENCES, audience)
    return audience


def _small(min_n) -> str:
    from .privacy import label_small

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
        :func:`peo_lib.privacy.suppress_tidy` (``total=True``: the total n
        is published, so a complement is hidden too).
    """
    from .privacy import suppress_tidy

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
        :func:`peo_lib.descriptives.scale_descriptives` (``scale``, ``label``,
        ``k``, ``n``, ``n_scored``, ``mean``, ``sd``, ``ci_low``, ``ci_high``)
        joined with :func:`peo_lib.reliability.scale_reliability`
        (``alpha``, ``omega``, ``n_complete``), plus ``suppressed``.
    """
    from .descriptives import scale_descriptives
    from .privacy import suppress_tidy
    from .reliability import scale_reliability

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
        :func:`peo_lib.descriptives.scale_descriptives` with ``by`` (column
        ``group``), plus ``suppressed`` (:func:`peo_lib.privacy.suppress_tidy`,
        ``by="scale"``, ``total=True``).
    """
    from .descriptives import scale_descriptives
    from .privacy import suppress_tidy

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
        :func:`peo_lib.descriptives.item_distribution` of each item, stacked
        (``item``, ``kind``, ``code``, ``label``, ``n``, ``base``, ``pct``,
        ``pct_rounded``), plus ``text`` and ``suppressed`` (the item's valid
        base is below ``min_n``, decided by
        :func:`peo_lib.privacy.suppress_tidy` per item); hidden rows have
        NaN ``n``, ``pct`` and ``pct_rounded``.
    """
    from .descriptives import item_distribution
    from .privacy import suppress_tidy

    min_n = resolve_min_n(rnd, min_n)
    ids = list(rnd.codebook.items) if items is None else list(items)
    dist = pd.concat([item_distribution(rnd, i) for i in ids], ignore_index=True)
    bases = dist[dist["kind"] == "answer"].groupby("item", sort=False)["base"].first().reset_index()
    hidden = suppress_tidy(bases, group_cols="item", count_col="base", min_n=min_n, total=False)
    hide = dict(zip(hidden["item"], hidden["suppressed"]))
    dist["suppressed"] = dist["item"].map(hide).astype(bool)
    for c in ("n", "base", "pct", "pct_rounded"):
        dist[c] = dist[c].astype(float).where(~dist["suppressed"])
    dist.insert(1, "text", dist["item"].map({i: rnd.codebook.items[i].text for i in ids}))
    return dist


def _likert_wide(dist: pd.DataFrame, rnd, items) -> tuple[pd.DataFrame, list, list]:
    """One row per item for :func:`peo_lib.plots.likert_chart`."""
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
    """Starters vs experienced on every scale and item (:func:`peo_lib.compare.compare_groups`).

    Returns
    -------
    DataFrame
        The columns of ``compare_groups`` (``kind``, ``id``, ``label``, ``n1``,
        ``n2``, ``mean1``, ``mean2``, ``diff``, ``cohen_d``,
        ``rank_biserial``, ``p``, ``p_adj``, ``significant``, ``suppressed``,
        ``zin``, ...). With a report ``min_n`` above the codebook's, rows
        with a group below it are suppressed here too. ``n1``/``n2`` are
        float with NaN where :func:`peo_lib.privacy.disclosure_mask` hides
        them (a group size below ``min_n``, and its complement: the item's
        base is published in the charts).
    """
    from .compare import compare_groups
    from .privacy import disclosure_mask

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
    """Means and top-2 shares of the theme block's items (:func:`~peo_lib.descriptives.item_descriptives`).

    Items with fewer than ``min_n`` valid answers are hidden.
    """
    return _item_means(rnd, rnd.codebook.items_in_block(block or rnd.codebook.theme), min_n=min_n)


def _item_means(rnd, items, *, min_n=None) -> pd.DataFrame:
    from .descriptives import item_descriptives
    from .privacy import suppress_tidy

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
    from .paths import codebook_dir

    folder = codebook_dir(data_dir)
    ids = sorted({p.stem for p in list(folder.glob("*.yml")) + list(folder.glob("*.yaml"))})
    earlier = [r for r in ids if r < str(round_id)]
    return earlier[-1] if earlier else None


def change_since_previous(rnd, prev, *, min_n=None) -> pd.DataFrame:
    """Core items (and core scales) of this round against the previous round.

    The two rounds are stacked as two independent groups and compared with
    :func:`peo_lib.compare.compare_groups` (``by="ronde"``, group 1 = this
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
    from .codebook import CORE_BLOCK, compare_codebooks
    from .compare import compare_groups
    from .rounds import Round

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
    out["zin"] = [_change_sentence(r, min_n=min_n) for r in out.to_dict("records")]
    return out


def _change_sentence(row, *, min_n) -> str:
    from .compare import effect_size_words

    subject = (f"de stelling ‘{str(row['label']).rstrip('.')}’" if row["kind"] == "item"
               else f"‘{row['label']}’")
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


def open_answers(rnd, *, cache_dir=None, by=None) -> pd.DataFrame:
    """Scrubbed open answers in groups of at least ``min_n_open`` (:func:`peo_lib.privacy.open_answers_for_output`)."""
    from .privacy import open_answers_for_output

    return open_answers_for_output(rnd, by=by, cache_dir=cache_dir)


# ----------------------------------------------------------------------
# provenance
# ----------------------------------------------------------------------

def git_commit(repo=None) -> str:
    """``git rev-parse HEAD`` of the repository (short), with ``+wijzigingen`` when dirty; else ``"onbekend"``."""
    from .paths import REPO_ROOT

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
    from . import __version__
    from .codebook import codebook_hash

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

class RoundReport:
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
        from .plots import figure_png

        png = figure_png(fig)
        if self.out_dir is not None:
            folder = self.out_dir / "figuren"
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
        aud = {"onderzoek": "", "panel": " Versie voor het professionalspanel.",
               "partners": " Versie voor partners."}[self.audience]
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
        if self.audience == "onderzoek":
            cols.append(("omega", "McDonalds ω", "coef"))
        table = _html_table(self.scales, cols, small=self.small,
                            row_small_cols={c for c, _, _ in cols if c not in ("k",)})
        note = _p("Schaalscores lopen van 1 (helemaal oneens) tot 5 (helemaal eens), na omkeren van "
                  "negatief geformuleerde items. BI = betrouwbaarheidsinterval. Een α van 0,70 of hoger "
                  "geldt als voldoende betrouwbaar.", "peo-note")
        return _Html(table + note)

    def scale_figure(self):
        """Means with 95% CI per scale, starters and experienced side by side."""
        from .plots import mean_ci_chart

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
        from .plots import likert_chart

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
            if self.audience != "onderzoek":
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

    def save_tables(self):
        """Write ``tabellen.xlsx`` (every table of the report, suppressed) to ``out_dir``."""
        if self.out_dir is None:
            return _Html(_p("Geen uitvoermap opgegeven: tabellen niet opgeslagen.", "peo-note"))
        self.out_dir.mkdir(parents=True, exist_ok=True)
        sheets = self.excel_sheets()
        path = write_tables(self.out_dir / "tabellen.xlsx", sheets, small=self.small)
        return _Html(_p(f"Alle tabellen staan ook in {path.name} (werkbladen: {', '.join(sheets)}).",
                        "peo-note"))

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
    from .paths import DATA_DIR, DEMO_DIR, codebook_path

    if codebook_path(round_id, DATA_DIR).is_file():
        return Path(DATA_DIR)
    if not codebook_path(round_id, DEMO_DIR).is_file():
        from . import demo

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
    audience : {"onderzoek", "panel", "partners"}, optional
    cache_dir : str or Path, optional
        Cache of scrubbed open answers (scrubbed text only, no ids). Default:
        ``.cache/scrub`` beside ``out_dir`` (``OUT/.cache/scrub``), or the
        privacy module's default without ``out_dir``.

    Returns
    -------
    RoundReport
    """
    from .errors import PEOError
    from .paths import codebook_path, raw_dir
    from .rounds import load_round

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
