"""Time how fast the commands and the server answer from a cold start (issue 19).

Run on demand: ``python -m bench.startup [--pack DIR] [--repeats N]``. Writes
``bench/results/startup.md`` and ``startup.json``. Every figure is the median of
``--repeats`` fresh processes (like ``hyperfine``): ``reliefgis --help``, ``plans``,
``level`` (a threshold lookup), ``assess`` on a demo footprint with its PDF, and a server
start (``reliefgis serve`` until ``/api/v1/health`` answers; the server answers only once
its compute processes have read the pack; each on a new state folder, after one untimed
start has filled the caches), on the demo pack and on ``--pack`` when given.
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

import psutil

from bench.common import RESULTS, Headline, machine, write_headlines

T = TypeVar("T")

HERE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Code:
    """The code measured: this checkout, or a baseline checkout with its own venv."""

    label: str
    python: str
    cwd: Path

    @property
    def cli(self) -> list[str]:
        """The command that runs this code's ``reliefgis``."""
        return [self.python, "-m", "api.cli"]


THIS = Code("this branch", sys.executable, HERE)


def baseline(folder: Path) -> Code:
    """The checkout in ``folder`` (e.g. main's), run with its own ``.venv``."""
    commit = subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "--short", "HEAD"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    return Code(f"baseline (main at {commit or folder})", str(folder / ".venv/bin/python"), folder)


DEMO_FOOTPRINT = Path(__file__).resolve().parent.parent / "data" / "yangquan" / "footprints"
QUICK_TARGET_S = 0.5
ASSESS_TARGET_S = 3.0
READY_TARGETS_S = {"demo": 3.0, "jiangsu": 8.0}
READY_TIMEOUT_S = 300.0


