"""The panel dashboard, driven from Python (no browser): controls, tables, privacy, PNG."""

from __future__ import annotations

import dataclasses
import json
import pickle
import socket
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def rounds(tiny_round):
    """Two rounds: the tiny round and a copy as a later round (for the trend)."""
    later = dataclasses.replace(tiny_round, id="2099-2")
    return {"2099-1": tiny_round, "2099-2": later}


@pytest.fixture
def dash(rounds, tmp_path):
    from peo_lib.dashboard.widget import Dashboard

    return Dashboard(rounds, out_dir=tmp_path, warm_up=False)


@pytest.fixture
def small_group_round(tiny_round):
    """The tiny round with only 3 Teamleiders (the others become Jeugdhulpverlener)."""
    bg = tiny_round.background.copy()
    f = bg["functie"].astype(object)
    team = np.flatnonzero((f == "Teamleider").to_numpy())
    f.iloc[team[3:]] = "Jeugdhulpverlener"
    bg["functie"] = pd.Categorical(f, categories=tiny_round.background["functie"].cat.categories)
    return dataclasses.replace(tiny_round, background=bg)


def test_dashboard_starts_with_a_png_and_dutch_controls(dash):
    assert dash.image.value[:8] == PNG
    assert dash.round.value == "2099-2"  # latest round first
    labels = [lab for lab, _ in dash.round.options]
    assert "Alle rondes (trend)" in labels
    assert [v for _, v in dash.breakdown.options] == ["geen", "ervaringsgroep", "functie", "gemeente"]
    assert dash.subject.value == "scale:professionele_ruimte"
    assert "Schaal: Ervaren professionele ruimte" in dash.heading.value
    assert dash.tabs.get_title(0) == "Verkennen" and dash.tabs.get_title(1) == "Bespreken"


def test_breakdown_redraws_with_group_rows(dash, tiny_round):
    first = dash.image.value
    dash.subject.value = "item:PR01"
    dash.breakdown.value = "ervaringsgroep"
    assert dash.image.value != first
    table = dash.current_table()
    assert list(table["rij"]) == ["Totaal", "Startend", "Ervaren"]
    x = tiny_round.items["PR01"]
    group = tiny_round.background["ervaringsgroep"]
    for name, code in (("Startend", "startend"), ("Ervaren", "ervaren")):
        n = int(x[group == code].notna().sum())
        row = table.set_index("rij").loc[name]
        assert row["n_label"] == (f"n={n}" if not row["verborgen_rij"] else "n<5")
    assert "uitgesplitst naar startend / ervaren" in dash.heading.value
    texts = dash.figure_texts()
    assert "Startend" in texts and "Ervaren" in texts


def test_distribution_percentages_match_the_raw_codes(dash, tiny_round):
    dash.round.value = "2099-1"
    dash.subject.value = "item:PR02"
    dash.breakdown.value = "geen"
    dash.view.value = "verdeling"
    table = dash.current_table()
    row = table.iloc[0]
    x = tiny_round.items["PR02"].dropna()
    assert row["n"] == len(x)
    labels = ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"]
    for code, lab in enumerate(labels, start=1):
        if not np.isnan(row[lab]):
            assert row[lab] == pytest.approx(100 * (x == code).mean())
    # a visible percentage label is in the figure, in Dutch format
    shown = [f"{round(row[lab])}%" for lab in labels if not np.isnan(row[lab]) and row[lab] >= 6]
    assert set(shown) <= set(dash.figure_texts())


def test_mean_and_interval_match_a_t_interval(dash, tiny_round):
    from scipy import stats

    dash.round.value = "2099-1"
    dash.subject.value = "item:PR01"
    dash.breakdown.value = "geen"
    dash.view.value = "gemiddelde"
    row = dash.current_table().iloc[0]
    x = tiny_round.items["PR01"].dropna().to_numpy()
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))  #> t.test(x)$conf.int
    assert row["gemiddelde"] == pytest.approx(x.mean())
    assert row["ci_laag"] == pytest.approx(lo) and row["ci_hoog"] == pytest.approx(hi)
    assert f"{x.mean():.1f}".replace(".", ",") in dash.figure_texts()


def test_small_group_shows_n_below_5_and_no_number(small_group_round, tmp_path):
    from peo_lib.dashboard.widget import Dashboard

    dash = Dashboard({"2099-1": small_group_round}, out_dir=tmp_path, warm_up=False)
    dash.subject.value = "item:PR01"
    dash.breakdown.value = "functie"
    for view in ("verdeling", "gemiddelde"):
        dash.view.value = view
        table = dash.current_table().set_index("rij")
        team = table.loc["Teamleider"]
        assert bool(team["verborgen_rij"]) and team["n_label"] == "n<5"
        numbers = team.drop(["n_label", "verborgen_rij"])
        assert numbers.isna().all(), f"{view}: a number is shown for a group of 3: {numbers.dropna()}"
        texts = dash.figure_texts()
        assert "n<5" in texts
        assert not any(t.startswith("n=3") for t in texts)
        # a complement: the small group cannot be recovered from Totaal minus the others
        assert table["verborgen_rij"].sum() >= 2 or table.loc["Totaal", "verborgen_rij"]
    assert "n<5" in dash.status.value


