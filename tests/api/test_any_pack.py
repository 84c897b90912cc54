"""``serve`` starts on any valid pack: without a covering plan profile it runs with none.

The tiny pack's counties are given Ürümqi codes (650102, 650103), which no plan profile's
jurisdiction (阳泉 140300, 攀枝花 510400, 乐清 330382, 江苏 320000) covers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from packs import lonlat_box, tiny_layers

from api.app import create_app
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
BODY = {
    "footprint": {
        "type": "Feature",
        "properties": {"class": "high"},
        "geometry": lonlat_box(5_000, 2_500, 15_000, 7_500),
    },
    "hazard": "landslide",
}


@pytest.fixture
def foreign_pack(make_pack) -> Path:
    counties = tiny_layers()["counties"]
    counties["code"] = ["650102", "650103"]
    return make_pack(counties=counties)


@pytest.fixture
def client(foreign_pack, tmp_path) -> TestClient:
    settings = Settings(data_dir=foreign_pack, state_dir=tmp_path / "state", compute_processes=0)
    return TestClient(create_app(settings))


def test_health_says_there_is_no_default_plan(client):
    health = client.get("/api/v1/health").json()
    assert health["default_plan"] is None
    assert any("plan" in note for note in health["notes"])
    assert health["road_network"]["components"] == 1


def test_a_request_without_plan_is_a_422_naming_plan_and_the_plans(client):
    answer = client.post("/api/v1/assessments", json=BODY)
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["field"] == "plan"
    for plan in ("yangquan-2026", "panzhihua-2024", "yueqing-2016", "jiangsu"):
        assert plan in problem["detail"]


def test_a_request_naming_its_plan_is_assessed(client):
    answer = client.post("/api/v1/assessments", json={**BODY, "plan": "jiangsu"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["plan"] == "jiangsu"
    assert answer.json()["population"]["affected"] == pytest.approx(750, rel=0.005)


def test_the_browser_config_has_no_default_plan(client):
    config = client.get("/api/v1/web-config")
    assert config.status_code == 200, config.text
    assert config.json()["default_plan"] is None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(foreign_pack, tmp_path) -> Iterator[tuple[str, Path]]:
    """``reliefgis serve --data`` on the foreign pack, in its own process."""
    port = _free_port()
    script = Path(sys.executable).with_name("reliefgis")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]
    env = {**os.environ, "RELIEF_STATE_DIR": str(tmp_path / "state")}
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "serve", "--port", str(port), "--data", str(foreign_pack),
             "--compute-processes", "0"],
            cwd=ROOT, env=env, stdout=out, stderr=out,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start: {log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{url}/api/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield url, log
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_serve_starts_on_a_pack_no_plan_covers(served):
    url, log = served
    assert httpx.get(f"{url}/api/v1/health").json()["default_plan"] is None
    answer = httpx.post(f"{url}/api/v1/assessments", json=BODY, timeout=120)
    assert answer.status_code == 422
    assert answer.json()["field"] == "plan"
    assert "请求须指定 plan" in log.read_text(encoding="utf-8", errors="replace")
