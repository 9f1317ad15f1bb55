"""Measure the performance budget on a large database.

    python benchmarks/bench.py [--cards 100000] [--log-rows 1000000] [--workdir DIR] [--runs 20]

Prints figures (median of repeated runs); asserts nothing. The budget:
building the review queue < 50 ms (every due card, uncapped, too), grading a
card with its commit < 5 ms, `flash --help` < 300 ms, `flash review` to the
first card < 150 ms on the shipped deck, and re-importing an unchanged
10,000-entry deck close to a no-op. For the same figures beside Anki's
backend, see versus_anki.py.

Process timings are given twice: as this environment runs them (which may set
PYTHONDONTWRITEBYTECODE, so our modules compile on every start) and with
bytecode cached (in a temporary PYTHONPYCACHEPREFIX), as an installed package runs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml

from flashcards.decks import load_deck
from flashcards.model import Deck, Term
from flashcards.review import start_session
from flashcards.store import Store

TODAY = date(2026, 11, 23)


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, times: list[float], budget: float | None = None) -> None:
    med = statistics.median(times)
    line = f"{label:<58} median {med:8.2f} ms   min {min(times):8.2f}   max {max(times):8.2f}   (n={len(times)})"
    if budget is not None:
        line += f"   budget {budget:g} ms: {'ok' if med < budget else 'OVER'}"
    print(line, flush=True)


def synthetic_deck(entries: int, deck_id: str = "bench") -> Deck:
    terms = tuple(
        Term(id=f"t{i}", term=f"Term {i}", definition=f"Definition of term {i}.",
             what_it_does=f"What term {i} does.", whos_behind_it=f"Who is behind term {i}.",
             what_makes_it_distinct=f"What makes term {i} distinct.")
        for i in range(entries)
    )
    return Deck(id=deck_id, name="Benchmark deck", terms=terms)


def build_database(path: Path, cards: int, log_rows: int) -> None:
    """Cards through the store's own sync; the log through bulk inserts (setup only)."""
    store = Store.open(path)
    start = time.perf_counter()
    store.sync([synthetic_deck(cards // 5)], today=TODAY - timedelta(days=400))
    print(f"setup: synced {cards:,} new cards in {time.perf_counter() - start:.1f} s", flush=True)
    rng = random.Random(1)
    conn = store.conn
    ids = [row[0] for row in conn.execute("SELECT id FROM cards ORDER BY id")]
    reviewed = ids[: int(len(ids) * 0.8)]  # a fifth of the cards stay new
    start = time.perf_counter()
    with conn:
        # each reviewed card: a state with a due date spread over ~a year around today
        conn.executemany(
            "UPDATE card_state SET repetitions = ?, ef = ?, interval = ?, due = ?, last_review = ? WHERE card_id = ?",
            ((rng.randint(1, 8), rng.randrange(130, 300, 2), rng.randint(1, 300),
              (TODAY + timedelta(days=rng.randint(-30, 330))).isoformat(),
              (TODAY - timedelta(days=rng.randint(1, 300))).isoformat(), cid) for cid in reviewed),
        )
        rows = (
            (rng.choice(reviewed), datetime(2025, 1, 1).isoformat(),
             (TODAY - timedelta(days=rng.randint(1, 400))).isoformat(), "review", rng.randint(0, 5),
             1, 250, 1, None, 0, None, 2, 250, 6, None, 0, None)
            for _ in range(log_rows)
        )
        conn.executemany(
            """INSERT INTO reviews (card_id, reviewed_at, day, kind, grade,
               reps_before, ef_before, interval_before, due_before, lapses_before, last_review_before,
               reps_after, ef_after, interval_after, due_after, lapses_after, last_review_after)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows,
        )
    conn.execute("ANALYZE")
    print(f"setup: {len(reviewed):,} scheduled cards, {log_rows:,} log rows in {time.perf_counter() - start:.1f} s")
    store.close()


def bench_queue_and_grading(path: Path) -> None:
    store = Store.open(path, create=False)
    store._ensure_sound()  # the open-time integrity check (a thread) would share the CPU with the timings
    due = store.due_count(today=TODAY)
    print(f"database: {path.stat().st_size / 1e6:.0f} MB, {due:,} cards due on {TODAY}")
    report("count the cards due today", timed(lambda: store.due_count(today=TODAY), 15))
    report("build the review queue (200-review cap, 20 new)",
           timed(lambda: start_session(store, today=TODAY), 15), 50)
    report("build the review queue (every due card, 20 new)",
           timed(lambda: start_session(store, today=TODAY, reviews_per_day=None), 15), 50)
    report("build the review queue (--limit 100)",
           timed(lambda: start_session(store, today=TODAY, limit=100), 15), 50)
    session = start_session(store, today=TODAY, limit=300, reviews_per_day=None)  # re-runs grade again
    grades = iter([5, 4, 3, 5, 4] * 100)

    def grade_one():
        card_id = session.current
        store.card(card_id)  # what the CLI fetches to show it
        record = store.record(card_id, next(grades), today=TODAY, now=datetime.now().astimezone(),
                              drill=session.is_drill(card_id))
        session.answer(card_id, record.grade, record.id)

    report("show + grade a card (state, log row, commit)", timed(grade_one, 200), 5)
    store.close()


def first_card_time(env: dict) -> float:
    """Milliseconds from starting `flash review` to its first card on screen."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "flashcards", "review"], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    buffer = b""
    while b"left" not in buffer:  # the first card's panel ends with "N done · M left"
        chunk = proc.stdout.read1(65536)
        if not chunk:
            raise RuntimeError(proc.stderr.read().decode())
        buffer += chunk
    elapsed = (time.perf_counter() - start) * 1000
    proc.stdin.close()  # end of input ends the session cleanly
    proc.wait()
    return elapsed


def bench_cli(path: Path, workdir: Path, runs: int) -> None:
    here = str(Path(__file__).resolve().parent.parent)
    base = dict(os.environ, FLASH_TODAY=TODAY.isoformat(), PYTHONPATH=here)
    shipped = workdir / "shipped.db"
    shipped.unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "flashcards", "import", "--db", str(shipped)], env=base,
                   capture_output=True, check=True)  # the shipped decks, as a first run imports them
    cached = {k: v for k, v in base.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cached["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    for label, env in (("", base), (", bytecode cached", cached)):
        subprocess.run([sys.executable, "-m", "flashcards", "--help"], env=env, capture_output=True, check=True)
        report(f"flash --help (start to exit{label})",
               timed(lambda: subprocess.run([sys.executable, "-m", "flashcards", "--help"], env=env,
                                            capture_output=True, check=True), runs), 300)
        for db, name in ((shipped, "shipped deck"), (path, f"{path.name}")):
            env_db = dict(env, FLASH_DB=str(db))
            first_card_time(env_db)  # warm the file cache
            times = [first_card_time(env_db) for _ in range(runs)]
            report(f"flash review to first card ({name}{label})", times, 150 if db == shipped else None)


def bench_reimport(workdir: Path) -> None:
    deck_file = workdir / "big.yaml"
    deck = synthetic_deck(10_000, "big")
    data = {"id": deck.id, "name": deck.name, "terms": [
        {k: getattr(t, k) for k in ("id", "term", "definition", "what_it_does", "whos_behind_it",
                                      "what_makes_it_distinct")} for t in deck.terms]}
    deck_file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    store = Store.open(workdir / "import.db")
    parsed = load_deck(deck_file)
    first = timed(lambda: store.sync([parsed], today=TODAY), 1)
    report("import a 10,000-entry deck, first time (sync only)", first)
    report("re-import it unchanged (sync only)", timed(lambda: store.sync([parsed], today=TODAY), 5))
    report("parse + validate the 10,000-entry YAML file", timed(lambda: load_deck(deck_file), 3))
    reports = store.sync([parsed], today=TODAY)
    print(f"  unchanged re-import reported: added {len(reports[0].added)}, updated {len(reports[0].updated)}, "
          f"retired {len(reports[0].retired)}, unchanged {reports[0].unchanged}")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--log-rows", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--runs", type=int, default=20, help="process starts per timing")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="flash-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "bench.db"
    if not path.exists():
        build_database(path, args.cards, args.log_rows)
    bench_queue_and_grading(path)
    bench_cli(path, workdir, args.runs)
    bench_reimport(workdir)


if __name__ == "__main__":
    main()
