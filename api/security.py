"""API keys and roles (CONTRACT §4 Security): who may call ``/api/v1`` and ``/ogc``.

``RELIEF_API_KEYS`` holds ``KEY:ROLE`` entries, comma-separated, each optionally named
(``NAME=KEY:ROLE``; the name is what the audit trail records). Roles: ``viewer`` reads,
``analyst`` also creates (assessments, incidents, reports, site checks), ``admin`` may do
everything. Only a SHA-256 digest of each key is kept; a presented key is compared with
every digest in constant time; no key is ever logged or echoed.
"""

from __future__ import annotations

import logging
import re

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import problem
from api.keys import ApiKey, Role, identify, parse_api_keys

# The keys are parsed in `api.keys` (no web framework, for the settings); named here too.
__all__ = ["ApiKeyGuard", "identify", "parse_api_keys", "principal", "required_role"]

#: Methods that only read.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: POST endpoints that compute an answer but create nothing: a viewer may call them.
READ_ONLY_POSTS = frozenset({"/api/v1/response-level", "/api/v1/travel", "/api/v1/footprint-check"})
API_PREFIX = "/api/v1"
#: Paths the keys guard: the JSON API and the OGC API – Features, with the same roles.
GUARDED_PREFIXES = (API_PREFIX, "/ogc")
_BEARER = re.compile(r"^[Bb][Ee][Aa][Rr][Ee][Rr] +(\S+) *$")


def required_role(method: str, path: str) -> Role:
    """The least role a request needs: reads are viewer's, creating is analyst's."""
    if method in SAFE_METHODS or (method == "POST" and path in READ_ONLY_POSTS):
        return "viewer"
    if method == "POST":
        return "analyst"
    return "admin"


def sees_paths(scope: Scope, keys: tuple[ApiKey, ...]) -> bool:
    """Whether this request may see the server's file paths: admins, or any caller without keys.

    Without keys the service binds to loopback only: its one user runs the machine.
    """
    key = scope.get("state", {}).get("api_key")
    return not keys or (isinstance(key, ApiKey) and key.may("admin"))


def principal(scope: Scope) -> str | None:
    """Who made this request (``name:role``), or None when the service has no keys."""
    key = scope.get("state", {}).get("api_key")
    return key.principal if isinstance(key, ApiKey) else None


class ApiKeyGuard:
    """Every ``/api/v1`` and ``/ogc`` request needs ``Authorization: Bearer KEY`` when keys are set.

    401 (with ``WWW-Authenticate: Bearer``) without a valid key, 403 when the key's
    role may not make the request. Other paths (the browser app, /docs) stay open.
    """

    def __init__(self, app: ASGIApp, *, keys: tuple[ApiKey, ...]) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with its key, or answer 401 or 403."""
        path = scope.get("path", "") if scope["type"] == "http" else ""
        guarded = any(path == p or path.startswith(p + "/") for p in GUARDED_PREFIXES)
        if not self.keys or not guarded:
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers", [])).get(b"authorization", b"")
        match = _BEARER.match(header.decode("latin-1"))
        key = identify(self.keys, match[1]) if match else None
        if key is None:
            detail = (
                "this service needs an API key: send Authorization: Bearer KEY"
                if not header
                else "the API key is not valid"
            )
            response = problem(401, detail, instance=path)
            error = "" if not header else ', error="invalid_token"'
            response.headers["WWW-Authenticate"] = f'Bearer realm="reliefgis"{error}'
            await response(scope, receive, send)
            return
        needed = required_role(scope.get("method", "GET"), path)
        if not key.may(needed):
            detail = f"{key.name} has role {key.role}; {scope.get('method')} {path} needs {needed}"
            await problem(403, detail, instance=path)(scope, receive, send)
            return
        scope["state"] = {**scope.get("state", {}), "api_key": key}
        await self.app(scope, receive, send)


class RedactQuery(logging.Filter):
    """Drop query strings from access-log lines: a key sent as ``?key=…`` is never written."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the path argument of a uvicorn access line; keep every line."""
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(
                f"{a.partition('?')[0]}?[redacted]" if isinstance(a, str) and "?" in a else a
                for a in args
            )
        return True


def redact_access_log(logger_name: str = "uvicorn.access") -> None:
    """Install `RedactQuery` on the access log once per process."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactQuery) for f in logger.filters):
        logger.addFilter(RedactQuery())
