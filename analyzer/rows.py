"""Row builders for the record-by-record readers (odd shapes, Jaeger, fallbacks).

The bulk readers build columns directly; these collect Python values for the
readers that must walk records one at a time, then hand over one Arrow table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import orjson
import pyarrow as pa

from analyzer import schema as s
from analyzer.ids import span_id_int, trace_id_ints


def as_text(value: object) -> str | None:
    """A scalar attribute as text; lists and maps as compact JSON."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)

    return orjson.dumps(value, default=str).decode()


# What a record-by-record reader may meet in a record of the right shape but
# with wrong insides (a list where a map belongs, a number out of range): the
# record is then skipped and counted, never the whole file.
BAD_RECORD = (
    TypeError,
    ValueError,
    AttributeError,
    KeyError,
    IndexError,
    OverflowError,
)

_INT64_MAX = (1 << 63) - 1
_INT32_MAX = (1 << 31) - 1
_INT8_MAX = 127


def as_int(value: object) -> int:
    """An integer (int64); 0 when absent, not a number or out of range."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, float):
        number = int(value) if math.isfinite(value) else 0
    elif isinstance(value, str):
        number = int(value) if value.strip().lstrip("-").isdecimal() else 0
    else:
        number = value if isinstance(value, int) else 0

    return number if -_INT64_MAX <= number <= _INT64_MAX else 0


def _within(number: int, limit: int) -> int:
    """``number`` when it fits a column whose largest value is ``limit``, else 0."""
    return number if 0 <= number <= limit else 0


def as_float(value: object) -> float:
    """A number as a float; NaN when absent or not a number."""
    if isinstance(value, bool) or value is None:
        return math.nan
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):  # OverflowError: ints past 1e308
        return math.nan


def first(attrs: Mapping[str, object], keys: tuple[str, ...]) -> object:
    """The value of the first key present (and not None) in ``attrs``."""
    for key in keys:
        value = attrs.get(key)
        if value is not None:
            return value

    return None


class _Columns:
    """Lists of values per column, turned into one Arrow table at the end."""

    def __init__(self, table_schema: pa.Schema) -> None:
        self.schema = table_schema
        self.columns: dict[str, list] = {name: [] for name in table_schema.names}

        self.rejected = 0

    def __len__(self) -> int:
        return len(self.columns["trace_hi"])

    def attempt(self, add: Callable[..., None], *args: object) -> bool:
        """Run ``add(*args)``; a record it cannot take is counted, not raised."""
        try:
            add(*args)
        except BAD_RECORD:
            self.rejected += 1
            return False

        return True

    def _append(self, row: dict[str, object]) -> None:
        # Every value is computed before any is appended, so a record that
        # fails half-way leaves the columns the same length.
        for name, value in row.items():
            self.columns[name].append(value)

    def to_table(self) -> pa.Table:
        """One table with this builder's schema."""
        arrays = []
        for column in self.schema:
            values = self.columns[column.name]
            if pa.types.is_dictionary(column.type):
                arrays.append(pa.array(values, pa.string()).dictionary_encode())
            else:
                arrays.append(pa.array(values, column.type))

        return pa.Table.from_arrays(arrays, schema=self.schema)

    def _extras(
        self, wanted: s.Wanted, *sources: Mapping[str, object]
    ) -> dict[str, object]:
        extras: dict[str, object] = {}
        for key in wanted.extra_keys:
            value = None
            for source in sources:
                value = source.get(key)
                if value is not None:
                    break
            extras[s.extra_column(key)] = as_text(value)

        return extras


class SpanRows(_Columns):
    """Collects spans one at a time."""

    def __init__(self, wanted: s.Wanted) -> None:
        super().__init__(wanted.span_schema())
        self.wanted = wanted

    def add(
        self,
        *,
        trace_id: object,
        span_id: object,
        parent_id: object,
        service: str | None,
        name: object,
        kind: int,
        start_ns: int,
        end_ns: int,
        status: int,
        attrs: Mapping[str, object],
        resource: Mapping[str, object],
    ) -> None:
        """Add one span whose attributes are already decoded to Python values."""
        high, low = trace_id_ints(trace_id)
        self._append(
            {
                "trace_hi": high,
                "trace_lo": low,
                "span_id": span_id_int(span_id),
                "parent_id": span_id_int(parent_id),
                "service": as_text(service),
                "name": as_text(name),
                "kind": _within(kind, _INT8_MAX),
                "start_ns": _within(start_ns, _INT64_MAX),
                "end_ns": _within(end_ns, _INT64_MAX),
                "status": _within(status, _INT8_MAX),
                "http_status": _within(
                    as_int(first(attrs, s.HTTP_STATUS_KEYS)), _INT32_MAX
                ),
                "route": as_text(first(attrs, s.HTTP_ROUTE_KEYS)),
                "method": as_text(first(attrs, s.HTTP_METHOD_KEYS)),
                "path": as_text(first(attrs, s.HTTP_PATH_KEYS)),
                "cause": as_text(first(attrs, self.wanted.cause_keys)),
                "inner_cause": as_text(first(attrs, self.wanted.inner_cause_keys)),
                "lead_ms": as_float(attrs.get(s.LEAD_KEY)),
                "min_lead_ms": as_float(attrs.get(s.MIN_LEAD_KEY)),
                "server_now": as_text(attrs.get(s.SERVER_NOW_KEY)),
                **self._extras(self.wanted, attrs, resource),
            }
        )


class LogRows(_Columns):
    """Collects log events one at a time."""

    def __init__(self, wanted: s.Wanted) -> None:
        super().__init__(wanted.log_schema())
        self.wanted = wanted

    def add(
        self,
        *,
        trace_id: object,
        span_id: object,
        service: object,
        time_ns: int,
        event: object,
        level: object,
        fields: Mapping[str, object],
        resource: Mapping[str, object] | None = None,
    ) -> None:
        """Add one log event whose fields are already decoded to Python values."""
        high, low = trace_id_ints(trace_id)
        self._append(
            {
                "trace_hi": high,
                "trace_lo": low,
                "span_id": span_id_int(span_id),
                "service": as_text(service),
                "time_ns": _within(time_ns, _INT64_MAX),
                "event": as_text(event),
                "level": as_text(level),
                "http_status": _within(
                    as_int(first(fields, s.LOG_STATUS_KEYS)), _INT32_MAX
                ),
                "route": as_text(first(fields, s.LOG_ROUTE_KEYS)),
                "method": as_text(first(fields, s.LOG_METHOD_KEYS)),
                "path": as_text(first(fields, s.LOG_PATH_KEYS)),
                "duration_ms": as_float(first(fields, s.LOG_DURATION_KEYS)),
                "cause": as_text(first(fields, self.wanted.log_cause_keys)),
                "lead_ms": as_float(fields.get(s.LEAD_KEY)),
                "min_lead_ms": as_float(fields.get(s.MIN_LEAD_KEY)),
                "server_now": as_text(fields.get(s.SERVER_NOW_KEY)),
                **self._extras(self.wanted, fields, resource or {}),
            }
        )
