"""Why a point is not on the roads, a depot sends nothing or a shelter is not reached: codes.

geo/ gives each reason as a code, with the distance it depends on as a separate number;
the words (the English the API shows and the Chinese people read) are chosen in
`web/labels.py` only, in one table keyed by these codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: No road within the snapping distance (``metres``) of the point.
NO_ROAD_NEAR: Final = "no_road_near"
#: Every road within the snapping distance (``metres``) of the point is closed.
ROADS_NEAR_CLOSED: Final = "roads_near_closed"
#: No path over open roads between the two points (a route asked for).
NO_PATH: Final = "no_path"
#: A point on the roads that no path over open roads joins to any of the other side.
NO_PATH_FROM_ANY_DEPOT: Final = "no_path_from_any_depot"
NO_PATH_FROM_ANY_SHELTER: Final = "no_path_from_any_shelter"
NO_PATH_FROM_ANY_ORIGIN: Final = "no_path_from_any_origin"
NO_PATH_FROM_ANY_DESTINATION: Final = "no_path_from_any_destination"
#: No depot outside the footprint holds any stock.
NO_DEPOT_CAN_SEND: Final = "no_depot_can_send"
#: The depot lies in the footprint.
DEPOT_IN_FOOTPRINT: Final = "depot_in_footprint"
#: The depot has no stock recorded.
NO_STOCK: Final = "no_stock"

#: The code for "no path from any <role>", by the role of the points on the other side.
NO_PATH_FROM_ANY: Final = {
    "depot": NO_PATH_FROM_ANY_DEPOT,
    "shelter": NO_PATH_FROM_ANY_SHELTER,
    "origin": NO_PATH_FROM_ANY_ORIGIN,
    "destination": NO_PATH_FROM_ANY_DESTINATION,
}
#: Every code, in the order the words table lists them.
CODES: Final = (
    NO_ROAD_NEAR,
    ROADS_NEAR_CLOSED,
    NO_PATH,
    NO_PATH_FROM_ANY_DEPOT,
    NO_PATH_FROM_ANY_SHELTER,
    NO_PATH_FROM_ANY_ORIGIN,
    NO_PATH_FROM_ANY_DESTINATION,
    NO_DEPOT_CAN_SEND,
    DEPOT_IN_FOOTPRINT,
    NO_STOCK,
)


@dataclass(frozen=True)
class Reason:
    """A reason code and, for the distance reasons, the distance in metres."""

    code: str
    metres: float | None = None
