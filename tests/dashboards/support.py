"""What the services emit (what dashboards may read) and Grafana's variable values.

The label sets follow the OpenTelemetry HTTP semantic conventions and
instrumentation/names.py, spelled as the Prometheus exporter writes them; the
Prometheus-backed test checks them against a real scrape.
"""

from __future__ import annotations

from dashboards import promql, variables
from instrumentation import names

SCRAPE_LABELS = frozenset({"job", "instance"})
# The Python Prometheus exporter adds the instrumentation scope to each series.
SCOPE_LABELS = frozenset(
    {"otel_scope_name", "otel_scope_schema_url", "otel_scope_version"}
)
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")

_HTTP_COMMON = frozenset(
    {
        promql.SERVICE,
        promql.METHOD,
        promql.STATUS,
        "error_type",
        "url_scheme",
        "network_protocol_version",
    }
)
_HTTP_SERVER = _HTTP_COMMON | {promql.ROUTE}
_HTTP_CLIENT = _HTTP_COMMON | {"server_address", "server_port"}


def _histogram(name: str, labels: frozenset[str]) -> dict[str, frozenset[str]]:
    """Return the three series families of a histogram; only buckets carry ``le``."""
    return {
        name + suffix: labels | ({promql.BUCKET} if suffix == "_bucket" else set())
        for suffix in HISTOGRAM_SUFFIXES
    }


# Metric name -> the labels its series may carry (scrape labels added below).
EMITTED: dict[str, frozenset[str]] = {
    names.PROM_REJECTIONS: frozenset({promql.SERVICE, promql.CAUSE}),
    names.PROM_TELEMETRY_ERRORS: frozenset({promql.SERVICE, promql.SIGNAL}),
    **_histogram(
        names.PROM_LEAD_TIME,
        frozenset({promql.SERVICE, promql.OUTCOME, promql.DIRECTION}),
    ),
    **_histogram(names.PROM_HTTP_SERVER_DURATION, _HTTP_SERVER),
    **_histogram(names.PROM_HTTP_CLIENT_DURATION, _HTTP_CLIENT),
    # Written by Prometheus for each target; `service` is the target's label.
    promql.SCRAPE_UP: frozenset({promql.SERVICE}),
}
EMITTED = {
    metric: labels
    | SCRAPE_LABELS
    | (SCOPE_LABELS if metric != promql.SCRAPE_UP else set())
    for metric, labels in EMITTED.items()
}

# Labels an expression makes itself (label_replace), not read from a metric.
MADE_LABELS = frozenset({promql.HYPOTHESIS})

# What Grafana puts in for the variables when "All" services are selected, and
# windows as $__rate_interval and $__range could be on a dashboard showing the
# last quarter hour.
GRAFANA_VALUES = {
    variables.SERVICE: variables.ALL_SERVICES,
    # The e2e module sends its traffic once, at the start; windows this wide
    # keep every rate positive however long a slow machine takes to query.
    "__rate_interval": "15m",
    "__range": "15m",
}