def test_trend_over_all_rounds(dash):
    dash.subject.value = "item:PR03"
    dash.view.value = "trend"
    assert dash.round.value == "__alle_rondes__"
    trend = dash.current_table()
    assert set(trend["ronde"]) == {"2099-1", "2099-2"}
    assert "Totaal" in set(trend["rij"])
    assert dash.image.value[:8] == PNG
    dash.round.value = "2099-1"  # a single round leaves the trend
    assert dash.view.value == "verdeling"


def test_block_overview_lists_every_statement(dash):
    dash.block.value = "kern"
    overview = [v for _, v in dash.subject.options if v.startswith("block:")]
    assert overview == ["block:kern:eens5"]  # one overview per response set (issue 13)
    dash.subject.value = "block:kern:eens5"
    table = dash.current_table()
    assert list(table["onderwerp"]) == ["item:PR01", "item:PR02", "item:PR03", "item:PR04"]


def test_discussion_mode_steps_through_statements(dash):
    dash.tabs.selected_index = 1  # the tab is drawn when first opened
    assert "Stelling 1 van 5" in dash.talk_counter.value
    dash.next_button.click()
    assert "Stelling 2 van 5" in dash.talk_counter.value
    dash.prev_button.click()
    dash.prev_button.click()  # wraps to the last statement
    assert "Stelling 5 van 5" in dash.talk_counter.value
    rows = list(dash.talk_table()["rij"])
    assert rows[:1] == ["Totaal"] and {"Startend", "Ervaren"} <= set(rows)
    assert "Startend" in dash.talk_text.value and "Ervaren" in dash.talk_text.value
    assert dash.talk_image.value[:8] == PNG


def test_save_png_writes_the_current_view(dash, tmp_path):
    dash.subject.value = "item:PR01"
    dash.breakdown.value = "gemeente"
    dash.save_button.click()
    files = sorted((tmp_path / "dashboard").glob("*.png"))
    assert [f.name for f in files] == ["2099-2_PR01_gemeente_verdeling.png"]
    assert files[0].read_bytes()[:8] == PNG
    assert "2099-2_PR01_gemeente_verdeling.png" in dash.saved.value
    dash.talk_save.click()
    # the view (statement and breakdown) is in the name: one file per view, not one overwritten file
    assert (tmp_path / "dashboard" / "2099-2_PR01_ervaringsgroep_bespreking.png").is_file()
    assert "bespreking.png" in dash.talk_saved.value
    assert dash.image.value[:8] == PNG  # the screen figure still renders after a save


def test_bad_arguments_name_the_value(dash, rounds):
    from peo_lib.dashboard.widget import Dashboard

    with pytest.raises(ValueError, match="non-empty dict"):
        Dashboard({})
    with pytest.raises(ValueError, match=r"`tab` must be one of \['verkennen', 'bespreken'\].*'x'"):
        dash.save_png(tab="x")
    with pytest.raises(ValueError, match="`warm_up`"):
        Dashboard(rounds, warm_up="ja")


def test_load_tables_caches_counts_without_respondent_ids(tiny_data_dir, tmp_path):
    from peo_lib.dashboard.tables import RoundTables, load_tables

    cache = tmp_path / "cache"
    first = load_tables(tiny_data_dir, cache_dir=cache)
    files = list(cache.glob("2099-1-*.pkl"))
    assert len(files) == 1
    raw = files[0].read_bytes()
    assert b"R_0001" not in raw and b"R_00" not in raw  # counts only, no respondent ids
    second = load_tables(tiny_data_dir, cache_dir=cache)
    assert isinstance(second["2099-1"], RoundTables)
    np.testing.assert_array_equal(first["2099-1"].counts["functie"], second["2099-1"].counts["functie"])
    assert pickle.loads(raw).round_id == "2099-1"


def test_load_tables_without_codebooks_is_a_clear_error(tmp_path):
    from peo_lib.errors import PEOError
    from peo_lib.dashboard.tables import load_tables

    with pytest.raises(PEOError, match="no codebooks"):
        load_tables(tmp_path, cache_dir=tmp_path / "c")


def test_notebook_is_thin_and_clean():
    path = Path(__file__).resolve().parent.parent / "notebooks" / "dashboard.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb["cells"]
    assert len(cells) == 2
    assert cells[0]["metadata"].get("tags") == ["parameters"]
    assert "data_dir = None" in "".join(cells[0]["source"])
    assert "show_dashboard(data_dir=data_dir)" in "".join(cells[1]["source"])
    assert all(not c.get("outputs") for c in cells)


def test_voila_command_is_local_and_offline(tmp_path):
    from peo_lib.dashboard.server import TEMPLATE_ROOT, voila_command, voila_env

    cmd = voila_command(tmp_path / "x.ipynb", port=8899)
    assert "--Voila.ip=127.0.0.1" in cmd and "--no-browser" in cmd and "--template=peo" in cmd
    assert "--strip_sources=True" in cmd and "--port=8899" in cmd
    env = voila_env(data_dir=tmp_path, out_dir=tmp_path / "o", base={})
    assert env["JUPYTER_PATH"].split(":")[0] == str(TEMPLATE_ROOT)
    assert env["PEO_DATA_DIR"] == str(tmp_path.resolve())
    assert (TEMPLATE_ROOT / "voila" / "templates" / "peo" / "index.html.j2").is_file()


