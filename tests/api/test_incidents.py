"""Incidents over HTTP: 初报/续报/核报, cumulated figures, escalation, history, deadlines."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from packs import TINY_CRS, X0, Y0, lonlat_box
from shapely.geometry import shape

from api.app import create_app
from api.settings import Settings
from geo.errors import StoreError

PROBLEM = "application/problem+json"
#: Inside the tiny pack: an incident outside the jurisdiction is refused.
FOOTPRINT = lonlat_box(1_000, 1_000, 4_000, 4_000)


@pytest.fixture
def client(tiny_pack, tmp_path):
    settings = Settings(data_dir=tiny_pack, state_dir=tmp_path / "state")
    return TestClient(create_app(settings))


def open_incident(client, **fields) -> dict:
    body = {"footprint": FOOTPRINT, "hazard": "flood", "plan": "yangquan-2026", **fields}
    response = client.post("/api/v1/incidents", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def report(client, incident: dict, **fields) -> dict:
    response = client.post(f"/api/v1/incidents/{incident['id']}/reports", json=fields)
    assert response.status_code == 201, response.text
    return response.json()


def test_an_incident_opens_with_the_plans_jurisdiction(client):
    response = client.post(
        "/api/v1/incidents",
        json={"footprint": FOOTPRINT, "hazard": "flood", "plan": "yueqing-2016", "title": "台风"},
    )
    assert response.status_code == 201
    incident = response.json()
    assert response.headers["Location"] == f"/api/v1/incidents/{incident['id']}"
    assert incident["jurisdiction"] == {"name": "乐清市", "code": "330382"}
    assert (incident["title"], incident["plan"], incident["reports"]) == (
        "台风",
        "yueqing-2016",
        [],
    )
    assert incident["current"]["level"] is None
    assert incident["footprint"]["type"] == "Polygon"


def test_a_given_jurisdiction_and_start_are_kept(client):
    incident = open_incident(
        client,
        jurisdiction={"name": "平定县", "code": "140321"},
        started="2026-07-01T08:00:00",  # no offset: China Standard Time
    )
    assert incident["jurisdiction"] == {"name": "平定县", "code": "140321"}
    assert incident["started"] == "2026-07-01T00:00:00Z"
    assert incident["plan"] == "yangquan-2026"


def test_reports_cumulate_and_a_raise_above_an_active_level_is_an_escalation(client):
    incident = open_incident(client, started="2026-07-01T08:00:00+08:00")
    first = report(
        client,
        incident,
        kind="初报",
        figures={"dead_missing": 5},
        time="2026-07-01T08:30:00+08:00",
        estimates=["dead_missing"],
    )
    assert first["report"]["kind"] == "initial"
    assert first["report"]["label"] == "初报"
    verdict = first["verdict"]
    assert (verdict["level"], verdict["change"], verdict["escalation"]) == (4, "start", False)
    assert verdict["estimated"] == ["dead_missing"]
    assert verdict["verdict"]["criteria"][0]["source"] == "estimated"

    second = report(
        client,
        incident,
        kind="update",
        figures={"relocated": 50_000},
        time="2026-07-01T20:00:00+08:00",
    )["verdict"]
    assert (second["level"], second["previous_level"], second["change"]) == (2, 4, "raise")
    assert second["escalation"] is True
    assert second["escalation_clauses"] == ["阳泉2026 §5.2.1(2)"]
    # dead_missing from the 初报 still counts: figures cumulate.
    assert second["figures"]["dead_missing"]["value"] == 5
    assert second["figures"]["dead_missing"]["report_id"] == first["report"]["id"]
    assert second["estimated"] == ["dead_missing"]


def test_final_figures_are_not_superseded_by_a_later_update(client):
    incident = open_incident(client)
    report(client, incident, kind="核报", figures={"dead_missing": 12})
    later = report(client, incident, kind="续报", figures={"dead_missing": 60})["verdict"]
    assert later["figures"]["dead_missing"]["value"] == 12
    assert later["level"] == 3


def test_jiangsu_escalation_cites_its_clause_5_7(client):
    incident = open_incident(client, plan="jiangsu")
    report(client, incident, kind="initial", figures={"dead_missing": 5})
    raised = report(client, incident, kind="update", figures={"dead_missing": 25})["verdict"]
    assert raised["escalation"] is True
    assert raised["escalation_rule"].startswith("江苏 §5.7：救灾响应启动后")


def test_the_incident_keeps_the_report_and_verdict_history(client, tiny_pack):
    incident = open_incident(client)
    report(client, incident, kind="初报", figures={"dead_missing": 3}, reporter="平定县应急管理局")
    report(client, incident, kind="续报", figures={"dead_missing": 25})
    report(client, incident, kind="核报", figures={"dead_missing": 22}, note="核定")
    found = client.get(f"/api/v1/incidents/{incident['id']}").json()
    assert [r["label"] for r in found["reports"]] == ["初报", "续报", "核报"]
    assert [v["level"] for v in found["verdicts"]] == [4, 2, 2]
    assert [v["previous_level"] for v in found["verdicts"]] == [None, 4, 2]
    assert found["reports"][0]["reporter"] == "平定县应急管理局"
    current = found["current"]
    assert (current["level"], current["label"], current["final"]) == (2, "二级", True)
    assert current["figures"]["dead_missing"]["value"] == 22
    assert current["escalations"] == 1
    assert current["stable_since"] is not None
    plan = next(p for p in client.get("/api/v1/plans").json() if p["id"] == "yangquan-2026")
    audit = found["verdicts"][2]
    assert audit["plan_sha256"] == plan["sha256"]
    assert audit["software_version"] == client.get("/api/v1/health").json()["version"]
    assert audit["requested_by"] is None  # a service without keys


def test_incidents_are_listed(client):
    first = open_incident(client, title="一")
    second = open_incident(client, title="二")
    report(client, first, kind="初报", figures={"dead_missing": 25})
    listed = client.get("/api/v1/incidents").json()
    assert [i["id"] for i in listed] == [second["id"], first["id"]]
    # A graded report recommends; only a decision puts a level in force (issue 15).
    assert (listed[1]["reports"], listed[1]["recommended_level"]) == (1, 2)
    assert (listed[1]["level_in_force"], listed[1]["stage"]) == (None, "response")
    assert listed[1]["gap_text"] == "建议启动二级响应，尚未决定"
    assert len(client.get("/api/v1/incidents?limit=1").json()) == 1


def test_deadlines_say_what_is_overdue(client):
    incident = open_incident(client, plan="yueqing-2016", started="2026-07-01T08:00:00+08:00")
    answer = client.get(
        f"/api/v1/incidents/{incident['id']}/deadlines", params={"now": "2026-07-01T09:30:00"}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["overdue"] == ["initial"]
    initial = body["deadlines"][0]
    assert (initial["status"], initial["due"], initial["clause"]) == (
        "overdue",
        "2026-07-01T09:00:00+08:00",
        "乐清2016 §4.2.2(1)",
    )
    assert body["timezone"] == "Asia/Shanghai (UTC+8)"


def test_deadlines_follow_the_decided_response(client):
    incident = open_incident(client, plan="yueqing-2016", started="2026-07-01T08:00:00+08:00")
    report(
        client,
        incident,
        kind="初报",
        figures={"affected_share": 0.2},
        time="2026-07-01T08:40:00+08:00",
    )
    decided = client.post(
        f"/api/v1/incidents/{incident['id']}/decisions",
        json={
            "action": "start",
            "level": 2,
            "decided_by": "市减灾委",
            "time": "2026-07-01T08:50:00+08:00",
        },
    )
    assert decided.status_code == 201, decided.text
    body = client.get(
        f"/api/v1/incidents/{incident['id']}/deadlines", params={"now": "2026-07-01T20:00:00+08:00"}
    ).json()
    statuses = {d["kind"]: (d["status"], d["due"]) for d in body["deadlines"][:3]}
    assert statuses == {
        "initial": ("met", "2026-07-01T09:00:00+08:00"),
        "update": ("due", "2026-07-02T09:00:00+08:00"),
        "final": ("not_in_force", None),
    }
    assert body["deadlines"][2]["reason"] == "waiting"
    assert (body["level"], body["level_in_force"]) == (2, 2)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"kind": "速报"}, 422, "kind"),
        ({"kind": "续报", "figures": {"dead_missing": -1}}, 422, "figures.dead_missing"),
        ({"kind": "续报", "figures": {"floods": 1}}, 422, "figures.floods"),
        ({"kind": "续报", "estimates": ["relocated"]}, 400, "estimates"),
        ({"kind": "续报", "time": "2020-01-01T00:00:00+08:00"}, 400, "time"),
        ({"kind": "续报", "time": "2999-01-01T00:00:00+08:00"}, 422, "time"),
        ({"kind": "续报", "time": "0001-01-01T00:00:00+14:00"}, 422, "time"),
        ({"kind": "续报", "stable": "perhaps"}, 422, "stable"),
    ],
)
def test_bad_reports_are_problems_naming_the_field(client, body, status, field):
    incident = open_incident(client, started="2026-07-01T08:00:00+08:00")
    response = client.post(f"/api/v1/incidents/{incident['id']}/reports", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert field in response.json()["detail"]
    assert client.get(f"/api/v1/incidents/{incident['id']}").json()["reports"] == []


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"footprint": {"type": "Point", "coordinates": [113.5, 37.8]}}, 422, "footprint"),
        ({"plan": "atlantis"}, 404, "plan 'atlantis' is not known"),
        ({"hazard": "meteor"}, 422, "hazard"),
        ({"jurisdiction": {"name": "", "code": "14"}}, 422, "jurisdiction.name"),
        ({"started": "yesterday"}, 422, "started"),
    ],
)
def test_bad_incidents_are_problems(client, body, status, detail):
    full = {"footprint": FOOTPRINT, "hazard": "flood", **body}
    response = client.post("/api/v1/incidents", json=full)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert detail in response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/v1/incidents/nope", "/api/v1/incidents/nope/deadlines"])
def test_unknown_incidents_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["detail"] == "incident 'nope' does not exist"


def test_reports_on_an_unknown_incident_are_404(client):
    response = client.post("/api/v1/incidents/nope/reports", json={"kind": "初报"})
    assert response.status_code == 404


def test_deadlines_refuse_a_far_year(client):
    incident = open_incident(client)
    response = client.get(
        f"/api/v1/incidents/{incident['id']}/deadlines", params={"now": "0001-01-01T00:00:00"}
    )
    assert response.status_code == 400
    assert "now:" in response.json()["detail"]


def test_an_unavailable_store_is_503(client, monkeypatch):
    def down(record):
        raise StoreError("store sqlite:///x: unavailable or busy (OperationalError); try again")

    monkeypatch.setattr(client.app.state.services.store, "add_incident", down)
    response = client.post("/api/v1/incidents", json={"footprint": FOOTPRINT, "hazard": "flood"})
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
    assert "try again" in response.json()["detail"]


def test_an_incident_footprint_in_a_named_crs_is_stored_as_its_lonlat_twin(client):
    # The same box as FOOTPRINT, written in the tiny pack's UTM zone with a legacy ``crs``
    # member (RFC 7946 drops it; GIS exports still write it): stored in lon/lat, same area.
    box_utm = {
        "type": "Polygon",
        "coordinates": [[[X0 + 1_000, Y0 + 1_000], [X0 + 4_000, Y0 + 1_000],
                         [X0 + 4_000, Y0 + 4_000], [X0 + 1_000, Y0 + 4_000],
                         [X0 + 1_000, Y0 + 1_000]]],
        "crs": {"type": "name", "properties": {"name": TINY_CRS}},
    }  # fmt: skip
    body = {"hazard": "flood", "plan": "yangquan-2026"}
    named = client.post("/api/v1/incidents", json={"footprint": box_utm, **body})
    plain = client.post("/api/v1/incidents", json={"footprint": FOOTPRINT, **body})
    assert named.status_code == plain.status_code == 201, named.text
    ours = shape(named.json()["footprint"])
    theirs = shape(plain.json()["footprint"])
    assert ours.symmetric_difference(theirs).area < 1e-6 * theirs.area
