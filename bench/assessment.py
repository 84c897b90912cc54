"""Time a whole assessment on the embedded Yangquan demo pack.

Run on demand: ``python -m bench.assessment``. Writes ``bench/results/assessment.md``.
A whole assessment is: parse and classify the footprint, exact exposure, shelter check,
placement by road, supply plan (closures, travel matrix, allocation, routes), coverage,
level, and the JSON answer. Start-up (reading the pack, building the road graph) happens
once per process and is timed separately.
"""

from __future__ import annotations

import json
import time

from api.service.assess import run_assessment
from api.service.bootstrap import load_services
from api.settings import Settings
from bench.common import RESULTS, Headline, machine, median_s, write_headlines
from layers.resources import demo_pack_dir

FOOTPRINTS = (
    ("flood_taohe", "flood"),
    ("landslide_yuxian", "landslide"),
    ("earthquake_pingding", "earthquake"),
)
REPEATS = 7
TARGET_S = 1.0


def main() -> None:
    """Time start-up once and each demo footprint's assessment, then write the results."""
    start = time.perf_counter()
    services = load_services(Settings(), with_store=False)
    startup = time.perf_counter() - start
    rows = []
    worst = 0.0
    for name, hazard in FOOTPRINTS:
        footprint = json.loads((demo_pack_dir() / "footprints" / f"{name}.geojson").read_text())
        body, _ = run_assessment(services, footprint=footprint, hazard=hazard)
        seconds = median_s(
            lambda f=footprint, h=hazard: run_assessment(services, footprint=f, hazard=h), REPEATS
        )
        routes = len((body["supply"] or {}).get("routes", {}).get("features", []))
        population = body["population"]
        rows.append(
            f"| {name} | {hazard} | {population['affected']:,} | {population['displaced']:,} | "
            f"{routes} | {seconds * 1000:.0f} | {'yes' if seconds < TARGET_S else 'NO'} |"
        )
        print(f"{name}: {seconds * 1000:.0f} ms")
        worst = max(worst, seconds)
    lines = [
        "# Whole assessment on the demo pack",
        "",
        "Produced by `python -m bench.assessment`: median of "
        f"{REPEATS} runs after a warm-up, in one process (`api.service.assess.run_assessment`).",
        "",
        *machine(["numpy", "scipy", "shapely", "geopandas", "exactextract", "pyproj"]),
        f"- start-up (pack, plans, profiles, road graph): {startup * 1000:.0f} ms, once",
        "",
        "| footprint | hazard | affected | displaced | routes | median (ms) | under 1 s |",
        "|---|---|---:|---:|---:|---:|---|",
        *rows,
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "assessment.md").write_text("\n".join(lines), encoding="utf-8")
    write_headlines(
        "assessment",
        [
            Headline(
                "whole assessment, slowest demo footprint",
                f"{worst * 1000:.0f} ms",
                f"under {TARGET_S:g} s",
                worst < TARGET_S,
            )
        ],
    )


if __name__ == "__main__":
    main()
