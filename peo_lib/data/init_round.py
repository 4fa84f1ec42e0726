"""Draft a codebook for a new round from the export's own metadata.

``peo init-round ROUND --raw FILE [--like PREV]`` saves the researcher from
typing a codebook: the export already knows the question texts (SPSS variable
labels, Qualtrics header row 2) and often the answer labels (SPSS value
labels, Qualtrics "choice text" exports). :func:`draft_codebook` turns those
into a codebook YAML and, given the previous round's codebook (``like``),
gives each question that was asked before its *stable id* by matching the
wording.

How columns are read
--------------------
* Metadata of survey tools is never an item or an open question: IP address,
  location (latitude/longitude), e-mail, name and recipient fields,
  ExternalReference, dates and times, durations and timings, progress, last
  page, language, consent, status, seed/token (Qualtrics, LimeSurvey,
  SurveyMonkey names, matched on the column name and its question text). Such
  columns, empty columns, numbers that are no answer scale (counts, weights,
  computed scores) and options of multiple-response questions are listed at
  the end of the draft as ignored; the uncertain ones (consent, an "id" whose
  values repeat) under a ``CONTROLEER`` line. The fieldwork period is taken
  from the start/end dates (``StartDate``/``EndDate``, LimeSurvey
  ``startdate``/``submitdate``), parsed with explicit formats (no pandas
  guessing, no library warnings).
* The respondent id is ``like.respondent_id`` when that column exists, else
  a column named like an id (``ResponseId``, ``respnr``, ``id``; also by its
  question text, as in the legacy Qualtrics ``V1`` = ``ResponseID``) with
  unique values, else one of the first columns if its unique values look like
  ids (whole numbers or codes, not dates, not computed scores with decimals).
  Without one, ``respondent_id`` is left out (respondents are then their row
  numbers) and the draft says so.
* LimeSurvey headers ``code. question text`` give the question texts.
* Question text: for a matrix question Qualtrics and SPSS labels read
  ``stem - statement``; the statement is used as the item text.
* Matching: each question is compared with every item of ``like`` by
  ``difflib.SequenceMatcher(...).ratio()`` on
  :func:`~peo_lib.data.codebook.normalise_label` of the texts (the best of full
  label and statement); pairs are assigned greedily from the highest
  similarity down. A pair with similarity >= ``accept`` (0.6) gets the old id;
  below ``certain`` (0.9) it is marked ``# CONTROLEER: ...`` in the YAML and
  listed in the notes. Files without question texts (plain CSV) fall back on
  identical column names, always marked.
* Response sets: SPSS value labels (user-missing codes, also unlabelled ones
  and codes declared user-missing elsewhere in the file, and "Weet ik niet" /
  "Don't know" / "Refused" labels become ``missing``; a 0-10 grade with only its
  end points labelled is filled in; text codes of string variables are kept as
  text codes); text answers are matched to a response set of ``like`` (or the
  standard ``eens5``) that contains every label seen, else a set is made of the
  distinct answers (alphabetical codes, or the export's own text codes such as
  LimeSurvey ``A1``), marked ``CONTROLEER``; numeric codes without labels take
  the matched item's set from ``like``, else the codes of a short scale (at
  most 11 codes). A column whose labels mark only special codes of a number
  (``96 = 96+``, ``98 = Don't know``: a count question) is not an item.
  A set with the same codes and labels as one in ``like`` keeps its name.
* Background variables of ``like`` are found by column name, answer labels or
  a keyword (``functie``, ``organisatie``, ``gemeente``, ``ervaring``/``jaar``,
  and the demographics ``geslacht``/gender, ``leeftijd``/age, ``opleiding``/
  education, ``regio``/region, ``inkomen``/income) in the question; years and
  ages with many values are numbers (with their user-missing codes as
  ``missing``); free-text columns become open questions.
* Scales of ``like`` whose items are all core items are copied for the items
  found; new (theme) items get ids ``NIEUW01``... in a placeholder theme block.

The draft always parses as a codebook; every ``CONTROLEER`` marks something a
person must confirm before the round is reported.

Phases
------
:func:`build_draft` runs one small function per phase and fills a
:class:`~peo_lib.data.draft.Draft`, which
:func:`~peo_lib.data.draft.render_codebook` (the one YAML writer) turns into text:

1. read the export (:func:`_read_export`) into one :class:`~peo_lib.data.draft.Column` per column;
2. classify the columns (:func:`_classify` -> :class:`_Layout`): Qualtrics
   metadata, respondent id, open questions, background variables, items;
3. match the items to ``like`` and give each its id, block and response set
   (:func:`_draft_items`; :class:`~peo_lib.data.draft.ResponseSets` collects the sets);
4. background variables, open questions and scales
   (:func:`_draft_background`, :func:`_draft_open_questions`, :func:`_draft_scales`).

Matches are :class:`_Candidate` objects (column, target, score, reason),
assigned by :func:`_greedy`.

Errors
------
Wrong arguments of the library functions are ``ValueError``. Everything a user
of ``peo init-round`` can get wrong is a :class:`~peo_lib.errors.PEOError` with
a one-line message (what, where, how to fix it): a bad round id
(:class:`~peo_lib.errors.PEOError`), a missing or unreadable export
(:class:`~peo_lib.errors.RawDataError`), a missing or invalid ``--like``
codebook or an existing codebook without ``force``
(:class:`~peo_lib.errors.CodebookError`).
"""

