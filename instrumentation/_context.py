"""Per-request state shared by the access middleware and ``record_*`` calls."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RequestState:
    """What the access event needs to know about the request in flight.

    Mutable on purpose: handlers FastAPI runs in its thread pool see a copy of
    the context, so a cause they record must land in this shared object, not
    in a context variable of their own.
    """

    request_id: str
    cause: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


_STATE: ContextVar[RequestState | None] = ContextVar("triage_request", default=None)


def current_state() -> RequestState | None:
    """The state of the request being handled, if any."""
    return _STATE.get()


def current_request_id() -> str | None:
    """The id of the request being handled, if any."""
    state = _STATE.get()

    return state.request_id if state is not None else None


def enter(state: RequestState) -> Any:
    """Make ``state`` current; return the token for ``leave``."""
    return _STATE.set(state)


def leave(token: Any) -> None:
    """Restore the state that was current before ``enter``."""
    _STATE.reset(token)
