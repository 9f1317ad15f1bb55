"""Checks for the shipped Lesson 4 deck (decks/lesson-04-ai-lifecycle.yaml)."""

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

DECK_PATH = Path(__file__).parent.parent / "decks" / "lesson-04-ai-lifecycle.yaml"

DRAFT_FILES = {
    "a": "000_ea2d161741e671bb.txt",
    "b": "001_2d772e7efe63da85.txt",
    "c": "002_449303623b101930.txt",
}

REGIMES = ("pre-training", "fine-tuning", "inference")
REGIME_IDS = {f"{r}-{d}" for r in REGIMES for d in "abc"}
REGIME_FIELDS = ("definition", "what_it_does", "whos_behind_it", "what_makes_it_distinct")

# The three phrase tables have 10 (draft A) + 12 (draft B) + 10 (draft C) = 32 rows.
# No row is an exact duplicate of another in all three cells, so 0 rows were merged.
MERGED_DUPLICATES = 0
EXPECTED_PHRASES = 32 - MERGED_DUPLICATES

# Analogs: draft A has three "Okta Analog" sections; draft B's "Okta Concept Mapping"
# maps all three regimes (one entry each); draft C has three inline analogs.
EXPECTED_ANALOGS = {"a": 3, "b": 3, "c": 3}

TOP_KEYS = {"id", "name", "description", "source", "tags", "terms", "phrases", "analogs"}
COMMON_KEYS = {"id", "tags", "source"}
KIND_KEYS = {
    "terms": ({"term", "definition"}, {"what_it_does", "whos_behind_it", "what_makes_it_distinct"}),
    "phrases": ({"dont_say", "do_say", "why"}, set()),
    "analogs": ({"concept", "analog"}, {"holds", "breaks"}),
}


@pytest.fixture(scope="module")
def deck():
    with DECK_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def all_entries(deck):
    for kind in ("terms", "phrases", "analogs"):
        for entry in deck[kind]:
            yield kind, entry


def draft_of(entry):
    found = [d for d, name in DRAFT_FILES.items() if name in entry["source"]]
    assert len(found) == 1, entry["id"]
    return found[0]


def by_id(deck, kind, entry_id):
    matches = [e for e in deck[kind] if e["id"] == entry_id]
    assert len(matches) == 1, entry_id
    return matches[0]


def test_top_level(deck):
    assert set(deck) <= TOP_KEYS
    assert deck["id"] == "lesson-04-ai-lifecycle"
    assert isinstance(deck["name"], str) and deck["name"].strip()
    assert all(isinstance(t, str) for t in deck.get("tags", []))


def test_entry_keys_and_required_fields(deck):
    for kind, entry in all_entries(deck):
        required, optional = KIND_KEYS[kind]
        keys = set(entry)
        assert keys <= required | optional | COMMON_KEYS, (entry.get("id"), keys)
        assert required <= keys, entry.get("id")
        assert re.fullmatch(r"[a-z0-9-]+", entry["id"]), entry["id"]
        for field in (keys - {"tags"}):
            value = entry[field]
            assert isinstance(value, str) and value.strip(), (entry["id"], field)
        assert all(isinstance(t, str) for t in entry.get("tags", [])), entry["id"]
        if kind == "analogs":
            assert "holds" in entry or "breaks" in entry, entry["id"]


def test_ids_unique(deck):
    ids = [entry["id"] for _, entry in all_entries(deck)]
    assert len(ids) == len(set(ids))


def test_every_entry_names_one_draft_file(deck):
    for _, entry in all_entries(deck):
        assert "source" in entry, entry["id"]
        draft_of(entry)


def test_regime_entries(deck):
    regimes = [e for e in deck["terms"] if e["id"] in REGIME_IDS]
    assert {e["id"] for e in regimes} == REGIME_IDS
    assert len(regimes) == 9
    for entry in regimes:
        for field in REGIME_FIELDS:
            assert entry.get(field, "").strip(), (entry["id"], field)
        assert draft_of(entry) == entry["id"][-1]
        assert entry["term"] == {"pre": "Pre-training", "fin": "Fine-tuning", "inf": "Inference"}[entry["id"][:3]]


def test_other_terms_present(deck):
    ids = {e["id"] for e in deck["terms"]}
    assert {"rag", "weights", "context-window", "tokens", "base-model"} <= ids


def test_phrase_count(deck):
    assert len(deck["phrases"]) == EXPECTED_PHRASES
    assert Counter(draft_of(e) for e in deck["phrases"]) == {"a": 10, "b": 12, "c": 10}


def test_phrases_have_no_surrounding_quotes(deck):
    for entry in deck["phrases"]:
        for field in ("dont_say", "do_say"):
            text = entry[field]
            assert not (text.startswith('"') and text.endswith('"')), (entry["id"], field)


def test_analog_counts_per_draft(deck):
    assert Counter(draft_of(e) for e in deck["analogs"]) == EXPECTED_ANALOGS


def test_building_your_own_idp_has_no_breaks(deck):
    entry = by_id(deck, "analogs", "analog-a-building-your-own-idp")
    assert draft_of(entry) == "a"
    assert entry["concept"] == "Pre-training"
    assert "identity provider" in entry["analog"]
    assert "breaks" not in entry
    assert entry["holds"].startswith("Pre-training is the AI equivalent of building your own identity provider")


def test_spot_check_texts(deck):
    row = by_id(deck, "phrases", "dont-say-thats-not-really-training")
    assert row["dont_say"] == "That's not really training, that's fine-tuning."
    assert row["do_say"] == (
        "When you say train it, are you thinking about how it responds, or what it knows?"
    )
    assert draft_of(row) == "a"

    row = by_id(deck, "phrases", "dont-say-we-own-the-model")
    assert row["do_say"] == (
        "You'd own the fine-tuned weights; the base model underneath is licensed, not owned"
    )
    assert draft_of(row) == "b"

    analog = by_id(deck, "analogs", "analog-c-custom-authentication-policies")
    assert analog["breaks"].startswith("The analog breaks on reversibility")


def test_disputed_figures_name_their_draft(deck):
    # The drafts disagree on pre-training, fine-tuning and inference cost figures.
    checks = {
        ("pre-training-a", "whos_behind_it"): "draft A",
        ("pre-training-b", "what_makes_it_distinct"): "draft B",
        ("pre-training-c", "what_it_does"): "draft C",
        ("fine-tuning-a", "whos_behind_it"): "draft A",
        ("fine-tuning-b", "what_makes_it_distinct"): "draft B",
        ("fine-tuning-c", "what_it_does"): "draft C",
        ("inference-a", "whos_behind_it"): "draft A",
        ("inference-b", "what_makes_it_distinct"): "draft B",
        ("inference-c", "what_it_does"): "draft C",
    }
    for (entry_id, field), label in checks.items():
        assert label in by_id(deck, "terms", entry_id)[field], (entry_id, field)
    assert "from draft C" in by_id(deck, "phrases", "dont-say-fine-tuning-is-expensive")["why"]
    assert "from draft A" in by_id(deck, "phrases", "dont-say-fine-tuning-is-cheap")["why"]
