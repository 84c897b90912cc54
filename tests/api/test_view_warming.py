"""Map views prepared at server start answer exactly as views written on request.

The reference is the demo pack's ``layers.gpkg`` read by geopandas (pyogrio/GDAL), the
features meeting a box selected by shapely, each simplified by shapely here with the
tolerance the view promises (a Web Mercator pixel at the zoom, at the layer's pole-most
latitude) and rounded to a tenth of it: views of a warmed service, of a cold one and of
one whose warm-up was read back from disk must all equal it.
"""

from __future__ import annotations

import json
import math
import threading
import time

import geopandas as gpd
import numpy as np
import pytest
import shapely
from fastapi.testclient import TestClient

from api.app import create_app
from api.service.bootstrap import load_services
from api.service.view_warming import QUIET_S, fit_zoom, warm_views, zoom_order
from api.service.viewport import ViewLayers
from api.settings import Settings
from layers.pack import read_pack
from layers.resources import demo_pack_dir

GPKG = demo_pack_dir() / "layers.gpkg"
#: (layer, zoom, lon/lat box) views compared; zoom 12 is above the warmed ones for roads.
VIEWS = [
    ("counties", 9, (113.3, 37.6, 113.9, 38.1)),
    ("counties", 11, (113.5, 37.8, 113.7, 37.95)),
    ("roads", 11, (113.5, 37.8, 113.7, 37.95)),
    ("roads", 13, (113.55, 37.84, 113.6, 37.88)),
    ("hazard_zones", 10, (113.3, 37.6, 113.9, 38.1)),
    ("water", 10, (113.3, 37.6, 113.9, 38.1)),
    ("shelters", 12, (113.3, 37.6, 113.9, 38.1)),
]


@pytest.fixture(scope="module")
def pack():
    return read_pack(demo_pack_dir())


@pytest.fixture(scope="module")
def warmed(pack, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cache") / "views"
    views = ViewLayers(pack)
    warm_views(views, threading.Event(), folder=folder)
    return views, folder


def expected_view(name: str, zoom: int, box: tuple[float, ...]) -> list[tuple[int, dict, dict]]:
    """(row, properties, geometry) of the features a view should hold, by shapely alone."""
    frame = gpd.read_file(GPKG, layer=name).to_crs(4326)
    max_lat = max(abs(frame.total_bounds[1]), abs(frame.total_bounds[3]))
    pixel = 360 / (256 * 2 ** min(zoom, 16)) * math.cos(math.radians(max_lat))
    digits = min(max(math.ceil(-math.log10(pixel / 10)), 3), 6)
    hits = np.flatnonzero(frame.intersects(shapely.box(*box)).to_numpy())
    out = []
    for row in hits:
        geometry = shapely.simplify(frame.geometry.iloc[row], pixel, preserve_topology=True)
        geometry = shapely.transform(geometry, lambda xy, d=digits: np.round(xy, d))
        props = json.loads(frame.drop(columns="geometry").iloc[[row]].to_json(orient="records"))
        out.append((int(row), props[0], json.loads(shapely.to_geojson(geometry))))
    return out


def answer(views: ViewLayers, name: str, zoom: int, box: tuple[float, ...]) -> list[tuple]:
    text = views.geojson(name, zoom=zoom, box=shapely.box(*box))
    return [(f["id"], f["properties"], f["geometry"]) for f in json.loads(text)["features"]]


@pytest.mark.parametrize(("name", "zoom", "box"), VIEWS)
def test_warm_cold_and_cached_views_equal_shapely_reference(pack, warmed, name, zoom, box):
    views, folder = warmed
    reread = ViewLayers(pack)
    warm_views(reread, threading.Event(), folder=folder)  # read back from disk
    want = expected_view(name, zoom, box)
    cold = answer(ViewLayers(pack), name, zoom, box)
    assert answer(views, name, zoom, box) == cold
    assert answer(reread, name, zoom, box) == cold
    got = {row: (props, geometry) for row, props, geometry in cold}
    # Road classes drawn only from a higher zoom are left out (tested in test_viewport);
    # from zoom 12 every class is drawn.
    if name != "roads" or zoom >= 12:
        assert set(got) == {row for row, _, _ in want}
    assert got
    assert set(got) <= {row for row, _, _ in want}
    for row, props, geometry in want:
        if row in got:
            assert got[row][0] == props
            assert got[row][1] == geometry


def test_the_warmed_zooms_hold_every_feature_drawn_there(pack, warmed):
    views, folder = warmed
    zooms = zoom_order(fit_zoom(pack.bounds))
    assert len(zooms) > 1
    for name in views.geometry_layers():
        frame = gpd.read_file(GPKG, layer=name)
        for zoom in zooms:
            prepared = views.prepared(name, zoom)
            assert prepared, (name, zoom)
            assert len(prepared) <= len(frame)
            assert (folder / f"{name}-z{zoom}.txt").is_file()
    # Every road and county at the highest warmed zoom (all classes are drawn by then).
    assert len(views.prepared("counties", zooms[-1])) == len(gpd.read_file(GPKG, layer="counties"))


def test_a_damaged_cache_is_written_again(pack, tmp_path):
    folder = tmp_path / "views"
    first = ViewLayers(pack)
    warm_views(first, threading.Event(), folder=folder)
    zoom = zoom_order(fit_zoom(pack.bounds))[0]
    blob = folder / f"counties-z{zoom}.txt"
    blob.write_bytes(blob.read_bytes()[:-10])
    again = ViewLayers(pack)
    warm_views(again, threading.Event(), folder=folder)
    assert again.prepared("counties", zoom) == first.prepared("counties", zoom)
    assert blob.stat().st_size == sum(
        len(t.encode()) for t in first.prepared("counties", zoom).values()
    )


def test_fit_zoom_is_the_zoom_a_screen_shows_the_bounds_whole():
    # The world (±85°) is 1 Mercator turn tall: 768 px fit it at zoom 1 (512 px), not 2.
    assert fit_zoom((-180, -85, 180, 85)) == 1
    # 0.5° of longitude on 1366 px: 1366 / 256 / (0.5 / 360) = 3842 tiles -> zoom 11.
    assert fit_zoom((113.0, 37.9, 113.5, 37.95)) == 11


def test_the_server_warms_its_views_when_it_starts(tmp_path):
    settings = Settings(
        data_dir=demo_pack_dir(), state_dir=tmp_path / "state", cache_dir=tmp_path / "cache"
    )
    services = load_services(settings)
    with TestClient(create_app(services=services)):
        zoom = zoom_order(fit_zoom(services.pack.bounds))[-1]
        deadline = time.monotonic() + 120
        while not services.view_layers.prepared("counties", zoom):
            assert time.monotonic() < deadline, "the views were not warmed within 2 minutes"
            time.sleep(0.2)
    assert list(tmp_path.joinpath("cache").glob("views-*/counties-z*.txt"))


def test_warming_waits_for_a_quiet_map(pack):
    # A step starts only once no view has been answered for QUIET_S: a map being panned
    # keeps the process for its views.
    views = ViewLayers(pack)
    assert views.idle(quiet_s=QUIET_S)  # nothing asked yet
    views.geojson("depots", zoom=12, box=shapely.box(113.3, 37.6, 113.9, 38.1))
    assert views.idle()  # none being answered now...
    assert not views.idle(quiet_s=60)  # ...but one was, within the last minute
