"""The one transportation problem: a literal case, the unmet slack, the integrality check."""

from __future__ import annotations

import numpy as np
import pytest

from geo.errors import InternalError
from geo.transport import round_whole, solve_transport


def test_cheapest_pairs_first_and_the_excess_left_unmet() -> None:
    # Two served nodes want 5 and 4; two limited nodes hold 3 and 4.
    served = np.array([0, 0, 1, 1])
    limited = np.array([0, 1, 0, 1])
    solution = solve_transport(
        np.array([1.0, 2.0, 2.0, 1.0]),
        served=served,
        limited=limited,
        wanted=np.array([5.0, 4.0]),
        available=np.array([3.0, 4.0]),
        what="test",
    )
    assert np.allclose(solution.flows, [3.0, 0.0, 0.0, 4.0])
    assert np.allclose(solution.unmet, [2.0, 0.0])


def test_a_fractional_plan_is_refused() -> None:
    assert round_whole(np.array([2.0000000001, 3.0]), largest=10.0, what="t").tolist() == [2.0, 3.0]
    with pytest.raises(InternalError, match="t: HiGHS returned a fractional plan"):
        round_whole(np.array([2.5]), largest=10.0, what="t")
