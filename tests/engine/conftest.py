"""Helpers shared by the engine solver tests: tiny problem builders and a checked solve."""

import os
from pathlib import Path

import pytest

from med_aps_engine import SolveOptions, solve, validate

BENCH_DATA = Path(
    os.environ.get(
        "MED_APS_BENCH_DATA",
        Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks",
    )
)


def op(oid, modes, preds=(), **kw):
    """Operation dict; ``modes`` is a list of ``(resource, duration)`` or
    ``(resource, duration, setup, cleanup)`` tuples; ``preds`` op ids or predecessor dicts."""
    out = {
        "id": oid,
        "name": oid,
        "modes": [
            {
                "resource": m[0],
                "duration": m[1],
                "setup": m[2] if len(m) > 2 else 0,
                "cleanup": m[3] if len(m) > 3 else 0,
            }
            for m in modes
        ],
        "predecessors": [p if isinstance(p, dict) else {"op": p, "min_lag": 0} for p in preds],
    }
    out.update(kw)
    return out


def job(jid, operations, **kw):
    out = {"id": jid, "name": jid, "release": 0, "due": None, "weight": 1, "operations": operations}
    out.update(kw)
    return out


def resource(rid, **kw):
    out = {"id": rid, "name": rid, "capacity": 1, "efficiency": 100, "calendar": None}
    out.update(kw)
    return out


def problem(resources, jobs, **kw):
    out = {
        "schema_version": 1,
        "origin": "2026-11-30T06:00:00Z",
        "resources": resources,
        "jobs": jobs,
        "objective": {"weighted_tardiness": 0, "makespan": 1, "flow_time": 0, "changeover": 0},
    }
    out.update(kw)
    return out


def checked_solve(prob, time_limit=5.0, **kw):
    """Solve and assert the plan validates; returns the plan."""
    plan = solve(prob, options=SolveOptions(time_limit=time_limit, workers=2, **kw))
    assert validate(prob, plan) == [], validate(prob, plan)
    return plan


def placed(plan):
    """{op id: plan entry}."""
    return {e["op"]: e for e in plan["operations"]}


@pytest.fixture
def bench_data():
    if not (BENCH_DATA / "jsplib" / "instances" / "ft06").exists():
        pytest.skip("benchmark data folder not available")
    return BENCH_DATA


@pytest.fixture
def eng():
    """The builders above as one object (test modules cannot import a conftest by name)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        op=op,
        job=job,
        resource=resource,
        problem=problem,
        solve=checked_solve,
        placed=placed,
    )
