"""Durability: acknowledged writes survive ``kill -9`` of the server, on SQLite and PostGIS.

``python -m bench.durability [--cycles 10] [--writers 8] [--backends sqlite,postgis]``

For each backend, starts ``reliefgis serve`` on the demo pack (as ``bench.load`` does,
with 2 compute processes), opens one incident, and then, ``--cycles`` times: ``--writers``
clients post reports (and every tenth writer an assessment) as fast as the server takes
them; after a random number of acknowledgements (40–400) the server is killed with SIGKILL
mid-stream and started again on the same store. Afterwards every write the server
acknowledged (201) must be there: each report in the incident's history, numbered without
gaps, each assessment readable. PostGIS uses a fresh database on 127.0.0.1:5432 (trust
auth), dropped afterwards. Writes ``bench/results/durability.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg

from bench.common import RESULTS, Headline, machine, write_headlines
from bench.load import FOOTPRINT_BODIES, HEADERS, _free_port, start_server

ADMIN_DSN = os.environ.get("RELIEF_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass
class Acked:
    """What the server acknowledged, and what was found after the restarts."""

    reports: list[str] = field(default_factory=list)
    assessments: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def _store(backend: str, state: Path) -> Iterator[dict[str, str]]:
    """The environment of a store: a state folder, and for PostGIS a fresh database."""
    if backend == "sqlite":
        yield {}
        return
    name = f"reliefgis_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        yield {"RELIEF_DATABASE_URL": f"{base}/{name}"}
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _writer(url: str, incident: str, acked: Acked, stop: threading.Event, n: int) -> None:
    rng = random.Random(n)
    with httpx.Client(base_url=url, headers=HEADERS, timeout=30) as client:
        while not stop.is_set():
            try:
                if n % 10 == 0:
                    footprint, hazard = rng.choice(FOOTPRINT_BODIES)
                    answer = client.post(
                        "/api/v1/assessments", json={"footprint": footprint, "hazard": hazard}
                    )
                    if answer.status_code == 201:
                        with acked.lock:
                            acked.assessments.append(answer.json()["id"])
                    continue
                answer = client.post(
                    f"/api/v1/incidents/{incident}/reports",
                    json={"kind": "续报", "figures": {"relocated": rng.randint(0, 9999)}},
                )
            except httpx.TransportError:
                return  # the server is gone: nothing more can be acknowledged
            if answer.status_code == 201:
                with acked.lock:
                    acked.reports.append(answer.json()["report"]["id"])


def _kill(server: subprocess.Popen[bytes]) -> None:
    """SIGKILL the server and its compute processes at once, as a power cut would."""
    family = psutil.Process(server.pid).children(recursive=True)
    server.send_signal(signal.SIGKILL)
    for child in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.send_signal(signal.SIGKILL)
    server.wait(timeout=30)


def _cycle(
    server: subprocess.Popen[bytes], port: int, incident: str, acked: Acked, args: Cycle
) -> None:
    """Writers post until ``args.kill_after`` more reports are acknowledged; then kill -9."""
    url = f"http://127.0.0.1:{port}"
    stop = threading.Event()
    threads = [
        threading.Thread(target=_writer, args=(url, incident, acked, stop, n))
        for n in range(args.writers)
    ]
    start = len(acked.reports)
    for thread in threads:
        thread.start()
    while len(acked.reports) - start < args.kill_after:
        time.sleep(0.005)
    _kill(server)  # with writes in flight
    stop.set()
    for thread in threads:
        thread.join(timeout=60)


@dataclass(frozen=True)
class Cycle:
    """One kill: how many writers, and after how many more acknowledged reports."""

    writers: int
    kill_after: int


def _stored_reports(port: int, incident: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=HEADERS, timeout=60) as client:
        while True:
            params: dict[str, Any] = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
            page = client.get(f"/api/v1/incidents/{incident}", params=params).json()
            found.extend(page["reports"])
            cursor = page["page"]["next_cursor"]
            if cursor is None:
                return found


@dataclass(frozen=True)
class Outcome:
    """One backend's run: writes acknowledged, lost, and whether the history is whole."""

    backend: str
    cycles: int
    reports: int
    assessments: int
    lost_reports: int
    lost_assessments: int
    gapless: bool
    seconds: float


