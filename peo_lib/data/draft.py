"""A drafted codebook (what ``peo init-round`` infers): its parts, its response sets, and its YAML.

:mod:`peo_lib.data.init_round` works out from an export *what* the codebook of a
new round should say and fills a :class:`Draft`. This module holds

* the parts of a draft (:class:`Draft`, :class:`DraftItem`, ...: small
  dataclasses, no positional tuples);
* how answer codes and labels of a column become response sets
  (:class:`ResponseSets`, :func:`response_set_for`, :func:`background_values`);
* what a column of the export is, before any matching: survey-tool metadata
  (:func:`meta_reason`), a respondent id (:func:`looks_like_ids`), free text
  (:func:`is_free_text`), and the fieldwork dates (:func:`fieldwork_of`);
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
#: Theme ids a draft writes until the researcher names the theme (``peo check`` refuses them).
PLACEHOLDER_THEMES = ("thema", "nieuw_thema")
#: Labels that are answers without a position on the scale (matched as whole labels, after normalise_label).
MISSING_WORDS = ("weet ik niet", "weet niet", "niet van toepassing", "n.v.t.", "nvt", "wil ik niet zeggen",
                 "zeg ik liever niet", "geen antwoord", "dk", "rf", "na", "n/a", "refused", "missing",
                 "not available", "vet ikke")
#: Parts of labels that mark such answers in English and Dutch exports ("I don't want to answer this question").
MISSING_PHRASES = ("don't know", "do not know", "dont know", "don't recall", "not applicable", "does not apply",
                   "refused", "prefer not", "don't want to answer", "do not want to answer", "no opinion",
                   "(n/a)", "weet ik niet", "niet van toepassing", "wil ik niet", "geen mening")
#: Most distinct codes or texts a drafted response set may have (a 0-10 grade has 11).
MAX_SET_SIZE = 12
#: Answer codes of survey tools (LimeSurvey A1, SQ001, Y, -oth-), as opposed to answer texts ("Yes").
_TEXT_CODE = re.compile(r"^(-?[A-Z]{1,3}\d{1,4}-?|[A-Z]|-oth-)$")
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
    respondent_id: str | None        # None: no id column, respondents are their row numbers
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
    ignored: list = field(default_factory=list)         # (column, reason, uncertain): columns left out


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


def is_missing_label(label) -> bool:
    """A label like "Weet ik niet", "Don't know", "I don't want to answer this question"."""
    key = normalise_label(label).replace("\u2019", "'")
    return key in MISSING_WORDS or any(p in key for p in MISSING_PHRASES)


def code_key(code):
    """A code as a codebook writes it: an int (4.0 -> 4), a float, or a text code ("A1")."""
    num = as_number(code)
    if num is None:
        return str(code).strip()
    return int(num) if float(num).is_integer() else num


def is_user_missing(code, user_missing) -> bool:
    """``code`` is declared user-missing (a single code or a ``(lo, hi)`` range)."""
    num = as_number(code)
    for um in user_missing or ():
        if isinstance(um, tuple):
            if num is not None and float(um[0]) <= num <= float(um[1]):
                return True
        elif (num is not None and as_number(um) == num) or str(um).strip() == str(code).strip():
            return True
    return False


def _sorted_codes(mapping: dict) -> dict:
    """Numbers first (in order), then text codes (in natural order: A2 before A10)."""
    def key(c):
        if isinstance(c, str):
            return (1, 0.0, [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", c)])
        return (0, float(c), [])
    return {c: mapping[c] for c in sorted(mapping, key=key)}


def split_missing(labels: dict, user_missing) -> tuple[dict, dict]:
    """Value labels -> (values, missing): user-missing codes (labelled or not) and missing-like labels are missing.

    Codes may be numbers or (SPSS string variables) text; a declared user-missing code
    without a label is listed as ``code N`` so that the codebook names it.
    """
    values, missing = {}, {}
    for code, lab in labels.items():
        c = code_key(code)
        if is_user_missing(code, user_missing) or is_missing_label(lab):
            missing[c] = str(lab)
        else:
            values[c] = str(lab)
    for um in user_missing or ():
        if not isinstance(um, tuple):
            c = code_key(um)
            if c not in missing and c not in values:
                missing[c] = f"code {c}"
    return _sorted_codes(values), _sorted_codes(missing)


def _fill_endpoints(values: dict, observed) -> dict:
    """A 0-10 style scale with only the end points labelled: label the codes between by their number."""
    codes = sorted(values)
    if len(codes) != 2 or not all(isinstance(c, int) for c in codes) or not 3 <= codes[1] - codes[0] <= 10:
        return values
    inner = {c for c in observed if c is not None and float(c).is_integer() and codes[0] < c < codes[1]}
    if not inner:
        return values
    return {c: values.get(c, str(c)) for c in range(codes[0], codes[1] + 1)}


def _signature(values: dict, missing: dict) -> tuple:
    return (tuple(_sorted_codes(values).items()), tuple(_sorted_codes(missing).items()))


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


def _observed_codes(col: Column) -> set:
    return {o for o in (as_number(v) for v in pd.unique(col.values)) if o is not None}


def _labelled_set(col: Column, sets: ResponseSets, file_missing):
    """(set name, comment) from value labels; (None, reason) for a count question (labels only on special codes)."""
    observed = _observed_codes(col)
    values, missing = split_missing(col.value_labels, col.user_missing)
    values = _fill_endpoints(values, observed)
    known = {as_number(c) for c in {**values, **missing}}
    extra = sorted(o for o in observed - known if not is_user_missing(o, col.user_missing))
    if len(extra) > MAX_SET_SIZE or (len(extra) > len(values) and len(extra) > 2):
        return None, (f"een getal of aantal ({len(extra)} codes zonder label; labels alleen bij bijzondere codes): "
                      "geen antwoordschaal, niet als stelling opgenomen (zo nodig als background met type: number)")
    if len(values) < 2:
        return None, "minder dan twee antwoordlabels: geen antwoordschaal"
    nums = [as_number(c) for c in values if as_number(c) is not None]
    lo, hi = (min(nums), max(nums)) if nums else (float("inf"), float("-inf"))
    outside = [code_key(o) for o in extra if not lo <= o <= hi]
    inside = [code_key(o) for o in extra if lo <= o <= hi]
    for c in outside:
        missing[c] = f"code {c}"
    for c in inside:
        values[c] = str(c)
    comments = []
    if inside:
        comments.append(f"codes {inside} hebben geen label")
    if outside:
        where = " (elders in het bestand user-missing)" if all(float(c) in file_missing for c in outside) else ""
        comments.append(f"code(s) {outside} zonder label buiten de schaal{where}: als missing opgenomen")
    return sets.add(_sorted_codes(values), _sorted_codes(missing)), "; ".join(comments) or None


def _numeric_set(col: Column, sets: ResponseSets):
    """(set name, comment) for unlabelled integer codes of a short scale; (None, reason) for other numbers."""
    observed = _observed_codes(col)
    ints = all(float(o).is_integer() for o in observed)
    positive = sorted(int(o) for o in observed if o >= 0)
    if not ints or not positive or len(observed) > MAX_SET_SIZE or positive[-1] - min(positive[0], 1) > 10:
        return None, (f"getallen ({len(observed)} verschillende waarden): geen antwoordschaal, niet als stelling "
                      "opgenomen (zo nodig als background met type: number)")
    low = 0 if positive[0] == 0 else 1  # scales start at 0 or 1; a code nobody chose is still a code
    values = {c: str(c) for c in range(min(low, positive[0]), positive[-1] + 1)}
    missing = {int(o): f"code {int(o)}" for o in sorted(observed) if o < 0}
    if len(values) < 2:
        return None, "maar één code: geen antwoordschaal"
    note = "codes zonder labels: vul de labels in" + ("; negatieve codes staan bij missing" if missing else "")
    return sets.add(values, missing), note


def _text_set(col: Column, sets: ResponseSets):
    """(set name, comment) for a few distinct text answers; (None, reason) otherwise."""
    uniq = sorted({str(v).strip() for v in pd.unique(col.values)})
    if len(uniq) < 2:
        return None, (f"maar één antwoord ({uniq[0]!r}): een optie van een meerkeuzevraag? niet opgenomen"
                      if uniq else "leeg")
    if len(uniq) > MAX_SET_SIZE:
        return None, f"{len(uniq)} verschillende teksten: geen antwoordschaal"
    if all(_TEXT_CODE.match(u) for u in uniq):
        codes = _sorted_codes({u: u for u in uniq})
        return sets.add(codes, {}), "antwoordcodes zonder labels: vul de labels in (uit de vragenlijst)"
    answers = [u for u in uniq if not is_missing_label(u)]
    values = {k + 1: u for k, u in enumerate(answers)}
    missing = {len(answers) + k + 1: u for k, u in enumerate(u for u in uniq if is_missing_label(u))}
    if len(values) < 2:
        return None, "minder dan twee antwoorden: geen antwoordschaal"
    return sets.add(values, missing), ("codes alfabetisch toegekend: zet de antwoorden in de volgorde van de schaal "
                                       "(1 = het ene uiteinde)")


def response_set_for(col: Column, old, like, sets: ResponseSets, *, file_missing=frozenset()):
    """(set name, comment) for an item column; (None, reason) when it holds no answer scale.

    ``file_missing``: codes declared user-missing anywhere in the file (an undeclared 98
    beside declared ones is missing too, marked for the researcher).
    """
    observed = _observed_codes(col)
    if col.value_labels:
        return _labelled_set(col, sets, file_missing)
    if numeric_share(col.values) < 1:
        found = sets.known_covering(col)
        if found:
            return sets.add(dict(found[0]), dict(found[1])), None
        return _text_set(col, sets)
    if old is not None:
        rs = like.response_sets[old.response_set]
        codes = {float(c) for c in {**rs.values, **rs.missing}}
        extra = sorted(observed - codes)
        name = sets.add(dict(rs.values), dict(rs.missing))
        if extra:
            return name, f"codes {extra} komen niet voor in antwoordset {old.response_set} van {like.round}"
        return name, None
    if len(observed) >= 2 and observed <= {float(c) for c in {**EENS5, **EENS5_MISSING}}:
        return sets.add(dict(EENS5), dict(EENS5_MISSING)), "antwoordset geraden uit de codes 1-5 (geen labels)"
    return _numeric_set(col, sets)


def background_values(col: Column, var):
    """(values, missing, comment) of a categorical background column."""
    if col.value_labels:
        values, missing = split_missing(col.value_labels, col.user_missing)
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
    uniq = sorted({str(v).strip() for v in pd.unique(col.values)})
    if numeric_share(col.values) == 1:
        return ({code_key(u): str(code_key(u)) for u in uniq}, {},
                "codes zonder labels: vul de labels in")
    answers = [u for u in uniq if not is_missing_label(u)]
    missing = {len(answers) + k + 1: u for k, u in enumerate(u for u in uniq if is_missing_label(u))}
    return {k + 1: u for k, u in enumerate(answers)}, missing, "codes alfabetisch toegekend"


# -- what a column of the export is -------------------------------------------------

#: Metadata columns of survey tools (Qualtrics, LimeSurvey, SurveyMonkey, SPSS), by name or question text with
#: everything but letters and digits removed, casefolded -> what they are (Dutch, for the list of ignored columns).
META_NAMES = {
    **dict.fromkeys(("startdate", "datestarted", "enddate", "recordeddate", "submitdate", "datesubmitted",
                     "datestamp", "datelastaction", "date", "datum", "starttime", "endtime", "timestamp",
                     "tijdstempel"), "datum/tijd"),
    **dict.fromkeys(("ipaddress", "ipaddr", "ipadres"), "IP-adres"),
    **dict.fromkeys(("locationlatitude", "locationlongitude", "locationaccuracy", "latitude", "longitude"),
                    "locatie"),
    **dict.fromkeys(("recipientemail", "emailaddress", "email", "emailadres", "mail"), "e-mailadres"),
    **dict.fromkeys(("recipientlastname", "recipientfirstname", "name", "naam", "firstname", "lastname",
                     "voornaam", "achternaam"), "naam"),
    **dict.fromkeys(("externalreference", "externaldatareference", "externalref"), "externe referentie"),
    **dict.fromkeys(("durationinseconds", "duration", "duur", "interviewtime", "totaltime"), "duur"),
    **dict.fromkeys(("progress", "voortgang", "finished", "status", "lastpage", "responseset",
                     "distributionchannel", "seed", "token", "refurl", "qrecaptchascore", "qrelevantidduplicate",
                     "qrelevantidduplicatescore", "qrelevantidfraudscore", "qrelevantidlaststartdate"),
                    "voortgang/status van de enquête"),
    **dict.fromkeys(("userlanguage", "startlanguage", "language", "taal", "lang"), "taal"),
    **dict.fromkeys(("weight", "gewicht", "weging", "weegfactor", "w", "wt"), "weegfactor"),
}
#: Words in a column name or question text that mark consent (uncertain: marked CONTROLEER).
CONSENT_WORDS = ("consent", "toestemming", "informed consent", "akkoord met deelname")
#: LimeSurvey timings (``C1Time``, ``groupTime67``; in full-text exports "Question time: ...").
TIMING = re.compile(r"^([A-Za-z]\w*Time|groupTime\d+|interviewtime)$|^(question|group|total) time\b", re.I)
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?)?$")
ID_NAMES = ("responseid", "respondentid", "respondent_id", "respnr", "respondentnummer", "resp_id", "id",
            "caseid", "response id", "respondent id", "case id")

_LIMESURVEY_HEADER = re.compile(r"^([A-Za-z][\w\[\]#-]*)\.\s+(\S.*)$", re.S)


def columns_of(table) -> list[Column]:
    """One :class:`Column` per column; LimeSurvey ``code. question text`` headers give the question texts."""
    names = [str(c) for c in table.data.columns]
    full_text = not table.column_labels and sum(bool(_LIMESURVEY_HEADER.match(n)) for n in names) >= 0.8 * len(names)
    out = []
    for c in table.data.columns:
        s = table.data[c]
        label = table.column_labels.get(c) or None
        if full_text and label is None and (m := _LIMESURVEY_HEADER.match(str(c))):
            label = m.group(2).strip()
        out.append(Column(name=str(c), label=label,
                          values=s[s.notna() & (s.astype(str).str.strip() != "")],
                          value_labels=dict(table.value_labels.get(c) or {}),
                          user_missing=set(table.user_missing.get(c) or set())))
    return out


#: Date formats tried (in this order) for the fieldwork period; the first that reads every value wins.
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%m/%d/%Y %H:%M:%S",
                "%m/%d/%Y %H:%M", "%m/%d/%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%Y %H:%M:%S",
                "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y")
START_NAMES = ("startdate", "datestarted", "starttime")
END_NAMES = ("enddate", "submitdate", "datesubmitted", "recordeddate", "endtime")


def _dates(values: pd.Series):
    """The values as timestamps with the first format of DATE_FORMATS that reads them all, else None."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.Series(values)
    text = pd.Series(values).astype(str).str.strip()
    for fmt in DATE_FORMATS:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        if len(parsed) and parsed.notna().all():
            return parsed
    return None


