"""Synthetic, seeded demo rounds of the PEO (no real respondent in them).

:func:`generate` writes six half-yearly rounds (``ROUND_IDS``) into a data
folder: ``codebooks/<round>.yml``, ``raw/<export>`` and a small register of
improvement actions, ``verbeteracties.yml``. The same seed gives the same
bytes on every machine (xlsx and sav time stamps are pinned), so the demo can
be used in tests, benchmarks and the tutorial.

Rounds and formats
------------------
Every raw format the loaders know is used, as real exports look:

=======  ==============================  ===========================================  =========
round    theme                           raw file                                     format
=======  ==============================  ===========================================  =========
2020-2   corona                          cp1252 ``;`` CSV, CRLF, *labels* in cells,   auto
                                         some in odd case or with spaces (``" eens"``)
2021-1   regels_en_eisen                 .xlsx (numeric codes; 2nd sheet of texts)    auto
2021-2   werkdruk                        SPSS .sav: variable and value labels,        auto
                                         user-missing 8 and 9 (``missing_ranges``)
2022-1   maatschappelijke_verwachtingen  Qualtrics CSV (UTF-8 BOM, 3 header rows,     qualtrics
                                         numeric values, metadata columns)
2022-2   samenwerking                    UTF-8 tab-separated text (LimeSurvey-style)  auto
2023-1   leren_en_ontwikkelen            Qualtrics CSV with choice *text* and         auto
                                         QID-style column names (detected)
=======  ==============================  ===========================================  =========

The core block (``kern``) keeps its item ids and wording in every round while
the raw column names change (``Q5_1``, ``V5``, ``ruimte_1``, ``Q7_1``,
``ruimte[SQ001]``, ``QID31_1`` for PR01). Each round has 160-240 respondents.

Data-generating model
---------------------
Per respondent: a general factor ``g ~ N(0, 1)`` and, per scale ``s``, a
latent score ``theta_s = a_s * g + sqrt(1 - a_s**2) * u_s + shift_s`` with
``u_s ~ N(0, 1)`` (``a``: professionele_ruimte 0.55, werkplezier 0.60,
intentie_om_te_blijven 0.50, regels_en_eisen -0.35, ervaren_werkdruk -0.40,
theme scales 0.30). Item ``j`` of scale ``s`` is
``y* = loc_j + sign_j * lambda_j * theta_s + sqrt(1 - lambda_j**2) * e_j``
(``lambda_j`` 0.70-0.82, ``sign_j = -1`` for the reverse-keyed items, which
are declared in ``reverse``), cut at ``(-1.6, -0.7, 0.1, 1.1)`` into codes
1-5. This gives Cronbach's alpha of about 0.7-0.85. The 0-10 grade (TV01)
follows werkplezier.

Planted effects (``shift_s``, in SD units of the latent score)
--------------------------------------------------------------
* **Starters** (``ervaring_jaren <= 2``; 27-33 % of each round, years drawn
  from 0.5-2 with halves): ``-0.44`` on professionele_ruimte only. After item
  noise and rounding to codes this is a standardised difference (Cohen's d,
  pooled SD) of **d = 0.40** on the scale score (simulated with n = 400,000,
  no missing items). Pooled over the six rounds (about 1,150 respondents) the
  seed 2020 demo gives d = 0.43; over seeds 1-20, 0.26-0.54.
* **Corona dip with recovery**: ``-0.30`` in 2020-2 and ``-0.10`` in 2021-1
  on professionele_ruimte, werkplezier, intentie_om_te_blijven and
  regels_en_eisen (rules were relaxed during corona: less burden); 0 later.
  The workload scale has no dip. Seed 2020, 2020-2 minus the mean of the
  other rounds in scale points: -0.29, -0.17, -0.36 and -0.17.
* **Rising workload**: ``+0.12`` per round on ervaren_werkdruk (round index
  0-5: +0.60 in 2023-1), linear; about +0.09 scale points per round
  (seed 2020: slope 0.088 of the round means, p = 0.002).
* **Small municipality**: Midden-Delfland has 1-4 respondents in every round
  (always below ``privacy.min_n = 5``), Wassenaar about 3 %.
* **Identifiers in open answers**: every round has at least one answer with a
  person's name, an e-mail address, a Dutch phone number (``06-12345678``,
  ``+31 6 ...``, ``070-...``) and an organisation from
  ``privacy.redact_terms``; about 12 % of other answers carry one too (plus
  an occasional street address). All people and organisations are fictional.

Missing data: per item cell about 3 % blank, 2 % ``Weet ik niet`` (9) and
1 % ``Niet van toepassing`` (8; 6 % for RE01, which does not apply to those
working for one municipality); about 3 % of respondents stop before the
theme block (theme items and open answers blank); background variables 1-2 %
blank.

Safety
------
Only the files listed above are written (atomically, via a temporary file in
the same folder); nothing else is touched or removed. A marker file
``.peo-demo`` is written too: when a folder without it already holds a file
of the same name, :func:`generate` refuses, so ``peo demo --data-dir data``
cannot overwrite a real codebook or export.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from peo_lib.errors import PEOError
from peo_lib.fileio import atomic_write

__all__ = ["ROUND_IDS", "generate"]

from peo_lib.paths import DEMO_MARKER as MARKER  # noqa: E402

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


@dataclass(frozen=True)
class _RoundSpec:
    id: str
    theme: str
    writer: str  # csv_labels | xlsx | sav | qualtrics_codes | tab | qualtrics_labels
    file: str
    source_format: str
    description: str


ROUND_SPECS = [
    _RoundSpec("2020-2", "corona", "csv_labels", "PEO_2020-2_export.csv", "auto",
               "cp1252 ';' CSV, CRLF, labels"),
    _RoundSpec("2021-1", "regels_en_eisen", "xlsx", "peo_2021-1.xlsx", "auto", "xlsx, codes"),
    _RoundSpec("2021-2", "werkdruk", "sav", "peo_2021-2.sav", "auto",
               "SPSS sav, value labels, user-missing 8/9"),
    _RoundSpec("2022-1", "maatschappelijke_verwachtingen", "qualtrics_codes",
               "PEO_voorjaar_2022_Qualtrics.csv", "qualtrics", "Qualtrics CSV, numeric values"),
    _RoundSpec("2022-2", "samenwerking", "tab", "results-survey-2022-2.txt", "auto",
               "UTF-8 tab-separated, codes"),
    _RoundSpec("2023-1", "leren_en_ontwikkelen", "qualtrics_labels", "PEO_voorjaar_2023_Qualtrics.csv",
               "auto", "Qualtrics CSV, choice text, QID names"),
]
ROUND_IDS = [s.id for s in ROUND_SPECS]  # 2020-2 ... 2023-1, oldest first


# -- helpers -----------------------------------------------------------------------------------

def _fieldwork(round_id: str) -> tuple[date, date]:
    """Fieldwork window: spring 1 March - 15 April, autumn 1 October - 15 November."""
    year, half = int(round_id[:4]), int(round_id[-1])
    if half == 1:
        return date(year, 3, 1), date(year, 4, 15)
    return date(year, 10, 1), date(year, 11, 15)


def _theme_items(theme: str) -> list[tuple]:
    return THEMES[theme]["items"]


def _theme_item_ids(theme: str) -> list[str]:
    """Item ids of a theme block (its scale's items, then the extra frequency item)."""
    ids = [i[0] for i in _theme_items(theme)]
    if "frequency" in THEMES[theme]:
        ids.append(THEMES[theme]["frequency"][0])
    return ids


#: Short column stems of the core scales in the SPSS and LimeSurvey-like exports.
_STEMS = dict(professionele_ruimte="ruimte", werkplezier="plezier", intentie_om_te_blijven="blijven",
              regels_en_eisen="regels", ervaren_werkdruk="druk")


def _columns(spec: _RoundSpec) -> dict:
    """Raw column name per key: 'id', background names, item ids, open question ids."""
    th = spec.theme
    blocks = [(sid, [i[0] for i in items]) for sid, (_, _, items) in CORE_SCALES.items()]
    theme_ids = _theme_item_ids(th)
    bg = ["ervaring_jaren", "functie", "organisatie", "gemeente"]
    cols: dict[str, str] = {}
    if spec.writer == "csv_labels":
        cols["id"] = "respondent"
        cols.update({b: f"Q{k + 1}" for k, b in enumerate(bg)})
        for q, (_, ids) in enumerate(blocks, start=5):
            cols.update({i: f"Q{q}_{k + 1}" for k, i in enumerate(ids)})
        cols[GRADE_ITEM[0]] = "Q10"
        cols.update({i: f"Q11_{k + 1}" for k, i in enumerate(theme_ids)})
        cols.update(OPEN01="Q12", OPEN02="Q13")
    elif spec.writer == "xlsx":
        cols["id"] = "Volgnummer"
        keys = bg + [i for _, ids in blocks for i in ids] + [GRADE_ITEM[0]] + theme_ids + ["OPEN01", "OPEN02"]
        cols.update({k: f"V{n + 1}" for n, k in enumerate(keys)})
    elif spec.writer == "sav":
        cols["id"] = "respnr"
        cols.update(ervaring_jaren="ervaring", functie="functie", organisatie="organisatie", gemeente="gemeente")
        for sid, ids in blocks:
            cols.update({i: f"{_STEMS[sid]}_{k + 1}" for k, i in enumerate(ids)})
        cols[GRADE_ITEM[0]] = "cijfer"
        cols.update({i: f"thema_{k + 1}" for k, i in enumerate(theme_ids)})
        cols.update(OPEN01="open_1", OPEN02="open_2")
    elif spec.writer == "tab":
        cols["id"] = "id"
        cols.update(ervaring_jaren="jaren", functie="functie", organisatie="org", gemeente="gemeente")
        for sid, ids in blocks:
            cols.update({i: f"{_STEMS[sid]}[SQ{k + 1:03d}]" for k, i in enumerate(ids)})
        cols[GRADE_ITEM[0]] = "rapportcijfer"
        cols.update({i: f"thema[SQ{k + 1:03d}]" for k, i in enumerate(theme_ids)})
        cols.update(OPEN01="toverstaf", OPEN02="verbeter")
    elif spec.writer == "qualtrics_codes":
        cols["id"] = "ResponseId"
        cols.update({b: f"Q{k + 3}" for k, b in enumerate(bg)})
        for q, (_, ids) in enumerate(blocks, start=7):
            cols.update({i: f"Q{q}_{k + 1}" for k, i in enumerate(ids)})
        cols[GRADE_ITEM[0]] = "Q12"
        cols.update({i: f"Q14_{k + 1}" for k, i in enumerate(theme_ids)})
        cols.update(OPEN01="Q15", OPEN02="Q16")
    elif spec.writer == "qualtrics_labels":
        cols["id"] = "ResponseId"
        cols.update({b: f"QID{k + 2}" for k, b in enumerate(bg)})
        for q, (_, ids) in enumerate(blocks, start=31):
            cols.update({i: f"QID{q}_{k + 1}" for k, i in enumerate(ids)})
        cols[GRADE_ITEM[0]] = "QID36"
        cols.update({i: f"QID38_{k + 1}" for k, i in enumerate(theme_ids)})
        cols.update(OPEN01="QID40_TEXT", OPEN02="QID41_TEXT")
    else:  # pragma: no cover - specs are fixed above
        raise ValueError(spec.writer)
    return cols


# -- simulation --------------------------------------------------------------------------------

def _ordinal(rng, theta, *, loading, location, reverse) -> np.ndarray:
    """Codes 1-5 from a latent score: y* = loc + sign*lambda*theta + noise, cut at CUTS."""
    sign = -1.0 if reverse else 1.0
    ystar = location + sign * loading * theta + math.sqrt(1 - loading**2) * rng.standard_normal(len(theta))
    return (1 + np.searchsorted(CUTS, ystar)).astype(float)


def _simulate(rng, k: int, spec: _RoundSpec) -> dict:
    """One round's respondents as codes (float, NaN blank) plus open answers (str or None)."""
    n = int(rng.integers(160, 241))
    # background
    n_start = int(round(n * rng.uniform(STARTER_SHARE - 0.03, STARTER_SHARE + 0.03)))
    starter = np.zeros(n, dtype=bool)
    starter[rng.choice(n, size=n_start, replace=False)] = True
    years = np.where(
        starter,
        rng.choice([0.5, 1.0, 1.0, 1.5, 2.0, 2.0], size=n),
        np.minimum(40.0, 2.5 + np.round(rng.gamma(2.0, 5.0, size=n) * 2) / 2),
    )
    years = np.where(~starter & (rng.random(n) < 0.8), np.ceil(years), years)
    functie = rng.choice(list(FUNCTIES), size=n, p=FUNCTIE_P).astype(float)
    functie[starter & (functie == 3)] = 1.0  # no starting team leaders
    organisatie = rng.choice(list(ORGANISATIES), size=n, p=ORGANISATIE_P).astype(float)
    codes_g = list(GEMEENTE_P)
    p = np.array([GEMEENTE_P[c] for c in codes_g])
    gemeente = rng.choice(codes_g, size=n, p=p / p.sum()).astype(float)
    n_small = int(rng.integers(1, 5))
    gemeente[rng.choice(n, size=n_small, replace=False)] = 8.0

    # latent scores
    g = rng.standard_normal(n)
    theta = {}
    for sid, (_, a, _) in CORE_SCALES.items():
        shift = STARTER_SHIFT.get(sid, 0.0) * starter
        if sid in CORONA_SCALES:
            shift = shift + CORONA_SHIFT.get(k, 0.0)
        if sid == "ervaren_werkdruk":
            shift = shift + WORKLOAD_SLOPE * k
        theta[sid] = a * g + math.sqrt(1 - a**2) * rng.standard_normal(n) + shift
    theta["_theme"] = 0.30 * g + math.sqrt(1 - 0.09) * rng.standard_normal(n)

    items: dict[str, np.ndarray] = {}
    for sid, (_, _, defs) in CORE_SCALES.items():
        for item_id, _, rev, lam, loc in defs:
            items[item_id] = _ordinal(rng, theta[sid], loading=lam, location=loc, reverse=rev)
    grade = np.round(7.0 + 1.1 * (0.7 * theta["werkplezier"] + 0.71 * rng.standard_normal(n)))
    items[GRADE_ITEM[0]] = np.clip(grade, 1, 10)
    for item_id, _, rev, lam, loc in _theme_items(spec.theme):
        items[item_id] = _ordinal(rng, theta["_theme"], loading=lam, location=loc, reverse=rev)
    if "frequency" in THEMES[spec.theme]:
        freq = _ordinal(rng, theta["ervaren_werkdruk"], loading=0.6, location=0.3, reverse=False)
        items[THEMES[spec.theme]["frequency"][0]] = freq

    # missing: blanks, 'Weet ik niet' (9), 'Niet van toepassing' (8), break-off before the theme
    theme_ids = _theme_item_ids(spec.theme)
    stop = rng.random(n) < P_BREAKOFF
    for item_id, v in items.items():
        u = rng.random(n)
        p_na = 0.06 if item_id == "RE01" else P_NA
        if item_id == GRADE_ITEM[0]:
            v[u < 0.02] = 99.0
            v[(u >= 0.02) & (u < 0.02 + P_BLANK)] = np.nan
            continue
        if item_id == THEMES[spec.theme].get("frequency", ("",))[0]:
            v[u < P_BLANK] = np.nan
        else:
            v[u < P_DONTKNOW] = 9.0
            v[(u >= P_DONTKNOW) & (u < P_DONTKNOW + p_na)] = 8.0
            v[(u >= P_DONTKNOW + p_na) & (u < P_DONTKNOW + p_na + P_BLANK)] = np.nan
        if item_id in theme_ids:
            v[stop] = np.nan
    years[rng.random(n) < 0.015] = np.nan
    for arr in (functie, organisatie):
        arr[rng.random(n) < 0.01] = np.nan
    blank_g = (rng.random(n) < 0.01) & (gemeente != 8)
    gemeente[blank_g] = np.nan

    open1 = _open_answers(rng, n, MAGIC_ANSWERS, rate=0.55)
    open2 = _open_answers(rng, n, THEME_ANSWERS[spec.theme], rate=0.40)
    _plant_identifiers(rng, open1, open2)
    for answers in (open1, open2):
        for i in np.flatnonzero(stop):
            answers[i] = None
    return dict(n=n, years=years, functie=functie, organisatie=organisatie, gemeente=gemeente,
                items=items, open=dict(OPEN01=open1, OPEN02=open2), stopped=stop)


def _open_answers(rng, n: int, pool: list[str], *, rate: float) -> list:
    answered = rng.random(n) < rate
    picks = rng.integers(0, len(pool), size=n)
    return [pool[picks[i]] if answered[i] else None for i in range(n)]


def _plant(rng, answer: str, kind: str) -> str:
    phrases, values = {
        "name": (NAME_PHRASES, PEOPLE), "email": (EMAIL_PHRASES, EMAILS), "phone": (PHONE_PHRASES, PHONES),
        "org": (ORG_PHRASES, REDACT_TERMS), "street": (STREET_PHRASES, STREETS),
    }[kind]
    phrase = phrases[int(rng.integers(len(phrases)))]
    return phrase.format(a=answer, x=values[int(rng.integers(len(values)))])


def _plant_identifiers(rng, *columns: list) -> None:
    """At least one name, e-mail, phone and organisation per round; ~12 % of other answers get one."""
    slots = [(c, i) for c, col in enumerate(columns) for i, a in enumerate(col) if a is not None]
    order = rng.permutation(len(slots))
    forced = ["name", "email", "phone", "org"]
    for j, pos in enumerate(order):
        c, i = slots[pos]
        if j < len(forced):
            kind = forced[j]
        elif rng.random() < 0.12:
            kind = str(rng.choice(["name", "name", "email", "phone", "phone", "org", "org", "street"]))
        else:
            continue
        columns[c][i] = _plant(rng, columns[c][i], kind)


# -- codebook ----------------------------------------------------------------------------------

class _Quoted(str):
    """A string always written in double quotes (round ids)."""


def _yaml_dump(data) -> str:
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(_Quoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style='"'))
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=1000,
                     default_flow_style=False)


