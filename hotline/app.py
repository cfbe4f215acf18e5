"""The ASGI app: every package's routers, health, errors rendered in one place."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from config.db import Database
from config.errors import HotlineError
from config.settings import Settings, get_settings
from dispatch.views import router as dispatch_router

log = logging.getLogger("hotline")
STATIC = Path(__file__).resolve().parent.parent / "config" / "static"

# A health check returns None when fine, or one line saying what is wrong.
HealthCheck = Callable[[], str | None]


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    owns_db = db is None
    database = db or Database(settings.database_url)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if owns_db:
                database.dispose()

    app = FastAPI(
        title=settings.centre_name_en,
        summary="Dispatch system for a community service hotline",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.health_checks = {}  # name -> HealthCheck; channels (AMI, ...) add theirs

    @app.exception_handler(HotlineError)
    async def _hotline_error(request: Request, exc: HotlineError) -> Response:
        return JSONResponse({"detail": exc.message}, status_code=exc.status_code)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> JSONResponse:
        """200 when the database answers and every channel is healthy; 503 with the reasons otherwise."""
        checks: dict[str, str] = {}
        checks["database"] = "ok" if await run_in_threadpool(database.ping) else "unreachable"
        for name, check in app.state.health_checks.items():
            checks[name] = check() or "ok"
        healthy = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ok" if healthy else "failing", "checks": checks}, status_code=200 if healthy else 503
        )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(dispatch_router)
    return app
