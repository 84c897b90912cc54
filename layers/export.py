"""Write an assessment as a GeoPackage an analyst opens in QGIS.

Layers: ``footprint`` (dissolved by hazard class), ``shelters`` (status, assigned,
capacity, conflicts as text), ``routes`` (items as ``item_<code>`` columns),
``counties`` (affected and displaced joined to the county polygons), ``depots`` (what
each sent), the one-row table ``assessment`` and a ``readme`` table describing every
layer and field in Chinese. GeoPackage columns carry no aliases, so field names are
plain English and the Chinese descriptions sit in ``readme`` and in each layer's
``gpkg_contents.description``. Everything is EPSG:4326.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError
from shapely.geometry import Point, shape

from geo._crs import LONLAT
from geo.errors import ExportError

CRS = LONLAT

#: Chinese name tables the caller may pass (``web.served_labels.export_names``): kind → code → name.
Names = Mapping[str, Mapping[str, str]]

LAYER_DESCRIPTIONS: dict[str, str] = {
    "footprint": "灾害范围，按灾害分级（如淹没水深、地震烈度）合并；重叠部分按最严重的分级计",
    "shelters": "避难场所评估结果：状态、安置人数、容量及与隐患区的冲突",
    "routes": "物资调运路线（储备库至避难场所），每种物资一列，单位见 readme",
    "counties": "各区县受灾人口与需转移安置人口（估算值）",
    "depots": "物资储备库及本次调出物资",
    "assessment": "评估摘要：预案、灾种、响应级别与总人数",
    "readme": "本文件各图层与字段的中文说明",
}

FIELD_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "footprint": {
        "hazard": "灾种代码",
        "hazard_zh": "灾种",
        "hazard_class": "灾害分级（properties.class），如淹没水深 0.7-1.5m、地震烈度 VIII",
        "severity_rank": "严重程度排序，1 为最严重",
    },
    "shelters": {
        "shelter_id": "避难场所编号",
        "name": "名称",
        "kind": "类型代码（emergency 紧急、short_term 短期、long_term 长期等）",
        "kind_zh": "类型",
        "capacity": "容量（人）",
        "status": "状态代码：usable 可用，in_footprint 位于灾害范围内，hazard_conflict 临近隐患区",
        "status_zh": "状态",
        "assigned": "安置人数（估算，不超过容量）",
        "conflict_count": "冲突隐患区个数",
        "conflicts": "冲突隐患区：编号、类型、风险、距离（米）及退让距离（米）",
        "unreachable": "1 表示没有储备库能经未中断道路到达（仅在计算物资调运时有值）",
    },
    "routes": {
        "depot_id": "储备库编号",
        "shelter_id": "避难场所编号",
        "distance_m": "路程（米）",
        "duration_s": "行驶时间（秒）",
        "item_*": "运送该物资的数量，单位同 depot_stock 表（如帐篷：顶）",
    },
    "counties": {
        "code": "行政区划代码（GB/T 2260）",
        "name": "区县名称",
        "population": "常住人口",
        "affected": "受灾人口（估算）",
        "displaced": "需转移安置人口（估算）",
        "unplaced": "未能安置到避难场所的人数",
    },
    "depots": {
        "depot_id": "储备库编号",
        "name": "名称",
        "level": "级别代码：city 市级，county 县级，township 乡镇级",
        "status": "调运状态代码：sending 调出，in_footprint 位于灾害范围内，no_stock 无库存，"
        "cut_off 道路中断（仅在计算物资调运时有值）",
        "status_zh": "调运状态",
        "reason": "未调出的原因（英文，来自分析程序）",
        "sent_*": "本次调出该物资的数量",
    },
    "assessment": {
        "assessment_id": "评估编号",
        "plan": "预案编号",
        "hazard": "灾种代码",
        "hazard_zh": "灾种",
        "created": "评估时间（UTC，ISO 8601）",
        "title": "灾害名称",
        "level": "响应级别，1 为最高；空值表示未达到启动条件",
        "level_label": "响应级别（一级至四级）",
        "affected": "受灾人口（估算）",
        "displaced": "需转移安置人口（估算）",
        "unplaced": "未能安置人数",
        "shortfall": "物资缺口（物资代码 数量）",
        "notes": "注意事项",
    },
    "readme": {
        "layer": "图层名",
        "field": "字段名（空：图层本身）",
        "description": "中文说明",
    },
}

_COLUMN = re.compile(r"[^0-9a-z_]+")


def _column(prefix: str, code: str) -> str:
    return prefix + (_COLUMN.sub("_", code.casefold()).strip("_") or "item")


def _name(names: Names, table: str, code: object) -> str:
    text = str(code)
    return names.get(table, {}).get(text, text)


def _frame(rows: list[dict[str, Any]], geometries: list[Any], columns: Iterable[str]) -> Any:
    frame = pd.DataFrame(rows, columns=list(columns))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometries, crs=CRS), crs=CRS)


def footprint_layer(assessment: Mapping[str, Any], names: Names) -> Any:
    """The footprint pieces, one row per hazard class, most severe first."""
    hazard = str(assessment.get("hazard", ""))
    pieces = (assessment.get("footprint") or {}).get("pieces") or {"features": []}
    rows, geoms = [], []
    for rank, feature in enumerate(pieces.get("features", []), start=1):
        rows.append(
            {
                "hazard": hazard,
                "hazard_zh": _name(names, "hazard", hazard),
                "hazard_class": str((feature.get("properties") or {}).get("class", "")),
                "severity_rank": rank,
            }
        )
        geoms.append(shape(feature["geometry"]))
    return _frame(rows, geoms, FIELD_DESCRIPTIONS["footprint"])


def _conflict_text(conflict: Mapping[str, Any], names: Names) -> str:
    text = (
        f"{_name(names, 'zone_id', conflict.get('zone_id'))}"
        f" {_name(names, 'zone_kind', conflict.get('kind'))}"
        f" {_name(names, 'risk', conflict.get('risk', ''))}".rstrip()
        + f" 距离 {float(conflict.get('distance_m', 0)):.0f} m"
    )
    if conflict.get("setback_m") is not None:
        text += f"（退让 {float(conflict['setback_m']):.0f} m）"
    return text


def shelters_layer(assessment: Mapping[str, Any], names: Names) -> Any:
    """Every shelter with its status, assigned people and conflicts."""
    supply = assessment.get("supply")
    unreachable = set(supply.get("unreachable", [])) if supply else set()
    rows, geoms = [], []
    for s in assessment.get("shelters", []):
        conflicts = s.get("conflicts", [])
        rows.append(
            {
                "shelter_id": s["id"],
                "name": s.get("name"),
                "kind": s.get("kind"),
                "kind_zh": _name(names, "shelter_kind", s.get("kind")),
                "capacity": int(s.get("capacity", 0)),
                "status": s.get("status"),
                "status_zh": _name(names, "shelter_status", s.get("status")),
                "assigned": int(s.get("assigned", 0)),
                "conflict_count": len(conflicts),
                "conflicts": "；".join(_conflict_text(c, names) for c in conflicts),
                "unreachable": int(s["id"] in unreachable) if supply else None,
            }
        )
        geoms.append(Point(float(s["lon"]), float(s["lat"])))
    return _frame(rows, geoms, FIELD_DESCRIPTIONS["shelters"])


def routes_layer(assessment: Mapping[str, Any]) -> Any:
    """Supply routes with one ``item_<code>`` column per item (empty without supply)."""
    supply = assessment.get("supply") or {}
    features = (supply.get("routes") or {}).get("features", [])
    items = sorted({i for f in features for i in (f.get("properties") or {}).get("items", {})})
    base = ["depot_id", "shelter_id", "distance_m", "duration_s"]
    rows, geoms = [], []
    for feature in features:
        props = feature.get("properties") or {}
        row: dict[str, Any] = {key: props.get(key) for key in base}
        carried = props.get("items", {})
        row.update({_column("item_", i): float(carried.get(i, 0)) for i in items})
        rows.append(row)
        geoms.append(shape(feature["geometry"]))
    frame = _frame(rows, geoms, base + [_column("item_", i) for i in items])
    return frame.astype({"distance_m": "float64", "duration_s": "float64"})


def counties_layer(assessment: Mapping[str, Any], counties: Any) -> Any:
    """County polygons with the assessment's affected and displaced people joined on code."""
    by_code = {str(r["code"]): r for r in assessment.get("population", {}).get("by_county", [])}
    rows = []
    for code, name, population in zip(
        counties["code"], counties["name"], counties["population"], strict=True
    ):
        row = by_code.get(str(code), {})
        rows.append(
            {
                "code": str(code),
                "name": str(name),
                "population": int(population),
                "affected": int(row.get("affected", 0)),
                "displaced": int(row.get("displaced", 0)),
                "unplaced": int(row.get("unplaced", 0)),
            }
        )
    return _frame(rows, list(counties.geometry.to_crs(CRS)), FIELD_DESCRIPTIONS["counties"])


