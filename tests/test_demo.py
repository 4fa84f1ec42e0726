"""The synthetic demo rounds: deterministic, loadable, and with the planted effects.

The effects planted by ``peo_lib.data.demo`` (see its module docstring) must be
recovered from the *loaded* data, through the same loaders and scoring as a
real round. Tolerances are wide enough for sampling error at n of about 200
per round but fail when an effect is absent or reversed.
"""

from __future__ import annotations

import re
import time

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from peo_lib.data import demo
from peo_lib import load_round
from peo_lib import score_scales
from peo_lib.data.codebook import compare_codebooks
from peo_lib.errors import PEOError

CORE_SCALES = ["professionele_ruimte", "werkplezier", "intentie_om_te_blijven", "regels_en_eisen",
               "ervaren_werkdruk"]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(\+31|\b0)[\s()0-]*\d(?:[\s-]?\d){7,}")


def _files(root):
    """What `peo demo` wrote (not what later report runs store beside it: the rounds' value counts)."""
    from peo_lib.paths import DISTRIBUTIONS_DIR

    return {rel: p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not (rel := p.relative_to(root).as_posix()).startswith(DISTRIBUTIONS_DIR + "/")}


@pytest.fixture(scope="module")
def rounds(demo_dir):
    return {r: load_round(demo_dir / "codebooks" / f"{r}.yml") for r in demo.ROUND_IDS}


@pytest.fixture(scope="module")
def scores(rounds):
    """Scale scores of every round stacked, with round and experience group."""
    parts = []
    for r, rnd in rounds.items():
        s = score_scales(rnd)
        s["round"] = r
        s["groep"] = rnd.background["ervaringsgroep"]
        parts.append(s)
    return pd.concat(parts)


# -- files and determinism -------------------------------------------------------------------

def test_round_ids_are_six_half_years_in_order():
    assert demo.ROUND_IDS[:6] == ["2020-2", "2021-1", "2021-2", "2022-1", "2022-2", "2023-1"]
    assert demo.ROUND_IDS == sorted(demo.ROUND_IDS)


def test_writes_codebooks_raw_files_and_register(demo_dir):
    for r in demo.ROUND_IDS:
        assert (demo_dir / "codebooks" / f"{r}.yml").is_file()
    text = (demo_dir / "codebooks" / "2021-1.yml").read_text(encoding="utf-8")
    assert 'round: "2021-1"' in text  # round ids quoted
    assert len(list((demo_dir / "raw").iterdir())) == len(demo.ROUND_IDS)
    register = yaml.safe_load((demo_dir / "verbeteracties.yml").read_text(encoding="utf-8"))
    assert 2 <= len(register) <= 3
    for action in register:
        assert list(action) == ["id", "titel", "ronde_start", "eigenaar", "status", "schalen", "items"]
        assert action["status"] in {"gepland", "lopend", "afgerond"}
        assert action["ronde_start"] in demo.ROUND_IDS


def test_same_seed_gives_identical_bytes(demo_dir, tmp_path):
    lines_a = demo.generate(tmp_path / "a")
    lines_b = demo.generate(tmp_path / "b")
    assert lines_a == lines_b
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a == b
    assert a == _files(demo_dir)  # the session fixture used the default seed too


def test_other_seed_gives_other_data(demo_dir, tmp_path):
    demo.generate(tmp_path / "c", seed=7)
    a, c = _files(demo_dir), _files(tmp_path / "c")
    assert a.keys() == c.keys()
    raw = [k for k in a if k.startswith("raw/")]
    assert all(a[k] != c[k] for k in raw)


