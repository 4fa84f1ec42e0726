"""Seeded generator of the de-identification corpora (its output is committed beside it).

Two corpora, written by two "authors" with their own templates, name pools
and seeds, so that the second one (the holdout) measures the scrubber on
text it was not tuned on:

* ``corpus.jsonl`` (seed 2026, style ``werkvloer``): short, informal open
  answers of the kind youth-care professionals type into a survey.
* ``holdout.jsonl`` (seed 7919, style ``verslag``): longer, more formal
  answers (report-like, lists, dashes), other names, other streets, other
  schools and organisations.
* ``holdout2.jsonl`` (seed 4242, style ``chat``): chat-like answers, e-mail
  signatures, a third set of names, streets, schools and organisations. Added
  after the rules were final and scored once, without any change to the rules
  afterwards: the untouched holdout.

Each line is one answer: ``{"id", "text", "kind": "pii"|"clean", "spans":
[{"start", "end", "category", "text"}]}``; ``text[start:end] == span text``.
Categories: ``naam``, ``e-mail``, ``telefoon``, ``postcode``, ``bsn``,
``geboortedatum``, ``ip``, ``responseid``, ``url``, ``adres``, ``school``,
``wijk``, ``organisatie``, and ``plaats`` (the municipalities of Haaglanden,
annotated wherever they occur: design.md says places are scrubbed, so they are
not counted as ordinary words). ``clean`` answers hold no personal data but
many words that scrubbers wrongly remove (words that are also names or
places, English text, sentence-initial capitals).

Everything is invented. Names are common first names and surnames of the
backgrounds found in Haaglanden, combined at random: no combination refers
to a real person. BSN-like numbers all *fail* the 11-proof (elfproef), so
none can be an issued BSN (the scrubber removes every 9-digit number, 11-proof
or not). IP addresses come from the documentation ranges (192.0.2.0/24,
198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) and private ranges. E-mail
domains and URLs are invented (``*.voorbeeld.nl`` style or obviously
fictional organisations).

Run ``python tests/data/deid/make_corpus.py`` to rewrite both files; the
output is deterministic for the seeds above.
"""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

HERE = Path(__file__).resolve().parent

# --------------------------------------------------------------------------- pools
FIRST_A = {
    "nl": ["Sanne", "Jeroen", "Petra", "Kees", "Marieke", "Bram", "Lotte", "Ruud", "Inge", "Thijs",
           "Anouk", "Wouter", "Femke", "Joost", "Esther", "Niels", "Ilse", "Maarten", "Floor", "Daan"],
    "ma": ["Fatima", "Mohamed", "Yassin", "Samira", "Khadija", "Anouar", "Nadia", "Bilal", "Imane", "Hamza"],
    "tr": ["Mehmet", "Ayse", "Emre", "Elif", "Burak", "Zeynep", "Hakan", "Esra", "Murat", "Selin"],
    "sr": ["Rodney", "Sharon", "Marvin", "Natasha", "Glenn", "Priscilla", "Romano", "Shirley"],
    "hi": ["Priya", "Ravi", "Sunita", "Anil", "Shanti", "Vikash", "Reshma", "Dinesh"],
    "an": ["Jurgen", "Shurendy", "Giselle", "Rignald", "Jearline", "Edsel"],
    "pl": ["Kacper", "Agnieszka", "Tomasz", "Katarzyna", "Piotr", "Magdalena"],
    "so": ["Hodan", "Abdi", "Faadumo", "Mahad", "Sahra", "Ayaan"],
    "sy": ["Rami", "Lina", "Omar", "Rasha", "Yara", "Tarek"],
}
LAST_A = {
    "nl": [("", "Jansen"), ("de", "Vries"), ("van der", "Berg"), ("", "Bakker"), ("", "Visser"),
           ("van", "Dijk"), ("", "Mulder"), ("de", "Boer"), ("van den", "Heuvel"), ("", "Smit"),
           ("van der", "Meer"), ("", "Hoekstra"), ("de", "Graaf"), ("van", "Leeuwen"), ("", "Kok")],
    "ma": [("", "Bouzid"), ("el", "Amrani"), ("", "Benali"), ("", "Ouali"), ("", "Haddouchi"),
           ("el", "Idrissi"), ("", "Azzouz"), ("", "Tahiri")],
    "tr": [("", "Yilmaz"), ("", "Demir"), ("", "Kaya"), ("", "Çelik"), ("", "Aydin"), ("", "Öztürk")],
    "sr": [("", "Pinas"), ("", "Wijngaarde"), ("", "Sedney"), ("", "Kromodimedjo"), ("", "Amatstam")],
    "hi": [("", "Ramcharan"), ("", "Jagessar"), ("", "Sewnath"), ("", "Mahabier"), ("", "Ramdin")],
    "an": [("", "Martina"), ("", "Isenia"), ("", "Rosaria"), ("", "Statia"), ("", "Maduro")],
    "pl": [("", "Nowak"), ("", "Kowalski"), ("", "Wiśniewska"), ("", "Zielinski")],
    "so": [("", "Warsame"), ("", "Farah"), ("", "Abdullahi"), ("", "Hassan")],
    "sy": [("al", "Khatib"), ("", "Haddad"), ("", "Nasser"), ("", "Khoury")],
}
FIRST_B = {
    "nl": ["Annemiek", "Gert-Jan", "Mirjam", "Robbert", "Evelien", "Jasper", "Karin", "Sjoerd",
           "Miranda", "Hans", "Rianne", "Tim", "Marloes", "Frank", "Hanneke", "Pieter", "Dewi", "Lieke"],
    "ma": ["Nora", "Ilias", "Soufiane", "Hafsa", "Mustafa", "Loubna", "Younes", "Meryem"],
    "tr": ["Serkan", "Gizem", "Kemal", "Derya", "Onur", "Büşra"],
    "sr": ["Earl", "Chantal", "Clyde", "Jennifer", "Orlando", "Ingrid"],
    "hi": ["Kiran", "Sarita", "Rajesh", "Anjali", "Sanjay", "Nirmala"],
    "an": ["Dionne", "Rudsel", "Sharlene", "Kenrick"],
    "pl": ["Marta", "Łukasz", "Joanna", "Krzysztof"],
    "so": ["Ifrah", "Said", "Nasra", "Liban"],
    "sy": ["Nour", "Ahmad", "Dima", "Bashar"],
}
LAST_B = {
    "nl": [("", "de Jong"), ("van", "Vliet"), ("", "Brouwer"), ("van der", "Linden"), ("", "Dekker"),
           ("", "Vermeulen"), ("ter", "Horst"), ("", "Koster"), ("van", "Rijn"), ("den", "Hartog")],
    "ma": [("", "Chaouch"), ("", "Bakkali"), ("el", "Hadioui"), ("", "Ziani"), ("", "Saidi")],
    "tr": [("", "Arslan"), ("", "Koç"), ("", "Şahin"), ("", "Polat")],
    "sr": [("", "Vlijter"), ("", "Doelwijt"), ("", "Tjin-A-Djie"), ("", "Biswane")],
    "hi": [("", "Ramsaran"), ("", "Bhagwandin"), ("", "Kalloe"), ("", "Soekhoe")],
    "an": [("", "Cijntje"), ("", "Albertus"), ("", "Winklaar")],
    "pl": [("", "Wójcik"), ("", "Kamiński"), ("", "Lewandowska")],
    "so": [("", "Mohamud"), ("", "Osman"), ("", "Yusuf")],
    "sy": [("", "Darwish"), ("al", "Hamwi"), ("", "Saleh")],
}
NICK_A = ["Mo", "Jay", "Bas", "Lexie", "Sjaak", "Fem", "Jopie", "Ricky", "Shanice", "Dickie"]
NICK_B = ["Moos", "Joep", "Kiki", "Dré", "Stevie", "Nono", "Jolle", "Bibi"]
STREETS_A = ["Zeehondenweg", "Populierendreef", "Kastanjehof", "Reigersbergstraat", "Duinroosplein",
             "Meeuwenlaan", "Wolfsklauwstraat", "Heemraadslaan", "Kerkhoflaan", "Lindenhof"]
