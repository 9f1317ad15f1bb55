"""What the ``[[[cog ... ]]]`` blocks of docs/*.md and README.md call: the real CLI, in process.

Regenerate every page after changing CLI output, ``--help`` text or the shipped deck:

    python -m cogapp -I docs -r docs/*.md README.md

``tests/test_docs_site.py`` runs the same with ``--check`` and fails when a page is stale.

Everything runs through click's CliRunner on ``flashcards.cli`` (no subprocess), in a
temporary home folder (its path is shown as ``/home/you``), with a fixed ``--today`` given by
the block, 80 columns and no colour, so the output is the same on every machine.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shlex
import secrets
import shutil
import sys
import tempfile
import types
import weakref
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
from click.testing import CliRunner

from flashcards.cli import cli

REPO = Path(__file__).resolve().parent.parent
HOME = "/home/you"  # how the temporary home folder is shown
WIDTH = 80
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# every setting a reader's environment could change, unset while a block runs
_UNSET = ("FLASH_DB", "FLASH_TODAY", "FLASH_CONFIG", "FLASH_DECKS", "FLASH_NEW", "FLASH_REVIEWS",
          "FLASH_DAY_STARTS_AT", "FLASH_BUSY_TIMEOUT", "SOURCE_DATE_EPOCH", "PYTHONIOENCODING",
          "TTY_COMPATIBLE", "FORCE_COLOR", "CI")


def _fence(text: str, lang: str = "console") -> str:
    return f"```{lang}\n{text.rstrip()}\n```\n"


# -- --help ---------------------------------------------------------------------------------


def commands(command: click.Command = cli, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path of the CLI, the group itself first: (), ("review",), ("quiz", "create"), ..."""
    found = [path]
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            found += commands(command.get_command(ctx, name), path + (name,))
    return found


def help_text(*path: str) -> str:
    """``flash PATH... --help`` exactly as a terminal 80 columns wide shows it."""
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="flash",
                                env={"COLUMNS": str(WIDTH), "NO_COLOR": "1"})
    if result.exit_code != 0:
        raise RuntimeError(f"flash {' '.join(path)} --help exited {result.exit_code}: {result.output}")
    return result.output


def help_page() -> str:
    """The CLI reference: one section per command, its --help in a code block."""
    out = []
    for path in commands():
        name = " ".join(("flash",) + path)
        level = "#" * min(2 + max(len(path) - 1, 0), 4)
        out.append(f"{level} {name}\n\n")
        out.append(_fence(f"$ {name} --help\n{help_text(*path)}", "text"))
        out.append("\n")
    return "".join(out).rstrip() + "\n"


# -- console examples on the shipped deck ---------------------------------------------------


