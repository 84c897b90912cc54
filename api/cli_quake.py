"""``reliefgis quake``: from magnitude and epicentre to houses, deaths, a level and a map.

It writes what ``assess`` writes (`api.cli_outputs`): ``assessment.json``, ``map.pdf``,
``map.html`` and the exports named by ``--formats``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from api.cli_outputs import out_folder, printer, write_outputs
from api.settings import Settings
from web.shares import is_share, percent

Options = Callable[[argparse.ArgumentParser], None]


def quake_summary(body: dict[str, Any]) -> list[str]:
    """The lines ``reliefgis quake`` prints: per county, the level and its clauses."""
    quake = body["earthquake"]
    houses = quake["houses"] or {"by_county": [], "label": "估算"}
    rooms = {row["code"]: row for row in houses["by_county"]}
    lines = [
        f"M{quake['magnitude']} 震中 {quake['lon']:.3f}E {quake['lat']:.3f}N，长轴走向 "
        f"{quake['strike']}°（{quake['strike_kind']}），烈度 "
        + "、".join(
            f"{d['label']}度 {d['semi_major_km']:.1f}×{d['semi_minor_km']:.1f} km"
            for d in quake["degrees"]
        ),
        "县（区）\t受灾\t需转移安置\t倒塌房屋（间/户，估算）",
    ]
    for row in body["population"]["by_county"]:
        house = rooms.get(row["code"])
        fallen = f"{house['collapsed_rooms']}/{house['collapsed_households']}" if house else "—"
        lines.append(f"{row['name']}\t{row['affected']}\t{row['displaced']}\t{fallen}")
    deaths = quake["casualties"]
    lines.append(
        f"死亡人数估算 {deaths['low']}–{deaths['high']}（中值 {deaths['central']}，"
        f"{deaths['model']}）；{deaths['caption']}：{deaths['level']['label'] or '未达到'}"
    )
    verdict = body["response"]
    lines.append(f"{verdict['plan_name']}：{verdict['label'] or '未达到启动条件'}")
    for criterion in verdict["criteria"]:
        mark = "估算" if criterion["source"] == "estimated" else "报送"
        if criterion.get("lower_bound"):
            mark += "，下限：严重损坏未估算"
        value = criterion["value"]
        shown = percent(value) if is_share(criterion["indicator"]) else value
        where = f"{criterion['county_name']} " if criterion.get("county_name") else ""
        lines.append(
            f"  {where}{criterion['name']} {shown}（{mark}）→ "
            f"{criterion['label'] or '—'} {criterion['clause'] or ''}"
        )
    lines.extend(f"  注：{note}" for note in verdict["notes"][-1:])
    return lines


def cmd_quake(
    args: argparse.Namespace,
    *,
    settings: Callable[[argparse.Namespace], Settings],
    figures: Callable[[argparse.Namespace], dict[str, Any]],
) -> int:
    """Assess an earthquake from its magnitude and epicentre; write the results into --out."""
    # start-up: the assessment and its services are read only by the commands that assess
    from api.service.assess import run_assessment
    from api.service.bootstrap import load_services  # start-up: as above
    from geo.hazards.intensity import check_magnitude  # start-up: as above

    out_folder(args.out)  # refused before any work
    check_magnitude(args.magnitude)  # before the pack is read: a typo fails at once
    reported = figures(args)
    print(f"reliefgis: 正在读取图层包 {settings(args).data_dir} …", file=sys.stderr)
    services = load_services(settings(args), with_store=False)
    print("reliefgis: 正在估算烈度圈、受灾人口、倒塌房屋与响应级别 …", file=sys.stderr)
    earthquake = {"magnitude": args.magnitude, "lon": args.lon, "lat": args.lat}
    earthquake |= {"strike": args.strike, "region": args.region}
    with printer(services, args) as job:
        body, _ = run_assessment(
            services,
            plan=args.plan,
            figures=reported,
            title=args.title,
            earthquake=earthquake,
            use_casualty_estimate=args.use_casualty_estimate,
        )
        written = write_outputs(services, body, args, job=job)
    print("\n".join(quake_summary(body)))
    names = "、".join(p.name for p in written)
    print(f"reliefgis: 已写入 {args.out}/{names}", file=sys.stderr)
    return 0


def add_quake(
    quake: argparse.ArgumentParser,
    *,
    options: tuple[Options, ...],
    settings: Callable[[argparse.Namespace], Settings],
    figures: Callable[[argparse.Namespace], dict[str, Any]],
) -> None:
    """The options of the ``quake`` subcommand."""
    quake.add_argument("--magnitude", type=float, required=True, help="magnitude (3.0–9.5)")
    quake.add_argument("--lon", type=float, required=True, help="epicentre longitude")
    quake.add_argument("--lat", type=float, required=True, help="epicentre latitude")
    quake.add_argument("--strike", type=float, metavar="DEG", help="long-axis azimuth")
    quake.add_argument("--region", help="east or west (attenuation relation)")
    quake.add_argument("--plan", help="plan id (default: the layer pack's own plan)")
    quake.add_argument("--out", default="quake", metavar="DIR", help="folder for the results")
    quake.add_argument("--title", help="incident name for the maps")
    quake.add_argument(
        "--use-casualty-estimate",
        action="store_true",
        help="grade the level on the estimated deaths too (else for reference only)",
    )
    for option in options:
        option(quake)

    def run(args: argparse.Namespace) -> int:
        return cmd_quake(args, settings=settings, figures=figures)

    quake.set_defaults(run=run)
