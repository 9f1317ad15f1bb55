"""The roster: who may take a manager's quizzes, read from a CSV file (name, email, optional team).

Names and e-mails are hostile input: cleaned with ``clean_text`` (NFKC, no
control or zero-width characters). A problem names the file and line.
``lookalikes`` flags names that differ but look the same as another's.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence, Union

from ..errors import QuizError
from .model import Learner, clean_text, fold_scripts, looks_alike, mixed_scripts, name_key

MAX_ROSTER_BYTES = 2_000_000
MAX_ROSTER_ROWS = 10_000
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    email: str  # lower case
    team: str


def read_roster(path: Union[str, Path]) -> list[RosterRow]:
    """Rows of a roster CSV with a header naming ``name`` and ``email`` (``team`` optional).

    Raises ``QuizError`` listing every bad line (``FILE:LINE: ...``).
    """
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_ROSTER_BYTES + 1)
    except OSError as exc:
        raise QuizError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_ROSTER_BYTES:
        raise QuizError(f"{path}: too large for a roster (over {MAX_ROSTER_BYTES:,} bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QuizError(f"{path}: not a roster: it is not UTF-8 text (save the CSV as UTF-8)") from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = [clean_text(h).casefold() for h in next(reader, [])]
    except csv.Error as exc:
        raise QuizError(f"{path}:1: not a CSV header ({exc})") from None
    missing = [c for c in ("name", "email") if c not in header]
    if missing:
        raise QuizError(f"{path}:1: the header needs the columns name and email (and optionally team); "
                        f"missing {', '.join(missing)}")
    col = {c: header.index(c) for c in ("name", "email", "team") if c in header}
    rows: list[RosterRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_ROSTER_ROWS:
                raise QuizError(f"{path}:{line}: more than {MAX_ROSTER_ROWS:,} learners")

            def cell(name: str) -> str:
                index = col.get(name)
                return clean_text(record[index]) if index is not None and index < len(record) else ""

            name, email, team = cell("name"), cell("email").casefold(), cell("team")
            if not name:
                problems.append(f"{path}:{line}: the name is empty")
            elif not _EMAIL.fullmatch(email):
                problems.append(f"{path}:{line}: '{email[:60]}' is not an e-mail address")
            elif email in seen:
                problems.append(f"{path}:{line}: {email} is already on line {seen[email]}")
            else:
                seen[email] = line
                rows.append(RosterRow(line, name[:200], email[:254], team[:100]))
    except csv.Error as exc:
        problems.append(f"{path}:{reader.line_num}: not valid CSV ({exc})")
    if problems:
        raise QuizError(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the roster:\n"
                        + "\n".join(problems))
    return rows


def learner_id_for(name: str, taken: Iterable[str]) -> str:
    """A readable id from the name (ASCII slug), unique among ``taken``: ``priya-natarajan``, ``ann-lee-2``."""
    import unicodedata

    folded = fold_scripts(clean_text(name).casefold())
    ascii_name = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.casefold()).strip("-")[:32].strip("-") or "learner"
    taken = set(taken)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def lookalikes(learners: Sequence[Learner]) -> list[tuple[Learner, Learner]]:
    """Pairs of roster learners whose names look the same but are not (Cyrillic 'а' for 'a', ...)."""
    pairs = []
    for i, a in enumerate(learners):
        for b in learners[i + 1:]:
            if looks_alike(a.name, b.name) or (name_key(a.name) == name_key(b.name)):
                pairs.append((a, b))
    return pairs


def suspicious(name: str) -> str:
    """Why a single name looks spoofed ('' if it does not)."""
    return "mixes Latin with Cyrillic or Greek letters" if mixed_scripts(name) else ""
