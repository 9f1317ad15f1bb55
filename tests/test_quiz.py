"""Quiz questions and item analysis (flashcards/quiz/generate.py, scoring.py): pure functions, real decks."""

from __future__ import annotations

import textwrap
from collections import Counter
from types import SimpleNamespace as A

import pytest

from flashcards.decks import load_decks, parse_deck, shipped_decks_dir
from flashcards.errors import QuizError
from flashcards.model import CardKind, card_id
from flashcards.quiz.generate import available, draw, generate, too_close, what_is_stem
from flashcards.quiz.model import (
    MIN_OPTIONS, Option, Question, QuestionKind, Quiz, name_key, parse_kinds, passes,
)
from flashcards.quiz.scoring import (
    Response, best_attempts, concept_analysis, discrimination_index, item_analysis, score_responses,
)

# 5 terms (two share the name "Token", as the shipped deck's regimes do per draft), 5 phrases,
# 4 analogs with holds and breaks.
QUIZ_DECK = """\
id: quizdeck
name: Quiz deck
terms:
  - id: token-a
    term: Token
    definition: A word fragment the model reads.
    what_it_does: Tokens are how Token pricing is counted.
    tags: [pricing]
  - id: token-b
    term: Token
    definition: The unit of model billing.
    tags: [pricing]
  - id: weights
    term: Weights
    definition: The numbers a model learned.
    whos_behind_it: The model vendor.
    tags: [model]
  - id: rag
    term: RAG (retrieval-augmented generation)
    definition: Looking documents up at question time.
    tags: [rag]
  - id: epoch
    term: Epoch
    definition: One pass over the training data.
    tags: [training]
  - id: inference
    term: Inference
    definition: Running the model to answer.
    tags: [model]
phrases:
  - {id: p1, dont_say: Train it., do_say: What outcome do you need?, why: Finds the need.}
  - {id: p2, dont_say: It is cheap., do_say: It costs hours not months., why: Accurate.}
  - {id: p3, dont_say: Your data is in the model., do_say: Your data stays in retrieval., why: Precise.}
  - {id: p4, dont_say: Just an API call., do_say: Inference scales with use., why: Budget.}
  - {id: p5, dont_say: We cannot say., do_say: We can model it per token., why: Planning.}
analogs:
  - {id: a1, concept: Fine-tuning, analog: Policy config, holds: Adjusts a base., breaks: Weights change.}
  - {id: a2, concept: Inference, analog: Auth events, holds: Per transaction., breaks: Carries context.}
  - {id: a3, concept: Pre-training, analog: Own IdP, holds: Nobody builds it., breaks: Far costlier.}
  - {id: a4, concept: RAG, analog: Attribute lookup, holds: Looks up at runtime., breaks: No PDP.}
"""

# 3 terms, 3 phrases, no analogs: every question can have only 3 options.
SMALL_DECK = """\
id: small
name: Small deck
terms:
  - {id: t1, term: Alpha, definition: The first letter.}
  - {id: t2, term: Beta, definition: The second letter.}
  - {id: t3, term: Gamma, definition: The third letter.}
phrases:
  - {id: p1, dont_say: Yo., do_say: Hello., why: Polite.}
  - {id: p2, dont_say: K., do_say: Thank you., why: Grateful.}
  - {id: p3, dont_say: Bye., do_say: Goodbye for now., why: Warm.}
"""


def deck_from(text: str, path: str = "deck.yaml"):
    deck, problems = parse_deck(textwrap.dedent(text), path)
    assert not problems, problems
    return deck


@pytest.fixture
def quiz_deck():
    return deck_from(QUIZ_DECK)


@pytest.fixture
def small_deck():
    return deck_from(SMALL_DECK)


@pytest.fixture(scope="module")
def shipped():
    return load_decks([shipped_decks_dir()])


# -- generation ---------------------------------------------------------


def test_same_seed_same_quiz(quiz_deck):
    first = generate([quiz_deck], 12, None, seed=42)
    again = generate([quiz_deck], 12, None, seed=42)
    assert first == again
    assert len(first) == 12
    assert [q.id for q in first] == [f"q{i:02d}" for i in range(1, 13)]


def test_different_seed_different_quiz(quiz_deck):
    assert generate([quiz_deck], 12, None, seed=1) != generate([quiz_deck], 12, None, seed=2)


