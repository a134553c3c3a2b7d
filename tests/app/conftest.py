"""Fixtures of the app tests: databases (SQLite and PostgreSQL), settings, spans."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan

from app.config import Settings
from tests.app import postgres
from tests.app.support import SpanTelemetry

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture
def anyio_backend() -> str:
    """The async tests run on asyncio, like uvicorn."""
    return "asyncio"


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A PostgreSQL cluster for the whole session (skipped without binaries)."""
    bin_dir = postgres.find_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries are not installed")
    with postgres.cluster(bin_dir) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'triage.sqlite'}"
    admin_url = request.getfixturevalue("postgres_admin_url")

    return postgres.create_database(admin_url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database, for tests whose subject is not the database."""
    return f"sqlite:///{tmp_path / 'triage.sqlite'}"


@pytest.fixture
def make_settings(sqlite_url: str) -> Callable[..., Settings]:
    """Settings with three demo users, ``demo-3`` hostless; overrides by keyword."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": sqlite_url,
            "demo_users": 3,
            "hostless_users": ["demo-3"],
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def spans() -> Iterator[SpanTelemetry]:
    """A telemetry double recording spans in memory."""
    telemetry = SpanTelemetry()
    yield telemetry
    telemetry.provider.shutdown()


def span_named(spans: list[ReadableSpan], service_route: str) -> ReadableSpan:
    """The one server span whose name is ``service_route`` (e.g. ``POST /x``)."""
    matches = [span for span in spans if span.name == service_route]
    assert len(matches) == 1, [span.name for span in spans]

    return matches[0]
