"""The benchmarks, by name. Each takes the data set and returns its figures."""

from __future__ import annotations

from collections.abc import Callable

from bench.dataset import Dataset

SUITES: dict[str, Callable[[Dataset], object]] = {}


def suite(name: str) -> Callable[[Callable[[Dataset], object]], Callable[[Dataset], object]]:
    def register(fn: Callable[[Dataset], object]) -> Callable[[Dataset], object]:
        SUITES[name] = fn
        return fn

    return register


# Importing the modules registers their suites.
from bench import (  # noqa: E402, F401
    advances,
    api_verify_throughput,
    contractor_pages,
    dashboard,
    imports,
    signing_throughput,
    verify_inprocess,
    verify_throughput,
)
