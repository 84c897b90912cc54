"""The ``reliefgis`` command: serve, plans, level, assess, quake, travel, import-osm, layers.

Bad input exits non-zero with one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import NoReturn

from api import cli_pack, cli_travel
from api.cli_figures import by_county, figure_options, figures, reported_figures
from api.cli_footprint import add_footprint_options, footprint_source
from api.cli_incident import add_incident
from api.cli_options import with_dask, with_data, with_font
from api.cli_outputs import out_folder, output_options, write_outputs
from api.cli_quake import add_quake
from api.service.compute import DEFAULT_MAX_PROCESSES, default_processes
from api.service.levels import grade
from api.settings import Settings
from geo.errors import InputError, ReliefError
from geo.plans.model import HAZARDS
from layers.plans import PlanCatalog
from layers.resources import plans_dir
from web.verdict_text import verdict_text

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "data", None):
        settings = replace(settings, data_dir=Path(args.data))
    if getattr(args, "plans", None):
        settings = replace(settings, plan_dirs=(*settings.plan_dirs, *map(Path, args.plans)))
    if getattr(args, "font", None):
        settings = replace(settings, font=args.font)
    if getattr(args, "dask", None):
        settings = replace(settings, dask_scheduler=args.dask)
    return settings


def _catalog(settings: Settings) -> PlanCatalog:
    return PlanCatalog([plans_dir(), *settings.plan_dirs])


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _serve_settings(args: argparse.Namespace) -> Settings:
    """The settings with the compute processes chosen: flag, environment, then default."""
    settings = _settings(args)
    processes = args.compute_processes
    if processes is None and not os.environ.get("RELIEF_COMPUTE_PROCESSES"):
        processes = default_processes() if args.workers == 1 else 0
    if processes is None:
        return settings
    return replace(settings, compute_processes=processes)


def cmd_serve(args: argparse.Namespace) -> int:
    """Start the HTTP service and the browser map."""
    # Imported here for start-up time: the other commands do not need a server.
    from api.service.compute_start import start_compute  # start-up: only for serve

    settings = _serve_settings(args)
    if not _is_loopback(args.host) and not settings.api_keys:
        raise InputError(
            f"--host {args.host}: without RELIEF_API_KEYS the service binds to loopback only "
            "(127.0.0.1); set API keys to serve other hosts"
        )
    print(f"reliefgis: 正在读取图层包 {settings.data_dir} …", file=sys.stderr, flush=True)
    # One server process: its compute workers read the pack while it reads its own.
    compute = start_compute(settings) if args.workers <= 1 else None
    import uvicorn  # start-up: the server, only for serve

    from api.app import create_app  # start-up: as above
    from api.service.bootstrap import load_services  # start-up: as above

    services = load_services(settings, compute=compute)
    for repair in services.pack.repairs:
        print(f"reliefgis: {repair}", file=sys.stderr)
    print(f"reliefgis: {cli_pack.network_line(services.connectivity)}", file=sys.stderr)
    if services.default_plan is None:
        print("reliefgis: 没有预案覆盖图层包的县区，未设默认预案：请求须指定 plan", file=sys.stderr)
    print(
        f"reliefgis: 服务地址 http://{args.host}:{args.port}/  (API 文档 /docs)；"
        f"计算进程 {settings.compute_processes} 个",
        file=sys.stderr,
        flush=True,
    )
    if args.workers > 1:
        # Each worker process builds its own services from the same settings, passed on
        # through the environment; the pack was checked above.
        os.environ["RELIEF_DATA"] = str(settings.data_dir)
        os.environ["RELIEF_PLANS"] = os.pathsep.join(map(str, settings.plan_dirs))
        os.environ["RELIEF_COMPUTE_PROCESSES"] = str(settings.compute_processes)
        if settings.dask_scheduler:
            os.environ["RELIEF_DASK_SCHEDULER"] = settings.dask_scheduler
        if settings.font:
            os.environ["RELIEF_FONT"] = settings.font
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="info",
        )
        return 0
    uvicorn.run(create_app(services=services), host=args.host, port=args.port, log_level="info")
    return 0


def cmd_plans(args: argparse.Namespace) -> int:
    """List the plan profiles."""
    catalog = _catalog(_settings(args))
    if args.json:
        from api.service.views import plan_summary  # start-up: pydantic, only for --json

        print(
            json.dumps(
                [plan_summary(e).model_dump() for e in catalog], ensure_ascii=False, indent=2
            )
        )
        return 0
    for entry in catalog:
        plan = entry.plan
        print(f"{plan.id:<16} {plan.name}（{plan.document}，{plan.issued}）")
    return 0


#: Exit status of ``reliefgis level`` when no figure given could be graded.
EXIT_NOT_EVALUATED = 2


def cmd_level(args: argparse.Namespace) -> int:
    """Grade reported figures under a plan."""
    settings = _settings(args)
    per_county = by_county(args.by_county)

    def lookup(code: str) -> tuple[str, int | None]:
        from layers.pack import read_pack  # start-up: the pack only when a county is named

        return read_pack(settings.data_dir).agri_population(code)

    verdict = grade(
        _catalog(settings).get(args.plan),
        figures(args),
        hazard=args.hazard,
        county=args.county,
        by_county=per_county,
        lookup=lookup if args.county or per_county else None,
    )
    if args.json:
        from api.schemas.common import VerdictOut  # start-up: pydantic, only for --json

        print(VerdictOut.model_validate(asdict(verdict)).model_dump_json(indent=2))
    else:
        print(verdict_text(verdict))
    return 0 if verdict.evaluated else EXIT_NOT_EVALUATED


def _read_json(path: str, what: str) -> object:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{what} {path}: cannot be read ({exc.strerror})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{what} {path}: not valid GeoJSON ({exc})") from exc


def cmd_assess(args: argparse.Namespace) -> int:
    """Assess a footprint file; write assessment.json into --out."""
    # start-up: the assessment and its services are read only by the commands that assess
    from api.service.assess import run_assessment
    from api.service.bootstrap import load_services  # start-up: as above

    source = footprint_source(args, _read_json)
    out = out_folder(args.out)
    print(f"reliefgis: 正在读取图层包 {_settings(args).data_dir} …", file=sys.stderr)
    services = load_services(_settings(args), with_store=False)
    print("reliefgis: 正在评估受灾人口、避难场所与响应级别 …", file=sys.stderr)
    body, _ = run_assessment(
        services,
        **source,
        hazard=args.hazard,
        plan=args.plan,
        figures=reported_figures(args),
        title=args.title,
    )
    written = write_outputs(services, body, args)
    verdict = body["response"]
    level = verdict["label"] or "未达到启动条件"
    population = body["population"]
    print(
        f"受灾 {population['affected']} 人，需转移安置 {population['displaced']} 人（估算）；"
        f"{verdict['plan_name']}：{level}",
    )
    names = "、".join(p.name for p in written)
    print(f"reliefgis: 已写入 {out}/{names}", file=sys.stderr)
    return 0


def cmd_import_osm(args: argparse.Namespace) -> int:
    """Write the pack's roads from an OpenStreetMap extract."""
    from api.service.views import parse_bbox  # start-up: shapely, only for this command
    from layers.osm import import_osm, write_roads  # start-up: osmium, only for this command

    pack = _settings(args).data_dir
    bbox = parse_bbox(args.bbox).bounds if args.bbox else None
    print(f"reliefgis: 正在读取 OSM 数据 {args.extract} …", file=sys.stderr)
    roads = import_osm(Path(args.extract), bbox=bbox)
    for note in roads.attrs.get("notes", []):
        print(f"reliefgis: {note}", file=sys.stderr)
    for reason, count in roads.attrs.get("dropped", {}).items():
        print(f"reliefgis: left out {count} {reason}", file=sys.stderr)
    target = write_roads(pack, roads)
    print(f"reliefgis: 已写入 {len(roads)} 条道路到 {target}（图层 roads）", file=sys.stderr)
    return 0


