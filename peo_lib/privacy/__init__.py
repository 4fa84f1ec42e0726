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

from peo_lib._lazy import attach

_LAZY = {
    **dict.fromkeys(["disclosure_mask", "suppress", "suppress_table", "suppress_tidy", "suppress_groups",
                     "group_size_mask", "distribution_mask", "add_margins", "label_small", "TOTAL_LABEL"],
                    "disclosure"),
    **dict.fromkeys(["Scrubber", "get_scrubber", "scrub_texts", "scrub_open_answers", "deduce_cache_path",
                     "SCRUBBER_VERSION", "TAGS"], "scrub"),
    **dict.fromkeys(["open_answers_for_output"], "open_answers"),
}

__getattr__, __dir__, __all__ = attach(__name__, _LAZY)
