"""Benchmark a hazard raster assessment: a 30 m flood depth grid of 5,000 × 5,000 cells.

Run on demand: ``python -m bench.hazard_raster [--pack DIR] [--size 5000]`` (or through
``bench.run_all``). Writes ``bench/results/hazard_raster.md`` and ``.json``, which
``bench.run_all --collect`` gathers into ``bench/RESULTS.md`` (``--no-append`` only prints).

The depth grid (synthetic: three sinuous river valleys, depths falling off with distance
from each channel, most cells dry) is written as a tiled, deflated GeoTIFF in EPSG:4547
centred on the pack, and measured in a fresh process so that peak memory (ru_maxrss) is
that of the assessment's exposure alone, after the pack is loaded:

- read: `layers.footprint_files.read_hazard_raster` (band 1, nodata mask);
- class + polygonise: `geo.incident.hazard_raster.raster_pieces` (profile bounds,
  ``rasterio.features.shapes``, densify, to lon/lat);
- exposure: `geo.incident.exposure.compute_exposure` on the pieces (windowed population
  read, county split, exact cell shares), the path every footprint takes.

Reference: ``exactextract.exact_extract(population.tif, pieces, ["sum"])`` on the same
pieces in the population raster's CRS (no county split, no classes), timed the same way;
its total is compared with ours.

The province scenario runs on ``data/build/jiangsu`` (``scripts/packs/build_jiangsu.py``)
when it exists; otherwise it is skipped and the section says so.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import shapely
from pyproj import Transformer
from rasterio.transform import from_origin

from bench.common import RESULTS, Headline, machine, write_headlines

ROOT = Path(__file__).resolve().parents[1]
RESULTS_MD = ROOT / "bench" / "RESULTS.md"  # appended to; bench.run_all rewrites it
PROVINCE = ROOT / "data" / "build" / "jiangsu"
CELL_M = 30.0
CRS = "EPSG:4547"
BLOCK_ROWS = 500


def write_depth_grid(path: Path, *, centre: tuple[float, float], size: int) -> None:
    """A synthetic depth grid (m): three river valleys, written in row blocks."""
    x_c, y_c = Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(*centre)
    west, north = x_c - size * CELL_M / 2, y_c + size * CELL_M / 2
    profile = {
        "driver": "GTiff", "width": size, "height": size, "count": 1, "dtype": "float32",
        "crs": CRS, "transform": from_origin(west, north, CELL_M, CELL_M), "nodata": -9999.0,
        "tiled": True, "blockxsize": 512, "blockysize": 512, "compress": "deflate",
    }  # fmt: skip
    xs = np.arange(size) * CELL_M
    rivers = [(0.25, 9_000.0, 21_000.0), (0.55, 6_000.0, 15_000.0), (0.8, 12_000.0, 33_000.0)]
    with rasterio.open(path, "w", **profile) as dst:
        for top in range(0, size, BLOCK_ROWS):
            rows = min(BLOCK_ROWS, size - top)
            ys = (top + np.arange(rows))[:, None] * CELL_M
            depth = np.zeros((rows, size), dtype=np.float32)
            for share, amplitude, wavelength in rivers:
                channel = share * size * CELL_M + amplitude * np.sin(xs / wavelength * 2 * np.pi)
                here = 3.0 - np.abs(ys - channel[None, :]) / 1_200.0
                depth = np.maximum(depth, here.astype(np.float32))
            depth[depth <= 0] = 0.0
            dst.write(depth, 1, window=rasterio.windows.Window(0, top, size, rows))


def measure(tif: Path, pack_dir: Path) -> dict[str, Any]:
    """Time the stages of one raster exposure in this process; peak RSS after the pack."""
    import geopandas as gpd  # noqa: PLC0415 (measured in a fresh process)
    from exactextract import exact_extract  # noqa: PLC0415

    from geo.incident.exposure import compute_exposure  # noqa: PLC0415
    from geo.incident.grid import project_bounds  # noqa: PLC0415
    from geo.incident.hazard_raster import raster_pieces  # noqa: PLC0415
    from layers.footprint_files import UploadLimits, read_hazard_raster  # noqa: PLC0415
    from layers.pack import read_pack  # noqa: PLC0415
    from layers.population import read_window  # noqa: PLC0415
    from layers.profiles import read_displacement  # noqa: PLC0415

    pack, profile = read_pack(pack_dir), read_displacement()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times: dict[str, float] = {}
    start = time.perf_counter()
    grid = read_hazard_raster(tif, name=tif.name, limits=UploadLimits(max_bytes=2**40))
    times["read"] = time.perf_counter() - start
    start = time.perf_counter()
    found = raster_pieces(grid, profile.table("flood"), hazard="flood")
    times["class_polygonise"] = time.perf_counter() - start
    del grid
    start = time.perf_counter()
    bounds = project_bounds(tuple(found.pieces.total_bounds), crs=pack.population.crs)
    exposure = compute_exposure(
        found.pieces[["class", "geometry"]],
        pack.counties,
        read_window(pack.population, bounds),
        profile=profile,
        hazard="flood",
    )
    times["exposure"] = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    in_pop_crs = gpd.GeoSeries(found.pieces.geometry, crs="EPSG:4326").to_crs(pack.population.crs)
    start = time.perf_counter()
    sums = exact_extract(str(pack.population.path), gpd.GeoDataFrame(geometry=in_pop_crs), ["sum"])
    times["exactextract_sum"] = time.perf_counter() - start
    reference = sum(float(f["properties"]["sum"] or 0.0) for f in sums)
    ours = exposure.affected_exact + exposure.outside_counties_exact
    return {
        "times": times,
        "rss_before_mib": before,
        "peak_mib": peak,
        "cells": found.cells,
        "vertices": int(shapely.get_num_coordinates(found.pieces.geometry.to_numpy()).sum()),
        "affected": exposure.affected,
        "displaced": exposure.displaced,
        "exact_total": ours,
        "exactextract_total": reference,
    }


def run_scenario(pack_dir: Path, size: int, label: str) -> dict[str, Any]:
    """Write the grid over ``pack_dir`` and measure it in a fresh process."""
    from layers.pack import read_pack  # noqa: PLC0415

    west, south, east, north = read_pack(pack_dir).population.bounds_wgs84
    with tempfile.TemporaryDirectory() as folder:
        tif = Path(folder) / "depth.tif"
        write_depth_grid(tif, centre=((west + east) / 2, (south + north) / 2), size=size)
        command = [sys.executable, "-m", "bench.hazard_raster", "--measure", str(tif)]
        out = subprocess.run(
            [*command, "--pack", str(pack_dir)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["label"] = label
    result["size"] = size
    return result


def section(rows: list[dict[str, Any]], skipped: str | None) -> str:
    """The results file's Markdown: what was run, on what machine, and the table."""
    lines = [
        "# Hazard raster: a 30 m flood depth grid",
        "",
        "Produced by `python -m bench.hazard_raster`. Synthetic depth grid (three river valleys, "
        "EPSG:4547, tiled deflate GeoTIFF) centred on the pack; each scenario measured in a "
        "fresh process after loading the pack (peak = ru_maxrss of that process). Reference: "
        "exactextract `sum` of the population raster over the same pieces (no county split, "
        "no classes).",
        "",
        *machine(["numpy", "shapely", "geopandas", "rasterio", "exactextract", "pyproj"]),
        "",
        "| pack | grid | cells >1.5 / 0.7–1.5 / 0.1–0.7 m | read (s) | class + polygonise (s) "
        "| exposure (s) | total (s) | exactextract sum (s) | exposure / exactextract "
        "| affected | totals differ by | RSS after pack → peak (MiB) |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        t = r["times"]
        total = t["read"] + t["class_polygonise"] + t["exposure"]
        cells = " / ".join(f"{r['cells'].get(c, 0):,}" for c in (">1.5m", "0.7-1.5m", "0.1-0.7m"))
        diff = abs(r["exact_total"] - r["exactextract_total"]) / max(r["exactextract_total"], 1)
        lines.append(
            f"| {r['label']} | {r['size']:,} × {r['size']:,} | {cells} | {t['read']:.2f} "
            f"| {t['class_polygonise']:.2f} | {t['exposure']:.2f} | {total:.2f} "
            f"| {t['exactextract_sum']:.2f} | {t['exposure'] / t['exactextract_sum']:.1f}× "
            f"| {r['affected']:,} | {diff:.1e} "
            f"| {r['rss_before_mib']:,.0f} → {r['peak_mib']:,.0f} |"
        )
    if skipped:
        lines += ["", skipped]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios and append the section to RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", type=Path, default=None)
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args(argv)
    if args.measure is not None:
        print(json.dumps(measure(args.measure, args.pack)))
        return 0
    from layers.resources import demo_pack_dir  # noqa: PLC0415

    rows = [run_scenario(args.pack or demo_pack_dir(), args.size, "demo (Yangquan)")]
    skipped = None
    if PROVINCE.is_dir():
        rows.append(run_scenario(PROVINCE, args.size, "province (Jiangsu, 10 M cells)"))
    else:
        skipped = (
            f"Province grid skipped: {PROVINCE.relative_to(ROOT)} is not built on this machine "
            "(`python scripts/packs/build_jiangsu.py data/build/jiangsu`, needs its source "
            "downloads); rerun the benchmark where it is."
        )
    text = section(rows, skipped)
    print(text)
    if args.no_append:
        return 0
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "hazard_raster.md").write_text(text, encoding="utf-8")
    write_headlines("hazard_raster", [headline(r) for r in rows])
    return 0  # bench.run_all --collect puts it into bench/RESULTS.md, as every benchmark


def headline(row: dict[str, Any]) -> Headline:
    """The summary line of one scenario for bench/RESULTS.md."""
    t = row["times"]
    total = t["read"] + t["class_polygonise"] + t["exposure"]
    return Headline(
        figure=f"depth raster {row['size']:,} × {row['size']:,} (30 m), {row['label']}: "
        "read, class, polygonise, exact exposure",
        value=f"{total:.1f} s, peak {row['peak_mib']:,.0f} MiB; exposure "
        f"{t['exposure'] / t['exactextract_sum']:.1f}× exactextract sum",
        target=None,
        met=None,
    )


if __name__ == "__main__":
    sys.exit(main())
