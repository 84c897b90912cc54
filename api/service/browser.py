"""The browser app's configuration: the pack's hazards, figures, items, names and colours."""

from __future__ import annotations

from api.schemas.browser import HazardClassOut, HazardOut, IndicatorOut, TilesOut, WebConfigOut
from api.service.bootstrap import Services
from geo.plans.model import INDICATORS
from web import footprint_style, labels, map_classes, pack_notes, served_labels


def web_config(svc: Services) -> WebConfigOut:
    """The browser app's configuration for this service."""
    profile = svc.displacement
    settings = svc.settings
    hazards = [
        HazardOut(
            id=hazard,
            label=labels.HAZARDS.get(hazard, hazard),
            classes=[
                HazardClassOut(name=c.name, rate=c.rate, color=colours[c.name])
                for c in profile.classes(hazard)
                for colours in [footprint_style.class_colours(profile.order(hazard))]
            ],
            default_class=profile.default_class(hazard),
        )
        for hazard in labels.HAZARDS
        if hazard in profile.hazards
    ]
    synthetic = pack_notes.synthetic_layers(svc.pack)
    if svc.default_plan is not None:
        jurisdiction = svc.plans.get(svc.default_plan).jurisdiction
    else:
        jurisdiction = "、".join(str(n) for n in svc.pack.counties["name"])
    return WebConfigOut(
        jurisdiction=jurisdiction,
        default_plan=svc.default_plan,
        bounds=list(svc.pack.bounds),
        tiles=TilesOut(
            url=settings.tiles_url,
            datum=settings.tiles_datum,
            attribution=settings.tiles_attribution,
        ),
        hazards=hazards,
        indicators=[
            IndicatorOut(id=name, label=label, kind="share" if kind == "share" else "count")
            for name, (kind, label) in INDICATORS.items()
        ],
        items=pack_notes.item_names(svc.pack),
        synthetic_layers=synthetic,
        context_layers=list(svc.pack.context),
        notice=labels.synthetic_notice(synthetic),
        estimate_caution=labels.ESTIMATE_CAUTION,
        labels={
            **served_labels.as_json(),
            "map": {**map_classes.as_json(), "grid_bounds": list(svc.pack.population.bounds_wgs84)},
        },
    )
