"""Report files: the CSV for HR or an LMS, printable certificates, learner result slips.

Every value from outside (names, teams, titles) is cleaned first
(``clean_text``: no control or escape characters). CSV cells that a
spreadsheet would run as a formula (starting with ``= + - @``, a tab or a
carriage return) are prefixed with a single quote, OWASP's rule against CSV
injection. HTML is escaped with ``html.escape``.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from .certificates import expires_on
from .model import clean_text

REPORT_COLUMNS = ("quiz_id", "quiz_title", "learner_id", "learner", "email", "team", "status", "score_percent",
                  "correct", "questions", "pass_mark", "attempt", "attempts_used", "attempts_allowed", "client",
                  "started_at", "finished_at", "scored_on", "certificate", "expires_on")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A value safe for a spreadsheet cell: cleaned, and a leading formula character neutralised."""
    text = clean_text("" if value is None else str(value))
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def report_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """One row per learner, columns ``REPORT_COLUMNS``, every cell through ``csv_cell``."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=REPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_cell(row.get(k, "")) for k in REPORT_COLUMNS})
    return out.getvalue()


def verification_code(quiz_id: str, learner_id: str, signature: str) -> str:
    """A short code printed on a certificate; the manager's report lists it, so it can be checked."""
    digest = hashlib.sha256(f"{quiz_id}\n{learner_id}\n{signature}".encode("utf-8")).hexdigest().upper()
    return f"{digest[:4]}-{digest[4:8]}-{digest[8:12]}"


_STYLE = """  body { font-family: Georgia, serif; color: #222; }
  .frame { border: 6px double #345; padding: 40px 60px; margin: 20px auto; max-width: 900px; }"""


def certificate_html(*, learner: str, quiz_title: str, quiz_id: str, score_percent: float,
                     pass_mark: int, day: str, code: str = "", expires: str = "") -> str:
    """A one-page printable certificate (valid until ``expires`` if given). Every value is cleaned and
    HTML-escaped."""

    def e(text: str) -> str:
        return html.escape(clean_text(text))

    verify = f" &middot; verification code {e(code)}" if code else ""
    valid = f'\n  <p class="valid">Valid until <strong>{e(expires)}</strong>.</p>' if expires else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Certificate: {e(learner)} - {e(quiz_title)}</title>