from __future__ import annotations

import difflib
import re
import warnings as _warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from peo_lib import paths
from peo_lib._validate import check_argument
from peo_lib.data.codebook import FORMATS, ROUND_PATTERN, Codebook, normalise_label, read_codebook
from peo_lib.data.draft import (EENS5, ID_KEYS, MARKER, MAX_SET_SIZE, PLACEHOLDER_THEMES, Column, Draft,
                                DraftBackground, DraftItem, DraftOpenQuestion, DraftPrivacy, DraftScale, ResponseSets,
                                as_number, background_values, columns_of, fieldwork_of, is_free_text, is_user_missing,
                                looks_like_ids, meta_reason, name_key, numeric_share, render_codebook,
                                response_set_for, split_missing)
from peo_lib.data.readers import read_raw
from peo_lib.errors import CodebookError, RawDataError
from peo_lib.vocab import CORE_BLOCK, EXPERIENCE, EXPERIENCE_YEARS, EXPERIENCED, STARTER
from peo_lib.fileio import atomic_write

__all__ = ["MARKER", "Draft", "InitRoundResult", "build_draft", "draft_codebook", "init_round", "similarity"]

BACKGROUND_KEYWORDS = {
    EXPERIENCE_YEARS: ("ervaring", "hoeveel jaar", "jaren"),
    "functie": ("functie",),
    "organisatie": ("organisatie",),
    "gemeente": ("gemeente",),
    "geslacht": ("geslacht", "gender", "sex"),
    "leeftijd": ("leeftijd", "age", "hoe oud", "how old"),
    "opleiding": ("opleiding", "education"),
    "regio": ("regio", "region"),
    "inkomen": ("inkomen", "income"),
}
#: Background keys that are numbers when the column holds many different numbers.
NUMBER_KEYS = (EXPERIENCE_YEARS, "leeftijd")
#: Lowest score at which a column becomes a background variable.
BACKGROUND_ACCEPT = 0.6
#: How to fix an export the readers cannot use (their own hints may name codebook keys a draft lacks).
EXPORT_HINT = ("export the round again as SPSS .sav, Excel .xlsx or CSV "
               "(one header row; ';', ',' or tab between the columns)")


def similarity(a: str, b: str) -> float:
    """Wording similarity in [0, 1]: ``difflib.SequenceMatcher.ratio`` on normalised labels."""
    return difflib.SequenceMatcher(None, normalise_label(a), normalise_label(b), autojunk=False).ratio()


def _statement(label: str | None) -> str | None:
    """The statement of a matrix label ``"stem - statement"`` (else the label)."""
    if not label:
        return None
    parts = str(label).split(" - ", 1)
    return parts[1].strip() if len(parts) == 2 and parts[1].strip() else str(label).strip()


def _text_sim(label: str | None, text: str) -> float:
    if not label:
        return 0.0
    return max(similarity(label, text), similarity(_statement(label), text))


