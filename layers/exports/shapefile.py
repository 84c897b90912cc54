"""The assessment as zipped Shapefiles, for QGIS and ArcGIS users downstream.

A DBF field name holds ten bytes: a Chinese name cut there breaks the file, so fields
are ASCII (the GeoPackage's English names, shortened and kept unique) and ``fields.csv``
in the zip gives each one's full name and Chinese description. Text is UTF-8 by default
or GBK (what older ArcGIS expects), declared in each layer's ``.cpg``; the ``.prj`` names
the chosen CRS.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from geo.errors import ExportError, InputError
from layers.export import Names, readme_table
from layers.exports.features import GEOMETRY_TYPES, spatial_layers

DBF_NAME_BYTES = 10
DBF_TEXT_BYTES = 254
FIELDS_CSV = "fields.csv"


def dbf_names(columns: Iterable[str]) -> dict[str, str]:
    """Each column's DBF field name: ASCII, at most ten characters, unique in the layer."""
    out: dict[str, str] = {}
    for column in columns:
        ascii_name = column.encode("ascii", "replace").decode().replace("?", "_")
        name, n = ascii_name[:DBF_NAME_BYTES], 1
        while name.casefold() in {v.casefold() for v in out.values()}:
            suffix = str(n)
            name, n = ascii_name[: DBF_NAME_BYTES - len(suffix)] + suffix, n + 1
        out[column] = name
    return out


def dbf_text(value: Any, encoding: str, column: str) -> Any:
    """Text cut at a character boundary to the DBF's 254 bytes; others unchanged."""
    if not isinstance(value, str):
        return value
    try:
        data = value.encode(encoding)
    except UnicodeEncodeError as exc:
        raise InputError(
            f"encoding: {column} {value!r} has characters {encoding} cannot write; use utf-8",
            field="encoding",
        ) from exc
    return data[:DBF_TEXT_BYTES].decode(encoding, "ignore")


def _dbf_frame(frame: Any, names: Mapping[str, str], encoding: str) -> Any:
    out = frame.rename(columns=names)
    for column in names.values():
        if out[column].dtype == object:
            out[column] = [dbf_text(v, encoding, column) for v in out[column]]
    return out


def _fields_csv(renamed: Mapping[str, Mapping[str, str]], items: Mapping[str, str]) -> bytes:
    readme = readme_table({layer: list(names) for layer, names in renamed.items()}, items)
    described = {(r.layer, r.field): r.description for r in readme.itertuples()}
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(["图层 layer", "字段 field", "全名 full name", "中文说明"])
    for layer, names in renamed.items():
        writer.writerow([layer, "", "", described[(layer, "")]])
        for full, short in names.items():
            writer.writerow([layer, short, full, described[(layer, full)]])
    return text.getvalue().encode("utf-8-sig")


def write_shapefile_zip(
    assessment: Mapping[str, Any],
    *,
    counties: Any,
    depots: Any | None = None,
    names: Names | None = None,
    crs: str = "EPSG:4326",
    encoding: str = "UTF-8",
) -> bytes:
    """The assessment's layers as Shapefiles in one zip, with ``fields.csv``; the zip's bytes."""
    names = names or {}
    frames = spatial_layers(assessment, counties=counties, depots=depots, names=names, crs=crs)
    renamed = {
        layer: dbf_names(c for c in frame.columns if c != "geometry")
        for layer, frame in frames.items()
    }
    out = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="reliefgis-shp-") as folder:
        for layer, frame in frames.items():
            try:
                pyogrio.write_dataframe(
                    _dbf_frame(frame, renamed[layer], encoding),
                    Path(folder) / f"{layer}.shp",
                    driver="ESRI Shapefile",
                    geometry_type=GEOMETRY_TYPES[layer],
                    promote_to_multi=GEOMETRY_TYPES[layer].startswith("Multi"),
                    encoding=encoding,
                )
            except (DataSourceError, DataLayerError, OSError) as exc:
                raise ExportError(f"Shapefile {layer}: cannot be written ({exc})") from exc
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(folder).iterdir()):
                archive.write(path, path.name)
            archive.writestr(FIELDS_CSV, _fields_csv(renamed, names.get("item", {})))
    return out.getvalue()
