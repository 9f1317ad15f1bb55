"""Cloze entries in Anki: exported as a note of Anki's Cloze type through genanki, opened by the
real `anki` package, updated in place on re-import, and their answers brought back by
`flash import --anki` to the flash card of each deletion."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

from anki.collection import Collection
from anki.import_export_pb2 import ExportAnkiPackageOptions
from anki.scheduler_pb2 import CardAnswer
from click.testing import CliRunner

from flashcards.anki import card_places, note_guid, template_card, write_packages
from flashcards.anki_cloze import CLOZE_FIELDS, CLOZE_MODEL_ID, CLOZE_MODEL_NAME
from flashcards.cli import cli
from flashcards.decks import load_deck
from flashcards.model import CardKind, cards_for_deck
from test_anki_export import T1, T2, import_apkg, plain

FIXTURE = Path(__file__).parent / "fixtures" / "cloze-deck.yaml"
HOSTILE = """\
id: hostile
name: Hostile
clozes:
  - id: marks
    text: "<b>Bold</b> & [sound:x.mp3] a}b \\\\(x\\\\) {{c1::no}} {{x: y::a}b}} ends }"
"""


def flat(text: str) -> str:
    """Text without whitespace: Anki's rendered HTML and flash's text differ only in spacing around tags."""
    return re.sub(r"\s+", "", text)


def export(deck_path: Path, out: Path, timestamp: int) -> Path:
    (report,) = write_packages([load_deck(deck_path)], out_dir=out, timestamp=timestamp)
    return report.path


def cloze_cards(col: Collection) -> dict[str, object]:
    """flash card id -> Anki card, for the cards of cloze notes."""
    found = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        note = card.note()
        if note.mid == CLOZE_MODEL_ID:
            found[f"{note['Entry ID']}/{template_card('cloze', card.ord)}"] = card
    return found


def test_one_cloze_note_per_entry_one_card_per_deletion_rendered_like_review(col, tmp_path):
    deck = load_deck(FIXTURE)
    log = import_apkg(col, export(FIXTURE, tmp_path / "out", T1))
    assert len(log.new) == 7 and not log.conflicting
    note_type = col.models.get(CLOZE_MODEL_ID)
    assert note_type["name"] == CLOZE_MODEL_NAME and note_type["type"] == 1  # Anki's MODEL_CLOZE
    assert [f["name"] for f in note_type["flds"]] == list(CLOZE_FIELDS)
    assert len(col.find_notes(f"mid:{CLOZE_MODEL_ID}")) == len(deck.clozes) == 5
    flash_cards = {c.id: c for c in cards_for_deck(deck) if c.kind is CardKind.CLOZE}
    anki_cards = cloze_cards(col)
    assert set(anki_cards) == set(flash_cards) and len(anki_cards) == 7
    for card_id, card in anki_cards.items():
        expected = flash_cards[card_id]
        output = card.render_output()
        assert flat(plain(output.question_text)) == flat(expected.front), card_id
        entry = next(e for e in deck.clozes if card_id.startswith(f"{deck.id}/{e.id}/"))
        answer = plain(output.answer_text)
        filled = "".join(p if isinstance(p, str) else p.answer for p in entry.parts)
        assert flat(answer).startswith(flat(filled)), card_id  # Anki's back: the whole text, the answer in it
        assert "Source:" in answer if expected.source else "Source:" not in answer
        assert note_guid(deck.id, entry.id) == card.note().guid
    # each entry's first card in the lesson's ::Clozes deck, the others in the follow-up deck
    names = {cid: col.decks.name(card.did) for cid, card in anki_cards.items()}
    assert names["cloze-demo/regimes/c1"] == "Cloze demo::Clozes"
    assert names["cloze-demo/regimes/c2"] == "Cloze demo (follow-up)"
    assert sorted(p.ord for p in card_places(deck) if p.guid == note_guid(deck.id, "regimes")) == [0, 1]
    assert not col.get_empty_cards().notes


def test_text_shows_literally_and_cannot_make_deletions_or_markup(col, tmp_path, write_deck):
    path = write_deck(HOSTILE, "hostile.yaml")
    import_apkg(col, export(path, tmp_path / "out", T1))
    cards = cloze_cards(col)
    assert sorted(cards) == ["hostile/marks/c1", "hostile/marks/c2"]
    expected = {c.id: c for c in cards_for_deck(load_deck(path))}
    for card_id, card in cards.items():
        output = card.render_output()
        assert flat(plain(output.question_text)) == flat(expected[card_id].front), card_id
        assert not output.question_av_tags and not output.answer_av_tags  # no [sound:] played
        assert "<b>" not in output.question_text
    # "c1::no" is the first deletion (answer "c1", hint "no"), whatever it looks like to Anki
    assert expected["hostile/marks/c1"].front == "<b>Bold</b> & [sound:x.mp3] a}b \\(x\\) [no] x: y ends }"
    assert expected["hostile/marks/c2"].front == "<b>Bold</b> & [sound:x.mp3] a}b \\(x\\) c1 [a}b] ends }"
    assert (expected["hostile/marks/c1"].back, expected["hostile/marks/c2"].back) == ("c1", "x: y")


def test_a_reimported_edit_updates_the_note_and_keeps_anki_progress(col, tmp_path):
    deck_path = tmp_path / "deck.yaml"
    shutil.copy(FIXTURE, deck_path)
    out = tmp_path / "out"
    import_apkg(col, export(deck_path, out, T1))
    card = cloze_cards(col)["cloze-demo/regimes/c2"]
    states = col._backend.get_scheduling_states(card.id)
    card.start_timer()
    col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=CardAnswer.EASY))
    before = col.get_card(card.id)
    assert before.reps == 1 and before.ivl >= 1

    text = deck_path.read_text(encoding="utf-8")
    deck_path.write_text(text.replace("Prompting changes", "A prompt only changes")
                         .replace("{{the weights}}", "{{the model's weights}}")
                         .replace("{{current documents}}.", "{{current documents}} and {{their dates}}."),
                         encoding="utf-8")
    log = import_apkg(col, export(deck_path, out, T2))
    assert not log.new and not log.conflicting  # updated in place (every note is re-stamped without a database)
    assert {"cloze-demo/regimes", "cloze-demo/rag-when"} <= {n.fields[-1] for n in log.updated}
    after = cloze_cards(col)
    kept = after["cloze-demo/regimes/c2"]
    assert kept.id == before.id and kept.reps == 1 and kept.ivl == before.ivl and kept.due == before.due
    assert "the model's weights" in plain(kept.render_output().answer_text)
    assert "A prompt only changes" in plain(kept.render_output().question_text)
    # the deletion added at the end of an entry is a new card of the same note
    assert "cloze-demo/rag-when/c3" in after
    assert after["cloze-demo/rag-when/c3"].nid == after["cloze-demo/rag-when/c1"].nid


def flash(*args):
    runner = CliRunner(env={"FLASH_DB": None, "FLASH_TODAY": None, "FLASH_DAY_STARTS_AT": None, "COLUMNS": "200"})
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_answers_in_anki_come_back_to_each_deletions_card(col, tmp_path):
    db = tmp_path / "flash.db"
    assert flash("import", FIXTURE, "--db", db, "--today", "2026-01-01").exit_code == 0
    result = flash("export", "anki", "--db", db, FIXTURE, "-o", tmp_path / "cloze.apkg")
    assert result.exit_code == 0, result.output
    import_apkg(col, tmp_path / "cloze.apkg")
    cards = cloze_cards(col)
    pressed = {"cloze-demo/regimes/c2": CardAnswer.GOOD, "cloze-demo/rag-when/c1": CardAnswer.AGAIN,
               "cloze-demo/window/c1": CardAnswer.EASY}
    for card_id, rating in pressed.items():
        card = col.get_card(cards[card_id].id)
        card.start_timer()
        states = col._backend.get_scheduling_states(card.id)
        col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=rating))
    options = ExportAnkiPackageOptions(with_scheduling=True, with_media=False, legacy=False)
    col.export_anki_package(out_path=str(tmp_path / "studied.apkg"), options=options, limit=None)

    result = flash("import", "--anki", tmp_path / "studied.apkg", "--db", db)
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    try:
        got = conn.execute("SELECT card_id, grade FROM reviews WHERE origin = 'anki' ORDER BY card_id").fetchall()
        repetitions = dict(conn.execute("SELECT card_id, repetitions FROM card_state").fetchall())
    finally:
        conn.close()
    # Anki's Good, Again and Easy are flash's 4, 1 and 5 (anki_import.ANKI_GRADES)
    assert got == [("cloze-demo/rag-when/c1", 1), ("cloze-demo/regimes/c2", 4), ("cloze-demo/window/c1", 5)]
    assert repetitions["cloze-demo/regimes/c2"] == 1 and repetitions["cloze-demo/regimes/c1"] == 0
    again = flash("import", "--anki", tmp_path / "studied.apkg", "--db", db)  # once only
    assert again.exit_code == 0 and "0 " in again.output
