"""A replan with nothing changed keeps the plan; a change moves what it must, and says why."""

import copy

import pytest

from med_aps_engine import SolveOptions, solve, validate
from med_aps_engine.heuristic import dispatch
from med_aps_engine.plan import build_plan
from med_aps_engine.plantgen import generate_plant
from med_aps_engine.problem import DEFAULT_OBJECTIVE, load_problem
from med_aps_engine.schedule import (
    Assign,
    evaluate,
    followed_operations,
    forced_reason,
    moved_operations,
)

from . import helpers as eng


def _solve(problem, seconds=4.0, seed=0, **options):
    plan = solve(problem, SolveOptions(time_limit=seconds, workers=2, seed=seed, **options))
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
    assert second["moves"] == {
        "forced": [],
        "improving": [],
        "followed": [],
        "kept": len(first["operations"]),
        "reasons": {},
    }
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
    # the late material is why the first operation moved; what follows it waits for it
    assert moves["reasons"].get("release", 0) >= 1
    assert set(moves["reasons"]) <= {"release", "predecessor", "occupied"}
    assert sum(moves["reasons"].values()) == len(moves["forced"])
    row = next(r for r in second["operations"] if r["op"] == head["id"])
    assert row["start"] >= head["release"]
    # only what the late material pushes had to move; the other moves pay for themselves
    # (how many there are depends on how good the first plan was, i.e. on the machine's load)
    assert len(moves["forced"]) < len(second["operations"]) // 10
    kept, ok = dispatch(load_problem(replan), "keep")
    assert ok
    assert second["objective"] <= evaluate(load_problem(replan), kept)["objective"]


def test_no_previous_plan_reports_no_moves():
    problem = generate_plant(5, seed=1)
    plan = _solve(problem, seconds=2.0)
    assert plan["moves"] == {
        "forced": [],
        "improving": [],
        "followed": [],
        "kept": 0,
        "reasons": {},
    }


@pytest.mark.parametrize(
    ("n_jobs", "seed", "rule"), [(60, 1, "due"), (90, 2, "tail"), (120, 4, "head")]
)
def test_keep_rebuilds_any_valid_previous_plan_exactly(n_jobs, seed, rule):
    """Rule ``keep`` puts every operation back where the previous plan had it, to the minute:
    units of a multi-unit work center, batches, changeovers and maximum lags included (the
    previous plan here is a randomised dispatch, not a neat solver plan)."""
    problem = generate_plant(n_jobs, seed=seed)
    loaded = load_problem(problem)
    previous, ok = dispatch(loaded, rule, seed=seed)
    assert ok
    replan = copy.deepcopy(problem)
    replan["previous_plan"] = {
        oid: {"resource": a.resource, "start": a.start} for oid, a in previous.items()
    }
    again = load_problem(replan)
    kept, ok = dispatch(again, "keep")
    assert ok
    assert moved_operations(again, kept) == set()
    assert {o: (a.resource, a.start) for o, a in kept.items()} == {
        o: (a.resource, a.start) for o, a in previous.items()
    }
    # an end can only come earlier: the dispatcher that made the previous plan reserved a
    # changeover that a later insertion before the operation made shorter
    assert all(kept[o].end <= previous[o].end for o in kept)
    assert validate(replan, build_plan(again, kept, "FEASIBLE", "heuristic", 0.0)) == []


def test_replan_of_a_decomposed_plant_moves_only_what_pays():
    """Large problems are improved window by window: each window pays for its moves too. The
    previous plan is a randomised dispatch, which the replan improves; every move must buy
    more than its price, and where no move can pay for itself, nothing moves. (Whether a
    second replan still finds moves that pay depends on how far the first got, i.e. on the
    machine's load, so that is not asked.)"""
    problem = generate_plant(40, seed=5)
    weight = DEFAULT_OBJECTIVE["stability"]
    problem["objective"]["stability"] = weight
    loaded = load_problem(problem)
    assigns, ok = dispatch(loaded, "head", seed=5)
    assert ok
    first = build_plan(loaded, assigns, "FEASIBLE", "heuristic", 0.0)
    assert validate(problem, first) == []
    second = _solve(_replan(problem, first), seconds=4.0, seed=3, max_model_operations=60)
    assert second["method"] in ("cp-sat-lns", "heuristic")
    moves = second["moves"]
    assert moves["forced"] == []
    improving = len(moves["improving"])
    assert improving > 0
    assert second["kpis"]["moved_operations"] == improving
    # the objective counts the price of the moves: together they paid for themselves
    assert second["objective"] < first["objective"]
    kept_second = second["objective"] - weight * improving
    # a replan of it at the same price: whatever it moves pays, against keeping the plan
    third = _solve(_replan(problem, second), seconds=4.0, seed=4, max_model_operations=60)
    assert third["moves"]["forced"] == []
    assert third["objective"] <= kept_second
    # a move priced above the whole plan's lateness cannot pay: the plan stays, to the minute
    lateness = second["kpis"]["total_weighted_tardiness"]
    price = 1_000_000
    assert lateness < price
    only_lateness = dict.fromkeys(DEFAULT_OBJECTIVE, 0)
    only_lateness.update(weighted_tardiness=1, stability=price)
    dear = _solve(
        _replan(problem, second, **only_lateness), seconds=4.0, seed=4, max_model_operations=60
    )
    assert dear["moves"]["improving"] == [] and dear["moves"]["forced"] == []
    assert dear["objective"] == lateness
    before = {r["op"]: (r["resource"], r["start"]) for r in second["operations"]}
    assert {r["op"]: (r["resource"], r["start"]) for r in dear["operations"]} == before


