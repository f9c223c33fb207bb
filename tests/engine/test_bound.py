"""The solver-free lower bound: valid for every plan, exact on easy cases, reported as bound."""

import numpy as np

from med_aps_engine import SolveOptions, solve, validate
from med_aps_engine import bound as bound_module
from med_aps_engine.bound import lower_bound
from med_aps_engine.problem import load_problem

from . import helpers as eng

WEIGHTS = {"weighted_tardiness": 10, "makespan": 1, "flow_time": 0, "changeover": 0}


def test_exact_on_one_machine():
    prob = eng.problem(
        [eng.resource("M")],
        [
            eng.job("J1", [eng.op("a", [("M", 10)])], due=5, weight=2),
            eng.job("J2", [eng.op("b", [("M", 20)])], due=100),
        ],
        objective=WEIGHTS,
    )
    # J1 cannot end before 10 (5 late, weight 2) and M needs 30 minutes in all
    assert lower_bound(load_problem(prob)) == 10 * 2 * 5 + 30
    plan = eng.solve(prob, time_limit=2.0)
    assert plan["bound"] == 130 and plan["gap"] == 0.0
    assert plan["status"] == "OPTIMAL"


def test_decomposed_plans_report_a_bound():
    jobs = [
        eng.job(
            f"J{k}",
            [eng.op(f"J{k}.0", [("A", 7 + k % 5)]), eng.op(f"J{k}.1", [("B", 9)], [f"J{k}.0"])],
            due=40 + 3 * k,
        )
        for k in range(30)
    ]
    prob = eng.problem([eng.resource("A"), eng.resource("B")], jobs, objective=WEIGHTS)
    plan = solve(prob, SolveOptions(time_limit=3.0, workers=2, max_model_operations=20))
    assert validate(prob, plan) == []
    assert plan["bound"] is not None and 0 < plan["bound"] <= plan["objective"]
    assert plan["gap"] == round((plan["objective"] - plan["bound"]) / plan["objective"], 6)


TARDINESS_ONLY = {"weighted_tardiness": 1, "makespan": 0, "flow_time": 0, "changeover": 0}


def test_a_queue_on_one_machine_is_counted():
    """Six orders due at 10 on one machine: each alone is on time (the path bound says 0),
    together five wait; the queueing relaxation counts them exactly."""
    prob = eng.problem(
        [eng.resource("M")],
        [eng.job(f"J{k}", [eng.op(f"o{k}", [("M", 10)])], due=10) for k in range(6)],
        objective=TARDINESS_ONLY,
    )
    assert lower_bound(load_problem(prob)) == 10 + 20 + 30 + 40 + 50
    plan = eng.solve(prob, time_limit=2.0)
    assert plan["objective"] == 150 and plan["status"] == "OPTIMAL"


def test_units_of_alternative_work_centers_share_the_queue():
    """Eight orders that may run on either of two presses: a machine group of speed two."""
    prob = eng.problem(
        [eng.resource("P1"), eng.resource("P2")],
        [
            eng.job(f"J{k}", [eng.op(f"o{k}", [("P1", 10), ("P2", 10)])], due=10, weight=2)
            for k in range(8)
        ],
        objective=TARDINESS_ONLY,
    )
    # the best plan ends two at 10, 20, 30, 40: lateness 0+0+10+10+20+20+30+30, weight 2;
    # the relaxation (one press twice as fast, preemptive) ends them every 5 minutes, none
    # before its own 10 minutes: 0+0+5+10+15+20+25+30, weight 2 (the path bound says 0)
    assert lower_bound(load_problem(prob)) == 210
    assert eng.solve(prob, time_limit=2.0)["objective"] == 240


def test_tails_and_weights_choose_the_order():
    """The heavy order goes first and its long downstream step counts after the queue."""
    prob = eng.problem(
        [eng.resource("M"), eng.resource("PACK")],
        [
            eng.job(
                "HEAVY",
                [eng.op("h1", [("M", 30)]), eng.op("h2", [("PACK", 20)], ["h1"])],
                due=50,
                weight=5,
            ),
            eng.job("LIGHT", [eng.op("l1", [("M", 10)])], due=10, weight=1),
        ],
        objective=TARDINESS_ONLY,
    )
    bound = lower_bound(load_problem(prob))
    plan = eng.solve(prob, time_limit=2.0)
    assert plan["status"] == "OPTIMAL"
    # HEAVY first: LIGHT ends at 40 (30 late); LIGHT first: HEAVY ends at 60 (5 x 10 late)
    assert bound == plan["objective"] == 30


