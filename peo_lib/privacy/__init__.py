"""Privacy: every output passes through here (design.md, "Privacy rules"; docs/privacy.md).

Modules
-------
:mod:`peo_lib.privacy.disclosure`
    Disclosure control of tables: which counts and statistics are hidden
    (``disclosure_mask``, ``suppress``, ``suppress_table``, ``suppress_tidy``,
    ``suppress_groups``, ``group_size_mask``, ``distribution_mask``,
    ``add_margins``, ``label_small``).
:mod:`peo_lib.privacy.scrub`
    Scrubbing of open answers: regex rules plus deduce (``Scrubber``,
    ``get_scrubber``, ``scrub_texts``, ``scrub_open_answers`` with its cache
    in :func:`peo_lib.paths.scrub_cache_dir`, ``deduce_cache_path``).
:mod:`peo_lib.privacy.open_answers`
    Which scrubbed answers may be shown: ``open_answers_for_output`` (groups
    of at least ``min_n_open``, no respondent ids).

The public names are re-exported here lazily: ``import peo_lib.privacy`` loads
none of the submodules (nor pandas); ``peo_lib.privacy.suppress_tidy`` loads
:mod:`~peo_lib.privacy.disclosure` on first use.
"""

from __future__ import annotations

import importlib

_LAZY = {
    **dict.fromkeys(["disclosure_mask", "suppress", "suppress_table", "suppress_tidy", "suppress_groups",
                     "group_size_mask", "distribution_mask", "add_margins", "label_small", "TOTAL_LABEL"],
                    "disclosure"),
    **dict.fromkeys(["Scrubber", "get_scrubber", "scrub_texts", "scrub_open_answers", "deduce_cache_path",
                     "SCRUBBER_VERSION", "TAGS"], "scrub"),
    **dict.fromkeys(["open_answers_for_output"], "open_answers"),
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'peo_lib.privacy' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
