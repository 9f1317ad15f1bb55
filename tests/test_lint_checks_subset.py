"""lint_decks(checks=...): the findings of those checks, exactly as the full run gives them
(flash import asks only for the checks it counts, and skips the costly advisory ones)."""

from __future__ import annotations

import random

import pytest

from flashcards.decks import load_decks
from flashcards.lint import ADVISORY, CHECKS, lint_decks

WORDS = ("budget token model window context weights vendor hosting training retrieval answer latency "
         "prompt policy audit buyer contract region quota invoice").split()


def write_deck(tmp_path, entries: int = 200):
    """A deck with problems of many kinds: copied and alike answers, lists, open prompts with two
    sentences, a dont_say in the buyer's voice, long answers, figures in no source."""
    rng = random.Random(7)

    def text(low, high):
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."

    (tmp_path / "source.txt").write_text("The budget was $5K in 2026. " + text(40, 60) + "\n", encoding="utf-8")
    lines = ["id: subset", "name: Subset", "sources:", "  - {label: Draft, path: source.txt}", "terms:"]
    previous = "A budget line that grows with every call made."
    for i in range(entries):
        answer = previous if rng.random() < 0.05 else text(6, 14)
        if rng.random() < 0.1:
            answer = "Budget, token, model and window."
        if rng.random() < 0.05:
            answer += " It costs $7K at Azure."
        previous = answer
        lines += [f"  - id: t{i}", f"    term: Term {i}", f"    definition: '{answer}'",
                  f"    what_it_does: '{text(3, 8)} {text(3, 8)}'", "    source: Draft"]
    lines += ["phrases:", "  - id: p1", "    dont_say: How much does training cost?",
              "    do_say: It depends on the data.", "    why: Cost follows data."]
    path = tmp_path / "subset.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_decks([path])


@pytest.mark.parametrize("checks", [
    [c for c in CHECKS if c not in ADVISORY],  # what flash import counts
    ["interference"], ["ungrounded", "same-answer"], ["enumeration"], ["several-facts", "speaker"], [],
])
def test_a_subset_of_checks_gives_exactly_their_findings(tmp_path, checks):
    decks = write_deck(tmp_path)
    everything = lint_decks(decks)
    assert {f.check for f in everything} >= {"same-answer", "interference", "ungrounded", "enumeration",
                                             "several-facts", "speaker"}  # the deck has them all
    assert lint_decks(decks, checks=checks) == [f for f in everything if f.check in checks]


def test_an_unknown_check_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown lint checks: no-such-check"):
        lint_decks(write_deck(tmp_path, 3), checks=["same-answer", "no-such-check"])
