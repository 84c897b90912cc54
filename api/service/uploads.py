"""Uploaded footprint files and hazard rasters: read within limits, rasters kept by id.

``POST /api/v1/footprints`` hands its file here. A footprint file is read, answered as
lon/lat GeoJSON and deleted; a GeoTIFF is checked (CRS, size, values) and kept in the
state folder under an upload id that ``POST /api/v1/assessments`` names as
``hazard_raster``. Over HTTP a hazard raster is only ever an upload id, never a path on
the server; the command line passes a path.
"""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import IO, Any

from api.service.bootstrap import Services
from geo.errors import InputError, UploadError, UploadTooLarge
from geo.hazards.hazard_values import classify_values
from geo.incident.hazard_raster import raster_pieces
from layers.footprint_files import (
    FOOTPRINT_SUFFIXES,
    RASTER_SUFFIXES,
    UploadLimits,
    read_footprint_file,
    read_hazard_raster,
)

#: An upload id: 32 hexadecimal digits (a UUID4 without dashes).
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
_CHUNK = 1 << 20


def uploads_dir(services: Services) -> Path:
    """The folder uploaded hazard rasters are kept in (created on first use)."""
    folder = services.settings.state_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def limits_of(services: Services) -> UploadLimits:
    """Upload limits: the body limit for bytes, the defaults for the rest."""
    return UploadLimits(max_bytes=services.settings.max_body_bytes)


def raster_path(services: Services, reference: str | Path) -> Path:
    """The file a ``hazard_raster`` names: an upload id (HTTP) or a path (command line).

    Raises
    ------
    InputError
        An id that was never uploaded, or text that is not an upload id.
    """
    if isinstance(reference, Path):
        return reference
    if not UPLOAD_ID.match(reference):
        raise InputError(
            f"hazard_raster: {reference!r} is not an upload id; upload the GeoTIFF to "
            "POST /api/v1/footprints first",
            field="hazard_raster",
        )
    path = uploads_dir(services) / f"{reference}.tif"
    if not path.exists():
        raise InputError(
            f"hazard_raster: no uploaded raster has id {reference}", field="hazard_raster"
        )
    return path


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in FOOTPRINT_SUFFIXES + RASTER_SUFFIXES:
        raise UploadError(
            f"{name}: unknown file type; expected a zipped Shapefile (.zip), KML/KMZ, GeoPackage, "
            "GeoJSON or a GeoTIFF hazard raster (.tif)",
            field="file",
        )
    return suffix


def _save(stream: IO[bytes], target: Path, *, name: str, limits: UploadLimits) -> None:
    """Copy the stream to ``target``, refusing once it is over the byte limit."""
    written = 0
    with target.open("wb") as out:
        while chunk := stream.read(_CHUNK):
            written += len(chunk)
            if written > limits.max_bytes:
                raise UploadTooLarge(
                    f"{name}: over the upload limit of {limits.max_bytes} bytes", field="file"
                )
            out.write(chunk)


def receive_upload(
    services: Services,
    stream: IO[bytes],
    *,
    name: str,
    layer: str | None = None,
    class_field: str | None = None,
    hazard: str | None = None,
) -> tuple[bool, dict[str, Any]]:
    """Read an uploaded file; ``(True, raster summary)`` or ``(False, footprint GeoJSON)``.

    With ``hazard``, each footprint feature's depth or intensity is given its class name;
    a raster is classed to check that some cell is in a class of ``hazard``.
    """
    suffix = _suffix(name)
    limits = limits_of(services)
    upload_id = uuid.uuid4().hex
    target = uploads_dir(services) / f"{upload_id}{suffix}"
    try:
        _save(stream, target, name=name, limits=limits)
        if suffix in RASTER_SUFFIXES:
            return True, _raster_summary(services, target, upload_id, name=name, hazard=hazard)
        footprint = read_footprint_file(
            target, name=name, layer=layer, class_field=class_field, limits=limits
        )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    target.unlink(missing_ok=True)
    if hazard is not None:
        table = services.displacement.table(hazard)
        classified = classify_values(footprint, table, hazard=hazard)
        assert isinstance(classified, dict)  # a FeatureCollection in, one out
        footprint = classified
    return False, footprint


def _raster_summary(
    services: Services, path: Path, upload_id: str, *, name: str, hazard: str | None
) -> dict[str, Any]:
    grid = read_hazard_raster(path, name=name, limits=limits_of(services))
    kept = path.with_suffix(".tif")
    if kept != path:
        shutil.move(path, kept)
    summary: dict[str, Any] = {
        "hazard_raster": upload_id,
        "name": name,
        "crs": grid.crs.to_string(),
        "width": int(grid.values.shape[1]),
        "height": int(grid.values.shape[0]),
    }
    if hazard is not None:
        try:
            pieces = raster_pieces(grid, services.displacement.table(hazard), hazard=hazard)
        except BaseException:
            kept.unlink(missing_ok=True)
            raise
        summary["cells_by_class"] = pieces.cells
        summary["bounds"] = [round(float(v), 6) for v in pieces.pieces.total_bounds]
    return summary
