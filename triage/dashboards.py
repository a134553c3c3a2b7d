"""``triage dashboards``: regenerate the Grafana dashboards or check committed ones."""

from __future__ import annotations

from pathlib import Path

import typer

from triage.errors import TriageError

app = typer.Typer(
    help="Grafana dashboards as code (see dashboards/README.md).",
    no_args_is_help=True,
)


@app.callback()
def _group() -> None:
    """Grafana dashboards as code."""


@app.command()
def build(
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Folder for the JSON files (default: dashboards/generated).",
        file_okay=False,
    ),
    check: bool = typer.Option(
        False,
        "--check",
        help="Write nothing; exit 1 if the folder differs from the generator.",
    ),
) -> None:
    """Regenerate the dashboards' JSON.

    Example: `triage dashboards build --check` (what CI runs).
    """
    import dashboards

    folder = out or dashboards.GENERATED_DIR
    if check:
        _check(folder)
        return

    try:
        written = dashboards.write(folder)
    except OSError as error:
        raise TriageError(f"cannot write dashboards to {folder}: {error}") from error

    typer.echo(f"dashboards: wrote {len(written)} files to {folder}")


def _check(folder: Path) -> None:
    """Print a one-line summary and exit 1 when ``folder`` is not up to date."""
    import dashboards

    try:
        dashboards.check(folder)
    except dashboards.DriftError as error:
        typer.echo(f"triage: dashboards out of date: {error}", err=True)
        raise typer.Exit(1) from error
    except OSError as error:
        raise TriageError(f"cannot read dashboards in {folder}: {error}") from error

    typer.echo(f"dashboards: {folder} is up to date")
