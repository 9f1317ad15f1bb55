"""`flash quiz ...`: certification quizzes.

Manager: roster, create (personal papers), issue, score, report, void,
drop, extra-attempt, list, export. Thin: each command calls
``flashcards.quiz`` and ``flashcards.store`` and renders with
``flashcards.render_quiz``. The learner's commands (take, practice) are in
``quiz_take``, the served quiz (serve, invite) in ``quiz_serve``,
certificates that expire (report --expiring, recertify) in ``quiz_certs``;
each registers on the ``quiz`` group defined here.
"""

from __future__ import annotations

from pathlib import Path

import click

from ._common import CONTEXT_SETTINGS, common_options, console, default_exports_dir, now, open_store, resolve_today
from .completion import complete_learner, complete_question, complete_quiz

from ..render_quiz import (
    audit_table, clean as _clean, concept_table, item_table, learner_table, plural as _plural, pool_note,
    quiz_heading, quiz_list_table, rejection_table, roster_table, score_table, short as _short,
)
from ._quiz_common import (
    Percent as _Percent, Share as _Share, html_option, kinds_option, paths_argument, quiet_console as _quiet_console,
    say as _say, write as _write,
)


@click.group(context_settings=CONTEXT_SETTINGS)
def quiz():
    """Certification quizzes: a roster, personal papers, signed answers, fair questions.

    Manager: roster import the team, create one paper per learner, score the
    answers files, report who passed (certificates, result slips), and
    correct mistakes with void, drop and extra-attempt. Learner: take a paper,
    or practise with missed cards coming back in today's review.

    Example: flash quiz create --title "Lesson 4 certification" --questions 20 --pass-mark 80 --roster
    """


# -- roster -------------------------------------------------------------------


@quiz.group(context_settings=CONTEXT_SETTINGS)
def roster():
    """The learners who take quizzes: import them from a CSV file, list them.

    Example: flash quiz roster import team.csv
    """


@roster.command("import", context_settings=CONTEXT_SETTINGS)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@common_options
def roster_import(file, db_path, today) -> None:
    """Add or update learners from a CSV file with the columns name, email and (optionally) team.

    Learners are matched by e-mail, so each keeps the id given at the first
    import. Names are cleaned (Unicode NFKC, no control or zero-width
    characters); a name that looks like another learner's (a Cyrillic 'а'
    for a Latin 'a') is flagged.

    Example: flash quiz roster import team.csv
    """
    from ..quiz.roster import read_roster
    from ..store.quizzes import QuizStore

    day = resolve_today(today)
    rows = read_roster(file)
    with open_store(db_path) as store:
        report = QuizStore(store).import_roster(rows, today=day)
        total = len(QuizStore(store).roster())
    out = console()
    _say(out, f"Roster: {len(report.added)} added, {len(report.updated)} updated, {report.unchanged} unchanged "
              f"({_plural(total, 'learner')} on the roster).")
    for a, b in report.lookalikes:
        _say(out, f"Look-alike names: '{a.name}' ({a.id}, {a.email}) and '{b.name}' ({b.id}, {b.email}) "
                  "look the same: check they are two people.", style="yellow")
    for learner, why in report.suspicious:
        _say(out, f"Suspicious name: '{learner.name}' ({learner.id}) {why}.", style="yellow")


@roster.command("list", context_settings=CONTEXT_SETTINGS)
@common_options
def roster_list(db_path, today) -> None:
    """List the roster: id, name, e-mail, team.

    Example: flash quiz roster list
    """
    from ..store.quizzes import QuizStore

    with open_store(db_path, write=False) as store:
        learners = QuizStore(store).roster()
    if not learners:
        click.echo("The roster is empty: add learners with 'flash quiz roster import FILE.csv'.")
        return
    out = console()
    out.print(roster_table(learners))
    _say(out, f"{_plural(len(learners), 'learner')}.")


# -- manager ------------------------------------------------------------------


