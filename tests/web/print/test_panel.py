"""The printed side column's criterion lines."""

from __future__ import annotations

from web.print.panel import criterion_text


def test_criterion_text_names_value_source_level_and_clause():
    reached = {
        "name": "死亡和失踪人数",
        "value": 25,
        "source": "reported",
        "level": 2,
        "label": "二级",
        "clause": "阳泉2026 §5.2.1(1)",
        "next": {"label": "一级", "gap": 25, "clause": "阳泉2026 §5.1.1(1)"},
    }
    assert criterion_text(reached) == (
        "死亡和失踪人数：25（报告）→ 二级，阳泉2026 §5.2.1(1)；距一级差 25（阳泉2026 §5.1.1(1)）"
    )
    missed = {"indicator": "relocated", "value": 262, "source": "estimated", "level": None}
    assert criterion_text(missed) == "relocated：262（估算）→ 未达到启动条件"
