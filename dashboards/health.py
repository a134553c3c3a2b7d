"""The "Service health" dashboard: rate, errors and duration per service and route.

Built on the HTTP semantic-convention histograms every service exports
(``http.server.request.duration``, ``http.client.request.duration``), so it
reads the same for any service instrumented the standard way.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as builders

from dashboards import links, promql
from dashboards.board import PanelBuilder, assemble
from dashboards.panels import (
    HEIGHT_STAT,
    WIDTH_HALF,
    WIDTH_QUARTER,
    Layout,
    Query,
    single_stat,
    time_series,
)
from instrumentation import names

UID = "triage-service-health"
DESCRIPTION = "Rate, errors and duration per service and route."
TITLE = "Service health"

IN_SERVICE = promql.regex(promql.SERVICE, promql.ANY_SERVICE)
PER_ROUTE = (promql.SERVICE, promql.ROUTE)
ROUTE_LEGEND = "{{service}} {{http_route}}"

_SERVER_COUNT = f"{names.PROM_HTTP_SERVER_DURATION}_count"
_CLIENT_COUNT = f"{names.PROM_HTTP_CLIENT_DURATION}_count"


def _server_rate(*matchers: str, by: tuple[str, ...] = PER_ROUTE) -> str:
    """Return the request rate of the server histogram, summed per ``by``."""
    series = promql.selector(_SERVER_COUNT, IN_SERVICE, *matchers)

    return promql.sum_by(by, promql.rate(series))


def targets_up() -> PanelBuilder:
    """Stat: how many of the selected services Prometheus scrapes successfully."""
    query = Query(promql.sum_by((), promql.selector(promql.SCRAPE_UP, IN_SERVICE)))
    layout = Layout(
        "Services up",
        "Scrape targets answering /metrics.",
        WIDTH_QUARTER,
        HEIGHT_STAT,
    )

    return single_stat(layout, query, "short")


def total_request_rate() -> PanelBuilder:
    """Stat: requests per second across the selected services."""
    layout = Layout(
        "Requests per second",
        "All routes of the selected services.",
        WIDTH_QUARTER,
        HEIGHT_STAT,
    )

    return single_stat(layout, Query(_server_rate(by=())), "reqps")


def total_error_ratio() -> PanelBuilder:
    """Stat: share of requests answered 4xx or 5xx."""
    failed = _server_rate(
        promql.regex(promql.STATUS, promql.CLIENT_ERROR_OR_SERVER_ERROR), by=()
    )
    layout = Layout(
        "Error ratio (4xx and 5xx)",
        "All routes of the selected services.",
        WIDTH_QUARTER,
        HEIGHT_STAT,
    )

    return single_stat(
        layout, Query(promql.ratio_or_zero(failed, _server_rate(by=()))), "percentunit"
    )


def telemetry_errors() -> PanelBuilder:
    """Stat: telemetry export failures per second (zero while there are none)."""
    series = promql.selector(names.PROM_TELEMETRY_ERRORS, IN_SERVICE)
    expr = promql.zero_when_absent(
        promql.sum_by((), promql.rate(series)), (), promql.ANY_SERVICE
    )
    layout = Layout(
        "Telemetry errors per second",
        "Exports that failed and were dropped; requests are never failed for it.",
        WIDTH_QUARTER,
        HEIGHT_STAT,
    )

    return single_stat(layout, Query(expr), "short")


def request_rate() -> PanelBuilder:
    """Requests per second per service and route."""
    layout = Layout("Request rate", "Requests per second by service and route.")

    return time_series(
        layout,
        [Query(_server_rate(), ROUTE_LEGEND)],
        "reqps",
        links=[links.traces_for_route()],
    )


def error_ratio() -> PanelBuilder:
    """Share of requests answered 4xx or 5xx, and 5xx alone, per service and route."""
    queries = [
        Query(
            promql.ratio_or_zero(
                _server_rate(promql.regex(promql.STATUS, pattern)), _server_rate()
            ),
            f"{kind} {ROUTE_LEGEND}",
        )
        for kind, pattern in (("4xx+5xx", "[45].."), ("5xx", "5.."))
    ]
    layout = Layout(
        "Error ratio",
        "4xx+5xx: every refused request. 5xx: the server's own failures.",
    )

    return time_series(layout, queries, "percentunit", links=[links.traces_for_route()])


def duration_quantiles() -> PanelBuilder:
    """p50, p95 and p99 server duration per service and route, with exemplars."""
    queries = [
        Query(
            promql.quantile(q, names.PROM_HTTP_SERVER_DURATION, PER_ROUTE, IN_SERVICE),
            f"p{round(q * 100)} {ROUTE_LEGEND}",
            exemplar=True,
        )
        for q in (0.5, 0.95, 0.99)
    ]
    layout = Layout(
        "Request duration p50 / p95 / p99",
        "Server-side duration from the http.server.request.duration histogram.",
        WIDTH_HALF,
    )

    return time_series(layout, queries, "s", links=[links.traces_for_route()])


def outgoing_calls() -> PanelBuilder:
    """Outgoing HTTP calls per second per service and status code."""
    series = promql.selector(_CLIENT_COUNT, IN_SERVICE)
    query = Query(
        promql.sum_by((promql.SERVICE, promql.STATUS), promql.rate(series)),
        "{{service}} {{http_response_status_code}}",
    )
    layout = Layout(
        "Outgoing calls by status",
        "Client side of the internal call, from http.client.request.duration.",
        WIDTH_HALF,
    )

    return time_series(layout, [query], "reqps", stacked=True)


def dashboard() -> builders.Dashboard:
    """Return the whole dashboard builder, panels in reading order."""
    panels = [
        targets_up(),
        total_request_rate(),
        total_error_ratio(),
        telemetry_errors(),
        request_rate(),
        error_ratio(),
        duration_quantiles(),
        outgoing_calls(),
    ]

    return assemble(UID, TITLE, DESCRIPTION, panels)
