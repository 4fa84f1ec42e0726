"""The coding store (peo_lib.data.coding) and the coding widget (peo_lib.dashboard.coding_widget)."""

from __future__ import annotations

import re

import pytest

from open_theme_helpers import FRAME_OPEN01, DemoScrubber, coded_demo_dir
from peo_lib import load_round
from peo_lib.data.codeframe import parse_codeframe
from peo_lib.data.coding import (CONFIRMED, PROPOSED, UNCODED, CodingStore, answer_key, coding_path,
                                 read_coding)
from peo_lib.errors import CodeFrameError
from peo_lib.report.open_themes import question_coding


@pytest.fixture
def data(demo_dir, tmp_path):
    return coded_demo_dir(demo_dir, tmp_path / "data")


@pytest.fixture
def rnd(data):
    return load_round(data / "codebooks" / "2021-1.yml")


def _qc(rnd, tmp_path, scrubber=None):
    return question_coding(rnd, "OPEN01", cache_dir=tmp_path / "cache", scrubber=scrubber or DemoScrubber())


def test_answer_key_is_sha256_of_round_and_normalised_text():
    import hashlib

    k = answer_key("2021-1", "Minder regels.")
    assert k == hashlib.sha256("2021-1\nMinder regels.".encode()).hexdigest()
    assert answer_key("2021-1", "  Minder\n regels. ") == k  # whitespace does not make a new answer
    assert answer_key("2021-2", "Minder regels.") != k  # coded per round
    assert answer_key("2021-1", "Minder regels!") != k


def test_rules_propose_and_the_store_counts_distinct_answers(rnd, tmp_path):
    qc = _qc(rnd, tmp_path)
    keys = qc.store.current_keys()
    texts = [qc.store.entries[k].text for k in keys]
    assert texts == sorted(texts, key=lambda t: (t.casefold(), t)) and len(set(texts)) == len(texts)
    answered = {t.strip() for t in qc.answers.dropna() if t.strip()}
    assert len(keys) == len(answered)
    k = qc.store.key_of("Minder administratie, zodat ik meer tijd heb voor de gezinnen.")
    assert qc.store.status(k) == PROPOSED and qc.store.themes(k) == ("administratie", "werkdruk")
    assert qc.store.status(qc.store.key_of("Een vast aanspreekpunt bij elke gemeente.")) == PROPOSED
    assert "collegas" not in {t for key in keys for t in qc.store.themes(key)}  # added in 2021-2: not in 2021-1
    assert any(qc.store.status(key) == UNCODED for key in keys)
    assert qc.store.progress() == (0, len(keys))


def test_coding_survives_a_rerun_and_a_rescrub_and_holds_no_respondent_ids(rnd, data, tmp_path):
    qc = _qc(rnd, tmp_path)
    key = qc.store.key_of("Geen idee eigenlijk.")
    qc.store.set_themes(key, ["werkdruk"], frame=qc.frame)
    other = qc.store.key_of("Hogere salarissen, anders blijven er straks geen ervaren mensen over.")
    qc.store.set_themes(other, [], frame=qc.frame)  # confirmed: no theme fits
    path = qc.save()
    assert path == coding_path("2021-1", "OPEN01", data_dir=data)
    text = path.read_text(encoding="utf-8")
    ids = [str(i) for i in rnd.items.index]
    assert ids and not [i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)]
    from peo_lib.data import demo

    assert not [x for x in demo.PEOPLE + demo.EMAILS + demo.PHONES if x in text]  # scrubbed text only
    assert "[naam]" in text or "[e-mail]" in text or "[telefoonnummer]" in text

    # a re-run: a fresh load, a fresh scrub (no cache) by another scrubber instance with the same output
    rnd2 = load_round(data / "codebooks" / "2021-1.yml")
    spy = DemoScrubber()
    qc2 = question_coding(rnd2, "OPEN01", cache_dir=tmp_path / "other-cache", scrubber=spy)
    assert spy.calls == 1  # really scrubbed again
    assert qc2.store.status(key) == CONFIRMED and qc2.store.themes(key) == ("werkdruk",)
    assert qc2.store.status(other) == CONFIRMED and qc2.store.themes(other) == ()
    assert qc2.store.progress()[0] == 2 and qc2.store.orphans() == []


