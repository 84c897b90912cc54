"""An independent per-cell reference for exposure: shapely cell by cell, no exactextract.

Footprints and counties are taken as drawn: edges straight in lon/lat. Each cell of the
population window is a box straight in the raster's CRS; its outline, densified, goes to
lon/lat, where it is cut by the footprint and by each county. The cut, densified again,
comes back to the raster's CRS to be measured: share = its area / the cell's area.
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Transformer

#: Cell outlines and cut pieces are densified to this before changing CRS.
CELL_STEPS = 16
PIECE_STEP_DEG = 1e-5


def _to(transformer: Transformer, geoms: np.ndarray) -> np.ndarray:
    def move(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, move)


def persons_by_county(footprint, counties, window) -> dict[str, float]:
    """Persons inside the footprint per county code (cell value × covered share).

    ``footprint`` is one lon/lat geometry; ``counties`` a lon/lat frame with ``code``.
    """
    t = window.transform
    cols = window.array.shape[1]
    to_lonlat = Transformer.from_crs(window.crs, "EPSG:4326", always_xy=True)
    back = Transformer.from_crs("EPSG:4326", window.crs, always_xy=True)
    r, c = np.divmod(np.flatnonzero(window.array.ravel() > 0), cols)
    boxes = shapely.box(t.c + c * t.a, t.f + (r + 1) * t.e, t.c + (c + 1) * t.a, t.f + r * t.e)
    cells_ll = _to(to_lonlat, shapely.segmentize(boxes, t.a / CELL_STEPS))
    near = shapely.intersects(cells_ll, footprint)
    cells_ll, boxes, r, c = cells_ll[near], boxes[near], r[near], c[near]
    values = window.array[r, c]
    out = {}
    for code, county in zip(counties["code"], counties.geometry, strict=True):
        zone = shapely.intersection(footprint, county)
        if zone.is_empty:
            continue
        pieces = shapely.intersection(cells_ll, zone)
        area = shapely.area(_to(back, shapely.segmentize(pieces, PIECE_STEP_DEG)))
        out[str(code)] = float((values * area / shapely.area(boxes)).sum())
    return out
