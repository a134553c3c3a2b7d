"""Read every input into two slim tables (spans, log events), in bounded chunks.

Line-oriented files are read a chunk of whole lines at a time. Each chunk goes
first to Arrow's compiled JSON parser with a strict schema; if the chunk does
not fit that schema (a malformed line, a number where OTLP/JSON wants a string)
it is re-read line by line, so one bad line costs one chunk's speed, not the
file. Files holding a single JSON document are parsed whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analyzer import detect as d
from analyzer import jaeger, jsonlogs, otlp, otlp_bulk
from analyzer.errors import InputError
from analyzer.rows import BAD_RECORD, LogRows, SpanRows
from analyzer.schema import Wanted
from analyzer.sources import STDIN, Opened, Source, expand, is_regular

CHUNK_BYTES = 8 << 20
# A chunk that does not fit the strict bulk schema is re-read line by line.
_BULK_ERRORS = (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError)
_MAX_FIRST_LINE = 256 << 20
_MALFORMED_SHOWN = 5

Progress = Callable[[int, int | None], None]


@dataclass
class FileReport:
    """What was read from one file."""

    path: str
    format: str
    records: int = 0
    skipped: int = 0
    malformed_lines: int = 0
    first_malformed: list[int] = field(default_factory=list)
    # Why reading ended before the end of the file (a truncated gzip), if it did.
    stopped: str | None = None

    def malformed(self, line: int) -> None:
        """Count one line that is not valid JSON."""
        self.malformed_lines += 1
        if len(self.first_malformed) < _MALFORMED_SHOWN:
            self.first_malformed.append(line)


@dataclass
class ReadResult:
    """Everything the readers produced."""

    spans: pd.DataFrame
    logs: pd.DataFrame
    files: list[FileReport]
    skipped_files: list[dict[str, str]]
    log_events: int
    mode: str


class _Sink:
    """Collects the chunk tables, keeping only the log events the mode needs."""

    def __init__(self, wanted: Wanted, mode: str) -> None:
        self.wanted = wanted
        self.mode = mode
        self.spans: list[pa.Table] = []
        self.logs: list[pa.Table] = []
        self.log_events = 0

    def add_spans(self, table: pa.Table) -> None:
        if table.num_rows:
            self.spans.append(table)

    def add_logs(self, table: pa.Table) -> None:
        self.log_events += table.num_rows
        keep = pc.is_valid(table.column("cause"))
        if self.mode == "logs":
            keep = pc.or_(keep, pc.greater(table.column("http_status"), 0))
        table = table.filter(keep)
        if table.num_rows:
            self.logs.append(table)

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return (
            _frame(self.spans, self.wanted.span_schema()),
            _frame(self.logs, self.wanted.log_schema()),
        )


def _frame(tables: list[pa.Table], schema: pa.Schema) -> pd.DataFrame:
    """One pandas frame from chunk tables; string columns become categoricals."""
    if not tables:
        return schema.empty_table().to_pandas()
    table = pa.concat_tables(tables).unify_dictionaries()
    tables.clear()

    return table.to_pandas(self_destruct=True, split_blocks=True)


def read(
    paths: Sequence[str | Path],
    wanted: Wanted,
    *,
    input_format: str | None = None,
    progress: Progress | None = None,
) -> ReadResult:
    """Read all inputs; the mode is "traces" when any trace file is present."""
    sources = expand(paths)
    skipped: list[dict[str, str]] = []
    # First pass: the format of every input decides the mode. Files are closed
    # again (a folder may hold more files than a process may open) and their
    # documents dropped; standard input and pipes cannot be reopened, so they
    # stay open.
    probes: list[tuple[Source, str, _Head | None]] = []
    trace_input = False
    for source in sources:
        try:
            source, fmt, head = _probe(source, input_format)
        except InputError as error:
            _skip_or_raise(source, error, skipped)
            continue
        trace_input = trace_input or head.kind in d.TRACE_FORMATS
        reopens = source.path != STDIN and is_regular(source.path)
        if reopens:
            head.close()
        probes.append((source, fmt, None if reopens else head))
    sink = _Sink(wanted, "traces" if trace_input else "logs")
    total = sum(source.size or 0 for source, _, _ in probes) or None
    done = 0
    files: list[FileReport] = []
    for source, fmt, kept in probes:
        if kept is not None:
            opened = kept
        else:
            try:
                _, fmt, opened = _probe(source, input_format)
            except InputError as error:  # gone or changed since the first pass
                _skip_or_raise(source, error, skipped)
                continue
        report = FileReport(source.path, fmt)
        reason = _read_one(
            opened,
            fmt,
            sink,
            report,
            lambda n, base=done: _tick(progress, base + n, total),
        )
        done += source.size or 0
        opened.close()
        if opened.opened.error:
            report.stopped = (
                f"stopped after {opened.opened.position} bytes: {opened.opened.error}"
            )
        if reason:
            skipped.append({"path": source.path, "reason": reason})
        else:
            files.append(report)
    has_spans = bool(sink.spans)
    spans, logs = sink.frames()

    return ReadResult(
        spans=spans,
        logs=logs,
        files=files,
        skipped_files=skipped,
        log_events=sink.log_events,
        mode="traces" if has_spans or trace_input else "logs",
    )


def _skip_or_raise(
    source: Source, error: InputError, skipped: list[dict[str, str]]
) -> None:
    """A file found in a folder is skipped with its reason; a named one stops all."""
    if not source.found:
        raise error
    skipped.append({"path": source.path, "reason": str(error)})


def _tick(progress: Progress | None, done: int, total: int | None) -> None:
    if progress is not None:
        progress(done, total)


class _Head:
    """An opened source with its first bytes already read, for detection."""

    def __init__(self, opened: Opened) -> None:
        self.opened = opened
        head = opened.read(1 << 20)
        while head and b"\n" not in head and len(head) < _MAX_FIRST_LINE:
            more = opened.read(1 << 20)
            if not more:
                break
            head += more
        self.head = head
        self.seen_keys = _sample_keys(head)
        self.kind = ""
        self.document: object = None
        self.error = ""

    def parse_document(self) -> None:
        """Parse the whole file as one JSON value and classify it."""
        try:
            self.document = orjson.loads(self.read_all())
        except orjson.JSONDecodeError as error:
            self.error = f"not valid JSON ({error})"
            return
        kind = d.classify(self.document)
        records = self.document if isinstance(self.document, list) else []
        if kind == d.UNKNOWN and records and all(map(jsonlogs.is_log_record, records)):
            kind = d.JSON_LOG_LINES
        self.kind = kind

    def chunks(self, size: int = CHUNK_BYTES) -> Iterator[bytes]:
        """Whole-line chunks of about ``size`` bytes; the last may lack a newline."""
        pending = self.head
        self.head = b""
        while True:
            data = self.opened.read(size)
            if not data:
                if pending:
                    yield pending
                return
            pending += data
            cut = pending.rfind(b"\n") + 1
            if cut and len(pending) >= size:
                yield pending[:cut]
                pending = pending[cut:]

    def consumed(self) -> int:
        return self.opened.consumed()

    def read_all(self) -> bytes:
        return b"".join(self.chunks())

    def close(self) -> None:
        self.opened.close()


def _sample_keys(head: bytes, lines: int = 200) -> frozenset[str]:
    """The keys used by the first JSON-object lines of a file."""
    keys: set[str] = set()
    for line in head.split(b"\n", lines)[:lines]:
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(value, dict):
            keys.update(value)

    return frozenset(keys)


def _probe(source: Source, input_format: str | None) -> tuple[Source, str, _Head]:
    head = _Head(Opened(source))
    if not head.head and head.opened.error:
        head.close()
        raise InputError(f"cannot read {source.path}: {head.opened.error}")
    fmt = d.detect(head.head, input_format)
    head.kind = fmt
    if fmt == d.DOCUMENT:
        head.parse_document()

    return source, fmt, head


def _read_one(
    head: _Head, fmt: str, sink: _Sink, report: FileReport, tick
) -> str | None:
    """Read one file into the sink; return why it was skipped, or None."""
    if fmt == d.METRICS:
        return "OTLP metrics: not analysed (metrics are read from Prometheus)"
    if fmt == d.UNKNOWN:
        return "not a recognised telemetry format (OTLP JSON, Jaeger JSON, JSON logs)"
    if fmt == d.DOCUMENT:
        return _read_document(head, sink, report)

    _read_lines(head, fmt, sink, report, tick)

    return None


def _read_lines(head: _Head, fmt: str, sink: _Sink, report: FileReport, tick) -> None:
    """Read a line-oriented file chunk by chunk, parsing one chunk ahead.

    Arrow's JSON parser releases the GIL, so the next chunk is parsed on a
    worker thread while this one is turned into table rows here.
    """
    bulk = fmt in (d.OTLP_TRACE_LINES, d.JSON_LOG_LINES)
    line = 0
    waiting: tuple[Future[pa.Table] | None, bytes, int] | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="triage-parse") as pool:
        for chunk in head.chunks():
            parsing = (
                pool.submit(_parse_bulk, chunk, fmt, sink.wanted, head.seen_keys)
                if bulk
                else None
            )
            if waiting is not None:
                _finish_chunk(*waiting, fmt, sink, report)
            waiting = (parsing, chunk, line)
            line += chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
            tick(head.consumed())
        if waiting is not None:
            _finish_chunk(*waiting, fmt, sink, report)


def _finish_chunk(
    parsing: Future[pa.Table] | None,
    chunk: bytes,
    line: int,
    fmt: str,
    sink: _Sink,
    report: FileReport,
) -> None:
    """Add a chunk parsed in bulk; if it did not fit the bulk schema, line by line."""
    if parsing is not None:
        try:
            parsed = parsing.result()
            if fmt == d.OTLP_TRACE_LINES:
                table = otlp_bulk.to_spans(parsed, sink.wanted)
                sink.add_spans(table)
            else:
                table = jsonlogs.from_bulk(parsed, sink.wanted)
                sink.add_logs(table)
            report.records += table.num_rows
            return
        except _BULK_ERRORS:
            pass

    _read_line_by_line(chunk, fmt, line, sink, report)


def _read_line_by_line(
    chunk: bytes, fmt: str, line: int, sink: _Sink, report: FileReport
) -> None:
    """Decode each line on its own: malformed ones are counted, the rest kept."""
    spans, logs = SpanRows(sink.wanted), LogRows(sink.wanted)
    for number, text in enumerate(chunk.split(b"\n"), start=line + 1):
        if not text.strip():
            continue
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            report.malformed(number)
            continue
        rejected = spans.rejected + logs.rejected
        added = _add_value(value, fmt, spans, logs)
        rejected = spans.rejected + logs.rejected - rejected
        report.records += added
        report.skipped += rejected or (0 if added else 1)
    sink.add_spans(spans.to_table())
    sink.add_logs(logs.to_table())


def _parse_bulk(
    chunk: bytes, fmt: str, wanted: Wanted, seen: frozenset[str] | None
) -> pa.Table:
    """Parse a chunk with the format's strict schema (raises when it does not fit)."""
    buffer = pa.py_buffer(chunk)
    if fmt == d.OTLP_TRACE_LINES:
        return otlp_bulk.parse(buffer)

    return _parse_log_lines(buffer, wanted, seen)


