"""A drafted codebook (what ``peo init-round`` infers): its parts, its response sets, and its YAML.

:mod:`peo_lib.data.init_round` works out from an export *what* the codebook of a
new round should say and fills a :class:`Draft`. This module holds

* the parts of a draft (:class:`Draft`, :class:`DraftItem`, ...: small
  dataclasses, no positional tuples);
* how answer codes and labels of a column become response sets
  (:class:`ResponseSets`, :func:`response_set_for`, :func:`background_values`);
* the one renderer, :func:`render_codebook`, which alone decides how a draft
  reads as YAML: key order, flow mappings, double-quoted strings, and a
  ``# CONTROLEER: ...`` comment line above every entry a person must confirm.
  The text always parses as a codebook
  (:func:`~peo_lib.data.codebook.read_codebook`), comments included.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from peo_lib.data.codebook import Codebook, normalise_label

__all__ = ["MARKER", "Draft", "DraftBackground", "DraftItem", "DraftOpenQuestion", "DraftPrivacy", "DraftScale",
           "DraftSet", "render_codebook"]

#: Marker of every line a person must check.
MARKER = "CONTROLEER"
MISSING_WORDS = ("weet ik niet", "niet van toepassing", "n.v.t.", "nvt", "wil ik niet zeggen",
                 "zeg ik liever niet")
EENS5 = {1: "Helemaal oneens", 2: "Oneens", 3: "Neutraal", 4: "Eens", 5: "Helemaal eens"}
EENS5_MISSING = {8: "Niet van toepassing", 9: "Weet ik niet"}


# -- the parts of a draft ----------------------------------------------------------

@dataclass
class DraftSet:
    """A response set: code -> label of the answers, and of the answers that count as missing."""

    values: dict
    missing: dict = field(default_factory=dict)


@dataclass
class DraftItem:
    id: str
    column: str
    text: str
    response_set: str
    block: str
    comment: str | None = None


@dataclass
class DraftScale:
    id: str
    label: str
    items: list
    reverse: list
    min_valid: int
    comment: str | None = None


@dataclass
class DraftBackground:
    """A background variable: numeric (``type == "number"``) or labelled (``values``)."""

    key: str
    column: str
    label: str | None = None
    type: str | None = None
    values: dict = field(default_factory=dict)
    missing: dict = field(default_factory=dict)
    comment: str | None = None


@dataclass
class DraftOpenQuestion:
    key: str
    column: str
    text: str
    comment: str | None = None


@dataclass
class DraftPrivacy:
    min_n: int = 5
    min_n_open: int = 10
    redact_terms: list = field(default_factory=list)


@dataclass
class Draft:
    """Everything a drafted codebook says, plus the notes for the researcher.

    ``comment`` of an entry (and ``notes``) are Dutch, for the researcher;
    an entry with a comment is written under a ``# CONTROLEER: comment`` line.
    """

    round_id: str
    source_file: str                 # the export's file name (source.file)
    format: str                      # source.format
    respondent_id: str
    theme: str                       # placeholder id of the theme block
    like_round: str | None = None    # the previous round the draft is based on
    fieldwork: tuple[date, date] | None = None
    privacy: DraftPrivacy = field(default_factory=DraftPrivacy)
    starter_max_years: float = 2
    response_sets: dict = field(default_factory=dict)   # name -> DraftSet, in order of first use
    items: list = field(default_factory=list)           # DraftItem
    scales: list = field(default_factory=list)          # DraftScale
    background: list = field(default_factory=list)      # DraftBackground
    open_questions: list = field(default_factory=list)  # DraftOpenQuestion
    notes: list = field(default_factory=list)           # str


# -- values and response sets ----------------------------------------------------

@dataclass
class Column:
    """One column of the export, as the phases need it."""

    name: str
    label: str | None
    values: pd.Series  # non-blank cells
    value_labels: dict
    user_missing: set


def as_number(v):
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return float(v)
    text = str(v).strip()
    if re.fullmatch(r"[+-]?\d+([.,]\d+)?", text):
        return float(text.replace(",", "."))
    return None


def numeric_share(values: pd.Series) -> float:
    if len(values) == 0:
        return 0.0
    uniq = pd.unique(values)
    nums = [as_number(v) for v in uniq]
    return sum(n is not None for n in nums) / len(uniq)


def _split_missing(labels: dict, user_missing: set) -> tuple[dict, dict]:
    values, missing = {}, {}
    for code, lab in sorted(labels.items()):
        c = int(code) if float(code).is_integer() else code
        if code in user_missing or normalise_label(lab) in MISSING_WORDS:
            missing[c] = str(lab)
        else:
            values[c] = str(lab)
    return values, missing


def _fill_endpoints(values: dict, observed) -> dict:
    """A 0-10 style scale with only the end points labelled: label the codes between by their number."""
    codes = sorted(values)
    if len(codes) != 2 or not all(isinstance(c, int) for c in codes) or codes[1] - codes[0] < 3:
        return values
    inner = {c for c in observed if c is not None and float(c).is_integer() and codes[0] < c < codes[1]}
    if not inner:
        return values
    return {c: values.get(c, str(c)) for c in range(codes[0], codes[1] + 1)}


def _signature(values: dict, missing: dict) -> tuple:
    return (tuple(sorted(values.items())), tuple(sorted(missing.items())))


class ResponseSets:
    """Response sets of the draft, reusing names of ``like`` for identical content."""

    def __init__(self, like: Codebook | None):
        self.sets: dict[str, DraftSet] = {}
        self.known = dict(like.response_sets) if like else {}

    def add(self, values: dict, missing: dict) -> str:
        """The name of the set with these codes and labels (added when new)."""
        sig = _signature(values, missing)
        for name, rs in self.sets.items():
            if _signature(rs.values, rs.missing) == sig:
                return name
        for name, rs in self.known.items():
            if _signature(rs.values, rs.missing) == sig:
                self.sets[name] = DraftSet(dict(rs.values), dict(rs.missing))
                return name
        if sig in (_signature(EENS5, EENS5_MISSING), _signature(EENS5, {})):
            name = "eens5" if "eens5" not in self.sets else "eens5_b"
        else:
            base = f"set{len(self.sets) + 1}"
            name, k = base, 2
            while name in self.sets or name in self.known:
                name, k = f"{base}_{k}", k + 1
        self.sets[name] = DraftSet(values, missing)
        return name

    def known_covering(self, col: Column):
        """A known (like or standard) set whose labels/codes cover every value of a text column."""
        candidates = [(n, dict(rs.values), dict(rs.missing)) for n, rs in self.known.items()]
        candidates.append(("eens5", EENS5, EENS5_MISSING))
        uniq = [v for v in pd.unique(col.values)]
        for name, values, missing in candidates:
            labels = {normalise_label(x) for x in {**values, **missing}.values()}
            codes = {float(c) for c in {**values, **missing}}
            ok = all(normalise_label(v) in labels or (as_number(v) is not None and as_number(v) in codes)
                     for v in uniq)
            if ok and any(normalise_label(v) in labels for v in uniq if as_number(v) is None):
                return values, missing
        return None


def response_set_for(col: Column, old, like, sets: ResponseSets):
    """(set name, comment) for an item column; (None, None) when nothing can be inferred."""
    observed = [as_number(v) for v in pd.unique(col.values)]
    if col.value_labels:
        values, missing = _split_missing(col.value_labels, col.user_missing)
        values = _fill_endpoints(values, observed)
        if len(values) < 2:
            return None, None
        extra = sorted({o for o in observed if o is not None} - {float(c) for c in {**values, **missing}})
        comment = f"codes {extra} hebben geen label" if extra else None
        return sets.add(values, missing), comment
    if numeric_share(col.values) < 1:
        found = sets.known_covering(col)
        if found:
            return sets.add(dict(found[0]), dict(found[1])), None
        return None, None
    # numeric codes without labels
    if old is not None:
        rs = like.response_sets[old.response_set]
        codes = {float(c) for c in {**rs.values, **rs.missing}}
        extra = sorted({o for o in observed if o is not None} - codes)
        name = sets.add(dict(rs.values), dict(rs.missing))
        if extra:
            return name, f"codes {extra} komen niet voor in antwoordset {old.response_set} van {like.round}"
        return name, None
    if {o for o in observed if o is not None} <= {float(c) for c in {**EENS5, **EENS5_MISSING}}:
        return sets.add(dict(EENS5), dict(EENS5_MISSING)), "antwoordset geraden uit de codes 1-5 (geen labels)"
    return None, None


def background_values(col: Column, var):
    """(values, missing, comment) of a categorical background column."""
    if col.value_labels:
        values, missing = _split_missing(col.value_labels, col.user_missing)
        return values, missing, None
    if var is not None and var.values:
        if numeric_share(col.values) == 1:
            codes = {float(c) for c in {**var.values, **var.missing}}
            extra = sorted({as_number(v) for v in pd.unique(col.values)} - codes)
            return dict(var.values), dict(var.missing), (f"codes {extra} niet in de vorige ronde" if extra else None)
        labels = {normalise_label(x) for x in {**var.values, **var.missing}.values()}
        extra = sorted({str(v) for v in pd.unique(col.values) if normalise_label(v) not in labels})
        values = dict(var.values)
        if extra:
            nxt = max(values) + 1
            for lab in extra:
                values[nxt] = lab
                nxt += 1
            return values, dict(var.missing), f"nieuwe antwoorden {extra} kregen een nieuwe code"
        return values, dict(var.missing), None
    uniq = sorted({str(v) for v in pd.unique(col.values)})
    if numeric_share(col.values) == 1:
        return {int(float(str(u).replace(",", "."))): str(u) for u in uniq}, {}, "codes zonder labels: vul de labels in"
    return {k + 1: u for k, u in enumerate(uniq)}, {}, "codes alfabetisch toegekend"


# -- the YAML -----------------------------------------------------------------------

def _q(value) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(str(value), ensure_ascii=False)


def _flow(mapping: dict) -> str:
    """``{1: "label", ...}``: codes as plain keys, labels quoted."""
    return "{" + ", ".join(f"{k}: {_q(v)}" for k, v in mapping.items()) + "}"


def _checked(comment: str | None, lines: list[str]) -> list[str]:
    """``lines`` of one entry, under a ``# CONTROLEER`` line when it has a comment."""
    return ([f"  # {MARKER}: {comment}"] if comment else []) + lines


