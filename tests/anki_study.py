"""A learner studying in real Anki (the `anki` package), day after day, for the import tests.

Anki's scheduler reads the real clock, so a day passes by moving every time the
collection holds one day into the past: its creation time (what Anki counts days
from), the ids of its review log (milliseconds when answered) and the due times of
cards in intraday learning. To Anki that is the clock moving a day forward."""

from __future__ import annotations

import random
from pathlib import Path

from anki.collection import Collection
from anki.scheduler_pb2 import CardAnswer

DAY_MS = 86_400_000
BUTTONS = (CardAnswer.AGAIN, CardAnswer.HARD, CardAnswer.GOOD, CardAnswer.EASY)
WEIGHTS = (12, 10, 68, 10)  # how often the simulated learner presses each


def study(collection_path: Path, deck_names: list[str], days: int, *, seed: int = 21) -> int:
    """Study ``deck_names`` (each in turn, every card Anki shows) for ``days`` days,
    pressing buttons drawn with ``seed``; returns the number of answers."""
    rng = random.Random(seed)
    return sum(study_days(collection_path, deck_names, days, rating=lambda card: rng.choices(BUTTONS, WEIGHTS)[0]))


def study_days(collection_path: Path, deck_names: list[str], days: int, *, rating) -> list[int]:
    """Study ``deck_names`` (each in turn, every card Anki shows) for ``days`` days, pressing
    ``rating(card)`` (a ``BUTTONS`` value) for each card shown; returns the answers of each day."""
    per_day = []
    col = Collection(str(collection_path))
    try:
        for _ in range(days):
            answers = 0
            for name in deck_names:
                col.decks.select(col.decks.id_for_name(name))
                shown = 0
                while (queued := col.sched.get_queued_cards(fetch_limit=1)).cards:
                    card = col.get_card(queued.cards[0].card.id)
                    card.start_timer()
                    states = col._backend.get_scheduling_states(card.id)
                    col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=rating(card)))
                    shown += 1
                    assert shown < 2000
                answers += shown
            per_day.append(answers)
            col.crt -= 86_400
            col.db.execute("UPDATE revlog SET id = id - ?", DAY_MS)
            col.db.execute("UPDATE cards SET due = due - 86400 WHERE queue = 1")
            col.close()
            col = Collection(str(collection_path))
    finally:
        col.close()
    return per_day
