"""What an incident's decision record says in Chinese: actions, the gap, a late report.

The decision record's own entries of the label table (`web.labels` holds the rest), used
by the service's answers (`api.service.decisions`, `api.service.reports`) and served to the
browser's incident panel (`web.served_labels`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

#: The decisions on a response, as the record names them.
ACTIONS: Final[Mapping[str, str]] = {
    "start": "启动", "raise": "提升", "lower": "降低", "end": "终止"
}  # fmt: skip
GAPS: Final[Mapping[str, str]] = {  # the level called for against the one decided
    "start": "建议启动{label}响应，尚未决定",
    "above": "建议提升至{label}，尚未决定",
    "below": "建议降低至{label}，尚未决定",
    "end": "灾情已低于启动条件，尚未决定调整或终止响应",
}
LATE_FINAL: Final = "响应终止后报送：按迟报的核报处理"
#: An incident's stage: a forecast (warning response) or the response to a disaster.
STAGES: Final[Mapping[str, str]] = {"warning": "预警阶段", "response": "响应阶段"}
#: The mark of every figure computed from the population grid rather than counted.
ESTIMATED: Final = "估算"