def _fmt_sim(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


def _also(comment: str | None, more: str | None) -> str | None:
    """Two CONTROLEER reasons as one comment."""
    if not more:
        return comment
    return f"{comment}; {more}" if comment else more


# -- phase 1: read the export ------------------------------------------------------

def _rehint(exc: RawDataError, hint: str) -> RawDataError:
    """``exc`` with ``hint`` in place of the reader's own (which may name codebook keys a draft lacks)."""
    text = str(exc)
    if exc.hint:
        text = text.removesuffix(f". {exc.hint}")
    new = RawDataError(text, hint=hint)
    new.path, new.column, new.row, new.value = exc.path, exc.column, exc.row, exc.value
    return new


def _read_export(path: Path, format: str):
    """The export as a :class:`~peo_lib.data.readers.RawTable`; any problem is a one-line RawDataError."""
    if path.is_dir():
        raise RawDataError("is a folder, not an export file", path=path, hint="give the export file itself")
    if not path.is_file():
        raise RawDataError("export not found", path=path, hint="check the folder and the file name")
    try:
        return read_raw(path, format=format)
    except RawDataError as exc:
        if exc.hint and "codebook" not in exc.hint:
            raise
        raise _rehint(exc, EXPORT_HINT) from None
    except OSError as exc:
        raise RawDataError(f"cannot be read ({exc.strerror or exc})", path=path,
                           hint="check that you may read the file") from None


# -- matching ----------------------------------------------------------------------

@dataclass(frozen=True)
class _Candidate:
    """A possible match of a column to a target of ``like`` (item id, background key or open question)."""

    score: float
    column: str
    target: str
    why: str = ""


def _greedy(candidates: list[_Candidate], accept: float) -> dict[str, _Candidate]:
    """Assign candidates greedily from the best score down; each column and target at most once."""
    done_cols, done_targets, out = set(), set(), {}
    for c in sorted(candidates, key=lambda c: (-c.score, c.column, c.target)):
        if c.score < accept or c.column in done_cols or c.target in done_targets:
            continue
        out[c.column] = c
        done_cols.add(c.column)
        done_targets.add(c.target)
    return out


def _wording_candidates(cols: list[Column], targets: dict, has_text: bool) -> list[_Candidate]:
    """Each column against each target (with ``.text``, ``.column``): on wording, or without question texts
    on identical column names."""
    return [_Candidate(_text_sim(c.label, t.text) if has_text else float(c.name == t.column), c.name, key)
            for c in cols for key, t in targets.items()]


def _like_evidence(col: Column, var):
    """(score, reason) of each sign that ``col`` holds the background variable ``var`` of ``like``."""
    if var.column == col.name:
        yield 0.95, "zelfde kolomnaam"
    if var.values and col.value_labels:
        a = {normalise_label(x) for x in var.values.values()}
        b = {normalise_label(x) for x in col.value_labels.values()}
        j = len(a & b) / len(a | b)
        yield j, f"antwoordlabels {round(j * 100)}% gelijk"
    if var.values and not col.value_labels and numeric_share(col.values) < 0.5:
        a = {normalise_label(x) for x in var.values.values()}
        b = {normalise_label(x) for x in pd.unique(col.values)}
        if b and b <= a:
            yield 0.9, "alle antwoorden zijn labels uit de vorige ronde"
    if var.label and col.label:
        s = similarity(var.label, col.label)
        yield s, f"vraagtekst (gelijkenis {_fmt_sim(s)})"


def _background_candidate(col: Column, key: str, var) -> _Candidate | None:
    """How well ``col`` fits background variable ``key`` (``var``: its definition in ``like``, or None)."""
    score, why = 0.0, ""
    for s, reason in (_like_evidence(col, var) if var is not None else ()):
        if s > score:
            score, why = s, reason
    text = normalise_label(col.label or "") + " " + normalise_label(col.name)
    words = BACKGROUND_KEYWORDS.get(key, (key.replace("_", " "),))
    matrix = " - " in (col.label or "") or bool(re.search(r"\[[^\]]+\]\s*$", col.label or col.name))
    if score < 0.9 and not matrix and name_key(_short_name(col)) in {name_key(w) for w in words}:
        score, why = 0.9, "kolomnaam"
    if score < 0.8 and not matrix and any(re.search(rf"\b{re.escape(w)}\b", text) for w in words):
        score, why = 0.8, "trefwoord in de vraag"
        if var is not None and var.values and numeric_share(col.values) == 1:
            codes = {float(c) for c in {**var.values, **var.missing}}
            if {as_number(v) for v in pd.unique(col.values)} <= codes:
                score, why = 0.85, "trefwoord in de vraag en codes als in de vorige ronde"
    return _Candidate(score, col.name, key, why) if score > 0 else None


def _match_background(cols: list[Column], like: Codebook | None) -> dict[str, _Candidate]:
    """Column -> its background variable (target: the key), from ``like``'s variables and the keywords."""
    keys = dict(like.background) if like is not None else {}
    for key in BACKGROUND_KEYWORDS:
        keys.setdefault(key, None)
    found = (_background_candidate(col, key, var) for col in cols for key, var in keys.items())
    return _greedy([c for c in found if c is not None], BACKGROUND_ACCEPT)


def _likert_like(col: Column) -> bool:
    """A labelled column whose labels look like an agreement scale (an item, not background)."""
    labels = {normalise_label(v) for v in col.value_labels.values()}
    return len(labels & {normalise_label(v) for v in EENS5.values()}) >= 3


# -- phase 2: classify the columns ---------------------------------------------------

@dataclass
class _Context:
    """What every phase needs: the previous round and the thresholds."""

    like: Codebook | None
    has_text: bool        # the export has question texts (else match on column names)
    accept: float
    certain: float
    like_items: dict = field(init=False)
    theme: str = field(init=False)   # placeholder id of this round's theme block

    def __post_init__(self):
        self.like_items = dict(self.like.items) if self.like is not None else {}
        self.theme = PLACEHOLDER_THEMES[1] if self.like is not None else PLACEHOLDER_THEMES[0]


@dataclass
class _Layout:
    """What each column of the export is; a column has at most one role."""

    columns: list            # every Column, in file order
    meta: list               # names of metadata and empty columns (skipped)
    respondent_id: str | None
    open: list               # Column: free text, drafted as open questions
    background: dict         # column name -> _Candidate (target: background key)
    items: list              # Column: the rest, drafted as items
    notes: list = field(default_factory=list)
    ignored: list = field(default_factory=list)  # (column, reason, uncertain)


def _find_id(cols: list[Column], like: Codebook | None, n: int):
    """(respondent id column or None, note or None, ignored): ``ignored`` lists id-like columns whose values repeat."""
    names = {c.name: c for c in cols}
    if like is not None and like.respondent_id in names and looks_like_ids(names[like.respondent_id], n):
        return like.respondent_id, None, []
    ignored = []
    for c in cols:
        if name_key(c.name) in ID_KEYS or name_key(c.label or "") in ID_KEYS:
            if looks_like_ids(c, n):
                return c.name, (None if c.name == "ResponseId" else f"respondent-id {c.name!r} gekozen op kolomnaam"), []
            why = (f"heet als een respondent-id, maar {n - c.values.nunique()} waarde(n) herhalen zich of ontbreken: "
                   "geen id")
            ignored.append((c.name, why, True))
    for c in cols[:3]:
        if not ignored and looks_like_ids(c, n):
            return c.name, f"respondent-id {c.name!r} gekozen als eerste kolom met unieke waarden", []
    return None, ("geen kolom met een eigen waarde per respondent: respondent_id weggelaten, respondenten zijn hun "
                  "rijnummer (1, 2, ...)"), ignored


def _classify(cols: list[Column], n: int, ctx: _Context) -> _Layout:
    """Metadata, empty columns and respondent id first; then open questions (free text); then set aside the
    questions whose wording matches an item of ``like`` with certainty; then background variables; the rest are
    items."""
    notes, ignored = [], []
    if not ctx.has_text:
        notes.append(f"{MARKER}: het bestand bevat geen vraagteksten; kolommen zijn alleen op naam gekoppeld")
    meta = []
    for c in cols:
        why = meta_reason(c) if len(c.values) else ("leeg (niemand heeft iets ingevuld)", False)
        if why is not None:
            ignored.append((c.name, *why))
            meta.append(c.name)
    id_col, id_note, id_ignored = _find_id([c for c in cols if c.name not in meta], ctx.like, n)
    if id_note:
        notes.append(f"{MARKER}: {id_note}" if id_col else id_note)
    ignored += id_ignored
    taken = set(meta) | {id_col} | {c for c, _, _ in id_ignored}
    free = [c for c in cols if c.name not in taken and is_free_text(c)]
    taken |= {c.name for c in free}
    rest = [c for c in cols if c.name not in taken]
    sure = _greedy(_wording_candidates(rest, ctx.like_items, True), ctx.certain) if ctx.has_text else {}
    background = _match_background([c for c in rest if c.name not in sure
                                    and not (c.value_labels and _likert_like(c))], ctx.like)
    taken |= set(background)
    items = [c for c in cols if c.name not in taken]
    return _Layout(columns=cols, meta=meta, respondent_id=id_col, open=free, background=background,
                   items=items, notes=notes, ignored=ignored)


# -- phase 3: items --------------------------------------------------------------------

def _matched_item(col: Column, match: _Candidate, ctx: _Context, notes: list) -> DraftItem:
    """The item of ``like`` that ``col`` matched (response set still to fill in)."""
    old, like_round = ctx.like_items[match.target], ctx.like.round
    text = _statement(col.label) or col.name
    block = CORE_BLOCK if old.block == CORE_BLOCK else ctx.theme
    comment = None
    if normalise_label(text) == normalise_label(old.text):
        text = old.text
    if not ctx.has_text:
        comment = (f"gekoppeld aan {match.target} op kolomnaam {col.name!r} (geen vraagtekst in het bestand); "
                   f"tekst overgenomen uit {like_round}")
        text = old.text
    elif match.score < ctx.certain:
        comment = (f"{match.target} gekoppeld op tekst (gelijkenis {_fmt_sim(match.score)}); in {like_round}: "
                   f"{old.text!r}")
    elif normalise_label(text) != normalise_label(old.text):
        notes.append(f"{match.target}: tekst licht gewijzigd t.o.v. {like_round} (gelijkenis "
                     f"{_fmt_sim(match.score)}); trends melden dit als wijziging")
    return DraftItem(match.target, col.name, text, "", block, comment)


def _short_name(col: Column) -> str:
    """The column's code: ``C1[SQ001]`` of a LimeSurvey ``code. text`` header, ``KOLOM17`` for an empty header."""
    unnamed = re.fullmatch(r"Unnamed: (\d+)", col.name)
    if unnamed:
        return f"KOLOM{int(unnamed.group(1)) + 1}"
    if col.label and col.name.endswith(col.label) and len(col.name) > len(col.label):
        return col.name[: -len(col.label)].strip().rstrip(".")
    return col.name


def _new_item(col: Column, ctx: _Context, new_k: int, position: int) -> DraftItem:
    """An item not in ``like``: ``NIEUWnn`` in the theme block, or (without ``like``) named after its column."""
    text = _statement(col.label) or col.name
    if ctx.like is not None:
        return DraftItem(f"NIEUW{new_k:02d}", col.name, text, "", ctx.theme,
                         f"nieuwe vraag (niet in {ctx.like.round}); kies een stabiel id en het blok")
    item_id = re.sub(r"\W+", "_", _short_name(col)).strip("_").upper()[:40].strip("_") or f"ITEM{position:02d}"
    return DraftItem(item_id, col.name, text, "", CORE_BLOCK)


def _file_missing(cols: list[Column]) -> frozenset:
    """Codes declared user-missing (single codes) anywhere in the file."""
    return frozenset(float(c) for col in cols for c in col.user_missing
                     if not isinstance(c, tuple) and as_number(c) is not None)


def _draft_items(layout: _Layout, ctx: _Context, sets: ResponseSets) -> tuple[list[DraftItem], list[str]]:
    """Each item column with its id and block (from the matched item of ``like``, or new) and response set."""
    matched = _greedy(_wording_candidates(layout.items, ctx.like_items, ctx.has_text), ctx.accept)
    items, notes, new_k, sets_from_like, used = [], [], 0, 0, set()
    file_missing = _file_missing(layout.columns)
    for col in layout.items:
        match = matched.get(col.name)
        old = ctx.like_items[match.target] if match else None
        item = _matched_item(col, match, ctx, notes) if match else None
        rs_name, rs_comment = response_set_for(col, old, ctx.like, sets, file_missing=file_missing)
        if rs_name is None:
            layout.ignored.append((col.name, rs_comment or "geen antwoordschaal af te leiden", False))
            continue
        if item is None:
            new_k += 1 if ctx.like is not None else 0
            item = _new_item(col, ctx, new_k, len(items) + 1)
            base, k = item.id, 2
            while item.id in used or item.id in ctx.like_items:
                item.id, k = f"{base}_{k}", k + 1
        used.add(item.id)
        if old is not None and not col.value_labels and numeric_share(col.values) == 1:
            sets_from_like += 1
        item.response_set = rs_name
        item.comment = _also(item.comment, rs_comment)
        items.append(item)
        if item.comment:
            notes.append(f"{MARKER} {item.id} (kolom {col.name}): {item.comment}")
    if sets_from_like:
        notes.append(f"antwoordcodes zonder labels: de antwoordsets van {sets_from_like} gekoppelde vragen zijn "
                     f"overgenomen uit {ctx.like.round}; controleer dat de codes in de export hetzelfde betekenen")
    if ctx.like is not None:
        drafted = {it.id for it in items}
        missing_core = [i for i, it in ctx.like_items.items() if it.block == CORE_BLOCK and i not in drafted]
        if missing_core:
            notes.append(f"{MARKER}: kernvragen van {ctx.like.round} niet gevonden: {', '.join(missing_core)}")
    return items, notes


# -- phase 4: background, open questions, scales ---------------------------------------

def _is_number_background(col: Column, key: str, var) -> bool:
    """Years of experience, or an age (or a number of ``like``) held as many different numbers."""
    if var is not None:
        return var.kind == "number"
    if key == EXPERIENCE_YEARS:
        return True
    plain = [v for v in pd.unique(col.values) if not is_user_missing(v, col.user_missing)]
    return key in NUMBER_KEYS and numeric_share(col.values) == 1 and len(plain) > MAX_SET_SIZE


def _background_entry(col: Column, match: _Candidate, ctx: _Context) -> DraftBackground:
    key = match.target
    var = ctx.like.background.get(key) if ctx.like is not None else None
    comment = None if match.score >= ctx.certain else f"achtergrondvariabele {key} gekoppeld via {match.why}"
    label = col.label or (var.label if var is not None else None)
    if _is_number_background(col, key, var):
        missing = {c: lab for c, lab in split_missing(col.value_labels, col.user_missing)[1].items()}
        return DraftBackground(key, col.name, label, "number", missing=missing, comment=comment)
    values, missing, more = background_values(col, var)
    return DraftBackground(key, col.name, label, None, values, missing, _also(comment, more))


def _draft_background(layout: _Layout, ctx: _Context) -> tuple[list[DraftBackground], list[str]]:
    """The background variables, in column order."""
    out, notes = [], []
    for col in layout.columns:
        if col.name in layout.background:
            bg = _background_entry(col, layout.background[col.name], ctx)
            out.append(bg)
            if bg.comment:
                notes.append(f"{MARKER} background.{bg.key} (kolom {col.name}): {bg.comment}")
    drafted = {bg.key for bg in out}
    if ctx.like is not None:
        lost = [k for k in ctx.like.background if k not in drafted]
        if lost:
            notes.append(f"{MARKER}: achtergrondvragen van {ctx.like.round} niet gevonden: {', '.join(lost)}")
    if EXPERIENCE_YEARS not in drafted:
        notes.append(f"{MARKER}: geen kolom voor {EXPERIENCE_YEARS} gevonden; zonder die kolom is de {EXPERIENCE} "
                     f"({STARTER}/{EXPERIENCED}) onbekend")
    return out, notes


def _draft_open_questions(layout: _Layout, ctx: _Context) -> tuple[list[DraftOpenQuestion], list[str]]:
    """The free-text columns: the id of the matching open question of ``like``, else a new ``OPENnn``."""
    like_open = dict(ctx.like.open_questions) if ctx.like is not None else {}
    matched = _greedy(_wording_candidates(layout.open, like_open, ctx.has_text), ctx.accept)
    out, notes, used, next_k = [], [], set(), 1
    for col in layout.open:
        statement = _statement(col.label)
        match = matched.get(col.name)
        if match is not None:
            key, old_text = match.target, like_open[match.target].text
            same = normalise_label(statement or "") == normalise_label(old_text)
            text = old_text if same or not ctx.has_text else (statement or col.name)
            comment = (None if match.score >= ctx.certain and ctx.has_text
                       else f"gekoppeld aan {key} (gelijkenis {_fmt_sim(match.score)})")
        else:
            while f"OPEN{next_k:02d}" in like_open or f"OPEN{next_k:02d}" in used:
                next_k += 1
            key, text = f"OPEN{next_k:02d}", statement or col.name
            comment = "nieuwe open vraag" if ctx.like is not None else None
        used.add(key)
        out.append(DraftOpenQuestion(key, col.name, text, comment))
        if comment:
            notes.append(f"{MARKER} open_questions.{key} (kolom {col.name}): {comment}")
    return out, notes


def _draft_scales(items: list[DraftItem], ctx: _Context) -> tuple[list[DraftScale], list[str]]:
    """The core scales of ``like``, for the items found."""
    out, notes = [], []
    present = {it.id for it in items}
    for sid, sc in (ctx.like.scales.items() if ctx.like is not None else ()):
        if not all(ctx.like.items[i].block == CORE_BLOCK for i in sc.items):
            notes.append(f"schaal {sid} van {ctx.like.round} hoort bij het vorige thema en is niet overgenomen")
            continue
        found = [i for i in sc.items if i in present]
        if len(found) < 2:
            if found or sc.items:
                notes.append(f"{MARKER}: schaal {sid} niet overgenomen: te weinig items gevonden ({found})")
            continue
        comment = None
        if len(found) < len(sc.items):
            comment = f"items ontbreken: {', '.join(i for i in sc.items if i not in present)}"
            notes.append(f"{MARKER} scales.{sid}: {comment}")
        out.append(DraftScale(sid, sc.label, found, [i for i in sc.reverse if i in found],
                              min(sc.min_valid_effective, len(found)), comment))
    if any(it.block == ctx.theme for it in items):
        notes.append(f"{MARKER}: stel schalen voor het themablok zelf samen (scales)")
    return out, notes


# -- the draft -------------------------------------------------------------------------

def _check_arguments(round_id, format, accept, certain) -> None:
    if not re.fullmatch(ROUND_PATTERN, str(round_id)):
        raise ValueError(f"round_id={round_id!r} is not a round id like '2023-2' (YYYY-1 spring, YYYY-2 autumn)")
    if not 0 < accept <= certain <= 1:
        raise ValueError(f"accept={accept!r}, certain={certain!r}: expected 0 < accept <= certain <= 1")
    check_argument("format", FORMATS, format)


def _ignored_notes(ignored: list) -> list[str]:
    """One note per kind of ignored column (the draft lists every column at its end)."""
    meta = [c for c, why, _ in ignored if why.startswith("metadata")]
    other = [(c, why, unsure) for c, why, unsure in ignored if not why.startswith("metadata")]
    notes = []
    if meta:
        notes.append(f"{len(meta)} metadatakolommen niet opgenomen ({', '.join(meta[:4])}"
                     + (", ..." if len(meta) > 4 else "") + ")")
    if other:
        notes.append(f"{len(other)} andere kolommen niet opgenomen (lege kolommen, getallen zonder antwoordschaal, "
                     "meerkeuze-opties, ...): zie het einde van het codeboek")
    notes += [f"{MARKER} kolom {c!r}: {why}" for c, why, unsure in other if unsure]
    return notes


def _codebook_column(name: str) -> str:
    """How the codebook names a column: ``#17`` for the 17th column when its header cell is empty."""
    unnamed = re.fullmatch(r"Unnamed: (\d+)", name)
    return f"#{int(unnamed.group(1)) + 1}" if unnamed else name


def build_draft(round_id: str, raw_path, *, like=None, format: str = "auto", accept: float = 0.6,
                certain: float = 0.9) -> Draft:
    """The :class:`~peo_lib.data.draft.Draft` of a new round's codebook; parameters as :func:`draft_codebook`."""
    _check_arguments(round_id, format, accept, certain)
    if like is not None and not isinstance(like, Codebook):
        like = read_codebook(like)
    raw_path = Path(raw_path)
    table = _read_export(raw_path, format)
    cols = columns_of(table)
    ctx = _Context(like, has_text=any(c.label for c in cols), accept=accept, certain=certain)
    layout = _classify(cols, len(table.data), ctx)
    sets = ResponseSets(like)
    items, item_notes = _draft_items(layout, ctx, sets)
    background, background_notes = _draft_background(layout, ctx)
    open_questions, open_notes = _draft_open_questions(layout, ctx)
    scales, scale_notes = _draft_scales(items, ctx)
    for entry in (*items, *background, *open_questions):
        entry.column = _codebook_column(entry.column)
    unnamed = sorted({c for rs in sets.sets.values() for c, lab in rs.missing.items() if lab == f"code {c}"}, key=str)
    if unnamed:
        scale_notes.append(f"missing-codes zonder label staan als 'code N' in de antwoordsets ({unnamed}); geef ze "
                           "zo nodig een reden (die verschijnt in de rapporten)")
    privacy = (DraftPrivacy(like.privacy.min_n, like.privacy.min_n_open, list(like.privacy.redact_terms))
               if like is not None else DraftPrivacy())
    return Draft(
        round_id=round_id, source_file=raw_path.name, format=format, respondent_id=layout.respondent_id,
        theme=ctx.theme, like_round=like.round if like is not None else None, fieldwork=fieldwork_of(cols),
        privacy=privacy, starter_max_years=like.starter_max_years if like is not None else 2,
        response_sets=sets.sets, items=items, scales=scales, background=background,
        open_questions=open_questions, ignored=[(_codebook_column(c), why, u) for c, why, u in layout.ignored],
        notes=layout.notes + item_notes + background_notes + open_notes + scale_notes + _ignored_notes(layout.ignored),
    )


def draft_codebook(round_id: str, raw_path, *, like=None, format: str = "auto", accept: float = 0.6,
                   certain: float = 0.9) -> tuple[str, list[str]]:
    """Draft a codebook YAML for a new round from its raw export.

    Parameters
    ----------
    round_id : str
        The new round, e.g. ``"2023-2"``.
    raw_path : str or Path
        The export (.sav, Qualtrics CSV, CSV, .xlsx), read with
        :func:`peo_lib.data.readers.read_raw`.
    like : str, Path or Codebook, optional
        The previous round's codebook: its item ids, response sets, scales,
        background variables and privacy settings are reused where the
        wording matches.
    format : {"auto", "csv", "xlsx", "sav", "qualtrics"}
    accept : float, default 0.6
        Lowest wording similarity at which a question gets an old id.
    certain : float, default 0.9
        Below this a match is marked ``# CONTROLEER``.

    Returns
    -------
    yaml_text : str
        A codebook that :func:`~peo_lib.data.codebook.read_codebook` accepts; lines
        to check carry ``# CONTROLEER: ...``.
    notes : list of str
        Dutch notes for the researcher (every ``CONTROLEER`` and what was
        skipped).

    Raises
    ------
    ValueError
        A bad ``round_id``, ``format``, ``accept`` or ``certain``.
    RawDataError
        The export is missing or cannot be read, or has no respondent id column.
    CodebookError
        ``like`` is not a valid codebook.

    Notes
    -----
    Matching and inference rules are in the module docstring. Similarity is
    :func:`similarity` (difflib ratio on normalised labels). :func:`build_draft`
    gives the draft as a :class:`~peo_lib.data.draft.Draft` instead of text.
    """
    with _warnings.catch_warnings():  # a draft prints its notes, never a library's warnings
        _warnings.simplefilter("ignore")
        draft = build_draft(round_id, raw_path, like=like, format=format, accept=accept, certain=certain)
    return render_codebook(draft), draft.notes


# -- file-level entry point (for the CLI) -----------------------------------------

@dataclass
class InitRoundResult:
    """What :func:`init_round` wrote."""

    path: Path
    yaml_text: str
    notes: list


def _check_round_id(round_id) -> None:
    paths.check_round_id(round_id)


def _find_export(raw, data_dir) -> Path:
    """``raw`` as given, else ``DATA_DIR/raw/raw`` for a relative path; a RawDataError when neither is a file."""
    raw = Path(raw)
    folder = paths.raw_dir(data_dir)
    places = [raw] if raw.is_absolute() else [raw, folder / raw]
    for place in places:
        if place.is_file():
            return place
    for place in places:
        if place.is_dir():
            raise RawDataError("is a folder, not an export file", path=place,
                               hint="give the export file itself with --raw")
    if raw.is_absolute():
        raise RawDataError("export not found", path=raw, hint="check the folder and the file name given with --raw")
    raise RawDataError(f"export not found in the current folder ({Path.cwd()}) nor in {folder}", path=raw,
                       hint=f"give the path of the export with --raw, or put the file in {folder}")


def _like_not_found(like, is_round_id: bool, data_dir) -> str:
    if not is_round_id:
        return (f"codebook of the previous round not found (--like {like}): give a round id (YYYY-1 or YYYY-2) "
                "or the path of a codebook file")
    ids = paths.round_ids(data_dir)
    if not ids:
        return (f"codebook of the previous round not found (--like {like}): there are no codebooks in "
                f"{paths.codebook_dir(data_dir)}; give the path of a codebook file, or pass --data-dir")
    return (f"codebook of the previous round not found (--like {like}): the rounds in "
            f"{paths.codebook_dir(data_dir)} are {', '.join(ids)}; give one of those or a codebook file")


def _read_like(like, data_dir) -> Codebook | None:
    """The codebook named by ``--like`` (a round id or a file); problems as one-line CodebookErrors."""
    if like is None:
        return None
    path, is_round_id = Path(like), bool(re.fullmatch(ROUND_PATTERN, str(like)))
    if is_round_id and not path.is_file():
        path = paths.codebook_path(str(like), data_dir)
    if not path.is_file():
        raise CodebookError(path, _like_not_found(like, is_round_id, data_dir))
    try:
        return read_codebook(path)
    except CodebookError as exc:
        if len(exc.problems) == 1:
            raise
        listed = f"`peo check {like}` lists them all" if is_round_id else "fix them in the file"
        raise CodebookError(path, f"the codebook of the previous round (--like {like}) has {len(exc.problems)} "
                                  f"problems, the first: {exc.problems[0]}; {listed}, or give another --like") from None


def _write_atomically(target: Path, text: str) -> None:
    try:
        atomic_write(target, text)
    except OSError as exc:
        raise CodebookError(target, f"cannot write the draft ({exc.strerror or exc}); check that "
                                    f"{target.parent} is a folder you may write to, or pass another --data-dir") from None


def init_round(round_id: str, *, raw, like=None, data_dir=None, force: bool = False) -> InitRoundResult:
    """Write a draft codebook ``DATA_DIR/codebooks/ROUND.yml`` (for ``peo init-round``).

    Parameters
    ----------
    round_id : str
    raw : str or Path
        The export; a relative path that is not found is looked up in ``DATA_DIR/raw``.
    like : str or Path, optional
        A previous round id (``"2023-1"``, looked up in ``DATA_DIR/codebooks``)
        or a codebook file.
    data_dir : str or Path, optional
        Default: the repository's ``data/``.
    force : bool
        Overwrite an existing codebook (otherwise refuse).

    Returns
    -------
    InitRoundResult

    Raises
    ------
    PEOError
        ``round_id`` is not a round id (YYYY-1 or YYYY-2).
    CodebookError
        The codebook exists already (without ``force``), ``like`` is not found
        or not valid, or the draft cannot be written.
    RawDataError
        The export is not found or cannot be read.

    Every message is one line: what is wrong, where, and how to fix it.
    """
    _check_round_id(round_id)
    raw = _find_export(raw, data_dir)
    like_cb = _read_like(like, data_dir)
    target = paths.codebook_path(round_id, data_dir)
    if target.exists() and not force:
        raise CodebookError(target, "a codebook for this round exists already; use --force to overwrite it")
    text, notes = draft_codebook(round_id, raw, like=like_cb)
    if raw.resolve().parent != paths.raw_dir(data_dir).resolve():
        notes.append(f"{MARKER}: zet {raw.name} in {paths.raw_dir(data_dir)} (source.file noemt alleen de naam)")
    _write_atomically(target, text)
    return InitRoundResult(path=target, yaml_text=text, notes=notes)
