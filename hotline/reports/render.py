"""A report as a page, a standalone HTML file, CSV or XLSX: one context, the same tables."""

from __future__ import annotations

import csv
import io
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from config import charts, web
from config.i18n import N_, gettext, template_globals
from config.periods import Period
from config.settings import Settings
from dispatch.states import CHANNEL_LABELS
from hotline.reports import figures, packet, volunteers
from hotline.voice.models import OUTCOME_LABELS
from providers import reviews

KINDS = ("centre", "providers", "volunteers", "packet")
KIND_LABELS = {
    "centre": N_("Centre report"),
    "providers": N_("Providers report"),
    "volunteers": N_("Volunteers report"),
    "packet": N_("Social supervisors' packet"),
}
ORG_LEVELS = {
    "station": N_("Station"),
    "substation": N_("Substation"),
    "point": N_("Service point"),
    "volunteer": N_("Volunteer"),
}
OUTCOMES = {
    "upheld": N_("Upheld"),
    "not_upheld": N_("Not upheld"),
    "withdrawn": N_("Withdrawn"),
    "open": N_("Open"),
    "decided": N_("Decided"),
}


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def headline(c: figures.Centre, locale: str) -> list[tuple[str, str]]:
    """The centre's figures as (label, shown value), in the order people read them."""

    def _(message: str, **params: Any) -> str:
        return gettext(locale, message, **params)

    median = c.median_acceptance_minutes
    minutes = "" if median is None else format(median, "g")
    return [
        (_("Contacts"), str(c.contacts)),
        (_("Calls answered"), str(c.calls.get("answered", 0))),
        (_("Calls abandoned"), str(c.calls.get("abandoned", 0))),
        (_("First-contact resolutions"), str(c.first_contact)),
        (_("Median time to acceptance"), "–" if median is None else _("{minutes} min", minutes=minutes)),
        (_("Response time met"), f"{_pct(c.sla_share)} ({c.sla_met}/{c.sla_due})"),
        (_("Services delivered (person-times)"), str(c.services)),
        (_("Satisfaction rate (scores 4-5)"), f"{_pct(c.satisfaction)} ({c.surveys_satisfied}/{c.surveys_answered})"),
        (_("Callback reach rate"), f"{_pct(c.reach)} ({c.surveys_answered}/{c.surveys_finished})"),
        (_("Complaints received"), str(c.complaints_received)),
        (_("Complaints upheld"), str(c.complaints_upheld)),
        (_("Complaints overdue"), str(c.complaints_overdue)),
    ]


