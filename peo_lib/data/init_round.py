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
* Qualtrics metadata (``StartDate``, ``IPAddress``, ...) is skipped; the
  fieldwork period is taken from ``StartDate``/``EndDate`` when present.
* The respondent id is ``like.respondent_id`` when that column exists, else
  a column named like an id (``ResponseId``, ``respnr``, ``id``) with unique
  values.
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
* Response sets: SPSS value labels (user-missing codes and "Weet ik niet" /
  "Niet van toepassing" labels become ``missing``; a 0-10 grade with only its
  end points labelled is filled in); text answers are matched to a response
  set of ``like`` (or the standard ``eens5``) that contains every label seen;
  numeric codes without labels take the matched item's set from ``like``.
  A set with the same codes and labels as one in ``like`` keeps its name.
* Background variables of ``like`` are found by column name, answer labels or
  a keyword (``functie``, ``organisatie``, ``gemeente``, ``ervaring``/``jaar``)
  in the question; free-text columns become open questions.
* Scales of ``like`` whose items are all core items are copied for the items
  found; new (theme) items get ids ``NIEUW01``... in a placeholder theme block.

The draft always parses as a codebook; every ``CONTROLEER`` marks something a
person must confirm before the round is reported.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from peo_lib.data.codebook import CORE_BLOCK, ROUND_PATTERN, Codebook, normalise_label, read_codebook
from peo_lib.errors import CodebookError, PEOError
from peo_lib.data.readers import read_raw

__all__ = ["draft_codebook", "init_round", "InitRoundResult", "similarity", "MARKER"]

#: Marker of every line a person must check.
MARKER = "CONTROLEER"

QUALTRICS_META = {
    "startdate", "enddate", "status", "ipaddress", "progress", "duration (in seconds)", "finished",
    "recordeddate", "recipientlastname", "recipientfirstname", "recipientemail", "externalreference",
    "locationlatitude", "locationlongitude", "distributionchannel", "userlanguage", "q_recaptchascore",
    "q_relevantidduplicate", "q_relevantidduplicatescore", "q_relevantidfraudscore", "q_relevantidlaststartdate",
}
ID_NAMES = ("responseid", "respondentid", "respondent_id", "respnr", "respondentnummer", "resp_id", "id")
MISSING_WORDS = ("weet ik niet", "niet van toepassing", "n.v.t.", "nvt", "wil ik niet zeggen",
                 "zeg ik liever niet")
EENS5 = {1: "Helemaal oneens", 2: "Oneens", 3: "Neutraal", 4: "Eens", 5: "Helemaal eens"}
EENS5_MISSING = {8: "Niet van toepassing", 9: "Weet ik niet"}
BACKGROUND_KEYWORDS = {
    "ervaring_jaren": ("ervaring", "hoeveel jaar", "jaren"),
    "functie": ("functie",),
    "organisatie": ("organisatie",),
    "gemeente": ("gemeente",),
}


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


def _q(value) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(str(value), ensure_ascii=False)


