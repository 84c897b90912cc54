"""A national-scale exposure on Dask and in one process: a synthetic grid of ≥ 100 M cells.

``python -m bench.national [--dir /tmp/reliefgis-national] [--side 10240] [--workers 2]
[--dask-only]``

Writes (once; NOT committed) a SYNTHETIC population grid of ``side`` × ``side`` cells of
1 km on a plane in metres (105 M cells at the default side of 10,240), split into 16
synthetic "provinces" of 4 × 4 blocks, with 1,000 synthetic shelters each, and a footprint
(three nested flood bands along a diagonal) over about a quarter of it; its window is the
whole grid. In one run it then

1. profiles the tile path in this process, stage by stage (CPU time per tile cell:
   clipping the zones to the tiles, reading the tiles, exact coverage, the reduction to
   demand blocks and shelter reach, the result's bytes with and without it);
2. counts the exposure on a `distributed.LocalCluster` of ``--workers`` worker processes
   through the path the service uses (`layers.distributed.distributed_exposure`, the
   workers returning what the assessment reads: `layers.distributed.assessment_needs`):
   wall, CPU and peak memory of the driver and of the workers;
3. counts it in one process (`geo.incident.exposure.compute_exposure`) on the same
   footprint, and compares the two answers to the person: totals, every county and class
   row, the demand points (`geo.assessment.demand_points`) and the service coverage
   (`geo.shelters.service_area.service_coverage`), and writes ``bench/results/national.md``
   with the cost per cell, the time projected on N workers and the load average of the
   shared machine, and ``national_row.json``, the row `bench.scale` adds to its growth table.

Nothing here is real data: the grid is a smooth random field, the provinces squares.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import math
import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from affine import Affine
from distributed import Client, LocalCluster
from rasterio.transform import from_origin
from rasterio.windows import Window
from shapely.geometry import LineString, box

from bench.common import RESULTS, Headline, machine, write_headlines
from bench.scale import peak_mib
from geo.assessment import DemandPoints, demand_points
from geo.hazards.setbacks import Setbacks
from geo.incident.county_split import split_zones
from geo.incident.displacement import DisplacementProfile
from geo.incident.exposure import Exposure, compute_exposure
from geo.incident.footprint import dissolve_by_severity
from geo.incident.grid import cell_persons, project_bounds
from geo.shelters.service_area import Coverage, service_coverage
from geo.shelters.status import classify_shelters
from layers.distributed import (
    AssessmentNeeds,
    _count_tile,
    _read_tile,
    _reduce_for,
    _tile_jobs,
    assessment_needs,
    distributed_exposure,
)
from layers.pack import read_population
from layers.population import PopulationGrid, read_window
from layers.profiles import read_displacement, read_setbacks

CRS = "EPSG:3857"  # a plane in metres; the synthetic grid only needs one
CELL = 1000.0
X0, TOP = 8_000_000.0, 6_000_000.0
BLOCK = 1024
HAZARD = "flood"
#: Seconds the idle workers are watched for their background CPU use.
IDLE_S = 5
#: Synthetic shelters per synthetic province, of the four kinds in turn.
SHELTERS_PER_PROVINCE = 1_000
KINDS = ("emergency", "short_term", "medium_term", "central")


def write_grid(path: Path, side: int) -> None:
    """A side × side uint16 grid of persons per cell, written block by block (synthetic)."""
    profile = {
        "driver": "GTiff",
        "width": side,
        "height": side,
        "count": 1,
        "dtype": "uint16",
        "crs": CRS,
        "transform": from_origin(X0, TOP, CELL, CELL),
        "nodata": 65535,
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "compress": "deflate",
    }
    rng = np.random.default_rng(19)
    with rasterio.open(path, "w", **profile) as dst:
        for row in range(0, side, BLOCK):
            for col in range(0, side, BLOCK):
                h, w = min(BLOCK, side - row), min(BLOCK, side - col)
                yy, xx = np.mgrid[row : row + h, col : col + w]
                base = 60 + 50 * np.sin(xx / 700.0) * np.cos(yy / 900.0)
                noise = rng.integers(0, 40, (h, w))
                dst.write((base + noise).astype("uint16"), 1, window=Window(col, row, w, h))


def provinces(side: int) -> gpd.GeoDataFrame:
    """16 synthetic square provinces covering the grid (codes 110000 … 260000)."""
    step = side * CELL / 4
    geoms, codes, names = [], [], []
    for i in range(4):
        for j in range(4):
            x0, y1 = X0 + j * step, TOP - i * step
            geoms.append(box(x0, y1 - step, x0 + step, y1))
            codes.append(f"{11 + 4 * i + j}0000")
            names.append(f"合成省{4 * i + j + 1}")
    frame = gpd.GeoDataFrame({"code": codes, "name": names}, geometry=geoms, crs=CRS)
    return frame.to_crs("EPSG:4326")


def footprint(side: int) -> gpd.GeoDataFrame:
    """Three nested flood bands along a diagonal river across most of the grid."""
    span = side * CELL
    river = LineString(
        [(X0 + 0.05 * span, TOP - 0.95 * span), (X0 + 0.95 * span, TOP - 0.05 * span)]
    )
    frame = gpd.GeoDataFrame(
        {"class": [">1.5m", "0.7-1.5m", "0.1-0.7m"]},
        geometry=[river.buffer(0.02 * span), river.buffer(0.05 * span), river.buffer(0.1 * span)],
        crs=CRS,
    ).to_crs("EPSG:4326")
    return dissolve_by_severity(frame, order=read_displacement().order("flood"))


def shelters(side: int) -> gpd.GeoDataFrame:
    """Synthetic shelters scattered over the grid, of the four kinds in turn."""
    n = 16 * SHELTERS_PER_PROVINCE
    rng = np.random.default_rng(23)
    span = side * CELL
    x, y = X0 + rng.uniform(0, span, n), TOP - rng.uniform(0, span, n)
    frame = gpd.GeoDataFrame(
        {
            "id": [f"S{i}" for i in range(n)],
            "name": [f"合成场所{i}" for i in range(n)],
            "capacity": rng.integers(500, 5_000, n),
            "kind": [KINDS[i % len(KINDS)] for i in range(n)],
        },
        geometry=gpd.points_from_xy(x, y),
        crs=CRS,
    )
    return frame.to_crs("EPSG:4326")


@dataclass(frozen=True)
class Case:
    """The grid, its synthetic provinces, shelters and the footprint counted on it."""

    grid: PopulationGrid
    pieces: gpd.GeoDataFrame
    counties: gpd.GeoDataFrame
    profile: DisplacementProfile
    shelters: gpd.GeoDataFrame
    setbacks: Setbacks

    @property
    def cells(self) -> int:
        """Cells of the grid (= of the footprint's window here)."""
        return self.grid.width * self.grid.height

    @property
    def needs(self) -> AssessmentNeeds:
        """What the assessment reads of the cells (the plane of the grid measures metres)."""
        return assessment_needs(self.shelters, self.setbacks.service_radii(), metric_crs=CRS)


@dataclass(frozen=True)
class Reads:
    """What the assessment reads of an exposure's cells, and the driver's CPU to read it."""

    demand: DemandPoints
    coverage: Coverage
    cpu_s: float


def reads(case: Case, exposure: Exposure) -> Reads:
    """Demand points and service coverage of the exposure, as `geo.assessment.assess` makes them."""
    statuses = classify_shelters(
        case.shelters,
        footprint=case.pieces,
        hazard_zones=gpd.GeoDataFrame({"id": [], "kind": [], "risk": []}, geometry=[], crs=4326),
        setbacks=case.setbacks,
        metric_crs=CRS,
    )
    start = time.process_time()
    demand = demand_points(exposure, metric_crs=CRS)
    coverage = service_coverage(
        exposure.cells,
        case.shelters,
        statuses=statuses,
        radii=case.setbacks.service_radii(),
        metric_crs=CRS,
    )
    return Reads(demand, coverage, time.process_time() - start)


@dataclass(frozen=True)
class Run:
    """One count of the exposure and its reads: wall, CPU seconds, memory, the load around it.

    Wall and driver CPU include the reads; ``peak_mib`` is the driver's (or the single
    process's) peak resident memory over the run, ``worker_peak_mib`` each worker's.
    """

    exposure: Exposure
    reads: Reads
    wall_s: float
    driver_cpu_s: float
    worker_cpu_s: float
    load: tuple[float, float]  # 1-minute load average before and after
    peak_mib: float
    idle_cpu_per_s: float = 0.0  # what the idle worker processes use (heartbeats, event loop)
    worker_peak_mib: tuple[float, ...] = ()


def _reset_peak() -> None:
    """Start this process's peak resident memory (VmHWM) afresh (Linux clear_refs 5)."""
    Path("/proc/self/clear_refs").write_text("5")


def _worker_cpu(client: Client) -> float:
    """CPU seconds the worker processes have used so far (all their threads)."""
    return float(sum(client.run(time.process_time).values()))


def run_dask(case: Case, *, workers: int) -> Run:
    """The exposure on a LocalCluster of ``workers`` single-threaded worker processes."""
    needs = case.needs
    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as lc,
        Client(lc) as client,
    ):
        client.run(importlib.import_module, "layers.distributed")  # imports are not the count
        client.run(_reset_peak)
        cpu0 = _worker_cpu(client)
        time.sleep(IDLE_S)
        idle = (_worker_cpu(client) - cpu0) / IDLE_S
        load0, cpu0 = os.getloadavg()[0], _worker_cpu(client)
        _reset_peak()
        driver0, start = time.process_time(), time.perf_counter()
        exposure = distributed_exposure(
            case.pieces, case.counties, case.grid, profile=case.profile, hazard=HAZARD,
            client=client, needs=needs,
        )  # fmt: skip
        read = reads(case, exposure)
        wall, driver = time.perf_counter() - start, time.process_time() - driver0
        worker = _worker_cpu(client) - cpu0
        worker_peaks = tuple(client.run(peak_mib).values())
    load = (load0, os.getloadavg()[0])
    return Run(exposure, read, wall, driver, worker, load, peak_mib(), idle, worker_peaks)


