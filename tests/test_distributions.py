"""Stored distributions: the comparison with a previous round whose raw file is gone (issue 12 point 3).

Reference: the comparison computed from both raw files (``change_since_previous`` with two loaded
rounds). Welch's t, Cohen's d, Mann-Whitney U and the rank-biserial r depend only on the value
counts of each sample, so the comparison from the stored counts must equal it to rounding.
"""

from __future__ import annotations

import json
import shutil
import stat
import warnings

import numpy as np
import pandas as pd
import pytest
import yaml

PREV, ROUND = "2020-2", "2021-1"


@pytest.fixture
def data(demo_dir, tmp_path):
    """The first two demo rounds in a writable data dir."""
    d = tmp_path / "data"
    (d / "codebooks").mkdir(parents=True)
    shutil.copytree(demo_dir / "raw", d / "raw")
    for r in (PREV, ROUND):
        shutil.copy(demo_dir / "codebooks" / f"{r}.yml", d / "codebooks")
    return d


def _load(data, round_id):
    from peo_lib.data.rounds import load_round
    from peo_lib.paths import codebook_path, raw_dir

    return load_round(codebook_path(round_id, data), raw_dir(data))


def _drop_raw(data, round_id):
    cb = yaml.safe_load((data / "codebooks" / f"{round_id}.yml").read_text(encoding="utf-8"))
    (data / "raw" / cb["source"]["file"]).unlink()


def test_the_stored_file_holds_counts_only_and_is_private(data):
    from peo_lib.stats.distributions import distributions_path, write_distributions

    rnd = _load(data, PREV)
    path = write_distributions(rnd, data_dir=data)
    assert path == distributions_path(PREV, data_dir=data) == data / "aggregaten" / f"{PREV}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # private, like the raw data
    body = json.loads(path.read_text(encoding="utf-8"))
    assert set(body) == {"version", "round", "codebook_sha256", "n", "items", "scales", "weighted"}
    assert body["weighted"] is None  # no populatie.yml: no weighted sums
    assert body["n"] == rnd.n
    item = next(iter(body["items"]))
    # the counts of one item, recomputed from the raw answers with pandas
    expected = rnd.items[item].dropna().value_counts().sort_index()
    assert body["items"][item] == [[float(v), int(c)] for v, c in expected.items()]
    text = path.read_text(encoding="utf-8")
    for rid in map(str, rnd.items.index[:20]):
        assert f'"{rid}"' not in text  # no respondent id as a key or value
    mtime = path.stat().st_mtime_ns
    assert write_distributions(rnd, data_dir=data) == path and path.stat().st_mtime_ns == mtime  # unchanged


def test_comparison_from_stored_counts_equals_the_one_from_the_raw_file(data):
    from peo_lib.report.round import build_report
    from peo_lib.report.tables import change_since_previous
    from peo_lib.stats.distributions import RoundDistributions, write_distributions

    prev, rnd = _load(data, PREV), _load(data, ROUND)
    from_raw = change_since_previous(rnd, prev)
    write_distributions(prev, data_dir=data)
    _drop_raw(data, PREV)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rep = build_report(ROUND, data_dir=data)
    assert isinstance(rep.previous, RoundDistributions) and rep.previous.source == "stored"
    assert any("compared from its stored distributions" in str(w.message) for w in caught)
    from_stored = rep.change
    assert len(from_raw) > 10 and from_raw["p"].notna().sum() > 10
    pd.testing.assert_frame_equal(from_raw.reset_index(drop=True), from_stored.reset_index(drop=True),
                                  check_exact=False, rtol=1e-12, atol=1e-12)
    html = rep.change_section()._repr_html_()
    assert f"Vergeleken met ronde {PREV}" in html and "niet beschikbaar" not in html