STREETS_B = ["Beukenoord", "Vlierboomstraat", "Korenbloemweg", "Havikshorst", "Schelpenkade",
             "Berkenrode", "Oude Dijk", "Elandplein"]
SCHOOLS_A = ["basisschool De Notenkraker", "het Meerhoven College", "OBS De Zeester", "IKC Het Anker",
             "het Duinrand Lyceum", "De Tweemaster"]
SCHOOLS_B = ["het Vlietland College", "basisschool De Springplank", "CBS De Wegwijzer", "het Hofzicht Lyceum",
             "SBO De Brug", "IKC De Vlinderhof"]
WIJKEN_A = ["Transvaal", "Schilderswijk", "Moerwijk", "Bouwlust", "Mariahoeve", "Ypenburg", "Segbroek"]
WIJKEN_B = ["Laak", "Escamp", "Spoorwijk", "Leidschenveen", "Buitenhof", "Voorhof", "Rustenburg"]
ORGS_A = ["Stichting De Haven", "Kwadraat Jeugd", "Zorggroep Duinrand", "Jeugdhulp Zuidwest", "Horizon Jeugdzorg"]
ORGS_B = ["Stichting Vlietstroom", "Jeugdnetwerk Hofland", "Zorgcoöperatie De Kade", "Oranjekring Jeugd B.V."]
DOMAINS_A = ["jeugdteam-voorbeeld.nl", "dehaven-jeugd.nl", "kwadraatjeugd.nl", "hotmail.com", "gmail.com"]
DOMAINS_B = ["vlietstroom.voorbeeld.nl", "hofland-jeugd.nl", "outlook.com", "ziggo.nl", "kpnmail.nl"]
INFIX_WORDS = {"van", "de", "der", "den", "het", "ter", "ten", "te", "el", "al", "in", "'t"}


class Gen:
    """Identifier generators for one author (pools + random state)."""

    def __init__(self, seed, first, last, nicks, streets, schools, wijken, orgs, domains):
        self.r = random.Random(seed)
        self.first = first
        self.last = last
        self.nicks, self.streets, self.schools = nicks, streets, schools
        self.wijken, self.orgs, self.domains = wijken, orgs, domains

    def pick(self, seq):
        return self.r.choice(seq)

    def background(self):
        return self.r.choices(list(self.first), weights=[5, 3, 3, 2, 2, 1, 1, 1, 1])[0]

    def voornaam(self, bg=None):
        return self.pick(self.first[bg or self.background()])

    def achternaam(self, bg=None, cap_infix=False):
        infix, last = self.pick(self.last[bg or self.background()])
        if infix and cap_infix:
            infix = infix[0].upper() + infix[1:]
        return f"{infix} {last}".strip()

    def volnaam(self):
        bg = self.background()
        return f"{self.voornaam(bg)} {self.achternaam(bg)}"

    def initiaal(self):
        bg = self.background()
        return f"{self.voornaam(bg)[0]}. {self.achternaam(bg)}"

    def email(self):
        bg = self.background()
        f, (_, last) = self.voornaam(bg), self.pick(self.last[bg])
        last = last.lower().replace(" ", "").replace("ç", "c").replace("ö", "o").replace("ś", "s")
        local = self.pick([f"{f[0].lower()}.{last}", f"{f.lower()}.{last}", f"{f.lower()}{self.r.randint(70, 99)}",
                           f"{f.lower()}_{last}"])
        local = local.replace("ü", "u").replace("ş", "s").replace("ł", "l").replace("ó", "o")
        return f"{local}@{self.pick(self.domains)}"

    def digits(self, n):
        return "".join(str(self.r.randint(0, 9)) for _ in range(n))

    def telefoon(self):
        d8 = self.digits(8)
        d7 = self.digits(7)
        area = self.pick(["070", "010", "015", "079", "071", "088"])
        return self.pick([
            f"06-{d8}", f"06 {d8[:4]} {d8[4:]}", f"06{d8}", f"06 {d8[:2]} {d8[2:4]} {d8[4:6]} {d8[6:]}",
            f"+31 6 {d8[:4]} {d8[4:]}", f"+316{d8}", f"+31 (0)6 {d8}", f"0031 6 {d8}", f"0031{6}{d8}",
            f"{area}-{d7}", f"{area} {d7[:3]} {d7[3:]}", f"({area}) {d7[:3]} {d7[3:5]} {d7[5:]}",
            f"+31 {area[1:]} {d7}", f"06-{d8[:2]} {d8[2:5]} {d8[5:]}", f"06.{d8[:2]}.{d8[2:4]}.{d8[4:6]}.{d8[6:]}",
        ])

    def postcode(self):
        num = self.r.randint(2491, 2599)
        letters = self.pick(["AB", "CD", "EK", "GT", "HN", "JW", "LP", "MR", "VX", "BZ", "KL", "RE"])
        return self.pick([f"{num} {letters}", f"{num}{letters}", f"{num} {letters.lower()}", f"{num}{letters.lower()}"])

    def bsn(self):
        while True:
            d = self.digits(9)
            total = sum(int(x) * w for x, w in zip(d, [9, 8, 7, 6, 5, 4, 3, 2, -1]))
            if d[0] != "0" and total % 11 != 0:  # fails the 11-proof: cannot be an issued BSN
                break
        return self.pick([d, f"{d[:4]}.{d[4:6]}.{d[6:]}", f"{d[:3]} {d[3:6]} {d[6:]}", f"{d[:3]}.{d[3:6]}.{d[6:]}"])

    def geboortedatum(self):
        y, m, day = self.r.randint(2005, 2020), self.r.randint(1, 12), self.r.randint(1, 28)
        months = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                  "oktober", "november", "december"]
        return self.pick([f"{day:02d}-{m:02d}-{y}", f"{day}-{m}-{y}", f"{day:02d}/{m:02d}/{y}", f"{day} {months[m - 1]} {y}",
                          f"{y}-{m:02d}-{day:02d}", f"{day:02d}.{m:02d}.{y}", f"{day}-{m}-{str(y)[2:]}"])

    def ip(self):
        return self.pick([
            f"192.0.2.{self.r.randint(1, 254)}", f"198.51.100.{self.r.randint(1, 254)}",
            f"203.0.113.{self.r.randint(1, 254)}", f"10.{self.r.randint(0, 255)}.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}",
            f"192.168.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}",
            f"2001:db8:{self.r.randint(0, 65535):x}:{self.r.randint(0, 65535):x}::{self.r.randint(1, 65535):x}",
            "2001:db8:" + ":".join(f"{self.r.randint(0, 65535):x}" for _ in range(6)),
            f"2001:0db8:85a3:0000:0000:8a2e:{self.r.randint(0, 65535):04x}:{self.r.randint(0, 65535):04x}",
        ])

    def responseid(self):
        return "R_" + "".join(self.r.choice(string.ascii_letters + string.digits) for _ in range(15))

    def url(self):
        org = self.pick(["dehaven-jeugd", "kwadraatjeugd", "vlietstroom", "jeugdnetwerk-hofland", "ouderpunt-zuid"])
        path = self.pick(["", "/klachten", "/team/medewerkers", "/contact?id=3", "/nieuws/2023/wachtlijst"])
        return self.pick([
            f"https://www.{org}.nl{path}", f"http://{org}.nl{path}", f"www.{org}.nl{path}", f"{org}.nl{path}",
            f"https://{org}.qualtrics.com/jfe/form/SV_{self.responseid()[2:]}",
            f"https://docs.voorbeeld.nl/d/{self.responseid()[2:12]}", f"https://bit.ly/{self.responseid()[2:9]}",
        ])

    def adres(self):
        nr = self.r.randint(1, 240)
        suffix = self.pick(["", "", "a", "-B", " bis", "-3"])
        return f"{self.pick(self.streets)} {nr}{suffix}"


