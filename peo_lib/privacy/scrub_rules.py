"""The regex pass of the scrubber: rules that run before deduce.

E-mail addresses, URLs, IBANs, IP addresses, Qualtrics ResponseIds, phone
numbers, postcodes, dates, addresses (street + house number), schools,
organisations, Haaglanden districts, BSN-like numbers, the codebook's
``redact_terms``, a name after a role word, and the list-based name rules of
:mod:`peo_lib.privacy.name_rules`. :func:`regex_spans` returns
``(start, end, tag)`` spans (earlier rules win overlaps); :func:`replace`
puts the Dutch tags in.
"""

from __future__ import annotations

import ipaddress
import re

from peo_lib.privacy import name_rules

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
# "2514 ab": lower case with a space only when the letters are no two-letter Dutch word ("2020 en 2021")
_POSTCODE_LOWER = re.compile(r"\b[1-9]\d{3} (?!sa|sd|ss|en|op|in|is|om|te|of|ik|je|we|ze|al|nu|er|na|de|ja|nee|uur|tot"
                             r"|of|zo|an|at|as|be|by|do|go|he|if|it|me|my|no|on|or|so|to|up|us)[a-z]{2}\b(?![-\w])")
_IPV4 = re.compile(r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?=[0-9A-Fa-f:]*:[0-9A-Fa-f]*:)[0-9A-Fa-f:]{3,39}(?![\w:])")
_RESPONSE_ID = re.compile(r"(?<![\w])R_[A-Za-z0-9]{15}(?![A-Za-z0-9])")
_ISO_DATE = re.compile(r"(?<![\w-])(?:19|20)\d{2}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])(?![\w]|-\d)")
_STREET_SUFFIX = (r"(?:straat|laan|weg|plein|hof|kade|dreef|gracht|singel|park|dijk|horst|oord|rode|pad|steeg|"
                  r"markt|burg|veld|dam|baan|ring|zoom|wal|erf|hoek|kamp|gaarde|werf|haven|boulevard|allee|"
                  r"plantsoen|bolwerk|lei|hout|stede|berg|daal|wijk|buurt|polder|tuin|wei|akker|hage|heuvel|"
                  r"pier|dreef|promenade|passage|galerij|poort|rak|vliet|wetering|kwartier)")
# a street name (one to three words, the last with a street suffix) + house number + addition
_ADDRESS = re.compile(
    r"(?<![\w-])(?:[A-Z][\w'’-]*\s+){0,2}(?:(?:van|de|der|den|het|'t)\s+){0,2}[A-Z][\w'’-]*" + _STREET_SUFFIX
    + r"\s+\d{1,4}(?:\s?[a-zA-Z](?![\w])|-\d{1,3}(?![\w])|-[A-Za-z](?![\w])|\s(?:bis|hs|huis|boven|I{1,3})(?![\w]))?"
    r"|(?<![\w-])(?:Oude|Nieuwe|Lange|Korte|Hoge|Lage|Groot|Klein)\s+[A-Z][\w'’-]+\s+\d{1,4}"
    r"(?:-\d{1,3}(?![\w])|\s(?:bis|hs)(?![\w]))?")
# schools: a school word + name ("basisschool De Notenkraker", "IKC Het Anker"), or "X College/Lyceum"
_SCHOOL = re.compile(
    r"(?<![\w-])(?:(?i:basisschool|school|obs|cbs|rkbs|pcbs|ikc|sbo|vso|so|kindcentrum|kinderopvang|bso|kdv)"
    r"\s+(?:(?:De|Het|'t|de|het)\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?"
    r"|(?:[A-Z][\w'’-]+\s+){1,2}(?:College|Lyceum|Gymnasium|Mavo|Havo|Atheneum|Campus|Academie|Montessorischool))")
# organisations: a legal/sector word + name, or a name + sector word ("Kwadraat Jeugd", "... B.V.")
_SENTENCE_WORDS = (r"(?:Bij|Met|Van|Voor|In|Op|Naar|Door|Over|Onder|Uit|Aan|De|Het|Een|En|Of|Maar|Als|Dat|Die|Dit|"
                   r"Deze|Ook|Goede|Meer|Minder|Veel|Geen|Onze|Mijn|Jouw|Hun|Zijn|Haar|Elke|Iedere|Alle|Wat|Waar)")
_ORG_WORDS = r"(?:Jeugd|Jeugdzorg|Jeugdhulp|Zorg|Welzijn|Groep|Netwerk|Jeugdnetwerk|Zorggroep|Zorgcoöperatie)"
_ORGANISATION = re.compile(
    r"(?<![\w-])(?:(?:Stichting|Vereniging|Coöperatie|Zorggroep|Zorgcoöperatie|Jeugdhulp|Jeugdzorg|Jeugdnetwerk)"
    r"\s+(?:(?:De|Het|'t)\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?"
    r"|(?!" + _SENTENCE_WORDS + r"\s)[A-Z][\w'’-]+\s+" + _ORG_WORDS + r"(?![\w-]))(?:\s+B\.?V\.?)?")
# a capital De/Het inside a sentence starts a proper name ("met De Tweemaster", "bij Het Anker")
_PROPER_DE = re.compile(r"(?<=[a-zà-ÿ,] )(?:De|Het|'t|Den)\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?")
_NUMBER9 = re.compile(r"(?<![\w.,])(?:\d{9}|\d{3}[. ]\d{3}[. ]\d{3}|\d{4}[. ]\d{2}[. ]\d{3})(?![\w]|[.,]\d)")
_NUMBER8 = re.compile(r"(?<![\w.,])\d{8}(?![\w]|[.,]\d)")
_MONTHS = ("januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
           "jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec")
