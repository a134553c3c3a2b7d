"""The shared database: SQLAlchemy 2 models, engine, schema and error causes.

Both services open the same database (SQLite by default, any SQLAlchemy URL
such as PostgreSQL otherwise) and both create the schema at start-up, so the
creation is serialised by a database lock.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from app.clock import pause
from instrumentation.causes import Cause

# The H4 "unavailable" fault sends writes here: opening it fails in the driver,
# exactly as a database that cannot be reached does.
UNREACHABLE_URL = "sqlite:////nonexistent/triage-db-fault/unavailable.sqlite"
# The H4 "integrity" fault stores this user id: no user has it, so the
# database itself refuses the row with a foreign-key violation.
NO_SUCH_USER = 0
_SCHEMA_ATTEMPTS = 5
_WAL_ATTEMPTS = 40
# Any constant both services agree on: the advisory lock around schema creation.
_SCHEMA_LOCK = 0x7472_6961_6765


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Store the UTC reading of an aware datetime."""
        if value is None:
            return None

        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        """Return an aware UTC datetime whatever the backend gave back."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)

        return value.astimezone(UTC)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of the four tables."""


class User(Base):
    """A person who can log in; a user's id is the ``hostId`` of their rooms."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow)


class UserSession(Base):
    """A login session; only the SHA-256 of its token is stored."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow)


class VideoRoom(Base):
    """A video conference room, unique per host and idempotency key."""

    __tablename__ = "video_rooms"
    __table_args__ = (UniqueConstraint("host_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    is_private: Mapped[bool] = mapped_column(Boolean)
    max_participants: Mapped[int] = mapped_column(Integer)
    scheduled_start_time: Mapped[datetime] = mapped_column(UTCDateTime)
    recording_enabled: Mapped[bool] = mapped_column(Boolean)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow)


class MockInterview(Base):
    """A mock interview, pointing at its room when the video is built in."""

    __tablename__ = "mock_interviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    video_room_id: Mapped[int | None] = mapped_column(
        ForeignKey("video_rooms.id"), unique=True
    )
    scheduled_time: Mapped[datetime] = mapped_column(UTCDateTime)
    video_type: Mapped[str] = mapped_column(String(20))
    time_zone: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow)


def normalise_url(url: str) -> str:
    """Pick the installed psycopg 3 driver for a bare ``postgresql://`` URL."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")

    return parsed.render_as_string(hide_password=False)


# A database that stops answering must not hold requests for ever: connecting
# gives up after this, and PostgreSQL cancels any statement running longer.
CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_S = 10


def make_engine(url: str, statement_timeout_s: float = STATEMENT_TIMEOUT_S) -> Engine:
    """An engine for ``url``; SQLite gets WAL and a busy timeout for two writers.

    PostgreSQL gets a connect timeout and a server-side statement timeout (a
    lock wait or a runaway query becomes ``db.unavailable``, not a hang).
    """
    normalised = normalise_url(url)
    connect_args: dict[str, Any] = {}
    if make_url(normalised).get_backend_name() == "postgresql":
        connect_args = {
            "connect_timeout": CONNECT_TIMEOUT_S,
            "options": f"-c statement_timeout={int(statement_timeout_s * 1000)}",
        }
    engine = create_engine(normalised, pool_pre_ping=True, connect_args=connect_args)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)

    return engine


def _sqlite_pragmas(connection: Any, record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 10000")
    _use_wal(cursor)
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _use_wal(cursor: Any) -> None:
    """Switch the file to WAL (it stays so), waiting out other processes' locks.

    Changing the journal mode does not go through SQLite's busy handler: while
    another process holds the write lock (the other service creating the
    schema) it fails at once with "database is locked", so it is retried.
    """
    for attempt in range(1, _WAL_ATTEMPTS + 1):
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError:
            if attempt == _WAL_ATTEMPTS:
                raise
            pause(0.05 * attempt)


def create_schema(engine: Engine) -> None:
    """Create missing tables, one process at a time.

    Both services start together and both create the schema. ``create_all``
    checks, then creates, table by table; two processes doing that at once
    can both see a table missing and one fails with "already exists". So the
    checks and creates run inside one transaction that first takes a lock
    the other process waits on: SQLite's write lock (``BEGIN IMMEDIATE``;
    its DDL is transactional) or a PostgreSQL advisory lock. Other backends
    retry instead.
    """
    dialect = engine.dialect.name
    if dialect == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            Base.metadata.create_all(connection)
            connection.commit()
        return
    if dialect == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")
            Base.metadata.create_all(connection)
        return

    for attempt in range(1, _SCHEMA_ATTEMPTS + 1):
        try:
            Base.metadata.create_all(engine)
            return
        except DBAPIError:
            # The loser of a CREATE TABLE race sees "already exists" and
            # finds the tables on the next pass.
            if attempt == _SCHEMA_ATTEMPTS:
                raise
            pause(0.1 * attempt)


def session_factory(engine: Engine) -> sessionmaker:
    """Sessions that keep loaded rows readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def cause_for(error: SQLAlchemyError) -> tuple[Cause, int]:
    """The cause code and HTTP status a database error is answered with."""
    if isinstance(error, IntegrityError):
        return Cause.DB_INTEGRITY_ERROR, 500
    if isinstance(error, DataError):
        # The database refused a value validation let through: a client error.
        return Cause.PAYLOAD_INVALID_VALUE, 400

    return Cause.DB_UNAVAILABLE, 503
