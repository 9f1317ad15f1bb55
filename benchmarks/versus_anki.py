"""Side by side with Anki's own (Rust) backend: one collection, built in both, the same operations timed.

    python benchmarks/versus_anki.py [--cards 100000] [--log-rows 1000000] [--repeat 15]
                                     [--growth 10000,100000,1000000] [--workdir DIR]

Both collections come from one seed: ``--cards`` cards in 10 decks, 90% of them in review with
due days spread evenly over today +-60 (so about 45% are due), the rest new, and ``--log-rows``
rows of review history. Ours is built through the store (``Store.sync``, then the states and the
log in bulk, as ``bench.py`` does); Anki's through the ``anki`` package (``add_notes``, then the
same states and log through its ``col.db``). Each figure is a median of ``--repeat`` runs, printed
with the ratio ours/Anki. ``--growth`` repeats the main figures at other sizes (log rows 10 per
card, at most ``--log-rows``). Nothing is asserted: the machine's load moves every figure.

What is compared:
  open            Store.open                  | Collection(path)
  due count       Store.due_count             | len(col.find_cards("is:due")); a COUNT on its cards table
  today's queue   start_session (200-review cap, 20 new; every card id returned)
                                              | sched.get_queued_cards(fetch_limit=1), cap 200 + 20 new
                                                ("new cards ignore review limit", as ours)
  9,999-review q. start_session(reviews_per_day=9999)
                                              | the same with the review cap at 9,999 (Anki's highest)
  full queue      start_session(reviews_per_day=None): every due card
                                              | (Anki cannot: it is the row above when fewer are due)
  grade + commit  Store.card + Store.record   | get_queued_cards + answer_card (its own transaction)
Anki caches its queue, so each queue run starts by selecting another deck and back (untimed),
which clears it.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Iterator, Optional

from flashcards.model import Deck, Term
from flashcards.review import start_session
from flashcards.store import Store

TODAY = date(2026, 11, 23)
DECKS = 10
SEED = 14
NOW = datetime(2026, 11, 23, 9, 0).astimezone()
ANKI_MAX_REVIEWS = 9_999  # the highest review cap Anki accepts; it silently keeps 200 for more
BIG_QUEUE = f"{ANKI_MAX_REVIEWS:,}-review queue"


# -- one shape for both -------------------------------------------------------------


def card_states(cards: int, seed: int = SEED) -> Iterator[tuple[int, int, int, int, int]]:
    """(card index, due offset from today, interval, E-Factor in hundredths, repetitions) of each
    card in review; the other tenth stay new."""
    rng = random.Random(seed)
    for index in range(cards):
        in_review = rng.random() < 0.9
        offset, interval, ef, reps = rng.randint(-60, 60), rng.randint(1, 300), rng.randrange(130, 302, 2), \
            rng.randint(1, 8)
        if in_review:
            yield index, offset, interval, ef, reps


def log_rows(cards: int, rows: int, seed: int = SEED) -> Iterator[tuple[int, int, int]]:
    """(card index, days ago, grade 0-5) of each logged review."""
    rng = random.Random(seed + 1)
    for _ in range(rows):
        yield rng.randrange(cards), rng.randint(1, 400), rng.randint(0, 5)


def deck(number: int, cards: int) -> Deck:
    """Terms with every field: five cards each."""
    first = number * cards // 5
    return Deck(id=f"bench-{number:02d}", name=f"Bench {number}", terms=tuple(
        Term(id=f"t{i}", term=f"Term {i}", definition=f"Definition of term {i}.",
             what_it_does=f"What term {i} does.", whos_behind_it=f"Who is behind term {i}.",
             what_makes_it_distinct=f"What makes term {i} distinct.")
        for i in range(first, first + cards // 5)))


def chunks(rows: Iterator, size: int = 100_000) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def build_ours(path: Path, cards: int, logged: int) -> None:
    store = Store.open(path)
    store.sync([deck(n, cards // DECKS) for n in range(DECKS)], today=TODAY - timedelta(days=400))
    conn = store.conn
    ids = [row[0] for row in conn.execute("SELECT card_id FROM card_state ORDER BY deck_id, position")]
    with conn:
        conn.executemany(
            "UPDATE card_state SET repetitions = ?, ef = ?, interval = ?, due = ?, last_review = ? WHERE card_id = ?",
            ((reps, ef, interval, (TODAY + timedelta(days=offset)).isoformat(),
              (TODAY + timedelta(days=offset - interval)).isoformat(), ids[index])
             for index, offset, interval, ef, reps in card_states(cards)))
        for batch in chunks(log_rows(cards, logged)):
            conn.executemany(
                """INSERT INTO reviews (card_id, reviewed_at, day, kind, grade, reps_before, ef_before,
                   interval_before, reps_after, ef_after, interval_after, due_after)
                   VALUES (?, ?, ?, 'review', ?, 1, 250, 1, 2, 250, 6, ?)""",
                [(ids[index], f"{(TODAY - timedelta(days=ago)).isoformat()}T09:00:00",
                  (TODAY - timedelta(days=ago)).isoformat(), grade, (TODAY - timedelta(days=ago - 6)).isoformat())
                 for index, ago, grade in batch])
    store.close()


def build_anki(path: Path, cards: int, logged: int) -> None:
    from anki.collection import AddNoteRequest, Collection

    col = Collection(str(path))
    basic = col.models.by_name("Basic")
    per_deck = cards // DECKS
    deck_ids = [col.decks.id(f"bench::bench-{n:02d}") for n in range(DECKS)]
    for batch in chunks(iter(range(cards)), 20_000):
        requests = []
        for index in batch:
            note = col.new_note(basic)
            note["Front"], note["Back"] = f"Front {index}", f"Back {index}"
            requests.append(AddNoteRequest(note=note, deck_id=deck_ids[index // per_deck]))
        col.add_notes(requests)
    ids = col.db.list("SELECT id FROM cards ORDER BY id")  # the order the notes were added
    # ours caps reviews and new cards apart; Anki's review cap counts new cards too unless told
    from anki.decks import UpdateDeckConfigs

    parent = col.decks.id("bench")
    current = col.decks.get_deck_configs_for_update(parent)
    col.decks.update_deck_configs(UpdateDeckConfigs(
        target_deck_id=parent, configs=[c.config for c in current.all_config], limits=current.current_deck.limits,
        new_cards_ignore_review_limit=True, apply_all_parent_limits=current.apply_all_parent_limits,
        fsrs=current.fsrs))
    today = col.sched.today
    col.db.transact(lambda: col.db.executemany(
        "UPDATE cards SET type = 2, queue = 2, due = ?, ivl = ?, factor = ?, reps = ? WHERE id = ?",
        [(today + offset, interval, ef * 10, reps, ids[index])
         for index, offset, interval, ef, reps in card_states(cards)]))
    base = int(time.time() * 1000) - 400 * 86_400_000
    ease = {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}
    for start, batch in enumerate(chunks(log_rows(cards, logged))):
        first = start * 100_000
        col.db.transact(lambda: col.db.executemany(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) VALUES (?, ?, -1, ?, 6, 1, 2500,"
            " 5000, 1)",
            [(base + first + n, ids[index], ease[grade]) for n, (index, _ago, grade) in enumerate(batch)]))
    col.close()


# -- timing -------------------------------------------------------------------------


def timed(fn: Callable[[], object], repeat: int, before: Optional[Callable[[], object]] = None) -> list[float]:
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def measure_ours(path: Path, repeat: int) -> dict[str, float]:
    figures = {}

    def open_close():
        start = time.perf_counter()
        store = Store.open(path, create=False)
        elapsed = (time.perf_counter() - start) * 1000
        store.close()
        return elapsed

    open_close()  # the first open after the copy is the file system's, not ours: untimed
    figures["open"] = statistics.median(open_close() for _ in range(repeat))
    store = Store.open(path, create=False)
    # Opening starts PRAGMA quick_check of the whole file in a thread (the first write waits
    # for it); let it finish, so it does not share the CPU with the timings below
    start = time.perf_counter()
    store._ensure_sound()
    figures["integrity check"] = (time.perf_counter() - start) * 1000
    due = store.due_count(today=TODAY)
    figures["due count"] = statistics.median(timed(lambda: store.due_count(today=TODAY), repeat))
    session = start_session(store, today=TODAY)
    assert (session.due_count, session.new_count, session.held_back) == (200, 20, due - 200)
    figures["today's queue"] = statistics.median(timed(lambda: start_session(store, today=TODAY), repeat))
    assert len(start_session(store, today=TODAY, reviews_per_day=None).queue) == due + 20
    figures["full queue"] = statistics.median(
        timed(lambda: start_session(store, today=TODAY, reviews_per_day=None), repeat))
    figures[BIG_QUEUE] = statistics.median(
        timed(lambda: start_session(store, today=TODAY, reviews_per_day=ANKI_MAX_REVIEWS), repeat))
    session = start_session(store, today=TODAY)
    grades = iter([5, 4, 3, 5, 4] * 100)

    def grade_one():
        card_id = session.current
        store.card(card_id)  # what the CLI fetches to show it
        record = store.record(card_id, next(grades), today=TODAY, now=NOW, drill=session.is_drill(card_id))
        session.answer(card_id, record.grade, record.id)

    figures["grade + commit"] = statistics.median(timed(grade_one, min(repeat * 10, 200)))
    figures["due"] = due
    store.close()
    return figures


def measure_anki(path: Path, repeat: int) -> dict[str, float]:
    from anki.collection import Collection  # first: anki.cards alone is a circular import
    from anki.cards import Card
    from anki.scheduler.v3 import CardAnswer

    figures = {}

    def open_close():
        start = time.perf_counter()
        col = Collection(str(path))
        elapsed = (time.perf_counter() - start) * 1000
        col.close()
        return elapsed

    open_close()  # as for ours, a first open untimed
    figures["open"] = statistics.median(open_close() for _ in range(repeat))
    col = Collection(str(path))
    parent = col.decks.id("bench")
    col.decks.select(parent)
    today = col.sched.today
    due = len(col.find_cards("is:due"))
    figures["due count"] = statistics.median(timed(lambda: col.find_cards("is:due"), repeat))
    figures["due count (SQL)"] = statistics.median(timed(
        lambda: col.db.scalar("SELECT COUNT() FROM cards WHERE queue IN (2, 3) AND due <= ?", today), repeat))

    other = col.decks.id("bench::bench-00")

    def clear_queue():  # selecting the deck that is already selected would keep the cached queue
        col.decks.select(other)
        col.decks.select(parent)

    queued = col.sched.get_queued_cards(fetch_limit=1)
    assert (queued.review_count, queued.new_count) == (200, 20), (queued.review_count, queued.new_count)
    figures["today's queue"] = statistics.median(
        timed(lambda: col.sched.get_queued_cards(fetch_limit=1), repeat, clear_queue))
    config = col.decks.config_dict_for_deck_id(parent)
    config["rev"]["perDay"] = ANKI_MAX_REVIEWS
    col.decks.update_config(config)
    clear_queue()
    assert col.sched.get_queued_cards(fetch_limit=1).review_count == min(due, ANKI_MAX_REVIEWS)
    figures[BIG_QUEUE] = statistics.median(
        timed(lambda: col.sched.get_queued_cards(fetch_limit=1), repeat, clear_queue))
    figures["full queue"] = figures[BIG_QUEUE] if due <= ANKI_MAX_REVIEWS else float("nan")
    config["rev"]["perDay"] = 200
    col.decks.update_config(config)
    clear_queue()
    ratings = iter([CardAnswer.EASY, CardAnswer.GOOD, CardAnswer.HARD, CardAnswer.EASY, CardAnswer.GOOD] * 100)

    def grade_one():
        queued = col.sched.get_queued_cards(fetch_limit=1).cards[0]
        card = Card(col)
        card._load_from_backend_card(queued.card)
        card.start_timer()
        col.sched.answer_card(col.sched.build_answer(card=card, states=queued.states, rating=next(ratings)))

    figures["grade + commit"] = statistics.median(timed(grade_one, min(repeat * 10, 200)))
    figures["due"] = due
    col.close()
    return figures


ROWS = ("due count", "today's queue", BIG_QUEUE, "full queue", "grade + commit", "open")


def build_both(workdir: Path, cards: int, logged: int) -> tuple[Path, Path]:
    ours, anki = workdir / f"ours-{cards}-{logged}.db", workdir / f"anki-{cards}-{logged}.anki2"
    if not ours.exists():
        start = time.perf_counter()
        build_ours(ours, cards, logged)
        print(f"setup: ours, {cards:,} cards / {logged:,} log rows in {time.perf_counter() - start:.0f} s", flush=True)
    if not anki.exists():
        start = time.perf_counter()
        build_anki(anki, cards, logged)
        print(f"setup: Anki, {cards:,} cards / {logged:,} log rows in {time.perf_counter() - start:.0f} s", flush=True)
    return ours, anki


def fresh_copy(path: Path, workdir: Path) -> Path:
    """Grading writes: time it on a copy, so a re-run starts from the same collection."""
    copy = workdir / f"run-{path.name}"
    with open(path, "rb") as source, open(copy, "wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)
        target.flush()
        os.fsync(target.fileno())  # on disk now, so no timed close waits for the copy's write-back
    return copy


def compare(workdir: Path, cards: int, logged: int, repeat: int) -> tuple[dict, dict]:
    ours_path, anki_path = build_both(workdir, cards, logged)
    ours = measure_ours(fresh_copy(ours_path, workdir), repeat)
    anki = measure_anki(fresh_copy(anki_path, workdir), repeat)
    return ours, anki


def cell(value: float, width: int) -> str:
    """A figure right-aligned in ``width`` (left-aligned if negative); a dash for none."""
    text = "-" if math.isnan(value) else f"{value:.2f}"
    return f"{text:>{width}}" if width > 0 else f"{text:<{-width}}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--log-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--growth", default="", metavar="N,N,...", help="card counts to repeat the figures at")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    if args.cards % (DECKS * 5):
        parser.error(f"--cards must be a multiple of {DECKS * 5}")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="flash-versus-anki-"))
    workdir.mkdir(parents=True, exist_ok=True)

    ours, anki = compare(workdir, args.cards, args.log_rows, args.repeat)
    print(f"\n{args.cards:,} cards, {args.log_rows:,} log rows, {ours['due']:,} due (Anki: {anki['due']:,});"
          f" medians of {args.repeat} runs, ms")
    print(f"{'':<18}{'flashcards':>12}{'Anki':>12}{'ours/Anki':>11}")
    for row in ROWS:
        print(f"{row:<18}{ours[row]:>12.2f}{cell(anki[row], 12)}{cell(ours[row] / anki[row], 11)}")
    print(f"{'due count (SQL)':<18}{'':>12}{anki['due count (SQL)']:>12.2f}"
          f"{ours['due count'] / anki['due count (SQL)']:>11.2f}   (Anki: a COUNT on its cards table)")
    print(f"(ours also checks the file at open, in a background thread the first write waits for: "
          f"{ours['integrity check']:.0f} ms here)")

    sizes = [int(n) for n in args.growth.split(",") if n.strip()]
    if sizes:
        results = {}
        for cards in sizes:
            logged = min(cards * 10, args.log_rows)
            results[cards] = (logged, *compare(workdir, cards, logged, args.repeat))
        print("\nhow the cost grows (ms; log rows 10 per card, at most "
              f"{args.log_rows:,}; ours / Anki)")
        print(f"{'':<18}" + "".join(f"{cards:>22,}" for cards in sizes))
        print(f"{'due':<18}" + "".join(f"{results[c][1]['due']:>22,}" for c in sizes))
        for row in ROWS:
            print(f"{row:<18}" + "".join(
                f"{results[c][1][row]:>10.2f} / {cell(results[c][2][row], -9)}" for c in sizes))


if __name__ == "__main__":
    main()
