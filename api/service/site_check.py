"""May a reconstruction site be built on: fault zones, flood and geological hazards."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from api.service.bootstrap import Services
from api.service.footprints import read_sites
from geo.hazards.reconstruction_sites import check_sites


def site_check(services: Services, sites: object) -> list[dict[str, Any]]:
    """Candidate reconstruction sites against fault zones, flood and geological hazards."""
    frame = read_sites(services, sites)
    checks = check_sites(
        frame,
        hazard_zones=services.pack.hazard_zones,
        setbacks=services.setbacks,
        metric_crs=services.metric_crs,
    )
    return [asdict(c) for c in checks]
