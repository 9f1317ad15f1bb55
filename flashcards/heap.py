"""Garbage collection around large decks: while a deck is read, and while the decks read live on.

Reading a deck builds objects that all live on (nodes, then entries) and no reference cycle that
must be collected before the reading ends, so collections during it find nothing and only walk what
was built so far: about a third of `flash validate`'s time on a 10,000-entry deck.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def long_lived() -> Iterator[None]:
    """Everything alive now is set aside from garbage collection until the block ends (``gc.freeze``),
    and no collection runs in the block: for a command that works on decks it has read.

    A 10,000-entry deck is about a million objects; without this, each full collection that
    linting and importing it trigger walks all of them again, and the checks and the import build
    hundreds of thousands more that live to the end (word sets, cards, rows) and no garbage cycle
    that matters. Unfrozen and collected as usual at the end, so a process that runs many commands
    (the tests) collects as usual.
    """
    gc.freeze()
    try:
        with collection_paused():
            yield
    finally:
        gc.unfreeze()


@contextmanager
def collection_paused() -> Iterator[None]:
    """No garbage collection in the block (``gc.disable``), as it was again after: for work that
    builds many long-lived objects and no garbage cycles, such as reading a deck."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
