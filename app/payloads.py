"""Turn a raw request body into a validated model or one ``payload.*`` rejection.

The services read bodies themselves rather than through FastAPI's body
parameters, so the order of checks (credentials first, then the body) and the
cause of each failure stay in one place.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Request
from pydantic import AfterValidator, BaseModel, ValidationError

from app.errors import Rejection
from instrumentation.causes import Cause

ModelT = TypeVar("ModelT", bound=BaseModel)
_KEY_HEADER = "idempotency-key"
_MAX_KEY_LENGTH = 255

# Bytes read past the limit before answering 413, so a client that is still
# sending sees the response rather than a reset connection.
_DRAIN_FACTOR = 16


def storable(text: str) -> str:
    """Refuse text a database cannot store: NUL characters and lone surrogates."""
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("must be valid Unicode text") from error

    return text


CleanStr = Annotated[str, AfterValidator(storable)]


async def read_body(request: Request, limit: int) -> bytes:
    """Read the whole body; past ``limit`` bytes reject with ``payload.too_large``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit * _DRAIN_FACTOR:
        raise _too_large(limit)

    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit * _DRAIN_FACTOR:
            break
        if size <= limit:
            chunks.append(chunk)
    if size > limit:
        raise _too_large(limit)

    return b"".join(chunks)


def _too_large(limit: int) -> Rejection:
    detail = f"The request body exceeds {limit} bytes."
    return Rejection(Cause.PAYLOAD_TOO_LARGE, 413, detail)


def decode_json(body: bytes) -> Any:
    """Decode a UTF-8 JSON document, or reject with ``payload.invalid_json``."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        detail = "The request body is not valid UTF-8."
        raise Rejection(Cause.PAYLOAD_INVALID_JSON, 400, detail) from error
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        # ValueError covers JSONDecodeError and integers past Python's digit limit.
        detail = "The request body is not a valid JSON document."
        raise Rejection(Cause.PAYLOAD_INVALID_JSON, 400, detail) from error


def validate(model: type[ModelT], document: Any) -> ModelT:
    """Validate a decoded document against ``model``, or reject with its cause."""
    if not isinstance(document, dict):
        detail = "The request body must be a JSON object."
        raise Rejection(Cause.PAYLOAD_INVALID_VALUE, 400, detail)
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise rejection_for(error.errors(include_input=False)) from error


async def read_model(request: Request, model: type[ModelT], limit: int) -> ModelT:
    """Read, decode and validate a JSON body in one step."""
    body = await read_body(request, limit)

    return validate(model, decode_json(body))


def rejection_for(errors: Sequence[Mapping[str, Any]]) -> Rejection:
    """One rejection for a list of Pydantic/FastAPI errors, with field details."""
    types = {str(error.get("type", "")) for error in errors}
    if "json_invalid" in types:
        cause = Cause.PAYLOAD_INVALID_JSON
    elif "missing" in types:
        cause = Cause.PAYLOAD_MISSING_FIELD
    else:
        cause = Cause.PAYLOAD_INVALID_VALUE
    details = list(_field_details(errors))

    return Rejection(cause, 400, _summary(details), errors=details)


def _summary(details: Sequence[Mapping[str, str]]) -> str:
    """One sentence naming each failing field and what is wrong with it."""
    parts = [
        f"{d.get('pointer') or d.get('parameter')}: {d['detail']}" for d in details
    ]

    return "; ".join(parts) or "The request is invalid."


def _field_details(errors: Iterable[Mapping[str, Any]]) -> Iterable[dict[str, str]]:
    """RFC 9457 style entries: a JSON pointer into the body, or a parameter name."""
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        message = str(error.get("msg", "invalid"))
        if loc[:1] == ["body"]:
            loc = loc[1:]
        elif loc[:1] in (["path"], ["query"], ["header"], ["cookie"]):
            yield {"parameter": ".".join(loc[1:]), "in": loc[0], "detail": message}
            continue
        yield {"pointer": "#/" + "/".join(loc), "detail": message}


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    """An OpenAPI ``requestBody`` for a JSON body a route reads by itself."""
    schema = model.model_json_schema(by_alias=True)
    definitions = schema.pop("$defs", {})

    return {
        "required": True,
        "content": {"application/json": {"schema": _inline(schema, definitions)}},
    }


def _inline(node: Any, definitions: Mapping[str, Any]) -> Any:
    """Replace local ``$ref``s by their definitions (the models are not recursive)."""
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _inline(definitions[ref.removeprefix("#/$defs/")], definitions)

    return {key: _inline(value, definitions) for key, value in node.items()}


def idempotency_key(request: Request) -> str | None:
    """The client's ``Idempotency-Key``: printable ASCII, at most 255 characters."""
    key = request.headers.get(_KEY_HEADER)
    if key is None:
        return None
    if not (0 < len(key) <= _MAX_KEY_LENGTH and key.isascii() and key.isprintable()):
        detail = "Idempotency-Key must be 1 to 255 printable ASCII characters."
        raise Rejection(Cause.PAYLOAD_INVALID_VALUE, 400, detail)

    return key
