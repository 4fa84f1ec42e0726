"""Reports: compute the tidy, suppressed tables, build the report structure, render it.

Modules (the pipeline inside a report):

- :mod:`~peo_lib.report.tables`: the round report's tidy tables (every figure already suppressed).
- :mod:`~peo_lib.report.audience_tables`: the tables of the audience summaries.
- :mod:`~peo_lib.report.structure`: the section objects (headings, paragraphs, tables, figures).
- :mod:`~peo_lib.report.round`: :class:`RoundReport`, one method per section of ``notebooks/ronde.ipynb``.
- :mod:`~peo_lib.report.trends`: :class:`TrendsReport` for ``notebooks/trends.ipynb``.
- :mod:`~peo_lib.report.render_html`: sections -> HTML; :mod:`~peo_lib.report.excel`: tables -> xlsx.
- :mod:`~peo_lib.report.plots`, :mod:`~peo_lib.report.trend_plots`: the charts (drawn from suppressed tables).
- :mod:`~peo_lib.report.provenance_line`: the provenance line.

Public names are importable from this package (``from peo_lib import report;
report.likert_table(...)``); they load on first use, so importing the package is cheap.
"""

from __future__ import annotations

from peo_lib._lazy import attach

_LAZY = {
    **dict.fromkeys(["BACKGROUND_VARIABLES", "UNKNOWN", "resolve_min_n", "figure_folder", "response_overview",
                     "scale_summary", "scale_means_by_group", "likert_table", "likert_groups",
                     "experience_comparison", "theme_items", "previous_round_id", "change_since_previous",
                     "open_answers"], "tables"),
    **dict.fromkeys(["rules_items", "rules_scales", "room_items", "experience_items", "scale_score_bins",
                     "scale_quartiles", "statement_shares", "organisation_results", "municipal_scale_means",
                     "municipal_item_shares", "municipal_differences"], "audience_tables"),
    **dict.fromkeys(["RoundReport", "build_report", "notebook_setup"], "round"),
    **dict.fromkeys(["TrendsReport", "build_trends_report"], "trends"),
    **dict.fromkeys(["git_commit", "provenance"], "provenance_line"),
    "write_tables": "excel",
    "Section": "structure",
    "AUDIENCES": "round",
    "AUDIENCE_LABELS": "round",
}
_SUBMODULES = ("tables", "audience_tables", "structure", "round", "trends", "render_html", "excel", "plots",
               "trend_plots", "provenance_line")

__getattr__, __dir__, __all__ = attach(__name__, _LAZY, submodules=_SUBMODULES)
