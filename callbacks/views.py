"""The survey call list as a page for logged-in staff, beside the voice layer's callback list:
read-only, phone numbers masked unless the role may see them; operators call and record from the
command line (``hotline surveys call`` / ``record``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from callbacks import service
from callbacks.schemas import DeskEntryOut
from config import phones
from config.auth import Principal, require
from config.web import ReadSession, SettingsDep, render

router = APIRouter()


@router.get("/surveys/desk", response_class=HTMLResponse, include_in_schema=False)
def desk_page(
    request: Request,
    session: ReadSession,
    settings: SettingsDep,
    who: Annotated[Principal, Depends(require("console.view"))],
) -> HTMLResponse:
    entries = [DeskEntryOut.of(s, settings) for s in service.desk_list(session)]
    full = who.can("resident.phone")
    region = settings.default_region
    rows = [{"entry": e, "phone": phones.on_screen(e.survey.phone, full=full, region=region)} for e in entries]
    return render(request, "callbacks/desk.html", {"rows": rows})