# --------------------------------------------------------------------------- templates
# {slot} is filled by Gen; slot names: see SLOT_CATEGORY. {v} voornaam, {vl} voornaam in lower case,
# {n} full name, {nl} full name in lower case, {i} initial + surname, {a} surname with capital infix
# ("mevrouw Van der Berg"), {nick} nickname.
SLOT_CATEGORY = {"v": "naam", "vl": "naam", "n": "naam", "nl": "naam", "i": "naam", "a": "naam",
                 "nick": "naam", "email": "e-mail", "tel": "telefoon", "pc": "postcode", "bsn": "bsn",
                 "geb": "geboortedatum", "ip": "ip", "rid": "responseid", "url": "url", "adres": "adres",
                 "school": "school", "wijk": "wijk", "org": "organisatie"}

TEMPLATES_A = [
    "Mijn teamleider {v} zegt steeds dat de regels nu eenmaal zo zijn.",
    "Ik heb het al drie keer bij {n} aangekaart, maar er gebeurt niks mee.",
    "Mail me gerust op {email} als je meer wilt weten over onze werkdruk.",
    "Bel me op {tel}, dan vertel ik hoe het echt zit met de wachtlijst.",
    "Gezin woont aan de {adres}, {pc} Den Haag, en wacht al een half jaar op hulp.",
    "Jongere met BSN {bsn} staat in drie systemen met een ander adres.",
    "Het meisje (geboren {geb}) moest vier keer haar verhaal doen bij verschillende loketten.",
    "Ik werk vooral in {wijk} en daar is veel te weinig jongerenwerk.",
    "Bij {org} krijgen we nooit op tijd een beschikking terug.",
    "De samenwerking met {school} loopt goed, de intern begeleider denkt echt mee.",
    "Mijn collega {v} is vertrokken door de werkdruk, ze was de beste van ons team.",
    "ik heb met {vl} gesproken en die zegt hetzelfde over de administratie",
    "{n} heeft als gedragswetenschapper de werkdruk serieus genomen, ik mis haar.",
    "Vraag maar na bij mevrouw {a}, zij weet er alles van.",
    "Overleg met {i} over de indicatie duurde weken.",
    "Die jongen, {nick} noemen ze hem, valt echt tussen wal en schip.",
    "Mijn ResponseId is {rid}, voor als jullie nog vragen hebben.",
    "Ik kon de vragenlijst eerst niet openen vanaf {ip}, misschien ligt het aan ons netwerk.",
    "Zie {url} voor de klacht die ik eerder heb ingediend.",
    "De moeder van {v} belde mij om 23:00 uur omdat er niemand anders bereikbaar was.",
    "{v} en {v} van het wijkteam doen hun best, maar de caseload is gewoon te hoog.",
    "Cliënt {n} ({geb}) wacht al sinds de zomer op een plek.",
    "Contactpersoon: {n}, {tel}, {email}",
    "Stuur het dossier naar {email} of bel {tel}.",
    "Ik zit op {adres} in {wijk}, kom gerust een keer langs.",
    "Als {v} ziek is, ligt alles stil: er is geen vervanging.",
    "met {nl} heb ik afgesproken dat we het signaleren bij de gemeente",
    "Het gaat om een gezin in {wijk}, school is {school}, en niemand neemt de regie.",
    "De jeugdconsulent {v} {a} reageert nooit op mail.",
    "Ik heb {v} gebeld op {tel} maar kreeg de voicemail.",
    "Voorbeeld: jongen, BSN {bsn}, postcode {pc}, drie hulpverleners en niemand die het overzicht heeft.",
    "Onze nieuwe collega {n} uit {wijk} brengt gelukkig veel ervaring mee.",
    "De vader, {n}, wil geen hulp meer na alle wisselingen.",
    "{nick} en ik hebben het project opgezet, maar de subsidie stopt.",
    "Hoi, ik ben {v} en werk bij {org}. De regels zijn echt te veel.",
    "Bereikbaar via {tel} (ma-do), of via {email}.",
    "Teamleider {n} neemt nooit een besluit zonder de manager.",
    "Het adres van de crisisopvang ({adres}, {pc}) is bekend bij iedereen, dat is niet veilig.",
    "dank aan {vl} die altijd bijspringt als het druk is",
    "Mijn link naar het casusoverzicht: {url}",
    "Log: respondent {rid} vanaf {ip} heeft de vragenlijst twee keer ingevuld.",
    "Geboortedatum van de jongere ({geb}) staat verkeerd in het systeem, en het BSN ({bsn}) ook.",
    "Zelfs {i} van de gemeente vond dat het zo niet langer kon.",
    "Wij (ik en {v}) doen met zijn tweeën het werk van vier mensen.",
    "Ik ben {n}, {email}, en ik wil graag meedenken in het PJH.",
]

