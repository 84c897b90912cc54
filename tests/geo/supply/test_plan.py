"""The supply plan on a tiny network: detours, cut-off shelters, a depot in the footprint."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from packs import TINY_CRS, X0, Y0
from shapely.geometry import LineString, Point, box

from geo import reasons
from geo.roads.network import build_network
from geo.shelters.status import ShelterStatus
from geo.supply.plan import plan_supply, supply_reach
from layers.profiles import read_needs, read_speeds

LONLAT = "EPSG:4326"


def _frame(columns: dict, geometry: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=geometry, crs=TINY_CRS).to_crs(LONLAT)


def at(x: float, y: float) -> tuple[float, float]:
    return (X0 + x, Y0 + y)


@pytest.fixture(scope="module")
def world():
    # A straight road cut by the footprint, and a long detour around it (shared vertices
    # at both ends).
    straight = LineString([at(x, 0) for x in (0, 2500, 5000, 7500, 10_000)])
    detour = LineString([at(0, 0), at(0, 5000), at(10_000, 5000), at(10_000, 0)])
    roads = _frame({"highway": ["primary", "secondary"]}, [straight, detour])
    footprint = (
        gpd.GeoSeries([box(*at(4000, -500), *at(6000, 500))], crs=TINY_CRS).to_crs(LONLAT).iloc[0]
    )
    depots = _frame(
        {"id": ["D1", "D2"], "name": ["城外库", "被淹库"], "level": ["city", "county"]},
        [Point(at(0, -100)), Point(at(5000, 0))],
    )
    shelters = _frame(
        {
            "id": ["S1", "S2"],
            "name": ["东", "中"],
            "capacity": [100, 100],
            "kind": ["long_term", "long_term"],
        },
        [Point(at(10_000, -100)), Point(at(5000, 1000))],
    )
    stock = pd.DataFrame(
        {
            "depot_id": ["D1", "D2"],
            "item": ["tent", "tent"],
            "quantity": [10.0, 100.0],
            "unit": ["顶", "顶"],
        }
    )
    network = build_network(roads, speeds=read_speeds(), metric_crs=TINY_CRS)
    statuses = [
        ShelterStatus(id=s, name=s, kind="long_term", capacity=100, status="usable", conflicts=())
        for s in ("S1", "S2")
    ]
    reach = supply_reach(
        network,
        footprint=footprint,
        depots=depots,
        stock=stock,
        shelters=shelters,
        statuses=statuses,
        snap_max_m=1200,
    )
    plan = plan_supply(
        network,
        reach,
        depots=depots,
        stock=stock,
        assigned={"S1": 5, "S2": 5},
        needs=read_needs(),
        days=3,
    )
    return plan, footprint


def test_the_route_takes_the_detour_and_never_crosses_the_footprint(world):
    plan, footprint = world
    [route] = plan.routes
    assert (route.depot_id, route.shelter_id) == ("D1", "S1")
    assert not route.line.intersects(footprint)
    # 5 km up, 10 km across, 5 km down: the distance along the roads (the 100 m from
    # each point to its road is not driven).
    assert route.distance_m == pytest.approx(20_000, abs=1)


def test_a_shelter_reached_only_through_the_footprint_is_unreachable(world):
    plan, _ = world
    assert [sid for sid, _ in plan.unreachable] == ["S2"]
    assert plan.unreachable[0][1].code == reasons.ROADS_NEAR_CLOSED


def test_a_depot_in_the_footprint_sends_nothing(world):
    plan, _ = world
    states = {d.id: d for d in plan.depots}
    assert states["D2"].status == "in_footprint"
    assert states["D2"].sent == {}
    assert states["D1"].status == "sending"
    assert states["D1"].sent["tent"] <= 10
