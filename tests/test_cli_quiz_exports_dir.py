"""Where the quiz commands write without -o: ``$XDG_DATA_HOME/flashcards/exports`` (beside the default
database, as ``flash export anki``), never the folder the manager stands in; ``-o`` still wins.

Each command runs as a real process in an empty working folder, with HOME and XDG_DATA_HOME pointing
at temporary folders outside it, so the working folder can be checked to stay empty.
"""

from __future__ import annotations

import re
import textwrap
import zipfile
from pathlib import Path

import pytest
from conftest import flash_process
from test_cli_quiz import QUIZ_DECK, script, write_roster

TODAY = "2026-12-01"


@pytest.fixture
def place(tmp_path):
    """An empty working folder, a home folder beside it, the deck and roster in a third."""
    work, home, files = tmp_path / "work", tmp_path / "home", tmp_path / "files"
    for folder in (work, home, files):
        folder.mkdir()
    deck = files / "quizdeck.yaml"
    deck.write_text(textwrap.dedent(QUIZ_DECK), encoding="utf-8")
    roster = write_roster(files / "team.csv", "Ann Lee", "Bob Roe", "Cy Diaz")
    return work, home, deck, roster


def runner(work: Path, home: Path, *, xdg: bool = True):
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    env["XDG_DATA_HOME"] = str(home / "data") if xdg else ""  # empty: unset for the XDG spec

    def flash(*args, input=None):
        result = flash_process(*args, "--today", args_today(args), cwd=work, env=env, input=input)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    return flash


def args_today(args) -> str:
    return "2099-01-01" if args[:2] == ("quiz", "recertify") else TODAY


def created_id(out: str) -> str:
    return re.search(r"^Created (?:re-certification )?quiz (\S+):", out, re.M).group(1)


def test_every_quiz_command_writes_under_xdg_data_home_and_nothing_in_the_working_folder(place):
    work, home, deck, roster = place
    flash = runner(work, home)
    exports = home / "data" / "flashcards" / "exports"
    db = home / "data" / "flashcards" / "flash.db"
    flash("quiz", "roster", "import", roster)

    out = flash("quiz", "create", deck, "--title", "Cert", "--questions", "4", "--pass-mark", "50", "--seed", "3",
                "--valid-days", "1", "--learner", "ann-lee", "--learner", "bob-roe")
    quiz_id = created_id(out)
    assert f"Wrote 2 personal papers to {exports / quiz_id}/ (no key in them" in out
    assert sorted(p.name for p in (exports / quiz_id).iterdir()) == [
        f"{quiz_id}--ann-lee.paper.json", f"{quiz_id}--bob-roe.paper.json"]

    out = flash("quiz", "issue", quiz_id, "--learner", "cy-diaz")
    assert out == f"Wrote {exports / quiz_id}/{quiz_id}--cy-diaz.paper.json\n"

    for fmt, suffix in (("gift", "gift.txt"), ("qti", "qti.zip")):
        out = flash("quiz", "export", quiz_id, "--format", fmt)
        assert out.startswith(f"Wrote {exports}/{quiz_id}.{suffix} (")
    assert (exports / f"{quiz_id}.gift.txt").read_text(encoding="utf-8").count("\n\t=") > 0
    assert zipfile.is_zipfile(exports / f"{quiz_id}.qti.zip")

    # Ann passes; her certificate (valid 1 day) has ended by 2099, so recertify makes her a new quiz
    paper = exports / quiz_id / f"{quiz_id}--ann-lee.paper.json"
    flash("quiz", "take", paper, input=script(db, paper, lambda n: True))
    flash("quiz", "score", exports / quiz_id)
    out = flash("quiz", "recertify", quiz_id, "--expiring", "0", "--id", "cert-recert")
    assert f"Wrote 1 personal paper to {exports / 'cert-recert'}/" in out
    assert [p.name for p in (exports / "cert-recert").iterdir()] == ["cert-recert--ann-lee.paper.json"]

    assert list(work.iterdir()) == []


def test_without_xdg_data_home_the_papers_go_under_home(place):
    work, home, deck, roster = place
    flash = runner(work, home, xdg=False)
    flash("quiz", "roster", "import", roster)
    out = flash("quiz", "create", deck, "--title", "Cert", "--questions", "4", "--pass-mark", "50", "--roster")
    folder = home / ".local" / "share" / "flashcards" / "exports" / created_id(out)
    assert len(list(folder.glob("*.paper.json"))) == 3
    assert list(work.iterdir()) == []


def test_output_still_wins(place, tmp_path):
    work, home, deck, roster = place
    flash = runner(work, home)
    exports = home / "data" / "flashcards" / "exports"
    db = home / "data" / "flashcards" / "flash.db"
    mine = tmp_path / "mine"
    flash("quiz", "roster", "import", roster)
    out = flash("quiz", "create", deck, "--title", "Cert", "--questions", "4", "--pass-mark", "50",
                "--valid-days", "1", "--learner", "ann-lee", "-o", mine / "papers")
    quiz_id = created_id(out)
    assert f"Wrote 1 personal paper to {mine / 'papers'}/" in out
    flash("quiz", "issue", quiz_id, "--learner", "bob-roe", "-o", mine / "later")
    flash("quiz", "export", quiz_id, "--format", "gift", "-o", mine / "pool.gift")
    flash("quiz", "export", quiz_id, "--format", "qti", "-o", "relative.zip")  # relative to the working folder
    paper = mine / "papers" / f"{quiz_id}--ann-lee.paper.json"
    flash("quiz", "take", paper, input=script(db, paper, lambda n: True))
    flash("quiz", "score", mine / "papers")
    flash("quiz", "recertify", quiz_id, "--expiring", "0", "--id", "cert-recert", "-o", mine / "recert")
    assert sorted(str(p.relative_to(mine)) for p in mine.rglob("*")) == [
        "later", f"later/{quiz_id}--bob-roe.paper.json", "papers", f"papers/{quiz_id}--ann-lee.answers.json",
        f"papers/{quiz_id}--ann-lee.paper.json", "pool.gift", "recert", "recert/cert-recert--ann-lee.paper.json"]
    assert [p.name for p in work.iterdir()] == ["relative.zip"]
    assert not exports.exists()