def test_shipped_deck_determinism_pinned(shipped):
    """A golden draw: the same seed gives exactly these questions on every run and platform."""
    questions = generate(shipped, 5, None, seed=7)
    assert [(q.kind.value, q.entry_id, q.answer) for q in questions] == [
        ("which-term", "inference-a", "o1"),
        ("what-is", "nist-ai-600-1", "o2"),
        ("phrase", "dont-say-inference-is-basically-free", "o4"),
        ("reply", "buyer-update-it-regularly", "o3"),
        ("breaks", "analog-a-authentication-events", "o4"),
    ]
    # a pool of --pool 20: kinds take turns while they last (the deck has 1 fair 'breaks' item)
    assert Counter(q.kind.value for q in generate(shipped, 20, None, seed=7)) == {
        "which-term": 4, "what-is": 4, "phrase": 4, "reply": 4, "holds": 3, "breaks": 1}


@pytest.mark.parametrize("seed", range(25))
def test_options_distinct_and_correct_exactly_once(shipped, seed):
    for q in generate(shipped, 30, None, seed=seed):
        texts = [" ".join(o.text.split()).casefold() for o in q.options]
        assert len(texts) == len(set(texts)), q
        assert not any(too_close(a.text, b.text) for i, a in enumerate(q.options) for b in q.options[i + 1:]), q
        assert len({o.id for o in q.options}) == len(q.options)
        assert len(q.options) == 4
        assert sum(o.id == q.answer for o in q.options) == 1
        assert q.correct_option.text in {o.text for o in q.options}


def test_no_two_questions_share_a_prompt_and_entries_are_not_reused_early(shipped):
    for seed in range(10):
        questions = generate(shipped, 40, None, seed=seed)
        assert len({q.prompt for q in questions}) == 40
        # kinds take turns; within a kind an entry comes back only when the kind has no fresh one left
        for kind in {q.kind for q in questions}:
            asked = [q.entry_id for q in questions if q.kind is kind]
            fresh = len({c.entry_id for c in generate(shipped, None, [kind], seed=seed)})
            assert len(set(asked)) == min(len(asked), fresh), kind
        # 20 questions (a paper) never need to ask about one entry twice
        assert len({q.entry_id for q in generate(shipped, 20, None, seed=seed)}) == 20


def test_question_remembers_its_source(quiz_deck):
    for q in generate([quiz_deck], 15, None, seed=5):
        assert q.deck_id == "quizdeck"
        entry = next(e for e in quiz_deck.entries if e.id == q.entry_id)
        assert q.card_id.startswith(f"quizdeck/{entry.id}/")
        assert q.tags == entry.tags
        if q.kind is QuestionKind.WHAT_IS:
            assert q.card_id == f"quizdeck/{entry.id}/term"
            assert q.correct_option.text == entry.definition
        elif q.kind is QuestionKind.WHICH_TERM:
            assert q.correct_option.text == entry.term
        elif q.kind is QuestionKind.PHRASE:
            assert q.prompt.startswith(f"Don't say: \u201c{entry.dont_say}\u201d")
            assert q.correct_option.text == entry.do_say
        elif q.kind is QuestionKind.BREAKS:
            assert q.card_id == card_id("quizdeck", entry.id, CardKind.BREAKS)
            assert q.correct_option.text == entry.breaks


def test_same_named_terms_are_never_distractors_for_each_other(quiz_deck):
    """'What is Token?' must not offer the other Token entry's definition: both would be right."""
    token_defs = {"A word fragment the model reads.", "The unit of model billing."}
    for seed in range(30):
        for q in generate([quiz_deck], 10, [QuestionKind.WHAT_IS, QuestionKind.WHICH_TERM], seed=seed):
            texts = [o.text for o in q.options]
            if q.correct_option.text in token_defs:  # "What is Token?"
                assert token_defs & set(texts) == {q.correct_option.text}
            assert texts.count("Token") <= 1
    # and the two "What is Token?" prompts count once
    assert available([quiz_deck])[QuestionKind.WHAT_IS] == 5


def test_which_term_prompt_masks_the_term(quiz_deck):
    prompts = []
    for seed in range(20):
        prompts += [q.prompt for q in generate([quiz_deck], 6, [QuestionKind.WHICH_TERM], seed=seed)
                    if "pricing" in q.prompt]
    assert prompts
    assert all(p == "What it does: ____ are how ____ pricing is counted.\n\nWhich term is this?" for p in prompts)


