"""Anki updates that never fail silently (issue 15), checked by importing packages into
real Anki collections (the `anki` package) one after another, as a learner does."""

from __future__ import annotations

import time
from pathlib import Path

import genanki
import pytest
from anki.collection import ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition

from conftest import flash_process
from flashcards.anki import (
    REMOVED_SOURCE,
    REMOVED_TAG,
    TERM_MODEL_ID,
    field_html,
    next_stamp,
    note_guid,
    read_previous,
    write_packages,
)
from flashcards.decks import load_deck, load_decks, parse_deck, shipped_decks_dir
from flashcards.errors import DeckError
from test_anki_export import (  # helpers only: no test_* names, so nothing runs twice
    SAMPLE,
    T1,
    T2,
    deck_file,
    edited,
    import_apkg,
    notes_by_entry,
    plain,
)

ALWAYS = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS


def export_to(folder: Path, deck_text: str, tmp_path: Path, *, timestamp=None, label: str = "src"):
    """Export ``deck_text`` to ``folder/<deck id>.apkg`` (the same path every time, as
    `flash export anki` does), returning the report."""
    deck = load_deck(deck_file(tmp_path / label, deck_text))
    (report,) = write_packages([deck], out_dir=folder, timestamp=timestamp)
    return report


def counts(log) -> tuple[int, int, int, int]:
    return len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting)


# -- note times only move forward -----------------------------------------------------


def test_two_exports_within_one_second_both_update(col, tmp_path, monkeypatch):
    now = 1_750_000_000
    monkeypatch.setattr(time, "time", lambda: now + 0.25)  # both exports see the same second
    out = tmp_path / "exports"
    first = export_to(out, SAMPLE, tmp_path, label="v1")
    assert counts(import_apkg(col, first.path)) == (5, 0, 0, 0)
    monkeypatch.setattr(time, "time", lambda: now + 0.75)
    second = export_to(out, edited(SAMPLE), tmp_path, label="v2")
    assert (first.stamp, second.stamp) == (now, now + 1)
    assert counts(import_apkg(col, second.path)) == (1, 5, 0, 0)
    note = notes_by_entry(col)["sample-deck/full-term"]
    assert note["Definition"] == "Running a trained model on new input."
    assert note.mod == now + 1
    third = export_to(out, edited(SAMPLE).replace("Answers questions.", "Answers."), tmp_path, label="v3")
    assert third.stamp == now + 2
    assert counts(import_apkg(col, third.path)) == (0, 6, 0, 0)


def test_a_plain_export_after_source_date_epoch_builds_still_updates(col, tmp_path, monkeypatch):
    """The issue's second case: SOURCE_DATE_EPOCH (a commit time) after a plain export.
    A later plain export is always newer than both."""
    now = 1_750_000_000
    monkeypatch.setattr(time, "time", lambda: now)
    out = tmp_path / "exports"
    plain_export = export_to(out, SAMPLE, tmp_path, label="v1")
    import_apkg(col, plain_export.path)
    # a reproducible build stamped with an older commit time: refused by Anki, and said so
    old_commit = plain_export.stamp - 3600
    sde = export_to(out, edited(SAMPLE), tmp_path, timestamp=old_commit, label="v2")
    assert sde.stamp == old_commit
    assert len(sde.warnings) == 1 and "is not later than the last export" in sde.warnings[0]
    assert "choose Update notes: Always" in sde.warnings[0]
    assert counts(import_apkg(col, sde.path)) == (1, 0, 5, 0)
    # the next plain export (a minute later) is newer than anything Anki has, so it updates
    monkeypatch.setattr(time, "time", lambda: now + 60)
    later = export_to(out, edited(SAMPLE), tmp_path, label="v3")
    assert later.stamp > plain_export.stamp and not later.warnings
    assert counts(import_apkg(col, later.path)) == (0, 6, 0, 0)  # v2's new note too
    assert notes_by_entry(col)["sample-deck/full-term"]["Definition"] == "Running a trained model on new input."


