"""Measure what telemetry costs on the two-hop request, telemetry on vs off.

Run by hand, not in the test suite::

    .venv/bin/python benchmarks/telemetry_overhead.py --duration 10

It starts the real services (``app.launcher``) twice per round, once with the
instrumentation switched off (``OTEL_SDK_DISABLED=true`` and logs at
``critical``) and once with the defaults (spans to OTLP JSON files, JSON logs,
metrics), drives ``POST /api/mock-interviews`` (which calls video-rooms) with
``wrk`` at 32 connections on loopback, and prints requests/s, p50 and p99 for
each and the on/off throughput ratio. For the "on" runs it also counts entry
spans and access events in the files after a graceful stop: nothing may be lost.
``--profile DIR`` runs the services under pyinstrument and writes one profile
per service there.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.launcher import start_services  # noqa: E402
from instrumentation import names  # noqa: E402

ENTRY = "/api/mock-interviews"
INNER = "/api/video-conferences"
PASSWORD = "bench-password"
OFF = {"OTEL_SDK_DISABLED": "true", "TRIAGE_LOG_LEVEL": "critical"}
ON: dict[str, str] = {}
_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Result:
    """One measured configuration."""

    label: str
    requests: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    entry_spans: int | None = None
    access_events: int | None = None


def main() -> None:
    """Run the rounds and print a table and the ratio."""
    args = _parse()
    if shutil.which("wrk") is None:
        sys.exit("telemetry_overhead: needs wrk (apt-get install wrk)")

    results: list[Result] = []
    for _ in range(args.rounds):
        for label, env in (("off", OFF), ("on", ON)):
            results.append(_measure(label, env, args))
            print(_row(results[-1]), flush=True)

    summary = _summary(results)
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2, help="off/on pairs")
    parser.add_argument("--json", type=Path, help="also write the summary here")
    parser.add_argument("--profile", type=Path, help="pyinstrument output folder")

    return parser.parse_args()


def _measure(label: str, extra: dict[str, str], args: argparse.Namespace) -> Result:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{label}-"))
    env = {
        "TRIAGE_TELEMETRY_DIR": str(folder / "telemetry"),
        "TRIAGE_DATABASE_URL": f"sqlite:///{folder}/bench.sqlite",
        "TRIAGE_DEMO_USERS": "1",
        "TRIAGE_DEMO_PASSWORD": PASSWORD,
        **extra,
    }
    prefix = _profile_prefix(args.profile, label) if args.profile else None
    with start_services(env=env, output_dir=folder, command_prefix=prefix) as running:
        url = running.urls[names.SERVICE_INTERVIEWS]
        token = _login(url)
        _wrk(url, token, 2, args.connections)  # warm-up: JIT-free, but caches
        text = _wrk(url, token, args.duration, args.connections)

    result = _parse_wrk(label, text)
    if label == "on":
        result = _count_files(result, folder / "telemetry")
    shutil.rmtree(folder, ignore_errors=True)

    return result


def _profile_prefix(folder: Path, label: str) -> dict[str, list[str]]:
    folder.mkdir(parents=True, exist_ok=True)
    shim = str(Path(__file__).with_name("_profiled.py"))

    return {
        service: [sys.executable, shim, str(folder / f"{label}-{service}.txt"), "--"]
        for service in (names.SERVICE_INTERVIEWS, names.SERVICE_VIDEO_ROOMS)
    }


def _login(url: str) -> str:
    response = httpx.post(
        f"{url}/api/auth/login",
        json={"username": "demo-1", "password": PASSWORD},
        timeout=10,
    )
    response.raise_for_status()

    return response.json()["token"]


def _wrk(url: str, token: str, seconds: int, connections: int) -> str:
    when = datetime.now(UTC) + timedelta(hours=2)
    body = json.dumps(
        {
            "scheduledTime": when.isoformat().replace("+00:00", "Z"),
            "videoType": "built_in",
        }
    )
    script = "\n".join(
        [
            'wrk.method = "POST"',
            'wrk.headers["Content-Type"] = "application/json"',
            f'wrk.headers["Cookie"] = "session={token}"',
            f"wrk.body = {json.dumps(body)}",
        ]
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        done = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
             "-s", lua.name, f"{url}{ENTRY}"],
            capture_output=True, text=True, check=True, timeout=seconds + 60,
        )  # fmt: skip
    finally:
        os.unlink(lua.name)

    return done.stdout


def _parse_wrk(label: str, text: str) -> Result:
    latency = {q: float(v) * _UNITS[u] for q, v, u in _LATENCY.findall(text)}
    requests = int(re.search(r"(\d+) requests in", text).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)

    return Result(
        label=label,
        requests=requests,
        requests_per_s=rate,
        p50_ms=latency.get("50", float("nan")),
        p99_ms=latency.get("99", float("nan")),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
    )


def _count_files(result: Result, folder: Path) -> Result:
    spans = 0
    for line in (folder / f"{names.SERVICE_INTERVIEWS}.traces.jsonl").open():
        for resource in json.loads(line)["resourceSpans"]:
            for scope in resource["scopeSpans"]:
                spans += sum(_is_entry(span) for span in scope["spans"])
    access = 0
    for line in (folder / f"{names.SERVICE_INTERVIEWS}.logs.jsonl").open():
        record = json.loads(line)
        access += (
            record.get("event") == names.EVENT_ACCESS and record.get("route") == ENTRY
        )

    return Result(**{**asdict(result), "entry_spans": spans, "access_events": access})


def _is_entry(span: dict[str, Any]) -> bool:
    routes = [a for a in span.get("attributes", []) if a["key"] == "http.route"]
    return (
        span["kind"] == 2
        and bool(routes)
        and routes[0]["value"]["stringValue"] == ENTRY
    )


def _row(result: Result) -> str:
    counts = (
        f" spans={result.entry_spans} access={result.access_events}"
        if result.entry_spans is not None
        else ""
    )
    return (
        f"{result.label:>3}: {result.requests_per_s:8.1f} req/s  "
        f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  "
        f"requests={result.requests} non2xx={result.non_2xx}{counts}"
    )


def _summary(results: list[Result]) -> dict[str, Any]:
    def best(label: str) -> Result:
        runs = [r for r in results if r.label == label]
        return max(runs, key=lambda r: r.requests_per_s)

    off, on = best("off"), best("on")

    return {
        "runs": [asdict(r) for r in results],
        "best_off_rps": off.requests_per_s,
        "best_on_rps": on.requests_per_s,
        "ratio_on_off": round(on.requests_per_s / off.requests_per_s, 3),
    }


if __name__ == "__main__":
    main()
