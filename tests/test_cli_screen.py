"""The daily screen (issue 13) through the real CLI: whole ids at 80 columns and piped, ASCII
terminals, the truth in the review header and summary, `flash undo`, did-you-mean, dates."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PACKAGE_ROOT, flash_process
from flashcards.cli import COMMANDS, cli
from flashcards.decks import load_decks, shipped_decks_dir
from flashcards.model import cards_for_deck

TODAY = "2026-03-02"
TOMORROW = "2026-03-03"
# what rich takes for a terminal: tables rather than tab-separated rows (colour codes stripped)
TERMINAL = {"TTY_COMPATIBLE": "1", "NO_COLOR": "1", "TERM": "xterm"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SHIPPED_IDS = [c.id for d in load_decks([shipped_decks_dir()]) for c in cards_for_deck(d)]


@pytest.fixture(scope="module")
def day_one(tmp_path_factory):
    """The shipped decks' first new cards on TODAY, as the review order deals them (whatever the
    shipped deck holds): the tests below are about the screen, not about which card comes first."""
    from datetime import date

    from flashcards.review import start_session
    from flashcards.store import Store

    with Store.open(tmp_path_factory.mktemp("day-one") / "flash.db") as store:
        store.sync(load_decks([shipped_decks_dir()]), today=date.fromisoformat(TODAY))
        return list(start_session(store, today=date.fromisoformat(TODAY)).queue)


def plain(text: str) -> str:
    return ANSI.sub("", text)


@pytest.fixture
def flash(invoke, db_path):
    """``flash ARGS`` in-process at 80 columns on ``db_path``; ``today`` is TODAY unless given."""

    def run(*args, today=TODAY, input=None, env=None):
        result = invoke(*args, "--db", db_path, "--today", today, input=input, env={"COLUMNS": "80", **(env or {})})
        assert "Traceback" not in result.output
        return result

    return run


@pytest.fixture
def shipped(flash):
    assert flash("import").exit_code == 0
    return flash


def review_log(db_path):
    conn = sqlite3.connect(str(db_path))
    try:
        return conn.execute("SELECT card_id, kind, grade, undoes FROM reviews ORDER BY id").fetchall()
    finally:
        conn.close()


# -- ids are whole, at 80 columns and piped ------------------------------------------------


def test_piped_cards_print_every_id_whole_and_each_pastes_into_suspend(shipped, db_path):
    assert max(map(len, SHIPPED_IDS)) > 60  # the shipped ids are long enough to be cut
    result = shipped("cards")
    ids = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert ids == SHIPPED_IDS
    assert SHIPPED_IDS[4] in result.stdout.splitlines()[4] and len(SHIPPED_IDS[4]) > 40
    grep = [line for line in result.stdout.splitlines() if "pre-training" in line]
    assert len(grep) == sum("pre-training" in i for i in SHIPPED_IDS) > 0
    suspended = shipped("suspend", *ids)
    assert suspended.exit_code == 0, suspended.output
    assert suspended.stdout.startswith(f"Suspended {len(ids)} cards: ")
    assert len(shipped("cards", "--suspended").stdout.splitlines()) == len(ids)


def test_piped_cards_from_a_real_process_at_80_columns(tmp_path):
    assert flash_process("import", cwd=tmp_path, env={"COLUMNS": "80"}).returncode == 0
    result = flash_process("cards", "--today", TODAY, cwd=tmp_path, env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == SHIPPED_IDS
    assert "…" not in result.stdout


@pytest.mark.parametrize("columns", [80, 60, 40, 200])
def test_cards_on_a_terminal_never_cut_an_id(shipped, columns):
    out = plain(shipped("cards", env={**TERMINAL, "COLUMNS": str(columns)}).stdout)
    assert "…" not in out
    lines = out.splitlines()
    assert all(len(line.rstrip()) <= columns for line in lines)
    tokens = {token for line in lines for token in line.split()}
    deck = "lesson-04-ai-lifecycle"
    if columns >= 80:  # a table under the deck's name, each card by its id within the deck
        assert lines[0] == f"deck {deck} ({len(SHIPPED_IDS)} cards)"
        assert {i[len(deck) + 1:] for i in SHIPPED_IDS} <= tokens
    elif columns >= 72:
        assert set(SHIPPED_IDS) <= tokens
    else:  # narrower than the ids: each is folded onto the next line, never cut
        assert "".join(lines).count("pre-training-a/whos_behind_it") == 1


def test_the_id_within_a_deck_pastes_into_suspend(shipped):
    table = plain(shipped("cards", env=TERMINAL).stdout)
    short = table.splitlines()[3].split()[0]
    assert short == "pre-training-a/term"
    result = shipped("suspend", short)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Suspended 1 card: lesson-04-ai-lifecycle/pre-training-a/term\n"


def test_plain_option_on_a_terminal(shipped):
    result = shipped("cards", "--plain", "--deck", "lesson-04-ai-lifecycle", env=TERMINAL)
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows[0] == ["lesson-04-ai-lifecycle/pre-training-a/term", "term", "0", "2.50", "-", "-", "new"]
    assert len(rows) == len(SHIPPED_IDS)
    decks = shipped("decks", "--plain", env=TERMINAL)
    assert decks.stdout.split("\t")[:2] == ["lesson-04-ai-lifecycle",
                                            "Lesson 4: Pre-training, fine-tuning and inference"]


@pytest.mark.parametrize("columns", [80, 40])
def test_decks_on_a_terminal_keep_the_deck_id_and_headers_whole(shipped, columns):
    out = plain(shipped("decks", env={**TERMINAL, "COLUMNS": str(columns)}).stdout)
    assert "…" not in out
    assert "lesson-04-ai-lifecycle" in out.split()
    assert all(len(line.rstrip()) <= columns for line in out.splitlines())
    if columns == 80:
        assert out.splitlines()[1].split() == ["deck", "name", "new", "due", "today", "learning", "total"]
    else:  # a block per deck
        assert out.splitlines()[2] == "lesson-04-ai-lifecycle"
        assert out.splitlines()[3].startswith("  Lesson 4: Pre-training,")
        assert out.splitlines()[5].startswith(f"  {len(SHIPPED_IDS)} new · 0 due today · 0 learning")


def make_leeches(flash):
    """Two cards of the shipped deck graded 0 on three days: E-Factor at the 1.3 floor."""
    for n, day in enumerate(["2026-03-02", "2026-03-03", "2026-03-04"]):
        # grade 0 twice, then pass the two drills
        result = flash("review", "--limit", "2", today=day, input="0\n0\n5\n5\n" if n == 0 else "0\n0\n5\n5\n")
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("columns, env", [(80, {}), (80, TERMINAL), (40, TERMINAL)])
def test_stats_leeches_keep_entry_and_lapses(shipped, columns, env):
    make_leeches(shipped)
    out = plain(shipped("stats", today="2026-03-04", env={**env, "COLUMNS": str(columns)}).stdout)
    leeches = out.split("\nLeeches\n")[1]
    assert "…" not in leeches
    if columns == 80:
        assert leeches.splitlines()[2].split() == ["entry", "to", "rewrite", "card", "EF", "lapses"]
        assert ["pre-training-a", "term", "1.30", "2"] in [line.split() for line in leeches.splitlines()]
    else:
        assert any(word.endswith("pre-training-a") for word in leeches.split())
        assert "lapses" in leeches
    assert all(len(line.rstrip()) <= columns for line in out.splitlines())


def test_empty_filters_say_so(shipped):
    on_terminal = shipped("cards", "--leeches", env=TERMINAL)
    assert on_terminal.stdout == "No leech cards.\n"
    piped = shipped("cards", "--suspended", "--due")
    assert (piped.stdout, piped.stderr) == ("", "No suspended cards due today.\n")


# -- any terminal --------------------------------------------------------------------------


def every_help():
    commands = [[name] for name in COMMANDS]
    for group in ("quiz", "export"):
        commands += [[group, sub] for sub in cli.get_command(None, group).commands]
    return [[]] + commands


def test_every_command_under_an_ascii_terminal(tmp_path):
    env = {"PYTHONIOENCODING": "ascii", "COLUMNS": "80", "FLASH_TODAY": TODAY}
    lesson = Path(__file__).parent / "fixtures" / "lesson_markdown.md"
    deck = shipped_decks_dir() / "lesson-04-ai-lifecycle.yaml"
    runs = [args + ["--help"] for args in every_help()] + [
        ["import"], ["validate", deck], ["decks"], ["cards"], ["cards", "--plain"], ["cards", "--json"],
        ["review", "--limit", "3"], ["undo"], ["stats"], ["stats", "--json"],
        ["suspend", "pre-training-a/term"], ["unsuspend", "pre-training-a/term"],
        ["build", lesson, "-o", tmp_path / "draft.yaml"], ["export", "anki", "-o", tmp_path / "out.apkg"],
        ["quiz", "roster", "import", tmp_path / "team.csv"],
        ["quiz", "create", "--title", "Check", "--questions", "3", "--pass-mark", "60", "--seed", "1",
         "--roster", "-o", tmp_path / "check"],
        ["quiz", "list"],
    ]
    (tmp_path / "team.csv").write_text("name,email,team\nAna,ana@example.org,East\n", encoding="utf-8")
    outputs = []
    for args in runs:
        stdin = "4\n2\n5\n5\n" if args[0] == "review" else None
        result = flash_process(*args, cwd=tmp_path, env=env, input=stdin)
        assert result.returncode == 0, (args, result.stderr)
        assert "Traceback" not in result.stderr, args
        outputs.append(result.stdout)
    # click.echo takes an ASCII stream for a misconfigured one and writes UTF-8 to it (build's
    # notes quote the lesson); everything else spells its glyphs in ASCII
    assert [args[0] for args, out in zip(runs, outputs) if not out.isascii()] in ([], ["build"])
    every = "".join(outputs)
    assert "0 due | 20 new | 3 in this session (--limit 3)" in every  # '·' has an ASCII stand-in
    # JSON escapes what the stream cannot show, losslessly: a curly quote in an answer
    assert "\\u201c" in outputs[runs.index(["cards", "--json"])]


def test_a_latin_1_terminal_keeps_the_glyphs_it_has(tmp_path):
    env = {"PYTHONIOENCODING": "latin-1", "COLUMNS": "80", "FLASH_TODAY": TODAY}
    flash_process("import", cwd=tmp_path, env=env)
    for args in (["review", "--limit", "2"], ["cards"], ["stats"], ["decks"]):
        # a terminal (rich draws panels there; piped output has none to draw)
        result = subprocess.run([sys.executable, "-m", "flashcards", *args], cwd=tmp_path, input=b"5\n5\n",
                                env={**os.environ, **env, **TERMINAL, "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
                                     "PYTHONPATH": str(PACKAGE_ROOT)}, capture_output=True)
        assert result.returncode == 0 and b"Traceback" not in result.stderr, (args, result.stderr)
        out = result.stdout.decode("latin-1")
        if args[0] == "review":
            assert "0 due · 20 new · 2 in this session (--limit 2)" in out  # '·' is Latin-1
            assert "+- lesson-04-ai-lifecycle/pre-training-a/term -" in out  # box drawing is not


def test_stats_charts_in_ascii(tmp_path):
    env = {"PYTHONIOENCODING": "ascii", "COLUMNS": "80", "FLASH_TODAY": TODAY}
    flash_process("import", cwd=tmp_path, env=env)
    flash_process("review", "--limit", "2", cwd=tmp_path, env=env, input="5\n5\n")
    out = flash_process("stats", cwd=tmp_path, env=env).stdout
    assert out.isascii()
    assert "less . 0  + 1  # 2  more (reviews a day)" in out  # the calendar's scale, in ASCII
    assert "  |  #\n" in out  # the forecast: cards due tomorrow, a bar of '#'


# -- the header and summary say what is true now ------------------------------------------


def test_limit_header_and_summary_state_the_day(shipped):
    result = shipped("review", "--limit", "3", "--new", "30", input="5\n5\n5\n")
    lines = result.stdout.splitlines()
    assert lines[0] == "0 due · 30 new · 3 in this session (--limit 3)"
    assert lines[-4:] == [
        "Reviewed 3 cards, 3 correct (100%).",
        "27 new cards left for today ('flash review' goes on).",
        f"Next due: {TOMORROW} (3 cards).",
        "Due tomorrow: 3.",
    ]
    # the next day: 3 due; a --limit 1 session says 3 due, and after it 2 still due
    nxt = shipped("review", "--limit", "1", "--new", "0", today=TOMORROW, input="4\n")
    lines = nxt.stdout.splitlines()
    assert lines[0] == "3 due · 0 new · 1 in this session (--limit 1)"
    assert "2 still due today ('flash review' goes on)." in lines


def test_quitting_states_what_is_still_due(shipped):
    shipped("review", "--limit", "20", input="5\n" * 20)
    result = shipped("review", "--new", "0", today=TOMORROW, input="4\n4\n4\n4\n4\n\n", env={"COLUMNS": "200"})
    lines = result.stdout.splitlines()
    assert lines[0] == "20 due · 0 new · 20 in this session"
    assert "Reviewed 5 cards, 5 correct (100%); 15 left in the queue." in lines
    assert "15 still due today ('flash review' goes on)." in lines


def test_new_zero_does_not_call_the_cap_reached(shipped):
    result = shipped("review", "--new", "0", env={"COLUMNS": "200"})
    assert result.stdout == (
        "Nothing to review right now.\n"
        "New cards are off for this session (--new 0).\n"
        "No reviews scheduled yet; new cards are waiting (new cards per day are capped by --new).\n"
    )


def test_a_second_session_names_its_drills(shipped, day_one):
    shipped("review", "--limit", "3", input="2\n5\n5\n\n")  # the first card graded 2, left for later
    again = shipped("review", "--limit", "1", input="5\n", env={**TERMINAL, "COLUMNS": "200"})
    lines = plain(again.stdout).splitlines()
    assert lines[0] == "0 due · 17 new · 1 to drill again · 1 in this session (--limit 1)"
    assert lines[1].startswith("Drills first: graded below 4 earlier today")
    assert lines[1].endswith(f": {day_one[0]}")
    assert f"╭─ {day_one[0]} · again " in plain(again.stdout)


def test_review_panel_shows_the_card_id_and_keeps_a_readable_width(shipped, day_one):
    wide = shipped("review", "--limit", "1", input="5\n", env={**TERMINAL, "COLUMNS": "200"})
    panel = [line for line in plain(wide.stdout).splitlines() if line.startswith(("╭", "│", "╰"))]
    assert panel[0].startswith(f"╭─ {day_one[0]} ─")
    assert max(len(line) for line in panel) == 80  # answers never run to 196 characters
    # too narrow for the id of the day's second new card in the title: a line of its own, whole
    narrow = shipped("review", "--limit", "1", input="5\n", env={**TERMINAL, "COLUMNS": str(len(day_one[1]) + 5)})
    assert day_one[1] in plain(narrow.stdout).splitlines()


def test_end_of_input_prints_no_answer(shipped):
    on_terminal = shipped("review", input="", env=TERMINAL)
    assert "What is it?" in on_terminal.stdout
    assert "╭─ " in plain(on_terminal.stdout) and "╭─ answer" not in plain(on_terminal.stdout)
    assert "Reviewed 0 cards" in on_terminal.stdout
    piped = shipped("review", input="")
    assert "What is it?" in piped.stdout
    assert "answer" not in piped.stdout.splitlines()  # piped, the answer's title is a line of its own
    assert "Reviewed 0 cards" in piped.stdout


# -- undo reaches back --------------------------------------------------------------------


def test_flash_undo_reverts_the_last_grade_of_a_finished_session(shipped, db_path, day_one):
    before = json.loads(shipped("cards", "--json").stdout)[:2]
    assert shipped("review", "--limit", "2", input="5\n4\n").exit_code == 0
    first = shipped("undo")
    assert first.exit_code == 0, first.output
    assert first.stdout == f"Undid grade 4 for {day_one[1]}: new again.\n"
    # again: the grade before it
    second = shipped("undo")
    assert second.stdout == f"Undid grade 5 for {day_one[0]}: new again.\n"
    assert json.loads(shipped("cards", "--json").stdout)[:2] == before
    assert shipped("undo").stdout == f"Nothing to undo: no grade given on {TODAY} is left to take back.\n"
    log = review_log(db_path)
    assert [(kind, grade) for _, kind, grade, _ in log] == [("review", 5), ("review", 4), ("undo", None),
                                                             ("undo", None)]
    # the grades no longer count: the two cards are today's new cards again
    assert shipped("review", "--limit", "2", input="\n").stdout.startswith("0 due · 20 new")


def test_flash_undo_only_reaches_today(shipped):
    shipped("review", "--limit", "1", input="5\n")
    result = shipped("undo", today=TOMORROW)
    assert result.stdout == f"Nothing to undo: no grade given on {TOMORROW} is left to take back.\n"


def test_undo_of_a_drill_and_of_a_due_card(shipped, day_one):
    shipped("review", "--limit", "1", input="2\n5\n")  # a review 2, then a drill 5
    drill = shipped("undo")
    assert drill.stdout == f"Undid drill grade 5 for {day_one[0]}: its schedule was not moved by it.\n"
    shipped("undo")
    shipped("review", "--limit", "1", input="4\n")
    due = shipped("review", "--limit", "1", today=TOMORROW, input="5\n")
    assert due.exit_code == 0
    assert shipped("undo", today=TOMORROW).stdout == (
        f"Undid grade 5 for {day_one[0]}: due {TOMORROW} again.\n")


def test_u_first_in_a_session_undoes_the_last_grade_of_the_day(shipped, db_path, day_one):
    shipped("review", "--limit", "2", input="5\n4\n")
    result = shipped("review", "--limit", "1", input="u\n3\n\n", env={"COLUMNS": "200"})
    assert f"Undid grade 4 for {day_one[1]} (from an earlier session today)." in result.stdout.splitlines()
    # the card comes back first, and is graded again as a scheduled review
    assert [(card, kind, grade) for card, kind, grade, _ in review_log(db_path)] == [
        (day_one[0], "review", 5), (day_one[1], "review", 4), (day_one[1], "undo", None),
        (day_one[1], "review", 3)]


def test_u_with_nothing_graded_today(shipped):
    result = shipped("review", "--limit", "1", input="u\n5\n")
    assert "Nothing to undo today." in result.stdout.splitlines()


# -- did-you-mean and dates -----------------------------------------------------------------


@pytest.mark.parametrize("typo, meant", [("reveiw", "review"), ("deck", "decks"), ("stat", "stats")])
def test_did_you_mean_a_command(invoke, typo, meant):
    result = invoke(typo)
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: No such command '{typo}'. Did you mean '{meant}'?\n")


def test_suspend_suggests_ids(shipped):
    cut = shipped("suspend", "lesson-04-ai…")
    assert cut.exit_code == 1
    assert (f"'lesson-04-ai…' looks cut short: {len(SHIPPED_IDS)} cards start that way "
            "('flash cards --plain' prints whole ids)") in cut.stderr
    typo = shipped("suspend", "lesson-04-ai-lifecycle/pre-training-a/trm")
    assert "did you mean 'lesson-04-ai-lifecycle/pre-training-a/term'" in typo.stderr
    assert typo.stderr.rstrip().endswith("nothing was changed")


def test_far_future_day_is_a_clear_error_and_the_last_day_works(shipped):
    far = shipped("review", today="9999-12-31", input="5\n")
    assert far.exit_code == 2
    assert far.stderr.endswith(
        "Error: Invalid value for '--today': '9999-12-31' is out of range (days from 1970-01-01 to 2999-12-31)\n")
    last = shipped("review", "--limit", "1", today="2999-12-31", input="5\n")
    assert last.exit_code == 0, last.output
    assert "next review in 1 day (3000-01-01)" in last.stdout


@pytest.mark.parametrize("command", ["validate", "build"])
def test_help_lists_only_options_the_command_uses(invoke, command):
    result = invoke(command, "--help")
    assert "--db" not in result.stdout and "--today" not in result.stdout
    # still accepted, so scripts passing them to every command keep working
    deck = shipped_decks_dir() / "lesson-04-ai-lifecycle.yaml"
    if command == "validate":
        assert invoke("validate", deck, "--db", "x.db", "--today", TODAY).exit_code == 0


# -- a tall answer is paged ----------------------------------------------------------------


def tall_card(lines: int):
    from flashcards.model import CardKind
    from flashcards.sm2 import CardState
    from flashcards.store import CardRecord

    back = "\n".join(f"line {n} of the answer" for n in range(1, lines + 1))
    return CardRecord(id="d/tall/term", deck_id="d", entry_id="tall", kind=CardKind.TERM, front="Tall\n\nWhat is it?",
                      back=back, tags=(), source=None, retired=False, state=CardState())


def terminal(height: int):
    import io

    from rich.console import Console

    return Console(file=io.StringIO(), width=80, height=height, force_terminal=True, color_system=None)


def test_a_tall_answer_is_paged_under_its_question(monkeypatch):
    from flashcards.cli import review as review_cli
    from flashcards.render import card_back, card_front

    keys_pressed = []
    monkeypatch.setattr(review_cli.click, "getchar", lambda: keys_pressed.append("k") or " ")
    con = terminal(24)
    card = tall_card(50)
    front = card_front(card, done=0, left=1, drill=False, width=80)
    review_cli.show_answer(con, review_cli.KeyInput(), card_back(card), above=front)
    out = con.file.getvalue().splitlines()
    # 52 panel lines: 16 under the 5-line question, then pages of 22, each after a key
    assert [line for line in out if line.startswith("-- answer")] == [
        "-- answer, page 2 of 3 · any key: more · q: grade now --",
        "-- answer, page 3 of 3 · any key: more · q: grade now --",
    ]
    assert len(keys_pressed) == 2
    assert out.index("-- answer, page 2 of 3 · any key: more · q: grade now --") == 16
    assert sum("of the answer" in line for line in out) == 50


def test_q_between_pages_goes_to_grading_and_a_short_answer_is_not_paged(monkeypatch):
    from flashcards.cli import review as review_cli
    from flashcards.render import card_back, card_front, page_breaks

    monkeypatch.setattr(review_cli.click, "getchar", lambda: "q")
    con = terminal(24)
    card = tall_card(50)
    review_cli.show_answer(con, review_cli.KeyInput(), card_back(card),
                           above=card_front(card, done=0, left=1, drill=False, width=80))
    assert sum("of the answer" in line for line in con.file.getvalue().splitlines()) == 15
    short = terminal(24)
    review_cli.show_answer(short, review_cli.KeyInput(), card_back(tall_card(10)),
                           above=card_front(card, done=0, left=1, drill=False, width=80))
    assert "-- answer" not in short.file.getvalue()
    assert page_breaks(12, first=5, rest=10) == [(0, 5), (5, 12)]
    assert page_breaks(3, first=0, rest=0) == [(0, 3)]  # never fewer than 5 lines a page
