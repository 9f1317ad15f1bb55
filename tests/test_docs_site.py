"""The documentation site cannot drift from the CLI.

docs/*.md and README.md hold ``[[[cog ... ]]]`` blocks (see docs/_gen.py) that print every
command's ``--help`` and the console examples, run through the real CLI on the shipped deck. Here
cog runs in check mode over every page: a stale page fails, with the command that fixes it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

cogapp = pytest.importorskip("cogapp", reason="cogapp is a test extra: pip install '.[test]'")

REPO = Path(__file__).resolve().parent.parent  # the checkout's pages, also when testing the installed package
DOCS = REPO / "docs"
PAGES = sorted(DOCS.glob("*.md")) + [REPO / "README.md"]
REGENERATE = "python -m cogapp -I docs -r docs/*.md README.md"


def needs_drafts(page: Path) -> bool:
    """A page with a cog block built from the Lesson 4 drafts (``_gen.lesson_drafts``), which are not
    in the repository: checked only where they are (FLASH_LESSONS, default ../shared/lessons)."""
    return "_gen.lesson_drafts(" in page.read_text(encoding="utf-8")


DRAFT_PAGES = [page for page in PAGES if needs_drafts(page)]


@pytest.fixture(scope="module")
def gen():
    sys.path.insert(0, str(DOCS))
    try:
        import _gen
        yield _gen
    finally:
        sys.path.remove(str(DOCS))


def cog_check(pages, capsys):
    status = cogapp.Cog().main(["cog", "--check", "--diff", "-I", str(DOCS), *map(str, pages)])
    out = capsys.readouterr().out
    assert status == 0, f"docs are stale: run `{REGENERATE}` from the repository root\n{out}"


def test_every_page_is_up_to_date(capsys):
    """Every page but those built from the drafts: a clone with nothing beside it checks these."""
    cog_check([page for page in PAGES if page not in DRAFT_PAGES], capsys)


def test_the_pages_built_from_the_lesson_drafts_are_up_to_date(lessons_dir, monkeypatch, capsys):
    """Skipped, with the reason, where the drafts are not; under CI a failure."""
    assert [page.name for page in DRAFT_PAGES] == ["deck-author.md"]
    monkeypatch.setenv("FLASH_LESSONS", str(lessons_dir))
    cog_check(DRAFT_PAGES, capsys)


def test_a_block_needing_the_drafts_says_where_it_looked(gen, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASH_LESSONS", str(tmp_path))
    where = re.escape(str(tmp_path))
    with pytest.raises(gen.DraftsMissing, match=f"Lesson 4 drafts.*not at {where}: set FLASH_LESSONS"):
        gen.lesson_drafts(gen.Session())


def test_the_pages_are_generated_in_part():
    """Not a page of prose only: the pages readers copy commands from run them."""
    generated = [page.name for page in PAGES if "[[[cog" in page.read_text(encoding="utf-8")]
    for name in ("cli.md", "learner.md", "deck-author.md", "anki.md", "data-safety.md", "scheduling.md",
                 "manager.md", "index.md", "README.md"):
        assert name in generated, f"{name} has no cog block"


def test_the_reference_has_every_command_s_help(gen):
    reference = (DOCS / "cli.md").read_text(encoding="utf-8")
    paths = gen.commands()
    assert ("quiz", "roster", "import") in paths and ("db", "check") in paths  # subcommands are walked
    for path in paths:
        name = " ".join(("flash",) + path)
        assert f"$ {name} --help\n{gen.help_text(*path)}" in reference, f"{name} --help is missing or stale in cli.md"
    listed = re.findall(r"^\$ (flash.*) --help$", reference, flags=re.M)
    assert listed == [" ".join(("flash",) + p) for p in paths], "cli.md lists a command the CLI does not have"


def test_every_page_is_in_the_navigation():
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    for page in DOCS.glob("*.md"):
        assert re.search(rf":\s+{re.escape(page.name)}$", config, flags=re.M), f"{page.name} is not in mkdocs.yml's nav"


def test_the_readme_is_short_and_keeps_the_commands_ci_runs():
    """The manual is the site; the README keeps what CI runs verbatim (.ci/run) and links to the pages."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 150
    assert "pip install . && flash review\n" in readme
    assert "pip install '.[test]' && python -m pytest\n" in readme
    assert "pip install '.[test]' && python -m pytest" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
    for page in ("learner", "anki", "deck-author", "manager", "data-safety", "scheduling", "development", "cli"):
        assert f"](docs/{page}.md)" in readme, page
        assert (DOCS / f"{page}.md").is_file(), page


