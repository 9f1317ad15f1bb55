"""The lesson builder (flashcards.build): the three Lesson 4 drafts and a Markdown lesson."""

import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashcards.build import build_deck, deck_to_yaml, draft_header, slugify
from flashcards.decks import ID_PATTERN, parse_deck
from flashcards.errors import FlashcardsError
from flashcards.model import Deck

MARKDOWN_LESSON = Path(__file__).parent / "fixtures" / "lesson_markdown.md"

DRAFTS = {
    "a": "000_ea2d161741e671bb.txt",
    "b": "001_2d772e7efe63da85.txt",
    "c": "002_449303623b101930.txt",
}
REGIMES = ["Pre-Training", "Fine-Tuning", "Inference"]
TERM_FIELDS = ("definition", "what_it_does", "whos_behind_it", "what_makes_it_distinct")
NO_TITLE = "no title found"


@pytest.fixture(scope="session")
def draft(lessons_dir):
    return lambda key: lessons_dir / DRAFTS[key]


@pytest.fixture(scope="session")
def built(draft):
    return {key: build_deck([draft(key)]) for key in DRAFTS}


@pytest.fixture(scope="session")
def markdown():
    return build_deck([MARKDOWN_LESSON])


def by_id(entries, entry_id):
    matches = [e for e in entries if e.id == entry_id]
    assert len(matches) == 1, (entry_id, [e.id for e in entries])
    return matches[0]


def notes(result):
    return [(s.line, s.reason) for s in result.skipped]


def without_lines(deck: Deck) -> Deck:
    return replace(
        deck,
        terms=tuple(replace(e, line=0) for e in deck.terms),
        phrases=tuple(replace(e, line=0) for e in deck.phrases),
        analogs=tuple(replace(e, line=0) for e in deck.analogs),
    )


# -- the three drafts ----------------------------------------------------------


@pytest.mark.parametrize("key, terms, phrases, analogs", [
    ("a", 3, 10, 3), ("b", 3, 12, 1), ("c", 3, 10, 3),
])
def test_counts_per_draft(built, key, terms, phrases, analogs):
    result = built[key]
    assert (result.terms, result.phrases, result.analogs) == (terms, phrases, analogs)
    summary = result.lessons[0]
    assert (summary.terms, summary.phrases, summary.analogs) == (terms, phrases, analogs)


@pytest.mark.parametrize("key", DRAFTS)
def test_every_regime_has_its_four_fields(built, key):
    terms = built[key].deck.terms
    assert [t.term for t in terms] == REGIMES
    assert [t.id for t in terms] == ["pre-training", "fine-tuning", "inference"]
    for term in terms:
        for name in TERM_FIELDS:
            assert getattr(term, name), (key, term.term, name)


@pytest.mark.parametrize("key", DRAFTS)
def test_every_entry_names_its_lesson_file(built, key):
    result = built[key]
    assert result.deck.source == DRAFTS[key]
    assert {e.source for e in result.deck.entries} == {DRAFTS[key]}


def test_term_texts(built):
    pre_a = by_id(built["a"].deck.terms, "pre-training")
    assert pre_a.definition == (
        "Building a large language model from scratch by exposing it to massive amounts of text "
        "data until it learns the statistical patterns of language, reasoning, and general "
        "knowledge."
    )
    assert pre_a.whos_behind_it.startswith("OpenAI, Google DeepMind, Anthropic, Meta, Mistral")
    assert pre_a.whos_behind_it.endswith("Pre-training is vendor territory, full stop.")

    inference_b = by_id(built["b"].deck.terms, "inference")
    assert inference_b.definition == (
        "Running the model to generate a response to a specific input, one call, one output.")
    assert inference_b.whos_behind_it.startswith("Whoever operates the deployment.")

    # Draft C's "What it does" for fine-tuning runs on for a second, unlabelled paragraph.
    fine_c = by_id(built["c"].deck.terms, "fine-tuning")
    first, second = fine_c.what_it_does.split("\n\n")
    assert first.startswith("Fine-tuning changes how the model responds")
    assert second.startswith("You prepare a dataset of example inputs and desired outputs.")
    assert second.endswith(
        "Plan for 3-10 training runs to iterate toward the output quality you need.")
    assert fine_c.whos_behind_it.startswith("Enterprise teams working through vendor APIs.")


