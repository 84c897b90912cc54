"""Load test: N concurrent clients against a real server on 127.0.0.1, for a fixed time.

Run on demand: ``python -m bench.load [--clients 16] [--duration 30]``. Starts
``reliefgis serve`` itself on the embedded Yangquan demo pack (a fresh state folder,
API keys set so the key check is part of every request), holds the clients for the
duration, mixing reads (layer list, a GeoJSON layer, plans, a stored assessment) and
assessments of the demo footprints, then writes ``bench/results/load.md``: throughput,
p50/p95/p99 latency and errors, overall and per request kind. Requests go only to
127.0.0.1. Target: 16 clients, zero errors, p95 under 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.common import RESULTS, machine
from layers.resources import demo_pack_dir

KEY = "load-test-analyst-key-0001"
HEADERS = {"Authorization": f"Bearer {KEY}"}
FOOTPRINTS = (
    ("flood_taohe", "flood"),
    ("landslide_yuxian", "landslide"),
    ("earthquake_pingding", "earthquake"),
)
Mix = tuple[tuple[str, float], ...]
#: Request kinds and their weights: four reads to one assessment.
MIX: Mix = (
    ("GET /layers", 1),
    ("GET /layers/shelters", 1),
    ("GET /plans", 1),
    ("GET /assessments/{id}", 1),
    ("POST /assessments", 1),
)
TARGET_P95_S = 2.0
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Tally:
    """Latencies (s) and errors per request kind."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_command(port: int, workers: int, compute: int | None = None) -> list[str]:
    """``reliefgis serve`` with one or several server processes and its compute processes."""
    script = Path(sys.executable).with_name("reliefgis")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]
    return [
        *command, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        *(["--compute-processes", str(compute)] if compute is not None else []),
    ]  # fmt: skip


