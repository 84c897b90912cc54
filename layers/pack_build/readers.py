"""Read one source file into a frame: Shapefile, GeoPackage, GeoJSON, KML, CSV or XLSX.

Vector files are read by GDAL (pyogrio), which finds a Shapefile's encoding in its
``.cpg`` (``encoding`` overrides it) and reads a zipped Shapefile in place. CSV and XLSX
are read as text (a code keeps its leading zeros); their ``x``/``y`` columns become
points, in the sources file's ``crs`` or, without one, lon/lat. Coordinates picked off a
Chinese web map (``datum`` GCJ-02 or BD-09) are brought to WGS84 here, row by row: a point
outside China, where the offset is undefined, refuses the source naming its row.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from numpy.typing import NDArray
from pyproj import CRS

from geo.chinese_datums import CHINA_BOX, to_wgs84
from geo.errors import LayerError
from layers.pack import SPEC_BY_NAME
from layers.pack_build.columns import RowLabel, pack_columns
from layers.pack_build.sources import LayerSource

LONLAT = "EPSG:4326"
TABLE_SUFFIXES = frozenset({".csv", ".txt", ".xlsx", ".xlsm"})
_SHIFTED = frozenset({"GCJ-02", "BD-09"})
#: A Shapefile named by its .shp, its .zip or its folder (a folder has no suffix).
_SHAPEFILE = frozenset({".shp", ".zip", ""})


def _row_label(source: LayerSource) -> RowLabel:
    """How a row is named: as a spreadsheet shows it (header is row 1), or the feature id."""
    if source.file.suffix.lower() in TABLE_SUFFIXES:
        return lambda i: f"row {i + 2}"
    return lambda i: f"feature {i}"


def _read_table(source: LayerSource) -> pd.DataFrame:
    suffix = source.file.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            sheet: str | int = source.layer if source.layer is not None else 0
            return pd.read_excel(source.file, sheet_name=sheet, dtype=object)
        return pd.read_csv(
            source.file, dtype=str, encoding=source.encoding or "utf-8-sig", keep_default_na=False
        )
    except UnicodeDecodeError as exc:
        raise LayerError(
            f"{source.where()}: not {source.encoding or 'UTF-8'} text ({exc.reason}); "
            'give its encoding, e.g. encoding = "GBK"'
        ) from exc
    except (OSError, ValueError, KeyError, pd.errors.ParserError) as exc:
        raise LayerError(f"{source.where()}: cannot be read ({exc})") from exc


def _points(frame: pd.DataFrame, source: LayerSource) -> gpd.GeoDataFrame:
    """Points from the ``x``/``y`` columns; an empty or non-numeric cell refuses the source."""
    row = _row_label(source)
    coords = []
    for column in (source.x, source.y):
        if column not in frame.columns:
            raise LayerError(
                f"{source.where()}, column {column!r}: not found; the file has "
                f"{list(frame.columns)}"
            )
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            i = int(bad[0])
            raise LayerError(
                f"{source.where()}, {row(i)}, column {column!r}: {frame[column].iloc[i]!r} "
                "is not a coordinate"
            )
        coords.append(values)
    geometry = gpd.GeoSeries(shapely.points(coords[0], coords[1]), index=frame.index)
    rest = frame.drop(columns=[source.x, source.y])
    return gpd.GeoDataFrame(rest, geometry=geometry, crs=source.crs or LONLAT)


def _latin1_only(value: object) -> bool:
    """Text of high Latin-1 letters only: Chinese bytes read as ISO-8859-1 look like this."""
    return (
        isinstance(value, str)
        and any("\x80" <= ch <= "\xff" for ch in value)
        and all(ch <= "\xff" for ch in value)
    )


def _check_decoded(frame: pd.DataFrame, source: LayerSource) -> None:
    """Refuse a Shapefile whose text GDAL had to guess (no ``.cpg``) and got wrong."""
    if source.encoding or source.file.suffix.lower() not in _SHAPEFILE:
        return
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            bad = np.flatnonzero(frame[column].map(_latin1_only).to_numpy(dtype=bool))
            if bad.size:
                i = int(bad[0])
                raise LayerError(
                    f"{source.where()}, {_row_label(source)(i)}, column {column!r}: text "
                    f"{frame[column].iloc[i]!r} looks mis-read (no .cpg names the encoding); "
                    'give it, e.g. encoding = "GBK"'
                )


def _read_vector(source: LayerSource, *, table: bool) -> pd.DataFrame:
    kwargs: dict[str, object] = {"layer": source.layer, "encoding": source.encoding}
    try:
        if table:
            frame: pd.DataFrame = pyogrio.read_dataframe(source.file, read_geometry=False, **kwargs)
        else:
            frame = gpd.read_file(source.file, engine="pyogrio", **kwargs)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        raise LayerError(f"{source.where()}: cannot be read ({exc})") from exc
    _check_decoded(frame, source)
    return frame


def _shift_to_wgs84(frame: gpd.GeoDataFrame, source: LayerSource) -> gpd.GeoDataFrame:
    """Coordinates in ``source.datum`` (GCJ-02, BD-09) brought to WGS84."""
    if frame.crs is None or not CRS(frame.crs).is_geographic:
        raise LayerError(
            f"{source.where()}: datum {source.datum} applies to lon/lat coordinates, but the "
            f"layer is in {frame.crs}; give such points as lon/lat"
        )
    west, south, east, north = CHINA_BOX
    bounds = frame.geometry.bounds.to_numpy()
    outside = np.flatnonzero(
        (bounds[:, 0] < west)
        | (bounds[:, 2] > east)
        | (bounds[:, 1] < south)
        | (bounds[:, 3] > north)
    )
    if outside.size:
        i = int(outside[0])
        raise LayerError(
            f"{source.where()}, {_row_label(source)(i)}: lies outside China "
            f"(lon {bounds[i, 0]:.6f}, lat {bounds[i, 1]:.6f}), where the {source.datum} offset "
            "is not defined; give such points in WGS84 or CGCS2000"
        )

    def shift(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        lon, lat = to_wgs84(xy[:, 0], xy[:, 1], datum=source.datum)
        return np.column_stack([lon, lat])

    shifted = shapely.transform(frame.geometry.to_numpy(), shift)
    return frame.set_geometry(gpd.GeoSeries(shifted, index=frame.index, crs=LONLAT))


def read_source(source: LayerSource) -> pd.DataFrame:
    """The layer ``source`` names, with the pack's columns, in a defined CRS (or a table).

    Raises
    ------
    LayerError
        Naming the file and layer (and the row and column where one is at fault).
    """
    if not source.file.exists():
        raise LayerError(f"{source.where()}: file not found ({source.file})")
    spec = SPEC_BY_NAME.get(source.name)
    is_table = source.file.suffix.lower() in TABLE_SUFFIXES
    wants_geometry = spec is None or spec.geometry is not None
    if is_table:
        frame = _read_table(source)
        frame = frame.rename(columns=lambda c: str(c).strip())
        if source.x:
            frame = _points(frame, source)
        elif spec is not None and wants_geometry:
            raise LayerError(
                f"{source.where()}: a CSV or XLSX point list needs x and y (its coordinate "
                'column names, e.g. x = "经度", y = "纬度")'
            )
    else:
        frame = _read_vector(source, table=not wants_geometry)
    if isinstance(frame, gpd.GeoDataFrame):
        if source.crs is not None:
            frame = frame.set_crs(source.crs, allow_override=True)
        if frame.crs is None:
            raise LayerError(
                f'{source.where()}: the file defines no CRS; give its crs, e.g. crs = "EPSG:4490"'
            )
        if source.datum in _SHIFTED:
            frame = _shift_to_wgs84(frame, source)
    return pack_columns(frame, source, _row_label(source))