def run_single(case: Case) -> Run:
    """The exposure in this process: the window read whole, one exactextract pass."""
    _reset_peak()
    load0, cpu0, start = os.getloadavg()[0], time.process_time(), time.perf_counter()
    bounds = project_bounds(tuple(case.pieces.total_bounds), crs=case.grid.crs)
    exposure = compute_exposure(
        case.pieces,
        case.counties,
        read_window(case.grid, bounds),
        profile=case.profile,
        hazard=HAZARD,
    )
    read = reads(case, exposure)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
    return Run(exposure, read, wall, cpu, 0.0, (load0, os.getloadavg()[0]), peak_mib())


def profile_tiles(case: Case) -> dict[str, float]:
    """CPU seconds of each stage of the tile path, run here tile after tile (no Dask)."""
    clock = time.process_time
    zones = split_zones(
        case.pieces, case.counties, crs=case.grid.crs, profile=case.profile, hazard=HAZARD
    )
    raster = Affine(*tuple(case.grid.transform)[:6])
    reduce, _ = _reduce_for(zones, case.needs, profile=case.profile, hazard=HAZARD)
    stages = dict.fromkeys(("clip", "read", "measure", "task", "pickle", "reduced"), 0.0)
    stages.update(tiles=0.0, cells=0.0, parts=0.0, bytes=0.0, reduced_bytes=0.0)
    jobs = _tile_jobs(case.grid, zones.geometry)
    while True:
        start = clock()
        job = next(jobs, None)
        stages["clip"] += clock() - start
        if job is None:
            return stages
        start = clock()
        window = _read_tile(job.path, job.tile, raster, case.grid.crs)
        stages["read"] += clock() - start
        start = clock()
        zone, _, _ = cell_persons(np.array(shapely.from_wkb(list(job.wkb))), window)
        stages["measure"] += clock() - start
        start = clock()
        result = _count_tile(job, len(zones.code))  # the whole task, as a worker runs it
        stages["task"] += clock() - start
        start = clock()
        blob = pickle.dumps(result, protocol=5)
        stages["pickle"] += clock() - start
        start = clock()
        reduced = _count_tile(dataclasses.replace(job, reduce=reduce), len(zones.code))
        stages["reduced"] += clock() - start
        stages["tiles"] += 1
        stages["cells"] += job.tile.height * job.tile.width
        stages["parts"] += zone.size
        stages["bytes"] += len(blob)
        stages["reduced_bytes"] += len(pickle.dumps(reduced, protocol=5))


