"""Every real third-party file in shared/cases is read with the README's counts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import analyzer
from analyzer import reader
from analyzer.diagnosis import load


def _cases_folder() -> Path:
    """$TRIAGE_CASES_DIR, else shared/cases beside the checkout or in /work."""
    candidates = [
        os.environ.get("TRIAGE_CASES_DIR", ""),
        Path(__file__).resolve().parents[3] / "shared" / "cases",
        "/work/shared/cases",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)

    return Path(candidates[1])


CASES = _cases_folder()

pytestmark = pytest.mark.skipif(not CASES.is_dir(), reason="shared/cases not present")


def _read(name: str) -> reader.ReadResult:
    return reader.read([CASES / name], load().wanted())


def _report(name: str) -> analyzer.Report:
    return analyzer.analyze([CASES / name])


def test_proto_example_trace() -> None:
    """Upper-case hex ids, an absent parent and no status: 1 span, 1 trace."""
    report = _report("otlp-proto-example-trace.json")
    assert (report.summary.spans, report.summary.traces) == (1, 1)
    assert report.spans["service"].tolist() == ["my.service"]
    assert report.entries["trace_id"].tolist() == ["5b8efff798038103d269b633813fc60c"]


def test_proto_example_logs() -> None:
    """One log record with string intValue, arrays and maps."""
    result = _read("otlp-proto-example-logs.json")
    assert result.log_events == 1
    assert result.files[0].records == 1


def test_proto_example_metrics_is_skipped() -> None:
    """Metrics are reported as skipped, not fatal, with 0 spans."""
    report = _report("otlp-proto-example-metrics.json")
    assert report.summary.spans == 0
    assert report.skipped_files[0]["reason"].startswith("OTLP metrics")


def test_spec_file_exporter_traces() -> None:
    """8 spans, 4 with error status, none with a valid trace id."""
    result = _read("spec-file-exporter-traces.jsonl")
    assert len(result.spans) == 8
    assert int((result.spans["status"] == 2).sum()) == 4
    report = _report("spec-file-exporter-traces.jsonl")
    assert (report.summary.traces, report.summary.spans_without_ids) == (0, 8)


def test_spec_file_exporter_logs() -> None:
    """8 log records, with and without trace ids."""
    assert _read("spec-file-exporter-logs.jsonl").log_events == 8


def test_spec_legacy_names() -> None:
    """instrumentationLibrarySpans is read: 8 spans in 1 trace."""
    report = _report("spec-legacy-instrumentationLibrary-traces.jsonl")
    assert report.summary.spans == 8
    assert len(_read("spec-legacy-instrumentationLibrary-traces.jsonl").spans) == 8


def test_jaeger_download_with_repeated_span() -> None:
    """2 span entries, 1 distinct span id, 1 trace, service telemetrygen."""
    report = _report("jaeger-api-traces-otlp2jaeger-out.json")
    assert (report.summary.spans, report.summary.duplicate_spans) == (2, 1)
    assert report.summary.traces == 1
    assert set(report.spans["service"]) == {"telemetrygen"}


def test_jaeger_integration_example() -> None:
    """5 spans, 1 trace, 3 services."""
    report = _report("jaeger-integration-example_trace.json")
    assert (report.summary.spans, report.summary.traces) == (5, 1)
    assert report.spans["service"].nunique() == 3


def test_jaeger_memory_fixture() -> None:
    """4 spans, 2 traces, all with error status, service service-x."""
    report = _report("jaeger-memory-otel_traces_01.json")
    assert (report.summary.spans, report.summary.traces) == (4, 2)
    assert (report.spans["status"] == 2).all()
    assert set(report.spans["service"]) == {"service-x"}


def test_tempo_base64_ids() -> None:
    """Base64 ids become lower-case hex: 6 spans, 1 trace."""
    report = _report("tempo-vulture-trace-base64.json")
    assert (report.summary.spans, report.summary.traces) == (6, 1)
    assert report.spans["service"].iloc[0] == "tempo-vulture"
    assert report.spans["parent_id"].astype(bool).sum() == 4


def test_structlog_docs_with_malformed_lines() -> None:
    """The valid lines are read; lines 9 and 10 are reported as malformed.

    The cases README says 7 valid records, but lines 1-8 all parse as JSON
    objects (line 3 uses ``message`` instead of ``event``), so 8 are read.
    """
    result = _read("structlog-docs-json-lines.jsonl")
    assert result.log_events == 8
    assert (result.files[0].malformed_lines, result.files[0].first_malformed) == (
        2,
        [9, 10],
    )


@pytest.mark.parametrize(
    "name", sorted(p.name for p in CASES.glob("*.json*")) if CASES.is_dir() else []
)
def test_cli_prints_a_report(name: str) -> None:
    """`triage analyze FILE` exits 0 with a report and no traceback."""
    from triage.cli import _register, cli

    _register()
    result = CliRunner().invoke(cli, ["analyze", str(CASES / name)])
    assert result.exit_code == 0, result.output
    assert "Hypotheses" in result.output
    assert "Traceback" not in result.output
