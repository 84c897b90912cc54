"""The worst single request within the default work limits: CPU seconds and peak memory.

Each case is an assessment footprint built to cost as much as the defaults of
`geo.incident.limits.GeometryLimits` allow (the most vertices to repair, the most
vertices and features, the most holes, all over the whole jurisdiction). Each runs as
``POST /api/v1/assessments`` runs it: `answer_assessment` in a compute worker process of
`api.service.compute`, a fresh one per case, on the demo pack. Measured on that worker
with psutil: CPU seconds (user + system) of the task, and its peak resident memory
(sampled every 10 ms; the worker's memory before the task is given too). Refusals are
measured the same way: the server's own pre-check runs in its process, the rest here.

Target (issue 13): under 10 CPU-s and 1 GB for the worst. The result is written to
``bench/results/hostile.md`` and as a section of its own in ``bench/RESULTS.md``.

    python -m bench.hostile
"""

from __future__ import annotations

import asyncio
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import psutil
from shapely.geometry import Point, mapping

from api.service.assess import answer_assessment
from api.service.bootstrap import load_services
from api.service.compute import worker_pid
from api.settings import Settings
from bench.common import RESULTS, Headline, machine, write_headlines
from geo.errors import ReliefError
from geo.incident.limits import GeometryLimits
from layers.resources import demo_pack_dir

LIMITS = GeometryLimits()
#: The middle of the demo pack (Yangquan), lon/lat.
CENTRE = (113.55, 37.95)
TARGET_CPU_S, TARGET_RSS_GB = 10.0, 1.0
SECTION = "## Hostile input: worst request within the default limits (bench/hostile.py)"


def star(n: int, *, every: int, radius: float = 0.2) -> list[list[float]]:
    """A closed ring of ``n`` points alternating two radii; every ``every``-th flipped."""
    lon, lat = CENTRE
    points = []
    for k in range(n):
        angle = 2 * math.pi * k / n + (math.pi if every and k % every == 0 else 0.0)
        r = radius if k % 2 == 0 else radius * 0.4
        points.append([lon + r * math.cos(angle), lat + r * math.sin(angle)])
    return [*points, points[0]]


