"""Hostile input: schemathesis sends what the OpenAPI spec allows and what it forbids.

Every answer must conform to the document under ALL of schemathesis's default checks:
no 5xx, every status code, content type, header and response body documented and true,
data the schema forbids refused with a 4xx, data it allows accepted, authentication not
ignored, a wrong method answered 405 with ``Allow``. It runs with keys (a key sent, and
none: 401 everywhere it is required) and on a service without keys. The run is bounded:
a few examples per operation, derandomised (a fixed seed), no deadline. Operations are
driven through `APIOperation.as_strategy` rather than the pytest plugin, whose lazy
fixture loading does not run on pytest 9.
"""

from __future__ import annotations

import pytest
import schemathesis
import shapely
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from packs import TINY_CRS, X0, Y0, write_pack
from pyproj import Transformer
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from schemathesis.core.parameters import ParameterLocation
from shapely.geometry import box, mapping

from api.app import create_app
from api.security import parse_api_keys
from api.settings import Settings

KEY = "schemathesis-admin-key-0001"
AUTH = {"Authorization": f"Bearer {KEY}"}
EXAMPLES = 3

#: Whether a request the schema allows is accepted depends, for these operations, on facts
#: no JSON Schema can state: where a footprint, site, epicentre or point lies against the
#: pack's jurisdiction and roads (random coordinates are refused 422 naming the field);
#: the contents of an uploaded file; an incident's state (a decision needs a response in
#: force; a measure is ticked only on a forecast, by an id its plan lists); the clock (a
#: county response's time may not lie in the future; a deadline's moment between 1990 and
#: 9000); a box's corners in order (minx < maxx, miny < maxy); an upload id that exists.
#: Every other check still runs on them.
DOMAIN_CHECKED = frozenset(
    {
        "POST /api/v1/assessments",
        "POST /api/v1/incidents",
        "POST /api/v1/footprint-check",
        "POST /api/v1/site-check",
        "POST /api/v1/travel",
        "POST /api/v1/earthquakes/intensity",
        "POST /api/v1/footprints",
        "POST /api/v1/incidents/{incident_id}/decisions",
        "POST /api/v1/incidents/{incident_id}/county-responses",
        "POST /api/v1/incidents/{incident_id}/reports",
        "POST /api/v1/incidents/{incident_id}/footprint",
        "POST /api/v1/incidents/{incident_id}/warning-measures",
        "GET /api/v1/incidents/{incident_id}/deadlines",
        "GET /api/v1/layers/{name}",
        "GET /api/v1/tiles/hazard/{raster}/{z}/{x}/{y}.png",
        "GET /ogc/collections/{collection_id}/items",
        "GET /ogc/collections/{collection_id}/items/{feature_id}",
    }
)


def _app(folder, *, keys: bool):
    return create_app(
        Settings(
            data_dir=write_pack(folder / "pack"),
            state_dir=folder / "state",
            api_keys=parse_api_keys(f"fuzz={KEY}:admin") if keys else (),
            max_body_bytes=200_000,
        )
    )


@pytest.fixture(scope="module", params=[True, False], ids=["keys", "no-keys"])
def api_schema(request, tmp_path_factory):
    app = _app(tmp_path_factory.mktemp("schemathesis"), keys=request.param)
    return schemathesis.openapi.from_asgi("/openapi.json", app), _stored(app), request.param


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


def _key_for(case, keys: bool) -> dict[str, str] | None:
    """The key to send: none without keys, nor when the case's headers are the fault."""
    components = case.meta.components if case.meta is not None else {}
    header = components.get(ParameterLocation.HEADER)
    if not keys or (header is not None and header.mode is GenerationMode.NEGATIVE):
        return None
    return AUTH


def _failures(schema, operation, mode: GenerationMode, known, keys: bool) -> str | None:
    excluded = [positive_data_acceptance] if operation.label in DOMAIN_CHECKED else []

    @given(case=_strategy(schema, operation, mode, known))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=_key_for(case, keys), excluded_checks=excluded)

    try:
        run()
    except Unsatisfiable:
        return None  # nothing to negate: an operation without parameters or body
    except Exception as exc:
        return f"{operation.label} ({mode.value}): {exc}"
    return None


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_answer_conforms_to_the_openapi_document(api_schema, mode):
    schema, known, keys = api_schema
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    failures = [
        f for op in operations if (f := _failures(schema, op, mode, known, keys)) is not None
    ]
    assert failures == [], "\n\n".join(failures)
