"""An order that teaches (issue 20, section 4): a term's card before any card that needs it, and due
cards interleaved by kind. Through the real CLI on the shipped deck (whatever it holds: the rules
are asserted, not a list), and the rules on their own."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from flashcards.decks import load_deck, parse_deck
from flashcards.model import Deck, Phrase, Term, cards_for_deck
from flashcards.prerequisites import TermIndex, card_needs, suggested_uses, term_names
from flashcards.review import deal_new_cards, entry_key, interleave_kinds

DAY = date(2026, 3, 2)
SHIPPED = Path(__file__).parent.parent / "decks" / "lesson-04-ai-lifecycle.yaml"


def log(db_path, where="1"):
    conn = sqlite3.connect(str(db_path))
    try:
        return [row[0] for row in conn.execute(f"SELECT card_id FROM reviews WHERE {where} ORDER BY id")]
    finally:
        conn.close()


def kind(card_id: str) -> str:
    return card_id.rsplit("/", 1)[1]


def max_run(cards) -> int:
    best = run = 0
    for i, card in enumerate(cards):
        run = run + 1 if i and kind(cards[i - 1]) == kind(card) else 1
        best = max(best, run)
    return best


def mix_allows(cards, limit=2) -> bool:
    """Whether some order of ``cards`` has no more than ``limit`` of one kind in a row."""
    counts = Counter(map(kind, cards))
    most = max(counts.values(), default=0)
    return most <= limit * (len(cards) - most + 1)


# -- the shipped deck through the CLI -------------------------------------------------------


def test_day_one_no_card_uses_a_concept_before_its_term_card(invoke, db_path):
    result = invoke("review", "--db", db_path, "--today", DAY.isoformat(), input="5\n" * 20)
    assert result.exit_code == 0, result.output
    shown = log(db_path)
    assert len(shown) == 20
    needs = card_needs(load_deck(SHIPPED))
    late = [(c, p) for i, c in enumerate(shown) for p in needs.get(c, ()) if p not in shown[:i]]
    assert late == []
    # the rule has work to do: day 1 holds cards that need a term, and the terms they need
    assert sum(1 for c in shown if needs.get(c)) >= 5
    assert all(kind(p) == "term" for c in shown for p in needs.get(c, ()))


def test_days_two_to_seven_due_cards_never_three_of_a_kind_in_a_row(invoke, db_path):
    """Grades 5 and 4 (no drills), every due card and 20 new ones a day; the scheduled reviews of
    each day, in the order shown, have at most 2 of one card kind in a row where the mix allows."""
    day = DAY
    checked = 0
    for n in range(7):
        before = len(log(db_path)) if n else 0
        result = invoke("review", "--db", db_path, "--today", day.isoformat(), input="5\n4\n" * 150)
        assert result.exit_code == 0, result.output
        if n:
            due = log(db_path, "kind = 'review' AND due_before IS NOT NULL")
            today = [c for c in log(db_path)[before:] if c in set(due)]
            if mix_allows(today):
                assert max_run(today) <= 2, (day, [kind(c) for c in today])
            checked += len(today) >= 3 and len(set(map(kind, today))) >= 2
        day += timedelta(days=1)
    assert checked >= 3  # days with mixed due cards to interleave


def test_uses_are_stored_at_import_and_reimport_is_unchanged(invoke, db_path):
    assert invoke("import", "--db", db_path, "--today", DAY.isoformat()).exit_code == 0
    conn = sqlite3.connect(str(db_path))
    try:
        stored = {row[0]: row[1] for row in conn.execute("SELECT id, needs FROM cards WHERE needs != '[]'")}
    finally:
        conn.close()
    needs = card_needs(load_deck(SHIPPED))
    assert {c: tuple(re.findall(r'"([^"]+)"', v)) for c, v in stored.items()} == needs
    again = invoke("import", "--db", db_path, "--today", DAY.isoformat())
    assert again.exit_code == 0
    assert re.search(r"\n[^\t\n]+\t0\t0\t0\t\d+\n", again.stdout), again.stdout  # all unchanged (piped: tab-separated)


# -- which terms a card needs ---------------------------------------------------------------

DECK = """\
id: d
name: D
terms:
  - {id: tokens, term: Tokens, definition: Pieces of words a model reads.}
  - {id: window, term: Context window, definition: How many tokens a model reads at once.}
  - {id: rag, term: RAG (retrieval-augmented generation), definition: Documents put in the context window.}
  - {id: fee, term: Hosting fee (fine-tuned model), definition: An hourly charge.}
  - {id: ft-weights, term: Fine-tuned weights, definition: Weights changed by a fine-tune.}
  - {id: weights, term: Weights, definition: What pre-training learns.}
