"""Scrubbing of open answers: personal data replaced by Dutch tags.

:class:`Scrubber` (one ``deduce`` instance plus Dutch regex rules),
:func:`get_scrubber` (a process-wide singleton), :func:`scrub_texts` and
:func:`scrub_open_answers` (a round's open answers, cached per raw file in
:func:`peo_lib.paths.scrub_cache_dir`, never inside an output folder).
Which scrubbed answers may be shown is decided in
:mod:`peo_lib.privacy.open_answers`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
from peo_lib import paths

__all__ = [
    "Scrubber",
    "get_scrubber",
    "scrub_texts",
    "scrub_open_answers",
    "deduce_cache_path",
    "SCRUBBER_VERSION",
    "TAGS",
]


#: Bump when a rule changes: cached scrubbed answers are then made again.
SCRUBBER_VERSION = "1"

#: Dutch replacement tags (what readers see).
TAGS = {
    "naam": "[naam]",
    "e-mail": "[e-mail]",
    "telefoon": "[telefoon]",
    "postcode": "[postcode]",
    "nummer": "[nummer]",
    "url": "[url]",
    "organisatie": "[organisatie]",
    "plaats": "[plaats]",
    "adres": "[adres]",
    "datum": "[datum]",
    "leeftijd": "[leeftijd]",
    "term": "[verwijderd]",
}

# deduce 3.x annotation tags -> our tags (anything unknown becomes [verwijderd])
_DEDUCE_TAGS = {
    "persoon": "naam", "patient": "naam", "voornaam": "naam", "achternaam": "naam",
    "initiaal": "naam", "naam": "naam",
    "locatie": "plaats", "straat": "adres", "huisnummer": "adres",
    "datum": "datum", "leeftijd": "leeftijd",
    "telefoonnummer": "telefoon", "emailadres": "e-mail", "url": "url",
    "bsn": "nummer", "id": "nummer",
    "zorginstelling": "organisatie", "ziekenhuis": "organisatie", "instelling": "organisatie",
}

_SEP = r"(?:\s?[-./]\s?|\)\s?|\s)?"  # between digits of a phone number: space, -, ., /, ")"
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}", re.UNICODE)
_URL = re.compile(
    r"(?:(?:https?://|www\.)[^\s<>\"']+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:nl|com|org|net|eu|info|be|de|nu|online|app)\b(?:/[^\s<>\"']*)?)",
    re.IGNORECASE)
_IBAN = re.compile(r"\bNL\s?\d{2}\s?[A-Z]{4}(?:\s?\d){10}\b", re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)\s?31" + _SEP + r"(?:\(0\)" + _SEP + r")?[1-9](?:" + _SEP + r"\d){8}"  # +31 6 12345678
    r"|\(?0[1-9](?:" + _SEP + r"\d){8}"                                                  # 06-12345678, 070 123 4567
    r"|0[89]0[09](?:" + _SEP + r"\d){4,7}"                                               # 0800/0900
    r")(?![\w]|[-.]\d)")
_POSTCODE = re.compile(r"\b[1-9]\d{3}(?:\s?(?!SA|SD|SS)[A-Z]{2}|(?!sa|sd|ss)[a-z]{2})\b")
_NUMBER9 = re.compile(r"(?<![\w.,])(?:\d{9}|\d{3}[. ]\d{3}[. ]\d{3}|\d{4}[. ]\d{2}[. ]\d{3})(?![\w]|[.,]\d)")
_NUMBER8 = re.compile(r"(?<![\w.,])\d{8}(?![\w]|[.,]\d)")
_MONTHS = ("januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
           "jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec")
_DATE = re.compile(
    rf"(?<![\w])(?:\d{{1,2}}(?:e|ste|de)?\s+(?i:{_MONTHS})\.?(?:\s+(?:19|20)\d{{2}})?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)?\d{2})(?![\w]|[-/.]\d)")
# Districts and villages of Haaglanden that deduce's place list lacks (case-sensitive, whole words).
_REGION_PLACES = re.compile(r"(?<![\w-])(?:" + "|".join(sorted((
    "Escamp", "Schilderswijk", "Transvaal", "Moerwijk", "Ypenburg", "Leidschenveen", "Segbroek",
    "Scheveningen", "Loosduinen", "Laak", "Haagse Hout", "Bouwlust", "Vrederust", "Morgenstond",
    "Duindorp", "Mariahoeve", "Stationsbuurt", "Spoorwijk", "Rustenburg", "Oostbroek", "Zuiderpark",
    "Bezuidenhout", "Regentessekwartier", "Valkenboskwartier", "Waldeck", "Wateringse Veld",
    "Meerzicht", "Palenstein", "Rokkeveen", "Oosterheem", "Seghwaert", "Buytenwegh",
    "Driemanspolder", "Noordhove", "Tanthof", "Voorhof", "Buitenhof", "Hof van Delft",
    "Naaldwijk", "Monster", "'s-Gravenzande", "Wateringen", "De Lier", "Honselersdijk", "Poeldijk",
    "Kwintsheul", "Maasdijk", "Steenvoorde", "Te Werve", "Voorburg", "Leidschendam", "Stompwijk",
    "Delfgauw", "Nootdorp", "Maasland", "Schipluiden", "Den Hoorn"), key=lambda p: -len(p)))
    + r")(?![\w-])")
_PLACEHOLDER = re.compile(r"\[[a-z-]+\]")

# A capitalised name after a role word ("mijn teamleider Petra", "collega Ahmed").
_ROLES = (
    "collega|teamleider|teamleidster|leidinggevende|manager|directeur|bestuurder|coördinator|"
    "coordinator|gedragswetenschapper|orthopedagoog|psycholoog|jeugdhulpverlener|jeugdconsulent|"
    "consulent|casusregisseur|regisseur|behandelaar|begeleider|mentor|stagiair|stagiaire|"
    "wethouder|ambtenaar|beleidsmedewerker|cliënt|client|jongere|moeder|vader|"
    "mevrouw|meneer|mevr\\.?|mw\\.?|dhr\\.?|juf|meester|dokter|dr\\.?"
)
_INFIX = r"(?i:van de|van der|van den|in 't|op de|van|de|der|den|het|ter|ten|te|in|'t|el|al|bin|ben|da|di|dos|du|le|la)"
_NAME_WORD = r"[A-Z][a-zà-ÿ'’-]+"
_INFIX_CAP = r"(?:Van der|Van den|Van de|Van|De|Den|Der|Ter|Ten|El|Al)"
_ROLE_NAME = re.compile(
    rf"(?<![\w])((?i:{_ROLES})[:,]?\s+)"
    rf"((?:{_INFIX_CAP}\s+)?{_NAME_WORD}(?:\s+(?:{_INFIX}\s+)?{_NAME_WORD}){{0,2}}|[A-Z]\.(?:\s?[A-Z]\.)*\s*(?:{_INFIX}\s+)?{_NAME_WORD})")
_NOT_NAMES = frozenset(
    "De Het Een Ik Jij Hij Zij Wij Jullie Die Dat Deze Dit En Maar Of Want Dus Als Ook Van Voor "
    "Met In Op Om Bij Uit Naar Niet Wel Geen Nog Al Er Hier Daar Toen Nu Wat Wie Waar Hoe "
    "Zo Veel Alle Elke Iedere Mijn Onze Haar Zijn".split())


def _role_names(text):
    """Spans of capitalised names after a role word, skipping ordinary sentence words."""
    for m in _ROLE_NAME.finditer(text):
        words = m.group(2).split()
        if words[0] in _NOT_NAMES and (len(words) == 1 or words[1] in _NOT_NAMES):
            continue
        yield m.start(2), m.end(2)


def _digits(s):
    return re.sub(r"\D", "", s)


def _is_bsn(s) -> bool:
    """The 11-proof (elfproef) of a BSN: sum(d_i * w_i) with weights 9..2, -1 is divisible by 11."""
    d = _digits(s).zfill(9)
    if len(d) != 9:
        return False
    total = sum(int(x) * w for x, w in zip(d, [9, 8, 7, 6, 5, 4, 3, 2, -1]))
    return total % 11 == 0 and int(d) != 0


def _compile_terms(redact_terms):
    """One case-insensitive whole-word pattern for the codebook's redact_terms (longest first)."""
    if isinstance(redact_terms, str):
        raise ValueError(f"`redact_terms` must be a list of terms, not the string {redact_terms!r}; "
                         f"write [{redact_terms!r}].")
    terms = sorted({" ".join(str(t).split()) for t in redact_terms if str(t).strip()},
                   key=lambda t: (-len(t), t))
    if not terms:
        return None
    parts = [r"\s+".join(re.escape(w) for w in t.split()) for t in terms]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def _regex_spans(text, terms_re):
    """(start, end, tag) of every rule match, earlier rules winning overlaps."""
    spans = []

    def add(start, end, tag):
        for s, e, _ in spans:
            if start < e and s < end:
                return
        spans.append((start, end, tag))

    for m in _EMAIL.finditer(text):
        add(m.start(), m.end(), "e-mail")
    for m in _URL.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in ".,;:!?)":
            end -= 1
        add(m.start(), end, "url")
    for m in _IBAN.finditer(text):
        add(m.start(), m.end(), "nummer")
    for m in _PHONE.finditer(text):
        add(m.start(), m.end(), "telefoon")
    for m in _POSTCODE.finditer(text):
        add(m.start(), m.end(), "postcode")
    for m in _DATE.finditer(text):
        add(m.start(), m.end(), "datum")
    for m in _REGION_PLACES.finditer(text):
        add(m.start(), m.end(), "plaats")
    for m in _NUMBER9.finditer(text):  # any 9-digit number: BSN-like, 11-proof or not
        add(m.start(), m.end(), "nummer")
    for m in _NUMBER8.finditer(text):  # 8 digits only when 11-proof (old BSNs without the 0)
        if _is_bsn(m.group()):
            add(m.start(), m.end(), "nummer")
    if terms_re is not None:
        for m in terms_re.finditer(text):
            add(m.start(), m.end(), "term")
    for start, end in _role_names(text):
        add(start, end, "naam")
    return spans


