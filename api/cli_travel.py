"""``reliefgis travel``: travel times and distances between depots, shelters and points.

The same use case as ``POST /api/v1/travel`` (`api.service.travel`); ``api/cli.py``
registers the command and reads the footprint file.
"""

from __future__ import annotations

import argparse
import json

from api.settings import Settings
from geo.errors import InputError


def _point(text: str) -> object:
    """``LON,LAT`` as a point; anything else is a feature id (``depot:D1``)."""
    if ":" in text:
        return text
    parts = text.split(",")
    try:
        return [float(p) for p in parts] if len(parts) == 2 else text
    except ValueError:
        raise InputError(f"{text!r}: expected LON,LAT or an id such as depot:D1") from None


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options of ``reliefgis travel``."""
    parser.add_argument(
        "--from",
        dest="sources",
        action="append",
        required=True,
        type=_point,
        metavar="POINT",
        help="depot:ID, shelter:ID or LON,LAT (repeatable)",
    )
    parser.add_argument(
        "--to",
        dest="destinations",
        action="append",
        required=True,
        type=_point,
        metavar="POINT",
        help="as --from (repeatable)",
    )
    parser.add_argument("--footprint", metavar="F.geojson", help="close the roads crossing it")
    parser.add_argument(
        "--avoid",
        action="append",
        default=[],
        metavar="KIND",
        help="hazard-zone kind whose zones close roads too (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print the API's JSON")


def _minutes(seconds: float | None) -> str:
    return "不可达" if seconds is None else f"{seconds / 60:.1f} 分钟"


def cmd_travel(args: argparse.Namespace, settings: Settings, *, footprint: object | None) -> int:
    """Print the travel matrix, one line per source and destination."""
    # start-up: the road network is built only by the commands that route
    from api.service.bootstrap import load_services  # start-up: as above
    from api.service.travel import travel  # start-up: as above

    services = load_services(settings, with_store=False)
    answer = travel(
        services,
        sources=args.sources,
        destinations=args.destinations,
        footprint=footprint,
        avoid_hazard_kinds=args.avoid,
    )
    if args.json:
        print(json.dumps(answer, ensure_ascii=False, indent=2))
        return 0
    reasons = {(u["source"], u["destination"]): u["reason"] for u in answer["unreachable"]}
    for i, source in enumerate(answer["sources"]):
        for j, destination in enumerate(answer["destinations"]):
            seconds, metres = answer["durations"][i][j], answer["distances"][i][j]
            tail = (
                f"{metres / 1000:.2f} km" if metres is not None else reasons[(source, destination)]
            )
            print(f"{source} → {destination}: {_minutes(seconds)}, {tail}")
    return 0