def cmd_travel(args: argparse.Namespace) -> int:
    """Travel times and distances between depots, shelters and points (api/cli_travel.py)."""
    footprint = _read_json(args.footprint, "footprint") if args.footprint else None
    return cli_travel.cmd_travel(args, _settings(args), footprint=footprint)


def cmd_layers(args: argparse.Namespace) -> int:
    """Validate a layer pack and list its layers."""
    from api.service.views import layer_infos  # start-up: the pack readers, only here
    from layers.pack import read_pack  # start-up: as above

    pack = read_pack(_settings(args).data_dir)
    for repair in pack.repairs:
        print(f"repaired: {repair}")
    for info in layer_infos(pack):
        crs = info.source_crs or "-"
        kind = info.geometry_type or "-"
        print(f"{info.name:<13} {info.kind:<6} {info.count:>9} {kind:<30} {crs}")
    print(cli_pack.network_line(cli_pack.pack_network(pack, _settings(args))))
    return 0


def _add_serve(sub: argparse._SubParsersAction[_Parser]) -> None:
    serve = sub.add_parser("serve", help="start the HTTP API and browser map")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes, each with its own pack and store connection (default 1)",
    )
    serve.add_argument(
        "--compute-processes",
        type=int,
        metavar="N",
        help="worker processes for assessments and printed maps, which are CPU-bound "
        "(default: RELIEF_COMPUTE_PROCESSES, else one per core up to "
        f"{DEFAULT_MAX_PROCESSES} with one server process, 0 with several; 0: threads of "
        "the server process)",
    )
    with_data(serve)
    with_font(serve)
    with_dask(serve)
    serve.set_defaults(run=cmd_serve)


