"""Banner tables as a researcher reads them: one block of statements against several breakdowns.

:func:`peo_lib.stats.crosstab.banner` computes the tidy table (column percentages,
SPSS "compare column proportions" letters, suppression decided on unweighted
bases). This module lays it out the way SPSS Custom Tables, Displayr and
Qualtrics Crosstabs do: rows are statement x answer, columns are breakdown x
group (each group with its letter), a legend above. The same wide table feeds
the xlsx (:func:`write_banner_sheets`: a sheet per block), the report appendix
(:func:`banner_section`) and ``notebooks/verkennen.ipynb``.

Decision: in the xlsx a percentage stays a number (``0%`` format) and its letters
sit in the narrow column right of it (``Sig.``), instead of one text cell
``"45% B"``: the sheet stays usable for sums and charts and no numeric column
holds text (the rule of every other sheet).
"""

from __future__ import annotations

import pandas as pd

from peo_lib._validate import check_argument
from peo_lib.sentences import COUNTS_UNWEIGHTED, without_weight_sentence
from peo_lib.vocab import BREAKDOWN_LABELS, GROUP_LABELS

__all__ = ["banner_for_block", "banner_wide", "banner_legend", "banner_section", "banner_section_of", "banner_sheets",
           "write_banner_sheets", "weighting_sentence", "margin_labels"]

#: Header of the letters column beside each percentage (xlsx).
LETTERS_HEADER = "Sig."


def banner_legend(*, alpha: float = 0.05, weighted: bool = False, min_n: int = 5) -> str:
    """The Dutch sentence above every banner table: what the letters and empty columns mean."""
    pct = f"{alpha:.2f}".replace(".", ",")
    base = "gewogen percentages; " if weighted else ""
    return (f"Percentages van de kolom ({base}basis: wie de stelling beantwoordde). Een letter bij een percentage "
            f"betekent: dit percentage is duidelijk hoger dan in de kolom met die letter (toets op twee "
            f"proporties, Bonferroni-correctie per rij, p < {pct}). Een lege kolom heeft minder dan {min_n} "
            "respondenten en is niet getoond en niet getoetst.")


def weighting_sentence(weights, *, what: str = "De percentages zijn") -> str | None:
    """One Dutch sentence on what the figures are weighted to, or None without weights.

    ``what`` names the weighted figures (``"De gemiddelden en toetsen in dit deel zijn"``)."""
    if weights is None:
        return None
    from peo_lib.stats.weighting import weighting_summary

    info = dict(getattr(weights, "attrs", {}).get("raking", {}) or {})
    source = (info.get("source") or {}).get("bron")
    labels = margin_labels(weights)
    text = f"{what} gewogen naar {' en '.join(labels) if labels else 'de populatie'}"
    text += f" (bron: {source})." if source else "."
    text += f" {COUNTS_UNWEIGHTED}"
    without = int(weighting_summary(weights)["n_unweighted"])
    if without:  # in n, not in the weighted figures: said, or n and a mean disagree unexplained
        text += " " + without_weight_sentence(without, labels)
    return text


def margin_labels(weights) -> list[str]:
    """The Dutch names (lower case) of the variables ``weights`` are raked to (its ``raking`` record)."""
    margins = (getattr(weights, "attrs", {}).get("raking", {}) or {}).get("margins") or {}
    return [BREAKDOWN_LABELS.get(v, v).lower() for v in margins]


def _group_label(by: str, group) -> str:
    return GROUP_LABELS.get(group, str(group)) if by == "ervaringsgroep" else str(group)


