"""Render the report structure (:mod:`peo_lib.report.structure`) as HTML.

Dutch number formats (decimal comma), escaped text everywhere, tables with
header scopes and captions, figures as embedded PNG with their alt text (the
published page loads nothing from the network).
"""

from __future__ import annotations

import base64
import html

from peo_lib.formatting import format_nl, format_p, format_pct
from peo_lib.report.structure import Bullets, Details, Figure, Heading, Html, Paragraph, Section, Table

__all__ = ["render_html", "format_cell", "table_box"]

_PARAGRAPH_CLASS = {"text": None, "note": "peo-note", "small": "peo-small"}


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return value != value  # NaN
    except Exception:  # noqa: BLE001 - a value that cannot compare is not missing
        return False


def format_cell(value, kind: str, small: str) -> tuple[str, bool]:
    """(escaped text, is numeric) of one cell; kind in :data:`peo_lib.report.structure.CELL_KINDS`."""
    if kind == "text":
        return html.escape(str(value)), False
    if _missing(value):
        return html.escape(small), True
    if kind == "int":
        return str(int(round(float(value)))), True
    if kind == "mean":
        return format_nl(value, 1), True
    if kind == "diff":
        text = format_nl(value, 1)
        return (("+" + text) if float(value) > 0 and text != "0,0" else text), True
    if kind == "pct":
        return format_pct(value, 0), True
    if kind == "p":
        return html.escape(format_p(value)), True
    if kind == "coef":
        return format_nl(value, 2), True
    raise ValueError(f"`kind` must be a cell kind, but {kind!r} was passed.")


def _table(t: Table) -> str:
    num_class = ' class="num"'
    head = "".join(f'<th scope="col"{num_class if c.kind != "text" else ""}>{html.escape(c.header)}</th>'
                   for c in t.columns)
    body = []
    for rec in t.data.to_dict("records"):
        cells = []
        hidden = bool(rec.get(t.hidden_col)) if t.hidden_col in rec else False
        for k, c in enumerate(t.columns):
            value = rec.get(c.source)
            if c.kind != "text" and hidden and (t.row_small_cols is None or c.source in t.row_small_cols):
                value = float("nan")
            text, num = format_cell(value, c.kind, t.small)
            if t.row_header and k == 0:
                cells.append(f'<th scope="row">{text}</th>')
            else:
                cells.append(f"<td{num_class if num else ''}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(t.caption)}</caption>" if t.caption else ""
    return table_box(f'<table class="peo-table">{cap}<thead><tr>{head}</tr></thead>'
                     f'<tbody>{"".join(body)}</tbody></table>', caption=t.caption)


def table_box(table_html: str, *, caption: str | None) -> str:
    """Wrap a ``<table>`` in the box that scrolls sideways on a narrow screen (the page never does,
    WCAG 1.4.10): focusable and named by the caption, so a keyboard can scroll it too."""
    region = f' role="region" aria-label="{html.escape(caption)}"' if caption else ""
    return f'<div class="peo-table-wrap" tabindex="0"{region}>{table_html}</div>'


def _figure(f: Figure) -> str:
    data = base64.b64encode(f.png).decode("ascii")
    return (f'<figure class="peo-figure"><img src="data:image/png;base64,{data}" alt="{html.escape(f.alt)}" '
            f'width="{f.width}" style="max-width:100%;height:auto"></figure>')


def _details(d: Details) -> str:
    body = "".join(render_html(b) for b in d.blocks)
    return f'<details class="peo-details"><summary>{html.escape(d.summary)}</summary>{body}</details>'



def _paragraph(p: Paragraph) -> str:
    cls = p.css_class or _PARAGRAPH_CLASS.get(p.kind)
    attrs = f' class="{cls}"' if cls else ""
    attrs += "".join(f' data-{k}="{html.escape(str(v))}"' for k, v in p.data.items())
    return f"<p{attrs}>{html.escape(p.text)}</p>"


def _bullets(b: Bullets) -> str:
    tag = "ol" if b.ordered else "ul"
    cls = b.css_class or ("peo-answers" if b.kind == "answers" else "peo-sentences")
    items = []
    for k, item in enumerate(b.items):
        count = b.counts[k] if b.counts else 1
        extra = f' <span class="peo-note">({count} keer)</span>' if count > 1 else ""
        items.append(f"<li>{html.escape(str(item))}{extra}</li>")
    return f'<{tag} class="{cls}">{"".join(items)}</{tag}>'


def _heading(h: Heading) -> str:
    anchor = f' id="{html.escape(h.anchor)}"' if h.anchor else ""
    return f"<h{h.level}{anchor}>{html.escape(h.text)}</h{h.level}>"


def render_html(block) -> str:
    """The HTML of a block or a :class:`~peo_lib.report.structure.Section` (recursively)."""
    if isinstance(block, Section):
        head = _heading(Heading(block.title, block.level)) if block.title else ""
        return head + "".join(render_html(b) for b in block.blocks)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        return _figure(block)
    if isinstance(block, Paragraph):
        return _paragraph(block)
    if isinstance(block, Bullets):
        return _bullets(block)
    if isinstance(block, Heading):
        return _heading(block)
    if isinstance(block, Details):
        return _details(block)
    if isinstance(block, Html):
        return block.html
    raise TypeError(f"cannot render a {type(block).__name__} as HTML")
