"""List-based name rules: the names deduce misses (lower case, rare backgrounds, unknown surnames).

deduce finds capitalised first names and surnames from its own lists. Open
answers also hold names typed in lower case (``ik heb met jeroen gesproken``),
first names of backgrounds its lists lack (``Łukasz``, ``Rudsel``), and
surnames no list has (``Tjin-A-Djie``). Three rules, run in the regex pass:

1. A word that is a known first name (deduce's first-name list plus the
   ``gender-guesser`` list in ``data/first_names.txt.gz``) and *not* an
   ordinary Dutch or English word (``data/words_nl_en.txt.gz``: OpenTaal and
   SCOWL), in any case: ``fatima``, ``Łukasz``. First names that are also words
   (``Roos``, ``Mark``, ``Hoop``, ``Will``) are left to deduce and the context
   rules.
2. A capitalised word that is no ordinary word, not at the start of a
   sentence, not an acronym and not in :data:`KEEP`: an unknown proper noun
   (``Vlijter``, ``Rudsel``), treated as a name.
3. From such a name, the span grows to the right over infixes (``van der``)
   and surname-like words (capitalised unknown words, deduce surnames, lower-case
   words that are no ordinary word: ``sanne de vries``, ``jennifer doelwijt``),
   and to the left over a capitalised first name (``Earl Vlijter``).

:data:`KEEP` holds capitalised words that are not personal data: the region
itself (``Haaglanden``, ``Haagse``; its municipalities are places and are
removed), languages and nationalities, holidays, laws and sector names. See ``data/SOURCE.md`` for the lists and their licences.
"""

from __future__ import annotations

import functools
import gzip
import re
from pathlib import Path

__all__ = ["find_names", "KEEP", "is_word", "lists_loaded"]

_DATA = Path(__file__).resolve().parent / "data"
_TOKEN = re.compile(r"[^\W\d_][\w'’]*(?:-[^\W\d_][\w'’]*)*")
_INFIXES = frozenset("van de der den het ter ten te el al in 't op da di du le la bin ben dos von".split())
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*|^\s*[-*•]\s*|\n\s*[-*•]\s*|[\"“‘']\s*|\s[-–]\s+)$")
# a full stop that ends an initial or an abbreviation, not a sentence ("J. Tjin-A-Djie", "dhr. Saleh")
_NOT_A_STOP = re.compile(r"(?:(?<![\w.])[A-Z]\.|\b(?i:dhr|mw|mevr|dr|drs|mr|ir|ing|prof|ca|bijv|o\.a|z\.s\.m|nr|tel|st)\.)\s+$")
#: Words after which a lower-case first name is a name even when it is also a word ("collega said").
ROLE_WORDS = frozenset(
    "collega collega's teamleider leidinggevende manager cliënt client jongere moeder vader zoon dochter "
    "broer zus mevrouw meneer mw mevr dhr juf meester mentor begeleider stagiair stagiaire "
    "gedragswetenschapper orthopedagoog consulent jeugdconsulent regisseur casusregisseur".split())

#: Capitalised words that are not personal data (kept by rule 2, and by the deduce pass as places).
KEEP = frozenset(w.casefold() for w in (
    # the region as a whole and adjectives (the municipalities themselves are places: removed)
    "Haaglanden", "Haagse", "Haags", "Delftse", "Zoetermeerse", "Westlandse",
    "Nederland", "Nederlands", "Nederlandse", "Holland", "Randstad",
    # languages and nationalities, holidays, months capitalised at a heading
    "Engels", "Engelse", "Arabisch", "Arabische", "Turks", "Turkse", "Marokkaans", "Marokkaanse",
    "Surinaams", "Surinaamse", "Antilliaans", "Antilliaanse", "Pools", "Poolse", "Somalisch",
    "Somalische", "Syrisch", "Syrische", "Hindoestaans", "Hindoestaanse", "Berbers", "Tamazight",
    "Papiaments", "Sranantongo", "Oekraïens", "Oekraïense", "Duits", "Frans", "Europese", "Europa",
    "Kerst", "Kerstmis", "Kerstdag", "Eerste", "Tweede", "Pasen", "Pinksteren", "Ramadan", "Suikerfeest",
    "Offerfeest", "Keti", "Koti", "Divali", "Holi", "Koningsdag", "Sinterklaas",
    # laws, sector and government words written with a capital
    "Jeugdwet", "Wmo", "Participatiewet", "Rijk", "Rijksoverheid", "Kamer", "Tweede Kamer", "Inspectie",
    "Jeugdzorg", "Veilig", "Thuis", "Raad", "Kinderbescherming", "Jeugdbescherming", "Corona", "Covid",
    "Qualtrics", "Teams", "Zoom", "Outlook", "WhatsApp", "Whatsapp", "Excel", "Word", "Google",
    "Open", "Space", "Toverstaf", "PJH",
))


