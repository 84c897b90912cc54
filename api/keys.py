"""API keys and roles, parsed from ``RELIEF_API_KEYS``: no HTTP here.

``RELIEF_API_KEYS`` holds ``KEY:ROLE`` entries, comma-separated, each optionally named
(``NAME=KEY:ROLE``; the name is what the audit trail records). Only a SHA-256 digest of
each key is kept; a presented key is compared with every digest in constant time.
The settings read keys through this module without importing the web framework, so the
quick commands (``reliefgis level``, ``plans``) start fast; `api.security` guards requests.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Literal

from geo.errors import InputError

Role = Literal["viewer", "analyst", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "analyst", "admin")
_RANK: dict[Role, int] = {"viewer": 0, "analyst": 1, "admin": 2}
_NAMED = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]{0,39})=(?!=)(.+)$")


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
