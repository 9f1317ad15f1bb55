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


@pytest.fixture(scope="module")
def gen():
    sys.path.insert(0, str(DOCS))
    try:
        import _gen
        yield _gen
    finally:
        sys.path.remove(str(DOCS))


def test_every_page_is_up_to_date(capsys):
    status = cogapp.Cog().main(["cog", "--check", "--diff", "-I", str(DOCS), *map(str, PAGES)])
    out = capsys.readouterr().out
    assert status == 0, f"docs are stale: run `{REGENERATE}` from the repository root\n{out}"


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
