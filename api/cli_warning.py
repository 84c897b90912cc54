"""``reliefgis incident open|warning|tick``: an incident opened (as a forecast) from the shell.

The same use cases as ``POST /api/v1/incidents`` (with ``stage``), ``GET …/warning`` and
``POST …/warning-measures``, on the store the settings name; the output is in Chinese for
the bureau: the forecast's estimates (估算), the shelters to open, the stock to send ahead,
and the plan's warning measures as a checklist (☑ done, ☐ not yet).
"""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from api.settings import Settings
from geo.errors import InputError

#: An incident opens on a forecast (warning) or on the disaster (response).
STAGES = ("warning", "response")


def _time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected an ISO 8601 time") from None


def _checked(model: type[BaseModel], **values: Any) -> Any:
    """The request model, or a one-line `InputError` naming the first field refused."""
    try:
        return model(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "request"
        raise InputError(f"{field}: {first['msg']}", field=field) from None


def add_warning_verbs(
    verbs: Any,
    *,
    options: Callable[[argparse.ArgumentParser], None],
    settings: Callable[[argparse.Namespace], Settings],
) -> None:
    """Register ``reliefgis incident open``, ``warning`` and ``tick``."""
    opened = verbs.add_parser("open", help="open an incident on a footprint (or a forecast's)")
    opened.add_argument("footprint", metavar="FOOTPRINT.geojson", help="GeoJSON footprint")
    opened.add_argument("--hazard", required=True, help="hazard kind, e.g. flood, typhoon")
    opened.add_argument("--plan", help="plan profile id (default: the pack's plan)")
    opened.add_argument("--stage", choices=STAGES, default="response", help="warning: a forecast")
    opened.add_argument("--started", type=_time, help="ISO 8601 (no offset: UTC+8); default now")
    opened.add_argument("--title", help="incident name")
    opened.add_argument("--json", action="store_true", help="print the API's JSON")
    options(opened)
    opened.set_defaults(run=lambda args: cmd_open(args, settings(args)))
    shown = verbs.add_parser("warning", help="the warning record and its checklist")
    shown.add_argument("incident", metavar="INCIDENT_ID")
    shown.add_argument("--json", action="store_true", help="print the API's JSON")
    options(shown)
    shown.set_defaults(run=lambda args: cmd_warning(args, settings(args)))
    tick = verbs.add_parser("tick", help="record a warning measure as done")
    tick.add_argument("incident", metavar="INCIDENT_ID")
    tick.add_argument("--measure", required=True, help="the measure's id in the checklist")
    tick.add_argument("--done-by", required=True, help="the unit that did it")
    tick.add_argument("--time", type=_time, help="ISO 8601 (no offset: UTC+8); default now")
    tick.add_argument("--note", help="remarks")
    options(tick)
    tick.set_defaults(run=lambda args: cmd_tick(args, settings(args)))


def _read(path: str) -> object:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"footprint {path}: cannot be read ({exc.strerror})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"footprint {path}: not valid GeoJSON ({exc})") from exc


def _who() -> str:
    return f"cli:{getpass.getuser()}"


def cmd_open(args: argparse.Namespace, settings: Settings) -> int:
    """Open the incident (a forecast's warning record computed here); print what to do."""
    # start-up: the store, the pack and the plans are opened only by the commands that use them
    from api.schemas.incident import IncidentRequest  # start-up: as above
    from api.service.bootstrap import load_services  # start-up: as above
    from api.service.forecast import stage_footprint  # start-up: as above
    from api.service.incidents import incident_out, open_incident  # start-up: as above
    from api.service.warning import first_stages  # start-up: as above
    from layers.store.records import IncidentHistory  # start-up: as above

    body = _checked(
        IncidentRequest,
        footprint=_read(args.footprint),
        hazard=args.hazard,
        plan=args.plan,
        stage=args.stage,
        started=args.started,
        title=args.title,
    )
    services = load_services(settings)
    if services.store is None:  # pragma: no cover - load_services opens one
        raise InputError("store: no incident store is configured", field="store")
    plan = services.plan_id(body.plan)
    found = stage_footprint(
        services, body.footprint, stage=body.stage, hazard=body.hazard, plan=plan
    )
    record = open_incident(services, body, _who(), footprint=found.area)
    stages = first_stages(record, stage=body.stage, record=found.record)
    services.store.add_incident(record, *stages)
    answer = incident_out(
        services, IncidentHistory(incident=record, reports=(), verdicts=(), stages=stages)
    )
    if args.json:
        print(json.dumps(answer.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return 0
    print(f"已建立灾情 {record.id}（{answer.stage_label}）")
    if answer.warning is not None:
        print("\n".join(warning_lines(answer.warning)))
    return 0


def warning_lines(warning: dict[str, Any]) -> list[str]:
    """The warning record in Chinese: the estimates, shelters, stock and the checklist."""
    exposure = warning["exposure"]
    shelters = warning["shelters"]
    lines = [
        f"预计受灾 {exposure['affected']} 人，需转移安置 {exposure['displaced']} 人（估算）",
        f"需开放避难场所 {len(shelters['items'])} 处，可安置 {shelters['placed']} 人，"
        f"无处安置 {shelters['unplaced']} 人（估算）",
    ]
    lines += [
        f"  {s['name']}（{s['id']}）：容量 {s['capacity']} 人，安置 {s['persons']} 人"
        for s in shelters["items"]
    ]
    stock = warning["stock"]
    if stock is not None:
        names = stock["names"]
        lines.append(f"预置物资（{stock['days']} 天，估算）：{len(stock['items'])} 批")
        lines += [
            f"  {r['depot_name']} → {r['shelter_name']}："
            + "、".join(f"{names.get(item, item)} {q}" for item, q in r["items"].items())
            for r in stock["items"]
        ]
    checklist = warning["checklist"]
    if checklist is not None:
        lines.append(f"{checklist['title']}措施（{checklist['clause']}，{checklist['lead']}）：")
        lines += [
            f"  {'☑' if i['done'] else '☐'} [{i['id']}] {i['clause']} {i['text']}"
            f"（责任单位：{'；'.join(i['units'])}）"
            for i in checklist["items"]
        ]
    return lines


def cmd_warning(args: argparse.Namespace, settings: Settings) -> int:
    """Print the incident's warning record and checklist."""
    from api.service.bootstrap import load_services  # start-up: as above
    from api.service.warning import warning_out  # start-up: as above

    services = load_services(settings)
    if services.store is None:  # pragma: no cover - load_services opens one
        raise InputError("store: no incident store is configured", field="store")
    history = services.store.incident(args.incident, limit=1)
    found = warning_out(services.plans.get(history.incident.plan), history)
    if found is None:
        raise InputError(f"incident {args.incident}: opened without a forecast", field="incident")
    answer = found.model_dump(mode="json")
    if args.json:
        print(json.dumps(answer, ensure_ascii=False, indent=2))
        return 0
    print("\n".join(warning_lines(answer)))
    return 0


def cmd_tick(args: argparse.Namespace, settings: Settings) -> int:
    """Record a warning measure as done; print it (or refuse it naming the field)."""
    from api.schemas.warning import MeasureDoneRequest  # start-up: as above
    from api.service.bootstrap import load_services  # start-up: as above
    from api.service.decisions import now  # start-up: as above
    from api.service.warning import MeasureTaker  # start-up: as above

    body = _checked(
        MeasureDoneRequest,
        measure=args.measure,
        done_by=args.done_by,
        time=args.time,
        note=args.note,
    )
    services = load_services(settings)
    if services.store is None:  # pragma: no cover - load_services opens one
        raise InputError("store: no incident store is configured", field="store")
    taker = MeasureTaker(plans=services.plans.get, body=body, recorded=now(), requested_by=_who())
    record = services.store.add_measure_done(args.incident, taker)
    print(f"已完成 [{record.measure}] {record.clause}：{record.done_by}")
    return 0
