"""The "Interview creation failures" dashboard: which cause, which hypothesis.

Panels follow the questions of the incident: how fast requests are rejected and
why, which hypothesis (cause prefix) explains which share, what the outer tier
answered, where the scheduled lead times fall, and how the internal call fares.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as builders

from dashboards import links, promql, rootcause
from dashboards.board import PanelBuilder, assemble
from dashboards.panels import (
    WIDTH_HALF,
    WIDTH_THIRD,
    Layout,
    Query,
    bucket_heatmap,
    pie,
    time_series,
)
from instrumentation import names

UID = "triage-interview-failures"
CAUSE_PANEL = "Rejections per second by cause"
DESCRIPTION = (
    "Why POST /api/mock-interviews fails: cause, hypothesis, lead time, internal call."
)
TITLE = "Interview creation failures"

IN_SERVICE = promql.regex(promql.SERVICE, promql.ANY_SERVICE)
ENTRY_POINT = (
    promql.eq(promql.SERVICE, names.SERVICE_INTERVIEWS),
    promql.eq(promql.ROUTE, promql.ROUTE_MOCK_INTERVIEWS),
)
OUTER_CLIENT = promql.eq(promql.SERVICE, names.SERVICE_INTERVIEWS)
# error.type is set on a client call for a 4xx or 5xx answer and for a failure
# to get any answer (HTTP semantic conventions), and empty otherwise.
FAILED_CALL = promql.not_eq(promql.ERROR_TYPE, "")

_REJECTIONS = names.PROM_REJECTIONS
_LEAD_TIME = names.PROM_LEAD_TIME
_SERVER = names.PROM_HTTP_SERVER_DURATION
_CLIENT = names.PROM_HTTP_CLIENT_DURATION


def rejections_by_cause() -> PanelBuilder:
    """Stacked rate of failed requests per cause, each request counted once."""
    query = Query(rootcause.root_causes(promql.rate), "{{cause}}")
    layout = Layout(
        CAUSE_PANEL,
        "Failed requests per second by cause code, each counted once across "
        "the two tiers. Click a series for its traces.",
    )

    return time_series(
        layout, [query], "reqps", stacked=True, links=[links.traces_for_cause()]
    )


def hypothesis_share() -> PanelBuilder:
    """Donut of failed requests over the time range, grouped by cause prefix."""
    query = Query(
        rootcause.by_hypothesis(promql.increase), "{{hypothesis}}", instant=True
    )
    layout = Layout(
        "Share of failures per hypothesis",
        "Failed requests in the time range, grouped by cause prefix into the "
        "five hypotheses (H1-H5, see the Triage README).",
    )

    return pie(layout, query, rootcause.HYPOTHESES)


def outer_status_codes() -> PanelBuilder:
    """Stacked bars of what POST /api/mock-interviews answered, by status code."""
    series = promql.selector(f"{_SERVER}_count", *ENTRY_POINT)
    query = Query(
        promql.sum_by((promql.STATUS,), promql.rate(series)),
        "{{http_response_status_code}}",
    )
    layout = Layout(
        "Outer tier: POST /api/mock-interviews by status code",
        "What users saw. 400 here with 401 or 5xx on the internal call would "
        "mean the outer tier hides the real failure.",
    )

    return time_series(
        layout,
        [query],
        "reqps",
        stacked=True,
        bars=True,
        links=[links.traces_for_route()],
    )


def rejections_by_tier() -> PanelBuilder:
    """Rate of rejections per service and cause, upstream echoes included."""
    series = promql.selector(_REJECTIONS, IN_SERVICE)
    query = Query(
        promql.sum_by((promql.SERVICE, promql.CAUSE), promql.rate(series)),
        "{{service}}: {{cause}}",
    )
    layout = Layout(
        "Rejections by tier and cause",
        "Each tier's own view: upstream.* on interviews is the outer tier "
        "reporting an inner refusal.",
    )

    return time_series(layout, [query], "reqps", links=[links.traces_for_cause()])


def lead_time_quantiles() -> PanelBuilder:
    """p05, p50 and p95 of the scheduled lead time, per outcome and direction."""
    by = (promql.OUTCOME, promql.DIRECTION)
    queries = [
        Query(
            promql.quantile(q, _LEAD_TIME, by, IN_SERVICE),
            f"p{round(q * 100):02d} {{{{outcome}}}} {{{{direction}}}}",
        )
        for q in (0.05, 0.5, 0.95)
    ]
    layout = Layout(
        "Lead time quantiles (scheduled time minus server now)",
        "Size of the lead; direction says whether the time was ahead of or "
        "behind the server's clock. Near 0: too soon. Near a whole number of "
        "hours: a time-zone slip. Fine on one tier, short on the other: the "
        "clocks disagree.",
        WIDTH_HALF,
    )

    return time_series(layout, queries, "s")


def lead_time_heatmap() -> PanelBuilder:
    """Heatmap of the lead-time histogram buckets over time, both directions."""
    series = promql.selector(f"{_LEAD_TIME}_bucket", IN_SERVICE)
    query = Query(
        promql.sum_by((promql.BUCKET,), promql.increase(series, promql.RATE_WINDOW)),
        "{{le}}",
        heatmap=True,
    )
    layout = Layout(
        "Lead time distribution",
        "Requests per bucket of lead size (ahead or behind). Clusters near "
        "multiples of 3600 s point to time-zone handling, near 0 to too-soon.",
        WIDTH_HALF,
    )

    return bucket_heatmap(layout, query, "s")


def internal_call_error_ratio() -> PanelBuilder:
    """Share of interviews' outgoing calls that got 4xx or 5xx."""
    failed = promql.selector(f"{_CLIENT}_count", OUTER_CLIENT, FAILED_CALL)
    every = promql.selector(f"{_CLIENT}_count", OUTER_CLIENT)
    expr = promql.ratio_or_zero(
        promql.sum_by((), promql.rate(failed)), promql.sum_by((), promql.rate(every))
    )
    layout = Layout(
        "Internal call error ratio",
        "Share of POST /api/video-conferences calls from interviews that "
        "failed: a 4xx or 5xx answer, or none at all.",
        WIDTH_THIRD,
    )

    return time_series(
        layout,
        [Query(expr, "error ratio")],
        "percentunit",
        links=[links.traces_for_failed_calls(names.SERVICE_INTERVIEWS)],
    )


