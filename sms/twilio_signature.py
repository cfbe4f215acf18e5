"""Checks that a webhook really comes from Twilio (``X-Twilio-Signature``), with the ``twilio``
package's own RequestValidator. Shared by every Twilio webhook (SMS here, Voice in hotline.voice)."""

from __future__ import annotations

from fastapi import HTTPException, Request
from starlette.datastructures import FormData
from twilio.request_validator import RequestValidator

from config.settings import Settings


def signed_url(request: Request, settings: Settings) -> str:
    """The URL Twilio was told to call: the public URL (the app may sit behind a proxy) plus path
    and query exactly as received."""
    url = settings.public_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    return url


def is_valid(url: str, form: FormData | dict[str, str], signature: str, auth_token: str) -> bool:
    if not auth_token or not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, form, signature))


async def verified_twilio_form(request: Request) -> FormData:
    """FastAPI dependency: the request's form if its signature is valid; 403 otherwise."""
    settings: Settings = request.app.state.settings
    form = await request.form()
    signature = request.headers.get("X-Twilio-Signature", "")
    if not is_valid(signed_url(request, settings), form, signature, settings.twilio_auth_token):
        raise HTTPException(status_code=403, detail="invalid or missing X-Twilio-Signature")
    return form
