"""``reliefgis incident decide``: a decision recorded from the shell on the service's store,
read back over HTTP; a refusal is one line naming the field, nothing stored."""

from __future__ import annotations

from fastapi.testclient import TestClient
from incident_replay import FOOTPRINT

from api.app import create_app
from api.cli import main
from api.settings import Settings


def test_incident_decide_records_a_start_that_the_api_reads(
    tiny_pack, tmp_path, monkeypatch, capsys
):
    state = tmp_path / "state"
    monkeypatch.setenv("RELIEF_STATE_DIR", str(state))
    monkeypatch.setenv("RELIEF_DATA", str(tiny_pack))
    client = TestClient(create_app(Settings(data_dir=tiny_pack, state_dir=state)))
    opened = client.post(
        "/api/v1/incidents",
        json={
            "footprint": FOOTPRINT,
            "hazard": "flood",
            "plan": "yangquan-2026",
            "started": "2026-07-01T08:00:00+08:00",
        },
    ).json()
    argv = ["incident", "decide", opened["id"], "--action", "start", "--level", "3"]
    when = ["--time", "2026-07-01T09:00:00"]
    assert main([*argv, "--decided-by", "市长", *when]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("reliefgis: error: decided_by:")
    assert "市防减救灾委常务副主任" in err
    assert main([*argv, "--decided-by", "市防减救灾委常务副主任", *when]) == 0
    # §5.3.2: 「市防减救灾委常务副主任或分管副主任决定启动三级响应」
    assert capsys.readouterr().out.startswith(
        "启动三级响应：市防减救灾委常务副主任（阳泉2026 §5.3.2："
    )
    incident = client.get(f"/api/v1/incidents/{opened['id']}").json()
    assert incident["level_in_force"] == 3
    assert incident["decisions"][0]["requested_by"].startswith("cli:")
