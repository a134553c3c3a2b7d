"""``triage analyze``: the analyzer on the command line."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TimeRemainingColumn,
)

from triage.errors import TriageError

_PROGRESS_AFTER_BYTES = 64 << 20  # smaller inputs finish before a bar helps


class OutputFormat(StrEnum):
    """How the report is written."""

    table = "table"
    json = "json"
    markdown = "markdown"
    html = "html"


class InputFormat(StrEnum):
    """How input files are read (``auto`` detects each file)."""

    auto = "auto"
    otlp = "otlp"
    jaeger = "jaeger"
    json_logs = "json-logs"


def analyze(
    paths: list[str] = typer.Argument(
        ...,
        metavar="PATH...",
        help="Files, folders, globs, or - for stdin (plain or gzip).",
    ),
    diagnosis: Path | None = typer.Option(
        None, "--diagnosis", "-d", help="Diagnosis TOML (default: the five hypotheses)."
    ),
    output_format: OutputFormat = typer.Option(
        OutputFormat.table, "--format", "-f", help="Report format."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the report to FILE instead of stdout."
    ),
    entry_route: str | None = typer.Option(
        None, "--entry-route", help='Only entries of this route, e.g. "POST /api/x".'
    ),
    since: str | None = typer.Option(
        None, "--since", help="Only entries starting at or after this ISO 8601 time."
    ),
    until: str | None = typer.Option(
        None, "--until", help="Only entries starting before this ISO 8601 time."
    ),
    group_by: str | None = typer.Option(
        None, "--group-by", help="Also split cause groups by this attribute."
    ),
    input_format: InputFormat = typer.Option(
        InputFormat.auto, "--input-format", help="Override per-file format detection."
    ),
    evidence: bool = typer.Option(
        True,
        "--evidence/--no-evidence",
        help="Add clock offsets, lead clusters, what-if and contrast to the report.",
    ),
) -> None:
    """Group failed requests by root cause and judge the hypotheses.

    Examples:

      triage analyze out/telemetry/

      triage analyze traces.jsonl.gz app.logs.jsonl --format markdown -o report.md

      triage analyze out/telemetry/ --format html -o report.html

      triage analyze 'dumps/*.json' --entry-route "POST /api/mock-interviews"

      cat spans.jsonl | triage analyze - --format json
    """
    import analyzer

    try:
        with _progress(paths) as tick:
            report = analyzer.analyze(
                paths,
                diagnosis=diagnosis,
                entry_route=entry_route,
                since=since,
                until=until,
                group_by=group_by,
                progress=tick,
                input_format=input_format.value,
            )
    except analyzer.AnalyzerError as error:
        raise TriageError(str(error)) from error
    except Exception as error:  # a bug must still end in one line, not a traceback
        raise TriageError(
            f"analysis failed: {type(error).__name__}: {error}"
        ) from error

    found = gather_evidence(report) if evidence or output_format == "html" else None
    _emit(report, found, output_format, output)


def gather_evidence(report: Any) -> Any:
    """The evidence for ``report``, or None (with a warning) when it cannot be had.

    The verdicts stand without it, so a failure here costs the extra sections,
    not the report.
    """
    from analyzer.evidence import gather_report

    try:
        return gather_report(report)
    except Exception as error:  # the core report is still worth printing
        Console(stderr=True).print(
            f"warning: evidence skipped: {type(error).__name__}: {error}",
            markup=False,
            highlight=False,
        )
        return None


def report_data(report: Any, found: Any) -> dict[str, Any]:
    """The report as a JSON-ready dict, its evidence (or None) included."""
    data = report.to_dict()
    data["evidence"] = found.to_dict() if found is not None else None

    return data


def render(report: Any, found: Any, output_format: str) -> str:
    """The report (and its evidence, when there is some) as json, markdown or html."""
    import analyzer
    from analyzer import evidence

    if output_format == "json":
        return json.dumps(report_data(report, found), indent=2)
    if output_format == "html":
        return evidence.render_html(report, found or evidence.gather(None, None))
    text = analyzer.render_markdown(report)
    if found is not None:
        text = text.rstrip("\n") + "\n\n" + evidence.render_markdown(found)
    return text


def _emit(report, found, output_format: OutputFormat, output: Path | None) -> None:
    """Write the report in the chosen format to stdout or a file."""
    import analyzer
    from analyzer import evidence

    if output_format is OutputFormat.table:
        try:
            file = output.open("w") if output else sys.stdout
        except OSError as error:
            raise TriageError(f"cannot write {output}: {error.strerror}") from error
        console = Console(file=file, width=140 if output else None)
        analyzer.render_table(report, console)
        if found is not None:
            evidence.render_evidence(found, console)
        if output:
            file.close()
        return

    text = render(report, found, output_format.value)
    if output:
        try:
            output.write_text(text + ("" if text.endswith("\n") else "\n"))
        except OSError as error:
            raise TriageError(f"cannot write {output}: {error.strerror}") from error
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


class _progress:
    """A Rich progress bar on stderr, shown only for inputs of some size."""

    def __init__(self, paths: list[str]) -> None:
        sizes = [Path(p).stat().st_size for p in paths if Path(p).is_file()]
        self.enabled = sum(sizes) >= _PROGRESS_AFTER_BYTES and sys.stderr.isatty()
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self):
        if not self.enabled:
            return None
        self.bar = Progress(
            "reading",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task("read", total=None)
        return self._tick

    def _tick(self, done: int, total: int | None) -> None:
        assert self.bar is not None and self.task is not None
        self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()