def test_no_qualtrics_response_ids_in_the_coding_file(data, tmp_path):
    rnd = load_round(data / "codebooks" / "2022-1.yml")  # ResponseIds such as R_Hh6shNPl6wmvbku
    qc = _qc(rnd, tmp_path)
    for k in qc.store.current_keys()[:5]:
        qc.store.set_themes(k, qc.store.themes(k), frame=qc.frame)
    text = qc.save().read_text(encoding="utf-8")
    ids = [str(i) for i in rnd.items.index]
    assert all(i.startswith("R_") for i in ids)
    assert "R_" not in text and not [i for i in ids if i in text]
    assert text.count("    confirmed: true\n") == 5


def test_a_rescrub_that_changes_a_text_keeps_the_old_entry_and_codes_the_new_one_afresh(rnd, tmp_path):
    qc = _qc(rnd, tmp_path)
    key = qc.store.key_of("Geen idee eigenlijk.")
    qc.store.set_themes(key, ["geen_idee"], frame=qc.frame)
    qc.save()

    class Shouting(DemoScrubber):
        version = "shouting-1"

        def scrub_many(self, texts, *, redact_terms=()):
            return [None if t is None else t.replace("Geen idee", "GEEN IDEE") for t in
                    super().scrub_many(texts, redact_terms=redact_terms)]

    qc2 = _qc(rnd, tmp_path, Shouting())
    assert key in qc2.store.orphans() and qc2.store.status(key) == CONFIRMED  # never deleted
    new = qc2.store.key_of("GEEN IDEE eigenlijk.")
    assert qc2.store.status(new) == PROPOSED and qc2.store.themes(new) == ("geen_idee",)


def test_better_rules_reach_unconfirmed_answers_only(rnd, tmp_path):
    qc = _qc(rnd, tmp_path)
    a = qc.store.key_of("Meer waardering vanuit de politiek en de media voor wat we wél bereiken.")
    b = qc.store.key_of("Hogere salarissen, anders blijven er straks geen ervaren mensen over.")
    qc.store.set_themes(b, ["waardering"], frame=qc.frame)
    qc.save()
    changed = parse_codeframe(FRAME_OPEN01.replace("[waardering, salaris, financi]", "[media]"))
    store = read_coding(qc.store.path, round_id="2021-1", question="OPEN01", frame=changed)
    store.sync(qc.answers, frame=changed)
    assert store.themes(a) == ("waardering",) and store.status(a) == PROPOSED  # via 'media' now
    assert store.themes(b) == ("waardering",) and store.status(b) == CONFIRMED  # untouched


