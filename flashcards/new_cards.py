"""Why new cards wait: how many new cards ``flash review`` introduces today, and what holds the
rest back, so ``flash decks`` can say it instead of a bare count that review does not offer.

Three rules hold a new card back (``flashcards.review``): the daily cap (``--new``, config
``new_per_day``); the sibling rule (the cards of one entry are not introduced on the same day:
one new card per entry a day, none from an entry with a card due or graded today); and the
teaching order (a card that needs a term comes after that term's first card; if the term cannot
come today, neither can the card). Buried new cards wait for their day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from .review import DEFAULT_NEW_PER_DAY, DEFAULT_REVIEWS_PER_DAY, day_deal, deal_new_cards, start_session
from .store import Store

__all__ = ["NewCardsToday", "new_cards_today"]


@dataclass(frozen=True)
class NewCardsToday:
    """Today's new cards for one review (every deck, or one): ``waiting`` is ``offered`` +
    ``over_cap`` + ``siblings`` + ``prerequisites``."""

    waiting: int  # new cards not yet introduced (not suspended, retired or buried past today)
    offered: int  # what `flash review` introduces today
    introduced: int  # introduced earlier today
    per_day: int  # the daily cap
    over_cap: int  # could come today, but the day's cap is reached
    siblings: int  # a card of their entry is introduced, due or graded today (one a day per entry)
    prerequisites: int  # need a term card that cannot come today
    due: int = 0  # scheduled cards due today
    due_held_back: int = 0  # of those, over the daily review cap (they wait, oldest due first)

    @property
    def held_back(self) -> int:
        return self.waiting - self.offered


def new_cards_today(store: Store, *, today: date, deck: Optional[str] = None,
                    new_per_day: int = DEFAULT_NEW_PER_DAY,
                    reviews_per_day: Optional[int] = DEFAULT_REVIEWS_PER_DAY) -> NewCardsToday:
    """The figures for a ``flash review`` (of ``deck``, or every deck) started now."""
    session = start_session(store, today=today, deck=deck, new_per_day=new_per_day,
                            reviews_per_day=reviews_per_day)
    new = set(session.new_ids)
    queue = [c for c in session.queue if c not in new]
    waiting, introduced, busy, needs = day_deal(store, today=today, deck=deck, queue=queue)
    pending = [c for c in waiting if c not in introduced]
    everything = len(waiting) + 1
    # the deal with no cap, first with the sibling rule alone, then with the teaching order too
    apart = [c for c in deal_new_cards(waiting, everything, busy=busy) if c not in introduced]
    ordered = [c for c in deal_new_cards(waiting, everything, busy=busy, needs=needs) if c not in introduced]
    return NewCardsToday(
        waiting=len(pending), offered=len(new), introduced=len(introduced), per_day=new_per_day,
        over_cap=len(ordered) - len(new), siblings=len(pending) - len(apart),
        prerequisites=len(apart) - len(ordered),
        due=store.due_count(today=today, deck=deck), due_held_back=session.held_back,
    )
