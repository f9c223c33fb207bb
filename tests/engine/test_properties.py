"""Property tests: on random small plant problems every returned plan validates, and problems
without maximum lags or locks (always feasible) always get a complete plan."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from med_aps_engine import ProblemError, SolveOptions, solve, validate
from med_aps_engine.bound import lower_bound
from med_aps_engine.problem import load_problem

CALENDARS = [None, [[0, 60], [90, 400], [480, 3000]], [[10, 200], [260, 3000]]]


@st.composite
def plant_problems(draw):
    n_res = draw(st.integers(1, 3))
    resources = []
    for r in range(n_res):
        res = {
            "id": f"R{r}",
            "capacity": draw(st.integers(1, 2)),
            "efficiency": draw(st.sampled_from([100, 100, 80, 125])),
            "calendar": draw(st.sampled_from(CALENDARS)),
        }
        if draw(st.booleans()):
            res["changeover"] = {
                "default": draw(st.integers(0, 15)),
                "rules": [{"from": "a", "to": "b", "minutes": draw(st.integers(0, 20))}],
            }
        resources.append(res)
    with_batch = draw(st.booleans())
    if with_batch:
        resources.append(
            {
                "id": "EO",
                "capacity": draw(st.integers(1, 2)),
                "batch": {"max_size": draw(st.integers(1, 3)), "cycle_minutes": 45},
                "calendar": draw(st.sampled_from(CALENDARS)),
            }
        )
    res_ids = [r["id"] for r in resources if "batch" not in r]
    jobs = []
    hard = False
    n_jobs = draw(st.integers(1, 4))
    for j in range(n_jobs):
        ops = []
        for o in range(draw(st.integers(1, 3))):
            oid = f"J{j}.{o}"
            use_batch = with_batch and o > 0 and draw(st.integers(0, 3)) == 0
            if use_batch:
                modes = [{"resource": "EO", "duration": 1}]
            else:
                chosen = draw(
                    st.lists(st.sampled_from(res_ids), min_size=1, max_size=2, unique=True)
                )
                modes = [
                    {
                        "resource": rid,
                        "duration": draw(st.integers(0, 40)),
                        "setup": draw(st.integers(0, 5)),
                        "cleanup": draw(st.integers(0, 3)),
                    }
                    for rid in chosen
                ]
            preds = []
            if o > 0:
                min_lag = draw(st.integers(0, 10))
                max_lag = None
                if draw(st.integers(0, 4)) == 0:
                    max_lag = min_lag + draw(st.integers(0, 200))
                    hard = True
                preds.append({"op": f"J{j}.{o - 1}", "min_lag": min_lag, "max_lag": max_lag})
            if j > 0 and o == 0 and draw(st.integers(0, 3)) == 0:
                preds.append({"job": f"J{j - 1}", "min_lag": draw(st.integers(0, 5))})
            extra = {}
            if o == 0 and not use_batch and draw(st.integers(0, 5)) == 0:
                hard = True  # two fixed operations may collide
                start = draw(st.integers(-20, 40))
                if draw(st.booleans()):
                    extra["in_progress"] = {
                        "resource": modes[0]["resource"],
                        "start": start,
                        "remaining": draw(st.integers(0, 30)),
                    }
                    preds = []
                else:
                    extra["locked"] = {"resource": modes[0]["resource"], "start": max(10, start)}
            ops.append(
                {
                    **extra,
                    "id": oid,
                    "modes": modes,
                    "predecessors": preds,
                    "release": draw(st.integers(0, 50)),
                    "setup_family": draw(st.sampled_from([None, "a", "b"])),
                    "batch_family": draw(st.sampled_from([None, "x", "x", "y"])),
                    "interruptible": draw(st.booleans()),
                }
            )
        jobs.append(
            {
                "id": f"J{j}",
                "release": draw(st.integers(0, 30)),
                "due": draw(st.one_of(st.none(), st.integers(20, 300))),
                "weight": draw(st.integers(1, 3)),
                "operations": ops,
            }
        )
    objective = {
        "weighted_tardiness": draw(st.sampled_from([0, 10])),
        "makespan": 1,
        "flow_time": draw(st.sampled_from([0, 1])),
        "changeover": draw(st.sampled_from([0, 1])),
    }
    problem = {"schema_version": 1, "resources": resources, "jobs": jobs, "objective": objective}
    return problem, hard


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plant_problems())
def test_every_plan_validates(case):
    problem, hard = case
    try:
        plan = solve(problem, options=SolveOptions(time_limit=1.0, workers=2))
    except ProblemError as exc:  # a random lock may sit outside a calendar window
        assert "locked at" in str(exc)
        return
    assert validate(problem, plan) == []
    if plan["operations"]:
        # the solver-free bound holds for every valid plan (and the reported one for this)
        assert lower_bound(load_problem(problem)) <= plan["objective"]
        assert plan["bound"] is None or plan["bound"] <= plan["objective"]
    if not hard:
        assert plan["status"] in ("OPTIMAL", "FEASIBLE")
        n_ops = sum(len(j["operations"]) for j in problem["jobs"])
        assert len(plan["operations"]) == n_ops


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plant_problems(), st.integers(0, 100))
def test_replanning_from_a_previous_plan_validates(case, frozen_until):
    problem, hard = case
    try:
        first = solve(problem, options=SolveOptions(time_limit=0.5, workers=2))
    except ProblemError:
        return
    if not first["operations"]:
        return
    problem = dict(problem)
    problem["previous_plan"] = {
        e["op"]: {"resource": e["resource"], "start": e["start"]} for e in first["operations"]
    }
    problem["frozen_until"] = frozen_until
    problem["objective"] = dict(problem["objective"], stability=5)
    plan = solve(problem, options=SolveOptions(time_limit=1.0, workers=2))
    assert validate(problem, plan) == []
    if not hard:
        assert plan["operations"], plan
