"""The generated dashboards: every query names only what the services emit."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import Dashboard

import dashboards
from dashboards import catalog, failures, variables
from tests.dashboards import promql_names
from tests.dashboards.support import EMITTED, GRAFANA_VALUES, MADE_LABELS

QUERIES = dashboards.queries()


def _query_id(query: dashboards.PanelQuery) -> str:
    return f"{query.panel}/{query.ref_id}"


def test_every_dashboard_has_queries():
    """Both dashboards are generated and each contributes panel queries."""
    titles = {query.dashboard for query in QUERIES}

    assert titles == {failures.TITLE, "Service health"}


@pytest.mark.parametrize("query", QUERIES, ids=_query_id)
def test_query_names_only_emitted_metrics(query):
    """Each metric a panel reads is one the services (or the scrape) produce."""
    metrics = promql_names.read(query.expr).metrics

    assert metrics, "no metric found in the expression"
    assert metrics <= EMITTED.keys(), sorted(metrics - EMITTED.keys())


@pytest.mark.parametrize("query", QUERIES, ids=_query_id)
def test_query_matches_only_labels_the_metric_carries(query):
    """Each label matcher names a label its metric's series carry."""
    names = promql_names.read(query.expr)

    for metric, labels in names.matched_labels.items():
        assert labels <= EMITTED[metric], (metric, sorted(labels - EMITTED[metric]))


@pytest.mark.parametrize("query", QUERIES, ids=_query_id)
def test_query_groups_only_by_known_labels(query):
    """Each by / on label comes from a metric in the expression or label_replace."""
    names = promql_names.read(query.expr)
    available = MADE_LABELS.union(*(EMITTED[metric] for metric in names.metrics))

    assert names.grouping_labels <= available, sorted(names.grouping_labels - available)


def test_service_variable_reads_an_emitted_metric():
    """The service picker's label_values() names an emitted metric and label."""
    queries = dashboards.variable_queries()

    for query in queries:
        found = re.fullmatch(r"label_values\((.+), (\w+)\)", query.expr)
        assert found, query.expr
        (metric,) = promql_names.read(found[1]).metrics
        assert found[2] in EMITTED[metric]


def test_every_expression_parses_in_promtool(tmp_path):
    """promtool accepts every expression once Grafana's variables are filled in."""
    promtool = shutil.which("promtool")
    assert promtool, "promtool missing: run scripts/system-deps.sh"
    rules = [
        {"record": f"triage:check_{index}", "expr": _substituted(query.expr)}
        for index, query in enumerate(QUERIES)
    ]
    path = tmp_path / "rules.yml"
    # JSON is YAML, so promtool reads this file as a rules file.
    path.write_text(json.dumps({"groups": [{"name": "panels", "rules": rules}]}))

    result = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True
    )

    assert result.returncode == 0, result.stdout + result.stderr


def _substituted(expr: str) -> str:
    return variables.substitute(expr, GRAFANA_VALUES)


def test_panels_read_the_prometheus_variable():
    """Every panel and target uses the ${prometheus} datasource variable."""
    for document in catalog.documents():
        for panel in document["panels"]:
            assert panel["datasource"] == variables.PROMETHEUS_REF.to_json()
            for target in panel["targets"]:
                assert target["datasource"] == variables.PROMETHEUS_REF.to_json()


def test_dashboards_carry_the_shared_variables():
    """Each dashboard offers the Prometheus, Tempo and service variables."""
    for document in catalog.documents():
        names = [variable["name"] for variable in document["templating"]["list"]]

        assert names == [variables.PROMETHEUS, variables.TEMPO, variables.SERVICE]


def test_panel_ids_are_unique_and_sequential():
    """Panel ids run 1..n so links and provisioning stay stable."""
    for document in catalog.documents():
        ids = [panel["id"] for panel in document["panels"]]

        assert ids == list(range(1, len(ids) + 1))


def test_panels_fit_the_grid():
    """No panel sticks out of Grafana's 24-column grid."""
    for document in catalog.documents():
        for panel in document["panels"]:
            grid = panel["gridPos"]

            assert grid["x"] + grid["w"] <= 24, panel["title"]


def test_trace_links_use_the_tempo_variable():
    """Data links open Explore on the ${tempo} datasource, never a fixed one."""
    urls = [
        link["url"]
        for document in catalog.documents()
        for panel in document["panels"]
        for link in panel.get("fieldConfig", {}).get("defaults", {}).get("links", [])
    ]

    assert urls
    assert all("${tempo}" in url for url in urls)


def test_rendering_is_stable_and_canonical():
    """Two renders are identical, sorted, indented and end in one newline."""
    first, second = dashboards.render_all(), dashboards.render_all()

    assert first == second
    for text in first.values():
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def test_json_round_trips_through_the_sdk_schema_model():
    """The SDK's Grafana 11.6 dashboard model reads each file back unchanged."""
    for text in dashboards.render_all().values():
        model = Dashboard.from_json(json.loads(text))

        again = json.dumps(model, cls=JSONEncoder, indent=2, sort_keys=True) + "\n"
        assert again == text


def test_generated_folder_is_the_package_folder():
    """The committed JSON lives in dashboards/generated, where provisioning points."""
    assert Path(dashboards.GENERATED_DIR).name == "generated"
    assert dashboards.GENERATED_DIR.parent == Path(dashboards.__file__).parent
