"""A layer pack as read and checked, cached on disk; later processes read the result back.

Reading a pack means checking every layer (columns, kinds, geometry validity, county
overlaps), repairing what can be, bringing each layer to lon/lat, the union of the
counties and the population total over the whole raster: seconds for a province, in the
server and again in every compute process. The first process to read a pack writes what
it found (`layers.frame_files`: ``.npy``, WKB and JSON, no pickle) into a folder named by
a key; later ones read those files and build only the spatial indexes.

The key is a SHA-256 of the bytes of ``layers.gpkg`` and ``population.tif`` (hashed once
per process, `layers.digests`, shared with the road graph's key), the installed
reliefgis version and the source of the code that reads and checks a pack. Any change
names another folder. Only a pack that passed its checks is cached: a refused pack is
read, and refused, every time. A folder that cannot be read back is removed and the pack
read afresh; one that cannot be written only costs the read.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from affine import Affine
from pyproj import CRS

from geo.incident import county_overlaps, county_split
from layers import frame_files, pack_checks, population
from layers import pack as pack_code
from layers.digests import file_digest, source_digest
from layers.frame_files import NotStorable, read_frame, write_frame
from layers.pack import GEOPACKAGE, POPULATION, LayerPack, read_pack
from layers.population import PopulationGrid

#: Bumped when the files written here change their layout.
CACHE_LAYOUT = 1
_META = "pack.json"
_JURISDICTION = "jurisdiction.wkb"
_LAYERS = ("counties", "shelters", "depots", "depot_stock", "hazard_zones", "roads")
_CODE = (pack_code, pack_checks, population, frame_files, county_overlaps, county_split)


def pack_key(folder: Path, *, version: str) -> str:
    """The cache key of a checked pack: its two files' content, the code and its version."""
    digest = hashlib.sha256(f"reliefgis checked pack {CACHE_LAYOUT}\0{version}\0".encode())
    sources = [Path(str(module.__file__)) for module in _CODE]
    sources.append(Path(__file__))
    digest.update(source_digest(sources).encode("ascii"))
    for name in (GEOPACKAGE, POPULATION):
        digest.update(file_digest(folder / name).encode("ascii"))
    return digest.hexdigest()


def _grid_meta(grid: PopulationGrid) -> dict[str, Any]:
    return {
        "crs": grid.crs.to_wkt(),
        "transform": list(grid.transform)[:6],
        "width": grid.width,
        "height": grid.height,
        "nodata": grid.nodata,
        "dtype": grid.dtype,
        "total": grid.total,
        "bounds_wgs84": list(grid.bounds_wgs84),
        "tags": dict(grid.tags),
        "block": list(grid.block),
    }


def _grid(folder: Path, meta: dict[str, Any]) -> PopulationGrid:
    return PopulationGrid(
        path=folder / POPULATION,
        crs=CRS.from_wkt(meta["crs"]),
        transform=Affine(*meta["transform"]),
        width=int(meta["width"]),
        height=int(meta["height"]),
        nodata=meta["nodata"],
        dtype=str(meta["dtype"]),
        total=float(meta["total"]),
        bounds_wgs84=tuple(meta["bounds_wgs84"]),
        tags=meta["tags"],
        block=(int(meta["block"][0]), int(meta["block"][1])),
    )


def _write(target: Path, pack: LayerPack) -> None:
    """Write the checked pack into ``target`` at once (another process may race us)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    try:
        frames: dict[str, pd.DataFrame] = {name: getattr(pack, name) for name in _LAYERS}
        entries = {name: write_frame(scratch, name, frame) for name, frame in frames.items()}
        context = {
            name: write_frame(scratch, f"context.{name}", frame)
            for name, frame in pack.context.items()
        }
        (scratch / _JURISDICTION).write_bytes(shapely.to_wkb(pack.jurisdiction))
        meta = {
            "layers": entries,
            "context": context,
            "source_crs": dict(pack.source_crs),
            "repairs": list(pack.repairs),
            "population": _grid_meta(pack.population),
            "metric_epsg": pack.metric_crs().to_epsg(),
        }
        (scratch / _META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.replace(scratch, target)
    except (OSError, NotStorable):
        shutil.rmtree(scratch, ignore_errors=True)  # written first by another, or not storable


def _read(target: Path, folder: Path) -> LayerPack:
    meta = json.loads((target / _META).read_text(encoding="utf-8"))
    frames = {name: read_frame(target, name, meta["layers"][name]) for name in _LAYERS}
    context = {
        name: read_frame(target, f"context.{name}", entry)
        for name, entry in meta["context"].items()
    }
    for frame in [*frames.values(), *context.values()]:
        if isinstance(frame, gpd.GeoDataFrame):
            frame.sindex  # noqa: B018 - built once, at load, as a fresh read builds it
    return LayerPack(
        path=folder,
        population=_grid(folder, meta["population"]),
        source_crs=meta["source_crs"],
        repairs=tuple(meta["repairs"]),
        jurisdiction=shapely.from_wkb((target / _JURISDICTION).read_bytes()),
        context=context,
        metric_epsg=meta["metric_epsg"],
        **frames,
    )


def cached_pack(folder: Path, *, cache_dir: Path | None, version: str) -> LayerPack:
    """The checked pack in ``folder``: read back from the cache, else read (and cached).

    Parameters
    ----------
    folder
        The pack's folder (``layers.gpkg`` and ``population.tif``).
    cache_dir
        The cache folder; None reads the pack without caching.
    version
        The installed reliefgis version, part of the key.

    Raises
    ------
    LayerError
        As `layers.pack.read_pack`, for a pack that fails its checks (never cached).
    """
    if cache_dir is None or not (folder / GEOPACKAGE).is_file():
        return read_pack(folder)
    if not (folder / POPULATION).is_file():
        return read_pack(folder)
    target = cache_dir / f"pack-{pack_key(folder, version=version)}"
    if (target / _META).is_file():
        try:
            return _read(target, folder)
        except (OSError, ValueError, KeyError, TypeError, shapely.errors.ShapelyError):
            shutil.rmtree(target, ignore_errors=True)  # damaged: read afresh below
    pack = read_pack(folder)
    _write(target, pack)
    return pack
