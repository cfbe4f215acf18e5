"""Text cells in files people open in a spreadsheet: the formula-injection guard (OWASP "CSV
Injection"). A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed
with ``'`` so Excel / WPS / LibreOffice show it as text instead of running it; numbers and E.164
phone numbers (``+8613800138000``, ``-2.5``, ``+86…;+86…``) stay as they are. Import takes the guard
off again, so an export re-imports unchanged."""

from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_PHONES = re.compile(r"^\+\d{6,15}(;\s*\+\d{6,15})*$")


def guarded(cell: object) -> object:
    """``cell`` as it may be written to a CSV or XLSX cell."""
    if not isinstance(cell, str) or not cell.startswith(TRIGGERS):
        return cell
    if _NUMBER.match(cell) or _PHONES.match(cell):
        return cell
    return "'" + cell


def unguarded(text: str) -> str:
    """A cell read back: the guard ``guarded`` added is taken off."""
    if len(text) > 1 and text[0] == "'" and text[1] in TRIGGERS:
        return text[1:]
    return text
