"""Analogs: "Okta Analog: TITLE" sections and paragraphs that draw an analogy, split into
where the analogy holds and where it breaks."""

from __future__ import annotations

import re
from typing import NamedTuple, Optional

from ._text import _capitalize, _fold, _join_names, _sentences, slugify
from .document import _Unit
from .results import _Draft

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
    index: int = 0  # the comparison sentence's place among the sentences
    rest: str = ""  # what that sentence says after the analog ("... Y: both do Z."), as a sentence


def _find_mapping(sentences: list[str]) -> Optional[_Mapping]:
    for index, sentence in enumerate(sentences):
        sentence = sentence.strip(_QUOTE_CHARS)
        for pattern, strong in _MAPPINGS:
            match = pattern.match(sentence)
            if not match:
                continue
            concept = match["concept"].rsplit(", ", 1)[-1].strip(_QUOTE_CHARS)
            tail = match["analog"]
            end = _ANALOG_END.search(tail)
            analog, rest = (tail[:end.start()], _rest_of(tail, end)) if end else (tail, "")
            analog = analog.strip(_QUOTE_CHARS).rstrip(".!?,").strip()
            if 0 < len(concept.split()) <= 8 and analog:
                return _Mapping(concept, analog, strong, index, rest)
    return None


def _rest_of(tail: str, end: re.Match) -> str:
    """The comparison sentence after its analog: "— both take ..." -> "Both take ...";
    ", because both ..." -> "Because both ..."."""
    separator = end.group(0).strip()
    rest = tail[end.start():] if separator[:1] in ",(" else tail[end.end():]
    rest = rest.strip(" ,;:-\u2014\u2013")
    return _capitalize(rest) if any(ch.isalnum() for ch in rest) else ""


# "It breaks on authorization:", "The analogy holds for ...": the label a holds or breaks point
# starts with. Dropped, so the answer reads "On authorization: ..." / "For data flow ...".
_POINT_SENTENCE_LABEL = re.compile(
    r"^(?:it|this|that|the\s+(?:okta\s+|idam\s+)?(?:analog(?:y|ue)?|comparison|parallel|mapping))\s+"
    r"(?:only\s+|also\s+|still\s+|really\s+|clearly\s+)?"
    r"(?:holds?(?:\s+up)?|breaks?(?:\s+down)?|falls\s+apart|fails)\b[\s:,]*", re.I)


def _drop_label(sentence: str) -> str:
    """The sentence without a leading "It breaks" / "The analogy holds" ('' if nothing is left)."""
    match = _POINT_SENTENCE_LABEL.match(sentence)
    if not match:
        return sentence
    rest = sentence[match.end():].strip()
    return _capitalize(rest) if any(ch.isalnum() for ch in rest) else ""


def _unlabelled(text: str) -> str:
    return " ".join(filter(None, (_drop_label(s) for s in _sentences(text))))


# "Where it holds:" / "Where the analogy breaks:" (or a bare "Holds:" / "Breaks:" starting a
# point), as Google Docs and Word exports write an analog's bulleted points.
_POINT_LABEL = re.compile(
    r"(?:\bwhere\s+(?:it|the\s+analog(?:y|ue)?|the\s+comparison)\s+|(?:^|(?<=[.!?]\s)))"
    r"(?P<which>holds?|breaks?)\s*:\s*", re.I)


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


class _Analogs:
    """The ``_Lesson`` methods that read analogs."""

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
        # A later paragraph that draws an analogy of its own ("Tokens map onto MAUs ... It breaks
        # on ...") is a second analog under the heading, not more of the first one's points.
        own = texts[:1] + [u for u in texts[1:] if u not in standalone]
        self._analog(heading.line, " ".join(u.text for u in own), title, title or heading.text,
                     parent=self._parent_term(heading))
        for unit in texts[1:]:
            if unit in standalone:
                self._inline_analog(unit)

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
        if mapping is not None:  # the comparison sentence names both sides; the rest of it holds
            concept = self._resolve(mapping.concept, line, text)
            analog = _capitalize(mapping.analog)
            sentences = sentences[:mapping.index] + [mapping.rest] * bool(mapping.rest) \
                + sentences[mapping.index + 1:]
        elif title and parent:  # "### Okta analog: X" nested under the term it explains
            concept, analog = parent, title
        else:
            self.skip(line, f"analog '{label}': no sentence says which concept it explains "
                            "(e.g. 'Fine-tuning is like ...'); not used")
            return False
        holds, breaks = _labelled_points(" ".join(sentences)) or _holds_and_breaks(sentences)
        holds, breaks = _unlabelled(holds), _unlabelled(breaks)
        if not holds and not breaks:
            self.skip(line, f"analog '{label}' says neither where it holds nor where it breaks "
                            "(only what is compared with what); not used")
            return False
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
            slugify(title or analog, max_words=4, drop_stop_words=True),
        ]))  # a heading's title, when there is one, is the stabler key
        key = f"{_fold(concept)}\0{_fold(title or analog)}"
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
