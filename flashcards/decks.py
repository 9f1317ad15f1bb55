"""Reading deck files: YAML text -> ``Deck``, with every problem located to a line.

Only safe YAML is read: the text is composed into nodes by PyYAML's safe
loader (no object construction at all) and checked node by node, so each message
can name the file and line it is about.
"""

from __future__ import annotations

import difflib
import re
from importlib import resources
from pathlib import Path
from typing import Iterable, Optional

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .cloze import ClozeSyntaxError, parse as parse_cloze
from .errors import DeckError, Problem
from .heap import collection_paused
from .model import Analog, Cloze, Deck, Phrase, SourceDocument, Term
from .text import describe, find_hazard, nfc

DECK_SUFFIXES = (".yaml", ".yml")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
ID_RULE = "lowercase letters, digits, '-' and '_', starting with a letter or digit"

DECK_REQUIRED = ("id", "name")
DECK_OPTIONAL = ("description", "source", "sources", "tags", "terms", "phrases", "analogs", "clozes",
                 "scheduler",
                 "desired_retention")
# each item of the deck-level ``sources:`` list: a source label and the document(s) it names
SOURCE_FIELDS = ("label", "path")

# list name -> (entry class, required text fields, optional text fields)
ENTRY_KINDS = {
    "terms": (Term, ("term", "definition"), ("question", "what_it_does", "whos_behind_it", "what_makes_it_distinct")),
    "phrases": (Phrase, ("do_say", "why"), ("dont_say", "buyer_says")),
    "analogs": (Analog, ("concept", "analog"), ("holds", "breaks")),
    "clozes": (Cloze, ("text",), ()),  # a text with {{...}} deletions (flashcards.cloze)
}
# The order fields are written in (the builder's YAML, docs): cue before answer.
FIELD_ORDER = {
    list_name: tuple(sorted(required + optional,
                            key=lambda k: (k not in ("dont_say", "buyer_says"), k not in ("term", "question"))))
    for list_name, (_cls, required, optional) in ENTRY_KINDS.items()
}
ENTRY_COMMON = ("id", "tags", "source", "note", "uses")
# A term entry with a ``question`` is one fact (one card): it takes none of these.
TERM_DETAIL_FIELDS = ("what_it_does", "whos_behind_it", "what_makes_it_distinct")
# A phrase row names exactly one of these: a line the AE should not say, or a line the buyer says.
PHRASE_CUES = ("dont_say", "buyer_says")

_NULL_VALUES = {"", "~", "null", "Null", "NULL"}
# A deck is four levels deep (deck, list, entry, tags); deeper nesting is refused before
# the YAML composer, which recurses once per level (26,000 levels crashed libyaml's).
MAX_DEPTH = 20
MAX_DECK_BYTES = 64_000_000  # 30 times the 10,000-entry benchmark deck
_OPENING_EVENTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSING_EVENTS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
# Characters deck text may not hold (``text.find_hazard``): controls (ESC among them: "\e]0;...\a"
# in a double-quoted string would retitle a terminal), bidi controls, zero-width and other invisible
# characters. Why each kind is refused, for the message:
_HAZARD_REASONS = {
    "a control character": "terminal escape sequences and other control characters are not allowed in deck text",
    "a bidi control": "it shows text in another order than it is stored; bidi controls are not allowed in deck text",
    "a zero-width character": "it makes equal-looking text differ; zero-width characters are not allowed in deck text",
    "an invisible character": "it makes equal-looking text differ; invisible characters are not allowed in deck text",
    "a line separator": "write a plain line break; line and paragraph separators are not allowed in deck text",
}
_STR_TAG = "tag:yaml.org,2002:str"
# libyaml's parser when PyYAML was built with it (about 10x faster); both are safe
# here because we only compose nodes and never construct objects from tags.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def shipped_decks_dir() -> Path:
    """The folder of decks installed with the package.

    Run from a source tree (``decks/`` beside the package and a ``pyproject.toml``), that
    tree's ``decks/``: an editable install made from another checkout would otherwise hand
    this checkout's code the other checkout's decks."""
    tree = Path(__file__).resolve().parent.parent
    if (tree / "pyproject.toml").is_file() and (tree / "decks").is_dir():
        return tree / "decks"
    try:
        folder = Path(str(resources.files("flashcards.shipped_decks")))
        if folder.is_dir():
            return folder
    except ModuleNotFoundError:  # running from a source tree that was not installed
        pass
    return Path(__file__).resolve().parent.parent / "decks"


