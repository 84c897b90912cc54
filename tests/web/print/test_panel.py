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


def test_a_share_prints_as_a_percentage_with_its_gap_in_points():
    # 乐清 §6.2.1(1)a: 受灾人口占全市总人口的20%以上 → Ⅱ级; 19.5% is 0.5 points short.
    criterion = {
        "indicator": "affected_share",
        "name": "受灾人口占总人口比例",
        "value": 0.19543973941368079,
        "source": "estimated",
        "level": 3,
        "label": "三级",
        "clause": "乐清2016 §6.3.1(1)a",
        "next": {
            "label": "二级",
            "gap": 0.20 - 0.19543973941368079,
            "clause": "乐清2016 §6.2.1(1)a",
        },
    }
    assert criterion_text(criterion) == (
        "受灾人口占总人口比例：19.5%（估算）→ 三级，乐清2016 §6.3.1(1)a；"
        "距二级差 0.5 个百分点（乐清2016 §6.2.1(1)a）"
    )


def test_a_criterion_not_evaluated_says_so():
    criterion = {
        "indicator": "drought_aid_persons",
        "name": "干旱需政府救助人数",
        "value": 30000,
        "status": "not_evaluated",
        "note": "未评估：缺少受灾县（区）",
    }
    assert criterion_text(criterion) == "干旱需政府救助人数：未评估：缺少受灾县（区）"