def test_phrase_texts(built):
    row = by_id(built["a"].deck.phrases, "dont-say-thats-not-really-training")
    assert row.dont_say == "That's not really training, that's fine-tuning."
    assert row.do_say == (
        "When you say train it, are you thinking about how it responds, or what it knows?")
    assert row.why == (
        "Correcting the term loses the room; the question surfaces the actual requirement.")
    last = built["a"].deck.phrases[-1]
    assert last.dont_say == "The model learns from your users over time."

    # Draft B's "Don't say" column holds what the buyer says: each row is a buyer line.
    row = by_id(built["b"].deck.phrases, "buyer-we-own-the-model")
    assert (row.buyer_says, row.dont_say) == ("We own the model", None)
    assert row.do_say == (
        "You'd own the fine-tuned weights; the base model underneath is licensed, not owned")
    assert row.why.startswith("Partial ownership is the accurate framing")
    assert built["b"].deck.phrases[-1].buyer_says == "We need it to be accurate about our data"

    row = by_id(built["c"].deck.phrases, "dont-say-fine-tuning-is-expensive")
    assert row.do_say.startswith("A fine-tuning project typically runs a few thousand dollars")
    assert built["c"].deck.phrases[0].dont_say == "You'd need to train a model for that."


@pytest.mark.parametrize("key", DRAFTS)
def test_phrases_lose_their_surrounding_quotes(built, key):
    for row in built[key].deck.phrases:
        for text in (row.dont_say or row.buyer_says, row.do_say, row.why):
            assert not (text.startswith('"') and text.endswith('"')), text


def test_draft_a_analogs(built):
    tenant, events, idp = built["a"].deck.analogs
    # the comparison sentence names both sides; what it says after the analog is where it holds
    assert tenant.concept == "Fine-tuning"
    assert tenant.analog == "Tenant-level policy configuration in Okta"
    assert tenant.id == "analog-fine-tuning-tenant-specific-policy-configuration"  # from the heading
    assert tenant.holds == (
        "You're taking a base capability and adjusting its behavior for a specific context without "
        "rebuilding the engine underneath. For explaining customization to a buyer.")
    assert tenant.breaks.startswith("When you push it too far: policy configuration doesn't change")
    assert tenant.breaks.endswith("you're running a new process).")

    assert (events.concept, events.analog) == ("Inference cost", "How Okta bills for authentication events")
    assert events.holds.startswith("Per transaction, scaling with usage,")
    assert events.holds.endswith("already understand MAU or MFA transaction pricing.")
    assert events.breaks.startswith("Authentication events are largely stateless")  # "Where it breaks:" dropped

    assert (idp.concept, idp.analog) == ("Pre-training", "Building your own identity provider from scratch")
    assert idp.holds.startswith("Nobody does it unless they have a very specific reason")
    assert idp.breaks is None


def test_draft_a_says_building_your_own_idp_has_no_breaking_point(built):
    assert (30, "analog 'Building Your Own IdP' states no breaking point") in notes(built["a"])


def test_draft_b_concept_mapping_is_one_analog_for_all_three_regimes(built):
    (mapping,) = built["b"].deck.analogs
    assert mapping.concept == "Pre-Training, Fine-Tuning and Inference"
    assert mapping.analog == "The directory schema"
    assert mapping.holds.startswith("Pre-training built the base schema")  # the comparison is not copied
    assert "Inference is the lookup" in mapping.holds
    assert mapping.holds.endswith("per-millisecond. For data flow and cost structure.")
    assert mapping.breaks.startswith("For behavioral impact, and that's the part that matters")
    assert "adding custom attributes to the schema doesn't change" in mapping.breaks


def test_draft_c_inline_analogs(built):
    policies, abac, trust = built["c"].deck.analogs
    assert policies.concept == "Fine-tuning a model"
    assert policies.analog == "Writing custom authentication policies in your IdP"
    assert policies.holds == ("Both take a general-purpose system and encode your organization's "
                              "specific behavioral requirements.")
    assert policies.breaks.startswith("On reversibility: you can delete a conditional access policy")

    assert (abac.concept, abac.analog) == ("RAG at inference time", "An ABAC attribute lookup")
    assert abac.holds == ("The system queries an external data source at decision time rather than "
                          "relying on static rules baked into the policy engine. On architecture.")
    assert abac.breaks.startswith("On authorization: an ABAC lookup is governed by a PDP")

    assert trust.concept == "A model's weights"
    assert trust.analog == "The trust store in a federation architecture"
    assert trust.holds.startswith("Pre-training builds the trust store from scratch.")
    assert trust.holds.endswith("never writes to it. On the read/write distinction.")
    assert trust.breaks.startswith("On auditability: modifying a trust store")


