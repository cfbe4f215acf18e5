"""Catalogues are merged per locale, so one msgid must mean one thing in every package: a word
translated two ways would show the other package's meaning on a page (a provider's document
"Number" once read 工单号, a ticket number). Give a different meaning a different msgid."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from config import i18n


def _translations(locale: str) -> dict[tuple[str, str | None], dict[str, str]]:
    found: dict[tuple[str, str | None], dict[str, str]] = {}
    for path in i18n.catalog_paths(locale):
        package = str(path.relative_to(i18n.ROOT).parents[3])
        with path.open("rb") as fh:
            for message in read_po(fh, locale=locale):
                if not message.id or not message.string:
                    continue
                msgid = message.id if isinstance(message.id, str) else message.id[0]
                text = message.string if isinstance(message.string, str) else message.string[0]
                found.setdefault((msgid, message.context), {})[package] = text
    return found


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_no_msgid_is_translated_differently_in_two_catalogues(locale: str) -> None:
    collisions = {
        msgid: by_package
        for (msgid, _context), by_package in _translations(locale).items()
        if len(set(by_package.values())) > 1
    }
    assert collisions == {}


def test_the_check_sees_a_collision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for package, text in (("alpha", "工单号"), ("beta", "编号")):
        folder = tmp_path / package / "locale" / "zh_CN" / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "messages.po").write_text(f'msgid ""\nmsgstr ""\n\nmsgid "Number"\nmsgstr "{text}"\n', "utf-8")
    monkeypatch.setattr(i18n, "ROOT", tmp_path)
    monkeypatch.setattr(i18n, "PACKAGES", ("alpha", "beta"))
    assert _translations("zh_CN")[("Number", None)] == {"alpha": "工单号", "beta": "编号"}


def test_a_provider_document_number_reads_as_a_number_not_a_ticket() -> None:
    assert i18n.gettext("zh_CN", "Number") == "编号"