def _codebook(spec: _RoundSpec, cols: dict) -> dict:
    th = THEMES[spec.theme]
    start, end = _fieldwork(spec.id)
    items = {}
    for _, (_, _, defs) in CORE_SCALES.items():
        for item_id, text, *_ in defs:
            items[item_id] = dict(column=cols[item_id], text=text, response_set="eens5", block="kern")
    items[GRADE_ITEM[0]] = dict(column=cols[GRADE_ITEM[0]], text=GRADE_ITEM[1], response_set="cijfer10",
                                block="kern")
    for item_id, text, *_ in th["items"]:
        items[item_id] = dict(column=cols[item_id], text=text, response_set="eens5", block=spec.theme)
    response_sets = {
        "eens5": dict(values=dict(EENS5), missing=dict(EENS5_MISSING)),
        "cijfer10": dict(values=dict(CIJFER10), missing=dict(CIJFER10_MISSING)),
    }
    if "frequency" in th:
        fid, ftext = th["frequency"]
        items[fid] = dict(column=cols[fid], text=ftext, response_set="vaak5", block=spec.theme)
        response_sets["vaak5"] = dict(values=dict(VAAK5))
    scales = {}
    for sid, (label, _, defs) in CORE_SCALES.items():
        scales[sid] = _scale(label, defs)
    scales[th["scale"]] = _scale(th["label"], th["items"])
    n_rounds = ROUND_IDS.index(spec.id) + 1
    return {
        "round": _Quoted(spec.id),
        "title": f"Ronde {n_rounds}: {th['title']}",
        "fieldwork": {"start": start, "end": end},
        "theme": spec.theme,
        "source": {"file": spec.file, "format": spec.source_format},
        "respondent_id": cols["id"],
        "privacy": {"min_n": 5, "min_n_open": 10, "redact_terms": list(REDACT_TERMS)},
        "response_sets": response_sets,
        "items": items,
        "scales": scales,
        "background": {
            "ervaring_jaren": {"column": cols["ervaring_jaren"], "type": "number",
                               "label": "Aantal jaren werkervaring in de jeugdzorg"},
            "functie": {"column": cols["functie"], "label": "Functie", "values": dict(FUNCTIES)},
            "organisatie": {"column": cols["organisatie"], "label": "Type organisatie",
                            "values": dict(ORGANISATIES)},
            "gemeente": {"column": cols["gemeente"], "label": "Gemeente waar je het meest werkt",
                         "values": dict(GEMEENTEN)},
        },
        "starter_max_years": 2,
        "open_questions": {
            "OPEN01": {"column": cols["OPEN01"], "text": OPEN_MAGIC},
            "OPEN02": {"column": cols["OPEN02"], "text": th["open"]},
        },
    }