def test_a_changed_codebook_makes_the_stored_counts_unusable(data):
    from peo_lib.data.codebook import read_codebook
    from peo_lib.report.round import build_report
    from peo_lib.stats.distributions import DistributionsError, read_distributions, write_distributions

    write_distributions(_load(data, PREV), data_dir=data)
    _drop_raw(data, PREV)
    cb_path = data / "codebooks" / f"{PREV}.yml"
    cb_path.write_text(cb_path.read_text(encoding="utf-8") + "\n# edited after the round\n", encoding="utf-8")
    with pytest.raises(DistributionsError, match="another version of codebooks/2020-2.yml"):
        read_distributions(PREV, codebook=read_codebook(cb_path), data_dir=data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = build_report(ROUND, data_dir=data)
    assert rep.previous is None and "niet beschikbaar" in rep.change_section()._repr_html_()


@pytest.mark.parametrize("damage", ["{not json", '{"version": 99}', json.dumps({"version": 1, "round": PREV})])
def test_a_damaged_file_is_refused_with_one_message(data, damage):
    from peo_lib.data.codebook import read_codebook
    from peo_lib.stats.distributions import DistributionsError, distributions_path, read_distributions

    path = distributions_path(PREV, data_dir=data)
    path.parent.mkdir(parents=True)
    path.write_text(damage, encoding="utf-8")
    cb = read_codebook(data / "codebooks" / f"{PREV}.yml")
    if '"round"' in damage:  # the right header but no counts: say it is damaged
        body = json.loads(damage) | {"codebook_sha256": cb.sha256}
        path.write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(DistributionsError, match=r"run `peo report 2020-2` again while its raw file is there"):
        read_distributions(PREV, codebook=cb, data_dir=data)


def test_compare_samples_does_not_depend_on_order(rng):
    """The property the stored counts rely on, on skewed Likert samples with many ties."""
    from peo_lib.stats.compare import compare_samples

    x = rng.choice([1, 2, 3, 4, 5], size=60, p=[.05, .1, .2, .4, .25]).astype(float)
    y = rng.choice([1, 2, 3, 4, 5], size=45, p=[.2, .3, .2, .2, .1]).astype(float)
    s = rng.normal(3.4, 0.6, 60)
    t = rng.normal(3.1, 0.7, 45)
    a = compare_samples([("scale", "S", "s", s, t), ("item", "I", "i", x, y)], groups=("a", "b"), by="ronde",
                        min_n=5)
    b = compare_samples([("scale", "S", "s", np.sort(s), t[::-1]), ("item", "I", "i", np.sort(x), y[::-1])],
                        groups=("a", "b"), by="ronde", min_n=5)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)
    assert a.loc[1, "p"] < 0.05  # the skewed samples differ: the test can see a difference


# -- weighted rounds ------------------------------------------------------------------------------

def test_expanded_weighted_sums_give_the_respondents_own_tests():
    """Per value the count, weight sum and squared-weight sum: the weighted means, the design-based
    t and the mid-point rank test from the expanded sums equal those of the real respondents."""
    from peo_lib.stats.compare import compare_samples
    from peo_lib.stats.distributions import _expand_weighted, _weighted_sums

    rng = np.random.default_rng(11)
    a, b = rng.integers(1, 6, 90).astype(float), rng.integers(1, 6, 70).astype(float)
    a[:4] = np.nan
    wa, wb = rng.uniform(0.2, 4, 90), rng.uniform(0.2, 4, 70)
    wb[:3] = np.nan  # not in the design
    n_design = 90 + 67
    ea, ewa = _expand_weighted(_weighted_sums(a, wa))
    eb, ewb = _expand_weighted(_weighted_sums(b, wb))
    assert len(ea) == np.isfinite(a).sum() and ewa.sum() == pytest.approx(wa[np.isfinite(a)].sum(), rel=1e-12)
    assert (ewa ** 2).sum() == pytest.approx((wa[np.isfinite(a)] ** 2).sum(), rel=1e-12)
    rows = []
    for x, wx, y, wy in ((a, wa, b, wb), (ea, ewa, eb, ewb)):
        g1 = np.r_[np.ones(len(x), bool), np.zeros(len(y), bool)]
        v, w = np.r_[x, y], np.r_[wx, wy]
        rows.append(compare_samples([("scale", "s", "s", v, w, g1, n_design), ("item", "i", "i", v, w, g1, n_design)],
                                    groups=("nu", "toen"), by="ronde", min_n=5, ties="midpoint"))
    respondents, expanded = rows
    assert respondents["p"].notna().all()
    cols = ["n1", "n2", "mean1", "mean2", "diff", "cohen_d", "rank_biserial", "statistic", "p"]
    pd.testing.assert_frame_equal(respondents[cols], expanded[cols], check_exact=False, rtol=1e-10, atol=1e-12)


POPULATIE_BOTH = '- vanaf_ronde: "2020-2"\n  bron: Testtelling\n  marges:\n    ervaringsgroep: {startend: 0.5, ervaren: 0.5}\n'


