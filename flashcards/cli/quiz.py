"""`flash quiz ...`: certification quizzes (manager: create, score, report, list, export;
learner: take, practice)."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Optional

import click

from ._common import CONTEXT_SETTINGS, common_options, console, now, open_store, resolve_today

SKIP = "skip"
BACK = "back"


def _write(path: Path, data) -> Path:
    from .._files import write_atomically
    from ..errors import QuizError

    return write_atomically(path, data, error=QuizError)


def _say(out, text: str, style: Optional[str] = None) -> None:
    """Plain text (never markup), not wrapped, so file paths stay whole."""
    out.print(text, style=style, markup=False, highlight=False, soft_wrap=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "learner"


class _Percent(click.ParamType):
    """``80`` or ``80%``, 0 to 100."""

    name = "PCT"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            number = value
        else:
            text = str(value).strip().rstrip("%").strip()
            if not text.isdigit():
                self.fail(f"'{value}' is not a whole percentage like 80 or 80%", param, ctx)
            number = int(text)
        if not 0 <= number <= 100:
            self.fail(f"{number} is not between 0 and 100", param, ctx)
        return number


kinds_option = click.option(
    "--kinds", multiple=True, metavar="KINDS",
    help="Question kinds, comma-separated or repeated: which-term, what-is, phrase, breaks, holds, "
         "or the groups terms, phrases, analogs. [default: all]",
)
paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


@click.group(context_settings=CONTEXT_SETTINGS)
def quiz():
    """Certification quizzes: managers create, score and report; learners take and practise.

    Manager: create writes a question paper (no answers in it) and keeps the
    key in the manager's database; score reads learners' answers files;
    report shows who passed and which questions and concepts to reteach.
    Learner: take answers a paper into an answers file; practice asks
    questions on the spot and puts missed cards into today's review.

    Example: flash quiz create --title "Lesson 4 certification" --questions 20 --pass-mark 80
    """


# -- manager --------------------------------------------------------------


@quiz.command(context_settings=CONTEXT_SETTINGS)
@paths_argument
@click.option("--title", required=True, help="The quiz title, shown on the paper and certificates.")
@click.option("--questions", "count", type=click.IntRange(min=1), required=True, metavar="N",
              help="Number of questions.")
@click.option("--pass-mark", type=_Percent(), required=True, help="Share correct needed to pass, e.g. 80.")
@kinds_option
@click.option("--attempts", type=click.IntRange(min=1), metavar="N",
              help="Attempts allowed per learner. [default: no limit]")
@click.option("--time-limit", type=click.IntRange(min=1), metavar="MIN",
              help="Minutes per attempt. [default: none]")
@click.option("--seed", type=int, metavar="S",
              help="Draw the same questions again with the same seed. [default: random]")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Where to write the question paper. [default: exports/<quiz id>.quiz.yaml]")
@common_options
def create(paths, title, count, pass_mark, kinds, attempts, time_limit, seed, output, db_path, today) -> None:
    """Create a quiz from decks (the shipped decks if no PATH): key in the database, paper to hand out.

    Questions are multiple choice, drawn deterministically from --seed: kinds
    take turns and no entry is asked twice while fresh ones remain. The
    paper holds questions and options only; the answer key stays in the
    database given by --db.

    Example: flash quiz create --title "Lesson 4 certification" --questions 20 --pass-mark 80 --attempts 2
    """
    import random

    from ..decks import load_decks, shipped_decks_dir
    from ..quiz import Quiz, generate, parse_kinds, quiz_id_for
    from ..quiz_formats import paper_checksum, write_paper
    from ..store.quizzes import QuizStore

    day = resolve_today(today)
    title = " ".join(title.split())
    if not title:
        raise click.BadParameter("the title is empty", param_hint="--title")
    chosen = parse_kinds(kinds)
    decks = load_decks(paths or [shipped_decks_dir()])
    if seed is None:
        seed = random.SystemRandom().randrange(1_000_000)
    questions = generate(decks, count, chosen, seed)
    chosen = tuple(_kind_counts(questions))
    with open_store(db_path) as store:
        quizzes = QuizStore(store)
        quiz_id = quizzes.free_id(quiz_id_for(title, questions))
        made = Quiz(id=quiz_id, title=title, pass_mark=pass_mark, questions=questions, seed=seed, kinds=chosen,
                    deck_ids=tuple(d.id for d in decks), max_attempts=attempts, time_limit=time_limit,
                    created_on=day.isoformat())
        made = replace(made, paper_checksum=paper_checksum(made.paper()))
        path = output or Path("exports") / f"{quiz_id}.quiz.yaml"
        write_paper(made.paper(), path)
        try:
            quizzes.add(made, created_at=now())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        db_file = store.path
    mix = ", ".join(f"{k.value} {n}" for k, n in _kind_counts(questions).items())
    limits = [f"pass mark {pass_mark}%",
              f"{attempts} attempt{'s' if attempts != 1 else ''}" if attempts else "unlimited attempts"]
    if time_limit:
        limits.append(f"{time_limit}-minute limit")
    out = console()
    _say(out, f"Created quiz {quiz_id}: {title}")
    _say(out, f"{len(questions)} questions ({mix}) from {', '.join(d.id for d in decks)}; "
              f"{'; '.join(limits)}; seed {seed}")
    _say(out, f"Paper: {path} (questions and options only; the key stays in {db_file})")
    _say(out, f'Learners take it with: flash quiz take {path} --learner "NAME"')


def _kind_counts(questions) -> dict:
    from ..quiz import ALL_KINDS

    counts = {k: 0 for k in ALL_KINDS}
    for q in questions:
        counts[q.kind] += 1
    return {k: n for k, n in counts.items() if n}


@quiz.command(context_settings=CONTEXT_SETTINGS)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@common_options
def score(files, db_path, today) -> None:
    """Score learners' answers files against the keys in the database.

    Each file counts once. A file that cannot be read, is for an unknown
    quiz or an altered paper, was edited, or is over the attempt or time
    limit is rejected with its reason; the same answers sent again are
    flagged and not counted. The rest of the batch is scored either way.
    Files are taken in the order they were finished, so attempts number
    correctly. Exit status 1 if any file was rejected.

    Example: flash quiz score exports/*.answers.yaml
    """
    from rich.markup import escape
    from rich.table import Table

    from ..errors import QuizError
    from ..quiz import Status
    from ..quiz_formats import QuizFileError, load_answers
    from ..store.quizzes import QuizStore

    day = resolve_today(today)
    rows: dict[int, tuple[str, str, str, str]] = {}
    loaded = []
    with open_store(db_path, create=False) as store:
        quizzes = QuizStore(store)
        known = set(quizzes.ids())
        for index, file in enumerate(files):
            try:
                loaded.append((index, file, load_answers(file)))
            except QuizFileError as exc:
                rows[index] = (str(file), exc.learner, "[red]rejected[/red]", exc.reason)
                if exc.quiz_id in known:  # listed in that quiz's report too
                    quizzes.reject(exc.quiz_id, learner=exc.learner, file=str(file), reason=exc.reason,
                                   digest=exc.digest, today=day, now=now())
        loaded.sort(key=lambda item: (_finish_key(item[2].finished_at), item[0]))
        rejected = len(rows)
        duplicates = 0
        for index, file, sheet in loaded:
            learner = " ".join(sheet.learner.split())
            try:
                verdict = quizzes.submit(sheet, file=str(file), today=day, now=now())
            except QuizError as exc:
                rows[index] = (str(file), learner, "[red]rejected[/red]", str(exc))
                rejected += 1
                continue
            if verdict.status is Status.SCORED:
                result = verdict.result
                outcome = "[green]pass[/green]" if verdict.passed else "[yellow]fail[/yellow]"
                rows[index] = (str(file), learner, f"{outcome} {result.correct}/{result.total} "
                               f"({result.percent:.0f}%)", f"attempt {verdict.attempt} of quiz {sheet.quiz_id}")
            elif verdict.status is Status.DUPLICATE:
                duplicates += 1
                rows[index] = (str(file), learner, "[yellow]not counted[/yellow]", verdict.reason)
            else:
                rejected += 1
                rows[index] = (str(file), learner, "[red]rejected[/red]", verdict.reason)
    table = Table(title=f"Scored on {day.isoformat()}", title_justify="left")
    for column in ("file", "learner", "result", "detail"):
        table.add_column(column, overflow="fold" if column == "file" else None)
    for index in sorted(rows):
        file, learner, result, detail = rows[index]
        table.add_row(escape(file), escape(learner), result, escape(detail))
    out = console()
    out.print(table)
    counted = len(files) - rejected - duplicates
    out.print(f"{counted} of {len(files)} file{'s' if len(files) != 1 else ''} scored"
              + (f", {duplicates} flagged as already scored" if duplicates else "")
              + (f", {rejected} rejected" if rejected else "") + ".")
    if rejected:
        raise click.ClickException(f"{rejected} file{'s' if rejected != 1 else ''} rejected (reasons above)")


def _finish_key(text: str) -> tuple[int, float]:
    try:
        moment = datetime.fromisoformat(text)
        return (0, moment.timestamp())
    except (TypeError, ValueError, OverflowError):
        return (1, 0.0)


@quiz.command(context_settings=CONTEXT_SETTINGS)
@click.argument("quiz_ref", metavar="QUIZ")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also write one row per learner as CSV ('-' for standard output).")
@click.option("--certificates", "cert_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write a printable HTML certificate for each learner who passed.")
@common_options
def report(quiz_ref, csv_path, cert_dir, db_path, today) -> None:
    """Who passed, the pass rate, and an item analysis per question and per concept.

    Each learner counts once, with their best attempt (the one shown). Item
    analysis runs over those attempts: facility is the share who got a
    question right; discrimination is Moodle's discrimination index (the
    correlation, in %, between the question's score and the rest of the
    test: high means strong scorers got it and weak ones did not; negative
    suggests a broken question); the most chosen wrong option shows the
    misconception. Concepts group questions by deck entry and by tag,
    weakest first. QUIZ is a quiz id or a unique start of one.

    Example: flash quiz report lesson-4-certification --csv results.csv --certificates certificates/
    """
    from ..quiz import best_attempts, concept_analysis, item_analysis
    from ..quiz_formats import certificate_html, report_csv
    from ..store.quizzes import QuizStore

    with open_store(db_path, create=False) as store:
        quizzes = QuizStore(store)
        the_quiz = quizzes.get(quiz_ref)
        attempts = quizzes.attempts(the_quiz.id)
        rejections = quizzes.rejections(the_quiz.id)
    best = best_attempts(attempts)
    used: dict[str, int] = {}
    for a in attempts:
        used[a.learner_key] = used.get(a.learner_key, 0) + 1
    csv_to_stdout = csv_path is not None and str(csv_path) == "-"
    out = _quiet_console() if csv_to_stdout else console()
    out.print(_quiz_heading(the_quiz))
    rows = [_report_row(the_quiz, a, used[a.learner_key]) for a in best]
    if not best:
        out.print("No attempts scored yet: run 'flash quiz score FILE...'.")
    else:
        out.print(_learner_table(rows, the_quiz))
        passed = sum(a.passed for a in best)
        out.print(f"Pass rate: {passed} of {len(best)} learner{'s' if len(best) != 1 else ''} "
                  f"({100 * passed / len(best):.0f}%)")
    if rejections:
        out.print(_rejection_table(rejections))
    if best:
        items = item_analysis(the_quiz, [a.choices for a in best])
        out.print(_item_table(items, len(best)))
        out.print(_concept_table(concept_analysis(items, by="entry"), "Concepts by deck entry (weakest first)",
                                 "entry"))
        tags = concept_analysis(items, by="tag")
        if tags:
            out.print(_concept_table(tags, "Concepts by tag (weakest first)", "tag"))
    if csv_path is not None:
        text = report_csv(rows)
        if csv_to_stdout:
            click.echo(text, nl=False)
        else:
            _write(csv_path, text)
            _say(out, f"Wrote {csv_path} ({len(rows)} learner{'s' if len(rows) != 1 else ''})")
    if cert_dir is not None:
        written: list[Path] = []
        for a in best:
            if not a.passed:
                continue
            path = cert_dir / f"{the_quiz.id}--{_slug(a.learner)}.html"
            if path in written:  # two names with the same letters, e.g. "Ann Lee" and "Ann-Lee"
                path = path.with_name(f"{path.stem}-{len(written) + 1}.html")
            _write(path, certificate_html(
                learner=a.learner, quiz_title=the_quiz.title, quiz_id=the_quiz.id,
                score_percent=a.percent, pass_mark=the_quiz.pass_mark, day=_attempt_day(a),
            ))
            written.append(path)
        _say(out, f"Wrote {len(written)} certificate{'s' if len(written) != 1 else ''} to {cert_dir}")


def _attempt_day(a) -> str:
    return a.finished_at[:10] if len(a.finished_at) >= 10 else a.scored_on


def _report_row(the_quiz, a, attempts_used: int) -> dict:
    return {
        "quiz_id": the_quiz.id, "quiz_title": the_quiz.title, "learner": a.learner,
        "score_percent": f"{a.percent:.1f}", "correct": a.correct, "questions": a.total,
        "result": "pass" if a.passed else "fail", "pass_mark": the_quiz.pass_mark, "attempt": a.attempt,
        "attempts_used": attempts_used, "started_at": a.started_at, "finished_at": a.finished_at,
        "scored_on": a.scored_on, "day": _attempt_day(a),
    }


def _quiz_heading(the_quiz):
    from rich.text import Text

    limits = [f"{len(the_quiz.questions)} questions", f"pass mark {the_quiz.pass_mark}%",
              f"{the_quiz.max_attempts} attempts" if the_quiz.max_attempts else "unlimited attempts"]
    if the_quiz.time_limit:
        limits.append(f"{the_quiz.time_limit}-minute limit")
    return Text(f"Quiz {the_quiz.id}: {the_quiz.title}\n{' · '.join(limits)} · created {the_quiz.created_on}")


def _learner_table(rows, the_quiz):
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Learners", title_justify="left")
    for column in ("learner", "score", "correct", "result", "attempt", "attempts used", "date"):
        table.add_column(column, justify="right" if column in ("score", "correct") else "left")
    limit = f" of {the_quiz.max_attempts}" if the_quiz.max_attempts else ""
    for r in rows:
        result = "[green]pass[/green]" if r["result"] == "pass" else "[red]fail[/red]"
        table.add_row(escape(r["learner"]), f"{float(r['score_percent']):.0f}%", f"{r['correct']}/{r['questions']}",
                      result, str(r["attempt"]), f"{r['attempts_used']}{limit}", r["day"])
    return table


def _rejection_table(rejections):
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Not counted", title_justify="left")
    for column in ("file", "learner", "why", "on"):
        table.add_column(column, overflow="fold" if column == "file" else None)
    for r in rejections:
        table.add_row(escape(r.file), escape(r.learner), escape(r.reason), r.scored_on)
    return table


def _short(text: str, width: int = 48) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _item_table(items, learners: int):
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"Item analysis ({learners} learner{'s' if learners != 1 else ''})", title_justify="left")
    for column in ("Q", "kind", "entry", "facility", "discrimination", "most chosen wrong option", "note"):
        table.add_column(column, justify="right" if column in ("facility", "discrimination") else "left")
    for item in items:
        q = item.question
        wrong = item.top_wrong
        table.add_row(
            q.id, q.kind.value, escape(q.entry_id),
            f"{item.facility:.0%}" if item.facility is not None else "–",
            f"{item.discrimination:.0f}%" if item.discrimination is not None else "–",
            escape(f"{wrong[1]}× {_short(wrong[0].text)}") if wrong else "–",
            escape(item.note),
        )
    return table


def _concept_table(stats, title: str, by: str):
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    columns = ("concept", "entry") if by == "entry" else ("tag",)
    for column in columns + ("questions", "correct", "facility"):
        table.add_column(column, justify="right" if column in ("correct", "facility") else "left")
    for s in stats:
        names = (escape(_short(s.label, 40)), escape(s.key.split("/", 1)[-1])) if by == "entry" else (escape(s.key),)
        table.add_row(*names, ", ".join(s.questions), f"{s.correct}/{s.responses}",
                      f"{s.facility:.0%}" if s.facility is not None else "–")
    return table


def _quiet_console():
    import io

    from rich.console import Console

    return Console(file=io.StringIO())


@quiz.command("list", context_settings=CONTEXT_SETTINGS)
@common_options
def list_(db_path, today) -> None:
    """List quizzes with their question count, pass mark, attempts scored and pass rate.

    The pass rate counts learners (each once) with at least one passing attempt.

    Example: flash quiz list
    """
    from rich.markup import escape
    from rich.table import Table

    from ..store.quizzes import QuizStore

    with open_store(db_path, create=False) as store:
        summaries = QuizStore(store).summaries()
    if not summaries:
        click.echo("No quizzes yet: create one with 'flash quiz create --title TEXT --questions N --pass-mark PCT'.")
        return
    table = Table()
    for column in ("quiz", "title", "created", "questions", "pass mark", "attempts scored", "learners", "pass rate"):
        table.add_column(column, justify="right" if column in ("questions", "pass mark", "attempts scored",
                                                               "learners", "pass rate") else "left")
    for s in summaries:
        rate = f"{s.pass_rate:.0%} ({s.passed}/{s.learners})" if s.pass_rate is not None else "–"
        allowed = f" (max {s.max_attempts} each)" if s.max_attempts else ""
        table.add_row(escape(s.id), escape(s.title), s.created_on, str(s.questions), f"{s.pass_mark}%",
                      f"{s.attempts}{allowed}", str(s.learners), rate)
    console().print(table)


@quiz.command(context_settings=CONTEXT_SETTINGS)
@click.argument("quiz_ref", metavar="QUIZ")
@click.option("--format", "fmt", type=click.Choice(["gift", "qti", "paper"]), required=True,
              help="gift: Moodle GIFT text; qti: IMS QTI 2.1 package (zip); paper: the learners' paper again.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="[default: exports/<quiz id>.gift.txt, .qti.zip or .quiz.yaml]")
@common_options
def export(quiz_ref, fmt, output, db_path, today) -> None:
    """Write a quiz for an LMS, answer key included: Moodle GIFT or an IMS QTI 2.1 package.

    GIFT imports into a Moodle question bank (Question bank > Import > GIFT).
    The QTI package (imsmanifest.xml, test.xml and one item per question)
    is for tools that import QTI 2.1 (Canvas: QTI .zip file). Both contain the answers:
    keep them away from learners. --format paper writes the learners'
    question paper again (no answers).

    Example: flash quiz export lesson-4-certification --format gift
    """
    from ..quiz_formats import gift, qti_package, write_paper
    from ..store.quizzes import QuizStore

    with open_store(db_path, create=False) as store:
        the_quiz = QuizStore(store).get(quiz_ref)
    suffix = {"gift": "gift.txt", "qti": "qti.zip", "paper": "quiz.yaml"}[fmt]
    path = output or Path("exports") / f"{the_quiz.id}.{suffix}"
    if fmt == "paper":
        write_paper(the_quiz.paper(), path)
        note = "no answers in it"
    else:
        data = gift(the_quiz).encode("utf-8") if fmt == "gift" else qti_package(the_quiz)
        _write(path, data)
        note = "answer key included: keep it away from learners"
    _say(console(), f"Wrote {path} ({len(the_quiz.questions)} questions; {note})")


# -- learner --------------------------------------------------------------


class _TerminalChoices:
    """A terminal: prompts until a valid choice; b goes back, Enter skips."""

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
        raise click.ClickException(f"standard input line {self.line_number}: '{line.strip()}' is not a choice "
                                   f"from A to {last}; {self.what}")


def _question_panel(prompt: str, options, *, title: str, subtitle: str = ""):
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from ..quiz import letter

    choices = Table.grid(padding=(0, 1))
    choices.add_column(style="bold", no_wrap=True)
    choices.add_column()
    for index, option in enumerate(options):
        choices.add_row(f"{letter(index)})", Text(option.text))
    return Panel(Group(Text(prompt), Text(""), choices), title=title, title_align="left", subtitle=subtitle or None,
                 subtitle_align="right", border_style="cyan")


def _time_left(deadline: Optional[datetime]) -> str:
    if deadline is None:
        return ""
    seconds = max(0, int((deadline - now()).total_seconds()))
    return f"time left {seconds // 60}:{seconds % 60:02d}"


@quiz.command(context_settings=CONTEXT_SETTINGS)
@click.argument("paper_path", metavar="PAPER", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--learner", required=True, metavar="NAME", help="Your name, as your manager knows it.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Where to write your answers. [default: next to the paper, <quiz>.<name>.answers.yaml]")
@common_options
def take(paper_path, learner, output, db_path, today) -> None:
    """Take a quiz from its question paper and write your answers file for your manager.

    One question at a time, with progress and the time left when there is a
    limit; a review screen comes before you submit. Options appear in an
    order of your own, so your letters differ from a colleague's. Your
    score comes from your manager, who holds the key.

    When standard input is not a terminal, each line answers the next
    question (A, B, C, ...; '-' or a blank line skips it); nothing is
    written unless every question gets a line. --db and --today are not used.

    Example: flash quiz take exports/lesson-4-certification-1a2b3c.quiz.yaml --learner "Ann Lee"
    """
    from ..errors import QuizError
    from ..quiz import AnswerSheet, clean_learner, display_order
    from ..quiz_formats import load_paper, write_answers

    try:
        name = clean_learner(learner)
    except QuizError as exc:
        raise click.BadParameter(str(exc), param_hint="--learner") from None
    paper, checksum = load_paper(paper_path)
    out = console()
    interactive = sys.stdin.isatty()
    keys = _TerminalChoices() if interactive else _LineChoices(
        sys.stdin, what="nothing was written", stop_at_end=False)
    orders = {q.id: display_order(q, paper.quiz_id, name) for q in paper.questions}
    started = now()
    deadline = started + timedelta(minutes=paper.time_limit) if paper.time_limit else None
    limits = [f"{len(paper.questions)} questions", f"pass mark {paper.pass_mark}%"]
    if paper.time_limit:
        limits.append(f"{paper.time_limit} minutes")
    if paper.max_attempts:
        limits.append(f"{paper.max_attempts} attempt{'s' if paper.max_attempts != 1 else ''} allowed")
    _say(out, f"{paper.title} · {' · '.join(limits)} · learner {name}")

    choices: dict[str, Optional[int]] = {q.id: None for q in paper.questions}
    timed_out = _ask_all(paper, orders, choices, keys, out, deadline, range(len(paper.questions)))
    while True:
        out.print(_review_table(paper, orders, choices))
        if timed_out or not interactive:
            break
        answer = click.prompt("Enter: submit · a question number: change that answer",
                              default="", show_default=False).strip()
        if not answer:
            break
        if answer.isdigit() and 1 <= int(answer) <= len(paper.questions):
            timed_out = _ask_all(paper, orders, choices, keys, out, deadline, [int(answer) - 1])
        else:
            out.print(f"Type a number from 1 to {len(paper.questions)}, or press Enter to submit.")
    finished = now()
    sheet = AnswerSheet(
        quiz_id=paper.quiz_id, paper_checksum=checksum, learner=name,
        started_at=started.isoformat(timespec="seconds"), finished_at=finished.isoformat(timespec="seconds"),
        choices={qid: (orders[qid][index].id if index is not None else None) for qid, index in choices.items()},
    )
    path = output or _answers_path(paper_path, paper.quiz_id, name)
    write_answers(sheet, path)
    answered = sum(index is not None for index in choices.values())
    _say(out, f"Answers saved to {path} ({answered} of {len(choices)} answered). "
              f"Hand this file to your manager, who scores it with: flash quiz score {path}")


def _ask_all(paper, orders, choices, keys, out, deadline, indexes) -> bool:
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
        out.print(_question_panel(q.prompt, orders[q.id], title=f"Question {index + 1} of {total}",
                                  subtitle=subtitle))
        choice = keys.choose(len(q.options), can_go_back=position > 0)
        if choice is None:
            raise click.ClickException(
                f"standard input ended after {getattr(keys, 'line_number', 1) - 1} answers, "
                f"but the paper has {total} questions; nothing was written"
            )
        if deadline is not None and now() > deadline:
            out.print("Time is up: that answer came after the limit and is not counted.")
            return True
        if choice == BACK:
            position -= 1
            continue
        choices[q.id] = None if choice == SKIP else choice
        position += 1
    return False


def _review_table(paper, orders, choices):
    from rich.markup import escape
    from rich.table import Table

    from ..quiz import letter

    table = Table(title="Review your answers", title_justify="left")
    for column in ("#", "question", "your answer"):
        table.add_column(column)
    for number, q in enumerate(paper.questions, start=1):
        index = choices[q.id]
        answer = f"{letter(index)}) {_short(orders[q.id][index].text, 40)}" if index is not None else "[red]—[/red]"
        table.add_row(str(number), escape(_short(q.prompt, 50)),
                      escape(answer) if index is not None else answer)
    return table


def _answers_path(paper_path: Path, quiz_id: str, learner: str) -> Path:
    """``<paper folder>/<quiz>.<learner>.answers.yaml``, numbered if taken (an earlier attempt is kept)."""
    base = paper_path.name
    for suffix in (".quiz.yaml", ".quiz.yml", ".yaml", ".yml"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    stem = f"{base or quiz_id}.{_slug(learner)}"
    path = paper_path.parent / f"{stem}.answers.yaml"
    n = 1
    while path.exists():
        n += 1
        path = paper_path.parent / f"{stem}.{n}.answers.yaml"
    return path


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
    from ..quiz import available, generate, letter, parse_kinds
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
            out.print(_question_panel(q.prompt, q.options, title=f"Practice {number} of {len(questions)}"))
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
            _say(out, q.correct_option.text)
            outcome = make_due_today(store, [q.card_id], today=day)[q.card_id]
            if outcome in ("due", "already due"):
                due.append(q.card_id)
                _say(out, f"{q.card_id} is due today in your review.", style="dim")
            else:
                _say(out, f"{q.card_id} is {outcome} in {store.path}: re-import its deck to review it.",
                     style="yellow")
    _say(out, f"Practice: {right} of {asked} right.")
    if due:
        _say(out, f"{len(due)} card{'s' if len(due) != 1 else ''} due today from this practice: "
                  "run 'flash review'.")
