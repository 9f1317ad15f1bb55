"""The quiz model: question kinds, items with their key, quizzes, roster learners, names.

Plain data, no I/O. A quiz holds a *pool* of items (each a multiple-choice
question with canonical option ids ``o1``, ``o2``, ... and its key); every
learner's paper draws its questions from that pool (see ``papers``).

Names are hostile input: ``clean_text`` (``flashcards.text``, shared with every other
text input) removes control, escape and
zero-width characters and applies Unicode NFKC; ``name_key`` is what two names
are compared by; ``skeleton`` folds look-alike letters (Cyrillic ``а`` for
Latin ``a``) so a look-alike of a roster name can be flagged.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Optional

from ..errors import QuizError
from ..text import clean_text

MAX_OPTIONS = 4
MIN_OPTIONS = 3


class QuestionKind(str, Enum):
    """What a question asks. The value is what ``--kinds`` takes."""

    WHICH_TERM = "which-term"  # a definition or field -> pick the term
    WHAT_IS = "what-is"  # a term -> pick its definition
    PHRASE = "phrase"  # a "Don't say" line -> pick the "Do say" line
    REPLY = "reply"  # what a buyer says -> pick the answer
    BREAKS = "breaks"  # an analogy -> pick where it breaks
    HOLDS = "holds"  # an analogy -> pick where it holds
    CLOZE = "cloze"  # a cloze text with one deletion blanked -> pick the deleted words


ALL_KINDS: tuple[QuestionKind, ...] = tuple(QuestionKind)
KIND_GROUPS: dict[str, tuple[QuestionKind, ...]] = {
    "terms": (QuestionKind.WHICH_TERM, QuestionKind.WHAT_IS),
    "phrases": (QuestionKind.PHRASE, QuestionKind.REPLY),
    "analogs": (QuestionKind.BREAKS, QuestionKind.HOLDS),
    "clozes": (QuestionKind.CLOZE,),
}


def parse_kinds(values: Iterable[str]) -> tuple[QuestionKind, ...]:
    """``["terms", "phrase,breaks"]`` -> kinds in their fixed order; raise ``QuizError`` on a typo."""
    chosen: set[QuestionKind] = set()
    for value in values:
        for word in value.replace(",", " ").split():
            word = word.strip().lower()
            if word in KIND_GROUPS:
                chosen.update(KIND_GROUPS[word])
                continue
            try:
                chosen.add(QuestionKind(word))
            except ValueError:
                names = ", ".join([k.value for k in ALL_KINDS] + list(KIND_GROUPS))
                raise QuizError(f"unknown question kind '{word}' (kinds: {names})") from None
    return tuple(k for k in ALL_KINDS if k in chosen)


def normalise_text(text: str) -> str:
    """For comparing options: case and runs of whitespace do not make two texts different."""
    return " ".join(text.split()).casefold()


# -- names and other text from outside ------------------------------------

def clean_name(name: str) -> str:
    """A learner name as shown: ``clean_text``. Raise ``QuizError`` if nothing is left."""
    cleaned = clean_text(name)
    if not cleaned:
        raise QuizError("the learner name is empty")
    return cleaned


def name_key(name: str) -> str:
    """What names are compared by: cleaned, case-folded. ``'Priya\u200b N.'`` == ``'priya n.'``."""
    return clean_text(name).casefold()


# Latin look-alikes from Cyrillic and Greek (Unicode's confusables for the letters names use).
_CONFUSABLES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "ɡ": "g", "ӏ": "l", "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ı": "i", "ℓ": "l",
})
_DIGIT_LOOKALIKES = str.maketrans({"0": "o", "1": "l", "|": "l"})


def fold_scripts(text: str) -> str:
    """Cyrillic and Greek look-alike letters (lower case) replaced by the Latin ones they imitate."""
    return text.translate(_CONFUSABLES)


def skeleton(name: str) -> str:
    """``name_key`` with look-alike letters folded to Latin and accents and punctuation dropped."""
    folded = unicodedata.normalize("NFKD", fold_scripts(name_key(name)).translate(_DIGIT_LOOKALIKES))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return "".join(ch for ch in folded.replace("rn", "m") if ch.isalnum())


def looks_alike(a: str, b: str) -> bool:
    """Two names that are different but look the same (look-alike letters, accents, punctuation)."""
    return name_key(a) != name_key(b) and bool(skeleton(a)) and skeleton(a) == skeleton(b)


def mixed_scripts(name: str) -> bool:
    """Letters from more than one of Latin, Cyrillic and Greek in one word: a classic spoof."""
    for word in clean_text(name).split():
        scripts = set()
        for ch in word:
            if ch.isalpha():
                label = unicodedata.name(ch, "")
                scripts.update(s for s in ("LATIN", "CYRILLIC", "GREEK") if label.startswith(s))
        if len(scripts) > 1:
            return True
    return False


# -- items and quizzes --------------------------------------------------------


@dataclass(frozen=True)
class Option:
    id: str  # canonical id: o1, o2, ... (papers show random ids instead)
    text: str


@dataclass(frozen=True)
class Question:
    """A multiple-choice question with its key and where it came from (manager side only).

    In a quiz this is one *item* of the pool (``id`` ``i01``, ``i02``...); in
    practice it is asked directly (``id`` ``q01``...).
    """

    id: str
    kind: QuestionKind
    prompt: str
    options: tuple[Option, ...]
    answer: str = ""  # the correct option's id
    deck_id: str = ""
    entry_id: str = ""
    card_id: str = ""  # text id deck/entry/kind of the card to review when this is missed
    concept: str = ""  # a short human label of the entry
    tags: tuple[str, ...] = ()
    dropped: bool = False  # removed from scoring by the manager
    private: bool = False  # from the manager's private decks (quiz create --private), never shipped to learners

    def option(self, option_id: str) -> Option:
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(option_id)

    @property
    def correct_option(self) -> Option:
        return self.option(self.answer)

    @property
    def entry_key(self) -> str:
        return f"{self.deck_id}/{self.entry_id}"


@dataclass(frozen=True)
class Quiz:
    """A quiz as the manager's database holds it: settings, the item pool and its key."""

    id: str
    title: str
    pass_mark: int  # percent, 0-100
    questions: tuple[Question, ...]  # the pool of items
    seed: int = 0
    kinds: tuple[QuestionKind, ...] = ALL_KINDS
    deck_ids: tuple[str, ...] = ()
    max_attempts: Optional[int] = None
    time_limit: Optional[int] = None  # minutes
    created_on: Optional[str] = None
    question_count: Optional[int] = None  # questions per paper (None: every item, a fixed paper)
    personal: bool = True  # personal papers (format 2); False for quizzes made before them
    question_seconds: Optional[int] = None  # per-question limit of a served sitting (flash quiz serve)
    show_answers: bool = False  # a served sitting's result shows the right answers of missed questions
    valid_days: Optional[int] = None  # a certificate ends this many days after the day it was earned
    recertifies: Optional[str] = None  # the id of the quiz whose certificates this one renews
    private_share: Optional[float] = None  # share of each paper drawn from the private items (None: by pool share)

    @property
    def per_paper(self) -> int:
        return self.question_count or len(self.questions)

    @property
    def key(self) -> dict[str, str]:
        return {q.id: q.answer for q in self.questions}

    def item(self, item_id: str) -> Question:
        for q in self.questions:
            if q.id == item_id:
                return q
        raise KeyError(item_id)

    @property
    def time_limit_seconds(self) -> Optional[int]:
        return self.time_limit * 60 if self.time_limit else None


@dataclass(frozen=True)
class Learner:
    """One person on the roster. ``id`` is stable: assigned at the first import, kept by e-mail."""

    id: str
    name: str
    email: str
    team: str = ""


def letter(index: int) -> str:
    return chr(ord("A") + index)


def passes(correct: int, total: int, pass_mark: int) -> bool:
    """Pass when the share correct reaches the mark (integer arithmetic: 16/20 passes 80)."""
    return total > 0 and correct * 100 >= pass_mark * total
