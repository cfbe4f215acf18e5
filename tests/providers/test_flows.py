"""A provider texts PAUSE / 暂停 or RESUME / 恢复 to stop or restart offers."""

from __future__ import annotations

import pytest

from config.db import Database
from config.settings import Settings
from providers import flows, service
from tests.providers import builders


@pytest.mark.parametrize(
    ("body", "command"),
    [
        ("PAUSE", "pause"),
        ("  pause! ", "pause"),
        ("ＰＡＵＳＥ", "pause"),  # full-width, as Chinese phones type it
        ("暂停。", "pause"),
        ("【暂停】", "pause"),
        ("Resume", "resume"),
        ("恢复", "resume"),
        (" 恢复！", "resume"),
        ("please pause", None),
        ("暂停一下吧", None),
        ("", None),
    ],
)
def test_the_command_words_are_recognised_in_any_case_width_and_punctuation(body: str, command: str | None) -> None:
    assert flows.command_of(body) == command


def test_a_provider_pauses_and_resumes_by_text_and_each_change_is_audited(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        builders.provider(session, settings, phone="+8613857300101")
        p = service.get_provider_by_phone(session, phone="+8613857300101")
        assert p is not None
        assert flows.handle_provider_text(session, provider=p, body="暂停") == (
            "已暂停接单，您将不会收到派单。回复“恢复”即可重新接单。"
        )
        assert p.paused
        assert flows.handle_provider_text(session, provider=p, body="pause").startswith("您已处于暂停接单状态")
        assert flows.handle_provider_text(session, provider=p, body="我明天上午到") is None
        assert flows.handle_provider_text(session, provider=p, body="恢复") == (
            "已恢复接单，您将重新收到派单。回复“暂停”可暂停接单。"
        )
        assert not p.paused
        events = [
            (e.kind, e.actor, e.note) for e in service.events_of(session, provider=p) if e.kind in ("paused", "resumed")
        ]
    assert events == [
        ("paused", f"provider:{p.id}", "by text: 暂停"),
        ("resumed", f"provider:{p.id}", "by text: 恢复"),
    ]


def test_an_english_speaking_provider_gets_replies_in_english(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        p = builders.provider(session, settings, language="en")
        assert flows.handle_provider_text(session, provider=p, body="PAUSE") == (
            "Paused: you will receive no job offers. Text RESUME to start again."
        )
        assert flows.handle_provider_text(session, provider=p, body="resume") == (
            "Resumed: you will receive job offers again. Text PAUSE to stop."
        )
        assert service.get_provider_by_phone(session, phone="+8613900000000") is None
