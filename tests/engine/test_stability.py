"""A replan with nothing changed keeps the plan; a change moves what it must, and says why."""

import copy

import pytest

from med_aps_engine import SolveOptions, solve, validate
from med_aps_engine.plantgen import generate_plant
from med_aps_engine.problem import DEFAULT_OBJECTIVE


def _solve(problem, seconds=4.0, seed=0):
    plan = solve(problem, SolveOptions(time_limit=seconds, workers=2, seed=seed))
    assert plan["status"] in ("OPTIMAL", "FEASIBLE"), plan.get("message")
    assert validate(problem, plan) == []
    return plan


def _replan(problem, plan, **objective):
    again = copy.deepcopy(problem)
    again["previous_plan"] = {
        row["op"]: {"resource": row["resource"], "start": row["start"]}
        for row in plan["operations"]
    }
    again["objective"] = {**problem["objective"], **objective}
    return again


@pytest.fixture(scope="module")
def plant():
    problem = generate_plant(40, seed=3)
    problem["objective"]["stability"] = DEFAULT_OBJECTIVE["stability"]
    return problem, _solve(problem, seconds=8.0)


def test_unchanged_replan_of_an_optimal_plan_moves_nothing():
    """Nothing can pay for a move: the replan is the previous plan, to the minute."""
    problem = generate_plant(8, seed=3)
    problem["objective"]["stability"] = DEFAULT_OBJECTIVE["stability"]
    # small enough for CP-SAT to prove optimality in well under a second; it stops there
    first = _solve(problem, seconds=20.0)
    assert first["status"] == "OPTIMAL"
    second = _solve(_replan(problem, first), seed=7)
    assert second["moves"] == {"forced": [], "improving": [], "kept": len(first["operations"])}
    assert second["objective"] == first["objective"]
    before = {r["op"]: (r["resource"], r["start"], r["end"]) for r in first["operations"]}
    assert {r["op"]: (r["resource"], r["start"], r["end"]) for r in second["operations"]} == before


def test_unchanged_replan_keeps_the_plan(plant):
    problem, first = plant
    replan = _replan(problem, first)
    second = _solve(replan, seed=7)
    ops = len(first["operations"])
    moves = second["moves"]
    moved = len(moves["forced"]) + len(moves["improving"])
    assert moved <= 0.02 * ops, moves
    assert moves["kept"] == ops - moved
    # the same or a better plan; the only cost it may add is that of forced moves (the
    # dispatcher could not put an operation back at its previous minute), and it says so
    assert second["kpis"]["total_weighted_tardiness"] <= first["kpis"]["total_weighted_tardiness"]
    forced_cost = len(moves["forced"]) * DEFAULT_OBJECTIVE["stability"]
    assert second["objective"] <= first["objective"] + forced_cost


def test_a_late_material_forces_moves_and_says_so(plant):
    problem, first = plant
    replan = _replan(problem, first)
    # the first job's material arrives a day later than its first operation was planned
    job = replan["jobs"][0]
    head = min(job["operations"], key=lambda o: replan["previous_plan"][o["id"]]["start"])
    head["release"] = replan["previous_plan"][head["id"]]["start"] + 24 * 60
    second = _solve(replan, seed=7)
    moves = second["moves"]
    assert head["id"] in moves["forced"]
    row = next(r for r in second["operations"] if r["op"] == head["id"])
    assert row["start"] >= head["release"]
    # only what the late material pushes had to move
    assert len(moves["forced"]) + len(moves["improving"]) < len(second["operations"]) // 4


def test_no_previous_plan_reports_no_moves():
    problem = generate_plant(5, seed=1)
    plan = _solve(problem, seconds=2.0)
    assert plan["moves"] == {"forced": [], "improving": [], "kept": 0}
