"""Writing the report's suppressed tables to ``tabellen.xlsx`` (openpyxl), for researchers.

Decisions
---------
* The first sheet, **Toelichting**, explains every sheet and every column (one row each).
* A sheet described by :class:`Sheet` has Dutch column headers as in the HTML (a stable id column,
  ``Schaal (id)``/``Stelling (id)``, keeps the codebook's ids for syntax and joins). Its numbers
  keep full precision and get a number format: ``0.0`` for means (Excel shows the decimal comma
  of the reader's locale), ``0.00`` for coefficients, ``0.000`` for p-values, ``0`` for counts and
  ``0%`` for percentages, which are stored as fractions (the report's tables hold 0-100; this
  module divides by 100, so 45% is the cell value 0.45).
* A suppressed cell is **empty**, never the text ``n<5`` in a numeric column; the marker column
  ``Onderdrukt`` says ``n<5`` on every row with a hidden figure. On a suppressed row every numeric
  cell is emptied (also a group's size), except columns that describe the question (``Col.keep``).
* Widths fit the content (capped), the header row is frozen and has an autofilter.
* Every string cell is text, never a formula (:func:`_as_text`): an open answer or a label from
  an export may start with ``=``.
* Open answers are counted: one row per distinct (scrubbed) answer with its number.
* A sheet given as ``(DataFrame, columns to hide)`` (the trend report) keeps its column names;
  hidden cells are empty there too and its ``suppressed`` column is the marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from peo_lib.report.structure import Paragraph
from peo_lib.sentences import TEST_NAMES as _TESTS, top2_phrase
from peo_lib.vocab import GROUP_LABELS, TABLES_XLSX

__all__ = ["write_tables", "SavesTables", "Sheet", "Col", "round_sheets", "TOELICHTING", "MARKER_HEADER",
           "NUMBER_FORMATS"]

TOELICHTING = "Toelichting"
MARKER_HEADER = "Onderdrukt"
#: Column formats -> Excel number format (None: text).
NUMBER_FORMATS = {"int": "0", "mean": "0.0", "coef": "0.00", "stat": "0.00", "p": "0.000", "pct": "0%",
                  "text": None, "yesno": None}


@dataclass
class Col:
    """One output column: the source column, its Dutch header, its format and what it means."""

    source: str
    header: str
    fmt: str = "text"
    note: str = ""
    hidden_count: bool = False  # a count hidden on its own (a complement): flags the row's marker too
    keep: bool = False  # shown on a suppressed row too (not a figure about respondents: items, codes)

    def __post_init__(self):
        if self.fmt not in NUMBER_FORMATS:
            raise ValueError(f"`fmt` must be one of {list(NUMBER_FORMATS)}, but {self.fmt!r} was passed.")


@dataclass
class Sheet:
    """One worksheet: the (suppressed) table, its columns and a sentence on what it holds."""

    data: pd.DataFrame
    columns: list
    note: str
    hidden_col: str = "suppressed"
    values: dict = field(default_factory=dict)  # source column -> {value: shown value} (e.g. scale -> schaal)


# ----------------------------------------------------------------------
# writing
# ----------------------------------------------------------------------

#: First characters that make Excel (or LibreOffice) read a cell as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text(cell) -> None:
    """Store a string cell as text, never as a formula: an open answer or a label from an export may
    start with ``=`` (``=HYPERLINK(...)``); openpyxl would otherwise write it as a live formula."""
    cell.data_type = "s"
    if cell.value.startswith(_FORMULA_START):
        cell.quotePrefix = True  # Excel shows the text as typed and does not re-evaluate it on edit


def _plain(v):
    """A cell value openpyxl can write: NaN -> None, numpy scalars -> Python, containers -> str."""
    if v is None:
        return None
    if isinstance(v, (np.floating, float)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, (dict, list, tuple)):
        return str(v)
    if v is pd.NA or v is pd.NaT:
        return None
    return v


def _legacy_format(name: str, dtype) -> str | None:
    if not pd.api.types.is_float_dtype(dtype):
        return None
    if name in ("p", "p_adj", "p_adjusted", "adj_p_adjusted"):
        return NUMBER_FORMATS["p"]
    if name in ("n", "n_before", "n_after", "count"):
        return NUMBER_FORMATS["int"]
    return NUMBER_FORMATS["coef"]


def _rows_of(sheet: Sheet, *, small: str):
    """(headers, formats, rows) of a described sheet: converted values, empty hidden cells, the marker."""
    df = sheet.data
    cols = [c for c in sheet.columns if c.source in df.columns]
    headers = [c.header for c in cols]
    formats = [NUMBER_FORMATS[c.fmt] for c in cols]
    has_marker = sheet.hidden_col in df.columns
    if has_marker:
        headers.append(MARKER_HEADER)
        formats.append(None)
    rows = []
    for rec in df.to_dict("records"):
        row, hidden_count = [], False
        hidden_row = bool(rec.get(sheet.hidden_col)) if has_marker else False
        for c in cols:
            v = _plain(rec.get(c.source))
            if hidden_row and c.fmt != "text" and not c.keep:
                v = None  # every figure of a suppressed row is empty, whatever the table holds
            if c.source in sheet.values and v in sheet.values[c.source]:
                v = sheet.values[c.source][v]
            if c.fmt == "yesno":
                v = None if v is None else ("ja" if v else "nee")
            elif c.fmt == "pct" and isinstance(v, (int, float)) and not isinstance(v, bool):
                v = v / 100.0
            elif c.fmt != "text" and isinstance(v, str):  # never text in a numeric column
                v = None
            if c.hidden_count and v is None:
                hidden_count = True
            row.append(v)
        if has_marker:
            row.append(small if hidden_row or hidden_count else None)
        rows.append(row)
    return headers, formats, rows


def _legacy_rows(df: pd.DataFrame, hide_cols, *, hidden_col="suppressed"):
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object)
    if hidden_col in out:
        mask = out[hidden_col].astype(bool).to_numpy()
        for c in hide_cols:
            if c in out:
                out[c] = out[c].where(~mask, np.nan) if pd.api.types.is_numeric_dtype(out[c]) else \
                    out[c].astype(object).where(~mask, None)
    headers = [str(c) for c in out.columns]
    formats = [_legacy_format(str(c), out[c].dtype) for c in out.columns]
    rows = [[_plain(v) for v in rec] for rec in out.itertuples(index=False)]
    return headers, formats, rows


def _width(header: str, values) -> float:
    lengths = [len(f"{v:.2f}") if isinstance(v, float) else len(str(v)) for v in values if v is not None]
    body = int(np.quantile(lengths, 0.9)) if lengths else 0
    return float(min(70, max(8, len(header) + 2, body + 2)))


def _write_sheet(ws, headers, formats, rows) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        _as_text(cell)
    for row in rows:
        ws.append(row)
        for cell, fmt in zip(ws[ws.max_row], formats):
            if isinstance(cell.value, str):
                _as_text(cell)
            elif fmt is not None and cell.value is not None and not isinstance(cell.value, bool):
                cell.number_format = fmt
    for j, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(j)].width = _width(h, [r[j - 1] for r in rows])
    ws.freeze_panes = "A2"
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(rows) + 1)}"


#: What a column of a ``(DataFrame, hide)`` sheet means (the trend report's tidy column names).
LEGACY_NOTES = {
    "round": "ronde", "scale": "schaal (id uit het codeboek)", "label": "naam van de schaal of indicator",
    "n": "aantal respondenten met een score", "mean": "gemiddelde", "sd": "standaarddeviatie",
    "se": "standaardfout van het gemiddelde", "ci_low": "ondergrens 95%-betrouwbaarheidsinterval",
    "ci_high": "bovengrens 95%-betrouwbaarheidsinterval", "series": "vergelijkbaar stuk van de reeks (1, 2, ...)",
    "suppressed": "TRUE: een cijfer van deze rij is onderdrukt (te weinig respondenten); die cellen zijn leeg",
    "ervaringsgroep": "startend of ervaren", "raw_mean": "ongecorrigeerd gemiddelde",
    "previous": "eerdere ronde", "current": "latere ronde", "mean_previous": "gemiddelde eerdere ronde",
    "mean_current": "gemiddelde latere ronde", "diff": "verschil (later min eerder, of na min voor)",
    "t": "t-waarde (Welch)", "df": "vrijheidsgraden", "p": "p-waarde", "p_adjusted": "p na Benjamini-Hochberg",
    "significant": "TRUE: significant na correctie (duidelijk)", "comparable": "TRUE: in beide rondes gelijk gevraagd",
    "adj_diff": "verschil gecorrigeerd voor samenstelling", "adj_ci_low": "ondergrens 95%-BI gecorrigeerd verschil",
    "adj_ci_high": "bovengrens 95%-BI gecorrigeerd verschil", "adj_p_adjusted": "p (BH) gecorrigeerd verschil",
    "adj_significant": "TRUE: gecorrigeerd verschil significant", "id": "id", "titel": "verbeteractie",
    "status": "status van de actie", "ronde_start": "eerste ronde na de start", "kind": "schaal of stelling",
    "indicator": "indicator (schaal- of stelling-id)", "measure": "mean = gemiddelde; pct_agree = % (helemaal) eens (0-100)",
    "round_before": "ronde voor de start", "n_before": "aantal voor", "before": "waarde voor",
    "round_after": "ronde na de start", "n_after": "aantal na", "after": "waarde na",
    "veld": "herkomstveld", "waarde": "waarde",
}


def write_tables(path, sheets: dict, *, small: str, about: str = "", extra=None, sheet_names=None) -> Path:
    """Write suppressed tables to one workbook (openpyxl), with a Toelichting sheet first.

    Parameters
    ----------
    path : str or Path
        ``.../tabellen.xlsx``.
    sheets : dict
        Sheet name -> :class:`Sheet`, or ``(DataFrame, columns emptied where suppressed)``.
    small : str
        The marker of hidden figures (``label_small(min_n)``).
    about : str
        A first sentence for the Toelichting (what the workbook belongs to).
    extra : callable, optional
        ``extra(wb) -> [(title, note), ...]`` adds sheets with their own layout (the banners);
        they go before ``Herkomst``, which stays last.
    sheet_names : list, optional
        Filled with the workbook's sheet titles in order.

    Returns
    -------
    Path
    """
    from openpyxl import Workbook

    wb = Workbook()
    guide = wb.active
    guide.title = TOELICHTING
    notes = [["", "", (about + " " if about else "") +
              f"Elk werkblad is één tabel uit het rapport. Cijfers zijn niet afgerond (Excel toont ze afgerond). "
              f"Een cijfer dat op te weinig respondenten rust, is onderdrukt: de cel is leeg en de kolom "
              f"‘{MARKER_HEADER}’ zegt dan {small}. Percentages staan als fractie met %-opmaak (0,45 = 45%)."]]
    for name, spec in sheets.items():
        title = re.sub(r"[\[\]:*?/\\]", "-", name)[:31]
        ws = wb.create_sheet(title=title)
        if isinstance(spec, Sheet):
            headers, formats, rows = _rows_of(spec, small=small)
            notes.append([title, "", spec.note])
            notes += [[title, c.header, c.note] for c in spec.columns if c.source in spec.data.columns]
            if spec.hidden_col in spec.data.columns:
                notes.append([title, MARKER_HEADER, f"{small} als een cijfer van deze rij onderdrukt is (lege cel)."])
        else:
            df, hide = spec
            headers, formats, rows = _legacy_rows(df, hide)
            notes.append([title, "", "Tabel van het trendrapport; kolomnamen zijn de vaste namen uit de code."])
            notes += [[title, h, LEGACY_NOTES.get(h, "")] for h in headers]
        _write_sheet(ws, headers, formats, rows)
    if extra is not None:
        for title, note in extra(wb):
            notes.append([title, "", note])
        if "Herkomst" in wb.sheetnames:
            wb.move_sheet("Herkomst", offset=len(wb.sheetnames) - 1 - wb.sheetnames.index("Herkomst"))
    _write_sheet(guide, ["Werkblad", "Kolom", "Uitleg"], [None, None, None], notes)
    guide.column_dimensions["C"].width = 100
    path = Path(path)
    wb.save(path)
    if sheet_names is not None:  # the caller's list gets the titles (no re-reading of the saved file)
        sheet_names[:] = wb.sheetnames
    return path


class SavesTables:
    """``save_tables`` for a report with ``out_dir``, ``small`` and ``excel_sheets()``."""

    def save_tables(self):
        """Write ``tabellen.xlsx`` (every table of the report, suppressed) to ``out_dir``."""
        if self.out_dir is None:
            return Paragraph("Geen uitvoermap opgegeven: tabellen niet opgeslagen.", "note")
        self.out_dir.mkdir(parents=True, exist_ok=True)
        sheets = self.excel_sheets()
        extra = getattr(self, "excel_extra", None) if getattr(self, "audience", None) is None else None
        names = []
        path = write_tables(self.out_dir / TABLES_XLSX, sheets, small=self.small,
                            about=getattr(self, "excel_about", ""), extra=extra, sheet_names=names)
        return Paragraph(f"Alle tabellen staan ook in {path.name}, met een toelichting op elk werkblad "
                         f"(werkbladen: {', '.join(names)}).", "note")


# ----------------------------------------------------------------------
# the round report's sheets
# ----------------------------------------------------------------------

_KIND = {"scale": "schaal", "item": "stelling", "answer": "antwoord", "missing": "ontbrekend (reden)"}
_CI = "95%-betrouwbaarheidsinterval"


def _compare_cols(g1: str, g2: str) -> list:
    return [
        Col("kind", "Soort", "text", "schaal of stelling"), Col("id", "Id", "text", "schaal- of stelling-id uit het codeboek"),
        Col("label", "Omschrijving", "text", "naam van de schaal of tekst van de stelling"),
        Col("n1", f"n {g1}", "int", f"aantal {g1} met een antwoord (leeg: onderdrukt)", hidden_count=True),
        Col("n2", f"n {g2}", "int", f"aantal {g2} met een antwoord (leeg: onderdrukt)", hidden_count=True),
        Col("mean1", f"Gem. {g1}", "mean", f"gemiddelde {g1}"), Col("mean2", f"Gem. {g2}", "mean", f"gemiddelde {g2}"),
        Col("diff", "Verschil", "coef", f"{g1} min {g2} (onafgerond)"),
        Col("cohen_d", "Cohens d", "coef", "effectgrootte van een schaal (verschil in standaarddeviaties)"),
        Col("rank_biserial", "r (rangbiserieel)", "coef", "effectgrootte van een stelling (-1 tot 1)"),
        Col("test", "Toets", "text", "Welch-t-toets (schalen) of Mann-Whitney-toets (stellingen); met weging: "
                                     "gewogen t-toets of gewogen rangtoets"),
        Col("statistic", "Toetsgrootheid", "stat", "t (Welch) of U van de eerste groep (Mann-Whitney)"),
        Col("p", "p", "p", "p-waarde van de toets"),
        Col("p_adj", "p (BH)", "p", "p na correctie voor het aantal toetsen (Benjamini-Hochberg)"),
        Col("significant", "Duidelijk verschil", "yesno", "ja: p (BH) < 0,05"),
        Col("zin", "Zin", "text", "de uitkomst in één zin, met de toets"),
    ]


def round_sheets(rep) -> dict:
    """Sheet name -> :class:`Sheet` of a :class:`~peo_lib.report.round.RoundReport` (Dutch headers)."""
    rs = rep.rnd.codebook
    dist = rep.distributions.drop(columns=["pct_rounded"])
    overview = rep.overview.assign(variable_label=rep.overview["variable"].map(rs.background_label))
    sheets = {
        "Respons": Sheet(overview, [
            Col("variable", "Kenmerk (id)", "text", "achtergrondvraag: de naam in het codeboek", keep=True),
            Col("variable_label", "Kenmerk", "text", "achtergrondvraag"),
            Col("category", "Categorie", "text", "antwoord"),
            Col("n", "n", "int", "aantal respondenten"), Col("pct", "%", "pct", "percentage van alle respondenten")],
            "Respondenten per categorie van elk achtergrondkenmerk in het codeboek (ook de kenmerken die de "
            "samenvatting niet toont)."),
        "Schalen": Sheet(rep.scales.assign(reliability_note=rep.reliability_notes), [
            Col("scale", "Schaal (id)", "text", "schaal-id uit het codeboek"), Col("label", "Schaal", "text", "naam"),
            Col("k", "Stellingen", "int", "aantal stellingen in de schaal", keep=True),
            Col("n", "n respondenten", "int", "aantal respondenten in de ronde"),
            Col("n_scored", "n met score", "int", "respondenten met genoeg ingevulde stellingen voor een score"),
            Col("mean", "Gemiddelde", "mean", "gemiddelde schaalscore"), Col("sd", "SD", "coef", "standaarddeviatie"),
            Col("ci_low", "95%-BI onder", "mean", f"ondergrens {_CI}"),
            Col("ci_high", "95%-BI boven", "mean", f"bovengrens {_CI}"),
            Col("alpha", "Cronbachs α", "coef", "betrouwbaarheid (0,70 of hoger: voldoende)"),
            Col("omega", "McDonalds ω", "coef", "betrouwbaarheid zonder gelijke gewichten (leeg zonder "
                "onderdrukking: niet te schatten, zie ‘Toelichting betrouwbaarheid’)"),
            Col("n_complete", "n (alles ingevuld)", "int", "respondenten die alle stellingen invulden (basis α)"),
            Col("reliability_note", "Toelichting betrouwbaarheid", "text",
                "waarom α of ω ontbreekt (niet te schatten; dat is geen privacybescherming)")],
            "Gemiddelde en betrouwbaarheid per schaal (alle respondenten)."),
        "Schalen per ervaring": Sheet(rep.scales_by_group, [
            Col("scale", "Schaal (id)", "text", "schaal-id"), Col("label", "Schaal", "text", "naam"),
            Col("group", "Groep", "text", "startend of ervaren"),
            Col("n", "n respondenten", "int", "respondenten in de groep"),
            Col("n_scored", "n met score", "int", "respondenten met een score"),
            Col("mean", "Gemiddelde", "mean", "gemiddelde schaalscore"), Col("sd", "SD", "coef", "standaarddeviatie"),
            Col("ci_low", "95%-BI onder", "mean", f"ondergrens {_CI}"),
            Col("ci_high", "95%-BI boven", "mean", f"bovengrens {_CI}")],
            "Schaalgemiddelden van startende en ervaren professionals.", values={"group": GROUP_LABELS}),
        "Antwoordverdeling": Sheet(dist, [
            Col("item", "Stelling (id)", "text", "stelling-id"), Col("text", "Stelling", "text", "tekst"),
            Col("kind", "Soort", "text", "antwoord, of een reden van ontbreken (niet in de basis)"),
            Col("code", "Code", "int", "antwoordcode", keep=True), Col("label", "Antwoord", "text", "antwoordlabel"),
            Col("n", "n", "int", "aantal met dit antwoord"), Col("base", "Basis", "int", "aantal geldige antwoorden"),
            Col("pct", "%", "pct", "percentage van de basis (antwoorden) of van iedereen die de vraag zag (redenen)")],
            "De verdeling van de antwoorden per stelling (alle respondenten).", values={"kind": _KIND}),
        "Startend vs ervaren": Sheet(rep.comparison, _compare_cols("startend", "ervaren"),
                                     "Startende tegen ervaren professionals op elke schaal en stelling, met de toetsen.",
                                     values={"kind": _KIND, "test": _TESTS}),
    }
    sheets["Thema"] = _theme_sheet(rep)
    if len(rep.scales_by_variable):
        sheets["Schalen per kenmerk"] = _by_variable_sheet(rep)
    if len(rep.multiple):
        sheets["Meer antwoorden"] = Sheet(rep.multiple, [
            Col("question", "Vraag (id)", "text", "id van de vraag in het codeboek"),
            Col("text", "Vraag", "text", "tekst"), Col("option", "Antwoord", "text", "antwoordmogelijkheid"),
            Col("n", "n", "int", "aantal dat dit antwoord aankruiste"),
            Col("base", "Basis", "int", "aantal dat de vraag zag (ten minste één cel van de vraag ingevuld)"),
            Col("pct", "%", "pct", "percentage van de basis (opgeteld meer dan 100%: meer antwoorden mogelijk)")],
            "Vragen waarbij meer dan één antwoord mogelijk was: per antwoord het deel van wie de vraag zag.")
    if rep.change is not None and not rep.change.empty:
        r1, r0 = rep.rnd.id, rep.previous.id
        sheets["Verandering"] = Sheet(rep.change, _compare_cols(r1, r0),
                                      f"De kernvragen van {r1} tegen de vorige ronde ({r0}), met de toetsen.",
                                      values={"kind": _KIND, "test": _TESTS})
    ans = rep.answers
    if len(ans):
        counted = (ans.groupby(["question", "question_text", "group", "answer"], sort=False, observed=True)
                   .size().reset_index(name="count"))
    else:
        counted = pd.DataFrame(columns=["question", "question_text", "group", "answer", "count"])
    sheets["Open antwoorden"] = Sheet(counted, [
        Col("question", "Vraag (id)", "text", "id van de open vraag"), Col("question_text", "Vraag", "text", "tekst"),
        Col("group", "Groep", "text", "van wie de antwoorden zijn"),
        Col("answer", "Antwoord", "text", "het antwoord, ontdaan van namen en andere persoonsgegevens"),
        Col("count", "Aantal", "int", "hoe vaak dit antwoord gegeven is")],
        "De open antwoorden (geschoond), elk verschillend antwoord één keer met zijn aantal.")
    from peo_lib.report.open_themes import round_report_sheets

    sheets.update(round_report_sheets(rep))
    sheets["Herkomst"] = Sheet(pd.DataFrame(list(rep.prov.items()), columns=["veld", "waarde"]), [
        Col("veld", "Veld", "text", "ronde, SHA-256 van codeboek en ruwe data, versie, git commit, tijd"),
        Col("waarde", "Waarde", "text", "de waarde")], "Waar dit bestand vandaan komt.")
    return sheets


def _theme_sheet(rep) -> Sheet:
    """The theme's statements: means and the % top-2 (the set's positive end) with the two answers it counts."""
    rs = rep.rnd.codebook
    th = rep.theme
    th = th.assign(top2_words=[top2_phrase(rs.response_set_of(i).ordered_labels) for i in th["item"]])
    return Sheet(th, [
        Col("item", "Stelling (id)", "text", "stelling-id"), Col("text", "Stelling", "text", "tekst"),
        Col("n_valid", "n", "int", "geldige antwoorden"), Col("mean", "Gemiddelde", "mean", "gemiddelde"),
        Col("sd", "SD", "coef", "standaarddeviatie"), Col("ci_low", "95%-BI onder", "mean", f"ondergrens {_CI}"),
        Col("ci_high", "95%-BI boven", "mean", f"bovengrens {_CI}"),
        Col("top2_n", "n top-2", "int", "aantal in de twee antwoorden aan de positieve kant van de "
            "antwoordschaal (bij eens-stellingen: (helemaal) eens; de kant staat als ‘positive’ in het codeboek)"),
        Col("top2_pct", "% top-2", "pct", "aandeel van de geldige antwoorden in die twee antwoorden"),
        Col("top2_words", "Top-2", "text", "welke twee antwoorden de top-2 zijn", keep=True),
        Col("top2_ci_low", "95%-BI onder (%)", "pct", "ondergrens (Wilson) van dat aandeel"),
        Col("top2_ci_high", "95%-BI boven (%)", "pct", "bovengrens (Wilson) van dat aandeel")],
        f"De stellingen van het thema van deze ronde ({rs.theme}).")


def _by_variable_sheet(rep) -> Sheet:
    """Scale means per group of every categorical background variable (:attr:`RoundReport.scales_by_variable`)."""
    rs = rep.rnd.codebook
    by_var = rep.scales_by_variable
    return Sheet(
        by_var.assign(variable_label=by_var["variable"].map(rs.background_label)), [
            Col("variable", "Kenmerk (id)", "text", "achtergrondvraag: de naam in het codeboek", keep=True),
            Col("variable_label", "Kenmerk", "text", "achtergrondvraag"),
            Col("scale", "Schaal (id)", "text", "schaal-id"), Col("label", "Schaal", "text", "naam"),
            Col("group", "Groep", "text", "categorie van het kenmerk"),
            Col("n_scored", "n met score", "int",
                "respondenten met een score (de groepsgrootte staat in ‘Respons’)"),
            Col("mean", "Gemiddelde", "mean", "gemiddelde schaalscore"), Col("sd", "SD", "coef", "standaarddeviatie"),
            Col("ci_low", "95%-BI onder", "mean", f"ondergrens {_CI}"),
            Col("ci_high", "95%-BI boven", "mean", f"bovengrens {_CI}")],
        "Schaalgemiddelden per categorie van elk achtergrondkenmerk (behalve ervaring: zie ‘Schalen per "
        "ervaring’); kleine groepen onderdrukt, per kenmerk en schaal.")
