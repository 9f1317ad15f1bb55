"""Anki export (flashcards.anki), checked by importing the packages into real Anki
collections (the `anki` package from PyPI) with Anki's default import options."""

from __future__ import annotations

import dataclasses
import html
import re
import sqlite3
import time
import zipfile
from collections import Counter
from pathlib import Path

import genanki
import pytest
from anki.collection import Collection, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition

from flashcards.anki import (
    ANALOG_FIELDS,
    ANALOG_MODEL_ID,
    CSS,
    PHRASE_FIELDS,
    PHRASE_MODEL_ID,
    QUESTION_FIELDS,
    QUESTION_MODEL_ID,
    QUESTION_TEMPLATE_NAME,
    REPLY_MODEL_ID,
    SOURCE_LABEL,
    TEMPLATE_NAMES,
    TERM_FIELDS,
    TERM_MODEL_ID,
    anki_deck_id,
    build_decks,
    build_package,
    note_guid,
    source_date_epoch,
    template_kinds,
    write_package,
    write_packages,
)
from flashcards.decks import load_deck, load_decks, shipped_decks_dir
from flashcards.errors import ExportError
from flashcards.model import CardKind, card_id, cards_for_deck, cards_for_entry

T1 = 1_700_000_000  # 2023-11-14T22:13:20Z
T2 = T1 + 86_400

# Anki deck ids as 0.1.0 computed them (sha256 of "flashcards deck <id>[::<sub-deck>]"),
# written down once: a learner's decks are these ids, whatever process exports them.
PINNED_DECK_IDS = {
    "lesson-04-ai-lifecycle": 1886139702,
    "lesson-04-ai-lifecycle::Terms": 2038696588,
    "lesson-04-ai-lifecycle::Phrases": 2097578690,
    "lesson-04-ai-lifecycle::Analogs": 1471767325,
    "lesson-04-ai-lifecycle::removed": 1933535973,
    "lesson-04-ai-lifecycle::follow-up": 2057593218,
    "sample-deck": 1406033994,
}

SAMPLE = """\
id: sample-deck
name: Sample deck
description: A deck for tests & checks.
tags: [sample]
terms:
  - id: full-term
    term: Inference
    definition: Running a trained model.
    what_it_does: Answers questions.
    whos_behind_it: Everyone who serves a model.
    what_makes_it_distinct: It is billed per token.
    tags: [regime]
    source: draft A
  - id: bare-term
    term: Token
    definition: A piece of text.
phrases:
  - id: say-it
    dont_say: We <train> the model & it's "ours"
    do_say: |-
      First line
      Second line with <b>tags</b>
    why: Because {{Term}} & <br> stay literal.
    source: draft B
analogs:
  - id: both
    concept: Fine-tuning
    analog: Custom attributes
    holds: Both extend a base.
    breaks: One is reversible.
  - id: holds-only
    concept: Pre-training
    analog: Building the IdP
    holds: Only vendors do it.
"""

LITERAL_BRACES = "{{Term}}"  # text in SAMPLE that looks like a template field
KIND_OF_MODEL = {TERM_MODEL_ID: "term", PHRASE_MODEL_ID: "phrase", REPLY_MODEL_ID: "reply", ANALOG_MODEL_ID: "analog",
                 QUESTION_MODEL_ID: "question"}


