"""Pools the learners do not hold: one quiz mixing shipped items with a manager's private ones.

Learners hold the shipped decks, so any copy of them is a key to questions drawn from them; items
written for the certification and kept in the manager's own deck (never shipped, never exported to
learners) are not. ``mixed_pool`` draws a quiz's pool from both: the shipped decks' items (ids
``i01``...) and the private decks' (``p01``..., marked ``private``), each generated from its own
decks so no private line becomes an option of a shipped question. With a ``share``, every paper
holds that share of private items (``paper_split``: rounded half up, at least one of each); without
one, papers draw from the whole pool and every item is equally likely, whatever its origin.

Pure: decks in, items out; ``QuizError`` says what is wrong in one line.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Optional, Sequence

from ..errors import QuizError
from .generate import available, draw, generate
from .model import ALL_KINDS, Question, QuestionKind, Quiz

__all__ = ["check_split", "draw_paper", "mixed_pool", "paper_split"]


def _kinds_for(decks, kinds: Optional[Sequence[QuestionKind]], what: str) -> Optional[tuple[QuestionKind, ...]]:
    """The chosen kinds this group of decks can give (None: every kind it can), or a ``QuizError``."""
    counts = available(decks, tuple(kinds) if kinds else ALL_KINDS)
    usable = tuple(k for k, n in counts.items() if n)
    if not usable:
        chosen = ", ".join(k.value for k in kinds) if kinds else "any kind"
        raise QuizError(f"the {what} decks give no questions of {chosen}")
    return usable if kinds else None


def mixed_pool(shipped, private, *, pool_size: Optional[int], kinds: Optional[Sequence[QuestionKind]], seed: int,
               share: Optional[float]) -> tuple[Question, ...]:
    """The pool of a quiz drawn from ``shipped`` and ``private`` decks (both non-empty lists of decks).

    ``pool_size`` (None: every eligible item of both) is split by ``share``, or, without one, by
    how many items each side can give."""
    shipped_ids = {d.id for d in shipped}
    both = sorted(shipped_ids & {d.id for d in private})
    if both:
        raise QuizError(f"deck {both[0]} is given both as a deck to draw from and with --private: "
                        "a private deck is one the learners do not hold")
    shipped_kinds = _kinds_for(shipped, kinds, "shipped")
    private_kinds = _kinds_for(private, kinds, "private")
    n_shipped = n_private = None
    if pool_size is not None:
        have_shipped = sum(available(shipped, shipped_kinds or ALL_KINDS).values())
        have_private = sum(available(private, private_kinds or ALL_KINDS).values())
        if pool_size < 2:
            raise QuizError("a pool mixing shipped and private items needs at least 2 items")
        if share is None:
            share = have_private / (have_shipped + have_private)
        n_private = min(pool_size - 1, max(1, int(pool_size * share + 0.5)))
        n_shipped = pool_size - n_private
        for side, wanted, have in (("private", n_private, have_private), ("shipped", n_shipped, have_shipped)):
            if wanted > have:
                raise QuizError(f"a pool of {pool_size} with a private share of {share:g} needs {wanted} {side} "
                                f"items, but the {side} decks give {have} of the chosen kinds")
    items = generate(shipped, n_shipped, shipped_kinds, seed, prefix="i")
    secret = tuple(replace(q, private=True) for q in generate(private, n_private, private_kinds, seed, prefix="p"))
    return items + secret


def paper_split(per_paper: int, share: Optional[float]) -> Optional[tuple[int, int]]:
    """(private, shipped) questions on each paper for ``share``; None without a share."""
    if share is None:
        return None
    if per_paper < 2:
        raise QuizError("a paper mixing private and shipped items by a share needs at least 2 questions")
    private = min(per_paper - 1, max(1, int(per_paper * share + 0.5)))
    return private, per_paper - private


def check_split(quiz: Quiz) -> None:
    """Raise ``QuizError`` unless the pool's live items can fill every paper's share of each side."""
    split = paper_split(quiz.per_paper, quiz.private_share)
    if split is None:
        return
    live = [q for q in quiz.questions if not q.dropped]
    have = (sum(q.private for q in live), sum(not q.private for q in live))
    for side, needed, got in (("private", split[0], have[0]), ("shipped", split[1], have[1])):
        if got < needed:
            raise QuizError(f"each paper needs {needed} {side} questions (a share of {quiz.private_share:g} of "
                            f"{quiz.per_paper}), but the pool has {got} {side} items")


def draw_paper(quiz: Quiz, rng: random.Random) -> list[Question]:
    """One learner's questions from ``quiz``'s pool: with a private share, that many from each side."""
    split = paper_split(quiz.per_paper, quiz.private_share)
    if split is None:
        return draw(quiz.questions, quiz.per_paper, rng)
    private, shipped = split
    chosen = draw([q for q in quiz.questions if q.private], private, rng)
    chosen += draw([q for q in quiz.questions if not q.private], shipped, rng)
    rng.shuffle(chosen)
    return chosen