def context(session: Session, *, kind: str, period: Period, settings: Settings, locale: str) -> dict[str, Any]:
    """Everything a report shows, for one kind (or ``all``: centre, providers and volunteers)."""
    wanted = ("centre", "providers", "volunteers") if kind == "all" else (kind,)
    ctx: dict[str, Any] = {"period": period, "kind": kind, "sections": wanted, "report_locale": locale}

    def _(message: str, **params: Any) -> str:
        return gettext(locale, message, **params)

    if "centre" in wanted or "packet" in wanted:
        if "packet" in wanted:
            pk = packet.packet(session, period=period, locale=locale, zone=settings.zone)
            c = pk.centre
            ctx["complaints"] = [
                row | {"outcome_label": _(OUTCOMES.get(row["outcome"], row["outcome"]))} for row in pk.complaints
            ]
            ctx["decisions"] = [
                row
                | {
                    "proposal_label": _(reviews.LABELS[row["proposal"]]),
                    "decision_label": _(reviews.LABELS[row["decision"]]),
                    "rule_label": _(reviews.RULES.get(row["rule"], row["rule"])),
                    "status_label": _(reviews.REVIEW_STATUS_LABELS.get(row["status"], row["status"])),
                }
                for row in pk.decisions
            ]
        else:
            c = figures.centre(session, period=period, locale=locale)
        ctx["centre"] = c
        ctx["headline"] = headline(c, locale)
        channels = [(_(CHANNEL_LABELS.get(k, k)), float(v)) for k, v in c.contacts_by_channel.items()]
        ctx["centre_charts"] = [
            charts.shares(_("Contacts by channel"), channels),
            charts.shares(_("Inbound calls"), [(_(OUTCOME_LABELS.get(k, k)), float(v)) for k, v in c.calls.items()]),
            charts.bars(_("Tickets by category"), [(name, float(n)) for _code, name, n in c.by_category]),
            charts.bars(_("Tickets by community"), [(name, float(n)) for _code, name, n in c.by_community]),
            charts.line(_("Services delivered by month"), [(m["month"], float(m["services"])) for m in c.trend]),
            charts.line(
                _("Satisfaction rate by month"), [(m["month"], m["satisfaction"]) for m in c.trend], percent=True
            ),
        ]
    if "providers" in wanted:
        p = figures.providers(session, period=period, settings=settings, locale=locale)
        ctx["providers"] = p
        ctx["proposal_labels"] = {k: _(v) for k, v in reviews.LABELS.items()}
        ctx["rule_labels"] = {k: _(v) for k, v in reviews.RULES.items()} | {"not_reviewed": _("Not reviewed")}
        ctx["provider_charts"] = [
            charts.bars(_("Rating, {category}", category=name), [(row.name, row.rating) for row in rows], limit=10)
            for _code, name, rows in p.categories
        ]
        ctx["proposal_chart"] = charts.shares(
            _("Review proposals"), [(_(reviews.LABELS[k]), float(v)) for k, v in p.proposals.items()]
        )
    if "volunteers" in wanted:
        v = volunteers.volunteers(session, period=period, locale=locale)
        ctx["volunteers"] = v
        ctx["org_levels"] = {k: _(m) for k, m in ORG_LEVELS.items()}
        ctx["volunteer_chart"] = charts.bars(
            _("Service hours by station"), [(r.name, r.hours) for r in v.rows if r.depth == 0], unit=" h"
        )
    return ctx


def tables(ctx: dict[str, Any], locale: str) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The report's tables (title, header, rows) for CSV and XLSX."""

    def _(message: str, **params: Any) -> str:
        return gettext(locale, message, **params)

    result: list[tuple[str, list[str], list[list[Any]]]] = []
    if "centre" in ctx:
        c: figures.Centre = ctx["centre"]
        result.append((_("Centre report"), [_("Figure"), _("Value")], [[k, v] for k, v in c.summary().items()]))
        result.append(
            (
                _("Contacts by channel"),
                [_("Channel"), _("Tickets")],
                [[_(CHANNEL_LABELS.get(k, k)), n] for k, n in c.contacts_by_channel.items()],
            )
        )
        result.append(
            (_("Tickets by category"), [_("Code"), _("Category"), _("Tickets")], [list(r) for r in c.by_category])
        )
        result.append(
            (_("Tickets by community"), [_("Code"), _("Community"), _("Tickets")], [list(r) for r in c.by_community])
        )
        result.append(
            (
                _("By month"),
                [
                    _("Month"),
                    _("Tickets"),
                    _("Services delivered (person-times)"),
                    _("Surveys"),
                    _("Satisfaction rate (scores 4-5)"),
                ],
                [[m["month"], m["tickets"], m["services"], m["surveys"], m["satisfaction"]] for m in c.trend],
            )
        )
    if "providers" in ctx:
        p: figures.ProvidersReport = ctx["providers"]
        header = [
            _("Category"), _("Rank"), _("Provider id"), _("Provider"), _("Status"), _("Rating"), _("Surveys"),
            _("Jobs completed"), _("On time"), _("Upheld complaints"), _("Per 100 jobs"), _("Overcharges"),
            _("Rating, last period"), _("Jobs, last period"), _("Proposal"), _("Rule"), _("Decision"),
        ]  # fmt: skip
        rows = []
        for _code, name, ranked in p.categories:
            for rank, r in enumerate(ranked, 1):
                rows.append(
                    [
                        name, rank, r.id, r.name, r.status, r.rating, r.surveys, r.completed, r.on_time, r.complaints,
                        r.complaints_per_100, r.overcharges, r.last_rating, r.last_completed,
                        ctx["proposal_labels"][r.proposal], ctx["rule_labels"].get(r.rule, r.rule),
                        ctx["proposal_labels"].get(r.decision or "", ""),
                    ]
                )  # fmt: skip
        result.append((_("Providers report"), header, rows))
    if "volunteers" in ctx:
        v: volunteers.VolunteersReport = ctx["volunteers"]
        result.append(
            (
                _("Volunteers report"),
                [_("Level"), _("Name"), _("Service hours"), _("Welfare jobs done")],
                [[ctx["org_levels"][r.level], r.name, r.hours, r.jobs] for r in v.rows],
            )
        )
    if "complaints" in ctx:
        result.append(
            (
                _("Complaints and their outcomes"),
                [_("Received"), _("Resident"), _("Provider"), _("Complaint"), _("Outcome"), _("Reply"), _("Late")],
                [
                    [r["received"], r["resident"], r["provider"], r["text"], r["outcome_label"], r["reply"], r["late"]]
                    for r in ctx["complaints"]
                ],
            )
        )
        result.append(
            (
                _("Review decisions"),
                [_("Period"), _("Provider"), _("Proposal"), _("Decision"), _("Why"), _("Appeal")],
                [
                    [r["period"], r["provider"], r["proposal_label"], r["decision_label"], r["reason"], r["appeal"]]
                    for r in ctx["decisions"]
                ],
            )
        )
    return result