TEMPLATES_B = [
    "Naar aanleiding van het gesprek met {n} (teamleider) wil ik het volgende opmerken: de regeldruk neemt toe.",
    "- casus {v}: wachttijd 14 weken\n- casus {v}: wachttijd 20 weken\n- geen van beide heeft een regiehouder",
    "Contact: {email} / {tel}",
    "De betrokken jeugdige (geb. {geb}, BSN {bsn}) is inmiddels drie keer overgedragen.",
    "Huisadres {adres}, {pc}; ouders zijn gescheiden en beide adressen staan door elkaar.",
    "In de wijk {wijk} ontbreekt een laagdrempelige inloop voor ouders.",
    "Samenwerking met {org} verloopt stroef: overdrachten komen te laat binnen.",
    "Leerling van {school} kreeg pas na vier maanden een intake.",
    "Dhr. {a} van de gemeente heeft toegezegd dat het wordt opgepakt; tot op heden niets vernomen.",
    "Ik wil {vl} bedanken, zonder haar was het team allang uit elkaar gevallen.",
    "Mijn vorige leidinggevende, {n}, gaf ons veel meer vrijheid.",
    "Verzonden vanaf IP {ip}; ResponseID {rid}.",
    "Documenten staan op {url} (alleen intern).",
    "Telefonisch bereikbaar op {tel}, bij voorkeur na 16.00 uur.",
    "{i} (orthopedagoog) en {i} (jeugdarts) zijn het oneens over de aanpak, en de ouders worden heen en weer gestuurd.",
    "Een jongere die iedereen {nick} noemt, slaapt al weken bij vrienden.",
    "Cliënt: {n}, {adres}, {pc} {wijk}. Wacht op ambulante hulp.",
    "mijn collega {nl} en ik hebben samen vijftig dossiers",
    "Gesproken met mevrouw {a} en haar zoon {v} over de wachttijd.",
    "Graag terugkoppeling naar {email}.",
    "Wij werken vanuit {wijk} voor {org}, met een team van zes.",
    "Er zijn onvoldoende plekken; zie ook het bericht van {n} op {url}.",
    "Het meldpunt ({tel}) is 's avonds niet bereikbaar.",
    "Jeugdige, geboren {geb}, woonachtig {adres}, zit nu thuis zonder school.",
    "Intern nummer van de jongere is niet het BSN; het BSN is {bsn}.",
    "Wat ik zou veranderen: minder overleg. {v} en {v} zijn het met me eens.",
    "De intern begeleider van {school} is {n}; zij signaleert goed.",
    "{n} - manager bij {org} - heeft de pilot stopgezet.",
    "Respons {rid} graag verwijderen, ik heb per ongeluk twee keer ingevuld.",
    "via whatsapp ({tel}) bereik je {vl} het snelst",
    "Locatie: {adres} ({wijk}), postcode {pc}.",
    "Vanaf mijn werkplek ({ip}) kon ik de vragenlijst niet openen.",
    "Ik heb {nick} al twee jaar in begeleiding en er is nog steeds geen passende plek.",
    "Zie de brief van {i}, gestuurd aan {email}.",
    "Overdracht aan {n} ({org}) is op {geb} mislukt omdat het dossier niet compleet was.",
]

CLEAN_A = [
    "Minder formulieren en meer vertrouwen in de professional, dat zou ik veranderen.",
    "De gemeente vraagt steeds meer verantwoording, maar geeft geen extra tijd.",
    "Zorg dat de wachtlijsten korter worden, dan hoeven we minder te overbruggen.",
    "Wil je echt iets veranderen, begin dan bij de administratie.",
    "Hoop doet leven, maar de werkdruk blijft gewoon hoog.",
    "Roos, de teamvergadering noemen we zo omdat er altijd iets te prikken valt: het moet korter.",
    "Den Haag als regio moet meer samen inkopen, nu doet elke gemeente het anders.",
    "Most of the time I feel there is no room for my professional judgement.",
    "Echt niet normaal hoeveel tijd registratie kost.",
    "Best lastig om goed werk te leveren met zoveel regels.",
    "Mark je agenda maar: elke dinsdag overleg, elke donderdag weer.",
    "Meer tijd voor gezinnen, minder tijd achter de computer.",
    "Ik zou de indicatiestelling versimpelen.",
    "Zorg en onderwijs moeten beter samenwerken.",
    "Dank voor deze vragenlijst, fijn dat er naar ons geluisterd wordt.",
    "Vertrouwen, ruimte en tijd. Meer is het niet.",
    "The paperwork is killing us, honestly.",
    "Geen idee, ik ben net begonnen.",
    "Wil graag meer intervisie en minder verantwoording.",
    "Bij spoed is er niemand bereikbaar, dat moet anders.",
    "Een vaste contactpersoon bij de gemeente zou veel schelen.",
    "Meer handen aan het bed, zoals ze in de zorg zeggen.",
    "Hoop dat dit onderzoek iets oplevert.",
    "Nieuwe collega's krijgen te weinig inwerktijd.",
    "Laat ons zelf bepalen hoeveel gesprekken een gezin nodig heeft.",
    "Roos en Lelie zijn de namen van onze twee groepsruimtes, ze zijn allebei te klein.",
    "Het Westland, Delft en Zoetermeer werken elk met hun eigen formulieren.",
    "Ik zou de toverstaf gebruiken om de wachtlijst weg te toveren.",
    "Minder managers, meer uitvoerenden.",
    "Soms wil ik gewoon mijn werk kunnen doen zonder drie keer te registreren.",
    "Most colleagues agree: less admin, more time with families.",
    "Er is veel verloop, waardoor gezinnen steeds opnieuw hun verhaal moeten doen.",
    "Goede zorg kost tijd, en die tijd krijgen we niet.",
    "Winst zou zijn als we één plan per gezin hebben.",
    "Wij willen meer ruimte om af te wijken van het protocol.",
    "Haagse scholen vragen veel van ons, maar delen weinig informatie.",
    "Meer waardering van de gemeente zou helpen.",
    "Het werk is mooi, de randvoorwaarden niet.",
    "Start met luisteren naar de professionals op de werkvloer.",
    "Door de nieuwe regels ben ik meer tijd kwijt aan verantwoording dan aan hulp.",
    "Alles moet via het systeem, ook als het sneller kan met een telefoontje.",
    "Hulp moet dichtbij en snel, niet na maanden.",
    "Lief en leed delen we in het team, dat houdt me op de been.",
    "Jeugdzorg is geen productie, het is mensenwerk.",
    "Ouders haken af door de lange wachttijd.",
    "Bij de rechtbank duurt alles te lang.",
    "Ik mis de ruimte om creatief te zijn in mijn aanpak.",
    "Zorgen over veiligheid worden te laat opgepakt.",
    "Goed dat dit gevraagd wordt.",
    "Iedereen heeft het druk, niemand heeft tijd voor overleg.",
    "Van de regels word ik niet blij, van de kinderen wel.",
    "Open Space sessies zoals vorig jaar waren heel waardevol.",
    "Time management is not the problem, the number of cases is.",
    "De wijkteams in de regio zijn onderbemand.",
    "Mijn werkplezier is gedaald sinds de reorganisatie.",
    "Ruimte voor de professional betekent ook ruimte om nee te zeggen.",
    "Een toverstaf? Dan schrap ik de helft van de formulieren.",
    "Zoals ik al zei: minder regels.",
    "Kunnen we stoppen met het dubbel registreren?",
    "Teamleider en gedragswetenschapper staan achter me, de organisatie niet.",
]

