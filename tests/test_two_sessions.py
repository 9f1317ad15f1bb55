"""Two real `flash review` processes on one database, grading at the same time.

Both build their queue before either grades (the test waits for both headers), so
both hold the same cards and race for every one of them. Done when: no card gets
two scheduled reviews in a day, every grade a process acknowledged ("graded N") is
in the log, and `flash db check` replays the log to the stored state.
FLASH_TWO_SESSION_TRIALS=N runs more trials (3 by default, to keep the suite fast).
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import subprocess
import sys
import threading

import pytest

from conftest import REPO, flash_process, terms_deck

TODAY = "2026-11-23"
TRIALS = int(os.environ.get("FLASH_TWO_SESSION_TRIALS", "3"))


def start_review(db, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASH_") and k != "SOURCE_DATE_EPOCH"}
    env.update(PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1", COLUMNS="200", XDG_DATA_HOME=str(cwd / "xdg"))
    return subprocess.Popen(
        [sys.executable, "-m", "flashcards", "review", "--db", str(db), "--today", TODAY, "--new", "40"],
        cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_for_header(proc) -> str:
    """Read stdout until the session's header line: the queue is built."""
    seen = []
    while True:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"review ended before its first card: {''.join(seen)} {proc.stderr.read()}")
        seen.append(line)
        if "in this session" in line:
            return "".join(seen)


def finish(proc, lines, out: dict, key: str) -> None:
    stdout, stderr = proc.communicate("".join(f"{g}\n" for g in lines) + "\n", timeout=120)
    out[key] = (proc.returncode, stdout, stderr)


@pytest.mark.parametrize("trial", range(TRIALS))
def test_two_reviews_on_one_database_never_double_schedule_or_lose_a_grade(tmp_path, trial):
    deck = tmp_path / "many.yaml"
    deck.write_text(terms_deck(20), encoding="utf-8")  # 40 cards, of which today's new ones
    db = tmp_path / "flash.db"
    imported = flash_process("import", deck, "--db", db, "--today", TODAY, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr

    rng = random.Random(trial)
    first, second = start_review(db, tmp_path), start_review(db, tmp_path)
    headers = [wait_for_header(first), wait_for_header(second)]
    counts = [re.search(r"(\d+) in this session", h).group(1) for h in headers]
    assert counts[0] == counts[1] and int(counts[0]) >= 20  # both queues hold the same cards
    results: dict = {}
    threads = [
        threading.Thread(target=finish, args=(proc, [rng.choice("012345") for _ in range(70)], results, key))
        for proc, key in ((first, "first"), (second, "second"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    acknowledged = 0
    contended = 0
    for key in ("first", "second"):
        code, stdout, stderr = results[key]
        assert code == 0, (key, stderr)
        assert "Traceback" not in stderr
        acknowledged += len(re.findall(r"^graded [0-5]:", stdout, flags=re.M))
        contended += len(re.findall(r"^(Skipped \S+: it was already graded|Grade [0-5] not saved: )",
                                    stdout, flags=re.M))

    conn = sqlite3.connect(str(db))
    try:
        per_card = conn.execute(
            "SELECT card_id, COUNT(*) FROM reviews WHERE kind = 'review' AND day = ? GROUP BY card_id", (TODAY,)
        ).fetchall()
        logged = conn.execute("SELECT COUNT(*) FROM reviews WHERE kind IN ('review', 'drill')").fetchone()[0]
        graded_cards = conn.execute("SELECT COUNT(*) FROM card_state WHERE due IS NOT NULL").fetchone()[0]
    finally:
        conn.close()
    assert [c for c, n in per_card if n > 1] == []  # never scheduled twice
    assert len(per_card) == graded_cards
    assert logged == acknowledged  # every acknowledged grade is in the log, nothing else is
    assert contended >= 1  # the two sessions really did race for the same cards
    print(f"trial {trial}: {acknowledged} grades acknowledged and logged, {len(per_card)} cards scheduled once, "
          f"{contended} grades or cards turned away because the other session had them")
    check = flash_process("db", "check", "--db", db, "--today", TODAY, cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "0 disagree with the stored state" in check.stdout
