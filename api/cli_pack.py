"""``reliefgis pack``: build a layer pack from a bureau's files, check one, write a template.

``api/cli.py`` registers the command; the work is `layers.pack_build`. Each sub-command
prints the validation report (Markdown) and exits 0 when the pack is usable, 2 when it is
refused; a source that cannot be read is one line on stderr.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from api.settings import Settings
from geo.errors import InputError
from layers.resources import data_dir

if TYPE_CHECKING:
    from geo.roads.components import Connectivity
    from layers.pack import LayerPack
    from layers.pack_build.build import BuildResult

#: Exit status when the pack built or checked is refused.
EXIT_REFUSED = 2
TEMPLATE = Path("sources") / "template.toml"


def _profiles(settings: Settings) -> dict[str, object]:
    from layers.profiles import read_setbacks, read_speeds  # start-up: pack commands only

    return {
        "speeds": read_speeds(settings.speeds),
        "setbacks": read_setbacks(settings.setbacks),
        "snap_max_m": settings.snap_max_m,
    }


def _finish(result: BuildResult, what: str) -> int:
    print(result.markdown)
    if result.written is not None:
        print(f"reliefgis: 已写入 {result.written}/validation.md", file=sys.stderr)
    if result.report.usable:
        return 0
    print(
        f"reliefgis: error: {what} refused ({len(result.report.errors)} errors, listed above)",
        file=sys.stderr,
    )
    return EXIT_REFUSED


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    """Build a pack from SOURCES.toml into --out."""
    from layers.pack_build.build import build_pack  # start-up: only pack commands read sources

    print(f"reliefgis: 正在按 {args.sources} 生成图层包 {args.out} …", file=sys.stderr)
    result = build_pack(
        Path(args.sources),
        Path(args.out),
        replace=args.replace,
        **_profiles(settings),  # type: ignore[arg-type]
    )
    return _finish(result, f"layer pack {args.out}")


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """Check an existing pack and write its report into it."""
    from layers.pack_build.build import check_folder  # start-up: as in cmd_build

    result = check_folder(Path(args.folder), **_profiles(settings))  # type: ignore[arg-type]
    return _finish(result, f"layer pack {args.folder}")


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    """Write the commented SOURCES.toml template."""
    target = Path(args.target)
    if target.exists() and not args.replace:
        raise InputError(f"{target}: already exists; choose another name or give --replace")
    shutil.copyfile(data_dir() / TEMPLATE, target)
    print(f"reliefgis: 已写入模板 {target}；编辑后运行 reliefgis pack build {target} --out DIR")
    return 0


Command = Callable[[argparse.Namespace, Settings], int]


def add_pack(pack: argparse.ArgumentParser) -> None:
    """Register ``pack build``, ``pack check`` and ``pack init`` (``args.pack_run``)."""
    actions = pack.add_subparsers(dest="pack_command", required=True, parser_class=type(pack))
    build = actions.add_parser("build", help="build a layer pack from SOURCES.toml")
    build.add_argument("sources", metavar="SOURCES.toml")
    build.add_argument("--out", required=True, metavar="DIR", help="the pack folder to write")
    build.add_argument("--replace", action="store_true", help="replace an existing pack")
    build.set_defaults(pack_run=cmd_build)
    check = actions.add_parser("check", help="validate a layer pack; report into it")
    check.add_argument("folder", metavar="DIR")
    check.set_defaults(pack_run=cmd_check)
    init = actions.add_parser("init", help="write a commented SOURCES.toml template")
    init.add_argument("target", nargs="?", default="SOURCES.toml", metavar="SOURCES.toml")
    init.add_argument("--replace", action="store_true", help="overwrite an existing file")
    init.set_defaults(pack_run=cmd_init)


def network_line(found: Connectivity) -> str:
    """The road network's connectivity in one line, as ``serve`` and ``layers`` print it."""
    cut = [
        f"{what} {', '.join(ids)}"
        for what, ids in (("避难场所", found.isolated_shelters), ("储备库", found.isolated_depots))
        if ids
    ]
    return f"路网连通分量 {found.components} 个（最大分量占节点 {found.largest_share:.1%}）；" + (
        f"孤立：{'；'.join(cut)}" if cut else "无孤立的避难场所或储备库"
    )


def pack_network(pack: LayerPack, settings: Settings) -> Connectivity:
    """The connectivity of a pack's roads, shelters and depots (``reliefgis layers``)."""
    # start-up: the road graph is built only by the commands that look at it
    from geo.roads.components import connectivity
    from geo.roads.network import build_network  # start-up: as above
    from layers.profiles import read_speeds  # start-up: as above

    network = build_network(
        pack.roads, speeds=read_speeds(settings.speeds), metric_crs=pack.metric_crs()
    )
    return connectivity(
        network, shelters=pack.shelters, depots=pack.depots, snap_max_m=settings.snap_max_m
    )
