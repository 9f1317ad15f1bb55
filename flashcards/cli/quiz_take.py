"""`flash quiz take` and `flash quiz practice`: the learner's side, one question at a time in a terminal.

The keyboard and the clock live here; the screens are ``flashcards.render_quiz``,
the paper and the signed answers file ``flashcards.quiz.papers``.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Optional

import click

from ..render_quiz import plural, question_panel, review_table, short, time_left
from ._common import CONTEXT_SETTINGS, common_options, console, now, open_store, resolve_today
from ._quiz_common import kinds_option, paths_argument, say
from .quiz import quiz

SKIP = "skip"
BACK = "back"


def _time_left(deadline: Optional[datetime]) -> str:
    return time_left(deadline, now())


class _TerminalChoices:
    """A terminal: prompts until a valid choice; < goes back, Enter skips."""

    interactive = True

    def choose(self, count: int, *, can_go_back: bool) -> object:
        last = chr(ord("A") + count - 1)
        hint = f"A-{last}" + (", <: back" if can_go_back else "") + ", Enter: skip"
        while True:
            text = click.prompt(f"Your answer ({hint})", default="", show_default=False).strip().upper()
            if not text or text == "-":
                return SKIP
            if len(text) == 1 and "A" <= text <= last:
                return ord(text) - ord("A")
            if text == "<" and can_go_back:
                return BACK
            click.echo(f"Type a letter from A to {last}.")


class _LineChoices:
    """A pipe or file: one choice per line (A, B, ...; '-' skips; a blank line skips or stops)."""

    interactive = False

    def __init__(self, stream, *, what: str, stop_at_end: bool):
        self.stream = stream
        self.line_number = 0
        self.what = what
        self.stop_at_end = stop_at_end

    def choose(self, count: int, *, can_go_back: bool) -> object:
        line = self.stream.readline()
        self.line_number += 1
        if line == "":
            return None  # end of input
        text = line.strip().upper()
        if text == "-":
            return SKIP
        if not text:
            return None if self.stop_at_end else SKIP
        last = chr(ord("A") + count - 1)
        if len(text) == 1 and "A" <= text <= last:
            return ord(text) - ord("A")
        raise click.ClickException(f"standard input line {self.line_number}: '{short(line.strip(), 20)}' is not "
                                   f"a choice from A to {last}; {self.what}")


@quiz.command(context_settings=CONTEXT_SETTINGS)
@click.argument("paper_path", metavar="PAPER", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="FILE",
              help="Where to write your answers. [default: next to the paper, <quiz>--<you>.answers.json]")
@click.option("--text-block", is_flag=True,
              help="Also print the answers as a text block to paste into a mail (if attachments get lost).")
@common_options
def take(paper_path, output, text_block, db_path, today) -> None:
    """Take your personal paper and write your signed answers file for your manager.

    One question at a time, with progress and, when there is a limit, the
    time left, also on the review screen before you submit. Answers given
    after the limit do not count (the rest do). Your score comes from your
    manager, who holds the key.

    When standard input is not a terminal, each line answers the next
    question (A, B, C, ...; '-' or a blank line skips it); nothing is
    written unless every question gets a line. --db and --today are not used.

    Example: flash quiz take lesson-4-certification-202611--priya-natarajan.paper.json
    """
    from ..quiz.papers import answers_document, answers_path, load_paper, text_block as block, write_answers

    paper = load_paper(paper_path)
    out = console()
    interactive = sys.stdin.isatty()
    keys = _TerminalChoices() if interactive else _LineChoices(
        sys.stdin, what="nothing was written", stop_at_end=False)
    started = now()
    deadline = started + timedelta(seconds=paper.time_limit_seconds) if paper.time_limit_seconds else None
    limits = [plural(len(paper.questions), "question"), f"pass mark {paper.pass_mark}%"]
    if paper.time_limit_seconds:
        limits.append(f"{paper.time_limit_seconds // 60} minutes")
    if paper.max_attempts:
        limits.append(f"{plural(paper.max_attempts, 'attempt')} allowed")
    say(out, f"{paper.title} · {' · '.join(limits)} · {paper.learner_name} ({paper.learner_id})")

    choices: dict[str, tuple[Optional[int], Optional[datetime]]] = {q.id: (None, None) for q in paper.questions}
    timed_out = _ask_all(paper, choices, keys, out, deadline, range(len(paper.questions)))
    while True:
        out.print(review_table(paper, choices, _time_left(deadline)))
        if timed_out or not interactive:
            break
        answer = click.prompt(f"{_time_left(deadline) + ' · ' if deadline else ''}Enter: submit · "
                              "a question number: change that answer", default="", show_default=False).strip()
        if deadline is not None and now() >= deadline:
            out.print("Time is up: your answers so far are submitted.")
            break
        if not answer:
            break
        if answer.isdigit() and 1 <= int(answer) <= len(paper.questions):
            timed_out = _ask_all(paper, choices, keys, out, deadline, [int(answer) - 1])
        else:
            out.print(f"Type a number from 1 to {len(paper.questions)}, or press Enter to submit.")
    finished = now()
    answers = {}
    for q in paper.questions:
        index, at = choices[q.id]
        answers[q.id] = (q.options[index].id, at) if index is not None else (None, None)
    document = answers_document(paper, answers, started=started, finished=finished, client="terminal")
    path = output or answers_path(paper_path, paper)
    write_answers(document, path)
    answered = sum(index is not None for index, _ in choices.values())
    say(out, f"Answers saved to {path} ({answered} of {len(choices)} answered). "
              f"Hand this file to your manager, who scores it with: flash quiz score {path}")
    if text_block:
        click.echo(block(document), nl=False)


def _ask_all(paper, choices, keys, out, deadline, indexes) -> bool:
    """Ask the questions at ``indexes`` in turn; return True if time ran out."""
    indexes = list(indexes)
    position = 0
    total = len(paper.questions)
    while position < len(indexes):
        if deadline is not None and now() >= deadline:
            out.print("Time is up: questions not answered count as wrong.")
            return True
        index = indexes[position]
        q = paper.questions[index]
        subtitle = " · ".join(filter(None, [f"{total - index - 1} to go", _time_left(deadline)]))
        out.print(question_panel(q.prompt, q.options, title=f"Question {index + 1} of {total}", subtitle=subtitle))
        choice = keys.choose(len(q.options), can_go_back=position > 0)
        if choice is None:
            raise click.ClickException(
                f"standard input ended after {getattr(keys, 'line_number', 1) - 1} answers, "
                f"but the paper has {total} questions; nothing was written"
            )
        moment = now()
        if deadline is not None and moment > deadline:
            out.print("Time is up: that answer came after the limit and is not counted.")
            return True
        if choice == BACK:
            position -= 1
            continue
        choices[q.id] = (None, None) if choice == SKIP else (choice, moment)
        position += 1
    return False


@quiz.command(context_settings=CONTEXT_SETTINGS)
@paths_argument
@click.option("--questions", "count", type=click.IntRange(min=1), default=10, show_default=True, metavar="N",
              help="Number of questions (fewer if the decks have fewer).")
@kinds_option
@click.option("--seed", type=int, metavar="S", help="Ask the same questions again. [default: random]")
@common_options
def practice(paths, count, kinds, seed, db_path, today) -> None:
    """Practise on the spot with immediate feedback; missed cards come back in today's review.

    Questions come from the decks at PATH (the shipped decks if none), which
    must be imported into your review database (--db). Each question you
    miss makes the card it came from due today, so 'flash review' asks it.
    Nothing is recorded as a quiz attempt.

    When standard input is not a terminal, each line answers the next
    question (A, B, C, ...); a blank line or the end of input stops.

    Example: flash quiz practice --questions 5 && flash review
    """
    import random

    from ..decks import load_decks, shipped_decks_dir
    from ..errors import QuizError
    from ..quiz.generate import available, generate
    from ..quiz.model import letter, parse_kinds
    from ..store.quizzes import make_due_today

    day = resolve_today(today)
    chosen = parse_kinds(kinds)
    decks = load_decks(paths or [shipped_decks_dir()])
    if seed is None:
        seed = random.SystemRandom().randrange(1_000_000)
    out = console()
    with open_store(db_path, create=False) as store:
        imported = set(store.deck_ids())
        missing = [d for d in decks if d.id not in imported]
        if missing:
            names = ", ".join(f"'{d.id}'" for d in missing)
            files = " ".join(str(d.path) for d in missing if d.path)
            raise QuizError(f"deck {names} is not imported into {store.path}, so missed questions could not be "
                            f"scheduled: run 'flash import {files}' first")
        most = sum(available(decks, chosen).values()) if chosen else sum(available(decks).values())
        questions = generate(decks, min(count, most) if most else count, chosen, seed)
        keys = _TerminalChoices() if sys.stdin.isatty() else _LineChoices(
            sys.stdin, what="practice stopped (missed cards so far are due today)",
            stop_at_end=True)
        right, asked, due = 0, 0, []
        for number, q in enumerate(questions, start=1):
            out.print(question_panel(q.prompt, q.options, title=f"Practice {number} of {len(questions)}"))
            choice = keys.choose(len(q.options), can_go_back=False)
            if choice is None:
                break
            asked += 1
            correct_index = next(i for i, o in enumerate(q.options) if o.id == q.answer)
            if choice == correct_index:
                right += 1
                out.print("[green]Right.[/green]")
                continue
            what = "Skipped" if choice == SKIP else "Not quite"
            out.print(f"[red]{what}.[/red] The answer is {letter(correct_index)}) ", end="")
            say(out, q.correct_option.text)
            outcome = make_due_today(store, [q.card_id], today=day)[q.card_id]
            if outcome in ("due", "already due"):
                due.append(q.card_id)
                say(out, f"{q.card_id} is due today in your review.", style="dim")
            else:
                say(out, f"{q.card_id} is {outcome} in {store.path}: re-import its deck to review it.",
                     style="yellow")
    say(out, f"Practice: {right} of {asked} right.")
    if due:
        say(out, f"{plural(len(due), 'card')} due today from this practice: run 'flash review'.")