def _header(d: Draft) -> list[str]:
    basis = f" op basis van ronde {d.like_round}." if d.like_round is not None else "."
    lines = [
        f"# Concept-codeboek voor ronde {d.round_id}, gemaakt door `peo init-round` uit {d.source_file}{basis}",
        f"# Controleer elke regel met {MARKER} en haal die markering daarna weg.",
        f"round: {_q(d.round_id)}",
        f"# {MARKER}: titel van de ronde",
        f"title: {_q('Ronde ' + d.round_id)}",
    ]
    if d.fieldwork:
        lines.append(f"fieldwork: {{start: {d.fieldwork[0].isoformat()}, end: {d.fieldwork[1].isoformat()}}}")
    else:
        lines.append(f"# {MARKER}: vul de veldwerkperiode in: fieldwork: {{start: JJJJ-MM-DD, end: JJJJ-MM-DD}}")
    p = d.privacy
    return lines + [
        f"# {MARKER}: id van het themablok van deze ronde (ook bij de items met block: {d.theme})",
        f"theme: {d.theme}",
        f"source: {{file: {_q(d.source_file)}, format: {d.format}}}",
        f"respondent_id: {_q(d.respondent_id)}",
        (f"privacy: {{min_n: {p.min_n:d}, min_n_open: {p.min_n_open:d}, "
         f"redact_terms: [{', '.join(_q(t) for t in p.redact_terms)}]}}"),
        f"starter_max_years: {d.starter_max_years:g}",
    ]