def _fmt_sim(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


@dataclass
class _Column:
    name: str
    label: str | None
    values: pd.Series  # non-blank cells
    value_labels: dict
    user_missing: set


@dataclass
class _Draft:
    round_id: str
    notes: list = field(default_factory=list)


def _as_number(v):
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return float(v)
    text = str(v).strip()
    if re.fullmatch(r"[+-]?\d+([.,]\d+)?", text):
        return float(text.replace(",", "."))
    return None


def _numeric_share(values: pd.Series) -> float:
    if len(values) == 0:
        return 0.0
    uniq = pd.unique(values)
    nums = [_as_number(v) for v in uniq]
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


class _Sets:
    """Response sets of the draft, reusing names of ``like`` for identical content."""

    def __init__(self, like: Codebook | None):
        self.sets: dict[str, dict] = {}
        self.known = dict(like.response_sets) if like else {}

    @staticmethod
    def _sig(values, missing):
        return (tuple(sorted(values.items())), tuple(sorted(missing.items())))

    def add(self, values: dict, missing: dict, *, hint: str | None = None) -> str:
        sig = self._sig(values, missing)
        for name, rs in self.sets.items():
            if self._sig(rs["values"], rs["missing"]) == sig:
                return name
        for name, rs in self.known.items():
            if self._sig(rs.values, rs.missing) == sig:
                self.sets[name] = dict(values=dict(rs.values), missing=dict(rs.missing))
                return name
        if self._sig(EENS5, EENS5_MISSING) == sig or self._sig(EENS5, {}) == sig:
            name = "eens5" if "eens5" not in self.sets else "eens5_b"
        else:
            base = hint or f"set{len(self.sets) + 1}"
            name, k = base, 2
            while name in self.sets or name in self.known:
                name, k = f"{base}_{k}", k + 1
        self.sets[name] = dict(values=values, missing=missing)
        return name

    def known_covering(self, col: _Column):
        """A known (like or standard) set whose labels/codes cover every value of a text column."""
        candidates = [(n, dict(rs.values), dict(rs.missing)) for n, rs in self.known.items()]
        candidates.append(("eens5", EENS5, EENS5_MISSING))
        uniq = [v for v in pd.unique(col.values)]
        for name, values, missing in candidates:
            labels = {normalise_label(x) for x in {**values, **missing}.values()}
            codes = {float(c) for c in {**values, **missing}}
            ok = all(normalise_label(v) in labels or (_as_number(v) is not None and _as_number(v) in codes)
                     for v in uniq)
            if ok and any(normalise_label(v) in labels for v in uniq if _as_number(v) is None):
                return values, missing
        return None


def _columns(table) -> list[_Column]:
    out = []
    for c in table.data.columns:
        s = table.data[c]
        out.append(_Column(name=str(c), label=table.column_labels.get(c) or None,
                           values=s[s.notna() & (s.astype(str).str.strip() != "")],
                           value_labels=dict(table.value_labels.get(c) or {}),
                           user_missing=set(table.user_missing.get(c) or set())))
    return out


def _find_id(cols: list[_Column], like: Codebook | None, n: int):
    names = {c.name: c for c in cols}
    if like is not None and like.respondent_id in names:
        return like.respondent_id, None
    for want in ID_NAMES:
        for c in cols:
            if c.name.casefold() == want and c.values.nunique() == len(c.values) == n:
                return c.name, (None if c.name == "ResponseId" else f"respondent-id {c.name!r} gekozen op kolomnaam")
    for c in cols:
        if len(c.values) == n and c.values.nunique() == n:
            return c.name, f"respondent-id {c.name!r} gekozen als eerste kolom met unieke waarden"
    raise PEOError("init-round: no column with a unique value per respondent found to use as respondent_id")


def _fieldwork(cols: list[_Column]):
    by = {c.name.casefold(): c for c in cols}
    if "startdate" not in by or "enddate" not in by:
        return None
    start = pd.to_datetime(by["startdate"].values, errors="coerce").min()
    end = pd.to_datetime(by["enddate"].values, errors="coerce").max()
    if pd.isna(start) or pd.isna(end):
        return None
    return start.date(), end.date()


def _is_free_text(col: _Column) -> bool:
    if col.value_labels or len(col.values) == 0 or _numeric_share(col.values) > 0.5:
        return False
    uniq = col.values.astype(str).nunique()
    mean_len = col.values.astype(str).str.len().mean()
    return uniq / len(col.values) > 0.3 or mean_len > 25


def _greedy(pairs: list[tuple[float, str, str]], accept: float) -> dict[str, tuple[str, float]]:
    """Assign (score, column, target) pairs greedily from the best; returns column -> (target, score)."""
    done_cols, done_targets, out = set(), set(), {}
    for score, col, target in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if score < accept or col in done_cols or target in done_targets:
            continue
        out[col] = (target, score)
        done_cols.add(col)
        done_targets.add(target)
    return out


def _match_background(cols: list[_Column], like: Codebook | None, taken: set) -> dict:
    """Column -> (background key, score, reason)."""
    pairs, reasons = [], {}
    keys = dict(like.background) if like is not None else {}
    for key in BACKGROUND_KEYWORDS:
        keys.setdefault(key, None)
    for col in cols:
        if col.name in taken:
            continue
        text = normalise_label(col.label or "") + " " + normalise_label(col.name)
        for key, var in keys.items():
            score, why = 0.0, ""
            if var is not None and var.column == col.name:
                score, why = 0.95, "zelfde kolomnaam"
            if var is not None and var.values and col.value_labels:
                a = {normalise_label(x) for x in var.values.values()}
                b = {normalise_label(x) for x in col.value_labels.values()}
                j = len(a & b) / len(a | b)
                if j > score:
                    score, why = j, f"antwoordlabels {round(j * 100)}% gelijk"
            if var is not None and var.values and not col.value_labels and _numeric_share(col.values) < 0.5:
                a = {normalise_label(x) for x in var.values.values()}
                b = {normalise_label(x) for x in pd.unique(col.values)}
                if b and b <= a and 0.9 > score:
                    score, why = 0.9, "alle antwoorden zijn labels uit de vorige ronde"
            if var is not None and var.label and col.label:
                s = similarity(var.label, col.label)
                if s > score:
                    score, why = s, f"vraagtekst (gelijkenis {_fmt_sim(s)})"
            words = BACKGROUND_KEYWORDS.get(key, (key.replace("_", " "),))
            matrix = " - " in (col.label or "")
            if score < 0.8 and not matrix and any(re.search(rf"\b{re.escape(w)}\b", text) for w in words):
                score, why = 0.8, "trefwoord in de vraag"
                if var is not None and var.values and _numeric_share(col.values) == 1:
                    codes = {float(c) for c in {**var.values, **var.missing}}
                    if {_as_number(v) for v in pd.unique(col.values)} <= codes:
                        score, why = 0.85, "trefwoord in de vraag en codes als in de vorige ronde"
            if score > 0:
                pairs.append((score, col.name, key))
                reasons[(col.name, key)] = why
    matched = _greedy(pairs, 0.6)
    return {c: (k, s, reasons[(c, k)]) for c, (k, s) in matched.items()}


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

    Notes
    -----
    Matching and inference rules are in the module docstring. Similarity is
    :func:`similarity` (difflib ratio on normalised labels).
    """
    if not re.match(ROUND_PATTERN, str(round_id)):
        raise ValueError(f"round_id={round_id!r} is not a round id like '2023-2' (YYYY-1 spring, YYYY-2 autumn)")
    if not 0 < accept <= certain <= 1:
        raise ValueError(f"accept={accept!r}, certain={certain!r}: expected 0 < accept <= certain <= 1")
    if like is not None and not isinstance(like, Codebook):
        like = read_codebook(like)
    raw_path = Path(raw_path)
    table = read_raw(raw_path, format=format)
    n = len(table.data)
    notes: list[str] = []
    cols = _columns(table)
    by_name = {c.name: c for c in cols}
    has_text = any(c.label for c in cols)
    if not has_text:
        notes.append(f"{MARKER}: het bestand bevat geen vraagteksten; kolommen zijn alleen op naam gekoppeld")

    meta = [c.name for c in cols if c.name.casefold() in QUALTRICS_META]
    id_col, id_note = _find_id([c for c in cols if c.name not in meta], like, n)
    if id_note:
        notes.append(f"{MARKER}: {id_note}")
    taken = set(meta) | {id_col}

    # open questions first (free text); then questions whose wording matches an item of
    # ``like`` with certainty; then background variables; then the other items.
    free = [c for c in cols if c.name not in taken and _is_free_text(c)]
    taken |= {c.name for c in free}
    like_items = dict(like.items) if like is not None else {}

    def item_pairs(candidates):
        out = []
        for c in candidates:
            for item_id, it in like_items.items():
                score = _text_sim(c.label, it.text) if has_text else (1.0 if c.name == it.column else 0.0)
                out.append((score, c.name, item_id))
        return out

    sure = _greedy(item_pairs([c for c in cols if c.name not in taken]), certain) if has_text else {}
    background = _match_background([c for c in cols if c.name not in taken and c.name not in sure
                                    and not (c.value_labels and _likert_like(c))], like, taken)
    taken |= set(background)
    item_cols = [c for c in cols if c.name not in taken]
    matched = _greedy(item_pairs(item_cols), accept)

    sets = _Sets(like)
    theme = "nieuw_thema" if like is not None else "thema"
    items_out = []  # (id, column, text, set, block, comment)
    new_k = 0
    from_like = []
    for c in item_cols:
        comment = None
        text = _statement(c.label) or c.name
        if c.name in matched:
            item_id, score = matched[c.name]
            old = like_items[item_id]
            block = CORE_BLOCK if old.block == CORE_BLOCK else theme
            if normalise_label(text) == normalise_label(old.text):
                text = old.text
            if not has_text:
                comment = (f"gekoppeld aan {item_id} op kolomnaam {c.name!r} (geen vraagtekst in het bestand); "
                           f"tekst overgenomen uit {like.round}")
                text = old.text
            elif score < certain:
                comment = (f"{item_id} gekoppeld op tekst (gelijkenis {_fmt_sim(score)}); in {like.round}: "
                           f"{old.text!r}")
            elif normalise_label(text) != normalise_label(old.text):
                notes.append(f"{item_id}: tekst licht gewijzigd t.o.v. {like.round} (gelijkenis {_fmt_sim(score)}); "
                             "trends melden dit als wijziging")
        else:
            old = None
        rs_name, rs_comment = _response_set_for(c, old, like, sets)
        if rs_name is None:
            notes.append(f"kolom {c.name!r} overgeslagen: geen antwoordset af te leiden "
                         f"({c.values.nunique()} verschillende waarden)")
            continue
        if old is None and like is not None:
            new_k += 1
            item_id = f"NIEUW{new_k:02d}"
            block = theme
        elif old is None:
            item_id = re.sub(r"\W+", "_", c.name).strip("_").upper() or f"ITEM{len(items_out) + 1:02d}"
            block = CORE_BLOCK
        if old is not None and not c.value_labels and _numeric_share(c.values) == 1:
            from_like.append(item_id)
        if old is None and like is not None:
            comment = f"nieuwe vraag (niet in {like.round}); kies een stabiel id en het blok"
        if rs_comment:
            comment = f"{comment}; {rs_comment}" if comment else rs_comment
        items_out.append((item_id, c.name, text, rs_name, block, comment))
        if comment:
            notes.append(f"{MARKER} {item_id} (kolom {c.name}): {comment}")
    if from_like:
        notes.append(f"antwoordcodes zonder labels: de antwoordsets van {len(from_like)} gekoppelde vragen zijn "
                     f"overgenomen uit {like.round}; controleer dat de codes in de export hetzelfde betekenen")
    if like is not None:
        missing_core = [i for i, it in like_items.items() if it.block == CORE_BLOCK
                        and i not in {x[0] for x in items_out}]
        if missing_core:
            notes.append(f"{MARKER}: kernvragen van {like.round} niet gevonden: {', '.join(missing_core)}")

    # -- background ------------------------------------------------------------
    bg_out = []  # (key, column, label, type, values, missing, comment)
    for c in cols:
        if c.name not in background:
            continue
        key, score, why = background[c.name]
        var = like.background.get(key) if like is not None else None
        comment = None if score >= certain else f"achtergrondvariabele {key} gekoppeld via {why}"
        label = c.label or (var.label if var is not None else None)
        if key == "ervaring_jaren" or (var is not None and var.kind == "number"):
            bg_out.append((key, c.name, label, "number", None, {}, comment))
        else:
            values, missing, vcomment = _background_values(c, var)
            if vcomment:
                comment = f"{comment}; {vcomment}" if comment else vcomment
            bg_out.append((key, c.name, label, None, values, missing, comment))
        if comment:
            notes.append(f"{MARKER} background.{key} (kolom {c.name}): {comment}")
    if like is not None:
        lost = [k for k in like.background if k not in {b[0] for b in bg_out}]
        if lost:
            notes.append(f"{MARKER}: achtergrondvragen van {like.round} niet gevonden: {', '.join(lost)}")
    if "ervaring_jaren" not in {b[0] for b in bg_out}:
        notes.append(f"{MARKER}: geen kolom voor ervaring_jaren gevonden; zonder die kolom is de ervaringsgroep "
                     "(startend/ervaren) onbekend")

    # -- open questions --------------------------------------------------------
    like_open = dict(like.open_questions) if like is not None else {}
    opairs = [(_text_sim(c.label, q.text) if has_text else (1.0 if c.name == q.column else 0.0), c.name, k)
              for c in free for k, q in like_open.items()]
    omatched = _greedy(opairs, accept)
    open_out = []
    used = set()
    next_k = 1
    for c in free:
        if c.name in omatched:
            key, score = omatched[c.name]
            text = like_open[key].text if normalise_label(_statement(c.label) or "") == normalise_label(
                like_open[key].text) or not has_text else (_statement(c.label) or c.name)
            comment = None if score >= certain and has_text else f"gekoppeld aan {key} (gelijkenis {_fmt_sim(score)})"
        else:
            while f"OPEN{next_k:02d}" in like_open or f"OPEN{next_k:02d}" in used:
                next_k += 1
            key = f"OPEN{next_k:02d}"
            text = _statement(c.label) or c.name
            comment = "nieuwe open vraag" if like is not None else None
        used.add(key)
        open_out.append((key, c.name, text, comment))
        if comment:
            notes.append(f"{MARKER} open_questions.{key} (kolom {c.name}): {comment}")

    # -- scales ----------------------------------------------------------------
    present = {x[0]: x for x in items_out}
    scales_out = []  # (id, label, items, reverse, min_valid, comment)
    if like is not None:
        for sid, sc in like.scales.items():
            if not all(like.items[i].block == CORE_BLOCK for i in sc.items):
                notes.append(f"schaal {sid} van {like.round} hoort bij het vorige thema en is niet overgenomen")
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
            min_valid = min(sc.min_valid_effective, len(found))
            scales_out.append((sid, sc.label, found, [i for i in sc.reverse if i in found], min_valid, comment))
    if any(x[4] == theme for x in items_out):
        notes.append(f"{MARKER}: stel schalen voor het themablok zelf samen (scales)")

    # -- write -----------------------------------------------------------------
    fw = _fieldwork(cols)
    lines = [
        f"# Concept-codeboek voor ronde {round_id}, gemaakt door `peo init-round` uit {raw_path.name}"
        + (f" op basis van ronde {like.round}." if like is not None else "."),
        f"# Controleer elke regel met {MARKER} en haal die markering daarna weg.",
        f"round: {_q(round_id)}",
        f"# {MARKER}: titel van de ronde",
        f"title: {_q('Ronde ' + round_id)}",
    ]
    if fw:
        lines.append(f"fieldwork: {{start: {fw[0].isoformat()}, end: {fw[1].isoformat()}}}")
    else:
        lines.append(f"# {MARKER}: vul de veldwerkperiode in: fieldwork: {{start: JJJJ-MM-DD, end: JJJJ-MM-DD}}")
    lines += [f"# {MARKER}: id van het themablok van deze ronde (ook bij de items met block: {theme})",
              f"theme: {theme}",
              f"source: {{file: {_q(raw_path.name)}, format: {format}}}",
              f"respondent_id: {_q(id_col)}"]
    priv = like.privacy if like is not None else None
    lines.append("privacy: {min_n: %d, min_n_open: %d, redact_terms: [%s]}" % (
        priv.min_n if priv else 5, priv.min_n_open if priv else 10,
        ", ".join(_q(t) for t in (priv.redact_terms if priv else []))))
    lines.append(f"starter_max_years: {like.starter_max_years if like is not None else 2:g}")
    lines.append("response_sets:")
    for name, rs in sets.sets.items():
        lines.append(f"  {name}:")
        lines.append("    values: {" + ", ".join(f"{k}: {_q(v)}" for k, v in rs["values"].items()) + "}")
        if rs["missing"]:
            lines.append("    missing: {" + ", ".join(f"{k}: {_q(v)}" for k, v in rs["missing"].items()) + "}")
    lines.append("items:")
    for item_id, col, text, rs_name, block, comment in items_out:
        if comment:
            lines.append(f"  # {MARKER}: {comment}")
        lines.append(f"  {item_id}: {{column: {_q(col)}, text: {_q(text)}, response_set: {rs_name}, block: {block}}}")
    if scales_out:
        lines.append("scales:")
        for sid, label, items, reverse, min_valid, comment in scales_out:
            if comment:
                lines.append(f"  # {MARKER}: {comment}")
            lines += [f"  {sid}:", f"    label: {_q(label)}", f"    items: [{', '.join(items)}]",
                      f"    reverse: [{', '.join(reverse)}]", f"    min_valid: {min_valid}"]
    if bg_out:
        lines.append("background:")
        for key, col, label, typ, values, missing, comment in bg_out:
            if comment:
                lines.append(f"  # {MARKER}: {comment}")
            parts = [f"column: {_q(col)}"]
            if typ:
                parts.append(f"type: {typ}")
            if label:
                parts.append(f"label: {_q(label)}")
            if values:
                parts.append("values: {" + ", ".join(f"{k}: {_q(v)}" for k, v in values.items()) + "}")
            if missing:
                parts.append("missing: {" + ", ".join(f"{k}: {_q(v)}" for k, v in missing.items()) + "}")
            lines.append(f"  {key}: {{{', '.join(parts)}}}")
    if open_out:
        lines.append("open_questions:")
        for key, col, text, comment in open_out:
            if comment:
                lines.append(f"  # {MARKER}: {comment}")
            lines.append(f"  {key}: {{column: {_q(col)}, text: {_q(text)}}}")
    if meta:
        notes.append(f"{len(meta)} Qualtrics-metadatakolommen niet opgenomen ({', '.join(meta[:4])}"
                     + (", ..." if len(meta) > 4 else "") + ")")
    return "\n".join(lines) + "\n", notes


def _likert_like(col: _Column) -> bool:
    """A labelled column whose labels look like an agreement scale (an item, not background)."""
    labels = {normalise_label(v) for v in col.value_labels.values()}
    return len(labels & {normalise_label(v) for v in EENS5.values()}) >= 3


def _response_set_for(col: _Column, old, like, sets: _Sets):
    """(set name, comment) for an item column; (None, None) when nothing can be inferred."""
    observed = [_as_number(v) for v in pd.unique(col.values)]
    if col.value_labels:
        values, missing = _split_missing(col.value_labels, col.user_missing)
        values = _fill_endpoints(values, observed)
        if len(values) < 2:
            return None, None
        extra = sorted({o for o in observed if o is not None} - {float(c) for c in {**values, **missing}})
        comment = f"codes {extra} hebben geen label" if extra else None
        return sets.add(values, missing), comment
    if _numeric_share(col.values) < 1:
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


def _background_values(col: _Column, var):
    """(values, missing, comment) of a categorical background column."""
    if col.value_labels:
        values, missing = _split_missing(col.value_labels, col.user_missing)
        return values, missing, None
    if var is not None and var.values:
        if _numeric_share(col.values) == 1:
            codes = {float(c) for c in {**var.values, **var.missing}}
            extra = sorted({_as_number(v) for v in pd.unique(col.values)} - codes)
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
    if _numeric_share(col.values) == 1:
        return {int(float(str(u).replace(",", "."))): str(u) for u in uniq}, {}, "codes zonder labels: vul de labels in"
    return {k + 1: u for k, u in enumerate(uniq)}, {}, "codes alfabetisch toegekend"


# -- file-level entry point (for the CLI) -----------------------------------------

@dataclass
class InitRoundResult:
    """What :func:`init_round` wrote."""

    path: Path
    yaml_text: str
    notes: list


def init_round(round_id: str, *, raw, like=None, data_dir=None, force: bool = False) -> InitRoundResult:
    """Write a draft codebook ``DATA_DIR/codebooks/ROUND.yml`` (for ``peo init-round``).

    Parameters
    ----------
    round_id : str
    raw : str or Path
        The export; a bare file name is looked up in ``DATA_DIR/raw``.
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
    CodebookError
        The codebook exists already (without ``force``), or ``like`` is not found.
    RawDataError
        The export cannot be read.
    """
    from peo_lib import paths

    raw = Path(raw)
    if not raw.is_file() and not raw.is_absolute():
        candidate = paths.raw_dir(data_dir) / raw
        if candidate.is_file():
            raw = candidate
    like_cb = None
    if like is not None:
        like_path = Path(like)
        if re.match(ROUND_PATTERN, str(like)) and not like_path.is_file():
            like_path = paths.codebook_path(str(like), data_dir)
        if not like_path.is_file():
            raise CodebookError(like_path, f"codebook of the previous round not found (--like {like})")
        like_cb = read_codebook(like_path)
    target = paths.codebook_path(round_id, data_dir)
    if target.exists() and not force:
        raise CodebookError(target, "a codebook for this round exists already; use --force to overwrite it")
    text, notes = draft_codebook(round_id, raw, like=like_cb)
    if raw.resolve().parent != paths.raw_dir(data_dir).resolve():
        notes.append(f"{MARKER}: zet {raw.name} in {paths.raw_dir(data_dir)} (source.file noemt alleen de naam)")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return InitRoundResult(path=target, yaml_text=text, notes=notes)
