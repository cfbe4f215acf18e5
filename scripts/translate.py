"""Fill zh_CN translations from a JSON map: python scripts/translate.py PACKAGE map.json"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    package, mapping_file = sys.argv[1], sys.argv[2]
    mapping = json.loads(Path(mapping_file).read_text(encoding="utf-8"))
    path = ROOT / package / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    for message in catalog:
        if message.id in mapping:
            message.string = mapping[message.id]
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=True)


if __name__ == "__main__":
    main()