def find_deck_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders into deck files (``*.yaml``/``*.yml``), sorted per folder.

    Raises ``DeckError`` naming every path that is missing or holds no decks.
    """
    files, problems = _find_deck_files(paths)
    if problems:
        raise DeckError(problems)
    return files


def _find_deck_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[Problem]]:
    files: dict[Path, Path] = {}  # resolved -> as given; a file named twice is read once
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        try:
            if path.is_dir():
                found = sorted(p for p in path.iterdir() if p.suffix in DECK_SUFFIXES and p.is_file())
                if not found:
                    problems.append(Problem(str(path), 0, "folder holds no .yaml or .yml deck files"))
            elif path.is_file():
                found = [path]
            elif path.exists():
                problems.append(Problem(str(path), 0, "not a regular file (a device or a pipe?)"))
                continue
            else:
                problems.append(Problem(str(path), 0, "no such file or folder"))
                continue
        except OSError as exc:  # an unreadable folder, a name too long for the file system
            problems.append(Problem(str(path), 0, f"cannot read: {exc.strerror or exc}"))
            continue
        for file in found:
            files.setdefault(file.resolve(), file)
    return list(files.values()), problems


def check_file(path: str | Path) -> tuple[Optional[Deck], list[Problem]]:
    """Read one deck file. Returns the deck (None if it has problems) and every problem."""
    deck, problems, _ = _read_file(path)
    return deck, problems


def _read_file(path: str | Path) -> tuple[Optional[Deck], list[Problem], int]:
    """``check_file``, plus the line of the deck's ``id`` (1 when unknown)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_DECK_BYTES:
            return None, [Problem(str(path), 1, f"file is {size / 1e6:.0f} MB; a deck file may be at most "
                                              f"{MAX_DECK_BYTES // 1_000_000} MB")], 1
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(str(path), 0, f"cannot read: {exc.strerror or exc}")], 1
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, [Problem(str(path), line, f"not UTF-8 text ({exc.reason} at byte {exc.start})")], 1
    reader = _DeckReader(str(path))
    with collection_paused():
        deck, problems = reader.read(text)
    return deck, problems, reader.id_line


def load_deck(path: str | Path) -> Deck:
    """Read one deck file or raise ``DeckError`` with every problem in it."""
    deck, problems = check_file(path)
    if problems:
        raise DeckError(problems)
    assert deck is not None
    return deck


def load_decks(paths: Iterable[str | Path]) -> list[Deck]:
    """Read every deck under ``paths``; all or nothing.

    Raises ``DeckError`` listing the problems of every file (and deck ids used
    by two files) if any file is invalid.
    """
    decks: list[Deck] = []
    files, problems = _find_deck_files(paths)
    seen: dict[str, str] = {}  # deck id -> "file:line" of its id
    for file in files:
        deck, file_problems, id_line = _read_file(file)
        problems.extend(file_problems)
        if deck is None:
            continue
        if deck.id in seen:
            problems.append(Problem(str(file), id_line, f"deck id '{deck.id}' is also used by {seen[deck.id]}"))
            continue
        seen[deck.id] = f"{file}:{id_line}"
        decks.append(deck)
    if problems:
        raise DeckError(problems)
    return decks


def parse_deck(text: str, path: str = "<deck>") -> tuple[Optional[Deck], list[Problem]]:
    """Parse deck YAML text. Returns (deck or None, problems)."""
    return _DeckReader(path).read(text)


def _offset_line(text: str, position: int) -> int:
    """The line of a reader error's position: a byte offset from libyaml, a character
    offset from the pure-Python reader."""
    if _LOADER is not yaml.SafeLoader:
        return text.encode("utf-8", "surrogatepass")[:position].count(b"\n") + 1
    return text.count("\n", 0, position) + 1


