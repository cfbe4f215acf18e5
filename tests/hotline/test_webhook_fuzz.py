"""Whatever a signed request carries in its form fields, no Twilio webhook answers 500: each
answers a 4xx or handles the request (hypothesis tries odd digits, NUL, long and empty values,
unknown fields). Signatures are real, so the requests reach the code behind the check."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.twilio_support import PUBLIC_URL, post_signed, sign

WEBHOOKS = {
    "/sms/twilio/inbound": ("MessageSid", "SmsMessageSid", "From", "To", "Body", "NumMedia"),
    "/sms/twilio/status": ("MessageSid", "MessageStatus", "ErrorCode"),
    "/voice/twilio/incoming": ("CallSid", "From", "To", "CallStatus"),
    "/voice/twilio/menu": ("CallSid", "From", "Digits"),
    "/voice/twilio/wait": ("CallSid", "From", "QueueTime"),
    "/voice/twilio/queue-exit": ("CallSid", "From", "QueueResult", "QueueTime"),
    "/voice/twilio/voicemail": ("CallSid", "From", "RecordingUrl", "RecordingDuration"),
    "/voice/twilio/status": ("CallSid", "From", "CallStatus"),
}
ODD = [
    "", " ", "\x00", "²", "٣", "１２", "0" * 40, "9" * 19, "-1", "1e3", "+8613800138000", "10086",
    "client:alice", "anonymous", "CA" + "1" * 32, "SM" + "2" * 32, "completed", "bridged", "0", "1", "#",
    "厨房水管漏水", "x" * 5000, "https://api.twilio.com/rec/RE1",
]  # fmt: skip
values = st.one_of(st.sampled_from(ODD), st.text(st.characters(exclude_categories=("Cs",)), max_size=40))
call_sids = st.one_of(st.from_regex(r"CA[0-9a-f]{32}", fullmatch=True), values)  # mostly past the 400


def _fields(path: str) -> st.SearchStrategy[dict[str, str]]:
    known = {name: call_sids if name == "CallSid" else values for name in WEBHOOKS[path]}
    required = {"CallSid": known.pop("CallSid")} if "CallSid" in known else {}
    return st.fixed_dictionaries(required, optional=known)


@pytest.mark.parametrize("path", sorted(WEBHOOKS))
@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_signed_form_makes_a_webhook_fail(hotline: TestClient, path: str, data: st.DataObject) -> None:
    form = data.draw(_fields(path), label="form")
    form.update(data.draw(st.dictionaries(st.text(min_size=1, max_size=12), values, max_size=2), label="extra"))
    response = post_signed(hotline, path, form)
    assert response.status_code < 500, (path, form, response.text[:300])


@pytest.mark.parametrize("path", sorted(WEBHOOKS))
def test_a_json_body_with_a_signature_is_refused_not_a_crash(hotline: TestClient, path: str) -> None:
    """It used to raise a TypeError in the signature check: ~6 KB of traceback per request."""
    body = '{"MessageSid": "SM1", "Body": "hi"}'
    headers = {"Content-Type": "application/json", "X-Twilio-Signature": sign(PUBLIC_URL + path, {})}
    response = hotline.post(path, content=body, headers=headers)
    assert response.status_code == 403


def test_a_call_without_call_sid_is_refused_instead_of_merged_with_another(hotline: TestClient) -> None:
    for caller in ("+8613800138000", "+8613912345678"):
        response = post_signed(hotline, "/voice/twilio/incoming", {"From": caller, "CallStatus": "ringing"})
        assert response.status_code == 400


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/sms/twilio/inbound", "NumMedia"),
        ("/voice/twilio/menu", "Digits"),
        ("/voice/twilio/queue-exit", "QueueTime"),
        ("/voice/twilio/voicemail", "RecordingDuration"),
    ],
)
def test_a_superscript_digit_is_no_number(hotline: TestClient, path: str, field: str) -> None:
    """``"²".isdigit()`` is true and ``int("²")`` raises: each of these was a 500 (the fuzz found them)."""
    form = {"CallSid": "CA" + "3" * 32, "MessageSid": "SM" + "3" * 32, "From": "+8613800138000", field: "²"}
    if path.endswith("voicemail"):
        form["RecordingUrl"] = "https://api.twilio.com/rec/RE3"
    assert post_signed(hotline, path, form).status_code == 200
