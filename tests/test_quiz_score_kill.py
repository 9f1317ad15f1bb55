"""kill -9 during ``flash quiz score`` of a folder (issue 23 §8), at many random moments.

A folder of signed answers files (one per learner, plus re-serialised copies of some, which are the
same answers under another file, and tampered ones, which are rejected) is scored by a real
``flash quiz score`` process that is killed with SIGKILL at a random moment, again and again on the
same database, and then run to the end. After every kill: SQLite's integrity check passes, every
file is either fully recorded (its attempt with all its responses, or its rejection, and the mark
that it was seen) or not at all, and no learner has two attempts; after the last run every file is
recorded once. The number of kills is bounded by time (FLASH_KILL_SECONDS, default 25 s, at least 8 kills); two
kills in three wait until the run has recorded a file, so that many land in the middle of the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest

from conftest import PACKAGE_ROOT, SAMPLE_DECK, rows
from flashcards.quiz.papers import answers_document, load_paper, write_answers

TODAY = "2026-03-02"
LEARNERS = 80
COPIES = 5  # the same answers re-serialised: a duplicate, never a second attempt
TAMPERED = 3  # an answer changed after signing: rejected
MIN_KILLS = 8  # however slow the machine
BUDGET = float(os.environ.get("FLASH_KILL_SECONDS", "25"))


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    from click.testing import CliRunner

    from flashcards.cli import cli

    folder = tmp_path_factory.mktemp("score-kill")
    (folder / "sample.yaml").write_text(SAMPLE_DECK, encoding="utf-8")
    roster = ["name,email"] + [f"Learner {n:03d},learner{n:03d}@example.com" for n in range(LEARNERS)]
    (folder / "roster.csv").write_text("\n".join(roster) + "\n", encoding="utf-8")
    db = folder / "flash.db"
    runner = CliRunner(env={"XDG_DATA_HOME": str(folder / "xdg"), "XDG_CONFIG_HOME": str(folder / "xdg")})
    for args in (["import", folder / "sample.yaml"], ["quiz", "roster", "import", folder / "roster.csv"],
                 ["quiz", "create", folder / "sample.yaml", "--title", "Cert", "--questions", "4",
                  "--pass-mark", "50", "--roster", "-o", folder / "papers"]):
        result = runner.invoke(cli, [*map(str, args), "--db", str(db), "--today", TODAY])
        assert result.exit_code == 0, result.output
    inbox = folder / "inbox"
    inbox.mkdir()
    rng = random.Random(23)
    papers = sorted((folder / "papers").glob("*.paper.json"))
    assert len(papers) == LEARNERS
    issued = dict(rows(db, "SELECT id, issued_at FROM quiz_papers"))  # the manager's clock: sittings follow it
    for n, path in enumerate(papers):  # what `flash quiz take` writes, with choices of our own
        paper = load_paper(path)
        started = datetime.fromisoformat(issued[paper.paper_id]) + timedelta(seconds=n)
        answers = {q.id: (rng.choice(q.options).id, started + timedelta(seconds=10 * (i + 1)))
                   for i, q in enumerate(paper.questions)}
        document = answers_document(paper, answers, started=started, finished=started + timedelta(seconds=50))
        write_answers(document, inbox / f"{paper.learner_id}.answers.json")
        if n < COPIES:  # the same document, other bytes
            (inbox / f"{paper.learner_id}.copy.json").write_text(json.dumps(document), encoding="utf-8")
        elif n < COPIES + TAMPERED:
            first = next(iter(document["answers"]))
            others = [o.id for o in paper.questions[0].options if o.id != document["answers"][first]["choice"]]
            tampered = json.loads(json.dumps(document))
            tampered["answers"][first]["choice"] = others[0]
            (inbox / f"{paper.learner_id}.edited.json").write_text(json.dumps(tampered), encoding="utf-8")
    return folder


def score(folder, db) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASH_")}
    env.update(PYTHONPATH=str(PACKAGE_ROOT), XDG_DATA_HOME=str(folder / "xdg"), XDG_CONFIG_HOME=str(folder / "xdg"))
    return subprocess.Popen([sys.executable, "-m", "flashcards", "quiz", "score", str(folder / "inbox"),
                             "--db", str(db), "--today", TODAY], cwd=folder, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def progressed(db, before: int, proc: subprocess.Popen) -> None:
    """Wait until the database holds more than ``before`` files seen (or the process ended)."""
    while proc.poll() is None:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            if conn.execute("SELECT COUNT(*) FROM quiz_files_seen").fetchone()[0] > before:
                return
        except sqlite3.OperationalError:  # busy for a moment
            pass
        finally:
            conn.close()
        time.sleep(0.005)


def recorded(db, files) -> dict[str, str]:
    """File name -> 'scored', 'duplicate' or 'rejected' for every file the database holds, after
    checking that each is held whole: nothing half-recorded, nothing counted twice."""
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    by_hash = {hashlib.sha256(p.read_bytes()).hexdigest(): p.name for p in files}
    seen = {by_hash[h]: (status, os.path.basename(file)) for h, status, file
            in rows(db, "SELECT file_hash, status, file FROM quiz_files_seen")}
    attempts = rows(db, """SELECT a.file, a.total, (SELECT COUNT(*) FROM quiz_responses r WHERE r.attempt_id = a.id),
                           a.attempt FROM quiz_attempts a""")
    rejections = rows(db, "SELECT file, status FROM quiz_rejections")
    for file, total, responses, attempt in attempts:
        assert responses == total == 4 and attempt == 1, (file, total, responses, attempt)
    scored = sorted(os.path.basename(f) for f, *_ in attempts)
    assert len(scored) == len(set(scored))  # no file counted twice
    assert scored == sorted(name for name, (status, _) in seen.items() if status == "scored")
    others = sorted((os.path.basename(f), s) for f, s in rejections)
    assert others == sorted((name, status) for name, (status, _) in seen.items() if status != "scored")
    assert rows(db, "SELECT learner_id FROM quiz_attempts GROUP BY learner_id HAVING COUNT(*) > 1") == []
    return {name: status for name, (status, _) in seen.items()}


def test_kill_9_during_quiz_score_of_a_folder_records_each_file_whole_or_not_at_all(template, tmp_path):
    files = sorted((template / "inbox").iterdir())
    assert len(files) == LEARNERS + COPIES + TAMPERED
    expected = {p.name: "duplicate" if ".copy." in p.name else "rejected" if ".edited." in p.name else "scored"
                for p in files}
    # one run to the end, timed: the kills fall anywhere from start-up to the last file
    timed = tmp_path / "timed.db"
    shutil.copy(template / "flash.db", timed)
    began = time.monotonic()
    proc = score(template, timed)
    progressed(timed, 0, proc)
    first_file = time.monotonic() - began
    out, err = proc.communicate(timeout=300)
    full_run = time.monotonic() - began
    scoring = full_run - first_file  # from the first file recorded to the end
    assert proc.returncode == 1 and "Traceback" not in err, err  # 1: the tampered files are rejected
    assert recorded(timed, files) == expected

    rng = random.Random(os.environ.get("FLASH_KILL_SEED", "23"))
    outcomes = {"nothing new": 0, "part of the folder": 0, "after the last file": 0}
    kills = rounds = 0
    deadline = time.monotonic() + BUDGET
    while time.monotonic() < deadline or kills < MIN_KILLS:
        rounds += 1
        db = tmp_path / f"round-{rounds}.db"
        shutil.copy(template / "flash.db", db)
        before = 0
        for _ in range(rng.randint(2, 6)):  # several kills on one database, each resuming the last
            proc = score(template, db)
            if rng.random() < 1 / 3:  # anywhere, start-up and opening the database included
                time.sleep(rng.uniform(0, full_run))
            else:  # once this run has recorded a file: somewhere in the folder
                progressed(db, before, proc)
                time.sleep(rng.uniform(0, scoring * (len(files) - before) / len(files)))
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=60)
            kills += 1
            held = recorded(db, files)
            assert all(expected[name] == status for name, status in held.items())
            assert len(held) >= before  # a kill never takes back what an earlier run recorded
            outcome = ("nothing new" if len(held) == before else
                       "after the last file" if len(held) == len(files) else "part of the folder")
            outcomes[outcome] += 1
            before = len(held)
        proc = score(template, db)  # the re-run after the last kill completes
        out, err = proc.communicate(timeout=300)
        assert proc.returncode in (0, 1) and "Traceback" not in err, err
        assert recorded(db, files) == expected
        db.unlink()
        for suffix in ("-wal", "-shm"):
            if os.path.exists(f"{db}{suffix}"):
                os.unlink(f"{db}{suffix}")
    print(f"\n{kills} kills in {rounds} rounds over {len(files)} files (a full run {full_run:.2f} s, "
          f"{scoring:.2f} s of it scoring): {outcomes}")
    assert outcomes["part of the folder"] >= 1, outcomes  # some kills landed mid-folder