def _structure_problem(text: str) -> Optional[tuple[int, str]]:
    """Walk the YAML events (libyaml's parser keeps its own stack, so any depth is safe)
    and return ``(line, message)`` for nesting deeper than ``MAX_DEPTH`` or an alias,
    before anything recursive sees the text."""
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, _OPENING_EVENTS):
            depth += 1
            if depth > MAX_DEPTH:
                return (event.start_mark.line + 1,
                        f"nested more than {MAX_DEPTH} levels deep (a deck needs 4): not a deck")
        elif isinstance(event, _CLOSING_EVENTS):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            return (event.start_mark.line + 1,
                    f"YAML alias '*{event.anchor}' is not allowed in a deck (write the text out)")
    return None


def _normalise(root: Node) -> None:
    """Every scalar (keys, ids, text, tags) in Unicode NFC, before anything reads or compares it:
    a composed and a decomposed "é" are one text, in ids and duplicate checks alike."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, ScalarNode):
            node.value = nfc(node.value)
        elif isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                stack.extend((key_node, value_node))
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)


class _DeckReader:
    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self.id_line = 1
        self.field_lines: dict[tuple[str, str], int] = {}  # (entry id, field) -> line, for lint
        self.uses_nodes: dict[Optional[str], dict[str, Node]] = {}  # entry id -> used id -> its node

    def problem(self, node: Optional[Node], message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 0
        self.problems.append(Problem(self.path, line, message))

    def read(self, text: str) -> tuple[Optional[Deck], list[Problem]]:
        try:
            structure = _structure_problem(text)
            if structure is not None:
                return None, [Problem(self.path, *structure)]
            root = yaml.compose(text, Loader=_LOADER)
        except yaml.reader.ReaderError as exc:  # NUL, ESC and other characters YAML refuses outright
            what = f"character U+{ord(exc.character):04X}" if isinstance(exc.character, str) else "byte"
            return None, [Problem(self.path, _offset_line(text, exc.position),
                                  f"{what} is not allowed in a deck ({exc.reason})")]
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            if mark is not None and exc.context_mark is not None and mark.index >= len(text.rstrip()):
                mark = exc.context_mark  # "found end of stream": point at what was left open
            line = mark.line + 1 if mark else 0
            what = ": ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
            return None, [Problem(self.path, line, f"YAML syntax error: {what}")]
        except yaml.YAMLError as exc:
            return None, [Problem(self.path, 1, f"YAML error: {exc}")]
        except RecursionError:  # the pure-Python composer, should MAX_DEPTH ever be raised too far
            return None, [Problem(self.path, 1, "nested too deeply: not a deck")]
        if root is None:
            return None, [Problem(self.path, 1, "empty file: a deck needs at least 'id' and 'name'")]
        _normalise(root)
        if not isinstance(root, MappingNode):
            return None, [Problem(self.path, root.start_mark.line + 1,
                                  "a deck must be a mapping with 'id', 'name' and lists of entries")]

        fields = self.mapping(root, DECK_REQUIRED, DECK_OPTIONAL, "deck")
        if "id" in fields:
            self.id_line = fields["id"].start_mark.line + 1
        deck_id = self.identifier(fields, "id")
        name = self.text(fields, "name", required=True)
        if name is not None and "::" in name:  # Anki would make each part a deck level
            self.problem(fields["name"], f"deck name '{name}' contains '::', which Anki reads as a sub-deck")
        description = self.text(fields, "description")
        source = self.text(fields, "source")
        sources = self.sources(fields)
        tags = self.tags(fields)
        scheduler, retention = self.scheduler(fields)

        entries: dict[str, list] = {}
        ids: dict[str, int] = {}
        for list_name, (cls, required, optional) in ENTRY_KINDS.items():
            entries[list_name] = []
            node = fields.get(list_name)
            if node is None or self.is_null(node):
                continue
            if not isinstance(node, SequenceNode):
                self.problem(node, f"'{list_name}' must be a list of entries")
                continue
            for item in node.value:
                entry_id = self.raw_id(item)
                if entry_id in ids:
                    self.problem(item, f"duplicate id '{entry_id}' (first used at line {ids[entry_id]})")
                elif entry_id:
                    ids[entry_id] = item.start_mark.line + 1
                entry = self.entry(item, list_name, cls, required, optional)
                if entry is not None:
                    entries[list_name].append(entry)

        self.check_uses(entries["terms"])
        if self.problems:
            return None, sorted(self.problems, key=lambda p: p.line)
        deck = Deck(
            id=deck_id, name=name, description=description, source=source, tags=tags,
            terms=tuple(entries["terms"]), phrases=tuple(entries["phrases"]),
            analogs=tuple(entries["analogs"]), clozes=tuple(entries["clozes"]), sources=sources,
            path=self.path, field_lines=self.field_lines,
            scheduler=scheduler, desired_retention=retention,
        )
        return deck, []

    def scheduler(self, fields) -> tuple[Optional[str], Optional[float]]:
        """``scheduler: sm2|fsrs`` and, for fsrs, ``desired_retention: 0.7-0.99`` (flash import applies them)."""
        name = self.text(fields, "scheduler")
        if name is not None and name not in ("sm2", "fsrs"):
            self.problem(fields["scheduler"], f"'scheduler' must be sm2 or fsrs, not '{name}'")
            name = None
        node = fields.get("desired_retention")
        if node is None or self.is_null(node) or isinstance(node, ScalarNode) and not self.plain_text(
                node, "'desired_retention'"):
            return name, None
        try:
            retention = float(node.value) if isinstance(node, ScalarNode) else None
        except ValueError:
            retention = None
        if retention is None or not 0.7 <= retention <= 0.99:
            self.problem(node, "'desired_retention' must be a number from 0.7 to 0.99, e.g. 0.9")
            return name, None
        if name != "fsrs":
            self.problem(node, "'desired_retention' is FSRS's: add 'scheduler: fsrs'")
            return name, None
        return name, retention

    # -- entries --------------------------------------------------------

    def entry(self, node: Node, list_name: str, cls, required, optional):
        singular = list_name[:-1]
        if not isinstance(node, MappingNode):
            self.problem(node, f"each item of '{list_name}' must be a mapping of fields ({singular} entry)")
            return None
        before = len(self.problems)
        fields = self.mapping(node, ("id",) + required, ENTRY_COMMON[1:] + optional, f"{singular} entry")
        values = {"id": self.identifier(fields, "id", where=f"{singular} entry")}
        for key in required:
            values[key] = self.text(fields, key, required=True)
        for key in optional + ("source", "note"):
            # a phrase cue that is present must say something, like a required field
            values[key] = self.text(fields, key, required=cls is Phrase and key in PHRASE_CUES)
        values["tags"] = self.tags(fields)
        values["uses"] = self.uses(fields, values["id"])
        if cls is Term and "question" in fields:
            for key in TERM_DETAIL_FIELDS:
                if key in fields:
                    self.problem(fields[key], f"term entry has both 'question' and '{key}': an entry with a "
                                 "question teaches one fact (its definition answers the question)")
        if cls is Analog and not values["holds"] and not values["breaks"]:
            self.problem(node, "analog entry needs 'holds' or 'breaks' (or both)")
        if cls is Cloze and values["text"] is not None:
            self.cloze_text(fields["text"], values["text"])
        if cls is Phrase:
            given = [key for key in PHRASE_CUES if key in fields]
            if len(given) == 2:
                self.problem(fields["buyer_says"], "phrase entry has both 'dont_say' and 'buyer_says': "
                             "a row is either a line not to say or a line the buyer says")
            elif not given:
                self.problem(node, "phrase entry needs 'dont_say' (a line not to say) or "
                             "'buyer_says' (a line the buyer says)")
        if len(self.problems) > before:
            return None
        for key_node, _value in node.value:
            self.field_lines[(values["id"], key_node.value)] = key_node.start_mark.line + 1
        return cls(line=node.start_mark.line + 1, **values)

    def cloze_text(self, node: ScalarNode, text: str) -> None:
        """A problem at the line of the first broken rule of a cloze text (``flashcards.cloze``)."""
        try:
            parse_cloze(text)
        except ClozeSyntaxError as exc:
            index = len(node.value) - len(node.value.lstrip()) + exc.index  # text is the value stripped
            line = node.start_mark.line + 1 + self._lines_before(node, index)
            self.problems.append(Problem(self.path, line, f"cloze 'text': {exc.message}"))

    def sources(self, fields) -> tuple[SourceDocument, ...]:
        """The deck's ``sources:``: a list of ``{label: ..., path: FILE or [FILE, ...]}``."""
        node = fields.get("sources")
        if node is None or self.is_null(node):
            return ()
        if not isinstance(node, SequenceNode):
            self.problem(node, "'sources' must be a list of {label: ..., path: ...} items")
            return ()
        result: list[SourceDocument] = []
        labels: dict[str, int] = {}
        for item in node.value:
            if not isinstance(item, MappingNode):
                self.problem(item, "each item of 'sources' must be a mapping with 'label' and 'path'")
                continue
            before = len(self.problems)
            item_fields = self.mapping(item, SOURCE_FIELDS, (), "sources item")
            label = self.text(item_fields, "label", required=True)
            paths = self.paths(item_fields.get("path"))
            if len(self.problems) > before or label is None or not paths:
                continue
            line = item.start_mark.line + 1
            if label in labels:
                self.problem(item_fields["label"],
                             f"source label '{label}' is listed twice (first at line {labels[label]})")
                continue
            labels[label] = line
            result.append(SourceDocument(label=label, paths=paths, line=line))
        return tuple(result)

    def paths(self, node: Optional[Node]) -> tuple[str, ...]:
        """A ``path`` value: one file name or a list of them (a missing key is reported by mapping())."""
        if node is None:
            return ()
        items = node.value if isinstance(node, SequenceNode) else [node]
        if isinstance(node, SequenceNode) and not items:
            self.problem(node, "'path' is an empty list: name at least one document")
        paths = []
        for item in items:
            if not isinstance(item, ScalarNode) or self.is_null(item) or not item.value.strip():
                self.problem(item, "'path' must be a file name or a list of file names")
                continue
            if self.plain_text(item, "'path'"):
                paths.append(item.value.strip())
        return tuple(paths)

    # -- field helpers --------------------------------------------------

    @staticmethod
    def raw_id(node: Node) -> Optional[str]:
        """An entry's id as written, before validation (for duplicate checks)."""
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.value == "id" and isinstance(value_node, ScalarNode):
                    return value_node.value.strip() or None
        return None

    def mapping(self, node: MappingNode, required, optional, what: str) -> dict[str, Node]:
        allowed = tuple(required) + tuple(optional)
        fields: dict[str, Node] = {}
        key_nodes: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, f"{what}: keys must be plain names")
                continue
            key = key_node.value
            if not self.plain_text(key_node, "a key"):
                continue
            if key in fields:
                self.problem(key_node, f"duplicate key '{key}' (first at line {key_nodes[key].start_mark.line + 1})")
                continue
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else f" (allowed: {', '.join(allowed)})"
                self.problem(key_node, f"unknown key '{key}' in {what}{suggestion}")
                continue
            fields[key] = value_node
            key_nodes[key] = key_node
        for key in required:
            if key not in fields:
                self.problem(node, f"{what} is missing required field '{key}'")
        return fields

    def plain_text(self, node: ScalarNode, what: str) -> bool:
        """False (and a problem on the line of the character) if ``node``'s text holds a
        control, bidi or zero-width character (``text.find_hazard``), e.g. an escape sequence
        written as "\\e[2J" in double quotes or a U+202E that shows "Pre\u202etraining" backwards."""
        found = find_hazard(node.value)
        if found is None:
            return True
        index, char, kind = found
        line = node.start_mark.line + 1 + self._lines_before(node, index)
        self.problems.append(Problem(self.path, line, (
            f"{what} contains {describe(char)}, {kind}: {_HAZARD_REASONS[kind]}")))
        return False

    @staticmethod
    def _lines_before(node: ScalarNode, index: int) -> int:
        """Lines into a block scalar (| or >) where its value's character ``index`` is."""
        if node.style in ("|", ">"):
            return 1 + node.value.count("\n", 0, index)  # the value starts on the line after the indicator
        return 0

    @staticmethod
    def is_null(node: Node) -> bool:
        return isinstance(node, ScalarNode) and node.tag != _STR_TAG and node.value in _NULL_VALUES

    def text(self, fields, key, *, required=False) -> Optional[str]:
        value_node = fields.get(key)
        if value_node is None:
            return None  # a missing required key is reported by mapping()
        if not isinstance(value_node, ScalarNode):
            kind = "a list" if isinstance(value_node, SequenceNode) else "a mapping"
            self.problem(value_node, f"'{key}' must be text, not {kind}")
            return None
        if not self.plain_text(value_node, f"'{key}'"):
            return None
        value = "" if self.is_null(value_node) else value_node.value.strip()
        if not value:
            if required:
                self.problem(value_node, f"'{key}' is empty")
            return None
        return value

    def identifier(self, fields, key, *, where="deck") -> Optional[str]:
        value = self.text(fields, key, required=True)
        if value is not None and not ID_PATTERN.match(value):
            self.problem(fields[key], f"{where} id '{value}' is not a valid id ({ID_RULE})")
            return None
        return value

    def uses(self, fields, entry_id: Optional[str]) -> Optional[tuple[str, ...]]:
        """An entry's ``uses:``, the ids of the term entries it relies on (checked once every
        entry is read: ``check_uses``). None when absent; ``uses: []`` says "none"."""
        node = fields.get("uses")
        if node is None:
            return None
        if self.is_null(node):
            return ()
        if not isinstance(node, SequenceNode):
            self.problem(node, "'uses' must be a list of term ids, e.g. [rag, context-window]")
            return None
        uses = []
        for item in node.value:
            value = item.value.strip() if isinstance(item, ScalarNode) else ""
            if isinstance(item, ScalarNode) and not self.plain_text(item, "an item of 'uses'"):
                continue
            if not ID_PATTERN.match(value):
                self.problem(item, "each item of 'uses' must be the id of a term entry of this deck")
                continue
            if value not in uses:
                uses.append(value)
                self.uses_nodes.setdefault(entry_id, {})[value] = item
        return tuple(uses)

    def check_uses(self, terms) -> None:
        """Every id in a ``uses`` list names a term of this deck, and no chain of ``uses`` comes back
        to where it started (a term cannot come before itself)."""
        term_ids = {t.id for t in terms}
        graph: dict[str, list[str]] = {}
        for entry_id, named in self.uses_nodes.items():
            for used, item in named.items():
                if used not in term_ids:
                    self.problem(item, f"'uses' of '{entry_id}' names '{used}', which is not a term of this deck")
                else:
                    graph.setdefault(entry_id, []).append(used)
        # iterative depth-first search; one problem per cycle, at the 'uses' item that closes it
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        for start in graph:
            if start in state:
                continue
            path, stack = [start], [iter(graph.get(start, ()))]
            state[start] = 1
            while stack:
                nxt = next(stack[-1], None)
                if nxt is None:
                    state[path.pop()] = 2
                    stack.pop()
                elif state.get(nxt) == 1:
                    cycle = path[path.index(nxt):] + [nxt]
                    self.problem(self.uses_nodes[path[-1]][nxt],
                                 f"'uses' goes round in a circle: {' -> '.join(cycle)} "
                                 "(a term's card cannot come before itself)")
                elif nxt not in state:
                    state[nxt] = 1
                    path.append(nxt)
                    stack.append(iter(graph.get(nxt, ())))

    def tags(self, fields) -> tuple[str, ...]:
        node = fields.get("tags")
        if node is None or self.is_null(node):
            return ()
        if not isinstance(node, SequenceNode):
            self.problem(node, "'tags' must be a list, e.g. [pricing, inference]")
            return ()
        tags = []
        for item in node.value:
            if not isinstance(item, ScalarNode) or not item.value.strip():
                self.problem(item, "each tag must be a non-empty word")
                continue
            if not self.plain_text(item, "a tag"):
                continue
            tag = item.value.strip()
            if any(ch.isspace() for ch in tag):
                self.problem(item, f"tag '{tag}' contains spaces (use '-' or '_' instead)")
                continue
            tags.append(tag)
        return tuple(tags)
