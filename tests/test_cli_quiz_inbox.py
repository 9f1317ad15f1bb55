"""`flash quiz score` on an inbox of hostile and edited files (issue 19, section 4), through the real CLI.

Every bad file gives one line with its reason, is listed under "Not counted" in the report, is
recorded so a second run skips it, and never stops the batch: the good file beside it is scored.
Edited times are signed with the learner's own token, as a learner holding the paper can do.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest
from test_cli_quiz import (  # noqa: F401 - fixtures
    TODAY, attempts, clock, create, db, deck_path, flash, paper_of, stored, take, team,
)

from flashcards.quiz.papers import sign


def resigned(path, token, change):
    """The answers file at ``path`` changed by ``change(doc)`` and signed again with the paper's token."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    doc["signature"] = sign(doc, token)
    return json.dumps(doc)


def shift(doc, **moves):
    """Move started_at / finished_at / every answer time ("answers") by the given timedelta."""
    for key, delta in moves.items():
        if key == "answers":
            for answer in doc["answers"].values():
                if answer["at"]:
                    answer["at"] = (datetime.fromisoformat(answer["at"]) + delta).isoformat()
        else:
            doc[key] = (datetime.fromisoformat(doc[key]) + delta).isoformat()


def to_year_9999(doc):
    doc["started_at"] = "9999-12-31T23:59:00+00:00"
    doc["finished_at"] = "9999-12-31T23:59:30+00:00"
    for answer in doc["answers"].values():
        answer["at"] = "9999-12-31T23:59:10+00:00" if answer["at"] else None


def answer_after_the_limit(doc):
    last = sorted(doc["answers"])[-1]
    late = datetime.fromisoformat(doc["started_at"]) + timedelta(minutes=40)
    doc["answers"][last]["at"] = late.isoformat()
    doc["finished_at"] = (late + timedelta(seconds=5)).isoformat()


def answer_before_the_start(doc):
    first = sorted(doc["answers"])[0]
    doc["answers"][first]["at"] = (datetime.fromisoformat(doc["started_at"]) - timedelta(minutes=3)).isoformat()


# file name -> (how the learner's genuine file is edited, fragments of the one-line reason)
EDITED = {
    "year-9999.json": (to_year_9999, "impossible times: the calendar cannot add the 15-minute limit to "
                                     "9999-12-31T23:59:00+00:00"),
    "before-issue.json": (lambda d: shift(d, started_at=timedelta(days=-2), answers=timedelta(days=-2),
                                          finished_at=timedelta(days=-2)),
                          "impossible times: started 2026-11-29T0", ", before the paper was issued "
                          "(2026-12-01T09:00:00+00:00)"),
    "future.json": (lambda d: shift(d, finished_at=timedelta(days=3)),
                    "impossible times: finished 2026-12-04T0",
                    ", after the file was scored (2026-12-01T12:00:00+00:00)"),
    "overlong.json": (answer_after_the_limit,
                      "longer than the time limit: q06 answered 40 minutes after the start (limit 15 minutes)"),
    "out-of-order.json": (answer_before_the_start, "answers out of time order: q01 answered at "
                                                   "2026-12-01T0", ", before the start (2026-12-01T0"),
}

# file name -> (content, the one-line reason); the YAML bomb is never parsed as YAML
UNREADABLE = {
    "deep.json": ('{"format": "flashcards-answers/2", "quiz": "QUIZ", "x": ' + "[" * 50 + "]" * 50 + "}",
                  "nested deeper than 8 levels"),
    "huge.json": ('{"format": "flashcards-answers/2", "pad": "' + "x" * 1_100_000 + '"}', "too large"),
    "bomb.yaml": ('a: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b]\n', "it is not a JSON object"),
    "nan.json": ('{"format": "flashcards-answers/2", "quiz": "QUIZ", "n": NaN}', "it holds NaN"),
    "digits.json": ('{"format": "flashcards-answers/2", "quiz": "QUIZ", "n": ' + "7" * 5000 + "}",
                    "it holds a 5,000-digit number"),
    "block.txt": ("-----BEGIN FLASHCARDS ANSWERS-----\n!!not base64!!\n-----END FLASHCARDS ANSWERS-----\n",
                  "the answers block is damaged (not base64)"),
    "wrong-type.json": ('{"format": "flashcards-answers/2", "quiz": "QUIZ", "paper": 7, "learner": "x"}',
                        "'paper' is missing or not text"),
}


def row_of(output: str, name: str) -> str:
    lines = [line for line in output.splitlines() if name in line]
    assert len(lines) == 1, (name, output)  # one line per file
    return lines[0]


