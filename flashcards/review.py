"""A day's review session: which cards, in what order, and the same-day drill rule.

No I/O happens here beyond the ``Store`` calls in ``start_session``; the
session itself is plain state that the CLI (or a test) drives:

    session = start_session(store, today=day)
    while (card_id := session.current) is not None:
        card = store.card(card_id)  # fetched when shown: the queue holds ids only
        record = store.record(card_id, grade, today=day, now=..., drill=session.is_drill(card_id))
        session.answer(card_id, grade, record.id)

Siblings (the cards of one entry: a term's forward and reverse cards, an analog's
holds and breaks) are kept apart, after Anki's sibling burying:

- a card is never directly followed by a sibling while another card is left, in
  the day's queue and after a drill goes to the back;
- at most one new card per entry is introduced per day, and none from an entry
  that has a card due, drilled or graded that day; an entry's new cards come in
  its card order (a term's forward card first), one a day;
- the day's new cards are dealt in turns by card kind (term, definition, what it
  does, who's behind it, what makes it distinct, phrase, reply, holds, breaks, cloze: the
  ``CardKind`` order), each kind in deck order, so 20 new cards cover 20 entries
  of every kind instead of the first few entries of the file (``deal_new_cards``);
- a new card that needs a term first (it names the term, or its entry's ``uses:`` lists it:
  ``flashcards.prerequisites``) comes after that term's first card: a waiting term card is
  brought forward to just before the first card that needs it, and a card whose term cannot be
  introduced today (its entry is busy) waits for another day;
- due cards are interleaved by card kind: never more than 2 of one kind in a row while another
  kind is left to put between them (``interleave_kinds``), oldest due first otherwise.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable, Mapping, Optional, Sequence

from .model import CardKind, kind_of_card
from .sm2 import PASSING_GRADE, SESSION_PASS_GRADE
from .store import Store

DEFAULT_NEW_PER_DAY = 20
DEFAULT_REVIEWS_PER_DAY = 200  # Anki's default review cap (rev.perDay)
_EVERY = 2 ** 62  # a LIMIT that reads every row


@dataclass
class _Answer:
    record_id: int
    card_id: str
    grade: int
    drill: bool
    requeued: bool


@dataclass
class Summary:
    reviewed: int  # scheduled reviews graded (drills not counted)
    correct: int  # of those, graded 3 or more
    drills: int  # extra same-day passes
    left: int  # cards still in the queue when the session ended
    held_back: int = 0  # due cards left for another day by the daily review cap

    @property
    def correct_rate(self) -> Optional[float]:
        return self.correct / self.reviewed if self.reviewed else None


@dataclass
class ReviewSession:
    """The queue of one sitting. A card graded below 4 goes to the back of the
    queue and comes back (as a drill, which leaves its schedule alone) until it
    is graded 4 or 5."""

    queue: deque[str]  # card ids; the first is the card on screen
    drilled: set[str] = field(default_factory=set)  # cards whose next grade today is a drill
    new_count: int = 0
    due_count: int = 0  # due cards in this session
    held_back: int = 0  # due cards over the daily review cap, left for another day
    history: list[_Answer] = field(default_factory=list)
    new_ids: tuple[str, ...] = ()  # the new cards dealt into the queue

    @property
    def current(self) -> Optional[str]:
        return self.queue[0] if self.queue else None

    @property
    def done(self) -> int:
        return len(self.history)

    @property
    def left(self) -> int:
        return len(self.queue)

    def is_drill(self, card_id: str) -> bool:
        return card_id in self.drilled

    def answer(self, card_id: str, grade: int, record_id: int) -> None:
        """Take the grade the store just recorded for the current card."""
        if self.current != card_id:
            raise ValueError(f"{card_id} is not the current card")
        self.queue.popleft()
        drill = self.is_drill(card_id)
        requeue = grade < SESSION_PASS_GRADE
        if requeue:
            self.queue.append(card_id)
            self.drilled.add(card_id)
        self.history.append(_Answer(record_id, card_id, grade, drill, requeue))
        self._not_after_sibling(card_id)

    def _not_after_sibling(self, shown: str) -> None:
        """If the next card is a sibling of the one just shown, bring forward the first
        card that is not (the rest keep their order); with only siblings left, keep it."""
        entry = entry_key(shown)
        if not self.queue or entry_key(self.queue[0]) != entry:
            return
        for index, card in enumerate(self.queue):
            if entry_key(card) != entry:
                del self.queue[index]
                self.queue.appendleft(card)
                return

    @property
    def last_record_id(self) -> Optional[int]:
        """The review id ``undo`` would take back (None when nothing was graded)."""
        return self.history[-1].record_id if self.history else None

    def undo(self) -> Optional[int]:
        """Put the last graded card back in front; return the review id to undo in the store."""
        if not self.history:
            return None
        last = self.history.pop()
        if last.requeued:
            # the copy at the back is the last occurrence of this card
            for index in range(len(self.queue) - 1, -1, -1):
                if self.queue[index] == last.card_id:
                    del self.queue[index]
                    break
        if not last.drill:
            self.drilled.discard(last.card_id)
        self.queue.appendleft(last.card_id)
        return last.record_id

    def put_back(self, card_id: str, *, drill: bool) -> None:
        """Bring a card whose grade from an earlier session was undone to the front of the queue
        (as a drill when it still has a grade below 4 today)."""
        self.queue = deque(c for c in self.queue if c != card_id)
        self.queue.appendleft(card_id)
        if drill:
            self.drilled.add(card_id)
        else:
            self.drilled.discard(card_id)

    def bury(self, card_id: str) -> None:
        """Drop the current card from this sitting, drill copies included (the
        store keeps it buried until tomorrow). Nothing is graded or logged."""
        if self.current != card_id:
            raise ValueError(f"{card_id} is not the current card")
        self.queue = deque(c for c in self.queue if c != card_id)
        self.drilled.discard(card_id)
        if self.history:
            self._not_after_sibling(self.history[-1].card_id)

    def skip(self, card_id: str) -> None:
        """Drop the current card from this sitting without grading it (another session
        graded it, or it was retired or suspended meanwhile)."""
        if self.current != card_id:
            raise ValueError(f"{card_id} is not the current card")
        self.queue = deque(c for c in self.queue if c != card_id)
        self.drilled.discard(card_id)

    def summary(self) -> Summary:
        scheduled = [a for a in self.history if not a.drill]
        return Summary(
            reviewed=len(scheduled),
            correct=sum(a.grade >= PASSING_GRADE for a in scheduled),
            drills=len(self.history) - len(scheduled),
            left=self.left,
            held_back=self.held_back,
        )


def start_session(
    store: Store,
    *,
    today: date,
    deck: Optional[str] = None,
    limit: Optional[int] = None,
    new_per_day: int = DEFAULT_NEW_PER_DAY,
    reviews_per_day: Optional[int] = DEFAULT_REVIEWS_PER_DAY,
) -> ReviewSession:
    """Build today's queue: unfinished drills from earlier today, due cards
    (oldest due first) up to the day's review cap, then new cards up to the
    day's allowance. ``reviews_per_day=None`` lifts the cap.

    Only the cards the session can show are read: the due cards past the cap
    are counted (``held_back``), not loaded.
    """
    drills = store.pending_drill_ids(today=today, deck=deck)
    drill_ids = set(drills)
    cap = None if reviews_per_day is None else max(0, reviews_per_day - store.reviews_done(today=today, deck=deck))
    window = [n for n in (cap, limit) if n is not None]
    fetch = min(window) + len(drills) if window else None
    due = [c for c in store.due_card_ids(today=today, deck=deck, limit=fetch) if c not in drill_ids]
    if cap is not None:
        due = due[:cap]
        # a drill that is due again today (e.g. a quiz put it back) is shown as a drill, not held back
        due_drills = sum(1 for c in drills if _is_due(store, c, today))
        held_back = max(0, store.due_count(today=today, deck=deck) - due_drills - cap)
    else:
        held_back = 0
    cards = drills + interleave_kinds(due)
    allowance = max(0, new_per_day - store.new_introduced(today=today, deck=deck))
    if limit is not None:
        allowance = min(allowance, max(0, limit - len(cards)))
        cards = cards[:limit]
    new = new_cards_for_today(store, today=today, deck=deck, allowance=allowance, queue=cards)
    return ReviewSession(
        queue=deque(spread_siblings(cards + new)), drilled=drill_ids, new_count=len(new),
        due_count=len([c for c in cards if c not in drill_ids]), held_back=held_back, new_ids=tuple(new),
    )


def entry_key(card_id: str) -> str:
    """``deck/entry`` of a card id ``deck/entry/kind``: cards with the same key are siblings."""
    return card_id.rsplit("/", 1)[0]


def card_kind(card_id: str) -> CardKind:
    """The kind of a card id: the deletions of a cloze (``c1``, ``c2``, ...) are all CLOZE."""
    return kind_of_card(card_id)


def deal_new_cards(waiting: Sequence[str], allowance: int, *, busy: Iterable[str] = (), turn: int = 0,
                   needs: Optional[Mapping[str, Sequence[str]]] = None) -> list[str]:
    """The day's new cards from ``waiting`` (new card ids in deck order).

    Each entry offers its first waiting card, unless the entry is ``busy`` (a card of
    it is in today's queue or was graded today). The offers are dealt in turns by card
    kind in ``CardKind`` order (a term, a definition, ..., a phrase, a reply, a holds,
    a breaks, then the next term ...), each kind in deck order, until ``allowance``
    cards are dealt. ``turn`` (the new cards already introduced today) says which kind
    deals first, so the turns go on across the day's sessions: ``--limit 1`` five times
    gives a term, a phrase, a reply, a holds, a term. The same inputs always give the
    same order.

    ``needs`` (card id -> the term cards to introduce first) puts prerequisites first: a card
    whose needed card is still waiting comes only after it, the needed card being dealt just
    before it (its own needs first); when a needed card cannot be dealt today (its entry is
    busy), the card waits for another day. A needed card that is not waiting was introduced
    on an earlier day (or is suspended or buried): nothing to wait for.
    """
    taken = set(busy)
    offers: dict[CardKind, list[str]] = {}
    for card in waiting:
        entry = entry_key(card)
        if entry in taken:
            continue
        taken.add(entry)
        offers.setdefault(card_kind(card), []).append(card)
    columns = [offers[kind] for kind in CardKind if kind in offers]
    if columns:
        first = turn % len(columns)
        columns = columns[first:] + columns[:first]
    dealt: list[str] = []
    for row in range(max((len(c) for c in columns), default=0)):
        for column in columns:
            if row < len(column):
                dealt.append(column[row])
    if needs:
        return _prerequisites_first(dealt, needs, set(waiting), max(0, allowance))
    return dealt[:max(0, allowance)]


def _prerequisites_first(dealt: list[str], needs: Mapping[str, Sequence[str]], waiting: set[str],
                         allowance: int) -> list[str]:
    """``dealt`` in its order, each card preceded by the waiting cards it needs (depth first);
    cards whose needs cannot be met today are left out. Each card is looked at once."""
    offered = set(dealt)
    out: list[str] = []
    placed: set[str] = set()
    blocked: set[str] = set()
    for first in dealt:
        if len(out) >= allowance:
            break
        if first in placed or first in blocked:
            continue
        stack = [(first, iter(needs.get(first, ())))]
        on_path = {first}
        while stack:
            card, pending = stack[-1]
            for need in pending:
                if need in placed or need not in waiting or need in on_path:
                    continue  # introduced already (or earlier on the path: a cycle, broken at import)
                if need not in offered or need in blocked:  # its entry is busy today
                    blocked.update(on_path)
                    stack = []
                    break
                stack.append((need, iter(needs.get(need, ()))))
                on_path.add(need)
                break
            else:
                stack.pop()
                on_path.discard(card)
                out.append(card)
                placed.add(card)
    return out[:allowance]


def interleave_kinds(cards: Sequence[str], max_run: int = 2) -> list[str]:
    """``cards`` (oldest due first) with never more than ``max_run`` cards of one kind in a row
    while the mix allows it, and no card straight after its sibling where a card of another
    entry fits; otherwise in the given order.

    Each step takes the earliest waiting card among the kinds allowed next, unless taking it
    would leave more cards of some kind than the rest can keep apart (then the earliest card
    that does not). A step looks at each kind (10 at most), never at pairs of cards.
    """
    if len(cards) <= max_run:
        return list(cards)
    queues: dict[str, deque[tuple[int, str]]] = {}
    for index, card in enumerate(cards):
        queues.setdefault(card_kind(card).value, deque()).append((index, card))
    counts = {kind: len(q) for kind, q in queues.items()}
    out: list[str] = []
    run_kind, run, last_entry, left = None, 0, None, len(cards)

    def feasible(kind: str) -> bool:  # after taking one card of `kind`, can every kind be kept apart?
        after_run = run + 1 if kind == run_kind else 1
        for other, count in counts.items():
            count -= other == kind
            first = (max_run - after_run) if other == kind else max_run
            if count > first + max_run * (left - 1 - count):
                return False
        return True

    while left:
        waiting = [k for k, q in queues.items() if q]
        allowed = [k for k in waiting if not (k == run_kind and run >= max_run)] or waiting
        ranked = sorted(allowed, key=lambda k: (queues[k][0][1].rsplit("/", 1)[0] == last_entry, queues[k][0][0]))
        kind = next((k for k in ranked if feasible(k)), ranked[0])
        _, card = queues[kind].popleft()
        out.append(card)
        counts[kind] -= 1
        left -= 1
        run = run + 1 if kind == run_kind else 1
        run_kind, last_entry = kind, card.rsplit("/", 1)[0]
    return out


def spread_siblings(queue: Sequence[str]) -> list[str]:
    """``queue`` with no card directly after a sibling where another order allows it:
    a card that would follow its sibling swaps with the next card that does not."""
    # each key worked out once, and one pop per card: a full queue is 45,000 cards
    rest = deque(zip([c.rsplit("/", 1)[0] for c in queue], queue))  # entry_key, inline
    result: list[str] = []
    append, pop = result.append, rest.popleft
    last = None
    while rest:
        key, card = pop()
        if key == last and rest:
            index = next((i for i, (other, _) in enumerate(rest) if other != last), None)
            if index is not None:  # take that card; the sibling stays first in line
                rest.appendleft((key, card))
                key, card = rest[index + 1]
                del rest[index + 1]
        append(card)
        last = key
    return result


def new_cards_for_today(store: Store, *, today: date, deck: Optional[str], allowance: int,
                        queue: Sequence[str]) -> list[str]:
    """The new cards a session with ``queue`` (drills and due cards) adds today: the day's deal
    (``deal_new_cards`` over the new cards as the day began, entries of due cards in ``queue``
    or graded today being busy) without the cards already introduced today. So five sessions of
    one card show what one session of five would."""
    if allowance <= 0:
        return []
    waiting, introduced, busy, needs = day_deal(store, today=today, deck=deck, queue=queue)
    dealt = deal_new_cards(waiting, allowance + len(introduced), busy=busy, needs=needs)
    return [c for c in dealt if c not in introduced][:allowance]


def day_deal(store: Store, *, today: date, deck: Optional[str], queue: Sequence[str]):
    """What the day's deal of new cards is made from: ``(waiting, introduced, busy, needs)``,
    the new cards as the day began (in deck order), those of them introduced today, the
    entries busy today (a card due in ``queue`` or graded today), and each card's needs."""
    waiting, introduced, needs = store.day_new_cards(today=today, deck=deck)
    introduced_entries = {entry_key(c) for c in introduced}
    busy = {entry_key(c) for c in queue if c not in introduced} \
        | {entry_key(c) for c in store.todays_grades(today=today, deck=deck) if c not in introduced}
    busy -= introduced_entries  # an entry is busy for its other cards; its new card is in the deal
    return waiting, introduced, busy, needs


def _is_due(store: Store, card_id: str, today: date) -> bool:
    due = store.card(card_id).state.due
    return due is not None and due <= today


@dataclass(frozen=True)
class Outlook:
    """Where the learner stands, as the session header and summary tell it: what is still to do
    today (whatever the session's --limit) and what comes next."""

    next_due: Optional[date]  # the first day after today that cards fall due (buried ones: when it ends)
    next_due_count: int  # cards falling due that day
    due_tomorrow: int  # due tomorrow if nothing more is reviewed today: today's left plus tomorrow's
    new_left: int  # 1 if any new card is waiting at all (today's allowance aside), else 0
    held_back: int = 0  # due cards over today's review cap (from the session)
    due_total: int = 0  # scheduled reviews due today and not yet graded, held back ones included
    new_today: int = 0  # new cards today's allowance (--new) still lets in
    drills_today: int = 0  # cards graded below 4 today, to pass again (drills leave the schedule alone)
    new_per_day: int = DEFAULT_NEW_PER_DAY
    falls_due_tomorrow: int = 0  # of due_tomorrow, the cards whose day is tomorrow

    @property
    def left_from_today(self) -> int:
        """Of ``due_tomorrow``, the scheduled cards due today and not yet reviewed (held back too)."""
        return self.due_tomorrow - self.falls_due_tomorrow

    @property
    def due_today(self) -> int:
        """Due cards today's review cap still lets in."""
        return max(0, self.due_total - self.held_back)

    @property
    def left_today(self) -> int:
        return self.due_today + self.new_today + self.drills_today


def outlook(store: Store, *, today: date, deck: Optional[str] = None, held_back: int = 0,
            new_per_day: int = DEFAULT_NEW_PER_DAY) -> Outlook:
    """Today's and the coming days' figures, from one forecast (``store.forecast``: the days
    ``flash stats`` and ``flash decks`` count too), so the summary lines agree."""
    from .store.forecast import falls_due_on, next_due

    nxt = next_due(store, today=today, deck=deck)
    falling = falls_due_on(store, today + timedelta(days=1), today=today, deck=deck)
    drills = store.pending_drill_ids(today=today, deck=deck)
    allowance = max(0, new_per_day - store.new_introduced(today=today, deck=deck))
    due_total = store.due_count(today=today, deck=deck) - sum(1 for c in drills if _is_due(store, c, today))
    due_in = max(0, due_total - held_back)
    queue = drills + (store.due_card_ids(today=today, deck=deck, limit=due_in) if due_in else [])
    new_today = len(new_cards_for_today(store, today=today, deck=deck, allowance=allowance, queue=queue))
    return Outlook(
        next_due=nxt[0] if nxt else None,
        next_due_count=nxt[1] if nxt else 0,
        due_tomorrow=store.due_count(today=today, deck=deck) + falling,
        falls_due_tomorrow=falling,
        new_left=len(store.new_card_ids(deck=deck, limit=1, today=today)),
        held_back=held_back,
        due_total=due_total,
        new_today=new_today,
        drills_today=len(drills),
        new_per_day=new_per_day,
    )
