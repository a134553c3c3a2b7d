"""OTLP/JSON trace lines parsed in bulk by Arrow's compiled JSON reader.

The explicit schema declares only the fields the analysis keeps, so Arrow skips
the rest without building them. It follows the OTLP/JSON encoding strictly
(64-bit integers as strings, enums as integers): a chunk that deviates raises
``pa.ArrowInvalid`` and the caller re-reads it record by record.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from analyzer import schema as s
from analyzer.ids import id_column

_VALUE = pa.struct(
    [
        ("stringValue", pa.string()),
        ("intValue", pa.string()),
        ("doubleValue", pa.float64()),
        ("boolValue", pa.bool_()),
    ]
)
_KEY_VALUES = pa.list_(pa.struct([("key", pa.string()), ("value", _VALUE)]))
_SPAN = pa.struct(
    [
        ("traceId", pa.string()),
        ("spanId", pa.string()),
        ("parentSpanId", pa.string()),
        ("name", pa.string()),
        ("kind", pa.int64()),
        ("startTimeUnixNano", pa.string()),
        ("endTimeUnixNano", pa.string()),
        ("attributes", _KEY_VALUES),
        ("status", pa.struct([("code", pa.int64())])),
    ]
)
# Declared as null so that any file using them fails the strict parse and is
# re-read by the record-by-record reader, which knows these shapes.
_OTHER_SHAPES = [
    (name, pa.null())
    for name in ("batches", "result", "resourceLogs", "resourceMetrics")
]
_RESOURCE_SPANS = pa.struct(
    [
        ("resource", pa.struct([("attributes", _KEY_VALUES)])),
        ("scopeSpans", pa.list_(pa.struct([("spans", pa.list_(_SPAN))]))),
        ("instrumentationLibrarySpans", pa.null()),
    ]
)
_REQUEST = pa.schema([("resourceSpans", pa.list_(_RESOURCE_SPANS)), *_OTHER_SHAPES])
PARSE_OPTIONS = pj.ParseOptions(
    explicit_schema=_REQUEST, unexpected_field_behavior="ignore"
)

_TEXT, _INT, _FLOAT = "text", "int", "float"


def _targets(wanted: s.Wanted) -> list[tuple[str, str, str]]:
    """(attribute key, column, value type), worst first so the best key wins."""
    groups = [
        ("http_status", _INT, s.HTTP_STATUS_KEYS),
        ("route", _TEXT, s.HTTP_ROUTE_KEYS),
        ("method", _TEXT, s.HTTP_METHOD_KEYS),
        ("path", _TEXT, s.HTTP_PATH_KEYS),
        ("cause", _TEXT, wanted.cause_keys),
        ("inner_cause", _TEXT, wanted.inner_cause_keys),
        ("lead_ms", _FLOAT, (s.LEAD_KEY,)),
        ("min_lead_ms", _FLOAT, (s.MIN_LEAD_KEY,)),
        ("server_now", _TEXT, (s.SERVER_NOW_KEY,)),
    ]
    groups += [(s.extra_column(k), _TEXT, (k,)) for k in wanted.extra_keys]

    return [
        (key, column, kind) for column, kind, keys in groups for key in reversed(keys)
    ]


def parse(chunk: pa.Buffer, *, threads: bool = True) -> pa.Table:
    """Parse a chunk of whole OTLP/JSON trace lines with the strict schema."""
    options = pj.ReadOptions(block_size=2 << 20, use_threads=threads)

    return pj.read_json(
        pa.BufferReader(chunk), read_options=options, parse_options=PARSE_OPTIONS
    )


def _flat(array: pa.Array) -> pa.Array:
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _value(values: pa.StructArray, kind: str) -> pa.Array:
    """An attribute value column as text, integer or float."""
    text, integer = values.field("stringValue"), values.field("intValue")
    double, boolean = values.field("doubleValue"), values.field("boolValue")
    if kind == _FLOAT:
        return pc.coalesce(double, pc.cast(integer, pa.float64()))
    if kind == _INT:
        return pc.coalesce(pc.cast(integer, pa.int64()), pc.cast(double, pa.int64()))

    return pc.coalesce(
        text, integer, pc.cast(double, pa.string()), pc.cast(boolean, pa.string())
    )


def _scatter(values: pa.Array, rows: np.ndarray, size: int) -> pa.Array:
    """A column of ``size`` rows holding ``values`` at ``rows``, null elsewhere."""
    positions = np.full(size, -1, dtype=np.int64)
    positions[rows] = np.arange(len(rows))

    return pc.take(values, pa.array(positions, mask=positions < 0))


def _attribute_columns(
    lists: pa.ListArray, size: int, targets: list[tuple[str, str, str]]
) -> dict[str, pa.Array]:
    """Pick the wanted attributes out of each row's key-value list."""
    flat = pc.list_flatten(lists)
    owners = pc.list_parent_indices(lists).to_numpy()
    codes = pc.index_in(flat.field("key"), value_set=pa.array([t[0] for t in targets]))
    keep = pc.is_valid(codes)
    flat, owners = flat.filter(keep), owners[keep.to_numpy(zero_copy_only=False)]
    codes_np = codes.filter(keep).to_numpy()
    values = flat.field("value")

    columns: dict[str, pa.Array] = {}
    for code, (_, column, kind) in enumerate(targets):
        hit = codes_np == code
        if not hit.any():
            continue
        picked = _value(values.filter(pa.array(hit)), kind)
        scattered = _scatter(picked, owners[hit], size)
        columns[column] = (
            scattered
            if column not in columns
            else pc.coalesce(scattered, columns[column])
        )

    return columns


