"""A real Prometheus on loopback for tests: start, query, always stop."""

from __future__ import annotations

import contextlib
import json
import math
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that the OS reports free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scrape_config(
    committed: Path, service_urls: Mapping[str, str], interval: str
) -> dict[str, Any]:
    """Return the committed scrape config, aimed at the given service URLs.

    Each job is named after its service; only its target address and the
    intervals change, so the test scrapes exactly as the committed file would.
    """
    config = yaml.safe_load(committed.read_text(encoding="utf-8"))
    config["global"]["scrape_interval"] = interval
    config["global"]["evaluation_interval"] = interval
    for job in config["scrape_configs"]:
        address = urlsplit(service_urls[job["job_name"]]).netloc
        for target in job["static_configs"]:
            target["targets"] = [address]

    return config


@dataclass(frozen=True)
class Prometheus:
    """A running Prometheus and a client for its HTTP API."""

    url: str
    client: httpx.Client

    def query(self, expr: str) -> list[dict[str, Any]]:
        """Evaluate an instant query now and return its result vector."""
        response = self.client.get("/api/v1/query", params={"query": expr})
        body = response.json()
        if body.get("status") != "success":
            raise AssertionError(f"query failed: {expr}: {body}")

        return body["data"]["result"]

    def label_names(self, metric: str) -> set[str]:
        """Return the label names on any series of ``metric``."""
        response = self.client.get("/api/v1/series", params={"match[]": metric})
        series = response.json()["data"]

        return {label for labels in series for label in labels} - {"__name__"}

    def wait_for(
        self, expr: str, until: Callable[[list[dict[str, Any]]], bool]
    ) -> list[dict[str, Any]]:
        """Poll ``expr`` until ``until(result)`` holds; fail after a deadline."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        result: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            result = self.query(expr)
            if until(result):
                return result
            time.sleep(0.5)

        raise AssertionError(f"Prometheus never satisfied the wait on {expr}: {result}")


def finite_values(result: list[dict[str, Any]]) -> list[float]:
    """Return the finite sample values of an instant-query result."""
    values = [float(sample["value"][1]) for sample in result]

    return [value for value in values if math.isfinite(value)]


@contextlib.contextmanager
def running(config: dict[str, Any], workdir: Path) -> Iterator[Prometheus]:
    """Start Prometheus with ``config`` on a free loopback port; stop it on exit."""
    binary = shutil.which("prometheus")
    if binary is None:
        raise AssertionError("prometheus missing: run scripts/system-deps.sh")

    config_path = workdir / "prometheus.yml"
    config_path.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    address = f"127.0.0.1:{free_port()}"
    command = [
        binary,
        f"--config.file={config_path}",
        f"--storage.tsdb.path={workdir / 'data'}",
        f"--web.listen-address={address}",
    ]
    with (
        (workdir / "prometheus.log").open("wb") as log,
        subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT) as process,
    ):
        try:
            with httpx.Client(base_url=f"http://{address}", timeout=5.0) as client:
                _wait_ready(client, process, workdir / "prometheus.log")
                yield Prometheus(f"http://{address}", client)
        finally:
            _stop(process)


def _wait_ready(client: httpx.Client, process: subprocess.Popen, log: Path) -> None:
    """Return once /-/ready answers 200; fail if the process dies or never does."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"prometheus exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.TransportError):
            if client.get("/-/ready").status_code == 200:
                return
        time.sleep(0.2)

    raise AssertionError("prometheus did not become ready")


def _stop(process: subprocess.Popen) -> None:
    """Stop Prometheus gracefully, killing it if it does not exit in time."""
    if process.poll() is not None:
        return

    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
