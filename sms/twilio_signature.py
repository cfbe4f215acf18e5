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


def is_valid(url: str, form: FormData | dict[str, str] | str, signature: str, auth_token: str) -> bool:
    """``form`` is the POST's fields, or the raw body of a JSON webhook (its SHA-256 is checked
    against the URL's ``bodySHA256``)."""
    if not auth_token or not signature:
        return False
    if isinstance(form, str) and "bodySHA256=" not in url:
        return False  # a JSON body is signed through the URL's bodySHA256, or not at all
    try:
        return bool(RequestValidator(auth_token).validate(url, form, signature))
    except (TypeError, ValueError, UnicodeError):  # whatever the validator cannot read is not valid
        return False


async def verified_twilio_form(request: Request) -> FormData:
    """FastAPI dependency: the request's form if its signature is valid; 403 otherwise."""
    settings: Settings = request.app.state.settings
    signature = request.headers.get("X-Twilio-Signature", "")
    signed: FormData | str
    if request.headers.get("content-type", "").startswith("application/json"):
        signed, form = (await request.body()).decode("utf-8", "replace"), FormData()  # JSON: no form fields
    else:
        form = await request.form()
        signed = form
    if not is_valid(signed_url(request, settings), signed, signature, settings.twilio_auth_token):
        raise HTTPException(status_code=403, detail="invalid or missing X-Twilio-Signature")
    return form
