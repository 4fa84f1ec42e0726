"""The dashboard's ``Kruistabellen`` tab: the report's banner tables and multiple-response questions.

Nothing is computed here: the tables are the report's own, already suppressed, kept in
the cached :class:`~peo_lib.dashboard.tables.RoundTables` (``banners``, ``multiple``) and
rendered with the report's section functions, so the dashboard and ``samenvatting.html``
show the same numbers and the same letters.
"""

from __future__ import annotations

__all__ = ["BannerPanel", "MULTIPLE_CHOICE"]

#: The option of the table dropdown that shows the "tick all that apply" questions.
MULTIPLE_CHOICE = "__meer_antwoorden__"


def table_choices(tables) -> list[tuple[str, str]]:
    """(label, value) of the table dropdown for one round: a banner per block, then multiple response."""
    out = [(title, title) for title, wide in tables.banners.items() if not wide.empty]
    if tables.multiple is not None and not tables.multiple.empty:
        out.append(("Vragen met meer antwoorden", MULTIPLE_CHOICE))
    return out or [("Geen kruistabellen in deze ronde", "")]


def table_html(tables, choice: str) -> str:
    """The HTML of one choice of :func:`table_choices` for one round (the report's own rendering)."""
    from peo_lib.report.banner_tables import banner_section_of
    from peo_lib.report.render_html import render_html
    from peo_lib.report.tables import multiple_response_section

    if choice == MULTIPLE_CHOICE:
        return render_html(multiple_response_section(tables.multiple, min_n=tables.min_n, level=3))
    if choice not in tables.banners:
        return "<p>Deze ronde heeft geen blok met stellingen op één antwoordschaal.</p>"
    return render_html(banner_section_of({choice: tables.banners[choice]}, min_n=tables.min_n,
                                         weighting=tables.banner_weighting, level=3))


class BannerPanel:
    """Round and table dropdowns over an HTML widget (``.widget`` is the tab's content).

    Parameters
    ----------
    tables : dict
        Round id -> :class:`~peo_lib.dashboard.tables.RoundTables`.
    latest : str
        The round shown first.
    """

    def __init__(self, tables: dict, *, latest: str):
        import ipywidgets as W

        self.tables = tables
        st = {"description_width": "initial"}
        self.round = W.Dropdown(options=[(f"{rid} · {t.title}", rid) for rid, t in tables.items()], value=latest,
                                description="Ronde", style=st, layout=W.Layout(width="auto"))
        self.table = W.Dropdown(options=table_choices(tables[latest]), description="Tabel", style=st,
                                layout=W.Layout(width="auto"))
        self.html = W.HTML()
        self.round.add_class("peo-banner-round")
        self.table.add_class("peo-banner-table")
        self.html.add_class("peo-banner-html")
        self.widget = W.VBox([W.HBox([self.round, self.table]), self.html])
        self._shown = None
        self.round.observe(self._on_round, names="value")
        self.table.observe(lambda _: self.refresh(), names="value")

    def _on_round(self, _change):
        choices = table_choices(self.tables[self.round.value])
        old = self.table.value
        self.table.unobserve_all("value")
        self.table.options = choices
        self.table.value = old if old in [v for _, v in choices] else choices[0][1]
        self.table.observe(lambda _: self.refresh(), names="value")
        self.refresh()

    def refresh(self):
        """Render the chosen table (only when the choice changed: the tables are large)."""
        key = (self.round.value, self.table.value)
        if key != self._shown:
            self.html.value = table_html(self.tables[self.round.value], self.table.value)
            self._shown = key
