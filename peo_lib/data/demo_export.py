"""The demo rounds' raw files in five export formats (labelled CSV, tab-separated codes, Qualtrics CSV
with and without labels, xlsx, SPSS .sav): each writer returns the file's bytes, deterministically.

Split from :mod:`peo_lib.data.demo`, which simulates the answers and writes the codebooks.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np


__all__ = ["ROUND_IDS", "generate"]

MARKER = ".peo-demo"

# -- the model's parameters (documented in the module docstring) -------------------------------
STARTER_SHARE = 0.30
STARTER_SHIFT = {"professionele_ruimte": -0.44}
CORONA_SHIFT = {0: -0.30, 1: -0.10}  # round index -> shift
CORONA_SCALES = ("professionele_ruimte", "werkplezier", "intentie_om_te_blijven", "regels_en_eisen")
WORKLOAD_SLOPE = 0.12  # per round, on ervaren_werkdruk
CUTS = np.array([-1.6, -0.7, 0.1, 1.1])
P_BLANK, P_DONTKNOW, P_NA = 0.03, 0.02, 0.01
P_BREAKOFF = 0.03
SMALL_MUNICIPALITY = "Midden-Delfland"

# -- codebook content --------------------------------------------------------------------------
EENS5 = {1: "Helemaal oneens", 2: "Oneens", 3: "Neutraal", 4: "Eens", 5: "Helemaal eens"}
EENS5_MISSING = {8: "Niet van toepassing", 9: "Weet ik niet"}
CIJFER10 = {0: "0 (zeer slecht)", **{k: str(k) for k in range(1, 10)}, 10: "10 (uitstekend)"}
CIJFER10_MISSING = {99: "Weet ik niet"}
VAAK5 = {1: "Nooit", 2: "Zelden", 3: "Soms", 4: "Vaak", 5: "Heel vaak"}

MATRIX_STEM = "Hoe (on)eens ben je het met de volgende stellingen?"

# scale id -> (label, general-factor loading, [(item id, text, reverse, loading, location)])
CORE_SCALES = {
    "professionele_ruimte": ("Ervaren professionele ruimte", 0.55, [
        ("PR01", "Ik heb voldoende ruimte om zelf te bepalen hoe ik mijn werk doe.", False, 0.78, 0.35),
        ("PR02", "Ik kan in mijn werk mijn professionele oordeel volgen.", False, 0.76, 0.45),
        ("PR03", "Mijn organisatie vertrouwt op mijn vakmanschap.", False, 0.72, 0.55),
        ("PR04", "Ik kan afwijken van de standaardaanpak als het belang van een jeugdige of gezin "
                 "dat vraagt.", False, 0.74, 0.05),
        ("PR05", "Regels en procedures bepalen meer wat ik doe dan mijn eigen professionele oordeel.",
         True, 0.70, -0.05),
    ]),
    "werkplezier": ("Werkplezier", 0.60, [
        ("WP01", "Ik heb plezier in mijn werk.", False, 0.82, 0.70),
        ("WP02", "Ik ga met zin naar mijn werk.", False, 0.80, 0.45),
        ("WP03", "Mijn werk geeft mij energie.", False, 0.78, 0.25),
    ]),
    "intentie_om_te_blijven": ("Intentie om te blijven", 0.50, [
        ("IB01", "Ik zie mezelf over twee jaar nog in de jeugdzorg werken.", False, 0.82, 0.40),
        ("IB02", "Ik ben van plan bij mijn huidige organisatie te blijven werken.", False, 0.78, 0.20),
        ("IB03", "Ik denk er regelmatig over na om een baan buiten de jeugdzorg te zoeken.",
         True, 0.76, -0.45),
    ]),
    "regels_en_eisen": ("Ervaren last van regels en eisen", -0.35, [
        ("RE01", "De regels van verschillende gemeenten verschillen zo dat het mijn werk belemmert.",
         False, 0.72, 0.30),
        ("RE02", "Ik besteed te veel tijd aan administratie en verantwoording.", False, 0.76, 0.60),
        ("RE03", "Eisen van gemeenten en financiers staan goede hulp aan jeugdigen en gezinnen in de weg.",
         False, 0.74, 0.20),
        ("RE04", "Ik moet gegevens registreren waarvan ik het nut niet zie.", False, 0.70, 0.35),
    ]),
    "ervaren_werkdruk": ("Ervaren werkdruk", -0.40, [
        ("WD01", "Ik heb te veel werk voor de tijd die ik heb.", False, 0.78, 0.10),
        ("WD02", "Ik moet vaak over mijn grenzen gaan om mijn werk af te krijgen.", False, 0.76, -0.15),
        ("WD03", "Na een werkdag voel ik me uitgeput.", False, 0.72, -0.05),
    ]),
}
GRADE_ITEM = ("TV01", "Welk rapportcijfer geef je je werk als geheel?")

THEMES = {
    "corona": dict(
        title="Corona", scale="impact_corona", label="Ervaren impact van corona op het werk",
        items=[
            ("CO01", "Door de coronamaatregelen kon ik minder goed contact houden met jeugdigen en gezinnen.",
             False, 0.74, 0.45),
            ("CO02", "Door corona zijn de problemen in de gezinnen met wie ik werk toegenomen.",
             False, 0.72, 0.50),
            ("CO03", "Ik voelde me in de coronaperiode voldoende gesteund door mijn organisatie.",
             True, 0.70, 0.20),
            ("CO04", "Beeldbellen en thuiswerken maakten mijn werk zwaarder.", False, 0.72, 0.00),
        ],
        open=("Wat heb je in de coronaperiode geleerd dat je wilt vasthouden?"),
    ),
    "regels_en_eisen": dict(
        title="Regels en eisen", scale="regeldruk_gemeenten", label="Regeldruk door verschillen tussen gemeenten",
        items=[
            ("RT01", "Ik weet welke regels van welke gemeente gelden voor de jeugdigen met wie ik werk.",
             True, 0.70, 0.10),
            ("RT02", "Het aanvragen of verlengen van een beschikking kost mij veel tijd.", False, 0.76, 0.45),
            ("RT03", "Door verschillen tussen gemeenten krijgen jeugdigen met dezelfde vraag verschillende hulp.",
             False, 0.74, 0.40),
            ("RT04", "Verantwoordingseisen helpen mij de kwaliteit van mijn werk te laten zien.",
             True, 0.70, -0.40),
        ],
        open="Welke regel zou jij morgen willen schrappen, en waarom?",
    ),
    "werkdruk": dict(
        title="Werkdruk", scale="druk_caseload", label="Druk door caseload en wachtlijsten",
        items=[
            ("WT01", "Mijn caseload is te groot om goede hulp te bieden.", False, 0.76, 0.20),
            ("WT02", "Door wachtlijsten moet ik gezinnen te lang laten wachten.", False, 0.72, 0.50),
            ("WT03", "Ik kan mijn werk binnen mijn contracturen afmaken.", True, 0.74, -0.10),
            ("WT04", "Door ziekte en vacatures in mijn team neem ik werk van collega's over.",
             False, 0.70, 0.25),
        ],
        frequency=("WT05", "Hoe vaak werkte je het afgelopen halfjaar buiten je contracturen?"),
        open="Wat helpt jou om de werkdruk hanteerbaar te houden?",
    ),
    "maatschappelijke_verwachtingen": dict(
        title="Maatschappelijke verwachtingen", scale="maatschappelijke_druk",
        label="Ervaren maatschappelijke druk",
        items=[
            ("MV01", "De samenleving verwacht van de jeugdzorg dat alle problemen worden opgelost.",
             False, 0.72, 0.55),
            ("MV02", "Negatieve berichten over de jeugdzorg in de media raken mij in mijn werk.",
             False, 0.74, 0.15),
            ("MV03", "Ouders verwachten meer van mij dan ik kan bieden.", False, 0.72, 0.05),
            ("MV04", "Gemeenten hebben realistische verwachtingen van wat jeugdhulp kan bereiken.",
             True, 0.70, -0.35),
        ],
        open="Wat zou jij de samenleving willen vertellen over het werk in de jeugdzorg?",
    ),
    "samenwerking": dict(
        title="Samenwerking", scale="samenwerking_keten", label="Samenwerking in de keten",
        items=[
            ("SW01", "De samenwerking met het wijkteam of jeugd- en gezinsteam verloopt goed.",
             False, 0.74, 0.20),
            ("SW02", "Ik weet bij wie ik terecht kan bij andere organisaties.", False, 0.72, 0.45),
            ("SW03", "Overdrachten tussen organisaties verlopen zorgvuldig.", False, 0.76, -0.15),
            ("SW04", "Ik heb voldoende tijd voor overleg met ketenpartners.", False, 0.72, -0.30),
            ("SW05", "Gezinnen moeten hun verhaal bij elke organisatie opnieuw vertellen.", True, 0.70, 0.40),
        ],
        open="Wat zou de samenwerking met andere organisaties het meest verbeteren?",
    ),
    "leren_en_ontwikkelen": dict(
        title="Leren en ontwikkelen", scale="ruimte_om_te_leren", label="Ruimte om te leren",
        items=[
            ("LO01", "Ik krijg voldoende gelegenheid om mij bij te scholen.", False, 0.74, 0.20),
            ("LO02", "Intervisie en reflectie hebben een vaste plek in mijn werkweek.", False, 0.72, 0.05),
            ("LO03", "Nieuwe collega's worden in mijn team goed ingewerkt.", False, 0.74, 0.10),
            ("LO04", "Ik leer van de feedback van jeugdigen en ouders.", False, 0.70, 0.50),
        ],
        open="Wat heb jij nodig om je verder te ontwikkelen in je vak?",
    ),
}
OPEN_MAGIC = "Wat zou jij veranderen als je een toverstaf had?"

FUNCTIES = {1: "Jeugdhulpverlener", 2: "Gedragswetenschapper", 3: "Teamleider", 4: "Anders"}
FUNCTIE_P = [0.62, 0.18, 0.08, 0.12]
ORGANISATIES = {1: "Specialistische jeugdhulp", 2: "Wijkteam/Jeugd- en gezinsteam", 3: "Jeugdbescherming",
                4: "Vrijgevestigd", 5: "Anders"}
ORGANISATIE_P = [0.40, 0.30, 0.15, 0.08, 0.07]
GEMEENTEN = {1: "Den Haag", 2: "Delft", 3: "Zoetermeer", 4: "Westland", 5: "Rijswijk",
             6: "Leidschendam-Voorburg", 7: "Pijnacker-Nootdorp", 8: "Midden-Delfland", 9: "Wassenaar"}
GEMEENTE_P = {1: 0.40, 2: 0.12, 3: 0.14, 4: 0.10, 5: 0.07, 6: 0.08, 7: 0.06, 9: 0.03}  # 8: fixed 1-4
REDACT_TERMS = ["Horizon Jeugdzorg", "De Brug", "Kompas Jeugdhulp", "Stichting Vlinderhuis"]

# -- open answers (fictional people, e-mail domains and numbers) ---------------------------------
MAGIC_ANSWERS = [
    "Minder administratie, zodat ik meer tijd heb voor de gezinnen.",
    "Eén set regels voor alle gemeenten in de regio.",
    "Kleinere caseload, dan kan ik echt het verschil maken.",
    "Geen wachtlijsten meer. Gezinnen wachten nu maanden op passende hulp.",
    "Meer vertrouwen in de professional in plaats van alles te moeten verantwoorden.",
    "Dat beschikkingen automatisch verlengd worden als de hulp doorloopt.",
    "Meer tijd voor intervisie en overleg met collega's.",
    "Betere inwerkprogramma's voor nieuwe collega's, ik voelde me in het begin erg alleen.",
    "Eén dossier per gezin dat alle organisaties kunnen gebruiken (met toestemming natuurlijk).",
    "Hogere salarissen, anders blijven er straks geen ervaren mensen over.",
    "Minder wisselingen van hulpverleners voor de jeugdigen.",
    "Dat gemeenten en aanbieders samen beslissen in plaats van via aanbestedingen.",
    "Meer ruimte om af te wijken van het protocol als dat beter is voor het kind.",
    "Minder vergaderen over cijfers, meer praten over wat gezinnen nodig hebben.",
    "Ik zou de registratie in het cliëntsysteem halveren.",
    "Een vast aanspreekpunt bij elke gemeente.",
    "Meer waardering vanuit de politiek en de media voor wat we wél bereiken.",
    "Snellere toegang tot specialistische hulp als het thuis echt niet meer gaat.",
    "Meer mogelijkheden om thuis te werken voor verslaglegging.",
    "Geen idee eigenlijk.",
    "Dat ouders en jongeren zelf meer te zeggen krijgen over de hulp.",
    "Financiële zekerheid voor de organisatie, nu is alles steeds voor één jaar.",
    "Meer tijd om gewoon naast een jongere te staan – zonder formulier.",
    "Minder regels rond reiskosten en uren, het kost me per week zeker twee uur.",
    "Ik zou willen dat er een budget van € 500 per gezin is dat je zelf mag inzetten.",
]
THEME_ANSWERS = {
    "corona": [
        "Beeldbellen werkt goed voor korte afstemming met ouders.",
        "Dat flexibel werken kan, zonder dat de kwaliteit omlaag gaat.",
        "Hoe belangrijk het team is; ik heb de koffie met collega's echt gemist.",
        "Dat we sneller kunnen schakelen als het moet.",
        "Wandelgesprekken met jongeren, die werken vaak beter dan op kantoor.",
        "Dat regels soepeler kunnen als het nodig is: de verlengingen gingen ineens vanzelf.",
        "Minder reistijd door online overleg met ketenpartners.",
    ],
    "regels_en_eisen": [
        "De verplichte tussenevaluatie na zes weken, die voegt niets toe.",
        "Dat elke gemeente een eigen formulier heeft voor dezelfde aanvraag.",
        "Het minutenregistreren per cliënt.",
        "De aparte toestemming voor elke verlenging, ook als iedereen het eens is.",
        "Dubbele rapportages voor gemeente en zorgverzekeraar.",
        "Geen, regels geven ook houvast. Maar maak ze wel overal hetzelfde.",
    ],
    "werkdruk": [
        "Een collega waar ik even mee kan sparren.",
        "Strikt mijn vrije dag bewaken, ook al lukt dat niet altijd.",
        "Een teamleider die meedenkt over prioriteiten.",
        "Sporten na het werk en mijn telefoon uit.",
        "Niets, het is gewoon te veel op dit moment.",
        "Goede planning en nee durven zeggen tegen extra casussen.",
    ],
    "maatschappelijke_verwachtingen": [
        "Dat wij niet alles kunnen oplossen, maar wel elke dag ons best doen.",
        "Er gaat veel goed wat nooit in de krant komt.",
        "Jeugdzorg is geen wondermiddel, het vraagt tijd en vertrouwen.",
        "Kom eens een dag meelopen, dan zie je hoe complex het is.",
        "Dat we gezinnen helpen om het zelf weer te kunnen, niet om het over te nemen.",
    ],
    "samenwerking": [
        "Een gezamenlijk plan per gezin, met één regisseur.",
        "Vaste contactpersonen bij het wijkteam.",
        "Warme overdrachten in plaats van een dossier doorsturen.",
        "Elkaar beter kennen: een keer per jaar een regionale bijeenkomst.",
        "Minder privacyregels die delen van informatie onmogelijk maken.",
        "Dezelfde taal spreken over wat een gezin nodig heeft.",
    ],
    "leren_en_ontwikkelen": [
        "Tijd voor scholing die niet van mijn caseload af gaat.",
        "Een mentor in het eerste jaar.",
        "Meer casuïstiekbesprekingen met gedragswetenschappers.",
        "Budget voor een opleiding systemisch werken.",
        "Feedback van jongeren structureel ophalen.",
        "Leren van andere organisaties, bijvoorbeeld door een dag mee te lopen.",
    ],
}
PEOPLE = ["Jan de Vries", "Sanne van Dijk", "Fatima Bakkali", "Pieter Visser", "Noor Hendriks",
          "Kevin Smit", "Marieke Mulder", "Rachid Amrani", "Lotte de Graaf", "Bram Jansen"]
EMAILS = ["j.devries@horizonjeugdzorg.nl", "sanne.vandijk@debrug-jeugd.nl", "p.visser84@gmail.com",
          "noor.hendriks@kompasjeugdhulp.nl", "r.amrani@hotmail.com", "lotte.degraaf@outlook.com"]
PHONES = ["06-12345678", "06 23456789", "+31 6 34567890", "070-3456789", "070 345 67 89",
          "(015) 2345678", "+31 (0)6 45678901", "0612345678"]
STREETS = ["Laan van Meerdervoort 1234", "Lindelaan 14", "Oude Kerkstraat 7a", "Prinses Beatrixlaan 402"]
NAME_PHRASES = [
    "Mijn collega {x} zegt het al jaren: {a}",
    "{a} Vraag maar aan {x}, die weet er alles van.",
    "{a} Mijn teamleider {x} doet haar best, maar kan het ook niet oplossen.",
    "{a} Groet, {x}",
]
EMAIL_PHRASES = ["{a} Mail me gerust voor een toelichting: {x}", "{a} (reactie graag naar {x})"]
PHONE_PHRASES = ["{a} Bel me gerust op {x} als jullie meer willen weten.", "{a} Mijn nummer is {x}."]
ORG_PHRASES = ["{a} Bij {x} is de wachtlijst inmiddels een jaar.",
               "Bij {x} merken we dit elke dag. {a}", "{a} Ik werk bij {x} en daar is het niet anders."]
STREET_PHRASES = ["{a} Ons kantoor aan de {x} is ook veel te klein."]
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from peo_lib.data.demo import _RoundSpec

# -- cell formatting ---------------------------------------------------------------------------

def _years_text(v: float, *, comma: bool) -> str:
    if np.isnan(v):
        return ""
    text = f"{v:g}"
    return text.replace(".", ",") if comma else text


def _label_cells(rng, codes: np.ndarray, labels: dict, *, odd_rate: float = 0.04) -> list[str]:
    """Labels as a survey tool writes them, a few in odd case or with stray spaces."""
    out = []
    odd = rng.random(len(codes)) < odd_rate
    kinds = rng.integers(0, 4, size=len(codes))
    for v, o, kind in zip(codes, odd, kinds):
        if np.isnan(v):
            out.append("")
            continue
        lab = labels[int(v)]
        if o:
            lab = [lab.lower(), lab.upper(), " " + lab.lower(), lab + " "][kind]
        out.append(lab)
    return out


def _code_cells(codes: np.ndarray) -> list[str]:
    return ["" if np.isnan(v) else str(int(v)) for v in codes]


def _rows(sim: dict, spec: _RoundSpec, cols: dict, rng, *, labels: bool, comma_share: float,
          ids: list) -> tuple[list[str], list[list[str]]]:
    """Header and text rows of a text export (codes or labels)."""
    n = sim["n"]
    keys = list(cols)
    cells: dict[str, list[str]] = {"id": [str(x) for x in ids]}
    comma = rng.random(n) < comma_share
    cells["ervaring_jaren"] = [_years_text(v, comma=c) for v, c in zip(sim["years"], comma)]
    for key, values in (("functie", FUNCTIES), ("organisatie", ORGANISATIES), ("gemeente", GEMEENTEN)):
        arr = sim[key]
        cells[key] = _label_cells(rng, arr, values, odd_rate=0.03) if labels else _code_cells(arr)
    for item_id, v in sim["items"].items():
        if labels:
            rs = {**EENS5, **EENS5_MISSING}
            if item_id == GRADE_ITEM[0]:
                rs = {**CIJFER10, **CIJFER10_MISSING}
            elif item_id == THEMES[spec.theme].get("frequency", ("",))[0]:
                rs = VAAK5
            cells[item_id] = _label_cells(rng, v, rs)
        else:
            cells[item_id] = _code_cells(v)
    for q, answers in sim["open"].items():
        cells[q] = ["" if a is None else a for a in answers]
    header = [cols[k] for k in keys]
    rows = [[cells[k][i] for k in keys] for i in range(n)]
    return header, rows


def _csv_text(header, rows, *, delimiter: str, lineterminator: str, extra_header_rows=()) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator, quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for r in extra_header_rows:
        w.writerow(r)
    w.writerows(rows)
    return buf.getvalue()


# -- writers (each returns the file's bytes) -----------------------------------------------------

def _write_csv_labels(sim, spec, cols, rng) -> bytes:
    ids = list(range(1001, 1001 + sim["n"]))
    header, rows = _rows(sim, spec, cols, rng, labels=True, comma_share=1.0, ids=ids)
    return _csv_text(header, rows, delimiter=";", lineterminator="\r\n").encode("cp1252")


def _write_tab(sim, spec, cols, rng) -> bytes:
    ids = list(range(1, sim["n"] + 1))
    header, rows = _rows(sim, spec, cols, rng, labels=False, comma_share=0.0, ids=ids)
    rows = [[c.replace("\t", " ").replace("\n", " ") for c in r] for r in rows]
    return _csv_text(header, rows, delimiter="\t", lineterminator="\n").encode("utf-8")


def _response_ids(rng, n: int) -> list[str]:
    alphabet = np.array(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
    out, seen = [], set()
    while len(out) < n:
        rid = "R_" + "".join(alphabet[rng.integers(0, len(alphabet), size=15)])
        if rid not in seen:
            seen.add(rid)
            out.append(rid)
    return out


QUALTRICS_META = [
    ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"Europe/Amsterdam"}'),
    ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"Europe/Amsterdam"}'),
    ("Status", "Response Type", '{"ImportId":"status"}'),
    ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
    ("Progress", "Progress", '{"ImportId":"progress"}'),
    ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
    ("Finished", "Finished", '{"ImportId":"finished"}'),
    ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"Europe/Amsterdam"}'),
    ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
    ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}'),
    ("RecipientFirstName", "Recipient First Name", '{"ImportId":"recipientFirstName"}'),
    ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
    ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
    ("LocationLatitude", "Location Latitude", '{"ImportId":"locationLatitude"}'),
    ("LocationLongitude", "Location Longitude", '{"ImportId":"locationLongitude"}'),
    ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
    ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
]


def _write_qualtrics(sim, spec, cols, rng, *, labels: bool) -> bytes:
    from peo_lib.data.demo import _fieldwork, _question_texts  # the demo's round specs

    n = sim["n"]
    ids = _response_ids(rng, n)
    header, rows = _rows(sim, spec, cols, rng, labels=labels, comma_share=0.5, ids=ids)
    texts = _question_texts(spec)
    keys = list(cols)
    if labels:  # people press Enter in text boxes; Qualtrics keeps the line breaks inside quotes
        for q in ("OPEN01", "OPEN02"):
            j = keys.index(q)
            for r in rows:
                if ". " in r[j] and rng.random() < 0.3:
                    r[j] = r[j].replace(". ", ".\n", 1)
    # question rows: text and ImportId (QIDs differ from the export tags, as after reordering)
    qtext = [texts[k] for k in keys]
    import_ids = []
    for k in keys:
        col = cols[k]
        if k == "id":
            import_ids.append("")
            continue
        m = re.match(r"^(?:QID|Q)(\d+)(?:_(\d+)|_TEXT)?$", col)
        num = int(m.group(1)) + (0 if col.startswith("QID") else 17)
        suffix = f"_{m.group(2)}" if m.group(2) else ("_TEXT" if k.startswith("OPEN") else "")
        import_ids.append(f'{{"ImportId":"QID{num}{suffix}"}}')
    # metadata
    start, end = _fieldwork(spec.id)
    span = (end - start).days * 86400
    t0 = datetime.combine(start, datetime.min.time())
    offsets = np.sort(rng.integers(8 * 3600, span, size=n))
    durations = rng.integers(240, 1500, size=n)
    stop = sim["stopped"]
    meta_rows = []
    for i in range(n):
        s = t0 + timedelta(seconds=int(offsets[i]))
        e = s + timedelta(seconds=int(durations[i]))
        finished = not stop[i]
        meta_rows.append([
            s.strftime("%Y-%m-%d %H:%M:%S"), e.strftime("%Y-%m-%d %H:%M:%S"),
            "IP Address" if labels else "0", "", "100" if finished else str(int(rng.integers(55, 75))),
            str(int(durations[i])), ("True" if finished else "False") if labels else ("1" if finished else "0"),
            e.strftime("%Y-%m-%d %H:%M:%S"), ids[i], "", "", "", "", "", "", "anonymous", "NL",
        ])
    id_pos = keys.index("id")
    body_header = [h for j, h in enumerate(header) if j != id_pos]
    full_header = [m[0] for m in QUALTRICS_META] + body_header
    row2 = [m[1] for m in QUALTRICS_META] + [t for j, t in enumerate(qtext) if j != id_pos]
    row3 = [m[2] for m in QUALTRICS_META] + [t for j, t in enumerate(import_ids) if j != id_pos]
    full_rows = [meta_rows[i] + [c for j, c in enumerate(rows[i]) if j != id_pos] for i in range(n)]
    text = _csv_text(full_header, full_rows, delimiter=",", lineterminator="\r\n",
                     extra_header_rows=[row2, row3])
    return text.encode("utf-8-sig")


def _write_xlsx(sim, spec, cols, rng) -> bytes:
    from peo_lib.data.demo import _fieldwork, _question_texts  # the demo's round specs

    import pandas as pd

    n = sim["n"]
    data = {cols["id"]: list(range(1, n + 1))}
    data[cols["ervaring_jaren"]] = [None if np.isnan(v) else (int(v) if v.is_integer() else float(v))
                                    for v in sim["years"]]
    for key in ("functie", "organisatie", "gemeente"):
        data[cols[key]] = [None if np.isnan(v) else int(v) for v in sim[key]]
    for item_id, v in sim["items"].items():
        data[cols[item_id]] = [None if np.isnan(x) else int(x) for x in v]
    for q, answers in sim["open"].items():
        data[cols[q]] = list(answers)
    df = pd.DataFrame(data, dtype=object)
    texts = _question_texts(spec)
    info = pd.DataFrame({"Variabele": [cols[k] for k in cols], "Vraag": [texts[k] for k in cols]})
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        df.to_excel(xw, sheet_name="Data", index=False)
        info.to_excel(xw, sheet_name="Variabelen", index=False)
    return _pin_zip(buf.getvalue(), when=datetime.combine(_fieldwork(spec.id)[1], datetime.min.time()))


def _pin_zip(raw: bytes, *, when: datetime) -> bytes:
    """Rewrite an xlsx (zip) with fixed entry times and document properties: same bytes every run."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            zi = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            dst.writestr(zi, data)
    return out.getvalue()


