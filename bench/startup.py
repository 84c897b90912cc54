"""Time how fast the commands and the server answer from a cold start (issue 19).

Run on demand: ``python -m bench.startup [--pack DIR] [--repeats N]``. Writes
``bench/results/startup.md`` and ``startup.json``. Every figure is the median of
``--repeats`` fresh processes (like ``hyperfine``): ``reliefgis --help``, ``plans``,
``level`` (a threshold lookup), ``assess`` on a demo footprint with its PDF, and a server
start (``reliefgis serve`` until ``/api/v1/health`` answers; the server answers only once
its compute processes have read the pack), on the demo pack and on ``--pack`` when given.
The import time of ``api.cli`` is read from ``python -X importtime``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import RESULTS, Headline, machine, write_headlines

CLI = [sys.executable, "-m", "api.cli"]
DEMO_FOOTPRINT = Path(__file__).resolve().parent.parent / "data" / "yangquan" / "footprints"
QUICK_TARGET_S = 0.5
ASSESS_TARGET_S = 3.0
READY_TARGETS_S = {"demo": 3.0, "jiangsu": 8.0}
READY_TIMEOUT_S = 300.0


def _median_run(argv: list[str], repeats: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of ``repeats`` fresh runs.

    The CPU time is what the command itself needs; the wall time also holds the time the
    process waited for a core, which on a shared machine can be most of it.
    """
    walls, cpus = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        if child.returncode:
            raise RuntimeError(f"{argv} exited with {child.returncode}")
    return statistics.median(walls), statistics.median(cpus)


def import_ms() -> float:
    """Cumulative import time of ``api.cli`` in ms, from ``-X importtime``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import api.cli"],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in done.stderr.splitlines():
        if line.rstrip().endswith("| api.cli"):
            return int(line.split("|")[1]) / 1000
    return float("nan")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_ready_s(pack: Path | None, cache: Path, *, processes: int = 2) -> float:
    """Seconds from ``reliefgis serve`` to the first answer of ``/api/v1/health``."""
    port = _free_port()
    argv = [*CLI, "serve", "--port", str(port), "--compute-processes", str(processes)]
    if pack is not None:
        argv += ["--data", str(pack)]
    with tempfile.TemporaryDirectory() as state:
        env = {**os.environ, "RELIEF_STATE_DIR": state, "RELIEF_CACHE_DIR": str(cache)}
        start = time.perf_counter()
        server = subprocess.Popen(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            while time.perf_counter() - start < READY_TIMEOUT_S:
                try:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/api/v1/health", timeout=5
                    ) as answer:
                        if answer.status == 200:
                            return time.perf_counter() - start
                except OSError:
                    time.sleep(0.05)
            raise RuntimeError("the server did not answer in time")
        finally:
            server.terminate()
            server.wait(timeout=60)


_LOAD_CPU = """
import sys, time
from dataclasses import replace
from pathlib import Path
from api.settings import Settings
from api.service.bootstrap import load_services
settings = Settings.from_env()
if sys.argv[1] != "-":
    settings = replace(settings, data_dir=Path(sys.argv[1]))