@pytest.mark.parametrize("key", DRAFTS)
def test_analog_points_lose_their_labels(built, key):
    """No holds or breaks text starts with "It breaks ..." / "The analogy holds ..." or repeats
    the comparison sentence that names the analog."""
    label = re.compile(r"^(?:It|This|The analog(?:y|ue)?) (?:holds|breaks)\b|^Where it (?:holds|breaks)")
    for analog in built[key].deck.analogs:
        for text in filter(None, (analog.holds, analog.breaks)):
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                assert not label.match(sentence), (analog.id, sentence)
            assert analog.analog.lower() not in text.lower(), (analog.id, text)


def test_what_each_draft_reports_as_skipped(built, lessons_dir):
    a, b, c = (notes(built[key]) for key in DRAFTS)
    assert [line for line, _ in a] == [0, 30]
    assert [line for line, _ in b] == [0, 32]
    assert dict(b)[32] == (
        "12 of the table's 12 rows under 'Don't say' read as the buyer's line (our/we want/a question, "
        "not said to 'you'): written as buyer_says, check them (lines " + ", ".join(map(str, range(34, 46))) + ")")
    assert [line for line, _ in c] == [0, 14, 30]
    assert all(NO_TITLE in reason for line, reason in a + b + c if line == 0)
    assert "paragraph after the fields of 'Fine-Tuning'" in dict(c)[14]
    assert "not a phrase table" in dict(c)[30] and "3 rows" in dict(c)[30]
    assert all(s.path == str(lessons_dir / DRAFTS["c"]) for s in built["c"].skipped)


# Each draft's prose that no entry uses, one note per section at its heading's line: (line, the
# paragraphs' lines, whether part of the section is used).
UNUSED = {
    "a": [(1, [1], False), (21, [22], False), (23, [24], False), (25, [26, 27], False), (28, [29], False),
          (33, [33], True), (46, [47, 48, 49, 50], False)],
    "b": [(1, [1], False), (2, [3], False), (19, [20], False), (21, [22], False), (23, [24], False),
          (25, [26, 27, 28, 29, 30], False)],
    "c": [(1, [1, 2], False), (22, [23], False), (24, [25, 26, 27, 28], False), (35, [35], True),
          (36, [37, 38, 39], False), (41, [41, 42, 43, 44], True), (59, [59, 60, 61, 62, 63, 64], True)],
}


@pytest.mark.parametrize("key", DRAFTS)
def test_each_draft_reports_the_prose_no_entry_uses(built, key, lessons_dir):
    result = built[key]
    found = []
    for note in result.unused:
        assert note.path == str(lessons_dir / DRAFTS[key])
        lines = [int(n) for n in re.search(r"lines? ([\d, ]+)\)", note.reason)[1].split(", ")]
        found.append((note.line, lines, note.reason.endswith(")")))
        assert note.reason.startswith(("text before the first heading", "section '")), note.reason
    assert found == UNUSED[key]
    assert result.lessons[0].unused == len(UNUSED[key])


def test_unused_section_note_text(built):
    a = {s.line: s.reason for s in built["a"].unused}
    assert a[46] == "section 'What to Hold Onto' (4 paragraphs, lines 47, 48, 49, 50): no entry uses it"
    assert a[33] == "section 'How to Say This in the Field': 1 paragraph no entry uses (line 33)"


def test_untitled_draft_is_named_after_its_file(built):
    deck = built["a"].deck
    assert deck.name == "000_ea2d161741e671bb"
    assert deck.id == "000-ea2d161741e671bb"


def test_id_and_name_override(draft):
    result = build_deck([draft("a")], deck_id="lesson-04-a", name="Lesson 4, draft A")
    assert (result.deck.id, result.deck.name) == ("lesson-04-a", "Lesson 4, draft A")
    assert not any(NO_TITLE in s.reason for s in result.skipped)
    assert build_deck([draft("a")], name="Lesson 4: The Regimes").deck.id == "lesson-4-the-regimes"
    with pytest.raises(FlashcardsError, match="not a valid id"):
        build_deck([draft("a")], deck_id="Lesson 4")