def test_small_deck_falls_back_to_three_options(small_deck):
    questions = generate([small_deck], 9, None, seed=1)
    # 3 terms: 3 options; phrases: 2 other "Do say" lines and 2 "Don't say" lines, 4 options
    assert {len(q.options) for q in questions if q.kind is not QuestionKind.PHRASE} == {MIN_OPTIONS}
    assert {q.kind for q in questions} == {QuestionKind.WHICH_TERM, QuestionKind.WHAT_IS, QuestionKind.PHRASE}


def test_too_many_questions_is_a_clear_error(small_deck):
    with pytest.raises(QuizError) as err:
        generate([small_deck], 10, None, seed=1)
    assert str(err.value) == ("asked for 10 questions, but the decks give at most 9 of the chosen kinds "
                              "(which-term 3, what-is 3, phrase 3)")


def test_impossible_kind_is_a_clear_error(small_deck):
    with pytest.raises(QuizError) as err:
        generate([small_deck], 2, [QuestionKind.PHRASE, QuestionKind.BREAKS], seed=1)
    assert str(err.value) == ("the decks cannot give 'breaks' questions "
                              "(they need at least 3 analogs with 'breaks' text)")


def test_two_terms_cannot_make_a_question():
    deck = deck_from("""\
        id: tiny
        name: Tiny
        terms:
          - {id: a, term: A, definition: First.}
          - {id: b, term: B, definition: Second.}
        """)
    with pytest.raises(QuizError, match="'what-is' questions .*at least 3 terms with different names"):
        generate([deck], 1, [QuestionKind.WHAT_IS], seed=0)
    with pytest.raises(QuizError, match="cannot give 'which-term'"):
        generate([deck], 1, None, seed=0)


def test_kinds_parse_groups_and_commas():
    assert parse_kinds(["terms"]) == (QuestionKind.WHICH_TERM, QuestionKind.WHAT_IS)
    assert parse_kinds(["breaks,phrase", "holds"]) == (QuestionKind.PHRASE, QuestionKind.BREAKS,
                                                        QuestionKind.HOLDS)
    assert parse_kinds([]) == ()
    with pytest.raises(QuizError, match="unknown question kind 'definitions'"):
        parse_kinds(["definitions"])


def test_distractors_prefer_the_same_deck(quiz_deck, small_deck):
    count = available([quiz_deck, small_deck], [QuestionKind.PHRASE])[QuestionKind.PHRASE]
    for q in generate([quiz_deck, small_deck], count, [QuestionKind.PHRASE], seed=4):
        small_lines = {p.do_say for p in small_deck.phrases} | {p.dont_say for p in small_deck.phrases}
        own = {p.do_say for p in (quiz_deck if q.deck_id == "quizdeck" else small_deck).phrases}
        if q.deck_id == "quizdeck":  # other quizdeck phrases: enough, none from the small deck
            assert not small_lines & {o.text for o in q.options}
        assert q.correct_option.text in own


# -- a learner's draw from the pool ---------------------------------------


