"""``reliefgis incident open --stage warning``, ``incident warning`` and ``incident tick``: an
incident opened on a forecast from the shell, its checklist printed in Chinese and ticked,
read back over HTTP; a measure the plan lacks is one line naming the field, nothing stored.

乐清2016 §5.3: 「(3)开放应急避灾疏散场所,疏散、转移易受自然灾害危害的人员和财产」.
"""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from incident_replay import FORECAST

from api.app import create_app
from api.cli import main
from api.settings import Settings


def test_incident_open_as_a_warning_prints_the_checklist_and_tick_records_a_measure(
    tiny_pack, tmp_path, monkeypatch, capsys
):
    state = tmp_path / "state"
    monkeypatch.setenv("RELIEF_STATE_DIR", str(state))
    monkeypatch.setenv("RELIEF_DATA", str(tiny_pack))
    path = tmp_path / "forecast.geojson"
    path.write_text(json.dumps(FORECAST))
    argv = ["incident", "open", str(path), "--hazard", "flood", "--plan", "yueqing-2016"]
    assert main([*argv, "--stage", "warning", "--started", "2026-07-01T06:00:00"]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.endswith("（预警阶段）")
    incident = first.split()[1].split("（")[0]
    assert "需转移安置" in out
    assert "（估算）" in out
    assert "☐ [3] 乐清2016 §5.3(3) 开放应急避灾疏散场所" in out

    tick = ["incident", "tick", incident, "--done-by", "乐成街道", "--time", "2026-07-01T07:00"]
    assert main([*tick, "--measure", "9"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("reliefgis: error: measure:")
    assert main([*tick, "--measure", "3"]) == 0
    assert capsys.readouterr().out.startswith("已完成 [3] 乐清2016 §5.3(3)：乐成街道")

    assert main(["incident", "warning", incident]) == 0
    assert "☑ [3] 乐清2016 §5.3(3)" in capsys.readouterr().out
    client = TestClient(create_app(Settings(data_dir=tiny_pack, state_dir=state)))
    read = client.get(f"/api/v1/incidents/{incident}").json()
    assert read["stage"] == "warning"
    [done] = [i for i in read["warning"]["checklist"]["items"] if i["done"]]
    assert done["records"][0]["requested_by"].startswith("cli:")
    assert len(done["records"]) == 1
