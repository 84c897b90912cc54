"""A province pack: each footprint with the neighbourhood-bounded search and without it.

``python -m bench.province [--pack DIR] [--footprints a,b]`` (default: the Jiangsu pack
and ``scale_100km2,flood_huai,scale_20000km2``). In one process, after one warm-up
assessment, each footprint is assessed with the time-limited evacuation searches bounded
by their neighbourhood (`geo.roads._dijkstra.Neighbourhood`, the code as it is) and
with the same searches over the whole graph (the code before, by switching the
neighbourhood off), side by side; the two answers are compared whole (ids and times
left out). Both wall time and CPU time of the process are given: on a shared machine the
wall time also holds the time spent waiting for a core. Targets (issue 19): 100 km² under
0.3 s, the province flood under 1.5 s, 20,000 km² under 4 s.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from api.service.assess import run_assessment
from api.service.bootstrap import load_services
from api.settings import Settings
from bench.common import RESULTS, Headline, machine, write_headlines
from geo.roads import _dijkstra

DEFAULT_PACK = Path("/work/packs/jiangsu")
TARGETS_S = {"scale_100km2": 0.3, "flood_huai": 1.5, "scale_20000km2": 4.0}
RUN_KEYS = frozenset({"id", "created", "created_at"})


def _answer(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: _answer(v) for k, v in body.items() if k not in RUN_KEYS}
    if isinstance(body, list):
        return [_answer(v) for v in body]
    return body


def _timed(services: Any, footprint: dict, *, bounded: bool) -> tuple[float, float, Any]:
    original = _dijkstra._search_graph
    if not bounded:

        def whole(graph, n, s, t_node, *, paths, limit):  # the search before: whole graph
            full_graph, source, column, _ = original(graph, n, s, t_node, paths=True, limit=limit)
            return full_graph, source, column, False

        _dijkstra._search_graph = whole
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        body, _ = run_assessment(services, footprint=footprint, hazard="flood")
        return time.perf_counter() - wall, time.process_time() - cpu, body
    finally:
        _dijkstra._search_graph = original


def main() -> None:
    """Assess each footprint both ways; write the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--pack", type=Path, default=DEFAULT_PACK)
    parser.add_argument("--footprints", default=",".join(TARGETS_S))
    args = parser.parse_args()
    services = load_services(replace(Settings.from_env(), data_dir=args.pack), with_store=False)
    rows, heads = [], []
    for name in args.footprints.split(","):
        footprint = json.loads((args.pack / "footprints" / f"{name}.geojson").read_text())
        run_assessment(services, footprint=footprint, hazard="flood")  # warm-up
        new_wall, new_cpu, new = _timed(services, footprint, bounded=True)
        old_wall, old_cpu, old = _timed(services, footprint, bounded=False)
        same = _answer(new) == _answer(old)
        target = TARGETS_S.get(name)
        met = None if target is None else new_wall < target
        affected = new["population"]["affected"]
        rows.append(
            f"| {name} | {affected:,} | {new_wall:.2f} | {new_cpu:.2f} | {old_wall:.2f} | "
            f"{old_cpu:.2f} | {old_cpu / new_cpu:.1f}× | {'yes' if same else 'NO'} | "
            f"{'—' if target is None else f'under {target:g} s: {met}'} |"
        )
        heads.append(
            Headline(
                f"{name} on the province pack, whole assessment",
                f"{new_wall:.2f} s wall, {new_cpu:.2f} s CPU (whole-graph search: "
                f"{old_cpu:.2f} s CPU; same answer: {'yes' if same else 'NO'})",
                None if target is None else f"under {target:g} s",
                met,
            )
        )
        print(rows[-1], flush=True)
    lines = [
        "# Province pack: searches bounded by the footprint's neighbourhood",
        "",
        f"Produced by `python -m bench.province --pack {args.pack}`: one process, one "
        "warm-up per footprint, then one assessment each way, side by side.",
        "",
        *machine(["numpy", "scipy", "shapely", "geopandas"]),
        f"- load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        "",
        "| footprint | affected | bounded wall (s) | bounded CPU (s) | whole graph wall (s) "
        "| whole graph CPU (s) | CPU ratio | same answer | target |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
        *rows,
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "province.md").write_text("\n".join(lines), encoding="utf-8")
    write_headlines("province", heads)


if __name__ == "__main__":
    main()
