"""The embedded store's SQLite file and how each connection to it is set up."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry


def sqlite_url(folder: Path) -> str:
    """The URL of the embedded store's single SQLite file in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'reliefgis.sqlite'}"


def sqlite_pragmas(dbapi_connection: DBAPIConnection, _: ConnectionPoolEntry) -> None:
    """Set up a new SQLite connection: WAL, durable commits, foreign keys, a busy wait."""
    # WAL lets readers run beside the writer; synchronous=FULL makes every commit
    # durable before it is acknowledged.
    # The store issues BEGIN itself (``sqlite_begin``), so pysqlite must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def sqlite_begin(connection: Connection) -> None:
    """Begin a transaction; a writer's takes the write lock at once (``BEGIN IMMEDIATE``)."""
    # A writer takes the write lock when it begins, so two writers never both read the
    # old history and then collide; readers get a consistent WAL snapshot.
    immediate = connection.get_execution_options().get("immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
