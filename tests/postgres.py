"""A fresh database on the test machine's PostgreSQL server (127.0.0.1:5432, trust auth)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

#: Where the PostgreSQL server of the test machine listens (trust auth).
ADMIN_DSN = os.environ.get("RELIEF_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def _reachable() -> bool:
    try:
        with psycopg.connect(ADMIN_DSN, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@contextmanager
def fresh_database() -> Iterator[str]:
    """Yield the SQLAlchemy URL of a new database, dropped afterwards (skip if no server)."""
    if not _reachable():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {ADMIN_DSN} in CI")
        pytest.skip(f"PostgreSQL is not reachable at {ADMIN_DSN}")
    name = f"reliefgis_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def plain_dsn(url: str) -> str:
    """The psycopg DSN of a SQLAlchemy URL."""
    return url.replace("postgresql+psycopg://", "postgresql://")
