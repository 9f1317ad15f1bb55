"""`flash import --anki`: how long bringing Anki's reviews home takes, and the files' sizes.

    python benchmarks/anki_import.py [--days 30] [--copies 1,20,160] [--workdir DIR]

The shipped decks are imported into a flash database and exported with `flash export anki`'s
library call; the package is imported into a real Anki collection (the `anki` package) and
studied there for ``--days`` days with Anki's own scheduler (tests/anki_study.py: the
collection's clock moved a day at a time). ``--copies`` then grows Anki's review log to that many
times its size (each row copied with new ids a few milliseconds later, so the copies are same-day
answers, logged as drills), to see how the import scales. For each size, Anki exports a package
with scheduling (.apkg) and a collection (.colpkg), each in the current (zstd) and the legacy
layout, and each is imported into a copy of the flash database: first import, then the same
file again (nothing to add). Timings are one run each, in process (no interpreter start-up);
nothing is asserted.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from anki.collection import Collection  # noqa: E402
from anki.import_export_pb2 import ExportAnkiPackageOptions, ImportAnkiPackageRequest  # noqa: E402

from anki_study import study  # noqa: E402
from flashcards.anki import write_packages  # noqa: E402
from flashcards.anki_import import known_entries, plan_import, read_anki_file  # noqa: E402
from flashcards.decks import load_decks, shipped_decks_dir  # noqa: E402
from flashcards.store import Store  # noqa: E402
from flashcards.store.anki_log import add_anki_reviews, known_cards  # noqa: E402

FILES = ("study.apkg", "study-legacy.apkg", "study.colpkg", "study-legacy.colpkg")


def build(work: Path, days: int) -> tuple[Path, Path]:
    db = work / "flash.db"
    decks = load_decks([shipped_decks_dir()])
    with Store.open(db) as store:
        store.sync(decks, today=date(2026, 1, 1))
    (report,) = [r for r in write_packages(decks, out_dir=work / "exports") if r.deck_id == "lesson-04-ai-lifecycle"]
    (work / "anki").mkdir()
    col_path = work / "anki" / "collection.anki2"
    col = Collection(str(col_path))
    try:
        options = col._backend.get_import_anki_package_presets()
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(report.path), options=options))
        name = report.deck_name
    finally:
        col.close()
    start = time.perf_counter()
    answers = study(col_path, [name, f"{name} (follow-up)"], days)
    print(f"studied {days} days in Anki: {answers} answers ({time.perf_counter() - start:.1f} s)")
    return db, col_path


def grow(col_path: Path, copies: int, target: Path) -> int:
    """A copy of the collection whose review log is ``copies`` times as long."""
    shutil.copytree(col_path.parent, target)
    col = Collection(str(target / "collection.anki2"))
    try:
        if copies > 1:
            rows = col.db.all("SELECT id, cid, usn, ease, ivl, lastIvl, factor, time, type FROM revlog")
            used = {row[0] for row in rows}
            for row in rows:
                for k in range(1, copies):
                    new = row[0] + 7 * k  # milliseconds later: the same study day
                    while new in used:
                        new += 1
                    used.add(new)
                    col.db.execute("INSERT INTO revlog VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", new, *row[1:])
        n = col.db.scalar("SELECT COUNT(*) FROM revlog")
        for legacy, suffix in ((False, ""), (True, "-legacy")):
            options = ExportAnkiPackageOptions(with_scheduling=True, with_media=False, legacy=legacy)
            col.export_anki_package(out_path=str(target / f"study{suffix}.apkg"), options=options, limit=None)
            col.export_collection_package(str(target / f"study{suffix}.colpkg"), include_media=False, legacy=legacy)
            col.reopen()
    finally:
        col.close()
    return n


def import_once(db: Path, path: Path) -> tuple[float, float, float, int, int]:
    start = time.perf_counter()
    log = read_anki_file(path)
    read = time.perf_counter() - start
    with Store.open(db) as store:
        plan = plan_import(log, known_entries(known_cards(store)), day_start_hour=4)
        mapped = time.perf_counter() - start - read
        report = add_anki_reviews(store, plan.reviews)
    total = time.perf_counter() - start
    return read, mapped, total, len(plan.reviews), report.added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--copies", default="1,20,160")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="flash-anki-import-"))
    work.mkdir(parents=True, exist_ok=True)
    db, col_path = build(work, args.days)
    print(f"{'answers':>8}  {'file':<20} {'size':>9}  {'read':>7} {'map':>7} {'import':>7} {'again':>7}  mapped")
    for copies in (int(c) for c in args.copies.split(",")):
        folder = work / f"x{copies}"
        n = grow(col_path, copies, folder)
        for name in FILES:
            target = folder / f"{name}.db"
            shutil.copy(db, target)
            read, mapped, total, reviews, added = import_once(target, folder / name)
            again = import_once(target, folder / name)
            assert again[4] == 0
            size = (folder / name).stat().st_size
            print(f"{n:>8}  {name:<20} {size / 1000:>7.1f}kB  {read:>6.2f}s {mapped:>6.2f}s {total:>6.2f}s "
                  f"{again[2]:>6.2f}s  {reviews} of {n}, {added} added")
    print(f"work folder: {work}")


if __name__ == "__main__":
    main()
