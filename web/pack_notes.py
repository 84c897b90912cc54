"""What the maps say about the layer pack: its sources, its synthetic layers, its items."""

from __future__ import annotations

import pandas as pd

from layers.pack import LayerPack
from web.labels import VECTOR_LAYERS

#: Words in a stated source that mark a layer as synthetic (demo) data.
SYNTHETIC_MARKERS = ("synthetic", "合成")


def says_synthetic(text: str) -> bool:
    """True when a stated source calls the data synthetic."""
    folded = text.casefold()
    return any(marker in folded for marker in SYNTHETIC_MARKERS)


def distinct(frame: pd.DataFrame, column: str = "source") -> list[str]:
    """The distinct non-empty values of ``column`` (none when the column is missing)."""
    if column not in frame.columns:
        return []
    return list(dict.fromkeys(str(v) for v in frame[column].dropna() if str(v).strip()))


def grid_is_synthetic(pack: LayerPack) -> bool:
    """True when the population grid's tags call it synthetic."""
    tags = pack.population.tags
    return says_synthetic(f"{tags.get('source', '')} {tags.get('synthetic', '')}")


def synthetic_layers(pack: LayerPack) -> list[str]:
    """The pack's layers whose stated source calls them synthetic (for the demo notice)."""
    found = [
        name
        for name in VECTOR_LAYERS
        if any(says_synthetic(value) for value in distinct(pack.vector(name)))
    ]
    if grid_is_synthetic(pack):
        found.append("population")
    return found


def items(pack: LayerPack) -> dict[str, tuple[str, str]]:
    """Relief items of the pack's stock table: code → (name, unit).

    The name is the pack's ``item_name`` column where it has one, else the code.
    """
    found: dict[str, tuple[str, str]] = {}
    for row in pack.depot_stock.drop_duplicates("item").itertuples(index=False):
        text = getattr(row, "item_name", None)
        name = text if isinstance(text, str) and text else str(row.item)
        found[str(row.item)] = (name, str(row.unit))
    return found


def item_names(pack: LayerPack) -> dict[str, str]:
    """Relief items as shown on screen: code → "帐篷（顶）"."""
    return {code: f"{name}（{unit}）" for code, (name, unit) in items(pack).items()}
