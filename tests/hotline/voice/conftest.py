from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import pytest

from config.db import Database
from config.events import LocalEventBus
from config.settings import Settings
from hotline.voice.listener import AmiListener
from tests.hotline.voice.ami_peer import SECRET, USERNAME, AmiPeer

RunListener = Callable[[AmiPeer], contextlib.AbstractAsyncContextManager[AmiListener]]


@pytest.fixture
def bus() -> LocalEventBus:
    return LocalEventBus()


@pytest.fixture
def run_listener(db: Database, settings: Settings, bus: LocalEventBus) -> RunListener:
    """Run the real listener against a peer, with short delays; cancelled at the end."""

    @contextlib.asynccontextmanager
    async def running(peer: AmiPeer, **overrides: object) -> AsyncIterator[AmiListener]:
        ami = settings.model_copy(
            update={"ami_host": "127.0.0.1", "ami_port": peer.port, "ami_username": USERNAME, "ami_secret": SECRET}
            | {k: v for k, v in overrides.items() if k.startswith("ami_")}
        )
        options = {k: v for k, v in overrides.items() if not k.startswith("ami_")}
        listener = AmiListener(
            settings=ami,
            db=db,
            bus=bus,
            **{"initial_delay": 0.05, "max_delay": 0.2, "heartbeat_interval": 5.0, "heartbeat_timeout": 1.0, **options},  # type: ignore[arg-type]
        )
        task = asyncio.create_task(listener.run())
        try:
            yield listener
        finally:
            task.cancel()
            _done, stuck = await asyncio.wait([task], timeout=5.0)  # a hang here must not stall the suite
            assert not stuck, "the listener did not stop within 5 s of being cancelled"
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return running  # type: ignore[return-value]
