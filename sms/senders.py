"""Who actually sends a text: ``SmsSender`` and its implementations.

``ConsoleSender`` logs and records (the default: the demo works offline, tests read ``sent``).
``TwilioSender`` uses the real ``twilio`` REST client. A sender returns the provider's message id
or raises ``SendError``; ``retryable`` tells the outbox whether trying again can help.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from typing import Protocol

from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from config import phones
from config.errors import ConfigError
from config.settings import Settings

log = logging.getLogger("hotline.sms")


@dataclass(frozen=True)
class Outgoing:
    to: str
    body: str
    idempotency_key: str  # stable per outbox row; a sender that supports it passes it on


class SendError(Exception):
    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


class SmsSender(Protocol):
    name: str

    def send(self, message: Outgoing) -> str:
        """Hand ``message`` to the provider; return its message id or raise SendError."""
        ...


class ConsoleSender:
    """Logs every text and keeps it in ``sent``: the demo backend and the tests' recorder."""

    name = "console"

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []
        self._lock = threading.Lock()

    def send(self, message: Outgoing) -> str:
        # unique across processes and restarts: the outbox's provider_sid is a unique column
        sid = f"console-{uuid.uuid4().hex}"
        with self._lock:
            self.sent.append(message)
        log.info("SMS to %s (%s, %d characters)", phones.for_log(message.to), sid, len(message.body))
        log.debug("SMS %s body: %s", sid, message.body)  # residents' words: only when debugging
        return sid


class TwilioSender:
    """The real Twilio Messages API. ``base_url`` points the client elsewhere (tests: a local
    HTTP server standing in for api.twilio.com)."""

    name = "twilio"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str,
        status_callback: str | None = None,
        base_url: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        if not (account_sid and auth_token and from_number):
            raise ConfigError(
                "HOTLINE_SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER"
            )
        self.from_number = from_number
        self.status_callback = status_callback
        self.client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout))
        if base_url:
            self.client.api.base_url = base_url.rstrip("/")

    def send(self, message: Outgoing) -> str:
        try:
            created = self.client.messages.create(
                to=message.to,
                from_=self.from_number,
                body=message.body,
                **({"status_callback": self.status_callback} if self.status_callback else {}),
            )
        except (TwilioRestException, TwilioServiceException) as exc:
            # 429 and 5xx are the provider's trouble: try again later. Any other 4xx (bad number,
            # unverified recipient, blocked) will fail the same way every time.
            status = int(exc.status)
            detail = exc.msg if isinstance(exc, TwilioRestException) else (exc.detail or exc.title)
            raise SendError(
                f"Twilio {status} (code {exc.code}): {detail}", retryable=status == 429 or status >= 500, status=status
            ) from exc
        except (TwilioException, OSError) as exc:  # connection refused, timeout, TLS ...
            raise SendError(f"Twilio unreachable: {exc}", retryable=True) from exc
        return str(created.sid)


def sender_for(settings: Settings) -> SmsSender:
    if settings.sms_backend == "twilio":
        return TwilioSender(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token,
            from_number=settings.twilio_from_number,
            status_callback=settings.public_url.rstrip("/") + "/sms/twilio/status",
        )
    return ConsoleSender()
