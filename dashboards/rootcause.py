"""Rejections counted once per failed request, though both tiers count them.

Each tier adds to ``triage_rejections_total`` for what it refused. interviews
passes the inner tier's cause through for the payload, schedule and host
families (app/interviews/upstream.py), so one request shows up on both tiers
with the same code; for an inner refusal of another family it records
``upstream.rejected`` or ``upstream.error`` while video-rooms records the real
cause. Summing both tiers would count those requests twice, so:

- passed-through families: the larger of the two tiers' counts per cause
  (interviews counts its own refusals of that family on top of the inner ones);
- every other code: the sum over tiers, leaving out the two stand-ins whose
  real cause the inner tier counted.
"""

from __future__ import annotations

from collections.abc import Callable

from dashboards import promql
from instrumentation import names
from instrumentation.causes import Cause

PASSED_THROUGH = (
    Cause.PAYLOAD_INVALID_JSON.prefix,
    Cause.SCHEDULE_TOO_SOON.prefix,
    Cause.HOST_MISSING.prefix,
)
STAND_INS = (Cause.UPSTREAM_REJECTED, Cause.UPSTREAM_ERROR)

# Cause prefix -> the hypothesis it supports (README: the five hypotheses).
HYPOTHESES = {
    Cause.SCHEDULE_TOO_SOON.prefix: "H1 scheduled-time validation",
    Cause.AUTH_INVALID_SESSION.prefix: "H2 auth",
    Cause.HOST_MISSING.prefix: "H3 hostId missing",
    Cause.DB_UNAVAILABLE.prefix: "H4 database errors",
    Cause.PAYLOAD_INVALID_JSON.prefix: "H5 data format",
    Cause.UPSTREAM_TIMEOUT.prefix: "internal call timed out or unreachable",
    Cause.NOT_FOUND.prefix: "not found",
    Cause.ROOM_IN_USE.prefix: "conflict",
}

_IN_SERVICE = promql.regex(promql.SERVICE, promql.ANY_SERVICE)


def _families(prefixes: tuple[str, ...]) -> str:
    """Return a regex matching any code of the given families."""
    return "(" + "|".join(prefixes) + ")[.].+"


def _codes(causes: tuple[Cause, ...]) -> str:
    """Return a regex matching exactly the given codes (dots taken literally)."""
    return "|".join(cause.value.replace(".", "[.]") for cause in causes)


def root_causes(window: Callable[[str], str]) -> str:
    """Return per-cause counts over both tiers, each failed request counted once.

    ``window`` turns a selector into a range expression (``promql.rate``,
    ``promql.increase``) or leaves it as it is for the raw counters.
    """
    passed = promql.selector(
        names.PROM_REJECTIONS,
        _IN_SERVICE,
        promql.regex(promql.CAUSE, _families(PASSED_THROUGH)),
    )
    others = promql.selector(
        names.PROM_REJECTIONS,
        _IN_SERVICE,
        promql.not_regex(
            promql.CAUSE, _families(PASSED_THROUGH) + "|" + _codes(STAND_INS)
        ),
    )
    per_tier = promql.sum_by((promql.SERVICE, promql.CAUSE), window(passed))
    larger = f"max by ({promql.CAUSE}) ({per_tier})"

    return f"{larger} or {promql.sum_by((promql.CAUSE,), window(others))}"


def by_hypothesis(window: Callable[[str], str]) -> str:
    """Return ``root_causes`` summed per cause prefix, in a ``hypothesis`` label."""
    labelled = (
        f'label_replace({root_causes(window)}, "{promql.HYPOTHESIS}", "$1", '
        f'"{promql.CAUSE}", "([^.]+).*")'
    )

    return promql.sum_by((promql.HYPOTHESIS,), labelled)
