"""Service settings: read once from the environment or the command line, then injected."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from api.security import ApiKey, parse_api_keys
from geo.errors import InputError
from layers.resources import demo_pack_dir

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024

#: The datums basemap tiles may be in: GCJ-02 makes the browser shift the WGS84 data.
Datum = Literal["WGS84", "GCJ-02"]
_DATUMS: dict[str, Datum] = {
    "WGS84": "WGS84",
    "WGS-84": "WGS84",
    "GCJ-02": "GCJ-02",
    "GCJ02": "GCJ-02",
}
_TILE_PLACEHOLDERS = ("{z}", "{x}", "{y}")


def _number(variable: str, text: str, kind: type[int] | type[float]) -> int | float:
    try:
        return kind(text)
    except ValueError:
        expected = "a whole number" if kind is int else "a number"
        raise InputError(f"{variable}: expected {expected}, got {text!r}", field=variable) from None


def default_state_dir() -> Path:
    """Where the embedded store lives: ``$XDG_DATA_HOME/reliefgis`` or ``~/.local/share``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "reliefgis"


@dataclass(frozen=True)
class Settings:
    """Everything the service is configured with; ``create_app`` takes one of these.

    Environment variables:

    - ``RELIEF_DATA``: layer pack folder (default: the embedded Yangquan demo)
    - ``RELIEF_PLANS``: extra plan folders, ``:``-separated, read after the embedded
      profiles so that a file with the same id overrides
    - ``RELIEF_DEFAULT_PLAN``: plan used when a request names none (default: the plan
      whose jurisdiction code covers the pack's counties)
    - ``RELIEF_STATE_DIR``: folder of the embedded SQLite store
    - ``RELIEF_DATABASE_URL``: a SQLAlchemy URL (PostgreSQL/PostGIS) instead of SQLite
    - ``RELIEF_SETBACKS``, ``RELIEF_DISPLACEMENT``: other setback / displacement profiles
    - ``RELIEF_NEEDS``, ``RELIEF_SPEEDS``: other needs / road-speed profiles
    - ``RELIEF_SNAP_M``: how far a depot or shelter may be from an open road (default 500)
    - ``RELIEF_EVACUATION_SNAP_M``: how far evacuees may walk to a road (default 2000)
    - ``RELIEF_TRAVEL_MAX_POINTS``: most sources, and most destinations, one travel
      request may name (default 100)
    - ``RELIEF_CLOSING_KINDS``: hazard-zone kinds that close roads too, comma-separated
    - ``RELIEF_PLANNING_DAYS``: days of needs to supply (default: the needs profile's, 3)
    - ``RELIEF_READINESS_MARGIN``: safety margin on depot readiness (default: profile's)
    - ``RELIEF_MAX_BODY_BYTES``: largest request body (413 above)
    - ``RELIEF_FAULT_STRIKE_KM``: how far from an epicentre a ``fault`` hazard zone may lie
      to lend the intensity field its strike when none is given (default 30 km: about the
      location error of a first-hour epicentre plus the half-length of a M6 rupture)
    - ``RELIEF_API_KEYS``: ``KEY:ROLE`` entries, comma-separated, each optionally
      ``NAME=KEY:ROLE``; roles viewer, analyst, admin (api/security.py). When set, every
      ``/api/v1`` call needs ``Authorization: Bearer KEY``
    - ``RELIEF_OGC_MAX_LIMIT``: the most features one ``/ogc`` items page may hold
      (default 1000; a larger ``limit`` is answered with this many)
    - ``RELIEF_CORS_ORIGINS``: browser origins allowed to call the API, comma-separated
      (CORS is closed when unset)
    - ``RELIEF_COMPUTE_PROCESSES``: worker processes for assessments and printed maps
      (0, the default here: threads of the server process; ``reliefgis serve`` starts one
      per core unless told otherwise; see `api.service.compute`)
    - ``RELIEF_TILES_URL``: an XYZ tile URL template (``{z}/{x}/{y}``) of a tile server
      the analysts' machines reach, for the browser map; unset (the default) means no
      basemap at all
    - ``RELIEF_TILES_DATUM``: ``WGS84`` (default) or ``GCJ-02`` (AMap- and Tencent-style
      tiles; the app then shifts the WGS84 data onto them). BD-09 tiles are refused.
    - ``RELIEF_TILES_ATTRIBUTION``: the credit line the tile provider asks for
    - ``RELIEF_CALENDAR``: a folder of working-day calendar files (``*.toml``: public
      holidays and 调休 of years ``chinese-calendar`` does not cover; data/calendar/README.md)
    - ``RELIEF_MAP_CACHE_MB``: megabytes of printed maps, incident maps and exports kept
      once made, per server process (default 256; least recently used out first)
    - ``RELIEF_RENDERS_PER_CLIENT``: maps or exports made at once for one client (its API
      key, else its address; default 2), and ``RELIEF_RENDER_QUEUE`` more waiting (default
      4); beyond that 429 with ``Retry-After`` (``RELIEF_RENDER_RETRY_S``, default 10)
    - ``RELIEF_MAP_MAX_VERTICES``: vertices of footprint and routes a map draws; above it
      they are simplified to print precision and the map says so (default 50000)
    - ``RELIEF_FONT``: the Chinese font of the printed map, a file (``.ttf``/``.ttc``) or
      an installed face name (``SimHei``, ``Microsoft YaHei``); found by searching when
      unset (web/print/fonts.py)
    """

    data_dir: Path = field(default_factory=demo_pack_dir)
    plan_dirs: tuple[Path, ...] = ()
    default_plan: str | None = None
    state_dir: Path = field(default_factory=default_state_dir)
    database_url: str | None = None
    setbacks: Path | None = None
    displacement: Path | None = None
    needs: Path | None = None
    speeds: Path | None = None
    snap_max_m: float = 500.0
    evacuation_snap_m: float = 2000.0
    closing_kinds: tuple[str, ...] = ()
    fault_strike_km: float = 30.0
    travel_max_points: int = 100
    planning_days: int | None = None
    readiness_margin: float | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    #: Never shown in a repr: only names, roles and digests are kept in any case.
    api_keys: tuple[ApiKey, ...] = field(default=(), repr=False)
    cors_origins: tuple[str, ...] = ()
    ogc_max_limit: int = 1000
    compute_processes: int = 0
    tiles_url: str | None = None
    tiles_datum: Datum = "WGS84"
    tiles_attribution: str | None = None
    font: str | None = None
    calendar_dir: Path | None = None
    map_cache_mb: int = 256
    renders_per_client: int = 2
    render_queue: int = 4
    render_retry_s: int = 10
    map_max_vertices: int = 50_000

    def __post_init__(self) -> None:
        """Refuse settings that cannot work."""
        if self.compute_processes < 0:
            raise InputError(
                f"compute processes: expected 0 or more, got {self.compute_processes}",
                field="compute_processes",
            )
        least = {
            "RELIEF_MAP_CACHE_MB": (self.map_cache_mb, 0),
            "RELIEF_RENDERS_PER_CLIENT": (self.renders_per_client, 1),
            "RELIEF_RENDER_QUEUE": (self.render_queue, 0),
            "RELIEF_RENDER_RETRY_S": (self.render_retry_s, 1),
            "RELIEF_MAP_MAX_VERTICES": (self.map_max_vertices, 100),
        }
        for variable, (value, minimum) in least.items():
            if value < minimum:
                raise InputError(
                    f"{variable}: expected {minimum} or more, got {value}", field=variable
                )
        if self.ogc_max_limit < 1:
            raise InputError(
                f"RELIEF_OGC_MAX_LIMIT: expected 1 or more, got {self.ogc_max_limit}",
                field="RELIEF_OGC_MAX_LIMIT",
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``RELIEF_*`` environment variables, defaults elsewhere."""
        env = os.environ if env is None else env
        kwargs: dict[str, object] = {
            **_paths(env),
            **_numbers(env),
            **_lists(env),
            **_tiles(env),
        }
        if env.get("RELIEF_DEFAULT_PLAN"):
            kwargs["default_plan"] = env["RELIEF_DEFAULT_PLAN"]
        if env.get("RELIEF_FONT"):
            kwargs["font"] = env["RELIEF_FONT"]
        if env.get("RELIEF_DATABASE_URL"):
            kwargs["database_url"] = env["RELIEF_DATABASE_URL"]
        if env.get("RELIEF_API_KEYS", "").strip():
            kwargs["api_keys"] = parse_api_keys(env["RELIEF_API_KEYS"])
        return cls(**kwargs)  # type: ignore[arg-type]


def _paths(env: Mapping[str, str]) -> dict[str, object]:
    """The folders and profile files named by the environment."""
    paths = {
        "RELIEF_DATA": "data_dir",
        "RELIEF_STATE_DIR": "state_dir",
        "RELIEF_SETBACKS": "setbacks",
        "RELIEF_DISPLACEMENT": "displacement",
        "RELIEF_NEEDS": "needs",
        "RELIEF_SPEEDS": "speeds",
        "RELIEF_CALENDAR": "calendar_dir",
    }
    found: dict[str, object] = {
        name: Path(env[variable]) for variable, name in paths.items() if env.get(variable)
    }
    if env.get("RELIEF_PLANS"):
        found["plan_dirs"] = tuple(Path(p) for p in env["RELIEF_PLANS"].split(os.pathsep) if p)
    return found


def _numbers(env: Mapping[str, str]) -> dict[str, object]:
    """The numbers named by the environment, each checked."""
    numbers = {
        "RELIEF_SNAP_M": ("snap_max_m", float),
        "RELIEF_EVACUATION_SNAP_M": ("evacuation_snap_m", float),
        "RELIEF_PLANNING_DAYS": ("planning_days", int),
        "RELIEF_READINESS_MARGIN": ("readiness_margin", float),
        "RELIEF_MAX_BODY_BYTES": ("max_body_bytes", int),
        "RELIEF_FAULT_STRIKE_KM": ("fault_strike_km", float),
        "RELIEF_TRAVEL_MAX_POINTS": ("travel_max_points", int),
        "RELIEF_COMPUTE_PROCESSES": ("compute_processes", int),
        "RELIEF_OGC_MAX_LIMIT": ("ogc_max_limit", int),
        "RELIEF_MAP_CACHE_MB": ("map_cache_mb", int),
        "RELIEF_RENDERS_PER_CLIENT": ("renders_per_client", int),
        "RELIEF_RENDER_QUEUE": ("render_queue", int),
        "RELIEF_RENDER_RETRY_S": ("render_retry_s", int),
        "RELIEF_MAP_MAX_VERTICES": ("map_max_vertices", int),
    }
    return {
        name: _number(variable, env[variable], kind)
        for variable, (name, kind) in numbers.items()
        if env.get(variable)
    }


def _comma_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _lists(env: Mapping[str, str]) -> dict[str, object]:
    """The comma-separated lists named by the environment."""
    lists = {"RELIEF_CLOSING_KINDS": "closing_kinds", "RELIEF_CORS_ORIGINS": "cors_origins"}
    return {
        name: _comma_list(env[variable]) for variable, name in lists.items() if env.get(variable)
    }


def _tiles(env: Mapping[str, str]) -> dict[str, object]:
    """The browser map's basemap (``RELIEF_TILES_*``), checked."""
    url = env.get("RELIEF_TILES_URL") or None
    raw_datum = (env.get("RELIEF_TILES_DATUM") or "WGS84").strip().upper()
    datum = _DATUMS.get(raw_datum)
    if datum is None:
        raise InputError(
            f"RELIEF_TILES_DATUM: expected WGS84 or GCJ-02, got {raw_datum!r} "
            "(BD-09 tiles cannot be shifted and are not supported)",
            field="RELIEF_TILES_DATUM",
        )
    if url is not None:
        if not url.startswith(("http://", "https://", "/")):
            raise InputError(
                f"RELIEF_TILES_URL: expected an http(s) URL or a path, got {url!r}",
                field="RELIEF_TILES_URL",
            )
        missing = [p for p in _TILE_PLACEHOLDERS if p not in url]
        if missing:
            raise InputError(
                f"RELIEF_TILES_URL: the template lacks {', '.join(missing)}",
                field="RELIEF_TILES_URL",
            )
    return {
        "tiles_url": url,
        "tiles_datum": datum,
        "tiles_attribution": env.get("RELIEF_TILES_ATTRIBUTION") or None,
    }
