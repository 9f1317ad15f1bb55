"""Deck files: YAML -> Deck, every problem as file:line: message, and the cards entries yield."""

from __future__ import annotations

import pytest

from flashcards.decks import check_file, find_deck_files, load_deck, load_decks, parse_deck
from flashcards.errors import DeckError, Problem
from flashcards.model import (
    Analog,
    CardKind,
    Deck,
    Phrase,
    Term,
    card_id,
    cards_for_deck,
    cards_for_entry,
)


def problems_of(path):
    deck, problems = check_file(path)
    assert deck is None
    return [str(p) for p in problems]


# -- reading a valid deck ---------------------------------------------------


def test_sample_deck_parses(sample_deck):
    deck = load_deck(sample_deck)
    assert deck.id == "sample"
    assert deck.name == "Sample deck"
    assert deck.description == "A small deck for tests."
    assert deck.source is None
    assert deck.tags == ("test",)
    assert [t.id for t in deck.terms] == ["alpha", "beta"]
    assert [p.id for p in deck.phrases] == ["say-hello", "say-thanks"]
    assert [a.id for a in deck.analogs] == ["door", "badge"]
    alpha = deck.terms[0]
    assert alpha == Term(
        id="alpha", term="Alpha", definition="The first letter.",
        what_it_does="Starts the alphabet.", whos_behind_it="The Phoenicians.",
        what_makes_it_distinct=None, tags=("letters",), source=None, line=6,
    )
    assert deck.phrases[0] == Phrase(
        id="say-hello", dont_say="Yo.", do_say="Hello.", why="Politeness opens doors.", line=17,
    )
    assert deck.analogs[1] == Analog(
        id="badge", concept="Authorization", analog="A building badge",
        holds="It says which floors you may visit.", breaks=None, line=31,
    )
    assert deck.path == str(sample_deck)


def test_optional_deck_fields_and_entry_source(write_deck):
    path = write_deck(
        """\
        id: d
        name: D
        source: lesson-1.txt
        terms:
          - id: x
            term: X
            definition: >-
              folded
              text
            source: draft A
        """
    )
    deck = load_deck(path)
    assert deck.source == "lesson-1.txt"
    assert deck.terms[0].definition == "folded text"
    assert deck.terms[0].source == "draft A"
    assert deck.phrases == () and deck.analogs == ()


def test_yaml_values_stay_text(write_deck):
    # composed, not constructed: `yes`, `1.10` and dates are kept as written
    path = write_deck(
        """\
        id: d
        name: D
        phrases:
          - id: p
            dont_say: no
            do_say: yes
            why: 1.10
        """
    )
    phrase = load_deck(path).phrases[0]
    assert (phrase.dont_say, phrase.do_say, phrase.why) == ("no", "yes", "1.10")


def test_python_tags_are_not_executed(write_deck, tmp_path):
    marker = tmp_path / "pwned"
    path = write_deck(
        f"""\
        id: d
        name: !!python/object/apply:os.system ["touch {marker}"]
        """
    )
    deck, problems = check_file(path)
    assert not marker.exists()
    assert deck is None
    assert problems == [Problem(str(path), 2, "'name' must be text, not a list")]


# -- every problem, located -------------------------------------------------


def test_yaml_syntax_error_line(write_deck):
    path = write_deck(
        "id: d\n"
        "name: D\n"
        "terms:\n"
        "  - id: t1\n"
        "    term: Alpha\n"
        "   definition: misindented\n"
    )
    (problem,) = check_file(path)[1]
    # the wording comes from PyYAML or libyaml, whichever is installed
    assert (problem.path, problem.line) == (str(path), 6)
    assert problem.message.startswith("YAML syntax error: ")


def test_yaml_unclosed_quote_points_at_the_quote(write_deck):
    # The file has 6 lines; the error is the quote opened on line 5. Reporting
    # the end of the stream (line 7, a line that does not exist) helps nobody.
    path = write_deck(
        """\
        id: d
        name: D
        terms:
          - id: t1
            term: "unclosed
            definition: x
        """
    )
    (problem,) = check_file(path)[1]
    assert problem.message.startswith("YAML syntax error")
    assert problem.line == 5


