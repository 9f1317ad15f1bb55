"""flash lint's checks from issue 20: ungrounded figures, interference, part-leaks, one fact
per card, the speaker of a phrase row; one finding per planted problem, with its line."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from flashcards.cli import cli
from flashcards.decks import load_deck, parse_deck
from flashcards.lint import lint_decks

DRAFT_A = """\
Hosting a tuned model costs $1.70 an hour on Azure, whether it handles requests or not.
NIST AI 600-1 is the profile a compliance team works from.
Fine-tuning jobs run for minutes to hours.
"""
DRAFT_B = "A fine-tuning project costs about $5,000 and takes days to weeks.\n"

# Every problem below is planted once; EXPECTED gives the line lint must name.
PLANTED = """\
id: planted
name: New checks
sources:
  - label: Draft A
    path: a.txt
  - label: Drafts A and B
    path: [a.txt, b.txt]
terms:
  - id: hosting-fee
    term: Hosting fee
    definition: The hourly charge for a deployed model, billed whether it handles requests or not.
    what_makes_it_distinct: It is $1.70 an hour on Azure.
    source: Draft A
  - id: project-cost
    term: Project cost
    definition: What a whole tuning effort takes, people included.
    what_makes_it_distinct: About $5K for a project.
    source: Draft A
  - id: nist-ai-600-1
    term: NIST AI 600-1
    definition: NIST's profile that compliance teams work from.
    source: Draft A
  - id: tuning-job
    term: Tuning job
    definition: One run that adjusts a copy of the weights.
    what_it_does: It adjusts the weights. It runs for minutes to hours.
    source: Draft A
phrases:
  - id: ask-first
    dont_say: That is not really training.
    do_say: Ask whether they mean how the model responds or what the model knows right now.
    why: The question surfaces the requirement.
    source: Drafts A and B
  - id: ask-again
    dont_say: Pre-training is out of reach for you.
    do_say: Ask whether they mean how the model responds or what documents it reads at request time.
    why: It keeps the buyer talking.
    source: Drafts A and B
  - id: buyer-voice
    dont_say: Can we retrain it every week?
    do_say: Retrieval keeps answers current without retraining.
    why: Retraining for freshness is slow.
    source: Drafts A and B
analogs:
  - id: policy
    concept: Fine-tuning
    analog: Tenant policy configuration
    holds: It shapes tone, format and terminology for one tenant.
    source: Drafts A and B
