"""One assessment as the store keeps it.

A module of its own so that making one (the command line assesses without a store)
imports no database code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class AssessmentRecord:
    """One assessment as stored: its answer (JSON) with what produced it."""

    id: str
    created: datetime
    plan: str
    plan_sha256: str
    hazard: str
    software_version: str
    requested_by: str | None
    footprint: BaseGeometry
    request: dict[str, Any]
    body: dict[str, Any]
