"""Repairs on inputs that broke the rules that keep the previous plan.

Each case in ``data/repair_cases`` was found by generating random repair problems (presses
with changeovers and shifts, booked sterilizers with batch families, maximum lags, locks,
work in progress, overruns) and minimised: the rule named in the case returned a plan it
called valid that broke a rule (two batches overlapping, a maximum lag, a changeover, a
precedence), and a repair solve then failed or returned no plan although a valid plan
exists. Every keep rule must now give a plan that validates or say it has none, and the
repair solve must return a valid plan.
"""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from med_aps_engine import SolveOptions, solve, validate
from med_aps_engine.heuristic import REPAIR_RULES, Dispatcher, slide_rule
from med_aps_engine.plan import build_plan
from med_aps_engine.problem import load_problem

CASES = Path(__file__).parent / "data" / "repair_cases"
KEEP_RULES = ("keep", *REPAIR_RULES, slide_rule(240))
# cases where a keep rule's plan broke a rule
RULE_CASES = (
    # a seat chain rebuilt an emptied batch over the cycle of a load sent down (overlap)
    "chain_batch_overlap.json",
    # a seat chain pushed later steps tied by a maximum lag apart
    "chain_max_lag.json",
    # work kept next to work then taken off again lacked the changeover from the work now
    # before it
    "changeover_after_unkept.json",
    "changeover_after_unkept_group.json",
)


def _case(name):
    return json.loads((CASES / name).read_text())


def _violations(problem, rule):
    """The rule's plan's violations, or None when the rule says its plan breaks a rule."""
    loaded = load_problem(problem)
    assigns, ok = Dispatcher(loaded).run(rule)
    if not ok:
        return None
    return validate(problem, build_plan(loaded, assigns, "FEASIBLE", "heuristic", 0.0))


@pytest.mark.parametrize("name", RULE_CASES)
def test_keep_rules_give_valid_plans(name):
    case = _case(name)
    for rule in (*KEEP_RULES, case["rule"]):
        assert _violations(case["problem"], rule) == [], (name, rule)


def test_seat_chain_recreates_an_emptied_batch_only_where_its_unit_is_free():
    """The load that goes to a batch after the last must not take the cycle of a batch of
    the chain that lost its only load: that batch is made again where it was."""
    problem = _case("chain_batch_overlap.json")["problem"]
    loaded = load_problem(problem)
    dispatcher = Dispatcher(loaded)
    assigns, ok = dispatcher.run("keep_slide_2h")
    assert ok
    starts = sorted({a.start for a in assigns.values() if a.batch is not None})
    cycle = loaded.resources["S0"].batch_cycle
    assert all(b - a >= cycle for a, b in zip(starts, starts[1:], strict=False)), starts


@pytest.mark.parametrize(
    "name",
    [
        # tied by a maximum lag to a locked successor, its previous slot taken
        "locked_successor.json",
        # a sterilization tied to a locked QC test whose blister packing now ends too late
        "late_predecessor_of_lock.json",
    ],
)
def test_work_before_a_lock_is_placed_before_it_or_reported(name):
    """Work before a locked successor: the keep rules place it from its earliest start, or
    say their plan breaks a rule; none returns a plan it calls valid that starts the lock
    before its predecessor ends."""
    problem = _case(name)["problem"]
    for rule in KEEP_RULES:
        assert _violations(problem, rule) in ([], None), rule


@pytest.mark.parametrize(
    "name",
    [
        *RULE_CASES,
        "locked_successor.json",
        "late_predecessor_of_lock.json",
        # every keep rule's plan lacked a changeover; the repair raised an internal error
        "solve_changeover_after_unkept.json",
    ],
)
def test_repair_solve_returns_a_valid_plan(name):
    case = _case(name)
    plan = solve(
        case["problem"],
        SolveOptions(time_limit=2, workers=1, neighbourhood=case["neighbourhood"]),
    )
    assert plan["status"] in ("OPTIMAL", "FEASIBLE"), plan.get("message")
    assert validate(case["problem"], plan) == []


def test_a_rule_whose_plan_breaks_a_rule_does_not_win(monkeypatch):
    """A first dispatching pass that calls its plan valid but breaks a rule (here: every
    keep rule's plan is given an overlap and the best objective) is not the answer while
    another rule's plan is valid: the solve returns that one and says why."""
    from med_aps_engine import heuristic

    problem = _case("changeover_after_unkept.json")["problem"]
    real_run = heuristic.Dispatcher.run

    def run_rule(self, rule="tail", seed=None):
        assigns, ok = real_run(self, rule, seed)
        if rule.startswith("keep"):
            # every operation at minute 0 for its own length: overlaps, and no lateness
            assigns = {oid: replace(a, start=0, end=a.end - a.start) for oid, a in assigns.items()}
        return assigns, ok

    monkeypatch.setattr(heuristic.Dispatcher, "run", run_rule)
    plan = solve(problem, SolveOptions(time_limit=2, workers=1))
    assert plan["status"] in ("OPTIMAL", "FEASIBLE"), plan.get("message")
    assert validate(problem, plan) == []
    assert "failed validation" in plan.get("warning", "")


def test_a_repair_on_contradictory_locks_finds_no_plan_rather_than_failing():
    """Locks no plan can keep (a locked step starts before its predecessor can end): the
    repair says no valid plan was found and why, as a full replan does, instead of raising
    an internal error."""
    case = _case("contradictory_locks.json")
    for neighbourhood in (case["neighbourhood"], None):
        plan = solve(
            case["problem"],
            SolveOptions(time_limit=2, workers=1, neighbourhood=neighbourhood),
        )
        assert plan["status"] in ("UNKNOWN", "INFEASIBLE")
        assert not plan["operations"]
        assert plan["message"].startswith("no valid plan found: "), plan["message"]
        assert "precedence violated" in plan["message"]