def _random_queueing_problem(rng):
    n_jobs = rng.randint(3, 7)
    resources = [
        eng.resource("A", capacity=rng.randint(1, 2)),
        eng.resource("B"),
        eng.resource("C"),
    ]
    jobs = []
    for k in range(n_jobs):
        first = [("A", rng.randint(5, 30))]
        if rng.random() < 0.4:
            first.append(("B", rng.randint(5, 30)))
        # some orders wait for the previous one (a component order): another job's path
        waits = (
            [{"job": f"J{k - 1}", "min_lag": rng.randint(0, 10)}]
            if k and rng.random() < 0.3
            else []
        )
        ops = [eng.op(f"J{k}.0", first, waits)]
        if rng.random() < 0.7:
            ops.append(eng.op(f"J{k}.1", [("C", rng.randint(1, 25))], [f"J{k}.0"]))
        if rng.random() < 0.3:
            ops.append(eng.op(f"J{k}.2", [("A", rng.randint(1, 15))], [ops[-1]["id"]]))
        jobs.append(_random_job(rng, f"J{k}", ops, due=(10, 80)))
    return eng.problem(resources, jobs, objective=_random_objective(rng))


def test_the_bound_never_exceeds_a_proven_optimum():
    """Random small shops with queues, alternatives, re-entrant routings, orders waiting for
    other orders, releases, weights and mixed objectives, solved to optimality: the bound is
    below every optimum and never below the path bound alone."""
    import random

    rng = random.Random(20261204)
    proven = 0
    tighter = 0
    for _ in range(40):
        prob = _random_queueing_problem(rng)
        loaded = load_problem(prob)
        bound = lower_bound(loaded)
        original = bound_module.queueing_bound
        bound_module.queueing_bound = lambda *args: (0, 0)
        try:
            path_only = lower_bound(loaded)
        finally:
            bound_module.queueing_bound = original
        assert bound >= path_only
        plan = eng.solve(prob, time_limit=2.0)
        assert bound <= plan["objective"] + 1e-6, (prob, bound, plan["objective"])
        if plan["status"] == "OPTIMAL":
            proven += 1
            tighter += bound > path_only
    assert proven >= 35
    assert tighter >= 10, "the queueing relaxation should matter on queued shops"


def test_a_batch_work_center_fed_by_a_machine_waits_for_its_cycles():
    """Four orders molded one after another on M, then sterilized in cycles of two. Queues
    alone: M's ends the moldings at 10, 20, 30, 40, each order a cycle later (40 to 70);
    the sterilizer's as two slots a minute lets them leave at 40, 40, 55, 70. With cycles
    and the k-th sterilization waiting for the k-th molding, they leave no earlier than 40
    (10 + a cycle), 50 (20 + a cycle), 70 and 80 (two cycles after 10 and 20). The best
    plan: 50, 50, 80, 80."""
    prob = eng.problem(
        [eng.resource("M"), eng.resource("EO", batch={"max_size": 2, "cycle_minutes": 30})],
        [
            eng.job(
                f"J{k}",
                [
                    eng.op(f"m{k}", [("M", 10)]),
                    eng.op(f"s{k}", [("EO", 1)], [f"m{k}"], batch_family="x"),
                ],
                due=0,
            )
            for k in range(4)
        ],
        objective=TARDINESS_ONLY,
    )
    loaded = load_problem(prob)
    assert lower_bound(loaded) == 40 + 50 + 70 + 80
    fluid = _bound_without_upstream_ranks(loaded)
    assert fluid == 40 + 50 + 60 + 70
    plan = eng.solve(prob, time_limit=3.0)
    assert plan["status"] == "OPTIMAL" and plan["objective"] == 260


def test_the_k_th_start_waits_for_the_k_th_end_upstream():
    """Three presses open an hour, then closed until minute 1000, feed a packing line of 20
    minutes an order: the packing line's own queue (each order molded by 30) delays the
    orders by 20 minutes each, the presses' queue the last two until the night is over;
    each queue alone bounds one cost. The k-th packing cannot start before the k-th molding
    ends: both at once."""
    presses = [eng.resource(f"P{u}", calendar=[[0, 60], [1000, 2000]]) for u in range(3)]
    prob = eng.problem(
        [*presses, eng.resource("PACK")],
        [
            eng.job(
                f"J{k}",
                [
                    eng.op(f"m{k}", [(f"P{u}", 30) for u in range(3)]),
                    eng.op(f"p{k}", [("PACK", 20)], [f"m{k}"]),
                ],
                due=70,
            )
            for k in range(8)
        ],
        objective=TARDINESS_ONLY,
    )
    loaded = load_problem(prob)
    original = bound_module._upstream_releases
    bound_module._upstream_releases = lambda *args: []
    try:
        alone = lower_bound(loaded)
    finally:
        bound_module._upstream_releases = original
    # the best queue alone is the presses': the k-th molding ends at 10 k until the night
    # (packed 20 minutes later: the sixth at 80), the last two at 1010 and 1020
    assert alone == (80 - 70) + (1030 - 70) + (1040 - 70)
    # the presses, as one machine three times as fast, end the k-th molding at 10 k until
    # the night and at 1010 and 1020 after it: the last two packings end at 1030 and 1050
    assert lower_bound(loaded) == 20 + 40 + 60 + 80 + (1030 - 70) + (1050 - 70)
    # the best plan (six orders molded in the hour, two after the night; CP-SAT finds it
    # without proving it) packs the last two at 1050 and 1070
    plan = eng.solve(prob, time_limit=3.0)
    assert plan["objective"] == 20 + 40 + 60 + 80 + (1050 - 70) + (1070 - 70)
    assert plan["bound"] == lower_bound(loaded)


