"""Attach the official instrumentations (FastAPI, httpx, SQLAlchemy) to objects."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from instrumentation._metrics import METRICS_CONTENT_TYPE, METRICS_PATH
from instrumentation._middleware import AccessLogMiddleware
from instrumentation._tracing import (
    async_client_request_hook,
    client_request_hook,
    server_request_hook,
)

if TYPE_CHECKING:
    from instrumentation._telemetry import Telemetry

# Header names whose values the HTTP instrumentations must never record, even
# when OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_* asks for them (regexes).
SENSITIVE_HEADERS = [
    "authorization",
    ".*cookie.*",
    ".*token.*",
    ".*secret.*",
    ".*password.*",
    ".*api-key.*",
    ".*session.*",
]


def instrument_fastapi(app: Any, telemetry: Telemetry) -> None:
    """Add the access middleware, GET /metrics and the FastAPI instrumentation."""
    app.add_middleware(AccessLogMiddleware, skip_paths=frozenset({METRICS_PATH}))

    async def metrics(request: Request) -> Response:
        return Response(telemetry.metrics_text(), media_type=METRICS_CONTENT_TYPE)

    app.add_route(METRICS_PATH, metrics, methods=["GET"], include_in_schema=False)
    if telemetry.tracer_provider is None or telemetry.metrics is None:
        return

    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    sub_spans = telemetry.settings.asgi_sub_spans
    FastAPIInstrumentor.instrument_app(
        app,
        server_request_hook=server_request_hook,
        tracer_provider=telemetry.tracer_provider,
        meter_provider=telemetry.metrics.provider,
        excluded_urls=_excluded_urls(),
        http_capture_headers_sanitize_fields=SENSITIVE_HEADERS,
        exclude_spans=None if sub_spans else ["receive", "send"],
    )


def _excluded_urls() -> str:
    # Prometheus scrapes are not requests anyone debugs; keep the user's own
    # exclusions (the variable the instrumentation would otherwise read).
    user = os.environ.get("OTEL_PYTHON_FASTAPI_EXCLUDED_URLS") or os.environ.get(
        "OTEL_PYTHON_EXCLUDED_URLS", ""
    )
    ours = f"://[^/]+{METRICS_PATH}$"

    return f"{user},{ours}" if user.strip() else ours


def instrument_client(client: Any, tracer_provider: Any, meter_provider: Any) -> None:
    """Trace an httpx client (sync or async) with redacting hooks."""
    if tracer_provider is None:
        return

    import httpx
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    is_async = isinstance(client, httpx.AsyncClient)
    HTTPXClientInstrumentor.instrument_client(
        client,
        tracer_provider=tracer_provider,
        meter_provider=meter_provider,
        request_hook=async_client_request_hook if is_async else client_request_hook,
    )


def instrument_engine(engine: Any, tracer_provider: Any, meter_provider: Any) -> None:
    """Trace one SQLAlchemy engine (sync, or the sync core of an async one)."""
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.instrumentation.sqlalchemy.version import __version__

    core = getattr(engine, "sync_engine", engine)
    scope = "opentelemetry.instrumentation.sqlalchemy"
    tracer = tracer_provider.get_tracer(scope, __version__)
    meter = meter_provider.get_meter(scope, __version__)
    usage = meter.create_up_down_counter(
        name="db.client.connections.usage",
        unit="connections",
        description="The number of connections in each state.",
    )
    # EngineTracer is what SQLAlchemyInstrumentor().instrument(engine=...)
    # returns; used directly it instruments this engine only, with our
    # providers, without patching create_engine for the whole process.
    EngineTracer(tracer, core, usage)