def differences(one: Run, other: Run) -> list[str]:
    """Where two runs' answers differ to the person ([] if nowhere).

    Totals, county rows, class rows; the demand points (block size, county and persons
    of each, positions within 1 mm); the service coverage (covered and affected persons,
    overall and per kind).
    """
    a, b = one.exposure, other.exposure
    found = []
    if (a.affected, a.displaced, a.outside_counties) != (
        b.affected,
        b.displaced,
        b.outside_counties,
    ):
        found.append("totals")
    rows_a = [(c.code, c.affected, c.displaced, dict(c.by_class)) for c in a.by_county]
    rows_b = [(c.code, c.affected, c.displaced, dict(c.by_class)) for c in b.by_county]
    found += [f"county {x[0]}" for x, y in zip(rows_a, rows_b, strict=False) if x != y]
    if len(rows_a) != len(rows_b):
        found.append("number of counties")
    if [(c.name, c.affected, c.displaced) for c in a.by_class] != [
        (c.name, c.affected, c.displaced) for c in b.by_class
    ]:
        found.append("classes")
    da, db = one.reads.demand, other.reads.demand
    same_points = da.block_m == db.block_m and len(da.frame) == len(db.frame)
    if same_points:
        fa, fb = da.frame, db.frame
        same_points = fa[["county", "persons"]].equals(fb[["county", "persons"]]) and bool(
            np.abs(fa[["x", "y"]].to_numpy() - fb[["x", "y"]].to_numpy()).max(initial=0) < 1e-3
        )
    if not same_points:
        found.append("demand points")
    ca, cb = one.reads.coverage, other.reads.coverage
    kinds_a = [(k.kind, round(k.covered)) for k in ca.by_kind]
    if (round(ca.covered), round(ca.affected), kinds_a) != (
        round(cb.covered),
        round(cb.affected),
        [(k.kind, round(k.covered)) for k in cb.by_kind],
    ):
        found.append("service coverage")
    return found