def _scale(label: str, defs) -> dict:
    ids = [d[0] for d in defs]
    return {"label": label, "items": ids, "reverse": [d[0] for d in defs if d[2]],
            "min_valid": 3 if len(ids) >= 4 else 2}


def _question_texts(spec: _RoundSpec) -> dict:
    """Question text per key, as a survey tool shows it."""
    cb_items = {i[0]: i[1] for _, (_, _, d) in CORE_SCALES.items() for i in d}
    cb_items.update({i[0]: i[1] for i in _theme_items(spec.theme)})
    texts = {k: f"{MATRIX_STEM} - {t}" for k, t in cb_items.items()}
    texts[GRADE_ITEM[0]] = GRADE_ITEM[1]
    if "frequency" in THEMES[spec.theme]:
        fid, ftext = THEMES[spec.theme]["frequency"]
        texts[fid] = ftext
    texts.update(
        id="Respondentnummer",
        ervaring_jaren="Hoeveel jaar werk je in de jeugdzorg?",
        functie="Wat is je functie?",
        organisatie="Bij wat voor organisatie werk je?",
        gemeente="In welke gemeente werk je het meest?",
        OPEN01=OPEN_MAGIC,
        OPEN02=THEMES[spec.theme]["open"],
    )
    return texts


# -- register of improvement actions -------------------------------------------------------------