def deck_file(folder: Path, text: str, name: str = "deck.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def export_one(deck_text: str, tmp_path: Path, *, timestamp, label: str) -> Path:
    """Write ``deck_text`` as a YAML file, load it and export it; returns the .apkg path."""
    deck = load_deck(deck_file(tmp_path / f"src-{label}", deck_text))
    (report,) = write_packages([deck], out_dir=tmp_path / f"out-{label}", timestamp=timestamp)
    return report.path


def import_apkg(col: Collection, path: Path):
    """Import like Anki's import dialog with its defaults (the presets), return the note log."""
    options = col._backend.get_import_anki_package_presets()
    request = ImportAnkiPackageRequest(package_path=str(path), options=options)
    response = col.import_anki_package(request)
    return response.log


def plain(markup: str) -> str:
    """Rendered card HTML -> the text a learner reads (tags dropped, entities decoded)."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", markup)).split())


def words(text: str) -> str:
    return " ".join(text.split())


def notes_by_entry(col: Collection) -> dict[str, object]:
    return {col.get_note(nid)["Entry ID"]: col.get_note(nid) for nid in col.find_notes("")}


# Where a learner meets each card: an entry's first card in the lesson's deck (terms) or
# its sub-deck, every other card in the follow-up deck beside the lesson.
FIRST_DECK_OF_KIND = {"term": "", "phrase": "::Phrases", "analog": "::Analogs"}
LABELS = {"": "lesson", "::Analogs": "Analogs", "::Phrases": "Phrases", " (follow-up)": "follow-up"}  # Anki's order


def counts_per_subdeck(col: Collection, deck_name: str) -> dict[str, tuple[int, int]]:
    """(notes, cards) per Anki deck of a lesson, each deck's own cards only."""
    notes, cards = {}, Counter()
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        name = col.decks.name(card.did)
        for suffix, label in LABELS.items():
            if name == deck_name + suffix:
                notes.setdefault(label, set()).add(card.nid)
                cards[label] += 1
    return {label: (len(notes[label]), cards[label]) for label in notes}


def expected_deck_names(deck) -> dict[str, str]:
    """card id -> the Anki deck it belongs in, from the card order of the model."""
    result = {}
    for entry in deck.entries:
        for rank, card in enumerate(cards_for_entry(deck.id, entry)):
            result[card.id] = deck.name + (FIRST_DECK_OF_KIND[entry.kind] if rank == 0 else " (follow-up)")
    return result


def expected_counts(deck) -> dict[str, tuple[int, int]]:
    places = expected_deck_names(deck)
    notes, cards = {}, Counter()
    for card in cards_for_deck(deck):
        label = LABELS[places[card.id][len(deck.name):]]
        notes.setdefault(label, set()).add(card.entry_id)
        cards[label] += 1
    return {label: (len(notes[label]), cards[label]) for label in notes}


def assert_cards_mirror_review(col: Collection, decks) -> int:
    """Every Anki card renders the same question and answer as the `flash review` card
    of the same id, with no unfilled {{...}}; returns how many cards were checked."""
    review_cards = {c.id: c for deck in decks for c in cards_for_deck(deck)}
    places = {cid: name for deck in decks for cid, name in expected_deck_names(deck).items()}
    seen = set()
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        note = card.note()
        deck_id, entry_id = note["Entry ID"].split("/")
        kind = template_kinds(KIND_OF_MODEL[note.mid])[card.ord]
        expected = review_cards[card_id(deck_id, entry_id, kind)]
        output = card.render_output()
        question, answer = output.question_text, output.answer_text
        for side in (question, answer):
            assert plain(side), f"{expected.id}: empty side"
            unfilled = side.replace(LITERAL_BRACES, "")  # the one "{{" the sample's own text has
            assert "{{" not in unfilled and "}}" not in unfilled, f"{expected.id}: {side}"
        assert plain(question) == words(expected.front), expected.id
        source = f" {SOURCE_LABEL} {words(expected.source)}" if expected.source else ""
        assert plain(answer) == words(f"{expected.front} {expected.back}") + source, expected.id
        assert col.decks.name(card.did) == places[expected.id], expected.id
        seen.add(expected.id)
    assert seen == set(review_cards)
    return len(seen)


# -- importing into Anki ---------------------------------------------------------------


def test_default_import_options_update_if_newer(col):
    """The premise of the identity design: Anki's defaults update notes only when newer."""
    options = col._backend.get_import_anki_package_presets()
    if_newer = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    assert options.update_notes == if_newer
    assert options.update_notetypes == if_newer
    assert not options.merge_notetypes


def test_counts_decks_and_note_types(col, tmp_path):
    deck = load_deck(deck_file(tmp_path, SAMPLE))
    log = import_apkg(col, export_one(SAMPLE, tmp_path, timestamp=T1, label="v1"))

    assert len(log.new) == 5 and not log.updated and not log.conflicting
    assert col.note_count() == 5
    assert col.card_count() == len(cards_for_deck(deck)) == 11
    assert counts_per_subdeck(col, "Sample deck") == expected_counts(deck) == {
        "lesson": (2, 2), "Phrases": (1, 1), "Analogs": (2, 2), "follow-up": (3, 6),
    }
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert {"Sample deck", "Sample deck::Phrases", "Sample deck::Analogs", "Sample deck (follow-up)"} <= names
    assert "Sample deck::Terms" not in names
    assert col.decks.get(col.decks.id_for_name("Sample deck"))["desc"] == "A deck for tests &amp; checks."

    for model_id, fields in ((TERM_MODEL_ID, TERM_FIELDS), (PHRASE_MODEL_ID, PHRASE_FIELDS),
                             (ANALOG_MODEL_ID, ANALOG_FIELDS)):
        note_type = col.models.get(model_id)
        assert note_type is not None, model_id
        assert [f["name"] for f in note_type["flds"]] == list(fields)
        kinds = template_kinds(KIND_OF_MODEL[model_id])
        assert [t["name"] for t in note_type["tmpls"]] == [TEMPLATE_NAMES[k] for k in kinds]
    assert not col.get_empty_cards().notes


def test_templates_follow_card_kind_order():
    kinds = (template_kinds("term") + template_kinds("phrase") + template_kinds("reply") + template_kinds("analog")
             + template_kinds("cloze"))
    assert kinds == list(CardKind)


def test_cards_render_like_flash_review(col, tmp_path):
    deck = load_deck(deck_file(tmp_path, SAMPLE))
    import_apkg(col, export_one(SAMPLE, tmp_path, timestamp=T1, label="v1"))
    assert assert_cards_mirror_review(col, [deck]) == 11


def test_special_characters_and_line_breaks_show_literally(col, tmp_path):
    import_apkg(col, export_one(SAMPLE, tmp_path, timestamp=T1, label="v1"))
    note = notes_by_entry(col)["sample-deck/say-it"]
    assert note["Don't say"] == "We &lt;train&gt; the model &amp; it's \"ours\""
    assert note["Do say"] == "First line<br>Second line with &lt;b&gt;tags&lt;/b&gt;"
    assert note["Why"] == "Because {{Term}} &amp; &lt;br&gt; stay literal."

    (cid,) = col.find_cards('"note:Flashcards: Phrase pair"')
    output = col.get_card(cid).render_output()
    assert "We &lt;train&gt; the model &amp; it's \"ours\"" in output.question_text
    assert "First line<br>Second line with &lt;b&gt;tags&lt;/b&gt;" in output.answer_text
    assert "Because {{Term}} &amp; &lt;br&gt; stay literal." in output.answer_text  # not filled in


def test_tags_sit_under_one_prefix_per_deck_and_kind(col, tmp_path):
    import_apkg(col, export_one(SAMPLE, tmp_path, timestamp=T1, label="v1"))
    notes = notes_by_entry(col)
    assert set(notes["sample-deck/full-term"].tags) == {
        "flashcards::sample-deck::term", "flashcards::sample-deck::term::regime"}
    assert notes["sample-deck/bare-term"].tags == ["flashcards::sample-deck::term"]
    assert notes["sample-deck/say-it"].tags == ["flashcards::sample-deck::phrase"]
    assert notes["sample-deck/both"].tags == ["flashcards::sample-deck::analog"]
    # docs/anki.md's searches: a tag matches its children in Anki
    assert len(col.find_notes("tag:flashcards::sample-deck")) == 5
    assert len(col.find_notes("tag:flashcards::sample-deck::term")) == 2
    assert len(col.find_notes("tag:flashcards::sample-deck::phrase")) == 1
    assert len(col.find_notes("tag:flashcards::*::regime")) == 1
    assert not col.find_notes("tag:sample")  # the deck's own tag is on no note...
    assert not col.find_notes("tag:term") and not col.find_notes("tag:sample-deck")


def test_deck_tags_only_when_asked(col, tmp_path):
    deck = load_deck(deck_file(tmp_path, SAMPLE))
    (report,) = write_packages([deck], out_dir=tmp_path / "out", timestamp=T1, deck_tags=True)
    import_apkg(col, report.path)
    assert len(col.find_notes("tag:flashcards::sample-deck::*::sample")) == 5  # ...unless asked
    assert set(notes_by_entry(col)["sample-deck/full-term"].tags) == {
        "flashcards::sample-deck::term", "flashcards::sample-deck::term::sample",
        "flashcards::sample-deck::term::regime"}


def test_every_optional_field_missing(col, tmp_path):
    text = """\
id: minimal
name: Minimal
terms:
  - id: t1
    term: Model weights
    definition: The numbers a model learned.
  - id: t2
    term: GPU
    definition: The chip that does the maths.
analogs:
  - id: a1
    concept: Inference
    analog: Authentication at sign-in
    breaks: It costs per token.
"""
    deck = load_deck(deck_file(tmp_path, text))
    import_apkg(col, export_one(text, tmp_path, timestamp=T1, label="v1"))
    assert counts_per_subdeck(col, "Minimal") == expected_counts(deck) == {
        "lesson": (2, 2), "Analogs": (1, 1), "follow-up": (2, 2)}
    assert "Minimal::Phrases" not in {d.name for d in col.decks.all_names_and_ids()}
    assert not col.get_empty_cards().notes
    assert assert_cards_mirror_review(col, [deck]) == 5
    assert {col.get_card(c).ord for c in col.find_cards('"note:Flashcards: Term"')} == {0, 1}
    assert notes_by_entry(col)["minimal/t1"]["Source"] == ""


def test_shipped_deck_imports_with_right_counts_and_cards(col, tmp_path):
    decks = load_decks([shipped_decks_dir()])
    deck = next(d for d in decks if d.id == "lesson-04-ai-lifecycle")
    reports = write_packages(decks, out_dir=tmp_path / "exports", timestamp=T1)
    report = next(r for r in reports if r.deck_id == deck.id)
    assert report.path == tmp_path / "exports" / "lesson-04-ai-lifecycle.apkg"
    assert report.bytes == report.path.stat().st_size > 0

    log = import_apkg(col, report.path)
    assert len(log.new) == len(deck.entries) and not log.conflicting
    expected = expected_counts(deck)
    assert set(expected) == {"lesson", "Phrases", "Analogs", "follow-up"}
    assert counts_per_subdeck(col, deck.name) == expected
    assert [(s.name, s.notes, s.cards) for s in report.subdecks] == [
        (deck.name + suffix, *expected[label]) for suffix, label in LABELS.items()]
    assert (report.notes, report.cards) == (len(deck.entries), len(cards_for_deck(deck)))
    assert col.note_count() == len(deck.entries)
    assert col.card_count() == len(cards_for_deck(deck))
    assert assert_cards_mirror_review(col, [deck]) == len(cards_for_deck(deck))
    assert not col.get_empty_cards().notes


def test_one_package_with_several_decks(col, tmp_path):
    other = SAMPLE.replace("id: sample-deck", "id: other-deck")
    other = other.replace("name: Sample deck", "name: Other deck")
    folder = tmp_path / "decks"
    deck_file(folder, SAMPLE, "a.yaml")
    deck_file(folder, other, "b.yaml")
    decks = load_decks([folder])
    out = tmp_path / "new" / "folder" / "all.apkg"
    reports = write_packages(decks, out=out, timestamp=T1)
    assert [r.deck_id for r in reports] == ["sample-deck", "other-deck"]
    assert {r.path for r in reports} == {out} and reports[0].bytes == out.stat().st_size
    assert [(r.notes, r.cards) for r in reports] == [(5, 11), (5, 11)]

    import_apkg(col, out)
    assert col.note_count() == 10
    for deck in decks:
        assert counts_per_subdeck(col, deck.name) == expected_counts(deck)
    assert assert_cards_mirror_review(col, decks) == 22


# -- re-importing an edited deck ---------------------------------------------------------


def edited(text: str) -> str:
    text = text.replace("definition: Running a trained model.",
                        "definition: Running a trained model on new input.")
    text = text.replace(
        "    definition: A piece of text.\n",
        "    definition: A piece of text.\n    whos_behind_it: Tokenizer authors.\n",
    )
    return text + """\
  - id: new-analog
    concept: Tokens
    analog: Session cookies
    breaks: Cookies are not billed.
"""


def give_progress(col: Collection, card_id_: int) -> None:
    card = col.get_card(card_id_)
    card.type, card.queue, card.ivl, card.due, card.reps, card.factor = 2, 2, 12, 30, 3, 2500
    col.update_card(card)


def test_edited_deck_updates_notes_in_place_and_keeps_progress(col, tmp_path):
    import_apkg(col, export_one(SAMPLE, tmp_path, timestamp=T1, label="v1"))
    before = {ref: note.id for ref, note in notes_by_entry(col).items()}
    studied = col.find_cards(f"nid:{before['sample-deck/full-term']} card:1")[0]
    give_progress(col, studied)

    log = import_apkg(col, export_one(edited(SAMPLE), tmp_path, timestamp=T2, label="v2"))

    assert (len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting)) == (1, 5, 0, 0)
    after = notes_by_entry(col)
    assert col.note_count() == 6
    assert {ref: after[ref].id for ref in before} == before  # same notes, not new ones
    assert after["sample-deck/full-term"]["Definition"] == "Running a trained model on new input."
    assert after["sample-deck/full-term"].mod == T2
    card = col.get_card(studied)
    assert (card.ivl, card.reps, card.type) == (12, 3, 2)  # Anki progress survives
    # an optional field filled in later brings its card; a new entry brings a note
    assert len(after["sample-deck/bare-term"].card_ids()) == 3
    assert col.card_count() == 11 + 1 + 1
    deck = load_deck(deck_file(tmp_path / "check", edited(SAMPLE)))
    assert counts_per_subdeck(col, "Sample deck") == expected_counts(deck)
    assert assert_cards_mirror_review(col, [deck]) == 13