SHIFTS = [None, [[0, 90], [150, 240], [300, 5000]], [[0, 40], [100, 5000]]]


def _random_batch_problem(rng):
    """Molding on one or two presses (shifts), packing, a batch sterilizer (one or two
    families, orders of one or two slots), a hold, then a QC step on shifts."""
    max_size = rng.randint(2, 3)
    shifts = rng.choice(SHIFTS)
    resources = [
        eng.resource("P1", calendar=shifts),
        eng.resource("P2", calendar=shifts),
        eng.resource("PACK"),
        eng.resource(
            "EO",
            capacity=rng.choice([1, 1, 2]),
            batch={"max_size": max_size, "cycle_minutes": rng.randint(15, 40)},
        ),
        eng.resource("QC", calendar=rng.choice(SHIFTS)),
    ]
    jobs = []
    for k in range(rng.randint(4, 6)):
        presses = [("P1", rng.randint(5, 25))]
        if rng.random() < 0.5:
            presses.append(("P2", presses[0][1]))
        ops = [eng.op(f"J{k}.mold", presses)]
        if rng.random() < 0.6:
            ops.append(eng.op(f"J{k}.pack", [("PACK", rng.randint(2, 15))], [ops[-1]["id"]]))
        ops.append(
            eng.op(
                f"J{k}.eo",
                [("EO", 1)],
                [ops[-1]["id"]],
                batch_family=rng.choice(["x", "x", "y"]),
                batch_size=rng.randint(1, max_size - 1),
            )
        )
        hold = {"op": f"J{k}.eo", "min_lag": rng.choice([0, 10, 30])}
        ops.append(eng.op(f"J{k}.qc", [("QC", rng.randint(2, 10))], [hold]))
        jobs.append(_random_job(rng, f"J{k}", ops, due=(20, 100)))
    return eng.problem(resources, jobs, objective=_random_objective(rng))


def _random_job(rng, jid, ops, due):
    return eng.job(
        jid, ops, release=rng.randint(0, 20), due=rng.randint(*due), weight=rng.randint(1, 4)
    )


def _bound_without_upstream_ranks(loaded):
    """The bound with the upstream ranks' completions switched off (the bound before them)."""
    original = bound_module._released_completions
    bound_module._released_completions = lambda problem, group, releases, capacity: np.zeros(
        len(releases)
    )
    try:
        return lower_bound(loaded)
    finally:
        bound_module._released_completions = original


def _random_objective(rng):
    return {
        "weighted_tardiness": rng.choice([1, 10]),
        "makespan": rng.choice([0, 1]),
        "flow_time": rng.choice([0, 1]),
        "changeover": 0,
    }


def test_the_bound_never_exceeds_a_proven_optimum_with_batches_and_shifts():
    """Random small plants with presses on shifts, a batch sterilizer of one or two units,
    families and order sizes, holds and a QC step on shifts, solved to optimality: the
    bound is below every optimum, and the cycles and upstream queues make it tighter than
    the fluid relaxation on some of them."""
    import random

    rng = random.Random(20261218)
    proven = 0
    tighter = 0
    for _ in range(30):
        prob = _random_batch_problem(rng)
        loaded = load_problem(prob)
        bound = lower_bound(loaded)
        fluid = _bound_without_upstream_ranks(loaded)
        assert bound >= fluid
        tighter += bound > fluid
        plan = eng.solve(prob, time_limit=2.0)
        assert bound <= plan["objective"] + 1e-6, (prob, bound, plan["objective"])
        proven += plan["status"] == "OPTIMAL"
    assert proven >= 24
    assert tighter >= 8, "cycles and upstream queues should matter on batch plants"
