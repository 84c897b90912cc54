"""The ``reliefgis`` command: serve, plans, level, assess, quake, travel, import-osm, layers.

Bad input exits non-zero with one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from api.cli_options import with_dask, with_data, with_font
from geo.errors import InputError, ReliefError

if TYPE_CHECKING:
    from api.settings import Settings
    from layers.plans import PlanCatalog

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def _settings(args: argparse.Namespace) -> Settings:
    from api.settings import Settings  # start-up: numpy (the geometry limits); not for --help

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
    from layers.plans import PlanCatalog  # start-up: only the commands that read plans
    from layers.resources import plans_dir  # start-up: as above

    return PlanCatalog([plans_dir(), *settings.plan_dirs])


def _serve_settings(args: argparse.Namespace) -> Settings:
    """The settings of ``serve`` (`api.cli_serve.serve_settings`)."""
    from api.cli_serve import serve_settings  # start-up: only for serve

    return serve_settings(args, _settings(args))


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
    from api.cli_figures import by_county, figures  # start-up: only the commands grading
    from api.service.levels import grade  # start-up: as above
    from web.verdict_text import verdict_text  # start-up: as above

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
    from api.cli_figures import reported_figures  # start-up: as above
    from api.cli_footprint import footprint_source  # start-up: as above
    from api.cli_outputs import (  # start-up: as above
        collected_after_start_up,
        out_folder,
        printer,
        write_outputs,
    )

    with collected_after_start_up() as started:
        from api.service.bootstrap import load_services  # start-up: as above

        source = footprint_source(args, _read_json)
        out = out_folder(args.out)
        print(f"reliefgis: 正在读取图层包 {_settings(args).data_dir} …", file=sys.stderr)
        services = load_services(_settings(args), with_store=False)
        print("reliefgis: 正在评估受灾人口、避难场所与响应级别 …", file=sys.stderr)
        started()
        with printer(services, args) as job:
            # imported after the fork: the copy imports matplotlib while this process does
            from api.service.assess import run_assessment  # start-up: after the fork

            body, _ = run_assessment(
                services,
                **source,
                hazard=args.hazard,
                plan=args.plan,
                figures=reported_figures(args),
                title=args.title,
            )
            written = write_outputs(services, body, args, job=job)
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
    from api import cli_travel  # start-up: only for travel

    footprint = _read_json(args.footprint, "footprint") if args.footprint else None
    return cli_travel.cmd_travel(args, _settings(args), footprint=footprint)


def cmd_layers(args: argparse.Namespace) -> int:
    """Validate a layer pack and list its layers."""
    from api import cli_pack  # start-up: only for serve and layers
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


def _add_serve(serve: argparse.ArgumentParser) -> None:
    from api.cli_serve import add_serve  # start-up: asyncio, psutil, only for serve

    add_serve(serve, settings=_settings)


def _add_plans(plans: argparse.ArgumentParser) -> None:
    plans.add_argument("--json", action="store_true", help="print JSON")
    with_data(plans)
    plans.set_defaults(run=cmd_plans)


def _add_level(level: argparse.ArgumentParser) -> None:
    from api.cli_figures import figure_options  # start-up: the plans' model, as grade needs
    from geo.plans.model import HAZARDS  # start-up: as above

    level.add_argument("--plan", required=True, help="plan id, e.g. yangquan-2026")
    level.add_argument("--hazard", choices=sorted(HAZARDS))
    level.add_argument("--county", help="county code, to grade drought persons as a share")
    figure_options(level)
    level.add_argument("--json", action="store_true", help="print the verdict as JSON")
    with_data(level)
    level.set_defaults(run=cmd_level)


def _add_assess(assess: argparse.ArgumentParser) -> None:
    from api.cli_figures import figure_options  # start-up: only the commands assessing
    from api.cli_footprint import add_footprint_options  # start-up: as above
    from api.cli_outputs import output_options  # start-up: as above
    from geo.plans.model import HAZARDS  # start-up: as above

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


def _add_quake(quake: argparse.ArgumentParser) -> None:
    from api.cli_figures import figure_options, reported_figures  # start-up: only for quake
    from api.cli_outputs import output_options  # start-up: as above
    from api.cli_quake import add_quake  # start-up: as above

    add_quake(
        quake,
        options=(figure_options, output_options, with_data, with_font),
        settings=_settings,
        figures=reported_figures,
    )


def _add_import_osm(osm: argparse.ArgumentParser) -> None:
    osm.add_argument("extract", metavar="EXTRACT.osm.pbf")
    osm.add_argument("--bbox", metavar="W,S,E,N", help="keep roads within these lon/lat bounds")
    osm.add_argument("--data", metavar="DIR", required=True, help="the layer pack to write")
    osm.set_defaults(run=cmd_import_osm)


def _add_travel(travel: argparse.ArgumentParser) -> None:
    from api import cli_travel  # start-up: only for travel

    cli_travel.add_options(travel)
    with_data(travel)
    travel.set_defaults(run=cmd_travel)


def _add_pack(pack: argparse.ArgumentParser) -> None:
    from api import cli_pack  # start-up: only for pack

    cli_pack.add_pack(pack)
    pack.set_defaults(run=lambda a: a.pack_run(a, _settings(a)))


def _add_incident(incident: argparse.ArgumentParser) -> None:
    from api.cli_incident import add_incident  # start-up: pydantic, only for incident

    add_incident(incident, options=with_data, settings=_settings)


def _add_layers(layers: argparse.ArgumentParser) -> None:
    with_data(layers)
    layers.set_defaults(run=cmd_layers)


#: The commands in the order ``--help`` lists them: the help line, and what adds the
#: options (which imports what they name: only the command run has its options built).
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "serve": ("start the HTTP API and browser map", _add_serve),
    "plans": ("list plan profiles", _add_plans),
    "level": ("response level for reported figures", _add_level),
    "assess": ("assess an incident footprint or hazard raster", _add_assess),
    "quake": ("assess an earthquake from magnitude and epicentre", _add_quake),
    "import-osm": ("write the pack's roads from an OSM extract", _add_import_osm),
    "travel": ("travel times and distances over open roads", _add_travel),
    "pack": ("build a layer pack from your own files, or check one", _add_pack),
    "incident": ("an incident: open, warning measures, decisions, its 台账", _add_incident),
    "layers": ("validate a layer pack and list its layers", _add_layers),
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``reliefgis`` argument parser; given ``argv``, with only its command's options.

    Every command is listed (``--help``); the options of the one ``argv`` names are the
    only ones built, so a quick command imports nothing another command needs.
    """
    parser = _Parser(prog="reliefgis", description="自然灾害救助空间决策支持 reliefgis")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    # The top level has no option taking a value: its first word is the command.
    named = next((word for word in argv or () if not word.startswith("-")), None)
    for name, (summary, add_options) in COMMANDS.items():
        command = sub.add_parser(name, help=summary)
        if argv is None or name == named:
            add_options(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``reliefgis`` console script (``argv`` None: the program's own)."""
    code = _run(sys.argv[1:] if argv is None else list(argv))
    if argv is None:
        # The process ends next. Python's last collection at exit would walk every object
        # the command made (about half a second after assess); frozen, it skips them.
        gc.freeze()
    return code


def _run(argv: list[str]) -> int:
    """Run the command ``argv`` names; bad input: one line on stderr and a non-zero code."""
    args = build_parser(argv).parse_args(argv)
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