def test_unknown_key_with_did_you_mean(write_deck):
    path = write_deck(
        """\
        id: d
        name: D
        phrases:
          - id: p1
            dont_sya: We train the model.
            do_say: We fine-tune it.
            why: Accuracy.
        """
    )
    assert problems_of(path) == [
        f"{path}:4: phrase entry needs 'dont_say' (a line not to say) or 'buyer_says' (a line the buyer says)",
        f"{path}:5: unknown key 'dont_sya' in phrase entry (did you mean 'dont_say'?)",
    ]


def test_unknown_key_without_close_match_lists_allowed(write_deck):
    path = write_deck(
        """\
        id: d
        name: D
        colour: blue
        """
    )
    assert problems_of(path) == [
        f"{path}:3: unknown key 'colour' in deck (allowed: id, name, description, source, sources, tags, "
        "terms, phrases, analogs, clozes, scheduler, desired_retention)"
    ]


def test_duplicate_ids_across_lists(write_deck):
    path = write_deck(
        """\
        id: d
        name: D
        terms:
          - id: same
            term: T
            definition: D
        phrases:
          - id: same
            dont_say: a
            do_say: b
            why: c
        analogs:
          - id: same
            concept: c
            analog: a
            holds: h
        """
    )
    assert problems_of(path) == [
        f"{path}:8: duplicate id 'same' (first used at line 4)",
        f"{path}:13: duplicate id 'same' (first used at line 4)",
    ]


def test_missing_and_empty_required_fields(write_deck):
    path = write_deck(
        """\
        id: d
        name: ""
        terms:
          - id: t1
            term: T
          - id: t2
            term: "  "
            definition:
        phrases:
          - id: p1
            dont_say: a
            do_say: ~
            why: c
        """
    )
    assert problems_of(path) == [
        f"{path}:2: 'name' is empty",
        f"{path}:4: term entry is missing required field 'definition'",
        f"{path}:7: 'term' is empty",
        f"{path}:8: 'definition' is empty",
        f"{path}:12: 'do_say' is empty",
    ]


def test_missing_deck_id_and_name(write_deck):
    path = write_deck(
        """\
        # a comment first
        description: no id, no name
        """
    )
    assert problems_of(path) == [
        f"{path}:2: deck is missing required field 'id'",
        f"{path}:2: deck is missing required field 'name'",
    ]


def test_wrong_types(write_deck):
    path = write_deck(
        """\
        id: d
        name: D
        terms:
          - id: t1
            term: [not, text]
            definition:
              nested: mapping
          - just a string
        phrases:
          id: not-a-list
        """
    )
    assert problems_of(path) == [
        f"{path}:5: 'term' must be text, not a list",
        f"{path}:7: 'definition' must be text, not a mapping",
        f"{path}:8: each item of 'terms' must be a mapping of fields (term entry)",
        f"{path}:10: 'phrases' must be a list of entries",
    ]


def test_deck_that_is_not_a_mapping(write_deck):
    path = write_deck("- id: d\n- name: D\n")
    assert problems_of(path) == [
        f"{path}:1: a deck must be a mapping with 'id', 'name' and lists of entries"
    ]


def test_empty_file(write_deck):
    path = write_deck("# nothing here\n")
    assert problems_of(path) == [f"{path}:1: empty file: a deck needs at least 'id' and 'name'"]


def test_invalid_ids(write_deck):
    path = write_deck(
        """\
        id: Bad Deck
        name: D
        terms:
          - id: -dash
            term: T
            definition: D
        """
    )
    rule = "lowercase letters, digits, '-' and '_', starting with a letter or digit"
    assert problems_of(path) == [
        f"{path}:1: deck id 'Bad Deck' is not a valid id ({rule})",
        f"{path}:4: term entry id '-dash' is not a valid id ({rule})",
    ]


