"""A stored assessment as a map or a file: the printed map, the incident map, the GeoPackage."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Literal

from api.service.bootstrap import Services
from geo.errors import NotFound
from layers.store.store import Store
from web.incident_map import render_html
from web.print.render import render_pdf

if TYPE_CHECKING:
    from api.service.exports import ExportFile

_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


def situation_map(services: Services, answer: str, *, paper: Literal["A3", "A4"]) -> bytes:
    """The printed situation map (PDF) of an answer stored as JSON text (a compute task)."""
    return render_pdf(
        json.loads(answer), services.pack, paper=paper, font=services.settings.font
    )


def _checked_id(assessment_id: str) -> str:
    # Ids become file names in Content-Disposition; refuse anything else outright.
    if not _ID.match(assessment_id):
        raise NotFound(f"assessment {assessment_id!r} does not exist")
    return assessment_id


def incident_map(services: Services, store: Store, assessment_id: str) -> str:
    """The incident map of a stored assessment: one self-contained HTML page."""
    body = store.assessment(_checked_id(assessment_id))
    return render_html(body, services.pack)


def assessment_export(
    services: Services, store: Store, assessment_id: str, *, fmt: str, crs: str, encoding: str
) -> ExportFile:
    """A stored assessment as one export file (gpkg, shp.zip, kml, xlsx, csv, docx)."""
    # start-up: the writers (openpyxl, python-docx) load when an export is first asked for
    from api.service.exports import export_file  # noqa: PLC0415 start-up: see above
    body = store.assessment(_checked_id(assessment_id))
    return export_file(services, body, fmt=fmt, crs=crs, encoding=encoding)