def test_successive_exports_keep_updating(col, tmp_path):
    """Anki keeps the package's note time on update, so export 3 still beats export 2
    even though export 2 was imported after export 3's timestamp (e.g. an old commit)."""
    import_apkg(col, export_one(SAMPLE, tmp_path, timestamp=T1, label="v1"))
    import_apkg(col, export_one(edited(SAMPLE), tmp_path, timestamp=T1 + 10, label="v2"))
    third = edited(SAMPLE).replace("Answers questions.", "Answers questions, one token at a time.")
    log = import_apkg(col, export_one(third, tmp_path, timestamp=T1 + 20, label="v3"))
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 6, 0)
    note = notes_by_entry(col)["sample-deck/full-term"]
    assert note["What it does"] == "Answers questions, one token at a time."
    assert note.mod == T1 + 20


def test_template_and_styling_changes_reach_earlier_imports(col, tmp_path, monkeypatch):
    """Template text and CSS may change without a new note type id (same field and
    template names): Anki updates the note type when the package's is newer."""
    import_apkg(col, export_one(SAMPLE, tmp_path, timestamp=T1, label="v1"))
    monkeypatch.setattr("flashcards.anki_notetypes.CSS", CSS + "\n.fc { letter-spacing: 0.01em; }\n")
    log = import_apkg(col, export_one(SAMPLE, tmp_path, timestamp=T2, label="v2"))
    assert not log.conflicting and not log.new
    col.models._clear_cache()  # the Python layer caches note types; the import went around it
    for model_id in (TERM_MODEL_ID, PHRASE_MODEL_ID, ANALOG_MODEL_ID):
        note_type = col.models.get(model_id)
        assert note_type["css"].endswith(".fc { letter-spacing: 0.01em; }\n")
        assert note_type["mod"] == T2
    ours = sorted(n.name for n in col.models.all_names_and_ids() if n.name.startswith("Flashcards"))
    assert ours == ["Flashcards: Analog", "Flashcards: Phrase pair", "Flashcards: Term"]  # no copies