def test_analog_needs_holds_or_breaks(write_deck):
    path = write_deck(
        """\
        id: d
        name: D
        analogs:
          - id: a1
            concept: C
            analog: A
          - id: a2
            concept: C
            analog: A
            holds: ""
            breaks:
        """
    )
    assert problems_of(path) == [
        f"{path}:4: analog entry needs 'holds' or 'breaks' (or both)",
        f"{path}:7: analog entry needs 'holds' or 'breaks' (or both)",
    ]


def test_tags_must_be_a_list_of_words(write_deck):
    path = write_deck(
        """\
        id: d
        name: D
        tags: lesson-4
        terms:
          - id: t1
            term: T
            definition: D
            tags: [ok, two words, "", [nested]]
        """
    )
    assert problems_of(path) == [
        f"{path}:3: 'tags' must be a list, e.g. [pricing, inference]",
        f"{path}:8: tag 'two words' contains spaces (use '-' or '_' instead)",
        f"{path}:8: each tag must be a non-empty word",
        f"{path}:8: each tag must be a non-empty word",
    ]


def test_duplicate_keys(write_deck):
    path = write_deck(
        """\
        id: d
        name: D
        name: E
        """
    )
    assert problems_of(path) == [f"{path}:3: duplicate key 'name' (first at line 2)"]


def test_every_problem_in_one_pass(write_deck):
    path = write_deck(
        """\
        id: d
        name: D
        tags: oops
        terms:
          - id: t1
            term: T
            definition: ""
          - id: t1
            term: T
            definition: D
            what_it_dos: typo
        phrases:
          - id: p1
            dont_sya: x
            do_say: y
            why: z
        analogs:
          - id: a1
            concept: c
            analog: a
        """
    )
    assert problems_of(path) == [
        f"{path}:3: 'tags' must be a list, e.g. [pricing, inference]",
        f"{path}:7: 'definition' is empty",
        f"{path}:8: duplicate id 't1' (first used at line 5)",
        f"{path}:11: unknown key 'what_it_dos' in term entry (did you mean 'what_it_does'?)",
        f"{path}:13: phrase entry needs 'dont_say' (a line not to say) or 'buyer_says' (a line the buyer says)",
        f"{path}:14: unknown key 'dont_sya' in phrase entry (did you mean 'dont_say'?)",
        f"{path}:18: analog entry needs 'holds' or 'breaks' (or both)",
    ]


def test_parse_deck_from_text(sample_deck_text):
    deck, problems = parse_deck(sample_deck_text, "inline.yaml")
    assert problems == []
    assert deck.id == "sample"
    deck, problems = parse_deck("id: x\n", "inline.yaml")
    assert deck is None
    assert [str(p) for p in problems] == ["inline.yaml:1: deck is missing required field 'name'"]


# -- files and folders --------------------------------------------------------


def test_folders_are_expanded(write_deck, tmp_path):
    a = write_deck("id: a\nname: A\n", "decks/a.yaml")
    b = write_deck("id: b\nname: B\n", "decks/b.yml")
    write_deck("not a deck", "decks/notes.txt")
    (tmp_path / "decks" / "sub.yaml").mkdir()
    assert find_deck_files([tmp_path / "decks"]) == [a, b]
    assert [d.id for d in load_decks([tmp_path / "decks"])] == ["a", "b"]


def test_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DeckError) as info:
        load_decks([tmp_path / "empty"])
    assert str(info.value) == f"{tmp_path / 'empty'}: folder holds no .yaml or .yml deck files"


