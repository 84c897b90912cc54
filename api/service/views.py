"""Serialisers from geo/ and layers/ objects to the API's JSON shapes."""

from __future__ import annotations

import json
import math
from dataclasses import asdict

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from api.schemas.common import (
    DecisionOut,
    LayerInfo,
    PlanDetail,
    PlanSummary,
    ThresholdOut,
    WorkGroupOut,
)
from geo.errors import InputError
from layers.pack import LayerPack
from layers.plans import PlanFile

MAX_LON, MAX_LAT = 180.0, 90.0


def plan_summary(entry: PlanFile) -> PlanSummary:
    """The list entry of a plan profile."""
    plan = entry.plan
    return PlanSummary(
        id=plan.id,
        name=plan.name,
        issued=plan.issued,
        document=plan.document,
        jurisdiction=plan.jurisdiction,
        jurisdiction_code=plan.jurisdiction_code,
        short=plan.short,
        indicators=list(plan.indicators()),
        sha256=entry.sha256,
    )


def plan_detail(entry: PlanFile) -> PlanDetail:
    """A plan profile in full."""
    plan = entry.plan
    return PlanDetail(
        **plan_summary(entry).model_dump(),
        bounds_rule=f"{plan.cite(plan.bounds_rule.clause)}：{plan.bounds_rule.text}",
        adjustment=(
            f"{plan.cite(plan.adjustment.clause)}：{plan.adjustment.text}"
            if plan.adjustment
            else None
        ),
        thresholds=[
            ThresholdOut(
                **{
                    **asdict(t),
                    "min": float(t.min),
                    "max": None if t.max is None else float(t.max),
                    "clause": plan.cite(t.clause),
                    "hazards": sorted(t.hazards),
                    "except_hazards": sorted(t.except_hazards),
                }
            )
            for t in plan.thresholds
        ],
        levels=[DecisionOut.model_validate(asdict(spec)) for spec in plan.levels],
        work_groups=[WorkGroupOut.model_validate(asdict(g)) for g in plan.work_groups],
        notes=list(plan.notes),
    )


def layer_infos(pack: LayerPack) -> list[LayerInfo]:
    """Describe every layer of the pack, the population raster last."""
    infos = []
    names = ("counties", "shelters", "depots", "depot_stock", "hazard_zones", "roads")
    for name in (*names, *pack.context):
        frame = pack.vector(name)
        if isinstance(frame, gpd.GeoDataFrame):
            infos.append(
                LayerInfo(
                    name=name,
                    kind="vector",
                    count=len(frame),
                    geometry_type=", ".join(sorted(set(frame.geom_type.dropna()))),
                    source_crs=pack.source_crs.get(name),
                    bounds=[float(v) for v in frame.total_bounds],
                    columns=[c for c in frame.columns if c != frame.geometry.name],
                )
            )
        else:
            infos.append(
                LayerInfo(
                    name=name,
                    kind="table",
                    count=len(frame),
                    geometry_type=None,
                    source_crs=None,
                    bounds=None,
                    columns=list(frame.columns),
                )
            )
    grid = pack.population
    infos.append(
        LayerInfo(
            name="population",
            kind="raster",
            count=grid.width * grid.height,
            geometry_type=None,
            source_crs=grid.crs.to_string(),
            bounds=list(grid.bounds_wgs84),
            columns=[],
            total=grid.total,
        )
    )
    return infos


def parse_bbox(text: str) -> BaseGeometry:
    """``minx,miny,maxx,maxy`` in lon/lat as a box, or an `InputError` naming ``bbox``."""
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InputError(
            f"bbox: expected four numbers minx,miny,maxx,maxy, got {text!r}", field="bbox"
        )
    minx, miny, maxx, maxy = values
    if minx >= maxx or miny >= maxy:
        raise InputError(f"bbox: expected minx < maxx and miny < maxy, got {text!r}", field="bbox")
    if max(abs(minx), abs(maxx)) > MAX_LON or max(abs(miny), abs(maxy)) > MAX_LAT:
        raise InputError(
            f"bbox: expected longitude within ±180 and latitude within ±90, got {text!r}",
            field="bbox",
        )
    return shapely.box(minx, miny, maxx, maxy)


def layer_geojson(pack: LayerPack, name: str, box: BaseGeometry | None) -> str:
    """A layer as GeoJSON text (EPSG:4326); a table's rows have null geometry."""
    if name == "population":
        raise InputError(
            "population is a raster layer; its description is in GET /api/v1/layers",
            field="name",
        )
    frame = pack.vector(name)
    if not isinstance(frame, gpd.GeoDataFrame):
        features = [
            {"type": "Feature", "geometry": None, "properties": row}
            for row in json.loads(frame.to_json(orient="records", force_ascii=False))
        ]
        return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    if box is not None:
        frame = frame.iloc[np.sort(frame.sindex.query(box, predicate="intersects"))]
    text: str = frame.to_json(na="null", show_bbox=False, drop_id=True, ensure_ascii=False)
    return text