def test_all_ids_are_valid_and_unique(built, markdown):
    for result in [*built.values(), markdown]:
        ids = [e.id for e in result.deck.entries]
        assert len(ids) == len(set(ids))
        assert all(ID_PATTERN.match(i) for i in ids)


# -- several lessons -----------------------------------------------------------


def test_three_drafts_merge_into_one_deck(draft):
    result = build_deck([draft(k) for k in DRAFTS])
    assert (result.terms, result.phrases, result.analogs) == (9, 32, 7)
    assert sum(1 for p in result.deck.phrases if p.buyer_says) == 12
    assert len(result.unused) == sum(len(v) for v in UNUSED.values())
    assert result.duplicates_merged == 0
    assert [s.path for s in result.lessons] == [str(draft(k)) for k in DRAFTS]
    assert result.deck.source == ", ".join(DRAFTS.values())
    pre = [t for t in result.deck.terms if t.term == "Pre-Training"]
    assert [t.source for t in pre] == list(DRAFTS.values())
    assert pre[0].id == "pre-training"
    assert all(re.fullmatch(r"pre-training-[0-9a-f]{6}", t.id) for t in pre[1:])
    # the per-draft notes are all kept, in lesson order
    assert [(s.path, s.line) for s in result.skipped] == [
        (str(draft("a")), 0), (str(draft("a")), 30), (str(draft("b")), 32), (str(draft("c")), 14),
        (str(draft("c")), 30),
    ]


LESSON_ONE = """\
# Lesson 9: Tokens

Token
What it is: A piece of a word that a model reads and writes.
What it does: Sets the unit that inference is billed in.

| Don't say | Do say | Why it matters |
|---|---|---|
| "Tokens are words." | "A token is a piece of a word." | Keeps estimates honest. |
| "Tokens are free." | "Every token in and out is billed." | Budgets follow usage. |
"""

LESSON_TWO = """\
# Lesson 9: Tokens (second pass)

Token
What it is: A piece of a word that a model reads and writes.
What it does: Sets the unit that inference is billed in.

Context window
What it is: How many tokens the model can read at once.

| Don't say | Do say | Why it matters |
|---|---|---|
| "Tokens are words." | "A token is a piece of a word." | Keeps estimates honest. |
| "Tokens are free." | "Input and output tokens are both billed." | Budgets follow usage. |
"""


def test_exact_duplicates_merge_across_lessons(tmp_path):
    one, two = tmp_path / "one.md", tmp_path / "two.md"
    one.write_text(LESSON_ONE, encoding="utf-8")
    two.write_text(LESSON_TWO, encoding="utf-8")
    result = build_deck([one, two])
    assert result.duplicates_merged == 2  # the Token term and the "Tokens are words." row
    assert result.deck.name == "Lesson 9: Tokens"
    assert [(t.id, t.source) for t in result.deck.terms] == [
        ("token", "one.md, two.md"), ("context-window", "two.md"),
    ]
    assert [(p.dont_say, p.source) for p in result.deck.phrases] == [
        ("Tokens are words.", "one.md, two.md"),
        ("Tokens are free.", "one.md"),
        ("Tokens are free.", "two.md"),
    ]
    free_one, free_two = result.deck.phrases[1:]
    assert free_one.id == "dont-say-tokens-are-free"
    assert free_two.id.startswith("dont-say-tokens-are-free-") and free_two.id != free_one.id
    assert [(s.terms, s.phrases) for s in result.lessons] == [(1, 2), (2, 2)]


def test_the_same_lesson_twice_merges_completely(tmp_path):
    copy = tmp_path / "copy.md"
    copy.write_text(MARKDOWN_LESSON.read_text(encoding="utf-8"), encoding="utf-8")
    once = build_deck([MARKDOWN_LESSON])
    twice = build_deck([MARKDOWN_LESSON, copy])
    assert twice.duplicates_merged == len(once.deck.entries)
    assert [e.id for e in twice.deck.entries] == [e.id for e in once.deck.entries]
    assert {e.source for e in twice.deck.entries} == {"lesson_markdown.md, copy.md"}


