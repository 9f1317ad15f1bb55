"""Text helpers shared by the lesson readers: folding for matching, Markdown inline
markup, sentences, slugs."""

from __future__ import annotations

import re
from typing import Optional


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