def test_without_stability_weight_a_replan_may_reshuffle():
    """The weight is what keeps the plan: at 0 the previous plan is only a starting point."""
    problem = generate_plant(40, seed=5)
    first = _solve(problem, seconds=3.0)
    loose = _replan(problem, first, stability=0)
    again = load_problem(loose)
    assert evaluate(again, {})["objective"] == 0
    second = _solve(loose, seconds=3.0, seed=9)
    assert second["kpis"]["total_weighted_tardiness"] <= first["kpis"]["total_weighted_tardiness"]


def test_pushed_later_by_the_work_before_them():
    """A move is "followed" when the operation only starts later on its previous resource
    because the work before it does: its previous step ends after its previous start, or every
    unit of the resource is busy then, and it starts right behind what comes before it (less
    working time in between than its work). Moving elsewhere, earlier, later into a slot that
    is still free, or further than the work before it needs, is not."""
    prob = load_problem(
        eng.problem(
            [
                eng.resource("M1"),
                eng.resource("M2"),
                eng.resource("P", capacity=2),
                eng.resource("N", calendar=[[0, 100], [200, 1000]]),
            ],
            [
                eng.job("A", [eng.op("a", [("M1", 60)])]),
                eng.job("B", [eng.op("b", [("M1", 30)])]),
                eng.job("C", [eng.op("c", [("M1", 30)])]),
                eng.job("D", [eng.op("d", [("M1", 30), ("M2", 30)])]),
                eng.job("E", [eng.op("e0", [("M2", 30)]), eng.op("e", [("M1", 30)], ["e0"])]),
                eng.job("V", [eng.op("v", [("M1", 30)])]),
                eng.job("W", [eng.op("w", [("M1", 30)])]),
                eng.job("Z", [eng.op("z", [("M1", 0)])]),
                eng.job("F", [eng.op("f", [("P", 30)])]),
                eng.job("G", [eng.op("g", [("P", 30)])]),
                eng.job("J", [eng.op("j", [("P", 30)])]),
                eng.job("H", [eng.op("h", [("P", 30)])]),
                eng.job("I", [eng.op("i", [("P", 30)])]),
                eng.job("K", [eng.op("k", [("N", 50)])]),
                eng.job("L", [eng.op("l", [("N", 30)])]),
            ],
            previous_plan={
                "a": {"resource": "M1", "start": 0},
                "b": {"resource": "M1", "start": 30},  # a runs 30 min longer: pushed
                "c": {"resource": "M1", "start": 200},  # now later, its slot still free
                "d": {"resource": "M1", "start": 400},  # now on M2 (c runs there then)
                "e0": {"resource": "M2", "start": 0},
                "e": {"resource": "M1", "start": 300},  # its previous step now ends later
                "v": {"resource": "M1", "start": 700},  # now earlier, in w's slot
                "w": {"resource": "M1", "start": 100},  # much later than v needs
                "z": {"resource": "M1", "start": 20},
                "f": {"resource": "P", "start": 0},
                "g": {"resource": "P", "start": 40},  # one unit still free then
                "j": {"resource": "P", "start": 35},
                "h": {"resource": "P", "start": 100},
                "i": {"resource": "P", "start": 100},
                "k": {"resource": "N", "start": 0},
                "l": {"resource": "N", "start": 50},  # k ends at 90: l waits for the shift
            },
        )
    )
    plan = {
        "a": Assign("M1", 0, 0, 60),
        "b": Assign("M1", 0, 60, 90),
        "c": Assign("M1", 0, 390, 420),
        "d": Assign("M2", 0, 410, 440),
        "e0": Assign("M2", 0, 290, 320),
        "e": Assign("M1", 0, 320, 350),
        "v": Assign("M1", 0, 90, 120),
        "w": Assign("M1", 0, 600, 630),
        "z": Assign("M1", 0, 20, 20),  # takes no time: it does not end a's run
        "f": Assign("P", 0, 0, 30),
        "g": Assign("P", 1, 65, 95),  # right behind j, but f's unit was free at 40
        "j": Assign("P", 1, 35, 65),
        "h": Assign("P", 0, 80, 130),
        "i": Assign("P", 1, 95, 125),
        "k": Assign("N", 0, 40, 90),
        "l": Assign("N", 0, 200, 230),
    }
    moved = moved_operations(prob, plan)
    assert moved == {"b", "c", "d", "e0", "e", "v", "w", "g", "h", "i", "k", "l"}
    # earlier: e0, h, i, v; elsewhere: d; later into room still free then: c, g, k; w much
    # later than v, which runs in its slot, needs; l: 10 working minutes before the night
    assert followed_operations(prob, plan, moved) == {"b", "e", "l"}
    # i later, while both units are busy at its previous start (100)
    plan["g"] = Assign("P", 1, 70, 105)
    plan["h"] = Assign("P", 0, 95, 145)
    plan["i"] = Assign("P", 1, 105, 135)
    assert followed_operations(prob, plan, moved) == {"b", "e", "l", "i"}
    # behind it by more than its work: not pushed, moved
    plan["i"] = Assign("P", 1, 140, 170)
    assert followed_operations(prob, plan, moved) == {"b", "e", "l"}
    # only the operations asked about
    assert followed_operations(prob, plan, {"c", "l"}) == {"l"}


