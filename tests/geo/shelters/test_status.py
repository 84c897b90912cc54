"""Which shelters may open: statuses with literal distances, refusals."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box
from shelterworld import (
    FOOTPRINT,
    THREE,
    UTM,
    X0,
    Y0,
    classify,
    lonlat,
    profile,
    shelters,
    zones,
)

from geo.errors import GeometryError, InputError
from geo.shelters.status import classify_shelters


def test_three_shelters_get_literal_statuses_and_distances() -> None:
    s1, s2, s3 = classify(THREE)
    assert (s1.status, s2.status, s3.status) == ("in_footprint", "hazard_conflict", "usable")
    assert [(c.zone_id, c.kind, c.risk, c.distance_m, c.setback_m) for c in s1.conflicts] == [
        ("F1", "fault", "high", 100.0, 200.0)
    ]
    assert [(c.zone_id, c.distance_m) for c in s2.conflicts] == [("H1", 150.0)]
    assert s3.conflicts == ()
    assert (s3.id, s3.name, s3.kind, s3.capacity, s3.usable) == (
        "S3",
        "3号",
        "long_term",
        300,
        True,
    )


def test_inside_a_zone_is_distance_zero_and_polygons_count_their_whole_ground() -> None:
    inside, park = classify(
        shelters(Point(X0 + 7_100, Y0 + 7_100), box(X0 + 7_400, Y0 + 7_400, X0 + 7_800, Y0 + 7_800))
    )
    assert [(c.zone_id, c.distance_m) for c in inside.conflicts] == [("H1", 0.0)]
    # The park's corner is 141.4 m from the landslide, its centre 424.3 m: the ground counts.
    assert [(c.zone_id, c.distance_m) for c in park.conflicts] == [("H1", 141.4)]


@pytest.mark.parametrize(
    ("east", "status", "distances"),
    [(199.9, "hazard_conflict", [199.9]), (200.1, "usable", [])],
)
def test_setback_edge(east: float, status: str, distances: list[float]) -> None:
    (shelter,) = classify(shelters(Point(X0 + 7_300 + east, Y0 + 7_150)))
    assert shelter.status == status
    assert [c.distance_m for c in shelter.conflicts] == distances


def test_exactly_at_the_setback_is_a_conflict() -> None:
    # Built in UTM so no reprojection blurs the 200.0 m; the setback is inclusive.
    zone = gpd.GeoDataFrame(
        {"id": ["H1"], "kind": ["landslide"], "risk": ["high"]},
        geometry=[box(X0 + 7_000, Y0 + 7_000, X0 + 7_300, Y0 + 7_300)],
        crs=UTM,
    )
    shelter = gpd.GeoDataFrame(
        {"id": ["S1"], "name": ["一号"], "capacity": [1], "kind": ["emergency"]},
        geometry=[Point(X0 + 7_500, Y0 + 7_150)],
        crs=UTM,
    )
    (result,) = classify_shelters(
        shelter, footprint=FOOTPRINT, hazard_zones=zone, setbacks=profile(), metric_crs=UTM
    )
    assert [(c.zone_id, c.distance_m) for c in result.conflicts] == [("H1", 200.0)]


def test_conflicts_are_listed_nearest_first() -> None:
    extra = gpd.GeoDataFrame(
        {"id": ["H2"], "kind": ["landslide"], "risk": ["medium"]},
        geometry=[box(X0 + 7_400, Y0 + 7_100, X0 + 7_500, Y0 + 7_200)],
        crs=UTM,
    ).to_crs("EPSG:4326")
    (shelter,) = classify_shelters(
        shelters(Point(X0 + 7_340, Y0 + 7_150)),
        footprint=FOOTPRINT,
        hazard_zones=pd.concat([extra, zones()], ignore_index=True),
        setbacks=profile(),
        metric_crs=UTM,
    )
    assert [(c.zone_id, c.distance_m, c.setback_m) for c in shelter.conflicts] == [
        ("H1", 40.0, 200.0),
        ("H2", 60.0, 100.0),
    ]


def test_footprint_may_be_a_bare_geometry_and_unknown_kinds_take_the_default() -> None:
    odd = zones().assign(kind=["sinkhole", "fault"])
    (shelter,) = classify_shelters(
        shelters(Point(X0 + 7_340, Y0 + 7_150)),
        footprint=FOOTPRINT.geometry.iloc[0],
        hazard_zones=odd,
        setbacks=profile(),
        metric_crs=UTM,
    )
    assert [(c.kind, c.distance_m, c.setback_m) for c in shelter.conflicts] == [
        ("sinkhole", 40.0, 50.0)
    ]


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"metric_crs": "EPSG:4326"}, InputError, "not a projected CRS in metres"),
        ({"metric_crs": "nonsense"}, InputError, "is not a CRS"),
        (
            {"shelters": THREE.drop(columns="capacity")},
            InputError,
            r"missing columns \['capacity'\]",
        ),
        ({"shelters": THREE.set_crs(None, allow_override=True)}, InputError, "shelters: no CRS"),
        ({"hazard_zones": zones().assign(risk="severe")}, InputError, "risk values"),
        ({"footprint": gpd.GeoSeries([box(0, 0, 1, 1)])}, GeometryError, "footprint: no CRS"),
        ({"footprint": Point(0, 0).buffer(0)}, GeometryError, "footprint: the geometry is empty"),
        ({"footprint": "a polygon"}, GeometryError, "expected a geometry"),
    ],
)
def test_classify_refusals(change: dict, error: type[Exception], match: str) -> None:
    args = {
        "shelters": THREE,
        "footprint": FOOTPRINT,
        "hazard_zones": zones(),
        "setbacks": profile(),
        "metric_crs": UTM,
    }
    args.update(change)
    with pytest.raises(error, match=match):
        classify_shelters(args.pop("shelters"), **args)


def test_layers_kept_between_incidents_answer_each_footprint_alone() -> None:
    # The statuses outside any footprint are kept with the layers: a later incident on the
    # same layers must not see the footprint of an earlier one.
    layers = {"hazard_zones": zones(), "setbacks": profile(), "metric_crs": UTM}
    away = lonlat(gpd.GeoDataFrame(geometry=[box(X0 + 9_000, Y0, X0 + 9_500, Y0 + 500)], crs=UTM))
    shelters_kept = THREE.copy()
    for footprint in (FOOTPRINT, away, FOOTPRINT):
        kept = classify_shelters(shelters_kept, footprint=footprint, **layers)
        fresh = classify_shelters(THREE.copy(), footprint=footprint, **layers)
        assert kept == fresh
    statuses = [s.status for s in classify_shelters(shelters_kept, footprint=away, **layers)]
    assert statuses == ["hazard_conflict", "hazard_conflict", "usable"]