def _per_cell_us(seconds: float, cells: float) -> str:
    return f"{seconds / cells * 1e6:.3f}"


def projection(run: Run, tasks: int) -> dict[int, float]:
    """Wall on N idle workers: driver CPU + worker CPU × ⌈tasks / N⌉ / tasks (equal tasks)."""
    return {
        n: run.driver_cpu_s + run.worker_cpu_s * math.ceil(tasks / n) / tasks
        for n in (2, 8, 32, 128)
    }


STAGE_NAMES = {  # key: (what, where)
    "clip": ("zones clipped to each tile", "driver"),
    "read": ("tile read (deflate, 512² blocks)", "worker"),
    "measure": ("exact coverage (exactextract) and persons", "worker"),
    "task": ("the whole task returning cells (read + measure + sums)", "worker"),
    "pickle": ("that task's result pickled", "worker"),
    "reduced": ("the whole task returning demand blocks and reach groups", "worker"),
}


def report(
    case: Case, stages: dict[str, float], many: Run, one: Run | None, note: str
) -> list[str]:
    """The results file's lines: the stage profile, both runs, costs and projections."""
    cells, tile_cells = case.cells, stages["cells"]
    lines = [
        "## Where the tile path's time goes (this process, tile after tile, CPU time)",
        "",
        f"{stages['tiles']:.0f} tiles of the footprint (of {tile_cells:,.0f} cells; tiles "
        f"without a zone are not sent), {stages['parts']:,.0f} cell parts; the tasks' "
        f"results pickled: {stages['bytes'] / 1e6:,.0f} MB as cell parts, "
        f"{stages['reduced_bytes'] / 1e6:,.2f} MB reduced to what the assessment reads.",
        "",
        "| stage | where | CPU (s) | ns per tile cell |",
        "|---|---|---:|---:|",
        *(
            f"| {what} | {where} | {stages[key]:.2f} | {stages[key] / tile_cells * 1e9:.0f} |"
            for key, (what, where) in STAGE_NAMES.items()
        ),
    ]
    runs = [("Dask, LocalCluster (reduced)", many)] + ([("one process", one)] if one else [])
    lines += [
        "",
        "## The count and what the assessment reads of it, both ways, same footprint",
        "",
        "Each run counts the exposure, then makes the demand points and the service "
        "coverage from it (`geo.assessment.demand_points`, "
        "`geo.shelters.service_area.service_coverage`) in the driver.",
        "",
        "| path | wall (s) | CPU driver (s) | of which reads (s) | CPU workers (s) "
        "| CPU per cell (µs) | peak driver (MiB) | peak per worker (MiB) | rows in the driver "
        "| load before → after | affected | displaced |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for name, run in runs:
        cpu = run.driver_cpu_s + run.worker_cpu_s
        workers = ", ".join(f"{p:,.0f}" for p in run.worker_peak_mib) or "—"
        lines.append(
            f"| {name} | {run.wall_s:.1f} | {run.driver_cpu_s:.1f} | {run.reads.cpu_s:.1f} "
            f"| {run.worker_cpu_s:.1f} | {_per_cell_us(cpu, cells)} | {run.peak_mib:,.0f} "
            f"| {workers} | {len(run.exposure.cell_parts):,} "
            f"| {run.load[0]:.1f} → {run.load[1]:.1f} "
            f"| {run.exposure.affected:,} | {run.exposure.displaced:,} |"
        )
    tasks = int(stages["tiles"])
    wall_n = ", ".join(f"{n} ≈ {s:.1f} s" for n, s in projection(many, tasks).items())
    lines += [
        "",
        f"- {note}",
        f"- demand: {len(many.reads.demand.frame)} points in blocks of "
        f"{many.reads.demand.block_m:,.0f} m; service coverage "
        f"{round(many.reads.coverage.covered):,} of {round(many.reads.coverage.affected):,} "
        f"affected ({len(case.shelters):,} synthetic shelters)",
        f"- worker CPU per cell of the window: {_per_cell_us(many.worker_cpu_s, cells)} µs, of "
        f"which the idle workers' background use ({many.idle_cpu_per_s:.3f} CPU-s per s "
        f"× wall) is {many.idle_cpu_per_s * many.wall_s:.1f} s; "
        f"driver (county split, clipping, gathering, rounding, reads): "
        f"{many.driver_cpu_s:.1f} s",
        f"- projected wall on N idle workers (driver CPU + worker CPU × ⌈tasks / N⌉ / tasks, "
        f"{tasks} tasks of about equal size): {wall_n}",
        "",
    ]
    return lines


def growth_row(case: Case, stages: dict[str, float], many: Run, workers: int) -> dict:
    """The row `bench.scale` adds to its growth table (``national_row.json``)."""
    area = shapely.union_all(case.pieces.to_crs(CRS).geometry.to_numpy()).area / 1e6
    cpu = many.driver_cpu_s + many.worker_cpu_s
    return {
        "footprint": f"national (synthetic, {workers} Dask workers)",
        "area_km2": area,
        "cells": case.cells,
        "affected": many.exposure.affected,
        "displaced": many.exposure.displaced,
        "demand_points": len(many.reads.demand.frame),
        "wall_s": many.wall_s,
        "cpu_s": cpu,
        "peak_mib": many.peak_mib,
        "worker_peak_mib": max(many.worker_peak_mib, default=0.0),
        "per_cell_us": cpu / case.cells * 1e6,
        "projection_s": projection(many, int(stages["tiles"])),
        "load": many.load[0],
    }


def main() -> None:
    """Generate the grid if missing, profile, count both ways, write the results."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, default=Path("/tmp/reliefgis-national"))
    parser.add_argument("--side", type=int, default=10_240)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dask-only", action="store_true", help="skip the single process")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"population-{args.side}.tif"
    if not path.exists():
        write_grid(path, args.side)
    case = Case(
        read_population(path), footprint(args.side), provinces(args.side),
        read_displacement(), shelters(args.side), read_setbacks(),
    )  # fmt: skip
    stages = profile_tiles(case)
    many = run_dask(case, workers=args.workers)
    one = None if args.dask_only else run_single(case)
    diff = None if one is None else differences(many, one)
    if diff is None:
        note = "single process not run (`--dask-only`)"
    elif not diff:
        note = (
            "the same answer to the person as one process: totals, every county row "
            "(affected, displaced, by class), every class row, the demand points and the "
            "service coverage (overall and per kind) equal"
        )
    else:
        note = f"answers DIFFER from one process: {', '.join(diff)}"
    lines = [
        "# National scale: a synthetic ≥ 100 M-cell grid, on Dask and in one process",
        "",
        f"Produced by `python -m bench.national --side {args.side} --workers {args.workers}`. "
        f"SYNTHETIC grid {args.side:,} × {args.side:,} = {case.cells:,} cells of 1 km "
        "(uint16, deflate, 512² blocks; generated by the script, not committed), 16 "
        "synthetic square provinces, a footprint of three flood bands over about a quarter "
        "of it (the window is the whole grid). Tiles of 1024² cells. CPU seconds are "
        "process CPU time (user + system); peak memory is each process's VmHWM, reset "
        "before its run; the machine is shared with other jobs, so wall times follow the "
        "load average shown, CPU times much less.",
        "",
        *machine(["numpy", "exactextract", "dask", "distributed"]),
        "",
        *report(case, stages, many, one, note),
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "national.md").write_text("\n".join(lines), encoding="utf-8")
    row = growth_row(case, stages, many, args.workers)
    (RESULTS / "national_row.json").write_text(json.dumps(row, indent=1) + "\n")
    write_headlines("national", headlines(case, many, one, diff, args.workers))
    print("\n".join(lines))


def headlines(
    case: Case, many: Run, one: Run | None, diff: list[str] | None, workers: int
) -> list[Headline]:
    """The run's figures for bench/RESULTS.md: the Dask run, and its equality to one process."""
    cpu = many.driver_cpu_s + many.worker_cpu_s
    rows = [
        Headline(
            f"exposure and its reads over {case.cells / 1e6:.0f} M synthetic cells on "
            f"{workers} Dask workers",
            f"{many.wall_s:.0f} s wall at load {many.load[0]:.0f}; {cpu:.0f} CPU-s "
            f"({_per_cell_us(cpu, case.cells)} µs per cell); driver peak "
            f"{many.peak_mib:,.0f} MiB, {len(many.exposure.cell_parts):,} rows",
            None,
            None,
        )
    ]
    if one is not None:
        rows.append(
            Headline(
                f"the same {case.cells / 1e6:.0f} M cells in one process; "
                "answers equal to the person",
                f"{one.wall_s:.0f} s wall, {one.driver_cpu_s:.0f} CPU-s, peak "
                f"{one.peak_mib:,.0f} MiB; {'equal' if not diff else 'NOT equal'}",
                "equal to the person",
                not diff,
            )
        )
    return rows


if __name__ == "__main__":
    main()
