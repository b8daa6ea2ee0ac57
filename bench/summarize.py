"""`python bench/summarize.py [results.json]`: the throughput suites' figures, one line per kind."""

from __future__ import annotations

import json
import sys
from pathlib import Path

path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "results" / "latest.json")
results = json.loads(path.read_text())
for suite in ("verify_throughput", "api_verify_throughput"):
    figures = results.get(suite)
    if not figures:
        continue
    print(f"== {suite} ({figures.get('server')}, {figures.get('rounds')} rounds)")
    for name, f in figures.items():
        if isinstance(f, dict) and "requests_per_s" in f:
            loads = [r["load_1min"] for r in f.get("runs", [])]
            print(
                f"  {name:18} {f['requests_per_s']:8.1f} req/s  p50 {f['p50_ms']:6.2f}  p95 {f['p95_ms']:6.2f}"
                f"  p99 {f['p99_ms']:6.2f} ms  failures {f['failures']}  load {loads}"
            )
    for name, value in figures.items():
        if name.startswith("ratio"):
            print(f"  {name} = {value}")
inprocess = results.get("verify_inprocess")
if inprocess:
    print("== verify_inprocess")
    for name, f in inprocess["requests"].items():
        print(f"  {name:18} cpu {f['cpu_ms']:6.2f} ms  p50 {f['p50_ms']:6.2f} ms  queries {f['queries']}")
