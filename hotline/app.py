"""The ASGI app: every package's routers, health, errors rendered in one place."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from callbacks.views import router as callbacks_router
from config import heap
from config.db import Database
from config.events import LocalEventBus
from config.settings import Settings, get_settings
from config.spool import Spool
from dispatch.resident_views import router as residents_router
from dispatch.views import router as dispatch_router
from hotline import (
    admin_pages,
    api,
    api_records,
    intake,
    intake_page,
    login,
    pages,
    scheduler,
    simulator,
    ticket_actions,
    ticket_page,
    training,
)
from hotline.open311.views import router as open311_router
from hotline.reports.views import router as reports_router
from hotline.voice.desk import router as callback_desk_router
from hotline.voice.survey_views import router as survey_voice_router
from hotline.voice.views import router as voice_router
from hotline.web_form.views import router as web_form_router
from providers.actions import router as provider_actions_router
from providers.views import router as providers_router
from sms.views import twilio_router

log = logging.getLogger("hotline")
STATIC = Path(__file__).resolve().parent.parent / "config" / "static"

# A health check returns None when fine, or one line saying what is wrong.
HealthCheck = Callable[[], str | None]
# A background worker runs until cancelled (outbox sender, AMI listener, sweepers).
BackgroundWorker = Callable[[], Coroutine[Any, Any, None]]


def background_workers(app: FastAPI) -> dict[str, BackgroundWorker]:
    """The long-running work ``hotline serve`` runs beside the web app, by name. Each channel
    adds its worker here; tests build the app without them and drive the workers directly."""
    workers: dict[str, BackgroundWorker] = {}
    settings: Settings = app.state.settings
    if settings.ami_host:
        from hotline.voice.listener import AmiListener

        listener = AmiListener(settings=settings, db=app.state.db, bus=app.state.events)
        app.state.ami = listener
        app.state.health_checks["ami"] = listener.health
        workers["ami"] = listener.run
    db: Database = app.state.db
    workers["scheduler"] = lambda: scheduler.run(db, settings)  # outbox, reminders: hotline.scheduler
    return workers


async def _supervise(name: str, worker: BackgroundWorker) -> None:
    """Run a worker; if it crashes, log one line and start it again after a pause."""
    delay = 1.0
    while True:
        try:
            await worker()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background worker %s failed; restarting in %.0f s", name, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)


def create_app(settings: Settings | None = None, db: Database | None = None, *, background: bool = False) -> FastAPI:
    settings = settings or get_settings()
    owns_db = db is None
    database = db or Database(settings.database_url)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tasks = [
            asyncio.create_task(_supervise(name, worker), name=name)
            for name, worker in (background_workers(app).items() if background else ())
        ]
        if background:  # the real server, started once: see config.heap
            heap.settle()
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if owns_db:
                database.dispose()

    app = FastAPI(
        title=settings.centre_name_en,
        summary="Dispatch system for a community service hotline",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served behind the login from packaged assets: hotline.pages
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.spool = Spool(settings.spool_dir)  # webhook requests the database could not take in time
    app.state.health_checks = {"spool": app.state.spool.health}  # name -> HealthCheck; channels add theirs
    app.state.events = LocalEventBus()  # live events (screen pops, ticket changes); see config/events.py
    database.bus = app.state.events  # what services publish with config.events.changed, after commit

    pages.install_error_pages(app)  # JSON for API clients, HTML in the reader's language for browsers

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> JSONResponse:
        """200 when the database answers and every channel is healthy; 503 with the reasons otherwise."""
        checks: dict[str, str] = {}
        checks["database"] = "ok" if await run_in_threadpool(database.ping) else "unreachable"
        for name, check in app.state.health_checks.items():
            checks[name] = await run_in_threadpool(check) or "ok"
        healthy = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ok" if healthy else "failing", "checks": checks}, status_code=200 if healthy else 503
        )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(login.router)
    app.include_router(pages.docs_router)
    app.include_router(dispatch_router)
    app.include_router(residents_router)
    app.include_router(intake_page.router)  # /tickets/new before /tickets/{number}
    app.include_router(ticket_page.router)
    app.include_router(ticket_actions.router)
    app.include_router(api.router)
    app.include_router(api_records.router)
    app.include_router(admin_pages.router)
    app.include_router(providers_router)
    app.include_router(provider_actions_router)
    app.include_router(callbacks_router)
    app.include_router(reports_router)
    app.include_router(voice_router)
    app.include_router(callback_desk_router)
    app.include_router(survey_voice_router)
    app.include_router(twilio_router(intake.router_for(settings)))
    app.include_router(web_form_router)  # public: /request, /status (no login; CSRF, codes, throttles)
    app.include_router(open311_router)  # public reads, POST with api_key: /open311/v2/
    simulator.install(app)  # /simulator: demo and training mode only (no login; not mounted otherwise)
    training.install(app)  # /training: training mode only
    return app
