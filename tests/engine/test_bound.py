"""The solver-free lower bound: valid for every plan, exact on easy cases, reported as bound."""

from med_aps_engine import SolveOptions, solve, validate
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
        jobs.append(
            eng.job(
                f"J{k}",
                ops,
                release=rng.randint(0, 20),
                due=rng.randint(10, 80),
                weight=rng.randint(1, 4),
            )
        )
    objective = {
        "weighted_tardiness": rng.choice([1, 10]),
        "makespan": rng.choice([0, 1]),
        "flow_time": rng.choice([0, 1]),
        "changeover": 0,
    }
    return eng.problem(resources, jobs, objective=objective)


def test_the_bound_never_exceeds_a_proven_optimum():
    """Random small shops with queues, alternatives, re-entrant routings, orders waiting for
    other orders, releases, weights and mixed objectives, solved to optimality: the bound is
    below every optimum and never below the path bound alone."""
    import random

    from med_aps_engine import bound as bound_module

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
