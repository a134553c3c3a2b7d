"""Assemble one service: runtime, lifespan, health, log-in and error handling.

Both ``create_app`` factories call ``build_app`` with their own routers, so
the two services share every cross-cutting piece and differ only in routes.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from app import auth, db, problems
from app import telemetry_hooks as hooks
from app.clock import Clock
from app.config import Settings
from app.errors import Rejection
from app.runtime import Runtime

Extra = Callable[[FastAPI], AbstractAsyncContextManager[Any]]


class Health(BaseModel):
    """Answer of ``GET /health``."""

    status: str
    service: str


def build_app(
    *,
    service: str,
    settings: Settings | None,
    routers: Sequence[APIRouter],
    description: str,
    telemetry: Any = None,
    extra: Extra | None = None,
) -> FastAPI:
    """A FastAPI app for ``service``, instrumented, with shared routes and handlers.

    Pass ``telemetry`` to share one set-up between apps (the caller then owns
    its shutdown); otherwise the app sets telemetry up and shuts it down.
    """
    settings = settings or Settings()
    owns_telemetry = telemetry is None
    telemetry = telemetry or hooks.setup_telemetry(service)
    engine = db.make_engine(settings.database_url.get_secret_value())
    runtime = Runtime(
        service=service,
        settings=settings,
        clock=Clock(settings.clock_offset_s),
        engine=engine,
        sessions=db.session_factory(engine),
        telemetry=telemetry,
    )

    app = ServiceApp(
        title=service,
        description=description,
        lifespan=_lifespan(runtime, owns_telemetry, extra),
    )
    app.state.runtime = runtime
    app.include_router(_health_router(service))
    app.include_router(auth.router)
    for router in routers:
        app.include_router(router)
    problems.install(app)
    app.add_exception_handler(SQLAlchemyError, _on_database_error)
    telemetry.instrument_app(app)

    return app


class ServiceApp(FastAPI):
    """A FastAPI app that runs every HTTP request in an empty context.

    uvicorn stops reading a connection while a request body is over its 64 KiB
    high-water mark and resumes from inside that request's task; asyncio then
    runs the connection's reader callback, and creates every later request's
    task, in a copy of that request's contextvars. Without this, a keep-alive
    client's next requests would start inside the old request's span (as
    INTERNAL children in its trace) and with its log context.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return

        handler = super().__call__(scope, receive, send)
        # Awaiting the task also cancels it when this request is cancelled.
        await asyncio.get_running_loop().create_task(
            handler, context=contextvars.Context()
        )


def _lifespan(runtime: Runtime, owns_telemetry: bool, extra: Extra | None) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(prepare_database, runtime)
        # Instrumented only now: start-up statements belong to no request.
        runtime.telemetry.instrument_engine(runtime.engine)
        async with extra(app) if extra else nullcontext():
            hooks.get_logger().info("service.started", service=runtime.service)
            yield
        hooks.get_logger().info("service.stopping", service=runtime.service)
        runtime.engine.dispose()
        if owns_telemetry:
            runtime.telemetry.shutdown()

    return lifespan


def prepare_database(runtime: Runtime) -> None:
    """Create the schema and the demo users the settings ask for."""
    db.create_schema(runtime.engine)
    settings = runtime.settings
    if settings.demo_users:
        names = [f"demo-{n}" for n in range(1, settings.demo_users + 1)]
        password = settings.demo_password.get_secret_value()
        added = auth.ensure_users(runtime.sessions, names, password)
        hooks.get_logger().info("demo_users.ready", count=len(names), added=added)


def _health_router(service: str) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health", response_model=Health)
    async def health() -> Health:
        """Liveness: 200 once the schema exists and the service takes requests."""
        return Health(status="ok", service=service)

    # Load balancers and uptime checkers often probe with HEAD.
    @router.head("/health", include_in_schema=False)
    async def health_probe() -> Response:
        return Response(status_code=200)

    return router


async def _on_database_error(request: Request, error: Exception) -> Any:
    """Answer a database failure with its ``db.*`` cause; log the kind, not the SQL."""
    assert isinstance(error, SQLAlchemyError)
    cause, status = db.cause_for(error)
    driver_error = getattr(error, "orig", None)
    hooks.get_logger().warning(
        "db.error",
        error_type=type(error).__name__,
        driver_error_type=type(driver_error).__name__ if driver_error else None,
    )
    detail = "The database refused or could not run the operation."

    return problems.reject(request, Rejection(cause, status, detail))