@quiz.command(context_settings=CONTEXT_SETTINGS)
@paths_argument
@click.option("--title", required=True, help="The quiz title, shown on the papers and certificates.")
@click.option("--questions", "count", type=click.IntRange(min=1), required=True, metavar="N",
              help="Questions on each learner's paper.")
@click.option("--pass-mark", type=_Percent(), required=True, help="Share correct needed to pass, e.g. 80.")
@click.option("--roster", "whole_roster", is_flag=True, help="A paper for every learner on the roster.")
@click.option("--learner", "learner_refs", multiple=True, metavar="ID", shell_complete=complete_learner,
              help="A paper for this learner (roster id or e-mail); repeat for more.")
@click.option("--pool", "pool_size", type=click.IntRange(min=1), metavar="N",
              help="Draw papers from a pool of N items. [default: every eligible item of the chosen kinds]")
@kinds_option
@click.option("--attempts", type=click.IntRange(min=1), metavar="N",
              help="Attempts allowed per learner. [default: no limit]")
@click.option("--time-limit", type=click.IntRange(min=1), metavar="MIN",
              help="Minutes per attempt; a file with answers after the limit is rejected. [default: none]")
@click.option("--question-seconds", type=click.IntRange(min=1), metavar="N",
              help="Seconds per question when served (flash quiz serve); a slower answer does not count. "
                   "[default: none]")
@click.option("--show-answers", is_flag=True,
              help="When served, the learner's result shows the right answers of the questions missed.")
@click.option("--private", "private_paths", multiple=True, type=click.Path(exists=True, path_type=Path),
              metavar="PATH", help="A deck of your own, never given to learners, whose items are mixed in "
                                   "(a file or folder; repeatable).")
@click.option("--private-share", type=_Share(), metavar="SHARE",
              help="Share of each paper from the --private decks, e.g. 0.5 or 50%. [default: their share of "
                   "the pool]")
@click.option("--valid-days", type=click.IntRange(min=1, max=36600), metavar="N",
              help="Certificates end N days after the day they were earned. [default: they do not expire]")
@click.option("--seed", type=int, metavar="S",
              help="The same pool of items again with the same seed. [default: random]")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Folder for the papers. [default: $XDG_DATA_HOME/flashcards/exports/<quiz id>/]")
