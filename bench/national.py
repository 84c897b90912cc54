"""A national-scale exposure on Dask: a synthetic multi-province grid of ≥ 100 M cells.

``python -m bench.national [--dir /tmp/reliefgis-national] [--side 10240] [--workers 2]``

Writes (once; NOT committed) a SYNTHETIC population grid of ``side`` × ``side`` cells of
1 km on a plane in metres (105 M cells at the default side of 10,240), split into 16
synthetic "provinces" of 4 × 4 blocks, and a footprint (three nested flood bands along a
diagonal) over about a quarter of it; its window is the whole grid. Then counts the
exposure on a `distributed.LocalCluster` of ``--workers`` worker processes through the
same tiling path the service uses (`layers.distributed.distributed_exposure`), and in one process
(`geo.incident.exposure.compute_exposure`) when ``--single`` is given, and writes
``bench/results/national.md`` with the cost per cell and the time projected on N workers.
Nothing here is real data: the grid is a smooth random field, the provinces squares.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
from distributed import Client, LocalCluster
from rasterio.transform import from_origin
from rasterio.windows import Window
from shapely.geometry import LineString, box

from bench.common import RESULTS, Headline, machine, write_headlines
from geo.incident.exposure import compute_exposure
from geo.incident.footprint import dissolve_by_severity
from geo.incident.grid import project_bounds
from layers.distributed import distributed_exposure
from layers.pack import read_population
from layers.population import read_window
from layers.profiles import read_displacement

CRS = "EPSG:3857"  # a plane in metres; the synthetic grid only needs one
CELL = 1000.0
X0, TOP = 8_000_000.0, 6_000_000.0
BLOCK = 1024


def write_grid(path: Path, side: int) -> None:
    """A side × side uint16 grid of persons per cell, written block by block (synthetic)."""
    profile = {
        "driver": "GTiff", "width": side, "height": side, "count": 1, "dtype": "uint16",
        "crs": CRS, "transform": from_origin(X0, TOP, CELL, CELL), "nodata": 65535,
        "tiled": True, "blockxsize": 512, "blockysize": 512, "compress": "deflate",
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


def main() -> None:
    """Generate the grid if missing, count it on the cluster, write the results."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, default=Path("/tmp/reliefgis-national"))
    parser.add_argument("--side", type=int, default=10_240)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--single", action="store_true", help="also count in one process")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"population-{args.side}.tif"
    start = time.perf_counter()
    if not path.exists():
        write_grid(path, args.side)
    generate_s = time.perf_counter() - start
    grid = read_population(path)
    cells = args.side * args.side
    pieces, counties, profile = footprint(args.side), provinces(args.side), read_displacement()
    with (
        LocalCluster(n_workers=args.workers, threads_per_worker=1, dashboard_address=None) as lc,
        Client(lc) as client,
    ):
        start = time.perf_counter()
        many = distributed_exposure(
            pieces, counties, grid, profile=profile, hazard="flood", client=client
        )
        dask_s = time.perf_counter() - start
    rows = [
        f"| Dask, {args.workers} workers | {dask_s:.1f} | {many.affected:,} | "
        f"{many.displaced:,} |"
    ]
    single_note = "single process not run (`--single`)"
    if args.single:
        start = time.perf_counter()
        bounds = project_bounds(tuple(pieces.total_bounds), crs=grid.crs)
        one = compute_exposure(
            pieces, counties, read_window(grid, bounds), profile=profile, hazard="flood"
        )
        one_s = time.perf_counter() - start
        rows.append(f"| one process | {one_s:.1f} | {one.affected:,} | {one.displaced:,} |")
        same = (one.affected, one.displaced) == (many.affected, many.displaced)
        single_note = f"same whole persons as one process: {'yes' if same else 'NO'}"
    per_cell_us = dask_s / cells * 1e6 * args.workers
    projection = ", ".join(
        f"{n} workers ≈ {per_cell_us * cells / n / 1e6:.0f} s" for n in (2, 8, 32, 128)
    )
    lines = [
        "# National scale: a synthetic ≥ 100 M-cell grid on Dask",
        "",
        f"Produced by `python -m bench.national --side {args.side} --workers {args.workers}`. "
        f"SYNTHETIC grid {args.side:,} × {args.side:,} = {cells:,} cells of 1 km (generated in "
        f"{generate_s:.0f} s, not committed), 16 synthetic square provinces, a footprint of "
        "three flood bands over about a quarter of it (the window is the whole grid). "
        "Tiles of 1024 × 1024 cells.",
        "",
        *machine(["numpy", "exactextract", "dask", "distributed"]),
        "",
        "| path | wall (s) | affected | displaced |",
        "|---|---:|---:|---:|",
        *rows,
        "",
        f"- cost per cell (worker-seconds): {per_cell_us:.2f} µs; {single_note}",
        f"- projected for this grid, cost per cell / workers (no overhead): {projection}",
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "national.md").write_text("\n".join(lines), encoding="utf-8")
    write_headlines(
        "national",
        [Headline(f"exposure of {cells / 1e6:.0f} M synthetic cells on {args.workers} Dask workers",
                  f"{dask_s:.1f} s ({per_cell_us:.2f} µs per cell-worker)", None, None)],
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