def test_export_without_source_date_epoch_is_newer_than_an_earlier_one(col, tmp_path):
    earlier = int(time.time()) - 3600
    import_apkg(col, export_one(SAMPLE, tmp_path, timestamp=earlier, label="v1"))
    log = import_apkg(col, export_one(edited(SAMPLE), tmp_path, timestamp=None, label="v2"))
    assert (len(log.updated), len(log.conflicting)) == (5, 0)
    assert notes_by_entry(col)["sample-deck/full-term"]["Definition"] == "Running a trained model on new input."
    assert col.note_count() == 6


def test_reimporting_the_same_export_changes_nothing(col, tmp_path):
    path = export_one(SAMPLE, tmp_path, timestamp=T1, label="v1")
    import_apkg(col, path)
    log = import_apkg(col, path)
    assert (len(log.new), len(log.updated), len(log.duplicate)) == (0, 0, 5)
    assert (col.note_count(), col.card_count()) == (5, 11)


def test_an_edit_exported_with_the_same_time_is_not_applied(col, tmp_path):
    """Documented caveat: Anki keeps its copy unless the package's is newer."""
    import_apkg(col, export_one(SAMPLE, tmp_path, timestamp=T1, label="v1"))
    log = import_apkg(col, export_one(edited(SAMPLE), tmp_path, timestamp=T1, label="v2"))
    assert (len(log.new), len(log.updated), len(log.duplicate)) == (1, 0, 5)
    assert notes_by_entry(col)["sample-deck/full-term"]["Definition"] == "Running a trained model."


