"""Text similarity shared by `flash lint` and quiz generation.

Two texts are compared as sets of normalised words: lower case, NFKC, accents
and punctuation dropped, and a short list of function words removed, so
"The model's weights." and "model weights" match. The score is the larger of
two figures:

- Jaccard overlap of the word sets (|A & B| / |A | B|), for texts of similar size;
- containment (|A & B| / min(|A|, |B|)), so a shortened copy of a longer text
  (a distractor that is the key cut in half) still scores high, but only when
  the shorter text has at least ``MIN_CONTAINED_WORDS`` words.

``NEAR_DUPLICATE`` (0.8) is the documented threshold above which two texts
count as "the same or nearly the same".
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["NEAR_DUPLICATE", "MIN_CONTAINED_WORDS", "STOPWORDS", "normalise", "similarity", "words"]

NEAR_DUPLICATE = 0.8
MIN_CONTAINED_WORDS = 4

STOPWORDS = frozenset(
    """a an and are as at be by for from has have in into is it its of on or that the their
    there these this those to was were which who with your you our we they them""".split()
)

_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case, NFKC, no accents, punctuation to spaces, single spaces."""
    if not text.isascii():  # NFKC and NFKD leave ASCII as it is: the fast path for most text
        text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower()
    text = text.replace("'s ", " ").replace("\u2019s ", " ")
    return " ".join(_WORD.findall(text))


def words(text: str) -> frozenset[str]:
    """The content words of ``text`` (normalised, function words removed)."""
    return frozenset(normalise(text).split()) - STOPWORDS


def similarity(a: str, b: str) -> float:
    """0.0 (nothing shared) to 1.0 (the same words); see the module docstring."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 1.0 if normalise(a) == normalise(b) else 0.0
    shared = len(wa & wb)
    jaccard = shared / len(wa | wb)
    smaller = min(len(wa), len(wb))
    containment = shared / smaller if smaller >= MIN_CONTAINED_WORDS else 0.0
    return max(jaccard, containment)
