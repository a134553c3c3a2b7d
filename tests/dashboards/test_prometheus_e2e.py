"""Every panel query, run by a real Prometheus scraping the two real services.

Starts both services and Prometheus on loopback (1 s scrapes, the committed
scrape config aimed at the services' ports), drives requests with known
causes, then evaluates each panel's PromQL with Grafana's variables filled in.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

import dashboards
from dashboards import failures, promql, rootcause, variables
from instrumentation import names
from instrumentation.causes import Cause
from tests.dashboards import prometheus_server, promql_names
from tests.dashboards.support import GRAFANA_VALUES, MADE_LABELS

pytestmark = pytest.mark.e2e

SCRAPE_CONFIG = Path(dashboards.__file__).parent / "prometheus" / "prometheus.yml"
USER, HOSTLESS_USER = "demo-1", "demo-2"
INJECTED = {Cause.SCHEDULE_TOO_SOON, Cause.SCHEDULE_NAIVE_DATETIME, Cause.HOST_MISSING}
WAVES = 2
REJECTED_PER_WAVE = 4  # see _wave
# The cause panel's counting rule on the raw counters, with variables filled in.
COUNTERS = variables.substitute(
    rootcause.root_causes(lambda series: series), {variables.SERVICE: ".+"}
)
QUERIES = dashboards.queries()
FIRST_WAVE_SEEN = (
    f"sum({names.PROM_HTTP_CLIENT_DURATION}_count"
    f'{{{promql.SERVICE}="{names.SERVICE_INTERVIEWS}"}})',
    f"sum({names.PROM_HTTP_SERVER_DURATION}_count"
    f'{{{promql.SERVICE}="{names.SERVICE_VIDEO_ROOMS}"}})',
)


@dataclass(frozen=True)
class Stack:
    """The running services and the Prometheus scraping them."""

    urls: dict[str, str]
    prometheus: prometheus_server.Prometheus


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Start services and Prometheus, drive the scenario, stop everything after."""
    from app.launcher import start_services

    workdir = tmp_path_factory.mktemp("dashboards-e2e")
    env = {
        "TRIAGE_DATABASE_URL": f"sqlite:///{workdir / 'triage.sqlite'}",
        "TRIAGE_TELEMETRY_DIR": str(workdir / "telemetry"),
        "TRIAGE_DEMO_USERS": "2",
        "TRIAGE_HOSTLESS_USERS": HOSTLESS_USER,
        "TRIAGE_MIN_LEAD_S": "60",
    }
    with start_services(env=env, output_dir=workdir / "services") as services:
        urls = dict(services.urls)
        config = prometheus_server.scrape_config(SCRAPE_CONFIG, urls, "1s")
        with prometheus_server.running(config, workdir) as prometheus:
            _drive(urls[names.SERVICE_INTERVIEWS], prometheus)
            yield Stack(urls, prometheus)


def _drive(base_url: str, prometheus: prometheus_server.Prometheus) -> None:
    """Send the scenario twice, with a scrape between, so every rate is positive."""
    with (
        _session(base_url, USER) as user,
        _session(base_url, HOSTLESS_USER) as hostless,
    ):
        _wave(user, hostless)
        prometheus.wait_for(COUNTERS, lambda result: _causes(result) >= INJECTED)
        # The two services are separate targets, scraped at their own moments:
        # wait until each one's series hold the first wave too (interviews'
        # internal calls, video-rooms' requests), or a series first seen after
        # the second wave would have no increase to rate.
        for first_wave in FIRST_WAVE_SEEN:
            prometheus.wait_for(first_wave, lambda result: _total(result) > 0)
        _wave(user, hostless)

    expected = WAVES * REJECTED_PER_WAVE
    prometheus.wait_for(COUNTERS, lambda result: _total(result) >= expected)


@contextlib.contextmanager
def _session(base_url: str, username: str) -> Iterator[httpx.Client]:
    """Yield a client logged in as ``username`` (the session cookie kept)."""
    with httpx.Client(base_url=base_url, timeout=10.0) as client:
        response = client.post(
            "/api/auth/login", json={"username": username, "password": "demo"}
        )
        assert response.status_code == 200, (username, response.text)
        yield client


def _wave(user: httpx.Client, hostless: httpx.Client) -> None:
    """Two too-soon, one naive datetime, one host-less, two accepted requests."""
    now = datetime.now(UTC)
    soon = now.isoformat().replace("+00:00", "Z")
    later = (now + timedelta(days=2)).isoformat().replace("+00:00", "Z")
    naive = (now + timedelta(days=2)).replace(tzinfo=None).isoformat()
    requests = [
        (user, soon, 400),
        (user, soon, 400),
        (user, naive, 400),
        (hostless, later, 400),
        (user, later, 201),
        (user, later, 201),
    ]
    for client, scheduled, expected_status in requests:
        response = client.post(
            "/api/mock-interviews",
            json={"scheduledTime": scheduled, "videoType": "built_in"},
        )
        assert response.status_code == expected_status, response.text


def _causes(result: list[dict]) -> set[str]:
    return {sample["metric"].get(promql.CAUSE, "") for sample in result}


def _total(result: list[dict]) -> float:
    return sum(prometheus_server.finite_values(result))


def _query_id(query: dashboards.PanelQuery) -> str:
    return f"{query.panel}/{query.ref_id}"


@pytest.mark.parametrize("query", QUERIES, ids=_query_id)
def test_panel_query_returns_data(stack: Stack, query: dashboards.PanelQuery):
    """The panel's expression, variables filled in, returns finite samples."""
    expr = variables.substitute(query.expr, GRAFANA_VALUES)

    result = stack.prometheus.wait_for(
        expr, lambda r: bool(prometheus_server.finite_values(r))
    )

    assert prometheus_server.finite_values(result)


@pytest.mark.parametrize("query", QUERIES, ids=_query_id)
def test_panel_labels_exist_on_the_scraped_series(
    stack: Stack, query: dashboards.PanelQuery
):
    """Every label a panel matches or groups by is on the real series."""
    used = promql_names.read(query.expr)
    real = {metric: stack.prometheus.label_names(metric) for metric in used.metrics}

    for metric, labels in used.matched_labels.items():
        assert labels <= real[metric], (metric, sorted(labels - real[metric]))
    available = MADE_LABELS.union(*real.values())
    assert used.grouping_labels <= available, sorted(used.grouping_labels - available)


def test_cause_panel_shows_exactly_the_injected_causes(stack: Stack):
    """ "Rejections per second by cause" lists the injected causes, no others."""
    (query,) = [q for q in QUERIES if q.panel == failures.CAUSE_PANEL]
    expr = variables.substitute(query.expr, GRAFANA_VALUES)

    result = stack.prometheus.wait_for(expr, lambda r: _causes(r) >= INJECTED)

    assert _causes(result) == {cause.value for cause in INJECTED}


def test_each_failed_request_counts_once(stack: Stack):
    """Both tiers count each refusal, yet the cause panel's rule counts it once."""
    result = stack.prometheus.query(COUNTERS)

    assert _total(result) == WAVES * REJECTED_PER_WAVE


def test_service_variable_lists_both_services(stack: Stack):
    """The service picker's label_values() finds both scraped services."""
    (query, *_) = dashboards.variable_queries()
    metric = query.expr.removeprefix("label_values(").split(",")[0]

    response = stack.prometheus.client.get(
        f"/api/v1/label/{variables.SERVICE}/values", params={"match[]": metric}
    )

    assert set(response.json()["data"]) == {
        names.SERVICE_INTERVIEWS,
        names.SERVICE_VIDEO_ROOMS,
    }
