"""Checks for the shipped Lesson 4 deck (decks/lesson-04-ai-lifecycle.yaml), reconciled from
drafts A, B and C into one entry per concept (issue 9) and audited fact by fact (issue 20)."""

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from flashcards.decks import load_deck
from flashcards.lint import MAX_WORDS, count_words, lint_decks
from flashcards.model import BUYER_SAYS_LABEL, CardKind, cards_for_deck

DECK_PATH = Path(__file__).parent.parent / "decks" / "lesson-04-ai-lifecycle.yaml"

# A learner-facing source names the lesson and the drafts, never a file.
SOURCE = re.compile(r"^Lesson 4 \((draft [ABC]|drafts [ABC](, [ABC])* and [ABC])\)$")

TOP_KEYS = {"id", "name", "description", "source", "sources", "tags", "terms", "phrases", "analogs"}
COMMON_KEYS = {"id", "tags", "source", "note"}
KIND_KEYS = {
    "terms": ({"term", "definition"}, {"question", "what_it_does", "whos_behind_it"}),
    "phrases": ({"do_say", "why"}, {"dont_say", "buyer_says"}),
    "analogs": ({"concept", "analog"}, {"holds", "breaks"}),
}
REGIME_FIELDS = ("definition", "what_it_does", "whos_behind_it")
# the drafts' files, as the lessons' README names them
DRAFT_FILES = {"A": "000_ea2d161741e671bb.txt", "B": "001_2d772e7efe63da85.txt", "C": "002_449303623b101930.txt"}

# Entries of the old per-draft deck that survive (their card ids and review history too) ...
SURVIVING = {
    "pre-training-a", "fine-tuning-a", "inference-a", "base-model", "weights", "fine-tuned-weights", "epochs",
    "hosting-fee", "tokens", "input-tokens", "output-tokens", "context-window", "inference-only-posture", "rag",
    "data-memorization", "nist-ai-600-1",
    "dont-say-thats-not-really-training", "dont-say-pre-training-too-expensive", "dont-say-you-need-rag",
    "dont-say-fine-tuning-is-cheap", "dont-say-inference-is-just-the-api-call",
    "dont-say-their-data-wont-be-in-the-model", "dont-say-training-takes-months",
    "dont-say-model-learns-from-your-users", "dont-say-youd-need-to-train-a-model",
    "dont-say-fine-tuning-is-like-training", "dont-say-train-it-on-your-policies",
    "dont-say-pre-training-customize-completely", "dont-say-fine-tuning-is-expensive",
    "dont-say-inference-is-basically-free", "dont-say-nist-doesnt-cover-training",
    "dont-say-fine-tune-on-customer-data", "dont-say-customize-for-your-use-case",
    "analog-a-tenant-policy-configuration", "analog-a-authentication-events", "analog-a-building-your-own-idp",
    "analog-b-base-directory-schema", "analog-b-custom-schema-attributes", "analog-b-directory-lookup",
    "analog-c-abac-attribute-lookup", "analog-c-federation-trust-store",
}
# ... and those merged into another entry or replaced by a buyer row (they retire on import).
RETIRED = {
    "pre-training-b", "pre-training-c", "fine-tuning-b", "fine-tuning-c", "inference-b", "inference-c",
    "foundation-model", "inference-context", "analog-c-custom-authentication-policies",
    "dont-say-ai-will-learn-over-time", "dont-say-you-want-a-custom-model", "dont-say-cant-tell-you-cost-to-run",
    "dont-say-train-it-on-our-data", "dont-say-build-our-own-model", "dont-say-how-much-does-training-cost",
    "dont-say-we-own-the-model", "dont-say-dont-want-data-used-for-training",
    "dont-say-retrain-when-it-gets-things-wrong", "dont-say-we-want-a-private-model",
    "dont-say-make-it-smarter-about-our-domain", "dont-say-what-does-it-cost-to-run", "dont-say-update-it-regularly",
    "dont-say-model-doesnt-know-our-policies", "dont-say-accurate-about-our-data",
}


@pytest.fixture(scope="module")
def deck():
    with DECK_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def model_deck():
    return load_deck(DECK_PATH)


def all_entries(deck):
    for kind in ("terms", "phrases", "analogs"):
        for entry in deck[kind]:
            yield kind, entry


def by_id(deck, kind, entry_id):
    matches = [e for e in deck[kind] if e["id"] == entry_id]
    assert len(matches) == 1, entry_id
    return matches[0]


def drafts_of(entry):
    return set(re.findall(r"\b[ABC]\b", entry["source"]))