# -- ids stay stable when text is edited -----------------------------------------


def test_ids_stable_when_draft_text_is_edited(tmp_path, draft):
    text = draft("a").read_text(encoding="utf-8")
    lesson = tmp_path / DRAFTS["a"]
    lesson.write_text(text, encoding="utf-8")
    before = build_deck([lesson])

    edited = (
        text.replace("using a smaller, domain-specific dataset, so the model behaves differently",
                     "using a small, task-specific dataset")
        .replace("Reframes the conversation without making the buyer feel naive.",
                 "Keeps the buyer on side.")
        .replace("needs to know about context windows, not just transaction volume.",
                 "needs context windows.")
    )
    assert edited.count("task-specific") == 1 and "Keeps the buyer on side." in edited
    lesson.write_text(edited, encoding="utf-8")
    after = build_deck([lesson])

    assert [e.id for e in after.deck.entries] == [e.id for e in before.deck.entries]
    fine_tuning = by_id(after.deck.terms, "fine-tuning")
    assert "using a small, task-specific dataset" in fine_tuning.definition
    assert by_id(after.deck.phrases, "dont-say-pre-training-is-way-too").why == (
        "Keeps the buyer on side.")
    assert by_id(after.deck.analogs, "analog-inference-cost-authentication-events").breaks.endswith(
        "needs context windows.")


def test_merged_ids_stable_when_text_is_edited(tmp_path, draft):
    paths = []
    for key in DRAFTS:
        path = tmp_path / DRAFTS[key]
        path.write_text(draft(key).read_text(encoding="utf-8"), encoding="utf-8")
        paths.append(path)
    before = [e.id for e in build_deck(paths).deck.entries]
    text = paths[1].read_text(encoding="utf-8")
    edited = text.replace("by training on internet-scale text and data", "from web-scale data")
    assert edited != text
    paths[1].write_text(edited, encoding="utf-8")
    assert [e.id for e in build_deck(paths).deck.entries] == before


# -- a lesson written differently -------------------------------------------------


def test_markdown_lesson_title_and_counts(markdown):
    assert markdown.deck.name == "Lesson 7: Passwordless sign-in"
    assert markdown.deck.id == "lesson-7-passwordless-sign-in"
    assert (markdown.terms, markdown.phrases, markdown.analogs) == (3, 4, 2)
    assert markdown.lessons[0].title == "Lesson 7: Passwordless sign-in"


def test_markdown_lesson_terms(markdown):
    passkey, device_bound, synced = markdown.deck.terms
    assert passkey.term == "Passkey"
    # bold labels, a curly apostrophe in "Who’s behind it", "What sets it apart", hard-wrapped lines
    assert passkey.definition == (
        "A FIDO2 credential made of a key pair: the private key stays on the user\u2019s device "
        "and the website only ever sees the public key."
    )
    assert passkey.whos_behind_it.startswith("The FIDO Alliance and the W3C")
    assert passkey.what_makes_it_distinct.startswith("It cannot be phished.")

    # list items: "What is it?", "**What it does**:", "**Who's behind it** —",
    # and a plain "What makes it different:"
    assert device_bound.term == "Device-bound credential"
    assert device_bound.definition == "A passkey that never leaves the hardware it was created on."
    assert device_bound.what_it_does.endswith("so it cannot be synced, exported or copied.")
    assert device_bound.whos_behind_it.startswith("Security-key makers such as Yubico")
    assert device_bound.what_makes_it_distinct.endswith("the key provably stays on one device.")
    assert "$25" not in " ".join(filter(None, (getattr(device_bound, f) for f in TERM_FIELDS)))

    # labels as sub-headings, text on the lines below; absent fields stay absent
    assert synced.definition.startswith("A passkey whose private key is end-to-end encrypted")
    assert synced.what_it_does == "Lets a user sign in on a new phone without enrolling again."
    assert synced.whos_behind_it is None and synced.what_makes_it_distinct is None


def test_markdown_lesson_phrases(markdown):
    first, second, third, pipe = markdown.deck.phrases
    assert first.dont_say == "Passkeys are just passwords on your phone."  # curly quotes removed
    assert first.do_say == "A passkey is a key pair; nothing secret ever leaves the device."
    assert first.why == "Buyers who think it\u2019s a stored password will ask how it is protected."
    assert second.dont_say == "We can go passwordless tomorrow."  # straight quotes removed
    assert third.id == "dont-say-biometrics-are-sent-to"
    assert pipe.dont_say == "Use SMS | email as a backup."  # an escaped pipe inside a cell


