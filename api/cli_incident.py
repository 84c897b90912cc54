"""``reliefgis incident decide``: record a decision on an incident's response from the shell.

The same use case as ``POST /api/v1/incidents/{id}/decisions`` (`api.service.decisions`),
on the store the settings name (``RELIEF_STATE_DIR`` or ``RELIEF_DATABASE_URL``); the
audit records the decision as made from the command line by the user running it.
"""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from api.cli_warning import add_warning_verbs
from api.settings import Settings
from geo.errors import InputError


def _time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected an ISO 8601 time") from None


def add_incident(
    sub: Any,
    *,
    options: Callable[[argparse.ArgumentParser], None],
    settings: Callable[[argparse.Namespace], Settings],
) -> None:
    """Register ``reliefgis incident decide`` (and ``open``, ``warning``, ``tick``)."""
    incident = sub.add_parser("incident", help="an incident: open, warning measures, decisions")
    verbs = incident.add_subparsers(dest="verb", required=True, parser_class=type(incident))
    decide = verbs.add_parser("decide", help="start, raise, lower or end the response level")
    decide.add_argument("incident", metavar="INCIDENT_ID")
    decide.add_argument("--action", required=True, choices=["start", "raise", "lower", "end"])
    decide.add_argument("--level", type=int, choices=[1, 2, 3, 4], help="level entered")
    decide.add_argument("--decided-by", required=True, help="the role the plan names")
    decide.add_argument("--time", type=_time, help="ISO 8601 (no offset: UTC+8); default now")
    decide.add_argument("--basis", default="", help="basis of the decision")
    decide.add_argument("--stable", action="store_true", help="declares the disaster stable")
    decide.add_argument("--json", action="store_true", help="print the API's JSON")
    options(decide)
    decide.set_defaults(run=lambda args: cmd_decide(args, settings(args)))
    add_warning_verbs(verbs, options=options, settings=settings)


def cmd_decide(args: argparse.Namespace, settings: Settings) -> int:
    """Record the decision; print it (or refuse it in one line naming the field)."""
    # start-up: the store and the plans are opened only by the commands that use them
    from api.schemas.decision import DecisionRequest  # start-up: as above
    from api.service.bootstrap import load_services  # start-up: as above
    from api.service.decisions import decision_out, take_decision  # start-up: as above

    try:
        body = DecisionRequest(
            action=args.action,
            level=args.level,
            decided_by=args.decided_by,
            time=args.time,
            basis=args.basis,
            stable=args.stable,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "decision"
        raise InputError(f"{field}: {first['msg']}", field=field) from None
    services = load_services(settings)
    if services.store is None:  # pragma: no cover - load_services opens one
        raise InputError("store: no incident store is configured", field="store")
    record = services.store.add_decision(
        args.incident, take_decision(services, body, f"cli:{getpass.getuser()}")
    )
    answer = decision_out(record)
    if args.json:
        print(json.dumps(answer.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return 0
    print(f"{answer.action_label}{answer.label or ''}响应：{answer.decided_by}（{answer.clause}）")
    return 0
