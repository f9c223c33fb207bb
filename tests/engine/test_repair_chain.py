"""Rule ``keep_chain`` (``med_aps_engine.chain``): work that lost its slot on a booked
machine takes the slot of later work of its family that has slack, and so on down to the
machine's free time, instead of pushing the whole queue; no kept step after a moved
operation is delayed, and the plan keeps every rule."""

from med_aps_engine import validate
from med_aps_engine.chain import chain_deadlines
from med_aps_engine.heuristic import Dispatcher, dispatch
from med_aps_engine.plan import build_plan
from med_aps_engine.plantgen import generate_plant
from med_aps_engine.problem import load_problem
from med_aps_engine.schedule import evaluate, moved_operations

from . import helpers as eng

OBJECTIVE = eng.REPAIR_OBJECTIVE
QUEUE = 10  # operations q1..q10 of 30 minutes booked back to back on M1 from minute 30


def _booked_machine(q2_next_step_at=None, q2_due=None, overrun=30):
    """M1: ``a`` (in progress, planned -30..30) runs ``overrun`` minutes over: by default it
    ends at 60. After
    it M1 is booked back to back with q1..q10 (30 min each, from 30 to 330). q1's order is
    due at 100; the others are due far ahead. With ``q2_next_step_at``, q2's order has a
    next step on M2 planned there, and is due when that step ends (or at ``q2_due``)."""
    jobs = [
        eng.job(
            "A",
            [
                eng.op(
                    "a",
                    [("M1", 60)],
                    in_progress={"resource": "M1", "start": -30, "remaining": 30 + overrun},
                )
            ],
            due=10000,
        )
    ]
    previous = {"a": {"resource": "M1", "start": -30}}
    for k in range(1, QUEUE + 1):
        operations = [eng.op(f"q{k}", [("M1", 30)])]
        if k == 2 and q2_next_step_at is not None:
            operations.append(eng.op("q2_next", [("M2", 30)], ["q2"]))
            previous["q2_next"] = {"resource": "M2", "start": q2_next_step_at}
        due = 100 if k == 1 else 5000
        if k == 2 and q2_next_step_at is not None:
            due = q2_due or q2_next_step_at + 30
        jobs.append(eng.job(f"Q{k}", operations, due=due))
        previous[f"q{k}"] = {"resource": "M1", "start": 30 * k}
    return eng.problem(
        [eng.resource("M1"), eng.resource("M2")],
        jobs,
        previous_plan=previous,
        objective=dict(OBJECTIVE),
    )


def _rule(prob, rule):
    """The plan of one dispatching pass with ``rule``: its assignments and the plan dict,
    checked by the validator."""
    loaded = load_problem(prob)
    assigns, ok = dispatch(loaded, rule)
    assert ok
    plan = build_plan(loaded, assigns, "FEASIBLE", "heuristic", 0.0)
    assert validate(prob, plan) == [], validate(prob, plan)
    return loaded, assigns


def test_work_that_lost_its_slot_takes_a_later_slot_instead_of_pushing_the_queue():
    prob = _booked_machine()
    loaded, slid = _rule(prob, "keep_slide")
    # the slide pushes the whole queue by 30 minutes
    assert moved_operations(loaded, slid) == {f"q{k}" for k in range(1, QUEUE + 1)}
    loaded, chained = _rule(prob, "keep_chain")
    # q1 (due at 100) takes q2's slot (60-90); q2, due far ahead, goes to M1's free time
    # after q10; q3..q10 keep their place
    assert moved_operations(loaded, chained) == {"q1", "q2"}
    assert (chained["q1"].start, chained["q1"].end) == (60, 90)
    assert chained["q2"].start == 330
    assert all(chained[f"q{k}"].start == 30 * k for k in range(3, QUEUE + 1))
    # no order is later than with the push, and the plan pays for 8 moves fewer
    assert evaluate(loaded, chained)["total_weighted_tardiness"] == 0
    assert evaluate(loaded, chained)["objective"] < evaluate(loaded, slid)["objective"]


