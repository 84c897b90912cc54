"""What ``assess`` and ``quake`` write, and the options that choose it.

Both commands write ``assessment.json``, the printed map (``map.pdf``), the incident map
(``map.html``) and the exports named by ``--formats`` into one ``--out`` folder.
"""

from __future__ import annotations

import argparse
import json
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


def output_options(parser: argparse.ArgumentParser) -> None:
    """``--paper``, ``--formats`` and ``--crs``: the printed map and the exports."""
    parser.add_argument("--paper", choices=["A3", "A4"], default="A3", help="PDF paper size")
    parser.add_argument(
        "--formats",
        type=export_formats,
        default=[],
        help="also write exports: gpkg,shp,kml,xlsx,csv,docx (assessment.<format>)",
    )
    parser.add_argument("--crs", default="4326", help="exports in 4326 (WGS84) or 4490 (CGCS2000)")


def write_outputs(services: Any, body: dict[str, Any], args: argparse.Namespace) -> list[Path]:
    """Write ``assessment.json``, the maps and the exports into ``args.out``; the files written."""
    from api.service.exports import write_results  # start-up: matplotlib, folium, exporters

    out = out_folder(args.out)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "assessment.json"
    target.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
    written = write_results(
        services, body, out, formats=args.formats, paper=args.paper, crs=args.crs
    )
    return [target, *written]
