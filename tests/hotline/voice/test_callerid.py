from __future__ import annotations

import pytest

from config.settings import Settings, load_settings
from hotline.voice.callerid import CallerId, extension_of, parse

CENTRE: Settings = load_settings(demo=True, default_region="CN", default_area_code="573")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", CallerId("+8613800138000", "13800138000", False)),
        ("013800138000", CallerId("+8613800138000", "13800138000", False)),
        ("8613800138000", CallerId("+8613800138000", "13800138000", False)),
        ("+8613800138000", CallerId("+8613800138000", "13800138000", False)),
        ("008613800138000", CallerId("+8613800138000", "13800138000", False)),
        ("82123456", CallerId("+8657382123456", "057382123456", False)),
        ("057382123456", CallerId("+8657382123456", "057382123456", False)),
        ("+19253920364", CallerId("+19253920364", "0019253920364", False)),
        ("7003", CallerId(None, "7003", False)),
        ("anonymous", CallerId(None, None, True)),
        ("Unknown", CallerId(None, None, True)),
        ("<unknown>", CallerId(None, None, True)),
        ("", CallerId(None, None, True)),
        (None, CallerId(None, None, True)),
        ("Restricted", CallerId(None, None, True)),
        ("96345", CallerId(None, "96345", False)),
        ("12345678901234567", CallerId(None, None, True)),
        ("sip:joe@example.com", CallerId(None, None, True)),
        ("１３８００１３８０００", CallerId("+8613800138000", "13800138000", False)),
    ],
)
def test_caller_ids_as_asterisk_gives_them(raw: str | None, expected: CallerId) -> None:
    assert parse(raw, CENTRE) == expected


@pytest.mark.parametrize(
    ("channel", "extension"),
    [
        ("PJSIP/7002-001600ea", "7002"),
        ("SIP/7002-0000001", "7002"),
        ("Local/7006@from-queue/n", "7006"),
        ("Local/7006@from-queue-00120cc6;1", "7006"),
        ("PJSIP/trunk-00000001", None),
        ("Local/013800138000@from-internal;1", None),
        ("", None),
        (None, None),
    ],
)
def test_operator_extension_of_a_channel(channel: str | None, extension: str | None) -> None:
    assert extension_of(channel) == extension