def test_top_level(deck):
    assert set(deck) <= TOP_KEYS
    assert deck["id"] == "lesson-04-ai-lifecycle"
    assert deck["source"] == "Lesson 4 (drafts A, B and C)"
    assert all(isinstance(t, str) for t in deck.get("tags", []))


def test_entry_keys_and_required_fields(deck):
    for kind, entry in all_entries(deck):
        required, optional = KIND_KEYS[kind]
        keys = set(entry)
        assert keys <= required | optional | COMMON_KEYS, (entry.get("id"), keys)
        assert required <= keys, entry.get("id")
        assert re.fullmatch(r"[a-z0-9-]+", entry["id"]), entry["id"]
        for field in keys - {"tags"}:
            assert isinstance(entry[field], str) and entry[field].strip(), (entry["id"], field)
        if kind == "phrases":
            assert len(keys & {"dont_say", "buyer_says"}) == 1, entry["id"]


def test_counts(deck, model_deck):
    """The cards are what the YAML's entries and fields say: a question entry is one card."""
    questions = [e for e in deck["terms"] if "question" in e]
    plain = [e for e in deck["terms"] if "question" not in e]
    kinds = Counter(c.kind for c in cards_for_deck(model_deck))
    assert kinds == Counter({
        CardKind.TERM: len(deck["terms"]), CardKind.DEFINITION: len(plain),
        CardKind.WHAT_IT_DOES: sum("what_it_does" in e for e in plain),
        CardKind.WHOS_BEHIND_IT: sum("whos_behind_it" in e for e in plain),
        CardKind.PHRASE: sum("dont_say" in e for e in deck["phrases"]),
        CardKind.REPLY: sum("buyer_says" in e for e in deck["phrases"]),
        CardKind.HOLDS: sum("holds" in e for e in deck["analogs"]),
        CardKind.BREAKS: sum("breaks" in e for e in deck["analogs"]),
    })
    assert sum(kinds.values()) == len(cards_for_deck(model_deck)) > len(SURVIVING)
    # every question entry is about a term the deck teaches, or a name its other questions share
    names = {e["term"] for e in plain}
    assert questions and all(not q.keys() & {"what_it_does", "whos_behind_it"} for q in questions)
    assert sum(q["term"] in names for q in questions) > len(questions) / 2


def test_surviving_ids_kept_and_merged_ids_retired(deck):
    ids = [entry["id"] for _, entry in all_entries(deck)]
    assert len(ids) == len(set(ids))
    assert SURVIVING <= set(ids)
    assert not RETIRED & set(ids)
    new = {e["id"] for e in deck["phrases"] if "buyer_says" in e} | {e["id"] for e in deck["terms"] if "question" in e}
    assert set(ids) - SURVIVING == new


def test_sources_read_like_a_lesson_never_a_file(deck):
    assert SOURCE.match(deck["source"])
    labels = {item["label"]: item["path"] for item in deck["sources"]}
    for _, entry in all_entries(deck):
        assert SOURCE.match(entry["source"]), (entry["id"], entry["source"])
        assert entry["source"] in labels, entry["id"]  # so lint checks its figures against those drafts
    for label, paths in labels.items():
        assert SOURCE.match(label)
        paths = [paths] if isinstance(paths, str) else paths
        assert {Path(p).name for p in paths} == {DRAFT_FILES[d] for d in re.findall(r"\b[ABC]\b", label)}, label
        assert all(p.startswith("../../shared/lessons/") for p in paths)  # beside the repository, never copied
    text = DECK_PATH.read_text(encoding="utf-8")
    # the header comment and the `sources:` list map drafts to files; nothing a learner reads may
    body = text[text.index("\nterms:"):]
    assert ".txt" not in body and not re.search(r"[0-9a-f]{16}", body)


def test_one_entry_per_regime_with_every_field(deck):
    terms = [e["term"] for e in deck["terms"] if "question" not in e]
    assert len(terms) == len(set(terms))
    for entry_id, term in (("pre-training-a", "Pre-training"), ("fine-tuning-a", "Fine-tuning"),
                           ("inference-a", "Inference")):
        entry = by_id(deck, "terms", entry_id)
        assert entry["term"] == term
        assert all(entry.get(field, "").strip() for field in REGIME_FIELDS), entry_id
        assert drafts_of(entry) == {"A", "B", "C"}
    assert {"rag", "weights", "context-window", "tokens", "base-model"} <= {e["id"] for e in deck["terms"]}
    assert by_id(deck, "terms", "base-model")["term"] == "Base model (foundation model)"