def test_markdown_lesson_analogs(markdown):
    device, fastpass = markdown.deck.analogs
    # the comparison sentence gives both sides; the heading's title only the id
    assert device.concept == "A device-bound credential"
    assert device.analog == "An Okta device assurance policy"
    assert device.id == "analog-device-bound-credential-device-assurance-policies"
    assert device.holds == "Both tie access to a specific, trusted device. For explaining why the device matters."
    assert device.breaks.startswith("On recovery: a device assurance policy")  # the heading's second paragraph

    assert fastpass.concept == "A synced passkey"
    assert fastpass.analog == "Okta FastPass on every device a user owns"
    assert fastpass.holds == "One enrolment, many devices."
    assert fastpass.breaks.startswith("On control, because the sync runs through Apple or Google")
    # "A passkey is the digital equivalent of a smart card ..." is only the comparison: reported


def test_markdown_lesson_reports_what_it_cannot_place(markdown):
    assert notes(markdown) == [
        (20, "paragraph after the fields of 'Passkey' is not a labelled field; not used"),
        (27, "unrecognised field 'What it costs' under 'Device-bound credential'; not used"),
        (57, "analog 'A smart card you can\u2019t lose in a parking lot' says neither where it holds "
             "nor where it breaks (only what is compared with what); not used"),
        (59, "mentions an analogy but no sentence says what is compared with what "
             "(e.g. 'X is analogous to Y'); not used"),
        (69, "phrase row has no 'Why it matters' text; not used"),
        (71, "table: not a phrase table (no 'Don't say' and 'Do say' columns); its 1 row not used"),
    ]


@pytest.mark.parametrize("text, title", [
    ("# Lesson 3: RAG\n\nIntro.\n", "Lesson 3: RAG"),
    ("Passkeys for buyers\n\nIntro paragraph that runs on.\n", "Passkeys for buyers"),
    ("An intro sentence, clearly a paragraph.\n\nLesson 12: Federation\n\nMore.\n",
     "Lesson 12: Federation"),
    ("Title line\n==========\n\nIntro.\n", "Title line"),
])
def test_title_sources(tmp_path, text, title):
    lesson = tmp_path / "lesson.md"
    lesson.write_text(text + "\nTerm\nWhat it is: A thing.\n", encoding="utf-8")
    result = build_deck([lesson])
    assert result.deck.name == title
    assert result.deck.id == slugify(title)


def test_small_cases_are_reported_not_dropped(tmp_path):
    lesson = tmp_path / "small.md"
    lesson.write_text(
        "What it is: A field with no heading above it.\n"
        "\n"
        "## Orphan\n"
        "What it does: Has no definition.\n"
        "\n"
        "## Twice\n"
        "What it is: First.\n"
        "What it is: Second.\n"
        "\n"
        "| Don't say | Do say |\n"
        "|---|---|\n"
        "| a | b |\n"
        "\n"
        "| Don't say | Do say | Why |\n"
        "|---|---|---|\n"
        "| \"x\" |  | because |\n",
        encoding="utf-8",
    )
    result = build_deck([lesson], deck_id="small", name="Small")
    assert [t.definition for t in result.deck.terms] == ["First."]
    assert not result.deck.phrases
    assert notes(result) == [
        (1, "'What it is' field is not under a heading naming a concept; not used"),
        (3, "term 'Orphan' has no 'What it is' field (a term needs a definition); not used"),
        (8, "second 'What it is' field under 'Twice' (first at line 7); not used"),
        (10, "phrase table has no 'Why it matters' column (a phrase needs one); "
             "its 1 row not used"),
        (16, "phrase row has no 'Do say' text; not used"),
    ]


ANALOG_CASES = """\
# Lesson 8: Analogies

## Passkey

**What it is:** A key pair bound to one site.

### Okta analog: FastPass

It works like Okta FastPass on a managed laptop. The analogy breaks on enrolment.

### IdP analog: Sessions

Session tokens and passkeys both prove who you are without a password.
It breaks on lifetime: a session expires, a passkey does not.

**Bold heading line**

Several analogies:

## Okta analogs

Tokens are analogous to API calls. The analog breaks on output pricing.

A context window is analogous to a session. The analog holds on size limits.

## Loose ends

Retrieval is like a directory lookup.

That is the analogy we use in the field.

The analogies in this lesson are all Okta ones.
"""


