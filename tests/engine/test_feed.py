"""Feeding a batch bottleneck before the work centers in front of it close for the weekend."""

import random
from types import SimpleNamespace

import pytest

from med_aps_engine import feed, solver
from med_aps_engine.heuristic import dispatch
from med_aps_engine.problem import load_problem
from med_aps_engine.schedule import evaluate

from . import helpers as eng

DAY = 1440
FRIDAY_NIGHT = 600  # the origin is Friday 12:00: the press closes at 22:00
MONDAY = FRIDAY_NIGHT + 56 * 60  # and opens again on Monday at 06:00
CYCLE = 480


def _press_windows(weeks=3):
    windows = [[0, FRIDAY_NIGHT]]
    for week in range(weeks):
        for day in range(5):
            start = MONDAY + (7 * week + day) * DAY
            windows.append([start, start + 16 * 60])
    return windows


def _plant_dict(press_calendar=None, max_size=4, batch_size=1, cycle=CYCLE):
    """A press on two shifts on weekdays (or ``press_calendar``) in front of a sterilizer
    open every hour (4 loads a cycle). One order of an hour is due before the closure, two
    orders of 4 hours' molding next, 16 orders of 20 minutes a little later, 40 orders of an
    hour over the next weeks."""
    calendar = _press_windows() if press_calendar is None else press_calendar
    resources = [
        eng.resource("PRESS", calendar=calendar),
        eng.resource("EO", batch={"max_size": max_size, "cycle_minutes": cycle}),
    ]
    jobs = []

    def add(jid, molding, due):
        ops = [
            eng.op(f"{jid}.mold", [("PRESS", molding)]),
            eng.op(
                f"{jid}.eo", [("EO", 1)], [f"{jid}.mold"], batch_family="x", batch_size=batch_size
            ),
        ]
        jobs.append(eng.job(jid, ops, due=due))

    add("URGENT", 60, 900)  # its sterilization is due before the closure
    for k in range(2):
        add(f"BIG{k}", 240, 1500 + 10 * k)
    for k in range(16):
        add(f"SMALL{k}", 20, 2000 + 10 * k)
    for k in range(40):
        add(f"LATER{k}", 60, 4500 + 120 * k)
    objective = {"weighted_tardiness": 1000, "makespan": 1, "flow_time": 0, "changeover": 0}
    return eng.problem(resources, jobs, objective=objective)


def _plant(press_calendar=None, **sterilizer):
    return load_problem(_plant_dict(press_calendar, **sterilizer))


def test_the_weekend_closure_of_the_press_is_found_with_the_orders_that_can_wait_for_it():
    closure = feed.closure_feed(_plant())
    assert (closure.resource, closure.start, closure.end) == ("EO", FRIDAY_NIGHT, MONDAY)
    # seven cycles of four loads fit in the 56 hours
    assert closure.loads == 28
    # the urgent order stays out; the others by due date
    assert closure.pool[:4] == ["BIG0", "BIG1", "SMALL0", "SMALL1"]
    assert "URGENT" not in closure.pool and len(closure.pool) == 58
    assert closure.upstream["BIG0"] == 240 and closure.upstream["SMALL0"] == 20


def test_no_closure_without_one_of_several_cycles_in_the_first_week():
    # open every hour: nothing to feed
    assert feed.closure_feed(_plant(press_calendar=[[0, 60 * DAY]])) is None
    # closed every night for 8 hours only (one cycle): the next shift fills the sterilizer
    nights = [[d * DAY, d * DAY + 16 * 60] for d in range(30)]
    assert feed.closure_feed(_plant(press_calendar=nights)) is None
    # the first weekend more than a week ahead
    late = [[0, 8 * DAY], [10 * DAY, 30 * DAY]]
    assert feed.closure_feed(_plant(press_calendar=late)) is None


def test_a_fed_copy_moves_small_orders_ahead_and_leaves_the_problem_alone():
    plant = _plant()
    dues = {jid: job.due for jid, job in plant.jobs.items()}
    closure = feed.closure_feed(plant)
    fed = feed.fed_problem(plant, closure, random.Random(3))
    assert {jid: job.due for jid, job in plant.jobs.items()} == dues
    moved = {jid for jid, job in fed.jobs.items() if job.due != dues[jid]}
    assert moved and moved <= set(closure.pool)
    assert all(fed.jobs[jid].due < dues[jid] for jid in moved)
    # the moved ones are due before the end of the closure
    assert all(fed.jobs[jid].due - closure.batch_tail[jid] < MONDAY for jid in moved)
    # chosen by least work before the batch step: never a big one while a small one waits
    assert not moved & {"BIG0", "BIG1"}


