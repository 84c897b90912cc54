"""Routes of ``/ogc``: OGC API – Features (Part 1 Core, GeoJSON, HTML, OpenAPI 3.0; Part 2 CRS).

QGIS, GDAL's OAPIF driver and OWSLib read the pack's layers, the stored assessments and
the incidents here, page by page. The API keys guard these paths as they guard /api/v1.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.deps import ServicesDep
from api.service import ogc, ogc_documents
from geo.errors import InputError

router = APIRouter(prefix="/ogc", tags=["ogc"])

Format = Annotated[
    Literal["json", "html"] | None,
    Query(description="json (GeoJSON for features) or html; default from the Accept header"),
]
CrsParam = Annotated[
    str | None,
    Query(
        description="CRS of the answer (URI); default CRS84",
        max_length=100,
        json_schema_extra={"enum": list(ogc.SUPPORTED_CRS)},
    ),
]


def _documents(media: str) -> dict[int | str, dict[str, Any]]:
    """The 200 answer's media types: ``media``, or HTML when asked for (``f=html``)."""
    return {200: {"content": {media: {}, "text/html": {}}, "description": "The document"}}


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _html(request: Request, f: str | None) -> bool:
    """``f`` decides; without it a browser (Accept: text/html first) gets HTML."""
    if f is not None:
        return f == "html"
    accept = request.headers.get("accept", "")
    return accept.startswith("text/html")


def _answer(
    doc: dict[str, Any], *, html: bool, media: str, title: str, crs: str | None = None
) -> Response:
    headers = {"Content-Crs": f"<{crs}>"} if crs else None
    if html:
        return HTMLResponse(ogc_documents.html(doc, title=title), headers=headers)
    return JSONResponse(doc, media_type=media, headers=headers)


def _whole(name: str, text: str | None, *, default: int, minimum: int) -> int:
    """A whole-number query parameter, or a 400 naming it."""
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise InputError(f"{name}: expected a whole number ≥ {minimum}, got {text!r}", field=name)
    return value


@router.get("", summary="OGC API – Features landing page", responses=_documents(ogc_documents.JSON))
@router.get("/", include_in_schema=False)
def landing(request: Request, f: Format = None) -> Response:
    """Links to the API definition, the conformance classes and the collections."""
    html = _html(request, f)
    doc = ogc_documents.landing(_base(request), html=html)
    return _answer(doc, html=html, media=ogc_documents.JSON, title=doc["title"])


@router.get(
    "/api",
    summary="OpenAPI 3.0 definition of /ogc",
    response_class=Response,
    responses={200: {"content": {ogc_documents.OPENAPI_JSON: {}}, "description": "OpenAPI"}},
)
def definition(request: Request, svc: ServicesDep) -> JSONResponse:
    """The OpenAPI 3.0 document of the OGC API paths."""
    doc = ogc_documents.openapi(
        _base(request), version=svc.version, max_limit=svc.settings.ogc_max_limit
    )
    return JSONResponse(doc, media_type=ogc_documents.OPENAPI_JSON)


@router.get("/conformance", summary="Conformance classes", responses=_documents(ogc_documents.JSON))
def conformance(request: Request, f: Format = None) -> Response:
    """The conformance classes implemented."""
    html = _html(request, f)
    doc = ogc_documents.conformance(_base(request), html=html)
    return _answer(doc, html=html, media=ogc_documents.JSON, title="Conformance")


@router.get("/collections", summary="Collections", responses=_documents(ogc_documents.JSON))
def collections(request: Request, svc: ServicesDep, f: Format = None) -> Response:
    """The pack's layers, the incidents and each stored assessment's parts."""
    html = _html(request, f)
    doc = ogc_documents.catalogue(_base(request), ogc.collections(svc), html=html)
    return _answer(doc, html=html, media=ogc_documents.JSON, title="Collections")


@router.get(
    "/collections/{collection_id}",
    summary="A collection",
    responses=_documents(ogc_documents.JSON),
)
def collection(
    collection_id: str, request: Request, svc: ServicesDep, f: Format = None
) -> Response:
    """A collection's description: extent, CRSs, items link."""
    html = _html(request, f)
    found = ogc.collection(svc, collection_id)
    doc = ogc_documents.describe(_base(request), found, html=html)
    return _answer(doc, html=html, media=ogc_documents.JSON, title=found.title)


@router.get(
    "/collections/{collection_id}/items",
    summary="Items of a collection",
    responses=_documents(ogc_documents.GEOJSON),
)
def items(
    collection_id: str,
    request: Request,
    svc: ServicesDep,
    *,
    limit: Annotated[str | None, Query(description="Features per page (default 10)")] = None,
    offset: Annotated[str | None, Query(description="Features to skip (default 0)")] = None,
    bbox: Annotated[
        str | None, Query(description="minx,miny,maxx,maxy in bbox-crs", max_length=200)
    ] = None,
    bbox_crs: Annotated[
        str | None,
        Query(
            alias="bbox-crs",
            description="CRS of bbox (URI)",
            max_length=100,
            json_schema_extra={"enum": list(ogc.SUPPORTED_CRS)},
        ),
    ] = None,
    crs: CrsParam = None,
    f: Format = None,
) -> Response:
    """A page of features; other query parameters filter properties by equality."""
    html = _html(request, f)
    answer_crs = ogc.parse_crs(crs, field="crs")
    box_crs = ogc.parse_crs(bbox_crs, field="bbox-crs")
    size = min(
        _whole("limit", limit, default=ogc.DEFAULT_LIMIT, minimum=1), svc.settings.ogc_max_limit
    )
    start = _whole("offset", offset, default=0, minimum=0)
    filters = {k: v for k, v in request.query_params.items() if k not in ogc.RESERVED}
    found = ogc.collection(svc, collection_id)
    chosen = ogc.select(found.load(), bbox=bbox, bbox_crs=box_crs, filters=filters)
    result = ogc.page(chosen, limit=size, offset=start, crs=answer_crs)
    href = f"{_base(request)}/collections/{collection_id}/items"
    doc = ogc_documents.items_document(
        href, list(request.query_params.multi_items()), result, html=html
    )
    return _answer(doc, html=html, media=ogc_documents.GEOJSON, title=found.title, crs=answer_crs)


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    summary="One feature",
    responses=_documents(ogc_documents.GEOJSON),
)
def feature(
    collection_id: str,
    feature_id: str,
    request: Request,
    svc: ServicesDep,
    *,
    crs: CrsParam = None,
    f: Format = None,
) -> Response:
    """One feature by id."""
    html = _html(request, f)
    answer_crs = ogc.parse_crs(crs, field="crs")
    found = ogc.collection(svc, collection_id)
    doc = ogc.item(found.load(), feature_id, answer_crs)
    href = f"{_base(request)}/collections/{collection_id}"
    doc["links"] = [
        *ogc_documents.self_links(
            f"{href}/items/{feature_id}", ogc_documents.HTML if html else ogc_documents.GEOJSON
        ),
        {"href": href, "rel": "collection", "type": ogc_documents.JSON, "title": found.title},
    ]
    return _answer(
        doc,
        html=html,
        media=ogc_documents.GEOJSON,
        title=f"{found.title}: {feature_id}",
        crs=answer_crs,
    )
