"""A built deck as YAML in the documented deck format and key order."""

from __future__ import annotations

from typing import Optional

import yaml

from ..decks import ENTRY_KINDS, FIELD_ORDER
from ..model import Deck
from ..text import strip_hazards
from ._text import _UNPRINTABLE


def deck_to_yaml(deck: Deck, *, header: Optional[str] = None) -> str:
    """The deck as YAML in the documented deck format and key order.

    Long text is written as folded block scalars, tags as flow lists, and a
    blank line separates entries. ``header`` becomes ``#`` comment lines at
    the top. The text reads back (``yaml.safe_load``, ``decks.parse_deck``)
    to the same deck.
    """
    parts = []
    if header:
        header = strip_hazards(_UNPRINTABLE.sub("", header))[0]
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
            if entry.uses is not None:
                data["uses"] = _FlowList(entry.uses)
            for key in ("source", "note"):
                if getattr(entry, key):
                    data[key] = _text(getattr(entry, key))
            chunks.append("\n" + _indent(_dump([data]), "  "))
        parts.append("".join(chunks))
    return "".join(parts)


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