def test_renamed_deck_still_updates_the_same_notes(col, tmp_path):
    import_apkg(col, export_one(SAMPLE, tmp_path, timestamp=T1, label="v1"))
    before = {ref: note.id for ref, note in notes_by_entry(col).items()}
    renamed = edited(SAMPLE).replace("name: Sample deck", "name: Sample deck (2nd edition)")
    log = import_apkg(col, export_one(renamed, tmp_path, timestamp=T2, label="v2"))
    assert (len(log.updated), len(log.conflicting)) == (5, 0)
    after = notes_by_entry(col)
    assert {ref: after[ref].id for ref in before} == before
    assert col.note_count() == 6
    # Anki matches decks by name: cards it already had stay where they are,
    # new cards go to the decks of the new name (docs/anki.md: Keeping Anki in step).
    assert counts_per_subdeck(col, "Sample deck") == {
        "lesson": (2, 2), "Phrases": (1, 1), "Analogs": (2, 2), "follow-up": (3, 6)}
    assert counts_per_subdeck(col, "Sample deck (2nd edition)") == {"Analogs": (1, 1), "follow-up": (1, 1)}


def test_removed_optional_field_leaves_an_empty_card_in_anki(col, tmp_path):
    """Documented: Anki never deletes cards on import; Empty Cards cleans them up."""
    import_apkg(col, export_one(SAMPLE, tmp_path, timestamp=T1, label="v1"))
    trimmed = SAMPLE.replace("    breaks: One is reversible.\n", "")
    import_apkg(col, export_one(trimmed, tmp_path, timestamp=T2, label="v2"))
    assert col.card_count() == 11
    assert notes_by_entry(col)["sample-deck/both"]["Breaks"] == ""
    empty = col.get_empty_cards().notes
    assert len(empty) == 1 and len(empty[0].card_ids) == 1


