"""The report structure: what a section says, independent of how it is shown.

Every section method of :class:`~peo_lib.report.round.RoundReport` and
:class:`~peo_lib.report.trends.TrendsReport` returns a :class:`Section`: a
title and a list of blocks (headings, paragraphs, tables that already passed
disclosure control, figures with their alt text, lists of sentences). The
renderers turn that one structure into notebook/HTML output
(:mod:`peo_lib.report.render_html`), and can turn it into slides or a handout
later, without computing anything again (the ydata-profiling idea: compute,
then structure, then render).

A Section displays itself in a notebook (``_repr_html_``), so a notebook cell
that ends in ``rapport.comparison_tables()`` shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["Column", "Heading", "Paragraph", "Bullets", "Table", "Figure", "Details", "Html", "Section", "NOTE",
           "SMALL"]

#: Paragraph kinds: ordinary text, a muted note, the "too few respondents" remark.
TEXT, NOTE, SMALL = "text", "note", "small"
#: Table cell kinds (how a value is formatted in Dutch): see render_html.format_cell.
CELL_KINDS = ("text", "int", "mean", "pct", "p", "coef", "diff")


class _Block:
    """Every block displays itself in a notebook (a section method may return a single block)."""

    def _repr_html_(self):
        from peo_lib.report.render_html import render_html

        return render_html(self)


class Column(NamedTuple):
    """One table column: the source column of the DataFrame, its Dutch header, the cell kind."""

    source: str
    header: str
    kind: str = "text"


@dataclass
class Heading(_Block):
    text: str
    level: int = 3
    anchor: str | None = None


@dataclass
class Paragraph(_Block):
    text: str
    kind: str = TEXT
    css_class: str | None = None
    data: dict = field(default_factory=dict)  # data-* attributes (tests and scripts find a sentence by them)


@dataclass
class Bullets(_Block):
    """A list of sentences (``ordered=True``: numbered), or of answers with their counts."""

    items: list
    kind: str = "sentences"
    ordered: bool = False
    counts: list | None = None
    css_class: str | None = None  # e.g. "peo-findings" (the key findings)


@dataclass
class Table(_Block):
    """A table that already passed disclosure control.

    ``data`` holds the rows; a row with ``hidden_col`` True shows ``small`` in the
    columns ``row_small_cols`` (every non-text column when None); a NaN value shows
    ``small`` too (a cell hidden on its own).
    """

    data: object  # pandas DataFrame (not imported here: this module stays light)
    columns: list
    small: str
    caption: str | None = None
    hidden_col: str = "suppressed"
    row_small_cols: set | None = None
    row_header: bool = False  # the first column heads its row (a pivot table)

    def __post_init__(self):
        self.columns = [c if isinstance(c, Column) else Column(*c) for c in self.columns]
        for c in self.columns:
            if c.kind not in CELL_KINDS:
                raise ValueError(f"`kind` must be one of {list(CELL_KINDS)}, but {c.kind!r} was passed.")


@dataclass
class Figure(_Block):
    """A chart drawn once: the PNG bytes (the same file lands in ``figuren/``), its alt text and width (px)."""

    name: str
    png: bytes
    alt: str
    width: int


@dataclass
class Details(_Block):
    """Blocks a reader can open (``<details>``), e.g. the numbers of a chart right below it."""

    summary: str
    blocks: list = field(default_factory=list)


@dataclass
class Html(_Block):
    """Pre-rendered, already escaped HTML (for the rare block no other type fits)."""

    html: str


@dataclass
class Section(_Block):
    """A titled list of blocks; renders itself as HTML in a notebook."""

    blocks: list = field(default_factory=list)
    title: str | None = None
    level: int = 2

    def add(self, *blocks) -> "Section":
        self.blocks.extend(b for b in blocks if b is not None)
        return self

    def __iter__(self):
        return iter(self.blocks)

    def figures(self) -> list:
        return [b for b in self.walk() if isinstance(b, Figure)]

    def tables(self) -> list:
        return [b for b in self.walk() if isinstance(b, Table)]

    def walk(self):
        for b in self.blocks:
            if isinstance(b, (Section, Details)):
                yield from Section(b.blocks).walk()
            else:
                yield b

    def text(self) -> str:
        """The plain text of the section's headings, paragraphs and sentences (for slides, tests, alt texts)."""
        out = [self.title] if self.title else []
        for b in self.walk():
            if isinstance(b, (Heading, Paragraph)):
                out.append(b.text)
            elif isinstance(b, Bullets):
                out.extend(str(i) for i in b.items)
        return "\n".join(out)

    def __repr__(self):  # plain-text fallback (e.g. in a terminal)
        return self.text() or "Section()"