VERBETERACTIES = [
    {"id": "VA-2021-01", "titel": "Eén aanvraagformulier voor verlengingen in de hele regio",
     "ronde_start": _Quoted("2021-1"), "eigenaar": "PJH werkgroep regels en eisen", "status": "afgerond",
     "schalen": ["regels_en_eisen"], "items": ["RE01", "RE02"]},
    {"id": "VA-2021-02", "titel": "Inwerkprogramma en mentor voor startende professionals",
     "ronde_start": _Quoted("2021-2"), "eigenaar": "Opleidingsoverleg Haaglanden", "status": "lopend",
     "schalen": ["professionele_ruimte", "intentie_om_te_blijven"], "items": ["PR01", "PR04", "IB01"]},
    {"id": "VA-2022-01", "titel": "Werkdrukgesprek in elk team, twee keer per jaar",
     "ronde_start": _Quoted("2022-2"), "eigenaar": "Regionaal managementoverleg jeugd", "status": "gepland",
     "schalen": ["ervaren_werkdruk", "werkplezier"], "items": ["WD01", "WD02"]},
]


# -- writing -----------------------------------------------------------------------------------


def _check_target(target: Path, paths: list[Path]) -> None:
    if (target / MARKER).is_file():
        return
    clash = [p for p in paths if p.exists()]
    if clash:
        shown = ", ".join(str(p.relative_to(target)) for p in clash[:3])
        raise PEOError(
            f"{target} is not a demo folder (no {MARKER} marker) and already holds {shown}"
            f"{' and more' if len(clash) > 3 else ''}; the demo will not overwrite it. "
            "Choose an empty folder with --data-dir (default: data/demo)."
        )


