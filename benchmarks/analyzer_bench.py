"""Time the analyzer against a DuckDB baseline on the same files, in one run.

Usage:
    python benchmarks/gen_otlp.py --spans 1000000 --log-lines 2000000 \\
        --out benchmarks/data/bench
    python benchmarks/analyzer_bench.py benchmarks/data/bench

Each contender runs in its own subprocess, so its peak memory (ru_maxrss) is
its own. The baseline does what the issue names: count failed entry requests
by cause with example trace ids (the entry's own cause, or a cause on a server
span below it in the same trace). The analyzer does its full analysis: every
reader, root-cause stitching, hypotheses and verdicts.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

_MEASURE = """
import json, resource, sys, time
start = time.perf_counter()
result = {job}
print(json.dumps({{"seconds": time.perf_counter() - start,
                   "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                   "result": result}}))
"""

_DUCKDB_TRACES = """
def run(glob):
    import duckdb
    con = duckdb.connect()
    rows = con.execute(f'''
    WITH spans AS (
      SELECT s.traceId AS trace_id, s.parentSpanId AS parent_id, s.kind AS kind,
        list_filter(s.attributes, lambda a: a.key = 'error.type')[1]
          .value.stringValue AS cause,
        TRY_CAST(list_filter(s.attributes,
          lambda a: a.key = 'http.response.status_code')[1].value.intValue AS INT)
          AS status
      FROM (SELECT unnest(resourceSpans) AS rs
            FROM read_json('{glob}', format='newline_delimited')) r,
           (SELECT unnest(r.rs.scopeSpans) AS ss) x,
           (SELECT unnest(x.ss.spans) AS s) y
    ), entries AS (
      SELECT trace_id, cause FROM spans
      WHERE kind = 2 AND coalesce(parent_id, '') = '' AND status >= 400
    ), inner_causes AS (
      SELECT trace_id, max(cause) AS cause FROM spans
      WHERE cause IS NOT NULL AND coalesce(parent_id, '') <> '' AND kind = 2
      GROUP BY trace_id
    )
    SELECT coalesce(i.cause, e.cause, 'unclassified') AS cause, count(*) AS n,
           list(e.trace_id)[1:5] AS examples
    FROM entries e LEFT JOIN inner_causes i USING (trace_id)
    GROUP BY 1 ORDER BY n DESC''').fetchall()
    return {r[0]: r[1] for r in rows}
"""

_DUCKDB_LOGS = """
def run(glob):
    import duckdb
    con = duckdb.connect()
    rows = con.execute(f'''
    WITH l AS (
      SELECT trace_id, service, event, cause, status
      FROM read_json('{glob}', format='newline_delimited')
    ), entries AS (
      SELECT trace_id, cause FROM l
      WHERE event = 'http.access' AND service = 'interviews' AND status >= 400
    ), inner_causes AS (
      SELECT trace_id, max(cause) AS cause FROM l
      WHERE cause IS NOT NULL AND service <> 'interviews' GROUP BY trace_id
    )
    SELECT coalesce(i.cause, e.cause, 'unclassified') AS cause, count(*) AS n,
           list(e.trace_id)[1:5] AS examples
    FROM entries e LEFT JOIN inner_causes i USING (trace_id)
    GROUP BY 1 ORDER BY n DESC''').fetchall()
    return {r[0]: r[1] for r in rows}
"""

_ANALYZER = """
def run(glob):
    import glob as g
    import analyzer
    report = analyzer.analyze(sorted(g.glob(glob)))
    return {group.cause: group.count for group in report.groups}
"""


def _measure(setup: str, glob: str) -> dict:
    """Run one contender in a fresh interpreter; return seconds, peak MB, result."""
    code = setup + _MEASURE.format(job=f"run({glob!r})")
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    return json.loads(done.stdout.strip().splitlines()[-1])


def _bytes(glob: str) -> int:
    return sum(p.stat().st_size for p in Path().glob(glob))


def main() -> None:
    """Run both contenders on the traces and on the logs; print a table and JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()

    results = {}
    for signal, baseline in (("traces", _DUCKDB_TRACES), ("logs", _DUCKDB_LOGS)):
        glob = str(args.folder / f"*.{signal}.jsonl")
        duck = _measure(baseline, glob)
        ours = _measure(_ANALYZER, glob)
        results[signal] = {
            "megabytes": round(_bytes(glob) / 1e6, 1),
            "duckdb": duck,
            "analyzer": ours,
            "time_ratio": round(ours["seconds"] / duck["seconds"], 2),
            "same_counts": duck["result"] == ours["result"],
        }
        print(
            f"{signal:6} {results[signal]['megabytes']:8.1f} MB  "
            f"duckdb {duck['seconds']:6.2f} s {duck['peak_mb']:6.0f} MB  "
            f"analyzer {ours['seconds']:6.2f} s {ours['peak_mb']:6.0f} MB  "
            f"ratio {results[signal]['time_ratio']:.2f}x  "
            f"same counts: {results[signal]['same_counts']}"
        )

    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