def _response_sets(d: Draft) -> list[str]:
    lines = ["response_sets:"]
    for name, rs in d.response_sets.items():
        lines += [f"  {name}:", f"    values: {_flow(rs.values)}"]
        if rs.missing:
            lines.append(f"    missing: {_flow(rs.missing)}")
    return lines


def _items(d: Draft) -> list[str]:
    lines = ["items:"]
    for it in d.items:
        line = (f"  {it.id}: {{column: {_q(it.column)}, text: {_q(it.text)}, "
                f"response_set: {it.response_set}, block: {it.block}}}")
        lines += _checked(it.comment, [line])
    return lines


def _scales(d: Draft) -> list[str]:
    lines = ["scales:"] if d.scales else []
    for sc in d.scales:
        lines += _checked(sc.comment, [f"  {sc.id}:", f"    label: {_q(sc.label)}",
                                       f"    items: [{', '.join(sc.items)}]",
                                       f"    reverse: [{', '.join(sc.reverse)}]", f"    min_valid: {sc.min_valid}"])
    return lines


def _background(d: Draft) -> list[str]:
    lines = ["background:"] if d.background else []
    for bg in d.background:
        parts = [f"column: {_q(bg.column)}"]
        if bg.type:
            parts.append(f"type: {bg.type}")
        if bg.label:
            parts.append(f"label: {_q(bg.label)}")
        if bg.values:
            parts.append(f"values: {_flow(bg.values)}")
        if bg.missing:
            parts.append(f"missing: {_flow(bg.missing)}")
        lines += _checked(bg.comment, [f"  {bg.key}: {{{', '.join(parts)}}}"])
    return lines


def _open_questions(d: Draft) -> list[str]:
    lines = ["open_questions:"] if d.open_questions else []
    for oq in d.open_questions:
        lines += _checked(oq.comment, [f"  {oq.key}: {{column: {_q(oq.column)}, text: {_q(oq.text)}}}"])
    return lines


def render_codebook(draft: Draft) -> str:
    """The codebook YAML of ``draft``: the keys in the order of design.md, ``# CONTROLEER`` lines included."""
    sections = (_header, _response_sets, _items, _scales, _background, _open_questions)
    return "\n".join(line for section in sections for line in section(draft)) + "\n"
