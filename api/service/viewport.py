"""Vector layers for a map view: features in a bbox, simplified to a pixel at the zoom, capped.

``GET /api/v1/layers/{name}?bbox=…&zoom=…`` answers from here. Each layer's stored
geometries get a spatial index once per process; a request asks it which features meet
the bbox (roads and shelters of classes drawn only from a higher zoom left out, as
`web.map_classes` says), and writes those it has not written at that zoom before:
simplified to about a pixel, coordinates rounded to what a pixel shows, as GeoJSON text
kept for the next view. So a pan costs what the new
view holds, not what the layer holds. Whole-layer downloads (no ``zoom``) do not come
here and keep every vertex.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError, TooLarge
from layers.pack import SPECS, LayerPack
from layers.view_cache import KeptTexts
from web.map_classes import MIN_ZOOM_BY

#: Zoom levels a view may ask for; above DETAIL_ZOOM the layer is prepared as at DETAIL_ZOOM.
MIN_VIEW_ZOOM, MAX_VIEW_ZOOM, DETAIL_ZOOM = 0, 22, 16
TILE_PIXELS = 256
#: Most features one view answer holds; more is a 413 (zoom in, or ask for a smaller bbox).
MAX_VIEW_FEATURES = 20_000
#: Written features kept per process for this many (layer, zoom) pairs, the oldest dropped.
ZOOMS_KEPT = 24
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
class ViewAnswer:
    """A view's GeoJSON text and how many of its features were simplified for it."""

    text: str
    #: Features whose geometry this answer wrote (0: all were prepared ahead).
    written: int


@dataclass(frozen=True)
class IndexedLayer:
    """A layer's stored geometries (EPSG:4326) with their spatial index, built once."""

    geometries: np.ndarray
    tree: shapely.STRtree
    #: The least zoom each feature is drawn at (roads by class, shelters by kind, else 0).
    min_zoom: np.ndarray
    #: The layer's pole-most latitude: simplification tolerances hold there too.
    max_abs_lat: float


def index_layer(frame: gpd.GeoDataFrame, *, name: str) -> IndexedLayer:
    """The index of a layer's stored geometries; empty geometries are never found."""
    geometries = frame.geometry.values
    if name in MIN_ZOOM_BY and len(frame):
        column, table, default = MIN_ZOOM_BY[name]
        min_zoom = np.array([table.get(str(v), default) for v in frame[column]], dtype=int)
    else:
        min_zoom = np.zeros(len(frame), dtype=int)
    _, miny, _, maxy = frame.total_bounds if len(frame) else (0.0, 0.0, 0.0, 0.0)
    return IndexedLayer(
        geometries=np.asarray(geometries),
        tree=shapely.STRtree(geometries),
        min_zoom=min_zoom,
        max_abs_lat=float(max(abs(miny), abs(maxy))),
    )


def geometry_texts(layer: IndexedLayer, rows: np.ndarray, *, zoom: int) -> list[str]:
    """The rows' geometries as GeoJSON text for ``zoom``: simplified, rounded to a pixel."""
    tolerance = pixel_degrees(zoom, max_abs_lat=layer.max_abs_lat)
    geoms = shapely.simplify(layer.geometries[rows], tolerance, preserve_topology=True)
    digits = decimals_for(tolerance)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, digits))
    return [str(text) for text in shapely.to_geojson(geoms)]


def column_texts(frame: gpd.GeoDataFrame, column: str) -> list[str]:
    """One column's values as JSON text per row (NaN as null), as pandas writes them."""
    records = json.loads(frame[[column]].to_json(orient="records", force_ascii=False))
    written: dict[str, str] = {}  # a class or a name recurs on many rows
    out = []
    for record in records:
        value = record[column]
        if not isinstance(value, str):
            out.append(json.dumps(value, ensure_ascii=False))
            continue
        text = written.get(value)
        if text is None:
            text = written[value] = json.dumps(value, ensure_ascii=False)
        out.append(text)
    return out


def row_texts(columns: dict[str, list[str]], *, rows: int) -> tuple[str, ...]:
    """Each of ``rows`` rows' properties as a JSON object text, from its columns' texts."""
    keyed = []
    for name, texts in columns.items():
        key = json.dumps(name, ensure_ascii=False)
        keyed.append([f"{key}:{text}" for text in texts])
    if not keyed:
        return ("{}",) * rows
    return tuple("{" + ",".join(parts) + "}" for parts in zip(*keyed, strict=True))