def banner_wide(tidy: pd.DataFrame, rnd) -> pd.DataFrame:
    """Lay a tidy :func:`~peo_lib.stats.crosstab.banner` out wide.

    Returns
    -------
    DataFrame
        Index (``Stelling``, ``Antwoord``); columns a MultiIndex (breakdown label,
        ``group (A)``, ``%``/``Sig.``); hidden groups' cells are NaN / empty. A first
        row per statement ``n`` holds each column's unweighted base.
    """
    if tidy.empty:
        return pd.DataFrame()
    texts = {i: f"{rnd.codebook.items[i].text} ({i})" for i in tidy["item"].unique()}
    cells: dict = {}
    rows, cols = {}, {}
    for rec in tidy.itertuples(index=False):
        col = (BREAKDOWN_LABELS.get(rec.by, rec.by), f"{_group_label(rec.by, rec.group)} ({rec.letter})")
        cols.setdefault(col, None)
        text = texts[rec.item]
        rows.setdefault((text, "n"), None)
        rows.setdefault((text, rec.category), None)
        cells[((text, "n"), (*col, "%"))] = rec.base
        cells[((text, rec.category), (*col, "%"))] = rec.pct
        cells[((text, rec.category), (*col, LETTERS_HEADER))] = rec.letters or ""
    columns = pd.MultiIndex.from_tuples([(*c, kind) for c in cols for kind in ("%", LETTERS_HEADER)])
    index = pd.MultiIndex.from_tuples(list(rows), names=["Stelling", "Antwoord"])
    data = [[cells.get((r, c), float("nan") if c[2] == "%" else "") for c in columns] for r in index]
    return pd.DataFrame(data, index=index, columns=columns)


def banner_for_block(rnd, block: str, *, by=None, weights=None, min_n=None, alpha: float = 0.05) -> pd.DataFrame:
    """The wide banner of one block: its statements that share one response set, against ``by``.

    Parameters
    ----------
    rnd : Round
    block : str
        A block of the codebook (``kern`` or a theme id).
    by : list of str, optional
        Breakdowns (default: the codebook's ``breakdowns`` or ``vocab.BREAKDOWNS`` the round has).
    weights : Series, optional
        From :func:`peo_lib.stats.weighting.rake_weights`.
    min_n, alpha
        As :func:`peo_lib.stats.crosstab.banner`.
    """
    from peo_lib.stats.crosstab import banner

    check_argument("block", rnd.codebook.blocks, block)
    items = rnd.codebook.items_in_block(block)
    if by is None:
        declared = getattr(rnd.codebook, "breakdowns", None)
        from peo_lib.vocab import BREAKDOWNS

        by = [b for b in (declared or BREAKDOWNS) if b in rnd.background.columns]
    tidy = banner(rnd, items=items, by=list(by), weights=weights, min_n=min_n, alpha=alpha)
    return banner_wide(tidy, rnd)


def _sheet_title(block: str) -> str:
    """``Kruistabel kernvragen`` / ``Kruistabel corona`` (an xlsx sheet title has at most 31 characters)."""
    from peo_lib.vocab import CORE_BLOCK

    return ("Kruistabel kernvragen" if block == CORE_BLOCK else f"Kruistabel {block}")[:31]


def banner_sheets(rnd, *, weights=None, min_n=None, alpha: float = 0.05) -> dict:
    """Sheet title -> wide banner, one per block (``Kruistabel kernvragen``, ``Kruistabel corona``)."""
    return {_sheet_title(block): banner_for_block(rnd, block, weights=weights, min_n=min_n, alpha=alpha)
            for block in rnd.codebook.blocks}


def write_banner_sheets(wb, rnd, *, weights=None, min_n=None, alpha: float = 0.05, sheets=None) -> list[str]:
    """Add the banner sheets to an openpyxl workbook; return their titles.

    Layout per sheet: the legend (and the weighting sentence) in the first rows, then two
    header rows (breakdown, group with its letter) with ``%``/``Sig.`` below them, frozen,
    then a row ``n`` and the answers per statement. Percentages are numbers (``0%``).
    ``sheets``: :func:`banner_sheets` of the same arguments when the caller has them already
    (the round report shows the same banners in its appendix).
    """
    from openpyxl.styles import Alignment, Font

    from peo_lib.report.excel import _as_text

    mn = min_n if min_n is not None else rnd.codebook.privacy.min_n
    titles = []
    if sheets is None:
        sheets = banner_sheets(rnd, weights=weights, min_n=min_n, alpha=alpha)
    for title, wide in sheets.items():
        if wide.empty:
            continue
        ws = wb.create_sheet(title)
        lines = [banner_legend(alpha=alpha, weighted=weights is not None, min_n=mn)]
        if (sentence := weighting_sentence(weights)) is not None:
            lines.append(sentence)
        for r, line in enumerate(lines, start=1):
            ws.cell(r, 1, line).font = Font(italic=True)
        top = len(lines) + 2
        ws.cell(top, 1, "Stelling").font = Font(bold=True)
        ws.cell(top, 2, "Antwoord").font = Font(bold=True)
        for j, (indeling, kolom, kind) in enumerate(wide.columns, start=3):
            if kind == "%":
                ws.cell(top, j, indeling).font = Font(bold=True)
                ws.cell(top + 1, j, kolom).font = Font(bold=True)
            ws.cell(top + 2, j, kind).alignment = Alignment(horizontal="center")
        for i, ((text, answer), row) in enumerate(wide.iterrows(), start=top + 3):
            ws.cell(i, 1, text)
            ws.cell(i, 2, answer)
            for cell in (ws.cell(i, 1), ws.cell(i, 2)):
                _as_text(cell)
            for j, ((_, _, kind), v) in enumerate(row.items(), start=3):
                if kind == LETTERS_HEADER:
                    if isinstance(v, str) and v:
                        _as_text(ws.cell(i, j, v))
                    continue
                if pd.isna(v):
                    continue
                c = ws.cell(i, j, float(v) if answer == "n" else float(v) / 100)
                c.number_format = "0" if answer == "n" else "0%"
        ws.freeze_panes = ws.cell(top + 3, 3)
        ws.column_dimensions["A"].width = 60
        ws.column_dimensions["B"].width = 24
        titles.append(title)
    return titles