def test_a_fed_copy_moves_as_many_orders_as_the_closure_holds_by_batch_size():
    # 40 loads a cycle, orders of 10: seven cycles hold 28 orders, not 280
    plant = _plant(max_size=40, batch_size=10)
    closure = feed.closure_feed(plant)
    assert closure.loads == 280
    for k in range(10):
        fed = feed.fed_problem(plant, closure, random.Random(k))
        moved = [jid for jid, job in fed.jobs.items() if job.due != plant.jobs[jid].due]
        # half to all of the closure's cycles; the last order may overfill by its size
        assert 14 <= len(moved) <= 28


def test_a_sterilizer_of_cycles_of_no_time_has_nothing_to_feed():
    # touching press windows: with cycles of 0 minutes any gap would have counted
    touching = [[0, 600], [600, 1200], [4000, 90000]]
    raw = _plant_dict(touching, cycle=0)
    assert feed.closure_feed(load_problem(raw)) is None
    # a decomposed solve plans it (it divided by the cycle before)
    plan = eng.solve(raw, time_limit=2.0, max_model_operations=20)
    assert plan["status"] in ("FEASIBLE", "OPTIMAL")


@pytest.mark.parametrize("rule", ["due", "atc_4"])
def test_fed_copies_fill_the_sterilizer_over_the_weekend(rule):
    plant = _plant()
    closure = feed.closure_feed(plant)
    plain = dispatch(plant, rule)[0]
    plain_idle = feed.idle_minutes(plant, closure, plain)
    # a dispatching pass takes the big orders first and packs too little before Friday night
    assert plain_idle >= 4 * CYCLE
    draws = []
    for k in range(6):
        assigns, ok = dispatch(feed.fed_problem(plant, closure, random.Random(k)), rule)
        assert ok
        objective = evaluate(plant, assigns)["objective"]
        draws.append((objective, feed.idle_minutes(plant, closure, assigns)))
    best_objective, best_idle = min(draws)
    assert best_idle <= plain_idle - CYCLE
    # judged on the real due dates, the best draw is far better
    assert best_objective < 0.5 * evaluate(plant, plain)["objective"]


def _placed(resource, start, end):
    return SimpleNamespace(resource=resource, unit=0, start=start, end=end)


def test_idle_minutes_count_open_minutes_without_a_cycle():
    plant = _plant()
    closure = feed.closure_feed(plant)
    cycles = {
        "a": _placed("EO", FRIDAY_NIGHT - 100, FRIDAY_NIGHT + 380),
        "b": _placed("EO", FRIDAY_NIGHT - 100, FRIDAY_NIGHT + 380),
        "c": _placed("EO", MONDAY - 200, MONDAY + 280),
        "d": _placed("PRESS", FRIDAY_NIGHT + 10, FRIDAY_NIGHT + 50),
    }
    # two loads of one cycle count once; the press does not count
    assert feed.idle_minutes(plant, closure, cycles) == (MONDAY - FRIDAY_NIGHT) - 380 - 200


class _Run:
    """A run whose restarts record the problems they dispatch."""

    def __init__(self, plant, best):
        self.p = plant
        self.o = SimpleNamespace(seed=0)
        self.best = best
        self.best_obj = 0
        self.dispatched = []
        self.passes = 0

    def elapsed(self):
        return self.passes

    def remaining(self):
        return 100 - self.passes

    def offer(self, assigns, method, objective=None):
        return False

    def report(self, message, force=False):
        pass


def _restart(monkeypatch, plant, best):
    run = _Run(plant, best)

    def one_pass(problem, rule, seed=None):
        run.passes += 1
        run.dispatched.append(problem)
        return {}, True

    monkeypatch.setattr(solver, "dispatch", one_pass)
    monkeypatch.setattr(solver.time, "monotonic", lambda: run.passes)
    solver._restarts(run, ["due"], "due", 7, feed=feed.closure_feed(plant))
    return run


def test_restarts_feed_every_other_pass_when_the_best_plan_starves_the_closure(monkeypatch):
    plant = _plant()
    starving = dispatch(plant, "due")[0]
    run = _restart(monkeypatch, plant, starving)
    assert len(run.dispatched) == 6
    assert [problem is plant for problem in run.dispatched] == [True, False] * 3
    # a plan that keeps the sterilizer busy over the weekend: no fed copies
    busy = {
        f"c{k}": _placed("EO", FRIDAY_NIGHT + k * CYCLE, FRIDAY_NIGHT + (k + 1) * CYCLE)
        for k in range(7)
    }
    run = _restart(monkeypatch, plant, busy)
    assert all(problem is plant for problem in run.dispatched)
