"""Personal papers and signed answers files (format 2, ``docs/quiz-files.md``).

A paper is issued to one learner: questions drawn from the quiz's pool,
options shuffled and given random ids, and a secret token. The manager's
database keeps, per paper, which item each question is and which option id
means which canonical option; the paper holds no key.

The answers file is signed with HMAC-SHA256 over its canonical JSON with the
paper's token. The learner has the token (the terminal or browser client
signs with it), so the signature proves the file came from someone holding
*that paper*: it cannot be re-labelled with another learner or moved onto
another learner's paper, and edits by anyone else break it. The learner can
still rewrite their own file, for example its timestamps.

Files users hand us are hostile: ``load_json`` refuses oversized files,
nesting deeper than ``MAX_DEPTH`` and anything that is not JSON (a YAML alias
bomb is refused in microseconds; YAML is never parsed here).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import random
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

from .._files import write_atomically
from ..errors import QuizError
from .model import Learner, Quiz
from .pools import draw_paper

PAPER_FORMAT = "flashcards-paper/2"
ANSWERS_FORMAT = "flashcards-answers/2"
CLIENTS = ("terminal", "browser")
MAX_PAPER_BYTES = 2_000_000
MAX_ANSWERS_BYTES = 1_000_000  # a real answers file is a few KB; a pasted e-mail a few more
MAX_DEPTH = 8  # answers nest 3 deep, papers 4
BEGIN = "-----BEGIN FLASHCARDS ANSWERS-----"
END = "-----END FLASHCARDS ANSWERS-----"
OPTION_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


class QuizFileError(QuizError):
    """A paper or answers file cannot be used; the message names the file."""

    def __init__(self, path: Union[str, Path], reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


# -- the bounded loader -------------------------------------------------------

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (strings skipped), without parsing it."""
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


