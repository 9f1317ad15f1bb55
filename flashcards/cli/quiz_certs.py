"""`flash quiz report --expiring DAYS` and `flash quiz recertify`: certificates that expire.

Thin: the rules are in ``flashcards.quiz.certificates``, the queries in
``flashcards.store.certificates``; this module renders and registers
``recertify`` on the ``quiz`` group. The report's printable files are
written here too: certificates with their expiry (``--certificates``)
and result slips (``--slips``).
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from ..render_quiz import cell, clean as _clean, plural as _plural
from ._common import CONTEXT_SETTINGS, common_options, console, default_exports_dir, now, open_store, resolve_today
from .completion import complete_quiz
from ._quiz_common import html_option, quiet_console, say as _say, slug as _slug, write as _write
from .quiz import quiz

QUIZ_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def write_certificates(the_quiz, rows, cert_dir: Path) -> int:
    """One printable HTML certificate per learner who passed (with its expiry); returns how many."""
    from ..quiz.report import certificate_html

    written: set[str] = set()
    for r in rows:
        if r["status"] != "pass":
            continue
        name = f"{the_quiz.id}--{r['learner_id'] or _slug(r['learner'])}.html"
        if name in written:
            name = f"{name[:-5]}-{len(written) + 1}.html"
        _write(cert_dir / name, certificate_html(
            learner=r["learner"], quiz_title=the_quiz.title, quiz_id=the_quiz.id,
            score_percent=float(r["score_percent"]), pass_mark=the_quiz.pass_mark, day=r["day"],
            code=r["certificate"], expires=r.get("expires_on", "")))
        written.add(name)
    return len(written)


def write_slips(the_quiz, rows, best, slip_dir: Path, show_answers: bool) -> int:
    """One HTML result slip per learner with a paper (score, pass/fail, concepts missed); returns how many."""
    from ..quiz.report import missed_items, slip_html

    count = 0
    for r in rows:
        if r["status"] == "no paper":
            continue
        key = r["learner_id"] or None
        a = best.get(key) if key else next((b for b in best.values() if b.learner == r["learner"]), None)
        missed = missed_items(the_quiz, a) if a is not None else []
        allowed = r["attempts_allowed"]
        _write(slip_dir / f"{the_quiz.id}--{r['learner_id'] or _slug(r['learner'])}.html", slip_html(
            learner=r["learner"], quiz_title=the_quiz.title, quiz_id=the_quiz.id, status=r["status"],
            correct=r.get("correct", 0), total=r.get("questions", 0), pass_mark=the_quiz.pass_mark,
            day=r.get("day", ""), attempts=f"{r['attempts_used']}" + (f" of {allowed}" if allowed != "" else ""),
            missed=missed, show_answers=show_answers))
        count += 1
    return count


def _expiring(quizzes, the_quiz, within: int, day):
    from ..quiz.certificates import expiring
    from ..store.certificates import renewals, report_rows

    if not the_quiz.valid_days:
        raise click.UsageError(f"the certificates of quiz {the_quiz.id} do not expire (a quiz made with "
                               "'flash quiz create --valid-days N' gives certificates that do)")
    renewed, pending = renewals(quizzes, the_quiz.id)
    return expiring(report_rows(quizzes, the_quiz), today=day, within=within, renewed=renewed, pending=pending)


def _expiring_table(found):
    from rich.table import Table

    from ..quiz.certificates import when

    table = Table(title=f"Certificates ending by {found.by.isoformat()}", title_justify="left")
    for column in ("learner", "id", "email", "team", "earned", "expires", "ends"):
        table.add_column(column, overflow="fold" if column in ("id", "email") else "ellipsis")  # ids stay whole
    for e in found.due:
        table.add_row(cell(e.learner), cell(e.learner_id), cell(e.email), cell(e.team), e.earned,
                      e.expires.isoformat(), when(e.days_left))
    return table


def _skipped_lines(found) -> list[str]:
    lines = []
    for what, mapping in (("renewed in", found.renewed), ("can still sit re-certification quiz", found.pending)):
        by_quiz: dict[str, int] = {}
        for quiz_id in mapping.values():
            by_quiz[quiz_id] = by_quiz.get(quiz_id, 0) + 1
        for quiz_id, count in by_quiz.items():
            lines.append(f"Not listed: {_plural(count, 'learner')} {what} {quiz_id}.")
    return lines


def expiring_report(quiz_ref, within: int, csv_path, db_path, today) -> None:
    """``flash quiz report QUIZ --expiring DAYS``: the learners whose certificate ends within DAYS of today."""
    from ..quiz.report import report_csv
    from ..store.certificates import report_rows
    from ..store.quizzes import QuizStore

    day = resolve_today(today)
    with open_store(db_path, create=False, write=False) as store:
        quizzes = QuizStore(store)
        the_quiz = quizzes.get(quiz_ref)
        found = _expiring(quizzes, the_quiz, within, day)
        rows = report_rows(quizzes, the_quiz)
    csv_to_stdout = csv_path is not None and str(csv_path) == "-"
    out = quiet_console() if csv_to_stdout else console()
    _say(out, f"Quiz {the_quiz.id}: {the_quiz.title} · certificates valid {_plural(the_quiz.valid_days, 'day')}")
    if found.due:
        out.print(_expiring_table(found))
        _say(out, f"{_plural(len(found.due), 'certificate')} ending within {_plural(within, 'day')} of "
                  f"{day.isoformat()}. Re-certify them with: flash quiz recertify {the_quiz.id} --expiring {within}")
    else:
        _say(out, f"No certificate of quiz {the_quiz.id} to renew ends by {found.by.isoformat()} "
                  f"(within {_plural(within, 'day')} of {day.isoformat()}).")
    for line in _skipped_lines(found):
        _say(out, line)
    if csv_path is not None:
        due = {e.learner_id for e in found.due}
        text = report_csv([r for r in rows if r["learner_id"] in due])
        if csv_to_stdout:
            click.echo(text, nl=False)
        else:
            _write(csv_path, text)
            _say(out, f"Wrote {csv_path} ({_plural(len(due), 'learner')})")


@quiz.command(context_settings=CONTEXT_SETTINGS)
@click.argument("quiz_ref", metavar="QUIZ", shell_complete=complete_quiz)
@click.option("--expiring", "within", type=click.IntRange(min=0), required=True, metavar="DAYS",
              help="Re-certify the learners whose certificate ends within DAYS of today (or has ended).")
@click.option("--id", "new_id", metavar="ID", help="The new quiz's id. [default: from the title, with a random code]")
@click.option("--title", help="The new quiz's title. [default: the quiz's title and '(re-certification)']")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Folder for the papers. [default: $XDG_DATA_HOME/flashcards/exports/<new quiz id>/]")
@html_option
@common_options
def recertify(quiz_ref, within, new_id, title, output, html, db_path, today) -> None:
    """Create the re-certification quiz for exactly the learners whose certificate ends soon.

    The learners are those 'flash quiz report QUIZ --expiring DAYS' lists:
    their certificate ends within DAYS of today (--today), or has ended, and
    they have not renewed it in an earlier re-certification quiz nor hold a
    paper of one they can still sit. The new quiz has the same pool (less
    the dropped items) and the same settings (questions per paper, pass
    mark, attempts, limits, validity, private share), one personal paper for
    each of them, and renews QUIZ: once a learner passes it, QUIZ's report
    no longer lists them as expiring. Serve it and send links with
    'flash quiz invite NEW', or send the papers.

    Example: flash quiz recertify lesson-4-certification-3f9a2c --expiring 30 --id lesson-4-recert-2027
    """
    import secrets

    from ..quiz.certificates import recertification
    from ..quiz.generate import quiz_id_for
    from ..store.quizzes import QuizStore
    from .quiz import _issue_and_record

    day = resolve_today(today)
    if new_id is not None and not QUIZ_ID.fullmatch(new_id):
        raise click.BadParameter(f"'{_clean(new_id)}' is not a quiz id: lower-case letters, digits and '-', "
                                 "at most 64, starting with a letter or digit", param_hint="--id")
    if title is not None and not _clean(title):
        raise click.BadParameter("the title is empty", param_hint="--title")
    out = console()
    with open_store(db_path, create=False) as store:
        quizzes = QuizStore(store)
        the_quiz = quizzes.get(quiz_ref)
        found = _expiring(quizzes, the_quiz, within, day)
        if not found.due:
            _say(out, f"Nothing to do: no certificate of quiz {the_quiz.id} to renew ends by "
                      f"{found.by.isoformat()}; no quiz created.")
            for line in _skipped_lines(found):
                _say(out, line)
            return
        if new_id is not None and new_id in quizzes.ids():
            raise click.BadParameter(f"a quiz with id '{new_id}' already exists", param_hint="--id")
        new_title = _clean(title) if title is not None else f"{the_quiz.title} (re-certification)"
        quiz_id = new_id or quizzes.free_id(quiz_id_for(new_title, secrets.token_hex(3)))
        made = recertification(the_quiz, quiz_id=quiz_id, title=new_title, today=day)
        learners = quizzes.learners([e.learner_id for e in found.due])
        folder = output or default_exports_dir() / quiz_id
        papers, pages = _issue_and_record(quizzes, made, learners, folder, clock=now, html=html)
    _say(out, f"Created re-certification quiz {quiz_id}: {new_title}")
    _say(out, f"Renews quiz {the_quiz.id} for {_plural(len(learners), 'learner')} whose certificate ends by "
              f"{found.by.isoformat()}: " + ", ".join(f"{x.name} ({x.id})" for x in learners))
    _say(out, f"Same pool ({_plural(len(made.questions), 'item')}) and settings; {made.per_paper} per paper; "
              f"certificates valid {_plural(made.valid_days, 'day')}")
    for line in _skipped_lines(found):
        _say(out, line)
    _say(out, f"Wrote {_plural(len(papers), 'personal paper')} to {folder}/"
              + (f" and {_plural(len(pages), 'web page')} beside them" if pages else ""))
    _say(out, f"Serve it and send the links with: flash quiz invite {quiz_id}")
