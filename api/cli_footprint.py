"""``reliefgis assess`` footprint options: any footprint file, its CRS, or a hazard raster."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from geo.errors import InputError

#: Footprint files read through GDAL; any other file is read as GeoJSON.
OTHER_FORMATS = (".zip", ".kml", ".kmz", ".gpkg")


def add_footprint_options(parser: argparse.ArgumentParser) -> None:
    """The footprint argument (optional with --hazard-raster) and its options."""
    parser.add_argument(
        "footprint",
        nargs="?",
        metavar="FOOTPRINT",
        help="GeoJSON, zipped Shapefile (.zip), KML/KMZ or GeoPackage of the affected area",
    )
    parser.add_argument(
        "--hazard-raster",
        metavar="DEPTH.tif",
        help="GeoTIFF of flood depth (m) or seismic intensity instead of a footprint",
    )
    parser.add_argument(
        "--footprint-crs", help="CRS of a GeoJSON footprint's coordinates (e.g. EPSG:4547)"
    )
    parser.add_argument("--layer", help="GeoPackage layer holding the footprint")
    parser.add_argument("--class-field", help="column holding each feature's class or value")


def footprint_source(
    args: argparse.Namespace, read_json: Callable[[str, str], object]
) -> dict[str, Any]:
    """``run_assessment`` keywords for the footprint or raster the command line names.

    Raises
    ------
    InputError
        Neither or both of a footprint and ``--hazard-raster``.
    """
    if (args.footprint is None) == (args.hazard_raster is None):
        raise InputError("give a FOOTPRINT file or --hazard-raster DEPTH.tif (one of them)")
    if args.hazard_raster is not None:
        path = Path(args.hazard_raster)
        if not path.is_file():
            raise InputError(f"--hazard-raster {path}: no such file", field="hazard_raster")
        return {"hazard_raster": path}
    path = Path(args.footprint)
    if path.suffix.lower() not in OTHER_FORMATS:  # GeoJSON, whatever its name
        return {"footprint": read_json(args.footprint, "footprint"), "crs": args.footprint_crs}
    if not path.is_file():
        raise InputError(f"footprint {path}: no such file", field="footprint")
    from layers.footprint_files import (  # start-up: GDAL only for a command that reads files
        LOCAL_LIMITS,
        read_footprint_file,
    )

    footprint = read_footprint_file(
        path, name=path.name, layer=args.layer, class_field=args.class_field, limits=LOCAL_LIMITS
    )
    return {"footprint": footprint}
