"""How many segments a text costs. GSM-7 (the GSM 03.38 alphabet, via the ``gsm0338`` codec):
160 septets in one segment, 153 per segment when split. Anything else goes as UCS-2: 70 UTF-16
units in one segment, 67 when split, so a Chinese text of 71 characters costs two."""

from __future__ import annotations

import math
from dataclasses import dataclass

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

GSM7, UCS2 = "GSM-7", "UCS-2"
_LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True)
class Encoding:
    name: str
    units: int  # septets (GSM-7; extension characters such as € count two) or UTF-16 code units
    segments: int


def encoding_of(text: str) -> Encoding:
    try:
        name, units = GSM7, len(text.encode("gsm03.38"))
    except UnicodeEncodeError:
        name, units = UCS2, len(text.encode("utf-16-le")) // 2
    single, multi = _LIMITS[name]
    segments = 1 if units <= single else math.ceil(units / multi)
    return Encoding(name, units, segments)
