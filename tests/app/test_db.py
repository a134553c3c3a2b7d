"""The shared database: schema creation, time storage, URL handling, causes."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from app import db
from instrumentation.causes import Cause

CREATORS = 6


def _create_at(database_url: str, barrier: Any) -> None:
    engine = db.make_engine(database_url)
    barrier.wait()
    db.create_schema(engine)
    engine.dispose()


def test_schema_creation_survives_processes_at_once(database_url: str) -> None:
    """Six processes released together all create the schema without error."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(CREATORS)
    processes = [
        context.Process(target=_create_at, args=(database_url, barrier))
        for _ in range(CREATORS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)

    assert [p.exitcode for p in processes] == [0] * CREATORS
    engine = db.make_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert tables == set(db.Base.metadata.tables)


@pytest.mark.postgres
def test_a_statement_past_the_timeout_is_cancelled_as_unavailable(
    postgres_admin_url: str,
) -> None:
    """On PostgreSQL a statement that runs too long fails instead of hanging."""
    engine = db.make_engine(postgres_admin_url, statement_timeout_s=0.2)
    try:
        with pytest.raises(OperationalError) as raised, engine.connect() as conn:
            conn.exec_driver_sql("SELECT pg_sleep(2)")
    finally:
        engine.dispose()

    assert db.cause_for(raised.value) == (Cause.DB_UNAVAILABLE, 503)


def test_times_come_back_aware_in_utc(database_url: str) -> None:
    """A +03:00 time is stored and read back as the same instant in UTC."""
    engine = db.make_engine(database_url)
    db.create_schema(engine)
    sessions = db.session_factory(engine)
    moment = datetime(2025, 5, 31, 1, 45, 55, tzinfo=timezone(timedelta(hours=3)))
    with sessions() as s, s.begin():
        s.add(db.User(username="u", password_hash="h", created_at=moment))

    with sessions() as s:
        stored = s.scalar(select(db.User.created_at))
    engine.dispose()

    assert stored == moment
    assert stored.tzinfo is UTC


def test_bare_postgresql_url_gets_the_psycopg_driver() -> None:
    """postgresql:// selects psycopg 3 (psycopg2 is not installed)."""
    assert db.normalise_url("postgresql://u@h/d").startswith("postgresql+psycopg://")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (IntegrityError("x", None, Exception()), (Cause.DB_INTEGRITY_ERROR, 500)),
        (OperationalError("x", None, Exception()), (Cause.DB_UNAVAILABLE, 503)),
        (DataError("x", None, Exception()), (Cause.PAYLOAD_INVALID_VALUE, 400)),
    ],
)
def test_database_errors_map_to_causes(error, expected) -> None:
    """Constraint → integrity (500), connection → unavailable (503)."""
    assert db.cause_for(error) == expected


def test_unreachable_database_fails_in_the_driver() -> None:
    """The "unavailable" fault's database really cannot be opened."""
    engine = db.make_engine(db.UNREACHABLE_URL)

    with pytest.raises(OperationalError):
        engine.connect()
    engine.dispose()