def test_analogs_in_markdown_sections(tmp_path):
    lesson = tmp_path / "analogs.md"
    lesson.write_text(ANALOG_CASES, encoding="utf-8")
    result = build_deck([lesson])
    found = [(a.concept, a.analog, a.holds, a.breaks) for a in result.deck.analogs]
    assert found == [
        # "It works like ...": the pronoun is the term above; the sentence names the analog
        ("Passkey", "Okta FastPass on a managed laptop", None, "On enrolment."),
        # no sentence names the concept, but the heading sits under the Passkey term
        ("Passkey", "Sessions",
         "Session tokens and passkeys both prove who you are without a password.",
         "On lifetime: a session expires, a passkey does not."),
        # a section of several analogies: one entry each
        ("Tokens", "API calls", None, "On output pricing."),
        ("A context window", "A session", "On size limits.", None),
    ]
    assert notes(result) == [
        (7, "analog 'FastPass' states no point where it holds"),
        (22, "analog 'API calls' states no point where it holds"),
        (24, "analog 'A session' states no breaking point"),
        (30, "mentions an analogy but no sentence says what is compared with what "
             "(e.g. 'X is analogous to Y'); not used"),
    ]
    assert [(s.line, s.reason) for s in result.unused] == [
        (16, "section 'Bold heading line' (1 paragraph, line 18): no entry uses it"),
        (28, "section 'Loose ends': 2 paragraphs no entry uses (lines 28, 32)"),
    ]
    # "Retrieval is like a directory lookup." says neither where it holds nor breaks: not an analogy
    assert not any("Retrieval" in a.concept for a in result.deck.analogs)


def test_bare_line_lesson_without_blank_lines(tmp_path):
    lesson = tmp_path / "bare.txt"
    lesson.write_text(
        "Lesson 2: Tokens\n"
        "Token\n"
        "What it is: A piece of a word.\n"
        "Who\u2019s behind it: Every model vendor.\n"
        "A second paragraph that is not labelled and comes last.\n"
        "Okta Analog: MAU pricing\n"
        "Tokens map to monthly active users. The analogy holds for budgeting. "
        "It breaks on output tokens, which cost more.\n",
        encoding="utf-8",
    )
    result = build_deck([lesson])
    assert result.deck.name == "Lesson 2: Tokens"
    (term,) = result.deck.terms
    assert (term.term, term.definition, term.whos_behind_it) == (
        "Token", "A piece of a word.", "Every model vendor.")
    (analog,) = result.deck.analogs
    assert (analog.concept, analog.analog) == ("Tokens", "Monthly active users")
    assert analog.holds == "For budgeting."
    assert analog.breaks == "On output tokens, which cost more."
    assert notes(result) == [
        (5, "paragraph after the fields of 'Token' is not a labelled field; not used")]


def test_control_characters_are_removed_and_reported(tmp_path):
    lesson = tmp_path / "ctrl.md"
    lesson.write_text("# Lesson 1: Bells\n\n## Bell\n\nWhat it is: A ring\x07ing thing.\x1b\n",
                      encoding="utf-8")
    result = build_deck([lesson])
    assert result.deck.terms[0].definition == "A ringing thing."
    assert notes(result) == [(5, "removed 2 control characters (a deck cannot hold them)")]


def test_unreadable_lesson_is_an_error(tmp_path):
    lesson = tmp_path / "latin1.txt"
    lesson.write_bytes("Caf\xe9\nWhat it is: x\n".encode("latin-1"))
    with pytest.raises(FlashcardsError, match="not UTF-8"):
        build_deck([lesson])
    with pytest.raises(FlashcardsError, match="no lesson files"):
        build_deck([])


# -- writing YAML --------------------------------------------------------------------