def test_a_weighted_comparison_between_rounds_is_the_stacked_design_and_the_same_from_stored_sums(data):
    """Both rounds weighted (populatie.yml from 2020-2 on): the change table is the design-based
    comparison of the two rounds stacked as one design (respondent level, computed here directly),
    and from the stored weighted sums after the previous raw file is gone it is the same."""
    from peo_lib.report.round import build_report
    from peo_lib.report.tables import change_since_previous
    from peo_lib.stats.compare import compare_samples
    from peo_lib.stats.distributions import write_distributions
    from peo_lib.stats.weighting import round_weights

    (data / "populatie.yml").write_text(POPULATIE_BOTH, encoding="utf-8")
    prev, rnd = _load(data, PREV), _load(data, ROUND)
    w_prev, w_now = round_weights(prev, data_dir=data), round_weights(rnd, data_dir=data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = build_report(ROUND, data_dir=data)
    weighted = rep.change
    plain = change_since_previous(rnd, prev)
    item = next(i for i in weighted["id"] if i in prev.items.columns and not weighted.set_index("id").loc[i, "suppressed"])
    # the reference: respondent-level values and weights of both rounds, stacked
    v = np.r_[rnd.items[item].to_numpy(float), prev.items[item].to_numpy(float)]
    w = np.r_[w_now.to_numpy(float), w_prev.to_numpy(float)]
    g1 = np.r_[np.ones(rnd.n, bool), np.zeros(prev.n, bool)]
    n_design = int(np.isfinite(w).sum())
    ref = compare_samples([("item", item, "", v, w, g1, n_design)], groups=(ROUND, PREV), by="ronde", min_n=5,
                          ties="midpoint").iloc[0]
    got = weighted.set_index("id").loc[item]
    assert got["test"] == "svy_wilcoxon" and set(weighted.loc[~weighted["suppressed"], "test"]) == {"svy_t", "svy_wilcoxon"}
    for col in ("mean1", "mean2", "statistic", "p", "n1", "n2"):
        assert got[col] == pytest.approx(ref[col], rel=1e-10), col
    assert (weighted.set_index("id")["mean1"] - plain.set_index("id")["mean1"]).abs().max() > 1e-3  # weights matter
    assert "Beide rondes zijn gewogen" in rep.change_section()._repr_html_()
    assert "elke ronde met haar eigen weegfactoren" in rep.appendix()._repr_html_()

    write_distributions(prev, data_dir=data)
    body = json.loads((data / "aggregaten" / f"{PREV}.json").read_text(encoding="utf-8"))
    assert body["version"] == 2 and body["weighted"]["n"] == int(w_prev.notna().sum())
    assert set(body["weighted"]) == {"n", "items", "scales", "fingerprint", "bron"}  # sums per value, no ids
    _drop_raw(data, PREV)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stored = build_report(ROUND, data_dir=data)
    assert stored.previous.source == "stored" and stored.previous.weighted is not None
    pd.testing.assert_frame_equal(weighted.reset_index(drop=True), stored.change.reset_index(drop=True),
                                  check_exact=False, rtol=1e-10, atol=1e-12)


def test_stored_sums_are_not_used_once_populatie_yml_weights_the_round_differently(data):
    from peo_lib.data.codebook import read_codebook
    from peo_lib.report.round import build_report
    from peo_lib.stats.distributions import DistributionsError, read_distributions, write_distributions

    (data / "populatie.yml").write_text(POPULATIE_BOTH, encoding="utf-8")
    write_distributions(_load(data, PREV), data_dir=data)
    _drop_raw(data, PREV)
    (data / "populatie.yml").write_text(POPULATIE_BOTH.replace("0.5, ervaren: 0.5", "0.3, ervaren: 0.7"),
                                        encoding="utf-8")
    cb = read_codebook(data / "codebooks" / f"{PREV}.yml")
    with pytest.raises(DistributionsError, match=r"stored with other shares, but populatie.yml now weights round "
                                                 r"2020-2 \(vanaf 2020-2\); run `peo report 2020-2` again"):
        read_distributions(PREV, codebook=cb, data_dir=data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = build_report(ROUND, data_dir=data)
    assert rep.previous is None and "niet beschikbaar" in rep.change_section()._repr_html_()
    # no longer weighted at all: the plain counts of the file are what the round publishes now
    (data / "populatie.yml").unlink()
    assert read_distributions(PREV, codebook=cb, data_dir=data).weighted is None


def test_a_weighted_round_against_an_unweighted_previous_round_says_so(data):
    from peo_lib.report.round import build_report

    (data / "populatie.yml").write_text(POPULATIE_BOTH.replace("2020-2", ROUND), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = build_report(ROUND, data_dir=data)
    ch = rep.change
    assert ch.attrs["weighted"] and not ch.attrs["previous_weighted"]
    assert set(ch.loc[~ch["suppressed"], "test"]) == {"svy_t", "svy_wilcoxon"}
    # the previous round's means are its plain means (weight 1 for everyone)
    prev = _load(data, PREV)
    got = ch.set_index("id")
    item = next(i for i in got.index if got.loc[i, "kind"] == "item" and not got.loc[i, "suppressed"])
    assert got.loc[item, "mean2"] == pytest.approx(prev.items[item].mean(), rel=1e-12)
    assert f"ronde {PREV} niet (daarvoor zijn geen populatiecijfers)" in rep.change_section()._repr_html_()
