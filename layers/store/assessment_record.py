"""One assessment as the store keeps it.

A module of its own so that making one (the command line assesses without a store)
imports no database code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
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
    body_json: str


def stored_json(body: dict[str, Any]) -> str:
    """The answer as the store keeps it: compact JSON text, made once where it was computed.

    orjson, not ``json.dumps``: a province earthquake's answer is ~10 MB, which ``json``
    encodes in ~0.7 s and orjson in a tenth of it; and as text the record crosses from the
    compute process to the server as one string rather than a pickled tree of dicts.
    """
    # numpy scalars (a float64 left in the answer) are written as json.dumps wrote them
    return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY).decode()
