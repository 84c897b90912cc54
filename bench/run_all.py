"""Run every benchmark with one command and write the performance record, bench/RESULTS.md.

``python -m bench.run_all [--only a,b] [--skip a,b] [--quick] [--pack DIR]``
``python -m bench.run_all --collect`` rewrites RESULTS.md from the results files there are;
a benchmark left out by ``--only`` or ``--skip`` is collected from its last results file.

Each benchmark runs in its own process, one after another (they share a 2-core machine:
running them side by side would time the machine, not the code). Each writes its
results file, ``bench/results/<name>.md``, with its machine, date, medians and the
ratios it measured side by side in the same run, and its headline figures,
``bench/results/<name>.json``. RESULTS.md is those files put together under a summary
table of the headline figures against their targets: met or NOT met, as measured.
A benchmark whose module is missing (another part still being written) or that fails
is listed as such and the others go on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import RESULTS, machine

ROOT = Path(__file__).resolve().parent.parent
RECORD = Path(__file__).resolve().parent / "RESULTS.md"
#: Each run stops after this long; a run still going then is recorded as timed out.
TIMEOUT_S = 3600


@dataclass(frozen=True)
class Benchmark:
    """One benchmark: its name (= results file), module and what it measures."""

    name: str
    module: str
    what: str


BENCHMARKS = (
    Benchmark("exposure", "bench.exposure", "exposure step vs exactextract and rasterstats"),
    Benchmark("routing", "bench.routing", "travel-time matrix vs networkx"),
    Benchmark("assessment", "bench.assessment", "whole assessment on the demo pack"),
    Benchmark("printmap", "bench.printmap", "printed A3 situation map (PDF)"),
    Benchmark("load", "bench.load", "API under concurrent load"),
    Benchmark("scale", "bench.scale", "province scale on the Jiangsu pack, growth, Dask"),
    Benchmark(
        "incident_history", "bench.incident_history", "POST report from 10 to 10,000 reports"
    ),
    Benchmark("startup", "bench.startup", "quick commands and server ready time"),
    Benchmark("province", "bench.province", "province footprints, bounded vs whole-graph search"),
    Benchmark("soak", "bench.soak", "memory under 1,000 assessments and 1,000 reads"),
    Benchmark("durability", "bench.durability", "acknowledged writes after ten kill -9 cycles"),
    Benchmark("national", "bench.national", "≥100 M synthetic cells on a LocalCluster"),
    Benchmark("hazard_raster", "bench.hazard_raster", "30 m depth raster 5,000² assessed"),
    Benchmark("hostile", "bench.hostile", "worst request within the work limits (CPU-s, memory)"),
    Benchmark("quake", "bench.quake", "magnitude and epicentre to a stored assessment"),
    Benchmark(
        "browser_jiangsu",
        "bench.browser_jiangsu",
        "the browser app on the Jiangsu pack in Chromium: first view, pans",
    ),
)


@dataclass(frozen=True)
class Outcome:
    """How a benchmark's run went."""

    benchmark: Benchmark
    status: str  # "ran", "skipped: …", "failed (exit N)", "timed out"
    seconds: float
    note: str


def _arguments(bench: Benchmark, args: argparse.Namespace) -> list[str]:
    extra: list[str] = []
    if bench.name == "exposure" and args.quick:
        extra.append("--quick")
    if bench.name in ("browser_jiangsu", "quake") and args.pack:
        extra += ["--pack", str(args.pack)]
    if bench.name == "scale":
        if args.pack:
            extra += ["--pack", str(args.pack)]
        if args.build_python:
            extra += ["--build-python", args.build_python]
    return extra


def run(bench: Benchmark, args: argparse.Namespace) -> Outcome:
    """Run one benchmark in a fresh interpreter; never raise."""
    if importlib.util.find_spec(bench.module) is None:
        print(f"{bench.name}: skipped: {bench.module} not available")
        return Outcome(bench, f"skipped: {bench.module} not available", 0.0, "")
    (RESULTS / f"{bench.name}.json").unlink(missing_ok=True)  # no stale headline
    command = [sys.executable, "-m", bench.module, *_arguments(bench, args)]
    print(f"{bench.name}: {' '.join(command[1:])}", flush=True)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return Outcome(bench, "timed out", time.perf_counter() - start, f"after {TIMEOUT_S} s")
    seconds = time.perf_counter() - start
    output = (done.stdout + done.stderr).strip().splitlines()
    last = output[-1] if output else ""
    for line in output:
        print(f"  {line}")
    if done.returncode != 0:
        return Outcome(bench, f"failed (exit {done.returncode})", seconds, last)
    skipped = next((line for line in output if line.startswith("skipped:")), None)
    if skipped:
        return Outcome(bench, skipped, seconds, "")
    return Outcome(bench, "ran", seconds, "")


