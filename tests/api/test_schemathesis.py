"""Hostile input: schemathesis sends what the OpenAPI spec allows and what it forbids.

Every answer must be a designed one, never a 5xx, whatever the body, query or path. The
run is bounded: few examples per operation, derandomised (a fixed seed), no deadline.
Operations are driven through `APIOperation.as_strategy` rather than the pytest plugin,
whose lazy fixture loading does not run on pytest 9.
"""

from __future__ import annotations

import pytest
import schemathesis
import shapely
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packs import TINY_CRS, X0, Y0, write_pack
from pyproj import Transformer
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from shapely.geometry import box, mapping

from api.app import create_app
from api.security import parse_api_keys
from api.settings import Settings

KEY = "schemathesis-admin-key-0001"
AUTH = {"Authorization": f"Bearer {KEY}"}
EXAMPLES = 15


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    folder = tmp_path_factory.mktemp("schemathesis")
    app = create_app(
        Settings(
            data_dir=write_pack(folder / "pack"),
            state_dir=folder / "state",
            api_keys=parse_api_keys(f"fuzz={KEY}:admin"),
            max_body_bytes=200_000,
        )
    )
    return schemathesis.openapi.from_asgi("/openapi.json", app), _stored(app)


def _stored(app) -> dict[str, str]:
    """Ids of a stored incident (with a report) and assessment, for the path parameters."""
    client = TestClient(app, headers=AUTH)
    to_lonlat = Transformer.from_crs(TINY_CRS, "EPSG:4326", always_xy=True).transform
    area = box(X0 + 1000, Y0 + 1000, X0 + 4000, Y0 + 4000)
    footprint = mapping(shapely.transform(area, to_lonlat, interleaved=False))
    incident = client.post(
        "/api/v1/incidents",
        json={"footprint": footprint, "hazard": "flood", "plan": "yueqing-2016"},
    ).json()["id"]
    client.post(f"/api/v1/incidents/{incident}/reports", json={"kind": "初报"})
    assessment = client.post(
        "/api/v1/assessments", json={"footprint": footprint, "hazard": "flood"}
    ).json()["id"]
    return {
        "incident_id": incident,
        "assessment_id": assessment,
        "plan_id": "yueqing-2016",
        "name": "counties",
    }


def _strategy(schema, operation, mode: GenerationMode, known: dict[str, str]):
    """Cases for ``operation``; valid ones use real ids and the spec's examples too."""
    if mode is GenerationMode.NEGATIVE:
        return operation.as_strategy(generation_mode=mode)
    fixed = {name: value for name, value in known.items() if "{" + name + "}" in operation.path}
    return st.one_of(
        operation.as_strategy(generation_mode=mode, path_parameters=fixed or None),
        *schema.get_strategies_from_examples(operation, path_parameters=fixed or None),
    )


def _server_errors(schema, operation, mode: GenerationMode, known: dict[str, str]) -> str | None:
    @given(case=_strategy(schema, operation, mode, known))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=AUTH, checks=[not_a_server_error])

    try:
        run()
    except Exception as exc:
        return f"{operation.label} ({mode.value}): {exc}"
    return None


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_operation_answers_with_a_server_error(api_schema, mode):
    schema, known = api_schema
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    failures = [
        f for op in operations if (f := _server_errors(schema, op, mode, known)) is not None
    ]
    assert failures == [], "\n\n".join(failures)