def test_a_chain_goes_on_where_the_work_of_a_slot_cannot_wait_for_the_free_time():
    # q2's order has a next step at 200 on M2 and is due when it ends (230): that step may
    # not end later, q2 may end by 170 (twice the step's work before it); so q2 cannot go to
    # the free time after q10: it takes the latest slot it fits by then (q4's, 120-150), and
    # q4, due far ahead, goes to the free time; q3 keeps its place
    prob = _booked_machine(q2_next_step_at=200)
    loaded = load_problem(prob)
    assert chain_deadlines(loaded)["q2"] == 170
    loaded, chained = _rule(prob, "keep_chain")
    assert moved_operations(loaded, chained) == {"q1", "q2", "q4"}
    assert [chained[oid].start for oid in ("q1", "q2", "q3", "q4")] == [60, 120, 90, 330]
    # the step after q2 keeps its place, and no order is late
    assert chained["q2_next"].start == 200
    assert evaluate(loaded, chained)["total_weighted_tardiness"] == 0


def test_work_with_no_later_slot_in_time_is_pushed():
    # every order is due at 100: no operation can wait for a later slot, so the rule is the
    # slide (and the same plan)
    prob = _booked_machine()
    for job in prob["jobs"][1:]:
        job["due"] = 100
    loaded, slid = _rule(prob, "keep_slide")
    _loaded, chained = _rule(prob, "keep_chain")
    assert {oid: (a.start, a.end) for oid, a in chained.items()} == {
        oid: (a.start, a.end) for oid, a in slid.items()
    }


def test_a_repair_answers_an_overrun_with_a_chain_no_other_rule_finds():
    # the chain of the test before: keep_evict cannot make q2 wait for a later gap (there is
    # none before its next step needs it), the slide pushes ten orders; q1's order weighs
    # ten, so that being late for a move less does not pay either
    prob = _booked_machine(q2_next_step_at=200)
    prob["jobs"][1]["weight"] = 10
    repair = eng.solve(prob, time_limit=3.0, neighbourhood=["a"])
    at = eng.placed(repair)
    assert sorted(repair["moves"]["forced"] + repair["moves"]["improving"]) == ["q1", "q2", "q4"]
    assert [at[oid]["start"] for oid in ("q1", "q2", "q3", "q4")] == [60, 120, 90, 330]


def test_the_step_after_work_moved_to_the_free_time_follows_it():
    # q2's order has a next step at 100 on M2 and is due far ahead: q2 goes to M1's free
    # time (330-360), and its next step to M2's free time after it
    prob = _booked_machine(q2_next_step_at=100, q2_due=5000)
    loaded, chained = _rule(prob, "keep_chain")
    assert (chained["q2"].start, chained["q2_next"].start) == (330, 360)
    assert moved_operations(loaded, chained) == {"q1", "q2", "q2_next"}


def test_the_step_that_follows_keeps_clear_of_work_holding_a_tool():
    # as above, with k (360-390 on M2) holding a tool: q2's next step goes after it
    prob = _booked_machine(q2_next_step_at=100, q2_due=5000)
    prob["schema_version"] = 2
    prob["secondary_resources"] = [{"id": "TOOL", "count": 1}]
    held = eng.op("k", [("M2", 30)])
    held["modes"][0]["requires"] = [{"any_of": ["TOOL"], "count": 1}]
    prob["jobs"].append(eng.job("K", [held], due=5000))
    prob["previous_plan"]["k"] = {"resource": "M2", "start": 360}
    loaded = load_problem(prob)
    dispatcher = Dispatcher(loaded)
    dispatcher._pass_rule("keep_chain")
    assert dispatcher.chain.targets["q2_next"] == ("M2", 390)
    _loaded, chained = _rule(prob, "keep_chain")
    assert (chained["k"].start, chained["q2_next"].start) == (360, 390)


def test_work_pushed_past_a_lock_keeps_clear_of_the_free_time_a_chain_took():
    """M1 as above with a lock at 200-250, q1 due far ahead and q2..q10 due soon after their
    slots (they cannot wait): q1 goes to the free time at 330, and the work the lock pushes
    comes after it instead of into it."""
    prob = _booked_machine()
    for job in prob["jobs"][1:]:
        k = int(job["id"][1:])
        job["due"] = 5000 if k == 1 else 100 + 30 * k
    prob["jobs"].append(
        eng.job("L", [eng.op("l", [("M1", 50)], locked={"resource": "M1", "start": 200})])
    )
    prob["previous_plan"]["l"] = {"resource": "M1", "start": 400}
    loaded = load_problem(prob)
    dispatcher = Dispatcher(loaded)
    dispatcher._pass_rule("keep_chain")
    chains = dispatcher.chain
    assert chains.targets["q1"] == ("M1", 330)
    spans = sorted((start, chains.new_ends[oid]) for oid, (_rid, start) in chains.targets.items())
    assert all(end <= start for (_s, end), (start, _e) in zip(spans, spans[1:], strict=False))
    _loaded, chained = _rule(prob, "keep_chain")
    assert (chained["q1"].start, chained["q1"].end) == (330, 360)


