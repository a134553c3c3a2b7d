"""``triage demo``: reproduce an incident with real services and settle it.

Starts both services as real processes on free loopback ports, drives the
scenario's traffic through them, stops them gracefully so every span and log
line is flushed, analyses the telemetry files they wrote and holds the verdicts
to the ground truth the scenario injected.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from triage import scenario as scenarios
from triage import traffic
from triage.agreement import Agreement, compare
from triage.errors import TriageError

DEMO_USERS = 8
FORMATS = ("table", "json", "markdown")


def _switch_env(switches: Mapping[str, object]) -> dict[str, str]:
    env = {}
    for key, value in switches.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        env[f"TRIAGE_{key.upper()}"] = text
    return env


def _clock_settings(
    scenario: scenarios.Scenario,
) -> tuple[dict[str, list[str]], dict[str, dict[str, str]], str]:
    """How to shift a service's clock: libfaketime if present, else the switch."""
    if scenario.clock is None:
        return {}, {}, ""
    service: str = scenario.clock.service
    offset = scenario.clock.offset_s
    if shutil.which("faketime"):
        prefix = {service: ["faketime", "-f", f"{offset:+g}s"]}
        # Only the wall clock moves; asyncio's monotonic timers stay true.
        env = {service: {"FAKETIME_DONT_FAKE_MONOTONIC": "1"}}
        return prefix, env, f"{service} clock {offset:+g} s (libfaketime)"
    env = {service: {"TRIAGE_CLOCK_OFFSET_S": f"{offset:g}"}}
    return {}, env, f"{service} clock {offset:+g} s (clock-offset switch)"


def _prepare_out(out: Path | None) -> Path:
    if out is None:
        return Path(tempfile.mkdtemp(prefix="triage-demo-"))
    telemetry_dir = out / "telemetry"
    if telemetry_dir.exists() and any(telemetry_dir.iterdir()):
        raise TriageError(
            f"{telemetry_dir} already holds telemetry: use an empty --out"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TriageError(f"cannot create --out {out}: {error.strerror}") from None
    return out


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C so the services are stopped on either."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_scenario(
    scenario: scenarios.Scenario,
    out: Path,
    *,
    requests: int | None,
    concurrency: int,
    console: Console,
) -> tuple[Counter[str], list[traffic.Outcome]]:
    """Drive every phase through freshly started services; returns injected causes."""
    from app.launcher import start_services

    plans = scenarios.plan(scenario, requests)
    prefix, clock_env, clock_note = _clock_settings(scenario)
    if clock_note:
        console.print(f"fault: {clock_note}")
    base_env = {
        "TRIAGE_DATABASE_URL": f"sqlite:///{out / 'triage.sqlite'}",
        "TRIAGE_TELEMETRY_DIR": str(out / "telemetry"),
        "TRIAGE_DEMO_USERS": str(DEMO_USERS),
        "TRIAGE_LOG_STDERR": "false",
    }
    users = [f"demo-{n}" for n in range(1, DEMO_USERS + 1)]
    outcomes: list[traffic.Outcome] = []

    for phase, phase_plan in zip(scenario.phases, plans, strict=True):
        switches = ", ".join(f"{k}={v}" for k, v in phase.switches.items()) or "none"
        console.print(f"phase [bold]{phase.name}[/]: switches {switches}")
        with (
            start_services(
                env={**base_env, **_switch_env(phase.switches)},
                per_service_env=clock_env,
                command_prefix=prefix,
                output_dir=out / "process-output",
            ) as running,
            _progress(console, len(phase_plan), phase.name) as advance,
        ):
            outcomes += asyncio.run(
                traffic.run(
                    running.urls["interviews"],
                    phase_plan,
                    users=users,
                    concurrency=concurrency,
                    on_done=advance,
                )
            )

    sent = len(outcomes)
    planned = sum(len(p) for p in plans)
    if sent != planned:
        raise TriageError(f"only {sent} of {planned} requests were sent in time")
    return scenarios.expected_causes(plans), outcomes


