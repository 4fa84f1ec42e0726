"""Real survey exports through the real CLI (issue 11).

Every folder under ``tests/data/real/`` is a data dir (``codebooks/ROUND.yml`` and
``raw/<file>``) holding one export nobody here wrote, with a ``SOURCE`` file naming the
repository, path, commit, SHA-256 and licence. For each folder this module

* checks that the raw bytes are the published ones (SHA-256 in SOURCE), before and after
  every command;
* runs ``peo check ROUND`` and ``peo report ROUND`` as a user would
  (``python -m peo_lib ... --data-dir DIR --out TMP``) and requires both to succeed
  without a traceback;
* requires that no identifying column (IP address, response id, e-mail, location) shows
  up in any output (HTML, every cell of tabellen.xlsx, the executed notebook);
* recomputes 2-4 numbers per file straight from the raw file with pyreadstat, csv or
  openpyxl (never peo_lib) and compares them with ``tabellen.xlsx``;
* compares the same numbers with the round as the data layer loads it
  (``load_round`` + ``score_scales``, no report): that test isolates the loaders from
  the report layer (numbers that depend on the report's reading of a response set, such
  as the "% (helemaal) eens" column, are only checked in ``tabellen.xlsx``).

The expected numbers follow the codebook: missing codes and blanks are left out of the
base, scale scores are the mean of the valid items after reversing (min + max - code)
when at least ``min_valid`` items are valid. Where the codebook declares a set whose
positive end is code 1 ("Very reasonable" ... "Not at all reasonable"), the
"% (helemaal) eens" column (``top2_pct``) is expected to count the two positive answers.

One ``peo check`` and one ``peo report`` run per folder are shared by all tests of that
folder, also across xdist workers (``Runner`` keeps them in a folder shared by the
workers, under a file lock).

The loader fixes of issue 11 (no respondent id, Qualtrics vintages, SPSS user-missing,
response sets with other wording, LimeSurvey codes and whitespace, SurveyMonkey header
rows) and the report layer's part (every background variable in "Respons" with its codebook
key in "Kenmerk (id)", the positive end of a response set, multiple-response questions in
"Meer antwoorden") are checked here. None of the tests is skipped.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from peo_lib.fileio import file_lock

REAL = Path(__file__).resolve().parent / "data" / "real"
ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted(p.name for p in REAL.iterdir() if (p / "SOURCE").is_file()) if REAL.is_dir() else []
FOLDERS = [pytest.param(n, id=n) for n in CORPUS]
TIMEOUT = 900


# -- the folders ---------------------------------------------------------------------

def _source(name: str) -> dict:
    """The ``key: value`` lines of a folder's SOURCE file."""
    out = {}
    for line in (REAL / name / "SOURCE").read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and " " not in key.strip():
            out[key.strip()] = value.strip()
    return out


def _codebook_path(name: str) -> Path:
    (path,) = sorted((REAL / name / "codebooks").glob("*.yml"))
    return path


def _round(name: str) -> str:
    return _codebook_path(name).stem


def _codebook(name: str) -> dict:
    return yaml.safe_load(_codebook_path(name).read_text(encoding="utf-8"))


