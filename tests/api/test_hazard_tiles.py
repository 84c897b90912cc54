"""An uploaded depth raster as XYZ tiles, against an independent rasterio reprojection.

The reference warps the GeoTIFF into the tile's Web Mercator bounds with
`rasterio.warp.reproject` (nearest) and classes each pixel by the test's own bands
(``low < depth <= high``, InaSAFE's rule, as tests/flood_files.py writes them); the tile's
PNG, decoded by Pillow, must show each class in its footprint colour and nothing where the
depth is below every class or missing.
"""

from __future__ import annotations

import io

import morecantile
import numpy as np
import pytest
import rasterio
from fastapi.testclient import TestClient
from flood_files import BANDS, write_files
from PIL import Image
from rasterio.enums import Resampling
from rasterio.warp import reproject

from api.app import create_app
from api.settings import Settings
from web.footprint_style import class_colours
from web.labels import FOOTPRINT_ALPHA

TMS = morecantile.tms.get("WebMercatorQuad")
#: The footprint's fill opacity on screen and paper (the label table), as a PNG's alpha:
#: a hazard raster is drawn as its footprint is, one symbology.
FOOTPRINT_ALPHA_BYTE = round(FOOTPRINT_ALPHA * 255)


@pytest.fixture
def client(tiny_pack, tmp_path):
    settings = Settings(
        data_dir=tiny_pack, state_dir=tmp_path / "state", default_plan="yangquan-2026"
    )
    return TestClient(create_app(settings))


def reference_classes(path, tile) -> np.ndarray:
    """Band index per pixel (-1: transparent), from rasterio alone."""
    out = np.full((256, 256), np.nan, dtype="float64")
    with rasterio.open(path) as src:
        reproject(
            source=rasterio.band(src, 1),
            destination=out,
            dst_transform=rasterio.transform.from_bounds(*TMS.xy_bounds(tile), 256, 256),
            dst_crs="EPSG:3857",
            src_nodata=src.nodata,
            dst_nodata=np.nan,
            resampling=Resampling.nearest,
        )
    classes = np.full(out.shape, -1)
    for i, (low, high) in enumerate(BANDS.values()):
        classes[(out > low) & (out <= high)] = i
    return classes


def tile_classes(png: bytes) -> np.ndarray:
    rgba = np.array(Image.open(io.BytesIO(png)).convert("RGBA"))
    classes = np.full(rgba.shape[:2], -2)
    classes[rgba[..., 3] == 0] = -1
    colours = class_colours(list(BANDS))
    for i, name in enumerate(BANDS):
        rgb = [int(colours[name][k : k + 2], 16) for k in (1, 3, 5)]
        hit = (rgba[..., :3] == rgb).all(axis=-1) & (rgba[..., 3] == FOOTPRINT_ALPHA_BYTE)
        classes[hit] = i
    return classes


def test_depth_tiles_show_the_classes_a_rasterio_reprojection_gives(client, tmp_path):
    path = write_files(tmp_path)["tif"]
    with path.open("rb") as handle:
        kept = client.post(
            "/api/v1/footprints", files={"file": (path.name, handle)}, data={"hazard": "flood"}
        )
    assert kept.status_code == 201, kept.text
    raster = kept.json()["hazard_raster"]
    with rasterio.open(path) as src:
        west, south, east, north = src.bounds
    tile = TMS.tile((west + east) / 2, (south + north) / 2, 13)
    answer = client.get(f"/api/v1/tiles/hazard/{raster}/13/{tile.x}/{tile.y}.png?hazard=flood")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "image/png"
    got, want = tile_classes(answer.content), reference_classes(path, tile)
    assert (got != -2).all()  # every pixel is a class colour or transparent
    assert {0, 1, 2, -1} <= set(np.unique(want).tolist())  # the tile shows every case
    assert (got == want).mean() > 0.99
    alpha = np.array(Image.open(io.BytesIO(answer.content)).convert("RGBA"))[..., 3]
    assert set(np.unique(alpha).tolist()) == {0, FOOTPRINT_ALPHA_BYTE}  # 140, as drawn


def test_hazard_tiles_refuse_what_cannot_be_drawn(client, tmp_path):
    path = write_files(tmp_path)["tif"]
    with path.open("rb") as handle:
        raster = client.post(
            "/api/v1/footprints", files={"file": (path.name, handle)}, data={"hazard": "flood"}
        ).json()["hazard_raster"]
    no_bounds = client.get(f"/api/v1/tiles/hazard/{raster}/15/0/0.png?hazard=landslide")
    assert no_bounds.status_code in (400, 422)
    assert no_bounds.json()["field"] == "hazard"
    unknown = client.get(f"/api/v1/tiles/hazard/{'0' * 32}/15/0/0.png?hazard=flood")
    assert unknown.json()["field"] == "hazard_raster"
    far = client.get(f"/api/v1/tiles/hazard/{raster}/15/0/0.png?hazard=flood")
    assert far.status_code == 404
