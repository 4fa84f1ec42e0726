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

from peo_lib.data.demo import (CIJFER10, CIJFER10_MISSING, EENS5, EENS5_MISSING, FUNCTIES, GEMEENTEN, GRADE_ITEM,
                               ORGANISATIES, THEMES, VAAK5, _fieldwork, _question_texts, _RoundSpec)

__all__ = ["WRITERS"]


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
