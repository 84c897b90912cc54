"""Run an assessment end to end: footprint in, the contract's assessment JSON out.

Shared by ``POST /api/v1/assessments`` and ``reliefgis assess``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import shapely

from api.schemas.assessment import AssessmentOut, QuakeAssessmentOut
from api.schemas.common import VerdictOut
from api.service.answer_sections import shelters_section, supply_section
from api.service.bootstrap import Services
from api.service.exposing import Exposed, expose
from api.service.levels import county_figures
from api.service.quake import Quake, field_geojson, quake_field
from api.service.quake_estimates import estimate_quake
from geo.assessment import Assessment, assess
from geo.incident.displacement import GIVEN_COLUMN
from geo.plans.model import Plan
from geo.response.figures import CountyFigures, Figure, check_figures
from layers.pack import LayerPack
from layers.plans import PlanFile
from layers.store.assessment_record import AssessmentRecord, stored_json

ESTIMATE_NOTICE = "受灾与需转移安置人数为依据人口格网和转移比例的估算值，须经实地核查。"


def _footprint_summary(exposed: Exposed) -> dict[str, Any]:
    """The answer's ``footprint`` section: what was read, repaired and defaulted."""
    pieces = exposed.pieces
    raster = exposed.raster
    return {
        "hazard_raster": None
        if raster is None
        else {
            "cells_by_class": raster.cells,
            "nodata_cells": raster.nodata_cells,
            "below_cells": raster.below_cells,
        },
        "features": len(exposed.parsed.features),
        "repairs": list(exposed.parsed.repairs),
        "classes_defaulted": int((~exposed.classed[GIVEN_COLUMN]).sum()),
        "bounds": [round(float(v), 6) for v in pieces.total_bounds],
        "pieces": json.loads(
            pieces[["class", "geometry"]].to_json(drop_id=True, ensure_ascii=False)
        ),
    }


def _software(services: Services, chosen: PlanFile) -> dict[str, Any]:
    """The answer's ``software`` section: which code, plan file and profiles answered."""
    return {
        "version": services.version,
        "plan_sha256": chosen.sha256,
        "displacement_profile": services.displacement.id,
        "setbacks": services.setbacks.name,
    }


def _quake(
    services: Services, earthquake: Mapping[str, Any] | None, *, plan: str | None
) -> Quake | None:
    """The intensity field an ``earthquake`` request asks for (the footprint it stands for)."""
    if earthquake is None:
        return None
    return quake_field(services, plan=plan, **earthquake)


def assess_exposed(
    services: Services,
    exposed: Exposed,
    *,
    plan: Plan,
    reported: Mapping[str, Figure],
    by_county: Sequence[CountyFigures] = (),
) -> Assessment:
    """Shelters, placement, supply, coverage and the level for the exposure found."""
    pack = services.pack
    return assess(
        exposed.exposure,
        pieces=exposed.pieces,
        counties=pack.counties,
        shelters=pack.shelters,
        hazard_zones=pack.hazard_zones,
        setbacks=services.setbacks,
        plan=plan,
        reported=reported,
        metric_crs=services.metric_crs,
        logistics=services.logistics,
        by_county=by_county,
    )


def _record(
    services: Services,
    chosen: PlanFile,
    *,
    hazard: str,
    exposed: Exposed,
    request: dict[str, Any],
    body: dict[str, Any],
) -> AssessmentRecord:
    """The assessment as the store keeps it: the answer with what produced it."""
    return AssessmentRecord(
        id=body["id"],
        created=datetime.fromisoformat(body["created"]),
        plan=chosen.plan.id,
        plan_sha256=chosen.sha256,
        hazard=hazard,
        software_version=services.version,
        requested_by=None,
        footprint=shapely.union_all(exposed.pieces.geometry.to_numpy()),
        request=request,
        body_json=stored_json(body),
    )


def _reported(
    services: Services, figures: Mapping[str, Any] | None
) -> tuple[dict[str, Figure], tuple[CountyFigures, ...]]:
    """The request's reported figures, checked: the event's own and the per-county rows."""
    event = dict(figures or {})
    by_county = county_figures(event.pop("by_county", None) or {}, services.pack.agri_population)
    reported = {name: Figure(value=float(v)) for name, v in check_figures(event).items()}
    return reported, tuple(by_county)


