"""The survey call list as a page, beside the voice layer's callback list. Until the console's
login exists it is served only in demo mode, read-only, with phone numbers masked; operators call
and record from the command line (``hotline surveys call`` / ``record``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from callbacks import service
from callbacks.schemas import DeskEntryOut
from config import phones
from config.errors import NotFound
from config.web import ReadSession, SettingsDep, render

router = APIRouter()


@router.get("/surveys/desk", response_class=HTMLResponse, include_in_schema=False)
def desk_page(request: Request, session: ReadSession, settings: SettingsDep) -> HTMLResponse:
    if not settings.demo:
        raise NotFound("the survey call list is shown only in demo mode until the console's login exists")
    entries = [DeskEntryOut.of(s, settings) for s in service.desk_list(session)]
    rows = [{"entry": e, "phone": phones.masked(e.survey.phone)} for e in entries]
    return render(request, "callbacks/desk.html", {"rows": rows})
