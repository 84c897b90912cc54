"""``reliefgis serve`` forks its workers' fork server from itself (api.service.compute_fork).

A real server runs as a subprocess on the demo pack with two compute processes. It must
answer its health only with both workers ready; no fresh interpreter may have been started
for the fork server (its command line would name ``multiprocessing.forkserver``); the
workers forked from it must give the answer this process computes on its own threads
(no worker processes at all); and when the server is killed outright, the fork server
and the workers must end with it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
from fastapi.testclient import TestClient
from processes import all_ended_within

from api.app import create_app
from api.settings import Settings, demo_pack_dir

ROOT = Path(__file__).resolve().parents[2]
BODY = {
    "footprint": json.loads(
        (demo_pack_dir() / "footprints" / "flood_taohe.geojson").read_text(encoding="utf-8")
    ),
    "hazard": "flood",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answer(response: httpx.Response) -> dict:
    assert response.status_code == 201, response.text
    answer = response.json()
    for key in ("id", "created"):
        answer.pop(key)
    return answer


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "RELIEF_STATE_DIR": str(tmp_path / "state"),
        "RELIEF_CACHE_DIR": str(tmp_path / "cache"),
    }
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port)]
    log = tmp_path / "server.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*command, "--compute-processes", "2"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            assert process.poll() is None, log.read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "the server did not start within 120 s"
            try:
                health = httpx.get(f"{url}/api/v1/health")
                if health.status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield process, url, health.json()
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)


def test_the_fork_server_is_forked_and_its_workers_answer_as_threads_do(server, tmp_path):
    process, url, health = server
    assert health["compute_processes"] == 2  # ready only with both workers started
    parent = psutil.Process(process.pid)
    descendants = parent.children(recursive=True)
    commands = [" ".join(child.cmdline()) for child in descendants]
    assert not any("multiprocessing.forkserver" in command for command in commands), commands
    forked = [p for p in parent.children() if p.cmdline() == parent.cmdline()]
    assert len(forked) == 1  # the fork server: a copy of the server, not a new interpreter
    workers = forked[0].children()
    assert len(workers) == 2
    served = _answer(httpx.post(f"{url}/api/v1/assessments", json=BODY, timeout=120))
    settings = Settings(state_dir=tmp_path / "here", compute_processes=0)
    with TestClient(create_app(settings)) as client:
        here = _answer(client.post("/api/v1/assessments", json=BODY))
    assert served == here
    pids = [forked[0].pid, *(worker.pid for worker in workers)]
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert all_ended_within(pids, 30)


def test_a_fork_server_record_of_another_layout_gets_the_usual_fork_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Python whose fork-server record has other fields (3.14's key) is not forked here."""
    import multiprocessing.forkserver

    from api.service import compute_fork

    record = multiprocessing.forkserver._forkserver  # type: ignore[attr-defined]
    assert frozenset(vars(record)) == compute_fork.KNOWN_FIELDS  # this Python: as checked
    monkeypatch.setattr(record, "_forkserver_authkey", None, raising=False)
    assert not compute_fork._can_fork_here()