CLEAN_B = [
    "Ten eerste: minder verantwoording. Ten tweede: meer tijd voor het gezin zelf.",
    "Hoop en Zorg zijn de namen van twee projecten in onze regio; beide zijn stopgezet.",
    "Wil de gemeente echt sturen op kwaliteit, dan moet zij ook investeren.",
    "Den Haag en de omliggende gemeenten zouden één loket moeten hebben.",
    "Most of what we do is not visible in the registration system.",
    "In de regio Haaglanden zijn de wachttijden het langst voor specialistische hulp.",
    "Best practices worden zelden gedeeld tussen teams.",
    "Echt contact met een gezin vraagt tijd, en tijd is er niet.",
    "Mijn ervaring is dat nieuwe professionals te snel een volle caseload krijgen.",
    "Graag meer scholing over complexe scheidingen.",
    "- minder formulieren\n- meer intervisie\n- vaste aanspreekpunten",
    "Overleg met de huisarts verloopt goed, met de gemeente minder.",
    "De Jeugdwet geeft ruimte, de uitvoering neemt die weer weg.",
    "Ik ervaar vooral druk van de verantwoordingssystemen.",
    "Please make the surveys shorter, thank you.",
    "Het team is hecht, en dat maakt veel goed.",
    "Zonder mijn collega's was ik allang gestopt.",
    "Veel regels zijn bedoeld om risico's uit te sluiten, maar ze maken het werk niet veiliger.",
    "Een kind is geen dossier.",
    "Wat mij betreft komt er een vaste regiehouder per gezin.",
    "Het inwerkprogramma voor starters kan beter.",
    "Meer flexibiliteit in de inzet van uren.",
    "Kortere lijnen met het onderwijs.",
    "Geen opmerkingen.",
    "Zorgaanbieders concurreren, terwijl ze zouden moeten samenwerken.",
    "Roos is mijn favoriete bloem, maar in dit werk groeit weinig.",
    "Mark het belangrijkste punt: de wachtlijst. De rest is bijzaak.",
    "Ik hoop dat de uitkomsten gedeeld worden met het werkveld.",
    "Verandering kost tijd; laat ons niet elk jaar opnieuw beginnen.",
    "Werkplezier haal ik uit de gezinnen, niet uit de organisatie.",
    "Het is goed dat het PJH bestaat.",
    "Minder overleg over overleg.",
    "Is het mogelijk om de vragenlijst ook in het Engels aan te bieden?",
    "Dit is mijn eerste jaar, ik weet het nog niet.",
    "Delft werkt met een andere toegang dan Rijswijk, dat is verwarrend voor ouders.",
    "Start de dag zonder mail, dat zou al helpen.",
    "Goede begeleiding van stagiairs kost tijd die niet wordt vergoed.",
    "Waardering uit zich niet alleen in salaris, maar ook in vertrouwen.",
    "Lange wachttijden bij de GGZ zorgen voor escalatie.",
    "Heel fijn dat mijn teamleider achter mijn keuzes staat.",
]
# Ordinary sentences around words that scrubbers tend to take for names or places
# (words that are also first names or surnames, English words that are names).
TRICKY_A = [
    "Zorg gewoon dat er genoeg mensen zijn, dan lossen we de rest zelf op.",
    "Wil je weten wat werkt? Vraag het de gezinnen.",
    "Roos is de naam van onze groepsruimte, en die is veel te klein.",
    "Hoop is er altijd, maar de wachtlijst groeit.",
    "Mark in het dossier wat urgent is, dan kan de gemeente prioriteren.",
    "Best wel frustrerend als een beschikking drie maanden duurt.",
    "Echt, de helft van mijn tijd gaat naar registratie.",
    "Winst is er te halen bij de overdracht tussen teams.",
    "Lief zijn voor elkaar in het team helpt, maar lost de werkdruk niet op.",
    "Ben ik de enige die vindt dat het protocol te lang is?",
    "Most of our time goes to reporting instead of helping.",
    "Will anyone read these answers? I hope so.",
    "May I say that the survey was too long for a busy week.",
    "Een jongere zei: je bent hier niet de bakker die brood verkoopt, je moet luisteren.",
    "We gaan met ons aanbod de boer op, maar scholen hebben geen tijd.",
    "Ik ben geen kok, maar op de groep moet ik ook koken.",
    "Er is geen smit meer die het ijzer smeedt als het heet is: alles duurt maanden.",
    "Als een vos in het kippenhok, zo voelt de nieuwe manager.",
    "Een veilige haven voor jongeren is er in de wijk niet meer.",
    "Er ligt een berg werk op ons te wachten na de zomer.",
    "Het is dweilen met de kraan open, de dijk houdt het niet.",
    "Grace period for new colleagues would be nice: no full caseload in month one.",
    "Rose-coloured glasses are needed to read the annual report.",
    "Faith in the system is low among my colleagues.",
    "Hope the municipality listens this time.",
    "Zorgen om geld bepalen de keuzes, niet de inhoud.",
    "Trots op mijn team, ondanks alles.",
    "Een ster verdienen de ouders die het volhouden.",
    "Het hof van de rechtbank werkt met andere termijnen dan wij.",
    "Mijn hoop is gevestigd op de nieuwe wethouder, al weet ik zijn naam niet eens.",
    "Visser van beroep zou ik ook willen: rust, ruimte, de zee.",
    "De visser, de bakker en de boer: zo divers als de ouders die we zien, zo divers moet het aanbod zijn.",
    "In het Engels heet het caseload management, in het Nederlands gewoon te veel werk.",
    "Op Eerste Kerstdag werd ik gebeld omdat er geen crisisdienst was.",
    "Tijdens de Ramadan plannen we gesprekken liever niet vlak voor het eten.",
    "De Jeugdwet is goed bedoeld, de uitvoering niet.",
    "Marokkaanse, Turkse en Surinaamse ouders kennen de weg naar hulp vaak niet.",
    "Pools spreken we niet, dus tolken zijn nodig.",
    "Het PJH en de GGZ zitten niet aan één tafel.",
    "Hoop, zorg en vertrouwen: daar draait het om.",
    "Soms voel ik me een boer met kiespijn als ik weer een formulier invul.",
    "Wij willen geen Haagse bluf, wij willen gewoon tijd.",
    "Het Haagse wijkteam werkt anders dan het Delftse.",
    "Mijn wens: elke jongere een vaste mentor.",
    "Geen zorgen, ik blijf, maar het moet anders.",
    "Roze wolk? Nee, na drie maanden was die weg.",
    "Jeugdzorg Nederland roept het al jaren: minder regels.",
    "Den Haag zou als centrumgemeente meer moeten coördineren.",
    "Het Westland loopt achter met de inkoop.",
    "Zoetermeer en Leidschendam-Voorburg doen het beter dan wij.",
]
TRICKY_B = [
    "Ten aanzien van zorg: het aanbod sluit niet aan bij de vraag.",
    "Wil men echt verbeteren, dan moet de professional aan tafel.",
    "Roos, Lelie en Tulp zijn de namen van de gespreksruimtes; allemaal te gehorig.",
    "Hoopvol ben ik niet, maar ik geef het niet op.",
    "Best practice in onze regio: één gezin, één plan, één regisseur.",
    "Echter blijft de wachttijd het grootste knelpunt.",
    "Winst valt te behalen in de overdracht van dossiers.",
    "Ben benieuwd wat er met de uitkomsten gebeurt.",
    "Most professionals in our team work more hours than contracted.",
    "Will there be a follow-up meeting with the platform?",
    "May and June are the busiest months because of school transitions.",
    "Mark my words: without extra staff the waiting lists will double.",
    "De bakker om de hoek weet meer van de gezinnen dan het systeem.",
    "We moeten meer de boer op: naar scholen, sportclubs en moskeeën.",
    "Te veel koks bederven de brij, en zo gaat het met de regie.",
    "Het is geen kwestie van een vos die zijn streken verliest; de organisatie verandert niet.",
    "Een berg administratie na elk gesprek.",
    "Aan de dijk in ons werk wordt niet gebouwd, alleen gedweild.",
    "De haven waar jongeren terecht kunnen is gesloten.",
    "Grace and patience are what parents show us, not the system.",
    "Faith-based organisations in the neighbourhood are important partners.",
    "Hope is not a strategy.",
    "Zorgvuldigheid kost tijd.",
    "Trots ben ik op de jongeren die het halen.",
    "Elke ster op de kaart is een gezin dat wacht.",
    "In het Arabisch en het Turks is onze folder er niet.",
    "Surinaamse en Antilliaanse families zoeken eerder hulp in de kerk.",
    "De Wmo en de Jeugdwet sluiten niet op elkaar aan.",
    "Tijdens de zomer is er niemand van de GGZ bereikbaar.",
    "Met Pasen en Kerst is de crisisdienst onderbezet.",
    "Het Haagse beleid verandert elk jaar.",
    "Delftse scholen werken goed mee.",
    "Rijswijk en Wassenaar kopen samen in, dat werkt.",
    "Pijnacker-Nootdorp heeft een eigen toegang.",
    "Midden-Delfland is klein, daar kent iedereen elkaar.",
    "Den Haag is als regio te groot om één aanpak te hebben.",
    "Haaglanden heeft te veel verschillende contracten.",
    "Visserij, bollen en kassen: in het Westland werken veel ouders in ploegen.",
    "Kokend water in de groepskeuken is een risico, daar is nog steeds geen protocol voor.",
    "Smeden als het ijzer heet is, maar de gemeente doet er een jaar over.",
    "Hof en gemeente moeten sneller schakelen bij een ondertoezichtstelling.",
    "Lieve collega's maken het verschil.",
    "Roosters worden te laat gemaakt.",
    "Zorgeloos werken bestaat niet in de jeugdhulp.",
    "Willen is kunnen, zeggen ze, maar zonder tijd lukt het niet.",
    "Het woord ‘ruimte’ staat in elk beleidsstuk, maar in de praktijk zie ik het niet.",
    "Ik zou de toverstaf gebruiken om alle systemen aan elkaar te koppelen.",
    "Een vaste contactpersoon bij het onderwijs zou helpen.",
    "Te vaak moeten ouders hun verhaal opnieuw vertellen.",
    "Meer ruimte voor maatwerk en minder voor protocollen.",
    "Het Nederlands van sommige ouders is beperkt; tolken zijn duur en moeilijk te regelen.",
    "Ik mis een goede sociale kaart van de wijk.",
    "Teamleiders zouden meer op de werkvloer moeten zijn.",
    "Intervisie is het eerste wat sneuvelt als het druk is.",
    "Geen opmerkingen verder, succes met het onderzoek.",
    "Minder rapportages, meer gesprekken.",
    "De kwaliteit van de hulp lijdt onder het verloop.",
    "Thuiswerken scheelt reistijd, maar het team mist elkaar.",
    "Regels zijn nodig, maar niet zoveel.",
    "Er moet een einde komen aan de aanbestedingen elke drie jaar.",
    "Starters krijgen te snel complexe casussen.",
    "Ervaren collega's vertrekken naar de zzp-markt.",
    "Ik wil graag meedenken over verbeteracties.",
    "Het platform zou vaker moeten terugkoppelen wat er met de ideeën is gedaan.",
    "Goed onderzoek, fijn dat het er is.",
    "Vertrouwen krijg je door het te geven.",
    "Mijn teamleider staat achter me, de organisatie minder.",
    "Door de regels voel ik me soms meer administrateur dan hulpverlener.",
    "Verantwoording achteraf in plaats van toestemming vooraf.",
    "Kortere lijnen met de huisartsen graag.",
]


