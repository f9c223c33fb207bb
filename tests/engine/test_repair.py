"""Neighbourhood repair (``SolveOptions.neighbourhood``): the search stays around what the
disruption moved; everything else keeps its place, even where moving it would pay."""

import copy

import pytest

from med_aps_engine import OptionError, SolveOptions, decompose, heuristic
from med_aps_engine.decompose import neighbourhood
from med_aps_engine.heuristic import dispatch
from med_aps_engine.plantgen import generate_plant
from med_aps_engine.problem import DEFAULT_OBJECTIVE, load_problem
from med_aps_engine.schedule import evaluate, moved_operations

from . import helpers as eng

OBJECTIVE = eng.REPAIR_OBJECTIVE


def _running(resource, remaining, due=10000, then=()):
    """Order A: its operation ``a`` (60 min) was planned from -30 on ``resource``; it runs,
    with ``remaining`` minutes left from now (over 30: it overruns); ``then``: its next
    operations."""
    return eng.job(
        "A",
        [
            eng.op(
                "a",
                [(resource, 60)],
                in_progress={"resource": resource, "start": -30, "remaining": remaining},
            ),
            *then,
        ],
        due=due,
    )


def _plant():
    """M1: ``a`` runs 30 min longer than planned (in progress), pushing ``b`` (due at 100)
    and ``c``. M2, untouched by it: ``z`` (due at 60) planned last, late by 120 min; moving
    it first would pay (3 moves = 90,000 < 120,000) in a replan of the whole plant."""
    # a was planned from -30 to 30; it has 60 minutes left now: it ends at 60
    return eng.problem(
        [eng.resource("M1"), eng.resource("M2")],
        [
            _running("M1", 60),
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
    # what moved without having to was pushed by the work before it, not reshuffled
    assert repair["moves"]["followed"] == repair["moves"]["improving"]
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
    busiest = max(first["resources"], key=lambda r: r["busy_minutes"])["resource"]
    row = eng.overrun(again, first, busiest)
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


def _booked_plant():
    """M1: ``a`` runs 30 min over (in progress until 60), so its next step ``a2`` (order A,
    due at 100) cannot start at 30 on M2. M2 is booked until 330 by ``y`` (whose next step
    ``y2`` is at 1000 on M3) and ``p``, ``q``, ``r`` (orders due far ahead)."""
    return eng.problem(
        [eng.resource("M1"), eng.resource("M2"), eng.resource("M3")],
        [
            _running("M1", 60, due=100, then=[eng.op("a2", [("M2", 60)], ["a"])]),
            eng.job("Y", [eng.op("y", [("M2", 60)]), eng.op("y2", [("M3", 60)], ["y"])], due=2000),
            eng.job("P", [eng.op("p", [("M2", 60)])], due=5000),
            eng.job("Q", [eng.op("q", [("M2", 60)])], due=5000),
            eng.job("R", [eng.op("r", [("M2", 60)])], due=5000),
        ],
        previous_plan={
            "a": {"resource": "M1", "start": -30},
            "a2": {"resource": "M2", "start": 30},
            "y": {"resource": "M2", "start": 90},
            "y2": {"resource": "M3", "start": 1000},
            "p": {"resource": "M2", "start": 150},
            "q": {"resource": "M2", "start": 210},
            "r": {"resource": "M2", "start": 270},
        },
        objective=dict(OBJECTIVE),
    )


def test_work_with_slack_makes_way_for_work_that_had_to_move():
    """Kept with the next gap, ``a2`` waits until 330 (its order 290 min late); shifting M2
    moves four more; ``y`` can make way instead: it moves to that gap, still before ``y2``,
    and its order finishes as planned (two moves, order A 20 min late)."""
    prob = load_problem(_booked_plant())
    gap, ok = dispatch(prob, "keep")
    assert ok and moved_operations(prob, gap) == {"a2"} and gap["a2"].start == 330
    shifted, ok = dispatch(prob, "keep_shift")
    assert ok and moved_operations(prob, shifted) == {"a2", "y", "p", "q", "r"}
    evicted, ok = dispatch(prob, "keep_evict")
    assert ok and moved_operations(prob, evicted) == {"a2", "y"}
    assert (evicted["a2"].start, evicted["y"].start) == (60, 330)
    assert evicted["y"].end <= evicted["y2"].start
    costs = {
        name: evaluate(prob, assigns)
        for name, assigns in (("keep", gap), ("keep_shift", shifted), ("keep_evict", evicted))
    }
    assert costs["keep_evict"]["total_weighted_tardiness"] == 20
    assert costs["keep_evict"]["objective"] < costs["keep_shift"]["objective"]
    assert costs["keep_evict"]["objective"] < costs["keep"]["objective"]
    # the repair offers it (validated by eng.solve); y moved to improve the plan, a2 had to
    repair = eng.solve(_booked_plant(), time_limit=2.0, neighbourhood=["a"])
    assert repair["objective"] <= costs["keep_evict"]["objective"]
    assert repair["moves"]["forced"] == ["a2"]
    assert repair["moves"]["improving"] == ["y"]
    # y made way: a2 runs where y ran
    assert repair["moves"]["followed"] == ["y"]


def test_nothing_makes_way_when_it_would_delay_its_order():
    """``y2`` right behind ``y``: moving ``y`` would delay order Y, so ``a2`` takes the gap."""
    prob = _booked_plant()
    prob["previous_plan"]["y2"]["start"] = 150
    loaded = load_problem(prob)
    gap, _ok = dispatch(loaded, "keep")
    evicted, ok = dispatch(loaded, "keep_evict")
    assert ok
    assert {oid: (a.resource, a.start) for oid, a in evicted.items()} == {
        oid: (a.resource, a.start) for oid, a in gap.items()
    }


def _minutes_late_plant():
    """M1 booked back to back: ``p`` was planned 5 minutes ago and has not started; ``q``,
    ``r``, ``s`` follow it, each due the minute its plan ends (no slack to make way); a gap of
    5 minutes, then ``t`` and ``u`` until 360. M2 is free."""
    tight = [("q", 55), ("r", 115), ("s", 175), ("t", 240), ("u", 300)]
    return eng.problem(
        [eng.resource("M1"), eng.resource("M2")],
        [eng.job("P", [eng.op("p", [("M1", 60)])], due=60)]
        + [
            eng.job(oid.upper(), [eng.op(oid, [("M1", 60)])], due=start + 60)
            for oid, start in tight
        ],
        previous_plan={
            "p": {"resource": "M1", "start": -5},
            **{oid: {"resource": "M1", "start": start} for oid, start in tight},
        },
        objective=dict(OBJECTIVE),
    )


def test_work_that_missed_its_start_by_minutes_shifts_by_minutes():
    """``p`` missed its start by 5 minutes: rule keep_evict sends it to the next gap of
    M1, after everything else (its order 360 min late); rule keep_slide starts it now and
    shifts ``q``, ``r``, ``s`` by the same 5 minutes, which the gap before ``t`` absorbs."""
    prob = load_problem(_minutes_late_plant())
    evicted, ok = dispatch(prob, "keep_evict")
    assert ok and moved_operations(prob, evicted) == {"p"} and evicted["p"].start == 360
    slid, ok = dispatch(prob, "keep_slide")
    assert ok
    assert {oid: (a.resource, a.start) for oid, a in slid.items()} == {
        "p": ("M1", 0),
        "q": ("M1", 60),
        "r": ("M1", 120),
        "s": ("M1", 180),
        "t": ("M1", 240),
        "u": ("M1", 300),
    }
    costs = {name: evaluate(prob, a) for name, a in (("evict", evicted), ("slide", slid))}
    assert costs["slide"]["total_weighted_tardiness"] == 3 * 5
    assert costs["evict"]["total_weighted_tardiness"] == 360
    assert costs["slide"]["objective"] < costs["evict"]["objective"]
    # the repair offers it (plans validated by eng.solve)
    repair = eng.solve(_minutes_late_plant(), time_limit=2.0, neighbourhood=["p"])
    assert repair["objective"] <= costs["slide"]["objective"]
    assert eng.placed(repair)["p"]["start"] == 0


def test_slides_are_short_what_waits_longer_may_go_to_another_resource():
    """``a`` runs 4 hours over on M1. ``b`` (which may also run on M2) would wait 240 min:
    rule keep_slide does not push M1's booked queue by hours, it puts ``b`` on M2 at its
    planned time; rule keep_evict keeps it on M1, in the gap after the queue."""
    problem = eng.problem(
        [eng.resource("M1"), eng.resource("M2")],
        [
            _running("M1", 270),
            eng.job("B", [eng.op("b", [("M1", 60), ("M2", 60)])], due=100),
            eng.job("C", [eng.op("c", [("M1", 60)])], due=330),
            eng.job("D", [eng.op("d", [("M1", 60)])], due=390),
        ],
        previous_plan={
            "a": {"resource": "M1", "start": -30},
            "b": {"resource": "M1", "start": 30},
            "c": {"resource": "M1", "start": 270},
            "d": {"resource": "M1", "start": 330},
        },
        objective=dict(OBJECTIVE),
    )
    prob = load_problem(problem)
    evicted, ok = dispatch(prob, "keep_evict")
    assert ok and (evicted["b"].resource, evicted["b"].start) == ("M1", 390)
    slid, ok = dispatch(prob, "keep_slide")
    assert ok and moved_operations(prob, slid) == {"b"}
    assert (slid["b"].resource, slid["b"].start) == ("M2", 30)
    assert evaluate(prob, slid)["total_weighted_tardiness"] == 0


def _sterilizer_plant(a_ends=1100):
    """S sterilizes two operations of family F per 1,000-minute cycle, booked: ``x2`` and
    ``y`` at 1,000, ``z`` and ``w`` at 2,000, ``u`` and ``v`` at 3,000 (all but ``x2`` ready
    from the start, waiting for their turn). ``a`` overruns on M until ``a_ends``, so ``x1``
    (planned at 930) and then ``x2`` miss the first cycle (order X due at 1,500)."""
    family = {"batch_family": "F"}
    queued = [("y", 1000), ("z", 2000), ("w", 2000), ("u", 3000), ("v", 3000)]
    return eng.problem(
        [
            eng.resource("M"),
            eng.resource("S", batch={"max_size": 2, "cycle_minutes": 1000}),
        ],
        [
            _running("M", a_ends, due=100000),
            eng.job(
                "X",
                [eng.op("x1", [("M", 60)]), eng.op("x2", [("S", 0)], ["x1"], **family)],
                due=1500,
            ),
        ]
        + [
            eng.job(oid.upper(), [eng.op(oid, [("S", 0)], **family)], due=start + 1000)
            for oid, start in queued
        ],
        previous_plan={
            "a": {"resource": "M", "start": -30},
            "x1": {"resource": "M", "start": 930},
            "x2": {"resource": "S", "start": 1000},
            **{oid: {"resource": "S", "start": start} for oid, start in queued},
        },
        objective=dict(OBJECTIVE),
    )


def test_a_batch_left_with_room_takes_work_so_that_missed_work_need_not_wait_for_the_end():
    """``x2`` missed its cycle: kept plans send it to a cycle added after the last (4,000).
    Rule keep_slide gives the room it left at 1,000 to work of the next cycle that is ready
    for it (``w``), and ``x2``, ready at 1,160, takes ``w``'s place at 2,000."""
    prob = load_problem(_sterilizer_plant())
    evicted, ok = dispatch(prob, "keep_evict")
    assert ok and evicted["x2"].start == 4000
    slid, ok = dispatch(prob, "keep_slide")
    assert ok
    assert (slid["x2"].start, slid["w"].start, slid["y"].start) == (2000, 1000, 1000)
    assert slid["x2"].batch == slid["z"].batch
    assert moved_operations(prob, slid) == {"x1", "x2", "w"}
    late = {
        name: evaluate(prob, a)["total_weighted_tardiness"]
        for name, a in (("evict", evicted), ("slide", slid))
    }
    assert late == {"evict": 5000 - 1500, "slide": 3000 - 1500}
    repair = eng.solve(_sterilizer_plant(), time_limit=2.0, neighbourhood=["a"])
    assert repair["kpis"]["total_weighted_tardiness"] <= late["slide"]


def test_a_cycle_does_not_wait_minutes_for_late_work_when_ready_work_can_take_its_place():
    """``x2`` is ready 5 minutes after its cycle: rule keep_evict sends it to a cycle after
    the last; rule keep_slide neither does that nor makes the cycle (and every cycle after it)
    wait 5 minutes: the cycle leaves on time with ``w`` of the next cycle, ready since the
    start, and ``x2`` takes ``w``'s place."""
    prob = load_problem(_sterilizer_plant(a_ends=945))
    evicted, ok = dispatch(prob, "keep_evict")
    assert ok and evicted["x2"].start == 4000
    slid, ok = dispatch(prob, "keep_slide")
    assert ok and moved_operations(prob, slid) == {"x1", "x2", "w"}
    assert slid["x1"].start == 945
    assert (slid["x2"].start, slid["w"].start) == (2000, 1000)
    assert [slid[oid].start for oid in ("y", "z", "u", "v")] == [1000, 2000, 3000, 3000]


def test_the_room_of_a_batch_goes_straight_to_the_batch_where_late_work_is_ready():
    """``x2`` is ready at 2,060, after the second cycle: the room it left at 1,000 is taken
    by a load of the third cycle (``u``), whose place ``x2`` takes; no load of the second
    cycle moves (one cycle down at a time: ``w`` to 1,000 and ``u`` to 2,000, one move
    more for the same lateness)."""
    prob = load_problem(_sterilizer_plant(a_ends=2000))
    evicted, ok = dispatch(prob, "keep_evict")
    assert ok and evicted["x2"].start == 4000
    slid, ok = dispatch(prob, "keep_slide")
    assert ok and moved_operations(prob, slid) == {"x1", "x2", "u"}
    assert [slid[oid].start for oid in ("u", "y", "z", "w", "x2", "v")] == [
        1000,
        1000,
        2000,
        2000,
        3000,
        3000,
    ]
    # x2 in the cycle of 3,000 (1,000 minutes): order X ends at 4,000
    assert evaluate(prob, slid)["total_weighted_tardiness"] == 4000 - 1500


def test_the_room_goes_to_a_batch_of_its_family_and_to_the_load_that_gains_most():
    """As above, but the third cycle (``u``, ``v``) is of another family and a fourth one
    (``s``, due at 5,000, and ``t``, due at 4,500: late where it is) follows: ``x2`` can
    only take a place at 4,000, so a load of that cycle takes the room at 1,000, and of the
    two the one whose order is late (``t``); no load of the second cycle moves."""
    problem = _sterilizer_plant(a_ends=2000)
    for job in problem["jobs"]:
        for op in job["operations"]:
            if op["id"] in ("u", "v"):
                op["batch_family"] = "G"
    for oid, due in (("s", 5000), ("t", 4500)):
        problem["jobs"].append(
            eng.job(oid.upper(), [eng.op(oid, [("S", 0)], batch_family="F")], due=due)
        )
        problem["previous_plan"][oid] = {"resource": "S", "start": 4000}
    prob = load_problem(problem)
    slid, ok = dispatch(prob, "keep_slide")
    assert ok and moved_operations(prob, slid) == {"x1", "x2", "t"}
    assert (slid["t"].start, slid["x2"].start, slid["s"].start) == (1000, 4000, 4000)


def _overrun_of_70_minutes_plant():
    """M is booked: ``a`` runs until 100, 70 minutes after ``b``'s planned start (order B,
    weight 5, due at 120); ``c`` (due at 1,000) and the long ``z`` follow, then nothing.
    Nothing has slack enough to make way for ``b`` (``c`` would miss its due date)."""
    return eng.problem(
        [eng.resource("M")],
        [
            _running("M", 100, due=100000),
            eng.job("B", [eng.op("b", [("M", 60)])], due=120, weight=5),
            eng.job("C", [eng.op("c", [("M", 60)])], due=1000),
            eng.job("Z", [eng.op("z", [("M", 1000)])], due=5000),
        ],
        previous_plan={
            "a": {"resource": "M", "start": -30},
            "b": {"resource": "M", "start": 30},
            "c": {"resource": "M", "start": 90},
            "z": {"resource": "M", "start": 150},
        },
        objective=dict(OBJECTIVE),
    )


def test_a_longer_slide_keeps_an_important_order_from_the_end_of_the_plan():
    """``b`` misses its slot by 70 minutes: with slides of at most an hour it goes to the
    next gap, after ``z`` (its order 1,100 minutes late, weight 5); rule keep_slide_2h
    slides it and pushes ``c`` and ``z`` by 70 minutes, which their due dates absorb. The
    repair tries both and keeps the better plan."""
    prob = load_problem(_overrun_of_70_minutes_plant())
    hour, ok = dispatch(prob, "keep_slide")
    assert ok and (hour["b"].start, hour["c"].start, hour["z"].start) == (1160, 100, 160)
    two_hours, ok = dispatch(prob, "keep_slide_2h")
    assert ok and (two_hours["b"].start, two_hours["c"].start, two_hours["z"].start) == (
        100,
        160,
        220,
    )
    late = {
        name: evaluate(prob, a)["total_weighted_tardiness"]
        for name, a in (("hour", hour), ("two_hours", two_hours))
    }
    assert late == {"hour": 5 * (1220 - 120), "two_hours": 5 * (160 - 120)}
    repair = eng.solve(_overrun_of_70_minutes_plant(), time_limit=2.0, neighbourhood=["a"])
    assert repair["kpis"]["total_weighted_tardiness"] <= late["two_hours"]


def _overrun_of_4_hours_plant():
    """M is booked to the end: ``a`` runs until 270, 240 minutes after ``b``'s planned start
    (order B, weight 5, due at 300); ``c`` and ``d`` (due at 1,000) follow, then the long
    ``z`` from 270, due when it ends: nothing has slack to make way for ``b``."""
    return eng.problem(
        [eng.resource("M")],
        [
            _running("M", 270, due=100000),
            eng.job("B", [eng.op("b", [("M", 60)])], due=300, weight=5),
            eng.job("C", [eng.op("c", [("M", 60)])], due=1000),
            eng.job("D", [eng.op("d", [("M", 120)])], due=1000),
            eng.job("Z", [eng.op("z", [("M", 1000)])], due=1270),
        ],
        previous_plan={
            "a": {"resource": "M", "start": -30},
            "b": {"resource": "M", "start": 30},
            "c": {"resource": "M", "start": 90},
            "d": {"resource": "M", "start": 150},
            "z": {"resource": "M", "start": 270},
        },
        objective=dict(OBJECTIVE),
    )


def test_a_slide_as_long_as_the_overrun_is_tried_after_the_fixed_limits(monkeypatch):
    """``b`` misses its slot by 240 minutes, more than the longest fixed slide (3 hours): that
    rule slides ``c``, ``d`` and ``z`` by 180 minutes and sends ``b`` to the next gap, after
    ``z`` (its order 1,210 minutes late, weight 5), and says which slide it refused. The
    search then tries a slide of those 240 minutes: all four shift by 240, ``b`` is 30
    minutes late and ``z`` 240."""
    from med_aps_engine import solver
    from med_aps_engine.heuristic import Dispatcher, is_keep_rule, shift_limit, slide_rule

    prob = load_problem(_overrun_of_4_hours_plant())
    three_hours = Dispatcher(prob)
    slid, ok = three_hours.run("keep_slide_3h")
    assert ok and [slid[o].start for o in "bcdz"] == [1450, 270, 330, 450]
    assert three_hours.refused_slide == 240
    assert evaluate(prob, slid)["total_weighted_tardiness"] == 5 * 1210 + 180
    rule = slide_rule(240)
    assert (rule, shift_limit(rule), is_keep_rule(rule)) == ("keep_slide_240m", 240, True)
    four_hours = Dispatcher(prob)
    slid, ok = four_hours.run(rule)
    assert ok and [slid[o].start for o in "bcdz"] == [270, 330, 390, 510]
    assert four_hours.refused_slide is None
    assert evaluate(prob, slid)["total_weighted_tardiness"] == 5 * 30 + 240

    # the classic right shift (keep_shift) gives the same plan on one resource; without it
    # the widened slide is what finds it
    monkeypatch.setattr(solver, "REPAIR_RULES", ("keep_evict", "keep_slide", "keep_slide_3h"))
    run = solver._Run(prob, SolveOptions(time_limit=2.0, neighbourhood=["a"]))
    _errors, _rules, best_rule = solver._heuristic(run)
    assert best_rule == rule
    assert evaluate(prob, run.best)["total_weighted_tardiness"] == 5 * 30 + 240


def _overrun_before_a_weekend_plant():
    """M closes at 300 until 4,000 (a weekend) and is booked: ``a`` runs until 120, 90
    minutes over; ``b``, ``c``, ``d`` and ``e`` (60 minutes each, no slack to make way)
    follow until 270, then the long ``z`` from Monday 4,000, due when it ends plus 100.
    Order E (weight 5) is due at 4,100: on Monday morning it is still on time."""
    queue = [("b", 30, 1000), ("c", 90, 1000), ("d", 150, 1000), ("e", 210, 4100)]
    return eng.problem(
        [eng.resource("M", calendar=[[0, 300], [4000, 9000]])],
        [
            _running("M", 120, due=100000),
            *(
                eng.job(
                    oid.upper(),
                    [eng.op(oid, [("M", 60)], interruptible=False)],
                    due=due,
                    weight=5 if oid == "e" else 1,
                )
                for oid, _start, due in queue
            ),
            eng.job("Z", [eng.op("z", [("M", 1000)], interruptible=False)], due=5100),
        ],
        previous_plan={
            "a": {"resource": "M", "start": -30},
            **{oid: {"resource": "M", "start": start} for oid, start, _due in queue},
            "z": {"resource": "M", "start": 4000},
        },
        objective=dict(OBJECTIVE),
    )


def test_a_slide_counts_the_working_time_of_the_resource_not_the_weekend(monkeypatch):
    """The overrun pushes the queue by 90 minutes of the press's working time, and ``e``
    past Friday's closing: 90 minutes of working time later, 3,790 of the clock. A slide of
    two hours takes it to Monday morning and pushes ``z`` by 60 minutes (nothing late). A
    slide of an hour refuses ``b`` (90 minutes), which goes to the next gap after ``z``, and
    says what it needed. Counted on the clock, no slide (at most a day) took ``e`` to Monday:
    without the classic right shift a repair sent it after ``z`` (its order 960 minutes
    late, weight 5)."""
    from med_aps_engine import solver
    from med_aps_engine.heuristic import Dispatcher

    prob = load_problem(_overrun_before_a_weekend_plant())
    two_hours = Dispatcher(prob)
    slid, ok = two_hours.run("keep_slide_2h")
    assert ok and [slid[o].start for o in "bcdez"] == [120, 180, 240, 4000, 4060]
    assert two_hours.refused_slide is None
    assert evaluate(prob, slid)["total_weighted_tardiness"] == 0
    hour = Dispatcher(prob)
    sent, ok = hour.run("keep_slide")
    assert ok and hour.refused_slide == 90
    assert [sent[o].start for o in "bcdez"] == [5000, 120, 180, 240, 4000]
    assert evaluate(prob, sent)["total_weighted_tardiness"] == 5060 - 1000

    monkeypatch.setattr(solver, "REPAIR_RULES", ("keep_evict", "keep_slide", "keep_slide_3h"))
    repair = eng.solve(_overrun_before_a_weekend_plant(), time_limit=2.0, neighbourhood=["a"])
    assert repair["kpis"]["total_weighted_tardiness"] == 0
    assert eng.placed(repair)["e"]["start"] == 4000


def _breakdown_plant():
    """M1 broke down: closed from now for ten days (its calendar has a gap, as a maintenance
    stop gives). ``b``, ``c`` and ``d`` were planned on it from now, due at 400; M2, which
    may run them too, is free."""
    return eng.problem(
        [eng.resource("M1", calendar=[[14400, 200000]]), eng.resource("M2")],
        [eng.job(oid.upper(), [eng.op(oid, [("M1", 60), ("M2", 60)])], due=400) for oid in "bcd"],
        previous_plan={oid: {"resource": "M1", "start": 60 * k} for k, oid in enumerate("bcd")},
        objective=dict(OBJECTIVE),
    )


@pytest.mark.parametrize("rule", ["keep_slide", "keep_slide_2h", "keep_slide_3h"])
def test_a_slide_across_a_breakdown_counts_the_time_another_resource_works(rule):
    """Only the minutes none of its resources works are left out of a slide: across M1's ten
    days of breakdown M2 works, so the push is ten days long, refused, and the work goes to
    M2 at its planned times (nothing late); not ten days later on M1."""
    from med_aps_engine.heuristic import Dispatcher

    prob = load_problem(_breakdown_plant())
    dispatcher = Dispatcher(prob)
    plan, ok = dispatcher.run(rule)
    assert ok and {oid: (a.resource, a.start) for oid, a in plan.items()} == {
        "b": ("M2", 0),
        "c": ("M2", 60),
        "d": ("M2", 120),
    }
    assert dispatcher.refused_slide == 14400 - 120  # d's, the shortest
    assert evaluate(prob, plan)["total_weighted_tardiness"] == 0


def test_slides_are_not_widened_past_the_longest_allowed(monkeypatch):
    """A slide longer than ``SLIDE_MAX_MINUTES`` is not tried: the fixed rules decide."""
    from med_aps_engine import heuristic, solver

    tried = _rules_tried(monkeypatch)
    prob = load_problem(_overrun_of_4_hours_plant())
    for longest, widened in ((239, []), (240, ["keep_slide_240m"])):
        monkeypatch.setattr(solver, "SLIDE_MAX_MINUTES", longest)
        tried.clear()
        solver._heuristic(solver._Run(prob, SolveOptions(time_limit=2.0, neighbourhood=["a"])))
        assert tried == [*heuristic.REPAIR_RULES, *widened]


def _two_overruns_plant():
    """Two booked machines: on M1, ``a1`` runs 200 minutes past ``b1``'s planned start; on
    M2, ``a2`` 240 minutes past ``b2``'s. Each ``b`` (weight 5, due at 300) is followed by
    a long ``z`` due when it ends."""
    jobs, previous = [], {}
    for machine, remaining, tag in (("M1", 230, "1"), ("M2", 270, "2")):
        running = eng.op(
            "a" + tag,
            [(machine, 60)],
            in_progress={"resource": machine, "start": -30, "remaining": remaining},
        )
        jobs += [
            eng.job("A" + tag, [running], due=100000),
            eng.job("B" + tag, [eng.op("b" + tag, [(machine, 60)])], due=300, weight=5),
            eng.job("Z" + tag, [eng.op("z" + tag, [(machine, 1000)])], due=1090),
        ]
        previous.update(
            {
                "a" + tag: {"resource": machine, "start": -30},
                "b" + tag: {"resource": machine, "start": 30},
                "z" + tag: {"resource": machine, "start": 90},
            }
        )
    return eng.problem(
        [eng.resource("M1"), eng.resource("M2")],
        jobs,
        previous_plan=previous,
        objective=dict(OBJECTIVE),
    )


def _rules_tried(monkeypatch):
    """The rules of every dispatching pass from now on, in order."""
    from med_aps_engine import heuristic

    tried = []
    real_run = heuristic.Dispatcher.run

    def run_rule(self, rule="tail", seed=None):
        tried.append(rule)
        return real_run(self, rule, seed)

    monkeypatch.setattr(heuristic.Dispatcher, "run", run_rule)
    return tried


def test_each_widening_tries_the_shortest_slide_the_pass_before_refused(monkeypatch):
    """The three-hour rule refuses both slides (200 and 240 minutes): the search tries the
    shorter, whose pass refuses the other, then that one, where nothing is refused."""
    from med_aps_engine import solver
    from med_aps_engine.heuristic import REPAIR_RULES

    tried = _rules_tried(monkeypatch)
    prob = load_problem(_two_overruns_plant())
    run = solver._Run(prob, SolveOptions(time_limit=2.0, neighbourhood=["a1", "a2"]))
    solver._heuristic(run)
    assert tried == [*REPAIR_RULES, "keep_slide_200m", "keep_slide_240m"]


def test_a_replan_of_the_whole_plant_widens_too(monkeypatch):
    """Without a neighbourhood (a full replan with its previous plan) the widened slide is a
    candidate after the other rules, while the time limit leaves room for it."""
    from med_aps_engine import solver

    tried = _rules_tried(monkeypatch)
    prob = load_problem(_overrun_of_4_hours_plant())
    solver._heuristic(solver._Run(prob, SolveOptions(time_limit=10.0)))
    assert "keep_slide_3h" in tried and tried[-1] == "keep_slide_240m"
    tried.clear()
    # no time left for another pass: no widening
    solver._heuristic(solver._Run(prob, SolveOptions(time_limit=0.01)))
    assert "keep_slide_240m" not in tried


def test_a_repair_widens_whatever_its_time_limit(monkeypatch):
    """A repair's longer slides run whatever they take, as its own rules: which candidates an
    event gets does not depend on the machine's speed (on the bench plant the widened slide
    was the best repair of two of three overruns on one press, and was skipped when the
    machine was slower)."""
    from med_aps_engine import solver

    tried = _rules_tried(monkeypatch)
    prob = load_problem(_overrun_of_4_hours_plant())
    monkeypatch.setattr(solver, "REPAIR_RULES", ("keep_evict", "keep_slide", "keep_slide_3h"))
    run = solver._Run(prob, SolveOptions(time_limit=0.01, neighbourhood=["a"]))
    _errors, _rules, best_rule = solver._heuristic(run)
    assert tried == ["keep_evict", "keep_slide", "keep_slide_3h", "keep_slide_240m"]
    assert best_rule == "keep_slide_240m"
    assert evaluate(prob, run.best)["total_weighted_tardiness"] == 5 * 30 + 240


@pytest.mark.parametrize(
    "rule",
    [
        "keep_evict",
        "keep_slide",
        "keep_slide_2h",
        "keep_slide_3h",
        "keep_slide_240m",
        "keep_slide_1440m",
    ],
)
def test_every_plan_that_makes_way_validates_on_a_generated_plant(rule):
    """Overruns of the first operations of each resource of a planned plant (the
    dispatcher's plan: the same every run): the plans of rules keep_evict and keep_slide*
    validate, and work makes way in some of them."""
    from med_aps_engine import validate
    from med_aps_engine.heuristic import Dispatcher
    from med_aps_engine.plan import build_plan

    problem = generate_plant(60, seed=5)
    problem["objective"]["stability"] = DEFAULT_OBJECTIVE["stability"]
    first, ok = dispatch(load_problem(problem), "due")
    assert ok
    previous = {oid: {"resource": a.resource, "start": a.start} for oid, a in first.items()}
    made_way = 0
    for resource in sorted({a.resource for a in first.values()}):
        oid = min(
            (o for o, a in first.items() if a.resource == resource and a.start > 0 and not a.batch),
            key=lambda o: (first[o].start, o),
            default=None,
        )
        if oid is None:
            continue
        again = copy.deepcopy(problem)
        again["previous_plan"] = previous
        ops = {o["id"]: o for job in again["jobs"] for o in job["operations"]}
        a = first[oid]
        ops[oid]["in_progress"] = {
            "resource": a.resource,
            "start": a.start,
            "remaining": a.end - a.start + 240,
        }
        loaded = load_problem(again)
        dispatcher = Dispatcher(loaded)
        evicted, ok = dispatcher.run(rule)
        assert ok
        plan = build_plan(loaded, evicted, "FEASIBLE", "heuristic", 0.0)
        assert validate(again, plan) == [], (oid, validate(again, plan)[:3])
        made_way += len(dispatcher.evicted)
    assert made_way


def _qc_queue_plant():
    """``a`` on the press runs until 120, 90 minutes over; its QC test ``a2`` (planned at 40)
    cannot keep its slot. The QC lab is booked by a queue of 100 ten-minute tests from 100 to
    1,100 (more than the gaps a search tries before it gives up), then free until a last
    test at 3,000."""
    queue = [f"q{k}" for k in range(100)]
    jobs = [
        _running("P", 120, due=100000, then=[eng.op("a2", [("Q", 10)], ["a"])]),
        *(eng.job(oid.upper(), [eng.op(oid, [("Q", 10)])], due=100000) for oid in queue),
        eng.job("L", [eng.op("last", [("Q", 10)])], due=100000),
    ]
    previous = {
        "a": {"resource": "P", "start": -30},
        "a2": {"resource": "Q", "start": 40},
        "last": {"resource": "Q", "start": 3000},
    }
    previous.update({oid: {"resource": "Q", "start": 100 + 10 * k} for k, oid in enumerate(queue)})
    return eng.problem(
        [eng.resource("P"), eng.resource("Q")],
        jobs,
        previous_plan=previous,
        objective=dict(OBJECTIVE),
    )


@pytest.mark.parametrize("rule", ["keep", "keep_evict", "keep_slide"])
def test_work_that_had_to_move_takes_the_first_gap_after_a_long_queue(rule):
    """The moved QC test waits for the queue, not for the last test of the plan (before, the
    search gave up after 60 entries and placed it after the last one, at 3,010). ``a2``'s
    slide from 40 to 120 is more than rule keep_slide's hour: the queue keeps its place."""
    prob = load_problem(_qc_queue_plant())
    kept, ok = dispatch(prob, rule)
    assert ok
    assert kept["a2"].start == 1100
    assert moved_operations(prob, kept) == {"a2"}


def _cycle_queue_plant():
    """``a`` overruns on M until 200, so ``x2`` (planned in the sterilizer's cycle at 100)
    misses it. One load a cycle: 70 kept cycles back to back from 200 to 7,200 (more than the
    gaps a search tries before it gives up), free until a last cycle at 10,000."""
    family = {"batch_family": "F"}
    queue = [(f"q{k}", 200 + 100 * k) for k in range(70)] + [("last", 10000)]
    return eng.problem(
        [eng.resource("M"), eng.resource("S", batch={"max_size": 1, "cycle_minutes": 100})],
        [
            _running("M", 200, due=100000),
            eng.job(
                "X",
                [eng.op("x1", [("M", 60)]), eng.op("x2", [("S", 0)], ["x1"], **family)],
                due=100000,
            ),
            *(
                eng.job(oid.upper(), [eng.op(oid, [("S", 0)], **family)], due=start + 100)
                for oid, start in queue
            ),
        ],
        previous_plan={
            "a": {"resource": "M", "start": -30},
            "x1": {"resource": "M", "start": 30},
            "x2": {"resource": "S", "start": 100},
            **{oid: {"resource": "S", "start": start} for oid, start in queue},
        },
        objective=dict(OBJECTIVE),
    )


@pytest.mark.parametrize("rule", ["keep", "keep_evict"])
def test_a_load_that_missed_its_cycle_takes_the_first_free_time_after_a_long_queue(rule):
    prob = load_problem(_cycle_queue_plant())
    kept, ok = dispatch(prob, rule)
    assert ok
    assert (kept["x1"].start, kept["x2"].start) == (200, 7200)
    assert moved_operations(prob, kept) == {"x1", "x2"}


def _chain_plant(weight=1, slack=True):
    """S sterilizes two loads per 1,000-minute cycle, booked: ``x2`` and ``y`` at 1,000,
    ``z`` and ``w`` at 2,000, ``u`` and ``v`` at 3,000. ``a`` overruns on M until 1,100, so
    ``x2`` (order X, due at 2,000) is ready at 1,160 and misses its cycle. No load of a later
    cycle is ready before 1,500 (their material), so none can take the room ``x2`` leaves.
    With ``slack``, ``w`` (due at 4,500) and ``v`` (due at 6,000) can each go a cycle later
    and stay on time; ``z`` and ``u`` cannot. Without it, every order of a later cycle ends
    on its due date, with ``weight``."""
    family = {"batch_family": "F"}
    queued = [("y", 1000, 2000), ("z", 2000, 3000), ("w", 2000, 4500)]
    queued += [("u", 3000, 4000), ("v", 3000, 6000)]
    if not slack:
        queued = [(oid, start, start + 1000) for oid, start, _due in queued]
    return eng.problem(
        [
            eng.resource("M"),
            eng.resource("S", batch={"max_size": 2, "cycle_minutes": 1000}),
        ],
        [
            _running("M", 1100, due=100000),
            eng.job(
                "X",
                [eng.op("x1", [("M", 60)]), eng.op("x2", [("S", 0)], ["x1"], **family)],
                due=2000,
            ),
        ]
        + [
            eng.job(
                oid.upper(),
                [eng.op(oid, [("S", 0)], release=0 if oid == "y" else 1500, **family)],
                due=due,
                weight=weight,
            )
            for oid, _start, due in queued
        ],
        previous_plan={
            "a": {"resource": "M", "start": -30},
            "x1": {"resource": "M", "start": 930},
            "x2": {"resource": "S", "start": 1000},
            **{oid: {"resource": "S", "start": start} for oid, start, _due in queued},
        },
        objective=dict(OBJECTIVE),
    )


def test_a_chain_of_seats_spreads_a_missed_cycle_over_loads_with_slack():
    """``x2`` missed its cycle and no later load can take the room: rule keep_evict sends it
    to a cycle added after the last (4,000; order X 3,000 minutes late). Rule keep_slide
    gives it the seat of ``w`` at 2,000, ``w`` takes the seat of ``v`` at 3,000 and ``v``
    goes to the cycle added at 4,000: X is 1,000 minutes late, ``w`` and ``v`` stay on
    time, for two moves more."""
    prob = load_problem(_chain_plant())
    evicted, ok = dispatch(prob, "keep_evict")
    assert ok and evicted["x2"].start == 4000
    assert evaluate(prob, evicted)["total_weighted_tardiness"] == 3000
    slid, ok = dispatch(prob, "keep_slide")
    assert ok
    assert [slid[oid].start for oid in ("x2", "w", "v")] == [2000, 3000, 4000]
    assert [slid[oid].start for oid in ("y", "z", "u")] == [1000, 2000, 3000]
    assert moved_operations(prob, slid) == {"x1", "x2", "w", "v"}
    assert evaluate(prob, slid)["total_weighted_tardiness"] == 1000
    repair = eng.solve(_chain_plant(), time_limit=2.0, neighbourhood=["a"])
    assert repair["kpis"]["total_weighted_tardiness"] <= 1000


def test_no_chain_of_seats_when_the_loads_that_would_go_down_cost_more():
    """As above, but every later order ends on its due date with weight 5: a cycle later
    costs one of them 5 x 1,000, more than X gains (2,000); ``x2`` waits for the cycle added
    after the last and nothing else moves."""
    prob = load_problem(_chain_plant(weight=5, slack=False))
    slid, ok = dispatch(prob, "keep_slide")
    assert ok and slid["x2"].start == 4000
    assert moved_operations(prob, slid) == {"x1", "x2"}
    assert evaluate(prob, slid)["total_weighted_tardiness"] == 3000


def test_a_chain_of_seats_ends_in_a_batch_after_the_last_past_its_batches(monkeypatch):
    """As in the first chain test, with chains limited to one batch from the first that
    ``x2`` is ready for: ``w`` cannot go to the cycle at 3,000 and goes after the last one
    (to 4,000, 500 minutes late), still cheaper than ``x2`` waiting there."""
    monkeypatch.setattr(heuristic, "CHAIN_MAX_BATCHES", 1)
    prob = load_problem(_chain_plant())
    slid, ok = dispatch(prob, "keep_slide")
    assert ok
    assert [slid[oid].start for oid in ("x2", "w", "v")] == [2000, 4000, 3000]
    assert moved_operations(prob, slid) == {"x1", "x2", "w"}
    assert evaluate(prob, slid)["total_weighted_tardiness"] == 1000 + 500


def _random_booked_sterilizer(seed):
    """A sterilizer of 2-3 loads per 100-minute cycle booked for 12 cycles, loads of random
    due dates and weights, most of them ready only for their own cycle, one of them (``x2``)
    molded on M after ``a``, which overruns."""
    import random

    rng = random.Random(seed)
    size = rng.choice((2, 3))
    family = {"batch_family": "F"}
    jobs = [_running("M", rng.randint(100, 400), due=100000)]
    previous = {"a": {"resource": "M", "start": -30}}
    late = rng.randrange(6)
    jobs.append(
        eng.job(
            "X",
            [eng.op("x1", [("M", 60)]), eng.op("x2", [("S", 0)], ["x1"], **family)],
            due=rng.randint(200, 1400),
            weight=rng.choice((1, 2, 5)),
        )
    )
    previous["x1"] = {"resource": "M", "start": 30}
    previous["x2"] = {"resource": "S", "start": 100 + 100 * late}
    seats = [(100 + 100 * k) for k in range(12) for _seat in range(size)]
    seats.remove(100 + 100 * late)
    for index, start in enumerate(seats):
        oid = f"l{index}"
        jobs.append(
            eng.job(
                oid.upper(),
                [eng.op(oid, [("S", 0)], release=start - rng.choice((0, 0, 0, 100)), **family)],
                due=start + 100 + rng.choice((0, 0, 100, 300, 800)),
                weight=rng.choice((1, 2, 5)),
            )
        )
        previous[oid] = {"resource": "S", "start": start}
    return eng.problem(
        [eng.resource("M"), eng.resource("S", batch={"max_size": size, "cycle_minutes": 100})],
        jobs,
        previous_plan=previous,
        objective=dict(OBJECTIVE),
    )


def test_chains_of_seats_validate_and_never_cost_more_on_random_booked_sterilizers(monkeypatch):
    """30 random booked sterilizers: every plan of rule keep_slide validates, and its
    objective is never worse than the same rule's without chains (the orders here have no
    later steps, so a chain's costs are exact); chains are made on some of them."""
    from med_aps_engine import validate
    from med_aps_engine.plan import build_plan

    chained = 0
    for seed in range(30):
        problem = _random_booked_sterilizer(seed)
        prob = load_problem(problem)
        monkeypatch.setattr(heuristic, "CHAIN_MAX_CHAINS", 0)
        plain, ok = dispatch(prob, "keep_slide")
        assert ok
        monkeypatch.setattr(heuristic, "CHAIN_MAX_CHAINS", 20)
        slid, ok = dispatch(prob, "keep_slide")
        assert ok
        plan = build_plan(prob, slid, "FEASIBLE", "heuristic", 0.0)
        assert validate(problem, plan) == [], (seed, validate(problem, plan)[:3])
        assert evaluate(prob, slid)["objective"] <= evaluate(prob, plain)["objective"], seed
        chained += moved_operations(prob, slid) != moved_operations(prob, plain)
    assert chained >= 5
