"""Ungrounded figures: what an answer states that none of its entry's sources does.

A *figure* is a number, an amount, a percentage or a duration, or a product or
vendor name, found in an answer field (a term's name and fields, a phrase's
"Do say" and "Why", an analog's holds/breaks; never a cue or the ``note``). It
*occurs* in a source document when:

- a number or amount: the document has the same value, after reading ``$5K``,
  ``$5,000``, ``5k`` and ``5 thousand`` all as 5000 (``M``/``million``, ``B``/``bn``/
  ``billion``, ``T``/``trillion`` likewise; a range ``$50-500M`` gives both ends the
  magnitude as well as the bare value); a percentage must be a percentage there too;
  a number word (two to twelve, twenty, ..., hundred) counts as its value;
- a number with a time unit (``6 months``, ``2-4 weeks``, ``a 3-day job``): the same
  value with the same unit, singular or plural;
- a range of bare units (``hours to days``): the first unit, "to" or "or", and the
  second within five words (``hours to a few days`` grounds it; ``minutes to hours,
  days to weeks`` does not); a bare unit (``months``) or a vague magnitude (``thousands``): the word;
- a name: a word that starts with a capital letter and is not the first of a sentence
  (or of a clause after ":"), or that has a capital or a digit inside (``OpenAI``,
  ``GPT-4``, ``AWS``): the same word, any case, plural or possessive folded.

The entry's sources are the documents of the labels in its ``source`` (see
``Sources``); an entry without a ``source`` has all of its deck's documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional, Sequence

from ..errors import SourceError, inert
from ..model import Analog, Cloze, Deck, Entry, Phrase, Term
from ..similar import normalise

__all__ = ["ANSWER_FIELDS", "Document", "Sources", "figures", "MAX_SOURCE_BYTES"]

MAX_SOURCE_BYTES = 16_000_000
ANSWER_FIELDS = {
    Term: ("term", "definition", "what_it_does", "whos_behind_it", "what_makes_it_distinct"),
    Phrase: ("do_say", "why"),
    Analog: ("holds", "breaks"),
    Cloze: ("text",),  # with every deletion filled in (the hints are not checked)
}
UNITS = ("second", "minute", "hour", "day", "week", "month", "quarter", "year")
_UNIT = r"(?:second|minute|hour|day|week|month|quarter|year)s?"
_MAGNITUDES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9,
               "billion": 1e9, "t": 1e12, "tn": 1e12, "trillion": 1e12}
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split()) if i >= 2}
_NUMBER_WORDS.update({"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
                      "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12})
_VAGUE = ("hundreds", "thousands", "millions", "billions", "trillions", "dozens")
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_FIGURE = re.compile(
    r"(?<![\w.,$€£])(?<![A-Za-z]-)(?P<cur>[$€£]\s?)?"
    r"(?P<num>(?:" + _NUM + r")(?![\d.]*[A-Za-z]*\d)|(?i:" + "|".join(_NUMBER_WORDS) + r")\b)"
    r"(?:\s?(?P<mag>[kKmMbBtT]|MM|mn|bn|tn)\b|\s(?P<magw>(?i:thousand|million|billion|trillion))\b)?"
    r"(?P<pct>\s?%|\s(?i:percent|per cent)\b)?"
    r"(?:[\s-](?P<unit>(?i:" + _UNIT + r"))\b)?")
_RANGE_GLUE = re.compile(r"^\s*(?:-|–|—|to|or|and)\s*$", re.IGNORECASE)
_UNIT_RANGE = re.compile(r"\b(?P<a>" + _UNIT + r")\s+(?:to|or|-|–)\s+(?P<b>" + _UNIT + r")\b", re.IGNORECASE)
_BARE_UNIT = re.compile(r"(?<!\d)(?<!\d\s)(?<!\d-)\b(?P<u>" + _UNIT.replace("s?", "s") + r")\b", re.IGNORECASE)
_VAGUE_WORD = re.compile(r"\b(?P<w>" + "|".join(_VAGUE) + r")\b", re.IGNORECASE)
# the capital first, then what may not stand before it: the pattern is tried only at capitals
_NAME = re.compile(r"[A-Z](?<![\w'’-][A-Z])[A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*")
_OPENERS = ".!?:;\"“("
_ANY_UNIT = re.compile("|".join(UNITS))  # on lower-case ASCII text: whether _UNIT_RANGE or _BARE_UNIT can match
_ANY_VAGUE = re.compile("|".join(_VAGUE))
_INNER = re.compile(r"[A-Z0-9]")
_DIGIT = re.compile(r"[0-9]")
# on lower-case ASCII text without a digit: whether _FIGURE can match (a number word; a lookahead on
# their first letters, so most places are passed over in one test)
_ANY_NUMBER_WORD = re.compile(r"\b(?=[" + "".join(sorted({w[0] for w in _NUMBER_WORDS})) + r"])(?:"
                              + "|".join(_NUMBER_WORDS) + r")\b")


@dataclass(frozen=True)
class Figure:
    text: str  # as written in the answer
    kind: str  # "number", "duration", "unit-range", "word", "name"
    values: frozenset = field(default_factory=frozenset)  # what it may be read as (numbers, durations)
    percent: bool = False
    unit: str = ""
    words: tuple[str, ...] = ()


def _unit(word: Optional[str]) -> str:
    if not word:
        return ""
    word = word.lower()
    return word[:-1] if word.endswith("s") else word


def _value(num: str) -> float:
    word = num.lower()
    if word in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[word])
    return float(num.replace(",", ""))


def _numbers(text: str) -> list[Figure]:
    found = []
    matches = list(_FIGURE.finditer(text))
    for index, m in enumerate(matches):
        base = _value(m.group("num"))
        mag = (m.group("mag") or m.group("magw") or "").lower()
        values = {base * _MAGNITUDES.get(mag, 1)}
        unit = _unit(m.group("unit"))
        later = matches[index + 1] if index + 1 < len(matches) else None
        if later is not None and _RANGE_GLUE.match(text[m.end():later.start()]):
            # "$50-500M", "2 to 4 weeks": the first end takes the second's magnitude and unit
            later_mag = (later.group("mag") or later.group("magw") or "").lower()
            if not mag and later_mag:
                values.add(base * _MAGNITUDES[later_mag])
            unit = unit or _unit(later.group("unit"))
        found.append(Figure(m.group(0).strip(), "duration" if unit else "number", frozenset(values),
                            percent=bool(m.group("pct")), unit=unit))
    return found


def figures(text: str) -> list[Figure]:
    """The figures an answer states (see the module docstring), in order, each once."""
    # each pattern runs only on text that has what it needs: a digit or a number word, a unit or
    # magnitude word, a capital (ASCII text: there lower() is what the patterns' IGNORECASE
    # matches; other text always runs them)
    lower = text.lower() if text.isascii() else None
    found = _numbers(text) if lower is None or _DIGIT.search(text) or _ANY_NUMBER_WORD.search(lower) else []
    if lower is None or _ANY_UNIT.search(lower):
        for m in _UNIT_RANGE.finditer(text):
            found.append(Figure(m.group(0), "unit-range", words=(_unit(m.group("a")), _unit(m.group("b")))))
        covered = {f.unit for f in found if f.unit} | {u for f in found if f.kind == "unit-range" for u in f.words}
        for m in _BARE_UNIT.finditer(text):
            if _unit(m.group("u")) not in covered:
                found.append(Figure(m.group(0), "word", words=(_unit(m.group("u")),)))
    if lower is None or _ANY_VAGUE.search(lower):
        for m in _VAGUE_WORD.finditer(text):
            found.append(Figure(m.group(0), "word", words=(m.group("w").lower()[:-1],)))
    for m in _NAME.finditer(text) if lower is None or lower != text else ():
        name = m.group(0)
        if name.endswith(".") or name == "I":
            name = name.rstrip(".")
        inner = _INNER.search(name, 1) is not None  # a capital or a digit after the first letter
        if not inner and _starts_sentence(text, m.start()):
            continue
        if not any(ch.isalpha() for ch in name):
            continue
        found.append(Figure(name, "name", words=tuple(normalise(name).split())))
    seen: set[tuple] = set()
    unique = []
    for f in found:
        key = (f.kind, f.text.lower())
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _starts_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens the text, a sentence, a clause after ":" or ";",
    or a quotation or bracket."""
    k = start - 1
    while k >= 0 and text[k].isspace():
        k -= 1
    return k < 0 or (text[k] in _OPENERS and (k < start - 1 or text[k] in "\"“("))