def to_spans(table: pa.Table, wanted: s.Wanted) -> pa.Table:
    """Turn a parsed chunk into the slim span table."""
    resources = pc.list_flatten(_flat(table.column("resourceSpans")))
    scopes_list = resources.field("scopeSpans")
    scopes = pc.list_flatten(scopes_list)
    spans_list = scopes.field("spans")
    spans = pc.list_flatten(spans_list)
    count = len(spans)
    owner = pc.list_parent_indices(scopes_list).to_numpy()[
        pc.list_parent_indices(spans_list).to_numpy()
    ]

    resource_targets = [(s.SERVICE_KEY, "service", _TEXT)] + [
        (k, s.extra_column(k), _TEXT) for k in wanted.extra_keys
    ]
    per_resource = _attribute_columns(
        resources.field("resource").field("attributes"),
        len(resources),
        resource_targets,
    )
    owner_index = pa.array(owner)
    span_attrs = _attribute_columns(spans.field("attributes"), count, _targets(wanted))

    columns = _core_columns(spans, count)
    for name, column in per_resource.items():
        spread = pc.take(column, owner_index)
        own = span_attrs.get(name)
        span_attrs[name] = spread if own is None else pc.coalesce(own, spread)
    schema = wanted.span_schema()
    for field in schema:
        if field.name in columns:
            continue
        column = span_attrs.get(field.name)
        if column is None:
            column = pa.nulls(
                count, pa.string() if pa.types.is_dictionary(field.type) else field.type
            )
        columns[field.name] = _cast(column, field.type)

    return pa.Table.from_pydict(columns, schema=schema)


def _cast(column: pa.Array, target: pa.DataType) -> pa.Array:
    if pa.types.is_dictionary(target):
        return pc.cast(column, pa.string()).dictionary_encode()
    if target == pa.int32():
        return pc.cast(column.fill_null(0), pa.int32(), safe=False)
    if target == pa.float64():
        return pc.cast(column, pa.float64()).fill_null(np.nan)

    return pc.cast(column, target)


def _core_columns(spans: pa.StructArray, count: int) -> dict[str, pa.Array]:
    """Ids, names, kinds, times and status of each span."""
    trace = id_column(spans.field("traceId").fill_null(""), 16)
    span_id = id_column(spans.field("spanId").fill_null(""), 8)
    parent = spans.field("parentSpanId")
    parent_id = (
        id_column(parent.fill_null(""), 8)
        if parent.null_count < count
        else (np.zeros((count, 1), dtype=np.uint64))
    )

    return {
        "trace_hi": pa.array(trace[:, 0]),
        "trace_lo": pa.array(trace[:, 1]),
        "span_id": pa.array(span_id[:, 0]),
        "parent_id": pa.array(parent_id[:, 0]),
        "name": spans.field("name").dictionary_encode(),
        "kind": pc.cast(spans.field("kind").fill_null(0), pa.int8(), safe=False),
        "start_ns": _nanos(spans.field("startTimeUnixNano")),
        "end_ns": _nanos(spans.field("endTimeUnixNano")),
        "status": pc.cast(
            spans.field("status").field("code").fill_null(0), pa.int8(), safe=False
        ),
    }


def _nanos(column: pa.Array) -> pa.Array:
    return pc.cast(column.fill_null("0"), pa.int64())
