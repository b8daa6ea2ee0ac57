"""Small statistics helpers for the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def measure(fn: Callable[[], object], *, repeat: int, warmup: int = 3) -> dict[str, float]:
    """Run fn `repeat` times; milliseconds p50 / p95 / p99 / max."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return {
        "n": repeat,
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "p99_ms": round(percentile(samples, 99), 2),
        "max_ms": round(max(samples), 2),
    }