_DATE = re.compile(
    rf"(?<![\w])(?:\d{{1,2}}(?:e|ste|de)?\s+(?i:{_MONTHS})\.?(?:\s+(?:19|20)\d{{2}})?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)?\d{2})(?![\w]|[-/.]\d)")
# Districts, villages and municipalities of Haaglanden (case-sensitive, whole words).
_REGION_PLACES = re.compile(r"(?<![\w-])(?:" + "|".join(sorted((
    "Escamp", "Schilderswijk", "Transvaal", "Moerwijk", "Ypenburg", "Leidschenveen", "Segbroek",
    "Scheveningen", "Loosduinen", "Laak", "Haagse Hout", "Bouwlust", "Vrederust", "Morgenstond",
    "Duindorp", "Mariahoeve", "Stationsbuurt", "Spoorwijk", "Rustenburg", "Oostbroek", "Zuiderpark",
    "Bezuidenhout", "Regentessekwartier", "Valkenboskwartier", "Waldeck", "Wateringse Veld",
    "Meerzicht", "Palenstein", "Rokkeveen", "Oosterheem", "Seghwaert", "Buytenwegh",
    "Driemanspolder", "Noordhove", "Tanthof", "Voorhof", "Buitenhof", "Hof van Delft",
    "Naaldwijk", "Monster", "'s-Gravenzande", "Wateringen", "De Lier", "Honselersdijk", "Poeldijk",
    "Kwintsheul", "Maasdijk", "Steenvoorde", "Te Werve", "Voorburg", "Leidschendam", "Stompwijk",
    "Delfgauw", "Nootdorp", "Maasland", "Schipluiden", "Den Hoorn",
    # the municipalities themselves (deduce knows most; here so that the name rules do not take them)
    "Den Haag", "Delft", "Zoetermeer", "Westland", "Rijswijk", "Wassenaar", "Leidschendam-Voorburg",
    "Pijnacker-Nootdorp", "Midden-Delfland"), key=lambda p: -len(p)))
    + r")(?![\w-])")
_PLACEHOLDER = re.compile(r"\[[a-z-]+\]")

# A capitalised name after a role word ("mijn teamleider Petra", "collega Ahmed").
_ROLES = (
    "collega|teamleider|teamleidster|leidinggevende|manager|directeur|bestuurder|coördinator|"
    "coordinator|gedragswetenschapper|orthopedagoog|psycholoog|jeugdhulpverlener|jeugdconsulent|"
    "consulent|casusregisseur|regisseur|behandelaar|begeleider|mentor|stagiair|stagiaire|"
    "wethouder|ambtenaar|beleidsmedewerker|cliënt|client|jongere|moeder|vader|"
    "zoon|dochter|broer|zus|zusje|broertje|oma|opa|tante|oom|pleegmoeder|pleegvader|voogd|jeugdige|"
    "leerling|jeugdarts|huisarts|wijkagent|intern begeleider|jongen|meisje|"
    "noemen ze hem|noemen ze haar|noemt iedereen hem|noemt iedereen haar|die iedereen|genaamd|alias|bijnaam|"
    "mevrouw|meneer|mevr\\.?|mw\\.?|dhr\\.?|juf|meester|dokter|dr\\.?"
)
_INFIX = r"(?i:van de|van der|van den|in 't|op de|van|de|der|den|het|ter|ten|te|in|'t|el|al|bin|ben|da|di|dos|du|le|la)"
_NAME_WORD = r"[A-Z][a-zà-ÿ'’]+(?:-[A-Za-zà-ÿ'’]+)*"
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
    for m in _IPV4.finditer(text):
        add(m.start(), m.end(), "nummer")
    for m in _IPV6.finditer(text):
        if _is_ipv6(m.group()):
            add(m.start(), m.end(), "nummer")
    for m in _RESPONSE_ID.finditer(text):
        add(m.start(), m.end(), "nummer")
    for m in _PHONE.finditer(text):
        add(m.start(), m.end(), "telefoon")
    for rx in (_POSTCODE, _POSTCODE_LOWER):
        for m in rx.finditer(text):
            add(m.start(), m.end(), "postcode")
    for rx in (_DATE, _ISO_DATE):
        for m in rx.finditer(text):
            add(m.start(), m.end(), "datum")
    for m in _ADDRESS.finditer(text):
        add(m.start(), m.end(), "adres")
    for start, end in _role_names(text):
        add(start, end, "naam")
    for rx in (_SCHOOL, _ORGANISATION, _PROPER_DE):
        for m in rx.finditer(text):
            if not _all_kept(m.group()):
                add(m.start(), m.end(), "organisatie")
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
    for start, end in name_rules.find_names(text, spans):
        add(start, end, "naam")
    return spans


def _is_ipv6(s) -> bool:
    try:
        return isinstance(ipaddress.ip_address(s), ipaddress.IPv6Address)
    except ValueError:
        return False


def _all_kept(match) -> bool:
    """True when every capitalised word of a match is in :data:`name_rules.KEEP` ("De Jeugdwet")."""
    caps = [w for w in re.findall(r"[\w'’-]+", match) if w[0].isupper() and w not in ("De", "Het", "Den")]
    return bool(caps) and all(w.casefold() in name_rules.KEEP for w in caps)


def _replace(text, spans):
    """Replace (start, end, tag) spans (non-overlapping) by their Dutch tags."""
    out, last = [], 0
    for start, end, tag in sorted(spans):
        out.append(text[last:start])
        out.append(TAGS.get(tag, TAGS["term"]))
        last = end
    out.append(text[last:])
    return "".join(out)