def to_csv(ctx: dict[str, Any], locale: str) -> str:
    """Each table under its title, a blank line between (UTF-8 with BOM for spreadsheet programs)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for i, (title, header, rows) in enumerate(tables(ctx, locale)):
        if i:
            writer.writerow([])
        writer.writerow([title, ctx["period"].key])
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    return "\ufeff" + out.getvalue()


def to_xlsx(ctx: dict[str, Any], locale: str) -> bytes:
    """One sheet per table (openpyxl, write-only), header row bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    used: set[str] = set()
    for title, header, rows in tables(ctx, locale):
        name = title[:28].replace("/", "-").replace(":", " ")
        while name in used:
            name += "_"
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.freeze_panes = "A2"
        bold = []
        for label in header:
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_html(ctx: dict[str, Any], *, settings: Settings, locale: str) -> str:
    """A whole HTML document, styles inline: opens and prints anywhere, offline."""
    page = web.templates.get_template("reports/standalone.html")
    return page.render(
        **template_globals(locale),
        centre_name=settings.centre_name_en if locale == "en" else settings.centre_name_zh,
        title=gettext(locale, KIND_LABELS.get(ctx["kind"], "Centre report")),
        css=Markup(REPORT_CSS),
        **ctx,
    )


REPORT_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",system-ui,sans-serif;margin:1.5rem;color:#1a202c}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #cbd5e0;padding:.2rem .5rem;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.5rem;margin:.5rem 0 1rem}
.figure{border:1px solid #cbd5e0;border-radius:4px;padding:.4rem .6rem}
.figure .label{font-size:.8rem;color:#4a5568}.figure .value{font-size:1.3rem;font-weight:bold}
.charts{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}.chart{max-width:100%;height:auto}
.proposal-warn{color:#b7791f}.proposal-probation{color:#c05621}.proposal-remove{color:#c53030;font-weight:bold}
.muted{color:#718096}
.table-scroll{overflow-x:auto}.reviews input[name=reason],.reviews input[name=note]{width:9rem}
.reviews td{vertical-align:top}.reviews form{display:flex;flex-wrap:wrap;gap:.2rem}
@media print{body{margin:0}.no-print{display:none}section{break-inside:avoid-page}h2{break-after:avoid}}
"""
