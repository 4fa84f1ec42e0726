"""The offline dashboard of one round: ``OUT/dashboard/ROUND.html`` (``peo dashboard --export ROUND``).

One HTML file for partners without Python or a server: the views of the dashboard's ``Verkennen`` tab
(block; statement, scale or the overview of every statement of the block, one chart per response set
and the others (a 0-10 grade) apart; breakdown; ``Verdeling``, ``Gemiddelde`` or ``Trend`` over the
earlier rounds that asked the same question), switched in the browser by a small inline script. It
opens offline and makes no request at all: no CDN, no font, no image file (the charts are drawn as
inline SVG from the embedded numbers).

What is embedded (``<script type="application/json" id="peo-data">``): pre-aggregated rows that already
passed the suppression rules of the project, and nothing else. They are the rows of the dashboard's
model (:class:`peo_lib.dashboard.model._Model`) on the count tables of
:func:`peo_lib.dashboard.tables.load_tables`: percentages and the base ``n`` per group
(:func:`~peo_lib.privacy.disclosure.distribution_mask`), means with their 95% interval
(:func:`~peo_lib.privacy.disclosure.group_size_mask`). A hidden group keeps only its ``n<5`` label. No
respondent row, no count per answer category, no open answer.

Which views are offered, and why no view can be differenced into a hidden cell
---------------------------------------------------------------------------------
* Only single breakdowns (one background variable at a time); no combination of two filters.
* In a breakdown, respondents whose group is unknown are a group of their own
  (``Onbekend (niet ingevuld)``) that goes through the same mask as every other group, so ``Totaal``
  is the round's total in every view. Had they been left out (as the live dashboard does), the
  ``Totaal`` without breakdown minus the ``Totaal`` of a breakdown would give the answers of the 1-4
  people who left their group blank (the linked-table case the model's notes describe); with one
  ``Totaal`` for all views two breakdowns share nothing but that total, and within a breakdown the
  mask already hides a second group beside any small one.
* The distribution and the mean of a subject and breakdown hide the same groups (both masks work on
  the same valid counts). Every round of a trend is suppressed on its own (other respondents).
* The price: in a round where 1-4 people left their group blank, the mask hides a second group as
  well (the smaller of the others, often the starters). The live dashboard shows that group, because
  it leaves the unknown group out, and is therefore open to the subtraction above.
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

from peo_lib.vocab import (BREAKDOWN_LABELS, BREAKDOWNS, CORE_BLOCK, DASHBOARD_DIR, EXPERIENCE, EXPERIENCED,
                           GROUP_LABELS, STARTER, TOTAL_LABEL, UNKNOWN_LABEL)

__all__ = ["export_dashboard", "dashboard_data", "dashboard_html", "UNKNOWN_GROUP"]

#: The group of respondents whose background is unknown, as the offline dashboard names it.
UNKNOWN_GROUP = f"{UNKNOWN_LABEL} (niet ingevuld)"
#: Subjects with more answer values (a 0-10 grade) are shown as means only.
_MAX_DIST_VALUES = 9
_TEMPLATE = "dashboard/export.html"


def _breakdown_label(b: str) -> str:
    from peo_lib.dashboard.tables import NO_BREAKDOWN

    if b == NO_BREAKDOWN:
        return "Geen uitsplitsing"
    if b == EXPERIENCE:
        return f"{GROUP_LABELS[STARTER]} / {GROUP_LABELS[EXPERIENCED].lower()}"
    return BREAKDOWN_LABELS.get(b, b.replace("_", " ").capitalize())


def _with_unknown_group(tables):
    """The count tables with the unknown group renamed, so the model keeps it as a group of its own."""
    groups = {b: [UNKNOWN_GROUP if (k == len(labels) - 1 and lab == UNKNOWN_LABEL) else lab
                  for k, lab in enumerate(labels)] for b, labels in tables.groups.items()}
    return dataclasses.replace(tables, groups=groups)


def _num(x, digits=2):
    """A JSON number (None for NaN: a hidden or empty cell)."""
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else round(x, digits)


def _dist_rows(frame, categories) -> list[dict]:
    return [{"rij": r["rij"], "n": None if r["verborgen_rij"] else int(r["n"]), "label": r["n_label"],
             "pct": [None if r["verborgen_rij"] else _num(r[c], 1) for c in categories]}
            for r in frame.to_dict("records")]


def _mean_rows(frame) -> list[dict]:
    return [{"rij": r["rij"], "n": None if r["verborgen_rij"] else int(r["n"]), "label": r["n_label"],
             "m": _num(r["gemiddelde"]), "lo": _num(r["ci_laag"]), "hi": _num(r["ci_hoog"])}
            for r in frame.to_dict("records")]


def _sentence(means: list[dict]) -> str:
    """Starters vs experienced in one sentence (as the dashboard's ``Bespreken`` tab), or ''."""
    from peo_lib.sentences import group_means_sentence

    by = {r["rij"]: r for r in means}
    s, e = by.get(GROUP_LABELS[STARTER]), by.get(GROUP_LABELS[EXPERIENCED])
    if s is None or e is None or s["m"] is None or e["m"] is None:
        return ""
    overlap = not (s["hi"] < e["lo"] or e["hi"] < s["lo"])
    return group_means_sentence({STARTER: s["m"], EXPERIENCED: e["m"]}, overlap=overlap)


def _subject_entry(model, rid, key, meta, breakdowns) -> dict:
    from peo_lib.report.plots import likert_colors

    cats = list(meta["categories"])
    k = len(cats)
    dist_ok = k <= _MAX_DIST_VALUES
    entry = {"key": key, "kind": meta["kind"], "id": meta["id"], "block": meta["block"],
             "label": meta["label"], "text": meta["text"], "categories": cats,
             "codes": [int(c) for c in meta["codes"]],
             "colors": likert_colors(k // 2, k % 2, k // 2) if dist_ok else None, "views": {}}
    for b in breakdowns:
        means = _mean_rows(model.means(rid, key, b))
        view = {"mean": means}
        if dist_ok:
            view["dist"] = _dist_rows(model.distribution(rid, key, b), cats)
        if b == EXPERIENCE:
            view["zin"] = _sentence(means)
        entry["views"][b] = view
    return entry


def _comparable(meta, now) -> bool:
    """The same question in another round: same text (a scale: same items) and the same answers."""
    return (meta["kind"] == now["kind"] and meta["text"] == now["text"] and meta["categories"] == now["categories"]
            and meta.get("items") == now.get("items"))


def _trend(models, key, now, breakdowns) -> dict:
    """Breakdown -> per comparable round (oldest first) its mean rows, each round suppressed on its own."""
    out = {}
    for b in breakdowns:
        out[b] = [{"ronde": rid, "rows": _mean_rows(model.means(rid, key, b))}
                  for rid, (model, t) in models.items()
                  if key in t.subjects and _comparable(t.subjects[key], now) and (b == "geen" or b in t.groups)]
    return out


def dashboard_data(tables, *, theme_title=None, earlier=()) -> dict:
    """The embedded data of one round's offline dashboard: suppressed aggregates only.

    Parameters
    ----------
    tables : RoundTables
        From :func:`peo_lib.dashboard.tables.load_tables` (or ``round_tables``).
    theme_title : str, optional
        The theme's name in the block list (default: the theme id in words).
    earlier : iterable of RoundTables
        Earlier rounds for the trend view (a subject's trend holds only the rounds that asked the same
        question: same text, items and answers).

    Returns
    -------
    dict
        ``round``, ``title``, ``min_n``, ``small`` (``n<5``), ``n``, ``blocks`` (id, label),
        ``breakdowns`` (id, label), ``subjects`` (per subject its metadata and, per breakdown, the rows
        ``dist`` (percentages, or None when hidden) and ``mean`` (mean and 95% interval), each with
        ``rij``, ``n`` (None when hidden) and ``label``; ``zin`` for starters vs experienced).
    """
    from peo_lib.dashboard.model import _Model
    from peo_lib.dashboard.tables import NO_BREAKDOWN, RoundTables
    from peo_lib.privacy.disclosure import label_small
    from peo_lib.report.plots import GROUP_COLORS

    if not isinstance(tables, RoundTables):
        raise TypeError(f"`tables` must be RoundTables (from load_tables), got {type(tables).__name__}")
    t = _with_unknown_group(tables)
    rid = t.round_id
    model = _Model({rid: t})
    models = {e.round_id: (_Model({e.round_id: e}), e) for e in map(_with_unknown_group, earlier)
              if e.round_id < rid}
    models[rid] = (model, t)
    breakdowns = [NO_BREAKDOWN] + [b for b in BREAKDOWNS if b in t.groups]
    keys = sorted(t.subjects, key=lambda k: (t.blocks.index(t.subjects[k]["block"])
                                             if t.subjects[k]["block"] in t.blocks else len(t.blocks),
                                             t.subjects[k]["kind"] != "scale"))
    theme = theme_title or t.theme.replace("_", " ").capitalize()
    return {
        "round": rid, "title": t.title, "theme_title": theme, "min_n": int(t.min_n),
        "small": label_small(t.min_n), "n": int(t.n), "total": TOTAL_LABEL,
        "blocks": [{"id": b, "label": "Kern (vaste vragen)" if b == CORE_BLOCK else f"Thema: {theme}"}
                   for b in t.blocks],
        "breakdowns": [{"id": b, "label": _breakdown_label(b)} for b in breakdowns],
        "subjects": [dict(_subject_entry(model, rid, k, t.subjects[k], breakdowns),
                          trend=_trend(dict(sorted(models.items())), k, t.subjects[k], breakdowns)) for k in keys],
        "group_colors": list(GROUP_COLORS),
    }


def _json_for_script(data) -> str:
    """JSON that cannot end its ``<script>`` element (``<``, ``>``, ``&`` escaped)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def dashboard_html(data: dict, *, provenance: str, notice: str | None = None) -> str:
    """The offline page: the template ``peo_lib/templates/dashboard/export.html`` with the data inlined.

    Raises
    ------
    ReportError
        The page would load something from the network (:func:`peo_lib.publish.html.check_offline_html`).
    """
    from peo_lib.errors import ReportError
    from peo_lib.paths import TEMPLATE_DIR
    from peo_lib.publish.html import check_offline_html

    page = (Path(TEMPLATE_DIR) / _TEMPLATE).read_text(encoding="utf-8")
    title = f"PEO ronde {data['round']}: {data.get('theme_title') or data['title']}"
    notice_html = f'<p class="peo-demo">{html.escape(notice)}</p>' if notice else ""
    values = {"TITLE": html.escape(title), "NOTICE": notice_html, "N": str(data["n"]), "MIN_N": str(data["min_n"]),
              "SMALL": html.escape(data["small"]), "PROVENANCE": html.escape(provenance),
              "DATA": _json_for_script(data)}
    page = re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: values[m.group(1)], page)  # one pass: no text is re-read
    bad = check_offline_html(page)
    if bad:
        raise ReportError(f"the offline dashboard would load {len(bad)} external resource(s), e.g. {bad[0]!r}")
    return page


def _provenance_text(round_id, data_dir) -> str:
    """The provenance line, from the codebook and the raw file's SHA-256 (the round is not loaded again)."""
    from peo_lib import paths
    from peo_lib.data.codebook import read_codebook
    from peo_lib.data.readers import sha256_file
    from peo_lib.report.provenance_line import provenance, provenance_paragraph

    cb = read_codebook(paths.codebook_path(round_id, data_dir))
    try:
        raw = sha256_file(cb.raw_file(paths.raw_dir(data_dir)))
    except OSError:
        raw = None
    return provenance_paragraph(provenance(SimpleNamespace(id=round_id, codebook=cb, raw_sha256=raw))).text


def export_dashboard(round_id, *, data_dir=None, out_dir=None, cache_dir=None) -> Path:
    """Write ``OUT/dashboard/ROUND.html``: the round's dashboard as one offline file.

    Parameters
    ----------
    round_id : str
        ``"2023-1"``.
    data_dir : str or Path, optional
        Holds ``codebooks/`` and ``raw/`` (default: ``data/`` or ``$PEO_DATA_DIR``).
    out_dir : str or Path, optional
        The output root (default: ``outputs/`` or ``$PEO_OUT_DIR``).
    cache_dir : str or Path, optional
        The dashboard's private table cache (default: :func:`peo_lib.dashboard.tables.default_cache_dir`).

    Returns
    -------
    Path
        The page; replaced in one rename (a failure leaves an older page intact).

    Raises
    ------
    PEOError
        Unknown round, a codebook or raw file error, or an output folder that cannot be written.
    """
    from peo_lib import paths
    from peo_lib.dashboard.tables import load_tables
    from peo_lib.errors import ReportError
    from peo_lib.publish.install import build_dir, check_out_dir, output_lock
    from peo_lib.sentences import DEMO_NOTICE

    round_id = paths.check_round_id(round_id)
    data = Path(data_dir) if data_dir is not None else Path(paths.DATA_DIR)
    root = check_out_dir(out_dir if out_dir is not None else paths.OUT_DIR, data_dir=data)
    available = paths.require_round_ids(data)
    if round_id not in available:
        raise ReportError(f"no codebook for round {round_id!r} in {paths.codebook_dir(data)} "
                          f"(available: {', '.join(available)}); pass --data-dir for another folder")
    every = load_tables(data, cache_dir=cache_dir)
    tables = every[round_id]
    theme = tables.title.split(":")[-1].strip() if ":" in tables.title else None
    earlier = [t for rid, t in every.items() if rid < round_id]
    page = dashboard_html(dashboard_data(tables, theme_title=theme, earlier=earlier),
                          provenance=_provenance_text(round_id, data),
                          notice=DEMO_NOTICE if paths.is_demo(data) else None)
    target = root / DASHBOARD_DIR / f"{round_id}.html"
    tmp = build_dir(root, f"dashboard-{round_id}")
    try:
        (tmp / target.name).write_text(page, encoding="utf-8")
        with output_lock(root, DASHBOARD_DIR):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / target.name, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
