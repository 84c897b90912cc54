"""Time an earthquake from magnitude and epicentre to a stored assessment.

Run on demand: ``python -m bench.quake [--pack DIR]``. Writes ``bench/results/quake.md``.
What is timed is one ``POST /api/v1/assessments`` with ``earthquake: {magnitude, lon,
lat}`` through the whole service (the HTTP layer, the compute process, the store): the
intensity field, exposure per degree, shelters, supply, collapsed houses (when the pack
has a ``housing`` layer), the death range, the level, and the stored record. Medians of
several runs after a warm-up; the service is started once per pack (start-up is timed
separately). Targets (issue 18): under 1 s on the demo pack, under 3 s on the Jiangsu pack.

The time ends when the stored assessment's answer has arrived (status 201): the test
client's parse of that JSON (9 MB on the Jiangsu pack, most of it route lines; about 1 s
in Python) is the client's work, not the service's. It is measured once and shown beside
the median, not in it.

Timing starts once the service is at rest: the map views it prepares in a background
thread after start-up (`api.service.view_warming`, seconds on a province pack) would
otherwise share the interpreter with the first requests timed. Beside the wall time, the
median CPU time of this process per request (client, server and its compute threads) is
given: on a shared machine it is the steadier figure.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from bench.common import RESULTS, Headline, machine, write_headlines
from layers.resources import demo_pack_dir

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_JIANGSU = ROOT / "data" / "build" / "jiangsu"
REPEATS = 5
#: The service's background thread preparing the map views after start-up, and how long
#: the benchmark waits for it before timing.
WARMING_THREAD = "view-warming"
WARMING_WAIT_S = 300.0
#: (name, pack, epicentre, magnitude, target seconds)
DEMO = ("demo (阳泉), M6.0 in 盂县", (113.41, 38.09), 6.0, 1.0)
JIANGSU = ("Jiangsu, M6.5 near 南京", (118.80, 32.05), 6.5, 3.0)


def _at_rest() -> None:
    """Wait until the service's start-up view warming has finished (or `WARMING_WAIT_S`)."""
    for thread in threading.enumerate():
        if thread.name == WARMING_THREAD:
            thread.join(WARMING_WAIT_S)


def _medians(run: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median wall and CPU time (this process) of ``repeats`` runs after one warm-up."""
    run()
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def time_pack(pack: Path, epicentre: tuple[float, float], magnitude: float) -> dict[str, Any]:
    """Start the service on ``pack`` once, then time the quake assessment."""
    with tempfile.TemporaryDirectory() as state:
        start = time.perf_counter()
        client = TestClient(create_app(Settings(data_dir=pack, state_dir=Path(state))))
        with client:
            startup = time.perf_counter() - start
            _at_rest()
            body = {
                "earthquake": {"magnitude": magnitude, "lon": epicentre[0], "lat": epicentre[1]}
            }

            def post() -> bytes:
                response = client.post("/api/v1/assessments", json=body)
                if response.status_code != 201:
                    raise SystemExit(f"{pack}: {response.status_code} {response.text[:300]}")
                return response.content

            text = post()
            parse_start = time.perf_counter()
            answer: dict[str, Any] = json.loads(text)
            parse = time.perf_counter() - parse_start
            seconds, cpu = _medians(post, REPEATS)
    quake = answer["earthquake"]
    houses = quake["houses"]
    return {
        "startup": startup,
        "seconds": seconds,
        "cpu": cpu,
        "parse": parse,
        "megabytes": len(text) / 1e6,
        "affected": answer["population"]["affected"],
        "level": answer["response"]["label"] or "未达到启动条件",
        "rooms": houses["collapsed_rooms"] if houses else None,
        "deaths": f"{quake['casualties']['low']}–{quake['casualties']['high']}",
    }


def main(argv: list[str] | None = None) -> None:
    """Time the demo pack and, when present, the Jiangsu pack; write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", type=Path, default=DEFAULT_JIANGSU, help="Jiangsu pack")
    args = parser.parse_args(argv)
    cases = [(DEMO, demo_pack_dir())]
    skipped = []
    if (args.pack / "layers.gpkg").is_file():
        cases.append((JIANGSU, args.pack))
    else:
        skipped.append(
            f"- Jiangsu: skipped, no pack at {args.pack} (scripts/packs/build_jiangsu.py)"
        )
    rows, headlines = [], []
    for (name, epicentre, magnitude, target), pack in cases:
        found = time_pack(pack, epicentre, magnitude)
        met = found["seconds"] < target
        rooms = "no housing layer" if found["rooms"] is None else f"{found['rooms']:,}"
        rows.append(
            f"| {name} | {found['startup']:.1f} s | {found['seconds'] * 1000:.0f} ms | "
            f"{found['cpu'] * 1000:.0f} ms | "
            f"{found['megabytes']:.1f} MB, {found['parse'] * 1000:.0f} ms | "
            f"{found['affected']:,} | {found['level']} | {rooms} | {found['deaths']} | "
            f"under {target:g} s: {'met' if met else 'NOT met'} |"
        )
        headlines.append(
            Headline(
                f"earthquake to stored assessment, {name}",
                f"{found['seconds'] * 1000:.0f} ms",
                f"under {target:g} s",
                met,
            )
        )
        print(rows[-1])
    lines = [
        "# Earthquake from magnitude and epicentre to a stored assessment",
        "",
        f"Produced by `python -m bench.quake`: median of {REPEATS} `POST /api/v1/assessments` "
        "with `earthquake` after a warm-up, through the service (compute process and store), "
        "until the answer has arrived (the client's JSON parse is shown apart); timed once "
        "the service's start-up view warming has finished. CPU: median CPU time of the "
        "benchmark's process per request (client, server and compute threads).",
        "",
        *machine(["numpy", "scipy", "shapely", "geopandas", "exactextract", "pyproj"]),
        f"- load average (1 min) when done: {os.getloadavg()[0]:.1f}",
        *skipped,
        "",
        "| case | service start-up | median | CPU | answer, client parse (not in the median) | "
        "affected | level | collapsed rooms (估算) | deaths (估算) | target |",
        "|---|---:|---:|---:|---:|---:|---|---:|---|---|",
        *rows,
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "quake.md").write_text("\n".join(lines), encoding="utf-8")
    write_headlines("quake", headlines)


if __name__ == "__main__":
    main()
