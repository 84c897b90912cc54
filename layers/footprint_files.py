"""Footprint files and hazard rasters as users have them, read within limits.

A footprint arrives as a zipped Shapefile, a KML or KMZ, a GeoPackage (one ``layer``) or a
GeoJSON file, in whatever CRS the file declares; a hazard raster as a GeoTIFF of flood
depth (metres) or seismic intensity in any CRS. Each read is refused with one line naming
the file and what to do: unreadable, no CRS, no polygons, or over a limit (bytes,
features, vertices, cells), the limit named.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import rasterio
import shapely
from pyogrio import errors as ogr_errors
from pyproj import CRS
from rasterio.errors import RasterioError

from geo.errors import UploadError, UploadTooLarge
from geo.incident.footprint_crs import to_lonlat
from geo.incident.hazard_raster import HazardGrid

#: File name endings read as footprints, and as hazard rasters.
FOOTPRINT_SUFFIXES = (".zip", ".kml", ".kmz", ".gpkg", ".geojson", ".json")
RASTER_SUFFIXES = (".tif", ".tiff")
#: What GDAL (through pyogrio) raises on a file it cannot read.
_OGR_ERRORS = (
    ogr_errors.DataSourceError,
    ogr_errors.DataLayerError,
    ogr_errors.CRSError,
    ogr_errors.FeatureError,
    ogr_errors.FieldError,
    ogr_errors.GeometryError,
)
#: Feature properties kept in the footprint handed back (the ones that grade it).
KEPT_PROPERTIES = ("class", "depth_m", "intensity")


@dataclass(frozen=True)
class UploadLimits:
    """The most an uploaded footprint or raster may hold; each refusal names its limit."""

    max_bytes: int = 50_000_000
    max_features: int = 10_000
    max_vertices: int = 2_000_000
    max_cells: int = 100_000_000


#: A file already on this machine (a command-line path, an upload already taken in):
#: only the feature, vertex and cell limits apply.
LOCAL_LIMITS = UploadLimits(max_bytes=2**62)


def check_size(path: Path, *, name: str, limits: UploadLimits) -> None:
    """Refuse a file larger than ``limits.max_bytes``.

    Raises
    ------
    UploadTooLarge
        Naming the file and the limit.
    """
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise UploadTooLarge(
            f"{name}: {size} bytes is over the upload limit of {limits.max_bytes} bytes",
            field="file",
        )


def _source(path: Path, *, name: str) -> str:
    """The GDAL path: a zipped Shapefile is read inside its archive, a KMZ by its KML.

    GDAL's LIBKML driver reading a KMZ as a whole drops the ExtendedData schema fields
    (a class or depth column); the KML inside keeps them.
    """
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return f"/vsizip/{path}"
    if suffix == ".kmz":
        try:
            with zipfile.ZipFile(path) as archive:
                kml = [n for n in archive.namelist() if n.lower().endswith(".kml")]
        except zipfile.BadZipFile as exc:
            raise UploadError(f"{name}: not a KMZ (zip) archive", field="file") from exc
        if not kml:
            raise UploadError(f"{name}: the KMZ holds no .kml document", field="file")
        return f"/vsizip/{path}/{kml[0]}"
    return str(path)


def read_footprint_file(
    path: Path,
    *,
    name: str,
    layer: str | None = None,
    class_field: str | None = None,
    limits: UploadLimits = UploadLimits(),
) -> dict[str, Any]:
    """A footprint file as a GeoJSON FeatureCollection in EPSG:4326, grading properties kept.

    Parameters
    ----------
    path
        The file on disk; its suffix says what it is (`FOOTPRINT_SUFFIXES`).
    name
        The file's name as the user gave it, quoted in refusals.
    layer
        The layer of a GeoPackage (or other multi-layer file); the only one when omitted.
    class_field
        A column holding each feature's class or value, handed back as ``class``.

    Raises
    ------
    UploadError
        Unknown format, unreadable file, several layers and none named, no CRS, no polygons.
    UploadTooLarge
        Over the byte, feature or vertex limit.
    """
    if path.suffix.lower() not in FOOTPRINT_SUFFIXES:
        raise UploadError(
            f"{name}: not a footprint file; expected one of {', '.join(FOOTPRINT_SUFFIXES)}",
            field="file",
        )
    check_size(path, name=name, limits=limits)
    frame = _read_frame(path, name=name, layer=layer, limits=limits)
    if frame.crs is None:
        raise UploadError(
            f"{name}: no CRS is defined; add a .prj (Shapefile) or save it with a CRS",
            field="file",
        )
    polygonal = frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    if not polygonal.any():
        raise UploadError(
            f"{name}: holds no polygons; a footprint is an area (buffer points and lines first)",
            field="file",
        )
    frame = frame[polygonal]
    vertices = int(shapely.get_num_coordinates(frame.geometry.to_numpy()).sum())
    if vertices > limits.max_vertices:
        raise UploadTooLarge(
            f"{name}: {vertices} vertices is over the limit of {limits.max_vertices} vertices; "
            "simplify the footprint",
            field="file",
        )
    return _geojson(frame, class_field=class_field, name=name)


def _read_frame(path: Path, *, name: str, layer: str | None, limits: UploadLimits) -> Any:
    source = _source(path, name=name)
    try:
        layers = pyogrio.list_layers(source)
        if layer is None and len(layers) > 1:
            raise UploadError(
                f"{name}: holds layers {', '.join(str(n) for n in layers[:, 0])}; name one with "
                "layer",
                field="layer",
            )
        info = pyogrio.read_info(source, layer=layer)
        if info["features"] > limits.max_features:
            raise UploadTooLarge(
                f"{name}: {info['features']} features is over the limit of "
                f"{limits.max_features} features",
                field="file",
            )
        return gpd.read_file(source, layer=layer, engine="pyogrio")
    except _OGR_ERRORS as exc:
        raise UploadError(f"{name}: cannot be read ({exc})", field="file") from exc


def _geojson(frame: gpd.GeoDataFrame, *, class_field: str | None, name: str) -> dict[str, Any]:
    """The frame as lon/lat GeoJSON, keeping the grading columns (any case)."""
    columns = {str(c).lower(): c for c in frame.columns if c != frame.geometry.name}
    if class_field is not None and class_field not in frame.columns:
        raise UploadError(
            f"{name}: class_field {class_field!r} is not a column; columns: "
            f"{', '.join(str(c) for c in columns.values())}",
            field="class_field",
        )
    features = []
    for index, geometry in enumerate(frame.geometry.to_numpy()):
        properties: dict[str, Any] = {}
        for key in KEPT_PROPERTIES:
            column = class_field if key == "class" and class_field else columns.get(key)
            if column is not None:
                properties[key] = _plain(frame[column].iloc[index])
        features.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(geometry),
                "properties": properties,
            }
        )
    crs = CRS.from_user_input(frame.crs)
    collection = {"type": "FeatureCollection", "features": features}
    result = to_lonlat(collection, crs=crs.to_wkt())
    assert isinstance(result, dict)  # a mapping in, a mapping out
    return result


def _plain(value: Any) -> Any:
    """A pandas or numpy cell as a JSON value (None for missing)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def read_hazard_raster(
    path: Path, *, name: str, limits: UploadLimits = UploadLimits()
) -> HazardGrid:
    """Band 1 of a GeoTIFF as a `HazardGrid`; nodata and NaN cells are not valid.

    Raises
    ------
    UploadError
        Not a GeoTIFF, unreadable, or without a CRS.
    UploadTooLarge
        Over the byte or cell limit.
    """
    if path.suffix.lower() not in RASTER_SUFFIXES:
        raise UploadError(
            f"{name}: a hazard raster must be a GeoTIFF (.tif)", field="hazard_raster"
        )
    check_size(path, name=name, limits=limits)
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                raise UploadError(
                    f"{name}: the raster has no CRS; save it with one (e.g. EPSG:4547)",
                    field="hazard_raster",
                )
            if src.width * src.height > limits.max_cells:
                raise UploadTooLarge(
                    f"{name}: {src.width}×{src.height} cells is over the limit of "
                    f"{limits.max_cells} cells",
                    field="hazard_raster",
                )
            band = src.read(1, masked=True)
            transform, crs = src.transform, CRS.from_user_input(src.crs.to_wkt())
    except RasterioError as exc:
        raise UploadError(f"{name}: cannot be read ({exc})", field="hazard_raster") from exc
    values = np.ma.getdata(band)
    if values.dtype.kind not in "f":
        values = values.astype(np.float32)
    valid = ~np.ma.getmaskarray(band)
    return HazardGrid(values=values, valid=valid, transform=transform, crs=crs, name=name)
