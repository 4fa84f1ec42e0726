"""peo_lib: the library of the PEO research workspace (Ruimte voor de professional).

Public names are imported lazily so that ``import peo_lib`` (and the CLI's
start-up) stays fast; heavy modules (statsmodels, matplotlib) load on first use.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "load_round": "rounds",
    "load_rounds": "rounds",
    "Round": "rounds",
    "read_codebook": "codebook",
    "Codebook": "codebook",
    "compare_codebooks": "codebook",
    "score_scales": "scoring",
    "reverse_keyed": "scoring",
    "cronbach_alpha": "reliability",
    "omega_total": "reliability",
    "reliability_table": "reliability",
    "item_descriptives": "descriptives",
    "scale_descriptives": "descriptives",
    "scale_trend": "trends",
    "adjusted_trend": "trends",
    "stack_rounds": "trends",
    "comparability": "trends",
    "read_register": "register",
    "disclosure_mask": "privacy",
    "suppress_tidy": "privacy",
    "open_answers_for_output": "privacy",
    "scrub_open_answers": "privacy",
    "build_report": "report",
    "run_round_report": "publish",
    "run_reports": "publish",
    "run_trends_report": "trends_report",
    "PEOError": "errors",
    "CodebookError": "errors",
    "RawDataError": "errors",
    "RegisterError": "errors",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'peo_lib' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
