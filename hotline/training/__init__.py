"""Training mode (上岗培训): scripted scenarios played against a training database through the
phone simulator while the trainee uses the real console; each run is scored and kept per operator."""

from __future__ import annotations

from fastapi import FastAPI

from config.settings import Settings


def install(app: FastAPI) -> None:
    """Mount the training pages when the app serves a training database."""
    settings: Settings = app.state.settings
    if settings.training:
        from hotline.training.views import router

        app.include_router(router)
