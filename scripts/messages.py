"""Extract user-facing messages per package and update each package's .po catalogs.

    python scripts/messages.py            # update catalogs, report untranslated messages
    python scripts/messages.py --check    # exit 1 if any message lacks a zh_CN or en translation

New messages land with an empty msgstr in zh_CN and with msgstr = msgid in en (then review them).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from config.i18n import EXTRACT_KEYWORDS, LOCALES, PACKAGES, ROOT

METHOD_MAP = [("**/locale/**", "ignore"), ("**.py", "python"), ("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}


def extract(package: str) -> Catalog:
    template = Catalog(project="hotline", fuzzy=False)
    # a sub-package with its own catalog (hotline/voice) is not also extracted into its parent's
    nested = [(f"{p.removeprefix(package + '/')}/**", "ignore") for p in PACKAGES if p.startswith(package + "/")]
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT / package,
        method_map=nested + METHOD_MAP,
        options_map=OPTIONS,
        keywords=EXTRACT_KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        template.add(message, None, [(f"{package}/{filename}", lineno)], auto_comments=comments, context=context)
    return template


def po_path(package: str, locale: str) -> Path:
    return ROOT / package / "locale" / locale / "LC_MESSAGES" / "messages.po"


def missing_translations(package: str, locale: str) -> list[str]:
    template = extract(package)
    path = po_path(package, locale)
    if not path.exists():
        return [str(m.id) for m in template if m.id]
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    gaps = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        if found is None or not found.string or (isinstance(found.string, tuple) and not all(found.string)):
            gaps.append(message.id if isinstance(message.id, str) else message.id[0])
    return gaps


def update(package: str) -> None:
    template = extract(package)
    if not len(template):
        return
    for locale in LOCALES:
        path = po_path(package, locale)
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=locale)
        else:
            catalog = Catalog(locale=locale, project="hotline")
        catalog.update(template, no_fuzzy_matching=True)
        if locale == "en":
            for message in catalog:
                if message.id and not message.string:
                    message.string = message.id
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=100, omit_header=False, ignore_obsolete=True, sort_output=True)


def main() -> int:
    check = "--check" in sys.argv
    problems = 0
    for package in PACKAGES:
        if not (ROOT / package).is_dir():
            continue
        if not check:
            update(package)
        for locale in LOCALES:
            for message in missing_translations(package, locale):
                print(f"{package} {locale}: untranslated: {message!r}")
                problems += 1
    return 1 if (check and problems) else 0


if __name__ == "__main__":
    sys.exit(main())