def test_no_open_prompt_the_drafts_answer_three_ways(deck):
    """Issue 20: "What makes it distinct?" has one answer per draft; its facts are questions with context."""
    assert not any("what_makes_it_distinct" in e for e in deck["terms"])
    fronts = {(e["term"], e["question"]) for e in deck["terms"] if "question" in e}
    assert ("Fine-tuning", "What sets it apart from pre-training?") in fronts
    assert len(fronts) == sum("question" in e for e in deck["terms"])
    # each moved fact is named in the note of the entry it came from
    notes = " ".join(e.get("note", "") for e in deck["terms"] if "question" not in e)
    for moved in ("fine-tuning-data-in-weights", "inference-cost-driver", "azure-hosting-rate", "output-token-price",
                  "rag-where-data-stays", "pre-training-cost"):
        assert moved in notes, moved


def test_draft_b_rows_are_buyer_lines(deck):
    buyer = [e for e in deck["phrases"] if "buyer_says" in e]
    assert len(buyer) == 12
    assert all(e["id"].startswith("buyer-") and "B" in drafts_of(e) for e in buyer)
    row = by_id(deck, "phrases", "buyer-how-much-does-training-cost")
    assert row["buyer_says"] == "How much does training cost?"
    assert row["do_say"].startswith("Which regime, fine-tuning or inference, are you budgeting for?")
    dont = [e for e in deck["phrases"] if "dont_say" in e]
    assert Counter(min(drafts_of(e)) for e in dont) == {"A": 8, "C": 9}


def test_reply_card_reads_as_a_buyer_line(model_deck):
    card = next(c for c in cards_for_deck(model_deck)
                if c.id == "lesson-04-ai-lifecycle/buyer-how-much-does-training-cost/reply")
    assert card.front == f"{BUYER_SAYS_LABEL} \u201cHow much does training cost?\u201d\n\nWhat do you answer?"
    assert card.back.startswith("Do say: Which regime")
    assert card.source == "Lesson 4 (draft B)"


def test_phrases_have_no_surrounding_quotes(deck):
    for entry in deck["phrases"]:
        for field in ("dont_say", "buyer_says", "do_say"):
            text = entry.get(field, "x")
            assert not (text.startswith('"') and text.endswith('"')), (entry["id"], field)


def test_analogs(deck):
    assert Counter(min(drafts_of(e)) for e in deck["analogs"]) == {"A": 3, "B": 3, "C": 2}
    idp = by_id(deck, "analogs", "analog-a-building-your-own-idp")
    assert idp["concept"] == "Pre-training" and "breaks" not in idp
    merged = by_id(deck, "analogs", "analog-a-tenant-policy-configuration")
    assert drafts_of(merged) == {"A", "C"} and "weights" in merged["breaks"]
    # the two drafts disagree on undoing a fine-tune: the card says what they share, the note who said what
    assert "reverts to default" in merged["note"] and "reversible" in merged["note"]
    assert "reverts" not in merged["breaks"] and "permanent" not in merged["breaks"]
    # draft B's mapping breaks only for fine-tuning: the lookup analog has no 'breaks' point of its own
    assert "breaks" not in by_id(deck, "analogs", "analog-b-directory-lookup")


def test_disputed_figures_say_which_draft_gave_which(deck):
    """Where drafts disagree, the card states one figure and the note names every draft's."""
    notes = {
        ("terms", "pre-training-cost"): ["$100M", "$50M", "$1B"],
        ("terms", "fine-tuning-project-cost"): ["$500", "few hundred", "a few thousand"],
        ("terms", "fine-tuning-job-time"): ["to a few days", "sometimes a week", "minutes to hours"],
        ("phrases", "dont-say-fine-tuning-is-expensive"): ["a few thousand", "a few hundred"],
        ("phrases", "dont-say-inference-is-basically-free"): ["$5 to $15", "$0.002"],
        ("phrases", "dont-say-pre-training-customize-completely"): ["$100M", "$50M"],
    }
    for (kind, entry_id), figures in notes.items():
        note = by_id(deck, kind, entry_id)["note"]
        assert all(f"draft {d}" in note for d in "ABC"), entry_id
        for figure in figures:
            assert figure in note, (entry_id, figure)
    # no draft's figure is picked silently: the card states the range they share
    assert by_id(deck, "terms", "pre-training-cost")["definition"].startswith("On the order of $100 million")


