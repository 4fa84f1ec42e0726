"""The project's vocabulary, written once: column names, group values and labels,
output file names and notebook cell tags.

No heavy imports: the CLI reads this at start-up. Everything a reader of an
output sees is Dutch; these constants are the one place where such a word
is spelled, so a change of wording is one edit.
"""

from __future__ import annotations

__all__ = [
    "EXPERIENCE", "EXPERIENCE_YEARS", "STARTER", "EXPERIENCED", "EXPERIENCE_GROUPS", "GROUP_LABELS",
    "ALL_RESPONDENTS", "TOTAL_LABEL", "UNKNOWN_LABEL", "CORE_BLOCK", "BREAKDOWNS", "BREAKDOWN_LABELS",
    "AUDIENCES", "AUDIENCE_LABELS", "PANEL_TAG", "CELL_TAGS",
    "ROUND_NOTEBOOK", "SUMMARY_HTML", "TABLES_XLSX", "FIGURE_DIR", "TRENDS_DIR", "TRENDS_NOTEBOOK",
    "TRENDS_HTML", "REGISTER_FILE", "SLIDES_PPTX", "DASHBOARD_DIR", "check_audience", "output_names",
]

# -- columns and groups --------------------------------------------------------
#: Derived column of ``Round.background``: 'startend' / 'ervaren' from the years of experience.
EXPERIENCE = "ervaringsgroep"
#: The background variable with the years of experience (codebook key).
EXPERIENCE_YEARS = "ervaring_jaren"
STARTER = "startend"
EXPERIENCED = "ervaren"
EXPERIENCE_GROUPS = (STARTER, EXPERIENCED)
#: Group value -> label in tables, charts and the dashboard.
GROUP_LABELS = {STARTER: "Startend", EXPERIENCED: "Ervaren"}
ALL_RESPONDENTS = "Alle respondenten"
TOTAL_LABEL = "Totaal"
UNKNOWN_LABEL = "Onbekend"
#: The block of core items repeated every round (every other block is a theme id).
CORE_BLOCK = "kern"
#: The breakdowns offered by default in reports and the dashboard, in this order.
BREAKDOWNS = (EXPERIENCE, "functie", "organisatie", "gemeente")
BREAKDOWN_LABELS = {EXPERIENCE: "Ervaring", "functie": "Functie", "organisatie": "Organisatie",
                    "gemeente": "Gemeente"}

# -- audiences and notebook cell tags ------------------------------------------
AUDIENCES = ("onderwijs", "professionals", "aanbieders", "gemeenten")
#: Who an audience summary is for (title line); ``None`` is the full summary.
AUDIENCE_LABELS = {"onderwijs": "het onderwijs", "professionals": "professionals",
                   "aanbieders": "jeugdhulpaanbieders", "gemeenten": "gemeenten"}
#: Tag of a cell that belongs to the full (panel) summary.
PANEL_TAG = "panel"
#: Every tag the round notebook may use to select cells; any other tag is an error.
CELL_TAGS = frozenset({PANEL_TAG, *AUDIENCES, "parameters", "injected-parameters"})

# -- output files ----------------------------------------------------------------
ROUND_NOTEBOOK = "ronde.ipynb"
SUMMARY_HTML = "samenvatting.html"
TABLES_XLSX = "tabellen.xlsx"
FIGURE_DIR = "figuren"
TRENDS_DIR = "trends"
TRENDS_NOTEBOOK = "trends.ipynb"
TRENDS_HTML = "trends.html"
REGISTER_FILE = "verbeteracties.yml"
#: The slide deck of a round (``peo slides ROUND``), in ``OUT/ROUND``.
SLIDES_PPTX = "presentatie.pptx"
#: Folder of the offline dashboards (``peo dashboard --export ROUND`` writes ``OUT/dashboard/ROUND.html``).
DASHBOARD_DIR = "dashboard"


def check_audience(audience):
    """None (the full summary) or one of :data:`AUDIENCES`; anything else is a ValueError."""
    if audience is not None and audience not in AUDIENCES:
        raise ValueError(f"`audience` must be one of {list(AUDIENCES)} (or None for the full summary), "
                         f"but {audience!r} was passed.")
    return audience


def output_names(audience=None) -> dict:
    """File names of one summary in ``OUT/ROUND``: ``notebook``, ``html`` and ``figures`` (a folder).

    The full summary writes ``ronde.ipynb``, ``samenvatting.html`` and ``figuren/``;
    an audience adds its name (``samenvatting-gemeenten.html``, ``figuren-gemeenten/``).
    """
    suffix = "" if check_audience(audience) is None else f"-{audience}"
    return {"notebook": f"ronde{suffix}.ipynb", "html": f"samenvatting{suffix}.html",
            "figures": f"{FIGURE_DIR}{suffix}"}
