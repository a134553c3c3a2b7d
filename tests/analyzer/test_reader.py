"""Readers: formats, compression, stdin, malformed lines, skipped files."""

from __future__ import annotations

import gzip
import io
import json
import os
import resource
import sys
import threading
from pathlib import Path

import pytest

from analyzer import reader
from analyzer.errors import InputError
from analyzer.schema import Wanted
from tests.analyzer.builders import request_line, two_tier


def _trace_lines(count: int) -> list[str]:
    return [
        request_line(two_tier(f"{i + 1:032x}", inner_cause="host.missing"))
        for i in range(count)
    ]


def test_gzip_is_read(tmp_path: Path) -> None:
    """A gzip file is unzipped transparently."""
    path = tmp_path / "t.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(_trace_lines(2)) + "\n").encode()))
    assert len(reader.read([path], Wanted()).spans) == 6


def test_stdin_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """``-`` reads standard input."""
    data = ("\n".join(_trace_lines(1)) + "\n").encode()
    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data)))
    )
    assert len(reader.read(["-"], Wanted()).spans) == 3


def test_malformed_line_is_counted_and_the_rest_read(tmp_path: Path) -> None:
    """A broken line is counted with its number; every other line is still read."""
    lines = _trace_lines(3)
    lines.insert(1, '{"resourceSpans": [')
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = reader.read([path], Wanted())
    assert len(result.spans) == 9
    assert (result.files[0].malformed_lines, result.files[0].first_malformed) == (
        1,
        [2],
    )


def test_numbers_where_strings_are_due_fall_back(tmp_path: Path) -> None:
    """64-bit integers written as numbers are read by the record-by-record path."""
    line = _trace_lines(1)[0].replace('"intValue": "400"', '"intValue": 400')
    line = line.replace('"kind": 2', '"kind": "SPAN_KIND_SERVER"')
    path = tmp_path / "t.jsonl"
    path.write_text(line + "\n")
    spans = reader.read([path], Wanted()).spans
    assert sorted(spans["http_status"].tolist()) == [400, 400, 400]
    assert (spans["kind"] == 2).sum() == 2


def test_folder_and_glob(tmp_path: Path) -> None:
    """Folders are walked and globs expanded."""
    for name in ("a.jsonl", "b.jsonl"):
        (tmp_path / name).write_text(_trace_lines(1)[0] + "\n")
    assert len(reader.read([tmp_path], Wanted()).files) == 2
    assert len(reader.read([str(tmp_path / "*.jsonl")], Wanted()).files) == 2


def test_unknown_shape_is_skipped(tmp_path: Path) -> None:
    """A file that is no telemetry is listed as skipped with a reason."""
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    result = reader.read([path], Wanted())
    assert result.skipped_files[0]["path"] == str(path)


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    """A path that does not exist is an InputError."""
    with pytest.raises(InputError, match="no such file"):
        reader.read([tmp_path / "missing.jsonl"], Wanted())


def test_out_of_range_times_are_unknown_not_fatal(tmp_path: Path) -> None:
    """Timestamps past int64 nanoseconds (year 2262) read as unknown (0)."""
    path = tmp_path / "app.jsonl"
    path.write_text(
        '{"event": "a", "timestamp": 1e300, "cause": "db.unavailable"}\n'
        '{"event": "b", "timestamp": 99999999999999999999, "cause": "db.unavailable"}\n'
        '{"event": "c", "timestamp": "9999-12-31T23:59:59Z", "status": 1e30}\n'
        '{"event": "d", "timestamp": "2025-05-30T22:45:55Z", "cause": "host.missing"}\n'
    )
    result = reader.read([path], Wanted())

    assert result.files[0].records == 4
    assert result.logs["time_ns"].tolist()[:2] == [0, 0]
    assert result.logs["time_ns"].iloc[-1] > 0


def test_a_jaeger_span_with_wrong_insides_is_skipped_and_counted(
    tmp_path: Path,
) -> None:
    """One span whose fields have the wrong types costs that span, not the file."""
    good = {"traceID": "ab" * 16, "spanID": "cd" * 8, "operationName": "ok"}
    bad = {**good, "spanID": "ef" * 8, "references": 5}
    document = {"data": [{"traceID": "ab" * 16, "spans": [good, bad], "processes": 5}]}
    path = tmp_path / "jaeger.json"
    path.write_text(json.dumps(document))
    result = reader.read([path], Wanted())

    assert (result.files[0].records, result.files[0].skipped) == (1, 1)
    assert len(result.spans) == 1


def test_truncated_gzip_keeps_what_came_before(tmp_path: Path) -> None:
    """A gzip file cut short is read up to the break, and the report says so."""
    lines = _trace_lines(40)
    whole = gzip.compress(("\n".join(lines) + "\n").encode())
    path = tmp_path / "t.jsonl.gz"
    path.write_bytes(whole[: len(whole) * 3 // 4])
    result = reader.read([path], Wanted())

    assert 0 < len(result.spans) < 3 * len(lines)
    assert "ends early" in (result.files[0].stopped or "")


def test_unreadable_file_in_a_folder_is_skipped_with_its_reason(
    tmp_path: Path,
) -> None:
    """A dangling link found by walking a folder is listed; the rest is read."""
    (tmp_path / "t.jsonl").write_text("\n".join(_trace_lines(1)) + "\n")
    (tmp_path / "gone.jsonl").symlink_to(tmp_path / "nowhere")
    result = reader.read([tmp_path], Wanted())

    assert len(result.spans) == 3
    assert [item["path"] for item in result.skipped_files] == [
        str(tmp_path / "gone.jsonl")
    ]


def test_an_unreadable_file_named_by_the_user_is_an_input_error(
    tmp_path: Path,
) -> None:
    """Named explicitly, a corrupt gzip file stops with one clear message."""
    path = tmp_path / "bad.gz"
    path.write_bytes(b"\x1f\x8bnot really gzip")
    with pytest.raises(InputError, match="cannot read"):
        reader.read([path], Wanted())


def test_a_pipe_in_a_folder_is_skipped_not_waited_on(tmp_path: Path) -> None:
    """A named pipe found by walking is listed as skipped; reading never blocks."""
    (tmp_path / "t.jsonl").write_text("\n".join(_trace_lines(1)) + "\n")
    os.mkfifo(tmp_path / "pipe.jsonl")
    result = reader.read([tmp_path], Wanted())

    assert len(result.spans) == 3
    assert "not a regular file" in result.skipped_files[0]["reason"]


def test_a_pipe_named_by_the_user_is_read(tmp_path: Path) -> None:
    """A pipe given on the command line (process substitution) is read."""
    pipe = tmp_path / "pipe.jsonl"
    os.mkfifo(pipe)
    data = ("\n".join(_trace_lines(2)) + "\n").encode()
    writer = threading.Thread(target=pipe.write_bytes, args=(data,))
    writer.start()
    result = reader.read([pipe], Wanted())
    writer.join(10)

    assert len(result.spans) == 6


def test_more_files_than_the_process_may_open_are_all_read(tmp_path: Path) -> None:
    """Files are opened one at a time, so a folder larger than the fd limit reads."""
    line = "\n".join(_trace_lines(1)) + "\n"
    for n in range(300):
        (tmp_path / f"part-{n:03}.jsonl").write_text(line)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (128, hard))
    try:
        result = reader.read([tmp_path], Wanted())
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    assert (len(result.files), result.skipped_files) == (300, [])
    assert sum(f.records for f in result.files) == 900