def test_next_stamp_is_now_or_one_second_after_the_package_replaced(tmp_path):
    assert next_stamp(None, 1000.9) == 1000
    path = export_to(tmp_path / "out", SAMPLE, tmp_path, timestamp=5000).path
    previous, warning = read_previous(path)
    assert warning is None and previous.stamp == 5000 and len(previous.notes) == 5
    assert next_stamp(previous, 4000) == 5001
    assert next_stamp(previous, 6000) == 6000


def test_a_file_that_is_not_a_package_is_replaced_with_a_warning(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "sample-deck.apkg").write_bytes(b"not a zip")
    report = export_to(out, SAMPLE, tmp_path)
    assert report.warnings == (
        f"{out / 'sample-deck.apkg'} is not a package flashcards can read; it is replaced, "
        "and no removed entries or earlier stamp are taken from it",
    )
    assert read_previous(report.path)[0] is not None


def test_a_note_changed_in_anki_after_the_build_needs_update_notes_always(col, tmp_path):
    """What docs/anki.md tells a learner: a note they marked or edited after the package was
    built is newer than the package, so "if newer" keeps it; "Always" updates it."""
    import_apkg(col, export_to(tmp_path / "a", SAMPLE, tmp_path, timestamp=T1).path)
    note = notes_by_entry(col)["sample-deck/full-term"]
    note.add_tag("marked")  # the learner marks it now, long after T2
    col.update_note(note)
    package = export_to(tmp_path / "b", edited(SAMPLE), tmp_path, timestamp=T2, label="v2").path

    assert counts(import_apkg(col, package)) == (1, 4, 1, 0)  # the marked note is refused
    assert notes_by_entry(col)["sample-deck/full-term"]["Definition"] == "Running a trained model."

    options = col._backend.get_import_anki_package_presets()
    options.update_notes = ALWAYS
    log = col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options)).log
    assert counts(log) == (0, 1, 5, 0)  # "Always" takes every note whose time differs
    updated = notes_by_entry(col)["sample-deck/full-term"]
    assert updated["Definition"] == "Running a trained model on new input."
    assert "marked" not in updated.tags  # Anki replaces tags on update (docs/anki.md says so)


def test_an_update_replaces_the_learners_own_tags_but_not_flags_or_suspension(col, tmp_path):
    """Documented in "Keeping Anki in step": tags are the package's after an update;
    card flags and suspension are card state, which an update leaves alone."""
    import_apkg(col, export_to(tmp_path / "a", SAMPLE, tmp_path, timestamp=T1).path)
    note = notes_by_entry(col)["sample-deck/full-term"]
    note.add_tag("my-own")
    note.add_tag("leech")
    col.update_note(note)
    cards = note.card_ids()
    col.set_user_flag_for_cards(1, cards[:1])
    col.sched.suspend_cards(cards[1:2])
    later = int(time.time()) + 60  # a package built after the learner's changes
    package = export_to(tmp_path / "b", edited(SAMPLE), tmp_path, timestamp=later, label="v2").path
    assert counts(import_apkg(col, package)) == (1, 5, 0, 0)
    after = notes_by_entry(col)["sample-deck/full-term"]
    assert sorted(after.tags) == ["flashcards::sample-deck::term", "flashcards::sample-deck::term::regime"]
    assert col.get_card(cards[0]).user_flag() == 1
    assert col.get_card(cards[1]).queue == -1  # still suspended


# -- GUIDs -----------------------------------------------------------------------------


PAIR_A = """\
id: sales__2025
name: Sales 2025
terms:
  - id: intro
    term: Intro A
    definition: First deck's entry.
"""
PAIR_B = """\
id: sales
name: Sales
terms:
  - id: 2025__intro
    term: Intro B
    definition: Second deck's entry.
"""


def test_ids_joined_by_double_underscore_get_two_guids(col, tmp_path):
    folder = tmp_path / "decks"
    deck_file(folder, PAIR_A, "a.yaml")
    deck_file(folder, PAIR_B, "b.yaml")
    decks = load_decks([folder])
    assert genanki.guid_for("sales__2025", "intro") == genanki.guid_for("sales", "2025__intro")  # the old bug
    assert note_guid("sales__2025", "intro") != note_guid("sales", "2025__intro")
    (report, _) = write_packages(decks, out=tmp_path / "both.apkg", timestamp=T1)
    assert counts(import_apkg(col, report.path)) == (2, 0, 0, 0)
    notes = notes_by_entry(col)
    assert notes["sales__2025/intro"]["Term"] == "Intro A"
    assert notes["sales/2025__intro"]["Term"] == "Intro B"


