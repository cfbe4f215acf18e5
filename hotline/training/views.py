"""``/training``: start a scenario, follow it while handling the ticket on the console, finish and
see the marks; ``/training/results`` shows supervisors who is ready. Mounted in training mode only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from config.auth import Principal, require
from config.db import Database
from config.errors import Forbidden, InvalidInput, NotFound
from config.settings import Settings
from config.staff import Staff
from config.web import DatabaseDep, LocaleDep, SettingsDep, render
from dispatch.states import URGENCY_LABELS
from hotline.simulator import phone
from hotline.training import flows, results, scenarios, scoring
from hotline.training.models import TrainingRun

router = APIRouter(prefix="/training", include_in_schema=False)
Viewer = Annotated[Principal, Depends(require("console.view"))]
Trainee = Annotated[Principal, Depends(require("ticket.create"))]
Supervisor = Annotated[Principal, Depends(require("reports.view"))]


def _run(db: Database, run_id: int, who: Principal) -> TrainingRun:
    with db.read() as session:
        run = flows.get_run(session, run_id)
        session.expunge(run)
    if (who.staff is None or who.staff.id != run.staff_id) and not who.can("reports.view"):
        raise Forbidden("a trainee sees only their own runs")
    return run


@router.get("", response_class=HTMLResponse)
def home(request: Request, db: DatabaseDep, who: Viewer, locale: LocaleDep) -> HTMLResponse:
    mine: list[TrainingRun] = []
    if who.staff is not None:
        with db.read() as session:
            mine = list(
                session.scalars(
                    select(TrainingRun)
                    .where(TrainingRun.staff_id == who.staff.id)
                    .order_by(TrainingRun.id.desc())
                    .limit(20)
                )
            )
            session.expunge_all()
    return render(
        request,
        "training/home.html",
        {"scenarios": scenarios.SCENARIOS, "runs": mine, "by_code": scenarios.BY_CODE},
    )


@router.post("/runs")
async def start(request: Request, who: Trainee, scenario: Annotated[str, Form(max_length=32)]) -> RedirectResponse:
    """Start a run: the scene is set and committed, then the resident texts or calls."""
    if who.staff is None:
        raise InvalidInput("a training run belongs to a staff member: log in")
    played = scenarios.get(scenario)
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    staff_id = who.staff.id

    def begin() -> int:
        with db.transaction() as session:
            trainee = session.get(Staff, staff_id)
            if trainee is None:
                raise NotFound("the trainee's staff record is gone")
            return flows.start(session, scenario=played, trainee=trainee, settings=settings).id

    run_id = await run_in_threadpool(begin)
    call_sid = await _opening(request, settings, played)
    if call_sid is not None:

        def remember() -> None:
            with db.transaction() as session:
                flows.remember_call(session, run=flows.get_run(session, run_id), call_sid=call_sid)

        await run_in_threadpool(remember)
    return RedirectResponse(f"/training/runs/{run_id}", status_code=303)


async def _opening(request: Request, settings: Settings, played: scenarios.Scenario) -> str | None:
    """The resident's first move, through the simulator's signed webhooks: a text, or a call
    that waits in the operators' queue (after pressing 0 at the menu). Returns the call's id."""
    if played.channel == "sms":
        form = phone.text_form(settings, phone=played.phone, body=played.words)
        await phone.post(request.app, settings, phone.SMS_PATH, form)
        return None
    call_sid = phone.new_sid(phone.SIMULATED_CALL)
    form = phone.call_form(settings, phone=played.phone, call_sid=call_sid, extra={"CallStatus": "ringing"})
    screen = phone.read_twiml((await phone.post(request.app, settings, "/voice/twilio/incoming", form)).body)
    if screen.gather is not None:
        menu = phone.call_form(settings, phone=played.phone, call_sid=call_sid, extra={"Digits": "0"})
        await phone.post(request.app, settings, "/voice/twilio/menu", menu)
    return call_sid


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: int, db: DatabaseDep, who: Viewer) -> HTMLResponse:
    run = _run(db, run_id, who)
    return render(
        request,
        "training/run.html",
        {
            "run": run,
            "scenario": scenarios.get(run.scenario),
            "criteria": scoring.CRITERIA,
            "urgency_labels": URGENCY_LABELS,
            "marks": run.marks.get("marks", []),
        },
    )


@router.post("/runs/{run_id}/advance")
async def advance(request: Request, run_id: int, who: Trainee) -> JSONResponse:
    """The scenario's next move (polled by the run's page): the provider side answers offers."""
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    run = await run_in_threadpool(_run, db, run_id, who)
    played = scenarios.get(run.scenario)

    def step() -> tuple[list[tuple[str, str]], str | None, str]:
        with db.transaction() as session:
            current = flows.get_run(session, run.id)
            texts = flows.advance(session, run=current, scenario=played)
            ticket = flows.ticket_of(session, current)
            return texts, current.ticket_number, ticket.status if ticket else ""

    texts, number, status = await run_in_threadpool(step)
    for sender, body in texts:
        await phone.post(request.app, settings, phone.SMS_PATH, phone.text_form(settings, phone=sender, body=body))
    return JSONResponse({"ticket": number, "status": status, "played": [body for _, body in texts]})


@router.post("/runs/{run_id}/finish")
def finish(run_id: int, db: DatabaseDep, who: Trainee) -> RedirectResponse:
    run = _run(db, run_id, who)
    with db.transaction() as session:
        current = flows.get_run(session, run.id)
        if current.finished_at is None:
            flows.finish(session, run=current, scenario=scenarios.get(run.scenario))
    return RedirectResponse(f"/training/runs/{run_id}", status_code=303)


@router.get("/results", response_class=HTMLResponse)
def results_page(
    request: Request, db: DatabaseDep, who: Supervisor, locale: LocaleDep, settings: SettingsDep
) -> HTMLResponse:
    with db.read() as session:
        rows = results.by_trainee(session)
    return render(
        request,
        "training/results.html",
        {"rows": rows, "scenarios": scenarios.SCENARIOS, "ready_score": scoring.READY_SCORE},
    )
