from __future__ import annotations

import pytest

from sms.encoding import encoding_of


@pytest.mark.parametrize(
    ("text", "name", "segments"),
    [
        ("Ticket 2611230001 received. Text STATUS for progress.", "GSM-7", 1),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),  # 153 septets per part once split
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters take two septets
        ("€" * 81, "GSM-7", 2),
        ("水" * 70, "UCS-2", 1),  # Chinese: 70 characters in one segment
        ("水" * 71, "UCS-2", 2),  # then 67 per part
        ("水" * 134, "UCS-2", 2),
        ("水" * 135, "UCS-2", 3),
        ("Pipe leaking 😀", "UCS-2", 1),  # one emoji makes the whole text UCS-2
        ("😀" * 36, "UCS-2", 2),  # an emoji is two UTF-16 units
    ],
)
def test_segments_follow_the_encoding(text: str, name: str, segments: int) -> None:
    encoding = encoding_of(text)
    assert (encoding.name, encoding.segments) == (name, segments)
