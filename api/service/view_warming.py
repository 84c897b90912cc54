"""The map's view layers prepared ahead of the requests, the opening zoom before ready.

Left to the requests, the first view of a layer builds its spatial index and the first
view at each zoom simplifies what it shows: on a province pack that is seconds on the
first open and hundreds of milliseconds on the first pan after a zoom change. Instead
every geometry layer is indexed and written whole at each zoom the map asks for: the
zoom the pack opens at (fitted to a common screen) while the server starts
(`prepare_opening`, beside the compute processes starting: 0.45 s of CPU on the Jiangsu
pack the first time, 0.02 s after), then by a daemon thread every zoom
above it up to `DETAIL_ZOOM` and the one below it (a smaller screen's opening). The
thread works in small steps and only once no view has been answered for `QUIET_S` (a
map being panned asks every few hundred milliseconds), so a request never waits for
more than one step and a user moving the map has the process to themselves. What is
written is kept on disk beside the road graph (`layers.view_cache`, keyed by the pack's
bytes and the code) and answered from its bytes as read back: a later start reads them
in milliseconds. Without a cache folder the texts stay in memory, so only
`ZOOMS_ABOVE_FIT` zooms above the opening one are written. Views answer alike
prepared or not (`ViewLayers.prepare` writes what a view would). Properties are written
per column, once, when a view first asks for that column.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import threading
from pathlib import Path

import numpy as np
import shapely

from api.service import viewport
from api.service.bootstrap import Services
from api.service.viewport import DETAIL_ZOOM, MIN_VIEW_ZOOM, TILE_PIXELS, ViewLayers
from layers import view_cache
from web import map_classes

log = logging.getLogger(__name__)

#: The screen the zoom order starts from (the browser fits the pack to its map): 1366×768.
SCREEN_PIXELS = (1366, 768)
#: The warming thread's nice value: the scheduler serves the request threads first.
NICE = 10
#: Without a cache folder (texts held in memory), zooms prepared above the opening one
#: (a province at 7: up to 12, a town's streets).
ZOOMS_ABOVE_FIT = 5
#: Coordinates simplified per step (a few tens of milliseconds).
STEP_COORDINATES = 20_000
#: How often a step waiting for the views to go idle looks again (seconds).
IDLE_POLL_S = 0.05
#: How long no view must have been asked for before the next step (seconds).
QUIET_S = 0.5
#: The costliest layers first: their first views are the slow ones.
FIRST_LAYERS = ("roads", "counties")


def _mercator_y(lat: float) -> float:
    """Web Mercator y of a latitude, in turns of the world (0 at the equator)."""
    rad = math.radians(max(min(lat, 85.0511), -85.0511))
    return math.asinh(math.tan(rad)) / (2 * math.pi)


def fit_zoom(bounds: tuple[float, float, float, float]) -> int:
    """The highest whole zoom at which ``bounds`` (lon/lat) fit `SCREEN_PIXELS`."""
    west, south, east, north = bounds
    width = max(east - west, 1e-9) / 360.0
    height = max(_mercator_y(north) - _mercator_y(south), 1e-9)
    fits = min(SCREEN_PIXELS[0] / width, SCREEN_PIXELS[1] / height) / TILE_PIXELS
    return min(max(math.floor(math.log2(fits)), MIN_VIEW_ZOOM), DETAIL_ZOOM)


def zoom_order(first: int, *, on_disk: bool = True) -> list[int]:
    """Zooms to prepare: ``first``, those above it up to the detail zoom, the one below.

    Not ``on_disk`` (held in memory): ``first`` and `ZOOMS_ABOVE_FIT` above it only.
    """
    if not on_disk:
        return list(range(first, min(first + ZOOMS_ABOVE_FIT, DETAIL_ZOOM) + 1))
    below = [first - 1] if first > MIN_VIEW_ZOOM else []
    return [*range(first, DETAIL_ZOOM + 1), *below]


def steps(coordinates: np.ndarray, *, per_step: int = STEP_COORDINATES) -> list[np.ndarray]:
    """Positions 0…n-1 cut into runs of about ``per_step`` coordinates (one row at least)."""
    if not len(coordinates):
        return []
    ends = np.cumsum(coordinates) // per_step
    cuts = np.flatnonzero(np.diff(ends)) + 1
    return np.split(np.arange(len(coordinates)), cuts)


def _names(views: ViewLayers) -> list[str]:
    names = views.geometry_layers()
    names.sort(key=lambda n: FIRST_LAYERS.index(n) if n in FIRST_LAYERS else len(FIRST_LAYERS))
    return names


def cache_folder(services: Services) -> Path | None:
    """Where this pack's view texts are kept (beside the road graph), None without a cache."""
    cache_dir = services.settings.cache_dir
    if cache_dir is None:
        return None
    code = [Path(str(m.__file__)) for m in (viewport, map_classes)]
    key = view_cache.view_key(services.pack.path, version=services.version, code=code)
    return cache_dir / f"views-{key}"


