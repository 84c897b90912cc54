"""Service settings: read once from the environment or the command line, then injected."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from layers.resources import demo_pack_dir

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Everything the service is configured with; ``create_app`` takes one of these.

    Environment variables: ``RELIEF_DATA`` (layer pack folder, default the embedded
    Yangquan demo), ``RELIEF_PLANS`` (extra plan folders, ``:``-separated, read after the
    embedded profiles so a file with the same id overrides), ``RELIEF_MAX_BODY_BYTES``.
    """

    data_dir: Path = field(default_factory=demo_pack_dir)
    plan_dirs: tuple[Path, ...] = ()
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``RELIEF_*`` environment variables, defaults elsewhere."""
        env = os.environ if env is None else env
        kwargs: dict[str, object] = {}
        if env.get("RELIEF_DATA"):
            kwargs["data_dir"] = Path(env["RELIEF_DATA"])
        if env.get("RELIEF_PLANS"):
            kwargs["plan_dirs"] = tuple(Path(p) for p in env["RELIEF_PLANS"].split(os.pathsep) if p)
        if env.get("RELIEF_MAX_BODY_BYTES"):
            kwargs["max_body_bytes"] = int(env["RELIEF_MAX_BODY_BYTES"])
        return cls(**kwargs)  # type: ignore[arg-type]
