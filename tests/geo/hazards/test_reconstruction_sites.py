"""Reconstruction sites: plan §6.2.3 conflicts with literal distances, and GeoJSON refusals."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pytest
from pyproj import Transformer
from shapely.geometry import LineString, Point, box, mapping

from geo.errors import GeometryError, InputError
from geo.hazards.reconstruction_sites import check_sites, parse_sites
from geo.hazards.setbacks import Setbacks, parse_setbacks
from layers.profiles import read_setbacks

UTM = "EPSG:32649"
X0, Y0 = 700_000.0, 4_190_000.0
FAULT = "阳泉2026 §6.2.3：避开地震断裂带"
FLOOD = "阳泉2026 §6.2.3：避开洪涝灾害高风险区"
GEO_HIGH = "阳泉2026 §6.2.3：避让地质灾害极高和高风险区"
GEO_POINT = "阳泉2026 §6.2.3：避开地质灾害隐患点"


def profile() -> Setbacks:
    """Every setback 100 m except faults (200 m); the plan's four siting rules."""

    def kind(metres: float) -> dict:
        grades = dict.fromkeys(("extreme", "high", "medium", "low"), metres)
        return {**grades, "basis": "test", "rationale": "test"}

    geo = ["landslide", "collapse", "debris_flow"]
    return parse_setbacks(
        {
            "setbacks": {"fault": kind(200), "default": kind(100)},
            "site_rules": [
                {"kinds": ["fault"], "clause": "阳泉2026 §6.2.3", "text": "避开地震断裂带"},
                {
                    "kinds": ["flood_risk"],
                    "risks": ["extreme", "high"],
                    "clause": "阳泉2026 §6.2.3",
                    "text": "避开洪涝灾害高风险区",
                },
                {
                    "kinds": geo,
                    "risks": ["extreme", "high"],
                    "clause": "阳泉2026 §6.2.3",
                    "text": "避让地质灾害极高和高风险区",
                },
                {"kinds": geo, "clause": "阳泉2026 §6.2.3", "text": "避开地质灾害隐患点"},
            ],
        },
        source="test",
    )


def zones() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "id": ["F1", "W1", "W2", "L1", "L2"],
            "kind": ["fault", "flood_risk", "flood_risk", "landslide", "collapse"],
            "risk": ["high", "high", "low", "medium", "extreme"],
        },
        geometry=[
            LineString([(X0 + 1_000, Y0), (X0 + 1_000, Y0 + 10_000)]),
            box(X0 + 3_000, Y0, X0 + 4_000, Y0 + 1_000),
            box(X0 + 3_000, Y0 + 2_000, X0 + 4_000, Y0 + 3_000),
            Point(X0 + 6_000, Y0 + 6_000),
            box(X0 + 8_000, Y0 + 8_000, X0 + 8_500, Y0 + 8_500),
        ],
        crs=UTM,
    )
    return frame.to_crs("EPSG:4326")


def sites(*geometries: Any, ids: list[str] | None = None) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(geometry=list(geometries), crs=UTM).to_crs("EPSG:4326")
    return frame if ids is None else frame.assign(id=ids)


def check(frame: gpd.GeoDataFrame, setbacks: Setbacks | None = None) -> list[tuple]:
    return [
        (
            c.id,
            c.ok,
            [(x.zone_id, x.kind, x.risk, x.distance_m, x.setback_m, x.rule) for x in c.conflicts],
        )
        for c in check_sites(
            frame, hazard_zones=zones(), setbacks=setbacks or profile(), metric_crs=UTM
        )
    ]


def test_sites_conflict_with_the_zones_the_plan_rules_out() -> None:
    result = check(
        sites(
            Point(X0 + 1_150, Y0 + 5_000),  # 150 m from the fault
            box(X0 + 3_200, Y0 + 2_200, X0 + 3_400, Y0 + 2_400),  # inside a LOW flood zone
            Point(X0 + 3_500, Y0 + 1_050),  # 50 m north of the HIGH flood zone
            Point(X0 + 6_030, Y0 + 6_040),  # 50 m from a landslide hazard point
            box(X0 + 8_400, Y0 + 8_400, X0 + 8_700, Y0 + 8_700),  # overlaps the collapse zone
            Point(X0 + 6_060, Y0 + 6_081),  # 100.8 m from it: just outside
        )
    )
    assert result == [
        ("site-1", False, [("F1", "fault", "high", 150.0, 200.0, FAULT)]),
        ("site-2", True, []),
        ("site-3", False, [("W1", "flood_risk", "high", 50.0, 100.0, FLOOD)]),
        ("site-4", False, [("L1", "landslide", "medium", 50.0, 100.0, GEO_POINT)]),
        ("site-5", False, [("L2", "collapse", "extreme", 0.0, 100.0, GEO_HIGH)]),
        ("site-6", True, []),
    ]


