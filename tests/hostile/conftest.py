"""A real ``reliefgis serve`` process on the demo pack, for the hostile-input corpus.

Its own process on a free loopback port, one compute worker process (so that limits,
timeouts and worker recycling are the ones a deployment has), keys of all three roles,
and its log in a file the tests read.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from layers.resources import demo_pack_dir

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"viewer": "hostile-viewer-key", "analyst": "hostile-analyst-key", "admin": "hostile-admin"}


@dataclass(frozen=True)
class Server:
    """Where the server answers, and its log file."""

    url: str
    log: Path
    pid: int

    def headers(self, role: str = "analyst") -> dict[str, str]:
        """The Authorization header of a key of ``role``."""
        return {"Authorization": f"Bearer {KEYS[role]}"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``reliefgis serve --compute-processes 1`` on the demo pack, until the session ends."""
    port = _free_port()
    script = Path(sys.executable).with_name("reliefgis")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]
    env = {
        **os.environ,
        "RELIEF_STATE_DIR": str(tmp_path_factory.mktemp("hostile-state")),
        "RELIEF_API_KEYS": ",".join(f"{role}={key}:{role}" for role, key in KEYS.items()),
    }
    log = tmp_path_factory.mktemp("hostile-log") / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "serve", "--port", str(port), "--data", str(demo_pack_dir()),
             "--compute-processes", "1"],
            cwd=ROOT, env=env, stdout=out, stderr=out,
        )  # fmt: skip
    server = Server(url=f"http://127.0.0.1:{port}", log=log, pid=process.pid)
    deadline = time.monotonic() + 180
    try:
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start: {log.read_text(errors='replace')[-2000:]}")
            try:
                health = httpx.get(f"{server.url}/api/v1/health", headers=server.headers("viewer"))
                if health.status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
