"""How fair are the quiz's questions? Word matching and two-answer questions over random quizzes.

    python benchmarks/quiz_fairness.py [--quizzes 200] [--questions 20] [DECK_PATH...]

Each quiz is made as `flash quiz create` makes a paper: the pool of every
eligible item from the decks (the shipped decks by default) drawn with seed s,
then one paper of --questions items (seeds 0, 1, 2, ...). Prints:

- the share a learner with no knowledge scores by picking the option that
  shares the most content words with the question (ties split evenly), and by
  picking the one sharing the fewest; chance for comparison (target: under 35%);
- questions holding two options that are the same or nearly the same
  (flashcards.similar, as `flash lint` judges) or a distractor containing the
  key, and how many quizzes hold at least one (target: none).

Figures measured (see the issue 10 report): on the shipped Lesson 4 deck before
this change 56.5% by word matching and 92% of quizzes with such a question;
after it, 31.0% (fewest words 19.7%, chance 25.0%) and none.

Issue 19 (per kind, every item of 30 pools, most words): before, breaks 75.0%,
phrase 36.8%, which-term 27.0%, what-is 25.5%, reply 25.0%, holds 16.7%;
after (the distractor rule of flashcards/quiz/concepts.py, the key's place by
shared words left to chance, and items word matching would find not asked):
every kind under 35%, see the last lines this prints.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # this checkout's flashcards, not an installed one

from flashcards.decks import load_decks  # noqa: E402
from flashcards.quiz.fairness import measure  # noqa: E402

REPO_DECKS = REPO / "decks"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[REPO_DECKS])
    parser.add_argument("--quizzes", type=int, default=200)
    parser.add_argument("--questions", type=int, default=20)
    args = parser.parse_args()
    decks = load_decks(args.paths)
    started = time.perf_counter()
    figures = measure(decks, quizzes=args.quizzes, per_quiz=args.questions)
    seconds = time.perf_counter() - started
    print(f"{figures.quizzes} quizzes of {args.questions} questions ({figures.questions} questions) "
          f"from {', '.join(d.id for d in decks)} in {seconds:.1f} s")
    print(f"pick the option sharing the most words with the stem:   {figures.word_match:.1%}")
    print(f"pick the option sharing the fewest words with the stem: {figures.fewest_words:.1%}")
    print(f"chance:                                                 {figures.chance:.1%}")
    print(f"questions with two near-identical options or a distractor containing the key: "
          f"{figures.defective_questions} (in {figures.quizzes_with_defect} of {figures.quizzes} quizzes)")
    print("per kind, over every item of every pool (most words / fewest words / chance, items per pool):")
    for kind, k in figures.by_kind.items():
        print(f"  {kind.value:<11} {k.word_match:6.1%} {k.fewest_words:6.1%} {k.chance:6.1%}  "
              f"{k.items / figures.quizzes:4.0f}")


if __name__ == "__main__":
    main()