def test_existing_notes_keep_their_guids():
    """Every GUID 0.1.0 wrote (no entry id with '__') is unchanged: learners' notes update."""
    assert note_guid("lesson-04-ai-lifecycle", "pre-training-a") == "z=YXVQwjnR"
    assert note_guid("sales__2025", "intro") == genanki.guid_for("sales__2025", "intro")
    for deck in load_decks([shipped_decks_dir()]):
        for entry in deck.entries:
            assert "__" not in entry.id
            assert note_guid(deck.id, entry.id) == genanki.guid_for(deck.id, entry.id), entry.id


# -- removed entries ----------------------------------------------------------------------


WITHOUT_PHRASE = SAMPLE[:SAMPLE.index("phrases:")] + SAMPLE[SAMPLE.index("analogs:"):]


def test_a_removed_entry_is_found_by_one_search_after_reimport(col, tmp_path):
    out = tmp_path / "exports"
    import_apkg(col, export_to(out, SAMPLE, tmp_path, timestamp=T1).path)
    phrase_cards = notes_by_entry(col)["sample-deck/say-it"].card_ids()

    report = export_to(out, WITHOUT_PHRASE, tmp_path, timestamp=T2, label="v2")
    assert report.removed == 1 and (report.notes, report.cards) == (4, 10)  # the live deck
    assert counts(import_apkg(col, report.path)) == (0, 5, 0, 0)

    (found,) = col.find_notes(f"tag:{REMOVED_TAG}")
    note = col.get_note(found)
    assert note["Entry ID"] == "sample-deck/say-it" and note.card_ids() == phrase_cards
    assert sorted(note.tags) == [REMOVED_TAG, "flashcards::sample-deck::phrase"]
    assert note["Source"] == field_html(REMOVED_SOURCE)
    answer = col.get_card(phrase_cards[0]).render_output().answer_text
    assert f"Source: {REMOVED_SOURCE}" in plain(answer)  # the learner sees it on the card too
    assert note["Do say"].startswith("First line")  # the text stays

    # how the learner finishes the job: one search, suspend (or delete)
    col.sched.suspend_cards(col.find_cards(f"tag:{REMOVED_TAG}"))
    later = export_to(out, WITHOUT_PHRASE, tmp_path, timestamp=T2 + 60, label="v3")
    assert later.removed == 1  # carried from package to package
    import_apkg(col, later.path)
    assert col.find_notes(f"tag:{REMOVED_TAG}") == [found]
    assert col.get_card(phrase_cards[0]).queue == -1
    assert col.find_cards('"deck:Sample deck" -is:suspended') and not col.find_cards(
        f'"deck:Sample deck" tag:{REMOVED_TAG} -is:suspended')


def test_a_removed_entry_new_to_a_collection_stays_out_of_the_study_path(col, tmp_path):
    out = tmp_path / "exports"
    export_to(out, SAMPLE, tmp_path, timestamp=T1)
    package = export_to(out, WITHOUT_PHRASE, tmp_path, timestamp=T2, label="v2").path
    import_apkg(col, package)  # a learner who never had the phrase
    (found,) = col.find_notes(f"tag:{REMOVED_TAG}")
    decks = {col.decks.name(col.get_card(c).did) for c in col.get_note(found).card_ids()}
    assert decks == {"Sample deck (removed)"}  # beside the lesson, not under it
    assert not col.find_cards(f'"deck:Sample deck" tag:{REMOVED_TAG}')


def test_an_entry_that_comes_back_loses_the_removed_tag(col, tmp_path):
    out = tmp_path / "exports"
    import_apkg(col, export_to(out, SAMPLE, tmp_path, timestamp=T1).path)
    import_apkg(col, export_to(out, WITHOUT_PHRASE, tmp_path, timestamp=T2, label="v2").path)
    back = export_to(out, SAMPLE, tmp_path, timestamp=T2 + 60, label="v3")
    assert back.removed == 0
    import_apkg(col, back.path)
    assert not col.find_notes(f"tag:{REMOVED_TAG}")
    assert notes_by_entry(col)["sample-deck/say-it"]["Source"] == "draft B"


