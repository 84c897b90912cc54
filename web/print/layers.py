"""The map layers of the printed situation map, projected and drawn with fixed symbology.

The assessment's footprint, shelters and supply routes and the pack's counties, roads,
hazard zones and depots are projected to the map's metric CRS, cut to the map extent and
drawn as matplotlib collections (one per style), so the PDF stays vector and small.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from pyproj import CRS
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from geo.errors import InputError
from layers.pack import LayerPack
from web import footprint_style, labels
from web.print import cartography as carto
from web.print.map_crs import MAP_LONLAT, to_map_crs
from web.print.page import Box, Page
from web.print.text import halo_text

#: The detail map shows at least this much ground (m) and a margin around the footprint.
MIN_SPAN_M = 2_500.0
MARGIN_SHARE = 0.12


#: shapely's type id of a LineString (`shapely.GeometryType.LINESTRING`).
LINESTRING = shapely.GeometryType.LINESTRING


def fit_extent(
    bounds: tuple[float, float, float, float], *, box_mm: Box
) -> tuple[float, float, float, float]:
    """``bounds`` with a margin, at least `MIN_SPAN_M`, widened to the box's aspect."""
    minx, miny, maxx, maxy = bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    span_x = max(maxx - minx, MIN_SPAN_M) * (1 + 2 * MARGIN_SHARE)
    span_y = max(maxy - miny, MIN_SPAN_M) * (1 + 2 * MARGIN_SHARE)
    aspect = box_mm[2] / box_mm[3]
    if span_x / span_y < aspect:
        span_x = span_y * aspect
    else:
        span_y = span_x / aspect
    return cx - span_x / 2, cy - span_y / 2, cx + span_x / 2, cy + span_y / 2


def polygon_path(geometry: BaseGeometry) -> MplPath:
    """A matplotlib path of a (Multi)Polygon, holes included."""
    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for part in shapely.get_parts(geometry):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        for ring in (part.exterior, *part.interiors):
            coords = np.asarray(ring.coords)[:, :2]
            ring_codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
            ring_codes[0] = MplPath.MOVETO
            ring_codes[-1] = MplPath.CLOSEPOLY
            vertices.append(coords)
            codes.append(ring_codes)
    if not vertices:
        return MplPath(np.zeros((0, 2)))
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def add_polygons(ax: Axes, geometries: gpd.GeoSeries, **style: Any) -> None:
    """(Multi)Polygons as one patch collection."""
    polygons = [g for g in geometries if g is not None and not g.is_empty]
    if polygons:
        patches = [PathPatch(polygon_path(g)) for g in polygons]
        ax.add_collection(PatchCollection(patches, **style), autolim=False)


def add_lines(ax: Axes, geometries: gpd.GeoSeries, **style: Any) -> None:
    """(Multi)LineStrings as one line collection: each line's x/y, in order."""
    whole = np.asarray([g for g in geometries if g is not None], dtype=object)
    parts = shapely.get_parts(whole[~shapely.is_empty(whole)])
    lines = parts[shapely.get_type_id(parts) == LINESTRING]
    if len(lines):
        xy = shapely.get_coordinates(lines)
        ends = np.cumsum(shapely.get_num_coordinates(lines))[:-1]
        ax.add_collection(LineCollection(np.split(xy, ends), **style), autolim=False)


def label_point(geometry: BaseGeometry, *, tolerance: float) -> Point:
    """Where to write a polygon's name: the pole of inaccessibility of its largest part."""
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type == "Polygon"]
    if not parts:
        return geometry.representative_point()
    largest = max(parts, key=lambda p: p.area)
    point: Point = polylabel(largest, tolerance=tolerance)
    return point