@html_option
@common_options
def create(paths, title, count, pass_mark, whole_roster, learner_refs, pool_size, kinds, attempts, time_limit,
           seed, output, html, db_path, today, question_seconds=None, show_answers=False, valid_days=None,
           private_paths=(), private_share=None) -> None:
    """Create a quiz from decks (the shipped decks if no PATH) and one personal paper per learner.

    The pool holds every eligible item of the chosen kinds (or --pool N of
    them, drawn with --seed), with --private those of your own decks too
    (each paper --private-share of them). Each learner's paper draws --questions items
    from the pool (kinds take turns), in an order of its own, with options
    shuffled and given random ids, and carries a secret token that signs the
    learner's answers. The key and the tokens stay in the database (--db).
    With --html, each paper also gets a web page beside it that the learner
    takes in a browser, offline.

    Example: flash quiz create --title "Lesson 4 certification" --questions 20 --pass-mark 80 --roster --attempts 2
    """
    import random
    import secrets

    from ..decks import load_decks, shipped_decks_dir
    from ..quiz.generate import generate, quiz_id_for
    from ..quiz.model import Quiz, parse_kinds
    from ..store.quizzes import QuizStore

    day = resolve_today(today)
    title = _clean(title)
    if not title:
        raise click.BadParameter("the title is empty", param_hint="--title")
    if whole_roster == bool(learner_refs):
        raise click.UsageError("say who gets a paper: --roster (everyone on it) or --learner ID (repeatable)")
    chosen = parse_kinds(kinds)
    if private_share is not None and not private_paths:
        raise click.UsageError("--private-share needs --private PATH (the decks of your own to mix in)")
    decks = load_decks(paths or [shipped_decks_dir()])
    private = load_decks(private_paths) if private_paths else []
    if seed is None:
        seed = random.SystemRandom().randrange(1_000_000)
    if pool_size is not None and pool_size < count:
        raise click.BadParameter(f"a pool of {pool_size} cannot fill papers of {count} questions",
                                 param_hint="--pool")
    if private:
        from ..quiz.pools import mixed_pool

        items = mixed_pool(decks, private, pool_size=pool_size, kinds=chosen, seed=seed, share=private_share)
    else:
        items = generate(decks, pool_size, chosen, seed, prefix="i")
    if len(items) < count:
        raise click.BadParameter(f"the decks give {len(items)} items of the chosen kinds, fewer than {count}",
                                 param_hint="--questions")
    with open_store(db_path) as store:
        quizzes = QuizStore(store)
        learners = quizzes.roster() if whole_roster else quizzes.learners(learner_refs)
        if not learners:
            raise click.UsageError("the roster is empty: add learners with 'flash quiz roster import FILE.csv'")
        quiz_id = quizzes.free_id(quiz_id_for(title, secrets.token_hex(3)))
        made = Quiz(id=quiz_id, title=title, pass_mark=pass_mark, questions=items, seed=seed,
                    kinds=tuple(dict.fromkeys(q.kind for q in items)), deck_ids=tuple(d.id for d in decks + private),
                    max_attempts=attempts, time_limit=time_limit, created_on=day.isoformat(), question_count=count,
                    question_seconds=question_seconds, show_answers=show_answers, valid_days=valid_days,
                    private_share=private_share)
        if private:
            from ..quiz.pools import check_split

            check_split(made)
        folder = output or default_exports_dir() / quiz_id
        papers, pages = _issue_and_record(quizzes, made, learners, folder, clock=now, html=html)
        db_file = store.path
    mix = ", ".join(f"{k.value} {n}" for k, n in _kind_counts(items).items())
    limits = [f"pass mark {pass_mark}%", f"{_plural(attempts, 'attempt')}" if attempts else "unlimited attempts"]
    if time_limit:
        limits.append(f"{time_limit}-minute limit")
    if question_seconds:
        limits.append(f"{question_seconds} s per question when served")
    if valid_days:
        limits.append(f"certificates valid {_plural(valid_days, 'day')}")
    out = console()
    _say(out, f"Created quiz {quiz_id}: {title}")
    _say(out, f"Pool of {len(items)} items ({mix}) from {', '.join(d.id for d in decks + private)}; "
              f"{count} per paper; {'; '.join(limits)}; seed {seed}")
    if private:
        from ..quiz.pools import paper_split

        secret = sum(q.private for q in items)
        split = paper_split(count, private_share)
        _say(out, f"{secret} of the items are private (ids p01...) from {', '.join(d.id for d in private)}; "
                  + (f"each paper: {split[0]} private, {split[1]} shipped" if split else
                     "papers draw from the whole pool (no --private-share)"))
    _say(out, f"Wrote {_plural(len(papers), 'personal paper')} to {folder}/ (no key in them; the key and the "
              f"learners' tokens stay in {db_file})")
    if pages:
        _say(out, f"Wrote {_plural(len(pages), 'web page')} beside them (<quiz id>--<learner id>.paper.html): "
                  f"learners without a terminal open theirs in a browser, offline")
    _say(out, f"Send each learner their own file; they take it with: flash quiz take {papers[0][1]}")


def _issue_and_write(made, learners, folder: Path, *, html: bool = False):
    """Issue a paper to each learner and write it through ``write_paper`` (the one writer of papers),
    with ``html`` its web page beside it from the same document. Returns ([(issued, paper path)],
    [page path]); on failure nothing written is left behind."""
    from ..quiz.browser import write_page
    from ..quiz.papers import issue_paper, paper_document, write_paper

    written, pages = [], []
    try:
        for learner in learners:
            issued = issue_paper(made, learner)
            document = paper_document(made, issued)
            written.append((issued, write_paper(document, folder)))
            if html:
                pages.append(write_page(document, folder))
    except BaseException:
        _remove([path for _, path in written] + pages)
        raise
    return written, pages