def load_json(data: bytes, path: Union[str, Path], *, what: str, max_bytes: int, max_depth: int = MAX_DEPTH) -> Any:
    """Parse untrusted bytes as JSON within limits; raise ``QuizFileError`` naming ``path`` otherwise."""
    if len(data) > max_bytes:
        raise QuizFileError(path, f"too large for a {what} ({len(data):,} bytes; the limit is {max_bytes:,})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QuizFileError(path, f"not a {what}: it is not UTF-8 text") from None
    if not text.strip():
        raise QuizFileError(path, f"not a {what}: the file is empty")
    if not text.lstrip().startswith("{"):
        if re.search(r"^format: flashcards-quiz-(paper|answers)\s*$", text[:20_000], re.M):
            raise QuizFileError(path, "a YAML file from before personal papers (format 1), which is no longer "
                                      "read: the quiz needs to be created again with personal papers")
        if 'id="paper-data"' in text[:max_bytes]:  # flash quiz create --html
            raise QuizFileError(path, f"not a {what}: it is a paper's web page, to open in a browser "
                                      f"(flash quiz take reads the .paper.json beside it)")
        raise QuizFileError(path, f"not a {what}: it is not a JSON object")
    if json_depth(text) > max_depth:
        raise QuizFileError(path, f"not a {what}: nested deeper than {max_depth} levels")
    try:
        return json.loads(text, parse_constant=_no_constant, parse_int=_bounded_int)
    except _NotJSON as exc:
        raise QuizFileError(path, f"not a {what}: {exc}") from None
    except (ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", 0)
        where = f" at line {line}" if line else ""
        raise QuizFileError(path, f"not valid JSON{where}: the file is damaged or truncated") from None


MAX_INT_DIGITS = 30  # no number in a paper or answers file comes near this


class _NotJSON(ValueError):
    """Valid-looking JSON that no paper or answers file holds (a NaN, a 5,000-digit number)."""


def _no_constant(name: str):
    raise _NotJSON(f"it holds {name}, which JSON does not allow")


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _NotJSON(f"it holds a {digits:,}-digit number (no paper or answers file has one)")
    return int(text)


_QUIZ_FIELD = re.compile(r'"quiz"\s*:\s*(?:\{\s*"id"\s*:\s*)?"([A-Za-z0-9._-]{1,100})"')


def named_quiz(data: bytes) -> Optional[str]:
    """The quiz id a file names, read without parsing it (for a file too damaged to read otherwise),
    or None. Looks inside a pasted text block too."""
    text = data[:MAX_ANSWERS_BYTES].decode("utf-8", errors="replace")
    found = _QUIZ_FIELD.search(text)
    if found is None and BEGIN in text:
        start = text.index(BEGIN) + len(BEGIN)
        end = text.find(END, start)
        body = re.sub(r"[\s>]+", "", text[start:end if end >= 0 else len(text)])
        try:
            decoded = base64.b64decode(body[: len(body) // 4 * 4], validate=False)
        except (binascii.Error, ValueError):
            return None
        found = _QUIZ_FIELD.search(decoded.decode("utf-8", errors="replace"))
    return found.group(1) if found else None


def read_bounded(path: Union[str, Path], max_bytes: int, what: str) -> bytes:
    """At most ``max_bytes + 1`` bytes of a file, so a huge file is refused without reading it all."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            return handle.read(max_bytes + 1)
    except IsADirectoryError:
        raise QuizFileError(path, f"is a folder, not a {what}") from None
    except OSError as exc:
        raise QuizFileError(path, f"cannot read: {exc.strerror or exc}") from None


# -- issuing papers -----------------------------------------------------------


@dataclass(frozen=True)
class IssuedQuestion:
    id: str  # q01, q02, ... in the order on this paper
    item_id: str  # the pool item it shows
    options: tuple[tuple[str, str], ...]  # (id on this paper, canonical option id), in the order shown


@dataclass(frozen=True)
class IssuedPaper:
    """What the manager's database keeps about one learner's paper."""

    id: str  # p-<16 hex>
    quiz_id: str
    learner: Learner
    token: str  # 64 hex
    questions: tuple[IssuedQuestion, ...]
    issued_at: Optional[str] = None  # when the manager issued it (ISO 8601, the manager's clock)

    def question(self, question_id: str) -> Optional[IssuedQuestion]:
        for q in self.questions:
            if q.id == question_id:
                return q
        return None


def _option_ids(count: int, rand: secrets.SystemRandom) -> list[str]:
    """``count`` distinct random ids, in the order drawn (a set's order would depend on the
    process's hash seed, so the same draws would not give the same paper)."""
    ids: dict[str, None] = {}
    while len(ids) < count:
        ids.setdefault("".join(rand.choice(OPTION_ID_ALPHABET) for _ in range(8)), None)
    return list(ids)


def issue_paper(quiz: Quiz, learner: Learner) -> IssuedPaper:
    """A new paper for ``learner``: questions drawn from the pool, order and options shuffled,
    random option ids and a fresh token (all from the system's secure random source)."""
    rand = secrets.SystemRandom()
    rng = random.Random(rand.getrandbits(64))
    items = draw_paper(quiz, rng)  # with a private share, that share from the private items
    width = max(2, len(str(len(items))))
    questions = []
    option_count = sum(len(q.options) for q in items)
    ids = iter(_option_ids(option_count, rand))
    for number, item in enumerate(items, start=1):
        order = list(item.options)
        rng.shuffle(order)
        questions.append(IssuedQuestion(f"q{number:0{width}d}", item.id, tuple((next(ids), o.id) for o in order)))
    return IssuedPaper(id=f"p-{secrets.token_hex(8)}", quiz_id=quiz.id, learner=learner,
                       token=secrets.token_hex(32), questions=tuple(questions))


def paper_document(quiz: Quiz, paper: IssuedPaper) -> dict[str, Any]:
    """The paper as the learner receives it (``docs/quiz-files.md``): no key, nothing to compute one from."""
    return {
        "format": PAPER_FORMAT,
        "quiz": {"id": quiz.id, "title": quiz.title, "pass_mark": quiz.pass_mark,
                 "time_limit_seconds": quiz.time_limit_seconds, "max_attempts": quiz.max_attempts,
                 "question_count": len(paper.questions)},
        "paper": paper.id,
        "learner": {"id": paper.learner.id, "name": paper.learner.name},
        "token": paper.token,
        "questions": [
            {"id": q.id, "prompt": quiz.item(q.item_id).prompt,
             "options": [{"id": shown, "text": quiz.item(q.item_id).option(canonical).text}
                         for shown, canonical in q.options]}
            for q in paper.questions
        ],
    }


def paper_filename(document: Mapping[str, Any]) -> str:
    return f"{document['quiz']['id']}--{document['learner']['id']}.paper.json"


def answers_path(paper_path: Union[str, Path], paper: "Paper") -> Path:
    """``<paper folder>/<quiz>--<learner>.answers.json``, numbered if taken (an earlier attempt is kept)."""
    folder = Path(paper_path).parent
    stem = f"{paper.quiz_id}--{paper.learner_id}"
    if any(ch in stem for ch in "/\\\0") or stem.startswith("."):
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).lstrip(".") or "answers"
    path = folder / f"{stem}.answers.json"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{stem}.{n}.answers.json"
    return path


def write_paper(document: Mapping[str, Any], folder: Union[str, Path]) -> Path:
    """Write one learner's paper into ``folder`` as ``<quiz id>--<learner id>.paper.json``.

    Every way of handing out a paper goes through here (``--html`` writes
    its page next to it).
    """
    path = Path(folder) / paper_filename(document)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return write_atomically(path, text, error=QuizError)


# -- reading a paper (the learner's side) ------------------------------------


@dataclass(frozen=True)
class PaperOption:
    id: str
    text: str


@dataclass(frozen=True)
class PaperQuestion:
    id: str
    prompt: str
    options: tuple[PaperOption, ...]


@dataclass(frozen=True)
class Paper:
    quiz_id: str
    title: str
    pass_mark: int
    time_limit_seconds: Optional[int]
    max_attempts: Optional[int]
    paper_id: str
    learner_id: str
    learner_name: str
    token: str
    questions: tuple[PaperQuestion, ...]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def load_paper(path: Union[str, Path]) -> Paper:
    """Read a personal paper; raise ``QuizFileError`` naming the file if it is not one or is damaged."""
    what = "flashcards paper"
    return parse_paper(load_json(read_bounded(path, MAX_PAPER_BYTES, what), path, what=what,
                                 max_bytes=MAX_PAPER_BYTES), path)


def parse_paper(data: Any, path: Union[str, Path] = "<paper>") -> Paper:
    """A paper document (as ``paper_document`` makes it) checked for shape; ``QuizFileError`` if damaged."""
    if not isinstance(data, dict):
        raise QuizFileError(path, "not a flashcards paper")
    if data.get("format") != PAPER_FORMAT:
        if data.get("format") == ANSWERS_FORMAT:
            raise QuizFileError(path, "this is an answers file, not a paper")
        raise QuizFileError(path, f"not a flashcards paper (format '{PAPER_FORMAT}', made by 'flash quiz create')")
    try:
        quiz, learner = data["quiz"], data["learner"]
        questions = tuple(
            PaperQuestion(_str(q["id"]), _str(q["prompt"]),
                          tuple(PaperOption(_str(o["id"]), _str(o["text"])) for o in q["options"]))
            for q in data["questions"]
        )
        paper = Paper(
            quiz_id=_str(quiz["id"]), title=_str(quiz["title"]), pass_mark=quiz["pass_mark"],
            time_limit_seconds=quiz.get("time_limit_seconds"), max_attempts=quiz.get("max_attempts"),
            paper_id=_str(data["paper"]), learner_id=_str(learner["id"]), learner_name=_str(learner["name"]),
            token=_str(data["token"]), questions=questions,
        )
    except (KeyError, TypeError, AttributeError, ValueError):
        raise QuizFileError(path, "the paper is incomplete or damaged") from None
    if not _is_int(paper.pass_mark) or not all(
            v is None or (_is_int(v) and v > 0) for v in (paper.time_limit_seconds, paper.max_attempts)):
        raise QuizFileError(path, "the paper's settings are damaged")
    if not re.fullmatch(r"[0-9a-f]{64}", paper.token):
        raise QuizFileError(path, "the paper's token is damaged")
    if not paper.questions or any(len(q.options) < 2 for q in paper.questions):
        raise QuizFileError(path, "the paper has no questions")
    return paper


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not text")
    return value


# -- answers files ------------------------------------------------------------


def signing_bytes(answers: Mapping[str, Any]) -> bytes:
    """The canonical bytes the signature covers (``docs/quiz-files.md``)."""
    body = {k: v for k, v in answers.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def sign(answers: Mapping[str, Any], token: str) -> str:
    return hmac.new(bytes.fromhex(token), signing_bytes(answers), hashlib.sha256).hexdigest()


def signature_matches(answers: Mapping[str, Any], token: str) -> bool:
    signature = answers.get("signature")
    return isinstance(signature, str) and hmac.compare_digest(signature, sign(answers, token))


def answers_document(paper: Paper, answers: Mapping[str, tuple[Optional[str], Optional[datetime]]], *,
                     started: datetime, finished: datetime, client: str = "terminal") -> dict[str, Any]:
    """A signed answers file for ``paper``: ``answers`` maps question id -> (option id or None, when)."""
    document: dict[str, Any] = {
        "format": ANSWERS_FORMAT,
        "quiz": paper.quiz_id,
        "paper": paper.paper_id,
        "learner": paper.learner_id,
        "name": paper.learner_name,
        "client": client,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": finished.isoformat(timespec="seconds"),
        "answers": {
            q.id: {"choice": answers.get(q.id, (None, None))[0],
                   "at": _iso(answers.get(q.id, (None, None))[1])}
            for q in paper.questions
        },
    }
    document["signature"] = sign(document, paper.token)
    return document


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def write_answers(document: Mapping[str, Any], path: Union[str, Path]) -> Path:
    return write_atomically(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n", error=QuizError)


def text_block(document: Mapping[str, Any]) -> str:
    """The answers as a text block to paste into a mail (base64 of the JSON, 64 characters a line)."""
    encoded = base64.b64encode(json.dumps(document, ensure_ascii=False).encode("utf-8")).decode("ascii")
    lines = [encoded[i:i + 64] for i in range(0, len(encoded), 64)]
    return "\n".join([BEGIN, *lines, END]) + "\n"


@dataclass(frozen=True)
class AnswerSheet:
    """An answers file as read: checked for shape, not yet for its signature."""

    quiz_id: str
    paper_id: str
    learner_id: str
    name: str
    client: str
    started_at: str
    finished_at: str
    answers: Mapping[str, tuple[Optional[str], Optional[str]]]  # question id -> (choice, at)
    signature: str
    document: Mapping[str, Any]  # what the signature covers
    file_hash: str  # sha256 of the file's bytes: the same file seen again is recognised


def read_answers(path: Union[str, Path]) -> AnswerSheet:
    """Read an answers file (JSON, or a BEGIN/END text block anywhere in the file).

    Raises ``QuizFileError`` naming the file if it is too large, not JSON, too
    deep, or not shaped like an answers file. The signature is checked by
    scoring, against the token the database holds for the paper it names.
    """
    what = "flashcards answers file"
    data = read_bounded(path, MAX_ANSWERS_BYTES, what)
    file_hash = hashlib.sha256(data).hexdigest()
    if len(data) > MAX_ANSWERS_BYTES:
        raise QuizFileError(path, f"too large for an answers file (over {MAX_ANSWERS_BYTES:,} bytes)")
    text = data.decode("utf-8", errors="replace")
    if BEGIN in text:
        data = _unwrap_block(text, path)
    document = load_json(data, path, what=what, max_bytes=MAX_ANSWERS_BYTES)
    return parse_answers(document, path, file_hash)


def _unwrap_block(text: str, path: Union[str, Path]) -> bytes:
    start = text.index(BEGIN) + len(BEGIN)
    end = text.find(END, start)
    if end < 0:
        raise QuizFileError(path, "the answers block has no END line (cut off when pasted?)")
    body = re.sub(r"[\s>]+", "", text[start:end])  # whitespace, and "> " quoting of a mail reply
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise QuizFileError(path, "the answers block is damaged (not base64)") from None


def parse_answers(data: Any, path: Union[str, Path], file_hash: str = "") -> AnswerSheet:
    if not isinstance(data, dict):
        raise QuizFileError(path, "not a flashcards answers file")
    if data.get("format") != ANSWERS_FORMAT:
        if data.get("format") == PAPER_FORMAT:
            raise QuizFileError(path, "this is a paper, not an answers file")
        raise QuizFileError(path, f"not a flashcards answers file (format '{ANSWERS_FORMAT}')")
    for key in ("quiz", "paper", "learner", "name", "client", "started_at", "finished_at", "signature"):
        if not isinstance(data.get(key), str):
            raise QuizFileError(path, f"'{key}' is missing or not text (the file is incomplete or damaged)")
    if data["client"] not in CLIENTS:
        raise QuizFileError(path, f"unknown client '{data['client'][:20]}' (expected terminal or browser)")
    raw = data.get("answers")
    if not isinstance(raw, dict):
        raise QuizFileError(path, "'answers' must map question ids to a choice and a time")
    answers: dict[str, tuple[Optional[str], Optional[str]]] = {}
    for qid, value in raw.items():
        if not isinstance(value, dict) or set(value) - {"choice", "at"}:
            raise QuizFileError(path, f"answer '{qid[:20]}' must be {{\"choice\": ..., \"at\": ...}}")
        choice, at = value.get("choice"), value.get("at")
        if not (choice is None or isinstance(choice, str)) or not (at is None or isinstance(at, str)):
            raise QuizFileError(path, f"answer '{qid[:20]}' must hold an option id and a time (or null)")
        answers[qid] = (choice, at)
    return AnswerSheet(
        quiz_id=data["quiz"], paper_id=data["paper"], learner_id=data["learner"], name=data["name"],
        client=data["client"], started_at=data["started_at"], finished_at=data["finished_at"],
        answers=answers, signature=data["signature"], document=data, file_hash=file_hash,
    )


def answer_files(paths: Sequence[Union[str, Path]]) -> list[Path]:
    """The files to score: each path given, and the files in each folder given (papers, hidden files
    and sub-folders skipped), in name order."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")
                                and not p.name.endswith((".paper.json", ".paper.html"))))
        else:
            files.append(path)
    return files