def _parse_log_lines(
    buffer: pa.Buffer, wanted: Wanted, seen: frozenset[str] | None
) -> pa.Table:
    import pyarrow.json as pj

    options = pj.ParseOptions(
        explicit_schema=jsonlogs.bulk_schema(wanted, seen),
        unexpected_field_behavior="ignore",
    )

    return pj.read_json(
        pa.BufferReader(buffer),
        read_options=pj.ReadOptions(block_size=2 << 20),
        parse_options=options,
    )


def _add_value(value: object, fmt: str, spans: SpanRows, logs: LogRows) -> int:
    """Add one decoded line or document; return how many records it gave.

    A record the readers cannot take is counted in ``rejected`` by its rows; a
    value whose outer shape breaks a reader loses only what was not yet added.
    """
    before = len(spans) + len(logs)
    try:
        return _add_records(value, fmt, spans, logs)
    except BAD_RECORD:
        spans.rejected += 1
        return len(spans) + len(logs) - before


def _add_records(value: object, fmt: str, spans: SpanRows, logs: LogRows) -> int:
    kind = fmt if fmt == d.JSON_LOG_LINES else d.classify(value)
    if kind == d.OTLP_TRACE_LINES:
        return otlp.add_traces(value, spans)
    if kind == d.OTLP_LOG_LINES:
        return otlp.add_logs(value, logs)
    if kind == d.JAEGER_LINES:
        return jaeger.add_jaeger(value, spans)
    if kind == d.JSON_LOG_LINES and isinstance(value, dict):
        return int(logs.attempt(jsonlogs.add_record, value, logs))

    return 0


def _read_document(head: _Head, sink: _Sink, report: FileReport) -> str | None:
    """Add a file holding one JSON value; return why it was skipped, or None."""
    if head.error:
        return head.error
    if head.kind == d.METRICS:
        return "OTLP metrics: not analysed (metrics are read from Prometheus)"
    if head.kind == d.UNKNOWN:
        return "not a recognised telemetry format (OTLP JSON, Jaeger JSON, JSON logs)"

    report.format = head.kind.replace("-lines", "")
    spans, logs = SpanRows(sink.wanted), LogRows(sink.wanted)
    value = head.document
    items = (
        value if head.kind == d.JSON_LOG_LINES and isinstance(value, list) else [value]
    )
    for item in items:
        report.records += _add_value(item, head.kind, spans, logs)
    report.skipped += spans.rejected + logs.rejected
    head.document = None
    sink.add_spans(spans.to_table())
    sink.add_logs(logs.to_table())

    return None