def depots_layer(assessment: Mapping[str, Any], depots: Any, names: Names) -> Any:
    """Depots with what each sent (``sent_<code>`` columns) when supply was computed."""
    supply = assessment.get("supply") or {}
    by_id = {str(d.get("id")): d for d in supply.get("depots", [])}
    items = sorted({i for d in by_id.values() for i in d.get("sent", {})})
    columns = ["depot_id", "name", "level", "status", "status_zh", "reason"]
    columns += [_column("sent_", i) for i in items]
    rows = []
    for depot_id, name, level in zip(depots["id"], depots["name"], depots["level"], strict=True):
        found = by_id.get(str(depot_id))
        row: dict[str, Any] = {
            "depot_id": str(depot_id),
            "name": str(name),
            "level": str(level),
            "status": None if found is None else str(found.get("status", "")),
            "status_zh": None if found is None else _name(names, "depot_status", found["status"]),
            "reason": None if found is None else found.get("reason"),
        }
        sent = (found or {}).get("sent", {})
        row.update({_column("sent_", i): float(sent.get(i, 0)) for i in items})
        rows.append(row)
    return _frame(rows, list(depots.geometry.to_crs(CRS)), columns)


def summary_table(assessment: Mapping[str, Any], names: Names) -> pd.DataFrame:
    """One row: plan, hazard, level and totals."""
    response = assessment.get("response") or {}
    population = assessment.get("population") or {}
    supply = assessment.get("supply") or {}
    shortfall = supply.get("shortfall") or {}
    hazard = assessment.get("hazard")
    row = {
        "assessment_id": assessment.get("id"),
        "plan": assessment.get("plan"),
        "hazard": hazard,
        "hazard_zh": _name(names, "hazard", hazard),
        "created": assessment.get("created"),
        "title": assessment.get("title"),
        "level": response.get("level"),
        "level_label": response.get("label") or "未达到启动条件",
        "affected": population.get("affected"),
        "displaced": population.get("displaced"),
        "unplaced": (assessment.get("placement") or {}).get("unplaced"),
        "shortfall": "；".join(f"{k} {v}" for k, v in shortfall.items()),
        "notes": "；".join(str(n) for n in assessment.get("notes", [])),
    }
    return pd.DataFrame([row], columns=list(FIELD_DESCRIPTIONS["assessment"])).astype(
        {"level": "Int64"}
    )


