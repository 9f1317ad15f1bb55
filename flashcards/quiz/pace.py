"""Response times of served sittings: per-item medians and sittings too fast to be believed.

Only served sittings have times worth reading (the server's clock, when a
question was shown and when its answer arrived); answers files carry times the
learner's machine wrote. Pure: the store passes in seconds per item per attempt.

A sitting is *implausible* when every answer took under
``IMPLAUSIBLE_SECONDS``, or (with at least ``MIN_TEAM`` timed sittings) its
median answer time is under ``FAST_SHARE`` of the team's median: reading a
question and four options takes longer than that.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import Mapping, Optional

IMPLAUSIBLE_SECONDS = 3.0
FAST_SHARE = 0.25
MIN_TEAM = 5

Times = Mapping[int, Mapping[str, float]]  # attempt id -> item id -> seconds from shown to answered


def item_medians(times: Times) -> dict[str, tuple[float, int]]:
    """Item id -> (median seconds, answers timed)."""
    per_item: dict[str, list[float]] = {}
    for items in times.values():
        for item_id, seconds in items.items():
            per_item.setdefault(item_id, []).append(seconds)
    return {item_id: (median(values), len(values)) for item_id, values in per_item.items()}


@dataclass(frozen=True)
class PaceFlag:
    attempt_id: int
    median_seconds: float
    reason: str


def implausible(times: Times) -> dict[int, PaceFlag]:
    """Attempt id -> why its pace is implausible, for the sittings that are."""
    medians = {a: median(items.values()) for a, items in times.items() if items}
    team: Optional[float] = median(medians.values()) if len(medians) >= MIN_TEAM else None
    flags = {}
    for attempt_id, items in times.items():
        if not items:
            continue
        own = medians[attempt_id]
        if all(s < IMPLAUSIBLE_SECONDS for s in items.values()):
            flags[attempt_id] = PaceFlag(attempt_id, own, f"every answer under {IMPLAUSIBLE_SECONDS:.0f} s")
        elif team is not None and own < FAST_SHARE * team:
            flags[attempt_id] = PaceFlag(attempt_id, own, f"median {own:.1f} s per answer, under "
                                                          f"{FAST_SHARE:.0%} of the team's {team:.1f} s")
    return flags