def test_regenerating_touches_only_its_own_files(tmp_path):
    demo.generate(tmp_path)
    (tmp_path / "codebooks" / "2099-1.yml").write_text("mine", encoding="utf-8")
    (tmp_path / "raw" / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "codebooks" / "2021-1.yml").write_text("edited", encoding="utf-8")
    lines = demo.generate(tmp_path)
    assert len(lines) == len(demo.ROUND_IDS)
    assert (tmp_path / "codebooks" / "2099-1.yml").read_text(encoding="utf-8") == "mine"
    assert (tmp_path / "raw" / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (tmp_path / "codebooks" / "2021-1.yml").read_text(encoding="utf-8") != "edited"
    assert not list(tmp_path.rglob("*.tmp"))


def test_refuses_to_overwrite_a_folder_that_is_not_a_demo(tmp_path):
    (tmp_path / "codebooks").mkdir()
    real = tmp_path / "codebooks" / "2021-1.yml"
    real.write_text("real codebook", encoding="utf-8")
    with pytest.raises(PEOError, match=r"not a demo folder .* codebooks/2021-1\.yml"):
        demo.generate(tmp_path)
    assert real.read_text(encoding="utf-8") == "real codebook"


def test_generate_is_fast(tmp_path):
    demo.generate(tmp_path / "warm")  # imports
    t0 = time.perf_counter()
    demo.generate(tmp_path / "timed")
    assert time.perf_counter() - t0 < 3.0


def test_cli_demo_prints_one_line_per_round(tmp_path, capsys):
    from peo_lib.cli import main

    assert main(["demo", "--data-dir", str(tmp_path / "x"), "--seed", "3"]) == 0
    out = capsys.readouterr().out
    for r in demo.ROUND_IDS:
        assert re.search(rf"^{r}\b.*n=\d+", out, flags=re.M)
    assert (tmp_path / "x" / "codebooks" / "2023-1.yml").is_file()


# -- loading ---------------------------------------------------------------------------------

def test_every_round_loads_cleanly(rounds):
    for r, rnd in rounds.items():
        assert rnd.id == r
        assert rnd.warnings == []
        assert 150 <= rnd.n <= 250
        assert rnd.items.index.is_unique


def test_every_loader_format_is_used(rounds):
    formats = {rnd.raw_format for rnd in rounds.values()}
    assert formats == {"csv", "xlsx", "sav", "qualtrics"}
    declared = [rnd.codebook.source.format for rnd in rounds.values()]
    assert "qualtrics" in declared and declared.count("auto") >= 4
    text = [rnd for rnd in rounds.values() if rnd.raw_format == "csv"]
    assert {rnd.raw_delimiter for rnd in text} == {";", "\t"}
    assert "cp1252" in {rnd.raw_encoding for rnd in text}
    assert {rnd.raw_encoding for rnd in rounds.values() if rnd.raw_format == "qualtrics"} == {"utf-8-sig"}


def test_label_export_has_odd_case_and_spaces(demo_dir, rounds):
    cb = rounds["2020-2"].codebook
    raw = (demo_dir / "raw" / cb.source.file).read_bytes()
    assert b"\r\n" in raw and b";" in raw.splitlines()[0]
    text = raw.decode("cp1252")
    assert re.search(r";\s+eens;", text, flags=re.I) or re.search(r"; neutraal;", text, flags=re.I)
    assert re.search(r"\d,5;", text)  # Dutch decimal comma in ervaring_jaren
    assert rounds["2020-2"].background["ervaring_jaren"].dropna().mod(1).eq(0.5).any()


def test_qualtrics_metadata_columns_are_unused(rounds):
    for rnd in rounds.values():
        if rnd.raw_format == "qualtrics":
            assert {"StartDate", "EndDate", "Status", "Progress", "Finished"} <= set(rnd.unused_columns)
            assert all(re.fullmatch(r"R_[A-Za-z0-9]{15}", i) for i in rnd.items.index)


def test_core_items_keep_ids_and_wording_but_not_columns(rounds):
    cbs = [rnd.codebook for rnd in rounds.values()]
    assert compare_codebooks(cbs, warn=False) == []
    core = cbs[0].items_in_block("kern")
    assert len(core) >= 15
    for item_id in core:
        texts = {cb.items[item_id].text for cb in cbs}
        columns = [cb.items[item_id].column for cb in cbs]
        assert len(texts) == 1, item_id
        assert len(set(columns)) == len(cbs), (item_id, columns)
    for cb in cbs:
        assert cb.items_in_block("kern") == core
        for sid in CORE_SCALES:
            assert sid in cb.scales
    assert cbs[0].scales["professionele_ruimte"].reverse


def test_each_round_has_its_own_theme_block(rounds):
    themes = [rnd.codebook.theme for rnd in rounds.values()]
    assert themes[0] == "corona"
    assert len(set(themes)) == len(themes)
    for rnd in rounds.values():
        cb = rnd.codebook
        theme_items = cb.items_in_block(cb.theme)
        assert 3 <= len(theme_items) <= 5
        theme_scales = [s for s, sc in cb.scales.items() if set(sc.items) <= set(theme_items)]
        assert len(theme_scales) == 1


def test_missing_data_at_realistic_rates(rounds):
    for r, rnd in rounds.items():
        core = rnd.items[rnd.codebook.items_in_block("kern")]
        rate = core.isna().to_numpy().mean()
        assert 0.02 <= rate <= 0.10, (r, rate)
        reasons = set(rnd.missing.stack().dropna().astype(str))
        assert {"Weet ik niet", "Niet van toepassing"} <= reasons, r


def _alpha(X: pd.DataFrame) -> float:
    """Cronbach's alpha, listwise (as psych::alpha on complete cases)."""
    X = X.dropna()
    k = X.shape[1]
    return k / (k - 1) * (1 - X.var(ddof=1).sum() / X.sum(axis=1).var(ddof=1))


def test_scales_have_realistic_reliability_and_reversed_items(rounds):
    for r, rnd in rounds.items():
        cb = rnd.codebook
        for sid, sc in cb.scales.items():
            X = rnd.items[sc.items].copy()
            for i in sc.reverse:
                X[i] = 6 - X[i]
            assert 0.65 <= _alpha(X) <= 0.90, (r, sid, _alpha(X))
            for i in sc.reverse:  # raw reverse item correlates negatively with the rest
                rest = rnd.items[[j for j in sc.items if j != i]].mean(axis=1)
                assert rnd.items[i].corr(rest) < -0.2, (r, sid, i)


# -- planted effects -------------------------------------------------------------------------

def test_starters_report_less_professional_room(rounds, scores):
    """Planted d = 0.40 (latent shift -0.44); accept [0.2, 0.6] pooled over rounds."""
    for rnd in rounds.values():
        share = (rnd.background["ervaringsgroep"] == "startend").mean()
        assert 0.2 <= share <= 0.4
    pr = scores.dropna(subset=["professionele_ruimte", "groep"])
    s = pr.loc[pr["groep"] == "startend", "professionele_ruimte"]
    e = pr.loc[pr["groep"] == "ervaren", "professionele_ruimte"]
    pooled = np.sqrt(((len(s) - 1) * s.var() + (len(e) - 1) * e.var()) / (len(s) + len(e) - 2))
    d = (e.mean() - s.mean()) / pooled
    assert 0.2 <= d <= 0.6, d


@pytest.mark.parametrize("scale", ["professionele_ruimte", "werkplezier", "intentie_om_te_blijven",
                                   "regels_en_eisen"])
def test_corona_round_dips(scores, scale):
    """Planted -0.30 SD in 2020-2 (-0.10 in 2021-1): 2020-2 below the mean of the other rounds."""
    means = scores.groupby("round")[scale].mean()
    assert means["2020-2"] < means.drop("2020-2").mean() - 0.02, means.round(2).to_dict()


def test_workload_rises_linearly(scores):
    """Planted +0.12 SD per round on ervaren_werkdruk: positive slope over round means, p < 0.05."""
    means = scores.groupby("round")["ervaren_werkdruk"].mean().reindex(demo.ROUND_IDS)
    fit = stats.linregress(np.arange(len(means)), means.to_numpy())
    assert fit.slope > 0.03 and fit.pvalue < 0.05, fit


def test_small_municipality_below_min_n_in_every_round(rounds):
    for r, rnd in rounds.items():
        n = int((rnd.background["gemeente"] == "Midden-Delfland").sum())
        assert 1 <= n < rnd.codebook.privacy.min_n, (r, n)
        assert "Midden-Delfland" in rnd.codebook.background["gemeente"].values.values()


def test_open_answers_contain_identifiers_to_scrub(rounds):
    for r, rnd in rounds.items():
        answers = [a for a in rnd.open_answers.stack().dropna() if a]
        assert len(answers) >= 50, r
        terms = rnd.codebook.privacy.redact_terms
        assert terms, r
        assert any(EMAIL.search(a) for a in answers), r
        assert any(PHONE.search(a) for a in answers), r
        assert any(name in a for a in answers for name in demo.PEOPLE), r
        assert any(term in a for a in answers for term in terms), r
    assert len(rnd.codebook.open_questions) == 2


# A cp1252 export with few accents (seed 9) was once read as cp850 ('één' -> 'EÚn').
def test_cp1252_export_is_detected_for_another_seed(tmp_path):
    demo.generate(tmp_path, seed=9)
    rnd = load_round(tmp_path / "codebooks" / "2020-2.yml")
    assert rnd.raw_encoding == "cp1252"
