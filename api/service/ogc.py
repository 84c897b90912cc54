"""OGC API – Features: the collections the service offers and the pages of their items.

Collections are the pack's vector layers, for each stored assessment its footprint,
shelters (with status and assigned), supply routes and county rows, and the incidents.
Every collection is held in CRS84 (lon/lat); items are answered in CRS84, EPSG:4326 or
EPSG:4490, the last two in the axis order their definition gives: latitude first (OGC
API – Features Part 2). CGCS2000 is treated as WGS84 (CONTRACT §2): only the axes change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from api.service.bootstrap import Services
from api.service.decisions import decision_of
from api.service.views import parse_bbox
from api.service.warning import current_footprint
from geo._crs import LONLAT
from geo.errors import InputError, NotFound
from geo.response.decisions import response_state
from layers.store.store import Store

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
EPSG4490 = "http://www.opengis.net/def/crs/EPSG/0/4490"
SUPPORTED_CRS = (CRS84, EPSG4326, EPSG4490)
#: CRSs whose definition puts latitude first.
LAT_FIRST = frozenset({EPSG4326, EPSG4490})
#: Query parameters of the items request that are not property filters.
RESERVED = frozenset({"limit", "offset", "bbox", "bbox-crs", "crs", "f", "datetime"})
DEFAULT_LIMIT = 10
#: Pack layers offered, with the column that identifies a feature; where a pack lacks it
#: (roads need no id) or it repeats, a feature is known by its position from 1.
PACK_LAYERS: dict[str, str] = {
    "counties": "code",
    "shelters": "id",
    "depots": "id",
    "hazard_zones": "id",
    "roads": "id",
}
#: Optional context layers offered when the pack has them (names repeat: by position).
CONTEXT_LAYERS: dict[str, str] = {"water": "name", "places": "name"}
PARTS = ("footprint", "shelters", "routes", "counties")
ASSESSMENT_PREFIX = "assessment-"


@dataclass(frozen=True)
class Collection:
    """A collection: its id, words for people, and how to read its features."""

    id: str
    title: str
    description: str
    load: Callable[[], gpd.GeoDataFrame]


@dataclass(frozen=True)
class Page:
    """One page of a collection's items, as GeoJSON features in the answer's CRS."""

    features: list[dict[str, Any]]
    matched: int
    offset: int
    limit: int

    @property
    def returned(self) -> int:
        """How many features this page holds."""
        return len(self.features)


def _frame(rows: list[dict[str, Any]], geometry: Iterable[BaseGeometry | None]) -> gpd.GeoDataFrame:
    """A lon/lat frame indexed by the text ``fid`` each row carries (none: no columns)."""
    table = pd.DataFrame(rows) if rows else pd.DataFrame({"fid": pd.Series(dtype=str)})
    frame = gpd.GeoDataFrame(table, geometry=list(geometry), crs=LONLAT)
    return frame.set_index(frame.pop("fid").astype(str))


def _pack_frame(svc: Services, name: str) -> gpd.GeoDataFrame:
    layer = svc.pack.vector(name)
    assert isinstance(layer, gpd.GeoDataFrame)  # the pack layers offered are vector layers
    frame = layer.copy()
    key = {**PACK_LAYERS, **CONTEXT_LAYERS}[name]
    if key in frame.columns and frame[key].notna().all() and frame[key].is_unique:
        frame.index = frame[key].astype(str)
    else:
        frame.index = pd.Index([str(i) for i in range(1, len(frame) + 1)])
    return frame


def _footprint(svc: Services, store: Store, aid: str) -> gpd.GeoDataFrame:
    body = store.assessment(aid)
    row = {
        "fid": "footprint",
        "assessment": aid,
        "hazard": body.get("hazard"),
        "plan": body.get("plan"),
        "created": body.get("created"),
        "affected": body["population"]["affected"],
        "displaced": body["population"]["displaced"],
        "level": (body.get("response") or {}).get("level"),
    }
    return _frame([row], [store.assessment_footprint(aid)])


def _shelters(svc: Services, store: Store, aid: str) -> gpd.GeoDataFrame:
    rows, points = [], []
    for s in store.assessment(aid)["shelters"]:
        rows.append(
            {
                "fid": s["id"],
                "id": s["id"],
                "name": s["name"],
                "kind": s.get("kind"),
                "capacity": s["capacity"],
                "status": s["status"],
                "assigned": s["assigned"],
                "conflicts": ",".join(c["zone_id"] for c in s.get("conflicts", [])),
            }
        )
        points.append(shapely.Point(s["lon"], s["lat"]))
    return _frame(rows, points)


def _routes(svc: Services, store: Store, aid: str) -> gpd.GeoDataFrame:
    rows, lines = [], []
    for n, feature in enumerate(store.assessment(aid)["supply"]["routes"]["features"], start=1):
        props = feature["properties"]
        rows.append(
            {
                "fid": str(n),
                "depot_id": props["depot_id"],
                "shelter_id": props["shelter_id"],
                "distance_m": props["distance_m"],
                "duration_s": props["duration_s"],
                # Nested objects do not fit a flat attribute table (GDAL, QGIS): JSON text.
                "items": json.dumps(props.get("items", {}), ensure_ascii=False),
            }
        )
        lines.append(shapely.geometry.shape(feature["geometry"]))
    return _frame(rows, lines)


def _counties(svc: Services, store: Store, aid: str) -> gpd.GeoDataFrame:
    shapes = svc.pack.counties.set_index(svc.pack.counties["code"].astype(str)).geometry
    rows, geoms = [], []
    for c in store.assessment(aid)["population"]["by_county"]:
        rows.append(
            {
                "fid": c["code"],
                **{k: c.get(k) for k in ("code", "name", "affected", "displaced", "unplaced")},
            }
        )
        geoms.append(shapes.get(str(c["code"])))
    return _frame(rows, geoms)


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _incidents(store: Store) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    for summary in store.incidents(limit=1_000_000):
        history = store.incident(summary.id, limit=1)
        state = response_state([decision_of(d) for d in summary.decisions])
        rows.append(
            {
                "fid": summary.id,
                "id": summary.id,
                "title": summary.title,
                "hazard": summary.hazard,
                "plan": summary.plan,
                "jurisdiction": summary.jurisdiction,
                "created": _when(summary.created),
                "started": _when(summary.started),
                "updated": _when(summary.updated),
                "reports": summary.reports,
                "level": summary.level,
                "level_in_force": state.level,
                "stage": summary.stage,
            }
        )
        geoms.append(current_footprint(history))
    return _frame(rows, geoms)


_PART_LOADERS = {"footprint": _footprint, "shelters": _shelters, "routes": _routes,
                 "counties": _counties}  # fmt: skip
_PART_WORDS = {
    "footprint": "the footprint assessed",
    "shelters": "shelters with their status and the people assigned",
    "routes": "supply routes, depot to shelter, with distance, time and items",
    "counties": "affected and displaced people per county",
}


def _part(svc: Services, store: Store, aid: str, part: str) -> Collection:
    return Collection(
        id=f"{ASSESSMENT_PREFIX}{aid}-{part}",
        title=f"Assessment {aid}: {part}",
        description=f"Assessment {aid}: {_PART_WORDS[part]}",
        load=lambda: _PART_LOADERS[part](svc, store, aid),
    )


def _pack_layer(svc: Services, name: str) -> Collection:
    return Collection(
        id=name,
        title=name,
        description=f"The layer pack's {name}",
        load=lambda: _pack_frame(svc, name),
    )


def _incident_collection(store: Store) -> Collection:
    return Collection(
        id="incidents",
        title="incidents",
        description="Incidents with their footprint, reports and the level in force",
        load=lambda: _incidents(store),
    )


def _pack_layer_names(svc: Services) -> list[str]:
    """The pack layers offered: the contract's, then the context layers the pack has."""
    return [*PACK_LAYERS, *(name for name in CONTEXT_LAYERS if name in svc.pack.context)]