def test_time_off_over_a_slot_starts_a_chain():
    # nothing overruns, but M1 closes from 150 to 180, over q5's slot: the slide pushes q5 to
    # 180 and q6..q10 after it; the chain sends q5, due far ahead, to the free time after q10
    prob = _booked_machine(overrun=0)
    prob["resources"][0]["calendar"] = [[-100, 150], [180, 10**6]]
    loaded, slid = _rule(prob, "keep_slide")
    assert moved_operations(loaded, slid) == {f"q{k}" for k in range(5, QUEUE + 1)}
    loaded, chained = _rule(prob, "keep_chain")
    assert moved_operations(loaded, chained) == {"q5"}
    assert chained["q5"].start == 330


def test_work_holding_a_tool_stays_out_of_the_chains_and_in_their_way():
    # q10 (300-330) needs a tool: it keeps its slot, and q2 goes to the free time after it
    prob = _booked_machine()
    prob["schema_version"] = 2
    prob["secondary_resources"] = [{"id": "TOOL", "count": 1}]
    q10 = prob["jobs"][QUEUE]["operations"][0]
    q10["modes"][0]["requires"] = [{"any_of": ["TOOL"], "count": 1}]
    loaded = load_problem(prob)
    dispatcher = Dispatcher(loaded)
    dispatcher._pass_rule("keep_chain")
    assert "q10" not in dispatcher.chain.targets
    assert dispatcher.chain.targets["q2"] == ("M1", 330)
    loaded, chained = _rule(prob, "keep_chain")
    assert moved_operations(loaded, chained) == {"q1", "q2"}
    assert (chained["q10"].start, chained["q2"].start) == (300, 330)


def test_work_between_tool_work_keeps_its_slot_when_the_work_before_it_moved_on():
    """M1: ``a`` runs until 60 over q1's slot (30-60); then k1 (60-90, holds a tool), q2
    (90-100), k2 (100-130, holds a tool), q3. q1 goes to the free time; q2's slot is free
    and it keeps it, as do k1, k2 and q3."""
    tool = [{"any_of": ["TOOL"], "count": 1}]
    jobs = [
        eng.job("A", [eng.op("a", [("M1", 60)], in_progress=_running_on("M1", 60, -30))]),
        eng.job("Q1", [eng.op("q1", [("M1", 30)])], due=5000),
        eng.job("K1", [eng.op("k1", [("M1", 30)])], due=5000),
        eng.job("Q2", [eng.op("q2", [("M1", 10)])], due=5000),
        eng.job("K2", [eng.op("k2", [("M1", 30)])], due=5000),
        eng.job("Q3", [eng.op("q3", [("M1", 30)])], due=5000),
    ]
    for job in jobs[2::2]:
        job["operations"][0]["modes"][0]["requires"] = tool
    starts = {"a": -30, "q1": 30, "k1": 60, "q2": 90, "k2": 100, "q3": 130}
    prob = eng.problem(
        [eng.resource("M1")],
        jobs,
        previous_plan={oid: {"resource": "M1", "start": t} for oid, t in starts.items()},
        objective=dict(OBJECTIVE),
        schema_version=2,
        secondary_resources=[{"id": "TOOL", "count": 1}],
    )
    loaded, chained = _rule(prob, "keep_chain")
    assert moved_operations(loaded, chained) == {"q1"}
    assert chained["q1"].start == 160


def _running_on(resource, minutes, start=0, remaining=None):
    return {"resource": resource, "start": start, "remaining": remaining or minutes}