def property_columns(frame: gpd.GeoDataFrame, columns: tuple[str, ...] | None) -> list[str]:
    """The property columns a view sends: all but the geometry, or ``columns`` checked."""
    present = [str(c) for c in frame.columns if c != frame.geometry.name]
    if columns is None:
        return present
    missing = [c for c in columns if c not in present]
    if missing:
        raise InputError(
            f"properties: {', '.join(missing)} not in the layer; it has {', '.join(present)}",
            field="properties",
        )
    return list(columns)


class ViewLayers:
    """The pack's vector layers answered by view; indexes and written features kept."""

    def __init__(self, pack: LayerPack, *, max_features: int = MAX_VIEW_FEATURES) -> None:
        self.pack = pack
        self.max_features = max_features
        self._indexed = lru_cache(maxsize=None)(self._index)
        self._properties = lru_cache(maxsize=ZOOMS_KEPT)(self._property_texts)
        self._columns = lru_cache(maxsize=None)(self._column_texts)
        self._written: OrderedDict[tuple[str, int], dict[int, str]] = OrderedDict()
        #: Zooms written whole ahead of the requests (see `prepare`), never dropped.
        self._prepared: dict[tuple[str, int], dict[int, str]] = {}
        #: Zooms written ahead and kept on disk (`keep`), read on demand.
        self._kept: dict[tuple[str, int], KeptTexts] = {}
        self._answering = 0
        self._last_answer = -math.inf  # time.monotonic() when the last view was answered
        self._lock = threading.Lock()

    def _frame(self, name: str) -> gpd.GeoDataFrame:
        frame = self.pack.vector(name)
        if not isinstance(frame, gpd.GeoDataFrame):
            raise InputError(
                f"zoom: {name} is a table without geometry; ask for it without bbox and zoom",
                field="zoom",
            )
        return frame

    def _index(self, name: str) -> IndexedLayer:
        return index_layer(self._frame(name), name=name)

    def _column_texts(self, name: str, column: str) -> list[str]:
        return column_texts(self._frame(name), column)

    def _property_texts(self, name: str, columns: tuple[str, ...] | None) -> tuple[str, ...]:
        frame = self._frame(name)
        chosen = property_columns(frame, columns)
        return row_texts({c: self._columns(name, c) for c in chosen}, rows=len(frame))

    def _geometries(self, name: str, zoom: int, rows: np.ndarray) -> tuple[list[str], int]:
        """The rows' geometry texts at ``zoom`` and how many of them were written now.

        Texts prepared ahead (on disk or in memory) are read; only the others are written.
        """
        key = (name, zoom)
        prepared = self._prepared.get(key, {})
        kept = self._kept.get(key)
        with self._lock:  # requests run on several threads
            written = self._written.setdefault(key, {})
            self._written.move_to_end(key)
            while len(self._written) > ZOOMS_KEPT:
                self._written.popitem(last=False)
        held: dict[int, str] = {}
        if kept is not None:
            at = kept.positions(rows)
            found = at >= 0
            held = dict(zip(rows[found].tolist(), kept.texts(at[found]), strict=True))
        wanted = rows.tolist()
        new = [r for r in wanted if r not in held and r not in prepared and r not in written]
        if new:
            texts = geometry_texts(self._indexed(name), np.array(new, dtype=int), zoom=zoom)
            written.update(zip(new, texts, strict=True))
        for source in (prepared, written):
            held.update((r, source[r]) for r in wanted if r not in held and r in source)
        return [held[r] for r in wanted], len(new)

    def geometry_layers(self) -> list[str]:
        """The names of the pack's layers with geometry (those a view may ask for)."""
        names = [spec.name for spec in SPECS] + list(self.pack.context)
        return [n for n in names if isinstance(self.pack.vector(n), gpd.GeoDataFrame)]

    def drawn_rows(self, name: str, zoom: int) -> np.ndarray:
        """The rows of layer ``name`` a view at ``zoom`` may show (drawn there, not empty)."""
        layer = self._indexed(name)
        drawn = (layer.min_zoom <= zoom) & ~shapely.is_empty(layer.geometries)
        return np.flatnonzero(drawn)

    def prepare(self, name: str, zoom: int, rows: np.ndarray) -> None:
        """Write ``rows`` of layer ``name`` at ``zoom`` ahead of the views and keep them.

        The texts a view would write (`geometry_texts`), kept apart from the views' own
        (never dropped), so a view of rows prepared writes nothing and answers alike.
        """
        zoom = min(zoom, DETAIL_ZOOM)
        texts = geometry_texts(self._indexed(name), rows, zoom=zoom)
        prepared = self._prepared.setdefault((name, zoom), {})
        prepared.update(zip(rows.tolist(), texts, strict=True))

    def prepared(self, name: str, zoom: int) -> dict[int, str]:
        """The texts prepared of layer ``name`` at ``zoom`` so far (kept or not), by row."""
        key = (name, min(zoom, DETAIL_ZOOM))
        kept = self._kept.get(key)
        return {**(kept.as_dict() if kept is not None else {}), **self._prepared.get(key, {})}

    def is_kept(self, name: str, zoom: int) -> bool:
        """Whether layer ``name`` at ``zoom`` is kept from disk (`keep`)."""
        return (name, min(zoom, DETAIL_ZOOM)) in self._kept

    def keep(self, name: str, zoom: int, texts: KeptTexts) -> None:
        """Answer layer ``name`` at ``zoom`` from ``texts`` kept on disk (`prepare`'s).

        What was prepared in memory for it goes: the disk holds the same texts.
        """
        key = (name, min(zoom, DETAIL_ZOOM))
        self._kept[key] = texts
        self._prepared.pop(key, None)

    def property_names(self, name: str) -> list[str]:
        """The property columns of layer ``name`` (all but its geometry)."""
        return property_columns(self._frame(name), None)

    def column(self, name: str, column: str) -> list[str]:
        """Column ``column`` of layer ``name`` as JSON text per row, written once."""
        return self._columns(name, column)

    def geometries(self, name: str) -> np.ndarray:
        """Layer ``name``'s stored geometries (EPSG:4326), in row order."""
        return self._indexed(name).geometries

    def idle(self, *, quiet_s: float = 0.0) -> bool:
        """Whether no view is being answered now, nor was in the last ``quiet_s`` seconds."""
        with self._lock:
            recent = time.monotonic() - self._last_answer < quiet_s
            return self._answering == 0 and not recent

    def geojson(
        self,
        name: str,
        *,
        zoom: int,
        box: BaseGeometry | None,
        columns: tuple[str, ...] | None = None,
    ) -> str:
        """The features of layer ``name`` meeting ``box`` (all without one) at ``zoom``.

        ``columns`` names the properties to send (all when None). Each feature's ``id`` is
        its row in the layer: the same feature has the same id in every view. As `view`.
        """
        return self.view(name, zoom=zoom, box=box, columns=columns).text

    def view(
        self,
        name: str,
        *,
        zoom: int,
        box: BaseGeometry | None,
        columns: tuple[str, ...] | None = None,
    ) -> ViewAnswer:
        """`geojson`'s text with the count of features simplified for this answer.

        Raises
        ------
        TooLarge
            More than ``max_features`` features meet the box (a 413 naming ``bbox``).
        InputError
            ``zoom`` out of range, a table layer, or a column the layer does not have.
        """
        with self._lock:
            self._answering += 1
        try:
            return self._answer(name, zoom=zoom, box=box, columns=columns)
        finally:
            with self._lock:
                self._answering -= 1
                self._last_answer = time.monotonic()

    def _answer(
        self,
        name: str,
        *,
        zoom: int,
        box: BaseGeometry | None,
        columns: tuple[str, ...] | None,
    ) -> ViewAnswer:
        if not MIN_VIEW_ZOOM <= zoom <= MAX_VIEW_ZOOM:
            raise InputError(
                f"zoom: expected {MIN_VIEW_ZOOM} to {MAX_VIEW_ZOOM}, got {zoom}", field="zoom"
            )
        layer = self._indexed(name)
        props = self._properties(name, columns)
        if box is None:
            found = np.arange(len(layer.geometries))
        else:
            found = np.sort(layer.tree.query(box, predicate="intersects"))
        found = found[layer.min_zoom[found] <= zoom]
        found = found[~shapely.is_empty(layer.geometries[found])]
        if len(found) > self.max_features:
            raise TooLarge(
                f"bbox: {len(found)} features of {name} meet the view at zoom {zoom}, more "
                f"than the {self.max_features} one answer holds; zoom in or narrow the bbox",
                field="bbox",
            )
        texts, written = self._geometries(name, min(zoom, DETAIL_ZOOM), found)
        body = ",".join(
            f'{{"type":"Feature","id":{row},"properties":{props[row]},"geometry":{text}}}'
            for row, text in zip(found.tolist(), texts, strict=True)
        )
        return ViewAnswer(f'{{"type":"FeatureCollection","features":[{body}]}}', written)