def collected(bench: Benchmark) -> Outcome:
    """A benchmark's last results file, as found (not run now)."""
    if (RESULTS / f"{bench.name}.md").is_file():
        return Outcome(bench, "ran", 0.0, "collected from its last run")
    return Outcome(bench, "skipped: no results file", 0.0, "")


def _headlines(name: str) -> list[dict[str, object]]:
    path = RESULTS / f"{name}.json"
    if not path.is_file():
        return []
    rows: list[dict[str, object]] = json.loads(path.read_text(encoding="utf-8"))
    return rows


def _met(row: dict[str, object]) -> str:
    if row.get("met") is None:
        return "— (no target)"
    return "met" if row["met"] else "**NOT met**"


def _section(name: str) -> list[str]:
    path = RESULTS / f"{name}.md"
    if not path.is_file():
        return [f"_No results file `bench/results/{name}.md`._", ""]
    lines = path.read_text(encoding="utf-8").strip().splitlines()
    # Demote the file's headings below this record's own.
    return [("##" + line) if line.startswith("#") else line for line in lines] + [""]


def write_record(outcomes: list[Outcome]) -> None:
    """bench/RESULTS.md: the summary table, how each run went, then every results file."""
    summary = []
    for outcome in outcomes:
        rows = _headlines(outcome.benchmark.name) if outcome.status == "ran" else []
        if not rows:
            what = (
                "no headline file; see its section below"
                if outcome.status == "ran"
                else outcome.status
            )
            summary.append(f"| {outcome.benchmark.name} | {what} | — | — | — |")
        for row in rows:
            summary.append(
                f"| {outcome.benchmark.name} | {row['figure']} | {row['value']} "
                f"| {row.get('target') or '—'} | {_met(row)} |"
            )
    runs = [
        f"| {o.benchmark.name} | {o.benchmark.what} | {o.status} "
        f"| {f'{o.seconds:,.0f} s' if o.seconds else '—'} | {o.note or ''} |"
        for o in outcomes
    ]
    lines = [
        "# Performance record",
        "",
        "Written by `python -m bench.run_all`, which runs every benchmark one after another "
        "on this machine and collects their results files (`bench/results/*.md`). Each "
        "benchmark times medians of several runs after a warm-up and measures its ratios "
        "against the other tools side by side in the same run. Targets are as set in each "
        "benchmark; a figure that misses its target says so.",
        "",
        *machine(["numpy", "scipy", "shapely", "geopandas", "exactextract", "pyproj", "dask"]),
        f"- record written {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
        "",
        "## Summary",
        "",
        "| benchmark | figure | value | target | target met |",
        "|---|---|---|---|---|",
        *summary,
        "",
        "## Runs",
        "",
        "| benchmark | measures | status | wall time | note |",
        "|---|---|---|---:|---|",
        *runs,
        "",
    ]
    for outcome in outcomes:
        lines += [f"## {outcome.benchmark.name}", ""]
        if outcome.status.startswith("skipped"):
            lines += [outcome.status, ""]
            continue
        lines += _section(outcome.benchmark.name)
    RECORD.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {RECORD}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = [b.name for b in BENCHMARKS]
    parser.add_argument("--only", default="", help=f"comma-separated, of {', '.join(names)}")
    parser.add_argument("--skip", default="", help="comma-separated benchmarks to leave out")
    parser.add_argument("--quick", action="store_true", help="shorter exposure benchmark")
    parser.add_argument("--pack", type=Path, default=None, help="Jiangsu pack for bench.scale")
    parser.add_argument("--build-python", default=None, help="Python with cnmaps, to build it")
    parser.add_argument(
        "--collect", action="store_true", help="run nothing; rewrite RESULTS.md from results"
    )
    args = parser.parse_args(argv)
    if args.collect:
        write_record([collected(b) for b in BENCHMARKS])
        return 0
    only = {n for n in args.only.split(",") if n}
    skip = {n for n in args.skip.split(",") if n}
    unknown = sorted((only | skip) - set(names))
    if unknown:
        parser.error(f"unknown benchmarks {unknown}; choose from {names}")
    RESULTS.mkdir(exist_ok=True)
    outcomes = []
    for bench in BENCHMARKS:
        if (only and bench.name not in only) or bench.name in skip:
            outcomes.append(collected(bench))  # not run now: its last results, if any
            continue
        outcomes.append(run(bench, args))
    write_record(outcomes)
    failed = [o.benchmark.name for o in outcomes if o.status.startswith(("failed", "timed"))]
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
