"""Data links from panels to traces in Tempo."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from dashboards import links


def _pane(link) -> dict:
    query = parse_qs(urlsplit(link.build().url).query)

    return json.loads(query["panes"][0])["traces"]


def test_link_keeps_grafana_variables_unencoded():
    """${...} survive percent-encoding so Grafana can expand them."""
    url = links.traces_for_cause().build().url

    assert "${tempo}" in url
    assert "${__field.labels.cause}" in url
    assert "${__from}" in url


def test_cause_link_searches_error_type_in_tempo():
    """The cause link runs a TraceQL search on span error.type in the Tempo variable."""
    pane = _pane(links.traces_for_cause())

    assert pane["datasource"] == "${tempo}"
    (query,) = pane["queries"]
    assert query["queryType"] == "traceql"
    assert query["query"] == '{ span.error.type = "${__field.labels.cause}" }'


def test_route_link_filters_service_and_route():
    """The route link narrows to the clicked series' service and http.route."""
    (query,) = _pane(links.traces_for_route())["queries"]

    assert "resource.service.name" in query["query"]
    assert "span.http.route" in query["query"]
