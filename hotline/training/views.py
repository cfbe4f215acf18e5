"""``/training``: start a scenario, follow it while handling the ticket on the console, finish and
see the marks; ``/training/results`` shows supervisors who is ready. Mounted in training mode only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from sqlalchemy import select

from config.auth import Principal, require
from config.errors import Forbidden, InvalidInput, NotFound
from config.settings import Settings
from config.web import DatabaseDep, LocaleDep, SettingsDep, render
from hotline.simulator import phone
from hotline.training import flows, results, scenarios, scoring
from hotline.training.models import TrainingRun
from hotline.voice import twilio_calls

router = APIRouter(prefix="/training", include_in_schema=False)
Viewer = Annotated[Principal, Depends(require("console.view"))]
Trainee = Annotated[Principal, Depends(require("ticket.create"))]
Supervisor = Annotated[Principal, Depends(require("reports.view"))]


def _run(db: DatabaseDep, run_id: int, who: Principal) -> TrainingRun:
    with db.read() as session:
        run = session.get(TrainingRun, run_id)
        if run is None:
            raise NotFound(f"no training run {run_id}")
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
    db, settings = request.app.state.db, request.app.state.settings
    staff_id = who.staff.id

    def begin() -> int:
        with db.transaction() as session:
            from config.staff import Staff

            return flows.start(session, scenario=played, trainee=session.get(Staff, staff_id), settings=settings).id

    from starlette.concurrency import run_in_threadpool

    run_id = await run_in_threadpool(begin)
    await _opening(request, settings, played, run_id)
    return RedirectResponse(f"/training/runs/{run_id}", status_code=303)


async def _opening(request: Request, settings: Settings, played: scenarios.Scenario, run_id: int) -> None:
    """The resident's first move, through the simulator's signed webhooks."""
    if played.channel == "sms":
        await phone.post(
            request.app, settings, phone.SMS_PATH, phone.text_form(settings, phone=played.phone, body=played.words)
        )
        return
    call_sid = phone.new_sid(phone.SIMULATED_CALL)
    form = phone.call_form(settings, phone=played.phone, call_sid=call_sid, extra={"CallStatus": "ringing"})
    screen = phone.read_twiml((await phone.post(request.app, settings, "/voice/twilio/incoming", form)).body)
    if screen.gather is not None:  # the menu: the caller presses 0 for an operator
        menu = phone.call_form(settings, phone=played.phone, call_sid=call_sid, extra={"Digits": "0"})
        await phone.post(request.app, settings, "/voice/twilio/menu", menu)
    with request.app.state.db.transaction() as session:
        run = session.get(TrainingRun, run_id)
        call = twilio_calls.find(session, call_sid=call_sid)
        run.script = {**run.script, "call_sid": call_sid, "call_id": call.id if call else None}


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: int, db: DatabaseDep, who: Viewer, locale: LocaleDep) -> HTMLResponse:
    run = _run(db, run_id, who)
    played = scenarios.get(run.scenario)
    return render(
        request,
        "training/run.html",
        {
            "run": run,
            "scenario": played,
            "criteria": scoring.CRITERIA,
            "marks": run.marks.get("marks", []),
        },
    )


@router.post("/runs/{run_id}/advance")
async def advance(request: Request, run_id: int, who: Trainee) -> JSONResponse:
    """The scenario's next move (polled by the run's page): the provider side answers offers."""
    db = request.app.state.db
    settings: Settings = request.app.state.settings
    run = _run(db, run_id, who)
    played = scenarios.get(run.scenario)

    def step() -> tuple[list[tuple[str, str]], str | None, str]:
        with db.transaction() as session:
            current = session.get(TrainingRun, run.id)
            texts = flows.advance(session, run=current, scenario=played)
            ticket = flows.ticket_of(session, current)
            return texts, current.ticket_number, ticket.status if ticket else ""

    from starlette.concurrency import run_in_threadpool

    texts, number, status = await run_in_threadpool(step)
    for sender, body in texts:
        await phone.post(request.app, settings, phone.SMS_PATH, phone.text_form(settings, phone=sender, body=body))
    return JSONResponse({"ticket": number, "status": status, "played": [body for _, body in texts]})


@router.post("/runs/{run_id}/finish")
def finish(request: Request, run_id: int, db: DatabaseDep, who: Trainee) -> RedirectResponse:
    run = _run(db, run_id, who)
    with db.transaction() as session:
        current = session.get(TrainingRun, run.id)
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