def _item_descriptions(assessment: Mapping[str, Any], names: Names) -> dict[str, str]:
    """``item_tent`` → "帐篷（顶）" and the like, for every item the supply plan names."""
    supply = assessment.get("supply") or {}
    units = supply.get("units") or {}
    codes = set(units) | set(supply.get("shortfall") or {})
    for depot in supply.get("depots", []):
        codes |= set(depot.get("sent") or {})
    for feature in (supply.get("routes") or {}).get("features", []):
        codes |= set((feature.get("properties") or {}).get("items") or {})
    out = {}
    for code in sorted(codes):
        text = _name(names, "item", code)
        if code in units and units[code] not in text:
            text += f"（{units[code]}）"
        out[code] = text
    return out


def readme_table(
    columns: Mapping[str, Iterable[str]], items: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Every layer and field written, with its Chinese description."""
    described_items = {
        _column(prefix, code): f"{verb}{text}的数量"
        for code, text in (items or {}).items()
        for prefix, verb in (("item_", "运送"), ("sent_", "调出"))
    }
    rows = []
    for layer, fields in columns.items():
        rows.append({"layer": layer, "field": "", "description": LAYER_DESCRIPTIONS[layer]})
        described = FIELD_DESCRIPTIONS.get(layer, {})
        for field in fields:
            wildcard = field.split("_", 1)[0] + "_*"
            text = described.get(field) or described_items.get(field) or described.get(wildcard, "")
            rows.append({"layer": layer, "field": field, "description": text})
    return pd.DataFrame(rows, columns=["layer", "field", "description"])


def write_assessment_gpkg(
    assessment: Mapping[str, Any],
    *,
    counties: Any,
    path: Path,
    depots: Any | None = None,
    names: Names | None = None,
    crs: str = CRS,
) -> Path:
    """Write ``assessment`` (the contract's JSON) as a GeoPackage at ``path``; return it.

    ``counties`` and ``depots`` are the pack's layers the assessment refers to by code and
    id; ``names`` gives the Chinese names written beside codes (``*_zh`` fields); ``crs``
    labels the layers EPSG:4326 or EPSG:4490 (CGCS2000, the same coordinates to centimetres).
    """
    names = names or {}
    spatial: dict[str, tuple[Any, str]] = {
        "footprint": (footprint_layer(assessment, names), "MultiPolygon"),
        "shelters": (shelters_layer(assessment, names), "Point"),
        "routes": (routes_layer(assessment), "LineString"),
        "counties": (counties_layer(assessment, counties), "MultiPolygon"),
    }
    if depots is not None:
        spatial["depots"] = (depots_layer(assessment, depots, names), "Point")
    tables: dict[str, pd.DataFrame] = {"assessment": summary_table(assessment, names)}
    columns = {
        name: [c for c in frame.columns if c != "geometry"]
        for name, frame in [*((n, f) for n, (f, _) in spatial.items()), *tables.items()]
    }
    tables["readme"] = readme_table(
        {**columns, "readme": ["layer", "field", "description"]},
        _item_descriptions(assessment, names),
    )
    if path.exists():
        path.unlink()
    try:
        for name, (frame, geometry_type) in spatial.items():
            pyogrio.write_dataframe(
                frame.set_crs(crs, allow_override=True),
                path,
                layer=name,
                driver="GPKG",
                geometry_type=geometry_type,
                promote_to_multi=geometry_type.startswith("Multi"),
                layer_options={"DESCRIPTION": LAYER_DESCRIPTIONS[name]},
            )
        for name, table in tables.items():
            pyogrio.write_dataframe(
                table,
                path,
                layer=name,
                driver="GPKG",
                layer_options={"DESCRIPTION": LAYER_DESCRIPTIONS[name]},
            )
    except (DataSourceError, DataLayerError, OSError) as exc:
        raise ExportError(f"GeoPackage {path.name}: cannot be written ({exc})") from exc
    return path
