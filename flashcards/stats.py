"""Progress figures, computed from plain rows and card records: no SQL, no terminal.

``flashcards.store.stats`` fetches the rows; ``flashcards.render_stats`` draws
the result. Everything here is a pure function of its arguments and of the
``today`` it is given, so a test can hand-compute every figure.

What counts as a review: every live grade in the log, scheduled reviews and
same-day drills alike (an undone grade, and the undo row itself, never
count). Retention is narrower: see ``retention``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Iterable, Mapping, Optional

from .model import CardKind
from .recall import Recall, predicted_recall
from .sm2 import MIN_EF, PASSING_GRADE, CardState

if TYPE_CHECKING:
    from .schedulers.base import Scheduler

__all__ = [
    "LEECH_EF", "LEECH_LAPSES", "MATURE_INTERVAL", "FORECAST_DAYS", "RETENTION_DAYS",
    "Activity", "CardCounts", "DayActivity", "Leech", "Retention", "RetentionRow", "RetentionSplit",
    "Stats", "Streaks", "Tally", "GRADES_DEFINITION", "GradeCount",
    "activity", "became_leech", "build_stats", "card_counts", "effective_due", "forecast",
    "is_buried", "is_due", "is_leech", "is_mature", "leech_reasons", "leeches", "retention",
    "retention_since", "streaks",
]

LEECH_EF = MIN_EF  # a card whose E-Factor sits at the 1.3 floor is a leech...
LEECH_LAPSES = 8  # ...and so is one that lapsed this many times
MATURE_INTERVAL = 21  # days: an interval of 21 or more is mature, under 21 young (Anki's line)
FORECAST_DAYS = 30
RETENTION_DAYS = 30

# the reasons ``leech_reasons`` gives, as stable keys (used in --json)
EF_FLOOR = "ef_floor"
LAPSES = "lapses"


# -- leeches ----------------------------------------------------------------


def is_leech(state: CardState) -> bool:
    """A leech: E-Factor at the SM-2 floor (1.3) or ``LEECH_LAPSES`` lapses or more.

    Wozniak noted that items stuck at the floor are usually badly formulated;
    the author should rewrite them rather than the learner grind them.
    """
    return state.ef <= LEECH_EF or state.lapses >= LEECH_LAPSES


def leech_reasons(state: CardState) -> tuple[str, ...]:
    """Why a card is a leech: ``EF_FLOOR`` and/or ``LAPSES`` (empty if it is not one)."""
    reasons = []
    if state.ef <= LEECH_EF:
        reasons.append(EF_FLOOR)
    if state.lapses >= LEECH_LAPSES:
        reasons.append(LAPSES)
    return tuple(reasons)


def became_leech(before: CardState, after: CardState) -> bool:
    """True when a grade turned a card into a leech (it was not one before)."""
    return is_leech(after) and not is_leech(before)


@dataclass(frozen=True)
class Leech:
    card_id: str
    deck_id: str
    entry_id: str
    kind: CardKind
    ef: int  # hundredths
    lapses: int
    suspended: bool
    reasons: tuple[str, ...]

    @property
    def entry(self) -> str:
        """The deck entry to rewrite, as ``deck/entry``."""
        return f"{self.deck_id}/{self.entry_id}"


def leeches(records: Iterable) -> list[Leech]:
    """The leeches among ``records`` (``CardRecord``), retired cards left out (their entry is gone).

    Sorted worst first: lowest E-Factor, then most lapses, then card id.
    """
    found = [
        Leech(r.id, r.deck_id, r.entry_id, r.kind, r.state.ef, r.state.lapses, r.suspended,
              leech_reasons(r.state))
        for r in records if not r.retired and is_leech(r.state)
    ]
    return sorted(found, key=lambda leech: (leech.ef, -leech.lapses, leech.card_id))


# -- card states --------------------------------------------------------------


def is_mature(interval: int) -> bool:
    return interval >= MATURE_INTERVAL


def is_buried(record, today: date) -> bool:
    """Buried: hidden from review until ``buried_until`` (a later day than ``today``)."""
    return record.buried_until is not None and record.buried_until > today


def is_due(record, today: date) -> bool:
    """Would ``flash review`` show this card today as a due (not new) card?"""
    return (not record.retired and not record.suspended and not is_buried(record, today)
            and record.state.due is not None and record.state.due <= today)


@dataclass(frozen=True)
class CardCounts:
    """Every card in exactly one of the first six groups; ``buried`` overlaps them."""

    new: int = 0  # never reviewed
    learning: int = 0  # seen, SM-2 repetitions 0 or 1 (not yet past the one-day interval)
    young: int = 0  # repetitions 2 or more, interval under MATURE_INTERVAL days
    mature: int = 0  # interval MATURE_INTERVAL days or more
    retired: int = 0  # entry removed from its deck
    suspended: int = 0  # suspended (and not retired)
    buried: int = 0  # hidden until a later day (not retired, not suspended)

    @property
    def total(self) -> int:
        return self.new + self.learning + self.young + self.mature + self.retired + self.suspended


def card_counts(records: Iterable, *, today: date) -> CardCounts:
    counts: Counter[str] = Counter()
    for r in records:
        s = r.state
        if r.retired:
            counts["retired"] += 1
            continue
        if r.suspended:
            counts["suspended"] += 1
            continue
        if is_buried(r, today):
            counts["buried"] += 1
        if s.is_new:
            counts["new"] += 1
        elif s.repetitions <= 1:
            counts["learning"] += 1
        elif is_mature(s.interval):
            counts["mature"] += 1
        else:
            counts["young"] += 1
    return CardCounts(**counts)


# -- forecast ---------------------------------------------------------------


def effective_due(record, today: date) -> Optional[date]:
    """The day ``flash review`` will first show a scheduled card, if nothing is reviewed before.

    Overdue cards count for ``today``; a buried card for the day its burial
    ends. ``None`` for new, suspended and retired cards (they are not scheduled).
    """
    due = record.state.due
    if due is None or record.retired or record.suspended:
        return None
    day = max(due, today)
    if record.buried_until is not None and record.buried_until > day:
        day = record.buried_until
    return day


def forecast(records: Iterable, *, today: date, days: int = FORECAST_DAYS) -> list[int]:
    """Cards due on each of ``days`` days from ``today`` (index 0 is today, overdue cards included)."""
    counts = [0] * days
    for r in records:
        day = effective_due(r, today)
        if day is not None and (day - today).days < days:
            counts[(day - today).days] += 1
    return counts


# -- activity and streaks ------------------------------------------------------


@dataclass(frozen=True)
class DayActivity:
    """One day of the review log: live grades given and the time spent on them."""

    reviews: int
    duration_ms: int = 0
    from_anki: int = 0  # of ``reviews``, those given in Anki (`flash import --anki`)


@dataclass(frozen=True)
class Activity:
    reviews_today: int
    time_today_ms: int
    reviews_total: int
    time_total_ms: int
    days: int  # days with at least one review
    anki_today: int = 0  # of the reviews, those given in Anki
    anki_total: int = 0


def activity(calendar: Mapping[date, DayActivity], *, today: date) -> Activity:
    """Reviews and time today and in total (days after ``today`` are ignored)."""
    days = {d: a for d, a in calendar.items() if d <= today and a.reviews}
    todays = days.get(today, DayActivity(0, 0))
    return Activity(
        reviews_today=todays.reviews,
        time_today_ms=todays.duration_ms,
        reviews_total=sum(a.reviews for a in days.values()),
        time_total_ms=sum(a.duration_ms for a in days.values()),
        days=len(days),
        anki_today=todays.from_anki,
        anki_total=sum(a.from_anki for a in days.values()),
    )


@dataclass(frozen=True)
class Streaks:
    current: int  # consecutive days with reviews, up to today (or yesterday)
    longest: int


def streaks(days: Iterable[date], *, today: date) -> Streaks:
    """The current and the longest run of consecutive days with reviews.

    A day without reviews ends a run. The current streak ends today, or
    yesterday if nothing was reviewed yet today: the day is not over, so an
    unbroken habit still counts until midnight (the study day's end). Days
    after ``today`` are ignored.
    """
    reviewed = sorted({d for d in days if d <= today})
    longest = run = 0
    previous: Optional[date] = None
    for day in reviewed:
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        longest = max(longest, run)
        previous = day
    current = 0
    if reviewed and (today - reviewed[-1]).days <= 1:
        current = run
    return Streaks(current=current, longest=longest)


# -- retention --------------------------------------------------------------


@dataclass(frozen=True)
class RetentionRow:
    """One live scheduled review of a card that had been seen before."""

    day: date
    deck_id: str
    kind: CardKind
    grade: int
    interval_before: int  # the interval the card had when it was reviewed


@dataclass(frozen=True)
class Tally:
    passed: int = 0
    total: int = 0

    @property
    def rate(self) -> Optional[float]:
        return self.passed / self.total if self.total else None

    def add(self, passed: bool) -> "Tally":
        return Tally(self.passed + passed, self.total + 1)

    def to_dict(self) -> dict:
        return {"passed": self.passed, "total": self.total,
                "rate": round(self.rate, 4) if self.rate is not None else None}


@dataclass(frozen=True)
class RetentionSplit:
    young: Tally = Tally()
    mature: Tally = Tally()

    def add(self, row: RetentionRow) -> "RetentionSplit":
        passed = row.grade >= PASSING_GRADE
        if is_mature(row.interval_before):
            return RetentionSplit(self.young, self.mature.add(passed))
        return RetentionSplit(self.young.add(passed), self.mature)

    def to_dict(self) -> dict:
        return {"young": self.young.to_dict(), "mature": self.mature.to_dict()}


@dataclass(frozen=True)
class Retention:
    since: date
    until: date
    overall: RetentionSplit = RetentionSplit()
    by_deck: dict[str, RetentionSplit] = field(default_factory=dict)
    by_kind: dict[CardKind, RetentionSplit] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "since": self.since.isoformat(), "until": self.until.isoformat(),
            "mature_interval": MATURE_INTERVAL,
            "all": self.overall.to_dict(),
            "by_deck": {deck: split.to_dict() for deck, split in self.by_deck.items()},
            "by_kind": {kind.value: split.to_dict() for kind, split in self.by_kind.items()},
        }


def retention_since(today: date, days: int = RETENTION_DAYS) -> date:
    """The first day of the retention window: ``days`` days ending with ``today``."""
    return today - timedelta(days=days - 1)


def retention(rows: Iterable[RetentionRow], *, today: date, days: int = RETENTION_DAYS) -> Retention:
    """Share of reviews graded 3 or more over the ``days`` days ending ``today``.

    Only scheduled reviews of cards seen before count: a new card's first
    grade measures nothing remembered, and a same-day drill is practice, not
    recall after an interval. A review is young or mature by the interval
    the card had BEFORE that review (``interval_before``): under
    ``MATURE_INTERVAL`` days young, else mature. So a mature card that lapses
    counts as a mature failure, and its next review (interval 1) as young.
    """
    since = retention_since(today, days)
    overall = RetentionSplit()
    by_deck: dict[str, RetentionSplit] = {}
    by_kind: dict[CardKind, RetentionSplit] = {}
    for row in rows:
        if not since <= row.day <= today:
            continue
        overall = overall.add(row)
        by_deck[row.deck_id] = by_deck.get(row.deck_id, RetentionSplit()).add(row)
        by_kind[row.kind] = by_kind.get(row.kind, RetentionSplit()).add(row)
    return Retention(
        since=since, until=today, overall=overall,
        by_deck=dict(sorted(by_deck.items())),
        by_kind={k: by_kind[k] for k in CardKind if k in by_kind},  # in CardKind order
    )


# -- the count of grades ---------------------------------------------------------

GRADES_DEFINITION = ("grades: answers that count toward scheduling (each card's first answer of a day), "
                     "not drills, not undone ones")


@dataclass(frozen=True)
class GradeCount:
    """The review log's answers by what they count for (``flashcards.store.counts.grade_count``
    reads them; ``flash stats``, ``db check`` and ``db backup`` all state its ``grades``)."""

    grades: int = 0  # live scheduled answers: the day's first answer to a card, not undone
    drills: int = 0  # live same-day re-answers after a grade below 4 (the schedule left alone)
    undone: int = 0  # answers (grades or drills) taken back with undo; the log keeps them, marked

    @property
    def answers(self) -> int:
        """Every live answer, grades and drills (what the stats calendar counts a day)."""
        return self.grades + self.drills

    def to_dict(self) -> dict:
        return {"grades": self.grades, "drills": self.drills, "undone": self.undone}


# -- everything together --------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    """Every figure ``flash stats`` shows, for one deck or all."""

    today: date
    deck: Optional[str]
    calendar: dict[date, DayActivity]  # days with live reviews, up to today
    streaks: Streaks
    activity: Activity
    forecast: list[int]  # cards due on today + i
    retention: Retention
    counts: CardCounts
    leeches: list[Leech]
    recall: Optional[Recall] = None  # predicted recall today (flashcards.recall)
    grades: GradeCount = GradeCount()  # the log up to today (flashcards.store.counts)
    grades_today: GradeCount = GradeCount()

    @property
    def has_reviews(self) -> bool:
        return self.activity.reviews_total > 0

    def to_dict(self) -> dict:
        a, c = self.activity, self.counts
        return {
            "today": self.today.isoformat(),
            "deck": self.deck,
            "reviews": {
                "today": a.reviews_today, "total": a.reviews_total, "days": a.days,
                "time_today_ms": a.time_today_ms, "time_total_ms": a.time_total_ms,
                "anki_today": a.anki_today, "anki_total": a.anki_total,
            },
            "grades": {**self.grades.to_dict(), "today": self.grades_today.to_dict(),
                       "definition": GRADES_DEFINITION},
            "streak": {"current": self.streaks.current, "longest": self.streaks.longest},
            "calendar": {d.isoformat(): v.reviews for d, v in sorted(self.calendar.items())},
            "forecast": [
                {"day": (self.today + timedelta(days=i)).isoformat(), "due": n}
                for i, n in enumerate(self.forecast)
            ],
            "retention": self.retention.to_dict(),
            "cards": {
                "new": c.new, "learning": c.learning, "young": c.young, "mature": c.mature,
                "retired": c.retired, "suspended": c.suspended, "buried": c.buried, "total": c.total,
            },
            "leeches": [
                {"card": x.card_id, "deck": x.deck_id, "entry": x.entry, "kind": x.kind.value,
                 "easiness": x.ef / 100, "lapses": x.lapses, "suspended": x.suspended,
                 "reasons": list(x.reasons)}
                for x in self.leeches
            ],
            "recall": self.recall.to_dict() if self.recall is not None else None,
        }


def build_stats(
    *,
    today: date,
    deck: Optional[str],
    calendar: Mapping[date, DayActivity],
    retention_rows: Iterable[RetentionRow],
    records: Iterable,
    schedulers: Optional[Mapping[str, "Scheduler"]] = None,
    grades: GradeCount = GradeCount(),
    grades_today: GradeCount = GradeCount(),
) -> Stats:
    """Assemble every figure from the day-by-day log, the retention rows and the cards
    (and, given each deck's scheduler, the predicted recall)."""
    records = list(records)
    calendar = {d: a for d, a in sorted(calendar.items()) if d <= today and a.reviews}
    return Stats(
        today=today,
        deck=deck,
        calendar=calendar,
        streaks=streaks(calendar, today=today),
        activity=activity(calendar, today=today),
        forecast=forecast(records, today=today),
        retention=retention(retention_rows, today=today),
        counts=card_counts(records, today=today),
        leeches=leeches(records),
        recall=predicted_recall(records, schedulers, today=today) if schedulers is not None else None,
        grades=grades,
        grades_today=grades_today,
    )
