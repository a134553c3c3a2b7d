"""What a running service holds for its requests: settings, clock and database."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from app import db
from app.clock import Clock
from app.config import Settings


@dataclass(frozen=True)
class Runtime:
    """One per application instance, stored on ``app.state.runtime``."""

    service: str
    settings: Settings
    clock: Clock
    engine: Engine
    sessions: sessionmaker
    telemetry: Any

    @cached_property
    def write_sessions(self) -> sessionmaker:
        """Sessions for the service's main write; unopenable under "unavailable"."""
        if self.settings.db_fault == "unavailable":
            return db.session_factory(db.make_engine(db.UNREACHABLE_URL))

        return self.sessions

    def owner_for_write(self, user_id: int) -> int:
        """The user id the main write stores; a missing user under "integrity"."""
        if self.settings.db_fault == "integrity":
            return db.NO_SUCH_USER

        return user_id


def runtime_of(request: Request) -> Runtime:
    """The runtime of the application serving ``request``."""
    return request.app.state.runtime
