"""The warning response (issue 15 item 5): an incident opened on a forecast footprint.

阳泉2026 §3 灾害救助准备: 「对可能出现的灾情进行预评估……视情采取以下一项或多项措施：……（3）做好
救灾物资准备，紧急情况下提前调拨」. 乐清2016 §5.3: 「(3)开放应急避灾疏散场所」「(4)……做好救灾物资
准备工作……紧急情况下提前调拨」; §5.4: 「灾害风险解除或者演变为灾害后,市减灾委办公室决定
预警响应终止」.

The shelters to open are checked against the pack's shelter layer read with geopandas
(capacity never exceeded, persons summing to the placed total), the stock to pre-position
against the needs profile (data/needs/default.toml) times the persons, computed here.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import pytest
from fastapi.testclient import TestClient
from incident_replay import FOOTPRINT, refused
from packs import lonlat_box
from shapely.geometry import shape

from api.app import create_app
from api.settings import Settings
from layers.resources import demo_pack_dir

NEEDS = Path(__file__).parents[2] / "data" / "needs" / "default.toml"
#: A typhoon forecast over the west county, outside the depots and roads (tiny pack).
FORECAST = {
    "type": "Feature",
    "properties": {"class": "high"},
    "geometry": lonlat_box(3_000, 0, 9_000, 3_500),
}


@pytest.fixture
def client(tiny_pack, tmp_path):
    return TestClient(create_app(Settings(data_dir=tiny_pack, state_dir=tmp_path / "state")))


def _open(client, plan="yueqing-2016", **more):
    body = {
        "footprint": FORECAST,
        "hazard": "typhoon",
        "plan": plan,
        "stage": "warning",
        "started": "2026-06-30T20:00:00+08:00",
        **more,
    }
    answer = client.post("/api/v1/incidents", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def _needed(persons: int, needs: dict) -> dict[str, float]:
    """What ``persons`` need over the planning days, read from the profile's own words."""
    days = needs["planning"]["days"]
    household = needs["household"]["persons"]
    found = {}
    for item, spec in needs["items"].items():
        count = {
            "person": persons,
            "person_day": persons * days,
            "household": math.ceil(persons / household),
        }[spec["per"]]
        amount = spec["quantity"] * count
        found[item] = math.ceil(amount - 1e-9) if spec.get("integral") else amount
    return found


def test_a_forecast_opens_shelters_within_capacity_and_pre_positions_the_needs(tmp_path):
    settings = Settings(data_dir=demo_pack_dir(), state_dir=tmp_path / "state")
    client = TestClient(create_app(settings))
    footprint = json.loads((demo_pack_dir() / "footprints" / "flood_taohe.geojson").read_text())
    body = {"footprint": footprint, "hazard": "flood", "plan": "yangquan-2026"}
    incident = client.post("/api/v1/incidents", json={**body, "stage": "warning"}).json()
    warning = incident["warning"]
    assert (incident["stage"], incident["stage_label"]) == ("warning", "预警阶段")
    exposure = warning["exposure"]
    assert (exposure["estimate"], exposure["label"]) == (True, "估算")
    assert sum(c["displaced"] for c in exposure["by_county"]) == exposure["displaced"] > 0

    layer = gpd.read_file(demo_pack_dir() / "layers.gpkg", layer="shelters").set_index("id")
    opened = warning["shelters"]["items"]
    assert opened
    assert sum(s["persons"] for s in opened) == warning["shelters"]["placed"]
    assert warning["shelters"]["placed"] + warning["shelters"]["unplaced"] == exposure["displaced"]
    for shelter in opened:
        assert 0 < shelter["persons"] <= int(layer.loc[shelter["id"], "capacity"])
        assert shelter["capacity"] == int(layer.loc[shelter["id"], "capacity"])

    stock = warning["stock"]
    assert stock["items"]
    assert stock["label"] == "估算"
    sent: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for route in stock["items"]:
        for item, quantity in route["items"].items():
            sent[route["shelter_id"]][item] += quantity
    needs = tomllib.loads(NEEDS.read_text())
    for shelter in opened:
        short = stock["shortfall_by_shelter"].get(shelter["id"], {})
        for item, amount in _needed(shelter["persons"], needs).items():
            got = sent[shelter["id"]][item] + short.get(item, 0)
            assert got == pytest.approx(amount, abs=1e-6), (shelter["id"], item)