def test_draw_gives_each_kind_its_share_of_the_pool_and_skips_dropped_items(shipped):
    import random

    pool = generate(shipped, None, None, seed=7, prefix="i")
    assert len(pool) == sum(available(shipped).values())
    width = max(2, len(str(len(pool))))  # ids as wide as the pool's size needs: i01, or i001 past 99
    assert [q.id for q in pool] == [f"i{n:0{width}d}" for n in range(1, len(pool) + 1)]
    first = draw(pool, 20, random.Random(1))
    assert len({q.entry_key for q in first}) == 20
    sizes = Counter(q.kind for q in pool)
    for seed in range(50):  # each kind gets 20 * its share of the pool, rounded down or up
        got = Counter(q.kind for q in draw(pool, 20, random.Random(seed)))
        assert sum(got.values()) == 20
        for kind, size in sizes.items():
            assert got[kind] in (20 * size // len(pool), -(-20 * size // len(pool))), (seed, kind)
    # the one 'breaks' item no longer lands on every paper: on about 20/75 of them
    with_breaks = sum(any(q.kind is QuestionKind.BREAKS for q in draw(pool, 20, random.Random(s)))
                      for s in range(300))
    assert 50 < with_breaks < 110
    other = draw(pool, 20, random.Random(2))
    assert [q.id for q in first] != [q.id for q in other]
    dropped = {q.id for q in first}
    pool_without = tuple(q if q.id not in dropped else Question(**{**q.__dict__, "dropped": True}) for q in pool)
    assert not dropped & {q.id for q in draw(pool_without, 20, random.Random(1))}


def test_names_compare_after_cleaning():
    assert name_key("  Ann\tLee ") == name_key("ann lee") == "ann lee"
    assert name_key("Priya\u200b N.") == name_key("priya n.")
    assert name_key("\uff30riya") == name_key("Priya")  # fullwidth P: NFKC
    assert name_key("   ") == ""


@pytest.mark.parametrize("term,stem", [
    ("Tokens", "What are tokens?"), ("Input tokens", "What are input tokens?"), ("Base model", "What is a base model?"),
    ("Pre-training", "What is pre-training?"), ("Inference", "What is inference?"),
    ("RAG (retrieval-augmented generation)", "What is RAG (retrieval-augmented generation)?"),
    ("NIST AI 600-1", "What is NIST AI 600-1?"), ("Epoch", "What is an epoch?"),
])
def test_what_is_stems_read_well_out_of_context(term, stem):
    assert what_is_stem(term) == stem


# -- scoring ------------------------------------------------------------


def hand_quiz(n_questions: int = 3, **settings) -> Quiz:
    """Questions with options o1-o3; the key is o1 for every question."""
    questions = tuple(
        Question(id=f"q{i}", kind=QuestionKind.WHAT_IS, prompt=f"What is {i}?",
                 options=(Option("o1", f"right {i}"), Option("o2", f"wrong {i}"), Option("o3", f"other {i}")),
                 answer="o1", deck_id="d", entry_id=f"e{i}", card_id=f"d/e{i}/term", concept=f"Concept {i}",
                 tags=("odd",) if i % 2 else ("even",))
        for i in range(1, n_questions + 1)
    )
    defaults = dict(id="quiz-1", title="Hand quiz", pass_mark=80, questions=questions)
    defaults.update(settings)
    return Quiz(**defaults)


def test_score_counts_blanks_as_wrong_and_skips_dropped_items():
    responses = [Response("q1", "q1", "o1"), Response("q2", "q2", "o2"), Response("q3", "q3", None)]
    assert score_responses(hand_quiz(), responses) == (1, 3)
    quiz = hand_quiz()
    dropped = Quiz(**{**quiz.__dict__, "questions": (quiz.questions[0], quiz.questions[1],
                                                      Question(**{**quiz.questions[2].__dict__, "dropped": True}))})
    assert score_responses(dropped, responses) == (1, 2)


@pytest.mark.parametrize("correct,total,mark_,expected", [
    (16, 20, 80, True), (15, 20, 80, False), (20, 20, 100, True), (0, 20, 0, True), (2, 3, 67, False),
])
def test_pass_mark_boundary(correct, total, mark_, expected):
    assert passes(correct, total, mark_) is expected


# -- item analysis ------------------------------------------------------

# Four learners, three questions (1 = right):
#        q1 q2 q3  total
#   L1    1  1  1    3
#   L2    1  1  0    2
#   L3    1  0  0    1
#   L4    0  0  1    1
# Discrimination (Moodle): 100 * corr(item, total - item).
#   q1: x = 1,1,1,0  rest = 2,1,0,1  dx = .25,.25,.25,-.75  dy = 1,0,-1,0        sum dx*dy = 0      -> 0
#   q2: x = 1,1,0,0  rest = 2,1,1,1  dx = .5,.5,-.5,-.5     dy = .75,-.25,-.25,-.25
#       sum dx*dy = .5, sum dx^2 = 1, sum dy^2 = .75                 -> 100 * .5 / sqrt(.75)  = 57.735
#   q3: x = 1,0,0,1  rest = 2,2,1,0  dx = .5,-.5,-.5,.5     dy = .75,.75,-.25,-1.25
#       sum dx*dy = -.5, sum dx^2 = 1, sum dy^2 = 2.75               -> 100 * -.5 / sqrt(2.75) = -30.151
SHEETS = [
    {"q1": "o1", "q2": "o1", "q3": "o1"},
    {"q1": "o1", "q2": "o1", "q3": "o2"},
    {"q1": "o1", "q2": "o3", "q3": "o2"},
    {"q1": "o2", "q2": None, "q3": "o1"},
]


def test_item_analysis_against_hand_computed_values():
    items = item_analysis(hand_quiz(), SHEETS)
    assert [i.facility for i in items] == [0.75, 0.5, 0.5]
    assert [round(i.discrimination, 3) for i in items] == [0.0, 57.735, -30.151]
    assert [i.correct for i in items] == [3, 2, 2]
    assert items[1].unanswered == 1
    assert items[1].option_counts == {"o1": 2, "o3": 1}
    assert items[2].top_wrong == (Option("o2", "wrong 3"), 2)
    assert items[1].top_wrong == (Option("o3", "other 2"), 1)
    # 4 learners behind each figure: computed, but not shown, and the note says why
    assert [(i.shown_facility, i.shown_discrimination) for i in items] == [(None, None)] * 3
    assert items[2].note == "seen by 4: too few for figures (5 needed)"
    five = item_analysis(hand_quiz(), SHEETS + [{"q1": "o2", "q2": "o3", "q3": "o2"}])  # L5 gets all wrong
    assert [i.shown_facility for i in five] == [0.6, 0.4, 0.4]
    import statistics

    marks = [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 1], [0, 0, 0]]  # Python's own Pearson correlation
    for n, item in enumerate(five):
        x = [row[n] for row in marks]
        rest = [sum(row) - row[n] for row in marks]
        assert item.shown_discrimination == pytest.approx(100 * statistics.correlation(x, rest))
    assert five[2].note == "reteach"


