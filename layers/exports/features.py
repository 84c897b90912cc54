"""The assessment's map layers, as every vector export (Shapefile, KML) writes them.

The same frames the GeoPackage writes (`layers.export`), so a shelter's status or a
route's load reads the same in every file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from layers.export import (
    Names,
    counties_layer,
    depots_layer,
    footprint_layer,
    routes_layer,
    shelters_layer,
)

#: Geometry type written for each layer.
GEOMETRY_TYPES: Mapping[str, str] = {
    "footprint": "MultiPolygon",
    "shelters": "Point",
    "routes": "LineString",
    "counties": "MultiPolygon",
    "depots": "Point",
}


def in_crs(frame: Any, crs: str) -> Any:
    """``frame`` labelled ``crs``: EPSG:4326 and EPSG:4490 share coordinates (STANDARDS.md).

    The two datums differ by centimetres and PROJ knows no better transformation than
    the identity; relabelling says so on purpose instead of hiding it in a reprojection.
    """
    return frame.set_crs(crs, allow_override=True)


def spatial_layers(
    assessment: Mapping[str, Any],
    *,
    counties: Any,
    depots: Any | None,
    names: Names,
    crs: str,
) -> dict[str, Any]:
    """Footprint, shelters, routes, counties and (given the pack's) depots, in ``crs``."""
    frames = {
        "footprint": footprint_layer(assessment, names),
        "shelters": shelters_layer(assessment, names),
        "routes": routes_layer(assessment),
        "counties": counties_layer(assessment, counties),
    }
    if depots is not None:
        frames["depots"] = depots_layer(assessment, depots, names)
    return {name: in_crs(frame, crs) for name, frame in frames.items()}


@dataclass(frozen=True)
class Symbology:
    """Colours (``#rrggbb``) and widths the styled exports draw with (from `web.labels`)."""

    status_colors: Mapping[str, str]
    footprint_colors: tuple[str, ...]
    footprint_opacity: float
    route_color: str
    route_width_px: float
    depot_color: str
    county_edge_color: str
    shelter_edge_color: str

    def footprint_color(self, rank: int) -> str:
        """The fill of the footprint piece of severity ``rank`` (1 is the most severe)."""
        return self.footprint_colors[min(rank, len(self.footprint_colors)) - 1]
