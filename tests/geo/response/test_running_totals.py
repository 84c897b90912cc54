"""Running totals: adding reports one by one in any order gives what the whole history gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from geo.response.history import Report, advance, cumulate

START = datetime(2026, 7, 1, tzinfo=UTC)

reports = st.lists(
    st.tuples(
        st.sampled_from(["initial", "update", "final"]),
        st.integers(min_value=0, max_value=20),  # hours after the start (ties happen)
        st.dictionaries(
            st.sampled_from(["dead_missing", "relocated"]),
            st.integers(min_value=0, max_value=100),
            min_size=1,
        ),
    ),
    max_size=12,
)


@given(reports, st.randoms())
def test_running_totals_equal_the_whole_history_in_any_arrival_order(raw, rng):
    history = [
        Report(id=f"r{i}", seq=i, kind=kind, time=START + timedelta(hours=h), figures=figures)
        for i, (kind, h, figures) in enumerate(raw, start=1)
    ]
    # Reports arrive in any order, but each is numbered as it arrives.
    arrived = list(history)
    rng.shuffle(arrived)
    numbered = [
        Report(id=r.id, seq=n, kind=r.kind, time=r.time, figures=r.figures)
        for n, r in enumerate(arrived, start=1)
    ]
    totals: dict = {}
    for report in numbered:
        totals = advance(totals, report)
    expected = cumulate(numbered)
    assert {k: (v.value, v.report_id) for k, v in totals.items()} == {
        k: (v.value, v.report_id) for k, v in expected.items()
    }
