"""What SQLite's checks cost as the database grows: the figures behind the integrity policy.

    python benchmarks/integrity_cost.py [--workdir DIR] [--runs 5]

Builds databases like bench.py's (cards through the store's own sync, the log by bulk
insert) at several sizes and times ``PRAGMA quick_check`` (pages and records, not index
contents) and ``PRAGMA integrity_check`` (also every index entry against its table) on
each, with a new connection per run (SQLite's page cache empty, the OS's warm), with SQLite's
default page cache and with the larger one the store gives its check (CHECK_CACHE_KIB).
Prints medians; asserts nothing. ``flashcards.store.opening.SYNC_CHECK_BYTES`` (the size up
to which the full check runs before anything else) is chosen from these figures.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import build_database  # noqa: E402

from flashcards.store.opening import CHECK_CACHE_KIB  # noqa: E402

SIZES = [(500, 5_000), (2_000, 20_000), (5_000, 50_000), (10_000, 100_000), (25_000, 250_000),
         (100_000, 1_000_000)]


def timed(path: Path, pragma: str, runs: int, cache_kib: int | None = None) -> float:
    times = []
    for _ in range(runs):
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        if cache_kib:
            conn.execute(f"PRAGMA cache_size = -{cache_kib}")
        start = time.perf_counter()
        result = conn.execute(f"PRAGMA {pragma}").fetchone()[0]
        times.append((time.perf_counter() - start) * 1000)
        conn.close()
        assert result == "ok", result
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="flash-integrity-"))
    print(f"{'cards':>8} {'log rows':>10} {'MB':>7} {'quick_check':>12} {'integrity_check':>16} "
          f"{'integrity_check, store cache':>29}   (ms, median of {args.runs})")
    for cards, log_rows in SIZES:
        path = workdir / f"db-{cards}.db"
        if not path.exists():
            build_database(path, cards, log_rows)
        size = path.stat().st_size / 1e6
        quick = timed(path, "quick_check", args.runs)
        full = timed(path, "integrity_check", args.runs)
        cached = timed(path, "integrity_check", args.runs, CHECK_CACHE_KIB)
        print(f"{cards:>8,} {log_rows:>10,} {size:>7.1f} {quick:>12.1f} {full:>16.1f} {cached:>29.1f}", flush=True)


if __name__ == "__main__":
    main()
