"""Vector layers for a map view: features in a bbox, simplified to a pixel at the zoom, capped.

``GET /api/v1/layers/{name}?bbox=…&zoom=…`` answers from here. For each layer and zoom the
whole layer is prepared once per process (roads below their class's zoom dropped, lines and
polygons simplified to about a pixel, coordinates rounded to what a pixel shows, each
feature written as GeoJSON text); a request then only queries the prepared layer's
spatial index and joins the features it finds. Whole-layer downloads (no ``zoom``) do
not come here and keep every vertex.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError, TooLarge
from layers.pack import LayerPack
from web.map_classes import road_min_zoom

#: Zoom levels a view may ask for; above DETAIL_ZOOM the layer is prepared as at DETAIL_ZOOM.
MIN_VIEW_ZOOM, MAX_VIEW_ZOOM, DETAIL_ZOOM = 0, 22, 16
TILE_PIXELS = 256
#: Most features one view answer holds; more is a 413 (zoom in, or ask for a smaller bbox).
MAX_VIEW_FEATURES = 20_000
#: Prepared (layer, zoom) pairs kept per process.
PREPARED_KEPT = 16
#: Coordinates keep this many decimals at most (0.1 m) and at least 3 (100 m).
MIN_DECIMALS, MAX_DECIMALS = 3, 6


def pixel_degrees(zoom: int, *, max_abs_lat: float) -> float:
    """A Web Mercator pixel at ``zoom`` in degrees, its smallest extent up to ``max_abs_lat``.

    A pixel spans 360 / (256 · 2^zoom) degrees of longitude everywhere and that times
    cos(latitude) degrees of latitude: the latter, at the layer's pole-most edge, is the
    tolerance that moves no vertex by more than a pixel anywhere in the layer.
    """
    lat = min(abs(max_abs_lat), 85.0)
    pixels_around: float = TILE_PIXELS * 2.0**zoom
    return 360.0 / pixels_around * math.cos(math.radians(lat))


def decimals_for(tolerance: float) -> int:
    """Decimals of a coordinate that keep rounding ten times finer than ``tolerance``."""
    wanted = math.ceil(-math.log10(tolerance / 10))
    return min(max(wanted, MIN_DECIMALS), MAX_DECIMALS)


@dataclass(frozen=True)
class PreparedLayer:
    """A layer ready for views at one zoom: an index of the stored geometries, simplified text.

    ``rows`` are the positions in the pack's frame of the features kept at this zoom.
    """

    tree: shapely.STRtree
    rows: np.ndarray
    geometries: tuple[str, ...]


def property_texts(frame: gpd.GeoDataFrame, columns: tuple[str, ...] | None) -> tuple[str, ...]:
    """Each row's properties (all, or ``columns``) as JSON text, NaN as null, in row order."""
    table = frame.drop(columns=frame.geometry.name)
    if columns is not None:
        missing = [c for c in columns if c not in table.columns]
        if missing:
            raise InputError(
                f"properties: {', '.join(missing)} not in the layer; it has "
                f"{', '.join(map(str, table.columns))}",
                field="properties",
            )
        table = table[list(columns)]
    rows = json.loads(table.to_json(orient="records", force_ascii=False))
    return tuple(json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in rows)


def prepare(frame: gpd.GeoDataFrame, *, name: str, zoom: int) -> PreparedLayer:
    """Simplify and write a layer (EPSG:4326) for views at ``zoom``; see the module doc."""
    keep = ~(frame.geometry.isna() | frame.geometry.is_empty).to_numpy()
    if name == "roads":
        keep &= np.array([road_min_zoom(str(h)) <= zoom for h in frame["highway"]], dtype=bool)
    rows = np.flatnonzero(keep)
    stored = frame.geometry.values[rows]
    _, miny, _, maxy = frame.total_bounds if len(frame) else (0.0, 0.0, 0.0, 0.0)
    tolerance = pixel_degrees(zoom, max_abs_lat=max(abs(miny), abs(maxy)))
    # Which features meet a view is asked of the stored geometries; only the text is simplified.
    geoms = shapely.simplify(stored, tolerance, preserve_topology=True)
    digits = decimals_for(tolerance)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, digits))
    texts = tuple(str(t) for t in shapely.to_geojson(geoms))
    return PreparedLayer(tree=shapely.STRtree(stored), rows=rows, geometries=texts)


class ViewLayers:
    """The pack's vector layers answered by view; prepared layers kept per process."""

    def __init__(self, pack: LayerPack, *, max_features: int = MAX_VIEW_FEATURES) -> None:
        self.pack = pack
        self.max_features = max_features
        self._prepared = lru_cache(maxsize=PREPARED_KEPT)(self._prepare)
        self._properties = lru_cache(maxsize=PREPARED_KEPT)(self._property_texts)

    def _frame(self, name: str) -> gpd.GeoDataFrame:
        frame = self.pack.vector(name)
        if not isinstance(frame, gpd.GeoDataFrame):
            raise InputError(
                f"zoom: {name} is a table without geometry; ask for it without bbox and zoom",
                field="zoom",
            )
        return frame

    def _prepare(self, name: str, zoom: int) -> PreparedLayer:
        return prepare(self._frame(name), name=name, zoom=zoom)

    def _property_texts(self, name: str, columns: tuple[str, ...] | None) -> tuple[str, ...]:
        return property_texts(self._frame(name), columns)

    def geojson(
        self,
        name: str,
        *,
        zoom: int,
        box: BaseGeometry | None,
        columns: tuple[str, ...] | None = None,
    ) -> str:
        """The features of layer ``name`` meeting ``box`` (all without one) at ``zoom``.

        ``columns`` names the properties to send (all when None).

        Raises
        ------
        TooLarge
            More than ``max_features`` features meet the box (a 413 naming ``bbox``).
        InputError
            ``zoom`` out of range, a table layer, or a column the layer does not have.
        """
        if not MIN_VIEW_ZOOM <= zoom <= MAX_VIEW_ZOOM:
            raise InputError(
                f"zoom: expected {MIN_VIEW_ZOOM} to {MAX_VIEW_ZOOM}, got {zoom}", field="zoom"
            )
        prepared = self._prepared(name, min(zoom, DETAIL_ZOOM))
        props = self._properties(name, columns)
        if box is None:
            found = np.arange(len(prepared.rows))
        else:
            found = np.sort(prepared.tree.query(box, predicate="intersects"))
        if len(found) > self.max_features:
            raise TooLarge(
                f"bbox: {len(found)} features of {name} meet the view at zoom {zoom}, more "
                f"than the {self.max_features} one answer holds; zoom in or narrow the bbox",
                field="bbox",
            )
        geometries, rows = prepared.geometries, prepared.rows
        body = ",".join(
            f'{{"type":"Feature","properties":{props[rows[i]]},"geometry":{geometries[i]}}}'
            for i in found
        )
        return f'{{"type":"FeatureCollection","features":[{body}]}}'
