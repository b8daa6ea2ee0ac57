"""`make bench`: build (once) the PostgreSQL data set and run every benchmark.

Not a test: it prints figures (p50/p95/p99, throughput) for the closing notes
and writes them to bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("ESURETY_TESTING", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esurety.config.settings")
BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/esurety_bench")
os.environ["DATABASE_URL"] = BENCH_DB
# The in-process suites share the cache (sessions, rate limits) with the served ones, as in production.
os.environ.setdefault("REDIS_URL", os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
# Its own demo signing keys: files are named by surety id, which the demo's database reuses.
os.environ.setdefault("ESURETY_SIGNING_DIR", str(ROOT / "var" / "bench-signing"))


def ensure_database() -> None:
    import psycopg

    name = BENCH_DB.rsplit("/", 1)[1]
    admin = BENCH_DB.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data set")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)

    from bench import dataset
    from bench.suites import SUITES

    started = time.perf_counter()
    dataset.build(rebuild=args.rebuild)
    print(f"data set ready in {time.perf_counter() - started:.0f} s ({dataset.TOTAL:,} guarantees)")
    data = dataset.load()

    results: dict[str, object] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "guarantees": dataset.TOTAL,
        "focus_contractor_guarantees": dataset.FOCUS_COUNT,
    }
    wanted = {n for n in args.only.split(",") if n}
    for name, suite in SUITES.items():
        if wanted and name not in wanted:
            continue
        print(f"== {name}")
        results[name] = suite(data)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    print(json.dumps(results, ensure_ascii=False, indent=2, default=str))


if __name__ == "__main__":
    main()
