"""Lesson documents -> draft decks.

``build_deck`` reads lesson documents (plain text or Markdown) and pulls out
the three kinds of deck entry:

- terms: a heading naming a concept, followed by labelled fields ("What it
  is", "What it does", "Who's behind it", "What makes it distinct", or close
  variants; plain or bold labels, one per line or as list items);
- phrases: every row of a table whose header has "Don't say" and "Do say"
  columns (and "Why it matters");
- analogs: a section headed like "Okta Analog: TITLE" or "... Concept
  Mapping", or a paragraph that draws an analogy ("X is analogous to Y ...
  The analog breaks on ..."), split into where it holds and where it breaks.

What looks like card material but cannot be placed is reported as a
``Skipped`` note with its line; nothing is invented (a missing "why" or
breaking point stays missing). ``deck_to_yaml`` writes the deck in the
documented deck format, which ``flashcards.decks.parse_deck`` reads back.

Entry ids come from content that survives edits: the term's name, the first
words of the don't-say line, the analog's concept and title. When two entries
would get the same id, later ones get a short hash of that key and the lesson
file name, so rebuilding the same lessons in the same order gives the same ids.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple, Optional, Sequence, Union

import yaml

from .decks import ENTRY_KINDS, FIELD_ORDER, ID_PATTERN, ID_RULE
from .errors import BuildError
from .model import Deck

__all__ = [
    "BuildResult", "LessonSummary", "Skipped",
    "build_deck", "deck_to_yaml", "draft_header", "slugify",
]


# -- results -----------------------------------------------------------------


@dataclass(frozen=True)
class Skipped:
    """Something in a lesson that did not become (all of) an entry.

    ``line`` is 1-based, 0 for the whole file.
    """

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}: {self.reason}"
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class LessonSummary:
    """What one lesson contributed, before duplicates across lessons were merged."""

    path: str
    title: Optional[str]
    terms: int
    phrases: int
    analogs: int
    skipped: int


@dataclass(frozen=True)
class BuildResult:
    deck: Deck
    lessons: tuple[LessonSummary, ...]
    skipped: tuple[Skipped, ...]
    duplicates_merged: int = 0

    @property
    def terms(self) -> int:
        return len(self.deck.terms)

    @property
    def phrases(self) -> int:
        return len(self.deck.phrases)

    @property
    def analogs(self) -> int:
        return len(self.deck.analogs)


# -- public functions --------------------------------------------------------


def build_deck(
    lessons: Sequence[Union[str, Path]],
    *,
    deck_id: Optional[str] = None,
    name: Optional[str] = None,
) -> BuildResult:
    """Read lesson files and merge what they teach into one draft deck.

    The deck's name is ``name``, else the first lesson title found (a Markdown
    H1, a title-like first line, or a "Lesson N: ..." line); its id is
    ``deck_id``, else a slug of the name. Raises ``BuildError`` if a file
    cannot be read or ``deck_id`` is not a valid id.
    """
    if not lessons:
        raise BuildError("no lesson files given")
    if deck_id is not None and not ID_PATTERN.match(deck_id):
        raise BuildError(f"deck id '{deck_id}' is not a valid id ({ID_RULE})")
    readers = [_Lesson(Path(p)) for p in lessons]

    title = next((r.title for r in readers if r.title), None)
    name = name.strip() if name and name.strip() else title
    if deck_id is None and name:
        deck_id = slugify(name, max_chars=60) or None
    if name is None or deck_id is None:
        first = readers[0]
        first.skipped.insert(0, Skipped(
            first.label, 0,
            "no title found (a Markdown '# Title', a title-like first line or a "
            f"'Lesson N: ...' line); the deck is named after {first.path.name}: "
            "use --id and --name",
        ))
        name = name or first.path.stem
        deck_id = deck_id or slugify(first.path.stem, max_chars=60) or "lesson"

    drafts: dict[str, list[_Draft]] = {kind: [] for kind in ENTRY_KINDS}
    seen: dict[tuple, _Draft] = {}
    merged = 0
    for reader in readers:
        for draft in reader.drafts():
            key = (draft.kind, tuple(draft.values.items()))
            if key in seen:
                merged += 1
                if reader.source not in seen[key].sources:
                    seen[key].sources.append(reader.source)
                continue
            seen[key] = draft
            drafts[draft.kind].append(draft)

    used: set[str] = set()
    entries: dict[str, list] = {}
    for kind, kind_drafts in drafts.items():
        cls = ENTRY_KINDS[kind][0]
        entries[kind] = [
            cls(id=_unique_id(d, used), source=", ".join(d.sources), **d.values)
            for d in kind_drafts
        ]

    sources = list(dict.fromkeys(r.source for r in readers))
    deck = Deck(
        id=deck_id, name=name, source=", ".join(sources),
        terms=tuple(entries["terms"]), phrases=tuple(entries["phrases"]),
        analogs=tuple(entries["analogs"]),
    )
    summaries = tuple(
        LessonSummary(
            path=r.label, title=r.title, terms=len(r.terms), phrases=len(r.phrases),
            analogs=len(r.analogs), skipped=len(r.skipped),
        )
        for r in readers
    )
    skipped = tuple(s for r in readers for s in r.skipped)
    return BuildResult(deck=deck, lessons=summaries, skipped=skipped, duplicates_merged=merged)


def deck_to_yaml(deck: Deck, *, header: Optional[str] = None) -> str:
    """The deck as YAML in the documented deck format and key order.

    Long text is written as folded block scalars, tags as flow lists, and a
    blank line separates entries. ``header`` becomes ``#`` comment lines at
    the top. The text reads back (``yaml.safe_load``, ``decks.parse_deck``)
    to the same deck.
    """
    parts = []
    if header:
        header = _UNPRINTABLE.sub("", header)
        parts.append("".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()))
    top: dict = {"id": deck.id, "name": _text(deck.name)}
    for key in ("description", "source"):
        if getattr(deck, key):
            top[key] = _text(getattr(deck, key))
    if deck.tags:
        top["tags"] = _FlowList(deck.tags)
    parts.append(_dump(top))
    for list_name in ENTRY_KINDS:
        items = getattr(deck, list_name)
        if not items:
            continue
        chunks = [f"\n{list_name}:\n"]
        for entry in items:
            data: dict = {"id": entry.id}
            for key in FIELD_ORDER[list_name]:
                value = getattr(entry, key)
                if value:
                    data[key] = _text(value)
            if entry.tags:
                data["tags"] = _FlowList(entry.tags)
            for key in ("source", "note"):
                if getattr(entry, key):
                    data[key] = _text(getattr(entry, key))
            chunks.append("\n" + _indent(_dump([data]), "  "))
        parts.append("".join(chunks))
    return "".join(parts)


def draft_header(result: BuildResult) -> str:
    """Comment text for the top of a built deck: where it came from and what was not placed."""
    lines = [
        "Draft deck written by `flash build` from: "
        + ", ".join(s.path for s in result.lessons),
        "Review every entry against the lesson, then `flash validate` and `flash import` it.",
    ]
    if result.skipped:
        lines.append("Not placed in any entry (check these in the lesson):")
        lines.extend(f"  {s}" for s in result.skipped)
    return "\n".join(lines)


_SLUG_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_STOP_WORDS = frozenset(
    "a an and are as at by for from in into is it its of on or our so that the their these this "
    "those to with your".split()
)


def slugify(
    text: str,
    *,
    max_words: Optional[int] = None,
    max_chars: Optional[int] = None,
    drop_stop_words: bool = False,
) -> str:
    """Lowercase words joined by '-'.

    "That's not really training" -> "thats-not-really-training".
    """
    folded = _fold(text).replace("'", "")
    words = _SLUG_WORD.findall(folded)
    if drop_stop_words:
        words = [w for w in words if w not in _STOP_WORDS] or words
    if max_words is not None:
        words = words[:max_words]
    slug = "-".join(words)
    if max_chars is not None and len(slug) > max_chars:
        cut = slug[:max_chars]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug


# -- entries before they have ids --------------------------------------------


@dataclass
class _Draft:
    kind: str  # "terms", "phrases" or "analogs"
    line: int
    values: dict  # the entry's text fields, in ENTRY_KINDS order
    base_id: str
    id_key: str  # what the id is derived from (never the changeable text)
    sources: list = field(default_factory=list)


def _unique_id(draft: _Draft, used: set[str]) -> str:
    entry_id = draft.base_id
    if entry_id in used:
        key = f"{draft.id_key}\0{draft.sources[0]}".encode("utf-8")
        digest = hashlib.sha1(key).hexdigest()[:6]
        entry_id = f"{draft.base_id}-{digest}"
        n = 2
        while entry_id in used:
            entry_id = f"{draft.base_id}-{digest}-{n}"
            n += 1
    used.add(entry_id)
    return entry_id


# -- text helpers ------------------------------------------------------------

_FOLD_TABLE = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


def _fold(text: str) -> str:
    """For matching only: straight quotes, lowercase, single spaces."""
    return " ".join(text.translate(_FOLD_TABLE).lower().split())


# Characters a YAML document may not contain (PyYAML's reader), tabs and line breaks aside.
_UNPRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_INLINE_MARKUP = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), r"\1"),  # bold
    (re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])"), r"\1"),  # italic
    (re.compile(r"(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"`([^`]+)`"), r"\1"),  # code
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])"), r"\1"),  # backslash escapes
]


def _plain(text: str) -> str:
    """Markdown inline markup removed, whitespace collapsed."""
    for pattern, replacement in _INLINE_MARKUP:
        text = pattern.sub(replacement, text)
    return " ".join(text.replace("\u00a0", " ").split())


def _unquote(text: str) -> str:
    """Drop one pair of double quotes (straight or curly) around the whole text."""
    text = text.strip()
    if len(text) >= 2 and text[0] in '"\u201c' and text[-1] in '"\u201d' \
            and not any(ch in '"\u201c\u201d' for ch in text[1:-1]):
        return text[1:-1].strip()
    return text


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


_SENTENCE_END = re.compile(
    r"[.!?][\"\u201d\u2019')\]]*\s+(?=[\"\u201c\u2018(\[]?[A-Z0-9])")


def _sentences(text: str) -> list[str]:
    out, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        out.append(text[start:match.end()].strip())
        start = match.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def _join_names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# -- reading a lesson into units ---------------------------------------------

# normalised label -> term field
_LABELS = {
    **dict.fromkeys(
        ["what it is", "what is it", "what's it", "definition", "what it means", "meaning"],
        "definition"),
    **dict.fromkeys(
        ["what it does", "what does it do", "what it's for", "what it is for", "what it's used for",
         "what is it for", "purpose", "how it works"], "what_it_does"),
    **dict.fromkeys(
        ["who's behind it", "who is behind it", "who's behind", "who is behind", "who does it",
         "who runs it", "who provides it", "who offers it", "who owns it", "who's involved",
         "who is involved", "who uses it"],
        "whos_behind_it"),
    **dict.fromkeys(
        ["what makes it distinct", "what makes it different", "what makes it unique",
         "what sets it apart", "what distinguishes it", "how it differs", "how it's different",
         "how is it different", "why it's distinct", "what's distinct", "what's different",
         "distinct because", "key difference"],
        "what_makes_it_distinct"),
}
FIELD_LABELS = {
    "definition": "What it is", "what_it_does": "What it does",
    "whos_behind_it": "Who's behind it", "what_makes_it_distinct": "What makes it distinct",
}
_QUESTION_WORDS = ("what", "who", "whom", "why", "how", "when", "where", "which")

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_LIST_MARK = re.compile(r"^\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+")
_THEMATIC = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_BOLD_LABEL = re.compile(
    r"^(\*\*|__)(?P<label>[^*_]+?)\s*(?P<sep1>[:?.\u2014\u2013])?\s*\1"
    r"\s*(?P<sep2>[:\u2014\u2013-])?\s*(?P<rest>.*)$")
_PLAIN_LABEL = re.compile(
    r"^(?P<label>[^:?\u2014\u2013]{2,50}?)\s*(?::|\?|\s[\u2014\u2013]\s)\s*(?P<rest>.*)$")
_ANALOG_HEADING = re.compile(
    r"^(?P<head>.*?\b(?:analog(?:y|ue)?s?|concept mapping))"
    r"\s*(?:(?:[:\u2014\u2013]|\s-)\s*(?P<title>\S.*))?$", re.I)
_LESSON_TITLE = re.compile(r"^lesson\s+\d+[a-z]?\s*[:.\u2014\u2013-]\s*\S", re.I)


class _Unit(NamedTuple):
    kind: str  # "heading", "field", "text" or "table"
    line: int
    text: str = ""
    level: int = 0  # Markdown heading level; 0 for a bare-line heading
    key: Optional[str] = None  # field: the term field it fills
    label: Optional[str] = None  # field: its label as written; text: an unrecognised label
    rows: tuple = ()  # table: ((line, cells), ...), header first


class _Label(NamedTuple):
    key: Optional[str]  # None: looks like a field label but is not one we know
    label: str
    rest: str


def _normal_label(label: str) -> str:
    return _fold(label).strip(" *_`:?.").replace("who is behind", "who's behind")


def _field_label(content: str) -> Optional[_Label]:
    """A labelled field line ("**What it is:** ...", "Who's behind it: ..."), or None.

    An unknown label counts (key None) only if it reads like one: bold, or a
    question word ("What it costs: ..."), followed by a colon or by text.
    """
    match = _BOLD_LABEL.match(content)
    if match and (match["sep1"] or match["sep2"] or not match["rest"]):
        label, rest, bold = match["label"].strip(), match["rest"], True
        colon = ":" in ((match["sep1"] or "") + (match["sep2"] or ""))
    else:
        match = _PLAIN_LABEL.match(content)
        if match:
            label, rest, bold = match["label"].strip(), match["rest"], False
            colon = ":" in content[len(match["label"]):len(content) - len(rest)]
        elif _normal_label(content) in _LABELS:
            label, rest, bold, colon = content.strip(" *_:?"), "", False, False
        else:
            return None
    key = _LABELS.get(_normal_label(label))
    if key:
        return _Label(key, _plain(label), rest)
    words = _normal_label(label).split()
    if 0 < len(words) <= 6 and (bold or words[0] in _QUESTION_WORDS) and (colon or rest.strip()):
        return _Label(None, _plain(label), rest)
    return None


def _heading_like(text: str) -> bool:
    """A bare line that reads as a heading: short, capitalised, not ending like a sentence."""
    words = text.split()
    if not words or len(words) > 12 or len(text) > 100 or text[0].islower():
        return False
    if text.endswith((".", ",", ";", ":", "!")) and not re.search(r"[.!?][\"\u201d]$", text):
        return False
    return True


def _analog_heading(text: str) -> Optional[tuple[str, Optional[str]]]:
    """(heading, title or None) if the heading announces an analog."""
    match = _ANALOG_HEADING.match(text)
    if not match:
        return None
    title = match["title"].strip().rstrip(".:") if match["title"] else None
    return text, title or None


def _split_cells(line: str) -> list[str]:
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [_plain(cell.replace("\\|", "|")) for cell in re.split(r"(?<!\\)\|", text)]


def _is_table_start(lines: list[str], i: int) -> bool:
    text = lines[i].strip()
    if text.startswith("|") and text.count("|") >= 2:
        return True
    following = lines[i + 1] if i + 1 < len(lines) else ""
    return "|" in text and "|" in following and "-" in following \
        and bool(_TABLE_SEP.match(following))


def _scan(text: str) -> list[_Unit]:
    """Split a lesson into headings, labelled fields, paragraphs and tables.

    If the file separates paragraphs with blank lines (Markdown), consecutive
    lines of text are one hard-wrapped paragraph; otherwise (no blank lines
    at all) every line is its own paragraph or heading.
    """
    lines = text.splitlines()
    filled = [i for i, line in enumerate(lines) if line.strip()]
    wrapped = bool(filled) and any(not lines[i].strip() for i in range(filled[0], filled[-1]))

    units: list[dict] = []
    open_unit: Optional[dict] = None  # a paragraph or field that may go on on the next line
    i = 0
    while i < len(lines):
        raw = lines[i].replace("\t", "    ").rstrip()
        lineno = i + 1
        if not raw.strip():
            open_unit = None
            i += 1
            continue
        if _is_table_start(lines, i):
            rows = []
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                if not (len(rows) == 1 and _TABLE_SEP.match(lines[i]) and "-" in lines[i]):
                    rows.append((i + 1, tuple(_split_cells(lines[i]))))
                i += 1
            units.append({"kind": "table", "line": lineno, "rows": tuple(rows)})
            open_unit = None
            continue
        i += 1
        atx = _ATX.match(raw)
        if atx:
            heading = _plain(atx.group(2) or "")
            label = _field_label(heading)
            if label and label.key and not label.rest:  # "### What it is", its text below
                units.append({"kind": "field", "line": lineno, "key": label.key,
                              "label": label.label, "parts": []})
            elif heading:
                units.append({"kind": "heading", "line": lineno, "text": heading,
                              "level": len(atx.group(1))})
            open_unit = None
            continue
        if open_unit is not None and open_unit["kind"] == "text" and len(open_unit["parts"]) == 1 \
                and not open_unit.get("list") and _SETEXT.match(raw):
            open_unit.update(kind="heading", text=_plain(open_unit["parts"][0]),
                             level=1 if raw.strip().startswith("=") else 2)
            open_unit = None
            continue
        if _THEMATIC.match(raw):
            open_unit = None
            continue
        list_item = bool(_LIST_MARK.match(raw))
        content = _LIST_MARK.sub("", raw, count=1) if list_item else raw.strip()
        label = _field_label(content)
        if label and label.key:
            open_unit = {"kind": "field", "line": lineno, "key": label.key, "label": label.label,
                         "parts": [label.rest] if label.rest.strip() else []}
            units.append(open_unit)
            continue
        if wrapped and open_unit is not None and not list_item and label is None \
                and _continues(open_unit, content):
            open_unit["parts"].append(content)
            continue
        open_unit = {"kind": "text", "line": lineno, "parts": [content], "list": list_item,
                     "label": label.label if label else None}
        units.append(open_unit)

    out = []
    for unit in units:
        parts = unit.pop("parts", None)
        if unit["kind"] in ("text", "field"):
            unit["text"] = _plain(" ".join(parts))
        unit.pop("list", None)
        if unit["kind"] == "heading":
            unit.pop("label", None)
        if unit["kind"] == "text" and not unit["text"]:
            continue
        out.append(_Unit(**unit))
    return out


def _continues(open_unit: dict, content: str) -> bool:
    """Whether a line of a blank-line-separated file continues the paragraph above it."""
    if open_unit["kind"] == "text" and len(open_unit["parts"]) == 1:
        first = _plain(open_unit["parts"][0])
        starts_anew = content[:1].isupper() or content[:1] in "\"\u201c*_[0123456789"
        if _heading_like(first) and starts_anew:
            return False  # a bare heading, then its first paragraph
    plain = _plain(content)
    return not (_heading_like(plain) and _analog_heading(plain) and len(plain.split()) <= 8)


# -- analogies ---------------------------------------------------------------

# Sentences that say what is compared with what: (pattern, strong). A strong one
# ("X is analogous to Y") is an analogy on its own; a weak one ("X works like Y")
# only with a sentence saying where it holds or breaks.
_MAPPINGS = [
    (r"^(?:think of|consider)\s+(?P<concept>.+?)\s+as\s+(?:being\s+)?"
     r"(?:analogous to|the equivalent of|akin to)\s+(?P<analog>.+)$", True),
    (r"^(?P<concept>.+?)\s+(?:is|are)\s+(?:\w+\s+)?(?:analogous|akin)\s+to\s+(?P<analog>.+)$",
     True),
    (r"^the\s+(?:closest|nearest|best|obvious|natural)\s+(?:[\w-]+\s+){0,2}analog(?:y|ue)?"
     r"\s+(?:to|for)\s+(?P<concept>.+?)\s+is\s+(?P<analog>.+)$", True),
    (r"^(?P<concept>.+?)\s+(?:is|are)\s+the\s+(?:[\w-]+\s+)?equivalent\s+of\s+(?P<analog>.+)$",
     True),
    (r"^(?P<concept>.+?)\s+(?:is|are)\s+(?:\w+\s+)?(?:similar|comparable)\s+to\s+(?P<analog>.+)$",
     False),
    (r"^(?P<concept>.+?)\s+maps?\s+(?:\w+\s+)?(?:on)?to\s+(?P<analog>.+)$", False),
    (r"^(?P<concept>.+?)\s+(?:works|behaves|acts|functions)\s+(?:\w+\s+)?like\s+(?P<analog>.+)$",
     False),
    (r"^(?P<concept>.+?)\s+(?:is|are)\s+(?:\w+\s+)?like\s+(?P<analog>.+)$", False),
    (r"^think of\s+(?P<concept>.+?)\s+as\s+(?P<analog>.+)$", False),
]
_MAPPINGS = [(re.compile(p, re.I), strong) for p, strong in _MAPPINGS]
_ANALOG_END = re.compile(
    r"\s+[\u2014\u2013]\s+|\s+--?\s+|[\u2014\u2013]|:\s|;\s|\s\("
    r"|,\s+(?:but|except|while|whereas|because|which|where|so|and|though)\b", re.I)
# In a paragraph: says the analogy holds or breaks somewhere ("The analog breaks on ...").
_MARKER = re.compile(
    r"\b(?:analog(?:y|ue)?|comparison|parallel|mapping)\s+(?:\w+\s+)?"
    r"(?:holds?|breaks?|falls apart|fails)\b|\bwhere (?:it|the analog\w*) (?:holds|breaks)\b", re.I)
# Within an analogy: a sentence that starts its breaking point, or goes back to where it holds.
_SUBJECT = r"\b(?:it|this|that|analog\w*|comparison|parallel|mapping)\s+(?:\w+\s+)?"
_BREAKS = re.compile(
    _SUBJECT + r"(?:breaks?|breaks down|falls apart|fails)\b|\bwhere it breaks\b"
    r"|\b(?:doesn't|does not|don't|do not) hold\b|\bbreaking point\b", re.I)
_HOLDS = re.compile(_SUBJECT + r"holds?\b|\bwhere it holds\b", re.I)
# "Knowing where the analogy holds and where it doesn't ..." is about both: it changes nothing.
_META = re.compile(
    r"\bwhere (?:it|the analog\w*) holds\b.*\bwhere (?:it|they) (?:doesn't|does not|breaks?)\b",
    re.I)
# Singular only: "the analogies in this lesson" talks about them in general.
_MENTIONS_ANALOGY = re.compile(r"\banalog(?:y|ue|ous)?\b", re.I)
_BACK_REFERENCE = re.compile(
    r"^(?:these|those|the (?:two|three|four|five)|all (?:three|four|five)|both)\b", re.I)
_PRONOUN = {"it", "this", "that", "this regime", "this concept", "this term", "this one"}


_QUOTE_CHARS = " \"'\u201c\u201d\u2018\u2019"


class _Mapping(NamedTuple):
    concept: str
    analog: str
    strong: bool


def _find_mapping(sentences: list[str]) -> Optional[_Mapping]:
    for sentence in sentences:
        sentence = sentence.strip(_QUOTE_CHARS)
        for pattern, strong in _MAPPINGS:
            match = pattern.match(sentence)
            if not match:
                continue
            concept = match["concept"].rsplit(", ", 1)[-1].strip(_QUOTE_CHARS)
            analog = _ANALOG_END.split(match["analog"], maxsplit=1)[0]
            analog = analog.strip(_QUOTE_CHARS).rstrip(".!?,").strip()
            if 0 < len(concept.split()) <= 8 and analog:
                return _Mapping(concept, analog, strong)
    return None


# "Where it holds:" / "Where the analogy breaks:" (or a bare "Holds:" / "Breaks:" starting a
# point), as Google Docs and Word exports write an analog's bulleted points.
_POINT_LABEL = re.compile(
    r"(?:\bwhere\s+(?:it|the\s+analog(?:y|ue)?|the\s+comparison)\s+|(?:^|(?<=[.!?]\s)))"
    r"(?P<which>holds?|breaks?)\s*:\s*", re.I)
_HEADING_NUMBER = re.compile(r"^\d{1,3}(?:(?:\.\d{1,3})*[.)]|(?:\.\d{1,3})+)\s+")


def _labelled_points(text: str) -> Optional[tuple[str, str]]:
    """(holds, breaks) from labelled points, labels dropped; None when the text has no label.
    Without a "holds" label, the text before the first label is where it holds."""
    matches = list(_POINT_LABEL.finditer(text))
    if not matches:
        return None
    parts: dict[str, list[str]] = {"holds": [], "breaks": []}
    for match, after in zip(matches, matches[1:] + [None]):
        which = "holds" if match["which"].lower().startswith("hold") else "breaks"
        piece = text[match.end():after.start() if after else len(text)].strip()
        if piece:
            parts[which].append(_capitalize(piece))
    if not parts["holds"]:
        parts["holds"] = [text[:matches[0].start()].strip()]
    return " ".join(p for p in parts["holds"] if p), " ".join(parts["breaks"])


def _holds_and_breaks(sentences: list[str]) -> tuple[str, str]:
    """Split an analogy's sentences into where it holds and where it breaks.

    Sentences before the first one about breaking (the comparison itself, "The
    analogy holds for ...") are where it holds; from there on, where it breaks,
    until a sentence goes back to where it holds.
    """
    groups: dict[str, list[str]] = {"holds": [], "breaks": []}
    current = "holds"
    for sentence in sentences:
        if not _META.search(sentence):
            if _BREAKS.search(sentence):
                current = "breaks"
            elif _HOLDS.search(sentence):
                current = "holds"
        groups[current].append(sentence)
    return " ".join(groups["holds"]), " ".join(groups["breaks"])


# -- extracting entries from one lesson ----------------------------------------


MAX_LESSON_BYTES = 16 * 2**20  # a lesson document is a few kB; refuse what cannot be one


class _Lesson:
    def __init__(self, path: Path):
        self.path = path
        self.label = str(path)
        self.source = path.name
        try:
            if not path.exists():
                raise BuildError(f"{path}: no such file")
            if not path.is_file():  # a folder, or a FIFO that would block the read forever
                raise BuildError(f"{path}: not a regular file")
            if path.stat().st_size > MAX_LESSON_BYTES:
                raise BuildError(f"{path}: larger than {MAX_LESSON_BYTES // 2**20} MB; not a lesson document")
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BuildError(
                f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        except OSError as exc:
            raise BuildError(f"{path}: cannot read: {exc.strerror or exc}") from None
        self.skipped: list[Skipped] = []
        text = self._printable(text)
        self.units = _scan(text)
        self.terms: list[_Draft] = []
        self.phrases: list[_Draft] = []
        self.analogs: list[_Draft] = []
        self.title, self.title_unit = self._find_title()
        sections = self._sections()
        self.headings = [h for h, _ in sections if h is not None]
        self.term_headings = [h for h, body in sections if self._is_term_section(h, body)]
        self.term_names = [(h.line, self._term_name(h)) for h in self.term_headings]
        for heading, body in sections:
            self._section(heading, body)
        self.skipped.sort(key=lambda s: s.line)

    def _printable(self, text: str) -> str:
        """The text without characters a YAML file cannot hold (control characters)."""
        found = list(_UNPRINTABLE.finditer(text))
        if not found:
            return text
        line = text.count("\n", 0, found[0].start()) + 1
        self.skip(line, f"removed {len(found)} control character{'s' if len(found) != 1 else ''} "
                        "(a deck cannot hold them)")
        return _UNPRINTABLE.sub("", text)

    def drafts(self) -> list[_Draft]:
        by_line = attrgetter("line")
        return sorted(self.terms, key=by_line) + sorted(self.phrases, key=by_line) \
            + sorted(self.analogs, key=by_line)

    def skip(self, line: int, reason: str) -> None:
        self.skipped.append(Skipped(self.label, line, reason))

    # -- structure --

    def _find_title(self) -> tuple[Optional[str], Optional[_Unit]]:
        for unit in self.units:
            if unit.kind == "heading" and unit.level == 1:
                return unit.text, unit
        first = self.units[0] if self.units else None
        if first is not None and first.kind == "text" and _heading_like(first.text) \
                and first.label is None and not _analog_heading(first.text) \
                and not (len(self.units) > 1 and self.units[1].kind == "field"):
            return first.text, first
        for unit in self.units:
            if unit.kind in ("text", "heading") and _LESSON_TITLE.match(unit.text) \
                    and len(unit.text.split()) <= 15:
                return unit.text, unit
        return None, None

    def _is_heading(self, unit: _Unit) -> bool:
        if unit.kind == "heading":
            return True
        return unit.kind == "text" and unit.label is None and _heading_like(unit.text)

    def _sections(self) -> list[tuple[Optional[_Unit], list[_Unit]]]:
        sections: list[tuple[Optional[_Unit], list[_Unit]]] = [(None, [])]
        for unit in self.units:
            if self._is_heading(unit):
                sections.append((unit, []))
            else:
                sections[-1][1].append(unit)
        return sections

    def _is_term_section(self, heading: Optional[_Unit], body: list[_Unit]) -> bool:
        return heading is not None and heading is not self.title_unit \
            and any(u.kind == "field" for u in body)

    def _section(self, heading: Optional[_Unit], body: list[_Unit]) -> None:
        if self._is_term_section(heading, body):
            self._term_section(heading, body)
            return
        if heading is not None and heading is not self.title_unit:
            analog = _analog_heading(heading.text)
            if analog is not None:
                self._analog_section(heading, body, analog[1])
                return
        for unit in body:
            if unit.kind == "field":
                self.skip(unit.line,
                          f"'{unit.label}' field is not under a heading naming a concept; not used")
            else:
                self._loose(unit)

    def _loose(self, unit: _Unit, *, where: Optional[str] = None) -> None:
        """A table, or a paragraph outside a term's fields: an analogy, or reported if it
        looks like one (or always, with ``where`` as the reason)."""
        if unit.kind == "table":
            self._table(unit)
            return
        if self._inline_analog(unit):
            return
        if where is not None:
            self.skip(unit.line, where)
        elif _MENTIONS_ANALOGY.search(unit.text):
            mapping = _find_mapping(_sentences(unit.text))
            if mapping is None:
                self.skip(unit.line, "mentions an analogy but no sentence says what is compared "
                                     "with what (e.g. 'X is analogous to Y'); not used")
            else:
                self.skip(unit.line, f"analogy '{mapping.analog}' says neither where it holds nor "
                                     "where it breaks; not used")

    # -- terms --

    @staticmethod
    def _term_name(heading: _Unit) -> str:
        # "1. AI Agent", "2) Tool call", "3.1 Scopes": exported documents number their headings
        return _HEADING_NUMBER.sub("", heading.text.rstrip(":").strip()).strip()

    def _term_section(self, heading: _Unit, body: list[_Unit]) -> None:
        name = self._term_name(heading)
        fields = [k for k, unit in enumerate(body) if unit.kind == "field"]
        first, last = fields[0], fields[-1]
        for unit in body[:first]:
            self._loose(unit,
                        where=f"text under '{name}' before its first labelled field; not used")

        parts: dict[str, list[str]] = {}
        lines: dict[str, int] = {}
        labels: dict[str, str] = {}
        current: Optional[str] = None
        for unit in body[first:last + 1]:
            if unit.kind == "field":
                if unit.key in parts:
                    self.skip(unit.line, f"second '{unit.label}' field under '{name}' "
                                         f"(first at line {lines[unit.key]}); not used")
                    current = None
                else:
                    parts[unit.key] = [unit.text] if unit.text else []
                    lines[unit.key], labels[unit.key] = unit.line, unit.label
                    current = unit.key
            elif unit.kind == "table":
                self._table(unit)
                current = None
            elif self._inline_analog(unit):
                current = None
            elif unit.label is not None:
                self.skip(unit.line, f"unrecognised field '{unit.label}' under '{name}'; not used")
                current = None
            elif current is not None:
                parts[current].append(unit.text)  # a further paragraph of the field above
            else:
                self.skip(unit.line, f"text under '{name}' after an unused field; not used")
        for k, unit in enumerate(body[last + 1:]):
            if k == 0 and unit.kind == "text" and unit.label is None and current is not None \
                    and not parts[current]:
                parts[current].append(unit.text)  # the last label stood alone on its line
            elif unit.kind == "text" and unit.label is not None:
                self.skip(unit.line, f"unrecognised field '{unit.label}' under '{name}'; not used")
            else:
                self._loose(unit, where=f"paragraph after the fields of '{name}' is not a "
                                        "labelled field; not used")

        values = {"term": name}
        for key in FIELD_LABELS:
            text = "\n\n".join(parts.get(key, []))
            if text:
                values[key] = text
            elif key in parts:
                self.skip(lines[key], f"'{labels[key]}' field under '{name}' is empty; not used")
        if "definition" not in values:
            self.skip(heading.line, f"term '{name}' has no 'What it is' field "
                                    "(a term needs a definition); not used")
            return
        base = slugify(name, max_words=6) or "term"
        self.terms.append(_Draft("terms", heading.line, values, base, name, [self.source]))

    # -- phrases --

    def _table(self, unit: _Unit) -> None:
        (header_line, header), rows = unit.rows[0], unit.rows[1:]
        columns: dict[str, int] = {}
        for index, cell in enumerate(header):
            text = _fold(cell).strip(" :.")
            if re.match(r"^(?:don't|do not|never)\s+say\b|^avoid(?: saying)?$|^instead of$",
                        text):
                columns.setdefault("dont_say", index)
            elif re.match(r"^do say\b|^(?:say instead|say this|instead,? say|try saying|say)$",
                          text):
                columns.setdefault("do_say", index)
            elif re.match(r"^why\b|^reason\b|^rationale\b", text):
                columns.setdefault("why", index)
        count = f"{len(rows)} row{'s' if len(rows) != 1 else ''}"
        if "dont_say" not in columns or "do_say" not in columns:
            if "dont_say" in columns:
                what = "no 'Do say' column"
            elif "do_say" in columns:
                what = "no 'Don't say' column"
            else:
                what = "not a phrase table (no 'Don't say' and 'Do say' columns)"
            self.skip(header_line, f"table: {what}; its {count} not used")
            return
        if "why" not in columns:
            self.skip(header_line, "phrase table has no 'Why it matters' column "
                                   f"(a phrase needs one); its {count} not used")
            return
        for line, cells in rows:
            values = {key: _unquote(cells[index]) if index < len(cells) else ""
                      for key, index in columns.items()}
            missing = [label for key, label in (("dont_say", "Don't say"), ("do_say", "Do say"),
                                                ("why", "Why it matters")) if not values[key]]
            if missing:
                self.skip(line, f"phrase row has no '{missing[0]}' text; not used")
                continue
            values = {key: values[key] for key in ("dont_say", "do_say", "why")}
            base = "dont-say-" + (slugify(values["dont_say"], max_words=4) or "phrase")
            self.phrases.append(
                _Draft("phrases", line, values, base, _fold(values["dont_say"]), [self.source]))

    # -- analogs --

    def _analog_section(self, heading: _Unit, body: list[_Unit], title: Optional[str]) -> None:
        texts = [u for u in body if u.kind == "text"]
        for unit in body:
            if unit.kind == "table":
                self._table(unit)
        standalone = [u for u in texts if self._standalone(u)]
        if title is None and len(standalone) >= 2:  # a section of several analogies
            for unit in texts:
                self._loose(unit)
            return
        if not texts:
            self.skip(heading.line,
                      f"analog heading '{heading.text}' has no text under it; not used")
            return
        self._analog(heading.line, " ".join(u.text for u in texts), title, title or heading.text,
                     parent=self._parent_term(heading))

    def _parent_term(self, heading: _Unit) -> Optional[str]:
        """The term whose Markdown section holds this heading ("## Passkey" > "### Analog")."""
        if not heading.level:
            return None
        for above in reversed(self.headings[:self.headings.index(heading)]):
            if 0 < above.level < heading.level:
                return self._term_name(above) if above in self.term_headings else None
        return None

    def _standalone(self, unit: _Unit) -> bool:
        sentences = _sentences(unit.text)
        mapping = _find_mapping(sentences)
        if mapping is None:
            return False
        return mapping.strong or any(_MARKER.search(s) for s in sentences)

    def _inline_analog(self, unit: _Unit) -> bool:
        if unit.kind != "text" or not self._standalone(unit):
            return False
        mapping = _find_mapping(_sentences(unit.text))
        return self._analog(unit.line, unit.text, None, _capitalize(mapping.analog))

    def _analog(self, line: int, text: str, title: Optional[str], label: str, *,
                parent: Optional[str] = None) -> bool:
        sentences = _sentences(text)
        mapping = _find_mapping(sentences)
        if mapping is not None:
            concept = self._resolve(mapping.concept, line, text)
            analog = title or _capitalize(mapping.analog)
        elif title and parent:  # "### Okta analog: X" nested under the term it explains
            concept, analog = parent, title
        else:
            self.skip(line, f"analog '{label}': no sentence says which concept it explains "
                            "(e.g. 'Fine-tuning is like ...'); not used")
            return False
        holds, breaks = _labelled_points(" ".join(sentences)) or _holds_and_breaks(sentences)
        if not breaks:
            self.skip(line, f"analog '{label}' states no breaking point")
        if not holds:
            self.skip(line, f"analog '{label}' states no point where it holds")
        values = {"concept": concept, "analog": analog}
        if holds:
            values["holds"] = holds
        if breaks:
            values["breaks"] = breaks
        base = "-".join(filter(None, [
            "analog", slugify(concept, max_words=3, drop_stop_words=True),
            slugify(analog, max_words=4, drop_stop_words=True),
        ]))
        key = f"{_fold(concept)}\0{_fold(analog)}"
        self.analogs.append(_Draft("analogs", line, values, base, key, [self.source]))
        return True

    def _resolve(self, concept: str, line: int, text: str) -> str:
        """'these three regimes' -> the lesson's terms the passage names; 'it' -> the term above."""
        if _BACK_REFERENCE.match(concept):
            folded = _fold(text)
            named = [name for _, name in self.term_names
                     if re.search(rf"\b{re.escape(_fold(name))}\b", folded)]
            if len(named) >= 2:
                return _join_names(named)
        if _fold(concept) in _PRONOUN:
            above = [name for term_line, name in self.term_names if term_line < line]
            if above:
                return above[-1]
        return _capitalize(concept)


# -- YAML ----------------------------------------------------------------------

_FOLD_AT = 60  # text longer than this is written as a folded block scalar


class _FlowList(list):
    pass


class _DeckDumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


class _Text(str):
    """Text written as a folded block scalar when it is long."""


def _text(value: str) -> str:
    return _Text(value) if len(value) > _FOLD_AT or "\n" in value else value


def _represent_text(dumper: yaml.SafeDumper, data: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style=">")


def _represent_flow_list(dumper: yaml.SafeDumper, data: list):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_DeckDumper.add_representer(_Text, _represent_text)
_DeckDumper.add_representer(_FlowList, _represent_flow_list)


def _dump(data) -> str:
    return yaml.dump(data, Dumper=_DeckDumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


def _indent(text: str, prefix: str) -> str:
    lines = text.splitlines(keepends=True)
    return "".join(prefix + line if line.strip() else line for line in lines)
