"""API keys and roles (CONTRACT §4 Security): who may call ``/api/v1`` and ``/ogc``.

``RELIEF_API_KEYS`` holds ``KEY:ROLE`` entries, comma-separated, each optionally named
(``NAME=KEY:ROLE``; the name is what the audit trail records). Roles: ``viewer`` reads,
``analyst`` also creates (assessments, incidents, reports, site checks), ``admin`` may do
everything. Only a SHA-256 digest of each key is kept; a presented key is compared with
every digest in constant time; no key is ever logged or echoed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Literal

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import problem
from geo.errors import InputError

Role = Literal["viewer", "analyst", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "analyst", "admin")
_RANK: dict[Role, int] = {"viewer": 0, "analyst": 1, "admin": 2}
#: Methods that only read.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: POST endpoints that compute an answer but create nothing: a viewer may call them.
READ_ONLY_POSTS = frozenset({"/api/v1/response-level", "/api/v1/travel", "/api/v1/footprint-check"})
API_PREFIX = "/api/v1"
#: Paths the keys guard: the JSON API and the OGC API – Features, with the same roles.
GUARDED_PREFIXES = (API_PREFIX, "/ogc")
_NAMED = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]{0,39})=(?!=)(.+)$")
_BEARER = re.compile(r"^[Bb][Ee][Aa][Rr][Ee][Rr] +(\S+) *$")


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


@dataclass(frozen=True)
class ApiKey:
    """A configured key: its name and role, and the digest of the key (not the key)."""

    name: str
    role: Role
    digest: bytes = field(repr=False)

    @property
    def principal(self) -> str:
        """Who asked, as the audit trail records it: ``name:role``."""
        return f"{self.name}:{self.role}"

    def may(self, role: Role) -> bool:
        """Whether this key's role includes ``role``."""
        return _RANK[self.role] >= _RANK[role]


def parse_api_keys(text: str) -> tuple[ApiKey, ...]:
    """Parse ``KEY:ROLE[,KEY:ROLE…]`` (each optionally ``NAME=KEY:ROLE``).

    An unnamed key is named by its position (``key1`` …). A key that itself contains
    ``=`` must be named. Errors name the entry by position, never quote the key.
    """
    keys: list[ApiKey] = []
    for position, raw in enumerate(text.split(","), start=1):
        entry = raw.strip()
        if not entry:
            continue
        where = f"RELIEF_API_KEYS entry {position}"
        secret, sep, role = entry.rpartition(":")
        if not sep or role not in ROLES:
            raise InputError(
                f"{where}: expected KEY:ROLE or NAME=KEY:ROLE, ROLE one of {', '.join(ROLES)}"
            )
        named = _NAMED.match(secret)
        name, secret = (named[1], named[2]) if named else (f"key{position}", secret)
        if not secret:
            raise InputError(f"{where}: the key is empty")
        candidate = ApiKey(name=name, role=role, digest=_digest(secret))
        for other in keys:
            if hmac.compare_digest(other.digest, candidate.digest):
                raise InputError(f"{where}: the same key as {other.name}")
            if other.name == name:
                raise InputError(f"{where}: the name {name!r} is used twice")
        keys.append(candidate)
    return tuple(keys)


def identify(keys: tuple[ApiKey, ...], presented: str) -> ApiKey | None:
    """The key ``presented`` is, compared with every key in constant time, or None."""
    digest = _digest(presented)
    found = None
    for key in keys:  # no early exit: the time taken does not say which key matched
        if hmac.compare_digest(digest, key.digest):
            found = key
    return found


def required_role(method: str, path: str) -> Role:
    """The least role a request needs: reads are viewer's, creating is analyst's."""
    if method in SAFE_METHODS or (method == "POST" and path in READ_ONLY_POSTS):
        return "viewer"
    if method == "POST":
        return "analyst"
    return "admin"


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
