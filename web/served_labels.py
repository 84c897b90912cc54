"""The label table as others receive it: the browser's web-config and the exports' names.

The tables themselves live in `web.labels` only; this room shapes them for a reader that
cannot import Python — the browser app (``GET /api/v1/web-config``) and `layers.export`,
which writes the Chinese ``*_zh`` fields of an exported GeoPackage.
"""

from __future__ import annotations

from collections.abc import Mapping

from web import decision_text, labels, quake_text, register_text


def as_json() -> dict[str, object]:
    """Every table the browser app draws with (labels, colours, widths, styles)."""
    return {
        "layers": dict(labels.LAYERS),
        "hazards": dict(labels.HAZARDS),
        "hazard_classes": dict(labels.HAZARD_CLASSES),
        "incident_zone": [labels.INCIDENT_ZONE, labels.INCIDENT_ZONE_LABEL],
        "shelter_status": dict(labels.SHELTER_STATUS),
        "shelter_kinds": dict(labels.SHELTER_KINDS),
        "zone_kinds": dict(labels.ZONE_KINDS),
        "risks": dict(labels.RISKS),
        "depot_levels": dict(labels.DEPOT_LEVELS),
        "highways": dict(labels.HIGHWAYS),
        "depot_status": dict(labels.DEPOT_STATUS),
        "actions": dict(decision_text.ACTIONS),
        "aid_figures": dict(register_text.AID_FIGURES),
        "levels": {str(k): v for k, v in labels.LEVELS.items()},
        "supply_reasons": [[pattern, chinese] for pattern, chinese, _ in labels.REASON_PATTERNS],
        "overlays": dict(labels.OVERLAYS),
        "legend": dict(labels.LEGEND),
        "export_links": dict(labels.EXPORT_LINKS),
        "shelter_legend": dict(labels.SHELTER_LEGEND),
        "no_level": labels.NO_LEVEL_LABEL,
        "quake": dict(quake_text.QUAKE),
        "colors": {
            "levels": {str(k): v for k, v in labels.LEVEL_COLORS.items()},
            "level_text": {str(k): v for k, v in labels.LEVEL_TEXT_COLORS.items()},
            "no_level": labels.NO_LEVEL_COLOR,
            "no_level_text": labels.NO_LEVEL_TEXT_COLOR,
            "other": labels.OTHER_COLOR,
            "risks": dict(labels.RISK_COLORS),
            "status": dict(labels.STATUS_COLORS),
            "kinds": dict(labels.KIND_COLORS),
            "footprint": list(labels.FOOTPRINT_COLORS),
            "footprint_palette": list(labels.FOOTPRINT_PALETTE),
            "closed_road": labels.CLOSED_ROAD_COLOR,
            "water": labels.WATER_COLOR,
            "place": labels.PLACE_COLOR,
            "population": list(labels.POPULATION_COLORS),
            "route": labels.ROUTE_COLOR,
            "unreachable": labels.UNREACHABLE_COLOR,
            "depot": labels.DEPOT_COLOR,
            "road": labels.ROAD_COLOR,
            "quake": quake_text.QUAKE_COLOR,
        },
        "widths": {
            "roads": dict(labels.ROAD_WIDTHS),
            "road_other": labels.ROAD_WIDTH_OTHER,
            "shelter_radii": dict(labels.SHELTER_RADII),
            "shelter_radius_other": labels.SHELTER_RADIUS_OTHER,
        },
        "styles": {name: dict(style) for name, style in labels.SCREEN_STYLES.items()},
    }


def export_names() -> dict[str, Mapping[str, str]]:
    """The tables `layers.export` writes Chinese names from (``*_zh`` fields)."""
    return {
        "hazard": labels.HAZARDS,
        "shelter_kind": labels.SHELTER_KINDS,
        "shelter_status": labels.SHELTER_STATUS,
        "zone_kind": labels.ZONE_KINDS,
        "risk": labels.RISKS,
        "depot_status": labels.DEPOT_STATUS,
        "zone_id": {labels.INCIDENT_ZONE: labels.INCIDENT_ZONE_LABEL},
    }
