"""Fixtures of the engine tests (the problem builders are in helpers.py)."""

import os
from pathlib import Path

import pytest

BENCH_DATA = Path(
    os.environ.get(
        "MED_APS_BENCH_DATA",
        Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks",
    )
)


@pytest.fixture
def bench_data():
    if not (BENCH_DATA / "jsplib" / "instances" / "ft06").exists():
        pytest.skip("benchmark data folder not available")
    return BENCH_DATA
