"""A throw-away PostgreSQL cluster on 127.0.0.1, for the tests that need one."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy


def find_bin_dir() -> Path | None:
    """The newest installed PostgreSQL server's bin folder, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))

    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(command: list[str]) -> list[str]:
    # The server refuses to run as root; everything runs as user postgres then.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]

    return command


@contextmanager
def cluster(bin_dir: Path) -> Iterator[str]:
    """Start a cluster; yields an admin URL (database ``postgres``); stops it."""
    root = Path(tempfile.mkdtemp(prefix="triage-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    data, port = root / "data", _free_port()
    run = {"check": True, "capture_output": True, "timeout": 60}
    subprocess.run(
        _as_postgres(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
            ]
        ),
        **run,
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {root} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log")]
    subprocess.run(_as_postgres([*pg_ctl, "-o", options, "-w", "start"]), **run)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres([*pg_ctl, "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


def create_database(admin_url: str) -> str:
    """A new empty database on the cluster; returns its URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()

    return admin_url.rsplit("/", 1)[0] + f"/{name}"
