"""Import the roads of an OpenStreetMap extract (``.osm.pbf``) into a layer pack.

`import_osm` reads the ways of the drivable ``highway`` classes with pyosmium (node
locations cached in memory, fine for a province extract such as Geofabrik's
``china/shanxi``) and returns a roads layer in the CONTRACT §2 form: ``highway``,
``maxspeed`` (km/h), ``oneway`` (bool, along the digitised direction), plus ``name``,
``ref``, ``osm_id`` and the raw ``maxspeed_tag``. Ways keep all their nodes, so the
network's shared-vertex junctions are OSM's shared nodes. What is not a road for driving
is left out and counted by reason in ``attrs["dropped"]`` (closed ``highway=service``
ways tagged ``area=yes`` are the outlines of yards and car parks, not roads: routing
along them would drive round the edge of a square). `write_roads` replaces the
``roads`` layer of a pack's ``layers.gpkg`` on a copy and swaps the copy in atomically,
leaving every other layer as it was. See ``docs/osm.md``.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
from shapely.geometry import LineString, Polygon, box

from geo.errors import InputError, LayerError
from geo.roads.speeds import parse_maxspeed, parse_oneway
from layers.pack import GEOPACKAGE
from layers.population import OUTPUT_CRS
from layers.profiles import read_speeds

#: OSM tags kept as columns.
KEPT_TAGS = ("highway", "name", "ref", "maxspeed", "oneway", "junction", "area")
#: Why a way is left out: a closed service way tagged area=yes outlines an area (OSM wiki,
#: Key:area; pyrosm's driving network leaves these out too).
DROPPED_SERVICE_AREA = "closed highway=service ways tagged area=yes (outlines of areas, not roads)"
#: Why a way is left out: fewer than two of its nodes lie in the extract.
DROPPED_OUTSIDE = "ways with fewer than two nodes inside the extract (nothing to draw)"
#: Classes OSM treats as oneway unless tagged otherwise (OSM wiki, Key:oneway).
IMPLIED_ONEWAY_HIGHWAY = frozenset({"motorway"})
IMPLIED_ONEWAY_JUNCTION = frozenset({"roundabout", "circular"})
ROADS_LAYER = "roads"
BBOX_DEGREES = 4


def _check_bbox(bbox: Sequence[float] | None) -> tuple[float, float, float, float] | None:
    if bbox is None:
        return None
    values = list(bbox)
    if len(values) != BBOX_DEGREES or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values
    ):
        raise InputError(
            "bbox: expected four numbers min_lon,min_lat,max_lon,max_lat", field="bbox"
        )
    west, south, east, north = (float(v) for v in values)
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise InputError(
            f"bbox: expected min_lon < max_lon within ±180 and min_lat < max_lat within ±90, "
            f"got {west},{south},{east},{north}",
            field="bbox",
        )
    return west, south, east, north


def _runs(way: Any) -> Iterator[list[tuple[float, float]]]:
    """Runs of consecutive nodes whose location the extract holds (ways cut at its edge)."""
    run: list[tuple[float, float]] = []
    for node in way.nodes:
        if node.location.valid():
            run.append((node.lon, node.lat))
            continue
        if len(run) > 1:
            yield run
        run = []
    if len(run) > 1:
        yield run


def _ways(
    path: Path, classes: Collection[str]
) -> Iterator[tuple[int, dict[str, str], list[list[tuple[float, float]]], bool, bool]]:
    """Id, kept tags, located runs, whether the extract cuts it, whether it is closed."""
    try:
        import osmium  # noqa: PLC0415 - an optional dependency, needed only for imports
    except ImportError as exc:
        raise LayerError("OSM import needs the 'osmium' package (pip install osmium)") from exc
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.TagFilter(*(("highway", c) for c in sorted(classes))))
    )
    try:
        for entity in processor:
            way: Any = entity
            tags = {k: str(way.tags[k]) for k in KEPT_TAGS if k in way.tags}
            runs = list(_runs(way))
            nodes = way.nodes
            closed = len(nodes) > 2 and nodes[0].ref == nodes[len(nodes) - 1].ref
            yield way.id, tags, runs, sum(len(r) for r in runs) < len(nodes), closed
    except RuntimeError as exc:
        raise LayerError(f"OSM extract {path.name}: cannot be read ({exc})") from exc


def _direction(tags: dict[str, str], notes: Counter[str]) -> int:
    raw = tags.get("oneway")
    parsed = parse_oneway(raw)
    if parsed is None:
        notes[f"oneway={raw} taken as two-way"] += 1
        return 0
    if raw is None and (
        tags.get("highway") in IMPLIED_ONEWAY_HIGHWAY
        or tags.get("junction") in IMPLIED_ONEWAY_JUNCTION
    ):
        return 1
    return parsed


def import_osm(
    pbf_path: Path | str,
    *,
    bbox: Sequence[float] | None = None,
    highways: Collection[str] | None = None,
) -> gpd.GeoDataFrame:
    """Read the drivable roads of an OSM extract as a roads layer in EPSG:4326.

    Parameters
    ----------
    pbf_path
        An ``.osm.pbf`` extract (e.g. Geofabrik's ``china/shanxi-latest.osm.pbf``).
    bbox
        ``(min_lon, min_lat, max_lon, max_lat)``: keep the ways that reach into it, whole.
    highways
        The ``highway`` classes to keep; by default those of the speeds profile
        (``data/speeds.toml``), i.e. roads a relief truck may use.

    Returns
    -------
    GeoDataFrame
        ``id``, ``osm_id``, ``highway``, ``name``, ``ref``, ``maxspeed`` (km/h or NaN),
        ``maxspeed_tag``, ``oneway``; one row per way, or per part of a way the extract
        cuts. ``attrs["notes"]`` says what was read loosely; ``attrs["dropped"]`` maps
        each reason a way was left out to how many ways it left out.

    Raises
    ------
    LayerError
        The file is missing or unreadable, osmium is not installed, or no road is found.
    """
    path = Path(pbf_path)
    window = _check_bbox(bbox)
    if not path.is_file():
        raise LayerError(f"OSM extract {path}: not found")
    classes = set(highways) if highways is not None else set(read_speeds().classes)
    notes: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    rows = _road_rows(
        path, classes, area=box(*window) if window else None, notes=notes, dropped=dropped
    )
    if not rows:
        where = f" within bbox {window}" if window else ""
        raise LayerError(f"OSM extract {path.name}: no roads of classes {sorted(classes)}{where}")
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=OUTPUT_CRS)
    frame["maxspeed"] = frame["maxspeed"].astype(float)
    frame["osm_id"] = frame["osm_id"].astype(np.int64)
    frame.attrs["notes"] = [f"{text}: {n}" for text, n in sorted(notes.items())]
    frame.attrs["dropped"] = dict(sorted(dropped.items()))
    return frame


def _not_a_road(tags: dict[str, str], closed: bool) -> str | None:
    """Why a way is not a road for driving, or None when it is one."""
    if closed and tags.get("highway") == "service" and tags.get("area") == "yes":
        return DROPPED_SERVICE_AREA
    return None


def _road_rows(
    path: Path,
    classes: Collection[str],
    *,
    area: Polygon | None,
    notes: Counter[str],
    dropped: Counter[str],
) -> list[dict[str, Any]]:
    """One row per way reaching into ``area`` (or per part of a cut way), digitised along it."""
    rows: list[dict[str, Any]] = []
    for osm_id, tags, runs, cut, closed in _ways(path, classes):
        lines = [LineString(r) for r in runs]
        if not lines:
            dropped[DROPPED_OUTSIDE] += 1
            continue
        if area is not None and not any(line.intersects(area) for line in lines):
            continue
        why = _not_a_road(tags, closed)
        if why is not None:
            dropped[why] += 1
            continue
        if cut:
            notes["ways cut at the extract's edge kept in parts"] += 1
        direction = _direction(tags, notes)
        if tags.get("maxspeed") and parse_maxspeed(tags["maxspeed"]) is None:
            notes[f"maxspeed={tags['maxspeed']} not read"] += 1
        for k, line in enumerate(lines):
            rows.append(
                {
                    "id": f"w{osm_id}" if len(lines) == 1 else f"w{osm_id}-{k + 1}",
                    "osm_id": osm_id,
                    "highway": tags.get("highway"),
                    "name": tags.get("name"),
                    "ref": tags.get("ref"),
                    "maxspeed": parse_maxspeed(tags.get("maxspeed")),
                    "maxspeed_tag": tags.get("maxspeed"),
                    "oneway": direction != 0,
                    "geometry": LineString(line.coords[::-1]) if direction < 0 else line,
                }
            )
    return rows


# ---------------------------------------------------------------- writing into a pack


def _check_roads(roads: object) -> gpd.GeoDataFrame:
    if not isinstance(roads, gpd.GeoDataFrame):
        raise InputError("roads: expected a GeoDataFrame", field="roads")
    if roads.crs is None:
        raise InputError("roads: no CRS is defined", field="roads")
    if "highway" not in roads.columns:
        raise InputError("roads: missing columns ['highway']", field="roads")
    types = set(roads.geometry.geom_type.dropna())
    if not types or not types <= {"LineString", "MultiLineString"}:
        raise InputError(
            f"roads: found {sorted(types)}; expected LineString or MultiLineString", field="roads"
        )
    return roads


def _counts(gpkg: Path) -> dict[str, int]:
    return {
        str(name): int(pyogrio.read_info(gpkg, layer=str(name))["features"])
        for name, _ in pyogrio.list_layers(gpkg)
    }


def write_roads(pack_dir: Path | str, roads: gpd.GeoDataFrame) -> Path:
    """Replace the ``roads`` layer of a pack's ``layers.gpkg``, keeping every other layer.

    The layer is written into a copy next to the original, the copy is checked (every
    other layer still there with its feature count), then moved over the original in
    one atomic rename; on any failure the original is untouched and the copy removed.

    Raises
    ------
    InputError
        ``roads`` is not a roads layer (CONTRACT §2).
    LayerError
        The pack has no ``layers.gpkg``, it is open for writing elsewhere (a ``-wal``
        file is present), or the copy cannot be written.
    """
    frame = _check_roads(roads)
    gpkg = Path(pack_dir) / GEOPACKAGE
    if not gpkg.is_file():
        raise LayerError(f"layer pack {pack_dir}: {GEOPACKAGE} not found")
    if gpkg.with_name(gpkg.name + "-wal").exists():
        raise LayerError(f"layer pack {pack_dir}: {GEOPACKAGE} is open in another program")
    try:
        before = _counts(gpkg)
    except pyogrio.errors.DataSourceError as exc:
        raise LayerError(f"layer pack {pack_dir}: {GEOPACKAGE} cannot be read ({exc})") from exc
    handle, name = tempfile.mkstemp(prefix=".layers-", suffix=".gpkg", dir=gpkg.parent)
    os.close(handle)
    copy = Path(name)
    try:
        shutil.copyfile(gpkg, copy)
        pyogrio.write_dataframe(frame, copy, layer=ROADS_LAYER, driver="GPKG")
        after = _counts(copy)
        expected = {**before, ROADS_LAYER: len(frame)}
        if after != expected:
            raise LayerError(
                f"layer pack {pack_dir}: writing roads changed other layers "
                f"({before} became {after}); {GEOPACKAGE} left as it was"
            )
        os.replace(copy, gpkg)
    except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise LayerError(f"layer pack {pack_dir}: cannot write roads ({exc})") from exc
    finally:
        copy.unlink(missing_ok=True)
    return gpkg
