"""``reliefgis incident decide`` and ``register``: decisions and the 台账 from the shell.

The same use case as ``POST /api/v1/incidents/{id}/decisions`` (`api.service.decisions`),
on the store the settings name (``RELIEF_STATE_DIR`` or ``RELIEF_DATABASE_URL``); the
audit records the decision as made from the command line by the user running it.
``register`` writes the register of transitional aid per county (CSV or XLSX by the
file's suffix), as ``GET /api/v1/incidents/{id}/register.xlsx`` answers it.
"""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

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
    incident: argparse.ArgumentParser,
    *,
    options: Callable[[argparse.ArgumentParser], None],
    settings: Callable[[argparse.Namespace], Settings],
) -> None:
    """Register the ``reliefgis incident`` verbs: open, warning, tick, decide, register."""
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
    register = verbs.add_parser("register", help="the register (台账) of transitional aid")
    register.add_argument("incident", metavar="INCIDENT_ID")
    register.add_argument("--out", required=True, type=Path, help="FILE.xlsx or FILE.csv")
    options(register)
    register.set_defaults(run=lambda args: cmd_register(args, settings(args)))
    add_warning_verbs(verbs, options=options, settings=settings)


def cmd_register(args: argparse.Namespace, settings: Settings) -> int:
    """Write the register to ``--out`` (its suffix picks CSV or XLSX); print where."""
    from api.service.after_emergency import register_file  # start-up: the store and plans
    from api.service.bootstrap import load_services  # start-up: as above

    fmt = args.out.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise InputError(f"--out: expected a .xlsx or .csv file, got {args.out}", field="--out")
    services = load_services(settings)
    if services.store is None:  # pragma: no cover - load_services opens one
        raise InputError("store: no incident store is configured", field="store")
    content = register_file(services, services.store.incident(args.incident, limit=1), fmt)
    args.out.write_bytes(content)
    print(f"过渡期生活救助台账已写入 {args.out}")
    return 0


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