def _median_run(argv: list[str], repeats: int, cwd: Path = HERE) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of ``repeats`` fresh runs.

    The CPU time is what the command itself needs; the wall time also holds the time the
    process waited for a core, which on a shared machine can be most of it.
    """
    walls, cpus = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        with tempfile.TemporaryFile() as errors:
            child = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
            _, status, usage = os.wait4(child.pid, 0)
            errors.seek(0)
            tail = errors.read()[-2000:].decode("utf-8", "replace")
        child.returncode = os.waitstatus_to_exitcode(status)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        if child.returncode:
            raise RuntimeError(f"{argv} exited with {child.returncode}: {tail}")
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


@dataclass(frozen=True)
class Ready:
    """A server start: wall seconds to ready, and the CPU seconds its processes used by then.

    On a shared machine the wall time mostly says how long the start waited for a core.
    The fork server's CPU is its own since it started: near 0 when ``serve`` forks it from
    itself holding the services it read (api/service/compute_fork.py), the imports and a
    second read of the pack when it is a fresh interpreter (main before that change).
    """

    wall_s: float
    server_cpu_s: float
    fork_server_cpu_s: float


def _cpu_s(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _ready(server: subprocess.Popen[bytes], wall_s: float) -> Ready:
    """What ``server`` and its busiest child (the fork server) used of the CPU so far."""
    parent = psutil.Process(server.pid)
    children = [_cpu_s(child) for child in parent.children()]
    return Ready(wall_s, _cpu_s(parent), max(children, default=0.0))


def server_ready_s(
    pack: Path | None, cache: Path, *, processes: int = 2, code: Code = THIS
) -> Ready:
    """From ``reliefgis serve`` to the first answer of ``/api/v1/health``."""
    port = _free_port()
    argv = [*code.cli, "serve", "--port", str(port), "--compute-processes", str(processes)]
    if pack is not None:
        argv += ["--data", str(pack)]
    with tempfile.TemporaryDirectory() as state:
        env = {**os.environ, "RELIEF_STATE_DIR": state, "RELIEF_CACHE_DIR": str(cache)}
        start = time.perf_counter()
        server = subprocess.Popen(
            argv, cwd=code.cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            while time.perf_counter() - start < READY_TIMEOUT_S:
                try:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/api/v1/health", timeout=5
                    ) as answer:
                        if answer.status == 200:
                            return _ready(server, time.perf_counter() - start)
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


def load_cpu_s(pack: Path | None, cache: Path, code: Code = THIS) -> tuple[float, float]:
    """CPU seconds of a fresh process to import and read its services, and of the read alone."""
    env = {**os.environ, "RELIEF_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [code.python, "-c", _LOAD_CPU, str(pack) if pack else "-"],
        cwd=code.cwd, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    total, load = (float(v) for v in done.stdout.split()[-2:])
    return total, load


def _interleaved(runs: Mapping[str, Callable[[], T]], repeats: int) -> dict[str, list[T]]:
    """Each run ``repeats`` times, the runs taken in turn (a busier minute hits all alike)."""
    found: dict[str, list[T]] = {label: [] for label in runs}
    for _ in range(repeats):
        for label, run in runs.items():
            found[label].append(run())
    return found


def _assess_runs(codes: list[Code], out: str) -> dict[str, Callable[[], tuple[float, float]]]:
    footprint = DEMO_FOOTPRINT / "flood_taohe.geojson"
    runs: dict[str, Callable[[], tuple[float, float]]] = {}
    for i, code in enumerate(codes):
        folder = str(Path(out) / str(i))  # each code its own output folder
        argv = [*code.cli, "assess", str(footprint), "--hazard", "flood", "--out", folder]
        runs[code.label] = partial(_median_run, argv, 1, code.cwd)
    return runs


def _assess_rows(codes: list[Code], repeats: int) -> tuple[list[str], list[Headline]]:
    """``reliefgis assess`` on the demo with its PDF, each code in turn: wall and CPU."""
    with tempfile.TemporaryDirectory() as out:
        runs = _assess_runs(codes, out)
        _interleaved(runs, 1)  # first runs write the caches (pack, graph); not timed
        pairs = _interleaved(runs, repeats)
    rows, heads = [], []
    for code in codes:
        wall = statistics.median(p[0] for p in pairs[code.label])
        cpu = statistics.median(p[1] for p in pairs[code.label])
        met = wall < ASSESS_TARGET_S
        rows.append(f"| reliefgis assess (demo, with PDF), {code.label} | {wall:.2f} | "
                    f"{cpu:.2f} | under 3 s | {met} |")  # fmt: skip
        if code is THIS:
            heads.append(
                Headline(
                    "reliefgis assess on the demo, PDF included",
                    f"{wall:.2f} s wall, {cpu:.2f} s CPU",
                    "under 3 s",
                    met,
                )
            )
        print("assess", code.label, f"{wall:.2f} s wall {cpu:.2f} s CPU", flush=True)
    return rows, heads


def _ready_rows(
    name: str, pack: Path | None, codes: list[Code], repeats: int, *, server: bool
) -> tuple[list[str], list[Headline]]:
    """One process's start-up CPU and the server's time to ready on one pack, per code."""
    rows, heads = [], []
    with tempfile.TemporaryDirectory() as caches:
        cache = {c.label: Path(caches) / str(i) for i, c in enumerate(codes)}
        for code in codes:
            cold = load_cpu_s(pack, cache[code.label], code)  # builds and caches
            warm = load_cpu_s(pack, cache[code.label], code)
            rows.append(
                f"| one process's start-up CPU, {name} pack, {code.label}: nothing cached → "
                f"cached (of which reading the services) | — | {cold[0]:.2f} ({cold[1]:.2f}) → "
                f"{warm[0]:.2f} ({warm[1]:.2f}) | — | — |"
            )
            if code is THIS:
                heads.append(Headline(
                    f"start-up CPU of one process (import + services), {name} pack",
                    f"{warm[0]:.2f} s cached, {cold[0]:.2f} s with nothing cached", None, None,
                ))  # fmt: skip
            print(name, code.label, "start-up CPU", cold, warm, flush=True)
        if not server:
            return rows, heads
        runs: dict[str, Callable[[], Ready]] = {
            c.label: partial(server_ready_s, pack, cache[c.label], code=c) for c in codes
        }
        # The first start on a cache writes what the later ones read (the opening view,
        # the empty store new state folders are copied from): not timed, as for assess.
        _interleaved(runs, 1)
        starts = _interleaved(runs, max(1, repeats))
    medians = {k: statistics.median(r.wall_s for r in v) for k, v in starts.items()}
    target = READY_TARGETS_S[name]
    for code in codes:
        seconds = medians[code.label]
        server_cpu = statistics.median(r.server_cpu_s for r in starts[code.label])
        fork_cpu = statistics.median(r.fork_server_cpu_s for r in starts[code.label])
        met = seconds < target
        label = f"server ready, {name} pack (2 compute processes), {code.label}"
        rows.append(f"| {label}, pack and graph cached (CPU: server / fork server) | "
                    f"{seconds:.2f} | {server_cpu:.2f} / {fork_cpu:.2f} | under {target:g} s "
                    f"| {met} |")  # fmt: skip
        if code is THIS:
            heads.append(
                Headline(
                    f"server ready, {name} pack (2 compute processes)",
                    f"{seconds:.2f} s",
                    f"under {target:g} s",
                    met,
                )
            )
        cpu = f"CPU server {server_cpu:.2f} s, fork server {fork_cpu:.2f} s"
        print(label, f"{seconds:.2f} s,", cpu, flush=True)
    if len(codes) > 1:
        ratio = medians[codes[1].label] / medians[THIS.label]
        rows.append(
            f"| server ready, {name} pack: baseline / this branch | {ratio:.2f}× | — | — | — |"
        )
    return rows, heads


def _quick_rows(codes: list[Code], repeats: int) -> tuple[list[str], list[Headline]]:
    """The quick commands, each code in turn (fresh processes): median wall and CPU."""
    quick = {
        "reliefgis --help": ["--help"],
        "reliefgis plans": ["plans"],
        "reliefgis level": ["level", "--plan", "yangquan-2026", "--dead-missing", "5"],
    }
    rows, heads = [], []
    for label, extra in quick.items():
        runs = {c.label: partial(_median_run, [*c.cli, *extra], 1, c.cwd) for c in codes}
        pairs = _interleaved(runs, repeats)
        for code in codes:
            seconds = statistics.median(p[0] for p in pairs[code.label])
            cpu = statistics.median(p[1] for p in pairs[code.label])
            met = seconds < QUICK_TARGET_S
            named = label if code is THIS else f"{label}, {code.label}"
            target = f"under {QUICK_TARGET_S:g} s"
            rows.append(f"| {named} | {seconds:.2f} | {cpu:.2f} | {target} | {met} |")
            if code is THIS:
                heads.append(Headline(label, f"{seconds:.2f} s wall, {cpu:.2f} s CPU", target, met))
            print(named, f"{seconds:.2f} s wall {cpu:.2f} s CPU", flush=True)
    return rows, heads


def main() -> None:
    """Time every command and the server start; write the results."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--pack", type=Path, help="a province pack, timed as well")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-server", action="store_true", help="skip the server starts")
    parser.add_argument("--no-commands", action="store_true", help="skip the commands")
    parser.add_argument(
        "--baseline", type=Path, help="another checkout (/work/main) with its .venv, in turn"
    )
    args = parser.parse_args()
    codes = [THIS] + ([baseline(args.baseline)] if args.baseline else [])
    rows, heads = [], []
    if not args.no_commands:
        assess_repeats = max(1, args.repeats // 2)
        for found in (_quick_rows(codes, args.repeats), _assess_rows(codes, assess_repeats)):
            rows += found[0]
            heads += found[1]
    packs: dict[str, Path | None] = {"demo": None}
    if args.pack is not None:
        packs["jiangsu"] = args.pack
    for name, pack in packs.items():
        found = _ready_rows(name, pack, codes, args.repeats // 2, server=not args.no_server)
        rows += found[0]
        heads += found[1]
    _write(args, rows, heads)


def _write(args: argparse.Namespace, rows: list[str], heads: list[Headline]) -> None:
    lines = [
        "# Start-up: quick commands, assess with its PDF, server ready",
        "",
        "Produced by `python -m bench.startup`: median of fresh processes per figure "
        f"({args.repeats} for the quick commands, {max(1, args.repeats // 2)} for assess and "
        "the server). `import api.cli` takes "
        f"{import_ms():.0f} ms cumulative (`python -X importtime`). The checked pack and the "
        "road graph are read from their caches after the first start on a pack "
        "(layers/pack_cache.py, layers/graph_cache.py). With `--baseline`, that checkout "
        "(its own .venv) is timed in the same run, in turn with this one.",
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