def _replace(text, spans):
    """Replace (start, end, tag) spans (non-overlapping) by their Dutch tags."""
    out, last = [], 0
    for start, end, tag in sorted(spans):
        out.append(text[last:start])
        out.append(TAGS.get(tag, TAGS["term"]))
        last = end
    out.append(text[last:])
    return "".join(out)


# Place names that are also ordinary Dutch words; kept only at the start of a sentence.
_PLACE_HOMOGRAPHS = frozenset(
    "Best Echt Made Mill Son Lent Well Loon Heel Haren Beek Bergen Putten Dalen Nes Wijk".split())
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s*|\n\s*)$")
_COLLAPSE = re.compile(r"(\[[a-z-]+\])(?:\s*(?:[,&]|en)?\s*\1)+")


def _deduce_default_path() -> Path | None:
    try:
        import importlib.util

        spec = importlib.util.find_spec("deduce")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "data" / "lookup"


def deduce_cache_path() -> Path:
    """Where deduce's lookup cache (``cache/lookup_structs.pickle``, ~83 MB) lives.

    ``$PEO_DEDUCE_CACHE`` when set. Otherwise deduce's own package folder
    (``site-packages/deduce/data/lookup/cache``, where deduce puts it by
    default) when it is writable or already holds the cache; otherwise (a
    shared, read-only install) ``deduce`` under the library's one cache root,
    :func:`peo_lib.paths.cache_dir` (``$PEO_CACHE_DIR/deduce``, else
    ``~/.cache/peo_lib/deduce``).

    Returns
    -------
    Path
        The folder to pass to ``Deduce(cache_path=...)``; the pickle is in its
        ``cache/`` subfolder.
    """
    env = os.environ.get("PEO_DEDUCE_CACHE")
    if env:
        return Path(env)
    default = _deduce_default_path()
    if default is not None:
        cache = default / "cache"
        if (cache / "lookup_structs.pickle").is_file() or os.access(cache if cache.is_dir() else default,
                                                                     os.W_OK):
            return default
    return paths.cache_dir() / "deduce"


