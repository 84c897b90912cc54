"""Check a footprint before it is assessed: read, classed and inside the jurisdiction.

``POST /api/v1/footprint-check`` answers with what an assessment would read from the file
(features, classes, bounds, repairs) or refuses it with the same problem an assessment
would raise: it reads the footprint on the assessment's own path (`api.service.exposing`).
The browser app announces an uploaded file only after this check.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from api.service.bootstrap import Services
from api.service.exposing import read_classed
from geo.incident.displacement import GIVEN_COLUMN


def check_footprint(
    services: Services, footprint: object, *, hazard: str, plan: str | None = None
) -> dict[str, Any]:
    """What an assessment would read from ``footprint``, or the problem it would raise."""
    chosen = services.plans.file(services.plan_id(plan)).plan
    parsed, classed = read_classed(services, footprint, hazard=hazard, plan=chosen)
    return {
        "features": len(parsed.features),
        "classes": dict(Counter(str(c) for c in classed["class"])),
        "classes_defaulted": int((~classed[GIVEN_COLUMN]).sum()),
        "bounds": [round(float(v), 6) for v in classed.total_bounds],
        "repairs": list(parsed.repairs),
    }
