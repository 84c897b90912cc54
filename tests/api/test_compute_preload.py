"""Compute workers forked from a fork server that read their services once (compute_preload).

The fork server is started once per process, so each case runs in a fresh interpreter:
a probe that starts workers the way ``reliefgis serve`` does and asks them, from inside,
whether the services they answer with are the fork server's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from packs import tiny_population, write_pack

TASKS = '''
import os
from api.service.compute_preload import preloaded


def from_fork_server(services):
    """Whether this worker answers with the services its fork server read; its pid."""
    return preloaded() is services, os.getpid(), services.pack.population.total


def die(services):
    os.kill(os.getpid(), 9)
'''

PROBE = """
import asyncio, json, os, sys
from dataclasses import replace
from pathlib import Path

from api.service.bootstrap import load_services
from api.service.compute_start import start_compute
from api.settings import Settings
from geo.errors import ComputeUnavailable
import probe_tasks

pack, state, other = (Path(a) for a in sys.argv[1:4])
settings = Settings(data_dir=pack, state_dir=state, compute_processes=2)
compute = start_compute(settings)
services = load_services(settings, with_store=False, compute=compute)
found = {"server_total": services.pack.population.total}
asyncio.run(compute.start())
found["first"] = [asyncio.run(compute.run(probe_tasks.from_fork_server)) for _ in range(4)]
try:
    asyncio.run(compute.run(probe_tasks.die))
except ComputeUnavailable:
    found["replaced"] = asyncio.run(compute.run(probe_tasks.from_fork_server))
compute.close()
# Another pack in the same process: the fork server read the first one, so these read theirs.
elsewhere = replace(settings, data_dir=other, state_dir=state / "other")
second = load_services(elsewhere, with_store=False).compute
found["other_total"] = load_services(elsewhere, with_store=False).pack.population.total
found["other"] = asyncio.run(second.run(probe_tasks.from_fork_server))
second.close()
print(json.dumps(found))
"""


def _probe(tmp_path: Path, pack: Path, other: Path) -> dict:
    (tmp_path / "probe_tasks.py").write_text(TASKS, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(pack), str(tmp_path / "state"), str(other)],
        cwd=Path(__file__).resolve().parents[2],
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-6000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_workers_answer_with_the_fork_servers_services_and_fall_back_for_another_pack(
    tiny_pack, tmp_path
):
    other = write_pack(tmp_path / "other", population=tiny_population() * 2)
    found = _probe(tmp_path, tiny_pack, other)
    first = found["first"]
    assert all(from_server for from_server, _, _ in first)
    assert {total for _, _, total in first} == {found["server_total"]}
    # The worker that replaced the one killed is forked from the same fork server.
    replaced, pid, total = found["replaced"]
    assert replaced
    assert total == found["server_total"]
    assert pid not in {p for _, p, _ in first}
    # Another pack: the worker read its own, and answers with it.
    other_from_server, _, other_total = found["other"]
    assert not other_from_server
    assert np.isclose(other_total, found["other_total"])
    assert np.isclose(other_total, 2 * found["server_total"])
