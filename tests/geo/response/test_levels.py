"""The level verdict: never a silent "not reached", drought county by county, judgement listed.

Expected levels are read off the plans' own words, quoted beside each case.
"""

from __future__ import annotations

import pytest

from geo.errors import InputError
from geo.response.figures import CountyFigures, Figure
from geo.response.levels import evaluate
from layers.plans import PlanCatalog
from layers.resources import plans_dir

CATALOG = PlanCatalog([plans_dir()])
YANGQUAN = CATALOG.get("yangquan-2026")


def county(code: str, name: str, agri: int | None, **figures: float) -> CountyFigures:
    return CountyFigures(
        code=code,
        name=name,
        agri_population=agri,
        figures={n: Figure(v) for n, v in figures.items()},
    )


def test_drought_is_graded_county_by_county():
    # 阳泉 §5.2.1(4): 需政府救助人数占该县（区）农业人口 25%以上 30%以下 → 二级;
    # §5.4.1(4): 15%以上 20%以下 → 四级. 2600 of 10000 is 26%; 1600 of 10000 is 16%.
    verdict = evaluate(
        YANGQUAN,
        {},
        by_county=[
            county("140302", "城区", 10000, drought_aid_persons=2600),
            county("140303", "矿区", 10000, drought_aid_persons=1600),
        ],
    )
    graded = [(c.county, c.county_name, c.level, c.clause) for c in verdict.criteria]
    assert graded == [
        ("140302", "城区", 2, "阳泉2026 §5.2.1(4)"),
        ("140303", "矿区", 4, "阳泉2026 §5.4.1(4)"),
    ]
    assert (verdict.level, verdict.evaluated) == (2, True)


def test_the_whole_event_is_not_divided_by_one_county():
    # 26% in one county, 0.1% in another: the first county alone reaches 二级. Pooling the
    # persons over one county's farm population would give 26.1% there or 13.05% in total.
    verdict = evaluate(
        YANGQUAN,
        {},
        by_county=[
            county("140302", "城区", 10000, drought_aid_persons=2600),
            county("140303", "矿区", 10000, drought_aid_persons=10),
        ],
    )
    assert [c.value for c in verdict.criteria] == [0.26, 0.001]


def test_a_share_above_one_names_the_figure_and_the_county():
    with pytest.raises(InputError, match=r"figures\.by_county\.140302\.drought_aid_persons.*城区"):
        evaluate(YANGQUAN, {}, by_county=[county("140302", "城区", 400, drought_aid_persons=401)])


def test_drought_persons_without_a_county_are_not_evaluated():
    verdict = evaluate(YANGQUAN, {"drought_aid_persons": Figure(30000)})
    (criterion,) = verdict.criteria
    assert criterion.status == "not_evaluated"
    assert criterion.missing == ("figures.by_county",)
    assert criterion.note is not None
    assert criterion.note.startswith("未评估：缺少受灾县（区）")
    assert (verdict.level, verdict.evaluated) == (None, False)


def test_a_county_without_agricultural_population_is_not_evaluated():
    verdict = evaluate(
        YANGQUAN, {}, by_county=[county("140303", "矿区", None, drought_aid_persons=5)]
    )
    (criterion,) = verdict.criteria
    assert (criterion.status, criterion.county) == ("not_evaluated", "140303")
    assert criterion.missing == ("layers.counties.agri_population",)
    assert not verdict.evaluated


def test_no_figure_is_not_evaluated_and_lists_what_to_give():
    verdict = evaluate(YANGQUAN, {})
    assert (verdict.level, verdict.evaluated, verdict.criteria) == (None, False, ())
    assert set(verdict.not_given) == {
        "dead_missing",
        "relocated",
        "collapsed_rooms",
        "collapsed_households",
        "drought_aid_share",
    }


def test_a_figure_below_every_threshold_is_evaluated_and_still_lists_judgement():
    # 阳泉 §5.4.1(1): 死亡和失踪 3 人以上 → 四级; 2 reaches nothing.
    verdict = evaluate(YANGQUAN, {"dead_missing": Figure(2)})
    assert (verdict.level, verdict.evaluated) == (None, True)
    assert [(j.level, j.clause) for j in verdict.judgement] == [
        (1, "阳泉2026 §5.1.1(5)"),
        (2, "阳泉2026 §5.2.1(5)"),
        (3, "阳泉2026 §5.3.1(5)"),
        (4, "阳泉2026 §5.4.1(5)"),
    ]


def test_panzhihua_counts_the_counties_drought_persons_together():
    # 攀枝花 §5.3.1(一)(4): 需政府救助人数 5 万人以上 10 万人以下 → 三级 (30000 + 25000).
    verdict = evaluate(
        CATALOG.get("panzhihua-2024"),
        {},
        by_county=[
            county("510402", "东区", None, drought_aid_persons=30000),
            county("510403", "西区", None, drought_aid_persons=25000),
        ],
    )
    (criterion,) = verdict.criteria
    assert (criterion.value, criterion.source, criterion.level) == (55000, "estimated", 3)
    assert criterion.clause == "攀枝花2024 §5.3.1(一)(4)"


def test_yueqing_counts_collapsed_rooms_and_quake_rooms_apart():
    plan = CATALOG.get("yueqing-2016")
    # §6.2.1(2): 发生重大地震灾害，……房屋倒塌和严重损房1500间以上、2000间以下 → Ⅱ级.
    quake = evaluate(plan, {"collapsed_or_severe_rooms": Figure(1600)}, hazard="earthquake")
    assert (quake.level, quake.criteria[0].name) == (2, "房屋倒塌和严重损房间数")
    # §6.3.1(1)d: 倒塌房屋1000间以上、1500间以下 → Ⅲ级, for a typhoon.
    storm = evaluate(plan, {"collapsed_rooms": Figure(1200)}, hazard="typhoon")
    assert (storm.level, storm.criteria[0].name) == (3, "倒塌房屋间数")
    # Collapsed rooms alone cannot grade an earthquake: the rule counts severe damage too.
    old = evaluate(plan, {"collapsed_rooms": Figure(1600)}, hazard="earthquake")
    assert old.criteria[0].status == "not_evaluated"
    assert old.criteria[0].missing == ("collapsed_or_severe_rooms",)
    assert (old.level, old.evaluated) == (None, False)
