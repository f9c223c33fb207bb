"""Neighbourhood repair (``SolveOptions.neighbourhood``): the search stays around what the
disruption moved; everything else keeps its place, even where moving it would pay."""

import copy

import pytest

from med_aps_engine import OptionError, SolveOptions, decompose
from med_aps_engine.decompose import neighbourhood
from med_aps_engine.heuristic import dispatch
from med_aps_engine.plantgen import generate_plant
from med_aps_engine.problem import DEFAULT_OBJECTIVE, load_problem
from med_aps_engine.schedule import evaluate, moved_operations

from . import helpers as eng

OBJECTIVE = {
    "weighted_tardiness": 1000,
    "makespan": 0,
    "changeover": 0,
    "flow_time": 0,
    "stability": 30000,
}


def _plant():
    """M1: ``a`` runs 30 min longer than planned (in progress), pushing ``b`` (due at 100)
    and ``c``. M2, untouched by it: ``z`` (due at 60) planned last, late by 120 min; moving
    it first would pay (3 moves = 90,000 < 120,000) in a replan of the whole plant."""
    # a was planned from -30 to 30; it has 60 minutes left now: it ends at 60
    return eng.problem(
        [eng.resource("M1"), eng.resource("M2")],
        [
            eng.job(
                "A",
                [
                    eng.op(
                        "a",
                        [("M1", 60)],
                        in_progress={"resource": "M1", "start": -30, "remaining": 60},
                    )
                ],
                due=10000,
            ),
            eng.job("B", [eng.op("b", [("M1", 60)])], due=100),
            eng.job("C", [eng.op("c", [("M1", 60)]), eng.op("c2", [("M2", 30)], ["c"])], due=10000),
            eng.job("X", [eng.op("x", [("M2", 60)])], due=10000),
            eng.job("Y", [eng.op("y", [("M2", 60)])], due=10000),
            eng.job("Z", [eng.op("z", [("M2", 60)])], due=60),
        ],
        previous_plan={
            "a": {"resource": "M1", "start": -30},
            "b": {"resource": "M1", "start": 0},
            "c": {"resource": "M1", "start": 60},
            "c2": {"resource": "M2", "start": 180},
            "x": {"resource": "M2", "start": 0},
            "y": {"resource": "M2", "start": 60},
            "z": {"resource": "M2", "start": 120},
        },
        objective=dict(OBJECTIVE),
    )


def test_the_neighbourhood_is_the_moved_work_their_resources_and_what_follows():
    prob = load_problem(_plant())
    kept, ok = dispatch(prob, "keep")
    assert ok
    # kept where it fits: b no longer fits (a runs until 30), it goes into the next gap
    assert moved_operations(prob, kept) == {"b"}
    hood = neighbourhood(prob, kept, seeds=["a"])
    # b, and c between b's previous start and its new end on M1, and c's next step c2;
    # a is in progress (fixed); x, y, z on M2 are not affected
    assert hood == {"b", "c", "c2"}
    # a seed of another resource brings that resource's work over its span
    assert neighbourhood(prob, kept, seeds=["x"]) >= {"x"}


def test_a_repair_moves_only_the_neighbourhood_and_chooses_the_cheapest_way():
    prob = _plant()
    repair = eng.solve(prob, time_limit=3.0, neighbourhood=["a"])
    at = {oid: (e["resource"], e["start"]) for oid, e in eng.placed(repair).items()}
    # M2 keeps its plan although moving z first would pay
    assert at["x"] == ("M2", 0) and at["y"] == ("M2", 60) and at["z"] == ("M2", 120)
    # a ends at 60 instead of 30: b and c shift right behind it (b 20 min late) rather than
    # b waiting for the gap after c (80 min late)
    assert at["b"] == ("M1", 60) and at["c"] == ("M1", 120)
    assert sorted(repair["moves"]["forced"] + repair["moves"]["improving"]) == ["b", "c"]
    # the same problem replanned as a whole moves M2 too
    full = eng.solve(copy.deepcopy(prob), time_limit=3.0)
    moved_full = set(full["moves"]["forced"] + full["moves"]["improving"])
    assert {"z"} <= moved_full
    assert full["objective"] < repair["objective"]


def test_without_a_previous_plan_the_option_plans_the_whole_problem():
    prob = _plant()
    del prob["previous_plan"]
    plan = eng.solve(prob, time_limit=2.0, neighbourhood=[])
    assert len(plan["operations"]) == 7


@pytest.mark.parametrize("bad", ["a", 3, {"a": 1}, [1, 2]])
def test_the_option_is_checked(bad):
    with pytest.raises(OptionError, match="neighbourhood"):
        SolveOptions(neighbourhood=bad)


def test_a_repair_of_an_overrun_on_a_generated_plant(monkeypatch):
    """A bottleneck operation of a planned plant runs 4 h over: the repair is valid, moves
    only operations of the neighbourhoods it searched, and does not do worse than keeping the
    plan with the next gap (rule keep)."""
    problem = generate_plant(60, seed=5)
    problem["objective"]["stability"] = DEFAULT_OBJECTIVE["stability"]
    first = eng.solve(problem, time_limit=4.0)
    again = copy.deepcopy(problem)
    again["previous_plan"] = {
        e["op"]: {"resource": e["resource"], "start": e["start"]} for e in first["operations"]
    }
    busiest = max(first["resources"], key=lambda r: r["busy_minutes"])["resource"]
    row = min(
        (e for e in first["operations"] if e["resource"] == busiest and e["start"] > 0),
        key=lambda e: e["start"],
    )
    ops = {o["id"]: o for job in again["jobs"] for o in job["operations"]}
    ops[row["op"]]["in_progress"] = {
        "resource": row["resource"],
        "start": row["start"],
        "remaining": row["end"] - row["start"] + 240,
    }
    loaded = load_problem(again)
    kept, ok = dispatch(loaded, "keep")
    assert ok
    searched = set()

    def recording(p, assigns, seeds=()):
        hood = neighbourhood(p, assigns, seeds)
        searched.update(hood)
        return hood

    monkeypatch.setattr(decompose, "neighbourhood", recording)
    repair = eng.solve(again, time_limit=4.0, neighbourhood=[row["op"]])
    at = {e["op"]: (e["resource"], e["start"]) for e in repair["operations"]}
    before = {e["op"]: (e["resource"], e["start"]) for e in first["operations"]}
    moved = {oid for oid in at if at[oid] != before[oid]} - {row["op"]}
    assert moved
    # every move was forced by the kept plan or found in a searched neighbourhood
    assert moved <= searched | set(repair["moves"]["forced"]), sorted(moved - searched)[:5]
    assert set(repair["moves"]["improving"]) <= searched
    assert repair["objective"] <= evaluate(loaded, kept)["objective"]