# -- Anki's own markup is plain text ---------------------------------------------------


MARKUP = r"""id: markup
name: Markup
terms:
  - id: sound
    term: '[sound:x.mp3] and [anki:tts]hello[/anki:tts]'
    definition: '[$]x^2[/$], [$$]y[/$$], [latex]z[/latex], \(a\) and \[b\] and \\c'
"""


def test_anki_markup_in_text_shows_as_typed(col, tmp_path):
    deck = load_deck(deck_file(tmp_path, MARKUP))
    (report,) = write_packages([deck], out_dir=tmp_path / "out", timestamp=T1)
    import_apkg(col, report.path)
    (cid,) = col.find_cards("card:1")
    output = col.get_card(cid).render_output()
    assert not output.question_av_tags and not output.answer_av_tags  # no audio, no speech
    assert "[anki:" not in output.question_text
    assert plain(output.question_text).startswith("[sound:x.mp3] and [anki:tts]hello[/anki:tts]")
    answer = output.answer_text
    assert "<img" not in answer and "latex-" not in answer  # no LaTeX images
    assert "\\(" not in answer and "\\[" not in answer  # nothing for MathJax to find...
    assert 'class="fc tex2jax_ignore"' in answer  # ...and told to skip the card anyway
    assert r"[$]x^2[/$], [$$]y[/$$], [latex]z[/latex], \(a\) and \[b\] and \\c" in plain(answer)
    assert not col.media.check().missing  # nothing refers to media files


def test_double_colon_in_a_deck_name_is_a_validation_error(tmp_path):
    text = "id: nested\nname: Sales::Lesson 4\nterms:\n  - {id: t, term: T, definition: D}\n"
    deck, problems = parse_deck(text, "nested.yaml")
    assert deck is None
    assert [str(p) for p in problems] == [
        "nested.yaml:2: deck name 'Sales::Lesson 4' contains '::', which Anki reads as a sub-deck"]
    with pytest.raises(DeckError):
        load_deck(deck_file(tmp_path, text))


# -- a learner who customised the note type ---------------------------------------------


def test_a_field_added_by_the_learner_needs_merge_note_types(col, tmp_path):
    import_apkg(col, export_to(tmp_path / "a", SAMPLE, tmp_path, timestamp=T1).path)
    note_type = col.models.get(TERM_MODEL_ID)
    col.models.add_field(note_type, col.models.new_field("My notes"))
    col.models.update_dict(note_type)
    later = int(time.time()) + 60  # packages built after the learner's change

    merge = col._backend.get_import_anki_package_presets()
    merge.merge_notetypes = True  # "Merge note types" ticked
    package = export_to(tmp_path / "b", edited(SAMPLE), tmp_path, timestamp=later, label="v2").path
    log = col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=merge)).log
    assert counts(log) == (1, 5, 0, 0)
    note = notes_by_entry(col)["sample-deck/full-term"]
    assert note["Definition"] == "Running a trained model on new input."
    assert "My notes" in note.keys()  # the learner's field is kept

    third = edited(SAMPLE).replace("Answers questions.", "Answers.")
    package = export_to(tmp_path / "c", third, tmp_path, timestamp=later + 60, label="v3").path
    log = import_apkg(col, package)  # once merged, the defaults update again
    assert counts(log) == (0, 6, 0, 0)
    note = notes_by_entry(col)["sample-deck/full-term"]
    assert note["What it does"] == "Answers." and "My notes" in note.keys()
    assert "Flashcards: Term+" not in {m.name for m in col.models.all_names_and_ids()}