def _issue_and_record(quizzes, made, learners, folder: Path, *, clock, html: bool = False):
    """A new quiz: its papers written (``_issue_and_write``), then the quiz stored with their tokens
    in ``quizzes`` (a ``QuizStore``), created at ``clock()`` (the calling command's ``now``). If
    storing fails, the papers are removed: no paper without its token in the database. Returns what
    ``_issue_and_write`` returns."""
    papers, pages = _issue_and_write(made, learners, folder, html=html)
    try:
        quizzes.add(made, created_at=clock(), papers=[p for p, _ in papers])
    except BaseException:
        _remove([path for _, path in papers] + pages)
        raise
    return papers, pages


def _remove(paths) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _kind_counts(questions) -> dict:
    from ..quiz.model import ALL_KINDS

    counts = {k: 0 for k in ALL_KINDS}
    for q in questions:
        counts[q.kind] += 1
    return {k: n for k, n in counts.items() if n}


@quiz.command(context_settings=CONTEXT_SETTINGS)
@click.argument("quiz_ref", metavar="QUIZ", shell_complete=complete_quiz)
@click.option("--learner", "learner_refs", multiple=True, required=True, metavar="ID",
              shell_complete=complete_learner,
              help="Roster id or e-mail; repeat for more.")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Folder for the papers. [default: $XDG_DATA_HOME/flashcards/exports/<quiz id>/]")
@html_option
@common_options
def issue(quiz_ref, learner_refs, output, html, db_path, today) -> None:
    """Issue a new personal paper for an existing quiz (a learner added to the roster later).

    Example: flash quiz issue lesson-4 --learner new.hire@example.com
    """
    from ..store.quizzes import QuizStore

    with open_store(db_path, create=False) as store:
        quizzes = QuizStore(store)
        made = quizzes.get(quiz_ref)
        if not made.personal:
            raise click.UsageError(f"quiz {made.id} was made before personal papers; create a new quiz")
        learners = quizzes.learners(learner_refs)
        folder = output or default_exports_dir() / made.id
        papers, pages = _issue_and_write(made, learners, folder, html=html)
        try:
            quizzes.add_papers([p for p, _ in papers], now=now())
        except BaseException:
            _remove([path for _, path in papers] + pages)
            raise
    out = console()
    for path in [path for _, path in papers] + pages:
        _say(out, f"Wrote {path}")


@quiz.command(context_settings=CONTEXT_SETTINGS)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--retry", is_flag=True, help="Judge again files rejected before (e.g. after an extra attempt).")
@common_options
def score(files, retry, db_path, today) -> None:
    """Score answers files (or every file in a folder) against the keys and tokens in the database.

    Each file's signature is checked with its paper's token: a file
    re-labelled with another learner, moved onto another paper, or edited
    is rejected with its reason, as is one over the attempt limit. With a
    time limit, answers given after it are dropped (the attempt counts).
    Files seen before are skipped, so scoring an inbox again scores only the
    new ones. Exit status 1 if a new file was rejected.

    Example: flash quiz score inbox/
    """
    from ..store.quiz_inbox import score_files
    from ..store.quizzes import QuizStore

    day = resolve_today(today)
    with open_store(db_path, create=False) as store:
        run = score_files(QuizStore(store), files, retry=retry, today=day, now=now)
    out = console()
    if run.results:
        out.print(score_table(run.results, day))
        _say(out, f"{run.counted} of {_plural(len(run.results), 'new file')} scored"
                  + (f", {run.duplicates} already counted under another file" if run.duplicates else "")
                  + (f", {run.rejected} rejected" if run.rejected else "") + ".")
    skipped = run.skipped
    before = sum(skipped.values())
    if before or not run.results:
        parts = [f"{skipped['scored'] + skipped['duplicate']} already counted"]
        if skipped["rejected"]:
            parts.append(f"{skipped['rejected']} already rejected (--retry to judge them again)")
        _say(out, f"{'Nothing new: ' if not run.results else ''}{_plural(before, 'file')} seen before, skipped: "
                  f"{', '.join(parts)}.")
    if run.rejected:
        raise click.ClickException(f"{_plural(run.rejected, 'file')} rejected (reasons above)")


