"""The second tabu search in a child process: a valid plan from a real child, both plans
offered to the solve, nothing started with one worker, and a failing or hanging child
costs the solve nothing but its own plan."""

import sys
import time

import pytest

from med_aps_engine import SolveOptions, solve, tabu_process, validate
from med_aps_engine import solver as solver_module
from med_aps_engine.heuristic import dispatch
from med_aps_engine.problem import load_problem
from med_aps_engine.tabu import MIN_OPERATIONS, JobShopTabu
from med_aps_engine.tabu_process import TabuProcess

from .test_tabu import check, makespan, random_jobshop

# the tabu share of this limit (40%) leaves the child more than MIN_SECONDS, even on a busy
# machine where dispatching and the bound take their whole shares first
TIME_LIMIT = 15


def _shop():
    """A job shop the tabu search applies to (more than MIN_OPERATIONS operations)."""
    raw = random_jobshop(20, 15, seed=11)
    assert len(load_problem(raw).operations) > MIN_OPERATIONS
    return raw


def test_the_child_returns_a_valid_plan_never_longer_than_its_start(monkeypatch):
    # what is asserted is the child's plan, not how fast it exits after its deadline: on a
    # busy machine that took more than the solve's grace second once (a CI run)
    monkeypatch.setattr(tabu_process, "GRACE_SECONDS", 10.0)
    raw = _shop()
    problem = load_problem(raw)
    start, _ok = dispatch(problem, "tail")
    child = TabuProcess(raw, start, seed=5, until=time.monotonic() + 5)
    found = child.result()
    assert child.error is None
    assert set(found) == set(start)
    check(raw, found)
    assert makespan(found) < makespan(start)  # seconds of search improve on the dispatch


def test_two_workers_offer_the_childs_plan(monkeypatch):
    raw = _shop()
    problem = load_problem(raw)
    start, _ok = dispatch(problem, "tail")
    childs_plan = JobShopTabu(problem, seed=9).improve(start, time.monotonic() + 1)
    started, offered = [], []

    class FakeChild:
        error = None

        def __init__(self, raw_problem, assigns, seed, until, patience=None):
            started.append(seed)

        def result(self, should_stop=None):
            return childs_plan

    real_offer = solver_module._Run.offer

    def offer(run, assigns, method, objective=None):
        offered.append((assigns is childs_plan, method))
        return real_offer(run, assigns, method, objective)

    monkeypatch.setattr(tabu_process, "TabuProcess", FakeChild)
    monkeypatch.setattr(solver_module._Run, "offer", offer)
    # no full model: the plan is the better of the two tabu searches'
    monkeypatch.setattr(solver_module, "_cp_sat_full", lambda run: (None, None))
    plan = solve(raw, SolveOptions(time_limit=TIME_LIMIT, workers=2, seed=3))
    assert validate(raw, plan) == []
    assert started == [4]  # another seed than the solve's
    assert (True, "tabu") in offered
    assert plan["kpis"]["makespan"] <= makespan(childs_plan)


def test_one_worker_starts_no_child(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("a child process was started with one worker")

    monkeypatch.setattr(tabu_process, "TabuProcess", refuse)
    monkeypatch.setattr(solver_module, "_cp_sat_full", lambda run: (None, None))
    raw = _shop()
    plan = solve(raw, SolveOptions(time_limit=TIME_LIMIT, workers=1))
    assert validate(raw, plan) == []


def _solve_reporting(raw):
    messages = []
    plan = solve(
        raw,
        SolveOptions(time_limit=TIME_LIMIT, workers=2, progress=lambda _f, m: messages.append(m)),
    )
    assert validate(raw, plan) == []
    assert plan["method"] == "tabu"
    return [m for m in messages if m.startswith("second tabu search")]


def test_a_failing_child_leaves_the_solve_its_own_plan(monkeypatch, tmp_path):
    # a "Python" that fails at once, saying why on its error output
    broken = tmp_path / "python3"
    broken.write_text("#!/bin/sh\necho 'ImportError: no engine here' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(broken))
    monkeypatch.setattr(solver_module, "_cp_sat_full", lambda run: (None, None))
    assert _solve_reporting(_shop()) == [
        "second tabu search: exit status 3: ImportError: no engine here"
    ]


def test_no_child_where_the_executable_is_not_python(monkeypatch):
    # an embedding server's binary must not be started again as if it were Python
    monkeypatch.setattr(sys, "executable", "/usr/sbin/uwsgi")
    monkeypatch.setattr(
        tabu_process.subprocess, "Popen", lambda *a, **k: pytest.fail("a process was started")
    )
    monkeypatch.setattr(solver_module, "_cp_sat_full", lambda run: (None, None))
    assert _solve_reporting(_shop()) == [
        "second tabu search not started: '/usr/sbin/uwsgi' is not a Python interpreter"
    ]


def test_a_child_past_its_deadline_is_stopped(monkeypatch):
    raw = _shop()
    problem = load_problem(raw)
    start, _ok = dispatch(problem, "tail")
    # a child that never writes a plan: Python sleeping instead of searching
    monkeypatch.setattr(
        tabu_process.subprocess,
        "Popen",
        _popen_with(["-c", "import time; time.sleep(60)"]),
    )
    began = time.monotonic()
    child = TabuProcess(raw, start, seed=1, until=began + 0.5)
    assert child.result() is None
    assert child.error == "not done in time"
    assert time.monotonic() - began < 0.5 + tabu_process.GRACE_SECONDS + 1
    assert child._proc.poll() is not None  # killed, not left behind


def test_a_stop_request_stops_the_child_at_once(monkeypatch):
    raw = _shop()
    problem = load_problem(raw)
    start, _ok = dispatch(problem, "tail")
    began = time.monotonic()
    child = TabuProcess(raw, start, seed=1, until=began + 30)
    assert child.result(should_stop=lambda: True) is None
    assert child.error == "stopped"
    assert time.monotonic() - began < 5
    assert child._proc.poll() is not None


def _popen_with(arguments):
    real = tabu_process.subprocess.Popen

    def popen(command, **kwargs):
        return real([command[0], *arguments], **kwargs)

    return popen