def test_pool_advice_names_the_pool_that_gives_every_item_five_learners():
    from flashcards.quiz.scoring import pool_advice

    items = item_analysis(hand_quiz(), SHEETS)  # 3 items, 4 learners, 3 per paper
    advice = pool_advice(items, learners=4, per_paper=3)
    assert (advice.thin_items, advice.median_seen, advice.suggested_pool) == (3, 4, None)  # 4 * 3 // 5 = 2 < 3
    advice = pool_advice(items, learners=19, per_paper=20)
    assert advice.suggested_pool == 76  # 19 learners * 20 questions / 5
    five = item_analysis(hand_quiz(), SHEETS + [SHEETS[0]])
    assert pool_advice(five, learners=5, per_paper=3) is None  # every item seen by 5


def test_discrimination_is_undefined_without_variation():
    assert discrimination_index([1, 1, 1], [0, 1, 2]) is None  # everyone right
    assert discrimination_index([1, 0], [3, 3]) is None  # rest of test constant
    assert discrimination_index([1], [2]) is None  # one attempt
    assert discrimination_index([1, 0], [5, 1]) == pytest.approx(100.0)


def test_top_wrong_ties_go_to_the_earlier_option():
    items = item_analysis(hand_quiz(1), [{"q1": "o3"}, {"q1": "o2"}, {"q1": "o1"}])
    assert items[0].top_wrong == (Option("o2", "wrong 1"), 1)


def test_concepts_by_entry_and_tag_weakest_first():
    items = item_analysis(hand_quiz(), SHEETS)
    by_entry = concept_analysis(items, by="entry")
    assert [(c.key, c.correct, c.responses) for c in by_entry] == [
        ("d/e2", 2, 4), ("d/e3", 2, 4), ("d/e1", 3, 4)]
    assert by_entry[0].label == "Concept 2"
    by_tag = concept_analysis(items, by="tag")
    # odd: q1 + q3 = 5 of 8; even: q2 = 2 of 4
    assert [(c.key, c.questions, c.correct, c.responses) for c in by_tag] == [
        ("even", ("q2",), 2, 4), ("odd", ("q1", "q3"), 5, 8)]
    assert by_tag[1].facility == 0.625


def test_best_attempt_counts_the_most_correct_then_the_earliest():
    attempts = [A(learner_key="ann", correct=3, n=1), A(learner_key="bob", correct=1, n=1),
                A(learner_key="ann", correct=5, n=2), A(learner_key="ann", correct=5, n=3)]
    assert [(a.learner_key, a.n) for a in best_attempts(attempts)] == [("ann", 2), ("bob", 1)]
