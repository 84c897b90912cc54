"""Time the printed situation map: `web.print.render.render_pdf(assessment, pack, paper="A3")`.

Run on demand: ``python -m bench.printmap``. Writes ``bench/results/printmap.md``. The
assessments are the demo pack's three footprints (made once, not timed); the timed call
renders one A3 landscape PDF from an assessment already made. When `web.print.render` (or
a Chinese font it needs) is not available, prints one "skipped" line and writes that.
"""

from __future__ import annotations

import json
import sys

from bench.common import RESULTS, Headline, machine, median_s, write_headlines

FOOTPRINTS = (
    ("flood_taohe", "flood"),
    ("landslide_yuxian", "landslide"),
    ("earthquake_pingding", "earthquake"),
)
REPEATS = 5


def _skip(reason: str) -> int:
    print(f"skipped: {reason}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "printmap.md").write_text(
        f"# Printed situation map (A3 PDF)\n\nskipped: {reason}\n", encoding="utf-8"
    )
    return 0


def main() -> int:
    """Render each demo assessment's A3 map, time it, write the results."""
    try:
        from web.print.render import render_pdf  # noqa: PLC0415
    except ImportError:
        return _skip("web.print.render not available")
    from api.service.assess import run_assessment  # noqa: PLC0415
    from api.service.bootstrap import load_services  # noqa: PLC0415
    from api.settings import Settings  # noqa: PLC0415
    from layers.resources import demo_pack_dir  # noqa: PLC0415

    services = load_services(Settings(), with_store=False)
    rows: list[str] = []
    times: list[float] = []
    for name, hazard in FOOTPRINTS:
        footprint = json.loads((demo_pack_dir() / "footprints" / f"{name}.geojson").read_text())
        body, _ = run_assessment(services, footprint=footprint, hazard=hazard)
        try:
            pdf = render_pdf(body, services.pack, paper="A3")
        except Exception as exc:  # e.g. FontNotFound: report it, do not fail the whole run
            return _skip(f"render_pdf failed ({type(exc).__name__}: {exc})")
        seconds = median_s(lambda b=body: render_pdf(b, services.pack, paper="A3"), REPEATS)
        rows.append(f"| {name} | {len(pdf) / 1024:,.0f} KiB | {seconds:.2f} |")
        times.append(seconds)
        print(f"{name}: {seconds:.2f} s, {len(pdf) / 1024:,.0f} KiB")
    lines = [
        "# Printed situation map (A3 PDF)",
        "",
        "Produced by `python -m bench.printmap`: `web.print.render.render_pdf(assessment, pack, "
        f'paper="A3")` on the demo pack\'s assessments, median of {REPEATS} runs after a '
        "warm-up, in one process.",
        "",
        *machine(["matplotlib", "shapely", "geopandas", "numpy"]),
        "",
        "| footprint | PDF size | median (s) |",
        "|---|---:|---:|",
        *rows,
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "printmap.md").write_text("\n".join(lines), encoding="utf-8")
    write_headlines(
        "printmap",
        [Headline("A3 situation map, slowest demo footprint", f"{max(times):.2f} s", None, None)],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