@contextmanager
def _progress(console: Console, total: int, label: str) -> Iterator[Any]:
    columns = (
        "{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"{label}: requests", total=total)
        yield lambda _outcome: progress.advance(task)


def render_agreement(agreement: Agreement, console: Console) -> None:
    """Print the ground truth beside the analyzer's attribution."""
    causes = Table(title="Ground truth vs analyzer: causes")
    for column in ("cause", "injected", "attributed", ""):
        causes.add_column(column)
    for row in agreement.causes:
        mark = "[green]agree[/]" if row.agrees else "[red]DIFFER[/]"
        causes.add_row(row.cause, str(row.injected), str(row.attributed), mark)
    console.print(causes)

    verdicts = Table(title="Ground truth vs analyzer: hypotheses")
    for column in ("hypothesis", "injected", "verdict", ""):
        verdicts.add_column(column)
    for hypothesis in agreement.hypotheses:
        mark = "[green]agree[/]" if hypothesis.agrees else "[red]DIFFER[/]"
        injected = "yes" if hypothesis.injected else "no"
        verdicts.add_row(hypothesis.id, injected, hypothesis.verdict, mark)
    console.print(verdicts)


def _agreement_markdown(agreement: Agreement) -> str:
    lines = [
        "## Ground truth vs analyzer",
        "",
        "| cause | injected | attributed | agrees |",
        "|---|---:|---:|---|",
    ]
    lines += [
        f"| `{r.cause}` | {r.injected} | {r.attributed} "
        f"| {'yes' if r.agrees else 'NO'} |"
        for r in agreement.causes
    ]
    lines += ["", "| hypothesis | injected | verdict | agrees |", "|---|---|---|---|"]
    lines += [
        f"| {r.id} | {'yes' if r.injected else 'no'} | {r.verdict} "
        f"| {'yes' if r.agrees else 'NO'} |"
        for r in agreement.hypotheses
    ]
    return "\n".join(lines) + "\n"


def demo(
    scenario: str = typer.Option(
        "seed-incident",
        "--scenario",
        "-s",
        help="Shipped scenario name or path to a scenario TOML file.",
    ),
    requests: int | None = typer.Option(
        None,
        "--requests",
        "-n",
        min=1,
        max=100_000,
        help=(
            "Total requests to send (default: the scenario's own). Each phase may "
            "take 120 s plus 0.1 s per request per connection."
        ),
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        file_okay=False,
        help="Folder for the database, telemetry and reports "
        "(default: a fresh temporary folder, printed).",
    ),
    output_format: str = typer.Option(
        "table", "--format", "-f", help="Print the report as table, json or markdown."
    ),
    concurrency: int = typer.Option(
        8, "--concurrency", "-c", min=1, max=256, help="Requests in flight at once."
    ),
    list_scenarios: bool = typer.Option(
        False, "--list", help="List the shipped scenarios and exit."
    ),
) -> None:
    """Reproduce an incident with two real services and settle it from telemetry.

    Writes report.json, report.md and report.html (open it in a browser) to
    the output folder and exits 1 when the analyzer's attribution differs from
    the scenario's injected ground truth.

    Examples:

      triage demo

      triage demo --scenario clock-skew --requests 40 --out ./skew
    """
    if list_scenarios:
        for name in scenarios.available():
            typer.echo(f"{name}: {scenarios.load(name).description}")
        raise typer.Exit()
    if output_format not in FORMATS:
        raise TriageError(f"--format must be one of {', '.join(FORMATS)}")

    chosen = scenarios.load(scenario)
    scenarios.check_size(chosen, requests)
    folder = _prepare_out(out)
    err = Console(stderr=True)
    err.print(f"scenario [bold]{chosen.name}[/]: {chosen.description}")
    err.print(f"output folder: {folder}")

    with _sigterm_as_interrupt():
        injected, outcomes = _run_or_explain(
            chosen, folder, requests=requests, concurrency=concurrency, console=err
        )
    report = _analyse(folder, err)
    agreement = compare(injected, chosen.ground_truth.hypotheses, report.to_dict())
    found = _write_reports(folder, chosen, report, agreement, outcomes)
    _print(report, found, agreement, output_format, folder)

    if not agreement.agrees:
        raise typer.Exit(1)


def _run_or_explain(
    chosen: scenarios.Scenario, folder: Path, **options: Any
) -> tuple[Counter[str], list[traffic.Outcome]]:
    """Run the scenario; a service that fails to start becomes one plain line."""
    from app.errors import AppError

    try:
        return run_scenario(chosen, folder, **options)
    except AppError as error:
        raise TriageError(str(error)) from None
    except httpx.HTTPError as error:
        raise TriageError(f"traffic could not reach the services: {error}") from None


def _analyse(folder: Path, console: Console) -> Any:
    import analyzer

    console.print("analysing telemetry …")
    try:
        return analyzer.analyze([folder / "telemetry"])
    except analyzer.AnalyzerError as error:
        raise TriageError(str(error)) from None


def _write_reports(
    folder: Path,
    chosen: scenarios.Scenario,
    report: Any,
    agreement: Agreement,
    outcomes: list[traffic.Outcome],
) -> Any:
    """Write report.json, report.md and report.html; return the evidence found."""
    from triage.analyze import gather_evidence, render, report_data

    found = gather_evidence(report)
    statuses = Counter(str(o.status) for o in outcomes)
    data = report_data(report, found)
    data["demo"] = {
        "scenario": chosen.name,
        "requests": len(outcomes),
        "statuses": dict(sorted(statuses.items())),
        "agreement": agreement.to_dict(),
    }
    (folder / "report.json").write_text(json.dumps(data, indent=2) + "\n")
    markdown = render(report, found, "markdown").rstrip("\n")
    (folder / "report.md").write_text(
        markdown + "\n\n" + _agreement_markdown(agreement)
    )
    (folder / "report.html").write_text(render(report, found, "html"))

    return found


def _print(
    report: Any, found: Any, agreement: Agreement, output_format: str, folder: Path
) -> None:
    import analyzer
    from analyzer.evidence import render_evidence

    out = Console()
    if output_format == "json":
        typer.echo((folder / "report.json").read_text(), nl=False)
        return
    if output_format == "markdown":
        typer.echo((folder / "report.md").read_text(), nl=False)
        return
    analyzer.render_table(report, out)
    if found is not None:
        render_evidence(found, out)
    render_agreement(agreement, out)
    verdict = "agree" if agreement.agrees else "DISAGREE"
    out.print(f"ground truth and analysis {verdict}; reports in {folder}")
