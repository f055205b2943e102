"""Planning: --ids are checked against the loaded samples of every task of the run."""

from __future__ import annotations

import pytest

from mmalign_eval.contracts import Sample
from mmalign_eval.errors import UsageError
from mmalign_eval.plan import check_ids, select

SAMPLES = [Sample(id=str(i), task="t", question="q") for i in range(1, 6)]
OTHER = [Sample(id="1005", task="u", question="q")]


@pytest.mark.parametrize(
    ("ids", "unknown"),
    [((), None), (("1", "5"), None), (("1", "1005"), None), (("1", "2", "99999"), "99999")],
    ids=["none", "known", "known-to-another-task", "unknown"],
)
def test_unknown_ids_are_a_usage_error(ids: tuple[str, ...], unknown: str | None) -> None:
    if unknown is None:
        check_ids(ids, [*SAMPLES, *OTHER])
    else:
        with pytest.raises(UsageError, match=rf"--ids names 1 ids .*e\.g\. {unknown}"):
            check_ids(ids, [*SAMPLES, *OTHER])


def test_select_keeps_the_order_of_ids_and_the_limit() -> None:
    assert [s.id for s in select(SAMPLES, None, ("3", "1"))] == ["3", "1"]
    assert [s.id for s in select(SAMPLES, 2, ())] == ["1", "2"]