def test_without_merge_a_customised_note_type_gets_no_updates(col, tmp_path):
    """The issue's "Flashcards: Term+": what docs/anki.md warns about."""
    import_apkg(col, export_to(tmp_path / "a", SAMPLE, tmp_path, timestamp=T1).path)
    note_type = col.models.get(TERM_MODEL_ID)
    col.models.add_field(note_type, col.models.new_field("My notes"))
    col.models.update_dict(note_type)
    package = export_to(tmp_path / "b", edited(SAMPLE), tmp_path, timestamp=int(time.time()) + 60).path
    log = import_apkg(col, package)
    assert (len(log.conflicting), len(log.updated)) == (2, 3)
    assert notes_by_entry(col)["sample-deck/full-term"]["Definition"] == "Running a trained model."
    assert "Flashcards: Term+" in {m.name for m in col.models.all_names_and_ids()}


# -- the same bytes whichever process builds them ------------------------------------------


def test_two_processes_write_identical_packages(tmp_path):
    """Deck ids, note ids and everything else come from the decks and the stamp only: two
    separate interpreters (different hash() seeds) give the same bytes."""
    outputs = []
    for seed in ("1", "2"):
        result = flash_process("export", "anki", "-o", f"p{seed}.apkg", cwd=tmp_path,
                               env={"SOURCE_DATE_EPOCH": str(T1), "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.append((tmp_path / f"p{seed}.apkg").read_bytes())
    assert outputs[0] == outputs[1]
    decks = load_decks([shipped_decks_dir()])
    (report, *_) = write_packages(decks, out=tmp_path / "here.apkg", timestamp=T1)
    assert report.path.read_bytes() == outputs[0]  # and the same as this process's


BUYER = """\
id: buyer-deck
name: Buyer deck
phrases:
  - id: cost
    buyer_says: How much does training cost?
    do_say: You are not training a model; you pay per token to use one.
    why: Nobody here pre-trains.
    note: Draft B put this line under "Don't say".
  - id: own
    dont_say: We train the model.
    do_say: We adapt a trained model.
    why: Ownership.
"""


def test_a_removed_buyer_reply_keeps_its_note_type(col, tmp_path):
    out = tmp_path / "exports"
    import_apkg(col, export_to(out, BUYER, tmp_path, timestamp=T1).path)
    (nid,) = col.find_notes('"note:Flashcards: Buyer reply"')
    without = BUYER[:BUYER.index("  - id: cost")] + BUYER[BUYER.index("  - id: own"):]
    report = export_to(out, without, tmp_path, timestamp=T2, label="v2")
    assert report.removed == 1
    assert counts(import_apkg(col, report.path)) == (0, 2, 0, 0)
    assert col.find_notes(f"tag:{REMOVED_TAG}") == [nid]
    note = col.get_note(nid)
    assert sorted(note.tags) == ["flashcards::buyer-deck::phrase", REMOVED_TAG]
    assert note["Buyer says"] == "How much does training cost?"


def test_a_stamp_far_in_the_future_is_reported(col, tmp_path):
    """Anki keeps a package's note times, so notes stamped days ahead refuse every package
    built before that time (a wrong clock or SOURCE_DATE_EPOCH): said when exporting."""
    ahead = int(time.time()) + 3 * 86_400
    report = export_to(tmp_path / "out", SAMPLE, tmp_path, timestamp=ahead)
    assert len(report.warnings) == 1
    assert "more than a day ahead of this computer's clock" in report.warnings[0]
    import_apkg(col, report.path)
    now = export_to(tmp_path / "out2", edited(SAMPLE), tmp_path, timestamp=int(time.time()), label="v2")
    assert not now.warnings
    assert counts(import_apkg(col, now.path)) == (1, 0, 5, 0)  # what the warning is about


def test_a_deleted_note_comes_back_with_the_next_import(col, tmp_path):
    """Why docs/anki.md says to suspend rather than delete: an import only adds and updates."""
    out = tmp_path / "exports"
    import_apkg(col, export_to(out, SAMPLE, tmp_path, timestamp=T1).path)
    col.remove_notes([notes_by_entry(col)["sample-deck/say-it"].id])
    assert col.note_count() == 4
    log = import_apkg(col, export_to(out, SAMPLE, tmp_path, timestamp=T2, label="v2").path)
    assert counts(log) == (1, 4, 0, 0)
    assert "sample-deck/say-it" in notes_by_entry(col)