def test_forced_reasons():
    """Why a previous position no longer fits, in the planner's terms."""
    prob = eng.problem(
        [eng.resource("M1"), eng.resource("M2", calendar=[[0, 100], [200, 1000]])],
        [
            eng.job(
                "J1",
                [
                    eng.op("a", [("M1", 30)]),
                    eng.op("b", [("M1", 30)], ["a"]),
                ],
            ),
            eng.job("J2", [eng.op("c", [("M1", 20)], release=50)]),
            eng.job("J3", [eng.op("d", [("M2", 20)]), eng.op("e", [("M1", 10)])]),
        ],
        previous_plan={
            "a": {"resource": "M1", "start": -10},  # before now
            "b": {"resource": "M1", "start": 20},  # its predecessor cannot end by then
            "c": {"resource": "M1", "start": 40},  # its material comes at 50
            "d": {"resource": "M2", "start": 150},  # M2 is closed then
            "e": {"resource": "M2", "start": 0},  # no longer a mode of e
        },
    )
    loaded = load_problem(prob)
    assigns, ok = dispatch(loaded, "keep")
    assert ok
    assert moved_operations(loaded, assigns) == {"a", "b", "c", "d", "e"}
    reasons = {oid: forced_reason(loaded, oid, assigns) for oid in "abcde"}
    assert reasons == {
        "a": "past",
        "b": "predecessor",
        "c": "release",
        "d": "calendar",
        "e": "resource",
    }
    plan = eng.solve(prob, time_limit=2.0)
    assert plan["moves"]["reasons"] == {
        "past": 1,
        "resource": 1,
        "release": 1,
        "predecessor": 1,
        "calendar": 1,
    }
    assert plan["moves"]["improving"] == []


@pytest.mark.parametrize("frozen_until", [None, 0])
def test_a_past_start_is_repaired_by_a_gap_or_a_shift_and_the_objective_chooses(frozen_until):
    """``a`` was planned a little before now on a packed machine. Kept in the next gap it makes
    its order late; shifting what follows moves three more; the solver finds that moving one
    of them out of the way is worth it: one forced move and one move that pays for itself."""
    prob = eng.problem(
        [eng.resource("M1")],
        [
            eng.job("A", [eng.op("a", [("M1", 30)])], due=40),
            eng.job("B", [eng.op("b", [("M1", 30)])], due=10000),
            eng.job("C", [eng.op("c", [("M1", 30)])], due=10000),
            eng.job("D", [eng.op("d", [("M1", 30)])], due=10000),
        ],
        previous_plan={
            "a": {"resource": "M1", "start": -10},
            "b": {"resource": "M1", "start": 20},
            "c": {"resource": "M1", "start": 50},
            "d": {"resource": "M1", "start": 80},
        },
        objective={"weighted_tardiness": 1000, "makespan": 1, "changeover": 1, "flow_time": 0},
    )
    # a start before now was never started: a frozen window does not hold it there
    prob["frozen_until"] = frozen_until
    loaded = load_problem(prob)
    gap, ok = dispatch(loaded, "keep")
    assert ok and moved_operations(loaded, gap) == {"a"} and gap["a"].start == 110
    shifted, ok = dispatch(loaded, "keep_shift")
    assert ok and moved_operations(loaded, shifted) == {"a", "b", "c", "d"}
    assert [shifted[o].start for o in "abcd"] == [0, 30, 60, 90]
    plan = eng.solve(prob, time_limit=3.0)
    assert plan["moves"]["forced"] == ["a"]
    assert plan["moves"]["improving"] == ["b"]
    assert plan["moves"]["reasons"] == {"past": 1}
    assert plan["kpis"]["total_weighted_tardiness"] == 0
