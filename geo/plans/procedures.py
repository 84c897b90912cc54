"""Who decides a response level: the plan's 启动程序 and 响应终止, each with its clause.

A level is started, raised, lowered and ended by decision (阳泉2026 §5.x.2 启动程序, §5.7
响应终止 「按启动响应的相应权限终止响应」; 江苏 §5.7 响应提升, §5.8; 乐清2016 §6.x.2, §6.x.3).
The profile's ``[decisions]`` table lists, per level, the roles the plan names as deciders,
quoting the clause; `parse_procedures` checks it through the plan parser's collector.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geo.errors import Problems
from geo.plans._fields import required_text, unknown_keys

_LEVELS = (1, 2, 3, 4)
_KEYS = frozenset({"termination_clause", "termination_text", "levels"})
_LEVEL_KEYS = frozenset(
    {"level", "clause", "text", "deciders", "end_clause", "end_text", "end_deciders"}
)


@dataclass(frozen=True)
class Authority:
    """Who may decide one thing for one level, and where the plan says so."""

    deciders: tuple[str, ...]
    clause: str
    text: str


@dataclass(frozen=True)
class LevelProcedure:
    """The authority to start (raise or lower to) a level, and to end it."""

    level: int
    start: Authority
    end: Authority


@dataclass(frozen=True)
class Procedures:
    """The plan's decision procedures for its four levels."""

    levels: tuple[LevelProcedure, ...]

    def of(self, level: int) -> LevelProcedure:
        """The procedure of ``level`` (1 is the highest)."""
        return next(p for p in self.levels if p.level == level)


def _names(raw: Mapping[str, Any], key: str, problems: Problems, where: str) -> tuple[str, ...]:
    value = raw.get(key)
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        problems.add(where + key, "expected a non-empty list of the roles the plan names")
        return ()
    return tuple(value)


def _level(
    raw: Mapping[str, Any], termination: Authority, problems: Problems, where: str
) -> LevelProcedure | None:
    unknown_keys(raw, _LEVEL_KEYS, problems, where)
    level = raw.get("level")
    if isinstance(level, bool) or level not in _LEVELS:
        problems.add(where + "level", "expected 1, 2, 3 or 4")
        return None
    start = Authority(
        deciders=_names(raw, "deciders", problems, where),
        clause=required_text(raw, "clause", problems, where),
        text=required_text(raw, "text", problems, where),
    )
    if "end_clause" in raw or "end_deciders" in raw or "end_text" in raw:
        end = Authority(
            deciders=_names(raw, "end_deciders", problems, where),
            clause=required_text(raw, "end_clause", problems, where),
            text=required_text(raw, "end_text", problems, where),
        )
    else:  # 按启动响应的相应权限终止响应
        end = Authority(start.deciders, termination.clause, termination.text)
    return LevelProcedure(level=int(level), start=start, end=end)


def parse_procedures(raw: object, problems: Problems) -> Procedures | None:
    """Parse a profile's ``[decisions]`` table; faults go to ``problems``.

    Each level needs its start deciders with the 启动程序 clause; its end deciders default
    to the same roles under the plan's termination clause (「按启动响应的相应权限」).
    """
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.add("decisions", "expected a table with termination_clause, [[decisions.levels]]")
        return None
    for key in sorted(set(raw) - _KEYS):
        problems.add(f"decisions.{key}", f"unknown key; expected one of {sorted(_KEYS)}")
    termination = Authority(
        deciders=(),
        clause=required_text(raw, "termination_clause", problems, "decisions."),
        text=required_text(raw, "termination_text", problems, "decisions."),
    )
    entries = raw.get("levels", [])
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        problems.add("decisions.levels", "expected an array of tables ([[decisions.levels]])")
        entries = []
    found = [
        p
        for i, entry in enumerate(entries)
        if (p := _level(entry, termination, problems, f"decisions.levels[{i}].")) is not None
    ]
    if sorted(p.level for p in found) != list(_LEVELS):
        problems.add("decisions.levels", "expected one table for each level 1-4")
    return Procedures(levels=tuple(sorted(found, key=lambda p: p.level)))
