"""The pack's optional ``housing`` layer: houses by structure type, rooms and households.

Either located (points or polygons: each row's representative point says which county and
intensity degree it lies in) or per county (an attribute table with a ``county`` code per
row, spread over the county like its population). Required columns: ``structure`` (a type
or alias of the damage profile: 钢混 / 砖混 / 砖木 / 土木 / other), ``rooms`` and
``households`` (non-negative numbers). A bad layer is refused with one `LayerError`
naming the layer, the column and what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.errors import InputError, LayerError, Problems
from geo.hazards.house_damage import DamageProfile
from layers.pack import GEOPACKAGE
from layers.pack_checks import POLYGONAL, LayerSpec, _check_columns, _read_vector, _where

HOUSING = "housing"
COLUMNS = {"structure": "text", "rooms": "number", "households": "number"}
LOCATED = LayerSpec(HOUSING, POLYGONAL | {"Point", "MultiPoint"}, COLUMNS)
PER_COUNTY = LayerSpec(HOUSING, None, {"county": "text", **COLUMNS})


@dataclass(frozen=True)
class Housing:
    """The housing layer as read: located rows (EPSG:4326) or per-county rows."""

    frame: gpd.GeoDataFrame | pd.DataFrame
    located: bool
    source: str | None


def _check_structures(frame: pd.DataFrame, damage: DamageProfile, problems: Problems) -> None:
    if "structure" not in frame.columns:
        return
    unknown = []
    for name in sorted(set(frame["structure"].dropna().astype(str))):
        try:
            damage.structure(name)
        except InputError:
            unknown.append(name)
    if unknown:
        problems.add(
            _where(HOUSING, "structure"),
            f"types {unknown} are not in the damage profile ({', '.join(damage.structures)})",
        )


def read_housing(folder: Path, damage: DamageProfile) -> Housing | None:
    """Read and check the pack's ``housing`` layer; None when the pack has none.

    Raises
    ------
    LayerError
        A missing column, negative rooms or households, or a structure type the damage
        profile lacks; the message names the layer and the column.
    """
    gpkg = folder / GEOPACKAGE
    try:
        layers = {str(name): geometry for name, geometry in pyogrio.list_layers(gpkg)}
    except pyogrio.errors.DataSourceError as exc:
        raise LayerError(f"layer pack {folder}: {GEOPACKAGE} cannot be read ({exc})") from exc
    if HOUSING not in layers:
        return None
    located = layers[HOUSING] is not None
    problems = Problems(f"layer pack {folder} refused", error=LayerError, lead=" — ")
    frame, source = _read_vector(gpkg, LOCATED if located else PER_COUNTY, problems, [])
    if frame is not None:
        if located:  # a county column is optional here, but checked when present
            _check_columns(frame, LayerSpec(HOUSING, None, {}, {"county": "text?"}), problems)
        _check_structures(frame, damage, problems)
    problems.raise_if_any()
    assert frame is not None  # problems would have been raised
    return Housing(frame=frame, located=located, source=source)