def collections(svc: Services) -> list[Collection]:
    """Every collection the service offers: pack layers, incidents, then assessments."""
    found = [_pack_layer(svc, name) for name in _pack_layer_names(svc)]
    if svc.store is not None:
        found.append(_incident_collection(svc.store))
        for aid in svc.store.assessment_ids():
            found.extend(_part(svc, svc.store, aid, part) for part in PARTS)
    return found


def collection(svc: Services, collection_id: str) -> Collection:
    """One collection by id, or `NotFound`."""
    if collection_id in _pack_layer_names(svc):
        return _pack_layer(svc, collection_id)
    if svc.store is not None and collection_id == "incidents":
        return _incident_collection(svc.store)
    if svc.store is not None and collection_id.startswith(ASSESSMENT_PREFIX):
        aid, _, part = collection_id.removeprefix(ASSESSMENT_PREFIX).rpartition("-")
        if aid and part in PARTS:
            svc.store.assessment_json(aid)  # NotFound when there is no such assessment
            return _part(svc, svc.store, aid, part)
    raise NotFound(f"collection {collection_id!r} does not exist; GET /ogc/collections lists them")


def parse_crs(value: str | None, *, field: str) -> str:
    """A CRS URI this service answers in (CRS84 when none), or an `InputError` naming it."""
    if value is None or value == "":
        return CRS84
    uri = value.strip().strip("[]")
    if uri not in SUPPORTED_CRS:
        raise InputError(
            f"{field}: expected one of {', '.join(SUPPORTED_CRS)}, got {value!r}", field=field
        )
    return uri