# -- identity and reproducibility -------------------------------------------------------


def test_ids_are_fixed_and_never_depend_on_display_names(tmp_path):
    # Pinned: changing any of these makes every learner's notes duplicate in Anki.
    assert (TERM_MODEL_ID, PHRASE_MODEL_ID, ANALOG_MODEL_ID) == (1927195277, 1838372813, 1566501247)
    assert REPLY_MODEL_ID == 1204114267
    assert QUESTION_MODEL_ID == 1719460383
    assert note_guid("lesson-04-ai-lifecycle", "pre-training-a") == genanki.guid_for(
        "lesson-04-ai-lifecycle", "pre-training-a") == "z=YXVQwjnR"
    # Anki deck ids, pinned to values computed once (a per-process hash() would fail here)
    assert anki_deck_id("lesson-04-ai-lifecycle") == PINNED_DECK_IDS["lesson-04-ai-lifecycle"]
    for sub in ("Terms", "Phrases", "Analogs", "removed", "follow-up"):
        assert anki_deck_id("lesson-04-ai-lifecycle", sub) == PINNED_DECK_IDS[f"lesson-04-ai-lifecycle::{sub}"]
    assert anki_deck_id("sample-deck") == PINNED_DECK_IDS["sample-deck"]
    ids = {anki_deck_id("d")} | {anki_deck_id("d", sub) for sub in ("Terms", "Phrases", "Analogs", "removed")}
    assert len(ids) == 5 and all((1 << 30) <= i < (1 << 31) for i in ids)

    deck = load_deck(deck_file(tmp_path, SAMPLE))
    renamed = dataclasses.replace(deck, name="Another name entirely")
    for a, b in zip(build_decks(deck), build_decks(renamed)):
        assert a.deck_id == b.deck_id
        assert [n.guid for n in a.notes] == [n.guid for n in b.notes]
    models = {m.model_id for d in build_decks(deck) for m in (n.model for n in d.notes)}
    assert models == {TERM_MODEL_ID, PHRASE_MODEL_ID, ANALOG_MODEL_ID}


