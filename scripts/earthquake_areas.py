"""Print the modelled area of each intensity degree against the published intensity maps.

Usage: python scripts/earthquake_areas.py   (from the repository root)

The field is drawn by geo.hazards.intensity with each relation named below, and each ring's
area is measured on the WGS84 ellipsoid. The output is the table in docs/earthquake.md.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pyproj import Geod

from geo.hazards.intensity import intensity_field, parse_attenuation, roman

DATA = Path(__file__).resolve().parent.parent / "data" / "earthquake"
RELATIONS = ("west", "gb18306_qingzang")
GEOD = Geod(ellps="WGS84")


def modelled_areas(profile, event, relation):
    field = intensity_field(
        profile,
        magnitude=event["magnitude"],
        lon=event["lon"],
        lat=event["lat"],
        strike=event["strike"],
        region=relation,
    )
    return {
        int(r.intensity): abs(GEOD.geometry_area_perimeter(r.geometry)[0]) / 1e6
        for r in field.rings.itertuples()
    }


def ratio(model, published):
    if not published:
        return "—"
    return f"{model / published:.2f}"


def main():
    with (DATA / "attenuation.toml").open("rb") as f:
        profile = parse_attenuation(tomllib.load(f))
    with (DATA / "historical.toml").open("rb") as f:
        events = tomllib.load(f)["events"]
    labels = {r: profile.relation(r).label for r in RELATIONS}
    print(
        "| earthquake | degree | published km² | "
        + " | ".join(f"{labels[r]} km² (ratio)" for r in RELATIONS)
        + " |"
    )
    print("|---|---|---:|" + "---:|" * len(RELATIONS))
    for event in events:
        published = {int(k): float(v) for k, v in event["areas"].items()}
        models = {r: modelled_areas(profile, event, r) for r in RELATIONS}
        degrees = sorted(set(published) | {d for m in models.values() for d in m}, reverse=True)
        for degree in degrees:
            cells = []
            for r in RELATIONS:
                m = models[r].get(degree, 0.0)
                cells.append(f"{m:,.0f} ({ratio(m, published.get(degree))})")
            shown = f"{published[degree]:,.0f}" if degree in published else "—"
            print(f"| {event['name']} | {roman(degree)} | {shown} | " + " | ".join(cells) + " |")
        cells = []
        for r in RELATIONS:
            total = sum(models[r].values())
            cells.append(f"{total:,.0f} ({ratio(total, event['total'])})")
        print(
            f"| {event['name']} | **Ⅵ and above** | {event['total']:,.0f} | "
            + " | ".join(cells)
            + " |"
        )


if __name__ == "__main__":
    main()