def _add_level(sub: argparse._SubParsersAction[_Parser]) -> None:
    level = sub.add_parser("level", help="response level for reported figures")
    level.add_argument("--plan", required=True, help="plan id, e.g. yangquan-2026")
    level.add_argument("--hazard", choices=sorted(HAZARDS))
    level.add_argument("--county", help="county code, to grade drought persons as a share")
    figure_options(level)
    level.add_argument("--json", action="store_true", help="print the verdict as JSON")
    with_data(level)
    level.set_defaults(run=cmd_level)


def _add_assess(sub: argparse._SubParsersAction[_Parser]) -> None:
    assess = sub.add_parser("assess", help="assess an incident footprint or hazard raster")
    add_footprint_options(assess)
    assess.add_argument("--hazard", required=True, choices=sorted(HAZARDS))
    assess.add_argument("--plan", help="plan id (default: the layer pack's own plan)")
    assess.add_argument("--out", required=True, metavar="DIR", help="folder for the results")
    assess.add_argument("--title", help="incident name for the maps")
    output_options(assess)
    figure_options(assess)
    with_data(assess)
    with_font(assess)
    with_dask(assess)
    assess.set_defaults(run=cmd_assess)


def build_parser() -> argparse.ArgumentParser:
    """The ``reliefgis`` argument parser."""
    parser = _Parser(prog="reliefgis", description="自然灾害救助空间决策支持 reliefgis")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_serve(sub)

    plans = sub.add_parser("plans", help="list plan profiles")
    plans.add_argument("--json", action="store_true", help="print JSON")
    with_data(plans)
    plans.set_defaults(run=cmd_plans)

    _add_level(sub)
    _add_assess(sub)
    add_quake(
        sub,
        options=(figure_options, output_options, with_data, with_font),
        settings=_settings,
        figures=reported_figures,
    )

    osm = sub.add_parser("import-osm", help="write the pack's roads from an OSM extract")
    osm.add_argument("extract", metavar="EXTRACT.osm.pbf")
    osm.add_argument("--bbox", metavar="W,S,E,N", help="keep roads within these lon/lat bounds")
    osm.add_argument("--data", metavar="DIR", required=True, help="the layer pack to write")
    osm.set_defaults(run=cmd_import_osm)

    travel = sub.add_parser("travel", help="travel times and distances over open roads")
    cli_travel.add_options(travel)
    with_data(travel)
    travel.set_defaults(run=cmd_travel)

    cli_pack.add_pack(sub)
    sub.choices["pack"].set_defaults(run=lambda a: a.pack_run(a, _settings(a)))
    add_incident(sub, options=with_data, settings=_settings)

    layers = sub.add_parser("layers", help="validate a layer pack and list its layers")
    with_data(layers)
    layers.set_defaults(run=cmd_layers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``reliefgis`` console script."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except ReliefError as exc:
        print(f"reliefgis: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``reliefgis plans | head -1``): stop quietly. Python would
        # report the pipe again when flushing stdout at exit, so point stdout at nothing.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
