"""A checked layer written as plain arrays and read back exactly: ``.npy``, WKB and JSON.

The pack cache (`layers.pack_cache`) keeps each layer of a pack as it was read and
checked. No pickle: numeric, boolean and date columns are ``.npy`` arrays, text
columns (Python ``str``, ``int``, ``float``, ``bool`` or None in each row) a JSON list,
pandas string columns the same with their dtype, geometries their WKB in one byte array
with offsets, the CRS its WKT. A frame these files cannot hold exactly (another index
than 0…n-1, other extension dtypes, missing geometries, values of other types) is not
written: `write_frame` raises `NotStorable` and the pack is simply not cached.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

#: numpy kinds kept as .npy: bool, signed and unsigned int, float, complex, dates, durations.
_ARRAY_KINDS = frozenset("biufcmM")
_JSON_TYPES = (str, int, float, bool, type(None))


class NotStorable(ValueError):
    """A frame (or one of its columns) that these files cannot hold exactly."""


def _column_entry(folder: Path, stem: str, series: pd.Series) -> dict[str, str]:
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in _ARRAY_KINDS:
        np.save(folder / f"{stem}.npy", series.to_numpy(), allow_pickle=False)
        return {"kind": "array"}
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        values = series.tolist()
        if not all(type(v) in _JSON_TYPES for v in values):
            raise NotStorable(f"column {series.name!r} holds values other than text and numbers")
        (folder / f"{stem}.json").write_text(json.dumps(values, ensure_ascii=False), "utf-8")
        return {"kind": "json"}
    if isinstance(dtype, pd.StringDtype):
        values = [None if pd.isna(v) else v for v in series.tolist()]
        (folder / f"{stem}.json").write_text(json.dumps(values, ensure_ascii=False), "utf-8")
        na = "NA" if dtype.na_value is pd.NA else "nan"
        return {"kind": "string", "storage": str(dtype.storage), "na": na}
    raise NotStorable(f"column {series.name!r} has dtype {dtype}")


def _string_dtype(column: dict[str, Any]) -> pd.StringDtype:
    na_value = pd.NA if column["na"] == "NA" else np.nan
    return pd.StringDtype(storage=column["storage"], na_value=na_value)


def _write_geometry(folder: Path, stem: str, frame: gpd.GeoDataFrame) -> dict[str, Any]:
    geoms = frame.geometry.to_numpy()
    if any(g is None for g in geoms):
        raise NotStorable("a geometry is missing")
    blobs = shapely.to_wkb(geoms)
    lengths = np.fromiter((len(b) for b in blobs), dtype=np.int64, count=len(blobs))
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    np.save(folder / f"{stem}.wkb.npy", np.frombuffer(b"".join(blobs), dtype=np.uint8))
    np.save(folder / f"{stem}.offsets.npy", offsets)
    crs = frame.crs.to_wkt() if frame.crs is not None else None
    return {"geometry": frame.geometry.name, "crs": crs}


def write_frame(folder: Path, name: str, frame: pd.DataFrame) -> dict[str, Any]:
    """Write ``frame`` as files named ``name.*`` in ``folder``; the entry `read_frame` needs.

    Raises
    ------
    NotStorable
        When the frame cannot be held exactly (see the module's notes).
    """
    index = frame.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
        raise NotStorable(f"layer {name!r} has an index other than 0…n-1")
    entry: dict[str, Any] = {"rows": len(frame), "columns": []}
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    for i, column in enumerate(frame.columns):
        if not isinstance(column, str):
            raise NotStorable(f"layer {name!r} has a column named {column!r}")
        if column == geometry:
            entry["columns"].append({"name": column, "kind": "geometry"})
            continue
        kind = _column_entry(folder, f"{name}.{i}", frame[column])
        entry["columns"].append({"name": column, **kind})
    if isinstance(frame, gpd.GeoDataFrame):
        entry.update(_write_geometry(folder, name, frame))
    return entry


def _read_geometry(folder: Path, name: str) -> np.ndarray:
    buffer = np.load(folder / f"{name}.wkb.npy", mmap_mode="r", allow_pickle=False)
    offsets = np.load(folder / f"{name}.offsets.npy", allow_pickle=False).tolist()
    data = buffer.tobytes()
    blobs = [data[a:b] for a, b in itertools.pairwise(offsets)]
    geoms: np.ndarray = shapely.from_wkb(np.array(blobs, dtype=object))
    return geoms


def read_frame(folder: Path, name: str, entry: dict[str, Any]) -> pd.DataFrame:
    """The frame `write_frame` wrote under ``name``, as it was (a GeoDataFrame if it was one).

    Raises
    ------
    OSError, ValueError, KeyError
        When the files are missing or damaged (the caller reads the layer afresh).
    """
    columns: dict[str, Any] = {}
    for i, column in enumerate(entry["columns"]):
        stem = f"{name}.{i}"
        if column["kind"] == "array":
            columns[column["name"]] = np.load(folder / f"{stem}.npy", allow_pickle=False)
        elif column["kind"] in ("json", "string"):
            values = json.loads((folder / f"{stem}.json").read_text("utf-8"))
            dtype = object if column["kind"] == "json" else _string_dtype(column)
            columns[column["name"]] = pd.Series(values, dtype=dtype)
        elif column["kind"] == "geometry":
            columns[column["name"]] = _read_geometry(folder, name)
        else:
            raise ValueError(f"unknown column kind {column['kind']!r}")
    if any(len(values) != entry["rows"] for values in columns.values()):
        raise ValueError(f"layer {name!r}: columns of different lengths")
    frame = pd.DataFrame(columns, index=pd.RangeIndex(entry["rows"]))
    if "geometry" not in entry:
        return frame
    return gpd.GeoDataFrame(frame, geometry=entry["geometry"], crs=entry["crs"])