def test_given_ids_are_kept() -> None:
    near_fault = Point(X0 + 1_050, Y0 + 5_000)
    far = Point(X0 + 5_000, Y0 + 9_000)
    assert check(sites(near_fault, far, ids=["甲", "乙"])) == [
        ("甲", False, [("F1", "fault", "high", 50.0, 200.0, FAULT)]),
        ("乙", True, []),
    ]


def test_the_shipped_profile_covers_every_kind_the_plan_names() -> None:
    shipped = read_setbacks()
    for kind, risk in [
        ("fault", "low"),
        ("flood_risk", "high"),
        ("flood_risk", "extreme"),
        ("floodway", "low"),
        ("landslide", "low"),
        ("collapse", "medium"),
        ("debris_flow", "high"),
    ]:
        rule = shipped.site_rule(kind, risk)
        assert rule is not None
        assert rule.clause == "阳泉2026 §6.2.3"
    assert shipped.site_rule("flood_risk", "medium") is None
    assert shipped.site_rule("landslide", "high").text.startswith("避让地质灾害极高和高风险区")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"metric_crs": "EPSG:4490"}, InputError, "not a projected CRS in metres"),
        ({"sites": gpd.GeoDataFrame(geometry=[Point(113.6, 37.9)])}, InputError, "sites: no CRS"),
        ({"sites": [Point(113.6, 37.9)]}, InputError, "sites: expected a GeoDataFrame"),
        ({"hazard_zones": zones().drop(columns="risk")}, InputError, r"missing columns \['risk'\]"),
        ({"hazard_zones": zones().assign(risk="severe")}, InputError, r"risk values \['severe'\]"),
    ],
)
def test_check_refusals(change: dict, error: type[Exception], match: str) -> None:
    args: dict[str, Any] = {
        "sites": sites(Point(X0, Y0)),
        "hazard_zones": zones(),
        "setbacks": profile(),
        "metric_crs": UTM,
    }
    args.update(change)
    with pytest.raises(error, match=match):
        check_sites(args.pop("sites"), **args)


# ---------------------------------------------------------------- parsing GeoJSON

TO_LONLAT = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
LON, LAT = TO_LONLAT.transform(X0 + 1_150, Y0 + 5_000)
POINT = {"type": "Point", "coordinates": [LON, LAT]}
SQUARE = mapping(box(113.6, 37.8, 113.61, 37.81))


def feature(geometry: object, **properties: object) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def test_parse_a_geometry_a_feature_and_a_collection() -> None:
    assert parse_sites(POINT)["id"].tolist() == ["site-1"]
    assert parse_sites(feature(SQUARE, id="新村"))["id"].tolist() == ["新村"]
    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:4490"}},
        "features": [
            feature(POINT),
            {**feature(SQUARE), "id": 7},
            feature(
                mapping(box(113.6, 37.8, 113.61, 37.81).union(box(113.7, 37.8, 113.71, 37.81)))
            ),
        ],
    }
    frame = parse_sites(collection)
    assert frame["id"].tolist() == ["site-1", "7", "site-3"]
    assert frame.geometry.geom_type.tolist() == ["Point", "Polygon", "MultiPolygon"]
    assert frame.crs == "EPSG:4326"
    assert check(frame.iloc[:1])[0][2][0][3] == 150.0  # parsed sites check like any other


BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [[113.6, 37.8], [113.61, 37.81], [113.61, 37.8], [113.6, 37.81], [113.6, 37.8]]
    ],
}


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ("POINT (1 2)", "sites: expected a GeoJSON object"),
        (
            {"type": "Topology"},
            "GeoJSON type 'Topology' is not a Geometry, Feature or FeatureCollection",
        ),
        ({"type": "FeatureCollection", "features": []}, "the FeatureCollection has no features"),
        (
            {"type": "FeatureCollection", "features": [feature(POINT), POINT]},
            "feature 1 is not a GeoJSON Feature",
        ),
        (
            {"type": "FeatureCollection", "features": [feature(POINT), feature(None)]},
            "feature 1 has no geometry",
        ),
        (
            feature({"type": "LineString", "coordinates": [[1, 2], [3, 4]]}),
            "feature 0: geometry type 'LineString' is not one of",
        ),
        ({"type": "Point", "coordinates": [1]}, "feature 0: malformed Point coordinates"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]},
            "feature 0: malformed Polygon coordinates",
        ),
        ({"type": "Polygon", "coordinates": []}, "feature 0: the Polygon is empty"),
        (
            {"type": "Point", "coordinates": [X0, Y0]},
            "feature 0: coordinates are not lon/lat degrees",
        ),
        (BOWTIE, r"feature 0: the Polygon is invalid \(Self-intersection"),
        (
            {**POINT, "crs": {"type": "name", "properties": {"name": "EPSG:32649"}}},
            "CRS 'EPSG:32649' is not accepted",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [feature(POINT, id="a"), feature(POINT, id="a")],
            },
            r"site ids \['a'\] are repeated",
        ),
    ],
)
def test_parse_refusals_name_the_feature(data: object, match: str) -> None:
    with pytest.raises(GeometryError, match=match):
        parse_sites(data)
