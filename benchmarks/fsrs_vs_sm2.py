"""`flash optimize` on 100,000 reviews, and `flash review` to the first card with FSRS against SM-2.

    python benchmarks/fsrs_vs_sm2.py [--cards 11830] [--days 365] [--workdir DIR] [--runs 15]

One database holds the seeded simulated learner's log (flashcards/schedulers/simulate.py:
about 100,000 reviews of 11,830 cards over a year, graded under SM-2, the states each
grade gave written with the log). A copy is switched to FSRS with `flash scheduler`.
Timed as processes: the switch, `flash optimize` on each, and `flash review` to its first
card on each (median of --runs starts; the ratio FSRS / SM-2). Prints figures; asserts
nothing. Needs the optimizer extra (fsrs-rs-python).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench import first_card_time

from flashcards.model import Deck, Term
from flashcards.schedulers import SM2, CardState
from flashcards.schedulers.simulate import simulate
from flashcards.store import Store

ROOT = str(Path(__file__).resolve().parent.parent)


def build(path: Path, cards: int, days: int) -> tuple[int, str]:
    """The learner's log and states through bulk inserts (setup only); returns reviews and the last day."""
    reviews = simulate(cards=cards, days=days, seed=1)
    deck = Deck(id="sim", name="Simulated learner", terms=tuple(
        Term(id=f"t{i}", term=f"Term {i}", definition=f"Definition of term {i}.") for i in range(cards)))
    store = Store.open(path)
    store.sync([deck], today=reviews[0].day)
    ids = [f"sim/t{i}/term" for i in range(cards)]
    states = {i: CardState() for i in range(cards)}
    sm2 = SM2()
    rows = []
    for r in reviews:  # time order; each card's states follow from its own grades
        before = states[r.card]
        after = states[r.card] = sm2.review(before, r.grade, today=r.day)
        rows.append((ids[r.card], datetime.combine(r.day, datetime.min.time()).isoformat(), r.day.isoformat(),
                     r.grade, *_columns(before), *_columns(after)))
    conn = store.conn
    with conn:
        conn.executemany(
            """INSERT INTO reviews (card_id, reviewed_at, day, kind, grade,
               reps_before, ef_before, interval_before, due_before, lapses_before, last_review_before,
               reps_after, ef_after, interval_after, due_after, lapses_after, last_review_after)
               VALUES (?, ?, ?, 'review', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows)
        conn.executemany(
            """UPDATE card_state SET repetitions = ?, ef = ?, interval = ?, due = ?, lapses = ?, last_review = ?
               WHERE card_id = ?""", ((*_columns(s), ids[i]) for i, s in states.items()))
    conn.execute("ANALYZE")
    store.close()
    return len(reviews), (reviews[-1].day + timedelta(days=1)).isoformat()


def _columns(s: CardState) -> tuple:
    return (s.repetitions, s.ef, s.interval, s.due.isoformat() if s.due else None, s.lapses,
            s.last_review.isoformat() if s.last_review else None)


def flash(*args, env) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flashcards", *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=11_830)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="flash-fsrs-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    sm2_db, fsrs_db = workdir / "sm2.db", workdir / "fsrs.db"
    for p in (sm2_db, fsrs_db):
        p.unlink(missing_ok=True)
    start = time.perf_counter()
    count, today = build(sm2_db, args.cards, args.days)
    print(f"setup: {count:,} reviews of {args.cards:,} cards in {time.perf_counter() - start:.1f} s; today {today}")
    shutil.copy(sm2_db, fsrs_db)
    env = dict(os.environ, FLASH_TODAY=today, PYTHONPATH=ROOT)
    switched = flash("scheduler", "sim", "fsrs", "--db", str(fsrs_db), env=env)
    print(f"{'flash scheduler sim fsrs (replay every card log):':<53}{switched:.2f} s")
    for db in (sm2_db, fsrs_db):
        label = f"flash optimize --dry-run ({db.stem} deck):"
        print(f"{label:<53}"
              f"{flash('optimize', '--dry-run', '--db', str(db), env=env):.2f} s")
    stored = flash("optimize", "--db", str(fsrs_db), env=env)
    print(f"{'flash optimize (stores, re-derives the FSRS deck):':<53}{stored:.2f} s")
    medians = {}
    for db in (sm2_db, fsrs_db):
        env_db = dict(env, FLASH_DB=str(db))
        first_card_time(env_db)  # warm the file cache
        times = [first_card_time(env_db) for _ in range(args.runs)]
        medians[db.stem] = statistics.median(times)
        print(f"flash review to first card ({db.stem}): median {medians[db.stem]:7.1f} ms   min {min(times):7.1f}   "
              f"max {max(times):7.1f}   (n={len(times)})")
    print(f"ratio FSRS / SM-2, time to first card: {medians['fsrs'] / medians['sm2']:.2f}")


if __name__ == "__main__":
    main()
