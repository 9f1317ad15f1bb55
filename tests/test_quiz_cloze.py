"""Cloze entries as quiz questions: the key is the deleted words, distractors follow the fairness
rule (never the words another text teaches about the same concept), practice sends a miss to the
deletion's own card."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from flashcards.cli import cli
from flashcards.decks import load_deck, parse_deck
from flashcards.quiz.concepts import Vocabulary
from flashcards.quiz.generate import BLANK, CLOZE_QUESTION, generate
from flashcards.quiz.model import QuestionKind, letter, parse_kinds
from flashcards.similar import NEAR_DUPLICATE, similarity
from flashcards.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "cloze-deck.yaml"
TODAY = "2026-11-02"

# Terms name the concepts; six clozes, two of them about fine-tuning with durations that could
# both be right for "how long does fine-tuning take?", one whose deleted word leaks.
DECK = """\
id: qz
name: Quiz clozes
terms:
  - {id: ft, term: Fine-tuning, definition: Further training of a model on your own examples.}
  - {id: rag, term: RAG, definition: Fetching passages at question time and handing them to the model.}
clozes:
  - {id: job, text: "A fine-tuning job runs for {{minutes to hours}}."}
  - {id: project, text: "A fine-tuning project takes {{days to weeks}}."}
  - {id: rag-when, text: "RAG fetches passages at {{question time::when}}."}
  - {id: window, text: "A context window is measured in {{tokens}}."}
  - {id: weights, text: "Pre-training sets a model's {{weights}}."}
  - {id: bill, text: "Inference is billed per {{call}} and per {{token}} of input and output."}
  - {id: leaky, text: "An embedding is a list of {{numbers}}; the numbers place text in a space."}
"""


def cloze_questions(text: str, seed: int = 3):
    deck, problems = parse_deck(text, "qz.yaml")
    assert not problems
    return deck, generate([deck], None, [QuestionKind.CLOZE], seed=seed)


def test_each_deletion_is_a_question_whose_key_is_the_deleted_words():
    deck, questions = cloze_questions(DECK)
    by_card = {q.card_id: q for q in questions}
    assert set(by_card) == {"qz/job/c1", "qz/project/c1", "qz/rag-when/c1", "qz/window/c1", "qz/weights/c1",
                            "qz/bill/c1", "qz/bill/c2"}  # the leaky one is not asked
    bill = by_card["qz/bill/c2"]
    assert bill.prompt == f"Inference is billed per call and per {BLANK} of input and output.\n\n{CLOZE_QUESTION}"
    assert bill.correct_option.text == "token" and bill.kind is QuestionKind.CLOZE
    assert by_card["qz/rag-when/c1"].prompt.startswith(f"RAG fetches passages at {BLANK} (when).")
    assert by_card["qz/rag-when/c1"].concept == "RAG fetches passages at question time."
    for question in questions:
        assert 3 <= len(question.options) <= 4
        assert sum(o.text == question.correct_option.text for o in question.options) == 1


def test_no_distractor_is_taught_as_right_about_the_same_concept():
    deck, questions = cloze_questions(DECK)
    vocabulary = Vocabulary([deck])
    answers_of = {}  # deleted words -> the concepts of the text that teaches them
    for entry in deck.clozes:
        for deletion in entry.deletions:
            answers_of[deletion.answer] = vocabulary.concepts("".join(
                p if isinstance(p, str) else p.answer for p in entry.parts))
    for seed in range(20):
        for question in generate([deck], None, [QuestionKind.CLOZE], seed=seed):
            entry = next(e for e in deck.clozes if e.id == question.entry_id)
            key = question.correct_option.text
            for option in question.options:
                if option.text == key:
                    continue
                assert not answers_of[option.text] & answers_of[key], (question.card_id, option.text)
                assert option.text not in [d.answer for d in entry.deletions]  # never a sibling deletion
                assert similarity(option.text, key) < NEAR_DUPLICATE
    job = next(q for q in questions if q.card_id == "qz/job/c1")
    assert "days to weeks" not in [o.text for o in job.options]


def test_kinds_accept_cloze_and_clozes():
    assert parse_kinds(["cloze"]) == parse_kinds(["clozes"]) == (QuestionKind.CLOZE,)


def test_practice_sends_a_missed_cloze_to_its_own_card(tmp_path):
    runner = CliRunner(env={"FLASH_DB": None, "FLASH_TODAY": None, "FLASH_DAY_STARTS_AT": None,
                            "XDG_DATA_HOME": str(tmp_path / "xdg-data"), "COLUMNS": "250"})

    def flash(*args, input=None):
        return runner.invoke(cli, [str(a) for a in args], input=input)

    db = tmp_path / "learner.db"
    assert flash("import", FIXTURE, "--db", db, "--today", "2026-11-01").exit_code == 0
    with Store.open(db) as store, store.db.conn as conn:  # nothing due or new on TODAY
        conn.execute("UPDATE card_state SET due = '2027-06-01', repetitions = 3, interval = 90, "
                     "last_review = '2026-11-01'")
    [question] = generate([load_deck(FIXTURE)], 1, [QuestionKind.CLOZE], seed=5)
    assert question.card_id.rsplit("/", 1)[1].startswith("c")
    missed = next(o for o in question.options if o.id != question.answer)
    answer = letter([o.id for o in question.options].index(missed.id))
    result = flash("quiz", "practice", FIXTURE, "--kinds", "cloze", "--questions", "1", "--seed", "5",
                   "--db", db, "--today", TODAY, input=f"{answer}\n")
    assert result.exit_code == 0, result.output
    assert f"{question.card_id} is due today in your review." in result.output
    with Store.open(db) as store:
        assert store.card(question.card_id).state.due.isoformat() == TODAY
