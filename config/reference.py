"""Shared helpers for reference data loaded from TOML files with line-numbered errors."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from config.errors import InvalidInput


class DataFileError(InvalidInput):
    """A data file is wrong; the message names the file and line."""


def read_toml(path: Path) -> tuple[dict[str, Any], list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        return tomllib.loads(text), text.splitlines()
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"{path}: {exc}") from None


def table_lines(lines: list[str], table: str) -> list[int]:
    """1-based line numbers of each ``[[table]]`` header, in order."""
    header = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]\s*(#.*)?$")
    return [number for number, line in enumerate(lines, start=1) if header.match(line)]


class Checker:
    """Collects every problem in a data file, then raises them together."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def error(self, line: int, message: str) -> None:
        self.problems.append(f"{self.path.name}:{line}: {message}")

    def require(self, entry: dict[str, Any], line: int, field: str, kind: type | tuple[type, ...]) -> Any:
        value = entry.get(field)
        if value is None:
            self.error(line, f"missing field {field!r}")
        elif not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float, (int, float))):
            self.error(line, f"field {field!r} has the wrong type ({type(value).__name__})")
            return None
        return value

    def raise_if_any(self) -> None:
        if self.problems:
            raise DataFileError("\n".join(self.problems))
