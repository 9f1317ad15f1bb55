"""The manager's pages: who is sitting now, who finished, who has not started; the report; corrections.

Behind the manager's token (``flash quiz serve`` prints a link; opening it
sets a signed cookie) or, with ``--trust-header``, a manager's e-mail. The
corrections (void, drop, extra attempt) are the ``QuizStore`` operations the
CLI runs, so each lands in the same audit log; revoking a link ends its
sessions at once, and is logged there too.
"""

from __future__ import annotations

from statistics import median

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ...errors import QuizError
from ..model import clean_text
from ..pace import implausible, item_medians
from ...store.certificates import learner_report
from ..report import certificate_html
from ..scoring import MIN_ITEM_LEARNERS, best_attempts, concept_analysis, item_analysis, pool_advice
from ..sitting import seconds_left
from ._web import MANAGER_COOKIE, client_address, csrf_for, form, is_manager, server_of, set_cookie
from .security import sign
from .signin import refused_while_limited

NOTICES = {"void": "Attempt voided (logged).", "extra": "Extra attempt granted (logged).",
           "drop": "Question dropped and everyone re-scored (logged).", "revoke": "Link revoked; its sessions ended."}


def _manager(request: Request) -> str:
    key = is_manager(request)
    if key is None:
        raise HTTPException(403, "This page is for the manager: open the manager's link that 'flash quiz serve' "
                                 "printed.")
    return key


def _quiz(request: Request):
    server = server_of(request)
    quiz_id = request.path_params["quiz_id"]
    if quiz_id not in server.quizzes.ids():
        raise HTTPException(404, "There is no such quiz.")
    return server.quizzes.get(quiz_id)


async def manager_link(request: Request) -> Response:
    import hmac

    from ...store.sittings import token_hash

    server = server_of(request)
    refused_while_limited(request)
    expected = server.sittings.manager_token_hash()
    token = request.path_params["token"]
    if expected is None or not hmac.compare_digest(token_hash(token), expected):
        server.limiter.fail(client_address(request))
        raise HTTPException(404, "This manager link does not work: 'flash quiz serve' prints a new one each time "
                                 "it starts.")
    response = server.render(request, "moving_on.html", target=request.url_for("manage").path,
                             title="Manager signed in")
    set_cookie(request, response, MANAGER_COOKIE, sign(server.secret, "manager", expected))
    return response


async def index(request: Request) -> Response:
    server = server_of(request)
    _manager(request)
    return server.render(request, "manage_index.html", quizzes=server.quizzes.summaries())


def _status_rows(server, quiz) -> list[dict]:
    """One row per learner who may sit the quiz: sitting now, finished or not started."""
    now = server.now()
    latest: dict[str, tuple] = {}
    for sitting, closed in server.sittings.sittings(quiz.id):
        current = latest.get(sitting.learner_id)
        if current is None or sitting.is_open or not current[0].is_open:
            latest[sitting.learner_id] = (sitting, closed)
    attempts = server.quizzes.attempts(quiz.id)
    best = {a.learner_key: a for a in best_attempts(attempts)}
    links = server.sittings.link_states(quiz.id)
    rows = []
    for learner in server.sittings.quiz_learners(quiz.id):
        sitting, closed = latest.get(learner.id, (None, 0))
        b = best.get(learner.id)
        if sitting is not None and sitting.is_open:
            status = "sitting now"
            left = seconds_left(sitting, now)
            detail = f"question {closed + 1} of {quiz.per_paper}" + (
                f", {left // 60}:{left % 60:02d} left" if left is not None else "")
        elif b is not None:
            status = "finished"
            detail = f"{'pass' if b.passed else 'fail'} {b.correct}/{b.total} ({b.percent:.0f}%)"
        elif any(a.learner_key == learner.id for a in attempts):
            status, detail = "finished", "attempt voided"
        else:
            status, detail = "not started", ""
        link = links.get(learner.id)
        rows.append(dict(learner=learner, status=status, detail=detail,
                         used=server.sittings.used(quiz.id, learner.id),
                         allowed=server.quizzes.allowed(quiz, learner.id),
                         link="active" if link and link.active else ("revoked" if link else "none")))
    order = {"sitting now": 0, "finished": 1, "not started": 2}
    return sorted(rows, key=lambda r: (order[r["status"]], clean_text(r["learner"].name).casefold()))


async def quiz_page(request: Request) -> Response:
    server = server_of(request)
    key = _manager(request)
    quiz = _quiz(request)
    rows = _status_rows(server, quiz)
    counts = {s: sum(r["status"] == s for r in rows) for s in ("sitting now", "finished", "not started")}
    return server.render(request, "manage_quiz.html", quiz=quiz, rows=rows, counts=counts, pool=pool_line(quiz),
                         csrf=csrf_for(request, key), notice=NOTICES.get(request.query_params.get("notice", ""), ""))


