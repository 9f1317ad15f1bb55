"""How `flash lint` and `flash import` scale against `flash validate` of the same deck.

    python benchmarks/lint_scale.py [--sizes 1000,10000,50000] [--runs 5] [--timeout 600] [--workdir DIR]

Generates decks of each size in a temporary folder (terms, phrase rows and analogs in
the proportions of the shipped deck, text drawn from a Zipf-distributed vocabulary of
20,000 made-up words so answers share common words the way real ones do, a few alike
answers, figures and vendor names, and a deck-level ``sources:`` list naming three
generated source documents), then times each command through the real CLI in a
subprocess, one after another on the same file: ``flash validate``, ``flash lint``
(which reads the deck's sources, so the ungrounded check runs too) and ``flash import``
into a new database (which lints as well), in rounds: each round runs the three once, so
a change in the machine's load falls on all three alike. Prints, for each command, the
median of ``--runs`` rounds (5 by default) of wall time and of CPU time (the child's
user + system time, which other processes on a busy machine disturb far less), and the
ratios of those medians to validate's, with the load average before and after.
``--no-sources`` leaves the ``sources:`` list out (so versions before it can read the
decks, for before/after figures). Asserts nothing; a command
over ``--timeout`` seconds is reported as such.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VOCABULARY = 20_000
VENDORS = ["Azure", "Bedrock", "Vertex", "OpenAI", "Anthropic", "Mistral", "Cohere", "Okta", "Databricks",
           "Snowflake", "Nvidia", "Meta", "Google", "Amazon", "Oracle", "Salesforce", "ServiceNow", "Workday"]
FIGURES = ["$5K", "$1.70", "$3.00", "$100M", "$50-500M", "10%", "25%", "6 months", "2-4 weeks", "18 months",
           "hours to days", "thousands", "12", "300", "1,000"]
ENV_TODAY = "2026-12-01"


def vocabulary(rng: random.Random) -> list[str]:
    syllables = ["ka", "lo", "mi", "ten", "ra", "vus", "po", "den", "shi", "ar", "qu", "el", "no", "tir", "sa",
                 "bel", "cor", "fa", "gim", "hu", "ix", "jo", "lan", "mer", "nis", "ot", "pel", "ros", "ul", "zen"]
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class Text:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.words = vocabulary(rng)
        self.weights = [1 / (rank + 1) ** 1.05 for rank in range(len(self.words))]

    def sentence(self, low: int, high: int, *, figure: bool = False) -> str:
        words = self.rng.choices(self.words, self.weights, k=self.rng.randint(low, high))
        if figure and self.rng.random() < 0.3:
            words.insert(self.rng.randrange(len(words)), self.rng.choice(FIGURES))
        if figure and self.rng.random() < 0.2:
            words.insert(self.rng.randrange(1, len(words)), self.rng.choice(VENDORS))
        return " ".join(words).capitalize() + "."


def quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_deck(folder: Path, entries: int, seed: int = 4, *, sources: bool = True) -> Path:
    rng = random.Random(seed)
    text = Text(rng)
    labels = ["Lesson (draft A)", "Lesson (draft B)", "Lesson (draft C)"]
    for index, label in enumerate(labels):
        body = [text.sentence(10, 30) for _ in range(200)]
        body.append("Figures: " + ", ".join(FIGURES) + ". Vendors: " + ", ".join(VENDORS) + ".")
        (folder / f"draft-{index}.txt").write_text("\n".join(body) + "\n", encoding="utf-8")
    lines = [f"id: scale-{entries}", f"name: Scale {entries}"]
    if sources:
        lines.append("sources:")
        lines += [f"  - {{label: {quoted(label)}, path: draft-{i}.txt}}" for i, label in enumerate(labels)]
    terms, phrases, analogs = ["terms:"], ["phrases:"], ["analogs:"]
    previous = None
    for i in range(entries):
        source = quoted(rng.choice(labels))
        answer = text.sentence(8, 18, figure=True)
        if previous is not None and rng.random() < 0.02:  # a few alike answers, as decks have
            answer = previous.rsplit(" ", 2)[0] + " " + text.sentence(2, 3).lower()
        previous = answer
        kind = rng.random()
        if kind < 0.6:
            terms += [f"  - id: t{i}", f"    term: {quoted(text.sentence(1, 3).rstrip('.') + f' {i}')}",
                      f"    definition: {quoted(answer)}",
                      f"    what_it_does: {quoted(text.sentence(8, 16, figure=True))}", f"    source: {source}"]
        elif kind < 0.85:
            phrases += [f"  - id: p{i}", f"    dont_say: {quoted(text.sentence(5, 10))}",
                        f"    do_say: {quoted(answer)}", f"    why: {quoted(text.sentence(6, 12))}",
                        f"    source: {source}"]
        else:
            analogs += [f"  - id: a{i}", f"    concept: {quoted(text.sentence(1, 3))}",
                        f"    analog: {quoted(text.sentence(2, 5))}", f"    holds: {quoted(answer)}",
                        f"    breaks: {quoted(text.sentence(8, 16, figure=True))}", f"    source: {source}"]
    path = folder / f"deck-{entries}.yaml"
    path.write_text("\n".join(lines + terms + phrases + analogs) + "\n", encoding="utf-8")
    return path


def run(args: list[str], timeout: float, env: dict) -> tuple[float, float] | None:
    """(wall seconds, CPU seconds) of one ``flash`` command in a subprocess, None past ``timeout``.

    CPU time (user + system, from the child's own resource usage) is what the command cost
    whatever else the machine was doing; wall time is what a user waits for."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "flashcards", *args], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            process.wait()
            return None
        time.sleep(0.005)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime


COMMANDS = ("validate", "lint", "import")


def measure(deck: Path, folder: Path, runs: int, timeout: float, env: dict) -> dict[str, list]:
    """``runs`` rounds of validate, lint and import (into a new database) on ``deck``, one after
    another in each round, so that a change in the machine's load falls on all three alike."""
    times: dict[str, list] = {k: [] for k in COMMANDS}
    for attempt in range(runs):
        db = folder / f"run-{attempt}.db"
        args = {"validate": ["validate", str(deck)], "lint": ["lint", str(deck)],
                "import": ["import", str(deck), "--db", str(db)]}
        for command in COMMANDS:
            times[command].append(run(args[command], timeout, env))
        for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            leftover.unlink(missing_ok=True)
        if None in times["lint"] or None in times["import"]:
            break  # one timeout is figure enough
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--no-sources", action="store_true",
                        help="decks without a sources: list (no ungrounded check; readable by versions before it)")
    options = parser.parse_args()
    env = dict(os.environ, FLASH_TODAY=ENV_TODAY)
    env.pop("FLASH_DB", None)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)  # this checkout's flashcards
    print(f"{os.cpu_count()} CPUs; load average at start {os.getloadavg()[0]:.1f}; "
          f"median of {options.runs} runs; wall seconds, CPU seconds in brackets", flush=True)
    with tempfile.TemporaryDirectory(dir=options.workdir) as tmp:
        folder = Path(tmp)
        print(f"{'entries':>8} {'cards':>7} {'MB':>5} {'validate s':>13} {'lint s':>13} {'import s':>13} "
              f"{'lint/validate':>14} {'import/validate':>16}", flush=True)
        for size in (int(s) for s in options.sizes.split(",")):
            deck = write_deck(folder, size, sources=not options.no_sources)
            megabytes = deck.stat().st_size / 1e6
            cards = sum(1 for line in deck.read_text().splitlines()
                        if line.startswith(("    definition:", "    what_it_does:", "    do_say:", "    holds:",
                                            "    breaks:", "    term:")))
            times = measure(deck, folder, options.runs, options.timeout, env)
            medians = {k: (None if None in v else (statistics.median(t[0] for t in v),
                                                   statistics.median(t[1] for t in v)))
                       for k, v in times.items()}

            def show(key: str) -> str:
                value = medians[key]
                return f"> {options.timeout:.0f}" if value is None else f"{value[0]:.2f} ({value[1]:.2f})"

            def ratio(key: str) -> str:
                if medians[key] is None or medians["validate"] is None:
                    return "-"
                wall, cpu = (medians[key][n] / medians["validate"][n] for n in (0, 1))
                return f"{wall:.1f}x ({cpu:.1f}x)"

            print(f"{size:>8,} {cards:>7,} {megabytes:>5.1f} {show('validate'):>13} {show('lint'):>13} "
                  f"{show('import'):>13} {ratio('lint'):>14} {ratio('import'):>16}", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