class Session:
    """A home folder of its own, where ``flash`` commands run one after another, sharing its database.

    ``run("flash decks --today 2026-12-01")`` returns a console block: the command line and what it
    printed (stdout and stderr, as a terminal shows both). ``tty=True`` renders as on a terminal
    (rich's tables and panels); otherwise output is piped, as in a script.

    ``Session(papers_seed=S)`` makes a quiz story the same on every run: personal papers (their
    draw, option order, option ids, paper ids and tokens) and the random code of quiz ids come
    from ``random.Random(S)`` instead of the system's secure random source, and the wall clock
    the quiz commands read (``now``: when a paper was issued, a sitting's times, time left)
    starts at 2026-12-01 09:00 UTC and moves 15 seconds at each reading. Nothing else is
    changed: the commands, the database and the files are the real ones.
    """

    def __init__(self, papers_seed: int | None = None):
        self._chance = None if papers_seed is None else random.Random(papers_seed)
        self._moment = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
        self.home = _home_folder()
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.home, ignore_errors=True)
        self.cwd = self.home / "work"
        self.cwd.mkdir(parents=True)
        for sub in (".local/share", ".config"):
            (self.home / sub).mkdir(parents=True)

    def path(self, name: str) -> Path:
        """A file in the session's working folder (to write fixtures into)."""
        return self.cwd / name

    def write(self, name: str, text: str) -> Path:
        target = self.path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def invoke(self, line: str, input: str | None = None, tty: bool = False, width: int = WIDTH,
               env: dict | None = None):
        argv = shlex.split(line)
        if argv[0] != "flash":
            raise ValueError(f"not a flash command: {line}")
        variables = {name: None for name in _UNSET}
        variables.update({
            "HOME": str(self.home), "XDG_DATA_HOME": str(self.home / ".local/share"),
            "XDG_CONFIG_HOME": str(self.home / ".config"), "COLUMNS": str(width), "LINES": "40",
            "NO_COLOR": "1", "TERM": "dumb",
        })
        if tty:
            variables["TTY_COMPATIBLE"] = "1"
        variables.update(env or {})
        before = os.getcwd()
        os.chdir(self.cwd)
        try:
            with self._fixed_chance_and_clock():
                result = CliRunner().invoke(cli, argv[1:], input=input, prog_name="flash", env=variables)
        finally:
            os.chdir(before)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise RuntimeError(f"{line} raised {result.exception!r}") from result.exception
        return result

    @contextlib.contextmanager
    def _fixed_chance_and_clock(self):
        """With ``papers_seed``: papers and quiz ids drawn from the seeded generator, the quiz
        commands' clock fixed (only while a command runs)."""
        if self._chance is None:
            yield
            return
        import flashcards.quiz.papers as papers

        chance = self._chance

        def tick():
            self._moment += timedelta(seconds=15)
            return self._moment

        shim = types.SimpleNamespace(SystemRandom=lambda: chance,
                                     token_hex=lambda n=32: chance.getrandbits(8 * n).to_bytes(n, "big").hex())
        swaps = [(papers, "secrets", shim), (secrets, "token_hex", shim.token_hex)] + [
            (module, "now", tick) for name, module in sorted(sys.modules.items())
            if name.startswith("flashcards.cli.") and callable(getattr(module, "now", None))]
        saved = [(module, name, getattr(module, name)) for module, name, _ in swaps]
        for module, name, value in swaps:
            setattr(module, name, value)
        try:
            yield
        finally:
            for module, name, value in saved:
                setattr(module, name, value)

    def answer_lines(self, paper: str, right: int) -> str:
        """What a learner types into ``flash quiz take PAPER`` (a file in the session) who knows the
        answers of its first ``right`` questions and picks a wrong option for the others: the key,
        looked up in the session's database, as each option's letter on this paper."""
        from flashcards.quiz.model import letter
        from flashcards.quiz.papers import load_paper
        from flashcards.store import Store
        from flashcards.store.quizzes import QuizStore

        shown = load_paper(self.home / paper)
        with Store.open(self.home / ".local/share/flashcards/flash.db", create=False) as store:
            quizzes = QuizStore(store)
            the_quiz = quizzes.get(shown.quiz_id)
            issued = next(p for p in quizzes.papers(shown.quiz_id) if p.learner.id == shown.learner_id)
        lines = []
        for n, (question, canonical) in enumerate(zip(shown.questions, issued.questions)):
            key, mapping = the_quiz.item(canonical.item_id).answer, dict(canonical.options)
            wanted = key if n < right else min(c for c in mapping.values() if c != key)
            lines.append(letter([mapping[o.id] for o in question.options].index(wanted)))
        return "\n".join(lines) + "\n"

    def output(self, line: str, input: str | None = None, tty: bool = False, width: int = WIDTH,
               status: int | None = 0, env: dict | None = None) -> str:
        result = self.invoke(line, input=input, tty=tty, width=width, env=env)
        if status is not None and result.exit_code != status:
            raise RuntimeError(f"{line} exited {result.exit_code} (expected {status}):\n{result.output}")
        return self.clean(result.output)

    def clean(self, text: str) -> str:
        text = _ANSI.sub("", text)
        text = text.replace(str(self.home), HOME)
        text = text.replace(f"{REPO}{os.sep}", "")  # the shipped decks, as from the checkout's root
        return "\n".join(line.rstrip() for line in text.splitlines())

    def run(self, line: str, input: str | None = None, tty: bool = False, width: int = WIDTH,
            status: int | None = 0, shown: str | None = None, head: int | None = None,
            tail: int | None = None, command: bool = True, env: dict | None = None) -> str:
        """A console block of ``line`` and its output; ``shown`` replaces the command line shown
        (say, to drop a --today the reader does not type), ``head``/``tail`` keep that many lines
        (the cut marked ``...``); ``command=False`` shows the output alone."""
        text = self.output(line, input=input, tty=tty, width=width, status=status, env=env)
        lines = text.splitlines()
        if head is not None and len(lines) > head + (tail or 0):
            lines = lines[:head] + ["..."] + (lines[-tail:] if tail else [])
        elif tail is not None and len(lines) > tail:
            lines = ["..."] + lines[-tail:]
        return (f"$ {shown or line}\n" if command else "") + "\n".join(lines)

    def console(self, *blocks: str) -> str:
        """Several ``run`` results in one console block."""
        return _fence("\n".join(blocks))


