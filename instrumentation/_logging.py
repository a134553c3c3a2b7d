"""One log pipeline per process: structlog events and stdlib records alike.

Every line is one JSON object rendered by orjson, written to
``<service>.logs.jsonl`` (and to stderr when asked). Standard-library loggers,
uvicorn's included, are routed through the same processors by a
``ProcessorFormatter``, so there is one format and no duplicate lines.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Any

import orjson
import structlog
from opentelemetry import trace

from instrumentation import names
from instrumentation._redact import redact_event

ErrorCallback = Callable[[str, BaseException], None]

_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
}
_LEADING_KEYS = (names.LOG_TIMESTAMP, names.LOG_LEVEL, names.LOG_EVENT)
_ORJSON_OPTIONS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS


class LogSink:
    """Write rendered lines to the log file and stderr; survive write failures."""

    def __init__(self, path: Path | None, stderr: bool, on_error: ErrorCallback):
        self._fd = _open_append(path) if path is not None else None
        self._stderr = stderr
        self._on_error = on_error
        self._lock = threading.Lock()

    def write(self, line: bytes) -> None:
        """Append one line; a failing file or stream is reported, never raised."""
        fd = self._fd
        if fd is not None:
            try:
                # One write per line on an O_APPEND descriptor: nothing is left
                # in a Python buffer when the process stops.
                os.write(fd, line)
            except OSError as error:
                self._on_error("logs", error)

        if self._stderr:
            try:
                sys.stderr.write(line.decode())
            except (OSError, ValueError) as error:
                self._on_error("logs", error)

    def close(self) -> None:
        """Close the file; later lines go to stderr only."""
        with self._lock:
            fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def _open_append(path: Path) -> int:
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)


class _SinkLogger:
    """The object structlog hands rendered lines to; its sink is swappable."""

    def __init__(self) -> None:
        self.sink: LogSink | None = None

    def msg(self, line: bytes) -> None:
        """Write one rendered line to the current sink."""
        sink = self.sink
        if sink is not None:
            sink.write(line)

    debug = info = warning = warn = error = critical = exception = fatal = msg
    log = msg


# Stable objects, so that loggers structlog has cached before a (re-)set-up
# keep following the current configuration.
_SINK_LOGGER = _SinkLogger()
_PROCESSORS: list[Any] = []


_METHOD_LEVELS = {
    **_LEVELS,
    "warn": logging.WARNING,
    "exception": logging.ERROR,
    "fatal": logging.CRITICAL,
    "msg": logging.INFO,
    "log": logging.INFO,
}


class _LevelFilter:
    """Drop events below the configured level.

    A processor rather than a level-bound wrapper class: loggers structlog
    cached before a re-configuration keep obeying the current level.
    """

    def __init__(self, level: int) -> None:
        self.level = level

    def __call__(
        self, logger: object, method_name: str, event_dict: dict[str, Any]
    ) -> dict[str, Any]:
        if _METHOD_LEVELS.get(method_name, logging.INFO) < self.level:
            raise structlog.DropEvent
        return event_dict


def level_number(level: str) -> int:
    """The stdlib level number of a level name."""
    return _LEVELS[level]


def add_trace_ids(
    logger: object, method_name: str, event_dict: dict[str, Any]
) -> dict[str, Any]:
    """Add the ids of the span current at log time, in lower-case hex."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict[names.LOG_TRACE_ID] = format(context.trace_id, "032x")
        event_dict[names.LOG_SPAN_ID] = format(context.span_id, "016x")

    return event_dict


def _service_adder(service: str) -> Callable[..., dict[str, Any]]:
    def add_service(
        logger: object, method_name: str, event_dict: dict[str, Any]
    ) -> dict[str, Any]:
        event_dict.setdefault(names.LOG_SERVICE, service)
        return event_dict

    return add_service


def _drop_stdlib_meta(
    logger: object, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    event_dict.pop("_record", None)
    event_dict.pop("_from_structlog", None)
    return event_dict


def render_line(
    logger: object, method_name: str, event_dict: MutableMapping[str, Any]
) -> bytes:
    """Render an event as one JSON line, timestamp, level and event first."""
    ordered = {key: event_dict.pop(key) for key in _LEADING_KEYS if key in event_dict}
    ordered.update(event_dict)

    return orjson.dumps(ordered, default=repr, option=_ORJSON_OPTIONS)


def _render_text(
    logger: object, method_name: str, event_dict: MutableMapping[str, Any]
) -> str:
    return render_line(logger, method_name, event_dict)[:-1].decode()


def _shared_chain(service: str) -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key=names.LOG_TIMESTAMP),
        _service_adder(service),
        add_trace_ids,
        structlog.processors.format_exc_info,
        redact_event,
    ]


def configure_logging(
    service: str, level: str, sink: LogSink, exporters: Sequence[Any] = ()
) -> logging.Handler:
    """Point structlog and the stdlib root logger at ``sink``; return the handler."""
    _SINK_LOGGER.sink = sink
    _PROCESSORS[:] = [
        _LevelFilter(level_number(level)),
        structlog.processors.add_log_level,
        *_shared_chain(service),
        *exporters,
        render_line,
    ]
    structlog.configure(
        processors=_PROCESSORS,
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG),
        logger_factory=lambda *args: _SINK_LOGGER,
        cache_logger_on_first_use=True,
    )

    handler = _SinkHandler(sink)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                *_shared_chain(service),
            ],
            processors=[_drop_stdlib_meta, *exporters, _render_text],
        )
    )
    handler.addFilter(_RepeatFilter())
    _route_stdlib(handler, level_number(level))

    return handler


class _SinkHandler(logging.Handler):
    """A stdlib handler writing formatted records to the log sink."""

    def __init__(self, sink: LogSink) -> None:
        super().__init__()
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:  # a broken record must not break the caller
            self.handleError(record)
            return
        self.sink.write(line.encode() + b"\n")


class _RepeatFilter(logging.Filter):
    """Let each message of the OpenTelemetry SDK through once per process.

    Exporters report every failed batch; one line says it, the
    ``triage.telemetry.errors`` counter keeps the count.
    """

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[tuple[str, object]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("opentelemetry"):
            return True

        key = (record.name, record.msg)
        if key in self._seen:
            return False
        self._seen.add(key)

        return True


def _route_stdlib(handler: logging.Handler, level: int) -> None:
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old, _SinkHandler):
            old.close()
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    adopt_server_loggers()


def adopt_server_loggers() -> None:
    """Send uvicorn's loggers through the root handler; drop its access log.

    uvicorn installs its own handlers when it starts, which may be after the
    set-up; the access middleware calls this again at lifespan start.
    """
    for name in ("uvicorn", "uvicorn.error", "uvicorn.asgi"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True

    # The access middleware writes the one access event per request.
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True


def detach_logging() -> None:
    """Stop writing to the current sink (stdlib records fall back to stderr)."""
    _SINK_LOGGER.sink = None
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _SinkHandler):
            root.removeHandler(handler)
            handler.close()
