"""Spans written with ids in any encoding read back to the same table."""

from __future__ import annotations

import base64
import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer import reader
from analyzer.schema import Wanted

_ENCODERS = {
    "lower": lambda raw: raw.hex(),
    "upper": lambda raw: raw.hex().upper(),
    "base64": lambda raw: base64.b64encode(raw).decode(),
}

_SPAN = st.fixed_dictionaries(
    {
        "trace": st.binary(min_size=16, max_size=16).filter(any),
        "span": st.binary(min_size=8, max_size=8).filter(any),
        "parent": st.one_of(st.none(), st.binary(min_size=8, max_size=8).filter(any)),
        "status": st.sampled_from([200, 400, 401, 500]),
        "kind": st.integers(min_value=0, max_value=5),
    }
)


def _write(spans: list[dict], encoding: str, folder: Path) -> Path:
    encode = _ENCODERS[encoding]
    bodies = []
    for item in spans:
        body = {
            "traceId": encode(item["trace"]),
            "spanId": encode(item["span"]),
            "name": "op",
            "kind": item["kind"],
            "startTimeUnixNano": "1748600000000000000",
            "endTimeUnixNano": "1748600000100000000",
            "attributes": [
                {
                    "key": "http.response.status_code",
                    "value": {"intValue": str(item["status"])},
                }
            ],
        }
        if item["parent"]:
            body["parentSpanId"] = encode(item["parent"])
        bodies.append(body)
    line = {"resourceSpans": [{"resource": {}, "scopeSpans": [{"spans": bodies}]}]}
    path = folder / f"{encoding}.jsonl"
    path.write_text(json.dumps(line) + "\n")

    return path


def _table(path: Path) -> list[tuple]:
    spans = reader.read([path], Wanted()).spans
    columns = ["trace_hi", "trace_lo", "span_id", "parent_id", "kind", "http_status"]

    return [
        tuple(int(v) for v in row) for row in spans[columns].itertuples(index=False)
    ]


@settings(max_examples=40, deadline=None)
@given(spans=st.lists(_SPAN, min_size=1, max_size=8))
def test_any_id_encoding_reads_back_the_same(spans: list[dict]) -> None:
    """Lower hex, upper hex and base64 ids give identical span tables."""
    with tempfile.TemporaryDirectory() as folder:
        tables = {name: _table(_write(spans, name, Path(folder))) for name in _ENCODERS}

    assert tables["lower"] == tables["upper"] == tables["base64"]
    expected = [int.from_bytes(s["trace"][:8], "big") for s in spans]
    assert [row[0] for row in tables["lower"]] == expected
