"""The full CP-SAT model of a job shop starts from the incumbent: its makespan bounds every
time variable, so the model searches shorter schedules only, and the plan still validates
and is never longer than the dispatching or tabu plan it was hinted with."""

from med_aps_engine import SolveOptions, load_problem, solve, validate
from med_aps_engine import solver as solver_module
from med_aps_engine.heuristic import dispatch
from med_aps_engine.model import JobShopModel

from .test_lns import random_shop


def _spy_models(monkeypatch):
    """Record (hint's makespan, horizon, the model's makespan upper bound) per full model."""
    seen = []

    def spy(problem, hint=None, horizon=None):
        model = JobShopModel(problem, hint=hint, horizon=horizon)
        makespan_ub = list(model.makespan.proto.domain)[-1]
        seen.append((max(a.end for a in hint.values()), horizon, makespan_ub))
        return model

    monkeypatch.setattr(solver_module, "JobShopModel", spy)
    return seen


def test_the_incumbent_makespan_bounds_the_full_model(monkeypatch):
    seen = _spy_models(monkeypatch)
    raw = random_shop(8, 5, seed=4)
    plan = solve(raw, SolveOptions(time_limit=3, workers=1))
    assert validate(raw, plan) == []
    assert len(seen) == 1
    hinted, horizon, makespan_ub = seen[0]
    assert horizon == hinted == makespan_ub
    assert max(row["end"] for row in plan["operations"]) <= hinted


def test_a_shorter_problem_horizon_stays_the_bound():
    raw = random_shop(5, 3, seed=2)
    problem = load_problem(raw)

    class Run:
        p = problem
        best = None

    run = Run()
    assert solver_module._jobshop_horizon(run) == problem.horizon
    run.best, _ok = dispatch(problem, "tail")
    makespan = max(a.end for a in run.best.values())
    problem.horizon = makespan - 1
    assert solver_module._jobshop_horizon(run) == makespan - 1
    problem.horizon = None
    assert solver_module._jobshop_horizon(run) == makespan
