"""Scrubbing of open answers: personal data replaced by Dutch tags.

:class:`Scrubber` (one ``deduce`` instance plus Dutch regex rules),
:func:`get_scrubber` (a process-wide singleton), :func:`scrub_texts` and
:func:`scrub_open_answers` (a round's open answers, cached per raw file in
:func:`peo_lib.paths.scrub_cache_dir`, never inside an output folder).
Which scrubbed answers may be shown is decided in
:mod:`peo_lib.privacy.open_answers`.

The regex rules live in :mod:`peo_lib.privacy.scrub_rules` and
:mod:`peo_lib.privacy.name_rules`; deduce starts from the compact lookup
structures of :mod:`peo_lib.privacy.deduce_lookup` (about 3 s and 250 MB
instead of 15-20 s and 1.1 GB). Recall is measured on the corpora in
``tests/data/deid`` (:mod:`peo_lib.privacy.deid_eval`, ``docs/privacy.md``).
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
from peo_lib.fileio import file_lock

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
SCRUBBER_VERSION = "2"

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

from peo_lib.privacy.name_rules import is_word  # noqa: E402
from peo_lib.privacy.scrub_rules import (  # noqa: E402
    TAGS,
    _compile_terms,
    _PLACEHOLDER,
    _regex_spans,
    _replace,
)

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


#: How many times this process started deduce (tests count them; see also ``$PEO_DEDUCE_STARTS_FILE``).
DEDUCE_STARTS = 0
_PATCH_LOCK = threading.Lock()
_log = logging.getLogger(__name__)


def _deduce_with(Deduce, path, structs):
    """A Deduce instance that uses ``structs`` instead of unpickling its own lookup cache."""
    import deduce.deduce as deduce_module

    with _PATCH_LOCK:
        original = deduce_module.get_lookup_structs
        deduce_module.get_lookup_structs = lambda **_kw: structs
        try:
            return Deduce(cache_path=path)
        finally:
            deduce_module.get_lookup_structs = original


def _record_start(seconds, how):
    """Count a deduce start; append it to ``$PEO_DEDUCE_STARTS_FILE`` when set (cross-process tests)."""
    global DEDUCE_STARTS
    DEDUCE_STARTS += 1
    _log.info("deduce started in %.1f s (%s)", seconds, how)
    target = os.environ.get("PEO_DEDUCE_STARTS_FILE")
    if target:
        with contextlib.suppress(OSError), open(target, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {seconds:.2f} {how}\n")


def _new_deduce(cache_path=None, *, compact=True):
    """A Deduce instance, from the compact lookup structures when they are there.

    The compact copy (:mod:`peo_lib.privacy.deduce_lookup`) loads in about a
    second instead of 15-20 s. When it is missing or stale, deduce loads (or,
    the very first time, builds) its own cache under a lock, and the compact
    copy is written from it for the next start. ``compact=False`` always
    takes deduce's own route (benchmarks compare the two).
    """
    from peo_lib.privacy import deduce_lookup

    t0 = time.perf_counter()
    Deduce = _import_deduce()
    path = Path(cache_path) if cache_path is not None else deduce_cache_path()
    structs = deduce_lookup.load_compact(path) if compact else None
    if structs is not None:
        instance = _deduce_with(Deduce, path, structs)
        _record_start(time.perf_counter() - t0, "compact")
        return instance
    # First use: one process builds (1-3 minutes), others wait and then load.
    with file_lock(path / "cache" / ".peo-build.lock"):
        structs = deduce_lookup.load_compact(path) if compact else None
        if structs is not None:
            instance = _deduce_with(Deduce, path, structs)
            how = "compact"
        else:
            instance = Deduce(cache_path=path)
            how = "deduce cache"
            if compact:
                with contextlib.suppress(OSError):  # read-only: correct, only slower next time
                    deduce_lookup.write_compact(path, instance.lookup_structs)
    _record_start(time.perf_counter() - t0, how)
    return instance


class Scrubber:
    """De-identify Dutch open answers: regex rules first, then one deduce instance.

    Rules (:mod:`peo_lib.privacy.scrub_rules`), applied before deduce so their
    tags are stable: e-mail addresses, URLs and bare domains
    (``horizon-jeugd.nl``), IBANs, IPv4/IPv6 addresses, Qualtrics ResponseIds
    (``R_`` + 15 characters), Dutch phone numbers (``06-12345678``,
    ``+31 6 12345678``, ``0031...``, ``070-1234567``, ``(010) 123 4567``,
    0800/0900), postcodes (``2511 AB``, ``2511AB``, ``2511ab``, ``2511 ab``),
    dates (also ISO), street + house number, schools and organisations
    (``basisschool De Notenkraker``, ``Stichting ...``), Haaglanden districts
    and municipalities, 9-digit numbers (BSN-like, with or without 11-proof)
    and 8-digit numbers that pass the 11-proof, the codebook's
    ``redact_terms`` (case-insensitive, whole words), a name after a role
    word (``teamleider Petra``) and the list-based name rules of
    :mod:`peo_lib.privacy.name_rules` (lower-case names, first names that
    deduce's lists lack, unknown capitalised words inside a sentence).
    deduce then finds names, places, addresses, institutions, dates and
    ages. Every find becomes a Dutch tag (:data:`TAGS`), and a tag repeated
    (``[naam] en [naam]``) is collapsed to one.

    Parameters
    ----------
    deduce : object, optional
        A ready ``deduce.Deduce`` instance (tests share one). Default: made on
        first use from the compact lookup structures, about 3 s and 250 MB
        (the very first time, when deduce's own cache is built, about 3
        minutes; see :func:`deduce_cache_path`). Use :func:`get_scrubber`
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
            if _kept_words(ann.text):
                continue  # "Den Haag", "Delft": the region's municipalities are a background variable
            if (tag == "plaats" and _SENTENCE_START.search(first[:s])
                    and (ann.text in _PLACE_HOMOGRAPHS or is_word(ann.text))):
                continue  # "Best lastig", "Most of ...", "Hof en gemeente": a word, not the town
            if tag == "plaats" and re.search(r"\d", ann.text):
                tag = "adres"  # deduce tags "Hoofdstraat 12" as locatie
            for ps, pe in parts:
                piece = first[ps:pe]
                if piece.strip(" ,.;:()-"):
                    lead = len(piece) - len(piece.lstrip(" ,.;:()-"))
                    trail = len(piece) - len(piece.rstrip(" ,.;:()-"))
                    spans.append((ps + lead, pe - trail, tag))
        spans = _merge_spans(spans)
        return _tidy_names(_COLLAPSE.sub(r"\1", _replace(first, spans)))


# initials before a name tag ("A. [naam]") and hyphenated parts after it ("[naam]-A-Djie") go with it
_INITIALS_BEFORE = re.compile(r"(?<![\w.])(?:[A-Z]\.\s?){1,4}\s?(?=\[naam\])")
_PARTS_AFTER = re.compile(r"(?<=\[naam\])(?:-[A-Z][\w'’]*)+")


def _tidy_names(text):
    return _PARTS_AFTER.sub("", _INITIALS_BEFORE.sub("", text))


def _kept_words(text) -> bool:
    """True when every word of a deduce find is in :data:`peo_lib.privacy.name_rules.KEEP`."""
    from peo_lib.privacy.name_rules import KEEP

    words = re.findall(r"[\w'’-]+", text)
    return bool(words) and (text.casefold() in KEEP or all(w.casefold() in KEEP for w in words))


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