def _home_folder() -> Path:
    """A new empty folder whose path is as long as HOME's, so that output wraps where it would for
    the reader (rich wraps a long path where the real one ends)."""
    for _ in range(200):
        name = "/tmp/" + secrets.token_hex(4)[: len(HOME) - len("/tmp/")]
        try:
            os.mkdir(name, 0o700)
        except FileExistsError:
            continue
        return Path(name)
    return Path(tempfile.mkdtemp(prefix="flash-docs-"))  # then long lines may wrap elsewhere


def shipped_deck() -> Path:
    return REPO / "decks" / "lesson-04-ai-lifecycle.yaml"


# -- the Lesson 4 drafts (not in the repository) ----------------------------------------------


class DraftsMissing(RuntimeError):
    """A block needs the Lesson 4 drafts and they are not where FLASH_LESSONS (or the default) says."""


def lessons_path() -> Path:
    """Where the Lesson 4 drafts are: FLASH_LESSONS, else ../shared/lessons beside the repository
    (as the tests find them, tests/conftest.py)."""
    value = os.environ.get("FLASH_LESSONS")
    return Path(value) if value else REPO.parent / "shared" / "lessons"


def lesson_drafts(session: Session) -> list[str]:
    """The drafts, copied beside the session's working folder, as a reader's checkout sees them:
    their paths from there, ``../shared/lessons/NAME.txt`` (what ``../shared/lessons/*.txt`` gives).
    A page calling this is checked by tests/test_docs_site.py only where the drafts are."""
    source = lessons_path()
    found = sorted(source.glob("*.txt")) if source.is_dir() else []
    if not found:
        raise DraftsMissing(f"this block needs the Lesson 4 drafts, which are not in the repository and not at "
                            f"{source}: set FLASH_LESSONS to their folder, or regenerate only the other pages")
    target = session.home / "shared" / "lessons"
    target.mkdir(parents=True, exist_ok=True)
    for path in found:
        shutil.copyfile(path, target / path.name)
    return [f"../shared/lessons/{path.name}" for path in found]


# -- a simulated learner's log (flash optimize) -----------------------------------------------


def simulated_learner(session: Session, name: str, *, cards: int, days: int, seed: int) -> int:
    """A database ``name`` in the session's folder holding a deck ``sim`` of ``cards`` terms and the
    seeded simulated learner's log (flashcards/schedulers/simulate.py) from 2026-01-01 over ``days``
    days, each grade given through the store as ``flash review`` gives it. Returns the reviews."""
    from datetime import date, datetime, timezone

    from flashcards.decks import load_deck
    from flashcards.schedulers.simulate import simulate
    from flashcards.store import Store

    width = len(str(cards - 1))
    entries = "".join(f"  - id: t{n:0{width}d}\n    term: Term {n}\n    definition: Definition {n}.\n"
                      for n in range(cards))
    deck = session.write(f"{name}.yaml", f"id: sim\nname: Simulated learner\nterms:\n{entries}")
    store = Store.open(session.path(name))
    try:
        store.sync([load_deck(deck)], today=date(2026, 1, 1))
        reviews = simulate(cards=cards, days=days, seed=seed)
        for review in reviews:
            moment = datetime.combine(review.day, datetime.min.time(), tzinfo=timezone.utc).replace(hour=9)
            store.record(f"sim/t{review.card:0{width}d}/term", review.grade, today=review.day, now=moment)
    finally:
        store.close()
    return len(reviews)


