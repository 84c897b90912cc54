"""Check a footprint before it is assessed: read, classed and inside the jurisdiction.

``POST /api/v1/footprint-check`` answers with what an assessment would read from the file
(features, classes, bounds, repairs) or refuses it with the same problem an assessment
would raise. The browser app announces an uploaded file only after this check.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from api.service.bootstrap import Services
from geo.incident.displacement import GIVEN_COLUMN, assign_classes
from geo.incident.footprint import check_within, parse_footprint


def check_footprint(
    services: Services, footprint: object, *, hazard: str, plan: str | None = None
) -> dict[str, Any]:
    """What an assessment would read from ``footprint``, or the problem it would raise."""
    chosen = services.plans.file(services.plan_id(plan)).plan
    parsed = parse_footprint(footprint)
    check_within(parsed.features, services.pack.jurisdiction, name=chosen.jurisdiction)
    classed = assign_classes(parsed.features, services.displacement, hazard=hazard)
    return {
        "features": len(parsed.features),
        "classes": dict(Counter(str(c) for c in classed["class"])),
        "classes_defaulted": int((~classed[GIVEN_COLUMN]).sum()),
        "bounds": [round(float(v), 6) for v in classed.total_bounds],
        "repairs": list(parsed.repairs),
    }