def read_apkg(path: Path):
    with zipfile.ZipFile(path) as archive:
        members = [(i.filename, i.date_time, i.compress_type) for i in archive.infolist()]
        return members, archive.read("collection.anki2"), archive.read("media")


def test_same_timestamp_gives_identical_bytes(tmp_path, monkeypatch):
    folder = tmp_path / "decks"
    deck_file(folder, SAMPLE, "a.yaml")
    decks = load_decks([folder, shipped_decks_dir()])
    first = write_packages(decks, out_dir=tmp_path / "one", timestamp=T1)
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.0)  # the wall clock must not leak in
    again = load_decks([folder, shipped_decks_dir()])
    second = write_packages(again, out_dir=tmp_path / "two", timestamp=T1)
    assert len(first) == len(second) == len(decks) >= 2
    for a, b in zip(first, second):
        assert a.path.name == b.path.name and a.path.read_bytes() == b.path.read_bytes()
    combined = [write_packages(decks, out=tmp_path / f"all{i}.apkg", timestamp=T1)[0].path
                for i in (1, 2)]
    assert combined[0].read_bytes() == combined[1].read_bytes()

    later = write_packages(decks[:1], out_dir=tmp_path / "three", timestamp=T2)[0].path
    assert later.read_bytes() != first[0].path.read_bytes()


def test_package_contents_are_stamped_with_the_timestamp(tmp_path):
    path = export_one(SAMPLE, tmp_path, timestamp=T1, label="v1")
    members, collection, media = read_apkg(path)
    assert members == [
        ("collection.anki2", time.gmtime(T1)[:6], zipfile.ZIP_DEFLATED),
        ("media", time.gmtime(T1)[:6], zipfile.ZIP_DEFLATED),
    ]
    assert media == b"{}"
    db = tmp_path / "collection.anki2"
    db.write_bytes(collection)
    conn = sqlite3.connect(db)
    try:
        assert set(conn.execute("SELECT mod FROM notes")) == {(T1,)}
        assert set(conn.execute("SELECT mod FROM cards")) == {(T1,)}
    finally:
        conn.close()


def test_old_timestamps_still_make_valid_zips(tmp_path):
    path = export_one(SAMPLE, tmp_path, timestamp=0, label="v1")
    members, _, _ = read_apkg(path)
    assert {m[1] for m in members} == {(1980, 1, 1, 0, 0, 0)}


def test_source_date_epoch():
    assert source_date_epoch({}) is None
    assert source_date_epoch({"SOURCE_DATE_EPOCH": ""}) is None
    assert source_date_epoch({"SOURCE_DATE_EPOCH": "1700000000"}) == 1_700_000_000
    with pytest.raises(ExportError, match=r"^SOURCE_DATE_EPOCH must be a whole number of seconds"):
        source_date_epoch({"SOURCE_DATE_EPOCH": "yesterday"})
    with pytest.raises(ExportError):
        source_date_epoch({"SOURCE_DATE_EPOCH": "-5"})


# -- writing -------------------------------------------------------------------------------


def test_output_must_be_an_apkg_file(tmp_path):
    deck = load_deck(deck_file(tmp_path, SAMPLE))
    with pytest.raises(ExportError, match=r"an Anki package must end in \.apkg$"):
        write_packages([deck], out=tmp_path / "deck.zip")
    folder = tmp_path / "folder.apkg"
    folder.mkdir()
    with pytest.raises(ExportError, match="is a folder"):
        write_packages([deck], out=folder)
    with pytest.raises(ExportError, match="no decks to export"):
        write_packages([], out_dir=tmp_path)