def _idle(views: ViewLayers, stop: threading.Event) -> bool:
    """Wait until no view has been answered for `QUIET_S`; False when told to stop instead."""
    while not (views.idle(quiet_s=QUIET_S) or stop.is_set()):
        stop.wait(IDLE_POLL_S)
    return not stop.is_set()


def _prepare(views: ViewLayers, name: str, zoom: int, stop: threading.Event) -> bool:
    """Prepare one layer at one zoom in steps while the views are idle; False if stopped."""
    rows = views.drawn_rows(name, zoom)
    sizes = shapely.get_num_coordinates(views.geometries(name)[rows])
    for part in steps(sizes):
        if not _idle(views, stop):
            return False
        views.prepare(name, zoom, rows[part])
    return True


def _warm_zoom(
    views: ViewLayers, name: str, zoom: int, stop: threading.Event, folder: Path | None
) -> bool:
    """One layer at one zoom: read back from ``folder``, else written (and kept there)."""
    if views.is_kept(name, zoom):
        return True
    if not _idle(views, stop):
        return False
    kept = None if folder is None else view_cache.read_texts(folder, name, zoom)
    if kept is None:
        if not _prepare(views, name, zoom, stop):
            return False
        if folder is not None:
            view_cache.write_texts(folder, name, zoom, views.prepared(name, zoom))
            kept = view_cache.read_texts(folder, name, zoom)  # answered from disk from now
    if kept is not None:
        views.keep(name, zoom, kept)
    return True


def _warm_columns(views: ViewLayers, names: list[str], stop: threading.Event) -> bool:
    """Every property column of the layers written once, a column per step."""
    for name in names:
        for column in views.property_names(name):
            if not _idle(views, stop):
                return False
            views.column(name, column)
    return True


def warm_views(views: ViewLayers, stop: threading.Event, *, folder: Path | None) -> None:
    """Prepare the geometry layers at the zooms of `zoom_order`, from ``folder`` if kept.

    The opening zoom first, then the layers' property columns, then the zooms above.
    """
    names = _names(views)
    zooms = zoom_order(fit_zoom(views.pack.bounds), on_disk=folder is not None)
    for zoom in zooms:
        for name in names:
            if not _warm_zoom(views, name, zoom, stop, folder):
                return
        if zoom == zooms[0] and not _warm_columns(views, names, stop):
            return


def prepare_opening(services: Services) -> None:
    """Every geometry layer at the zoom the pack opens at, before the server is ready.

    Read back from the cache folder when kept there, else written (and kept); a failure
    is logged and leaves the views to the warming thread and the requests.
    """
    try:
        views = services.view_layers
        folder = cache_folder(services)
        zoom = fit_zoom(views.pack.bounds)
        for name in _names(views):
            _warm_zoom(views, name, zoom, threading.Event(), folder)
    except Exception:
        log.exception("preparing the map's opening view failed; it is written on request")


def _run(services: Services, stop: threading.Event) -> None:
    # Linux nices a thread by its id; elsewhere the thread keeps the process's priority.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    try:
        views = services.view_layers
        warm_views(views, stop, folder=cache_folder(services))
    except Exception:  # a failed warm-up leaves the views to be written on request
        log.exception("preparing the map's view layers failed; views are written on request")


def start_warming(services: Services) -> threading.Event:
    """Start preparing the map's views in a daemon thread; set the returned event to stop."""
    stop = threading.Event()
    args = (services, stop)
    threading.Thread(target=_run, args=args, name="view-warming", daemon=True).start()
    return stop
