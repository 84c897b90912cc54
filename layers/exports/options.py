"""The options every export takes: the format, the CRS and the text encoding, checked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from geo.errors import InputError

#: File formats by the suffix of ``export.{suffix}``, with their media types.
MEDIA_TYPES: Final[Mapping[str, str]] = {
    "gpkg": "application/geopackage+sqlite3",
    "shp.zip": "application/zip",
    "kml": "application/vnd.google-earth.kml+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
#: Short names the command line takes (``--formats gpkg,shp``) for the suffixes.
SHORT_NAMES: Final[Mapping[str, str]] = {"shp": "shp.zip", **{s: s for s in MEDIA_TYPES}}
#: CGCS2000 (EPSG:4490) and WGS84 differ by centimetres: the same coordinates, relabelled.
CRSES: Final[Mapping[str, str]] = {
    "4326": "EPSG:4326",
    "epsg:4326": "EPSG:4326",
    "4490": "EPSG:4490",
    "epsg:4490": "EPSG:4490",
}
ENCODINGS: Final[Mapping[str, str]] = {"utf-8": "UTF-8", "utf8": "UTF-8", "gbk": "GBK"}


def export_format(text: str) -> str:
    """The format suffix ``text`` names (``shp`` → ``shp.zip``), or InputError."""
    found = SHORT_NAMES.get(text.strip().casefold())
    if found is None:
        raise InputError(
            f"format: {text!r} is not one of {', '.join(MEDIA_TYPES)}", field="format"
        )
    return found


def export_crs(text: str) -> str:
    """``EPSG:4326`` or ``EPSG:4490`` for what the user wrote, or InputError naming ``crs``."""
    found = CRSES.get(text.strip().casefold())
    if found is None:
        raise InputError(
            f"crs: {text!r} is not one of 4326, 4490 (EPSG:4326 WGS84, EPSG:4490 CGCS2000)",
            field="crs",
        )
    return found


def export_encoding(text: str) -> str:
    """``UTF-8`` or ``GBK`` for what the user wrote, or InputError naming ``encoding``."""
    found = ENCODINGS.get(text.strip().casefold())
    if found is None:
        raise InputError(f"encoding: {text!r} is not one of utf-8, gbk", field="encoding")
    return found


def export_formats(text: str) -> list[str]:
    """The format suffixes of a comma-separated list (``gpkg,shp,kml``), each checked."""
    return [export_format(part) for part in text.split(",") if part.strip()]
