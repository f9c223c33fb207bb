"""The earliness objective term: just-in-time plans against due dates."""

import pytest

from med_aps_engine import ProblemError

from . import helpers as eng


def _two_jobs(due_a, due_b, earliness):
    return eng.problem(
        [eng.resource("R")],
        [
            eng.job("A", [eng.op("A1", [("R", 60)])], due=due_a),
            eng.job("B", [eng.op("B1", [("R", 60)])], due=due_b),
        ],
        objective={
            "weighted_tardiness": 1000,
            "makespan": 0,
            "flow_time": 0,
            "changeover": 0,
            "earliness": earliness,
        },
    )


def test_without_earliness_jobs_run_as_early_as_possible():
    plan = eng.solve(_two_jobs(1000, 500, 0), time_limit=2.0)
    starts = sorted(e["start"] for e in plan["operations"])
    # no cost for waiting or not: the solver may leave them anywhere on time; the KPI counts
    assert plan["kpis"]["total_weighted_tardiness"] == 0
    assert plan["kpis"]["total_weighted_earliness"] == sum(
        j["due"] - j["finish"] for j in plan["jobs"]
    )
    assert starts[0] >= 0


def test_earliness_weight_finishes_jobs_at_their_due_date():
    plan = eng.solve(_two_jobs(1000, 500, 1), time_limit=2.0)
    finish = {j["job"]: j["finish"] for j in plan["jobs"]}
    assert finish == {"A": 1000, "B": 500}
    assert plan["kpis"]["total_weighted_earliness"] == 0
    assert plan["objective"] == 0


def test_tardiness_outweighs_earliness_when_jobs_compete():
    # both due at 200 on one machine: one finishes at 200, the other early at 140 (cost 60)
    # rather than late at 260 (cost 60 x 1000)
    plan = eng.solve(_two_jobs(200, 200, 1), time_limit=2.0)
    assert sorted(j["finish"] for j in plan["jobs"]) == [140, 200]
    assert plan["kpis"]["total_weighted_tardiness"] == 0
    assert plan["kpis"]["total_weighted_earliness"] == 60
    assert plan["objective"] == 60


def test_earliness_counts_the_job_weight():
    prob = _two_jobs(200, 200, 2)
    prob["jobs"][0]["weight"] = 3
    plan = eng.solve(prob, time_limit=2.0)
    finish = {j["job"]: j["finish"] for j in plan["jobs"]}
    # the heavier job finishes on time; the lighter one is early: 2 x 1 x 60
    assert finish == {"A": 200, "B": 140}
    assert plan["objective"] == 120


@pytest.mark.parametrize("value", [-1, "1", True])
def test_bad_earliness_weight_is_refused(value):
    prob = _two_jobs(100, 100, 0)
    prob["objective"]["earliness"] = value
    with pytest.raises(ProblemError, match="earliness"):
        eng.solve(prob, time_limit=1.0)