def test_a_theme_added_later_does_not_break_an_earlier_rounds_coding(rnd, tmp_path):
    old = parse_codeframe(FRAME_OPEN01.replace('    since: "2021-2"\n', '    since: "2021-1"\n'))
    qc = _qc(rnd, tmp_path)
    key = qc.store.key_of("Meer tijd voor intervisie en overleg met collega's.")
    qc.store.set_themes(key, ["werkdruk"], frame=old)
    qc.save()
    newer = parse_codeframe(FRAME_OPEN01 + "  nieuw_thema:\n    label: Nieuw thema\n    keywords: [tijd]\n"
                                           '    since: "2022-1"\n')
    store = read_coding(qc.store.path, round_id="2021-1", question="OPEN01", frame=newer)
    assert store.themes(key) == ("werkdruk",)
    store.sync(qc.answers, frame=newer)
    assert not [k for k in store.current_keys() if "nieuw_thema" in store.themes(k)]


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_coding_file_errors_name_the_line_and_the_fix(tmp_path):
    frame = parse_codeframe(FRAME_OPEN01)
    k = answer_key("2021-1", "Minder regels.")
    good = f'round: "2021-1"\nquestion: OPEN01\nanswers:\n  {k}:\n    text: Minder regels.\n' \
           "    themes: [regels]\n    confirmed: true\n"
    p = _write(tmp_path / "codering" / "2021-1" / "OPEN01.yml", good)
    assert read_coding(p, round_id="2021-1", question="OPEN01", frame=frame).themes(k) == ("regels",)
    cases = [
        (good.replace("text: Minder regels.", "text: Minder regels!"), "line 4, answers.",
         "the key does not belong to this text"),
        (good.replace("[regels]", "[regelz]"), "line 6, answers.", "unknown theme 'regelz'; add it to"),
        (good.replace("[regels]", "[collegas]"), "line 6, answers.", "not active in 2021-1"),
        (good.replace('"2021-1"', '"2021-2"'), "line 1, round:", "move the file or fix `round`"),
        (good.replace("confirmed: true", "confirmed: ja"), "line 7,", "expected true or false"),
    ]
    for text, where, what in cases:
        _write(p, text)
        with pytest.raises(CodeFrameError) as info:
            read_coding(p, round_id="2021-1", question="OPEN01", frame=frame)
        msg = str(info.value)
        assert msg.startswith(str(p)) and where in msg and what in msg and len(msg.splitlines()) == 1, msg
    # an unconfirmed proposal with a theme that left the frame is not an error: it is renewed on sync
    _write(p, good.replace("[regels]", "[regelz]").replace("confirmed: true", "confirmed: false"))
    store = read_coding(p, round_id="2021-1", question="OPEN01", frame=frame).sync(["Minder regels."], frame=frame)
    assert store.themes(k) == ("regels",)
    assert read_coding(tmp_path / "none.yml", round_id="2021-1", question="OPEN01").entries == {}


def test_store_refuses_themes_outside_the_frame():
    frame = parse_codeframe(FRAME_OPEN01)
    store = CodingStore("2021-1", "OPEN01").sync(["Minder regels."], frame=frame)
    (k,) = store.current_keys()
    with pytest.raises(ValueError, match=r"`themes` must be among \['regels'.*\['collegas'\] was passed"):
        store.set_themes(k, ["collegas"], frame=frame)
    with pytest.raises(ValueError, match="`path` must be given"):
        store.save()


# -- the widget, driven from Python ----------------------------------------------------------------

def test_coding_widget_clicks_confirm_and_save(rnd, data, tmp_path):
    from peo_lib.dashboard.coding_widget import CodingWidget

    w = CodingWidget(_qc(rnd, tmp_path))
    total = len(w.keys)
    assert w.progress.value == f"<b>0 van {total} gecodeerd</b>"
    assert list(w.boxes) == w.frame.active_themes("2021-1") and "collegas" not in w.boxes
    assert w.boxes["administratie"].description == "↳ Minder administratie"
    assert w.prev_button.disabled and not w.next_button.disabled
    first = w.key
    w.next_button.click()
    assert w.index == 1 and w.answer.value
    w.prev_button.click()
    assert w.index == 0 and w.key == first
    proposal = set(w.store.themes(first))
    assert {t for t, b in w.boxes.items() if b.value} == proposal  # the rules' proposal is ticked
    w.confirm_button.click()  # "Klopt": confirm as shown, go on
    assert w.store.status(first) == CONFIRMED and set(w.store.themes(first)) == proposal and w.index == 1
    assert w.progress.value == f"<b>1 van {total} gecodeerd</b>"
    second = w.key
    w.boxes["waardering"].value = True  # ticking a box is a decision: confirmed and saved at once
    assert w.store.status(second) == CONFIRMED and "waardering" in w.store.themes(second)
    assert "2 van" in w.progress.value and "Opgeslagen in" in w.message.value
    saved = read_coding(coding_path("2021-1", "OPEN01", data_dir=data), round_id="2021-1", question="OPEN01",
                        frame=w.frame)
    assert saved.status(first) == CONFIRMED and "waardering" in saved.themes(second)
    # only the answers not yet confirmed
    w.only_open.value = True
    w.show(0)
    w.next_button.click()
    assert w.index == 2
    w.prev_button.click()
    assert w.index == 2  # 0 and 1 are confirmed: nothing to go back to
    assert w.prev_button.disabled
    # a new widget (a new session) starts from the saved coding
    w2 = CodingWidget(_qc(load_round(data / "codebooks" / "2021-1.yml"), tmp_path))
    assert w2.progress.value == w.progress.value
    assert "keer gegeven" in w2.meta.value and "bevestigd" in w2.meta.value


