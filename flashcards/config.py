"""Settings: built-in defaults, a config file, environment variables and options.

Precedence, highest first: a command-line option, an environment variable, the
config file, the built-in default. The file is TOML at ``FLASH_CONFIG``, else
``$XDG_CONFIG_HOME/flashcards/config.toml`` (``~/.config/flashcards/config.toml``
when that variable is unset or not an absolute path, as the XDG spec says)::

    new_per_day = 10
    reviews_per_day = 150
    day_starts_at = 4
    database = "~/notes/flash.db"
    decks = ["~/decks"]

Pure: no click; the CLI resolves each setting through :func:`resolve` and
``flash config`` prints :func:`effective`.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from .errors import FlashcardsError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

MAX_CONFIG_BYTES = 64 * 1024


class ConfigError(FlashcardsError):
    """The config file cannot be read or holds a bad setting (the message names file and line)."""


def _int_between(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return value

    check.__doc__ = f"a whole number from {low} to {high}"
    return check


def _path(value: Any) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a path (a string)")
    return Path(value).expanduser()


def _paths(value: Any) -> tuple[Path, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ValueError("must be a list of folders or files")
    return tuple(_path(v) for v in value)


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Any
    parse: Callable[[Any], Any]
    help: str
    option: str = ""  # the command-line option that sets it, where one does

    def from_env(self, text: str) -> Any:
        """An environment variable's text as this setting's value."""
        if self.parse is _paths:
            return _paths([p for p in text.split(os.pathsep) if p])
        if self.default is not None and isinstance(self.default, int):
            try:
                return self.parse(int(text.strip()))
            except ValueError:
                return self.parse(text)
        return self.parse(text)


SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("database", "FLASH_DB", None, _path,
            "the database file (default: $XDG_DATA_HOME/flashcards/flash.db)", "--db"),
    Setting("new_per_day", "FLASH_NEW", 20, _int_between(0, 9999), "new cards introduced per day", "--new"),
    Setting("reviews_per_day", "FLASH_REVIEWS", 200, _int_between(0, 99999), "due cards reviewed per day", "--reviews"),
    Setting("day_starts_at", "FLASH_DAY_STARTS_AT", 4, _int_between(0, 23),
            "the hour a study day starts (0-23)"),
    Setting("decks", "FLASH_DECKS", None, _paths,
            "deck files or folders used when a command is given none (default: the shipped decks)"),
)}


@dataclass(frozen=True)
class Value:
    """A setting's effective value and where it came from."""

    name: str
    value: Any
    source: str  # "default", "file", "environment" or "option"
    where: str = ""  # "config.toml:3", "FLASH_NEW", "--new"


def config_path(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the config file is looked for (it need not exist)."""
    explicit = environ.get("FLASH_CONFIG", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    base = environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
    return root / "flashcards" / "config.toml"


@dataclass(frozen=True)
class ConfigFile:
    path: Path
    values: dict[str, Any]
    lines: dict[str, int]

    @classmethod
    def read(cls, path: Path) -> "ConfigFile":
        """The file's settings, checked; a missing file is an empty one."""
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_CONFIG_BYTES + 1)
        except FileNotFoundError:
            return cls(path, {}, {})
        except IsADirectoryError:
            raise ConfigError(f"{path}: is a folder, not a config file") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the config file: {exc.strerror or exc}") from None
        if len(data) > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KiB; not a config file")
        try:
            text = data.decode("utf-8")
            raw = tomllib.loads(text)
        except UnicodeDecodeError:
            raise ConfigError(f"{path}: not UTF-8 text") from None
        except tomllib.TOMLDecodeError as exc:
            line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
            message = re.sub(r"\s*\(at line \d+, column \d+\)$", "", str(exc))
            raise ConfigError(f"{path}:{line}: {message}" if line else f"{path}: {message}") from None
        lines = {key: _line_of(text, key) for key in raw}
        values = {}
        for key, value in raw.items():
            where = f"{path}:{lines[key]}" if lines[key] else str(path)
            setting = SETTINGS.get(key)
            if setting is None:
                known = ", ".join(SETTINGS)
                raise ConfigError(f"{where}: unknown setting {key!r} (known: {known})")
            try:
                values[key] = setting.parse(value)
            except ValueError as exc:
                raise ConfigError(f"{where}: {key} {exc}") from None
            if isinstance(values[key], (Path, tuple)) and not _relative_ok(values[key]):
                base = path.parent
                values[key] = (base / values[key] if isinstance(values[key], Path)
                               else tuple(base / p for p in values[key]))
        return cls(path, values, lines)


def _relative_ok(value) -> bool:
    paths = [value] if isinstance(value, Path) else list(value)
    return all(p.is_absolute() for p in paths)


def _line_of(text: str, key: str) -> int:
    match = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def _line_from_message(message: str) -> int:
    match = re.search(r"at line (\d+)", message)
    return int(match.group(1)) if match else 0


_cache: dict[Path, tuple[float, ConfigFile]] = {}


def load(environ: Mapping[str, str] = os.environ) -> ConfigFile:
    """The config file in force (read once per process while unchanged)."""
    path = config_path(environ)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = -1
    cached = _cache.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    config = ConfigFile.read(path)
    _cache[path] = (stamp, config)
    return config


def resolve(name: str, option: Optional[Any] = None, *, option_name: str = "",
            environ: Mapping[str, str] = os.environ) -> Value:
    """One setting: the option's value if given, else the environment, the file, the default."""
    setting = SETTINGS[name]
    if option is not None:
        return Value(name, option, "option", option_name or setting.option)
    text = environ.get(setting.env, "")
    if text.strip():
        try:
            return Value(name, setting.from_env(text), "environment", setting.env)
        except ValueError as exc:
            raise ConfigError(f"{setting.env}: {text.strip()!r} {exc}") from None
    config = load(environ)
    if name in config.values:
        line = config.lines.get(name)
        return Value(name, config.values[name], "file", f"{config.path}:{line}" if line else str(config.path))
    return Value(name, setting.default, "default")


def effective(options: Mapping[str, Any] = {}, environ: Mapping[str, str] = os.environ) -> list[Value]:
    """Every setting as the next command would see it."""
    return [resolve(name, options.get(name), environ=environ) for name in SETTINGS]
