"""Issue 13: the meeting mode, the meeting file, `peo actions accept`, `peo verslag`, dashboard correctness.

Driven from Python (no browser); the scripted meeting in chromium is in
tests/test_browser_dashboard.py.
"""

from __future__ import annotations

import asyncio
import shutil

import numpy as np
import pytest

DATE = "2026-12-02"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def demo_tables(demo_dir, tmp_path_factory):
    from peo_lib.dashboard.tables import load_tables

    return load_tables(demo_dir, cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture
def data_dir(demo_dir, tmp_path):
    """A writable copy of the demo codebooks (meeting files and the register go here)."""
    shutil.copytree(demo_dir / "codebooks", tmp_path / "codebooks")
    return tmp_path


@pytest.fixture
def dash(demo_tables, data_dir, tmp_path):
    from peo_lib.dashboard.widget import Dashboard

    return Dashboard(demo_tables, out_dir=tmp_path / "out", data_dir=data_dir, meeting_date=DATE, warm_up=False,
                     mode="bijeenkomst")


# -- the views of a block ----------------------------------------------------------------

def test_core_overview_holds_every_likert_statement_and_the_grade_apart(demo_tables):
    from peo_lib.dashboard.views import block_views

    t = demo_tables["2023-1"]
    views = block_views(t, "kern")
    overviews = [v for v in views if v.items]
    likert = [k for k, m in t.subjects.items() if m["kind"] == "item" and m["block"] == "kern"
              and m["response_set"] == "eens5"]
    assert [v.subject for v in overviews] == ["block:kern:eens5"]
    assert list(overviews[0].items) == likert and len(likert) > 10
    grade = next(v for v in views if v.subject == "item:TV01")
    assert grade.as_means  # the 0-10 rapportcijfer: means, as the report, not in the Likert overview
    assert "item:TV01" not in overviews[0].items


def test_explore_overview_of_the_core_block_is_not_empty(dash):
    dash.round.value = "2023-1"
    dash.block.value = "kern"
    dash.subject.value = "block:kern:eens5"
    table = dash.current_table()
    assert table["onderwerp"].nunique() > 10
    assert "verschillende antwoordschalen" not in " ".join(dash.figure_texts())


# -- meeting mode driven from Python -----------------------------------------------------

def test_meeting_steps_through_the_theme_block_with_number_chart_and_sentence(dash):
    m = dash.meeting
    assert dash.tabs.get_title(2) == "Bijeenkomst" and dash.tabs.selected_index == 2
    assert m.block.value == dash.tables[m.round.value].theme  # the round's theme first
    assert m.image.value[:8] == PNG and "1 van" in m.counter.value
    first = m.image.value
    m.next_button.click()
    assert "2 van" in m.counter.value and m.image.value != first
    assert m.key_number.value and "peo-sentence" in m.sentence.value
    m.prev_button.click()
    m.prev_button.click()  # wraps around to the last view
    assert f"{len(m.views)} van {len(m.views)}" in m.counter.value


def test_breakdown_by_any_declared_background_variable(dash, demo_tables):
    m = dash.meeting
    values = [v for _, v in m.breakdown.options]
    assert set(demo_tables["2023-1"].groups) <= set(values)
    assert {"functie", "organisatie", "gemeente"} <= set(values)
    m.breakdown.value = "gemeente"
    assert "gemeente" in m.heading.value.lower()


def test_conclusion_and_action_are_saved_and_read_back_after_a_reload(dash, demo_tables, data_dir, tmp_path):
    from peo_lib.dashboard.widget import Dashboard
    from peo_lib.data.meetings import meeting_path, read_meeting

    m = dash.meeting
    m.next_button.click()
    subject = m.view.subject
    m.conclusion.value = "Starters ervaren minder ruimte"
    m.flush()  # what the debounce timer does one second after the last key stroke
    m.action_title.value = "Intervisie voor starters"
    m.action_owner.value = "PJH werkgroep"
    action = m.propose()
    assert action is not None and action.id == f"VA-{DATE}-01"
    path = meeting_path(DATE, data_dir=data_dir)
    meeting = read_meeting(path, codebooks=list(_codebooks(data_dir)))
    assert meeting.note(m.view.round_id, subject).conclusie == "Starters ervaren minder ruimte"
    assert [a.titel for a in meeting.acties] == ["Intervisie voor starters"]
    again = Dashboard(demo_tables, out_dir=tmp_path / "out", data_dir=data_dir, meeting_date=DATE, warm_up=False,
                      mode="bijeenkomst")
    assert again.meeting.view.subject == subject  # opens at the view discussed last
    assert again.meeting.conclusion.value == "Starters ervaren minder ruimte"
    assert "Intervisie voor starters" in again.meeting.actions_list.value


def test_a_page_shows_what_another_kernel_wrote_to_the_meeting_file(dash, demo_tables, data_dir, tmp_path):
    """The state a pre-heated kernel read before the page opened is not the last word: a second
    panel on the same meeting shows the action the first one proposed after it started."""
    import time

    from peo_lib.dashboard.widget import Dashboard

    later = Dashboard(demo_tables, out_dir=tmp_path / "out", data_dir=data_dir, meeting_date=DATE, warm_up=False,
                      mode="bijeenkomst")  # started (pre-heated) before anything was proposed
    assert "0 voorstel(len)" in later.meeting.actions_list.value
    later.meeting.watch_file(interval=0.05)
    try:
        m = dash.meeting
        m.action_title.value = "Intervisie voor starters"
        m.action_owner.value = "PJH werkgroep"
        assert m.propose() is not None
        deadline = time.monotonic() + 30
        while "1 voorstel(len)" not in later.meeting.actions_list.value and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "1 voorstel(len)" in later.meeting.actions_list.value
    finally:
        later.meeting.stop_watching()


def test_a_proposal_without_title_is_refused_in_dutch(dash, data_dir):
    m = dash.meeting
    m.action_title.value = ""
    m.action_owner.value = "PJH"
    assert m.propose() is None
    assert "titel" in m.actions_list.value
    assert not (data_dir / "bijeenkomsten" / f"{DATE}.yml").exists() or "acties: []" in (
        data_dir / "bijeenkomsten" / f"{DATE}.yml").read_text()


def test_debounced_save_writes_after_the_last_key_stroke(dash, data_dir, monkeypatch):
    import peo_lib.dashboard.meeting as meeting_mod

    m = dash.meeting
    m.conclusion.value = "eerste"
    m.conclusion.value = "eerste en tweede"
    assert m._timer is not None  # pending, not yet written
    m._timer.join(timeout=30)
    text = (data_dir / "bijeenkomsten" / f"{DATE}.yml").read_text(encoding="utf-8")
    assert "eerste en tweede" in text and "Opgeslagen" in m.saved.value
    assert meeting_mod.SAVE_DELAY > 0


def test_meeting_png_names_the_view_and_keeps_the_sentence(dash, tmp_path):
    m = dash.meeting
    path = m.save_png()
    assert path.name.startswith(f"{DATE}_{m.view.round_id}_") and path.name.endswith(f"_{m.breakdown.value}.png")
    m.next_button.click()
    other = m.save_png()
    assert other != path and path.is_file() and other.is_file()  # one file per view, none overwritten
    fig, _ = m.renderer.draw(m.view, m.breakdown.value)
    with_sentence = fig.full_png(sentence=m.renderer.sentence(m.view, m.breakdown.value))
    without = fig.full_png(sentence="")
    assert _png_height(with_sentence) > _png_height(without)


def test_saved_title_never_overlaps_its_subtitle(dash):
    from peo_lib.dashboard.figures import _DistributionFigure

    fig = _DistributionFigure()
    fig.update([], ["a", "b", "c"], title="Een heel lange titel die over twee regels loopt\nen nog verder gaat",
               subtitle="Ronde 2023-1 · iets\nen een tweede regel", small_label="n<5")
    fig.title.set_visible(True)
    fig.subtitle.set_visible(True)
    fig._stack_titles()
    r = fig.canvas.get_renderer()
    title, sub = fig.title.get_window_extent(r), fig.subtitle.get_window_extent(r)
    assert title.y0 >= sub.y1  # the title sits above the subtitle's top


# -- the meeting file and the register ---------------------------------------------------

def _codebooks(data_dir):
    from peo_lib import paths
    from peo_lib.data.codebook import read_codebook

    return [read_codebook(f) for f in paths.codebook_files(data_dir)]


def _write(data_dir, text):
    folder = data_dir / "bijeenkomsten"
    folder.mkdir(exist_ok=True)
    (folder / f"{DATE}.yml").write_text(text, encoding="utf-8")


MEETING = f"""datum: {DATE}
onderwerpen:
  - ronde: "2023-1"
    blok: kern
    onderwerp: item:PR01
    uitsplitsing: functie
    conclusie: Jan de Vries vindt dat starters meer ruimte nodig hebben.
acties:
  - id: VA-{DATE}-01
    titel: Intervisie voor starters
    eigenaar: PJH werkgroep
    ronde_start: "2024-1"
    schalen: [professionele_ruimte]
    items: [PR01]
    onderwerp: item:PR01
"""


def test_meeting_file_uses_the_register_rules(data_dir):
    from peo_lib.data.meetings import read_meeting
    from peo_lib.errors import MeetingError

    _write(data_dir, MEETING)
    meeting = read_meeting(DATE, data_dir=data_dir, codebooks=_codebooks(data_dir))
    assert meeting.acties[0].status == "gepland" and not meeting.acties[0].overgenomen
    _write(data_dir, MEETING.replace("[professionele_ruimte]", "[profesionele_ruimte]"))
    with pytest.raises(MeetingError) as err:
        read_meeting(DATE, data_dir=data_dir, codebooks=_codebooks(data_dir))
    assert "acties[1].schalen" in str(err.value) and "did you mean 'professionele_ruimte'" in str(err.value)
    _write(data_dir, MEETING.replace('"2024-1"', "2024"))
    with pytest.raises(MeetingError, match=r"acties\[1\]\.ronde_start: .*put the round id in quotes"):
        read_meeting(DATE, data_dir=data_dir)
    _write(data_dir, MEETING.replace("    onderwerp: item:PR01\n", "    onderwerp: item:PR01\n    kleur: rood\n", 1))
    with pytest.raises(MeetingError, match=r"onderwerpen\.0\.kleur: unknown key"):
        read_meeting(DATE, data_dir=data_dir)
    _write(data_dir, MEETING.replace("item:PR01\n    uitsplitsing", "item:XX99\n    uitsplitsing"))
    with pytest.raises(MeetingError, match="not in the codebook of 2023-1"):
        read_meeting(DATE, data_dir=data_dir, codebooks=_codebooks(data_dir))


def test_actions_accept_moves_explicitly_and_refuses_duplicates(data_dir, capsys):
    from peo_lib.cli import main
    from peo_lib.data.meetings import read_meeting
    from peo_lib.data.register import read_register

    _write(data_dir, MEETING)
    (data_dir / "verbeteracties.yml").write_text(
        "# het register\n- id: VA-2021-01\n  titel: Eén formulier\n  ronde_start: \"2021-1\"\n"
        "  eigenaar: PJH\n  status: afgerond\n", encoding="utf-8")
    assert main(["actions", "accept", DATE, "--data-dir", str(data_dir)]) == 0
    reg = read_register(data_dir / "verbeteracties.yml", codebooks=_codebooks(data_dir))
    assert [a.id for a in reg] == ["VA-2021-01", f"VA-{DATE}-01"]
    assert reg.actions[1].schalen == ["professionele_ruimte"] and reg.actions[1].status == "gepland"
    assert "# het register" in (data_dir / "verbeteracties.yml").read_text(encoding="utf-8")  # comments kept
    assert read_meeting(DATE, data_dir=data_dir).acties[0].overgenomen
    before = (data_dir / "verbeteracties.yml").read_bytes()
    capsys.readouterr()
    assert main(["actions", "accept", DATE, f"VA-{DATE}-01", "--data-dir", str(data_dir)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "already in the register" in err
    assert (data_dir / "verbeteracties.yml").read_bytes() == before


def test_actions_accept_refuses_a_title_already_in_the_register(data_dir, capsys):
    from peo_lib.cli import main

    _write(data_dir, MEETING)
    (data_dir / "verbeteracties.yml").write_text(
        "- id: VA-2023-07\n  titel: intervisie voor starters\n  ronde_start: \"2023-1\"\n  eigenaar: PJH\n"
        "  status: lopend\n", encoding="utf-8")
    assert main(["actions", "accept", DATE, "--data-dir", str(data_dir)]) == 2
    assert "duplicates VA-2023-07" in capsys.readouterr().err
    assert main(["actions", "accept", DATE, "VA-0000", "--data-dir", str(data_dir)]) == 2


def test_verslag_is_offline_scrubbed_and_shows_figure_sentence_conclusion_actions(demo_dir, data_dir, tmp_path):
    from peo_lib.cli import main
    from peo_lib.publish.html import check_offline_html

    shutil.copytree(demo_dir / "raw", data_dir / "raw")
    _write(data_dir, MEETING)
    out = tmp_path / "out"
    assert main(["verslag", DATE, "--data-dir", str(data_dir), "--out", str(out)]) == 0
    page = (out / "bijeenkomsten" / DATE / "verslag.html").read_text(encoding="utf-8")
    assert check_offline_html(page) == []
    assert "Jan de Vries" not in page and "[naam]" in page  # scrubbed before it reaches the record
    assert 'src="data:image/png;base64,' in page and "Conclusie van de groep" in page
    assert "Intervisie voor starters" in page and "Iedereen samen scoort gemiddeld" in page
    assert "n&lt;5" in page  # the small Teamleider group under the functie breakdown (escaped)
    assert "Herkomst:" in page and page.rstrip().endswith("</html>")
    md = (out / "bijeenkomsten" / DATE / "verslag.md").read_text(encoding="utf-8")
    assert "Jan de Vries" not in md and "(figuren/" in md
    assert list((out / "bijeenkomsten" / DATE / "figuren").glob("*.png"))


def test_verslag_of_a_missing_meeting_is_one_line(data_dir, capsys):
    from peo_lib.cli import main

    assert main(["verslag", "2026-01-05", "--data-dir", str(data_dir)]) == 2
    assert "meeting file not found" in capsys.readouterr().err


# -- dashboard correctness -----------------------------------------------------------

def test_total_is_the_rounds_total_and_unknown_groups_are_a_masked_row(demo_tables):
    from peo_lib.dashboard.model import _Model

    model = _Model(demo_tables)
    t = demo_tables["2023-1"]
    assert "Onbekend" in t.groups["functie"]  # some respondents left their function blank
    whole = model.distribution("2023-1", "item:PR01", "geen").iloc[0]
    split = model.distribution("2023-1", "item:PR01", "functie")
    assert split.iloc[0]["rij"] == "Totaal" and split.iloc[0]["n"] == whole["n"]
    shown = split.iloc[1:]
    assert "Onbekend" in list(shown["rij"])
    visible = shown[~shown["verborgen_rij"]]
    hidden_n = whole["n"] - visible["n"].sum()
    assert hidden_n == 0 or (shown["verborgen_rij"].sum() != 1)  # never one hidden row the total gives back
    means = model.means("2023-1", "scale:professionele_ruimte", "functie").iloc[0]
    assert means["n"] == model.means("2023-1", "scale:professionele_ruimte", "geen").iloc[0]["n"]


def test_missing_reasons_are_shown_beside_the_bars_as_in_the_report(demo_tables, demo_dir):
    from peo_lib import load_round
    from peo_lib.dashboard.model import _Model
    from peo_lib.dashboard.views import _dist_rows
    from peo_lib.stats.descriptives import item_distribution

    model = _Model(demo_tables)
    tab = model.distribution("2023-1", "item:PR01", "geen")
    reasons = tab.attrs["missing"]
    assert "Weet ik niet" in reasons
    rnd = load_round(demo_dir / "codebooks" / "2023-1.yml")
    ref = item_distribution(rnd, "PR01")
    ref = ref[ref["kind"] == "missing"].set_index("label")["pct"]
    for r in reasons:
        assert tab.iloc[0][r] == pytest.approx(ref[r])
    from peo_lib.dashboard.figures import _DistributionFigure

    fig = _DistributionFigure()
    fig.update(_dist_rows(tab), tab.attrs["categories"], title="t", subtitle="s", small_label="n<5",
               reasons=reasons)
    texts = fig.texts()
    assert any(t.startswith("Niet in de basis") for t in texts)
    assert any("·" in t and t.endswith("%") for t in texts)


def test_one_palette_for_report_and_dashboard():
    from peo_lib.dashboard.figures import _colours
    from peo_lib.report.plots import likert_colors

    assert _colours(5) == likert_colors(2, 1, 2)
    assert _colours(4) == likert_colors(2, 0, 2)
    assert len(set(_colours(11))) >= 10


def test_orphaned_kernels_are_shut_down_but_the_pool_is_kept():
    from peo_lib.dashboard.local_voila import _OrphanReaper

    class Future:
        def __init__(self, kid):
            self.kid = kid

        def done(self):
            return True

        def cancelled(self):
            return False

        def exception(self):
            return None

        def result(self):
            return {"kernel_id": self.kid}

    class KM:
        def __init__(self):
            self._kernel_connections = {"pool": 0, "page": 1, "open": 1}
            self._pools = {"nb": [Future("pool")]}
            self.down = []

        def list_kernel_ids(self):
            return [k for k in self._kernel_connections if k not in self.down]

        async def shutdown_kernel(self, kid):
            self.down.append(kid)

    km = KM()
    reaper = _OrphanReaper(km, grace=0)
    assert asyncio.run(reaper.check()) == []  # both pages connected
    km._kernel_connections["page"] = 0  # that page was closed
    assert asyncio.run(reaper.check()) == ["page"]
    assert asyncio.run(reaper.check()) == []
    assert km.down == ["page"]  # the pool kernel (never connected) and the open page stay


def test_voila_command_culls_orphans_and_meeting_mode_env(tmp_path):
    from peo_lib.dashboard.server import voila_command, voila_env

    cmd = voila_command(tmp_path / "x.ipynb", port=8866, orphan_grace=3)
    assert "--LocalVoila.orphan_kernel_grace=3.0" in cmd and "--pool_size=1" in cmd
    assert voila_env(meeting=True, base={})["PEO_DASHBOARD_MODE"] == "bijeenkomst"
    assert "PEO_DASHBOARD_MODE" not in voila_env(base={})
    with pytest.raises(ValueError, match="orphan_grace"):
        voila_command(tmp_path / "x.ipynb", port=8866, orphan_grace=0)


def _png_height(png: bytes) -> int:
    return int.from_bytes(png[20:24], "big")


def test_next_round_ids():
    from peo_lib.dashboard.meeting import next_round_ids

    assert next_round_ids("2023-1", 3) == ["2023-2", "2024-1", "2024-2"]
    assert np.all([len(r) == 6 for r in next_round_ids("2029-2")])


def test_a_pre_heated_meeting_panel_stays_hidden_until_its_page_is_served(dash, monkeypatch):
    """In a pre-heated Voila kernel the panel is hidden (its place kept) until the kernel is handed to
    a page and the meeting file is re-read: no view of the pre-heat that then jumps to the restored one."""
    import threading
    import time

    import voila.utils

    from peo_lib.dashboard import meeting

    served = threading.Event()
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setattr(voila.utils, "wait_for_request", lambda *a, **k: served.wait(30))
    meeting.refresh_when_requested(dash)
    assert meeting.WAITING_CLASS in dash.meeting.widget._dom_classes
    assert meeting.READY_CLASS not in dash.meeting.widget._dom_classes
    assert f".peo-meeting.{meeting.WAITING_CLASS} {{ visibility: hidden; }}" in meeting._CSS
    served.set()
    deadline = time.monotonic() + 30
    while meeting.READY_CLASS not in dash.meeting.widget._dom_classes and time.monotonic() < deadline:
        time.sleep(0.02)
    assert meeting.READY_CLASS in dash.meeting.widget._dom_classes
    assert meeting.WAITING_CLASS not in dash.meeting.widget._dom_classes


def test_outside_a_pre_heat_the_meeting_panel_is_ready_at_once(dash, monkeypatch):
    from peo_lib.dashboard import meeting

    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    meeting.refresh_when_requested(dash)
    assert meeting.READY_CLASS in dash.meeting.widget._dom_classes
    assert meeting.WAITING_CLASS not in dash.meeting.widget._dom_classes
