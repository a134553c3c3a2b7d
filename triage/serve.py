"""``triage serve``: run the reference services in the foreground until Ctrl-C."""

from __future__ import annotations

import enum
import os
import signal
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from triage.errors import TriageError

if TYPE_CHECKING:
    from app.launcher import RunningServices

_POLL_S = 0.5


class Service(enum.StrEnum):
    """A service ``--only`` can pick."""

    interviews = "interviews"
    video_rooms = "video-rooms"


class DbFault(enum.StrEnum):
    """The database fault modes (H4)."""

    none = "none"
    integrity = "integrity"
    unavailable = "unavailable"


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    interviews_port: int = typer.Option(8001, min=0, max=65535, help="0: any free."),
    video_rooms_port: int = typer.Option(8002, min=0, max=65535, help="0: any free."),
    only: Service | None = typer.Option(None, help="Run just this service."),
    database_url: str | None = typer.Option(
        None, help="SQLAlchemy URL (default: $DATABASE_URL, else ./triage.sqlite)."
    ),
    telemetry_dir: Path | None = typer.Option(
        None, file_okay=False, help="Folder for traces and logs (default: ./telemetry)."
    ),
    min_lead: float | None = typer.Option(
        None, min=0, help="H1: minimum lead in seconds (default: 60)."
    ),
    clock_offset: float | None = typer.Option(
        None, help="H1: shift video-rooms' clock by this many seconds."
    ),
    no_forward_auth: bool = typer.Option(
        False, "--no-forward-auth", help="H2: drop the credential on the internal call."
    ),
    hostless_user: list[str] = typer.Option(
        [], help="H3: a user whose session yields no hostId (repeatable)."
    ),
    db_fault: DbFault | None = typer.Option(
        None, help="H4: make video-rooms' room writes fail this way."
    ),
    legacy_error_mapping: bool = typer.Option(
        False,
        "--legacy-error-mapping",
        help="Answer every inner failure with a bare 400 (the original bug).",
    ),
    demo_users: int | None = typer.Option(
        None, min=0, max=10_000, help="Create users demo-1..demo-N (password: demo)."
    ),
) -> None:
    """Run the interviews and video-rooms services until Ctrl-C or SIGTERM.

    Per-service settings not covered by a flag come from TRIAGE_* variables
    in the environment (for example TRIAGE_CLOCK_OFFSET_S for interviews).

    Examples:

      triage serve --demo-users 3

      triage serve --clock-offset 90 --min-lead 60 --legacy-error-mapping
    """
    _check_database_url(database_url)
    _check_settings(database_url, min_lead, clock_offset, telemetry_dir)
    shared = {
        "TRIAGE_DATABASE_URL": database_url,
        "TRIAGE_TELEMETRY_DIR": str(telemetry_dir) if telemetry_dir else None,
        "TRIAGE_MIN_LEAD_S": _number(min_lead),
        "TRIAGE_HOSTLESS_USERS": ",".join(hostless_user) or None,
        "TRIAGE_DEMO_USERS": _number(demo_users),
    }
    interviews = {
        "TRIAGE_FORWARD_AUTH": "false" if no_forward_auth else None,
        "TRIAGE_LEGACY_ERROR_MAPPING": "true" if legacy_error_mapping else None,
    }
    if only is Service.interviews and "TRIAGE_VIDEO_ROOMS_URL" not in os.environ:
        interviews["TRIAGE_VIDEO_ROOMS_URL"] = f"http://{host}:{video_rooms_port}"
    video_rooms = {
        "TRIAGE_CLOCK_OFFSET_S": _number(clock_offset),
        "TRIAGE_DB_FAULT": db_fault.value if db_fault else None,
    }

    run(
        services=(only.value,) if only else (Service.interviews, Service.video_rooms),
        host=host,
        ports={"interviews": interviews_port, "video-rooms": video_rooms_port},
        env=_present(shared),
        per_service_env={
            "interviews": _present(interviews),
            "video-rooms": _present(video_rooms),
        },
    )


def run(
    *,
    services: Sequence[str],
    host: str,
    ports: Mapping[str, int],
    env: Mapping[str, str],
    per_service_env: Mapping[str, Mapping[str, str]],
) -> None:
    """Start the services, wait for Ctrl-C or SIGTERM, stop them gracefully."""
    from app.errors import ServiceStartError
    from app.launcher import start_services

    with _sigterm_as_interrupt():
        try:
            running = start_services(
                services=[str(name) for name in services],
                host=host,
                ports=ports,
                env=env,
                per_service_env=per_service_env,
            )
        except ServiceStartError as error:
            raise TriageError(str(error)) from error
        try:
            for name, url in running.urls.items():
                typer.echo(f"{name:<12} {url}  (API docs: {url}/docs)", err=True)
            typer.echo("press Ctrl-C to stop", err=True)
            _wait_for_exit(running)
        except KeyboardInterrupt:
            typer.echo("stopping …", err=True)
        finally:
            running.stop()


def _wait_for_exit(running: RunningServices) -> None:
    """Block until interrupted; a service dying on its own is an error."""
    while True:
        exited = running.poll()
        if exited:
            name, code = next(iter(exited.items()))
            raise TriageError(f"{name} exited unexpectedly with code {code}")
        time.sleep(_POLL_S)


def _check_database_url(url: str | None) -> None:
    if url is None:
        return
    from sqlalchemy.exc import ArgumentError

    from app.db import normalise_url

    try:
        normalise_url(url)
    except (ArgumentError, ValueError) as error:
        raise TriageError("--database-url is not a valid SQLAlchemy URL") from error


def _check_settings(
    database_url: str | None,
    min_lead: float | None,
    clock_offset: float | None,
    telemetry_dir: Path | None,
) -> None:
    """Refuse, in one line, what would make a service fail as it starts.

    The services read the same flags and ``TRIAGE_*``/``DATABASE_URL``
    variables; checking here turns a start-up traceback into a message. The
    database URL is never echoed: it may hold a password.
    """
    from pydantic import ValidationError

    from app.config import Settings
    from app.db import make_engine

    given = {"min_lead_s": min_lead, "clock_offset_s": clock_offset}
    try:
        # model_validate still reads the environment, as the services will.
        settings = Settings.model_validate(
            {k: v for k, v in given.items() if v is not None}
        )
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise TriageError(f"invalid setting {where}: {problem['msg']}") from None
    url = database_url or settings.database_url.get_secret_value()
    try:
        make_engine(url).dispose()  # loads the dialect and driver, connects not
    except Exception as error:
        raise TriageError(
            f"cannot use the database URL: {type(error).__name__} (dialect or "
            "driver not available, or the URL is malformed)"
        ) from None
    if telemetry_dir is not None:
        try:
            telemetry_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise TriageError(
                f"cannot create --telemetry-dir {telemetry_dir}: {error.strerror}"
            ) from None


def _present(values: Mapping[str, str | None]) -> dict[str, str]:
    return {key: value for key, value in values.items() if value is not None}


def _number(value: float | None) -> str | None:
    return None if value is None else f"{value:g}"


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C, so either stops the services gracefully."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
