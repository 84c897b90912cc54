"""A pan at a zoom the page never showed is answered from views prepared ahead, not written.

A server that prepared its map views (the opening zoom before it is ready, the others by
the warming thread, kept in its cache folder) is driven by Debian's Chromium: the app
opens, jumps to zooms it never asked for and pans there. Every layer answer of those
views must say, in its ``X-View-Written`` header, that no feature was simplified for it,
and the server must hold those zooms from its cache folder; a server that prepared
nothing says the opposite for a view of the same kind (the header can fail). The
warmed answers equal the cold ones, feature by feature, in tests/api/test_view_warming.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import serve
from localnet import is_local

from api.routes.layers import WRITTEN_HEADER
from api.service.bootstrap import Services
from api.service.view_warming import cache_folder, prepare_opening, warm_views

VIEW_LAYERS = {"counties", "hazard_zones", "roads", "depots", "shelters"}
SETTLED = "window.reliefgis.view.loader.settled().then(() => true)"
#: 城区 (阳泉): the zooms jumped to (the app opens the demo pack at 9) and the pans made.
PLACE = (37.86, 113.58)
FRESH_ZOOMS = (12, 14, 16)
PANS = ((400, 0), (0, 300))


@pytest.fixture(scope="module")
def prepared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Services]]:
    """The service with every map view prepared and kept in its cache folder, and its URL."""
    held: list[Services] = []

    def prepare(services: Services) -> None:
        prepare_opening(services)
        warm_views(services.view_layers, threading.Event(), folder=cache_folder(services))
        held.append(services)

    env = {"RELIEF_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    with serve(tmp_path_factory.mktemp("state"), env, before=prepare) as url:
        yield url, held[0]


@pytest.fixture(scope="module")
def bare_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service of its own, no view prepared (no other test has asked it for any)."""
    with serve(tmp_path_factory.mktemp("state")) as url:
        yield url


def _answers(page: Any) -> list[tuple[str, int, str | None]]:
    """(layer, zoom, written header) of every view answer the page has had so far."""
    return [
        (urlparse(url).path.rsplit("/", 1)[1], int(parse_qs(urlparse(url).query)["zoom"][0]), w)
        for url, w in page.view_answers
    ]


def _watch(page: Any) -> None:
    page.view_answers = []

    def seen(response: Any) -> None:
        if urlparse(response.url).path.startswith("/api/v1/layers/") and "zoom=" in response.url:
            page.view_answers.append((response.url, response.headers.get(WRITTEN_HEADER.lower())))

    page.on("response", seen)


def _visit(page: Any, url: str, zooms: tuple[int, ...]) -> list[tuple[str, int, str | None]]:
    """Open the app, jump to each of ``zooms`` and pan there; the view answers of the jumps."""
    _watch(page)
    page.goto(url + "/")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    opened = len(page.view_answers)
    for zoom in zooms:
        page.evaluate(
            f"void window.reliefgis.view.map.setView({list(PLACE)}, {zoom}, {{ animate: false }})"
        )
        page.evaluate(SETTLED)
        for dx, dy in PANS:
            page.evaluate(f"void window.reliefgis.view.map.panBy([{dx}, {dy}], {{animate: false}})")
            page.evaluate(SETTLED)
    return _answers(page)[opened:]


def test_a_pan_at_a_fresh_zoom_writes_no_view(page, prepared_server):
    url, services = prepared_server
    answers = _visit(page, url, FRESH_ZOOMS)
    for zoom in FRESH_ZOOMS:
        assert {name for name, z, _ in answers if z == zoom} == VIEW_LAYERS, zoom
    assert [(name, z, w) for name, z, w in answers if w != "0"] == []
    views = services.view_layers
    for name in VIEW_LAYERS:
        for zoom in FRESH_ZOOMS:
            assert views.is_kept(name, zoom), (name, zoom)  # from the cache folder
    assert page.errors == []
    assert [url for url in page.requests if not is_local(url)] == []


def test_a_server_that_prepared_nothing_writes_the_view_on_request(page, bare_server):
    answers = _visit(page, bare_server, (15,))
    roads = [int(w) for name, z, w in answers if name == "roads" and z == 15 and w is not None]
    assert roads
    assert roads[0] > 0  # the first view of roads at 15 there was simplified for it
    assert page.errors == []