def test_serve_dashboard_refuses_missing_data_and_busy_port(tmp_path, tiny_data_dir):
    from peo_lib.dashboard.server import serve_dashboard
    from peo_lib.errors import PEOError

    with pytest.raises(PEOError, match="no codebooks"):
        serve_dashboard(data_dir=tmp_path / "leeg", open_browser=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(PEOError, match=f"port {port}"):
            serve_dashboard(data_dir=tiny_data_dir, port=port, open_browser=False)
    with pytest.raises(PEOError, match="port=0"):
        serve_dashboard(data_dir=tiny_data_dir, port=0, open_browser=False)


def test_distribution_hides_small_groups_not_rare_answers(dash, tiny_round):
    """Percentages are computed on the group's base: a rare answer (count 1-4) in a
    group of >= min_n stays visible; a group under min_n is hidden whole, plus the
    complementary group because a total is shown (design.md privacy rules)."""
    dash.round.value = "2099-1"
    dash.subject.value = "item:PR02"
    dash.view.value = "verdeling"
    dash.breakdown.value = "geen"
    labels = ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"]
    row = dash.current_table().iloc[0]
    x = tiny_round.items["PR02"]
    assert any(0 < (x == c).sum() < 5 for c in range(1, 6))  # the case under test exists
    assert not any(np.isnan(row[lab]) for lab in labels)
    dash.breakdown.value = "gemeente"
    table = dash.current_table().set_index("rij")
    assert bool(table.loc["Westland", "verborgen_rij"]) and table.loc["Westland", "n_label"] == "n<5"
    assert all(np.isnan(table.loc["Westland", lab]) for lab in labels)
    visible = table[~table["verborgen_rij"].astype(bool)]
    assert len(visible) >= 2  # the total plus at least one municipality
    assert not visible[labels].isna().any().any()


def test_banner_tab_shows_the_reports_banner_and_follows_the_round(dash, tiny_round):
    """The Kruistabellen tab renders the report's own banner (same numbers and letters), per round."""
    from peo_lib.report.banner_tables import banner_section
    from peo_lib.report.render_html import render_html

    dash.tabs.selected_index = 3
    panel = dash.banners
    title = panel.table.value
    assert title.startswith("Kruistabel")
    html = panel.html.value
    assert '<table class="peo-table peo-banner">' in html and "Een letter bij een percentage" in html
    report_html = render_html(banner_section(tiny_round))
    table = html[html.index("<table"):html.index("</table>")]
    assert table in report_html  # the same table, cell for cell
    panel.round.value = "2099-1"
    assert panel.table.value == title and panel.html.value.count("<table") == 1


def test_banner_tab_lists_multiple_response_questions_with_suppression(tmp_path):
    from test_report_codebook_driven import _mr_round

    from peo_lib.dashboard.banner_view import MULTIPLE_CHOICE, table_choices, table_html
    from peo_lib.dashboard.tables import round_tables

    t = round_tables(_mr_round(tmp_path))
    assert ("Vragen met meer antwoorden", MULTIPLE_CHOICE) in table_choices(t)
    html = table_html(t, MULTIPLE_CHOICE)
    assert "Welke steun gebruikt u?" in html and "Intervisie" in html
    # Q7 seen by 6 of 8 (a blank cell = not seen): Intervisie ticked by 3 -> 50%
    assert "basis: 6 respondenten" in html and "50%" in html
    assert "Hoe hoorde u van deze vragenlijst? (basis: n&lt;5 respondenten)" in html  # 3 saw it: hidden


def test_a_grid_is_one_overview_titled_with_its_question(tmp_path):
    from test_report_codebook_driven import TINY_CODEBOOK, _round

    from peo_lib.dashboard.widget import Dashboard

    cb = TINY_CODEBOOK.replace("scales:\n", "grids:\n  RUIMTE:\n    text: Hoe ervaart u uw ruimte?\n"
                               "    items: [PR01, PR02, PR03]\nscales:\n", 1)
    dash = Dashboard({"2099-1": _round(tmp_path, cb)}, out_dir=tmp_path / "out", warm_up=False)
    dash.block.value = "kern"
    options = dict((v, k) for k, v in dash.subject.options)
    assert options.get("block:kern:grid:RUIMTE") == "Vraag: Hoe ervaart u uw ruimte?"
    dash.subject.value = "block:kern:grid:RUIMTE"
    assert "Hoe ervaart u uw ruimte?" in dash.heading.value
    rows = dash.current_table()
    assert list(dict.fromkeys(rows["onderwerp"])) == ["item:PR01", "item:PR02", "item:PR03"]
    dash.view.value = "trend"  # a trend is per statement: the grid says so instead of drawing nothing
    assert any("kies één stelling van deze vraag" in t for t in dash.figure_texts())
