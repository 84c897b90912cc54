"""Where each intensity degree's numeral goes on a map: on the long axis, mid-ring.

Chinese intensity maps write each degree's Roman numeral inside its ring. The ring between
degree ``n``'s isoseismal and degree ``n+1``'s is widest on the long axis, so the numeral is
placed there, halfway between the two ellipses (the innermost degree halfway between the
epicentre and its ellipse), on the strike side. The screen map, the HTML map and the printed
map all take the points from here.
"""

from __future__ import annotations

import math

from geo._crs import LONLAT, transformer
from geo.hazards.intensity import IntensityField, local_crs


def label_points(field: IntensityField) -> list[tuple[float, float]]:
    """(lon, lat) of each degree's numeral, in the order of ``field.isoseismals``.

    Parameters
    ----------
    field
        The intensity field (lowest degree first).

    Returns
    -------
    list of (float, float)
        One point per isoseismal, inside that degree's ring on the long axis.
    """
    to_lonlat = transformer(local_crs(field.lon, field.lat), LONLAT)
    theta = math.radians(field.strike_deg)
    found = field.isoseismals
    points = []
    for index, iso in enumerate(found):
        inner = found[index + 1].semi_major_km if index + 1 < len(found) else 0.0
        metres = (iso.semi_major_km + inner) / 2.0 * 1000.0
        lon, lat = to_lonlat.transform(metres * math.sin(theta), metres * math.cos(theta))
        points.append((round(float(lon), 6), round(float(lat), 6)))
    return points
