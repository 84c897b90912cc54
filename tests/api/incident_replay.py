"""Helpers of the incident replay tests: a client on SQLite or PostGIS and short calls."""

from __future__ import annotations

from fastapi.testclient import TestClient
from packs import lonlat_box

#: A footprint inside the tiny pack (footprints outside the jurisdiction are refused).
FOOTPRINT = lonlat_box(1_000, 1_000, 4_000, 4_000)
#: The forecast before it: a larger box around it.
FORECAST = lonlat_box(500, 500, 5_000, 5_000)


class Replay:
    """One incident driven over HTTP, each call checked for its status."""

    def __init__(
        self, client: TestClient, plan: str, *, hazard: str = "flood", warning: str | None = None
    ) -> None:
        """Open the incident at 08:00 on 1 July, or as a forecast at ``warning`` (07-DDTHH…)."""
        self.client = client
        body = {"footprint": FOOTPRINT, "hazard": hazard, "plan": plan}
        if warning is None:
            body["started"] = "2026-07-01T08:00:00+08:00"
        else:
            body |= {
                "footprint": FORECAST,
                "stage": "warning",
                "started": f"2026-07-{warning}+08:00",
            }
        answer = client.post("/api/v1/incidents", json=body)
        assert answer.status_code == 201, answer.text
        self.opened = answer.json()
        self.id = self.opened["id"]
        self.url = f"/api/v1/incidents/{self.id}"

    def tick(self, time: str, measure: str, done_by: str) -> dict:
        """Record a warning measure done."""
        answer = self.client.post(
            f"{self.url}/warning-measures",
            json={"measure": measure, "done_by": done_by, "time": f"2026-07-{time}+08:00"},
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    def disaster(self, time: str = "01T08:00:00") -> dict:
        """The disaster's footprint: the warning turns into a response."""
        answer = self.client.post(
            f"{self.url}/footprint", json={"footprint": FOOTPRINT, "time": f"2026-07-{time}+08:00"}
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    def warning_kept(self, measure: str) -> dict:
        """The warning record as opened, still readable, with ``measure`` done."""
        state = self.state()
        assert state["stage"] == "response"
        kept = state["warning"]
        opened = self.opened["warning"]
        assert (kept["exposure"], kept["shelters"], kept["stock"]) == (
            opened["exposure"],
            opened["shelters"],
            opened["stock"],
        )
        assert [i["id"] for i in kept["checklist"]["items"] if i["done"]] == [measure]
        assert [s["stage"] for s in state["stages"]] == ["warning", "response"]
        return kept

    def report(self, time: str, kind: str = "续报", **fields: object) -> dict:
        answer = self.client.post(
            f"{self.url}/reports", json={"kind": kind, "time": f"2026-07-{time}+08:00", **fields}
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    def decide(self, time: str, action: str, decided_by: str, level: int | None = None, **more):
        body = {"action": action, "decided_by": decided_by, "time": f"2026-07-{time}+08:00"}
        if level is not None:
            body["level"] = level
        return self.client.post(f"{self.url}/decisions", json={**body, **more})

    def county(self, time: str, county: str, level: int) -> dict:
        answer = self.client.post(
            f"{self.url}/county-responses",
            json={"county": county, "level": level, "time": f"2026-07-{time}+08:00"},
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    def state(self) -> dict:
        answer = self.client.get(self.url)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def deadlines(self, now: str) -> dict[str, dict]:
        """The deadlines at ``now`` keyed by kind (upward and relief ones by their label)."""
        answer = self.client.get(f"{self.url}/deadlines", params={"now": f"2026-07-{now}+08:00"})
        assert answer.status_code == 200, answer.text
        return {
            d["label"] if d["kind"] in ("upward", "relief") else d["kind"]: d
            for d in answer.json()["deadlines"]
        }


def refused(answer, field: str) -> dict:
    """A 4xx problem naming ``field``."""
    assert 400 <= answer.status_code < 500, answer.text
    problem = answer.json()
    assert field in (problem.get("field"), *problem.get("detail", "").split(":")[:1]), problem
    return problem
