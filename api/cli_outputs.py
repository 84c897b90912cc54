"""What ``assess`` and ``quake`` write, and the options that choose it.

Both commands write ``assessment.json``, the printed map (``map.pdf``), the incident map
(``map.html``) and the exports named by ``--formats`` into one ``--out`` folder.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

from geo.errors import InputError
from layers.exports.options import export_formats


def out_folder(text: str) -> Path:
    """The ``--out`` folder, refused when it names a file."""
    out = Path(text)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a folder", field="out")
    return out


def print_scale(text: str) -> str:
    """``--scale``: ``auto`` or a standard scale's denominator (``1:50,000`` → ``50000``)."""
    from web.print.sheets import parse_scale  # start-up: shapely, only for a map's options

    try:
        denominator = parse_scale(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return "auto" if denominator is None else str(denominator)


def output_options(parser: argparse.ArgumentParser) -> None:
    """``--paper``, ``--scale``, ``--formats`` and ``--crs``: the printed map and the exports."""
    parser.add_argument("--paper", choices=["A3", "A4"], default="A3", help="PDF paper size")
    parser.add_argument(
        "--scale",
        type=print_scale,
        default="auto",
        help="printed map scale: auto (the largest standard scale that holds the footprint), "
        "10000, 25000, 50000, 100000, 250000 or 500000",
    )
    parser.add_argument(
        "--formats",
        type=export_formats,
        default=[],
        help="also write exports: gpkg,shp,kml,xlsx,csv,docx (assessment.<format>)",
    )
    parser.add_argument("--crs", default="4326", help="exports in 4326 (WGS84) or 4490 (CGCS2000)")


def _fork_incident_map(services: Any, body: dict[str, Any], target: Path) -> int | None:
    """Start writing ``map.html`` in a forked copy of this process: its pid, else None.

    The incident map and the printed map are made from the same answer and share nothing,
    so the copy writes one (importing folium) while this process writes the other
    (importing matplotlib), on another core. Only where fork is safe to use here (Linux:
    this process runs no other thread: with ``--dask`` the client's threads run, and a fork
    could copy a lock one of them holds); elsewhere the maps are written one after the other.
    """
    if not hasattr(os, "fork") or sys.platform == "darwin" or threading.active_count() > 1:
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1  # any failure: this process writes the map itself, and reports it
    try:
        from api.service.exports import write_incident_map  # start-up: folium, in the copy

        write_incident_map(services, body, target)
        code = 0
    finally:
        os._exit(code)  # the copy ends here: no exit handlers, no second flush of stdout


def _forked_ok(pid: int | None) -> bool:
    if pid is None:
        return False
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def write_outputs(services: Any, body: dict[str, Any], args: argparse.Namespace) -> list[Path]:
    """Write ``assessment.json``, the maps and the exports into ``args.out``; the files written."""
    out = out_folder(args.out)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "assessment.json"
    target.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
    page = out / "map.html"
    forked = _fork_incident_map(services, body, page)
    # start-up: matplotlib and the exporters, imported after the fork (folium in the copy)
    from api.service.exports import write_incident_map, write_results

    try:
        written = write_results(
            services,
            body,
            out,
            formats=args.formats,
            paper=args.paper,
            scale=args.scale,
            crs=args.crs,
            html=False,
        )
    finally:
        made = _forked_ok(forked)  # the copy is waited for, whatever happened here
    if not made:
        write_incident_map(services, body, page)
    return [target, written[0], page, *written[1:]]