# -- report ---------------------------------------------------------------------


@quiz.command(context_settings=CONTEXT_SETTINGS)
@click.argument("quiz_ref", metavar="QUIZ", shell_complete=complete_quiz)
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), metavar="FILE",
              help="Also write one row per learner as CSV ('-' for standard output).")
@click.option("--certificates", "cert_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write a printable HTML certificate for each learner who passed.")
@click.option("--slips", "slip_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write one HTML result slip per learner: score, pass/fail, concepts missed.")
@click.option("--show-answers", is_flag=True, help="Put the correct answers of missed questions on the slips.")
@click.option("--expiring", "within", type=click.IntRange(min=0), metavar="DAYS",
              help="Only the learners whose certificate ends within DAYS of today (or has ended), to re-certify.")
@common_options
def report(quiz_ref, csv_path, cert_dir, slip_dir, show_answers, db_path, today, within=None) -> None:
    """Every learner (passed, failed, not yet taken), the manager's corrections, and an item analysis.

    Each learner counts once, with their best attempt that is not voided.
    Item analysis runs per item of the pool over those attempts: facility is
    the share who got it right; discrimination is Moodle's discrimination
    index (the correlation, in %, between the item's score and the rest of
    the test); the most chosen wrong option shows the misconception.
    Concepts group items by deck entry and by tag, weakest first. With
    --expiring DAYS, only the learners whose certificate ends within DAYS of
    today (--csv writes just them); 'flash quiz recertify' makes their quiz.

    Example: flash quiz report lesson-4 --csv results.csv --certificates certificates/ --slips slips/
    """
    if within is not None:
        if cert_dir is not None or slip_dir is not None:
            raise click.UsageError("--expiring lists learners to re-certify: it does not write certificates or slips")
        from .quiz_certs import expiring_report

        return expiring_report(quiz_ref, within, csv_path, db_path, today)
    from ..quiz.scoring import concept_analysis, item_analysis, pool_advice
    from ..store.certificates import learner_report
    from ..store.quizzes import QuizStore
    from ..store.sittings import SittingStore
    from .quiz_pace import pace_tables

    with open_store(db_path, create=False, write=False) as store:
        quizzes = QuizStore(store)
        the_quiz = quizzes.get(quiz_ref)
        attempts, best, rows, papers = learner_report(quizzes, the_quiz)
        rejections = quizzes.rejections(the_quiz.id)
        audit = quizzes.audit(the_quiz.id)
        times = SittingStore(store).response_times(the_quiz.id)
    csv_to_stdout = csv_path is not None and str(csv_path) == "-"
    out = _quiet_console() if csv_to_stdout else console()
    out.print(quiz_heading(the_quiz))
    out.print(learner_table(rows, expiry=bool(the_quiz.valid_days)))
    taken = [r for r in rows if r["status"] in ("pass", "fail")]
    passed = sum(r["status"] == "pass" for r in taken)
    waiting = sum(r["status"] == "not taken" for r in rows)
    unissued = sum(r["status"] == "no paper" for r in rows)
    if taken:
        _say(out, f"Pass rate: {passed} of {_plural(len(taken), 'learner')} ({100 * passed / len(taken):.0f}%)"
                  + (f"; {waiting} not taken yet" if waiting else ""))
    else:
        _say(out, "No attempts scored yet: run 'flash quiz score FILE-OR-FOLDER'."
                  + (f" {waiting} not taken yet." if waiting else ""))
    if unissued:
        _say(out, f"{_plural(unissued, 'learner')} on the roster without a paper for this quiz: "
                  f"flash quiz issue {the_quiz.id} --learner ID")
    if audit:
        out.print(audit_table(audit, {p.learner.id: p.learner.name for p in papers}))
    if rejections:
        out.print(rejection_table(rejections))
    counted = list(best.values())
    items = item_analysis(the_quiz, [a.choices for a in counted]) if counted else []
    if counted:
        out.print(item_table(items, len(counted)))
        advice = pool_advice(items, len(counted), the_quiz.per_paper)
        if advice is not None:
            _say(out, pool_note(advice), style="yellow")
        out.print(concept_table(concept_analysis([i for i in items if not i.question.dropped], by="entry"),
                                 "Concepts by deck entry (weakest first)", "entry"))
        tags = concept_analysis([i for i in items if not i.question.dropped], by="tag")
        if tags:
            out.print(concept_table(tags, "Concepts by tag (weakest first)", "tag"))
    for table in pace_tables(the_quiz, attempts, counted, times):
        out.print(table)
    if csv_path is not None:
        from ..quiz.report import report_csv

        text = report_csv(rows)
        if csv_to_stdout:
            click.echo(text, nl=False)
        else:
            _write(csv_path, text)
            _say(out, f"Wrote {csv_path} ({_plural(len(rows), 'learner')})")
    if cert_dir is not None:
        from .quiz_certs import write_certificates

        written = write_certificates(the_quiz, rows, cert_dir)
        _say(out, f"Wrote {_plural(written, 'certificate')} to {cert_dir}")
    if slip_dir is not None:
        from .quiz_certs import write_slips

        written = write_slips(the_quiz, rows, best, slip_dir, show_answers)
        _say(out, f"Wrote {_plural(written, 'result slip')} to {slip_dir}"
                  + (" (with the correct answers)" if show_answers else ""))