@pytest.fixture
def inbox(flash, deck_path, db, team, tmp_path, monkeypatch):  # noqa: F811
    """A 15-minute quiz; Ann's genuine file, Bob's answers edited five ways, seven unreadable files."""
    quiz_id, folder = create(flash, deck_path, db, "--time-limit", "15")
    _, papers = stored(db, quiz_id)
    folder_in = tmp_path / "inbox"
    folder_in.mkdir()
    take(flash, db, paper_of(folder, quiz_id, "ann-lee")).rename(folder_in / "ann.json")
    bob = take(flash, db, paper_of(folder, quiz_id, "bob-roe"))
    for name, (change, *_) in EDITED.items():
        (folder_in / name).write_text(resigned(bob, papers["bob-roe"].token, change), encoding="utf-8")
    for name, (content, _) in UNREADABLE.items():
        (folder_in / name).write_text(content.replace("QUIZ", quiz_id), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # short relative paths keep each row on one line
    return quiz_id, folder_in.relative_to(tmp_path)


def test_every_bad_file_gives_one_line_and_the_batch_goes_on(flash, db, inbox, monkeypatch):  # noqa: F811
    quiz_id, folder = inbox
    monkeypatch.setattr("flashcards.cli.quiz.now", lambda: datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc))
    result = flash("quiz", "score", folder, "--db", db, "--today", TODAY)
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    out = result.output
    assert "pass 6/6 (100%)" in row_of(out, "ann.json")
    for name, (_, *reason) in {**EDITED, **UNREADABLE}.items():
        line = row_of(out, name)
        assert "rejected" in line and all(part in line for part in reason), (name, line)
    bad = len(EDITED) + len(UNREADABLE)
    assert f"1 of {bad + 1} new files scored, {bad} rejected." in out
    assert out.endswith(f"Error: {bad} files rejected (reasons above)\n")
    assert [(a.learner_id, a.correct) for a in attempts(db, quiz_id)] == [("ann-lee", 6)]

    again = flash("quiz", "score", folder, "--db", db, "--today", TODAY)  # recorded: nothing fails again
    assert again.exit_code == 0, again.output
    assert again.output == (f"Nothing new: {bad + 1} files seen before, skipped: 1 already counted, "
                            f"{bad} already rejected (--retry to judge them again).\n")

    report = flash("quiz", "report", quiz_id, "--db", db, "--today", TODAY)
    assert report.exit_code == 0, report.output
    listed = report.output.split("Not counted", 1)[1]
    for name, (_, *reason) in {**EDITED, **UNREADABLE}.items():
        line = row_of(listed, name)
        assert all(part in line for part in reason), (name, line)


def test_a_file_naming_no_quiz_here_is_listed_too(flash, deck_path, db, team, tmp_path, monkeypatch):  # noqa: F811
    """Alone in a run, an unreadable file that names no quiz is still listed in the report."""
    quiz_id, _ = create(flash, deck_path, db)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "garbage.json").write_text("{" * 3 + "oops", encoding="utf-8")
    block = base64.b64encode(b'{"format": "flashcards-answers/2", "quiz": "%s", "n": NaN}' % quiz_id.encode())
    (tmp_path / "mail.txt").write_text("Hi,\n-----BEGIN FLASHCARDS ANSWERS-----\n" + block.decode()
                                       + "\n-----END FLASHCARDS ANSWERS-----\n", encoding="utf-8")
    result = flash("quiz", "score", "garbage.json", "mail.txt", "--db", db, "--today", TODAY)
    assert result.exit_code == 1
    assert "not valid JSON at line 1: the file is damaged or truncated" in row_of(result.output, "garbage.json")
    assert "it holds NaN, which JSON does not allow" in row_of(result.output, "mail.txt")
    listed = flash("quiz", "report", quiz_id, "--db", db, "--today", TODAY).output.split("Not counted", 1)[1]
    assert "damaged or truncated" in row_of(listed, "garbage.json")
    assert "it holds NaN" in row_of(listed, "mail.txt")


def test_the_quiz_id_does_not_reveal_the_seed(flash, deck_path, db, team, tmp_path):  # noqa: F811
    first, _ = create(flash, deck_path, db, seed=424242, folder=tmp_path / "a")
    second, _ = create(flash, deck_path, db, seed=424242, folder=tmp_path / "b")
    assert "424242" not in first and "424242" not in second
    assert first != second
    assert stored(db, first)[0].questions == stored(db, second)[0].questions  # the seed still gives the pool
