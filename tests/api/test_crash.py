"""Crash test: the real server is killed (SIGKILL) while reports are being written.

Every report the server acknowledged (201) must be there after a restart, each with its
verdict, numbered without gaps, and the store must open cleanly. Runs against SQLite
and, when the test machine has it, PostgreSQL/PostGIS.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from packs import lonlat_box, write_pack
from postgres import fresh_database

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
KEY = "crash-test-analyst-key-0001"
AUTH = {"Authorization": f"Bearer {KEY}"}
WRITERS = 8
#: Inside the tiny pack: an incident outside the jurisdiction is refused.
FOOTPRINT = lonlat_box(1_000, 1_000, 4_000, 4_000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _command() -> list[str]:
    script = Path(sys.executable).with_name("reliefgis")
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


class Server:
    """``reliefgis serve`` on 127.0.0.1 as a subprocess, its output kept in a file."""

    def __init__(self, pack: Path, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [*_command(), "serve", "--port", str(self.port), "--data", str(pack)]
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", headers=AUTH).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        pytest.fail("the server did not start within 60 s")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _write_until_killed(url: str, incident: str, acked: list[str], stop: threading.Event) -> None:
    with httpx.Client(base_url=url, headers=AUTH, timeout=10) as client:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                response = client.post(
                    f"/api/v1/incidents/{incident}/reports",
                    json={"kind": "续报", "figures": {"relocated": n}, "reporter": "crash"},
                )
            except httpx.TransportError:
                return  # the server is gone: nothing more can be acknowledged
            if response.status_code == 201:
                acked.append(response.json()["report"]["id"])


@pytest.fixture(params=["sqlite", "postgis"])
def backend(request, tmp_path):
    env = {"RELIEF_STATE_DIR": str(tmp_path / "state"), "RELIEF_API_KEYS": f"crash={KEY}:analyst"}
    if request.param == "sqlite":
        yield env
        return
    with fresh_database() as url:
        yield {**env, "RELIEF_DATABASE_URL": url}


def test_acknowledged_reports_survive_a_sigkill(backend, tmp_path):
    pack = write_pack(tmp_path / "pack")
    log = tmp_path / "server.log"
    server = Server(pack, backend, log)
    try:
        incident = httpx.post(
            f"{server.url}/api/v1/incidents",
            headers=AUTH,
            json={"footprint": FOOTPRINT, "hazard": "flood", "plan": "yangquan-2026"},
        ).json()["id"]
        acked: list[str] = []
        stop = threading.Event()
        writers = [
            threading.Thread(target=_write_until_killed, args=(server.url, incident, acked, stop))
            for _ in range(WRITERS)
        ]
        for writer in writers:
            writer.start()
        while len(acked) < 40:  # kill mid-stream, with writes in flight
            time.sleep(0.01)
        server.kill()
        stop.set()
        for writer in writers:
            writer.join(timeout=30)
    finally:
        server.stop()

    if "RELIEF_DATABASE_URL" not in backend:
        database = Path(backend["RELIEF_STATE_DIR"]) / "reliefgis.sqlite"
        with sqlite3.connect(database) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    restarted = Server(pack, backend, log)
    try:
        history = httpx.get(
            f"{restarted.url}/api/v1/incidents/{incident}", params={"limit": 1000}, headers=AUTH
        ).json()
        assert history["page"]["next_cursor"] is None  # the whole history on one page
        stored = [r["id"] for r in history["reports"]]
        assert set(acked) <= set(stored), f"lost {len(set(acked) - set(stored))} acknowledged"
        assert [r["seq"] for r in history["reports"]] == list(range(1, len(stored) + 1))
        assert [v["report_id"] for v in history["verdicts"]] == stored
        after = httpx.post(
            f"{restarted.url}/api/v1/incidents/{incident}/reports",
            headers=AUTH,
            json={"kind": "核报", "figures": {"relocated": 1}},
        )
        assert after.status_code == 201
        assert after.json()["report"]["seq"] == len(stored) + 1
    finally:
        restarted.stop()
    assert KEY not in log.read_text(errors="replace")