def _check(port: int, incident: str, acked: Acked) -> tuple[int, int, bool]:
    stored = _stored_reports(port, incident)
    ids = {str(r["id"]) for r in stored}
    gapless = [r["seq"] for r in stored] == list(range(1, len(stored) + 1))
    lost_assessments = 0
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=HEADERS, timeout=60) as client:
        for assessment in acked.assessments:
            if client.get(f"/api/v1/assessments/{assessment}").status_code != 200:
                lost_assessments += 1
    return len(set(acked.reports) - ids), lost_assessments, gapless


def run_backend(backend: str, cycles: int, writers: int, rng: random.Random) -> Outcome:
    """Kill the server ``cycles`` times under writes on one backend; count what was lost."""
    began = time.perf_counter()
    acked = Acked()
    with tempfile.TemporaryDirectory() as state, _store(backend, Path(state)) as env:
        port = _free_port()
        server, _ = start_server(Path(state), port, 1, 2, extra_env=env)
        incident = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/incidents",
            headers=HEADERS,
            json={"footprint": FOOTPRINT_BODIES[0][0], "hazard": "flood"},
        ).json()["id"]
        for _ in range(cycles):
            _cycle(server, port, incident, acked, Cycle(writers, rng.randint(40, 400)))
            port = _free_port()
            server, _ = start_server(Path(state), port, 1, 2, extra_env=env)
        try:
            lost_reports, lost_assessments, gapless = _check(port, incident, acked)
        finally:
            server.terminate()
            server.wait(timeout=60)
    return Outcome(
        backend, cycles, len(acked.reports), len(acked.assessments),
        lost_reports, lost_assessments, gapless, time.perf_counter() - began,
    )  # fmt: skip


def _write(outcomes: list[Outcome], args: argparse.Namespace) -> None:
    rows = [
        f"| {o.backend} | {o.cycles} | {o.reports:,} | {o.assessments:,} | "
        f"{o.lost_reports} | {o.lost_assessments} | {'yes' if o.gapless else 'NO'} | "
        f"{o.seconds:.0f} s |"
        for o in outcomes
    ]
    lines = [
        "# Durability: acknowledged writes after kill -9",
        "",
        f"Produced by `python -m bench.durability --cycles {args.cycles} --writers "
        f"{args.writers}`: the demo pack, one server process and 2 compute processes, killed "
        "with SIGKILL (server and compute processes) mid-stream after 40–400 more "
        "acknowledged reports, then restarted on the same store. One writer in ten posts "
        "assessments, the others incident reports.",
        "",
        *machine(["sqlalchemy", "psycopg", "fastapi", "uvicorn"]),
        "",
        "| backend | kills | reports acknowledged | assessments acknowledged | reports lost "
        "| assessments lost | history numbered without gaps | time |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
        *rows,
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "durability.md").write_text("\n".join(lines), encoding="utf-8")
    acked = sum(o.reports + o.assessments for o in outcomes)
    lost = sum(o.lost_reports + o.lost_assessments for o in outcomes)
    whole = all(o.gapless for o in outcomes)
    write_headlines(
        "durability",
        [
            Headline(
                f"acknowledged writes lost over {args.cycles} kill -9 cycles per backend "
                f"({', '.join(o.backend for o in outcomes)})",
                f"{lost} of {acked:,}",
                "0",
                lost == 0 and whole,
            )
        ],
    )


def main() -> None:
    """Run the kill cycles on each backend and write the results."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--backends", default="sqlite,postgis")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    outcomes = []
    for backend in args.backends.split(","):
        outcome = run_backend(backend, args.cycles, args.writers, rng)
        print(outcome, flush=True)
        outcomes.append(outcome)
    _write(outcomes, args)


if __name__ == "__main__":
    main()
