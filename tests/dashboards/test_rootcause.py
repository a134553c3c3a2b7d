"""Counting each failed request once across the two tiers."""

from __future__ import annotations

from app.interviews import upstream
from dashboards import promql, rootcause
from instrumentation.causes import Cause


def test_every_cause_prefix_has_a_hypothesis_name():
    """The hypothesis donut names every cause family the services can report."""
    assert {cause.prefix for cause in Cause} <= rootcause.HYPOTHESES.keys()


def test_passed_through_families_are_the_ones_interviews_passes_through():
    """The dedup rule follows interviews' mapping of inner causes (the contract)."""
    # Private on purpose: if interviews passes other families through, the
    # dashboards would double-count them, so this test must notice.
    assert set(rootcause.PASSED_THROUGH) == upstream._CLIENT_FAMILIES


def test_root_causes_take_the_larger_tier_for_passed_through_codes():
    """Passed-through families use max by cause; the rest a plain sum."""
    expr = rootcause.root_causes(promql.rate)

    assert expr.startswith("max by (cause) (sum by (service, cause) (rate(")
    assert 'cause=~"(payload|schedule|host)[.].+"' in expr
    assert " or sum by (cause) (rate(" in expr


def test_root_causes_leave_out_the_stand_ins():
    """upstream.rejected and upstream.error never count: the inner cause does."""
    expr = rootcause.root_causes(promql.rate)

    assert 'upstream[.]rejected|upstream[.]error"' in expr


def test_by_hypothesis_groups_on_the_cause_prefix():
    """The hypothesis label is the part of the cause code before the first dot."""
    expr = rootcause.by_hypothesis(promql.increase)

    assert expr.startswith("sum by (hypothesis) (label_replace(")
    assert '"hypothesis", "$1", "cause", "([^.]+).*")' in expr