def test_figures_come_from_the_drafts(lessons_dir):
    drafts = " ".join(p.read_text(encoding="utf-8") for p in lessons_dir.glob("*.txt"))
    for figure in ("$100M", "$50M", "$500M", "$1B", "$1.70-$3.00/hour", "$0.002", "$0.06", "$30 per million",
                   "$50K", "$5K", "3-12x"):
        assert figure in drafts, figure


def test_cards_teach_one_thing_each(model_deck):
    """Issue 9's "done when": no front shared by different backs, no answer over 60 words."""
    backs: dict[str, set[str]] = {}
    for card in cards_for_deck(model_deck):
        backs.setdefault(card.front, set()).add(card.back)
        assert count_words(card.back) <= MAX_WORDS, card.id
    assert all(len(b) == 1 for b in backs.values())


def test_lint_strict_with_the_drafts_is_clean(lessons_dir):
    """Issue 20's "done when": `flash lint --strict --sources ../shared/lessons/*.txt`, every check blocking."""
    from click.testing import CliRunner

    from flashcards.cli import cli
    from flashcards.lint import ADVISORY

    assert ADVISORY == frozenset()
    drafts = sorted(str(p) for p in lessons_dir.glob("*.txt"))
    assert len(drafts) == 3
    result = CliRunner().invoke(cli, ["lint", "--strict", "--sources", *drafts, "--", str(DECK_PATH)])
    assert result.exit_code == 0, result.output
    assert result.output == "OK: no findings in 1 deck.\n"
    # the deck's own `sources:` list reaches the same drafts from the deck file
    assert lint_decks([load_deck(DECK_PATH)]) == []


def test_flash_cards_json_shows_one_answer_per_question_and_short_answers(tmp_path):
    import json

    from click.testing import CliRunner

    from flashcards.cli import cli

    db = str(tmp_path / "flash.db")
    assert CliRunner().invoke(cli, ["import", "--db", db, "--today", "2026-12-01"]).exit_code == 0
    result = CliRunner().invoke(cli, ["cards", "--json", "--db", db, "--today", "2026-12-01"])
    assert result.exit_code == 0, result.output
    live = [c for c in json.loads(result.output) if not c["retired"]]
    assert len(live) == len(cards_for_deck(load_deck(DECK_PATH)))
    backs: dict[str, set[str]] = {}
    for card in live:
        backs.setdefault(card["front"], set()).add(card["back"])
    assert [f for f, b in backs.items() if len(b) > 1] == []
    assert max(count_words(c["back"]) for c in live) <= MAX_WORDS


def test_claims_of_one_draft_are_not_stated_as_all_three():
    """Issue 20: a claim only one draft makes (and another contradicts) lives in the note, never the card."""
    deck = yaml.safe_load(DECK_PATH.read_text(encoding="utf-8"))
    fine_tuning = by_id(deck, "terms", "fine-tuning-a")
    assert "new facts" not in fine_tuning["what_it_does"] and "retrieval" not in fine_tuning["what_it_does"]
    assert all(f"draft {d}" in fine_tuning["note"] for d in "ABC")
    like_training = by_id(deck, "phrases", "dont-say-fine-tuning-is-like-training")  # draft C's row
    assert "new facts" not in like_training["do_say"] and "new facts" in like_training["note"]
    assert "Drafts A and" in like_training["note"]
    for entry_id in ("dont-say-fine-tuning-is-cheap", "dont-say-training-takes-months"):
        note = by_id(deck, "phrases", entry_id)["note"]  # draft A's "hours to days"; C's minutes to hours
        assert "draft C" in note and "minutes to hours" in note, entry_id
    # a dataset size: draft A's hundreds to thousands against draft C's 10 and 50-100, both in the note
    dataset = by_id(deck, "terms", "fine-tuning-dataset")
    assert not re.search(r"\d", dataset["definition"]) and "hundreds to thousands" in dataset["note"]
    assert "50-100" in dataset["note"]


def test_the_coverage_table_names_every_entry():
    """docs/lesson-04-coverage.md maps each draft section to entries: every id it names exists, and
    every entry is named."""
    table = (DECK_PATH.parent.parent / "docs" / "lesson-04-coverage.md").read_text(encoding="utf-8")
    ids = {entry["id"] for _, entry in all_entries(yaml.safe_load(DECK_PATH.read_text(encoding="utf-8")))}
    named = set(re.findall(r"`([a-z0-9][a-z0-9-]+)`", table))
    assert ids <= named
    assert {n for n in named if n in ids or n.startswith(("dont-say-", "buyer-", "analog-"))} <= ids
    for draft in "ABC":
        assert f"## Draft {draft}" in table