def test_unwritable_folder_is_an_export_error(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(ExportError, match=r"^cannot write .*blocker/x\.apkg"):
        package = build_package([load_deck(deck_file(tmp_path, SAMPLE))])
        write_package(package, blocker / "x.apkg", timestamp=T1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "deck.yaml"]


def test_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    package = build_package([load_deck(deck_file(tmp_path / "src", SAMPLE))])

    def broken(self, cursor, timestamp, id_gen):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(genanki.Package, "write_to_db", broken)
    with pytest.raises(ExportError, match="No space left on device"):
        write_package(package, tmp_path / "out" / "x.apkg", timestamp=T1)
    out = tmp_path / "out"
    assert not out.exists() or list(out.iterdir()) == []


def test_styling_handles_night_mode_and_tells_phrases_apart_without_colour():
    assert ".nightMode" in CSS and ".night_mode" in CSS
    dont = re.search(r"^\.dont-say \{([^}]*)\}", CSS, re.M).group(1)
    do = re.search(r"^\.do-say \{([^}]*)\}", CSS, re.M).group(1)
    assert "dashed" in dont and "italic" in dont
    assert "solid" in do and "font-weight" in do
    assert '.dont-say .label::before { content: "\\2715' in CSS  # a cross before "Don't say"
    assert '.do-say .label::before { content: "\\2713' in CSS  # a tick before "Do say"


BUYER = """\
id: buyer-deck
name: Buyer deck
phrases:
  - id: cost
    buyer_says: How much does training cost?
    do_say: You are not training a model; you pay per token to use one.
    why: Nobody here pre-trains.
    source: Lesson 4 (draft B)
    note: Draft B put this line under "Don't say".
"""


def test_a_buyer_reply_card(col, tmp_path):
    """Issue 9's phrase variant: its own note type (new notes for new ids, no field added
    to an existing note type), the note shown after the answer as provenance."""
    import_apkg(col, export_one(BUYER, tmp_path, timestamp=T1, label="v1"))
    (cid,) = col.find_cards('"note:Flashcards: Buyer reply"')
    card = col.get_card(cid)
    assert [f["name"] for f in col.models.get(REPLY_MODEL_ID)["flds"]] == [
        "Buyer says", "Do say", "Why", "Source", "Entry ID"]
    assert col.decks.name(card.did) == "Buyer deck::Phrases"
    output = card.render_output()
    assert plain(output.question_text) == "The buyer says: \u201cHow much does training cost?\u201d What do you answer?"
    assert plain(output.answer_text) == (
        "The buyer says: \u201cHow much does training cost?\u201d What do you answer? "
        "Do say: You are not training a model; you pay per token to use one. "
        "Why it matters: Nobody here pre-trains. "
        "Source: Lesson 4 (draft B) Note: Draft B put this line under \"Don't say\".")
    assert "Draft B put" not in output.question_text
    assert card.note().tags == ["flashcards::buyer-deck::phrase"]


QUESTION_DECK = """\
id: q-deck
name: Question deck
terms:
  - id: ft
    term: Fine-tuning
    definition: Adjusting a model's weights with a smaller dataset.
  - id: ft-who
    term: Fine-tuning
    question: Who runs it?
    definition: The enterprise or agency.
    source: draft A
"""


def test_a_term_question_is_one_card_of_its_own_note_type(col, tmp_path):
    """A term entry with 'question' gets the Term question note type (the Term one keeps its fields):
    one card, rendered as flash review shows it, in the lesson's deck."""
    deck = load_deck(deck_file(tmp_path, QUESTION_DECK))
    log = import_apkg(col, export_one(QUESTION_DECK, tmp_path, timestamp=T1, label="q"))
    assert len(log.new) == 2 and not log.conflicting
    note_type = col.models.get(QUESTION_MODEL_ID)
    assert [f["name"] for f in note_type["flds"]] == list(QUESTION_FIELDS)
    assert [t["name"] for t in note_type["tmpls"]] == [QUESTION_TEMPLATE_NAME]
    assert [f["name"] for f in col.models.get(TERM_MODEL_ID)["flds"]] == list(TERM_FIELDS)
    note = notes_by_entry(col)["q-deck/ft-who"]
    assert note.mid == QUESTION_MODEL_ID and note["Question"] == "Who runs it?"
    assert len(note.cards()) == 1
    assert assert_cards_mirror_review(col, [deck]) == 3
    assert not col.get_empty_cards().notes