def start_server(
    state: Path,
    port: int,
    workers: int,
    compute: int | None = None,
    *,
    extra_env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], int]:
    """The server on 127.0.0.1:port, waiting until it answers; its compute processes."""
    env = {**os.environ, "RELIEF_STATE_DIR": str(state), "RELIEF_API_KEYS": f"load={KEY}:analyst"}
    env.update(extra_env or {})
    process = subprocess.Popen(
        server_command(port, workers, compute),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server exited during start-up")
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", headers=HEADERS)
            if health.status_code == 200:
                return process, int(health.json()["compute_processes"])
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("the server did not start within 120 s")


def _footprints() -> list[tuple[dict[str, object], str]]:
    folder = demo_pack_dir() / "footprints"
    return [
        (json.loads((folder / f"{name}.geojson").read_text(encoding="utf-8")), hazard)
        for name, hazard in FOOTPRINTS
    ]


FOOTPRINT_BODIES = _footprints()


async def _request(
    client: httpx.AsyncClient, kind: str, assessment: str, rng: random.Random
) -> int:
    if kind == "GET /layers":
        response = await client.get("/api/v1/layers")
    elif kind == "GET /layers/shelters":
        response = await client.get("/api/v1/layers/shelters")
    elif kind == "GET /plans":
        response = await client.get("/api/v1/plans")
    elif kind == "GET /assessments/{id}":
        response = await client.get(f"/api/v1/assessments/{assessment}")
    else:
        footprint, hazard = rng.choice(FOOTPRINT_BODIES)
        response = await client.post(
            "/api/v1/assessments", json={"footprint": footprint, "hazard": hazard}
        )
    return response.status_code


async def _client(
    base: str, assessment: str, until: float, tally: Tally, seed: int, mix: Mix
) -> None:
    rng = random.Random(seed)
    kinds = [k for k, _ in mix]
    weights = [w for _, w in mix]
    async with httpx.AsyncClient(base_url=base, headers=HEADERS, timeout=60) as client:
        while time.monotonic() < until:
            kind = rng.choices(kinds, weights)[0]
            start = time.perf_counter()
            try:
                status = await _request(client, kind, assessment, rng)
            except httpx.HTTPError as exc:
                tally.errors[kind].append(type(exc).__name__)
                continue
            tally.latencies[kind].append(time.perf_counter() - start)
            if status >= 400:
                tally.errors[kind].append(str(status))


async def run(port: int, clients: int, duration: float, mix: Mix) -> tuple[Tally, float]:
    """Hold ``clients`` concurrent clients for ``duration`` seconds; return the tally."""
    base = f"http://127.0.0.1:{port}"
    footprint, hazard = FOOTPRINT_BODIES[0]
    async with httpx.AsyncClient(base_url=base, headers=HEADERS, timeout=60) as client:
        created = await client.post(
            "/api/v1/assessments", json={"footprint": footprint, "hazard": hazard}
        )
        created.raise_for_status()
        assessment = created.json()["id"]
    tally = Tally()
    start = time.monotonic()
    until = start + duration
    await asyncio.gather(*(_client(base, assessment, until, tally, i, mix) for i in range(clients)))
    return tally, time.monotonic() - start


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its waited-for children, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / ticks


def _workers_cpu(pid: int) -> float:
    """CPU time of a server and of its child processes (uvicorn workers, compute processes)."""
    total = cpu_seconds(pid)
    for child in Path("/proc").glob("[0-9]*"):
        try:
            parent = int(child.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid:
            total += _workers_cpu(int(child.name))
    return total


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def _quantile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def _row(name: str, values: list[float], errors: int, elapsed: float) -> str:
    if not values:
        return f"| {name} | 0 | 0.0 | - | - | - | {errors} |"
    p50, p95, p99 = (_quantile(values, q) * 1000 for q in (0.50, 0.95, 0.99))
    return (
        f"| {name} | {len(values)} | {len(values) / elapsed:.1f} | {p50:.0f} | {p95:.0f} "
        f"| {p99:.0f} | {errors} |"
    )


@dataclass
class Run:
    """One load run against one server configuration."""

    compute: int  # compute processes the server reported (0: threads)
    tally: Tally
    elapsed: float
    cpu: tuple[float, float]  # server (and its children), load generator

    @property
    def every(self) -> list[float]:
        return [v for values in self.tally.latencies.values() for v in values]

    @property
    def errors(self) -> int:
        return sum(len(e) for e in self.tally.errors.values())

    @property
    def p95(self) -> float:
        return _quantile(self.every, 0.95) if self.every else float("inf")

    @property
    def label(self) -> str:
        if self.compute:
            return f"assessments and maps in {self.compute} compute processes"
        return "assessments and maps on threads of the server process"


def _section(run: Run, *, clients: int, mix: Mix) -> list[str]:
    met = run.errors == 0 and run.p95 < TARGET_P95_S
    tally, elapsed, cpu = run.tally, run.elapsed, run.cpu
    lines = [
        f"#### {run.label}",
        "",
        f"- CPU used during the run: server {cpu[0]:.1f} s, load generator {cpu[1]:.1f} s "
        f"(both on this machine), over {elapsed:.1f} s of wall time",
        f"- {clients} clients for {elapsed:.1f} s; mix (weights): "
        + ", ".join(f"{k} {w:g}" for k, w in mix),
        "",
        "| request | count | per second | p50 (ms) | p95 (ms) | p99 (ms) | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(
            _row(kind, tally.latencies.get(kind, []), len(tally.errors.get(kind, [])), elapsed)
            for kind, _ in mix
        ),
        _row("**all**", run.every, run.errors, elapsed),
        "",
        f"Target (16 clients, zero errors, p95 under {TARGET_P95_S:g} s): "
        + ("met." if met else "NOT met."),
    ]
    if run.errors:
        lines += ["", "Errors: " + json.dumps({k: v[:10] for k, v in tally.errors.items()})]
    return [*lines, ""]


def report(
    runs: list[Run],
    *,
    clients: int,
    workers: int,
    duration: float,
    mix: Mix = MIX,
    load: str = "unknown",
) -> str:
    """The results as Markdown: the server as configured first, then any comparison."""
    lines = [
        "# Load test: concurrent clients against one server",
        "",
        f"Produced by `python -m bench.load --clients {clients} --duration {duration:g} "
        f"--workers {workers} --assess-weight {mix[-1][1]:g}`: "
        + (
            "`reliefgis serve` (one uvicorn process)"
            if workers == 1
            else f"`reliefgis serve --workers {workers}` (uvicorn worker processes)"
        )
        + " on the demo pack at 127.0.0.1 with API keys set (SQLite store), clients holding "
        "HTTP/1.1 connections (asyncio + httpx) and sending the next request as soon as the "
        "last is answered. The target is judged on the first configuration, the server as "
        "`reliefgis serve` starts it; the second, run right after it on the same machine, "
        "shows what the compute processes change.",
        "",
        *machine(["fastapi", "uvicorn", "httpx", "sqlalchemy", "numpy", "shapely"]),
        f"- load average (1, 5, 15 min) before the run: {load}",
        "",
    ]
    for run in runs:
        lines += _section(run, clients=clients, mix=mix)
    if len(runs) > 1 and runs[1].every and runs[0].every:
        first, second = runs[0], runs[1]
        lines.append(
            f"Throughput {len(first.every) / first.elapsed:.1f} vs "
            f"{len(second.every) / second.elapsed:.1f} requests/s "
            f"({len(first.every) / first.elapsed / (len(second.every) / second.elapsed):.2f}×); "
            f"p95 {first.p95 * 1000:.0f} vs {second.p95 * 1000:.0f} ms."
        )
    return "\n".join(lines).rstrip() + "\n"


def headlines(runs: list[Run], *, clients: int) -> list[dict[str, object]]:
    """The headline figures for bench/RESULTS.md (bench.run_all), each against its target."""
    run = runs[0]
    rows: list[dict[str, object]] = [
        {
            "figure": f"p95 latency, {clients} clients, reads and assessments mixed "
            f"({run.compute} compute processes)",
            "value": f"{run.p95 * 1000:.0f} ms",
            "target": f"under {TARGET_P95_S * 1000:.0f} ms",
            "met": run.p95 < TARGET_P95_S,
        },
        {
            "figure": "errors under load",
            "value": str(run.errors),
            "target": "0",
            "met": run.errors == 0,
        },
        {
            "figure": "throughput under load",
            "value": f"{len(run.every) / run.elapsed:.1f} requests/s",
            "target": None,
            "met": None,
        },
    ]
    for other in runs[1:]:
        rows.append(
            {
                "figure": f"same load, {other.label} (comparison)",
                "value": f"p95 {other.p95 * 1000:.0f} ms, "
                f"{len(other.every) / other.elapsed:.1f} requests/s",
                "target": None,
                "met": None,
            }
        )
    return rows


def measure(*, workers: int, compute: int | None, clients: int, duration: float, mix: Mix) -> Run:
    """Start a server in a fresh state folder, hold the clients against it, stop it."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as state:
        server, reported = start_server(Path(state), port, workers, compute)
        try:
            server_before = _workers_cpu(server.pid)
            own = resource.getrusage(resource.RUSAGE_SELF)
            tally, elapsed = asyncio.run(run(port, clients, duration, mix))
            after = resource.getrusage(resource.RUSAGE_SELF)
            cpu = (
                _workers_cpu(server.pid) - server_before,
                after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime,
            )
        finally:
            server.terminate()
            server.wait(timeout=60)
    return Run(compute=reported, tally=tally, elapsed=elapsed, cpu=cpu)


def main(argv: list[str] | None = None) -> None:
    """Start the server, run the clients, write bench/results/load.md."""
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds")
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes (1: reliefgis serve)"
    )
    parser.add_argument(
        "--compute-processes",
        type=int,
        default=None,
        help="the server's compute processes (default: as reliefgis serve chooses)",
    )
    parser.add_argument(
        "--no-comparison",
        action="store_true",
        help="skip the second run with assessments on threads of the server process",
    )
    parser.add_argument(
        "--assess-weight",
        type=float,
        default=1.0,
        help="weight of POST /assessments against 1 for each of the four reads",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "load.md")
    args = parser.parse_args(argv)
    mix = (*MIX[:-1], ("POST /assessments", args.assess_weight))
    load = _loadavg()
    settings = {"workers": args.workers, "clients": args.clients, "duration": args.duration}
    runs = [measure(compute=args.compute_processes, mix=mix, **settings)]
    if not args.no_comparison and runs[0].compute:
        runs.append(measure(compute=0, mix=mix, **settings))
    text = report(
        runs,
        clients=args.clients,
        workers=args.workers,
        duration=args.duration,
        mix=mix,
        load=load,
    )
    args.out.write_text(text, encoding="utf-8")
    rows = headlines(runs, clients=args.clients)
    args.out.with_suffix(".json").write_text(
        json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(text)


if __name__ == "__main__":
    main()
