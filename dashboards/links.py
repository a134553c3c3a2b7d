"""Data links from a panel's series to the matching traces in Tempo.

A link opens Grafana Explore on the Tempo datasource the ``tempo`` variable
names, with a TraceQL search built from the clicked series' labels. It needs no
exemplars, so it works with the services' own ``/metrics`` (the Python
Prometheus exporter writes none).
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from grafana_foundation_sdk.builders import dashboard as builders
from opentelemetry.semconv.attributes import (
    error_attributes,
    http_attributes,
    service_attributes,
)

from dashboards import promql, variables

# TraceQL scopes (Tempo docs, "Construct a TraceQL query"): resource.* for the
# process, span.* for the span's own attributes.
TRACE_SERVICE = f"resource.{service_attributes.SERVICE_NAME}"
TRACE_ERROR_TYPE = f"span.{error_attributes.ERROR_TYPE}"
TRACE_ROUTE = f"span.{http_attributes.HTTP_ROUTE}"
TRACE_STATUS = f"span.{http_attributes.HTTP_RESPONSE_STATUS_CODE}"

_GRAFANA_VARIABLE = re.compile(r"\$\{[^}]+\}")


def field_label(label: str) -> str:
    """Return the data-link variable holding the clicked series' label value."""
    return "${__field.labels." + label + "}"


def traces_for_cause() -> builders.DashboardLink:
    """Link a cause series to the spans that recorded that cause as error.type."""
    query = f'{{ {TRACE_ERROR_TYPE} = "{field_label(promql.CAUSE)}" }}'

    return explore_traces("Traces with this cause", query)


def traces_for_route() -> builders.DashboardLink:
    """Link a (service, route) series to that route's server spans."""
    query = (
        f'{{ {TRACE_SERVICE} = "{field_label(promql.SERVICE)}" '
        f'&& {TRACE_ROUTE} = "{field_label(promql.ROUTE)}" }}'
    )

    return explore_traces("Traces of this route", query)


def traces_for_failed_calls(service: str) -> builders.DashboardLink:
    """Link a panel to one service's failed outgoing calls (client spans >= 400)."""
    query = (
        f'{{ {TRACE_SERVICE} = "{service}" && kind = client && {TRACE_STATUS} >= 400 }}'
    )

    return explore_traces("Failed internal calls", query)


def explore_traces(title: str, traceql: str) -> builders.DashboardLink:
    """Return a data link opening Explore on Tempo with a TraceQL search."""
    pane = {
        "datasource": variables.TEMPO_REF.uid,
        "queries": [
            {
                "refId": "A",
                "datasource": {"type": "tempo", "uid": variables.TEMPO_REF.uid},
                "queryType": "traceql",
                "query": traceql,
                "limit": 20,
            }
        ],
        "range": {"from": "${__from}", "to": "${__to}"},
    }
    panes = _encode_keeping_variables(
        json.dumps({"traces": pane}, sort_keys=True, separators=(",", ":"))
    )

    return (
        builders.DashboardLink(title)
        .url(f"/explore?schemaVersion=1&panes={panes}")
        .target_blank(True)
    )


def _encode_keeping_variables(text: str) -> str:
    """Percent-encode ``text`` but leave each ``${...}`` for Grafana to expand."""
    found = _GRAFANA_VARIABLE.findall(text)
    marked = text
    for index, variable in enumerate(found):
        marked = marked.replace(variable, f"TRIAGEVARIABLE{index}X", 1)

    encoded = quote(marked, safe="")
    for index, variable in enumerate(found):
        encoded = encoded.replace(f"TRIAGEVARIABLE{index}X", variable, 1)

    return encoded
