"""Three shelters, a landslide square and a fault line in a 10 km UTM square (test world)."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import LineString, Point, box

from geo.hazards.setbacks import Setbacks, parse_setbacks
from geo.shelters.status import ShelterStatus, classify_shelters

UTM = "EPSG:32649"
X0, Y0 = 700_000.0, 4_190_000.0


def profile() -> Setbacks:
    """Landslide high 200 m, fault high 200 m, everything else 50 m."""

    def kind(high: float, other: float) -> dict:
        return {
            "extreme": high,
            "high": high,
            "medium": other,
            "low": other,
            "basis": "test",
            "rationale": "test",
        }

    return parse_setbacks(
        {
            "setbacks": {
                "landslide": kind(200, 100),
                "fault": kind(200, 100),
                "default": kind(50, 50),
            },
            "service_radius": {
                "emergency": {"metres": 500, "source": "GB 50413-2007"},
                "short_term": {"metres": 2000, "source": "GB 50413-2007"},
                "long_term": {"metres": 3000, "source": "GB 50413-2007"},
            },
        },
        source="test",
    )


def lonlat(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Built in UTM, handed over in EPSG:4326 as the API gives them."""
    return frame.to_crs("EPSG:4326")


def zones() -> gpd.GeoDataFrame:
    """A landslide square (high) and a fault line (high) in the 10 km square."""
    return lonlat(
        gpd.GeoDataFrame(
            {"id": ["H1", "F1"], "kind": ["landslide", "fault"], "risk": ["high", "high"]},
            geometry=[
                box(X0 + 7_000, Y0 + 7_000, X0 + 7_300, Y0 + 7_300),
                LineString([(X0 + 1_000, Y0), (X0 + 1_000, Y0 + 10_000)]),
            ],
            crs=UTM,
        )
    )


def shelters(*geometries: object, kinds: tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
    n = len(geometries)
    return lonlat(
        gpd.GeoDataFrame(
            {
                "id": [f"S{i + 1}" for i in range(n)],
                "name": [f"{i + 1}号" for i in range(n)],
                "capacity": [100 * (i + 1) for i in range(n)],
                "kind": list(kinds or ["emergency"] * n),
            },
            geometry=list(geometries),
            crs=UTM,
        )
    )


FOOTPRINT = lonlat(gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 3_000, Y0 + 3_000)], crs=UTM))
THREE = shelters(
    Point(X0 + 1_100, Y0 + 2_500),  # in the footprint, 100 m from the fault
    Point(X0 + 7_450, Y0 + 7_150),  # 150 m east of the landslide
    box(X0 + 8_000, Y0 + 5_000, X0 + 8_400, Y0 + 5_400),  # a park far from both
    kinds=("emergency", "short_term", "long_term"),
)


def classify(frame: gpd.GeoDataFrame, footprint: object = FOOTPRINT) -> tuple[ShelterStatus, ...]:
    return classify_shelters(
        frame, footprint=footprint, hazard_zones=zones(), setbacks=profile(), metric_crs=UTM
    )


def status(sid: str, state: str = "usable", capacity: int = 10) -> ShelterStatus:
    return ShelterStatus(sid, sid, "emergency", capacity, state, ())  # type: ignore[arg-type]
