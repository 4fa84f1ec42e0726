"""The live panel dashboard: ipywidgets in Voila, for PJH meetings on a projector.

One layer per module, each using only the ones above it:

:mod:`peo_lib.dashboard.tables`
    Each round reduced once to count tables (group x subject x answer
    category, sums for means; no respondent rows): :class:`RoundTables`,
    :func:`round_tables`, and :func:`load_tables` with its pickle cache in the
    private cache folder (``peo_lib.paths.cache_dir() / "dashboard"``).
:mod:`peo_lib.dashboard.model`
    The privacy-checked rows per selection (distribution, means with a 95%
    t-interval, trend), suppressed by the reports' rule
    (:func:`peo_lib.privacy.disclosure.distribution_mask`,
    :func:`~peo_lib.privacy.disclosure.group_size_mask`) and cached.
:mod:`peo_lib.dashboard.figures`
    Long-lived matplotlib figures whose artists are updated in place and
    blitted, encoded as PNG for an ``ipywidgets.Image``.
:mod:`peo_lib.dashboard.widget`
    The :class:`~peo_lib.dashboard.widget.Dashboard` (tabs ``Verkennen`` and
    ``Bespreken``) and :func:`~peo_lib.dashboard.widget.show_dashboard`, the one
    call of ``notebooks/dashboard.ipynb``.
:mod:`peo_lib.dashboard.server`
    Starts Voila on 127.0.0.1 with the offline ``peo`` template
    (``peo dashboard``).

Importing this package is cheap: the names below are loaded from their module
on first use, so the CLI does not pay for pandas, matplotlib or ipywidgets.
"""

from __future__ import annotations

from peo_lib._lazy import attach


_HOME = {
    "Dashboard": "widget",
    "show_dashboard": "widget",
    "RoundTables": "tables",
    "round_tables": "tables",
    "load_tables": "tables",
    "serve_dashboard": "server",
}

__getattr__, __dir__, __all__ = attach(__name__, _HOME)
