"""Schedulers: SM-2 (the default) and FSRS behind one small, pure interface.

``base`` holds the interface (``Scheduler``), ``replay`` and ``switch``; ``state``
the ``CardState`` both move; ``sm2`` and ``fsrs`` the two schedulers. FSRS (and
py-fsrs under it) is loaded only when asked for, so SM-2 sessions never import it.
"""

from __future__ import annotations

import importlib
from typing import Any

from .base import SCHEDULERS, LogEntry, Scheduler, make_scheduler, replay, switch
from .sm2 import SM2, Quality
from .state import CardState

__all__ = [
    "FSRS", "SCHEDULERS", "SM2", "CardState", "LogEntry", "Quality", "Scheduler", "make_scheduler", "replay",
    "switch",
]


def __getattr__(name: str) -> Any:
    if name == "FSRS":
        value = importlib.import_module(".fsrs", __name__).FSRS
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