MUNICIPALITIES = ["Leidschendam-Voorburg", "Pijnacker-Nootdorp", "Midden-Delfland", "Den Haag", "Zoetermeer",
                  "Westland", "Rijswijk", "Wassenaar", "Delft"]


def annotate_places(text, spans):
    """Add a ``plaats`` span for every municipality name not inside another span."""
    import re

    for name in MUNICIPALITIES:
        for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
            if not any(m.start() < s["end"] and s["start"] < m.end() for s in spans):
                spans.append({"start": m.start(), "end": m.end(), "category": "plaats", "text": name})
    spans.sort(key=lambda s: s["start"])
    return spans


FIRST_C = {
    "nl": ["Wilma", "Ronald", "Yvonne", "Arjen", "Sabine", "Koen", "Mariska", "Erik", "Noortje", "Vincent",
           "Jolanda", "Stefan", "Kirsten", "Gerard"],
    "ma": ["Zakaria", "Hanane", "Redouan", "Sanae", "Adil", "Ikram"],
    "tr": ["Cem", "Tuba", "Volkan", "Melike", "Erdal"],
    "sr": ["Humphrey", "Shakira", "Roy", "Cynthia", "Errol"],
    "hi": ["Mahesh", "Kavita", "Navin", "Roshni"],
    "an": ["Ruthmila", "Eugene", "Jomayra"],
    "pl": ["Paweł", "Ewa", "Grzegorz"],
    "so": ["Abdirahman", "Hibo", "Ilhan"],
    "sy": ["Majd", "Hala", "Firas"],
}
LAST_C = {
    "nl": [("", "Hendriks"), ("van", "Beek"), ("", "Willems"), ("van der", "Wal"), ("", "Timmermans"),
           ("de", "Ruiter"), ("", "Verhoeven"), ("van", "Dam"), ("", "Postma")],
    "ma": [("", "Boukhari"), ("", "Lamrini"), ("el", "Fassi"), ("", "Aarab")],
    "tr": [("", "Güneş"), ("", "Erdem"), ("", "Aksoy")],
    "sr": [("", "Fränkel"), ("", "Lieuw-On"), ("", "Hoepel")],
    "hi": [("", "Mangal"), ("", "Tewari"), ("", "Chotkan")],
    "an": [("", "Pietersz"), ("", "Felida")],
    "pl": [("", "Mazur"), ("", "Krawczyk")],
    "so": [("", "Jama"), ("", "Egal")],
    "sy": [("", "Qassab"), ("al", "Masri")],
}
NICK_C = ["Bennie", "Tootje", "Zaza", "Pim-pam", "Kiko"]
STREETS_C = ["Mosselstraat", "Zonnebloemstraat", "Wielingenweg", "Houtrustlaan", "Veenkade 2e", "Soestdijksekade"]
SCHOOLS_C = ["basisschool De Klimop", "het Zeeduin College", "IKC De Kleine Prins", "SO De Vlinder"]
WIJKEN_C = ["Morgenstond", "Vrederust", "Bezuidenhout", "Duindorp", "Oosterheem"]
ORGS_C = ["Stichting Kompasroos", "Duinzicht Jeugdzorg", "Jeugdhulp Kustlicht", "Welzijn Westkust"]
DOMAINS_C = ["kompasroos.voorbeeld.nl", "kustlicht-jeugd.nl", "live.nl", "planet.nl"]
TEMPLATES_C = [
    "Hoi! Ik ben {v}, app me gerust: {tel}",
    "Groet, {n} | Jeugdhulpverlener | {org} | {tel} | {email}",
    "ff eerlijk: {vl} doet al maanden het werk van twee",
    "Onze gedragswetenschapper {n} is met burn-out thuis, niemand vervangt haar.",
    "Gezin {a} (adres {adres}, {pc}) staat al een jaar op de wachtlijst.",
    "BSN van het kind: {bsn}. Geboren {geb}. Nog steeds geen plek.",
    "Ik vul dit in vanaf thuis ({ip}), mijn id is {rid}.",
    "Meer info: {url}",
    "Vanuit {wijk} is de reistijd naar {school} voor dit kind een uur.",
    "Met {nl} en {vl} heb ik een intervisiegroep opgezet, dat helpt.",
    "Jongen ({nick}) zwerft rond in {wijk} en niemand voelt zich verantwoordelijk.",
    "Wij van {org} hebben geen contract meer met de gemeente.",
    "{v} zei laatst: we zijn brandjes aan het blussen.",
    "Bedankt {v}, {v} en {v}, zonder jullie was ik gestopt.",
    "De casusregisseur, {i}, reageert pas na weken.",
    "Moeder ({n}, {tel}) wil graag mee praten in het PJH.",
    "Dossier {rid} klopt niet: verkeerde geboortedatum ({geb}).",
    "Mijn mail: {email}. Mijn werkplek: {adres} in {wijk}.",
    "Overleg met juf {v} van {school} ging goed.",
    "Mevrouw {a} van {org} regelt het altijd snel.",
    "Wachtlijst-overzicht staat op {url}, wachtwoord vraag je aan {v}.",
    "Kind woont op {adres}, {pc}, maar staat ingeschreven op een ander adres.",
]

