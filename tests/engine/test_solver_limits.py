"""Time limit adherence and the ``progress`` series of a plan."""

import time

import pytest

from med_aps_engine import SolveOptions, solve, validate
from med_aps_engine.plantgen import generate_plant

# wall time allowed above the limit: thread joins and a loaded 2-core machine
TOLERANCE = 0.5


def _timed_solve(problem, limit, **kw):
    t = time.monotonic()
    plan = solve(problem, options=SolveOptions(time_limit=limit, workers=2, **kw))
    return plan, time.monotonic() - t


def _recomputed_objective(problem, plan):
    """The objective from the plan's own numbers and the problem's weights."""
    w = {"weighted_tardiness": 0, "makespan": 0, "flow_time": 0, "changeover": 0, "stability": 0}
    w.update(problem["objective"])
    release = {j["id"]: j.get("release", 0) for j in problem["jobs"]}
    flow = sum(j["finish"] - release[j["job"]] for j in plan["jobs"] if j["finish"] is not None)
    k = plan["kpis"]
    return (
        w["weighted_tardiness"] * k["total_weighted_tardiness"]
        + w["makespan"] * k["makespan"]
        + w["flow_time"] * flow
        + w["changeover"] * k["changeover_minutes"]
        + w["stability"] * k["moved_operations"]
    )


def _assert_progress(problem, plan, limit):
    progress = plan["progress"]
    assert progress, "a plan without progress entries"
    seconds = [s for s, _ in progress]
    values = [v for _, v in progress]
    assert seconds == sorted(seconds)
    assert all(a > b for a, b in zip(values, values[1:], strict=False)), progress
    assert seconds[-1] <= limit + TOLERANCE
    # the last entry is the plan's objective, which is the one recomputed from the plan
    assert values[-1] == plan["objective"]
    assert plan["objective"] == pytest.approx(_recomputed_objective(problem, plan))
    if plan["bound"] is not None:
        assert plan["bound"] <= plan["objective"]


def test_medium_plant_keeps_the_time_limit():
    problem = generate_plant(300)  # about 1,600 operations: heuristic, restarts, windows
    limit = 3.0
    plan, wall = _timed_solve(problem, limit)
    assert wall <= limit + TOLERANCE, f"solve took {wall:.2f} s for a {limit} s limit"
    assert plan["solve_seconds"] <= limit + TOLERANCE
    assert validate(problem, plan) == []
    _assert_progress(problem, plan, limit)


def test_small_plant_one_model_keeps_the_time_limit_and_progress_improves():
    # one CP-SAT model over all operations: its solutions enter progress only when they
    # improve the plan's objective (the heuristic's plans come first)
    problem = generate_plant(30)
    limit = 2.0
    plan, wall = _timed_solve(problem, limit)
    assert wall <= limit + TOLERANCE, f"solve took {wall:.2f} s for a {limit} s limit"
    assert plan["method"] in ("cp-sat", "heuristic")
    assert validate(problem, plan) == []
    _assert_progress(problem, plan, limit)


def test_progress_uses_the_plan_objective_with_flow_time():
    # flow time is finish - release in the plan; the model's bound must be shifted alike
    problem = generate_plant(12, seed=3)
    problem["objective"] = dict(problem["objective"], flow_time=1)
    limit = 1.5
    plan, wall = _timed_solve(problem, limit)
    assert wall <= limit + TOLERANCE
    assert validate(problem, plan) == []
    _assert_progress(problem, plan, limit)


def test_tiny_limit_still_returns_the_heuristic_plan():
    problem = generate_plant(300)
    plan, wall = _timed_solve(problem, 0.3)
    assert wall <= 0.3 + TOLERANCE
    assert plan["status"] == "FEASIBLE"
    assert validate(problem, plan) == []
    _assert_progress(problem, plan, 0.3)


def test_job_shop_progress_is_the_makespan(bench_data):
    from med_aps_engine.formats import read_jsplib

    problem = read_jsplib(bench_data / "jsplib" / "instances" / "la01")
    limit = 1.0
    plan, wall = _timed_solve(problem, limit)
    assert wall <= limit + TOLERANCE
    assert validate(problem, plan) == []
    _assert_progress(problem, plan, limit)
    assert plan["progress"][-1][1] == plan["kpis"]["makespan"]
