"""The ``triage`` command: one entry point that composes the four parts.

Each sub-command lives in its own module under ``triage/`` and is imported
lazily, so ``triage --help`` stays fast and a broken optional part cannot stop
the others from running.
"""

from __future__ import annotations

import sys

import typer

from triage.errors import TriageError

cli = typer.Typer(
    name="triage",
    help=(
        "Settle why requests fail: run the reference services, reproduce the "
        "incident, and judge the hypotheses from logs and traces."
    ),
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"triage {version('triage')}")
        raise typer.Exit()


@cli.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_show_version,
        is_eager=True,
        help="Show the version and exit.",
    ),
) -> None:
    """Settle why requests fail."""


def _register() -> None:
    """Attach every sub-command module that is present."""
    from triage import commands

    commands.register(cli)


def main() -> None:
    """Run the CLI; expected errors become one line on stderr and exit code 2."""
    _register()
    if len(sys.argv) == 1:
        sys.argv.append("--help")
    try:
        # Not standalone, so usage errors reach us and print as one line too,
        # instead of a boxed usage screen.
        code = cli(standalone_mode=False)
    except typer.Abort:
        typer.echo("triage: interrupted", err=True)
        sys.exit(130)
    except typer.TyperException as error:  # usage errors and bad values
        message = _one_line(error)
        if message:  # a group run bare has printed its help and says nothing
            typer.echo(f"triage: error: {message}", err=True)
        sys.exit(getattr(error, "exit_code", 2))
    except TriageError as error:
        typer.echo(f"triage: error: {error}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("triage: interrupted", err=True)
        sys.exit(130)
    if code == 130:  # Typer turns Ctrl-C into this exit code, not an exception
        typer.echo("triage: interrupted", err=True)
    sys.exit(code if isinstance(code, int) else 0)


def _one_line(error: Exception) -> str:
    """The error's message on one line, pointing at the command's help."""
    format_message = getattr(error, "format_message", None)
    message = " ".join(str(format_message() if format_message else error).split())
    # Typer passes pydantic's wording through; its prefix says nothing to a user.
    message = message.replace(": Value error, ", ": ")
    ctx = getattr(error, "ctx", None)
    if ctx is None or not message:
        return message

    return f"{message} (see '{ctx.command_path} --help')"


if __name__ == "__main__":
    main()
