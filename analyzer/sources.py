"""Input paths: files, folders, globs and ``-`` for stdin, plain or gzip."""

from __future__ import annotations

import glob
import gzip
import io
import os
import stat
import sys
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.errors import InputError

STDIN = "-"
_GZIP_MAGIC = b"\x1f\x8b"
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Source:
    """One input: a file path, or ``-`` for standard input."""

    path: str
    # Found by walking a folder or expanding a glob, not named by the user: if
    # it cannot be opened it is skipped with its reason instead of stopping all.
    found: bool = False

    @property
    def size(self) -> int | None:
        """Bytes on disk, or None for stdin or a file that cannot be looked at."""
        if self.path == STDIN:
            return None
        try:
            return os.path.getsize(self.path)
        except OSError:
            return None


def expand(paths: Sequence[str | Path]) -> list[Source]:
    """Every file named by the paths, folders walked and globs expanded, in order."""
    sources: list[Source] = []
    for raw in paths:
        path = str(raw)
        if path == STDIN:
            sources.append(Source(STDIN))
        elif os.path.isdir(path):
            sources.extend(Source(p, found=True) for p in _walk(path))
        elif os.path.exists(path):
            # A file, or a pipe or device the user named (``<(zcat x.gz)``).
            sources.append(Source(path))
        elif _GLOB_CHARS & set(path):
            matches = sorted(
                m for m in glob.glob(path, recursive=True) if os.path.isfile(m)
            )
            if not matches:
                raise InputError(f"no file matches {path}")
            sources.extend(Source(m, found=True) for m in matches)
        else:
            raise InputError(f"no such file or folder: {path}")
    if not sources:
        raise InputError("no input files")

    unique: dict[str, Source] = {}
    for source in sources:
        unique.setdefault(source.path, source)

    return list(unique.values())


def _walk(folder: str) -> Iterator[str]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield os.path.join(root, name)


class Opened:
    """An open source: a binary stream (unzipped) and how far its file has been read."""

    def __init__(self, source: Source) -> None:
        if source.found and not is_regular(source.path):
            # Opening a pipe found in a folder would wait for a writer forever.
            raise InputError(
                f"{source.path}: not a regular file (pipe, socket, device)"
            )
        try:
            self._raw: Any = (
                sys.stdin.buffer if source.path == STDIN else open(source.path, "rb")  # noqa: SIM115
            )
        except OSError as error:
            raise InputError(f"cannot read {source.path}: {error.strerror}") from error
        raw = self._raw
        head = raw.peek(2)[:2] if isinstance(raw, io.BufferedReader) else b""
        self._zipped = head == _GZIP_MAGIC
        self.stream: Any = (
            gzip.GzipFile(fileobj=self._raw, mode="rb") if self._zipped else self._raw
        )
        self._position = 0
        self.error: str | None = None

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes of (unzipped) content; empty at the end.

        A stream that breaks part-way (a truncated or corrupt gzip file, a read
        error) ends there: what came before is kept and ``error`` says why.
        """
        if self.error is not None:
            return b""
        pieces: list[bytes] = []
        wanted = size
        try:
            while wanted > 0:
                # read1 hands over what one step decompressed, so a break
                # loses only that step; read() would drop all it had so far.
                piece = (
                    self.stream.read1(wanted)
                    if self._zipped
                    else self.stream.read(wanted)
                )
                if not piece:
                    break
                pieces.append(piece)
                wanted -= len(piece)
        except (EOFError, OSError, zlib.error) as error:
            # gzip.BadGzipFile is an OSError; EOFError is a cut-off member.
            self.error = _why(error)
        data = b"".join(pieces)
        self._position += len(data)
        return data

    @property
    def position(self) -> int:
        """Bytes of (unzipped) content handed out so far."""
        return self._position

    def consumed(self) -> int:
        """Bytes of the underlying file read so far (compressed bytes for gzip)."""
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return self._position

    def close(self) -> None:
        """Close the file; standard input is left open."""
        if self._raw is not sys.stdin.buffer:
            self._raw.close()


def _why(error: BaseException) -> str:
    if isinstance(error, EOFError):
        return "the compressed file ends early (truncated?)"
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__

    return str(text)


def is_regular(path: str) -> bool:
    """Whether ``path`` is a regular file (True when it cannot be looked at)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True  # let open() report why it cannot be read
