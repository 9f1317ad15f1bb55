"""How long `flash import` of a large deck holds the write lock while another process grades.

    python benchmarks/import_lock.py [--entries 10000] [--runs 3] [--workdir DIR]

Two cases, each ``--runs`` times on a fresh copy of its database:

- ``new deck``: a database whose small deck (200 entries) is being graded gets a new deck of
  ``--entries`` entries;
- ``edited deck``: the ``--entries``-entry deck, being graded, is imported again with one
  entry in ten edited (so about a tenth of its cards are updated).

The decks are those of ``benchmarks/lint_scale.py``. The import is the real ``flash import``
in a subprocess. The grader is another subprocess using the store's API as ``flash review``
does (one ``Store``, ``record()`` per grade, the default 30 s busy timeout), grading a card
every 20 ms from before the import starts until after it ends; every ``record()`` call is
timed, and its worst time is the grader's worst wait (it includes SQLite's own back-off
sleeps after the lock is freed). The lock is watched from outside: a third connection in
this process tries ``BEGIN IMMEDIATE`` with no busy timeout every 2 ms (rolling back at once);
the longest run of refused tries is the longest time any process held the write lock (a
grade holds it for about a millisecond). Prints the median over the runs, the worst run, and
the load average. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lint_scale import ENV_TODAY, write_deck  # noqa: E402  (the decks of the lint benchmark)

ROOT = Path(__file__).resolve().parent.parent

GRADER = r"""
import json, sys, time
from datetime import date, datetime, timezone
from pathlib import Path
from flashcards.errors import GradeRefusedError
from flashcards.store import Store

db, deck, stop = sys.argv[1], sys.argv[2], Path(sys.argv[3])
today = date.fromisoformat(sys.argv[4])
waits, graded = [], set()
with Store.open(db) as store:
    cards = [c.id for c in store.cards(deck=deck) if not c.retired]
    print("ready", flush=True)
    i = 0
    while not stop.exists():
        card = cards[i % len(cards)]
        i += 1
        start = time.perf_counter()
        try:
            store.record(card, 4, today=today, now=datetime.now(timezone.utc), drill=card in graded)
        except GradeRefusedError:
            pass
        waits.append(time.perf_counter() - start)
        graded.add(card)
        time.sleep(0.02)
print(json.dumps({"grades": len(waits), "worst": max(waits), "p99": sorted(waits)[int(len(waits) * 0.99)],
                  "median": sorted(waits)[len(waits) // 2]}))
"""


class LockWatch:
    """Tries to take the write lock every ``period`` seconds on its own connection; the longest
    run of refusals is the longest time someone else held it."""

    def __init__(self, db: Path, period: float = 0.002):
        self.db, self.period = db, period
        self.longest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        conn = sqlite3.connect(str(self.db), timeout=0, isolation_level=None)
        busy_since = None
        while not self._stop.is_set():
            now = time.perf_counter()
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
                if busy_since is not None:
                    self.longest = max(self.longest, now - busy_since)
                    busy_since = None
            except sqlite3.OperationalError:
                if busy_since is None:
                    busy_since = now
            time.sleep(self.period)
        if busy_since is not None:
            self.longest = max(self.longest, time.perf_counter() - busy_since)
        conn.close()


def flash(args: list, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "flashcards", *map(str, args)], env=env, capture_output=True,
                          text=True)
    if done.returncode:
        raise SystemExit(f"flash {' '.join(map(str, args))} failed ({done.returncode}): {done.stderr.strip()}")
    return done


def edited_copy(deck: Path, target: Path) -> Path:
    """The deck with every tenth definition, "Do say" and "holds" changed."""
    lines, count = [], 0
    for line in deck.read_text(encoding="utf-8").splitlines():
        if line.startswith(("    definition: '", "    do_say: '", "    holds: '")):
            count += 1
            if count % 10 == 0:
                line = line[:-1] + " Edited.'"
        lines.append(line)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def one_run(db: Path, deck: Path, graded_deck: str, folder: Path, env: dict) -> dict:
    stop = folder / "stop"
    stop.unlink(missing_ok=True)
    grader = subprocess.Popen([sys.executable, "-c", GRADER, str(db), graded_deck, str(stop), ENV_TODAY],
                              env=env, stdout=subprocess.PIPE, text=True)
    assert grader.stdout.readline().strip() == "ready"
    with LockWatch(db) as watch:
        time.sleep(1.0)  # the grader at work before the import
        start = time.perf_counter()
        flash(["import", deck, "--db", db], env)
        seconds = time.perf_counter() - start
        time.sleep(1.0)  # and after it
    stop.touch()
    out, _ = grader.communicate(timeout=120)
    result = json.loads(out.strip().splitlines()[-1])
    integrity = sqlite3.connect(str(db)).execute("PRAGMA integrity_check").fetchone()[0]
    return {"import": seconds, "held": watch.longest, "integrity": integrity, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    options = parser.parse_args()
    env = dict(os.environ, FLASH_TODAY=ENV_TODAY, PYTHONPATH=str(ROOT))
    env.pop("FLASH_DB", None)
    print(f"{os.cpu_count()} CPUs; load average at start {os.getloadavg()[0]:.1f}; {options.entries:,} entries; "
          f"median of {options.runs} runs (worst run in brackets)", flush=True)
    with tempfile.TemporaryDirectory(dir=options.workdir) as tmp:
        folder = Path(tmp)
        big = write_deck(folder, options.entries)
        small = write_deck(folder, 200)
        edited = edited_copy(big, folder / "edited.yaml")
        cases = {}
        base_small = folder / "small.db"
        flash(["import", small, "--db", base_small], env)
        cases["new deck"] = (base_small, big, "scale-200")
        base_big = folder / "big.db"
        flash(["import", big, "--db", base_big], env)
        cases["edited deck"] = (base_big, edited, f"scale-{options.entries}")
        print(f"{'case':<12} {'import s':>14} {'lock held s':>14} {'grader worst s':>16} {'grader p99 s':>14} "
              f"{'grades':>7}  integrity", flush=True)
        for name, (base, deck, graded_deck) in cases.items():
            results = []
            for attempt in range(options.runs):
                db = folder / f"run-{attempt}.db"
                shutil.copy(base, db)
                results.append(one_run(db, deck, graded_deck, folder, env))
                for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
                    leftover.unlink(missing_ok=True)

            def cell(key: str) -> str:
                values = [r[key] for r in results]
                return f"{statistics.median(values):.2f} ({max(values):.2f})"

            integrity = ", ".join(sorted({r["integrity"] for r in results}))
            print(f"{name:<12} {cell('import'):>14} {cell('held'):>14} {cell('worst'):>16} {cell('p99'):>14} "
                  f"{statistics.median(r['grades'] for r in results):>7.0f}  {integrity}", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