def banner_section(rnd, *, weights=None, min_n=None, alpha: float = 0.05):
    """The appendix section "Kruistabellen": per block the banner as a table, the legend above it."""
    mn = min_n if min_n is not None else rnd.codebook.privacy.min_n
    return banner_section_of(banner_sheets(rnd, weights=weights, min_n=min_n, alpha=alpha), min_n=mn,
                             alpha=alpha, weighting=weighting_sentence(weights))


def banner_section_of(sheets: dict, *, min_n: int, alpha: float = 0.05, weighting: str | None = None,
                      level: int = 3):
    """:func:`banner_section` from banners already computed (title -> wide banner, :func:`banner_sheets`).

    The dashboard keeps these (suppressed aggregates, no respondent rows) in its cached tables
    and renders them with this function, so report and dashboard show the same table.
    ``weighting`` is :func:`weighting_sentence` of the weights used, or None (unweighted).
    """
    from peo_lib.report.structure import Heading, Html, Paragraph, Section

    blocks = [Paragraph(banner_legend(alpha=alpha, weighted=weighting is not None, min_n=min_n), kind="note")]
    if weighting is not None:
        blocks.append(Paragraph(weighting, kind="note"))
    for title, wide in sheets.items():
        if wide.empty:
            continue
        blocks.append(Heading(title, level=level))
        blocks.append(Html(_wide_html(wide, caption=title)))
    return Section(blocks, title="Kruistabellen")


def _wide_html(wide: pd.DataFrame, *, caption: str) -> str:
    """An accessible HTML table of a wide banner: ``45% B`` per cell, header scopes, a caption."""
    from html import escape

    from peo_lib.formatting import format_pct

    groups = [(a, b) for a, b, kind in wide.columns if kind == "%"]
    spans = {}
    for a, _ in groups:
        spans[a] = spans.get(a, 0) + 1
    head1 = "".join(f'<th scope="colgroup" colspan="{n}">{escape(a)}</th>' for a, n in spans.items())
    head2 = "".join(f'<th scope="col">{escape(b)}</th>' for _, b in groups)
    body = []
    for (text, answer), row in wide.iterrows():
        cells = []
        for a, b in groups:
            v, letters = row[(a, b, "%")], row[(a, b, LETTERS_HEADER)]
            if pd.isna(v):
                cells.append("<td>–</td>")
            elif answer == "n":
                cells.append(f"<td>{int(v)}</td>")
            else:
                sig = f" <strong>{escape(letters)}</strong>" if isinstance(letters, str) and letters else ""
                cells.append(f"<td>{format_pct(v)}{sig}</td>")
        body.append(f'<tr><th scope="row">{escape(text)}</th><th scope="row">{escape(answer)}</th>'
                    + "".join(cells) + "</tr>")
    from peo_lib.report.render_html import table_box

    return table_box(f'<table class="peo-table peo-banner"><caption>{escape(caption)}</caption><thead><tr>'
                     f'<th scope="col" rowspan="2">Stelling</th><th scope="col" rowspan="2">Antwoord</th>{head1}'
                     f"</tr><tr>{head2}</tr></thead><tbody>{''.join(body)}</tbody></table>", caption=caption)
