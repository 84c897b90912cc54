"""OGC API – Features documents: landing page, conformance, collections, item pages, OpenAPI.

Every document is a plain mapping with its ``links``; `html` renders any of them as a
plain page (no script, no CDN) for ``f=html``. The OpenAPI 3.0 document describes the
``/ogc`` paths only, with the items ``limit`` bounded by the setting, so that clients
(GDAL's OAPIF driver) learn the page size they may ask for.
"""

from __future__ import annotations

import html as html_text
from datetime import UTC, datetime
from importlib import resources
from string import Template
from typing import Any
from urllib.parse import urlencode

from api.service.ogc import CRS84, SUPPORTED_CRS, Collection, Page, extent

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
)


def _link(href: str, rel: str, media: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": media, "title": title}


def self_links(href: str, media: str) -> list[dict[str, str]]:
    """``self`` in ``media`` and the other format as ``alternate``."""
    sep = "&" if "?" in href else "?"
    other = HTML if media != HTML else media
    json_media = media if media != HTML else JSON
    return [
        _link(href + sep + "f=json", "self" if media != HTML else "alternate", json_media, "JSON"),
        _link(href + sep + "f=html", "self" if media == HTML else "alternate", other, "HTML"),
    ]


def landing(base: str, *, html: bool) -> dict[str, Any]:
    """The landing page: what the service is and where its parts are."""
    return {
        "title": "reliefgis — OGC API – Features",
        "description": "The layer pack, assessments and incidents of this reliefgis service",
        "links": [
            *self_links(base, HTML if html else JSON),
            _link(f"{base}/api", "service-desc", OPENAPI_JSON, "The API definition"),
            _link("/docs", "service-doc", HTML, "The API documentation"),
            _link(f"{base}/conformance", "conformance", JSON, "Conformance classes"),
            _link(f"{base}/collections", "data", JSON, "Collections"),
        ],
    }


def conformance(base: str, *, html: bool) -> dict[str, Any]:
    """The conformance classes this service implements."""
    return {
        "conformsTo": list(CONFORMANCE),
        "links": self_links(f"{base}/conformance", HTML if html else JSON),
    }


def describe(base: str, found: Collection, *, html: bool) -> dict[str, Any]:
    """A collection's description with its extent, CRSs and items link."""
    href = f"{base}/collections/{found.id}"
    box = extent(found.load())
    doc: dict[str, Any] = {
        "id": found.id,
        "title": found.title,
        "description": found.description,
        "itemType": "feature",
        "crs": list(SUPPORTED_CRS),
        "storageCrs": CRS84,
        "links": [
            *self_links(href, HTML if html else JSON),
            _link(f"{href}/items?f=json", "items", GEOJSON, "Items as GeoJSON"),
            _link(f"{href}/items?f=html", "items", HTML, "Items as HTML"),
        ],
    }
    if box is not None:
        doc["extent"] = {"spatial": {"bbox": [box], "crs": CRS84}}
    return doc


def catalogue(base: str, found: list[Collection], *, html: bool) -> dict[str, Any]:
    """The list of collections."""
    return {
        "links": self_links(f"{base}/collections", HTML if html else JSON),
        "crs": list(SUPPORTED_CRS),
        "collections": [describe(base, c, html=False) for c in found],
    }


def items_document(
    href: str, query: list[tuple[str, str]], result: Page, *, html: bool
) -> dict[str, Any]:
    """A page of items as a FeatureCollection with paging links and counts."""
    kept = [(k, v) for k, v in query if k not in ("offset", "limit", "f")]

    def at(offset: int, rel: str, media: str, title: str) -> dict[str, str]:
        fmt = "html" if media == HTML else "json"
        params = [*kept, ("limit", str(result.limit)), ("offset", str(offset)), ("f", fmt)]
        return _link(f"{href}?{urlencode(params)}", rel, media, title)

    media = HTML if html else GEOJSON
    links = [
        at(result.offset, "self", media, "This page"),
        at(result.offset, "alternate", GEOJSON if html else HTML, "This page"),
        _link(href.removesuffix("/items"), "collection", JSON, "The collection"),
    ]
    if result.offset + result.limit < result.matched:
        links.append(at(result.offset + result.limit, "next", media, "Next page"))
    if result.offset > 0:
        links.append(at(max(0, result.offset - result.limit), "prev", media, "Previous page"))
    return {
        "type": "FeatureCollection",
        "features": result.features,
        "numberMatched": result.matched,
        "numberReturned": result.returned,
        "timeStamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "links": links,
    }


def _parameter(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema, "style": "form", "explode": False}  # fmt: skip


def _operation(summary: str, media: str, params: list[dict[str, Any]]) -> dict[str, Any]:
    path_params = [
        {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
        for p in ("collectionId", "featureId")
        if p.lower() in summary.lower().replace(" ", "")
    ]
    return {
        "get": {
            "summary": summary,
            "parameters": [*path_params, *params],
            "responses": {
                "200": {"description": summary, "content": {media: {}, HTML: {}}},
                "400": {"description": "Bad request (problem+json)"},
                "404": {"description": "Not found (problem+json)"},
            },
        }
    }


def openapi(base: str, *, version: str, max_limit: int) -> dict[str, Any]:
    """The OpenAPI 3.0 definition of the ``/ogc`` paths."""
    fmt = _parameter("f", "Format", {"type": "string", "enum": ["json", "html"]})
    crs = _parameter("crs", "CRS of the answer", {"type": "string", "enum": list(SUPPORTED_CRS)})
    items = [
        _parameter("limit", "Features per page",
                   {"type": "integer", "minimum": 1, "maximum": max_limit, "default": 10}),
        _parameter("offset", "Features to skip", {"type": "integer", "minimum": 0, "default": 0}),
        _parameter("bbox", "minx,miny,maxx,maxy in bbox-crs",
                   {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}),
        _parameter("bbox-crs", "CRS of bbox",
                   {"type": "string", "enum": list(SUPPORTED_CRS)}),
        crs,
        fmt,
    ]  # fmt: skip
    return {
        "openapi": "3.0.3",
        "info": {"title": "reliefgis OGC API – Features", "version": version},
        "servers": [{"url": base}],
        "paths": {
            "/": _operation("Landing page", JSON, [fmt]),
            "/conformance": _operation("Conformance classes", JSON, [fmt]),
            "/collections": _operation("Collections", JSON, [fmt]),
            "/collections/{collectionId}": _operation("Collection collectionId", JSON, [fmt]),
            "/collections/{collectionId}/items": _operation(
                "Items of collectionId", GEOJSON, items
            ),
            "/collections/{collectionId}/items/{featureId}": _operation(
                "Feature featureId of collectionId", GEOJSON, [crs, fmt]
            ),
        },
    }


def _cell(value: Any) -> str:
    return "" if value is None else html_text.escape(str(value))


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>None.</p>"
    columns = list(dict.fromkeys(k for row in rows for k in row))
    head = "".join(f"<th>{_cell(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row.get(c))}</td>" for c in columns) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def html(doc: dict[str, Any], *, title: str) -> str:
    """Any document as a plain HTML page: its links, then its collections or features."""
    links = "".join(
        f'<li><a href="{_cell(link["href"])}">{_cell(link.get("title") or link["rel"])}</a>'
        f" ({_cell(link['rel'])}, {_cell(link.get('type'))})</li>"
        for link in doc.get("links", [])
    )
    parts = [f"<ul>{links}</ul>"]
    if "description" in doc:
        parts.insert(0, f"<p>{_cell(doc['description'])}</p>")
    if "numberMatched" in doc:
        parts.append(f"<p>{doc['numberReturned']} of {doc['numberMatched']} features</p>")
    if "collections" in doc:
        parts.append(_table([{"id": c["id"], "description": c["description"]}
                             for c in doc["collections"]]))  # fmt: skip
    if "features" in doc:
        parts.append(_table([{"id": f.get("id"), **(f.get("properties") or {})}
                             for f in doc["features"]]))  # fmt: skip
    if "conformsTo" in doc:
        parts.append("<ul>" + "".join(f"<li>{_cell(c)}</li>" for c in doc["conformsTo"]) + "</ul>")
    if doc.get("type") == "Feature":
        parts.append(_table([{"id": doc.get("id"), **(doc.get("properties") or {})}]))
    template = resources.files("api").joinpath("templates/ogc.html").read_text(encoding="utf-8")
    return Template(template).substitute(title=_cell(title), body="\n".join(parts))
