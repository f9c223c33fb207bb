"""The dispatching rules of the list schedule: apparent tardiness cost (ATC) on late orders,
and changeovers weighed when choosing a unit."""

import itertools

import pytest

from med_aps_engine import validate
from med_aps_engine.heuristic import ATC_RULES, Dispatcher, dispatch, setup_rule, weighs_setups
from med_aps_engine.plan import build_plan
from med_aps_engine.problem import load_problem
from med_aps_engine.schedule import evaluate

from . import helpers as eng

# (job, minutes of work, weight): every order is already late at the origin (due 0)
LATE_ORDERS = [("A", 120, 1), ("B", 30, 1), ("C", 60, 4), ("D", 240, 5), ("E", 90, 2)]


def _late_orders_problem():
    jobs = [
        eng.job(jid, [eng.op(f"{jid}/1", [("press", minutes)])], due=0, weight=weight)
        for jid, minutes, weight in LATE_ORDERS
    ]
    return eng.problem(
        [eng.resource("press")],
        jobs,
        objective={"weighted_tardiness": 1, "makespan": 0, "flow_time": 0, "changeover": 0},
    )


def _weighted_tardiness(order):
    """Weighted tardiness of the orders run back to back in ``order`` (all due at 0)."""
    work = {jid: (minutes, weight) for jid, minutes, weight in LATE_ORDERS}
    clock = total = 0
    for jid in order:
        clock += work[jid][0]
        total += work[jid][1] * clock
    return total


@pytest.mark.parametrize("rule", sorted(ATC_RULES))
def test_atc_runs_late_orders_by_weight_per_minute_of_work(rule):
    raw = _late_orders_problem()
    problem = load_problem(raw)
    assigns, ok = dispatch(problem, rule)
    assert ok
    order = [problem.operations[oid].job for oid in sorted(assigns, key=lambda o: assigns[o].start)]
    # weight per minute: C 4/60, B 1/30, D 5/240, E 2/90, A 1/120
    assert order == ["C", "B", "E", "D", "A"]
    best = min(
        _weighted_tardiness(p) for p in itertools.permutations([j for j, _m, _w in LATE_ORDERS])
    )
    assert evaluate(problem, assigns)["objective"] == best
    assert validate(raw, build_plan(problem, assigns, "FEASIBLE", "heuristic", 0.0)) == []


def test_atc_beats_least_slack_when_every_order_is_late():
    problem = load_problem(_late_orders_problem())
    atc, _ok = dispatch(problem, "atc_3")
    due, _ok = dispatch(problem, "due")
    assert evaluate(problem, atc)["objective"] < evaluate(problem, due)["objective"]


def test_atc_keeps_due_date_order_while_orders_have_slack():
    # far from late, a short light order does not jump ahead of an earlier deadline
    jobs = [
        eng.job("early", [eng.op("early/1", [("press", 600)])], due=600, weight=1),
        eng.job("later", [eng.op("later/1", [("press", 60)])], due=30_000, weight=1),
    ]
    raw = eng.problem(
        [eng.resource("press")],
        jobs,
        objective={"weighted_tardiness": 1, "makespan": 0, "flow_time": 0, "changeover": 0},
    )
    assigns, _ok = dispatch(load_problem(raw), "atc_3")
    assert assigns["early/1"].start == 0
    assert assigns["later/1"].start == 600


# (family, minutes) of orders due one after the other on two presses that take either
# family: short A and long B alternate, 45 minutes to change family
TWO_FAMILIES = [("A", 30), ("B", 90)] * 8


def _two_family_presses(presses=("P1", "P2")):
    jobs = [
        eng.job(
            f"j{i}",
            [eng.op(f"j{i}/1", [(press, minutes) for press in presses], setup_family=family)],
            due=60 * (i + 1) // 2 + 60,
        )
        for i, (family, minutes) in enumerate(TWO_FAMILIES)
    ]
    return eng.problem(
        [eng.resource(p, changeover={"default": 45, "rules": []}) for p in presses],
        jobs,
        objective={"weighted_tardiness": 1000, "makespan": 1, "flow_time": 0, "changeover": 1},
    )


def test_weighed_changeovers_keep_each_family_on_its_press():
    raw = _two_family_presses()
    problem = load_problem(raw)
    plain, _ok = dispatch(problem, "due")
    weighed, ok = dispatch(problem, setup_rule("due"))
    assert ok
    assert validate(raw, build_plan(problem, weighed, "FEASIBLE", "heuristic", 0.0)) == []
    # where work ends first: a press free earlier takes the other family, 8 changeovers
    assert evaluate(problem, plain)["changeovers"] == 8
    # weighed: every A on one press, every B on the other, and the orders less late
    assert evaluate(problem, weighed)["changeovers"] == 0
    by_family = {}
    for oid, a in weighed.items():
        by_family.setdefault(problem.operations[oid].setup_family, set()).add(a.resource)
    assert len(by_family["A"]) == len(by_family["B"]) == 1
    assert by_family["A"] != by_family["B"]
    assert (
        evaluate(problem, weighed)["total_weighted_tardiness"]
        < evaluate(problem, plain)["total_weighted_tardiness"]
    )


def test_changeovers_are_weighed_only_where_a_family_has_a_choice_of_unit(monkeypatch):
    tried = []
    run = Dispatcher.run

    def recording(self, rule="tail", seed=None):
        tried.append(rule)
        return run(self, rule, seed)

    monkeypatch.setattr(Dispatcher, "run", recording)
    two = _two_family_presses()
    assert weighs_setups(load_problem(two))
    eng.solve(two, time_limit=2.0)
    assert {"due_setups", "atc_2_setups", "atc_4_setups"} <= set(tried)
    # one press: no unit to choose, the weighed rules would repeat the plain ones
    one = _two_family_presses(presses=("P1",))
    assert not weighs_setups(load_problem(one))
    tried.clear()
    eng.solve(one, time_limit=2.0)
    assert "due" in tried
    assert not [rule for rule in tried if rule.endswith("_setups")]
