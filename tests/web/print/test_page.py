"""Layout of the printed page: fitting boxes, lists and the scale ratio."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from web.print.footer import round_ratio
from web.print.page import SHRINK_STEPS, Flow, Page, fit, listing


def test_listing_summarises_long_lists():
    assert listing(["a", "b"]) == "a、b"
    assert listing([str(i) for i in range(10)], limit=3) == "0、1、2 等 10 处"


@pytest.mark.parametrize(("ratio", "rounded"), [(89_123.0, 89_000), (1_234_567.0, 1_200_000)])
def test_scale_ratio_is_rounded(ratio, rounded):
    assert round_ratio(ratio) == rounded


def test_fit_shrinks_type_until_the_content_fits():
    page = Page(figure=Figure(figsize=(16.5, 11.7)), scale=1.0)

    def lines(count):
        def content(flow: Flow) -> None:
            for i in range(count):
                flow.paragraph(f"第 {i} 行")

        return content

    assert fit(page, (0, 0, 100, 100), lines(5)) == 1.0
    assert fit(page, (0, 0, 100, 100), lines(40)) < 1.0
    assert fit(page, (0, 0, 100, 100), lines(1000)) == SHRINK_STEPS[-1]
