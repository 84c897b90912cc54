"""Options several ``reliefgis`` commands share: the pack, the font, the Dask scheduler."""

from __future__ import annotations

import argparse


def with_data(parser: argparse.ArgumentParser) -> None:
    """The options naming the layer pack and extra plan folders."""
    parser.add_argument("--data", metavar="DIR", help="layer pack folder (default: Yangquan demo)")
    parser.add_argument(
        "--plans",
        metavar="DIR",
        action="append",
        help="extra folder of plan profiles (repeatable)",
    )


def with_font(parser: argparse.ArgumentParser) -> None:
    """The option naming the printed map's Chinese font."""
    parser.add_argument(
        "--font",
        metavar="FILE_OR_NAME",
        help="Chinese TrueType font for the printed map: a .ttf/.ttc file or an installed "
        "face name such as SimHei (default: RELIEF_FONT, else found by searching)",
    )


def with_dask(parser: argparse.ArgumentParser) -> None:
    """The option naming a Dask scheduler for the exposure of large footprints."""
    parser.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="Dask scheduler (tcp://host:8786) counting the exposure of footprints whose "
        "population window exceeds RELIEF_DASK_MIN_CELLS cells (default: "
        "RELIEF_DASK_SCHEDULER; none: counted in this process); docs/scale.md",
    )
