"""The response as a record of decisions: start, raise, lower and end a level.

Only a decision changes the level in force (阳泉2026 §5.x.2 启动程序, §5.7 「按启动响应的相应
权限终止响应」; 江苏 §5.7 响应提升, §5.8; 乐清2016 §6.x.2, §6.x.3); graded reports only
recommend. `check_decision` refuses a decision the plan does not allow, naming the field;
`response_state` reads the decisions; `recommend` compares a verdict with the level in force.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from geo.errors import DecisionRefused
from geo.plans.model import Plan
from geo.plans.procedures import Authority

Action = Literal["start", "raise", "lower", "end"]
Relation = Literal["none", "start", "above", "same", "below", "end"]


@dataclass(frozen=True)
class Decision:
    """One decision on the response, as recorded."""

    id: str
    seq: int
    action: Action
    level: int | None
    decided_by: str
    time: datetime
    basis: str
    #: The decision declares the disaster stable (灾情稳定).
    stable: bool = False


@dataclass(frozen=True)
class ResponseState:
    """The response as the decisions up to a moment leave it."""

    level: int | None
    started: datetime | None
    ended: datetime | None
    stable: datetime | None
    #: (time, level in force from then on; None after the end), in time order.
    periods: tuple[tuple[datetime, int | None], ...]


def ordered(decisions: Sequence[Decision]) -> list[Decision]:
    """Decisions by their time, ties in the order they were recorded."""
    return sorted(decisions, key=lambda d: (d.time, d.seq))


def response_state(decisions: Sequence[Decision], at: datetime | None = None) -> ResponseState:
    """The level in force (None before a start and after the end), at ``at`` or at the last."""
    level: int | None = None
    started = ended = stable = None
    periods: list[tuple[datetime, int | None]] = []
    for decision in ordered(decisions):
        if at is not None and decision.time > at:
            break
        if decision.stable and stable is None:
            stable = decision.time
        if decision.action == "end":
            level, ended = None, decision.time
        else:
            level = decision.level
            started = started or decision.time
        periods.append((decision.time, level))
    return ResponseState(
        level=level, started=started, ended=ended, stable=stable, periods=tuple(periods)
    )


def _refuse(field: str, message: str) -> DecisionRefused:
    return DecisionRefused(f"{field}: {message}", field=field)


def _authority(plan: Plan, new: Decision, in_force: int | None) -> list[Authority]:
    """Who may take ``new``.

    The authority of the level entered (江苏 §5.7 「按照启动响应的相应权限」); for a lower
    also that of the level in force; for an end that of the level ended.
    """
    if plan.procedures is None:
        raise _refuse("plan", f"{plan.id} profiles no decision procedure ([decisions])")
    if new.action == "end":
        assert in_force is not None  # checked before
        return [plan.procedures.of(in_force).end]
    assert new.level is not None  # checked before
    found = [plan.procedures.of(new.level).start]
    if new.action == "lower" and in_force is not None:
        found.append(plan.procedures.of(in_force).start)
    return found


def _check_action(new: Decision, state: ResponseState) -> None:
    if state.ended is not None:
        raise _refuse("action", f"the response was ended at {state.ended.isoformat()}")
    if new.action == "end":
        if new.level is not None:
            raise _refuse("level", "an end takes no level")
        if state.level is None:
            raise _refuse("action", "end: no response is in force")
        return
    if new.level is None:
        raise _refuse("level", f"a {new.action} needs the level (1–4)")
    if new.action == "start" and state.level is not None:
        raise _refuse("action", f"start: level {state.level} is already in force; raise or lower")
    if new.action in ("raise", "lower") and state.level is None:
        raise _refuse("action", f"{new.action}: no response is in force; start one first")
    if new.action == "raise" and state.level is not None and new.level >= state.level:
        raise _refuse("level", f"raise: level {new.level} is not above level {state.level}")
    if new.action == "lower" and state.level is not None and new.level <= state.level:
        raise _refuse("level", f"lower: level {new.level} is not below level {state.level}")


def check_decision(
    plan: Plan, *, started: datetime, decisions: Sequence[Decision], new: Decision
) -> Authority:
    """The authority (deciders, clause) under which ``new`` is taken, or `DecisionRefused` (422).

    Refused, naming the field: a time before the incident started or before the latest
    decision; a raise, lower or end with nothing in force; anything after the end; an end
    with a level; a decider the plan does not name for the level.
    """
    if new.time < started:
        raise _refuse(
            "time", f"{new.time.isoformat()} is before the incident started ({started.isoformat()})"
        )
    state = response_state(decisions)
    if decisions and new.time < ordered(decisions)[-1].time:
        latest = ordered(decisions)[-1].time.isoformat()
        raise _refuse("time", f"{new.time.isoformat()} is before the latest decision ({latest})")
    _check_action(new, state)
    authorities = _authority(plan, new, state.level)
    for authority in authorities:
        if new.decided_by.strip() in authority.deciders:
            return authority
    allowed = list(dict.fromkeys(d for a in authorities for d in a.deciders))
    clauses = "、".join(plan.cite(a.clause) for a in authorities)
    raise _refuse(
        "decided_by",
        f"{new.decided_by!r} does not decide this under {clauses}; expected one of {allowed}",
    )


@dataclass(frozen=True)
class Recommendation:
    """The level the graded figures call for, against the level in force."""

    level: int | None
    label: str | None
    clauses: tuple[str, ...]
    in_force: int | None
    #: start (a level is called for, none in force), above, same, below, end (none called
    #: for while one is in force) or none.
    relation: Relation

    @property
    def gap(self) -> bool:
        """Whether the figures call for something the decisions have not done."""
        return self.relation in ("start", "above", "below", "end")


def recommend(
    plan: Plan,
    level: int | None,
    clauses: Sequence[str],
    state: ResponseState,
) -> Recommendation:
    """Compare the verdict's ``level`` (with its criteria ``clauses``) with the level in force.

    After the end nothing is recommended against the response: a later report is a late 核报.
    """
    in_force = state.level
    relation: Relation
    if state.ended is not None or (level is None and in_force is None):
        relation = "none"
    elif in_force is None:
        relation = "start"
    elif level is None:
        relation = "end"
    else:
        relation = "above" if level < in_force else "same" if level == in_force else "below"
    return Recommendation(
        level=level,
        label=plan.level_spec(level).label if level else None,
        clauses=tuple(clauses),
        in_force=in_force,
        relation=relation,
    )
