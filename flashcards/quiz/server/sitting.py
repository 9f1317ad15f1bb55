"""The learner's pages: start, one question at a time, the result.

Each page is rendered from the server's state alone: the current question's
prompt and options (with this sitting's opaque option ids), never a later
question or the key. An answer is a POST naming the position it answers; it
is stored (committed) before the redirect that acknowledges it.
"""

from __future__ import annotations

from typing import Optional

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ...errors import QuizError
from ..sitting import LATE, missed, question_seconds_left, seconds_left, start_refusal, verdict
from ._web import Identity, csrf_for, form, learner_identity, server_of

NOTICES = {
    "choose": "Choose one of the options, or skip the question.",
    "stale": "That question was already answered (on another device or tab?): here is the next one.",
    "late": "Your last answer came after the question's time limit and was not counted.",
    "shown": "That question is not the one on your screen now: here it is.",
}


def _learner_for(request: Request, quiz_id: str) -> Identity:
    server = server_of(request)
    who = learner_identity(request)
    if who is None:
        raise HTTPException(403, "You are not signed in: open the personal link your manager sent you.")
    if (who.quiz_id is not None and who.quiz_id != quiz_id) or not server.sittings.has_paper(quiz_id,
                                                                                             who.learner.id):
        raise HTTPException(403, "You are not signed in for this quiz: open the personal link your manager "
                                 "sent you for it.")
    return who


def _quiz(request: Request, quiz_id: str):
    server = server_of(request)
    if quiz_id not in server.quizzes.ids():
        raise HTTPException(404, "There is no such quiz.")
    return server.quizzes.get(quiz_id)


def _clock(seconds: Optional[int]) -> str:
    if seconds is None:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"


async def page(request: Request) -> Response:
    server = server_of(request)
    quiz_id = request.path_params["quiz_id"]
    who = _learner_for(request, quiz_id)
    quiz = _quiz(request, quiz_id)
    now = server.now()
    notice = NOTICES.get(request.query_params.get("notice", ""), "")
    sitting = server.sittings.latest(quiz.id, who.learner.id)
    if sitting is not None and sitting.is_open:
        sitting, paper, answers, shown = server.sittings.view(quiz, sitting, now=now, today=server.today())
        if shown is not None:
            question = paper.questions[shown.position]
            item = quiz.item(question.item_id)
            options = [(shown_id, item.option(canonical).text) for shown_id, canonical in question.options]
            return server.render(
                request, "question.html", quiz=quiz, learner=who.learner, csrf=csrf_for(request, who.key),
                number=shown.position + 1, count=len(paper.questions), position=shown.position,
                prompt=item.prompt, options=options, notice=notice,
                time_left=_clock(seconds_left(sitting, now)), seconds_left=seconds_left(sitting, now),
                question_left=_clock(question_seconds_left(quiz, shown, now)),
                question_seconds_left=question_seconds_left(quiz, shown, now))
    used = server.sittings.used(quiz.id, who.learner.id)
    allowed = server.quizzes.allowed(quiz, who.learner.id)
    refusal = start_refusal(quiz, used=used, allowed=allowed)
    common = dict(quiz=quiz, learner=who.learner, csrf=csrf_for(request, who.key), used=used, allowed=allowed,
                  refusal=refusal, notice=notice, signed_in_by_link=who.quiz_id is not None)
    if sitting is None:
        return server.render(request, "start.html", **common)
    paper = server.quizzes.paper(sitting.paper_id)
    answers = server.sittings.answers(sitting.id)
    result = verdict(quiz, paper, answers, attempt=sitting.attempt)
    return server.render(request, "result.html", result=result, sitting=sitting, missed=missed(quiz, result),
                         voided=server.sittings.attempt_voided(sitting), closed_by=sitting.closed_by, **common)


async def start(request: Request) -> Response:
    server = server_of(request)
    quiz_id = request.path_params["quiz_id"]
    who = _learner_for(request, quiz_id)
    await form(request, who.key)
    quiz = _quiz(request, quiz_id)
    try:
        server.sittings.start(quiz, who.learner, now=server.now())
    except QuizError as exc:
        raise HTTPException(409, str(exc)) from None
    return RedirectResponse(request.url_for("quiz", quiz_id=quiz.id).path, status_code=303)


async def answer(request: Request) -> Response:
    server = server_of(request)
    quiz_id = request.path_params["quiz_id"]
    who = _learner_for(request, quiz_id)
    fields = await form(request, who.key)
    quiz = _quiz(request, quiz_id)
    back = request.url_for("quiz", quiz_id=quiz.id).path
    sitting = server.sittings.latest(quiz.id, who.learner.id)
    if sitting is None or not sitting.is_open:
        return RedirectResponse(back, status_code=303)
    position_text = fields.get("position", "")
    if not position_text.isdigit() or len(position_text) > 4:
        raise HTTPException(400, "The form could not be read.")
    skip = fields.get("action") == "skip"
    choice = None if skip else (fields.get("choice") or None)
    if not skip and choice is None:
        return RedirectResponse(f"{back}?notice=choose", status_code=303)
    decision, sitting = server.sittings.answer(quiz, sitting.id, position=int(position_text), shown_option=choice,
                                               now=server.now(), today=server.today())
    if decision.time_up:
        raise HTTPException(409, decision.reason)
    if not decision.accepted:
        if decision.refusal == "stale":
            return RedirectResponse(f"{back}?notice=stale", status_code=303)
        if decision.refusal == "bad-option":
            raise HTTPException(400, decision.reason)
        return RedirectResponse(f"{back}?notice=shown", status_code=303)
    return RedirectResponse(f"{back}?notice=late" if decision.outcome == LATE else back, status_code=303)


def routes() -> list[Route]:
    return [
        Route("/q/{quiz_id}/", page, name="quiz"),
        Route("/q/{quiz_id}/start", start, methods=["POST"], name="start"),
        Route("/q/{quiz_id}/answer", answer, methods=["POST"], name="answer"),
    ]