def fieldwork_of(cols: list[Column]):
    """(start, end) dates from the start and end dates of the responses (StartDate/EndDate, ...), else None."""
    by = {}
    for c in cols:  # by column name (LimeSurvey: its code) or question text (legacy Qualtrics: V8 = StartDate)
        for text in (c.name.split(". ")[0], c.label or ""):
            by.setdefault(name_key(text), c)
    starts = [d for n in START_NAMES if n in by and (d := _dates(by[n].values)) is not None]
    ends = [d for n in END_NAMES if n in by and (d := _dates(by[n].values)) is not None] or starts
    if not starts:
        return None
    start, end = min(d.min() for d in starts), max(d.max() for d in ends)
    if pd.isna(start) or pd.isna(end):
        return None
    return start.date(), end.date()


def name_key(text) -> str:
    """A name or text with everything but letters and digits removed, casefolded (``IP Address`` -> ``ipaddress``)."""
    return re.sub(r"[^0-9a-z]", "", str(text).casefold())


def meta_reason(col: Column) -> tuple[str, bool] | None:
    """(why, uncertain) when ``col`` is survey-tool metadata (never an item or open question), else None."""
    code = col.name.split(". ")[0] if col.label and col.name.endswith(col.label) else col.name
    for text in (col.name, code, col.label or ""):
        if name_key(text) in META_NAMES:
            return f"metadata ({META_NAMES[name_key(text)]})", False
    if TIMING.search(code) or TIMING.search(col.label or ""):
        return "metadata (duur)", False
    words = normalise_label(f"{col.name} {col.label or ''}")
    if any(w in words for w in CONSENT_WORDS):
        return "toestemming (consent)", True
    values = pd.unique(col.values.astype(str))
    if len(values) and not col.value_labels and all(_DATE_LIKE.match(v.strip()) for v in values[:200]):
        return "metadata (datum/tijd)", False
    return None


