"""Row builders for the record-by-record readers (odd shapes, Jaeger, fallbacks).

The bulk readers build columns directly; these collect Python values for the
readers that must walk records one at a time, then hand over one Arrow table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

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


def as_int(value: object) -> int:
    """An HTTP status or enum as an integer; 0 when absent or not a number."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)

    return 0


def as_float(value: object) -> float:
    """A number as a float; NaN when absent or not a number."""
    if isinstance(value, bool) or value is None:
        return math.nan
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
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

    def __len__(self) -> int:
        return len(self.columns["trace_hi"])

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

    def _extras(self, wanted: s.Wanted, *sources: Mapping[str, object]) -> None:
        for key in wanted.extra_keys:
            value = None
            for source in sources:
                value = source.get(key)
                if value is not None:
                    break
            self.columns[s.extra_column(key)].append(as_text(value))


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
        col = self.columns
        high, low = trace_id_ints(trace_id)
        col["trace_hi"].append(high)
        col["trace_lo"].append(low)
        col["span_id"].append(span_id_int(span_id))
        col["parent_id"].append(span_id_int(parent_id))
        col["service"].append(service)
        col["name"].append(as_text(name))
        col["kind"].append(kind)
        col["start_ns"].append(start_ns)
        col["end_ns"].append(end_ns)
        col["status"].append(status)
        col["http_status"].append(as_int(first(attrs, s.HTTP_STATUS_KEYS)))
        col["route"].append(as_text(first(attrs, s.HTTP_ROUTE_KEYS)))
        col["method"].append(as_text(first(attrs, s.HTTP_METHOD_KEYS)))
        col["path"].append(as_text(first(attrs, s.HTTP_PATH_KEYS)))
        col["cause"].append(as_text(first(attrs, self.wanted.cause_keys)))
        col["inner_cause"].append(as_text(first(attrs, self.wanted.inner_cause_keys)))
        col["lead_ms"].append(as_float(attrs.get(s.LEAD_KEY)))
        col["min_lead_ms"].append(as_float(attrs.get(s.MIN_LEAD_KEY)))
        col["server_now"].append(as_text(attrs.get(s.SERVER_NOW_KEY)))
        self._extras(self.wanted, attrs, resource)


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
        col = self.columns
        high, low = trace_id_ints(trace_id)
        col["trace_hi"].append(high)
        col["trace_lo"].append(low)
        col["span_id"].append(span_id_int(span_id))
        col["service"].append(as_text(service))
        col["time_ns"].append(time_ns)
        col["event"].append(as_text(event))
        col["level"].append(as_text(level))
        col["http_status"].append(as_int(first(fields, s.LOG_STATUS_KEYS)))
        col["route"].append(as_text(first(fields, s.LOG_ROUTE_KEYS)))
        col["method"].append(as_text(first(fields, s.LOG_METHOD_KEYS)))
        col["path"].append(as_text(first(fields, s.LOG_PATH_KEYS)))
        col["duration_ms"].append(as_float(first(fields, s.LOG_DURATION_KEYS)))
        col["cause"].append(as_text(first(fields, self.wanted.log_cause_keys)))
        col["lead_ms"].append(as_float(fields.get(s.LEAD_KEY)))
        col["min_lead_ms"].append(as_float(fields.get(s.MIN_LEAD_KEY)))
        col["server_now"].append(as_text(fields.get(s.SERVER_NOW_KEY)))
        self._extras(self.wanted, fields, resource or {})
