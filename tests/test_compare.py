"""Two-group contrasts: effect sizes, BH adjustment, Dutch sentences, suppression."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from peo_lib.data.codebook import parse_codebook
from peo_lib.stats.compare import (
    RANK_BISERIAL_BENCHMARKS,
    cohen_d,
    compare_groups,
    effect_size_words,
    rank_biserial,
)
from peo_lib.formatting import format_nl, format_p, format_pct
from peo_lib.data.readers import RawTable
from peo_lib.data.rounds import round_from_table

# Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative
# science. Frontiers in Psychology 4:863, Table 1 (movie ratings, treated there as two
# independent groups): M 8.7 vs 7.7, SD 0.82 vs 0.95, t(18) = 2.52, p = 0.022, d_s = 1.13.
MOVIE1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
MOVIE2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]


def film_round(starters, experienced, *, min_n=5):
    """In-memory round: one 1-10 item F1 forming scale 'film'; starters have 1 year, the others 10."""
    cb = parse_codebook({
        "round": "2099-2", "title": "Test", "theme": "werkdruk", "source": {"file": "mem.csv"},
        "respondent_id": "id", "privacy": {"min_n": min_n},
        "response_sets": {"cijfer10": {"values": {k: f"cijfer {k}" for k in range(1, 11)}}},
        "items": {"F1": {"column": "q1", "text": "Ik waardeer deze film.", "response_set": "cijfer10"}},
        "scales": {"film": {"label": "Filmwaardering", "items": ["F1"], "min_valid": 1}},
        "background": {"ervaring_jaren": {"column": "jaren", "type": "number"}},
    })
    values = list(starters) + list(experienced)
    df = pd.DataFrame({
        "id": pd.Series([f"R{i}" for i in range(len(values))], dtype=object),
        "jaren": pd.Series([1] * len(starters) + [10] * len(experienced), dtype=object),
        "q1": pd.Series([str(v) for v in values], dtype=object),
    })
    return round_from_table(cb, RawTable(data=df, path=Path("mem.csv"), format="csv"))


# -- effect sizes -----------------------------------------------------------------

def test_cohen_d_matches_lakens_2013():
    assert cohen_d(MOVIE1, MOVIE2) == pytest.approx(1.13, abs=0.005)
    assert cohen_d(MOVIE2, MOVIE1) == pytest.approx(-1.13, abs=0.005)
    assert np.isnan(cohen_d([1.0], [2.0, 3.0]))
    assert np.isnan(cohen_d([2.0, 2.0], [2.0, 2.0]))


def test_rank_biserial_kerby_simple_difference_formula():
    # Kerby, D. S. (2014). The simple difference formula: an approach to teaching
    # nonparametric correlation. Comprehensive Psychology 3, 11.IT.3.1: r = f - u;
    # hares faster than tortoises in 90 of 100 pairs -> r = 0.90 - 0.10 = 0.80.
    tortoises = np.arange(1, 11, dtype=float)               # scores: higher = faster
    hares = np.append(np.arange(11, 20, dtype=float), 0.5)  # 9 beat all 10, 1 beats none: 90/100
    assert rank_biserial(hares, tortoises) == pytest.approx(0.80)
    assert rank_biserial(tortoises, hares) == pytest.approx(-0.80)
    # Wendt (1972): r = 1 - 2 U_min / (n1 n2); U_min = 10
    assert 1 - 2 * 10 / 100 == pytest.approx(0.80)


def test_rank_biserial_counts_ties_for_neither_side():
    x, y = [1, 2, 2], [2, 3]
    # pairs (x, y): (1,2) -, (1,3) -, (2,2) tie, (2,3) -, (2,2) tie, (2,3) -  -> f = 0, u = 4/6
    assert rank_biserial(x, y) == pytest.approx(0 - 4 / 6)


def test_effect_size_words_follow_cohen():
    assert effect_size_words(0.19) == "een verwaarloosbaar verschil"
    assert effect_size_words(-0.2) == "een klein verschil"
    assert effect_size_words(0.45) == "een klein verschil"
    assert effect_size_words(0.5) == "een middelgroot verschil"
    assert effect_size_words(-1.13) == "een groot verschil"
    # the same benchmarks as rank-biserial correlations: 2 * Phi(d / sqrt 2) - 1
    assert RANK_BISERIAL_BENCHMARKS == (0.11, 0.28, 0.43)
    assert effect_size_words(0.3, measure="rank_biserial") == "een middelgroot verschil"
    with pytest.raises(ValueError, match=r"`measure` must be one of .*'r' was passed"):
        effect_size_words(0.3, measure="r")


# -- Benjamini-Hochberg -------------------------------------------------------------
# Benjamini, Y. & Hochberg, Y. (1995). JRSS B 57, 289-300, section 4.1: 15 p-values of a
# clinical trial; at q = 0.05 the FDR procedure rejects the four smallest (Bonferroni 3).
BH_P = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459,
        0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000]
# p.adjust(BH_P, "BH") by its definition pmin(1, cummin(n / i * p[o]))[ro], worked by hand:
BH_ADJ = [0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.0638571, 0.0638571, 0.0645, 0.0765,
          0.486, 0.5811818, 0.714875, 0.7532308, 0.8132143, 1.0]


def test_benjamini_hochberg_reference():
    reject, adj, *_ = multipletests(BH_P, alpha=0.05, method="fdr_bh")
    assert reject.sum() == 4 and reject[:4].all()
    np.testing.assert_allclose(adj, BH_ADJ, atol=5e-7)


# -- compare_groups -------------------------------------------------------------------

def test_compare_groups_on_lakens_movies():
    rnd = film_round(MOVIE1, MOVIE2)
    out = compare_groups(rnd, what="scales")
    assert out.shape[0] == 1
    row = out.iloc[0]
    assert (row["kind"], row["id"], row["label"]) == ("scale", "film", "Filmwaardering")
    assert (row["n1"], row["n2"]) == (10, 10)
    assert row["mean1"] == pytest.approx(8.7) and row["mean2"] == pytest.approx(7.7)
    assert row["diff"] == pytest.approx(1.0)
    assert row["cohen_d"] == pytest.approx(1.13, abs=0.005)
    assert row["test"] == "welch_t"
    assert row["statistic"] == pytest.approx(2.52, abs=0.005)  # Welch t = Student t for equal n
    assert row["p"] == pytest.approx(0.022, abs=0.0005)        # Welch df 17.6 instead of 18
    assert row["p_adj"] == row["p"]                            # a single test
    assert row["zin"] == (
        "Startende professionals scoren gemiddeld hoger op ‘Filmwaardering’ dan ervaren professionals "
        "(8,7 tegen 7,7; verschil 1,0; d = 1,13; een groot verschil; p na correctie 0,022)."
    )


def test_compare_groups_items_use_mann_whitney_and_bh(tiny_round):
    out = compare_groups(tiny_round)
    assert out["kind"].tolist() == ["scale"] + ["item"] * 5
    assert out["id"].tolist() == ["professionele_ruimte", "PR01", "PR02", "PR03", "PR04", "WD01"]
    items = out[out["kind"] == "item"]
    assert (items["test"] == "mann_whitney_u").all() and items["cohen_d"].isna().all()
    np.testing.assert_allclose(out["p_adj"], multipletests(out["p"], method="fdr_bh")[1])
    # diff is group 1 minus group 2, and the rank-biserial has the same sign convention
    grp = tiny_round.background["ervaringsgroep"]
    x = tiny_round.items.loc[grp == "startend", "PR01"].dropna()
    y = tiny_round.items.loc[grp == "ervaren", "PR01"].dropna()
    pr01 = out.set_index("id").loc["PR01"]
    assert pr01["diff"] == pytest.approx(x.mean() - y.mean())
    assert pr01["rank_biserial"] == pytest.approx(rank_biserial(x, y))
    assert all(z.endswith(").") for z in out["zin"])


def test_compare_groups_suppresses_small_groups():
    rnd = film_round([8, 9, 7], MOVIE2, min_n=5)
    out = compare_groups(rnd)
    assert out["suppressed"].all()
    assert out[["mean1", "mean2", "diff", "cohen_d", "p", "p_adj"]].isna().all().all()
    assert out.iloc[0]["zin"] == (
        "Te weinig respondenten om startende en ervaren professionals te vergelijken op "
        "‘Filmwaardering’ (minder dan 5 in een groep)."
    )
    assert "de stelling ‘Ik waardeer deze film’" in out.iloc[1]["zin"]


def test_compare_groups_non_significant_sentence():
    rnd = film_round([5, 6, 7, 5, 6], [6, 5, 7, 6, 5])
    zin = compare_groups(rnd, what="scales").iloc[0]["zin"]
    assert zin.startswith("Het verschil tussen startende en ervaren professionals op ‘Filmwaardering’ "
                          "is na correctie niet significant (5,8 tegen 5,8; verschil 0,0; d = 0,00;")


def test_compare_groups_checks_arguments(tiny_round):
    with pytest.raises(ValueError, match=r"`groups` must be one of \['startend', 'ervaren'\], but 'nieuw'"):
        compare_groups(tiny_round, groups=("nieuw", "ervaren"))
    with pytest.raises(ValueError, match="two different"):
        compare_groups(tiny_round, groups=("ervaren", "ervaren"))
    with pytest.raises(ValueError, match=r"`what` must be one of .*'schalen'"):
        compare_groups(tiny_round, what="schalen")
    with pytest.raises(ValueError, match=r"`by` must be one of .*'organisatie'"):
        compare_groups(tiny_round, by="organisatie", groups=("a", "b"))


# -- Dutch formatting ---------------------------------------------------------------

@pytest.mark.parametrize("x, decimals, text", [
    (3.14, 1, "3,1"), (-0.44, 1, "-0,4"), (-0.04, 1, "0,0"), (0.453, 2, "0,45"), (12, 0, "12"),
    (float("nan"), 1, "–"), (None, 1, "–"),
])
def test_format_nl(x, decimals, text):
    assert format_nl(x, decimals) == text


def test_format_pct_and_p():
    assert format_pct(45.2) == "45%"
    assert format_pct(4.25, 1) == "4,2%"
    assert format_p(0.0031) == "0,003"
    assert format_p(0.0004) == "< 0,001"
    with pytest.raises(TypeError, match="expected a number"):
        format_nl("3,1")