ID_KEYS = {name_key(n) for n in ID_NAMES}


def looks_like_ids(col: Column, n: int) -> bool:
    """Unique, never blank, and whole numbers or short codes: not dates, texts or computed scores."""
    if len(col.values) != n or col.values.nunique() != n or col.value_labels:
        return False
    uniq = pd.unique(col.values)
    nums = [as_number(v) for v in uniq]
    if all(x is not None for x in nums):
        return all(float(x).is_integer() for x in nums)
    return all(re.fullmatch(r"[\w.:-]{1,40}", str(v).strip()) and not _DATE_LIKE.match(str(v).strip())
               for v in uniq)


#: Names and question texts of "other, namely ..." and comment fields.
OPEN_HINT = re.compile(r"\[(other|comment)\]|_TEXT$|\bplease specify\b|\bnamelijk\b|\btoelichting\b|"
                       r"\bopmerking|\banything\b.*\btell us\b|\bwould you like to tell\b", re.I)


def is_free_text(col: Column) -> bool:
    """Open text: too many different texts for an answer scale, a comment field, or texts that hardly repeat."""
    if col.value_labels or len(col.values) == 0 or numeric_share(col.values) > 0.5:
        return False
    texts = col.values.astype(str)
    uniq = texts.nunique()
    if uniq > MAX_SET_SIZE or OPEN_HINT.search(f"{col.name} {col.label or ''}"):
        return True
    if uniq == len(texts) and not all(_TEXT_CODE.match(t.strip()) for t in texts):
        return True  # every answer different (one answer, too): written text, not an option ticked by many
    return uniq / len(texts) > 0.5 and len(texts) >= 3


