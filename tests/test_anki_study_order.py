"""What a learner meets in Anki (issue 9, section 3): the shipped deck imported with Anki's
default options, the lesson's deck studied for five days with the real scheduler
(``col.sched.get_queued_cards`` and ``answer_card``), every card answered Good.

A day passes by moving the collection's creation time back one day and reopening it,
which is what Anki's day count is measured from."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.scheduler_pb2 import CardAnswer

from flashcards.anki import REPLY_MODEL_ID, template_kinds, write_packages
from flashcards.decks import load_decks, shipped_decks_dir
from flashcards.model import CardKind, cards_for_entry
from test_anki_export import KIND_OF_MODEL, import_apkg

DAYS = 5
NEW_PER_DAY = 20  # Anki's default (the reference file: ../shared/reference/anki-defaults.md)
KIND_OF_MODEL = {**KIND_OF_MODEL, REPLY_MODEL_ID: "reply"}


def study(collection_path: Path, deck_name: str, days: int) -> list[list[tuple[str, CardKind, int]]]:
    """Each day's sequence of (entry ref, card kind, queue: 0 new, 1 learning, 2 review)."""
    col = Collection(str(collection_path))
    try:
        config = col.decks.config_dict_for_deck_id(col.decks.id_for_name(deck_name))
        assert (config["new"]["perDay"], config["new"]["bury"], config["rev"]["bury"]) == (NEW_PER_DAY, False, False)
        assert (config["newGatherPriority"], config["newSortOrder"]) == (0, 0)  # the defaults
        sequence_per_day = []
        for _ in range(days):
            col.decks.select(col.decks.id_for_name(deck_name))
            today = []
            while (queued := col.sched.get_queued_cards(fetch_limit=1)).cards:
                entry = queued.cards[0]
                card = col.get_card(entry.card.id)
                card.start_timer()
                note = card.note()
                today.append((note["Entry ID"], template_kinds(KIND_OF_MODEL[note.mid])[card.ord], entry.queue))
                states = col._backend.get_scheduling_states(card.id)
                col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=CardAnswer.GOOD))
                assert len(today) < 1000
            sequence_per_day.append(today)
            col.crt -= 86_400  # a day later
            col.close()
            col = Collection(str(collection_path))
    finally:
        col.close()
    return sequence_per_day


@pytest.fixture(scope="module")
def five_days(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("study")
    deck = next(d for d in load_decks([shipped_decks_dir()]) if d.id == "lesson-04-ai-lifecycle")
    (report,) = write_packages([deck], out_dir=tmp / "exports", timestamp=1_700_000_000)
    (tmp / "anki").mkdir()
    col = Collection(str(tmp / "anki" / "collection.anki2"))
    try:
        import_apkg(col, report.path)  # docs/anki.md's steps: import, keep the defaults
    finally:
        col.close()
    return deck, study(tmp / "anki" / "collection.anki2", deck.name, DAYS)


def test_the_lesson_presents_terms_first(five_days):
    deck, days = five_days
    new_cards = [(ref, kind) for day in days for ref, kind, queue in day if queue == 0]
    assert len(days[0]) > 0 and days[0][0][1] is CardKind.TERM
    # day 1 opens with the term card of every term entry that introduces a concept, in YAML order (an
    # entry with a question, one fact about a term, comes after them, as in the YAML)
    terms = [f"{deck.id}/{t.id}" for t in deck.terms if not t.question]
    assert deck.terms[:len(terms)] == tuple(t for t in deck.terms if not t.question)
    assert [ref for ref, _ in new_cards[:len(terms)]] == terms
    assert {kind for _, kind in new_cards[:len(terms)]} == {CardKind.TERM}
    assert len(terms) < NEW_PER_DAY  # so all of them come on day 1


def test_never_a_card_directly_after_its_sibling(five_days):
    deck, days = five_days
    for number, day in enumerate(days, start=1):
        for (ref_a, kind_a, _), (ref_b, kind_b, _) in zip(day, day[1:]):
            assert not (ref_a == ref_b and kind_a != kind_b), (number, ref_a, kind_a, kind_b)
    # the lesson's deck holds one card per entry: each entry's first card, and nothing else
    first = {f"{deck.id}/{e.id}": cards_for_entry(deck.id, e)[0].kind for e in deck.entries}
    for day in days:
        for ref, kind, _ in day:
            assert first[ref] is kind


def test_five_days_of_new_cards_and_reviews(five_days):
    deck, days = five_days
    new_per_day = [sum(1 for _, _, queue in day if queue == 0) for day in days]
    entries = len(deck.entries)
    expected_new = [min(NEW_PER_DAY, max(0, entries - NEW_PER_DAY * d)) for d in range(DAYS)]
    assert new_per_day == expected_new  # 20, 20, then the rest of the 53 first cards
    assert Counter(q for _, _, q in days[0]) == {0: NEW_PER_DAY, 1: NEW_PER_DAY}  # each new card twice
    for day in days[1:]:
        assert not any(q == 1 for _, _, q in day[: sum(1 for _, _, q in day if q != 1)])  # learning comes last
    # every card met on day 1 is reviewed on day 2 (graduating interval: 1 day)
    assert {(ref, kind) for ref, kind, q in days[1] if q == 2} == {(ref, kind) for ref, kind, _ in days[0]}
