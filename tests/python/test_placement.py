"""compute_commissions with a given placement tree (optional placement/leg tree columns)."""

from __future__ import annotations

from decimal import Decimal

import downline as dl
import polars as pl
import pytest

BINARY = {
    "placement": {"kind": "binary", "rule": "left"},
    "bonus": [{"kind": "binary", "rate": "0.10"}],
}
TREE = pl.DataFrame({"id": [1, 2, 3, 4], "sponsor": [None, 1, 1, 2], "join_month": [1, 1, 1, 1]})
VOL = pl.DataFrame({"id": [1, 2, 3, 4], "month": [1, 1, 1, 1], "pv": [100, 100, 100, 100]})


def _rows(df: pl.DataFrame) -> list[tuple]:
    return [tuple(r) for r in df.select(["month", "id", "bonus", "amount"]).iter_rows()]


def test_placement_columns_are_paid_as_given():
    plan = dl.Plan.from_dict(BINARY)
    # By the rule (extreme left) nobody has a right leg: nothing is paid.
    assert _rows(dl.compute_commissions(plan, TREE, VOL)) == []
    # Given: 2 = 1.left, 3 = 1.right, 4 = 2.left → 1 pairs left 200 with right 100: 10.00.
    tree = TREE.with_columns(
        placement=pl.Series([None, 1, 1, 2], dtype=pl.Int64),
        leg=pl.Series([None, 0, 1, 0], dtype=pl.Int64),
    )
    assert _rows(dl.compute_commissions(plan, tree, VOL)) == [(1, 1, "binary", Decimal("10.00"))]
    # Without a leg column each goes to its parent's first open leg: the same tree here.
    tree_no_leg = tree.drop("leg")
    assert _rows(dl.compute_commissions(plan, tree_no_leg, VOL)) == _rows(
        dl.compute_commissions(plan, tree, VOL)
    )


def test_bad_placement_is_an_input_error():
    plan = dl.Plan.from_dict(BINARY)
    tree = TREE.with_columns(
        placement=pl.Series([None, 1, 1, 2], dtype=pl.Int64),
        leg=pl.Series([None, 0, 0, 0], dtype=pl.Int64),
    )
    with pytest.raises(dl.InputError, match="given twice"):
        dl.compute_commissions(plan, tree, VOL)