# -- the YAML -----------------------------------------------------------------------

def _q(value) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(str(value), ensure_ascii=False)


def _flow(mapping: dict) -> str:
    """``{1: "label", "A1": "label", ...}``: number codes as plain keys, text codes and labels quoted."""
    return "{" + ", ".join(f"{_q(k) if isinstance(k, str) else k}: {_q(v)}" for k, v in mapping.items()) + "}"


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
        lines.append(f"# {MARKER}: veldwerkperiode afgeleid uit de datums in de export")
        lines.append(f"fieldwork: {{start: {d.fieldwork[0].isoformat()}, end: {d.fieldwork[1].isoformat()}}}")
    else:
        lines.append(f"# {MARKER}: vul de veldwerkperiode in (JJJJ-MM-DD); laat de regel weg als die onbekend is")
        lines.append("fieldwork: {start: null, end: null}")
    if d.respondent_id is not None:
        rid = [f"respondent_id: {_q(d.respondent_id)}"]
    else:
        rid = ["# Geen kolom met een eigen waarde per respondent: respondent_id is weggelaten, respondenten",
               "# zijn hun rijnummer in het bestand (1, 2, ...)."]
    p = d.privacy
    return lines + [
        f"# {MARKER}: id van het themablok van deze ronde (ook bij de items met block: {d.theme})",
        f"theme: {d.theme}",
        f"source: {{file: {_q(d.source_file)}, format: {d.format}}}",
        *rid,
        (f"privacy: {{min_n: {p.min_n:d}, min_n_open: {p.min_n_open:d}, "
         f"redact_terms: [{', '.join(_q(t) for t in p.redact_terms)}]}}"),
        f"starter_max_years: {d.starter_max_years:g}",
    ]