def test_a_new_position_in_the_frozen_window_neither_freezes_nor_frees_work():
    """``p0`` was planned in the past and never started, after ``r0`` (running on M2 until
    25); the frozen window reaches 30. The chains push p0 to 10, inside the window: it is
    still free work, placed after r0 as the rules say."""
    jobs = [
        eng.job("A", [eng.op("a", [("M1", 10)], in_progress=_running_on("M1", 10))], due=10000),
        eng.job(
            "R",
            [
                eng.op("r0", [("M2", 25)], in_progress=_running_on("M2", 25)),
                eng.op("p0", [("M1", 20)], ["r0"]),
            ],
            due=40,
        ),
    ]
    previous = {
        "a": {"resource": "M1", "start": 0},
        "r0": {"resource": "M2", "start": -100},
        "p0": {"resource": "M1", "start": -60},
    }
    for k in range(1, 6):
        jobs.append(eng.job(f"Q{k}", [eng.op(f"q{k}", [("M1", 30)])], due=5000))
        previous[f"q{k}"] = {"resource": "M1", "start": 30 * k}
    prob = eng.problem(
        [eng.resource("M1"), eng.resource("M2")],
        jobs,
        previous_plan=previous,
        frozen_until=30,
        objective=dict(OBJECTIVE),
    )
    loaded = load_problem(prob)
    dispatcher = Dispatcher(loaded)
    dispatcher._pass_rule("keep_chain")
    assert dispatcher.chain.targets["p0"] == ("M1", 10)
    assert dispatcher.p.fixed_position(loaded.operations["p0"]) is None
    _loaded, chained = _rule(prob, "keep_chain")
    assert chained["p0"].start >= chained["r0"].end


def test_a_previous_position_on_a_resource_no_longer_among_the_modes():
    # p2's previous plan names M4, which it can no longer run on: the chains leave the step
    # after it (and after q1) to the rebuild, and the repair plans
    jobs = [
        eng.job(
            "A", [eng.op("a", [("M1", 60)], in_progress=_running_on("M1", 60, -30))], due=10000
        ),
        eng.job(
            "Q1",
            [
                eng.op("q1", [("M1", 30)]),
                eng.op("p2", [("M3", 30)]),
                eng.op("x", [("M2", 30)], ["q1", "p2"]),
            ],
            due=5000,
        ),
    ]
    previous = {
        "a": {"resource": "M1", "start": -30},
        "q1": {"resource": "M1", "start": 30},
        "p2": {"resource": "M4", "start": 0},
        "x": {"resource": "M2", "start": 100},
    }
    for k in range(2, 6):
        jobs.append(eng.job(f"Q{k}", [eng.op(f"q{k}", [("M1", 30)])], due=5000))
        previous[f"q{k}"] = {"resource": "M1", "start": 30 * k}
    prob = eng.problem(
        [eng.resource(r) for r in ("M1", "M2", "M3", "M4")],
        jobs,
        previous_plan=previous,
        objective=dict(OBJECTIVE),
    )
    _rule(prob, "keep_chain")
    repair = eng.solve(prob, time_limit=2.0, neighbourhood=["a"])
    assert repair["status"] in ("FEASIBLE", "OPTIMAL")


def test_the_chains_keep_every_rule_on_generated_plants():
    """An overrun of 4 hours on the busiest single-unit machine of generated plants (two days
    of orders: booked machines): the chains move work, the plan of rule keep_chain validates,
    and each operation that got the slot the chains gave it ends there by its latest end."""
    for seed in (1, 2, 3):
        problem = generate_plant(60, seed=seed, days=2)
        problem["objective"] = dict(OBJECTIVE)
        first = eng.solve(problem, time_limit=2.0)
        machines = {
            r["id"] for r in problem["resources"] if not r.get("batch") and r["capacity"] == 1
        }
        busiest = max(
            (r for r in first["resources"] if r["resource"] in machines),
            key=lambda r: r["busy_minutes"],
        )["resource"]
        eng.overrun(problem, first, busiest)
        loaded, chained = _rule(problem, "keep_chain")
        deadlines = chain_deadlines(loaded)
        dispatcher = Dispatcher(loaded)
        dispatcher._pass_rule("keep_chain")
        chains = dispatcher.chain
        assert chains.chained, seed
        for oid in chains.chained:
            rid, start = chains.targets[oid]
            if chained[oid].resource == rid and chained[oid].start == start:
                assert chained[oid].end <= deadlines[oid], (seed, oid)
