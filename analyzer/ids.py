"""Trace and span ids: every encoding seen in the wild, normalised to integers.

OTLP/JSON requires lower-case hex ids, but real files also carry upper-case hex
and base64 (protobuf's JSON printer writes ``bytes`` fields that way). Ids are
kept as unsigned 64-bit integers (a trace id as two of them): compact, fast to
join, and printed back as lower-case hex. The all-zero id is invalid
(W3C Trace Context), so 0 also stands for "absent".
"""

from __future__ import annotations

import base64
import binascii

import numpy as np
import pyarrow as pa

_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_NIBBLE = np.full(256, 255, dtype=np.uint8)
for _value, _char in enumerate(b"0123456789abcdef"):
    _NIBBLE[_char] = _value
for _value, _char in enumerate(b"ABCDEF", start=10):
    _NIBBLE[_char] = _value


def id_bytes(value: object, size: int) -> bytes | None:
    """The ``size`` raw bytes of an id given as hex (any case) or base64, else None."""
    if not isinstance(value, str) or not value:
        return None
    if len(value) == 2 * size and _HEX_DIGITS.issuperset(value):
        return bytes.fromhex(value)
    try:
        raw = base64.b64decode(
            value + "=" * (-len(value) % 4),
            altchars=b"-_" if ("-" in value or "_" in value) else None,
            validate=True,
        )
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == size else None


def span_id_int(value: object) -> int:
    """A span id as an integer; 0 when absent or unreadable."""
    raw = id_bytes(value, 8)
    return int.from_bytes(raw, "big") if raw else 0


def trace_id_ints(value: object) -> tuple[int, int]:
    """A trace id as (high, low) 64-bit integers; (0, 0) when absent or unreadable."""
    raw = id_bytes(value, 16)
    if not raw:
        return 0, 0
    return int.from_bytes(raw[:8], "big"), int.from_bytes(raw[8:], "big")


def trace_hex(high: int, low: int) -> str:
    """A trace id as the 32 lower-case hex digits OTLP and W3C use."""
    return f"{int(high):016x}{int(low):016x}"


def trace_hex_column(high: np.ndarray, low: np.ndarray) -> list[str]:
    """Many trace ids as lower-case hex, in one pass over their bytes."""
    packed = np.empty((len(high), 2), dtype=">u8")
    packed[:, 0], packed[:, 1] = high, low
    text = packed.tobytes().hex()

    return [text[i : i + 32] for i in range(0, len(text), 32)]


def span_hex(value: int) -> str:
    """A span id as 16 lower-case hex digits."""
    return f"{int(value):016x}"


def hex_column(array: pa.Array, size: int) -> np.ndarray | None:
    """Decode a string column of ``2*size``-digit hex ids in bulk.

    Returns an (n, size // 8) uint64 array, or None when any value is not plain
    hex of that width (the caller then decodes value by value).
    """
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    width = 2 * size
    count = len(array)
    if count == 0:
        return np.zeros((0, size // 8), dtype=np.uint64)
    if array.null_count:
        return None

    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)
    offsets = offsets[array.offset : array.offset + count + 1]
    lengths = np.diff(offsets)
    present = lengths == width
    if not (present | (lengths == 0)).all():
        return None

    # Empty strings take no bytes, so the present ids lie back to back.
    first, last = int(offsets[0]), int(offsets[-1])
    digits = np.frombuffer(array.buffers()[2], dtype=np.uint8)[first:last]
    nibbles = _NIBBLE[digits.reshape(-1, width)]
    if (nibbles == 255).any():
        return None

    packed = (nibbles[:, 0::2] << 4) | nibbles[:, 1::2]
    decoded = np.ascontiguousarray(packed).view(">u8").astype(np.uint64)
    if present.all():
        return decoded

    out = np.zeros((count, size // 8), dtype=np.uint64)
    out[present] = decoded

    return out


def slow_id_column(values: list[object], size: int) -> np.ndarray:
    """Decode ids one by one (any encoding) into an (n, size // 8) uint64 array."""
    out = np.zeros((len(values), size // 8), dtype=np.uint64)
    for row, value in enumerate(values):
        raw = id_bytes(value, size)
        if raw:
            out[row] = np.frombuffer(raw, dtype=">u8")

    return out


def id_column(array: pa.Array, size: int) -> np.ndarray:
    """Decode a column of ids in any encoding, in bulk when it is plain hex."""
    fast = hex_column(array, size)
    if fast is not None:
        return fast

    return slow_id_column(array.to_pylist(), size)
