"""The tracer provider and the hooks that keep secrets out of HTTP spans."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote

from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import Span

from instrumentation import names
from instrumentation._context import current_request_id
from instrumentation._redact import credential_kind, redact_query, redact_url

# Stable HTTP semantic-convention attribute keys the hooks overwrite.
_URL_QUERY = "url.query"
_URL_FULL = "url.full"


def build_resource(service: str) -> Resource:
    """The process resource; OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES win."""
    env_attributes = os.environ.get("OTEL_RESOURCE_ATTRIBUTES", "")
    named_by_env = bool(os.environ.get("OTEL_SERVICE_NAME")) or (
        f"{SERVICE_NAME}=" in env_attributes
    )

    return Resource.create({} if named_by_env else {SERVICE_NAME: service})


def build_tracer_provider(
    resource: Resource, exporter: SpanExporter, interval_ms: int
) -> TracerProvider:
    """A provider exporting in batches off the request path.

    The sampler comes from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, which
    the SDK reads when none is passed.
    """
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(
        BatchSpanProcessor(exporter, schedule_delay_millis=interval_ms)
    )

    return provider


def server_request_hook(span: Span, scope: dict[str, Any]) -> None:
    """Replace the recorded query string by its redacted form."""
    query = scope.get("query_string")
    if query and span.is_recording():
        text = unquote(query.decode("latin-1"))
        span.set_attribute(_URL_QUERY, redact_query(text))


def _client_request(span: Span, request: Any) -> None:
    if span.is_recording():
        span.set_attribute(_URL_FULL, redact_url(str(request.url)))
        kind = credential_kind(request.headers.raw)
        span.set_attribute(names.ATTR_CREDENTIAL_KIND, kind)

    # One request id across both services, so their access events join.
    request_id = current_request_id()
    if request_id and names.HEADER_REQUEST_ID not in request.headers:
        request.headers[names.HEADER_REQUEST_ID] = request_id


def client_request_hook(span: Span, request: Any) -> None:
    """Redact the client span's URL, note the credential kind, pass the id on."""
    _client_request(span, request)


async def async_client_request_hook(span: Span, request: Any) -> None:
    """The same as ``client_request_hook``, for ``httpx.AsyncClient``."""
    _client_request(span, request)