def _bbox(text: str, crs: str) -> BaseGeometry:
    """The bbox in lon/lat; a lat-first CRS gives its corners latitude first."""
    if crs in LAT_FIRST:
        parts = text.split(",")
        if len(parts) == 4:
            text = ",".join([parts[1], parts[0], parts[3], parts[2]])
    return parse_bbox(text)


Mask = np.ndarray[Any, np.dtype[np.bool_]]


def _matches(series: pd.Series, wanted: str) -> Mask:
    """Which values equal ``wanted``: as numbers, booleans or text by the column's type."""
    if pd.api.types.is_bool_dtype(series):
        flag = wanted.lower()
        if flag not in ("true", "false"):
            return np.zeros(len(series), dtype=bool)
        same: Mask = (series == (flag == "true")).to_numpy(dtype=bool)
        return same
    if pd.api.types.is_numeric_dtype(series):
        try:
            number = float(wanted)
        except ValueError:
            return np.zeros(len(series), dtype=bool)
        equal: Mask = (series.astype(float) == number).to_numpy(dtype=bool)
        return equal
    text: Mask = (series.astype(str) == wanted).to_numpy(dtype=bool)
    present: Mask = series.notna().to_numpy(dtype=bool)
    both: Mask = text & present
    return both


def select(
    frame: gpd.GeoDataFrame, *, bbox: str | None, bbox_crs: str, filters: Mapping[str, str]
) -> gpd.GeoDataFrame:
    """The features within ``bbox`` whose properties equal ``filters``."""
    columns = [c for c in frame.columns if c != frame.geometry.name]
    unknown = sorted(set(filters) - set(columns))
    if unknown:
        raise InputError(
            f"{unknown[0]}: not a parameter of items nor a property of this collection "
            f"(properties: {', '.join(columns)})",
            field=unknown[0],
        )
    keep = np.ones(len(frame), dtype=bool)
    for name, wanted in filters.items():
        keep &= _matches(frame[name], wanted)
    if bbox is not None:
        box = _bbox(bbox, bbox_crs)
        hits = np.zeros(len(frame), dtype=bool)
        hits[frame.sindex.query(box, predicate="intersects")] = True
        keep &= hits
    return frame[keep]


def in_crs(frame: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """The frame with coordinates in the axis order of ``crs`` (lat first for EPSG)."""
    if crs not in LAT_FIRST:
        return frame
    swapped = shapely.transform(frame.geometry.to_numpy(), lambda xy: xy[:, ::-1])
    return frame.set_geometry(gpd.GeoSeries(swapped, index=frame.index, crs=None))


def features(frame: gpd.GeoDataFrame, crs: str) -> list[dict[str, Any]]:
    """GeoJSON features with their ids, coordinates in ``crs``'s axis order."""
    if frame.empty:
        return []
    text = in_crs(frame, crs).to_json(na="null", show_bbox=False, drop_id=False)
    found: list[dict[str, Any]] = json.loads(text)["features"]
    return found


def page(frame: gpd.GeoDataFrame, *, limit: int, offset: int, crs: str) -> Page:
    """The features from ``offset``, at most ``limit`` of them."""
    return Page(
        features=features(frame.iloc[offset : offset + limit], crs),
        matched=len(frame),
        offset=offset,
        limit=limit,
    )


def item(frame: gpd.GeoDataFrame, feature_id: str, crs: str) -> dict[str, Any]:
    """One feature by id, or `NotFound`."""
    if feature_id not in frame.index:
        raise NotFound(f"feature {feature_id!r} does not exist in this collection")
    return features(frame.loc[[feature_id]], crs)[0]


def extent(frame: gpd.GeoDataFrame) -> list[float] | None:
    """The lon/lat bounds of the features, or None when there are none."""
    geoms = frame.geometry.dropna()
    if geoms.empty:
        return None
    return [float(v) for v in geoms.total_bounds]