def _response_sets(d: Draft) -> list[str]:
    lines = ["response_sets:" if d.response_sets else "response_sets: {}"]
    for name, rs in d.response_sets.items():
        lines += [f"  {name}:", f"    values: {_flow(rs.values)}"]
        if rs.missing:
            lines.append(f"    missing: {_flow(rs.missing)}")
    return lines


def _items(d: Draft) -> list[str]:
    lines = ["items:" if d.items else "items: {}"]
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


def _ignored(d: Draft) -> list[str]:
    """The columns left out, as comments at the end (uncertain ones under a CONTROLEER line)."""
    if not d.ignored:
        return []
    lines = ["# Niet opgenomen kolommen (metadata, lege kolommen, getallen, meerkeuze-opties):"]
    for column, reason, uncertain in d.ignored:
        if uncertain:
            lines.append(f"# {MARKER}: controleer dat deze kolom niet nodig is:")
        lines.append(f"#   {_q(column)}: {reason}")
    return lines


def render_codebook(draft: Draft) -> str:
    """The codebook YAML of ``draft``: the keys in the order of design.md, ``# CONTROLEER`` lines included."""
    sections = (_header, _response_sets, _items, _scales, _background, _open_questions, _ignored)
    return "\n".join(line for section in sections for line in section(draft)) + "\n"
