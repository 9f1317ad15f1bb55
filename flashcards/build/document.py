"""Reading a lesson document into units: headings, labelled fields, paragraphs and tables.

Plain text with bare-line headings, Markdown, and Google Docs/Word Markdown exports
(escaped punctuation, bold headings and labels, numbered headings, ``:----`` table rules).
"""

from __future__ import annotations

import re
from typing import NamedTuple, Optional

from ._text import _fold, _plain

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

_HEADING_NUMBER = re.compile(r"^\d{1,3}(?:(?:\.\d{1,3})*[.)]|(?:\.\d{1,3})+)\s+")


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