def internal_call_status() -> PanelBuilder:
    """Rate of interviews' outgoing calls by the status video-rooms returned."""
    series = promql.selector(f"{_CLIENT}_count", OUTER_CLIENT)
    query = Query(
        promql.sum_by((promql.STATUS,), promql.rate(series)),
        "{{http_response_status_code}}",
    )
    layout = Layout(
        "Internal call status codes",
        "401 here is H2 (auth lost), 5xx is H4 (database), 400 is the inner "
        "validation.",
        WIDTH_THIRD,
    )

    return time_series(layout, [query], "reqps", stacked=True, bars=True)


def internal_call_latency() -> PanelBuilder:
    """p50, p95 and p99 duration of interviews' outgoing calls, with exemplars."""
    queries = [
        Query(
            promql.quantile(q, _CLIENT, (), OUTER_CLIENT),
            f"p{round(q * 100)}",
            exemplar=True,
        )
        for q in (0.5, 0.95, 0.99)
    ]
    layout = Layout(
        "Internal call latency",
        "Client-side duration of POST /api/video-conferences.",
        WIDTH_THIRD,
    )

    return time_series(layout, queries, "s")


def dashboard() -> builders.Dashboard:
    """Return the whole dashboard builder, panels in reading order."""
    panels = [
        rejections_by_cause(),
        hypothesis_share(),
        outer_status_codes(),
        rejections_by_tier(),
        lead_time_quantiles(),
        lead_time_heatmap(),
        internal_call_error_ratio(),
        internal_call_status(),
        internal_call_latency(),
    ]

    return assemble(UID, TITLE, DESCRIPTION, panels)