def run_assessment(
    services: Services,
    *,
    footprint: object = None,
    hazard: str = "earthquake",
    plan: str | None = None,
    figures: dict[str, Any] | None = None,
    title: str | None = None,
    earthquake: Mapping[str, Any] | None = None,
    use_casualty_estimate: bool = False,
    crs: str | None = None,
    hazard_raster: str | Path | None = None,
) -> tuple[dict[str, Any], AssessmentRecord]:
    """Assess an incident footprint, or the field of an ``earthquake``; answer and record.

    With ``earthquake`` (magnitude, lon, lat, strike?, region?) the intensity field is the
    footprint, the hazard is ``earthquake`` and the answer adds an ``earthquake`` section:
    estimated collapsed houses (grading the level unless reported) and a death range (for
    reference unless ``use_casualty_estimate``).
    """
    pack = services.pack
    chosen = services.plans.file(services.plan_id(plan))
    reported, by_county = _reported(services, figures)
    quake = _quake(services, earthquake, plan=plan)
    if quake is not None:
        footprint, hazard = field_geojson(quake), "earthquake"
    exposed = expose(
        services, footprint, hazard=hazard, plan=chosen.plan, crs=crs,
        hazard_raster=hazard_raster, generated=quake is not None,
    )  # fmt: skip
    estimate = None
    if quake is not None:
        estimate = estimate_quake(
            services, quake, exposed.exposure, plan=chosen.plan, reported=reported,
            use_casualty_estimate=use_casualty_estimate,
        )  # fmt: skip
        reported = estimate.figures
    result = assess_exposed(
        services, exposed, plan=chosen.plan, reported=reported, by_county=by_county
    )
    body = serialise(
        result,
        pack=pack,
        assessment_id=uuid.uuid4().hex,
        created=datetime.now(UTC).replace(microsecond=0),
        title=title,
        footprint=_footprint_summary(exposed),
    )
    body["software"] = _software(services, chosen)
    request: dict[str, Any] = {
        "hazard": hazard, "plan": chosen.plan.id, "figures": figures or {}, "title": title,
    }  # fmt: skip
    if hazard_raster is not None:
        request["hazard_raster"] = str(hazard_raster)
    if estimate is not None:
        body["earthquake"] = estimate.section
        body["response"]["notes"].append(estimate.note)
        request |= {"earthquake": earthquake, "use_casualty_estimate": use_casualty_estimate}
    record = _record(services, chosen, hazard=hazard, exposed=exposed, request=request, body=body)
    return body, record


def answer_assessment(
    services: Services,
    *,
    footprint: object = None,
    hazard: str = "earthquake",
    plan: str | None = None,
    figures: dict[str, Any] | None = None,
    title: str | None = None,
    earthquake: Mapping[str, Any] | None = None,
    use_casualty_estimate: bool = False,
    crs: str | None = None,
    hazard_raster: str | None = None,
) -> tuple[bytes, AssessmentRecord]:
    """`run_assessment`, its answer validated against the API's model and encoded as JSON.

    The task ``POST /api/v1/assessments`` hands to `api.service.compute`: validated once and
    serialised by pydantic-core where it was computed (FastAPI's own response handling
    would validate and encode the large answer again in Python). The answer comes back as
    UTF-8 bytes, the very bytes `model_dump_json` encodes, and the response sends them as
    they are: a province earthquake's 10 MB answer is neither decoded to text here nor
    encoded again by the server (about 50 ms of the server's time).
    """
    body, record = run_assessment(
        services,
        footprint=footprint,
        hazard=hazard,
        plan=plan,
        figures=figures,
        title=title,
        earthquake=earthquake,
        use_casualty_estimate=use_casualty_estimate,
        crs=crs,
        hazard_raster=hazard_raster,
    )
    model = AssessmentOut if earthquake is None else QuakeAssessmentOut
    answer = model.model_validate(body)
    return model.__pydantic_serializer__.to_json(answer, by_alias=True), record


def _population(result: Assessment, populations: dict[str, int]) -> dict[str, Any]:
    exposure = result.exposure
    unplaced = result.assignment.unplaced
    return {
        "affected": exposure.affected,
        "displaced": exposure.displaced,
        "estimate": True,
        "notice": ESTIMATE_NOTICE,
        "method": (
            "people on the population grid inside the footprint, partial cells weighted by "
            f"the share covered (exactextract); displaced by class rates of profile "
            f"{exposure.profile!r}; county rows rounded by largest remainder"
        ),
        "outside_counties": exposure.outside_counties,
        "by_county": [
            {
                "code": row.code,
                "name": row.name,
                "population": populations.get(row.code),
                "affected": row.affected,
                "displaced": row.displaced,
                "unplaced": unplaced.get(row.code, 0),
                "by_class": dict(row.by_class),
            }
            for row in exposure.by_county
        ],
        "by_class": [
            {
                "class": c.name,
                "rate": c.rate,
                "affected": c.affected,
                "displaced": c.displaced,
            }
            for c in exposure.by_class
        ],
    }


def serialise(
    result: Assessment,
    *,
    pack: LayerPack,
    assessment_id: str,
    created: datetime,
    title: str | None,
    footprint: dict[str, Any],
) -> dict[str, Any]:
    """The assessment as the contract's JSON (CONTRACT §4), with extra sections."""
    counties = pack.counties
    names = dict(zip(counties["code"], counties["name"], strict=True))
    populations = {
        str(c): int(p) for c, p in zip(counties["code"], counties["population"], strict=True)
    }
    assignment = result.assignment
    coverage = result.coverage
    return {
        "id": assessment_id,
        "plan": result.verdict.plan,
        "hazard": result.exposure.hazard,
        "created": created.isoformat(),
        "title": title,
        "population": _population(result, populations),
        "shelters": shelters_section(result, pack.shelters),
        "placement": {
            "travel": result.travel,
            "placed": assignment.placed_total,
            "unplaced": assignment.unplaced_total,
            "unplaced_by_county": [
                {"code": code, "name": names.get(code, code), "unplaced": n}
                for code, n in sorted(assignment.unplaced.items())
                if n > 0
            ],
            "demand_points": len(result.demand.frame),
            "block_m": result.demand.block_m,
        },
        "coverage": {
            "share": coverage.share,
            "covered": round(coverage.covered),
            "affected": round(coverage.affected),
            "by_kind": [asdict(k) for k in coverage.by_kind],
        },
        "supply": supply_section(result.supply, pack.roads) if result.supply else None,
        "response": VerdictOut.model_validate(asdict(result.verdict)).model_dump(mode="json"),
        "footprint": footprint,
        "notes": [ESTIMATE_NOTICE],
    }
