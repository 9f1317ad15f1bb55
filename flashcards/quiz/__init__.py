"""Certification quizzes: items from decks, personal papers, signed answers, scoring, reports.

- ``model``: question kinds, items with their key, quizzes, roster learners, name cleaning;
- ``generate``: stems and fair distractors from decks, a learner's draw from the pool;
- ``papers``: personal papers and signed answers files (``docs/quiz-files.md``), the bounded loader;
- ``scoring``: judging an answers file, fair timing, best attempts, item analysis;
- ``report``: CSV (formula-safe), certificates, result slips;
- ``roster``: the roster CSV and look-alike names;
- ``formats``: Moodle GIFT and IMS QTI 2.1 exports;
- ``browser``: a personal paper as one self-contained HTML page the learner takes offline.

Nothing here touches a database or the terminal: ``flashcards.store.quizzes``
and ``flashcards.cli.quiz`` do.
"""

from .browser import paper_html
from .generate import available, draw, generate, quiz_id_for, what_is_stem
from .model import (
    ALL_KINDS, KIND_GROUPS, MAX_OPTIONS, MIN_OPTIONS, Learner, Option, Question, QuestionKind, Quiz, clean_name,
    clean_text, letter, looks_alike, name_key, parse_kinds, passes, skeleton,
)
from .papers import (
    IssuedPaper, Paper, QuizFileError, answers_document, issue_paper, load_paper, paper_document, read_answers,
    sign, signing_bytes, write_answers, write_paper,
)
from .scoring import Status, Verdict, best_attempts, concept_analysis, discrimination_index, item_analysis, judge

__all__ = [
    "ALL_KINDS", "KIND_GROUPS", "MAX_OPTIONS", "MIN_OPTIONS", "IssuedPaper", "Learner", "Option", "Paper",
    "Question", "QuestionKind", "Quiz", "QuizFileError", "Status", "Verdict", "answers_document", "available",
    "best_attempts", "clean_name", "clean_text", "concept_analysis", "discrimination_index", "draw", "generate",
    "issue_paper", "item_analysis", "judge", "letter", "load_paper", "looks_alike", "name_key", "paper_document",
    "paper_html", "parse_kinds", "passes", "quiz_id_for", "read_answers", "sign", "signing_bytes", "skeleton",
    "what_is_stem", "write_answers", "write_paper",
]
