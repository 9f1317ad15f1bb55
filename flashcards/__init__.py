"""flashcards: sales-enablement lessons as spaced-repetition decks.

The public names are imported lazily (PEP 562), so ``import flashcards`` and
``flash --help`` stay fast; ``from flashcards import Store`` works as usual.
"""

from __future__ import annotations

import importlib
from typing import Any

# The one place the version is written: pyproject.toml reads it from here.
__version__ = "0.3.0"

__all__ = [
    "Analog", "Card", "CardKind", "CardState", "Deck", "DeckError", "FlashcardsError", "Phrase",
    "Problem", "Quality", "QuizError", "Store", "StoreError", "Term", "cards_for_deck", "load_deck",
    "load_decks", "start_session",
]

_HOMES = {
    "Analog": "model", "Card": "model", "CardKind": "model", "Deck": "model", "Phrase": "model",
    "Term": "model", "cards_for_deck": "model",
    "CardState": "sm2", "Quality": "sm2",  # the scheduler itself: flashcards.sm2.review
    "DeckError": "errors", "FlashcardsError": "errors", "Problem": "errors", "QuizError": "errors",
    "StoreError": "errors",
    "Store": "store",
    "load_deck": "decks", "load_decks": "decks",
    "start_session": "review",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'flashcards' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