def written_commands():
    """The ``flash ...`` lines of console and sh blocks the docs write by hand (outside cog blocks)."""
    for page in PAGES:
        text = re.sub(r"<!-- \[\[\[cog.*?\[\[\[end\]\]\] -->", "", page.read_text(encoding="utf-8"), flags=re.S)
        for lang, block in re.findall(r"```(console|sh)\n(.*?)```", text, flags=re.S):
            for line in block.splitlines():
                if lang == "console" and line.startswith("$ flash "):
                    yield page.name, line[2:]
                elif lang == "sh" and line.startswith("flash "):
                    yield page.name, line.split("  #")[0].strip()


def hand_written_output(text: str) -> list[str]:
    """What blocks outside cog blocks show that nothing keeps true: the lines of console or text
    blocks that are not a ``$`` command line (output copied by hand), and each block that names
    no language (output, or a file, that would otherwise slip by)."""
    text = re.sub(r"<!-- \[\[\[cog.*?\[\[\[end\]\]\] -->", "", text, flags=re.S)
    found: list[str] = []
    lang, lines = None, []
    for line in text.splitlines():
        fence = re.match(r"^\s*```(\S*)", line)
        if fence is None:
            if lang is not None and line.strip():
                lines.append(line.strip())
            continue
        if lang is None:  # a block opens
            lang, lines = fence.group(1), []
            continue
        if lang in ("console", "text"):
            found += [line for line in lines if not line.startswith(("$ ", "# "))]
        elif not lang:
            found.append("a block without a language: " + (lines[0] if lines else "(empty)"))
        lang = None
    return found


def test_the_check_of_hand_written_output_can_fail():
    assert hand_written_output("```console\n$ flash decks\nlesson-04  20 new\n```\n") == ["lesson-04  20 new"]
    assert hand_written_output("```\n89 cards\n```\n") == ["a block without a language: 89 cards"]
    generated = ("<!-- [[[cog\ncog.out(x)\n]]] -->\n```console\n$ flash decks\nlesson-04  20 new\n```\n"
                 "<!-- [[[end]]] -->\n")
    assert hand_written_output(generated) == []
    assert hand_written_output("```console\n$ flash review --new 5\n```\n```nginx\nlocation / {\n```\n") == []


def test_no_page_shows_output_copied_by_hand():
    """Every console example that shows what a command prints is generated by cog from the real CLI,
    so it cannot drift; hand-written blocks hold command lines only (and files, in their own
    languages: yaml, toml, json, sh)."""
    copied = {page.name: hand_written_output(page.read_text(encoding="utf-8")) for page in PAGES}
    assert {name: lines for name, lines in copied.items() if lines} == {}


def unknown_in(line: str) -> str | None:
    """What click refuses in ``flash ...`` (an unknown command or option), or None. Values are not
    checked (files named in examples do not exist here)."""
    import shlex
    import warnings

    import click

    from flashcards.cli import cli

    args = shlex.split(line.split(" | ")[0])[1:]
    command = cli
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Click 8.2's protected_args
        try:
            ctx = cli.make_context("flash", list(args))
            rest = ctx.protected_args + ctx.args
            while isinstance(command, click.Group) and rest:
                name, *rest = rest
                command = command.get_command(ctx, name)
                if command is None:
                    return f"no command {name!r}"
                ctx = command.make_context(name, list(rest), parent=ctx)
                rest = ctx.protected_args + ctx.args if isinstance(command, click.Group) else []
        except click.NoSuchOption as error:
            return error.format_message()
        except click.UsageError as error:
            if "No such command" in error.format_message():
                return error.format_message()
    return None


def test_the_check_of_hand_written_examples_can_fail():
    assert unknown_in("flash quiz create --frobnicate 3 --title T") is not None
    assert unknown_in("flash quiz frobnicate") is not None
    assert unknown_in("flash quiz create --title T --questions 20") is None


def test_hand_written_examples_use_commands_and_options_the_cli_has():
    """The examples that cannot be generated (a served quiz's random links, the drafts, an Anki
    collection) still name only commands and options that exist: click parses each line."""
    lines = list(written_commands())
    assert len(lines) >= 10
    wrong = [(page, line, unknown_in(line)) for page, line in lines if unknown_in(line)]
    assert wrong == []