phrases:
  - {id: p1, dont_say: Retrieval-augmented generation is training., do_say: It reads a token at a time., why: W.}
  - {id: p2, dont_say: The fine-tuned weights are yours., do_say: Ask., why: W., uses: [rag]}
  - {id: p3, dont_say: RAG is search., do_say: No., why: W., uses: []}
"""


@pytest.fixture
def deck() -> Deck:
    parsed, problems = parse_deck(DECK, "d.yaml")
    assert problems == []
    return parsed


def test_names_acronyms_and_plurals(deck):
    terms = {t.id: t for t in deck.terms}
    assert term_names(terms["rag"]) == ["RAG", "retrieval-augmented generation"]
    assert term_names(terms["fee"]) == ["Hosting fee"]  # a qualifier, not another name
    index = TermIndex(deck.terms)
    assert index.mentions("One token, then the RAG step, then context windows.") == ["tokens", "rag", "window"]
    assert index.mentions("Retrieval-augmented generation") == ["rag"]
    assert index.mentions("The fine-tuned weights") == ["ft-weights"]  # the longest name at a place
    assert index.mentions("A fine-tuned model") == []


def test_a_name_is_read_within_a_line_and_each_line_once(deck):
    """A card's front and back are two texts: a name does not run across the line between them,
    and a line met again (a term's definition is the front of one card and the back of another)
    gives the same terms, in the order of the text they stand in."""
    index = TermIndex(deck.terms)
    assert index.mentions("The fine-tuned weights") == ["ft-weights"]
    assert index.mentions("The fine-tuned\nweights") == ["weights"]  # not "Fine-tuned weights"
    assert index.mentions("Context windows\nOne token") == ["window", "tokens"]
    assert index.mentions("One token\nContext windows") == ["tokens", "window"]


def test_card_needs_infers_from_text_and_uses_replaces_it(deck):
    needs = card_needs(deck)
    assert needs["d/window/term"] == ("d/tokens/term",)
    assert needs["d/window/definition"] == ("d/tokens/term",)
    assert needs["d/rag/term"] == ("d/window/term",)
    assert needs["d/p1/phrase"] == ("d/rag/term", "d/tokens/term")
    assert needs["d/p2/phrase"] == ("d/rag/term",)  # uses: [rag], not the fine-tuned weights it names
    assert "d/p3/phrase" not in needs  # uses: [] turns inference off
    assert "d/tokens/term" not in needs


def test_a_question_entry_introduces_no_concept():
    """A term entry with a question ("Azure OpenAI: What does hosting cost?") is one fact, not the
    term's introduction: a card naming it needs the term's own entry, or nothing."""
    text = DECK.replace("phrases:\n", (
        "  - {id: q, term: RAG, question: Where does the data stay?, definition: In a store.}\n"
        "  - {id: az, term: Azure OpenAI, question: What does hosting cost?, definition: By the hour.}\n"
        "phrases:\n"
        "  - {id: p4, dont_say: Azure OpenAI is free., do_say: It bills hosting hourly., why: W.}\n"), 1)
    deck, problems = parse_deck(text, "d.yaml")
    assert problems == [], problems
    assert TermIndex(deck.terms).mentions("Azure OpenAI bills hosting") == []
    needs = card_needs(deck)
    assert needs["d/q/term"] == ("d/rag/term",)  # its own card needs the term's entry
    assert "d/p4/phrase" not in needs


def test_terms_that_name_each_other_come_in_deck_order():
    a = Term(id="pre", term="Pre-training", definition="Learning the weights.")
    b = Term(id="weights", term="Weights", definition="What pre-training learns.")
    needs = card_needs(Deck(id="d", name="D", terms=(a, b)))
    # weights' term card waits for pre-training's; pre-training's term card no longer waits for it
    assert needs == {"d/weights/term": ("d/pre/term",), "d/weights/definition": ("d/pre/term",),
                     "d/pre/definition": ("d/weights/term",)}
    # the builder's uses lists follow the same order, so they never go round in a circle
    assert suggested_uses(Deck(id="d", name="D", terms=(a, b))) == {"weights": ("pre",)}


def test_needs_are_found_through_an_index_not_pairs():
    """10,000 terms and as many phrases: a card's needs come from its own words."""
    terms = tuple(Term(id=f"t{i}", term=f"Widget {i}", definition=f"Part of widget {i + 1}.") for i in range(10_000))
    phrases = tuple(Phrase(id=f"p{i}", dont_say=f"Widget {i} is free.", do_say="No.", why="W.") for i in range(10_000))
    needs = card_needs(Deck(id="d", name="D", terms=terms, phrases=phrases))
    assert needs["d/p5/phrase"] == ("d/t5/term",)
    assert needs["d/t5/term"] == ("d/t6/term",)
    assert len(needs) == 10_000 * 2 - 2 + 10_000


# -- `uses:` in a deck file -------------------------------------------------------------------


def test_uses_naming_no_term_or_going_round_is_refused_with_its_line():
    text = DECK.replace("uses: [rag]}", "uses: [rag, nope, p1]}") + (
        "analogs:\n"
        "  - id: a1\n"
        "    concept: RAG\n"
        "    analog: A lookup\n"
        "    holds: Both fetch.\n"
        "    uses: [rag]\n"
    )
    text = text.replace("definition: How many tokens a model reads at once.}",
                        "definition: How many tokens a model reads at once., uses: [rag]}")
    text = text.replace("definition: Documents put in the context window.}",
                        "definition: Documents put in the context window., uses: [window]}")
    deck, problems = parse_deck(text, "d.yaml")
    assert deck is None
    assert [str(p) for p in problems] == [
        "d.yaml:6: 'uses' goes round in a circle: window -> rag -> window (a term's card cannot come before itself)",
        "d.yaml:12: 'uses' of 'p2' names 'nope', which is not a term of this deck",
        "d.yaml:12: 'uses' of 'p2' names 'p1', which is not a term of this deck",
    ]
    deck, problems = parse_deck(DECK.replace("uses: [rag]}", "uses: rag}"), "d.yaml")
    assert [str(p) for p in problems] == ["d.yaml:12: 'uses' must be a list of term ids, e.g. [rag, context-window]"]


# -- the session rules on their own ---------------------------------------------------------------


def test_a_needed_term_card_is_dealt_just_before_the_first_card_that_needs_it():
    waiting = ["d/t1/term", "d/t2/term", "d/t3/term", "d/p1/phrase", "d/p2/phrase", "d/h1/holds"]
    needs = {"d/p1/phrase": ("d/t3/term",), "d/t3/term": ("d/t2/term",)}
    assert deal_new_cards(waiting, 20) == ["d/t1/term", "d/p1/phrase", "d/h1/holds", "d/t2/term",
                                           "d/p2/phrase", "d/t3/term"]
    assert deal_new_cards(waiting, 20, needs=needs) == [
        "d/t1/term", "d/t2/term", "d/t3/term", "d/p1/phrase", "d/h1/holds", "d/p2/phrase"]
    assert deal_new_cards(waiting, 3, needs=needs) == ["d/t1/term", "d/t2/term", "d/t3/term"]
    # t3's entry is busy today: p1 waits for another day; a need no longer waiting is met
    assert deal_new_cards(waiting, 20, busy={"d/t3"}, needs=needs) == [
        "d/t1/term", "d/h1/holds", "d/t2/term", "d/p2/phrase"]
    assert deal_new_cards([c for c in waiting if c != "d/t3/term"], 20, needs=needs) == [
        "d/t1/term", "d/p1/phrase", "d/h1/holds", "d/t2/term", "d/p2/phrase"]


def test_due_cards_come_interleaved_by_kind():
    blocks = [f"d/{k}{i}/{k}" for k in ("term", "phrase", "reply", "holds") for i in range(5)]
    mixed = interleave_kinds(blocks)
    assert sorted(mixed) == sorted(blocks)
    assert max_run(mixed) == 2
    assert mixed[:3] == ["d/term0/term", "d/term1/term", "d/phrase0/phrase"]  # oldest due first otherwise
    # four of one kind and one other: the other goes between two pairs
    assert [kind(c) for c in interleave_kinds(["d/p/phrase"] + [f"d/t{i}/term" for i in range(4)])] == [
        "term", "term", "phrase", "term", "term"]
    # a mix that cannot be kept apart keeps its order once the others run out
    assert max_run(interleave_kinds([f"d/t{i}/term" for i in range(7)] + ["d/p/phrase"])) == 5
    # siblings apart where a card of an allowed kind is there to put between them
    assert [entry_key(c) for c in interleave_kinds(["d/x/term", "d/x/definition", "d/y/term"])] == [
        "d/x", "d/y", "d/x"]


def test_interleaving_keeps_every_card_and_the_rule_whenever_the_mix_allows():
    import random

    rng = random.Random(20)
    for _ in range(500):
        kinds = rng.sample(["term", "definition", "phrase", "reply", "holds", "breaks"], rng.randint(1, 6))
        cards = [f"d/e{i}/{rng.choice(kinds)}" for i in range(rng.randint(0, 40))]
        out = interleave_kinds(cards)
        assert sorted(out) == sorted(cards)
        if mix_allows(cards):
            assert max_run(out) <= 2, [kind(c) for c in cards]


def test_shipped_cards_all_have_needs_that_are_term_cards_of_the_deck():
    deck = load_deck(SHIPPED)
    ids = {c.id for c in cards_for_deck(deck)}
    for card, needed in card_needs(deck).items():
        assert card in ids and all(n in ids and kind(n) == "term" and n != card for n in needed)