class Document:
    """A source document, read once: its figures and words, for ``grounds``."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.numbers: set[float] = set()
        self.percents: set[float] = set()
        self.durations: set[tuple[float, str]] = set()
        for f in _numbers(text):
            target = self.percents if f.percent else self.numbers
            target.update(f.values)
            self.durations.update((v, f.unit) for v in f.values if f.unit)
        self.text = " " + normalise(text) + " "
        tokens = self.text.split()
        self.words = set(tokens) | {_singular(w) for w in tokens}
        self.positions: dict[str, list[int]] = {}
        for i, w in enumerate(tokens):
            self.positions.setdefault(_singular(w), []).append(i)
        self._glue = set(self.positions.get("to", []) + self.positions.get("or", []))
        self._phrases: dict[str, bool] = {}

    def grounds(self, figure: Figure) -> bool:
        if figure.kind in ("number", "duration"):
            if figure.unit:
                return any((v, figure.unit) in self.durations for v in figure.values)
            pool = self.percents if figure.percent else self.numbers
            return bool(pool & figure.values)
        if figure.kind == "unit-range":
            first, second = figure.words
            later = self.positions.get(second, [])
            starts = [a for a in self.positions.get(first, []) if a + 1 in self._glue]
            return any(0 < b - a <= 5 for a in starts for b in later)
        words = figure.words
        if len(words) == 1:
            return words[0] in self.words or _singular(words[0]) in self.words
        phrase = " ".join(words)
        if phrase not in self._phrases:
            self._phrases[phrase] = f" {phrase} " in self.text
        return self._phrases[phrase]


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


class Sources:
    """Which documents each entry's figures must occur in.

    ``given`` are the files of ``flash lint --sources``. Without them, a deck's own
    ``sources:`` list is used: each label's paths are resolved against the folder of
    the deck file. With them, the given files are the documents: a label of the deck's
    list has those of its files that were given (matched by file name, so the deck may
    name them relative to itself and the command from anywhere), and an entry whose label
    is not in a list, or matches none of the given files, has all of them.
    """

    def __init__(self, given: Optional[Sequence[str | Path]] = None):
        self.given = [Path(p) for p in given] if given else []
        self._documents: dict[str, Document] = {}
        self._unreadable: dict[str, str] = {}
        self._chosen: dict[tuple[int, Optional[str]], tuple[Optional[list[Document]], Optional[str]]] = {}
        for path in self.given:
            problem = self._read(path)
            if problem:
                raise SourceError(inert(f"{path}: {problem}"))

    def _read(self, path: Path) -> Optional[str]:
        key = str(path.resolve())
        if key in self._documents:
            return None
        if key in self._unreadable:
            return self._unreadable[key]
        try:
            size = path.stat().st_size
            if size > MAX_SOURCE_BYTES:
                problem = f"source is {size / 1e6:.0f} MB; a source document may be at most " \
                          f"{MAX_SOURCE_BYTES // 1_000_000} MB"
            elif not path.is_file():
                problem = "source is not a regular file"
            else:
                self._documents[key] = Document(str(path), path.read_bytes().decode("utf-8"))
                return None
        except OSError as exc:
            problem = f"cannot read source: {exc.strerror or exc}"
        except UnicodeDecodeError as exc:
            problem = f"source is not UTF-8 text ({exc.reason} at byte {exc.start})"
        self._unreadable[key] = problem
        return problem

    def problems(self, deck: Deck) -> Iterator[tuple[int, str]]:
        """(line, message) for each document of the deck's list that cannot be read (without --sources)."""
        if self.given:
            return
        for item in deck.sources:
            for raw in item.paths:
                problem = self._read(self._resolve(deck, raw))
                if problem:
                    yield item.line, f"source '{item.label}': {raw}: {problem}; its entries' figures are not checked"

    @staticmethod
    def _resolve(deck: Deck, raw: str) -> Path:
        path = Path(raw)
        return path if path.is_absolute() or not deck.path else Path(deck.path).parent / path

    def active(self, deck: Deck) -> bool:
        return bool(self.given) or bool(deck.sources)

    def for_entry(self, deck: Deck, entry: Entry) -> tuple[Optional[list[Document]], Optional[str]]:
        """The entry's documents; None when they are not checked (a document cannot be read, see
        ``problems``), with why when its ``source`` label is not in the deck's list."""
        key = (id(deck), entry.source)
        if key not in self._chosen:
            self._chosen[key] = self._for_label(deck, entry.source)
        return self._chosen[key]

    def _for_label(self, deck: Deck, source: Optional[str]) -> tuple[Optional[list[Document]], Optional[str]]:
        labels = {item.label: item for item in deck.sources}
        given = [self._documents[str(p.resolve())] for p in self.given]
        if self.given:
            item = labels.get(source or "")
            if item is None:
                return given, None
            names = {Path(raw).name for raw in item.paths}
            chosen = [d for d, p in zip(given, self.given) if p.name in names]
            return (chosen or given), None
        if source is None:
            items = list(deck.sources)
        elif source in labels:
            items = [labels[source]]
        else:
            return None, (f"its source '{source}' is not a label of the deck's 'sources' list, "
                          "so its figures cannot be checked")
        docs = []
        for item in items:
            for raw in item.paths:
                key = str(self._resolve(deck, raw).resolve())
                if self._read(Path(key)) is not None:
                    return None, None  # reported once, at the deck's 'sources' item
                docs.append(self._documents[key])
        return docs, None
