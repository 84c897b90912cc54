"""A compute worker process killed from outside (kill -9) costs only the request it held.

The workers are real processes forked from the fork server; they are killed with SIGKILL
as an operator or the OOM killer would. The pool notices, answers the request the dead
worker held with a retryable 503 (``Retry-After``), puts a fresh worker in its place and
answers the next requests as before, with the same answers.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from packs import lonlat_box

from api.app import create_app
from api.errors import add_exception_handlers
from api.service.bootstrap import Services, load_services
from api.service.compute import WorkerStopped, worker_pid
from api.settings import Settings

BODY = {"footprint": lonlat_box(5_000, 2_500, 15_000, 7_500), "hazard": "landslide"}


def _die(services: Services) -> None:
    del services
    os.kill(os.getpid(), signal.SIGKILL)


def _wait_for(services: Services, flag: str) -> int:
    """Hold a worker until ``flag`` exists; its pid."""
    del services
    while not Path(flag).exists():
        time.sleep(0.01)
    return os.getpid()


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def _answer(response) -> dict:
    answer = response.json()
    for key in ("id", "created"):
        answer.pop(key)
    return answer


@pytest.fixture
def settings(tiny_pack, tmp_path):
    return Settings(
        data_dir=tiny_pack,
        state_dir=tmp_path / "state",
        default_plan="yangquan-2026",
        compute_processes=2,
    )


def test_a_worker_killed_from_outside_is_replaced_and_answers_stay_the_same(settings):
    app = create_app(settings)
    with TestClient(app) as client:
        first = client.post("/api/v1/assessments", json=BODY)
        assert first.status_code == 201, first.text
        compute = app.state.services.compute
        victim = compute.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        assert _gone(victim)
        after = [client.post("/api/v1/assessments", json=BODY) for _ in range(4)]
        health = client.get("/api/v1/health").json()
        pids = compute.worker_pids()
    assert [r.status_code for r in after] == [201] * 4
    assert all(_answer(r) == _answer(first) for r in after)
    assert victim not in pids
    assert len(pids) == 2
    assert health["compute_processes"] == 2


def test_a_death_costs_only_the_request_its_worker_held(settings, tmp_path):
    compute = load_services(settings, with_store=False).compute
    flag = tmp_path / "go"

    async def scenario() -> tuple[int, WorkerStopped]:
        await compute.start()
        held = asyncio.ensure_future(compute.run(_wait_for, str(flag)))
        with pytest.raises(WorkerStopped, match="please retry") as stopped:
            await compute.run(_die)
        flag.write_text("go", encoding="utf-8")  # the other worker's request goes on
        return await held, stopped.value

    try:
        with ThreadPoolExecutor(max_workers=1) as thread:
            pid, stopped = thread.submit(asyncio.run, scenario()).result()
            assert stopped.retry_after_s >= 1
            assert pid in compute.worker_pids()
            thread.submit(asyncio.run, compute.start()).result()
            assert compute.ready == 2
            again = {thread.submit(asyncio.run, compute.run(worker_pid)).result() for _ in range(4)}
        assert again <= set(compute.worker_pids())
    finally:
        compute.close()


def test_a_stopped_worker_is_answered_503_with_retry_after():
    app = FastAPI()
    add_exception_handlers(app)

    @app.get("/held")
    def held() -> None:
        raise WorkerStopped("a compute worker process stopped: please retry")

    answer = TestClient(app).get("/held")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == str(WorkerStopped.retry_after_s)
    assert "please retry" in answer.json()["detail"]


def test_a_death_while_idle_costs_no_request(settings):
    compute = load_services(replace(settings, compute_processes=1), with_store=False).compute
    try:
        with ThreadPoolExecutor(max_workers=1) as thread:
            first = thread.submit(asyncio.run, compute.run(worker_pid)).result()
            os.kill(first, signal.SIGKILL)
            assert _gone(first)
            second = thread.submit(asyncio.run, compute.run(worker_pid)).result()
        assert second not in {first, os.getpid()}
    finally:
        compute.close()
