"""peo_lib: the library of the PEO research workspace (Ruimte voor de professional).

Public names are imported lazily so that ``import peo_lib`` (and the CLI's
start-up) stays fast; heavy modules (statsmodels, matplotlib) load on first use.
"""

from __future__ import annotations

from peo_lib._lazy import attach

__version__ = "0.1.0"

_LAZY = {
    "load_round": "data.rounds",
    "load_rounds": "data.rounds",
    "Round": "data.rounds",
    "read_codebook": "data.codebook",
    "Codebook": "data.codebook",
    "compare_codebooks": "data.codebook",
    "score_scales": "stats.scoring",
    "reverse_keyed": "stats.scoring",
    "cronbach_alpha": "stats.reliability",
    "omega_total": "stats.reliability",
    "omega_diagnostics": "stats.reliability",
    "reliability_table": "stats.reliability",
    "item_descriptives": "stats.descriptives",
    "scale_descriptives": "stats.descriptives",
    "scale_trend": "stats.trends",
    "adjusted_trend": "stats.trends",
    "stack_rounds": "stats.trends",
    "comparability": "stats.trends",
    "read_register": "data.register",
    "read_population": "data.population",
    "rake_weights": "stats.weighting",
    "round_weights": "stats.weighting",
    "weighted_mean": "stats.weighting",
    "weighted_proportions": "stats.weighting",
    "crosstab": "stats.crosstab",
    "crosstab_means": "stats.crosstab",
    "banner": "stats.crosstab",
    "disclosure_mask": "privacy.disclosure",
    "suppress_tidy": "privacy.disclosure",
    "open_answers_for_output": "privacy.open_answers",
    "scrub_open_answers": "privacy.scrub",
    "scrub_texts": "privacy.scrub",
    "build_report": "report.round",
    "run_round_report": "publish.runner",
    "run_reports": "publish.runner",
    "run_trends_report": "publish.runner",
    "PEOError": "errors",
    "CodebookError": "errors",
    "RawDataError": "errors",
    "RegisterError": "errors",
}

__getattr__, __dir__, __all__ = attach(__name__, _LAZY)
__all__ = [*__all__, "__version__"]
