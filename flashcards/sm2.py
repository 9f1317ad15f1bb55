"""SM-2 now lives in ``flashcards.schedulers.sm2``; this name stays for existing imports."""

from .schedulers.sm2 import *  # noqa: F401,F403
from .schedulers.sm2 import __all__  # noqa: F401
