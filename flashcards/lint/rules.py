"""Checks of one card or entry at a time: leaks, one fact per card, the speaker of a phrase row."""

from __future__ import annotations

import re
from typing import Optional

from ..model import Phrase, Term
from ..similar import STOPWORDS, normalise

__all__ = ["leaked_name", "leaked_part", "listed_items", "sentences", "buyer_line"]

ACRONYM = re.compile(r"^[A-Z][A-Z0-9]+s?$")
# words of a term too general to give it away when the front uses them ("model" in "Fine-tuned model")
GENERIC_WORDS = frozenset("""model models ai data cost costs fee fees time use used system systems
    process type kind way thing part set""".split())
# words that qualify a term without naming any of it ("only" in "Inference-only posture", "own" in
# "Build your own IdP"): a definition that uses them gives nothing of the answer away
QUALIFIERS = frozenset("""only just also own more most less least very much many all any each every other
    same such not no non""".split())
# a phrase row's "Don't say" that reads like the buyer talking: a question, or these openings
BUYER_MARKERS = re.compile(
    r"\?\s*$|\b(?:we want|we need|we'd like|we would like|can we|could we|should we|do we|how much|"
    r"our (?:data|agency|team|users|staff|policies|model|own))\b", re.IGNORECASE)
# an item of a list: a short run of words between commas, before "and"/"or" for the last one
_ITEM_MAX_WORDS = 5
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")
_CLAUSE = re.compile(r";\s+")
_BULLET = re.compile(r"\s*[-*•]\s+\S")
_LIST_BREAK = re.compile(r"[:()\u2014]")
_LAST_JOIN = re.compile(r"\s+(?:and|or)\s+")
_JOIN_START = re.compile(r"^(?:and|or)\s+")
_TOKEN = re.compile(r"[\w'’]+(?:-[\w'’]+)*")


def fold(text: str) -> str:
    """normalise() with a crude singular form, so "token" finds "tokens"."""
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
                    for w in normalise(text).split())


def stem(word: str) -> str:
    """A crude stem, so "tuned", "tuning" and "tunes" meet."""
    for suffix in ("ings", "ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix) and not word.endswith("ss"):
            return word[: -len(suffix)].rstrip("e") if suffix in ("ing", "ings", "ed") else word[: -len(suffix)]
    return word.rstrip("e") if len(word) > 3 else word


def leaked_name(term: Term) -> Optional[str]:
    """The term if the definition contains it, plurals folded; a bracketed name counts
    when it or the term is an acronym, as in "RAG (retrieval-augmented generation)"."""
    main = re.sub(r"\([^)]*\)", " ", term.term).strip()
    names = [main]
    for inner in re.findall(r"\(([^)]*)\)", term.term):
        if ACRONYM.match(main) or ACRONYM.match(inner.strip()):
            names.append(inner)
    definition = f" {fold(term.definition)} "
    for name in names:
        folded = fold(name)
        if folded and f" {folded} " in definition:
            return name.strip()
    return None


def leaked_part(term: Term) -> Optional[str]:
    """What of the answer a definition -> term card's front gives away, when not the whole
    term (that is ``leaked_name``): the expansion of an acronym term (or the acronym of a
    spelt-out one), or a word of the term (its bracket too) other than a function word or a
    ``GENERIC_WORDS`` or ``QUALIFIERS`` word, matched by stem ("fine-tuning" for "fine-tuned")."""
    definition_words = normalise(term.definition).split()
    for name in _acronyms(term.term):
        expansion = _expansion(name, term.definition)
        if expansion:
            return expansion
    spelt = [w for w in re.split(r"[\s-]+", re.sub(r"[()]", " ", term.term)) if w]
    if len(spelt) >= 2:
        acronym = "".join(w[0] for w in spelt).upper()
        if len(acronym) >= 2 and acronym in term.definition \
                and re.search(rf"\b{re.escape(acronym)}s?\b", term.definition):
            return acronym
    stems = {stem(w) for w in normalise(term.term).split()
             if w not in STOPWORDS and w not in GENERIC_WORDS and w not in QUALIFIERS}
    stems.discard("")
    heads = {s[:3] for s in stems}
    for index, word in enumerate(definition_words):
        if word[:3] not in heads or word in STOPWORDS or word in GENERIC_WORDS or word in QUALIFIERS:
            continue
        if stem(word) in stems:
            return _as_written(term.definition, word, definition_words, index)
    return None


def _acronyms(term: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z0-9]+", term) if ACRONYM.match(w) and not w.isdigit()]


def _expansion(acronym: str, text: str) -> Optional[str]:
    """Words of ``text`` (hyphenated parts counted) whose initials spell ``acronym``."""
    letters = acronym.rstrip("s").lower()
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", text) if p]
    for start in range(len(parts) - len(letters) + 1):
        window = parts[start:start + len(letters)]
        if len(letters) >= 2 and "".join(p[0].lower() for p in window) == letters \
                and not any(p.lower() in STOPWORDS for p in window):
            return " ".join(window)
    return None


def _as_written(text: str, word: str, words: list[str], index: int) -> str:
    """The hyphenated word of ``text`` holding ``word`` ("fine-tuning"), else the word."""
    for token in _TOKEN.findall(text):
        if word in normalise(token).split():
            return token
    return words[index]


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences (and clauses after ";")."""
    parts = []
    for sentence in _SENTENCE_END.split(text.strip()):
        parts.extend(p for p in _CLAUSE.split(sentence) if p.strip())
    return parts


def listed_items(text: str) -> list[str]:
    """The items of the longest enumeration in ``text`` ("A, B and C"; "A, B, C"; lines
    starting "-" or "*"), or [] when there is none of three or more."""
    bullets = [line.strip()[1:].strip() for line in text.splitlines() if _BULLET.match(line)]
    if len(bullets) >= 3:
        return bullets
    best: list[str] = []
    for sentence in sentences(text):
        for clause in _LIST_BREAK.split(sentence):
            pieces = [p.strip() for p in clause.split(",") if p.strip(" .")]
            last = _LAST_JOIN.split(pieces[-1], maxsplit=1) if pieces else []
            # "A, B and C" (a short first item), "A, B, C and D", or four and more without "and"
            if len(pieces) == 2 and len(last) == 2 and len(pieces[0].split()) <= 3:
                items = [pieces[0]] + last
            elif len(pieces) >= 3 and (len(last) == 2 or len(pieces) >= 4):
                items = pieces[:-1] + last
            else:
                continue
            items = [_JOIN_START.sub("", i).strip(" .") for i in items]
            # the first item may carry the sentence's opening, the last its close: keep the tail / head
            items[0] = " ".join(items[0].split()[-_ITEM_MAX_WORDS:])
            items[-1] = " ".join(items[-1].split()[:_ITEM_MAX_WORDS])
            if all(1 <= len(i.split()) <= _ITEM_MAX_WORDS for i in items[1:-1]) and len(items) > len(best):
                best = items
    return best


def buyer_line(phrase: Phrase) -> Optional[str]:
    """What makes the row's ``dont_say`` read like the buyer's line, if it does."""
    if phrase.dont_say is None:
        return None
    match = BUYER_MARKERS.search(phrase.dont_say)
    if match is None:
        return None
    return "a question" if match.group(0).strip() == "?" else f"\"{match.group(0).strip()}\""