# -- a learner's Anki collection (flash import --anki) ------------------------------------------


def anki_collection(session: Session, package: Path, name: str, *, start: str, days: int, seed: int) -> int:
    """``name`` (a .colpkg, Anki's current layout) in the session's folder: a new Anki collection (the
    real ``anki`` package, a test extra) that imported ``package`` and studied the lesson's deck and its
    follow-up deck for ``days`` days with Anki's own scheduler (``tests/anki_study.py``'s
    ``study_days``). Returns the answers given.

    Made to come out the same at every run: each card's n-th button is drawn from ``seed``, the card
    and n (so the order Anki shows cards in changes nothing), and every answer is then given a fixed
    time, day k of the study (from ``start``, a date) at 14:00 UTC, a second apart, and six seconds
    spent on it."""
    from datetime import date, datetime, timedelta, timezone

    from anki.collection import Collection
    from anki.import_export_pb2 import ImportAnkiPackageRequest

    sys.path.insert(0, str(REPO / "tests"))
    try:
        from anki_study import BUTTONS, WEIGHTS, study_days
    finally:
        sys.path.remove(str(REPO / "tests"))
    folder = session.home / "anki"
    folder.mkdir(exist_ok=True)
    path = folder / "collection.anki2"
    col = Collection(str(path))
    try:
        options = col._backend.get_import_anki_package_presets()
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options))
        lesson = next(n.name for n in col.decks.all_names_and_ids()
                      if n.name.startswith("Lesson 4:") and "::" not in n.name and "(" not in n.name)
    finally:
        col.close()

    def rating(card) -> int:
        return random.Random(f"{seed}/{card.id}/{card.reps}").choices(BUTTONS, WEIGHTS)[0]

    per_day = study_days(path, [lesson, f"{lesson} (follow-up)"], days, rating=rating)
    col = Collection(str(path))
    try:
        ids = [row for row, in col.db.all("SELECT id FROM revlog ORDER BY id")]  # the order answered
        if len(ids) != sum(per_day):
            raise RuntimeError(f"Anki logged {len(ids)} answers for {sum(per_day)} given")
        first = datetime.combine(date.fromisoformat(start), datetime.min.time(), tzinfo=timezone.utc)
        fixed = [int((first + timedelta(days=day, hours=14, seconds=n)).timestamp() * 1000)
                 for day, count in enumerate(per_day) for n in range(count)]
        col.db.execute("UPDATE revlog SET id = -id, time = 6000")  # six seconds each, not the milliseconds here
        for old, new in zip(ids, fixed):
            col.db.execute("UPDATE revlog SET id = ? WHERE id = ?", new, -old)
        col.export_collection_package(str(session.path(name)), include_media=False, legacy=False)
    finally:
        col.close()
    return sum(per_day)


def trim_tables(text: str, rows: dict[str, tuple[int, int]]) -> str:
    """Shorten the tables of a command's output for a page: the table under a title line starting
    with a key of ``rows`` keeps its header, its first and last rows (``(first, last)``; a row
    wrapped over several lines counts once) and its bottom border, with ``...`` for the rows left
    out. Tables not named, and every other line, are kept whole."""
    out: list[str] = []
    lines = text.splitlines()
    title, i = "", 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith(("┏", "┃", "┡", "│", "└")):
            title = line
        if line.startswith("│") and (keep := next((v for k, v in rows.items() if title.startswith(k)), None)):
            body = []
            while i < len(lines) and lines[i].startswith("│"):
                if body and _continues(lines[i]):
                    body[-1].append(lines[i])
                else:
                    body.append([lines[i]])
                i += 1
            first, last = keep
            if len(body) > first + last:
                body = body[:first] + [["..."]] + (body[len(body) - last:] if last else [])
            out += [part for row in body for part in row]
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _continues(line: str) -> bool:
    """A table line that carries on the row above: its first cell is blank."""
    return line.startswith("│") and line[1:].split("│", 1)[0].strip() == ""