@pytest.mark.parametrize("which", ["a", "b", "c", "markdown", "all"])
def test_yaml_round_trips_to_an_equal_deck(built, markdown, draft, which):
    if which == "markdown":
        result = markdown
    elif which == "all":
        result = build_deck([draft(k) for k in DRAFTS])
    else:
        result = built[which]
    text = deck_to_yaml(result.deck, header=draft_header(result))
    parsed, problems = parse_deck(text, "built.yaml")
    assert problems == []
    assert without_lines(parsed) == without_lines(result.deck)
    assert yaml.safe_load(text)["id"] == result.deck.id


def test_yaml_layout(built):
    deck = built["a"].deck
    deck = replace(deck, tags=("lesson-04", "draft"),
                   terms=(replace(deck.terms[0], tags=("regime",)),) + deck.terms[1:])
    text = deck_to_yaml(deck, header="Built for a test\nsecond line")
    assert text.startswith("# Built for a test\n# second line\nid: 000-ea2d161741e671bb\nname: ")
    data = yaml.safe_load(text)
    assert list(data) == ["id", "name", "source", "tags", "terms", "phrases", "analogs"]
    assert list(data["terms"][0]) == ["id", "term", "definition", "what_it_does", "whos_behind_it",
                                      "what_makes_it_distinct", "tags", "source"]
    # uses: the terms an entry's text names (the builder fills it in), after tags
    assert list(data["phrases"][0]) == ["id", "dont_say", "do_say", "why", "uses", "source"]
    assert list(data["analogs"][0]) == ["id", "concept", "analog", "holds", "breaks", "uses", "source"]
    assert "    uses: [fine-tuning]\n" in text
    assert "tags: [lesson-04, draft]\n" in text and "    tags: [regime]\n" in text
    assert ("\n  - id: pre-training\n    term: Pre-Training\n"
            "    definition: >-\n      Building a large") in text
    assert "\n\n  - id: dont-say-pre-training-is-way-too\n" in text  # a blank line between entries
    parsed, problems = parse_deck(text)
    assert problems == [] and without_lines(parsed) == without_lines(deck)


def test_draft_header_lists_the_skipped_notes(built, lessons_dir):
    header = draft_header(built["a"])
    assert DRAFTS["a"] in header.splitlines()[0]
    path = lessons_dir / DRAFTS["a"]
    note = f"  {path}:30: analog 'Building Your Own IdP' states no breaking point"
    assert note in header.splitlines()


def test_slugify():
    assert slugify("That's not really training, that's fine-tuning.", max_words=4) == (
        "thats-not-really-training")
    assert slugify("Lesson 4: Pre-training, fine-tuning and inference") == (
        "lesson-4-pre-training-fine-tuning-and-inference")
    assert slugify("The trust store in a federation", drop_stop_words=True) == (
        "trust-store-federation")
    assert slugify("Who\u2019s behind it") == "whos-behind-it"
    assert slugify("a" * 10 + " " + "b" * 70, max_chars=60) == "a" * 10


# -- whatever the lesson, the draft validates ---------------------------------------

LESSON_LINES = st.sampled_from([
    "", "", "# Lesson 5: Hosting", "## Regions", "Data residency", "Okta Analog: Tenants",
    "### Okta analog: Cells", "Okta Concept Mapping", "What it is: A place models run.",
    "**What it does:** Serves requests.", "- **Who’s behind it** — Cloud providers.",
    "What makes it distinct: It is “regional”.", "What it costs: a lot", "### What it is",
    "Hosting is analogous to a tenant cell. The analog breaks on scale.",
    "It works like a cell. It breaks on failover.", "The analogy holds for isolation.",
    "| Don't say | Do say | Why it matters |", "|---|---|---|", "| \"a\" | “b” | c |",
    "| x | | y |", "| only one cell |", "Plain prose, nothing more.", "null", "- yes", "'quoted'",
    ">- folded", "id: not-a-key", "  indented line", "\\| escaped", "***", "=====", "---",
])


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(LESSON_LINES, max_size=30), words=st.text(max_size=40))
def test_any_lesson_builds_a_deck_that_validates(tmp_path, lines, words):
    lesson = tmp_path / "any.md"
    lesson.write_text("\n".join(lines + [words]), encoding="utf-8")
    result = build_deck([lesson], deck_id="any", name="Any")
    text = deck_to_yaml(result.deck, header=draft_header(result))
    parsed, problems = parse_deck(text, "any.yaml")
    assert problems == []
    assert without_lines(parsed) == without_lines(result.deck)
