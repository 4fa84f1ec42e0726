"""Codebooks: one YAML file per round, parsed into typed pydantic objects.

The format is the contract of ``design.md``. Parsing happens in two steps:
pydantic validates the shape of every key (types, required keys), then
:func:`_cross_check` validates references between keys (scale items exist,
reverse items belong to their scale, ...). Both report problems as
``key.path: message`` lines in one :class:`~peo_lib.errors.CodebookError`.

Decisions where the contract is silent
--------------------------------------
* ``scales.*.min_valid`` defaults to half the items, rounded up (SPSS
  ``MEAN.k`` with k = ceil(n/2)); set it explicitly to be clear.
* ``block`` must be ``kern`` or the round's ``theme``: a typo would otherwise
  silently create a block of its own.
* A background variable with ``values`` is categorical, without is numeric
  (``type: number``); ``ervaring_jaren`` must be numeric, it drives
  ``ervaringsgroep``.
* Codes are integers; labels are matched case- and space-insensitively, so two
  labels in one response set may not differ only in case or spacing.
* ``respondent_id`` is optional (design.md): without it respondents are their
  case numbers 1, 2, ... in file order (as SPSS numbers cases), so a file whose
  only "id" repeats (two people, one value) can still be reported.
* A ``column`` is matched exactly first, then after normalising whitespace
  (runs of spaces, tabs and non-breaking spaces count as one space, as in
  :func:`normalise_label`), then also ignoring case, each only when exactly one
  column of the file fits. ``column: "#12"`` names the 12th column of the file
  (1-based, as Excel counts), for grid columns whose header cell is empty
  (SurveyMonkey); pandas' own name ``"Unnamed: 11"`` (0-based) works too.
* Text answer codes (LimeSurvey ``A1``, ``A2``, ...): a response set (or a
  labelled background variable) may use them as keys,
  ``values: {A1: Zeer ontevreden, A2: Ontevreden, ...}``; the scored code is
  then the position in ``values`` (1, 2, ...; text keys in ``missing``
  continue after the last value), unless ``codes: {A1: 1, A2: 2, ...}`` gives
  every text code its number. ``codes`` can also translate text codes for a
  set written with integer keys (``values: {1: ...}``, ``codes: {A1: 1}``).
  A raw cell may then hold the text code, the number or the label.
* Two response sets with the same codes (values and missing) but other wording
  can be combined in one scale: a scale mean needs one range, not one wording.
  Labels that differ only in case or spacing count as the same label, also
  when codebooks of two rounds are compared.
* Missing values: every code a ``.sav`` file declares user-missing is missing
  for that column (items *and* background variables), whether or not the
  codebook lists it; the codebook's ``missing`` adds codes (also for a numeric
  background variable: ``ervaring_jaren: {column: Q2, type: number, missing:
  {98: Weet ik niet, 99: Wil ik niet zeggen}}``, or as a list ``missing: [98,
  99]``) and gives them a reason shown in reports. A user-missing code the
  codebook does not list counts as blank and ``peo check`` warns about it.
* ``source.header_rows``: the number of header rows of a CSV or Excel export
  (default 1; a SurveyMonkey export's second header row, with ``Response`` and
  the option texts, is detected). Rows after the first are question texts
  only; the first row names the columns.
* ``fieldwork: {start: null, end: null}`` is what ``peo init-round`` writes when
  the export has no dates: it reads as "no fieldwork", and ``peo check``
  refuses it until the dates are filled in. Leave ``fieldwork`` out when the
  dates are really unknown (``peo check`` then warns).
* ``acknowledged: [unused_columns, no_ervaring_jaren, ...]`` lists the keys of
  ``peo check`` warnings (printed as ``[key]`` before each warning) that the
  researcher has looked at and accepts; ``peo check --strict`` then fails only
  on warnings not acknowledged. A key also acknowledges its sub-keys
  (``small_groups`` covers ``small_groups:functie``).
* ``response_sets.*.positive: high | low`` (default ``high``): which end of the codes is the
  positive (agree, often, satisfied) end. ``low`` for sets that run 1 = Strongly agree ...
  5 = Strongly disagree: the "% top-2" counts codes 1 and 2 and charts put code 1 on the
  right. Scale scores stay on the codes as asked. Part of :meth:`ResponseSet.signature`, so a
  set whose direction changed between rounds is a change.
* ``survey: {name, population, subject, respondents, short}``: the texts of a report about the
  survey (defaults: the PEO's; ``population``/``subject`` null leave that part out).
* ``multiple_response: {ID: {text, block, options: {column: label}}}`` (one column per option)
  or ``{ID: {text, column, values: {code: label}, separator: ","}}`` (one column): "tick all that
  apply" questions (:class:`MultipleResponse`); reported as % of the respondents who saw the
  question (any of its cells not blank) per option.
* ``grids: {ID: {text, items: [...]}}``: a matrix question (one question text over sub-statements
  on one response set, in one block): its items get one Likert chart of their own, titled with
  the grid's text (other items of the block and set share the block's chart).
* ``breakdowns: [...]``: the background variables (categorical ones, or ``ervaringsgroep``)
  the panel summary shows, in this order; without it all of them
  (:meth:`Codebook.report_variables`). tabellen.xlsx always holds every one.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import warnings
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from peo_lib.errors import CodebookError

__all__ = [
    "Codebook",
    "ResponseSet",
    "Item",
    "Scale",
    "BackgroundVar",
    "OpenQuestion",
    "MultipleResponse",
    "Grid",
    "Survey",
    "Privacy",
    "Source",
    "read_codebook",
    "parse_codebook",
    "codebook_hash",
    "compare_codebooks",
    "CodebookChangeWarning",
    "normalise_label",
    "CORE_BLOCK",
]

from peo_lib.vocab import BREAKDOWN_LABELS, CORE_BLOCK, EXPERIENCE, EXPERIENCE_YEARS  # noqa: E402 (CORE_BLOCK re-exported: codebooks name the core block)
from peo_lib.paths import ROUND_PATTERN  # noqa: E402 (one definition of a round id)

#: Supported size of a codebook (checked up front; the report shows every item).
MAX_ITEMS = 500
FORMATS = ("auto", "csv", "xlsx", "sav", "qualtrics")


class CodebookChangeWarning(UserWarning):
    """An item id is reused across rounds with other wording or response set."""


@functools.lru_cache(maxsize=8192, typed=True)  # the same labels again for every item of every round pair
def normalise_label(value) -> str:
    """Key used to match a raw label to a codebook label: casefolded, spaces collapsed."""
    return " ".join(str(value).split()).casefold()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fieldwork(_Strict):
    start: date
    end: date


def _fieldwork_placeholder(v):
    """``{start: null, end: null}`` (the draft's placeholder) reads as no fieldwork; ``peo check`` refuses it."""
    if isinstance(v, dict) and set(v) == {"start", "end"} and v["start"] is None and v["end"] is None:
        return None
    return v


class Source(_Strict):
    file: str = Field(min_length=1)
    format: Literal["auto", "csv", "xlsx", "sav", "qualtrics"] = "auto"
    encoding: str | None = None  # override detection, e.g. cp1252
    delimiter: str | None = None  # override detection, e.g. ';'
    sheet: str | int | None = None  # xlsx: sheet name or index (default: first)
    header_rows: int | None = Field(None, ge=1, le=5)  # csv/xlsx: header rows (default: 1, SurveyMonkey's 2 detected)


class Privacy(_Strict):
    min_n: int = Field(5, ge=1, le=1000)
    min_n_open: int = Field(10, ge=1, le=10_000)
    redact_terms: list[str] = []


_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")


def _is_text_code(key) -> bool:
    return isinstance(key, str) and not _INTEGER.match(key)


def _number_text_codes(data):
    """Turn text answer codes (``values: {A1: ...}``) into integer codes plus a ``codes`` map (module docstring).

    Runs before field validation; anything it cannot make sense of is left for the
    field validators (which name the key) or raised as a ValueError naming the code.
    """
    if isinstance(data, dict) and isinstance(data.get("missing"), list):
        data = {**data, "missing": _missing_list(data["missing"])}
    if not isinstance(data, dict) or not isinstance(data.get("values"), dict):
        return data
    values, missing = data["values"], data.get("missing") or {}
    if not isinstance(missing, dict):
        return data
    codes = dict(data.get("codes") or {})
    text_values = [k for k in values if _is_text_code(k)]
    text_missing = [k for k in missing if _is_text_code(k)]
    if not text_values and not text_missing:
        return data
    if text_values and len(text_values) != len(values):
        raise ValueError("values: mix of integer codes and text codes; use one kind (text codes are numbered "
                         "by position, or by `codes`)")
    text = text_values + text_missing
    if codes:
        absent = [k for k in text if k not in codes]
        if absent:
            raise ValueError(f"codes: text code(s) {absent} have no number in `codes` (give every text code one, "
                             "or leave `codes` out to number them by position)")
        number = {k: codes[k] for k in text}
    else:
        taken = {int(k) for k in missing if not _is_text_code(k) and not isinstance(k, bool)}
        number, nxt = {}, 1
        for k in text:
            while k in text_missing and nxt in taken:
                nxt += 1
            number[k] = nxt
            nxt += 1
    out = dict(data)
    out["values"] = {number.get(k, k): v for k, v in values.items()}
    if missing:
        out["missing"] = {number.get(k, k): v for k, v in missing.items()}
    out["codes"] = {**codes, **number}
    return out


def _missing_list(v):
    """``missing: [98, 99]`` (codes without a reason) -> ``{98: "code 98", 99: "code 99"}``."""
    if isinstance(v, list):
        return {c: f"code {c}" for c in v}
    return v


class _Coded(_Strict):
    """Shared checks of a response set and a labelled background variable (text codes, ``codes``)."""

    @model_validator(mode="before")
    @classmethod
    def _text_codes(cls, data):
        return _number_text_codes(data)

    def _codes_problems(self) -> list[str]:
        known = set(self.values or {}) | set(self.missing)
        problems = [f"codes.{k}: {c} is not a code of values or missing" for k, c in self.codes.items()
                    if c not in known]
        seen = {}
        for k in self.codes:
            key = normalise_label(k)
            if key in seen:
                problems.append(f"codes: {seen[key]!r} and {k!r} are the same when case and spaces are ignored")
            seen[key] = k
        return problems


class ResponseSet(_Coded):
    """Answers of items: ``values`` (code -> label), ``missing`` (code -> reason), ``codes`` (text code -> code).

    See the module docstring for text codes (``values: {A1: ...}``) and ``codes``.
    """

    values: dict[int, str]
    missing: dict[int, str] = {}
    codes: dict[str, int] = {}
    #: Which end of the codes is the positive (agree, often, satisfied) end: ``high`` (default: the
    #: highest code, 5 = Helemaal eens) or ``low`` (1 = Strongly agree ... 5 = Strongly disagree).
    positive: Literal["high", "low"] = "high"

    @field_validator("values")
    @classmethod
    def _not_empty(cls, v):
        if len(v) < 2:
            raise ValueError("a response set needs at least two values")
        return v

    @property
    def min(self) -> int:
        return min(self.values)

    @property
    def max(self) -> int:
        return max(self.values)

    def signature(self) -> tuple:
        """Content of the set (codes, labels compared as :func:`normalise_label`, and its positive end),
        independent of its name."""
        return (tuple(sorted((c, normalise_label(v)) for c, v in self.values.items())),
                tuple(sorted((c, normalise_label(v)) for c, v in self.missing.items())), self.positive)

    @property
    def ordered_codes(self) -> list[int]:
        """The answer codes from the negative to the positive end (the order of a diverging chart)."""
        codes = sorted(self.values)
        return codes if self.positive == "high" else codes[::-1]

    @property
    def ordered_labels(self) -> list[str]:
        """The answer labels from the negative to the positive end."""
        return [self.values[c] for c in self.ordered_codes]

    def top_codes(self, k: int = 2) -> list[int]:
        """The ``k`` codes at the positive end (what "% (helemaal) eens" / "% top two" counts)."""
        return self.ordered_codes[-k:]

    def end_labels(self) -> tuple[str, str]:
        """The labels of the lowest and the highest code (what a scale score of min and max means)."""
        return self.values[self.min], self.values[self.max]

    def code_signature(self) -> tuple:
        """The codes of the set (values and missing), without their labels: what a scale needs to be the same."""
        return (tuple(sorted(self.values)), tuple(sorted(self.missing)))


class Item(_Strict):
    column: str
    text: str
    response_set: str
    block: str = CORE_BLOCK


class Scale(_Strict):
    label: str
    items: list[str] = Field(min_length=1)
    reverse: list[str] = []
    min_valid: int | None = Field(None, ge=1)

    @property
    def min_valid_effective(self) -> int:
        if self.min_valid is not None:
            return self.min_valid
        return max(1, math.ceil(len(self.items) / 2))


class BackgroundVar(_Coded):
    """A background variable: ``values`` make it categorical; without (or ``type: number``) it is a number.

    ``missing`` (codes -> reason, or a list of codes) are missing for both kinds; a
    ``.sav`` file's user-missing codes are missing too (module docstring).
    """

    column: str
    type: Literal["number", "category"] | None = None
    label: str | None = None
    values: dict[int, str] | None = None
    missing: dict[int, str] = {}
    codes: dict[str, int] = {}

    @property
    def kind(self) -> str:
        if self.type is not None:
            return self.type
        return "category" if self.values else "number"


class OpenQuestion(_Strict):
    column: str
    text: str


class MultipleResponse(_Strict):
    """A "tick all that apply" question: one column per option, or one column with the options separated.

    * ``options: {column: label}``: one column per option (Qualtrics ``Q2_1``, LimeSurvey ``A10[SQ001]``,
      SPSS 0/1 dichotomies); a cell in ``ticked`` (default 1, Y, Yes, Ja, True or the option's label)
      is ticked, a 0/N/No/Nee is seen but not ticked, a blank is not ticked.
    * ``column`` + ``values: {code: label}`` (+ ``separator``, default ``,``): one column holding the
      ticked codes or labels, e.g. ``"1,3"``.

    A respondent saw (answered) the question when any of its cells is not blank: that is the base
    of the percentages.
    """

    text: str
    block: str = CORE_BLOCK
    options: dict[str, str] | None = None
    column: str | None = None
    values: dict[int, str] | None = None
    separator: str = Field(",", min_length=1)
    ticked: list[str | int] | None = None

    @model_validator(mode="after")
    def _one_layout(self):
        if (self.options is None) == (self.column is None):
            raise ValueError("give either `options` (one column per option) or `column` with `values` "
                             "(one column with the ticked options separated by `separator`)")
        if self.column is not None and not self.values:
            raise ValueError("`column` needs `values` (code -> label of each option)")
        if self.options is not None and self.values is not None:
            raise ValueError("`values` belongs to a question in one `column`; with `options` each column's "
                             "label is the option")
        return self

    @property
    def labels(self) -> list[str]:
        """The option labels in codebook order."""
        return list(self.options.values()) if self.options is not None else list(self.values.values())

    @property
    def columns(self) -> list[str]:
        return list(self.options) if self.options is not None else [self.column]


class Grid(_Strict):
    """A matrix question: one question text over sub-statements (items) on one response set."""

    text: str
    items: list[str] = Field(min_length=2)


class Survey(_Strict):
    """What the survey is and who answered it, for the report's texts (defaults: the PEO)."""

    #: The survey's name in a sentence: "... één ronde van het {name} onder {population} ...".
    name: str = "Professional Ervaringsonderzoek (PEO)"
    #: Who was asked (plural, lower case): "jeugdprofessionals in Haaglanden"; null leaves it out.
    population: str | None = "jeugdprofessionals in Haaglanden"
    #: The survey's overarching theme; null leaves it out.
    subject: str | None = "Ruimte voor de professional"
    #: The respondents as a plural noun in counts: "147 professionals vulden de vragenlijst in".
    respondents: str = "professionals"
    #: The survey's short name in titles: "PEO ronde 2021-1".
    short: str = "PEO"


class Codebook(_Strict):
    """A round's codebook (see design.md). Build with :func:`read_codebook`."""

    round: str = Field(pattern=ROUND_PATTERN)
    title: str
    fieldwork: Fieldwork | None = None
    theme: str
    source: Source
    respondent_id: str | None = None
    privacy: Privacy = Privacy()
    response_sets: dict[str, ResponseSet]
    items: dict[str, Item]
    scales: dict[str, Scale] = {}
    background: dict[str, BackgroundVar] = {}
    starter_max_years: float = 2
    open_questions: dict[str, OpenQuestion] = {}
    multiple_response: dict[str, MultipleResponse] = {}
    grids: dict[str, Grid] = {}
    acknowledged: list[str] = []
    survey: Survey = Survey()
    #: Background variables the panel summary shows ("Wie deden mee", scale means per group), in this
    #: order; None: every categorical background variable (:meth:`Codebook.report_variables`).
    breakdowns: list[str] | None = None
    # Filled by read_codebook, not part of the YAML.
    path: Path | None = Field(None, exclude=True)
    sha256: str | None = Field(None, exclude=True)

    @field_validator("fieldwork", mode="before")
    @classmethod
    def _no_dates_yet(cls, v):
        return _fieldwork_placeholder(v)

    # -- convenience ---------------------------------------------------
    @property
    def id(self) -> str:
        return self.round

    @property
    def blocks(self) -> list[str]:
        """Block ids in order of first appearance (``kern`` first)."""
        seen = []
        for item in self.items.values():
            if item.block not in seen:
                seen.append(item.block)
        return sorted(seen, key=lambda b: b != CORE_BLOCK)

    def items_in_block(self, block: str) -> list[str]:
        return [i for i, item in self.items.items() if item.block == block]

    def response_set_of(self, item_id: str) -> ResponseSet:
        return self.response_sets[self.items[item_id].response_set]

    def report_variables(self) -> list[str]:
        """Every background variable a report can break down by: the categorical ones in codebook order,
        then ``ervaringsgroep`` when ``ervaring_jaren`` is asked (tabellen.xlsx holds all of them)."""
        out = [k for k, v in self.background.items() if v.kind == "category"]
        return out + ([EXPERIENCE] if EXPERIENCE_YEARS in self.background else [])

    def summary_variables(self) -> list[str]:
        """The background variables the panel summary shows: ``breakdowns``, else :meth:`report_variables`."""
        return list(self.breakdowns) if self.breakdowns is not None else self.report_variables()

    def background_label(self, key: str) -> str:
        """How a background variable is named in a report: the project's word (``vocab.BREAKDOWN_LABELS``),
        else the codebook's ``label``, else its key."""
        if key in BREAKDOWN_LABELS:
            return BREAKDOWN_LABELS[key]
        var = self.background.get(key)
        return (var.label if var is not None and var.label else key)

    def raw_file(self, raw_dir) -> Path:
        """``raw_dir / source.file``; a file that resolves (symlinks too) outside ``raw_dir`` is refused.

        Raw data lives in one folder (often a protected share): a codebook must never
        make the program read an arbitrary file elsewhere on the machine.
        """
        from peo_lib.errors import RawDataError

        base = Path(raw_dir)
        path = base / self.source.file
        try:
            inside = path.resolve().is_relative_to(base.resolve())
        except OSError:
            inside = False
        if not inside:
            raise RawDataError(f"source.file {self.source.file!r} points outside the raw folder {base}",
                               path=self.path, hint="put the export in the raw folder and give only its name "
                               "(or a path inside that folder) as source.file")
        return path


def _format_loc(loc) -> str:
    return ".".join(str(p) for p in loc)


def _cross_check(cb: Codebook) -> list[str]:
    problems = []
    known_sets = sorted(cb.response_sets)
    for item_id, item in cb.items.items():
        if item.response_set not in cb.response_sets:
            problems.append(
                f"items.{item_id}.response_set: unknown response set {item.response_set!r} "
                f"(known: {', '.join(known_sets) or 'none'})"
            )
        if item.block not in (CORE_BLOCK, cb.theme):
            problems.append(
                f"items.{item_id}.block: unknown block {item.block!r} "
                f"(allowed: {CORE_BLOCK!r} or this round's theme {cb.theme!r})"
            )
    for set_id, rs in cb.response_sets.items():
        both = sorted(set(rs.values) & set(rs.missing))
        if both:
            problems.append(f"response_sets.{set_id}: code(s) {both} are both a value and a missing code")
        seen = {}
        for code, label in {**rs.values, **rs.missing}.items():
            key = normalise_label(label)
            if key in seen:
                problems.append(
                    f"response_sets.{set_id}: labels {seen[key]!r} and {label!r} are the same "
                    "when case and spaces are ignored"
                )
            seen[key] = label
    for scale_id, scale in cb.scales.items():
        unknown = [i for i in scale.items if i not in cb.items]
        if unknown:
            problems.append(f"scales.{scale_id}.items: unknown item(s) {unknown}")
        dup = sorted({i for i in scale.items if scale.items.count(i) > 1})
        if dup:
            problems.append(f"scales.{scale_id}.items: item(s) {dup} listed twice")
        stray = [i for i in scale.reverse if i not in scale.items]
        if stray:
            problems.append(f"scales.{scale_id}.reverse: item(s) {stray} are not in the scale's items")
        if scale.min_valid is not None and scale.min_valid > len(scale.items):
            problems.append(
                f"scales.{scale_id}.min_valid: {scale.min_valid} is more than the "
                f"{len(scale.items)} items of the scale"
            )
        problems += _scale_set_problems(cb, scale_id, scale)
    for set_id, rs in cb.response_sets.items():
        problems += [f"response_sets.{set_id}.{p}" for p in rs._codes_problems()]
    for key, var in cb.background.items():
        problems += [f"background.{key}.{p}" for p in var._codes_problems()]
    # Every raw column is used once.
    owners: dict[str, str] = {cb.respondent_id: "respondent_id"} if cb.respondent_id else {}
    uses = [(f"{section}.{key}.column", entry.column) for section, entries in
            (("items", cb.items), ("background", cb.background), ("open_questions", cb.open_questions))
            for key, entry in entries.items()]
    uses += [(f"multiple_response.{key}.{'options' if mr.options is not None else 'column'}", column)
             for key, mr in cb.multiple_response.items() for column in mr.columns]
    for where, column in uses:
        if column in owners:
            problems.append(f"{where}: column {column!r} is also used by {owners[column]}")
        else:
            owners[column] = where
    for key, mr in cb.multiple_response.items():
        if mr.block not in (CORE_BLOCK, cb.theme):
            problems.append(f"multiple_response.{key}.block: unknown block {mr.block!r} "
                            f"(allowed: {CORE_BLOCK!r} or this round's theme {cb.theme!r})")
        dup = sorted({x for x in mr.labels if [normalise_label(y) for y in mr.labels].count(normalise_label(x)) > 1})
        if dup:
            problems.append(f"multiple_response.{key}: option label(s) {dup} occur twice")
    problems += _grid_problems(cb)
    ids = {}
    for section in ("items", "scales", "background", "open_questions", "multiple_response"):
        for key in getattr(cb, section):
            if key in ids:
                problems.append(f"{section}.{key}: id {key!r} is also used in {ids[key]}")
            ids[key] = section
    if EXPERIENCE in cb.background:
        problems.append("background.ervaringsgroep: reserved name, it is derived from ervaring_jaren")
    exp = cb.background.get("ervaring_jaren")
    if exp is not None and exp.kind != "number":
        problems.append("background.ervaring_jaren.type: must be 'number' (it drives ervaringsgroep)")
    if cb.fieldwork and cb.fieldwork.end < cb.fieldwork.start:
        problems.append("fieldwork.end: before fieldwork.start")
    if cb.breakdowns is not None:
        allowed = cb.report_variables()
        for k, key in enumerate(cb.breakdowns):
            if key not in allowed:
                problems.append(f"breakdowns.{k}: {key!r} is not a categorical background variable of this codebook "
                                f"(allowed: {', '.join(allowed) or 'none'})")
        dup = sorted({b for b in cb.breakdowns if cb.breakdowns.count(b) > 1})
        if dup:
            problems.append(f"breakdowns: {dup} listed twice")
    return problems


def _grid_problems(cb: Codebook) -> list[str]:
    """A grid's items exist, belong to one grid, and share one block and one response set."""
    problems, owner = [], {}
    for gid, grid in cb.grids.items():
        unknown = [i for i in grid.items if i not in cb.items]
        if unknown:
            problems.append(f"grids.{gid}.items: unknown item(s) {unknown}")
        for i in grid.items:
            if i in owner:
                problems.append(f"grids.{gid}.items: {i} is also in grid {owner[i]}")
            owner.setdefault(i, gid)
        known = [cb.items[i] for i in grid.items if i in cb.items]
        if len({it.response_set for it in known}) > 1 or len({it.block for it in known}) > 1:
            problems.append(f"grids.{gid}.items: a grid's items need one response set and one block "
                            f"(found {sorted({it.response_set for it in known})}, {sorted({it.block for it in known})})")
    return problems


def _scale_set_problems(cb: Codebook, scale_id: str, scale: Scale) -> list[str]:
    """A scale's items must share one set of codes (values and missing); the wording may differ."""
    sets = sorted({cb.items[i].response_set for i in scale.items if i in cb.items} & set(cb.response_sets))
    sigs = {cb.response_sets[s].code_signature() for s in sets}
    if len(sigs) <= 1:
        return []

    def _codes(name):
        rs = cb.response_sets[name]
        return f"{name}: {sorted(rs.values)}" + (f", missing {sorted(rs.missing)}" if rs.missing else "")

    return [f"scales.{scale_id}.items: items use response sets with different codes "
            f"({'; '.join(_codes(s) for s in sets)}); a scale mean needs one range of codes "
            "(sets with the same codes and other wording are fine)"]


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader that refuses duplicate keys (YAML would silently keep the last); libyaml's
    parser when PyYAML has it: same documents and error marks, 10x faster (0.2 s per 6 codebooks)."""


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    mapping = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path, *, error=CodebookError, what: str = "codebook"):
    """Read a YAML file strictly; return (data, raw bytes).

    Duplicate keys are errors (YAML would keep the last one silently); syntax
    errors name line and column. Every problem raises ``error(path, message)``.
    """
    if not path.is_file():
        raise error(path, f"{what} file not found")
    raw = path.read_bytes()
    try:
        data = yaml.load(raw.decode("utf-8-sig"), Loader=_UniqueKeyLoader)
    except UnicodeDecodeError as exc:
        raise error(path, f"not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(path, f"YAML syntax error at {where}{problem}") from None
    return data, raw


def parse_codebook(data: dict, *, path="<codebook>", sha256: str | None = None) -> Codebook:
    """Validate an already-loaded mapping as a codebook.

    Raises
    ------
    CodebookError
        Listing every problem as ``key.path: message``.
    """
    if not isinstance(data, dict):
        raise CodebookError(path, f"expected a mapping of keys at the top level, found {type(data).__name__}")
    try:
        cb = Codebook.model_validate({**data, "path": Path(path) if path else None, "sha256": sha256})
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = _format_loc(err["loc"])
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown key (check the spelling against design.md)"
            elif err["type"] == "missing":
                msg = "required key is missing"
            elif err["type"] == "string_pattern_mismatch" and loc == "round":
                msg = f"{err['input']!r} is not a round id like '2021-1' (YYYY-1 spring, YYYY-2 autumn)"
            elif err["type"] == "string_type" and isinstance(err.get("input"), bool):
                msg = f"YAML read {err['input']!r} as a boolean: put the label in quotes"
            elif err["type"] == "int_parsing" and isinstance(err.get("input"), bool):
                msg = f"YAML read {err['input']!r} as a boolean: put the code in quotes"
            elif err["type"] == "value_error":
                msg = msg.removeprefix("Value error, ")
            problems.append(f"{loc}: {msg}" if loc else msg)
        raise CodebookError(path, problems) from None
    problems = _cross_check(cb)
    if len(cb.items) > MAX_ITEMS:
        problems.append(f"items: {len(cb.items)} items; supported are up to {MAX_ITEMS} per round (a short "
                        "survey: the report shows every item); split the round or leave unused columns out")
    if problems:
        raise CodebookError(path, problems)
    return cb


def read_codebook(path) -> Codebook:
    """Read and validate one round's codebook YAML.

    Parameters
    ----------
    path : str or Path
        The YAML file, e.g. ``data/codebooks/2021-1.yml``.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        File missing, YAML syntax error (with line and column), or invalid
        content (with the key path).
    """
    path = Path(path)
    data, raw = read_yaml(path, error=CodebookError, what="codebook")
    if data is None:
        raise CodebookError(path, "the codebook is empty")
    return parse_codebook(data, path=path, sha256=hashlib.sha256(raw).hexdigest())


def codebook_hash(cb: Codebook) -> str:
    """SHA-256 of the codebook file as read (shown in provenance lines)."""
    if cb.sha256:
        return cb.sha256
    return hashlib.sha256(cb.model_dump_json().encode()).hexdigest()


def compare_codebooks(codebooks, *, warn: bool = True) -> list[dict]:
    """Report items whose id is reused with other wording or response set.

    Parameters
    ----------
    codebooks : iterable of Codebook
        In any order; compared in round order.
    warn : bool
        Also emit a :class:`CodebookChangeWarning` per change.

    Returns
    -------
    list of dict
        One record per change: item, rounds (previous, current), what
        (``text`` or ``response_set``), before, after.
    """
    ordered = sorted(codebooks, key=lambda c: c.round)
    last_seen: dict[str, tuple[str, Item, ResponseSet]] = {}
    changes = []
    memo = {}  # id(response set) -> its signature (never empty): a set is shared by many items
    signature = lambda rs: memo.get(id(rs)) or memo.setdefault(id(rs), rs.signature())  # noqa: E731
    for cb in ordered:
        for item_id, item in cb.items.items():
            rs = cb.response_sets[item.response_set]
            if item_id in last_seen:
                prev_round, prev_item, prev_rs = last_seen[item_id]
                if normalise_label(prev_item.text) != normalise_label(item.text):
                    changes.append(dict(item=item_id, previous=prev_round, current=cb.round,
                                        what="text", before=prev_item.text, after=item.text))
                if signature(prev_rs) != signature(rs):
                    changes.append(dict(item=item_id, previous=prev_round, current=cb.round,
                                        what="response_set", before=prev_item.response_set,
                                        after=item.response_set))
            last_seen[item_id] = (cb.round, item, rs)
    if warn:
        for c in changes:
            warnings.warn(
                f"item {c['item']}: {c['what'].replace('_', ' ')} changed between rounds "
                f"{c['previous']} and {c['current']} ({c['before']!r} -> {c['after']!r}); "
                "a trend across these rounds joins different questions",
                CodebookChangeWarning,
                stacklevel=2,
            )
    return changes


def sort_rounds(ids) -> list[str]:
    """Round ids in time order (``2020-2`` < ``2021-1``)."""
    bad = [r for r in ids if not re.match(ROUND_PATTERN, str(r))]
    if bad:
        raise ValueError(f"not round ids like '2021-1': {bad}")
    return sorted(ids)