def _write_sav(sim, spec, cols, rng) -> bytes:
    from peo_lib.data.demo import _fieldwork, _question_texts  # the demo's round specs

    import pandas as pd
    import pyreadstat

    n = sim["n"]
    data = {cols["id"]: np.arange(1, n + 1, dtype=float), cols["ervaring_jaren"]: sim["years"]}
    value_labels, missing_ranges = {}, {}
    for key, values in (("functie", FUNCTIES), ("organisatie", ORGANISATIES), ("gemeente", GEMEENTEN)):
        data[cols[key]] = sim[key]
        value_labels[cols[key]] = {float(c): lab for c, lab in values.items()}
    freq_id = THEMES[spec.theme].get("frequency", ("",))[0]
    for item_id, v in sim["items"].items():
        col = cols[item_id]
        data[col] = v
        if item_id == GRADE_ITEM[0]:
            value_labels[col] = {float(c): lab for c, lab in {0: CIJFER10[0], 10: CIJFER10[10],
                                                              **CIJFER10_MISSING}.items()}
            missing_ranges[col] = [99]
        elif item_id == freq_id:
            value_labels[col] = {float(c): lab for c, lab in VAAK5.items()}
        else:
            value_labels[col] = {float(c): lab for c, lab in {**EENS5, **EENS5_MISSING}.items()}
            missing_ranges[col] = [8, 9]
    for q, answers in sim["open"].items():
        data[cols[q]] = ["" if a is None else a for a in answers]
    df = pd.DataFrame(data)
    texts = _question_texts(spec)
    labels = {cols[k]: texts[k][:250] for k in cols}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.sav"
        pyreadstat.write_sav(
            df, str(path), file_label=f"PEO {spec.id} (synthetisch)", column_labels=labels,
            variable_value_labels=value_labels, missing_ranges=missing_ranges,
            variable_measure={c: "nominal" for c in (cols["functie"], cols["organisatie"], cols["gemeente"])},
        )
        raw = bytearray(path.read_bytes())
    # SPSS header: creation date (9 bytes, "dd Mon yy") at offset 92, then the time (8 bytes).
    end = _fieldwork(spec.id)[1]
    stamp = (end.strftime("%d %b %y") + "00:00:00").encode("ascii")
    if raw[:4] != b"$FL2" or len(stamp) != 17:  # pragma: no cover - pyreadstat changed its layout
        raise RuntimeError("unexpected .sav header from pyreadstat; cannot pin its time stamp")
    raw[92:109] = stamp
    return bytes(raw)


WRITERS = {
    "csv_labels": _write_csv_labels,
    "xlsx": _write_xlsx,
    "sav": _write_sav,
    "qualtrics_codes": lambda sim, spec, cols, rng: _write_qualtrics(sim, spec, cols, rng, labels=False),
    "tab": _write_tab,
    "qualtrics_labels": lambda sim, spec, cols, rng: _write_qualtrics(sim, spec, cols, rng, labels=True),
}