def _deduce_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("deduce")
    except PackageNotFoundError:
        return "absent"


@contextlib.contextmanager
def _file_lock(path: Path):
    """An exclusive lock across processes (xdist workers, parallel reports); no-op without fcntl."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: deduce may then build twice, which is slow but correct
        yield
        return
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _import_deduce():
    """Import deduce without letting it configure the root logger.

    deduce 3.0.6 calls ``logging.basicConfig(stream=sys.stdout, level=DEBUG)``
    at import, which would print every library's debug messages in notebooks.
    ``basicConfig`` does nothing when the root logger has a handler, so one is
    put there for the duration of the import.
    """
    root = logging.getLogger()
    guard = logging.NullHandler()
    had = bool(root.handlers)
    if not had:
        root.addHandler(guard)
    try:
        from deduce import Deduce
    except ImportError as exc:
        raise ImportError("scrubbing open answers needs the `deduce` package "
                          "(pip install 'deduce>=3.0.6'; it is in pyproject.toml).") from exc
    finally:
        if not had:
            root.removeHandler(guard)
    return Deduce


def _new_deduce(cache_path=None):
    """A Deduce instance; builds the lookup cache under a lock when it is missing."""
    Deduce = _import_deduce()
    path = Path(cache_path) if cache_path is not None else deduce_cache_path()
    pickle = path / "cache" / "lookup_structs.pickle"
    if pickle.is_file():
        return Deduce(cache_path=path)
    # First use: one process builds (about 3 minutes), others wait and then load.
    with _file_lock(path / "cache" / ".peo-build.lock"):
        return Deduce(cache_path=path)


class Scrubber:
    """De-identify Dutch open answers: regex rules first, then one deduce instance.

    Rules, applied before deduce so their tags are stable: e-mail addresses,
    URLs and bare domains (``horizon-jeugd.nl``), IBANs, Dutch phone numbers
    (``06-12345678``, ``+31 6 12345678``, ``0031...``, ``070-1234567``,
    ``(010) 123 4567``, 0800/0900), postcodes (``2511 AB``), 9-digit numbers
    (BSN-like, with or without 11-proof) and 8-digit numbers that pass the
    11-proof, the codebook's ``redact_terms`` (case-insensitive, whole words)
    and a capitalised name after a role word (``teamleider Petra``). deduce
    then finds names, places, addresses, institutions, dates and ages.
    Every find becomes a Dutch tag (:data:`TAGS`), and a tag repeated
    (``[naam] en [naam]``) is collapsed to one.

    Parameters
    ----------
    deduce : object, optional
        A ready ``deduce.Deduce`` instance (tests share one). Default: made on
        first use, which takes about 18 s and 1.1 GB (3 minutes the very
        first time, see :func:`deduce_cache_path`). Use :func:`get_scrubber`
        rather than building your own.
    cache_path : str or Path, optional
        deduce's lookup cache folder (default :func:`deduce_cache_path`).

    Attributes
    ----------
    version : str
        Rules version + deduce version: part of the scrub cache key.
    init_seconds : float or None
        How long deduce took to initialise (None until it has).
    """

    def __init__(self, *, deduce=None, cache_path=None):
        self._deduce = deduce
        self._cache_path = cache_path
        self._lock = threading.Lock()
        self.init_seconds = None if deduce is None else 0.0
        self.version = f"{SCRUBBER_VERSION}+deduce-{_deduce_version()}"

    def __repr__(self):
        state = "ready" if self._deduce is not None else "not initialised"
        return f"Scrubber(version={self.version!r}, deduce {state})"

    @property
    def deduce(self):
        """The deduce instance, initialised on first access (once)."""
        if self._deduce is None:
            with self._lock:
                if self._deduce is None:
                    t0 = time.perf_counter()
                    self._deduce = _new_deduce(self._cache_path)
                    self.init_seconds = time.perf_counter() - t0
        return self._deduce

    @property
    def initialised(self) -> bool:
        return self._deduce is not None

    def rules(self, text, *, redact_terms=()) -> str:
        """The regex pass alone (no deduce): a floor for benchmarks, and the first step."""
        return _replace(text, _regex_spans(text, _compile_terms(redact_terms)))

    def scrub(self, text, *, redact_terms=()):
        """Scrub one text. ``None``/NaN stay ``None``."""
        return self.scrub_many([text], redact_terms=redact_terms)[0]

    def scrub_many(self, texts, *, redact_terms=()) -> list:
        """Scrub many texts (the redact-term pattern is compiled once)."""
        terms_re = _compile_terms(redact_terms)
        out = []
        for text in texts:
            if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
                out.append(None)
                continue
            text = str(text)
            if not text.strip():
                out.append(text)
                continue
            out.append(self._scrub_one(text, terms_re))
        return out

    def _scrub_one(self, text, terms_re):
        first = _replace(text, _regex_spans(text, terms_re))
        doc = self.deduce.deidentify(first)
        held = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(first)]
        spans = []
        for ann in doc.annotations:
            s, e = ann.start_char, ann.end_char
            if any(s < he and hs < e for hs, he in held):
                # deduce matched around one of our tags: keep our tag, redact the rest
                parts, pos = [], s
                for hs, he in held:
                    if hs < e and s < he:
                        if pos < hs:
                            parts.append((pos, hs))
                        pos = max(pos, he)
                if pos < e:
                    parts.append((pos, e))
            else:
                parts = [(s, e)]
            tag = _DEDUCE_TAGS.get(ann.tag, "term")
            if tag == "plaats" and ann.text in _PLACE_HOMOGRAPHS and _SENTENCE_START.search(first[:s]):
                continue  # "Best lastig", "Echt niet": a word, not the town
            if tag == "plaats" and re.search(r"\d", ann.text):
                tag = "adres"  # deduce tags "Hoofdstraat 12" as locatie
            for ps, pe in parts:
                piece = first[ps:pe]
                if piece.strip(" ,.;:()-"):
                    lead = len(piece) - len(piece.lstrip(" ,.;:()-"))
                    trail = len(piece) - len(piece.rstrip(" ,.;:()-"))
                    spans.append((ps + lead, pe - trail, tag))
        spans = _merge_spans(spans)
        return _COLLAPSE.sub(r"\1", _replace(first, spans))


def _merge_spans(spans):
    """Drop spans inside others (deduce may return nested annotations); keep the longest."""
    spans = sorted(spans, key=lambda t: (t[0], -(t[1] - t[0])))
    out = []
    for s, e, tag in spans:
        if out and s < out[-1][1]:
            ps, pe, ptag = out[-1]
            out[-1] = (ps, max(pe, e), ptag)
            continue
        out.append((s, e, tag))
    return out


_SINGLETON = None
_SINGLETON_LOCK = threading.Lock()


def get_scrubber() -> Scrubber:
    """The process-wide :class:`Scrubber` (deduce is initialised at most once per run, lazily).

    Returns
    -------
    Scrubber
    """
    global _SINGLETON
    if _SINGLETON is None:
        with _SINGLETON_LOCK:
            if _SINGLETON is None:
                _SINGLETON = Scrubber()
    return _SINGLETON


def scrub_texts(texts, *, redact_terms=(), scrubber=None) -> list:
    """Scrub a list of open answers.

    Parameters
    ----------
    texts : iterable of str
        ``None`` and NaN stay ``None``.
    redact_terms : list of str
        Extra terms (the codebook's ``privacy.redact_terms``), removed
        case-insensitively as whole words.
    scrubber : Scrubber, optional
        Default :func:`get_scrubber`.

    Returns
    -------
    list of str
    """
    if isinstance(texts, str):
        raise ValueError("`texts` must be a list of answers, not one string; use [text].")
    scrubber = get_scrubber() if scrubber is None else scrubber
    return scrubber.scrub_many(list(texts), redact_terms=redact_terms)


def _scrub_cache_key(rnd, redact_terms, version) -> str:
    """SHA-256 of what the scrubbed answers depend on (raw file, columns, terms, rules)."""
    cb = rnd.codebook
    raw = rnd.raw_sha256
    if raw is None:  # a round built in memory: hash the answers themselves
        h = hashlib.sha256()
        for col in rnd.open_answers.columns:
            for v in rnd.open_answers[col]:
                h.update(b"\x00" if v is None else str(v).encode("utf-8") + b"\x01")
        raw = "content:" + h.hexdigest()
    payload = {
        "raw": raw,
        "round": rnd.id,
        "questions": {k: q.column for k, q in cb.open_questions.items()},
        "columns": list(map(str, rnd.open_answers.columns)),
        "terms": sorted({" ".join(str(t).split()).casefold() for t in redact_terms}),
        "version": version,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) readable by the owner only (0700); tighten it if it exists."""
    missing = []
    p = path
    while not p.exists() and p.parent != p:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            d.mkdir(mode=0o700)
    with contextlib.suppress(OSError):  # not ours, or a file system without modes
        os.chmod(path, 0o700)
    return path


def _write_private(path: Path, text: str):
    """Write ``text`` atomically to a file readable by the owner only (0600), in a 0700 folder."""
    _private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        with contextlib.suppress(OSError):
            os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def scrub_open_answers(rnd, *, cache_dir=None, scrubber=None) -> pd.DataFrame:
    """The round's open answers, scrubbed (cached per raw file).

    Parameters
    ----------
    rnd : Round
        From :func:`peo_lib.load_round`.
    cache_dir : str or Path, optional
        Default :func:`peo_lib.paths.scrub_cache_dir` (``$PEO_CACHE_DIR/scrub``,
        else ``~/.cache/peo_lib/scrub``): never an output folder, which may be
        published. The folder is made owner-only (0700) and each cache file is
        written 0600. A cache file holds scrubbed text only, per question in
        row order (matched back to the rows by position), without respondent
        ids or raw text; its name is the SHA-256 of the raw file's SHA-256, the
        open question columns, the redact terms and the scrubber version, so
        any change makes a new one. On a cache hit deduce is not even
        initialised.
    scrubber : Scrubber, optional
        Default :func:`get_scrubber`.

    Returns
    -------
    DataFrame
        Same index and columns as ``rnd.open_answers``; ``None`` where there
        was no answer.
    """
    answers = rnd.open_answers
    terms = list(rnd.codebook.privacy.redact_terms)
    version = scrubber.version if scrubber is not None else f"{SCRUBBER_VERSION}+deduce-{_deduce_version()}"
    key = _scrub_cache_key(rnd, terms, version)
    cache_dir = paths.scrub_cache_dir() if cache_dir is None else Path(cache_dir)
    path = cache_dir / f"{rnd.id}-{key[:24]}.json"
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if (data.get("key") == key and data.get("columns") == list(map(str, answers.columns))
                    and all(len(v) == len(answers) for v in data["answers"])):
                return pd.DataFrame({c: pd.Series(v, index=answers.index, dtype=object)
                                     for c, v in zip(answers.columns, data["answers"])},
                                    index=answers.index, columns=answers.columns)
        except (ValueError, KeyError, TypeError, OSError):
            pass  # unreadable cache: scrub again and overwrite
    scrubber = get_scrubber() if scrubber is None else scrubber
    # scrub each distinct answer once ("Nee", "-" and copies are common)
    distinct = pd.unique(pd.Series(answers.to_numpy().ravel(), dtype=object).dropna())
    scrubbed = dict(zip(distinct, scrubber.scrub_many(list(distinct), redact_terms=terms)))
    out = pd.DataFrame({c: pd.Series([None if v is None or (isinstance(v, float) and np.isnan(v))
                                      else scrubbed[v] for v in answers[c]],
                                     index=answers.index, dtype=object)
                        for c in answers.columns}, index=answers.index, columns=answers.columns)
    record = {"key": key, "round": rnd.id, "version": scrubber.version,
              "columns": list(map(str, answers.columns)),
              "answers": [list(out[c]) for c in answers.columns]}
    _write_private(path, json.dumps(record, ensure_ascii=False))
    return out
