"""The phone simulator (``/simulator``): the hotline's phone channels in a browser, served in demo
and training mode only. Outside them its routes are not mounted at all."""

from __future__ import annotations

import secrets

from fastapi import FastAPI

from config.settings import Settings


def enabled(settings: Settings) -> bool:
    return settings.demo or settings.training


def install(app: FastAPI) -> None:
    """Mount the simulator when the app is a demo or a training centre. Without a Twilio auth
    token (a demo has no Twilio account) the app gets one of its own for this process, so the
    webhooks still check every signature and the simulator can make them."""
    settings: Settings = app.state.settings
    if not enabled(settings):
        return
    if not settings.twilio_auth_token:
        app.state.settings = settings.model_copy(update={"twilio_auth_token": secrets.token_urlsafe(32)})
    from hotline.simulator.views import router

    app.include_router(router)
