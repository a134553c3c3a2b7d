"""Grafana provisioning, the Prometheus scrape config and the Collector example."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from dashboards import variables
from instrumentation import names

ROOT = Path(variables.__file__).resolve().parent
DATASOURCES = ROOT / "provisioning" / "datasources" / "triage.yaml"
PROVIDERS = ROOT / "provisioning" / "dashboards" / "triage.yaml"
SCRAPE_CONFIG = ROOT / "prometheus" / "prometheus.yml"
COLLECTOR = ROOT / "otel-collector" / "config.yaml"


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _uid_references(node: object) -> list[str]:
    """Return every ``datasourceUid`` value anywhere in a YAML tree."""
    if isinstance(node, dict):
        own = [node["datasourceUid"]] if "datasourceUid" in node else []
        return own + [uid for value in node.values() for uid in _uid_references(value)]
    if isinstance(node, list):
        return [uid for value in node for uid in _uid_references(value)]

    return []


def test_datasources_have_the_uids_the_dashboards_default_to():
    """Prometheus, Tempo and Loki are provisioned under the variables' default uids."""
    sources = {source["type"]: source for source in _load(DATASOURCES)["datasources"]}

    assert sources["prometheus"]["uid"] == variables.PROMETHEUS_UID
    assert sources["tempo"]["uid"] == variables.TEMPO_UID
    assert sources["loki"]["uid"] == variables.LOKI_UID


def test_datasource_cross_links_point_at_provisioned_uids():
    """Exemplar, trace-to-logs and derived-field links name datasources that exist."""
    document = _load(DATASOURCES)
    uids = {source["uid"] for source in document["datasources"]}
    references = _uid_references(document)

    assert references
    assert set(references) <= uids


def test_exemplars_link_to_tempo():
    """Prometheus exemplars with a trace_id open that trace in Tempo."""
    (prometheus,) = [
        source
        for source in _load(DATASOURCES)["datasources"]
        if source["type"] == "prometheus"
    ]
    (destination,) = prometheus["jsonData"]["exemplarTraceIdDestinations"]

    assert destination == {"name": "trace_id", "datasourceUid": variables.TEMPO_UID}


def test_dashboard_provider_reads_files_from_the_configured_folder():
    """One file provider, reading the folder TRIAGE_DASHBOARDS_DIR names."""
    (provider,) = _load(PROVIDERS)["providers"]

    assert provider["type"] == "file"
    assert provider["options"]["path"] == "${TRIAGE_DASHBOARDS_DIR}"


def test_scrape_config_passes_promtool():
    """promtool accepts the committed scrape config."""
    promtool = shutil.which("promtool")
    assert promtool, "promtool missing: run scripts/system-deps.sh"

    result = subprocess.run(
        [promtool, "check", "config", str(SCRAPE_CONFIG)],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_scrape_config_labels_each_service_at_its_default_port():
    """interviews on 8001 and video-rooms on 8002, each labelled service=<name>."""
    jobs = {job["job_name"]: job for job in _load(SCRAPE_CONFIG)["scrape_configs"]}

    expected = {names.SERVICE_INTERVIEWS: 8001, names.SERVICE_VIDEO_ROOMS: 8002}
    for service, port in expected.items():
        (target,) = jobs[service]["static_configs"]
        assert target["targets"] == [f"127.0.0.1:{port}"]
        assert target["labels"] == {names.LABEL_SERVICE: service}
        assert jobs[service]["honor_labels"] is True


def test_collector_routes_each_signal_to_its_backend():
    """Traces go to Tempo, logs to Loki and metrics to Prometheus, all from OTLP."""
    pipelines = _load(COLLECTOR)["service"]["pipelines"]

    assert pipelines["traces"]["exporters"] == ["otlp/tempo"]
    assert pipelines["logs"]["exporters"] == ["otlphttp/loki"]
    assert pipelines["metrics"]["exporters"] == ["prometheus"]
    assert all(pipeline["receivers"] == ["otlp"] for pipeline in pipelines.values())


def test_collector_pipelines_use_only_defined_components():
    """Every receiver, processor and exporter a pipeline names is configured."""
    config = _load(COLLECTOR)

    for pipeline in config["service"]["pipelines"].values():
        for kind in ("receivers", "processors", "exporters"):
            assert set(pipeline.get(kind, [])) <= config[kind].keys()
