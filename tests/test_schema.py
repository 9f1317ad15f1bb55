"""The published JSON Schema and the deck reader describe the same format."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

import flashcards
from flashcards.decks import DECK_OPTIONAL, DECK_REQUIRED, ENTRY_COMMON, ENTRY_KINDS, parse_deck, shipped_decks_dir

SCHEMA_PATH = Path(flashcards.__file__).parent / "deck.schema.json"


@pytest.fixture(scope="module")
def schema():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def test_schema_lists_the_fields_the_reader_accepts(schema):
    assert set(schema["properties"]) == set(DECK_REQUIRED + DECK_OPTIONAL)
    assert set(schema["required"]) == set(DECK_REQUIRED)
    for list_name, (_cls, required, optional) in ENTRY_KINDS.items():
        item = schema["properties"][list_name]["items"]
        assert set(item["properties"]) == set(ENTRY_COMMON + required + optional), list_name
        assert set(item["required"]) == {"id", *required}, list_name


def test_shipped_decks_are_valid_for_schema_and_reader(schema):
    files = sorted(shipped_decks_dir().glob("*.yaml"))
    assert files
    for file in files:
        text = file.read_text(encoding="utf-8")
        jsonschema.validate(yaml.safe_load(text), schema)
        deck, problems = parse_deck(text, str(file))
        assert problems == []
        assert deck is not None


@pytest.mark.parametrize(
    "text",
    [
        "id: d\nname: D\nphrases:\n  - {id: p, dont_sya: a, do_say: b, why: c}\n",  # misspelt key
        "id: d\nname: D\nanalogs:\n  - {id: a, concept: c, analog: o}\n",  # neither holds nor breaks
        "id: D D\nname: D\n",  # not a slug
        "id: d\nname: D\nterms:\n  - {id: t, term: x, definition: y, tags: [two words]}\n",
        "id: d\nname: D\nphrases:\n  - {id: p, do_say: b, why: c}\n",  # neither dont_say nor buyer_says
        "id: d\nname: D\nphrases:\n  - {id: p, dont_say: a, buyer_says: a, do_say: b, why: c}\n",  # both
        "id: d\nname: D\nterms:\n  - {id: t, term: x, question: q, definition: y, what_it_does: z}\n",  # a fact
    ],
)
def test_schema_and_reader_reject_the_same_mistakes(schema, text):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load(text), schema)
    deck, problems = parse_deck(text, "x.yaml")
    assert deck is None and problems