<style>
  @page {{ size: A4 landscape; margin: 15mm; }}
{_STYLE}
  body {{ text-align: center; }}
  h1 {{ font-size: 2.4em; letter-spacing: 0.05em; margin-bottom: 0.2em; }}
  .name {{ font-size: 2em; font-weight: bold; margin: 0.6em 0; }}
  .quiz {{ font-size: 1.4em; font-style: italic; }}
  .meta {{ margin-top: 2em; color: #555; }}
</style>
</head>
<body>
<div class="frame">
  <h1>Certificate of completion</h1>
  <p>This certifies that</p>
  <p class="name">{e(learner)}</p>
  <p>passed the certification quiz</p>
  <p class="quiz">{e(quiz_title)}</p>
  <p>with a score of <strong>{score_percent:.0f}%</strong> (pass mark {pass_mark}%).</p>{valid}
  <p class="meta">{e(day)} &middot; quiz {e(quiz_id)}{verify}</p>
</div>
</body>
</html>
"""


@dataclass(frozen=True)
class Missed:
    """A question a learner got wrong, for the slip."""

    concept: str
    prompt: str
    correct: str  # the right answer's text
    late: bool = False


def missed_items(the_quiz, attempt) -> list[Missed]:
    """The questions an attempt got wrong (dropped items aside), for its learner's slip."""
    missed = []
    for item_id, choice in attempt.choices.items():
        try:
            item = the_quiz.item(item_id)
        except KeyError:
            continue
        if not item.dropped and choice != item.answer:
            missed.append(Missed(item.concept, item.prompt, item.correct_option.text,
                                 late=item_id in attempt.late_items))
    return missed


def slip_html(*, learner: str, quiz_title: str, quiz_id: str, status: str, correct: int, total: int,
              pass_mark: int, day: str, attempts: str, missed: Sequence[Missed], show_answers: bool) -> str:
    """One learner's result slip: score, pass/fail and the concepts missed (answers only if asked)."""

    def e(text: str) -> str:
        return html.escape(clean_text(text))

    percent = f"{100 * correct / total:.0f}%" if total else "–"
    if status == "not taken":
        result = "<p>Not taken yet.</p>"
    else:
        result = (f"<p class=\"result\">{e(status.upper())}: {correct} of {total} ({percent}); "
                  f"pass mark {pass_mark}%.</p>")
    rows = []
    for m in missed:
        answer = f"<td>{e(m.correct)}</td>" if show_answers else ""
        late = " (answered after the time limit)" if m.late else ""
        rows.append(f"<tr><td>{e(m.concept)}{late}</td><td>{e(m.prompt)}</td>{answer}</tr>")
    head = "<th>concept</th><th>question</th>" + ("<th>correct answer</th>" if show_answers else "")
    table = (f"<h2>To review ({len(missed)})</h2>\n<table>\n<tr>{head}</tr>\n" + "\n".join(rows) + "\n</table>"
             if missed else ("<p>Nothing missed.</p>" if status != "not taken" else ""))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Result: {e(learner)} - {e(quiz_title)}</title>
<style>
{_STYLE}
  table {{ border-collapse: collapse; width: 100%; }}
  td, th {{ border: 1px solid #bbb; padding: 4px 8px; text-align: left; vertical-align: top; }}
  .result {{ font-size: 1.3em; }}
</style>
</head>
<body>
<div class="frame">
<h1>{e(quiz_title)}</h1>
<p>{e(learner)} &middot; quiz {e(quiz_id)} &middot; {e(day)} &middot; attempts {e(attempts)}</p>
{result}
{table}
</div>
</body>
</html>
"""


def learner_rows(the_quiz, papers, attempts, best, used, allowed, roster=()) -> list[dict]:
    """One report row per learner (the CSV's columns, plus ``day``): everyone with a paper or an
    attempt, then roster learners the quiz missed ('no paper'); passed first, then failed,
    voided, not taken, no paper, each by name."""
    rows = []
    people = {}
    for p in papers:
        people.setdefault(p.learner.id, p.learner)
    for a in attempts:  # quizzes made before rosters: learners are known by name only
        if a.learner_key not in people:
            people[a.learner_key] = None
    for key, learner in people.items():
        a = best.get(key)
        name = learner.name if learner else next(x.learner for x in attempts if x.learner_key == key)
        limit = allowed.get(key) if learner else the_quiz.max_attempts
        row = {
            "quiz_id": the_quiz.id, "quiz_title": the_quiz.title, "learner_id": learner.id if learner else "",
            "learner": name, "email": learner.email if learner else "", "team": learner.team if learner else "",
            "status": "not taken" if a is None else ("pass" if a.passed else "fail"),
            "pass_mark": the_quiz.pass_mark, "attempts_used": used.get(key, 0),
            "attempts_allowed": limit if limit is not None else "",
        }
        if a is None and used.get(key):
            row["status"] = "voided"
        if a is not None:
            row.update({
                "score_percent": f"{a.percent:.1f}", "correct": a.correct, "questions": a.total,
                "attempt": a.attempt, "client": a.client or "", "started_at": a.started_at,
                "finished_at": a.finished_at, "scored_on": a.scored_on, "day": attempt_day(a),
                "certificate": verification_code(the_quiz.id, key, a.digest) if a.passed else "",
            })
            ends = expires_on(row["day"], the_quiz.valid_days) if a.passed else None
            row["expires_on"] = ends.isoformat() if ends else ""
        rows.append(row)
    for learner in roster:  # everyone on the roster is listed, also those the quiz missed
        if learner.id not in people:
            rows.append({"quiz_id": the_quiz.id, "quiz_title": the_quiz.title, "learner_id": learner.id,
                         "learner": learner.name, "email": learner.email, "team": learner.team,
                         "status": "no paper", "pass_mark": the_quiz.pass_mark, "attempts_used": 0,
                         "attempts_allowed": the_quiz.max_attempts if the_quiz.max_attempts else ""})
    order = {"pass": 0, "fail": 1, "voided": 2, "not taken": 3, "no paper": 4}
    return sorted(rows, key=lambda r: (order[r["status"]], clean_text(str(r["learner"])).casefold(), r["learner_id"]))


def attempt_day(a) -> str:
    """The day an attempt was sat (from its finish time; the scoring day if that is unusable)."""
    return a.finished_at[:10] if len(a.finished_at) >= 10 else a.scored_on
