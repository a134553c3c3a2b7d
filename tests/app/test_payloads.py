"""Reading request bodies: size limit, UTF-8, JSON, and one cause per failure."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from app import payloads
from app.errors import Rejection
from app.payloads import CleanStr
from instrumentation.causes import Cause


class Sample(BaseModel):
    model_config = ConfigDict(strict=True)

    name: CleanStr = Field(min_length=1)
    count: int = 1


def request_with(body: bytes, chunk: int = 1024) -> Request:
    """A Starlette request whose body arrives in ``chunk``-byte pieces."""
    pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
    messages = [
        {"type": "http.request", "body": piece, "more_body": i < len(pieces) - 1}
        for i, piece in enumerate(pieces)
    ]

    async def receive() -> dict:
        return messages.pop(0)

    scope = {"type": "http", "method": "POST", "headers": [], "path": "/"}
    return Request(scope, receive)


def cause_of(call) -> Cause:
    with pytest.raises(Rejection) as caught:
        call()
    return caught.value.cause


@pytest.mark.anyio
async def test_body_over_the_limit_is_too_large() -> None:
    """One byte past the limit is a 413 payload.too_large."""
    with pytest.raises(Rejection) as caught:
        await payloads.read_body(request_with(b"x" * 1025), limit=1024)

    assert (caught.value.cause, caught.value.status) == (Cause.PAYLOAD_TOO_LARGE, 413)


@pytest.mark.anyio
async def test_body_at_the_limit_is_read_whole() -> None:
    """Exactly the limit is fine, across chunks."""
    body = await payloads.read_body(request_with(b"x" * 1024, chunk=100), limit=1024)

    assert body == b"x" * 1024


def test_invalid_utf8_is_invalid_json() -> None:
    """Bytes that are not UTF-8 are payload.invalid_json."""
    assert cause_of(lambda: payloads.decode_json(b'{"a": "\xff"}')) is (
        Cause.PAYLOAD_INVALID_JSON
    )


@pytest.mark.parametrize(
    "body",
    [b"", b"{bad", b"[" * 100_000, b"1" * 5000, b'{"a": NaN', b"\xef\xbb\xbf{}"],
)
def test_malformed_documents_are_invalid_json(body: bytes) -> None:
    """Broken, deeply nested or over-long-integer documents are invalid JSON."""
    assert cause_of(lambda: payloads.decode_json(body)) is Cause.PAYLOAD_INVALID_JSON


def test_non_object_document_is_invalid_value() -> None:
    """A JSON array where an object is expected is payload.invalid_value."""
    assert cause_of(lambda: payloads.validate(Sample, [1])) is (
        Cause.PAYLOAD_INVALID_VALUE
    )


def test_missing_field_wins_over_wrong_type() -> None:
    """With a missing and a mistyped field, the one cause is missing_field."""
    with pytest.raises(Rejection) as caught:
        payloads.validate(Sample, {"count": "3"})

    assert caught.value.cause is Cause.PAYLOAD_MISSING_FIELD
    assert {e["pointer"] for e in caught.value.errors} == {"#/name", "#/count"}


@pytest.mark.parametrize("name", ["a\x00b", "\ud800", 7, True])
def test_unstorable_or_mistyped_text_is_invalid_value(name: object) -> None:
    """NUL characters, lone surrogates and non-strings are payload.invalid_value."""
    assert cause_of(lambda: payloads.validate(Sample, {"name": name})) is (
        Cause.PAYLOAD_INVALID_VALUE
    )


def test_rejection_details_never_echo_the_input() -> None:
    """Field details name the field and the problem, not the value sent."""
    with pytest.raises(Rejection) as caught:
        payloads.validate(Sample, {"name": "s3cret-value", "count": "s3cret-count"})

    assert "s3cret" not in json.dumps(caught.value.errors) + caught.value.detail


@given(st.binary(max_size=200))
def test_arbitrary_bytes_decode_or_reject_as_invalid_json(body: bytes) -> None:
    """No byte string makes decoding fail with anything but a rejection."""
    try:
        payloads.decode_json(body)
    except Rejection as rejection:
        assert rejection.cause is Cause.PAYLOAD_INVALID_JSON


def test_request_body_schema_has_no_dangling_refs() -> None:
    """The OpenAPI body schema inlines nested models."""
    from app.video_rooms.models import RoomRequest

    schema = payloads.request_body(RoomRequest)

    assert "$ref" not in json.dumps(schema)
    properties = schema["content"]["application/json"]["schema"]["properties"]
    assert "allowChat" in properties["settings"]["properties"]
