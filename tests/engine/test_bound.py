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