def generate(target, *, seed: int = 2020) -> list[str]:
    """Write the synthetic demo rounds: codebooks, raw exports and a register.

    Parameters
    ----------
    target : str or Path
        Data folder to write into: ``target/codebooks/<round>.yml``,
        ``target/raw/<export>``, ``target/verbeteracties.yml`` and a marker
        ``target/.peo-demo``. Created when missing. Other files are left alone.
    seed : int
        Random seed; the same seed gives byte-identical files.

    Returns
    -------
    list of str
        One summary line per round (id, theme, n, raw file and format).

    Raises
    ------
    PEOError
        When ``target`` is not a demo folder (no marker) but already holds a
        file the demo would overwrite.

    Notes
    -----
    The planted effects and their parameters are listed in the module
    docstring; ``tests/test_demo.py`` checks that they are recovered.
    """
    from peo_lib.data.demo_export import WRITERS  # after this module: the writers use its specs

    target = Path(target)
    planned = [target / "codebooks" / f"{s.id}.yml" for s in ROUND_SPECS]
    planned += [target / "raw" / s.file for s in ROUND_SPECS] + [target / "verbeteracties.yml"]
    _check_target(target, planned)
    target.mkdir(parents=True, exist_ok=True)
    atomic_write(target / MARKER, b"Synthetic PEO demo data written by `peo demo` (peo_lib.data.demo).\n"
                                   b"Files named in peo_lib/demo.py are overwritten when it runs again.\n")
    header = (f"# Synthetic demo codebook written by peo_lib.data.demo (seed {seed}).\n"
              "# Regenerate with `peo demo`; edits here are overwritten.\n")
    lines = []
    for k, spec in enumerate(ROUND_SPECS):
        rng = np.random.default_rng([seed, k])
        sim = _simulate(rng, k, spec)
        cols = _columns(spec)
        raw = WRITERS[spec.writer](sim, spec, cols, rng)
        atomic_write(target / "raw" / spec.file, raw)
        cb_text = header + _yaml_dump(_codebook(spec, cols))
        atomic_write(target / "codebooks" / f"{spec.id}.yml", cb_text.encode("utf-8"))
        lines.append(f"{spec.id}  {spec.theme:<31} n={sim['n']:<4} raw/{spec.file} ({spec.description})")
    reg = ("# Example register of improvement actions (verbeteracties), synthetic.\n"
           + _yaml_dump(VERBETERACTIES))
    atomic_write(target / "verbeteracties.yml", reg.encode("utf-8"))
    return lines