class MapLayers:
    """The assessment's and the pack's layers, projected to the map CRS."""

    def __init__(self, **layers: Any) -> None:
        self.crs: CRS = layers["crs"]
        self.pieces: gpd.GeoDataFrame = layers["pieces"]
        self.classes: list[str] = layers["classes"]
        self.colours: dict[str, str] = layers["colours"]
        self.shelters: gpd.GeoDataFrame = layers["shelters"]
        self.unreachable: set[str] = layers["unreachable"]
        self.held_depots: set[str] = layers["held_depots"]
        self.routes: gpd.GeoDataFrame = layers["routes"]
        self.pack: LayerPack = layers["pack"]
        self.hazard: str = layers["hazard"]

    @classmethod
    def build(cls, assessment: Mapping[str, Any], pack: LayerPack, crs: CRS) -> MapLayers:
        """Read the assessment's geometries and project everything to ``crs``."""
        features = (assessment["footprint"].get("pieces") or {}).get("features") or []
        if not features:
            raise InputError("footprint.pieces: no footprint to map", field="footprint")
        pieces = gpd.GeoDataFrame.from_features(features, crs=MAP_LONLAT).to_crs(crs)
        if "class" not in pieces.columns:
            pieces["class"] = "high"
        classes = [str(c) for c in pieces["class"]]
        rows = assessment["shelters"]
        shelters = gpd.GeoDataFrame(
            {
                "id": [r["id"] for r in rows],
                "status": [r["status"] for r in rows],
                "assigned": [int(r.get("assigned", 0)) for r in rows],
            },
            geometry=gpd.points_from_xy([r["lon"] for r in rows], [r["lat"] for r in rows]),
            crs=MAP_LONLAT,
        ).to_crs(crs)
        supply = assessment.get("supply") or {}
        route_features = (supply.get("routes") or {}).get("features") or []
        routes = (
            gpd.GeoDataFrame.from_features(route_features, crs=MAP_LONLAT).to_crs(crs)
            if route_features
            else gpd.GeoDataFrame(geometry=[], crs=crs)
        )
        return cls(
            crs=crs,
            pieces=pieces,
            classes=classes,
            colours=footprint_style.class_colours(classes),
            shelters=shelters,
            unreachable={str(s) for s in supply.get("unreachable") or []},
            held_depots={
                str(d["id"]) for d in supply.get("depots") or [] if d.get("status") != "sending"
            },
            routes=routes,
            pack=pack,
            hazard=str(assessment["hazard"]),
        )

    def focus_bounds(self) -> tuple[float, float, float, float]:
        """The footprint's bounds in the map CRS."""
        minx, miny, maxx, maxy = self.pieces.total_bounds
        return float(minx), float(miny), float(maxx), float(maxy)

    def centre_lonlat(self, extent: tuple[float, float, float, float]) -> tuple[float, float]:
        """The map centre in lon/lat."""
        centre = gpd.GeoSeries([box(*extent).centroid], crs=self.crs).to_crs(MAP_LONLAT).iloc[0]
        return float(centre.x), float(centre.y)

    def _clip(self, frame: gpd.GeoDataFrame, area: BaseGeometry) -> gpd.GeoDataFrame:
        """``frame`` projected and cut to ``area`` (grown a little, so lines leave the frame)."""
        minx, miny, maxx, maxy = area.buffer(area.length * 0.02).bounds
        projected = to_map_crs(frame, self.crs)
        kept = projected[projected.intersects(box(minx, miny, maxx, maxy))].copy()
        kept["geometry"] = kept.geometry.clip_by_rect(minx, miny, maxx, maxy)
        return kept[~kept.geometry.is_empty]

    def context_frames(self, area: BaseGeometry) -> dict[str, gpd.GeoDataFrame]:
        """The pack's context layers (rivers, towns), projected and cut to ``area``."""
        return {name: self._clip(frame, area) for name, frame in self.pack.context.items()}

    def draw_detail(self, ax: Axes, page: Page, area: BaseGeometry) -> None:
        """The detail map: every layer inside ``area``."""
        ax.set_facecolor("#fbfbf8")
        counties = self._clip(self.pack.counties, area)
        add_polygons(ax, counties.geometry, facecolor="#f4f2ec", edgecolor="none", zorder=1)
        self._draw_roads(ax, page, area)
        zones = self._clip(self.pack.hazard_zones, area)
        style = labels.PRINT_STYLES["hazard_zones"]
        for risk, colour in labels.RISK_COLORS.items():
            chosen = zones[zones["risk"] == risk]
            add_polygons(
                ax,
                chosen.geometry,
                facecolor=colour,
                edgecolor=colour,
                alpha=style["alpha"],
                linewidth=page.lw(style["width"]),
                zorder=4,
            )
        for name, geometry in zip(self.pieces["class"], self.pieces.geometry, strict=True):
            add_polygons(
                ax,
                gpd.GeoSeries([geometry]),
                facecolor=self.colours[str(name)],
                edgecolor="none",
                alpha=labels.PRINT_STYLES["footprint"]["alpha"],
                zorder=5,
            )
        add_polygons(
            ax,
            gpd.GeoSeries([shapely.union_all(self.pieces.geometry.to_numpy())]),
            facecolor="none",
            edgecolor=footprint_style.outline_colour(),
            linewidth=page.lw(labels.PRINT_STYLES["footprint"]["width"]),
            zorder=6,
        )
        add_polygons(
            ax,
            counties.geometry,
            facecolor="none",
            edgecolor=labels.COUNTY_EDGE_COLOR,
            linewidth=page.lw(labels.PRINT_STYLES["counties"]["width"]),
            linestyle=carto.COUNTY_DASH,
            zorder=7,
        )
        add_lines(
            ax,
            self.routes.geometry,
            colors=labels.ROUTE_COLOR,
            linewidths=page.lw(labels.PRINT_STYLES["routes"]["width"]),
            alpha=labels.PRINT_STYLES["routes"]["alpha"],
            zorder=8,
        )
        self._label_counties(ax, page, counties, area)
        self._draw_points(ax, page, area)

    def _draw_roads(self, ax: Axes, page: Page, area: BaseGeometry) -> None:
        roads = self._clip(self.pack.roads, area)
        tiers = roads["highway"].astype(str).map(lambda h: labels.ROAD_TIERS.get(h, "minor"))
        for order, (tier, (width, colour)) in enumerate(labels.PRINT_ROADS.items()):
            add_lines(
                ax,
                roads.geometry[tiers == tier],
                colors=colour,
                linewidths=page.lw(width),
                zorder=2 + order * 0.1,
            )

    def _label_counties(
        self, ax: Axes, page: Page, counties: gpd.GeoDataFrame, area: BaseGeometry
    ) -> None:
        # Keep names off the footprint: label the part of the county clear of it, at the
        # point farthest from every edge (pole of inaccessibility).
        clear_of = shapely.union_all(self.pieces.geometry.to_numpy()).buffer(
            math.sqrt(area.area) * 0.04
        )
        for name, geometry in zip(counties["name"], counties.geometry, strict=True):
            inside = geometry.intersection(area)
            if inside.is_empty or inside.area < area.area * 0.02:
                continue
            free = inside.difference(clear_of)
            target = free if free.area > inside.area * 0.1 else inside
            point = label_point(target, tolerance=math.sqrt(area.area) / 200)
            halo_text(
                ax,
                point.x,
                point.y,
                str(name),
                fontsize=page.pt(12),
                color="#555555",
                ha="center",
                va="center",
                zorder=9,
                halo=page.lw(2.5),
            )

    def _draw_points(self, ax: Axes, page: Page, area: BaseGeometry) -> None:
        shelters = self.shelters[self.shelters.within(area)]
        for status, style in carto.SHELTER_STYLES.items():
            _scatter(ax, page, shelters[shelters["status"] == status], style, width=0.6)
        ring = carto.UNREACHABLE_RING
        lost = shelters[shelters["id"].isin(self.unreachable)]
        ax.scatter(
            lost.geometry.x,
            lost.geometry.y,
            marker=ring.marker,
            facecolors="none",
            edgecolors=ring.edge,
            s=page.marker(ring.size),
            linewidths=page.lw(1.0),
            zorder=10,
        )
        offset = page.pt(4.5)
        for sid, point in zip(shelters["id"], shelters.geometry, strict=True):
            halo_text(
                ax,
                point.x,
                point.y,
                str(sid),
                offset=(offset, offset * 0.5),
                fontsize=page.pt(6.5),
                color="#222222",
                zorder=12,
                halo=page.lw(2),
            )
        depots = self._clip(self.pack.depots, area)
        depots = depots[depots.within(area)]
        held = depots["id"].astype(str).isin(self.held_depots)
        _scatter(ax, page, depots[~held], carto.DEPOT_STYLE, width=0.8)
        _scatter(ax, page, depots[held], carto.DEPOT_HELD_STYLE, width=0.8)
        style = carto.DEPOT_STYLE
        for name, point in zip(depots["name"], depots.geometry, strict=True):
            halo_text(
                ax,
                point.x,
                point.y,
                str(name),
                offset=(offset, -offset * 1.5),
                fontsize=page.pt(6.5),
                color=style.colour,
                zorder=12,
                halo=page.lw(2),
            )

    def draw_locator(self, ax: Axes, page: Page, detail: BaseGeometry, *, box_mm: Box) -> None:
        """The whole jurisdiction, the footprint and the detail map's extent."""
        counties = to_map_crs(self.pack.counties, self.crs)
        ax.set_facecolor("white")
        add_polygons(
            ax,
            counties.geometry,
            facecolor="#ecebe6",
            edgecolor=labels.COUNTY_EDGE_COLOR,
            linewidth=page.lw(0.5),
            zorder=1,
        )
        add_polygons(
            ax,
            self.pieces.geometry,
            facecolor=self.colours[self.classes[0]],
            edgecolor="none",
            zorder=2,
        )
        minx, miny, maxx, maxy = detail.bounds
        ax.add_patch(
            Rectangle(
                (minx, miny),
                maxx - minx,
                maxy - miny,
                facecolor="none",
                edgecolor="#d7191c",
                linewidth=page.lw(1.3),
                zorder=3,
            )
        )
        for name, geometry in zip(counties["name"], counties.geometry, strict=True):
            point = geometry.representative_point()
            halo_text(
                ax,
                point.x,
                point.y,
                str(name),
                fontsize=page.pt(7),
                color="#444444",
                ha="center",
                va="center",
                zorder=4,
                halo=page.lw(1.8),
            )
        whole = shapely.union_all([*counties.geometry, detail])
        extent = fit_extent(whole.bounds, box_mm=box_mm)
        ax.set_xlim(extent[0], extent[2])
        ax.set_ylim(extent[1], extent[3])


def _scatter(
    ax: Axes, page: Page, frame: gpd.GeoDataFrame, style: carto.MarkerStyle, *, width: float
) -> None:
    """Point features in one fixed symbol of the map's symbology."""
    ax.scatter(
        frame.geometry.x,
        frame.geometry.y,
        marker=style.marker,
        c=style.colour,
        edgecolors=style.edge,
        s=page.marker(style.size),
        linewidths=page.lw(width),
        zorder=11,
    )
