"""Soak: many assessments and reads at 16 clients; resident memory every 10 s (issue 19).

``python -m bench.soak [--assessments 1000] [--reads 1000] [--clients 16] [--interval 10]``

Starts ``reliefgis serve`` on the demo pack with 2 compute processes (as `bench.load`
does), then ``--clients`` clients take requests from one bounded list: ``--assessments``
``POST /api/v1/assessments`` of the demo footprints and ``--reads`` reads (layers, a
layer's GeoJSON, plans, a stored assessment), until the list is done. Every
``--interval`` seconds the resident memory (VmRSS) of the server and of every process
under it is summed from /proc. Growth is the last sample against the first one after the
warm-up (``--warmup`` seconds, default 60: the compute processes have read the pack and
every code path has run once; a quarter of the run when that is shorter, for a machine
that finishes the list in less than four warm-ups); target under 5 %, and not met when
no sample came after the warm-up's. Writes ``bench/results/soak.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import RESULTS, Headline, machine, write_headlines
from bench.load import FOOTPRINT_BODIES, HEADERS, _free_port, start_server

TARGET_GROWTH = 0.05
READS = ("/api/v1/layers", "/api/v1/layers/shelters", "/api/v1/plans", "ASSESSMENT")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            parent = int(entry.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid:
            found.append(int(entry.name))
    return found


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def tree_rss_mib(pid: int) -> tuple[float, int]:
    """Resident memory (MiB) of a process and all its descendants, and how many there are."""
    todo, total, count = [pid], 0, 0
    while todo:
        current = todo.pop()
        total += _rss_kib(current)
        count += 1
        todo.extend(_children(current))
    return total / 1024, count


async def _worker(
    client: httpx.AsyncClient, jobs: list[str], assessment: str, done: dict[str, int]
) -> None:
    rng = random.Random(len(jobs))
    while jobs:
        job = jobs.pop()
        if job == "POST":
            footprint, hazard = rng.choice(FOOTPRINT_BODIES)
            response = await client.post(
                "/api/v1/assessments", json={"footprint": footprint, "hazard": hazard}
            )
        else:
            path = f"/api/v1/assessments/{assessment}" if job == "ASSESSMENT" else job
            response = await client.get(path)
        key = "errors" if response.status_code >= 400 else job.split("/")[-1] or job
        done[key] = done.get(key, 0) + 1


async def _sample(pid: int, interval: float, start: float, samples: list, stop: asyncio.Event):
    while not stop.is_set():
        rss, processes = tree_rss_mib(pid)
        samples.append((time.monotonic() - start, rss, processes))
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
        except TimeoutError:
            continue
    rss, processes = tree_rss_mib(pid)
    samples.append((time.monotonic() - start, rss, processes))


async def soak(pid: int, port: int, args: argparse.Namespace) -> tuple[list, dict, float]:
    """Run the bounded job list at ``args.clients``; sample memory meanwhile."""
    jobs = ["POST"] * args.assessments + [READS[i % len(READS)] for i in range(args.reads)]
    random.Random(19).shuffle(jobs)
    base = f"http://127.0.0.1:{port}"
    done: dict[str, int] = {}
    samples: list = []
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=base, headers=HEADERS, timeout=120) as client:
        footprint, hazard = FOOTPRINT_BODIES[0]
        first = await client.post(
            "/api/v1/assessments", json={"footprint": footprint, "hazard": hazard}
        )
        first.raise_for_status()
        assessment = first.json()["id"]
        start = time.monotonic()
        sampler = asyncio.create_task(_sample(pid, args.interval, start, samples, stop))
        await asyncio.gather(
            *(_worker(client, jobs, assessment, done) for _ in range(args.clients))
        )
        elapsed = time.monotonic() - start
        stop.set()
        await sampler
    return samples, done, elapsed


def main() -> None:
    """Start the server, soak it, write the memory table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--assessments", type=int, default=1000)
    parser.add_argument("--reads", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=60.0)
    args = parser.parse_args()
    port = _free_port()
    with tempfile.TemporaryDirectory() as state:
        server, compute = start_server(Path(state), port, 1, 2)
        try:
            samples, done, elapsed = asyncio.run(soak(server.pid, port, args))
        finally:
            server.terminate()
            server.wait(timeout=60)
    warmup = min(args.warmup, elapsed / 4)
    warm = next((s for s in samples if s[0] >= warmup), samples[-1])
    last = samples[-1]
    growth = (last[1] - warm[1]) / warm[1]
    met = growth < TARGET_GROWTH and last[0] > warm[0]
    rows = [f"| {t:.0f} | {rss:,.0f} | {n} |" for t, rss, n in samples]
    lines = [
        "# Soak: resident memory under a long load",
        "",
        f"Produced by `python -m bench.soak --assessments {args.assessments} --reads "
        f"{args.reads} --clients {args.clients}`: the demo pack, one server process and "
        f"{compute} compute processes; resident memory (VmRSS) of the server and every "
        f"process under it, every {args.interval:g} s.",
        "",
        *machine(["numpy", "geopandas", "fastapi", "uvicorn"]),
        "",
        f"- requests done in {elapsed:.0f} s: "
        + ", ".join(f"{k} {v}" for k, v in sorted(done.items())),
        f"- after the warm-up ({warmup:.0f} s): {warm[1]:,.0f} MiB at {warm[0]:.0f} s; "
        f"at the end {last[1]:,.0f} MiB: growth {growth:+.1%} (target under "
        f"{TARGET_GROWTH:.0%}: {'met' if met else 'NOT met'})",
        "",
        "| time (s) | resident memory (MiB) | processes |",
        "|---:|---:|---:|",
        *rows,
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "soak.md").write_text("\n".join(lines), encoding="utf-8")
    write_headlines(
        "soak",
        [
            Headline(
                f"memory growth after warm-up, {args.assessments} assessments + {args.reads} "
                f"reads at {args.clients} clients",
                f"{growth:+.1%} ({warm[1]:,.0f} → {last[1]:,.0f} MiB)",
                f"under {TARGET_GROWTH:.0%}",
                met,
            ),
            Headline("errors during the soak", str(done.get("errors", 0)), "0",
                     not done.get("errors")),
        ],
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