# -- the manager's corrections ------------------------------------------------------

reason_option = click.option("--reason", default="", metavar="TEXT", help="Why, for the audit log in the report.")


@quiz.command(context_settings=CONTEXT_SETTINGS)
@click.argument("quiz_ref", metavar="QUIZ", shell_complete=complete_quiz)
@click.argument("learner_ref", metavar="LEARNER", shell_complete=complete_learner)
@click.option("--attempt", type=click.IntRange(min=1), metavar="N", help="Which attempt. [default: the latest]")
@reason_option
@common_options
def void(quiz_ref, learner_ref, attempt, reason, db_path, today) -> None:
    """Void a learner's attempt: it no longer counts for their result (it still uses an attempt).

    LEARNER is a roster id or e-mail. Logged in the report. To let the
    learner sit again past the limit, also grant an extra attempt.

    Example: flash quiz void lesson-4 priya-natarajan --reason "took it with a colleague"
    """
    from ..store.quizzes import QuizStore

    day = resolve_today(today)
    with open_store(db_path, create=False) as store:
        learner, number = QuizStore(store).void(quiz_ref, learner_ref, attempt=attempt, reason=_clean(reason),
                                                today=day, now=now())
    _say(console(), f"Voided attempt {number} of {learner.name} ({learner.id}); logged in the report.")


@quiz.command(context_settings=CONTEXT_SETTINGS)
@click.argument("quiz_ref", metavar="QUIZ", shell_complete=complete_quiz)
@click.argument("item_id", metavar="QUESTION", shell_complete=complete_question)
@reason_option
@common_options
def drop(quiz_ref, item_id, reason, db_path, today) -> None:
    """Drop a question (an item of the pool, e.g. i07) from scoring and re-score everyone.

    The item ids are in the report's item analysis. A dropped item counts
    for nobody: each learner's score is out of the questions left on their
    paper. Logged in the report.

    Example: flash quiz drop lesson-4 i07 --reason "two defensible answers"
    """
    from ..store.quizzes import QuizStore

    day = resolve_today(today)
    with open_store(db_path, create=False) as store:
        item, rescored = QuizStore(store).drop(quiz_ref, item_id.strip(), reason=_clean(reason), today=day, now=now())
    _say(console(), f"Dropped {item.id} ({_short(item.prompt, 60)}); re-scored {_plural(rescored, 'attempt')}.")