def test_coding_widget_needs_a_frame_and_suggests_themes_from_uncoded_answers(rnd, data, tmp_path):
    from peo_lib.dashboard.coding_widget import CodingWidget, coding_widget

    qc = question_coding(rnd, "OPEN02", cache_dir=tmp_path / "cache", scrubber=DemoScrubber())
    with pytest.raises(CodeFrameError, match="no code frame for OPEN02 in round 2021-1; write one first"):
        CodingWidget(qc)
    w = coding_widget("2021-1", "OPEN01", data_dir=data, cache_dir=tmp_path / "cache", scrubber=DemoScrubber(),
                      save=False)
    unc = w.uncoded_texts()
    assert unc and all(w.store.status(w.store.key_of(t)) == UNCODED for t in unc)
    sug = w.suggestions(n_themes=2)
    assert list(sug.columns) == ["suggestie", "woorden", "n_antwoorden", "voorbeeld"]
    assert len(sug) >= 1 and sug["suggestie"].str.startswith("suggestie").all()
    assert not (data / "codering").exists()  # save=False and nothing decided


def test_coderen_notebook_is_thin_and_runs_on_the_library(data, tmp_path, monkeypatch):
    """The committed notebook's cells, run in-process with the fast stand-in scrubber (no kernel, no deduce)."""
    import nbformat

    from peo_lib import paths
    from peo_lib.privacy import scrub

    nb = nbformat.read(paths.NOTEBOOK_DIR / "coderen.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert code[0].metadata.get("tags") == ["parameters"]
    assert all(len(c.source.splitlines()) <= 4 for c in code)  # thin: the logic is in peo_lib
    monkeypatch.setattr(scrub, "get_scrubber", lambda: DemoScrubber())
    monkeypatch.setenv("PEO_CACHE_DIR", str(tmp_path / "cache"))
    ns = {}
    exec(code[0].source, ns)
    ns["data_dir"] = str(data)
    for c in code[1:]:
        exec(c.source, ns)
    w = ns["w"]
    assert w.progress_text() == f"0 van {len(w.keys)} gecodeerd"
    sec = eval(code[2].source.splitlines()[-1], ns)
    assert "Thema's in de open antwoorden" in sec.text()
    sug = eval(code[3].source, ns)
    assert sug["suggestie"].str.startswith("suggestie").all()


def test_peo_code_subcommand_writes_the_coding_files_and_prints_progress(data, tmp_path, monkeypatch, capsys):
    import argparse

    from peo_lib.data.coding import add_subcommand
    from peo_lib.errors import PEOError
    from peo_lib.privacy import scrub

    monkeypatch.setattr(scrub, "get_scrubber", lambda: DemoScrubber())
    monkeypatch.setenv("PEO_CACHE_DIR", str(tmp_path / "cache"))
    parser = argparse.ArgumentParser(prog="peo")
    add_subcommand(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["code", "2021-1", "--data-dir", str(data)])
    assert args.func(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"OPEN01: 0 van \d+ gecodeerd \(.*codering/2021-1/OPEN01\.yml\)", out[0]), out
    assert out[1].startswith("OPEN02: no code frame in")
    path = coding_path("2021-1", "OPEN01", data_dir=data)
    store = read_coding(path, round_id="2021-1", question="OPEN01")
    assert store.entries and not any(e.confirmed for e in store.entries.values())
    assert not (data / "codering" / "2021-1" / "OPEN02.yml").exists()
    args = parser.parse_args(["code", "2021-1", "--question", "OPEN09", "--data-dir", str(data)])
    with pytest.raises(PEOError, match="has no open question 'OPEN09'"):
        args.func(args)