CLEAN_C = [
    "ff eerlijk: de regels zijn doorgeslagen",
    "Minder vergaderen!!",
    "Echt te veel administratie, echt.",
    "Ik wil gewoon tijd voor de kinderen.",
    "Wat ik mis is vertrouwen van bovenaf.",
    "De gemeente wil alles meten, maar wat meet je eigenlijk?",
    "Hoop dat er iets mee gedaan wordt dit keer.",
    "Zorg voor minder wisselingen in het team.",
    "Roos op het prikbord in de pauzeruimte is het enige lichtpuntje.",
    "Mark as urgent is de enige manier om iets gedaan te krijgen.",
    "Most days I go home late.",
    "Sorry, no time to write more.",
    "We need more colleagues, not more rules.",
    "Kan de vragenlijst korter?",
    "Top dat jullie dit vragen.",
    "Geen tijd, geen ruimte, geen geld.",
    "Best een goed team, maar te weinig mensen.",
    "Winst zou zijn: één systeem in plaats van drie.",
    "Lief werk, zware omstandigheden.",
    "Ben er klaar mee eerlijk gezegd.",
    "Will this change anything? Probably not.",
    "May the force be with us, want anders lukt het niet.",
    "Faith in management is gone.",
    "Hope for better times.",
    "Grace under pressure, zo heet het toch?",
    "Rose garden is het niet, hier.",
    "We moeten de boer op om gezinnen te vinden die hulp nodig hebben.",
    "De bakker bij ons op de hoek signaleert meer dan het systeem.",
    "Een visser weet wanneer hij moet wachten; wij moeten altijd meteen.",
    "Te veel koks in de keuken bij elke casus.",
    "Een vos verliest wel zijn haren maar niet zijn streken, zo is het met de bureaucratie.",
    "Een berg mail na elke vakantie.",
    "Veilige haven voor tieners: een jongerencentrum dat 's avonds open is.",
    "Dijkbewaking noem ik mijn werk soms.",
    "Ster van de week: mijn stagiaire, die heel goed meedenkt.",
    "Trots op wat we ondanks alles bereiken.",
    "In het Engels heet dit burnout, in het Nederlands overspannen.",
    "Arabisch sprekende collega's worden overvraagd.",
    "Turkse en Marokkaanse ouders willen vaak eerst de familie betrekken.",
    "Met de Ramadan passen we onze planning aan.",
    "De Jeugdwet geeft gemeenten te veel vrijheid om het anders te doen.",
    "Wmo en jeugd moeten samen.",
    "GGZ-wachttijden zijn onacceptabel.",
    "Het PJH is een mooi initiatief.",
    "Haaglanden moet één inkoopbeleid hebben.",
    "Haagse jongeren verdienen beter.",
    "Soms denk ik: waarom doe ik dit nog? Dan zie ik een kind opbloeien.",
    "Zorgvuldig werken kan niet met deze caseload.",
    "Wilskracht heb ik genoeg, tijd niet.",
    "Hopelijk wordt er geluisterd.",
    "Rooster wordt steeds later bekend.",
    "Markering in het dossier werkt niet goed.",
    "Bestuur zit te ver van de werkvloer.",
    "Echtscheidingen worden steeds complexer.",
    "Liefde voor het vak is er genoeg.",
    "Benieuwd naar de resultaten!",
    "Meer scholing graag, vooral over trauma.",
    "Werkdruk hoog, werkplezier laag.",
    "Ik zou de toverstaf gebruiken voor extra collega's.",
    "Regels zijn er om ons te beschermen, zeggen ze.",
    "Teamleider doet haar best.",
    "Verantwoording kost me zeker een dag per week.",
    "Starters moeten beter ingewerkt worden.",
    "Ervaren krachten vertrekken.",
    "Zzp'ers verdienen meer en hebben minder gedoe.",
    "De intake duurt te lang.",
    "Overdrachten gaan mis door privacyregels.",
    "Meer ruimte voor eigen oordeel graag.",
    "Ouders worden van het kastje naar de muur gestuurd.",
    "Het systeem crasht elke week.",
    "Thuiswerken is fijn, maar ik mis het team.",
    "Geen verdere opmerkingen.",
    "Goed bezig met dit onderzoek.",
    "Dank je wel.",
    "n.v.t.",
    "Weet ik niet.",
    "Alles is goed zo.",
    "Minder protocollen, meer maatwerk.",
    "Sneller schakelen met het onderwijs.",
    "De huisarts verwijst te snel door.",
    "De rechter beslist, maar wij moeten het uitvoeren zonder middelen.",
    "Crisisplekken zijn er niet.",
    "Pleeggezinnen zijn schaars.",
    "Jongeren haken af door de wachttijd.",
    "We zouden preventief moeten werken.",
    "Preventie levert geld op, maar pas later.",
    "Iedereen wil meepraten, niemand wil beslissen.",
    "Een vaste regiehouder per gezin.",
    "Meer waardering, ook financieel.",
    "Het salaris is niet in verhouding tot de verantwoordelijkheid.",
    "Vertrouw de professional.",
    "Ik zou alle formulieren samenvoegen tot één.",
    "Meer tijd voor reflectie.",
    "Minder audits.",
    "Gewoon doen wat nodig is, zonder drie handtekeningen.",
    "Mijn collega's zijn geweldig.",
    "De organisatie luistert niet.",
    "Het beleid verandert te vaak.",
    "Waarom moeten we alles dubbel invoeren?",
    "Kortere wachtlijsten, daar begint het mee.",
    "Meer jongerenwerk in de avonden.",
    "Sport en cultuur zijn ook jeugdhulp.",
    "Scholen moeten meer ondersteuning krijgen.",
    "Het werk is zwaar maar mooi.",
    "Hou vol, collega's!",
    "Ik stop na dit jaar, helaas.",
    "Ik blijf, omdat de kinderen het waard zijn.",
    "Het gaat om de mens, niet om het dossier.",
    "Zonder humor hou je het niet vol.",
    "Koffie helpt, maar lost de werkdruk niet op.",
]


