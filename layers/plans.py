"""Read plan profiles (``data/plans/*.toml``) into `geo.plans.model.Plan` objects."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from geo.errors import PlanError, PlanNotFound
from geo.plans.model import Plan
from geo.plans.parse import parse_plan
from layers._toml import read_toml as _read_toml  # the one profile reader, private to layers


@dataclass(frozen=True)
class PlanFile:
    """A parsed plan with the file it came from and that file's SHA-256."""

    plan: Plan
    path: Path
    sha256: str


def read_plan(path: Path) -> PlanFile:
    """Read and validate one plan profile file.

    Raises
    ------
    PlanError
        The file cannot be read as UTF-8 TOML, a key is malformed, or the plan's id is not
        the file name.
    """
    data, raw = _read_toml(path, what="plan profile", error=PlanError)
    plan = parse_plan(data, source=path.name)
    if plan.id != path.stem:
        raise PlanError(f"plan profile {path.name}: id {plan.id!r} must match the file name")
    return PlanFile(plan=plan, path=path, sha256=hashlib.sha256(raw).hexdigest())


class PlanCatalog:
    """Every plan profile found in the given folders, read once; later folders override."""

    def __init__(self, folders: Iterable[Path]) -> None:
        self._files: dict[str, PlanFile] = {}
        for folder in folders:
            if not folder.is_dir():
                raise PlanError(f"plan folder {folder} does not exist")
            for path in sorted(folder.glob("*.toml")):
                entry = read_plan(path)
                self._files[entry.plan.id] = entry

    def ids(self) -> list[str]:
        """Plan ids in alphabetical order."""
        return sorted(self._files)

    def get(self, plan_id: str) -> Plan:
        """The plan with this id, or `PlanNotFound` listing the known ids."""
        return self.file(plan_id).plan

    def file(self, plan_id: str) -> PlanFile:
        """The plan with its source file and hash."""
        try:
            return self._files[plan_id]
        except KeyError:
            raise PlanNotFound(
                f"plan {plan_id!r} is not known; known plans: {', '.join(self.ids())}"
            ) from None

    def __iter__(self) -> Iterator[PlanFile]:
        """The plan files in id order."""
        return iter(self._files[i] for i in self.ids())
