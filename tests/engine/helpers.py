"""Tiny problem builders and a checked solve for the engine tests.

``from . import helpers as eng`` in a test module: ``eng.op``, ``eng.job``, ``eng.resource``,
``eng.problem``, ``eng.solve`` (solve and assert the plan validates), ``eng.placed``.
"""

from med_aps_engine import SolveOptions, validate
from med_aps_engine import solve as engine_solve
from med_aps_engine.builders import make_mode, make_operation

# a repair's objective: lateness, and each move priced at 30 minutes of it
REPAIR_OBJECTIVE = {
    "weighted_tardiness": 1000,
    "makespan": 0,
    "changeover": 0,
    "flow_time": 0,
    "stability": 30000,
}


def op(oid, modes, preds=(), **kw):
    """Operation dict; ``modes`` is a list of ``(resource, duration)`` or
    ``(resource, duration, setup, cleanup)`` tuples; ``preds`` op ids or predecessor dicts."""
    return make_operation(
        oid,
        [make_mode(*m) for m in modes],
        predecessors=[p if isinstance(p, dict) else {"op": p, "min_lag": 0} for p in preds],
        **kw,
    )


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


def solve(prob, time_limit=5.0, **kw):
    """Solve and assert the plan validates; returns the plan."""
    plan = engine_solve(prob, options=SolveOptions(time_limit=time_limit, workers=2, **kw))
    assert validate(prob, plan) == [], validate(prob, plan)
    return plan


def placed(plan):
    """{op id: plan entry}."""
    return {e["op"]: e for e in plan["operations"]}


def overrun(prob, plan, resource, minutes=240):
    """Make ``plan`` the previous plan of ``prob`` and start the first operation it plans on
    ``resource`` after now, running ``minutes`` longer than planned; returns that plan entry."""
    prob["previous_plan"] = {
        e["op"]: {"resource": e["resource"], "start": e["start"]} for e in plan["operations"]
    }
    row = min(
        (e for e in plan["operations"] if e["resource"] == resource and e["start"] > 0),
        key=lambda e: e["start"],
    )
    ops = {o["id"]: o for job in prob["jobs"] for o in job["operations"]}
    ops[row["op"]]["in_progress"] = {
        "resource": row["resource"],
        "start": row["start"],
        "remaining": row["end"] - row["start"] + minutes,
    }
    return row
