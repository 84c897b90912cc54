"""Checks every analysis makes of its input layers before using them."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np

from geo.errors import InputError


def require_frame(frame: object, name: str, columns: Sequence[str]) -> gpd.GeoDataFrame:
    """Refuse a layer that is not a GeoDataFrame with a CRS and the columns needed."""
    if not isinstance(frame, gpd.GeoDataFrame):
        raise InputError(f"{name}: expected a GeoDataFrame", field=name)
    if frame.crs is None:
        raise InputError(f"{name}: no CRS is defined", field=name)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{name}: missing columns {missing}", field=name)
    empty = frame.geometry.isna() | frame.geometry.is_empty
    if empty.any():
        rows = np.flatnonzero(empty).tolist()[:5]
        raise InputError(f"{name}: rows {rows} have no geometry", field=name)
    return frame
