"""`python bench/profile_request.py NAME`: a pyinstrument profile of one request kind of verify_inprocess
(healthz, verify_form, verify, certificate_page, api_verify, api_certificate) on the bench data set."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("ESURETY_TESTING", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esurety.config.settings")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/esurety_bench")
os.environ.setdefault("REDIS_URL", os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))

if __name__ == "__main__":
    import django

    django.setup()
    from bench.verify_inprocess import profile

    profile(sys.argv[1] if len(sys.argv) > 1 else "verify")
