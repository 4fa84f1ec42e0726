"""peo_lib.report.findings: the rules of "In het kort" pick the effects planted in the demo rounds
(peo_lib.data.demo: starters' lower professionele_ruimte, the corona dip in 2020-2/2021-1, the rising
ervaren_werkdruk), say "no clear change" honestly, and read only suppressed tables."""

from __future__ import annotations

import re
import warnings

import pytest

from peo_lib.report.findings import MAX_FINDINGS, round_findings, trend_findings


@pytest.fixture(scope="module")
def rounds(demo_dir):
    from peo_lib import load_round

    return {r: load_round(demo_dir / "codebooks" / f"{r}.yml") for r in ("2020-2", "2021-1", "2021-2")}


@pytest.fixture(scope="module")
def trends(demo_dir):
    from peo_lib.report.trends import build_trends_report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        rep = build_trends_report(data_dir=demo_dir)
        rep.findings  # noqa: B018 - computed once for the module
    return rep


def _report(rnd, **kw):
    from peo_lib.report.round import RoundReport

    return RoundReport(rnd, **kw)


NUMBER = re.compile(r"\d+,\d|\d+%")


def test_starters_lower_professional_room_is_found(rounds):
    for rid in ("2020-2", "2021-2"):  # rounds where the planted gap is significant after BH
        found = _report(rounds[rid]).findings
        exp = [f for f in found if f.rule == "experience"]
        assert exp and exp[0].about == "professionele_ruimte", (rid, [f.sentence for f in found])
        assert "lager" in exp[0].sentence and "Startende professionals" in exp[0].sentence
        starters, experienced = exp[0].numbers
        assert starters < experienced
        assert f"{starters:.1f}".replace(".", ",") in exp[0].sentence


def test_recovery_after_the_corona_dip_is_found(rounds):
    rep = _report(rounds["2021-1"], previous=rounds["2020-2"])
    changes = [f for f in rep.findings if f.rule == "change"]
    assert {f.about for f in changes} <= {"professionele_ruimte", "werkplezier", "intentie_om_te_blijven",
                                          "regels_en_eisen"}
    assert changes and all("gestegen sinds 2020-2" in f.sentence for f in changes)
    ch = rep.change.set_index("id")
    for f in changes:  # the numbers are the shown means of the suppressed table
        before, after = f.numbers
        assert before == pytest.approx(round(ch.loc[f.about, "mean2"], 1))
        assert after == pytest.approx(round(ch.loc[f.about, "mean1"], 1))


def test_a_round_against_a_copy_of_itself_has_no_clear_change(rounds):
    import dataclasses

    rnd = rounds["2021-1"]
    copy = dataclasses.replace(rnd, id="2020-2", codebook=rnd.codebook.model_copy(update={"round": "2020-2"}))
    rep = _report(rnd, previous=copy)
    assert len(rep.change) and (rep.change["diff"].fillna(0).abs() < 1e-12).all()  # the same answers (summed in another order)
    found = rep.findings
    assert not [f for f in found if f.rule == "change"]
    (nothing,) = [f for f in found if f.rule == "no_change"]
    assert nothing.sentence.startswith("Geen duidelijke veranderingen sinds 2020-2")
    assert "Geen van de" in rep.change_section()._repr_html_()


def test_findings_are_few_plain_and_carry_numbers(rounds):
    for rid, prev in (("2020-2", None), ("2021-1", "2020-2"), ("2021-2", "2021-1")):
        found = _report(rounds[rid], previous=None if prev is None else rounds[prev]).findings
        assert 3 <= len(found) <= MAX_FINDINGS, [f.sentence for f in found]
        assert any(NUMBER.search(f.sentence) for f in found)
        for f in found:
            assert not re.search(r"\bp\b|Cohen|significant|Welch", f.sentence), f.sentence
            if f.rule in ("change", "experience", "theme"):
                assert NUMBER.search(f.sentence), f.sentence


def test_theme_extremes_use_agreement_statements_only(rounds):
    rep = _report(rounds["2021-2"])  # its theme has a frequency item (WT05, "Hoe vaak ...")
    (theme,) = [f for f in rep.findings if f.rule == "theme"]
    assert theme.about != "WT05" and "Hoe vaak" not in theme.sentence
    most, least = theme.numbers
    assert most > least
    th = rep.theme.set_index("item")
    assert most == round(th.loc[theme.about, "top2_pct"])


def test_hidden_figures_never_become_findings(rounds):
    rep = _report(rounds["2021-1"], previous=rounds["2020-2"], min_n=10_000)
    found = rep.findings
    assert [f.rule for f in found] == ["nothing"]
    assert not NUMBER.search(found[0].sentence)


def test_rules_read_the_tables_they_are_given():
    """No table, no finding: the rules compute nothing themselves."""
    assert [f.rule for f in round_findings()] == ["nothing"]
    assert [f.rule for f in trend_findings({})] == ["nothing"]


def test_trend_findings_pick_the_planted_effects(trends):
    found = trends.findings
    rules = {f.rule: f for f in found}
    assert 3 <= len(found) <= MAX_FINDINGS
    steady = [f for f in found if f.rule == "steady"]
    assert [f.about for f in steady] == ["ervaren_werkdruk"]  # the rising workload
    assert "gestegen" in steady[0].sentence and steady[0].numbers[0] < steady[0].numbers[1]
    steps = [f for f in found if f.rule == "step"]  # the corona dip: a clear rise from 2020-2 to 2021-1
    assert steps and all("in 2020-2 naar" in f.sentence and "in 2021-1" in f.sentence for f in steps)
    assert {f.about for f in steps} <= {"professionele_ruimte", "werkplezier", "intentie_om_te_blijven",
                                        "regels_en_eisen"}
    ids = trends.round_ids
    assert rules["no_change"].sentence.startswith(f"Geen duidelijke veranderingen sinds {ids[-2]}")


def test_trend_starters_rule_uses_shown_group_means(trends):
    groups = [f for f in trends.findings if f.rule == "groups"]
    if not groups:
        pytest.skip("the starters rule is fifth in line and may be cut at MAX_FINDINGS")
    f = groups[0]
    assert f.about == "professionele_ruimte" and "lager" in f.sentence
    g = trends.tables(f.about)["groups"]
    last = g[g["round"] == trends.round_ids[-1]].set_index("ervaringsgroep")["mean"]
    assert f.numbers == (round(last["startend"], 1), round(last["ervaren"], 1))
