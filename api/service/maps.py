"""A stored assessment as a map or a file: the printed map, the incident map, the exports.

Each product is made in a compute process from the stored answer (JSON text), with the
footprint and routes bounded to a vertex budget first (`web.drawn_bounds`); the routes
keep them in `api.service.render_gate` once made.
"""

from __future__ import annotations

import json
import re
from typing import Literal

from api.service.bootstrap import Services
from api.service.printing import printed_pdf
from api.service.products import ExportFile
from geo.errors import NotFound
from web.drawn_bounds import bounded_for_maps

_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


def checked_id(assessment_id: str) -> str:
    """An assessment id that is safe in a file name, else NotFound."""
    # Ids become file names in Content-Disposition; refuse anything else outright.
    if not _ID.match(assessment_id):
        raise NotFound(f"assessment {assessment_id!r} does not exist")
    return assessment_id


def situation_map(
    services: Services, answer: str, *, paper: Literal["A3", "A4"], scale: str = "auto"
) -> ExportFile:
    """The printed situation map (PDF) of an answer stored as JSON text (a compute task)."""
    body = bounded_for_maps(json.loads(answer), max_vertices=services.settings.map_max_vertices)
    pdf = printed_pdf(services, body, paper=paper, scale=scale)
    return ExportFile(pdf, "application/pdf", f"{body.get('id', 'reliefgis')}-{paper}.pdf")


def incident_map(services: Services, answer: str) -> ExportFile:
    """The incident map of a stored answer: one self-contained HTML page (a compute task)."""
    from web.incident_map import render_html  # noqa: PLC0415 start-up: folium, likewise

    body = bounded_for_maps(json.loads(answer), max_vertices=services.settings.map_max_vertices)
    page = render_html(body, services.pack).encode("utf-8")
    return ExportFile(page, "text/html; charset=utf-8", f"reliefgis-{body.get('id', '')}.html")


def assessment_export(
    services: Services, answer: str, *, fmt: str, crs: str, encoding: str
) -> ExportFile:
    """A stored answer as one export file: gpkg, shp.zip, kml, xlsx, csv, docx (a compute task).

    The data exports carry every vertex; only the map the briefing embeds is bounded.
    """
    # start-up: the writers (openpyxl, python-docx) load when an export is first asked for
    from api.service.exports import export_file  # noqa: PLC0415 start-up: see above

    return export_file(services, json.loads(answer), fmt=fmt, crs=crs, encoding=encoding)