@quiz.command("extra-attempt", context_settings=CONTEXT_SETTINGS)
@click.argument("quiz_ref", metavar="QUIZ", shell_complete=complete_quiz)
@click.argument("learner_ref", metavar="LEARNER", shell_complete=complete_learner)
@reason_option
@common_options
def extra_attempt(quiz_ref, learner_ref, reason, db_path, today) -> None:
    """Allow a learner one attempt more than the quiz's limit. Logged in the report.

    A file rejected earlier for the limit is judged again with 'flash quiz score --retry FILE'.

    Example: flash quiz extra-attempt lesson-4 priya-natarajan --reason "network failure"
    """
    from ..store.quizzes import QuizStore

    day = resolve_today(today)
    with open_store(db_path, create=False) as store:
        learner, allowed = QuizStore(store).extra_attempt(quiz_ref, learner_ref, reason=_clean(reason),
                                                          today=day, now=now())
    limit = f"now {_plural(allowed, 'attempt')}" if allowed is not None else "the quiz has no limit anyway"
    _say(console(), f"Extra attempt for {learner.name} ({learner.id}): {limit}; logged in the report.")


@quiz.command("list", context_settings=CONTEXT_SETTINGS)
@common_options
def list_(db_path, today) -> None:
    """List quizzes with their question count, pass mark, attempts scored and pass rate.

    The pass rate counts learners (each once) with at least one passing attempt.

    Example: flash quiz list
    """
    from ..store.quizzes import QuizStore

    with open_store(db_path, create=False, write=False) as store:
        summaries = QuizStore(store).summaries()
    if not summaries:
        click.echo("No quizzes yet: create one with 'flash quiz create --title TEXT --questions N --pass-mark PCT "
                   "--roster'.")
        return
    console().print(quiz_list_table(summaries))


@quiz.command(context_settings=CONTEXT_SETTINGS)
@click.argument("quiz_ref", metavar="QUIZ", shell_complete=complete_quiz)
@click.option("--format", "fmt", type=click.Choice(["gift", "qti"]), required=True,
              help="gift: Moodle GIFT text; qti: IMS QTI 2.1 package (zip).")
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="FILE",
              help="[default: $XDG_DATA_HOME/flashcards/exports/<quiz id>.gift.txt or .qti.zip]")
@common_options
def export(quiz_ref, fmt, output, db_path, today) -> None:
    """Write a quiz's item pool for an LMS, answer key included: Moodle GIFT or an IMS QTI 2.1 package.

    GIFT imports into a Moodle question bank (Question bank > Import > GIFT);
    draw a random question per attempt from that category as Moodle does.
    The QTI package (imsmanifest.xml, test.xml and one item per question) is
    for tools that import QTI 2.1 (Canvas: QTI .zip file). Both contain the
    answers: keep them away from learners.

    Example: flash quiz export lesson-4-certification --format gift
    """
    from ..quiz.formats import gift, qti_package
    from ..store.quizzes import QuizStore

    with open_store(db_path, create=False, write=False) as store:
        the_quiz = QuizStore(store).get(quiz_ref)
    suffix = {"gift": "gift.txt", "qti": "qti.zip"}[fmt]
    path = output or default_exports_dir() / f"{the_quiz.id}.{suffix}"
    data = gift(the_quiz).encode("utf-8") if fmt == "gift" else qti_package(the_quiz)
    _write(path, data)
    _say(console(), f"Wrote {path} ({_plural(len(the_quiz.questions), 'question')}; answer key included: "
                    "keep it away from learners)")


# -- learner --------------------------------------------------------------------


from . import quiz_certs, quiz_serve, quiz_take  # noqa: E402,F401  (register recertify, serve, invite, take, practice)