def test_non_existent_path(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(DeckError) as info:
        load_decks([missing])
    assert [str(p) for p in info.value.problems] == [f"{missing}: no such file or folder"]


def test_missing_path_does_not_hide_other_files_problems(write_deck, tmp_path):
    # "every problem reported in one pass": a typo in one path must not hide
    # the problems of the other files given.
    missing = tmp_path / "nope.yaml"
    bad = write_deck("id: b\n", "bad.yaml")
    with pytest.raises(DeckError) as info:
        load_decks([missing, bad])
    assert [str(p) for p in info.value.problems] == [
        f"{missing}: no such file or folder",
        f"{bad}:1: deck is missing required field 'name'",
    ]


def test_same_deck_id_in_two_files(write_deck):
    a = write_deck("# first\nname: A\nid: same\n", "a.yaml")
    b = write_deck("id: same\nname: B\n", "b.yaml")
    with pytest.raises(DeckError) as info:
        load_decks([a, b])
    # both files, each at the line of its id
    assert [str(p) for p in info.value.problems] == [f"{b}:1: deck id 'same' is also used by {a}:3"]


def test_problems_of_every_file_at_once(write_deck):
    a = write_deck("id: a\n", "a.yaml")
    b = write_deck("id: b\nname: B\nterms: x\n", "b.yaml")
    good = write_deck("id: c\nname: C\n", "c.yaml")
    with pytest.raises(DeckError) as info:
        load_decks([a, good, b])
    assert str(info.value).splitlines() == [
        f"{a}:1: deck is missing required field 'name'",
        f"{b}:3: 'terms' must be a list of entries",
    ]


def test_non_utf8_file(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: x\nname: caf\xe9\n".encode("latin-1"))
    assert problems_of(path) == [f"{path}:2: not UTF-8 text (invalid continuation byte at byte 15)"]


# -- cards --------------------------------------------------------------------


def test_card_counts_and_ids(sample_deck, sample_card_ids):
    deck = load_deck(sample_deck)
    cards = cards_for_deck(deck)
    assert [c.id for c in cards] == sample_card_ids
    assert all(c.deck_id == "sample" for c in cards)
    assert [c.entry_id for c in cards][:4] == ["alpha"] * 4


def test_term_cards():
    term = Term(id="t", term="Alpha", definition="First.")
    cards = cards_for_entry("d", term)
    assert [c.kind for c in cards] == [CardKind.TERM, CardKind.DEFINITION]
    assert (cards[0].front, cards[0].back) == ("Alpha\n\nWhat is it?", "First.")
    assert (cards[1].front, cards[1].back) == ("First.\n\nWhich term is this?", "Alpha")


@pytest.mark.parametrize(
    "field, question",
    [
        ("what_it_does", "What does it do?"),
        ("whos_behind_it", "Who's behind it?"),
        ("what_makes_it_distinct", "What makes it distinct?"),
    ],
)
def test_each_optional_term_field_adds_a_card(field, question):
    term = Term(id="t", term="Alpha", definition="First.", **{field: "Answer."})
    cards = cards_for_entry("d", term)
    assert [c.id for c in cards] == ["d/t/term", "d/t/definition", f"d/t/{field}"]
    assert (cards[2].front, cards[2].back) == (f"Alpha\n\n{question}", "Answer.")


def test_phrase_card():
    (card,) = cards_for_entry("d", Phrase(id="p", dont_say="A", do_say="B", why="C"))
    assert card.id == "d/p/phrase"
    assert card.front == "Don't say: A\n\nWhat do you say instead?"
    assert card.back == "Do say: B\n\nWhy it matters: C"


@pytest.mark.parametrize(
    "holds, breaks, kinds",
    [("H", "B", ["holds", "breaks"]), ("H", None, ["holds"]), (None, "B", ["breaks"])],
)
def test_analog_cards(holds, breaks, kinds):
    analog = Analog(id="a", concept="C", analog="A", holds=holds, breaks=breaks)
    cards = cards_for_entry("d", analog)
    assert [c.kind.value for c in cards] == kinds
    for card in cards:
        assert card.front.startswith("C\nOkta analog: A\n\n")
        assert card.back == (holds if card.kind == CardKind.HOLDS else breaks)


def test_card_ids_do_not_depend_on_text(write_deck):
    before = cards_for_deck(load_deck(write_deck("id: d\nname: D\nterms:\n  - {id: t, term: A, definition: B}\n")))
    after = cards_for_deck(load_deck(write_deck("id: d\nname: D\nterms:\n  - {id: t, term: X, definition: Y}\n")))
    assert [c.id for c in before] == [c.id for c in after] == ["d/t/term", "d/t/definition"]
    assert [c.front for c in before] != [c.front for c in after]


def test_card_tags_and_source_come_from_the_entry():
    term = Term(id="t", term="A", definition="B", tags=("x", "y"), source="draft A")
    assert {(c.tags, c.source) for c in cards_for_entry("d", term)} == {(("x", "y"), "draft A")}
    assert card_id("d", "t", CardKind.WHOS_BEHIND_IT) == "d/t/whos_behind_it"


def test_deck_entries_order():
    deck = Deck(
        id="d", name="D",
        terms=(Term(id="t", term="A", definition="B"),),
        phrases=(Phrase(id="p", dont_say="a", do_say="b", why="c"),),
        analogs=(Analog(id="a", concept="c", analog="a", holds="h"),),
    )
    assert [e.id for e in deck.entries] == ["t", "p", "a"]
    assert [c.id for c in cards_for_deck(deck)] == ["d/t/term", "d/t/definition", "d/p/phrase", "d/a/holds"]


# -- buyer rows and notes (issue 9) ------------------------------------------


def test_buyer_row_yields_a_reply_card(write_deck):
    path = write_deck(
        """\
        id: d
        name: D
        phrases:
          - id: buyer-cost
            buyer_says: How much does training cost?
            do_say: Which regime are you budgeting for?
            why: Keeps the number in context.
            source: Lesson 4 (draft B)
            note: Draft B's row.
        """
    )
    deck = load_deck(path)
    (phrase,) = deck.phrases
    assert (phrase.buyer_says, phrase.dont_say, phrase.note, phrase.line) == (
        "How much does training cost?", None, "Draft B's row.", 4)
    (card,) = cards_for_deck(deck)
    assert card.id == "d/buyer-cost/reply" and card.kind is CardKind.REPLY
    assert card.front == "The buyer says: \u201cHow much does training cost?\u201d\n\nWhat do you answer?"
    assert card.back == "Do say: Which regime are you budgeting for?\n\nWhy it matters: Keeps the number in context."
    assert card.source == "Lesson 4 (draft B)\nNote: Draft B's row."


@pytest.mark.parametrize(
    "cues, expected",
    [
        ("", "{path}:4: phrase entry needs 'dont_say' (a line not to say) or 'buyer_says' (a line the buyer says)"),
        ("    dont_say: We train it.\n    buyer_says: Train it.\n",
         "{path}:6: phrase entry has both 'dont_say' and 'buyer_says': "
         "a row is either a line not to say or a line the buyer says"),
        ("    buyer_says: ''\n", "{path}:5: 'buyer_says' is empty"),
        ("    dont_say: '   '\n", "{path}:5: 'dont_say' is empty"),
    ],
)
def test_phrase_needs_exactly_one_cue(write_deck, cues, expected):
    path = write_deck("id: d\nname: D\nphrases:\n  - id: p\n" + cues + "    do_say: Fine-tune.\n    why: Scope.\n")
    assert problems_of(path) == [expected.format(path=path)]


def test_note_is_shown_after_the_source_on_every_card_of_the_entry():
    term = Term(id="t", term="A", definition="B", source="Lesson 4 (drafts A and B)",
                note="$1 (draft A); $2 (draft B).")
    sources = {c.source for c in cards_for_entry("d", term)}
    assert sources == {"Lesson 4 (drafts A and B)\nNote: $1 (draft A); $2 (draft B)."}
    assert {c.back for c in cards_for_entry("d", term)} == {"B", "A"}  # never part of the answer
    assert cards_for_entry("d", Term(id="t", term="A", definition="B", note="N."))[0].source == "Note: N."
