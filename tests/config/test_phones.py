from __future__ import annotations

import pytest

from config.phones import PhoneNumberError, grouped, masked, normalize, on_screen


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "+86 138-0013-8000",
        "0086 138 0013 8000",
        "8613800138000",
        "１３８００１３８０００",
        "(+86) 138.0013.8000",
        " 138 0013 8000 ",
    ],
)
def test_every_way_of_typing_a_mobile_is_the_same_resident(typed: str) -> None:
    assert normalize(typed, region="CN", area_code="573") == "+8613800138000"


@pytest.mark.parametrize(
    "typed", ["0573-82123456", "82123456", "057382123456", "+86 573 8212 3456", "０５７３－８２１２３４５６"]
)
def test_landline_with_or_without_area_code(typed: str) -> None:
    assert normalize(typed, region="CN", area_code="573") == "+8657382123456"


def test_local_number_needs_the_configured_area_code() -> None:
    assert normalize("82123456", region="CN", area_code="571") == "+8657182123456"


@pytest.mark.parametrize("typed", ["96345", "110", "120", "12345"])
def test_short_service_numbers_are_refused(typed: str) -> None:
    with pytest.raises(PhoneNumberError, match="short service number"):
        normalize(typed, region="CN", area_code="573")


@pytest.mark.parametrize("typed", ["", "   ", "abc", "1380013800", "+86 999 0000 0000", "138001380001234"])
def test_invalid_numbers_are_refused_with_a_message(typed: str) -> None:
    with pytest.raises(PhoneNumberError) as info:
        normalize(typed, region="CN", area_code="573")
    assert info.value.message


def test_foreign_numbers_keep_their_country() -> None:
    assert normalize("+1 (202) 555-0143", region="CN") == "+12025550143"
    assert normalize("(202) 555-0143", region="US") == "+12025550143"


def test_masked_for_public_screens() -> None:
    assert masked("+8613800138000") == "138****8000"
    assert masked("+8657382123456") == "057****3456"


def test_grouped_as_read_aloud_national_at_home_international_abroad() -> None:
    assert grouped("+8613800138000") == "138 0013 8000"
    assert grouped("+8657382123456") == "0573 8212 3456"  # the trunk 0 a desk phone dials
    assert grouped("+14155550100") == "+1 415-555-0100"
    assert grouped("+14155550100", region="US") == "(415) 555-0100"
    assert grouped("+8613800138000", region="US") == "+86 138 0013 8000"
    assert grouped("anonymous") == "anonymous" and grouped("+") == "+"
    assert on_screen("+8613800138000", full=True) == "138 0013 8000"
    assert on_screen("+8613800138000", full=False) == "138****8000"
    assert on_screen("10086", full=False) == "10086"  # not E.164: as it is
