"""py-fsrs against fsrs-rs-python: scheduling and fitting the same 100,000 reviews, and install size.

    python benchmarks/fsrs_implementations.py [--cards 11300] [--days 365]

Run it in an environment with both packages (and, to time py-fsrs's Optimizer, torch,
numpy and pandas: ``pip install torch==2.13.0 'fsrs[optimizer]' fsrs-rs-python``);
what is not installed is skipped. The reviews are the seeded simulated learner's
(flashcards/schedulers/simulate.py). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import time
from datetime import datetime, time as clock, timezone

from flashcards.optimize import fit, histories, scores
from flashcards.schedulers import FSRS, CardState
from flashcards.schedulers.fsrs import GRADE_TO_RATING
from flashcards.schedulers.simulate import simulate


def installed_mb(*names: str) -> str:
    sizes = []
    for name in names:
        try:
            files = importlib.metadata.distribution(name).files or []
        except importlib.metadata.PackageNotFoundError:
            continue
        sizes.append((name, sum(f.locate().stat().st_size for f in files if f.locate().exists()) / 1e6))
    total = sum(s for _, s in sizes)
    return f"{total:,.1f} MB ({', '.join(f'{n} {s:,.1f}' for n, s in sizes)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=11_830)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    reviews = simulate(cards=args.cards, days=args.days, seed=1)
    cards = histories((str(r.card), r.day, r.grade) for r in reviews)
    print(f"simulated learner: {len(reviews):,} reviews of {len(cards):,} cards over {args.days} days")

    start = time.perf_counter()
    ours = FSRS()
    for history in cards.values():
        state = CardState()
        for day, grade in history:
            state = ours.review(state, grade, today=day)
    elapsed = time.perf_counter() - start
    print(f"py-fsrs, schedule every review:        {elapsed:6.2f} s  "
          f"({elapsed / len(reviews) * 1e6:.1f} us a review)")

    if importlib.util.find_spec("fsrs_rs_python"):
        import fsrs_rs_python as rs

        engine = rs.FSRS(rs.DEFAULT_PARAMETERS)
        start = time.perf_counter()
        for history in cards.values():
            memory, last = None, None
            for day, grade in history:
                nxt = engine.next_states(memory, 0.9, 0 if last is None else (day - last).days)
                rating = GRADE_TO_RATING[grade]
                memory = (nxt.again, nxt.hard, nxt.good, nxt.easy)[rating - 1].memory
                last = day
        elapsed = time.perf_counter() - start
        print(f"fsrs-rs, schedule every review:        {elapsed:6.2f} s  "
              f"({elapsed / len(reviews) * 1e6:.1f} us a review)")
        start = time.perf_counter()
        fitted = fit(cards)
        elapsed = time.perf_counter() - start
        fit_scores = scores(FSRS(fitted), cards)
        print(f"fsrs-rs, fit the parameters:           {elapsed:6.2f} s  "
              f"(in-sample log loss {fit_scores.log_loss:.4f}, RMSE(bins) {fit_scores.rmse_bins:.4f})")

    if importlib.util.find_spec("torch") and importlib.util.find_spec("pandas"):
        from fsrs import Optimizer, Rating, ReviewLog

        logs = [ReviewLog(card_id=int(card_id), rating=Rating(GRADE_TO_RATING[grade]),
                          review_datetime=datetime.combine(day, clock(12), tzinfo=timezone.utc), review_duration=None)
                for card_id, history in cards.items() for day, grade in history]
        start = time.perf_counter()
        fitted = Optimizer(logs).compute_optimal_parameters()
        elapsed = time.perf_counter() - start
        fit_scores = scores(FSRS(fitted), cards)
        print(f"py-fsrs Optimizer (torch), fit:        {elapsed:6.2f} s  "
              f"(in-sample log loss {fit_scores.log_loss:.4f}, RMSE(bins) {fit_scores.rmse_bins:.4f})")
    default = scores(FSRS(), cards)
    print(f"FSRS default parameters, for reference:           (log loss {default.log_loss:.4f}, "
          f"RMSE(bins) {default.rmse_bins:.4f})")
    print(f"installed, scheduling (py-fsrs):        {installed_mb('fsrs')}")
    print(f"installed, fsrs-rs-python:              {installed_mb('fsrs-rs-python')}")
    print(f"installed, py-fsrs's optimizer extra:   {installed_mb('torch', 'numpy', 'pandas', 'tqdm')}")


if __name__ == "__main__":
    main()