def _raw(name: str) -> Path:
    return REAL / name / "raw" / _codebook(name)["source"]["file"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- running the CLI once per folder ----------------------------------------------------

@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def message(self) -> str:
        lines = [s for s in (self.stderr.strip() or self.stdout.strip()).splitlines() if s.strip()]
        return lines[-1] if lines else "(no output)"


@dataclass
class Runner:
    """Runs ``peo check`` / ``peo report`` once per folder for the whole session.

    Results are stored as JSON beside the outputs in a folder shared by all xdist workers
    of this run (``--dist loadgroup`` is not relied on), under a per-folder file lock.
    """

    root: Path

    def _peo(self, *args) -> Run:
        proc = subprocess.run([sys.executable, "-m", "peo_lib", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=TIMEOUT, check=False)
        return Run(proc.returncode, proc.stdout, proc.stderr)

    def _once(self, name: str, what: str, *args) -> Run:
        result = self.root / f"{name}.{what}.json"
        with file_lock(self.root / f"{name}.{what}.lock"):
            if not result.is_file():
                run = self._peo(what, _round(name), "--data-dir", str(REAL / name), *args)
                result.write_text(json.dumps(run.__dict__), encoding="utf-8")
        return Run(**json.loads(result.read_text(encoding="utf-8")))

    def check(self, name: str) -> Run:
        return self._once(name, "check")

    def report(self, name: str) -> tuple[Run, Path]:
        out = self.root / name
        return self._once(name, "report", "--out", str(out)), out / _round(name)

    def outputs(self, name: str) -> Path:
        """The round's output folder; fails the test (with peo's message) when the report failed."""
        run, folder = self.report(name)
        if run.returncode != 0:
            pytest.fail(f"peo report {_round(name)} failed (exit {run.returncode}): {run.message}", pytrace=False)
        return folder


@pytest.fixture(scope="session")
def runner(tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    root = shared / "real-corpus"
    root.mkdir(exist_ok=True)
    return Runner(root)


# -- reading the outputs -------------------------------------------------------------

def _sheet(folder: Path, title: str) -> list[dict]:
    import openpyxl

    wb = openpyxl.load_workbook(folder / "tabellen.xlsx", read_only=True, data_only=True)
    if title not in wb.sheetnames:
        pytest.fail(f"tabellen.xlsx has no sheet {title!r} (sheets: {wb.sheetnames})", pytrace=False)
    rows = [r for r in wb[title].iter_rows(values_only=True) if any(v is not None for v in r)]
    wb.close()
    header = [_HEADER_KEYS.get(h, h) for h in (rows[0] if rows else ())]
    out = []
    for r in rows[1:]:
        rec = dict(zip(header, r))
        for key, shown in _SHOWN_VALUES.items():
            if rec.get(key) in shown:
                rec[key] = shown[rec[key]]
        for key in _PERCENT_KEYS:  # Excel holds a percentage as a fraction with a 0% format
            if isinstance(rec.get(key), (int, float)):
                rec[key] = 100 * rec[key]
        out.append(rec)
    return out


#: The Dutch headers of tabellen.xlsx (as a researcher reads them) -> the keys the expectations use.
_HEADER_KEYS = {"Kenmerk (id)": "variable", "Kenmerk": "variable_label", "Categorie": "category", "%": "pct",
                "Schaal (id)": "scale", "n respondenten": "n", "Gemiddelde": "mean", "Stelling (id)": "item",
                "% top-2": "top2_pct", "Groep": "group", "Soort": "kind", "Code": "code", "Vraag (id)": "question",
                "Antwoord": "option", "Basis": "base"}
_PERCENT_KEYS = ("pct", "top2_pct")
#: Values shown in Dutch -> the codebook's values (the Respons sheet names each variable by its codebook
#: key in "Kenmerk (id)", beside its label in "Kenmerk").
_SHOWN_VALUES = {"group": {"Startend": "startend", "Ervaren": "ervaren"},
                 "kind": {"antwoord": "answer"}}


def _one(rows: list[dict], what: str, **where) -> dict:
    hits = [r for r in rows if all(r.get(k) == v for k, v in where.items())]
    if len(hits) != 1:
        pytest.fail(f"{what}: expected one row with {where}, found {len(hits)}", pytrace=False)
    return hits[0]


REPORT_ONLY = object()  # a number of the report layer (not computed from the loaded round)


class _Row(dict):
    """A row of numbers from the loaded round; keys the data layer does not compute give REPORT_ONLY."""

    def __missing__(self, key):
        return REPORT_ONLY


class Loaded:
    """The numbers of the expectations, from the round as ``load_round`` reads it (no report, no tabellen.xlsx)."""

    def __init__(self, name: str):
        from peo_lib import load_round, score_scales

        self.rnd = load_round(_codebook_path(name), raw_dir=REAL / name / "raw")
        self.scores = score_scales(self.rnd)

    def answer_pct(self, item, code):
        valid = self.rnd.items[item].dropna()
        return 100 * float((valid == code).mean())

    def scale(self, scale):
        return _Row(n=self.rnd.n, mean=float(self.scores[scale].mean()))

    def theme(self, item):
        return _Row(mean=float(self.rnd.items[item].mean()))

    def group(self, group, scale):
        return _Row(n=int((self.rnd.background["ervaringsgroep"] == group).sum()))

    def respons(self, variable, category):
        n = int((self.rnd.background[variable] == category).sum())
        return _Row(n=n, pct=100 * n / self.rnd.n)

    def multi(self, question, option):
        data = self.rnd.multiple_response[question]
        seen = data.notna().all(axis=1)
        return _Row(base=int(seen.sum()), pct=100 * float(data.loc[seen, option].mean()))


def _answer_pct(folder, item, code):
    if isinstance(folder, Loaded):
        return folder.answer_pct(item, code)
    return _one(_sheet(folder, "Antwoordverdeling"), "Antwoordverdeling", item=item, kind="answer", code=code)["pct"]


def _scale(folder, scale):
    if isinstance(folder, Loaded):
        return folder.scale(scale)
    return _one(_sheet(folder, "Schalen"), "Schalen", scale=scale)


def _theme(folder, item):
    if isinstance(folder, Loaded):
        return folder.theme(item)
    return _one(_sheet(folder, "Thema"), "Thema", item=item)


def _group(folder, group, scale):
    if isinstance(folder, Loaded):
        return folder.group(group, scale)
    return _one(_sheet(folder, "Schalen per ervaring"), "Schalen per ervaring", group=group, scale=scale)


def _respons(folder, variable, category):
    if isinstance(folder, Loaded):
        return folder.respons(variable, category)
    return _one(_sheet(folder, "Respons"), "Respons", variable=variable, category=category)


def _multi(folder, question, option):
    if isinstance(folder, Loaded):
        return folder.multi(question, option)
    return _one(_sheet(folder, "Meer antwoorden"), "Meer antwoorden", question=question, option=option)


def _output_texts(folder: Path) -> dict[str, str]:
    """Every text a reader can see: HTML files, all cells of the workbooks, the notebook."""
    import openpyxl

    texts = {}
    for p in sorted(folder.rglob("*.html")):
        texts[p.name] = p.read_text(encoding="utf-8")
    for p in sorted(folder.rglob("*.xlsx")):
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
        cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
                 if v is not None]
        wb.close()
        texts[p.name] = "\n".join(cells)
    for p in sorted(folder.rglob("*.ipynb")):
        texts[p.name] = json.dumps(json.loads(p.read_text(encoding="utf-8")), ensure_ascii=False)
    return texts


# -- independent readers of the raw files (pyreadstat / csv / openpyxl, never peo_lib) ---

def _csv_rows(path: Path, *, encoding="utf-8-sig", skip=0) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of a CSV; ``skip`` extra header rows after the first; blank lines dropped."""
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding))))
    header, data = rows[0], rows[1 + skip:]
    return header, [r for r in data if any(c.strip() for c in r)]


def _col(header, data, name, *, prefix=False):
    j = next(k for k, h in enumerate(header) if (h.startswith(name) if prefix else h.strip() == name))
    return [r[j].strip() if j < len(r) else "" for r in data]


def _sav(path: Path):
    import pyreadstat

    df, _ = pyreadstat.read_sav(str(path), user_missing=True)
    return df


def _xlsx(path: Path):
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return [str(h) for h in rows[0]], [list(r) for r in rows[1:]]


def _codes(values, mapping: dict, missing=()):
    """Cells -> float codes; blank and missing codes/labels -> None."""
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip()):
            out.append(None)
            continue
        key = v.strip() if isinstance(v, str) else float(v)
        if key in missing:
            out.append(None)
        elif key in mapping:
            out.append(float(mapping[key]))
        else:
            raise AssertionError(f"unexpected raw value {v!r}")
    return out


def _pct(codes, code) -> float:
    valid = [c for c in codes if c is not None]
    return 100 * sum(c == code for c in valid) / len(valid)


def _pct_in(codes, wanted) -> float:
    valid = [c for c in codes if c is not None]
    return 100 * sum(c in wanted for c in valid) / len(valid)


def _mean(codes) -> float:
    return statistics.fmean(c for c in codes if c is not None)


def _scale_mean(columns, *, min_valid, reverse=(), lo=1, hi=5):
    """Mean over respondents of the mean of their valid items (reversed as lo + hi - code)."""
    scores = []
    for k in range(len(columns[0])):
        vals = []
        for j, col in enumerate(columns):
            c = col[k]
            if c is not None:
                vals.append(lo + hi - c if j in reverse else c)
        if len(vals) >= min_valid:
            scores.append(statistics.fmean(vals))
    return len(scores), statistics.fmean(scores)


approx = pytest.approx


# -- what must not leak, per folder ----------------------------------------------------

def _identifying(name: str) -> tuple[list[str], list[str]]:
    """(column headers, cell values) of identifying columns in the raw file.

    Values shorter than 5 characters (small case numbers) are not searched for: they
    occur in any table of counts.
    """
    raw = _raw(name)
    heads, values = [], set()
    if name in ("qualtrics2016_nobasis",):
        header, data = _csv_rows(raw, skip=2)
        cols = ["ResponseID", "IPAddress", "RecipientEmail", "LocationLatitude", "LocationLongitude"]
    elif name == "qualtrics_legacy_nobasis":
        header, data = _csv_rows(raw, skip=1)
        cols = ["V1", "V5", "V6", "LocationLatitude", "LocationLongitude"]  # ResponseID, EmailAddress, IPAddress
        heads += ["EmailAddress", "IPAddress"]
    elif name in ("fivethirtyeight_comma",):
        header, data = _csv_rows(raw)
        cols = ["RespondentID"]
    elif name == "surveymonkey_starwars":
        header, data = _csv_rows(raw, encoding="cp1252", skip=1)
        cols = ["RespondentID"]
    elif name.startswith("limesurvey"):
        header, data = _csv_rows(raw)
        cols = [h for h in header if h.split(".")[0] in ("seed", "ipaddr", "token", "email")]
    else:
        return [], []
    for c in cols:
        if c in header:
            if c in ("IPAddress", "RecipientEmail", "LocationLatitude", "LocationLongitude"):
                heads.append(c)
            values.update(v for v in _col(header, data, c) if len(v) >= 5)
    return heads, sorted(values)


# -- the independent numbers, per folder ---------------------------------------------

def _expect_pspp_hotel(raw, out):
    df = _sav(raw)
    cols = [[None if math.isnan(v) else float(v) for v in df[c]] for c in ("v1", "v2", "v3", "v4", "v5")]
    _, mean = _scale_mean(cols, min_valid=3, reverse=(2, 4))
    return [
        ("respondents", lambda: _scale(out, "tevredenheid")["n"], len(df)),
        ("scale mean tevredenheid (v3, v5 reversed)", lambda: _scale(out, "tevredenheid")["mean"], approx(mean)),
        ("% Agree on v1", lambda: _answer_pct(out, "HOT01", 4), approx(_pct(cols[0], 4.0))),
    ]


def _expect_pspp_nhtsa_2008(raw, out):
    df = _sav(raw)
    age = [float(v) for v in df["age"]]
    valid_age = [a for a in age if a not in (998.0, 999.0)]  # declared user-missing in the .sav
    eff01 = _codes(df["effectivenessPoliceEfforts"], {float(c): c for c in range(1, 6)}, missing={6.0, 7.0})
    pen01 = _codes(df["support1stTimeSuspensionOfLicense"], {float(c): c for c in range(1, 6)}, missing={6.0, 7.0})
    female = 100 * sum(df["gender"] == 2) / len(df)
    return [
        ("respondents", lambda: _scale(out, "effectiviteit")["n"], len(df)),
        ("'ervaren' = age 26-86 (998/999 are user-missing)", lambda: _group(out, "ervaren", "effectiviteit")["n"],
         sum(a > 25 for a in valid_age)),
        ("% Very effective, police efforts", lambda: _answer_pct(out, "EFF01", 1), approx(_pct(eff01, 1.0))),
        ("'% (helemaal) eens' of 'suspend license' = % very or somewhat reasonable",
         lambda: _theme(out, "PEN01")["top2_pct"], approx(_pct_in(pen01, {1.0, 2.0}))),
        ("% Female (background geslacht)", lambda: _respons(out, "geslacht", "Female")["pct"], approx(female)),
    ]


def _expect_reporttool_epsi_sav(raw, out):
    df = _sav(raw)
    ten = {float(c): c for c in range(1, 11)}
    miss = {11.0, 98.0}
    q3 = _codes(df["q3"], ten, miss)
    image = [_codes(df[c], ten, miss) for c in ("q4a", "q4b", "q4c", "q4d", "q4e")]
    _, image_mean = _scale_mean(image, min_valid=3, lo=1, hi=10)
    return [
        ("respondents", lambda: _scale(out, "image")["n"], len(df)),
        ("% 10 on overall satisfaction q3", lambda: _answer_pct(out, "TIL01", 10), approx(_pct(q3, 10.0))),
        ("scale mean image (q4a-q4e, 98 missing)", lambda: _scale(out, "image")["mean"], approx(image_mean)),
        ("mean of q10 (theme item)", lambda: _theme(out, "LOJ01")["mean"], approx(_mean(_codes(df["q10"], ten, miss)))),
    ]


def _expect_qualtrics(raw, out, *, skip):
    header, data = _csv_rows(raw, skip=skip)
    like = {"1": 1, "2": 2, "3": 3}
    veg = [_codes(_col(header, data, f"Q3_{k}"), like, missing={"-1"}) for k in (1, 2, 3, 4)]
    vgt1 = _codes(_col(header, data, "Q4_1"), like, missing={"-1", "-2"})
    _, mean = _scale_mean(veg, min_valid=2, lo=1, hi=3)
    q2 = [_col(header, data, f"Q2_{k}") for k in (("1", "2", "3", "-1", "-2") if skip == 2 else range(1, 6))]
    saw_q2 = [any(col[r] for col in q2) for r in range(len(data))]  # 1 = ticked, blank = not ticked
    tolerable = 100 * sum(q2[1][r] == "1" for r in range(len(data)) if saw_q2[r]) / sum(saw_q2)
    return [
        ("respondents", lambda: _scale(out, "groenten_afkeer")["n"], len(data)),
        ("% Like squash (Q3_1)", lambda: _answer_pct(out, "VEG01", 1), approx(_pct(veg[0], 1.0))),
        ("scale mean groenten_afkeer", lambda: _scale(out, "groenten_afkeer")["mean"], approx(mean)),
        ("mean of Q4_1 (theme item)", lambda: _theme(out, "VGT01")["mean"], approx(_mean(vgt1))),
        ("% 'Squash are tolerable' of who ticked any option of Q2 (multiple response)",
         lambda: _multi(out, "SQUASH_VIEWS", "Squash are tolerable")["pct"], approx(tolerable)),
    ]


def _expect_qualtrics2016_nobasis(raw, out):
    return _expect_qualtrics(raw, out, skip=2)


def _expect_qualtrics_legacy_nobasis(raw, out):
    return _expect_qualtrics(raw, out, skip=1)


def _expect_limesurvey_n2_codes(raw, out):
    header, data = _csv_rows(raw)
    a5 = {f"A{k}": k for k in range(1, 6)}
    sat01 = _codes(_col(header, data, "C1[SQ001]"), a5, missing={"A6", "A7"})
    sup01 = _codes(_col(header, data, "E7a[SQ001]"), a5, missing={"A6", "A7"})
    women = sum(v == "A1" for v in _col(header, data, "A6"))
    return [
        ("respondents", lambda: _scale(out, "tevredenheid")["n"], len(data)),
        ("% Very satisfied with supervision (C1[SQ001] = A1)", lambda: _answer_pct(out, "SAT01", 1),
         approx(_pct(sat01, 1.0))),
        ("mean of E7a[SQ001] (theme item)", lambda: _theme(out, "SUP01")["mean"], approx(_mean(sup01))),
        ("women (A6 = A1, background gender)", lambda: _respons(out, "gender", "Woman")["n"], women),
    ]


def _expect_limesurvey_n2_fulltext(raw, out):
    header, data = _csv_rows(raw)
    sat = {"Very dissatisfied": 1, "Dissatisfied": 2, "Neither/nor": 3, "Satisfied": 4, "Very satisfied": 5}
    sat01 = _codes(_col(header, data, "C1[SQ001].", prefix=True), sat,
                   missing={"Does not apply", "I don’t want to answer this question"})
    stai = {"Not at all": 1, "Somewhat": 2, "Moderately": 3, "Very much": 4}
    d1 = [_codes(_col(header, data, f"D1[SQ00{k}].", prefix=True), stai) for k in range(1, 7)]
    _, stai_mean = _scale_mean(d1, min_valid=4, reverse=(0, 3, 4), lo=1, hi=4)
    freq = {"Never": 1, "Rarely": 2, "Sometimes": 3, "Always": 4}
    wfh03 = _codes(_col(header, data, "B11[SQ004].", prefix=True), freq, missing={"I don't know"})
    return [
        ("respondents", lambda: _scale(out, "tevredenheid")["n"], len(data)),
        ("% Very dissatisfied with supervision", lambda: _answer_pct(out, "SAT01", 1), approx(_pct(sat01, 1.0))),
        ("scale mean angst (calm, relaxed, content reversed)", lambda: _scale(out, "angst")["mean"], approx(stai_mean)),
        ("mean of B11[SQ004] (theme item)", lambda: _theme(out, "WFH03")["mean"], approx(_mean(wfh03))),
    ]


def _expect_fivethirtyeight_comma(raw, out):
    header, data = _csv_rows(raw)
    care = {"Not at all": 1, "Not much": 2, "Some": 3, "A lot": 4}
    com02 = _codes(_col(header, data, "How much, if at all, do you care about the use", prefix=True), care)
    dat02 = _codes(_col(header, data, "How much, if at all, do you care about the debate", prefix=True), care)
    return [
        ("respondents", lambda: _scale(out, "taalzorg")["n"], len(data)),
        ("% A lot (care about the Oxford comma)", lambda: _answer_pct(out, "COM02", 4), approx(_pct(com02, 4.0))),
        ("mean care about 'data' debate (theme item)", lambda: _theme(out, "DAT02")["mean"], approx(_mean(dat02))),
        ("women (background gender)", lambda: _respons(out, "gender", "Female")["n"],
         sum(v == "Female" for v in _col(header, data, "Gender"))),
    ]


def _expect_surveymonkey_starwars(raw, out):
    header, data = _csv_rows(raw, encoding="cp1252", skip=1)
    fav = {"Very unfavorably": 1, "Somewhat unfavorably": 2, "Neither favorably nor unfavorably (neutral)": 3,
           "Somewhat favorably": 4, "Very favorably": 5}
    han = _codes([r[15] for r in data], fav, missing={"Unfamiliar (N/A)"})
    films = [[r[j].strip() for r in data] for j in range(3, 9)]  # one column per film: its title or blank
    saw = [any(f[r] for f in films) for r in range(len(data))]
    jarjar = _codes([r[26] for r in data], fav, missing={"Unfamiliar (N/A)"})
    return [
        ("respondents", lambda: _scale(out, "helden")["n"], len(data)),
        ("% Very favorably, Han Solo", lambda: _answer_pct(out, "FAV_HAN", 5), approx(_pct(han, 5.0))),
        ("mean view of Jar Jar Binks (theme item)", lambda: _theme(out, "FAV_JARJAR")["mean"], approx(_mean(jarjar))),
        ("women (background gender)", lambda: _respons(out, "gender", "Female")["n"],
         sum(v == "Female" for v in _col(header, data, "Gender"))),
        ("who ticked any film (base of the multiple-response question)",
         lambda: _multi(out, "FILMS_SEEN", "Star Wars: Episode V The Empire Strikes Back")["base"], sum(saw)),
        ("% seen Episode V of who ticked any film",
         lambda: _multi(out, "FILMS_SEEN", "Star Wars: Episode V The Empire Strikes Back")["pct"],
         approx(100 * sum(bool(films[4][r]) for r in range(len(data)) if saw[r]) / sum(saw))),
    ]


def _expect_springernature_xlsx(raw, out):
    header, data = _xlsx(raw)
    j = header.index
    imp = _codes([r[j("How important is it to you that your data are discoverable?")] for r in data],
                 {float(c): c for c in range(1, 11)})
    srv01 = _codes([r[j("How interested would you be in a service that helps you deposit your data in a repository?")]
                    for r in data], {float(c): c for c in range(11)})
    medical = sum(r[j("What subject area do your data relate to?")] == "Medical Sciences" for r in data)
    return [
        ("respondents", lambda: _scale(out, "interesse_diensten")["n"], len(data)),
        ("% 10 on importance of discoverability", lambda: _answer_pct(out, "DIS01", 10), approx(_pct(imp, 10.0))),
        ("mean interest in a deposit service (0-10, theme item)", lambda: _theme(out, "SRV01")["mean"],
         approx(_mean(srv01))),
        ("Medical Sciences (background vakgebied)", lambda: _respons(out, "vakgebied", "Medical Sciences")["n"],
         medical),
    ]


def _expect_discovr_raq(raw, out):
    header, data = _csv_rows(raw)
    five = {str(c): c for c in range(1, 6)}
    stat_items = ["raq_01", "raq_03", "raq_04", "raq_05", "raq_12", "raq_16", "raq_20", "raq_21"]
    stats_cols = [_codes(_col(header, data, c), five) for c in stat_items]
    _, stat_mean = _scale_mean(stats_cols, min_valid=6, reverse=(1,))
    return [
        ("respondents (the id column repeats: case numbers)", lambda: _scale(out, "statistiek")["n"], len(data)),
        ("scale mean statistiek (raq_03 reversed)", lambda: _scale(out, "statistiek")["mean"], approx(stat_mean)),
        ("% Agree, raq_01", lambda: _answer_pct(out, "RAQ01", 4), approx(_pct(stats_cols[0], 4.0))),
        ("mean of raq_02 (theme item)", lambda: _theme(out, "RAQ02")["mean"],
         approx(_mean(_codes(_col(header, data, "raq_02"), five)))),
    ]


EXPECTATIONS = {name[len("_expect_"):]: f for name, f in globals().items() if name.startswith("_expect_")
                and name[len("_expect_"):] in CORPUS}


# -- the tests -------------------------------------------------------------------------

def test_corpus_is_complete():
    """At least 10 exports from at least 5 tools or vintages, each with SOURCE and one codebook."""
    assert len(CORPUS) >= 10, CORPUS
    tools = {_source(n)["tool_vintage"].split("(")[0].split(",")[0].strip() for n in CORPUS}
    assert len(tools) >= 5, tools
    assert set(EXPECTATIONS) == set(CORPUS), "every corpus folder needs its independent numbers"


@pytest.mark.parametrize("name", FOLDERS)
def test_source_names_the_raw_file_and_its_sha256(name):
    src = _source(name)
    for key in ("sha256", "repository", "path", "commit", "licence"):
        assert src.get(key), f"SOURCE lacks {key}"
    raw = _raw(name)
    assert src["file"] == f"raw/{raw.name}"
    assert [p.name for p in (REAL / name / "raw").iterdir()] == [raw.name]
    assert _sha256(raw) == src["sha256"], "raw bytes differ from the published file"
    assert raw.stat().st_size < 2_000_000


@pytest.mark.parametrize("name", FOLDERS)
def test_peo_check_passes(runner, name):
    run = runner.check(name)
    assert "Traceback" not in run.stderr + run.stdout
    assert run.returncode == 0, f"peo check {_round(name)} failed: {run.message}"
    assert "respondents" in run.stdout
    assert _sha256(_raw(name)) == _source(name)["sha256"]


@pytest.mark.notebook
@pytest.mark.parametrize("name", FOLDERS)
def test_peo_report_passes_and_leaves_raw_bytes_unchanged(runner, name):
    run, folder = runner.report(name)
    assert "Traceback" not in run.stderr + run.stdout
    assert _sha256(_raw(name)) == _source(name)["sha256"], "peo report changed the raw file"
    assert run.returncode == 0, f"peo report {_round(name)} failed: {run.message}"
    for f in ("samenvatting.html", "tabellen.xlsx", "ronde.ipynb"):
        assert (folder / f).is_file(), f"no {f}"


@pytest.mark.notebook
@pytest.mark.parametrize("name", FOLDERS)
def test_no_identifying_column_in_any_output(runner, name):
    folder = runner.outputs(name)
    heads, values = _identifying(name)
    leaks = []
    for fname, text in _output_texts(folder).items():
        leaks += [f"{fname}: column {h!r}" for h in heads if h in text]
        leaks += [f"{fname}: value {v!r}" for v in values if v in text]
    assert leaks == [], leaks[:10]


@pytest.mark.notebook
@pytest.mark.parametrize("name", FOLDERS)
def test_tables_match_numbers_computed_from_the_raw_file(runner, name):
    folder = runner.outputs(name)
    wrong = []
    for what, get, expected in EXPECTATIONS[name](_raw(name), folder):
        try:
            got = get()
        except pytest.fail.Exception as exc:  # the row or sheet is not there
            wrong.append(f"{what}: {exc}")
            continue
        if got != expected:
            wanted = getattr(expected, "expected", expected)
            wrong.append(f"{what}: tabellen.xlsx has {got!r}, the raw file gives {wanted!r}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("name", FOLDERS)
def test_loaded_round_matches_numbers_computed_from_the_raw_file(name):
    """The data layer alone (load_round, score_scales) gives the independent numbers (report-only ones skipped)."""
    loaded = Loaded(name)
    wrong, checked = [], 0
    for what, get, expected in EXPECTATIONS[name](_raw(name), loaded):
        got = get()
        if got is REPORT_ONLY:
            continue
        checked += 1
        if got != expected:
            wanted = getattr(expected, "expected", expected)
            wrong.append(f"{what}: the loaded round has {got!r}, the raw file gives {wanted!r}")
    assert checked >= 2
    assert wrong == [], "\n".join(wrong)
    assert _sha256(_raw(name)) == _source(name)["sha256"]


def test_scale_figure_of_a_round_without_experience_draws_no_empty_groups(tmp_path):
    """FiveThirtyEight's poll asks no years of experience: the scale chart shows everyone, and no
    starters/experienced marked "n<5" (which would read as a privacy suppression)."""
    import shutil
    import warnings

    from peo_lib.report.round import build_report

    for part in ("codebooks", "raw"):
        shutil.copytree(REAL / "fivethirtyeight_comma" / part, tmp_path / part)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = build_report("2033-2", data_dir=tmp_path, audience="onderwijs")
    alt = rep.scale_figure().alt
    assert "alle respondenten 2,6" in alt  # from the raw file with pandas: mean 2.588 over 1,091 respondents
    assert "Startend" not in alt and "Ervaren" not in alt and rep.small not in alt
