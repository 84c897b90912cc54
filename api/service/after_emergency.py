"""Relief after the emergency for an incident: transitional aid, the calendar, the register.

Computed from what is reported, always (no migration): the plans bring transitional aid
in 「灾害救助应急工作结束后」 (阳泉2026 §6.1.1), so until the response ends the block says
so (``response_ended`` false) and is a preview of the register. The event's figures are
the latest verdict's running totals, and so are a county's (``aid_by_county``, folded
report by report as the event's are, `api.service.reports.county_totals`): nothing
re-reads the history, however long.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from api.schemas.after_emergency import (
    AfterEmergencyOut,
    AidRowOut,
    ReliefCalendarOut,
    ReliefStepOut,
    TransitionalAidOut,
)
from api.service.bootstrap import Services
from api.service.decisions import decision_of
from geo.errors import InputError
from geo.plans.after_rules import AfterEmergency
from geo.plans.model import Plan
from geo.response.deadlines import CHINA, Deadline
from geo.response.decisions import response_state
from geo.response.relief_calendar import relief_calendar, step_deadline
from geo.response.transitional_aid import (
    AID_FIGURES,
    CountyAid,
    Reported,
    TransitionalAid,
    transitional_aid,
    with_remainder,
)
from layers.store.records import IncidentHistory
from web.register_text import ESTIMATE, register_preamble, register_table


def rules_of(plan: Plan) -> AfterEmergency:
    """The plan's ``[after_emergency]`` rules, or `InputError` naming the plan."""
    if plan.after_emergency is None:
        raise InputError(
            f"plan: {plan.id} has no [after_emergency] section; relief after the emergency "
            "is not profiled",
            field="plan",
        )
    return plan.after_emergency


def _reported(current: dict[str, Any], name: str) -> Reported | None:
    found = current.get(name)
    return Reported(found["value"], bool(found["estimated"])) if found is not None else None


def _counties(services: Services, history: IncidentHistory) -> list[CountyAid]:
    """Each county's figures: the running totals the latest verdict holds per county."""
    last = history.last_verdict
    totals: dict[str, dict[str, Any]] = last.body.get("aid_by_county", {}) if last else {}
    counties = []
    for code in sorted(totals):
        current = totals[code]
        counties.append(
            CountyAid(code, _name(services, code), *(_reported(current, n) for n in AID_FIGURES))
        )
    return counties


def _name(services: Services, code: str) -> str:
    """The county's name in the pack (the code itself if the pack no longer has it)."""
    try:
        return str(services.pack.county(code)["name"])
    except InputError:
        return code


def incident_aid(services: Services, history: IncidentHistory) -> TransitionalAid:
    """Transitional aid from the running totals of the incident's latest verdict."""
    plan = services.plans.get(history.incident.plan)
    last = history.last_verdict
    event = last.figures if last else {}
    whole = CountyAid(None, "", *(_reported(event, n) for n in AID_FIGURES))
    needs = services.logistics.needs
    return transitional_aid(
        rules_of(plan),
        with_remainder(_counties(services, history), whole),
        household_persons=needs.household_size,
        household_source=needs.household_source,
    )


def transitional_out(plan: Plan, aid: TransitionalAid) -> TransitionalAidOut:
    """Transitional aid as the API answers it, with the plan's clauses and sources."""
    rules = rules_of(plan)
    monthly = aid.monthly_per_person
    return TransitionalAidOut(
        clause=plan.cite(rules.transitional_clause),
        rule=rules.transitional_text,
        register_clause=plan.cite(rules.register_clause),
        rows=[AidRowOut.model_validate(asdict(r)) for r in aid.rows],
        total=AidRowOut.model_validate(asdict(aid.total)),
        months=aid.months,
        months_source=rules.months_source,
        monthly_per_person=float(monthly) if monthly is not None else None,
        monthly_source=rules.monthly_source,
        standard_note=rules.standard_note,
        household_persons=aid.household_persons,
        household_source=aid.household_source,
        estimate_label=ESTIMATE,
    )


def calendar_out(services: Services, plan: Plan, year: int) -> ReliefCalendarOut:
    """The plan's winter–spring relief calendar of ``year`` (2000–2100)."""
    steps = relief_calendar(plan, year, services.festivals)
    return ReliefCalendarOut(
        plan=plan.id,
        year=year,
        spring_festival=services.festivals.of(year + 1),
        lunar_source=services.festivals.source,
        timezone="Asia/Shanghai (UTC+8)",
        steps=[ReliefStepOut.model_validate(asdict(s)) for s in steps],
    )


def relief_year(history: IncidentHistory) -> int:
    """The winter whose relief the incident falls in: the year it started (China time)."""
    return history.incident.started.astimezone(CHINA).year


def after_emergency_out(services: Services, history: IncidentHistory) -> AfterEmergencyOut | None:
    """The incident's after-emergency block (from its head: no report is re-read), or None."""
    plan = services.plans.get(history.incident.plan)
    if plan.after_emergency is None:
        return None
    state = response_state([decision_of(d) for d in history.decisions])
    return AfterEmergencyOut(
        response_ended=state.ended is not None,
        transitional_aid=transitional_out(plan, incident_aid(services, history)),
        calendar=calendar_out(services, plan, relief_year(history)),
    )


def relief_deadlines(
    services: Services, history: IncidentHistory, *, at: datetime
) -> tuple[Deadline, ...]:
    """The winter–spring relief steps of the incident's year as deadlines at ``at``."""
    plan = services.plans.get(history.incident.plan)
    if plan.after_emergency is None:
        return ()
    steps = relief_calendar(plan, relief_year(history), services.festivals)
    started = history.incident.started
    return tuple(step_deadline(s, started=started, now=at) for s in steps)


#: The register's formats: media type of each.
REGISTER_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def register_file(services: Services, history: IncidentHistory, fmt: str) -> bytes:
    """The register (台账) of transitional aid per county as CSV or XLSX."""
    plan = services.plans.get(history.incident.plan)
    aid = incident_aid(services, history)
    incident = history.incident
    preamble = register_preamble(plan, aid, incident=incident.id, title=incident.title)
    table = register_table(aid)
    # start-up: openpyxl (imported by the register's module), only when a register is written
    from layers.exports.register import register_csv, register_xlsx  # noqa: PLC0415

    if fmt == "csv":
        return register_csv(preamble, table)
    if fmt == "xlsx":
        return register_xlsx(preamble, table)
    raise InputError(
        f"format: expected one of {sorted(REGISTER_TYPES)}, got {fmt!r}", field="format"
    )