def test_a_warning_ticks_its_measures_then_turns_into_a_response_and_keeps_the_record(client):
    incident = _open(client)
    url = f"/api/v1/incidents/{incident['id']}"
    checklist = incident["warning"]["checklist"]
    # 乐清2016 §5.3(3): 「开放应急避灾疏散场所,疏散、转移易受自然灾害危害的人员和财产」
    item = next(i for i in checklist["items"] if i["id"] == "3")
    assert item["clause"] == "乐清2016 §5.3(3)"
    assert item["text"].startswith("开放应急避灾疏散场所")
    assert item["units"] == ["市减灾委办公室"]
    assert checklist["end"].startswith("乐清2016 §5.4：灾害风险解除或者演变为灾害后")
    # While a forecast, no report is due: the disaster has not happened.
    due = client.get(f"{url}/deadlines", params={"now": "2026-06-30T23:00:00+08:00"}).json()
    assert {d["reason"] for d in due["deadlines"]} == {"warning"}

    tick = {"measure": "3", "done_by": "乐成街道", "time": "2026-06-30T21:00:00+08:00"}
    done = client.post(f"{url}/warning-measures", json=tick)
    assert done.status_code == 201, done.text
    assert (done.json()["clause"], done.json()["done_by"]) == ("乐清2016 §5.3(3)", "乐成街道")
    real = {"footprint": FOOTPRINT, "time": "2026-07-01T08:00:00+08:00"}
    turned = client.post(f"{url}/footprint", json=real)
    assert turned.status_code == 201, turned.text
    state = client.get(url).json()
    assert (state["stage"], state["disaster_started"]) == ("response", "2026-07-01T00:00:00Z")
    assert [s["stage"] for s in state["stages"]] == ["warning", "response"]
    kept = state["warning"]
    assert kept["exposure"] == incident["warning"]["exposure"]
    assert next(i for i in kept["checklist"]["items"] if i["id"] == "3")["done"] is True
    # The OGC collection offers the footprint in force: the disaster's, no longer the forecast.
    [item] = client.get("/ogc/collections/incidents/items").json()["features"]
    assert (item["properties"]["stage"], item["properties"]["level_in_force"]) == ("response", None)
    assert shape(item["geometry"]).equals_exact(shape(state["footprint"]), 1e-9)
    assert not shape(item["geometry"]).equals_exact(shape(kept["footprint"]), 1e-6)
    # 乐清2016 §4.2.2(1): 初报「最迟不得晚于灾害发生后1小时」, counted from the disaster.
    due = client.get(f"{url}/deadlines", params={"now": "2026-07-01T08:30:00+08:00"}).json()
    initial = next(d for d in due["deadlines"] if d["kind"] == "initial")
    assert (initial["status"], initial["due"]) == ("due", "2026-07-01T09:00:00+08:00")


def test_bad_warning_input_is_refused_naming_the_field_and_stores_nothing(client):
    body = {"footprint": FORECAST, "hazard": "typhoon", "plan": "yueqing-2016"}
    assert refused(client.post("/api/v1/incidents", json={**body, "stage": "预警"}), "stage")
    assert client.get("/api/v1/incidents").json() == []

    incident = _open(client)
    url = f"/api/v1/incidents/{incident['id']}"
    wrong = client.post(f"{url}/warning-measures", json={"measure": "9", "done_by": "市民政局"})
    assert "1, 2, 3, 4, 5, 6, 7" in refused(wrong, "measure")["detail"]
    early = {"measure": "1", "done_by": "市民政局", "time": "2026-06-30T08:00:00+08:00"}
    refused(client.post(f"{url}/warning-measures", json=early), "time")
    assert client.get(url).json()["warning"]["checklist"]["items"][0]["records"] == []

    real = {"footprint": FOOTPRINT, "time": "2026-07-01T08:00:00+08:00"}
    assert client.post(f"{url}/footprint", json=real).status_code == 201
    back = client.post(f"{url}/footprint", json={**real, "stage": "warning"})
    assert "does not turn back into a warning" in refused(back, "stage")["detail"]
    refused(client.post(f"{url}/footprint", json=real), "stage")
    assert len(client.get(url).json()["stages"]) == 2

    plain = client.post("/api/v1/incidents", json=body).json()
    plain_url = f"/api/v1/incidents/{plain['id']}"
    refused(client.post(f"{plain_url}/footprint", json={**real, "stage": "warning"}), "stage")
    tick = {"measure": "1", "done_by": "市民政局"}
    refused(client.post(f"{plain_url}/warning-measures", json=tick), "measure")


# 阳泉2026 §5.3.1: 「一次灾害过程出现或经会商研判可能出现下列情况之一的，可启动三级响应」 — a start
# may rest on a forecast judgement; §5.3.2: 「市防减救灾委常务副主任或分管副主任决定启动三级响应」.
def test_a_start_decision_on_a_forecast_is_allowed_and_the_list_shows_the_level_in_force(client):
    incident = _open(client, plan="yangquan-2026")
    url = f"/api/v1/incidents/{incident['id']}"
    start = {
        "action": "start",
        "level": 3,
        "decided_by": "市防减救灾委分管副主任",
        "time": "2026-06-30T22:00:00+08:00",
        "basis": "经会商研判可能出现三级响应情形",
    }
    assert client.post(f"{url}/decisions", json=start).status_code == 201
    state = client.get(url).json()
    assert (state["stage"], state["level_in_force"]) == ("warning", 3)
    report = {"kind": "初报", "figures": {"relocated": 45000}, "time": "2026-07-01T09:00:00+08:00"}
    client.post(f"{url}/footprint", json={"footprint": FOOTPRINT, "time": "2026-07-01T08:00:00"})
    assert client.post(f"{url}/reports", json=report).status_code == 201
    [listed] = client.get("/api/v1/incidents").json()
    assert (listed["stage"], listed["stage_label"]) == ("response", "响应阶段")
    assert (listed["level_in_force"], listed["level_in_force_label"]) == (3, "三级")
    assert (listed["recommended_level"], listed["recommended_label"]) == (2, "二级")
    assert listed["gap_text"] == "建议提升至二级，尚未决定"
    assert "level" not in listed
