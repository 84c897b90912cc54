"""The incident map's closed roads and the pack's context layers, and every layer in order.

Closed roads are dashed red, as in the browser and on the printed map; the pack's optional
context layers (``water`` lines and areas, ``places`` points with a rank) are drawn with
their names when the pack has them. Names are laid out after every move, as in the
browser: county names first, then rivers, then towns by rank, a name that would overlap
one already shown hidden until there is room for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

import folium
import geopandas as gpd
import shapely

from layers.pack import LayerPack
from web import incident_layers, labels
from web.incident_layers import geojson_group, screen_style, tip

#: Pixel radius of a town's dot by rank (1 the largest), as the browser draws it.
PLACE_RADIUS = {1: 4, 2: 3}
PLACE_RADIUS_OTHER = 2

#: The names laid out again after every move (the browser's rule, in the page's script).
DECLUTTER_JS = """
window.addEventListener("load", function () {
  var map = window[%s];
  function layout() {
    var frame = map.getContainer().getBoundingClientRect();
    var taken = [].map.call(document.querySelectorAll(".rg-county"),
      function (e) { return e.getBoundingClientRect(); });
    var names = document.querySelectorAll(".rg-water-label, .rg-place-label");
    [].forEach.call(names, function (e) {
      e.style.visibility = "visible";
      var b = e.getBoundingClientRect();
      var inside = b.left >= frame.left && b.right <= frame.right &&
        b.top >= frame.top && b.bottom <= frame.bottom;
      var hit = taken.some(function (o) {
        return !(b.right <= o.left || o.right <= b.left || b.bottom <= o.top || o.bottom <= b.top);
      });
      if (!inside || hit) { e.style.visibility = "hidden"; } else { taken.push(b); }
    });
  }
  map.on("zoomend moveend overlayadd overlayremove", layout);
  layout();
});
"""


def closed_lines(assessment: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The roads the incident closes (``supply.closed_lines``), none when it has none."""
    supply = assessment.get("supply") or {}
    features: list[dict[str, Any]] = (supply.get("closed_lines") or {}).get("features") or []
    return features


def closed_roads(assessment: Mapping[str, Any]) -> folium.FeatureGroup | None:
    """The closed roads, dashed red, each with its name and class; None when none closed."""
    features = closed_lines(assessment)
    if not features:
        return None
    out = []
    for feature in features:
        p = feature.get("properties") or {}
        rows = [
            ("道路", p.get("name") or p.get("road_id") or ""),
            ("等级", labels.label(labels.HIGHWAYS, str(p.get("highway", "")))),
        ]
        out.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "road_id": p.get("road_id"),
                    "tip": tip(rows, title=labels.OVERLAYS["closed_roads"]),
                    "style": screen_style("closed_roads"),
                },
            }
        )
    collection = {"type": "FeatureCollection", "features": out}
    return geojson_group(collection, name=labels.OVERLAYS["closed_roads"])


def _name_marker(lat: float, lon: float, name: str, css: str) -> folium.Marker:
    html = f'<div class="{css}">{escape(name)}</div>'
    return folium.Marker(
        [lat, lon], icon=folium.DivIcon(html=html, icon_size=None), interactive=False
    )


def water(pack: LayerPack) -> folium.FeatureGroup | None:
    """Rivers and lakes (the pack's ``water``) named at their middle; None without them."""
    frame = pack.context.get("water")
    if frame is None or frame.empty:
        return None
    style = screen_style("water", fillColor=labels.WATER_COLOR)
    props = [{"style": style, "tip": escape(str(n))} for n in frame["name"]]
    group = geojson_group(
        incident_layers.features(frame, props), name=labels.OVERLAYS["water"], tooltip=False
    )
    for name, at in zip(frame["name"], _label_points(frame), strict=True):
        if isinstance(name, str) and name:
            _name_marker(at.y, at.x, name, "rg-water-label").add_to(group)
    return group


def _label_points(frame: gpd.GeoDataFrame) -> list[shapely.Point]:
    """Where a water body is named: a line's middle, else a point inside the area."""
    points = []
    for geometry in frame.geometry:
        if geometry.geom_type in {"LineString", "MultiLineString"}:
            parts = getattr(geometry, "geoms", [geometry])
            longest = max(parts, key=lambda g: g.length)
            points.append(longest.interpolate(0.5, normalized=True))
        else:
            points.append(geometry.representative_point())
    return points


def places(pack: LayerPack) -> folium.FeatureGroup | None:
    """Towns (the pack's ``places``) as dots with their names, by rank; None without them."""
    frame = pack.context.get("places")
    if frame is None or frame.empty:
        return None
    group = folium.FeatureGroup(name=labels.OVERLAYS["places"])
    for row in frame.sort_values("rank").itertuples():
        rank = int(row.rank)
        lon, lat = row.geometry.x, row.geometry.y
        folium.CircleMarker(
            [lat, lon],
            radius=PLACE_RADIUS.get(rank, PLACE_RADIUS_OTHER),
            color=labels.SCREEN_STYLES["places"]["color"],
            weight=labels.SCREEN_STYLES["places"]["weight"],
            fill=True,
            fill_color=labels.PLACE_COLOR,
            fill_opacity=1,
            interactive=False,
        ).add_to(group)
        _name_marker(lat, lon, str(row.name), f"rg-place-label rank-{rank}").add_to(group)
    return group


def groups(assessment: Mapping[str, Any], pack: LayerPack) -> list[folium.FeatureGroup]:
    """Every layer of the incident map, bottom first."""
    found = [
        incident_layers.counties(assessment, pack),
        water(pack),
        incident_layers.hazard_zones(pack),
        incident_layers.roads(pack),
        incident_layers.footprint(assessment),
        closed_roads(assessment),
        incident_layers.quake_marks(assessment),
        incident_layers.routes(assessment, pack),
        places(pack),
        incident_layers.depots(assessment, pack),
        incident_layers.shelters(assessment),
    ]
    return [group for group in found if group is not None]