def fill(gen, template):
    """Fill a template; return (text, spans)."""
    out, spans, pos, i = [], [], 0, 0
    while i < len(template):
        if template[i] == "{":
            j = template.index("}", i)
            slot = template[i + 1:j]
            value = slot_value(gen, slot)
            spans.append({"start": pos, "end": pos + len(value), "category": SLOT_CATEGORY[slot], "text": value})
            out.append(value)
            pos += len(value)
            i = j + 1
        else:
            out.append(template[i])
            pos += 1
            i += 1
    text = "".join(out)
    for s in spans:
        assert text[s["start"]:s["end"]] == s["text"]
    return text, spans


def slot_value(gen, slot):
    if slot == "v":
        return gen.voornaam()
    if slot == "vl":
        return gen.voornaam().lower()
    if slot == "n":
        return gen.volnaam()
    if slot == "nl":
        return gen.volnaam().lower()
    if slot == "i":
        return gen.initiaal()
    if slot == "a":
        return gen.achternaam(cap_infix=True)
    if slot == "nick":
        return gen.pick(gen.nicks)
    if slot == "email":
        return gen.email()
    if slot == "tel":
        return gen.telefoon()
    if slot == "pc":
        return gen.postcode()
    if slot == "bsn":
        return gen.bsn()
    if slot == "geb":
        return gen.geboortedatum()
    if slot == "ip":
        return gen.ip()
    if slot == "rid":
        return gen.responseid()
    if slot == "url":
        return gen.url()
    if slot == "adres":
        return gen.adres()
    if slot == "school":
        return gen.pick(gen.schools)
    if slot == "wijk":
        return gen.pick(gen.wijken)
    if slot == "org":
        return gen.pick(gen.orgs)
    raise KeyError(slot)


def build(gen, templates, clean, tricky, *, n_pii, prefix):
    rows = []
    order = [templates[k % len(templates)] for k in range(n_pii)]
    gen.r.shuffle(order)
    for k, template in enumerate(order):
        text, spans = fill(gen, template)
        rows.append({"id": f"{prefix}{k + 1:03d}", "kind": "pii", "text": text, "spans": annotate_places(text, spans)})
    cleans = list(clean) + list(tricky)
    for k, text in enumerate(cleans):
        rows.append({"id": f"{prefix}c{k + 1:03d}", "kind": "clean", "text": text, "spans": annotate_places(text, [])})
    return rows


def main():
    a = Gen(2026, FIRST_A, LAST_A, NICK_A, STREETS_A, SCHOOLS_A, WIJKEN_A, ORGS_A, DOMAINS_A)
    b = Gen(7919, FIRST_B, LAST_B, NICK_B, STREETS_B, SCHOOLS_B, WIJKEN_B, ORGS_B, DOMAINS_B)
    c = Gen(4242, FIRST_C, LAST_C, NICK_C, STREETS_C, SCHOOLS_C, WIJKEN_C, ORGS_C, DOMAINS_C)
    for name, gen, tpl, clean, frames, n, prefix in (
            ("corpus.jsonl", a, TEMPLATES_A, CLEAN_A, TRICKY_A, 340, "a"),
            ("holdout.jsonl", b, TEMPLATES_B, CLEAN_B, TRICKY_B, 320, "h"),
            ("holdout2.jsonl", c, TEMPLATES_C, CLEAN_C, [], 300, "u")):
        rows = build(gen, tpl, clean, frames, n_pii=n, prefix=prefix)
        with open(HERE / name, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{name}: {len(rows)} answers, {sum(len(r['spans']) for r in rows)} spans")


if __name__ == "__main__":
    main()