def polygon(*rings: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


def collection(geometries: list[dict[str, Any]]) -> dict[str, Any]:
    features = [{"type": "Feature", "properties": {}, "geometry": g} for g in geometries]
    return {"type": "FeatureCollection", "features": features}


def circle(lon: float, lat: float, radius: float, n: int) -> list[list[float]]:
    ring = mapping(Point(lon, lat).buffer(radius, quad_segs=max(1, (n - 1) // 4)))
    return [list(p) for p in ring["coordinates"][0]]


def holed(holes: int) -> dict[str, Any]:
    """A square over the middle of the pack with ``holes`` small square holes."""
    lon, lat = CENTRE
    shell = [[lon - 0.4, lat - 0.3], [lon + 0.4, lat - 0.3], [lon + 0.4, lat + 0.3],
             [lon - 0.4, lat + 0.3], [lon - 0.4, lat - 0.3]]  # fmt: skip
    side = int(math.sqrt(holes)) + 1
    rings = []
    for k in range(holes):
        x = lon - 0.38 + 0.76 * (k % side) / side
        y = lat - 0.28 + 0.56 * (k // side) / side
        d = 0.2 / side
        rings.append([[x, y], [x, y + d], [x + d, y + d], [x + d, y], [x, y]])
    return polygon(shell, *rings)


def cases() -> dict[str, dict[str, Any]]:
    """Footprints each at one default limit (and the two stars of issue 13, refused)."""
    rng = random.Random(13)
    per = LIMITS.max_vertices // LIMITS.max_features
    per_feature = max(2, LIMITS.max_vertices // LIMITS.max_vertices_per_feature)
    lon, lat = CENTRE
    holes = min(LIMITS.max_holes, (LIMITS.max_vertices_per_feature - 5) // 5)
    return {
        f"crossing star, {LIMITS.max_repair_vertices} vertices (every other point flipped), "
        "repaired": polygon(star(LIMITS.max_repair_vertices - 1, every=2)),
        f"star, {LIMITS.max_repair_vertices} vertices (every 7th flipped), repaired": polygon(
            star(LIMITS.max_repair_vertices - 1, every=7)
        ),
        f"a valid spiky star of {LIMITS.max_vertices_per_feature:,} vertices over the whole "
        "pack": polygon(star(LIMITS.max_vertices_per_feature - 1, every=0, radius=0.6)),
        f"{per_feature} valid spiky stars of {LIMITS.max_vertices // per_feature:,} vertices, "
        "each edge of one crossing the other": collection(
            [
                polygon(star(LIMITS.max_vertices // per_feature - 1, every=0, radius=0.6 + k / 50))
                for k in range(per_feature)
            ]
        ),
        f"{LIMITS.max_features:,} overlapping circles of {per} vertices": collection(
            [
                polygon(
                    circle(
                        lon + rng.uniform(-0.4, 0.4),
                        lat + rng.uniform(-0.3, 0.3),
                        rng.uniform(0.02, 0.2),
                        per - 1,
                    )
                )
                for _ in range(LIMITS.max_features)
            ]
        ),
        f"one polygon with {holes:,} holes": holed(holes),
        "issue 13's star, 10,000 vertices (refused: 413)": polygon(star(10_000, every=7)),
    }


def _measure(run: Callable[[], object], pid: int) -> tuple[float, int, int, str]:
    """CPU-s of ``pid`` while ``run`` runs, its RSS before and at peak, and the outcome."""
    process = psutil.Process(pid)
    before = process.memory_info().rss
    peak = [before]
    done = threading.Event()

    cpu = process.cpu_times()
    last = [cpu]

    def sample() -> None:
        while not done.is_set():
            try:
                peak[0] = max(peak[0], process.memory_info().rss)
                last[0] = process.cpu_times()
            except psutil.Error:  # the worker ended itself (time limit)
                return
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        run()
        outcome = "201"
    except ReliefError as exc:
        outcome = f"refused: {str(exc)[:90]}"
    finally:
        done.set()
        sampler.join()
    try:
        after = process.cpu_times()
    except psutil.Error:
        after = last[0]
    seconds = (after.user - cpu.user) + (after.system - cpu.system)
    return seconds, before, peak[0], outcome


def run_case(settings: Settings, footprint: dict[str, Any]) -> tuple[float, int, int, str]:
    """One case in a fresh compute worker process; its measures."""
    services = load_services(settings, with_store=False)
    compute = services.compute
    try:
        asyncio.run(compute.start())
        pid = asyncio.run(compute.run(worker_pid))

        def call() -> None:
            async def task() -> None:
                await compute.run(answer_assessment, footprint=footprint, hazard="flood")

            asyncio.run(task())

        return _measure(call, pid)
    finally:
        compute.close()


def main() -> None:
    """Run every case; write the table to the results file and RESULTS.md."""
    settings = replace(Settings(data_dir=demo_pack_dir()), compute_processes=1)
    rows = []
    for name, footprint in cases().items():
        seconds, before, peak, outcome = run_case(settings, footprint)
        rows.append((name, seconds, before, peak, outcome))
        print(f"{name}: {seconds:.2f} CPU-s, peak {peak / 2**30:.2f} GiB, {outcome}", flush=True)
    worst_cpu = max(r[1] for r in rows)
    worst_rss = max(r[3] for r in rows) / 1e9
    met = worst_cpu < TARGET_CPU_S and worst_rss < TARGET_RSS_GB
    lines = [
        SECTION,
        "",
        *machine(["numpy", "shapely", "geopandas", "exactextract", "psutil"]),
        "",
        "Each case is `answer_assessment` (what `POST /api/v1/assessments` runs) in a fresh "
        "compute worker process on the demo pack, at the default limits "
        f"({LIMITS}). CPU-s: the worker's user + system time for the task; memory: its "
        "resident set before the task (the pack loaded) and at its peak (sampled every 10 ms).",
        "",
        "| case | CPU-s | RSS before | RSS peak | answer |",
        "|---|---:|---:|---:|---|",
        *(
            f"| {name} | {cpu:.2f} | {before / 2**20:.0f} MiB | {peak / 2**20:.0f} MiB | "
            f"{outcome.replace('|', '/')} |"
            for name, cpu, before, peak, outcome in rows
        ),
        "",
        f"Worst: {worst_cpu:.2f} CPU-s and {worst_rss:.2f} GB peak; target under "
        f"{TARGET_CPU_S:g} CPU-s and {TARGET_RSS_GB:g} GB: {'met' if met else '**NOT met**'}. "
        "Before the limits (issue 13): the 10,000-vertex star cost ≈620 CPU-s and 8.8 GB.",
        "",
    ]
    text = "\n".join(lines)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "hostile.md").write_text(text)
    write_headlines(
        "hostile",
        [
            Headline(
                "worst single request within the default work limits",
                f"{worst_cpu:.2f} CPU-s, {worst_rss:.2f} GB peak",
                f"under {TARGET_CPU_S:g} CPU-s and {TARGET_RSS_GB:g} GB",
                met,
            )
        ],
    )
    print(text)


if __name__ == "__main__":
    main()