@functools.lru_cache(maxsize=1)
def _words() -> frozenset:
    with gzip.open(_DATA / "words_nl_en.txt.gz", "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def _deduce_list(rel):
    """Items of one of deduce's source lists (``names/lst_first_name``), read without loading deduce."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("deduce")
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "lookup" / "src" / rel / "items.txt"
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []


@functools.lru_cache(maxsize=1)
def _lists():
    """(words, first-name keys that are no word, all first-name keys, surname keys), case-folded."""
    words = _words()
    with gzip.open(_DATA / "first_names.txt.gz", "rt", encoding="utf-8") as fh:
        first = {line.strip().casefold() for line in fh if line.strip()}
    first |= {n.strip().casefold() for n in _deduce_list("names/lst_first_name") if n.strip()}
    first = {n for n in first if len(n) >= 2}
    surnames = {n.split()[-1].casefold() for n in _deduce_list("names/lst_surname") if n.strip()}
    return words, frozenset(first - words), frozenset(first), frozenset(surnames)


def lists_loaded() -> bool:
    """True once the word and name lists are in memory (about 0.5 s and 60 MB, once per process)."""
    return _lists.cache_info().currsize > 0


def is_word(token) -> bool:
    """True if ``token`` (any case) is an ordinary Dutch or English word."""
    return token.casefold() in _words()


def _is_acronym(tok):
    letters = [c for c in tok if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _unknown_proper(tok, text, start, words):
    """Rule 2: a capitalised word that is no ordinary word, not sentence-initial, not kept."""
    if not tok[0].isupper() or len(tok) < 2 or _is_acronym(tok):
        return False
    key = tok.casefold()
    parts = key.split("-")
    if key in words or key in KEEP or (len(parts) > 1 and all(p in words or p in KEEP for p in parts)):
        return False
    return not _sentence_start(text, start)


def _sentence_start(text, start) -> bool:
    before = text[:start]
    return bool(_SENTENCE_START.search(before)) and not _NOT_A_STOP.search(before)


def _is_name_start(tok, text, start, lists, prev):
    words, first_only, first_all, _ = lists
    key = tok.casefold()
    if key in KEEP or (_is_acronym(tok) and len(tok) < 4):
        return False
    if key in first_only and (tok[0].isupper() or len(tok) >= 3):
        return True
    if prev is not None and prev.casefold() in ROLE_WORDS and key in first_all and len(tok) >= 3:
        return True  # "mijn collega said yusuf", "mevrouw Roos"
    return _unknown_proper(tok, text, start, words)


def _continues(tok, lists, after_infix):
    """Rule 3: may ``tok`` continue a name (a surname part)?"""
    words, first_only, _, surnames = lists
    key = tok.casefold()
    if key in KEEP or key in _INFIXES:
        return False
    if tok[0].isupper():
        return key not in words or key in surnames or key in first_only
    if after_infix:
        return key in surnames or key not in words
    return key in surnames or (key not in words and len(tok) >= 4)


def _adjacent(text, end, start):
    """Only spaces (or one hyphen/apostrophe joint) between two tokens."""
    gap = text[end:start]
    return gap in (" ", "-") or (gap.strip() == "" and "\n" not in gap and len(gap) <= 2)


def find_names(text, taken=()):
    """(start, end) spans of names found by the list rules (see the module docstring).

    Parameters
    ----------
    text : str
    taken : iterable of (start, end, ...)
        Spans already claimed by earlier rules; their words are skipped.

    Returns
    -------
    list of (int, int)
    """
    lists = _lists()
    taken = [(t[0], t[1]) for t in taken]
    toks = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)
            if not any(s < m.end() and m.start() < e for s, e in taken)]
    spans, i = [], 0
    while i < len(toks):
        s, e, tok = toks[i]
        prev = toks[i - 1][2] if i > 0 and _adjacent(text, toks[i - 1][1], s) else None
        if not _is_name_start(tok, text, s, lists, prev):
            i += 1
            continue
        end, j = e, i + 1
        while j < len(toks) and _adjacent(text, end, toks[j][0]):
            tj = toks[j][2]
            if tj.casefold() in _INFIXES:
                k = j
                while k < len(toks) and toks[k][2].casefold() in _INFIXES and _adjacent(text, toks[k - 1][1], toks[k][0]):
                    k += 1
                if k < len(toks) and _adjacent(text, toks[k - 1][1], toks[k][0]) and _continues(toks[k][2], lists, True):
                    end, j = toks[k][1], k + 1
                    continue
                break
            if not _continues(tj, lists, False):
                break
            end, j = toks[j][1], j + 1
        start = s
        if i > 0 and _adjacent(text, toks[i - 1][1], s):
            prev = toks[i - 1][2]
            if prev[0].isupper() and prev.casefold() in lists[2] and prev.casefold() not in KEEP:
                start = toks[i - 1][0]
        spans.append((start, end))
        i = j
    return spans
