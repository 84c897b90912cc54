"""What the maps say about the layer pack: its synthetic layers and its items' names."""

from __future__ import annotations

from layers.pack import LayerPack
from web.labels import VECTOR_LAYERS


def synthetic_layers(pack: LayerPack) -> list[str]:
    """The pack's layers whose stated source calls them synthetic (for the demo notice)."""
    found = [
        name
        for name in VECTOR_LAYERS
        if "source" in (frame := pack.vector(name)).columns
        and frame["source"].astype(str).str.contains("synthetic", case=False).any()
    ]
    tags = pack.population.tags
    if "synthetic" in f"{tags.get('source', '')} {tags.get('synthetic', '')}".casefold():
        found.append("population")
    return found


def item_names(pack: LayerPack) -> dict[str, str]:
    """Relief items of the pack's stock table: code → "帐篷（顶）".

    The name is the pack's ``item_name`` column where it has one, else the code.
    """
    stock = pack.depot_stock
    names: dict[str, str] = {}
    for row in stock.drop_duplicates("item").itertuples(index=False):
        text = getattr(row, "item_name", None)
        names[str(row.item)] = (
            f"{text if isinstance(text, str) and text else row.item}（{row.unit}）"
        )
    return names
