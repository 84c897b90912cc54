"""Assessments and printed maps in compute worker processes (api/service/compute.py).

The workers are real spawned processes that read the pack themselves; these tests check
that their answers are the server's own answers, that refusals keep their status, that a
worker that dies costs only the request it held, and how the number of workers is set.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import signal
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from packs import lonlat_box
from pypdf import PdfReader

from api.app import create_app
from api.cli import _serve_settings, build_parser
from api.service.bootstrap import Services, load_services
from api.service.compute import default_processes, worker_pid
from api.service.compute_start import start_compute
from api.settings import Settings
from geo.errors import ComputeTimeout, ComputeUnavailable, GeometryError, InputError

T = TypeVar("T")
BODY = {"footprint": lonlat_box(5_000, 2_500, 15_000, 7_500), "hazard": "landslide"}


def _die(services: Services) -> None:
    del services
    os.kill(os.getpid(), signal.SIGKILL)


#: Memory a task keeps in its worker: what the memory ceiling is tested with.
_kept: list[bytes] = []


def _spin(services: Services) -> None:
    """A task that never ends on its own, in Python or in C alike."""
    del services
    while True:
        time.sleep(0.01)


def _hold(services: Services, megabytes: int) -> int:
    """Keep ``megabytes`` in the worker after the task ends; its pid."""
    del services
    _kept.append(os.urandom(megabytes * 1024 * 1024))
    return os.getpid()


def _refuse(services: Services) -> None:
    del services
    raise GeometryError("footprint: outside the jurisdiction", field="footprint")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Await in a thread of its own: other tests' browsers keep a loop running in this one."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


@pytest.fixture
def settings(tiny_pack, tmp_path):
    return Settings(data_dir=tiny_pack, state_dir=tmp_path / "state", default_plan="yangquan-2026")


def test_worker_answers_equal_the_in_process_answers(settings):
    with TestClient(create_app(settings)) as threads:
        expected = threads.post("/api/v1/assessments", json=BODY)
    processes = create_app(replace(settings, compute_processes=2))
    with TestClient(processes) as client:
        created = client.post("/api/v1/assessments", json=BODY)
        assert created.status_code == 201, created.text
        stored = client.get(created.headers["location"])
        pdf = client.get(f"{created.headers['location']}/map.pdf?paper=A4")
        refused = client.post(
            "/api/v1/assessments",
            json={"footprint": lonlat_box(-90_000, 0, -80_000, 10_000), "hazard": "flood"},
        )
    answer, reference = created.json(), expected.json()
    for key in ("id", "created"):
        answer.pop(key), reference.pop(key)
    assert answer == reference
    assert stored.json() == created.json()
    assert pdf.status_code == 200
    page = PdfReader(io.BytesIO(pdf.content)).pages[0]
    assert round(float(page.mediabox.width) / 72 * 25.4) == 297  # A4 landscape
    assert (refused.status_code, refused.headers["content-type"]) == (
        422,
        "application/problem+json",
    )
    assert "outside" in refused.json()["detail"]


def test_tasks_run_in_other_processes_and_errors_arrive_as_raised(settings):
    compute = load_services(replace(settings, compute_processes=2), with_store=False).compute
    try:
        _run(compute.start())
        assert compute.ready == 2
        assert _run(compute.run(worker_pid)) != os.getpid()
        with pytest.raises(GeometryError, match="outside the jurisdiction") as refused:
            _run(compute.run(_refuse))
        assert refused.value.field == "footprint"
    finally:
        compute.close()


def _pack_summary(services: Services) -> tuple[Any, ...]:
    """What a process read of the pack, to compare the server's with a worker's."""
    pack = services.pack
    return (
        pack.roads.geometry.to_wkb().tolist(),
        pack.counties.drop(columns="geometry").to_json(),  # NaN as null: comparable
        pack.jurisdiction.wkb,
        pack.population.total,
        services.logistics.network.n_edges,
        services.default_plan,
    )


def test_workers_started_before_the_server_reads_answer_as_it_does(settings):
    # What `reliefgis serve` does: the workers first, then the server's own services.
    settings = replace(settings, compute_processes=2)
    compute = start_compute(settings)
    services = load_services(settings, with_store=False, compute=compute)
    try:
        assert services.compute is compute
        _run(compute.start())
        assert compute.ready == 2
        assert _run(compute.run(worker_pid)) != os.getpid()
        assert _run(compute.run(_pack_summary)) == _pack_summary(services)
    finally:
        compute.close()


def test_a_worker_that_dies_fails_only_its_request(settings):
    compute = load_services(replace(settings, compute_processes=1), with_store=False).compute
    try:
        with pytest.raises(ComputeUnavailable, match="please retry"):
            _run(compute.run(_die))
        # Fresh workers take the next request.
        assert _run(compute.run(worker_pid)) != os.getpid()
    finally:
        compute.close()


def test_a_task_past_its_time_limit_is_stopped_and_its_worker_replaced(settings):
    limited = replace(settings, compute_processes=1, task_timeout_s=1.0)
    compute = load_services(limited, with_store=False).compute
    try:
        first = _run(compute.run(worker_pid))
        with pytest.raises(ComputeTimeout, match=r"task_timeout_s = 1 s"):
            _run(compute.run(_spin))
        # The worker that held it was killed, not left spinning.
        assert not _alive(first)
        assert _run(compute.run(worker_pid)) not in {first, os.getpid()}
    finally:
        compute.close()


def test_a_worker_over_the_memory_ceiling_is_replaced(settings):
    ceiling = replace(settings, compute_processes=1, worker_max_rss_mb=1)
    compute = load_services(ceiling, with_store=False).compute
    try:
        # Any worker holding the pack is over 1 MiB: each task gets a fresh one.
        first = _run(compute.run(_hold, 1))
        second = _run(compute.run(worker_pid))
        assert second != first
    finally:
        compute.close()
    roomy = replace(settings, compute_processes=1, worker_max_rss_mb=100_000)
    compute = load_services(roomy, with_store=False).compute
    try:
        assert _run(compute.run(_hold, 1)) == _run(compute.run(worker_pid))
    finally:
        compute.close()


def _alive(pid: int) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.05)
    return True


def test_without_processes_tasks_run_on_threads_of_this_process(settings):
    compute = load_services(replace(settings, compute_processes=0), with_store=False).compute
    try:
        _run(compute.start())
        assert compute.ready == 0
        assert _run(compute.run(worker_pid)) == os.getpid()
    finally:
        compute.close()


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        (["serve"], {}, default_processes()),
        (["serve", "--workers", "2"], {}, 0),
        (["serve"], {"RELIEF_COMPUTE_PROCESSES": "3"}, 3),
        (["serve", "--compute-processes", "0"], {"RELIEF_COMPUTE_PROCESSES": "3"}, 0),
    ],
)
def test_serve_chooses_the_compute_processes(monkeypatch, argv, env, expected):
    monkeypatch.delenv("RELIEF_COMPUTE_PROCESSES", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    args: argparse.Namespace = build_parser().parse_args(argv)
    assert _serve_settings(args).compute_processes == expected


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RELIEF_COMPUTE_PROCESSES": "two"}, "RELIEF_COMPUTE_PROCESSES: expected a whole number"),
        ({"RELIEF_COMPUTE_PROCESSES": "-1"}, "compute processes: expected 0 or more"),
        ({"RELIEF_SNAP_M": "far"}, "RELIEF_SNAP_M: expected a number, got 'far'"),
    ],
)
def test_bad_settings_are_refused_naming_the_variable(env, message):
    with pytest.raises(InputError, match=message):
        Settings.from_env(env)


def test_default_processes_is_one_per_core_within_bounds():
    assert 1 <= default_processes() <= min(4, os.cpu_count() or 1)
