"""A province pack: each incident searched over chains, over every node, over the whole graph.

``python -m bench.province [--pack DIR] [--footprints a,b] [--no-quake]`` (default: the
Jiangsu pack, ``scale_100km2,flood_huai,scale_20000km2`` and the M6.5 earthquake at
(118.80, 32.05)). In one process, after one warm-up assessment, each incident is assessed
three ways, side by side:

- chains: the code as it is; the searches run over the junctions, degree-2 chains of
  shape points contracted into single arcs (`geo.roads.chains`), time-limited searches
  bounded by their neighbourhood (`geo.roads._graph.Neighbourhood`);
- nodes: the same with every node a junction (no contraction: the searches before it);
- whole graph: every node a junction and no neighbourhood (the searches before both).

The answers are compared whole (ids and times left out). Both wall and CPU time of the
process are given (on a shared machine the wall time also holds the time spent waiting
for a core), and the CPU time of each road stage: evacuation searches
(``nearest_times``), which depots reach which shelters (``reachable``), depot → shelter
times with predecessors (``travel_matrix``) and the routes' lengths and lines. Targets
(issue 19): 100 km² under 0.3 s, the province flood under 1.5 s, 20,000 km² under 4 s;
(issue 18) the earthquake under 3 s.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from api.service.assess import run_assessment
from api.service.bootstrap import load_services
from api.settings import Settings
from bench.common import RESULTS, Headline, machine, without_run_keys, write_headlines
from geo.roads import _times, chains, travel
from geo.supply import plan

DEFAULT_PACK = Path("/work/packs/jiangsu")
QUAKE = {"magnitude": 6.5, "lon": 118.80, "lat": 32.05}
TARGETS_S = {"scale_100km2": 0.3, "flood_huai": 1.5, "scale_20000km2": 4.0, "quake": 3.0}
MODES = ("chains", "nodes", "whole graph")
#: Timed runs per incident and way, after the warm-up: the medians are reported.
REPEATS = 3
#: The road stages timed, by the name `geo.supply.plan` calls them by.
STAGES = ("nearest_times", "reachable", "travel_matrix", "route")


@contextmanager
def _mode(mode: str) -> Iterator[None]:
    """Switch the contraction (and the neighbourhood) off for the searches before them."""
    chains_of, search_space = chains.chains_of, _times.search_space
    built: dict[int, chains.Chains] = {}

    def every_node(network: Any) -> chains.Chains:  # every node a junction: no chains
        if id(network) not in built:
            built[id(network)] = chains.build_chains(network, contract=False)
        return built[id(network)]

    def whole(graph, nodes, targets, limit):  # the search before: the whole graph
        return search_space(graph, nodes, targets, np.inf)

    if mode != "chains":
        chains.chains_of = every_node
    if mode == "whole graph":
        _times.search_space = whole
    try:
        yield
    finally:
        chains.chains_of, _times.search_space = chains_of, search_space


@contextmanager
def _stages(cpu: dict[str, float]) -> Iterator[None]:
    """Add the CPU time of each road stage `geo.supply.plan` calls into ``cpu``."""
    saved = {name: getattr(plan, name) for name in STAGES}
    distance = travel.TravelMatrix.distance_m

    def timed(name: str, run: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return run(*args, **kwargs)
            finally:
                cpu[name] += time.process_time() - start

        return call

    for name in STAGES:
        setattr(plan, name, timed(name, saved[name]))
    travel.TravelMatrix.distance_m = timed("route", distance)  # type: ignore[method-assign]
    try:
        yield
    finally:
        for name in STAGES:
            setattr(plan, name, saved[name])
        travel.TravelMatrix.distance_m = distance  # type: ignore[method-assign]


def _timed(services: Any, incident: dict, mode: str) -> tuple[float, float, Any, dict]:
    cpu: dict[str, float] = defaultdict(float)
    with _mode(mode), _stages(cpu):
        run_assessment(services, **incident)  # warm-up (chains of every node built once)
        walls, cpus = [], []
        for _ in range(REPEATS):
            wall, start = time.perf_counter(), time.process_time()
            cpu.clear()
            body, _ = run_assessment(services, **incident)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - start)
        return statistics.median(walls), statistics.median(cpus), body, dict(cpu)


def _incidents(pack: Path, names: list[str], quake: bool) -> list[tuple[str, dict]]:
    found = []
    for name in names:
        footprint = json.loads((pack / "footprints" / f"{name}.geojson").read_text())
        found.append((name, {"footprint": footprint, "hazard": "flood"}))
    if quake:
        found.append(("quake", {"earthquake": QUAKE}))
    return found


def _row(name: str, affected: int, runs: dict[str, tuple], same: dict[str, bool]) -> str:
    cells = [name, f"{affected:,}"]
    for mode in MODES:
        wall, cpu, _, stages = runs[mode]
        cells += [f"{wall:.2f}", f"{cpu:.2f}"]
        cells.append(" / ".join(f"{stages.get(stage, 0.0):.2f}" for stage in STAGES))
    target = TARGETS_S.get(name)
    met = None if target is None else runs["chains"][0] < target
    cells += [
        f"{runs['nodes'][1] / runs['chains'][1]:.1f}×",
        "yes" if all(same.values()) else f"NO ({', '.join(m for m, s in same.items() if not s)})",
        "—" if target is None else f"under {target:g} s: {met}",
    ]
    return "| " + " | ".join(cells) + " |"


def _headline(name: str, runs: dict[str, tuple], same: bool) -> Headline:
    wall, cpu, _, _ = runs["chains"]
    target = TARGETS_S.get(name)
    return Headline(
        f"{name} on the province pack, whole assessment",
        f"{wall:.2f} s wall, {cpu:.2f} s CPU (no chains: {runs['nodes'][1]:.2f} s CPU; whole "
        f"graph: {runs['whole graph'][1]:.2f} s CPU; same answer: {'yes' if same else 'NO'})",
        None if target is None else f"under {target:g} s",
        None if target is None else wall < target,
    )


def main() -> None:
    """Assess each incident three ways; write the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--pack", type=Path, default=DEFAULT_PACK)
    parser.add_argument("--footprints", default="scale_100km2,flood_huai,scale_20000km2")
    parser.add_argument("--no-quake", action="store_true")
    args = parser.parse_args()
    services = load_services(replace(Settings.from_env(), data_dir=args.pack), with_store=False)
    # As a compute process does once it has read the pack (api/service/compute_preload):
    # the pack's objects frozen, so no full collection walks them during an assessment.
    gc.collect()
    gc.freeze()
    rows, heads = [], []
    for name, incident in _incidents(args.pack, args.footprints.split(","), not args.no_quake):
        runs = {mode: _timed(services, incident, mode) for mode in MODES}
        chained = without_run_keys(runs["chains"][2])
        same = {mode: without_run_keys(runs[mode][2]) == chained for mode in MODES[1:]}
        rows.append(_row(name, runs["chains"][2]["population"]["affected"], runs, same))
        heads.append(_headline(name, runs, all(same.values())))
        print(rows[-1], flush=True)
    stages = " / ".join(STAGES)
    lines = [
        "# Province pack: searches over chains, over every node, over the whole graph",
        "",
        f"Produced by `python -m bench.province --pack {args.pack}`: one process; per "
        f"incident and way one warm-up, then the median of {REPEATS} assessments (stages: "
        "the last one), side by side; the pack's objects frozen for the collector, as in a "
        "compute process. Stages: CPU s of "
        f"{stages} (routes: their lengths and lines).",
        "",
        *machine(["numpy", "scipy", "shapely", "geopandas"]),
        f"- load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        "",
        "| incident | affected "
        + "".join(f"| {m} wall (s) | {m} CPU (s) | {m} stages CPU (s) " for m in MODES)
        + "| CPU nodes / chains | same answer | target |",
        "|---|---:" + "|---:|---:|---:" * len(MODES) + "|---:|---|---|",
        *rows,
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "province.md").write_text("\n".join(lines), encoding="utf-8")
    write_headlines("province", heads)


if __name__ == "__main__":
    main()
