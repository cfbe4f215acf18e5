"""Click-to-call: ring the operator's extension, then the resident (AMI ``Originate``, async),
and record what Asterisk answered, matched by ActionID."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from config import staff
from config.db import Database
from config.errors import ConfigError, NotFound
from config.settings import Settings
from hotline.voice import service
from hotline.voice.ami import AmiConnection, LoginRefused
from hotline.voice.tracker import CALLBACK_ACCOUNT

RING_SECONDS = 30


@dataclass
class CallbackResult:
    entry_id: int
    action_id: str
    result: str
    number: str
    extension: str


def originate_action(*, extension: str, number: str, context: str, entry_id: int, action_id: str) -> dict[str, str]:
    return {
        "Action": "Originate",
        "ActionID": action_id,
        "Channel": f"Local/{extension}@{context}",  # the operator's phone rings first
        "Context": context,
        "Exten": number,  # then the dialplan rings the resident
        "Priority": "1",
        "CallerID": f'"Callback {number}" <{number}>',
        "Account": f"{CALLBACK_ACCOUNT}{entry_id}",
        "Timeout": str(RING_SECONDS * 1000),
        "Async": "true",
    }


async def call_back(
    *,
    db: Database,
    settings: Settings,
    entry_id: int,
    extension: str,
    connection: AmiConnection | None = None,
    action_id: str | None = None,
    timeout: float = RING_SECONDS + 15,
) -> CallbackResult:
    """Start one callback attempt. Uses ``connection`` (the running listener's) or opens its own."""
    action_id = action_id or f"hotline-cb-{entry_id}-{uuid.uuid4().hex[:12]}"

    def start() -> str:
        with db.transaction() as session:
            entry = service.get_callback(session, entry_id=entry_id)
            operator = staff.get_by_extension(session, extension=extension)
            if operator is None:
                raise NotFound(f"no active staff member has extension {extension} (see: hotline users list)")
            service.start_attempt(session, entry=entry, operator=operator, action_id=action_id)
            return entry.number

    own = connection is None
    if connection is None:
        connection = await _open(settings)  # before anything is recorded: no AMI, no attempt
    try:
        number = await asyncio.to_thread(start)
        action = originate_action(
            extension=extension, number=number, context=settings.ami_context, entry_id=entry_id, action_id=action_id
        )
        try:
            answer = await connection.action(action, timeout)
        except (TimeoutError, ConnectionError, OSError) as exc:
            result = "no_response" if isinstance(exc, TimeoutError) else "connection_lost"
            await asyncio.to_thread(_fail, db, action_id, result)
            return CallbackResult(entry_id, action_id, result, number, extension)
    finally:
        if own:
            connection.close()
    final = answer[-1] if isinstance(answer, list) else answer

    def record() -> str:
        with db.transaction() as session:
            reason = final.get("Reason")
            attempt = service.record_originate_result(
                session,
                action_id=action_id,
                response=str(final.get("Response") or ""),
                reason=int(reason) if str(reason or "").isascii() and str(reason or "").isdigit() else None,
                channel=final.get("Channel") or None,
                uniqueid=final.get("Uniqueid") or None,
            )
            return (attempt.result or "failed") if attempt else "failed"

    return CallbackResult(entry_id, action_id, await asyncio.to_thread(record), number, extension)


async def _open(settings: Settings) -> AmiConnection:
    if not settings.ami_host:
        raise ConfigError("HOTLINE_AMI_HOST is not set: there is no Asterisk to place the call")
    connection = AmiConnection(
        host=settings.ami_host,
        port=settings.ami_port,
        username=settings.ami_username,
        secret=settings.ami_secret,
        on_event=lambda _message: None,  # the listener of `hotline serve` follows the call itself
    )
    where = f"{settings.ami_host}:{settings.ami_port}"
    try:
        await connection.open()
    except LoginRefused as exc:
        raise ConfigError(f"AMI login refused by {where}: {exc} (check HOTLINE_AMI_USERNAME/_SECRET)") from None
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"cannot reach AMI at {where}: {exc or type(exc).__name__}") from None
    return connection


def _fail(db: Database, action_id: str, result: str) -> None:
    with db.transaction() as session:
        service.fail_attempt(session, action_id=action_id, result=result)