start = time.process_time()
load_services(settings, with_store=False)
print(time.process_time())
print(time.process_time() - start)
"""


def load_cpu_s(pack: Path | None, cache: Path) -> tuple[float, float]:
    """CPU seconds of a fresh process to import and read its services, and of the read alone."""
    env = {**os.environ, "RELIEF_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", _LOAD_CPU, str(pack) if pack else "-"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    total, load = (float(v) for v in done.stdout.split()[-2:])
    return total, load


def main() -> None:
    """Time every command and the server start; write the results."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--pack", type=Path, help="a province pack, timed as well")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-server", action="store_true", help="skip the server starts")
    parser.add_argument("--no-commands", action="store_true", help="skip the commands")
    args = parser.parse_args()
    quick = {
        "reliefgis --help": ["--help"],
        "reliefgis plans": ["plans"],
        "reliefgis level": ["level", "--plan", "yangquan-2026", "--dead-missing", "5"],
    }
    rows, heads = [], []
    if not args.no_commands:
        for label, extra in quick.items():
            seconds, cpu = _median_run([*CLI, *extra], args.repeats)
            met = seconds < QUICK_TARGET_S
            rows.append(
                f"| {label} | {seconds:.2f} | {cpu:.2f} | under {QUICK_TARGET_S:g} s | {met} |"
            )
            heads.append(Headline(label, f"{seconds:.2f} s wall, {cpu:.2f} s CPU",
                                  f"under {QUICK_TARGET_S:g} s", met))
            print(label, f"{seconds:.2f} s wall {cpu:.2f} s CPU")
        with tempfile.TemporaryDirectory() as out:
            footprint = DEMO_FOOTPRINT / "flood_taohe.geojson"
            assess = [*CLI, "assess", str(footprint), "--hazard", "flood", "--out", out]
            seconds, cpu = _median_run(assess, max(1, args.repeats // 2))
        met = seconds < ASSESS_TARGET_S
        rows.append(
            f"| reliefgis assess (demo, with PDF) | {seconds:.2f} | {cpu:.2f} | under 3 s | {met} |"
        )
        heads.append(Headline("reliefgis assess on the demo, PDF included",
                              f"{seconds:.2f} s wall, {cpu:.2f} s CPU", "under 3 s", met))
        print("assess", f"{seconds:.2f} s")
    packs: dict[str, Path | None] = {"demo": None}
    if args.pack is not None:
        packs["jiangsu"] = args.pack
    for name, pack in packs.items():
        with tempfile.TemporaryDirectory() as cache:
            cold_cpu = load_cpu_s(pack, Path(cache))  # builds and caches the road graph
            warm_cpu = load_cpu_s(pack, Path(cache))
            rows.append(
                f"| one process's start-up CPU, {name} pack: graph built → graph cached "
                f"(of which reading the services) | — | {cold_cpu[0]:.2f} ({cold_cpu[1]:.2f}) → "
                f"{warm_cpu[0]:.2f} ({warm_cpu[1]:.2f}) | — | — |"
            )
            heads.append(Headline(
                f"start-up CPU of one process (import + services), {name} pack",
                f"{warm_cpu[0]:.2f} s with the graph cached, {cold_cpu[0]:.2f} s building it",
                None, None,
            ))  # fmt: skip
            print(name, "start-up CPU", cold_cpu, warm_cpu, flush=True)
            if args.no_server:
                continue
            cold = server_ready_s(pack, Path(cache))  # the graph is cached: by load_cpu_s
            times = [server_ready_s(pack, Path(cache)) for _ in range(max(1, args.repeats // 2))]
        seconds = statistics.median(times)
        target = READY_TARGETS_S[name]
        met = seconds < target
        label = f"server ready, {name} pack (2 compute processes)"
        rows.append(f"| {label}, first start | {cold:.2f} | — | — | — |")
        rows.append(
            f"| {label}, graph cached | {seconds:.2f} | — | under {target:g} s | {met} |"
        )
        heads.append(Headline(label, f"{seconds:.2f} s", f"under {target:g} s", met))
        print(label, f"{seconds:.2f} s")
    lines = [
        "# Start-up: quick commands and server ready",
        "",
        "Produced by `python -m bench.startup`: median of fresh processes per figure "
        f"({args.repeats} for the quick commands, {max(1, args.repeats // 2)} for assess and "
        "the server). `import api.cli` takes "
        f"{import_ms():.0f} ms cumulative (`python -X importtime`). The road graph is read "
        "from its cache after the first start on a pack (layers/graph_cache.py).",
        "",
        *machine(["numpy", "scipy", "geopandas", "pyproj", "fastapi"]),
        "",
        f"- load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (the "
        "machine is shared: wall time includes waiting for a core; CPU time does not)",
        "",
        "| what | median wall (s) | median CPU (s) | target | met |",
        "|---|---:|---:|---|---|",
        *rows,
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    name = "startup_load" if args.no_commands and args.no_server else "startup"
    (RESULTS / f"{name}.md").write_text("\n".join(lines), encoding="utf-8")
    write_headlines(name, heads)
    print(json.dumps([h.figure for h in heads], ensure_ascii=False))


if __name__ == "__main__":
    main()