def pool_line(quiz) -> str:
    """What this quiz's pool means for looking answers up: how much of each paper the learners do not hold."""
    from ..pools import paper_split

    live = [q for q in quiz.questions if not q.dropped]
    secret = sum(q.private for q in live)
    if not secret:
        return (f"This quiz: all {len(live)} items come from decks the learners hold, so each one can be looked "
                "up within the per-question limit"
                + (f" ({quiz.question_seconds} s)." if quiz.question_seconds else " (none set: --question-seconds)."))
    split = paper_split(quiz.per_paper, quiz.private_share)
    if split is None:
        return (f"This quiz: {secret} of its {len(live)} items come from private decks the learners do not hold; "
                "papers draw from the whole pool.")
    return (f"This quiz: {split[0]} of every paper's {quiz.per_paper} questions come from {secret} private items "
            f"the learners do not hold; the other {split[1]} from decks they hold.")


def report_data(server, quiz) -> dict:
    """What the CLI's report shows, for the page: learners, item analysis with response times, pace flags."""
    quizzes = server.quizzes
    attempts, best, rows, _ = learner_report(quizzes, quiz)
    counted = list(best.values())
    items = item_analysis(quiz, [a.choices for a in counted]) if counted else []
    times = server.sittings.response_times(quiz.id)
    medians = item_medians({a.id: times[a.id] for a in counted if a.id in times})
    flags = implausible(times)
    flagged = [(a, flags[a.id]) for a in attempts if a.id in flags]
    team = median([median(t.values()) for t in times.values() if t]) if times else None
    concepts = concept_analysis([i for i in items if not i.question.dropped], by="entry") if items else []
    today = server.today()
    ending = 0
    if quiz.valid_days:
        from ...store.certificates import renewals
        from ..certificates import expiring

        renewed, pending = renewals(quizzes, quiz.id)
        ending = len(expiring(rows, today=today, within=30, renewed=renewed, pending=pending).due)
    return dict(rows=rows, items=items, medians=medians, flagged=flagged, team_median=team, concepts=concepts,
                audit=quizzes.audit(quiz.id), rejections=quizzes.rejections(quiz.id), learners=len(counted),
                today=today.isoformat(), ending=ending, min_learners=MIN_ITEM_LEARNERS,
                advice=pool_advice(items, len(counted), quiz.per_paper) if counted else None)


async def report_page(request: Request) -> Response:
    server = server_of(request)
    key = _manager(request)
    quiz = _quiz(request)
    return server.render(request, "manage_report.html", quiz=quiz, csrf=csrf_for(request, key),
                         **report_data(server, quiz))


async def certificate(request: Request) -> Response:
    server = server_of(request)
    _manager(request)
    quiz = _quiz(request)
    learner_id = request.path_params["learner_id"]
    row = next((r for r in report_data(server, quiz)["rows"] if r["learner_id"] == learner_id), None)
    if row is None or row["status"] != "pass":
        raise HTTPException(404, "No certificate: this learner has not passed.")
    html = certificate_html(learner=row["learner"], quiz_title=quiz.title, quiz_id=quiz.id,
                            score_percent=float(row["score_percent"]), pass_mark=quiz.pass_mark, day=row["day"],
                            code=row["certificate"], expires=row.get("expires_on", ""))
    # the printable certificate carries its own <style>: allowed for this page only, and still no script
    return HTMLResponse(html, headers={"content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                                                  "frame-ancestors 'none'; base-uri 'none'"})


async def correction(request: Request) -> Response:
    server = server_of(request)
    key = _manager(request)
    fields = await form(request, key)
    quiz = _quiz(request)
    action = request.path_params["action"]
    reason = clean_text(fields.get("reason", ""))[:200] or "from the manager's page"
    learner = fields.get("learner", "")
    now, today = server.now(), server.today()
    target = "manage_quiz"
    try:
        if action == "void":
            server.quizzes.void(quiz.id, learner, reason=reason, today=today, now=now)
        elif action == "extra":
            server.quizzes.extra_attempt(quiz.id, learner, reason=reason, today=today, now=now)
        elif action == "drop":
            server.quizzes.drop(quiz.id, fields.get("item", ""), reason=reason, today=today, now=now)
            target = "manage_report"
        elif action == "revoke":
            found = server.sittings.learner(learner_id=learner)
            if found is None:
                raise QuizError(f"not on the roster: {learner}")
            server.sittings.revoke(quiz.id, found.id, now=now, why=reason, today=today)
        else:
            raise HTTPException(404, "There is no such correction.")
    except QuizError as exc:
        raise HTTPException(409, str(exc)) from None
    return RedirectResponse(f"{request.url_for(target, quiz_id=quiz.id).path}?notice={action}", status_code=303)


def routes() -> list[Route]:
    return [
        Route("/manage", index, name="manage"),
        Route("/manage/q/{quiz_id}/", quiz_page, name="manage_quiz"),
        Route("/manage/q/{quiz_id}/report", report_page, name="manage_report"),
        Route("/manage/q/{quiz_id}/certificate/{learner_id}", certificate, name="certificate"),
        Route("/manage/q/{quiz_id}/{action}", correction, methods=["POST"], name="correction"),
        Route("/manage/{token}", manager_link, name="manager_link"),
    ]