"""

EXPECTED = [
    (17, "ungrounded", "project-cost"),  # $5K: only draft B has $5,000, and the entry cites draft A
    (21, "part-leak", "nist-ai-600-1"),  # "NIST's" on the front of the card answered "NIST AI 600-1"
    (26, "several-facts", "tuning-job"),  # "What does it do?" answered with two sentences
    (31, "interference", "ask-first"),  # the two "Ask whether they mean ..." answers (lines 31 and 36)
    (40, "speaker", "buyer-voice"),  # a buyer's question written as a "Don't say"
    (48, "enumeration", "policy"),  # tone, format and terminology
]


@pytest.fixture
def planted(tmp_path):
    (tmp_path / "a.txt").write_text(DRAFT_A, encoding="utf-8")
    (tmp_path / "b.txt").write_text(DRAFT_B, encoding="utf-8")
    path = tmp_path / "planted.yaml"
    path.write_text(PLANTED, encoding="utf-8")
    return path


def test_one_finding_per_planted_problem_with_its_line(planted):
    findings = lint_decks([load_deck(planted)])
    assert [(f.line, f.check, f.entry_id) for f in findings] == EXPECTED
    assert "hosting-fee" not in {f.entry_id for f in findings}  # the clean row
    assert all(str(f).startswith(f"{planted}:{f.line}: ") for f in findings)


def test_messages_say_what_is_wrong(planted):
    text = {f.check: str(f) for f in lint_decks([load_deck(planted)])}
    assert text["ungrounded"] == (f"{planted}:17: term 'project-cost': '$5K' is in none of the entry's sources "
                                  "[ungrounded]")
    assert "'ask-first/phrase' and 'ask-again/phrase' (line 36) are alike enough to be confused" \
        in text["interference"]
    assert "contains \"NIST's\"" in text["part-leak"]
    assert "answered with 2 sentences" in text["several-facts"]
    assert "lists 3 items (It shapes tone; format; terminology for one tenant)" in text["enumeration"]
    assert "make it 'buyer_says'" in text["speaker"]


def test_every_new_check_blocks_under_strict(planted):
    """ADVISORY is empty (issue 20): each planted problem alone fails `flash lint --strict`."""
    from flashcards.lint import ADVISORY

    assert ADVISORY == frozenset()
    result = CliRunner().invoke(cli, ["lint", "--strict", str(planted)])
    assert result.exit_code == 1
    assert result.output.endswith(f"Error: {len(EXPECTED)} findings in 1 file (1 deck checked).\n")
    assert all(f.advisory is False for f in lint_decks([load_deck(planted)]))


def _term_deck(term: str, definition: str):
    deck, problems = parse_deck(f"id: d\nname: D\nterms:\n  - id: t\n    term: {term}\n"
                                f"    definition: {definition}\n", "d.yaml")
    assert problems == []
    return deck


@pytest.mark.parametrize("term, definition, leaked", [
    # a qualifier of the term ("only", "own") names none of it: the shipped deck's false positive
    ("Inference-only posture", "Customer data is used only as the input to each call, never trained on.", None),
    ("Your own IdP", "An identity provider you build and run for your own staff.", None),
    # the content words of the same terms still give them away
    ("Inference-only posture", "Customer data is used only at inference, never trained on.", "inference"),
    ("Fine-tuned weights", "The adapted model that a tuning run produces.", "tuning"),
])
def test_part_leak_ignores_qualifiers_not_content_words(term, definition, leaked):
    findings = [f for f in lint_decks([_term_deck(term, definition)]) if f.check == "part-leak"]
    assert [f.message.split('contains "')[1].split('"')[0] for f in findings] == ([leaked] if leaked else [])


def test_import_reads_no_source_document(tmp_path):
    """A deck's documents need not travel with it (the shipped deck's drafts stay beside the
    repository): `flash lint` reports the unread document and the ungrounded figure; `flash
    import` checks no figure against sources, and still counts the checks of single entries."""
    deck = tmp_path / "d.yaml"
    deck.write_text("id: d\nname: D\nsources:\n  - {label: Draft Z, path: gone/z.txt}\nterms:\n"
                    "  - {id: t, term: Zed fee, definition: It is $9.99 a month., source: Draft Z}\n",
                    encoding="utf-8")
    lint = CliRunner().invoke(cli, ["lint", "--strict", str(deck)])
    assert lint.exit_code == 1 and "gone/z.txt: cannot read source" in lint.output
    (tmp_path / "gone").mkdir()
    (tmp_path / "gone" / "z.txt").write_text("The fee is $5 a month.", encoding="utf-8")
    lint = CliRunner().invoke(cli, ["lint", "--strict", str(deck)])
    assert lint.exit_code == 1 and "'$9.99' is in none of the entry's sources [ungrounded]" in lint.output
    db = tmp_path / "f.db"
    result = CliRunner().invoke(cli, ["import", str(deck), "--db", str(db), "--today", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("Lint: no findings (the checks across entries and against sources")
    deck.write_text(deck.read_text(encoding="utf-8").replace("{id: t, term: Zed fee,", "{id: t, term: Input tokens,")
                    .replace("It is $9.99 a month.", "Input tokens are billed."), encoding="utf-8")
    again = CliRunner().invoke(cli, ["import", str(deck), "--db", str(db), "--today", "2026-12-01"])
    assert again.output.splitlines()[-1].startswith("Lint: 1 finding ")  # the leak, a check of one entry


def test_cli_sources_without_a_label_mapping_use_every_given_file(planted, tmp_path):
    bare = tmp_path / "bare.yaml"
    bare.write_text(PLANTED.replace(PLANTED[PLANTED.index("sources:"):PLANTED.index("terms:")], ""), encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", str(bare), "--sources", str(tmp_path / "a.txt"),
                                      str(tmp_path / "b.txt")])
    assert result.exit_code == 0, result.output
    assert "ungrounded" not in result.output  # draft B, now one of every entry's sources, has $5,000
    only_a = CliRunner().invoke(cli, ["lint", str(bare), "--sources", str(tmp_path / "a.txt")])
    assert f"{bare}:12: term 'project-cost': '$5K' is in none of the entry's sources [ungrounded]" \
        in only_a.output.splitlines()
    without = CliRunner().invoke(cli, ["lint", str(bare)])
    assert "ungrounded" not in without.output  # no sources at all: nothing to check figures against


def test_cli_sources_given_pick_each_labels_files_by_name(planted, tmp_path):
    elsewhere = tmp_path / "copies"
    elsewhere.mkdir()
    for name in ("a.txt", "b.txt"):
        (elsewhere / name).write_text((tmp_path / name).read_text())
    result = CliRunner().invoke(cli, ["lint", "--strict", "--sources", str(elsewhere / "a.txt"),
                                      str(elsewhere / "b.txt"), "--", str(planted)])
    assert [line.rsplit(" ", 1)[-1] for line in result.output.splitlines()[:-1]] == \
        [f"[{check}]" for _line, check, _id in EXPECTED]


def test_a_label_the_deck_does_not_list_and_a_missing_document(tmp_path):
    (tmp_path / "a.txt").write_text(DRAFT_A, encoding="utf-8")
    deck = tmp_path / "d.yaml"
    deck.write_text(textwrap.dedent("""\
        id: d
        name: D
        sources:
          - {label: Draft A, path: a.txt}
          - {label: Draft Z, path: gone/z.txt}
        terms:
          - id: t
            term: Hosting fee
            definition: The hourly charge for a deployed model.
            source: Draft Q
          - id: z
            term: Zed fee
            definition: It is $9.99 a month.
            source: Draft Z
        """), encoding="utf-8")
    findings = [(f.line, f.check, f.message) for f in lint_decks([load_deck(deck)])]
    assert findings == [
        (5, "ungrounded", "source 'Draft Z': gone/z.txt: cannot read source: No such file or directory; "
                          "its entries' figures are not checked"),
        (10, "ungrounded", "term 't': its source 'Draft Q' is not a label of the deck's 'sources' list, "
                           "so its figures cannot be checked"),
    ]


def test_cli_unreadable_source_is_one_line_and_exit_1(planted, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe not text")
    result = CliRunner().invoke(cli, ["lint", str(planted), "--sources", str(bad)])
    assert result.exit_code == 1
    assert result.output == f"Error: {bad}: source is not UTF-8 text (invalid start byte at byte 0)\n"
    missing = CliRunner().invoke(cli, ["lint", str(planted), "--sources", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2 and "does not exist" in missing.output


@pytest.mark.parametrize("written, found", [
    ("$5K", "$5,000 in total"), ("$5,000", "about 5k dollars"), ("5 thousand", "$5K"),
    ("$50M", "$50-500M in compute"), ("10%", "10 percent"), ("6 months", "a 6-month run"),
    ("2-4 weeks", "2 to 4 weeks"), ("hours to days", "hours to a few days"), ("three regimes", "3 regimes"),
    ("OpenAI's models", "openai"), ("GPUs", "one GPU"), ("GPT-4", "GPT-4 scale"),
])
def test_figures_that_occur(written, found):
    deck = _deck_with(written)
    assert _ungrounded(deck, found) == []


@pytest.mark.parametrize("written, found, figure", [
    ("$5K", "$50,000", "$5K"), ("10%", "10 times", "10%"), ("6 months", "6 weeks", "6 months"),
    ("hours to days", "minutes to hours, days to weeks", "hours to days"), ("Mistral", "Meta", "Mistral"),
])
def test_figures_that_do_not(written, found, figure):
    assert _ungrounded(_deck_with(written), found) == [f"'{figure}' is in none of the entry's sources"]


def _deck_with(answer: str):
    deck, problems = parse_deck(f"id: d\nname: D\nterms:\n  - id: t\n    term: fee\n    definition: it is {answer}.\n",
                                "d.yaml")
    assert not problems
    return deck


def _ungrounded(deck, document: str) -> list[str]:
    from flashcards.lint.grounding import Document, figures

    doc = Document("doc", document)
    return [f"'{f.text}' is in none of the entry's sources" for f in figures(deck.terms[0].definition)
            if not doc.grounds(f)]


# -- the deck's sources: list in the reader ------------------------------------


@pytest.mark.parametrize("sources, line, message", [
    ("sources: a.txt\n", 3, "'sources' must be a list of {label: ..., path: ...} items"),
    ("sources:\n  - a.txt\n", 4, "each item of 'sources' must be a mapping with 'label' and 'path'"),
    ("sources:\n  - {label: A}\n", 4, "sources item is missing required field 'path'"),
    ("sources:\n  - {label: A, path: []}\n", 4, "'path' is an empty list: name at least one document"),
    ("sources:\n  - {label: A, path: a.txt, pages: 3}\n", 4, "unknown key 'pages' in sources item"),
    ("sources:\n  - {label: A, path: a.txt}\n  - {label: A, path: b.txt}\n", 5,
     "source label 'A' is listed twice (first at line 4)"),
])
def test_reader_locates_a_bad_sources_list(sources, line, message):
    deck, problems = parse_deck(f"id: d\nname: D\n{sources}", "d.yaml")
    assert deck is None
    assert [(p.line, p.message.split(" (")[0] if "unknown key" in p.message else p.message) for p in problems] \
        == [(line, message)]


def test_reader_keeps_the_sources_list():
    deck, problems = parse_deck("id: d\nname: D\nsources:\n  - {label: A, path: a.txt}\n"
                                "  - label: A and B\n    path: [a.txt, b.txt]\n", "d.yaml")
    assert problems == []
    assert [(s.label, s.paths, s.line) for s in deck.sources] == [
        ("A", ("a.txt",), 4), ("A and B", ("a.txt", "b.txt"), 5)]
