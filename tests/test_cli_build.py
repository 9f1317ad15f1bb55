"""`flash build`: writing the draft deck, the summary, and refusing to overwrite."""

import re
from pathlib import Path

from conftest import flash_process
from flashcards.cli import cli
from flashcards.decks import check_file

MARKDOWN_LESSON = Path(__file__).parent / "fixtures" / "lesson_markdown.md"
DRAFT_A = "000_ea2d161741e671bb.txt"
DRAFTS = [DRAFT_A, "001_2d772e7efe63da85.txt", "002_449303623b101930.txt"]
DEFAULT_OUTPUT = Path("decks") / "lesson-7-passwordless-sign-in.yaml"
NO_BREAKING_POINT = "analog 'Building Your Own IdP' states no breaking point"


def build(runner, *args):  # runner: the shared fixture from conftest.py
    return runner.invoke(cli, ["build", *map(str, args)], catch_exceptions=False)


def test_writes_a_deck_that_validates(runner, lessons_dir, tmp_path):
    out = tmp_path / "draft-a.yaml"
    result = build(runner, lessons_dir / DRAFT_A, "-o", out)
    assert result.exit_code == 0, result.output
    deck, problems = check_file(out)
    assert problems == []
    assert (len(deck.terms), len(deck.phrases), len(deck.analogs)) == (3, 10, 3)
    assert {e.source for e in deck.entries} == {DRAFT_A}
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Draft deck written by `flash build` from: ")
    assert f"#   {lessons_dir / DRAFT_A}:30: {NO_BREAKING_POINT}\n" in text


def test_summary(runner, lessons_dir, tmp_path):
    out = tmp_path / "draft-a.yaml"
    result = build(runner, lessons_dir / DRAFT_A, "-o", out)
    output = result.output
    for heading in ("lesson", "terms", "phrase pairs", "analogs", "skipped", "unused"):
        assert heading in output
    assert re.search(r"000_ea2d161741e671bb\.txt\D+3\D+10\D+3\D+2\D+7\D", output), output
    assert "Not placed in any entry:\n" in output
    assert f"{lessons_dir / DRAFT_A}:30: {NO_BREAKING_POINT}\n" in output
    assert f"{lessons_dir / DRAFT_A}: no title found" in output
    # every prose section no entry uses, with its line, after its count
    unused = output.split("Prose no entry uses (7 sections; add cards for what matters, or leave it out):\n")[1]
    assert unused.startswith(
        f"{lessons_dir / DRAFT_A}:1: text before the first heading (1 paragraph, line 1): no entry uses it\n")
    assert (f"{lessons_dir / DRAFT_A}:46: section 'What to Hold Onto' (4 paragraphs, lines 47, 48, 49, 50): "
            "no entry uses it\n") in unused
    text = out.read_text(encoding="utf-8")
    assert f"#   {lessons_dir / DRAFT_A}:21: section 'Comparison: Three Scenarios" in text
    assert output.endswith(
        f"Wrote {out}. Review it, then: flash validate {out} && flash import {out}\n")


def test_several_lessons_merge_into_one_deck(runner, lessons_dir, tmp_path):
    out = tmp_path / "lesson-04.yaml"
    result = build(runner, *(lessons_dir / d for d in DRAFTS), "--id", "lesson-04-draft",
                   "--name", "Lesson 4 (draft)", "-o", out)
    assert result.exit_code == 0, result.output
    assert re.search(r"deck\D+9\D+32\D+7\D+4\D+20\D", result.output), result.output
    deck, problems = check_file(out)
    assert problems == []
    assert (deck.id, deck.name) == ("lesson-04-draft", "Lesson 4 (draft)")
    assert len(deck.entries) == 48
    assert sum(1 for p in deck.phrases if p.buyer_says) == 12  # draft B's buyer lines
    assert "no title found" not in result.output
    assert "duplicate" not in result.output


def test_default_output_and_refusing_to_overwrite(tmp_path):
    # the default output is relative to the working folder: run flash as a process there
    output = tmp_path / DEFAULT_OUTPUT
    first = flash_process("build", MARKDOWN_LESSON, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert f"Wrote {DEFAULT_OUTPUT}." in first.stdout
    assert check_file(output)[1] == []

    output.write_text("# edited by hand\n", encoding="utf-8")
    again = flash_process("build", MARKDOWN_LESSON, cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr == f"Error: {DEFAULT_OUTPUT} exists (use --force to overwrite)\n"
    assert output.read_text(encoding="utf-8") == "# edited by hand\n"

    forced = flash_process("build", MARKDOWN_LESSON, "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    deck, problems = check_file(output)
    assert problems == [] and deck.id == "lesson-7-passwordless-sign-in"


def test_refuses_to_overwrite_an_explicit_output(runner, tmp_path):
    out = tmp_path / "deck.yaml"
    out.write_text("keep me\n", encoding="utf-8")
    result = build(runner, MARKDOWN_LESSON, "-o", out)
    assert result.exit_code == 1
    assert result.output == f"Error: {out} exists (use --force to overwrite)\n"
    assert out.read_text(encoding="utf-8") == "keep me\n"


def test_markdown_lesson_summary(runner, tmp_path):
    out = tmp_path / "sub" / "passwordless.yaml"  # missing folders are created
    result = build(runner, MARKDOWN_LESSON, "-o", out)
    assert result.exit_code == 0, result.output
    assert re.search(r"lesson_markdown\.md\D+3\D+4\D+2\D+6\D+1\D", result.output), result.output
    note = "unrecognised field 'What it costs' under 'Device-bound credential'; not used"
    assert f"{MARKDOWN_LESSON}:27: {note}\n" in result.output
    assert check_file(out)[1] == []


def test_id_must_be_valid(runner, tmp_path):
    result = build(runner, MARKDOWN_LESSON, "--id", "Lesson 7", "-o", tmp_path / "x.yaml")
    assert result.exit_code == 2
    assert "Invalid value for '--id': 'Lesson 7' is not a valid id" in result.output
    assert not (tmp_path / "x.yaml").exists()


def test_missing_lesson_is_one_line_and_exit_1(runner, tmp_path):
    # a path error like every other (issue 12): one line, exit 1, not click's usage error
    result = build(runner, tmp_path / "nope.md")
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'nope.md'}: no such file\n"


def test_lesson_with_nothing_to_build(runner, tmp_path):
    lesson = tmp_path / "empty.md"
    lesson.write_text("# Lesson 0: Nothing\n\nJust prose, no fields, tables or analogies.\n",
                      encoding="utf-8")
    out = tmp_path / "empty.yaml"
    result = build(runner, lesson, "-o", out)
    assert result.exit_code == 1
    assert result.output.endswith(
        "Error: found no terms, phrase tables or analogs: nothing to write\n")
    assert not out.exists()


def test_unreadable_lesson(runner, tmp_path):
    lesson = tmp_path / "latin1.txt"
    lesson.write_bytes("Caf\xe9\n".encode("latin-1"))
    result = build(runner, lesson, "-o", tmp_path / "x.yaml")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {lesson}: not UTF-8 text")


def test_help(runner):
    result = runner.invoke(cli, ["build", "--help"])
    assert result.exit_code == 0
    assert "Example: flash build" in result.output
    assert "--force" in result.output and "--output" in result.output
    assert "build" in runner.invoke(cli, ["--help"]).output
