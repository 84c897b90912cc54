"""``pack build``: a layer pack written from a sources file, checked, then moved in place.

Everything is written into a temporary folder beside the target and checked there; only a
usable pack is moved to the target (a rename on the same file system), so that a failed
build leaves nothing half-written. The validation report goes into the pack as
``validation.md``.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import rasterio
from rasterio.crs import CRS as RasterCRS  # noqa: N811 - rasterio's own name for its CRS
from rasterio.errors import RasterioIOError

from geo.errors import LayerError
from geo.hazards.setbacks import Setbacks
from geo.roads.speeds import SpeedProfile
from layers.pack import GEOPACKAGE, POPULATION
from layers.pack_build.check import PackReport, check_pack
from layers.pack_build.columns import object_columns_as_text
from layers.pack_build.readers import read_source
from layers.pack_build.report import to_markdown
from layers.pack_build.sources import RasterSource, read_sources

REPORT = "validation.md"


@dataclass(frozen=True)
class BuildResult:
    """The report of the pack built, and where it is (None when refused and not written)."""

    report: PackReport
    markdown: str
    written: Path | None


def _write_population(source: RasterSource, target: Path) -> None:
    """The population raster as GeoTIFF, its CRS set from the sources file when it has none."""
    if not source.file.is_file():
        raise LayerError(f"{source.file.name} (population): file not found ({source.file})")
    try:
        with rasterio.open(source.file) as src:
            crs = RasterCRS.from_user_input(source.crs) if source.crs else src.crs
            if crs is None:
                raise LayerError(
                    f"{source.file.name} (population): the raster defines no CRS; give its "
                    'crs in [population], e.g. crs = "EPSG:4547"'
                )
            if src.driver == "GTiff" and not source.crs:
                shutil.copyfile(source.file, target)
                return
            profile = {**src.profile, "driver": "GTiff", "crs": crs}
            with rasterio.open(target, "w", **profile) as dst:
                dst.write(src.read())
    except RasterioIOError as exc:
        raise LayerError(f"{source.file.name} (population): cannot be read ({exc})") from exc


def _write_layer(frame: pd.DataFrame, gpkg: Path, name: str) -> None:
    frame = object_columns_as_text(frame)
    if isinstance(frame, gpd.GeoDataFrame):
        frame.to_file(gpkg, layer=name, engine="pyogrio")
    else:
        pyogrio.write_dataframe(pd.DataFrame(frame), gpkg, layer=name)


def _move_in_place(staged: Path, out: Path, *, replace: bool) -> None:
    """Move the staged pack to ``out``; an existing pack is replaced only when asked."""
    if out.exists() and not replace:
        raise LayerError(f"{out}: already exists; remove it or build with --replace")
    if not out.exists():
        staged.rename(out)
        return
    old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}-old-"))
    out.rename(old / out.name)
    staged.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def build_pack(
    sources_file: Path,
    out: Path,
    *,
    speeds: SpeedProfile,
    setbacks: Setbacks,
    snap_max_m: float,
    replace: bool = False,
) -> BuildResult:
    """Build the pack ``sources_file`` describes into ``out`` and report on it.

    Raises
    ------
    LayerError
        A source that cannot be read (naming file, layer, row and column), or ``out``
        already there without ``replace``. A pack that reads but fails its checks is not
        an error: it is not written, and the result's report says why.
    """
    sources = read_sources(sources_file)
    if out.exists() and not replace:
        raise LayerError(f"{out}: already exists; remove it or build with --replace")
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}-building-"))
    try:
        for source in sources.layers:
            _write_layer(read_source(source), staged / GEOPACKAGE, source.name)
        _write_population(sources.population, staged / POPULATION)
        report = check_pack(staged, speeds=speeds, setbacks=setbacks, snap_max_m=snap_max_m)
        report = _relocated(report, out)
        title = "图层包检查报告 Layer pack validation" + (
            f" — {sources.name}" if sources.name else ""
        )
        markdown = to_markdown(report, title=title)
        if not report.usable:
            return BuildResult(report, markdown, None)
        (staged / REPORT).write_text(markdown + "\n", encoding="utf-8")
        _move_in_place(staged, out, replace=replace)
        return BuildResult(report, markdown, out)
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def _relocated(report: PackReport, out: Path) -> PackReport:
    """The report naming the pack's final folder rather than the staging one."""
    staged = str(report.folder)

    def moved(text: str) -> str:
        return text.replace(staged, str(out))

    return PackReport(
        folder=out,
        layers=report.layers,
        errors=tuple(type(f)(f.layer, moved(f.text)) for f in report.errors),
        warnings=report.warnings,
        repairs=report.repairs,
        population_total=report.population_total,
        connectivity=report.connectivity,
    )


def check_folder(
    folder: Path, *, speeds: SpeedProfile, setbacks: Setbacks, snap_max_m: float
) -> BuildResult:
    """``pack check``: the report of an existing pack, written into it as ``validation.md``."""
    if not folder.is_dir():
        raise LayerError(f"{folder}: not a folder; expected a layer pack (layers.gpkg, …)")
    report = check_pack(folder, speeds=speeds, setbacks=setbacks, snap_max_m=snap_max_m)
    markdown = to_markdown(report)
    try:
        (folder / REPORT).write_text(markdown + "\n", encoding="utf-8")
    except OSError:
        return BuildResult(report, markdown, None)  # a read-only pack is still checked
    return BuildResult(report, markdown, folder)
