"""How long the dispatching restarts of a decomposed solve run before the time windows."""

from types import SimpleNamespace

import pytest

from med_aps_engine import solver

LIMIT = 100.0
UNTIL = solver.RESTART_SHARE * LIMIT
EXTEND_UNTIL = solver.RESTART_MAX_SHARE * LIMIT


class _Run:
    """A run on a fake clock that each dispatching pass moves by ``seconds``."""

    def __init__(self, seconds):
        self.now = 0.0
        self.seconds = seconds
        self.passes = 0
        self.best = {}
        self.best_obj = 0
        self.p = None
        self.o = SimpleNamespace(seed=0)

    def elapsed(self):
        return self.now

    def remaining(self):
        return LIMIT - self.now

    def offer(self, assigns, method, objective=None):
        return False

    def report(self, message, force=False):
        pass


@pytest.fixture
def restarts(monkeypatch):
    """``_restarts`` on the fake clock: the time a pass takes is what the solver measures."""

    def restarts(seconds, **extension):
        run = _Run(seconds)

        def one_pass(problem, rule, seed=None):
            run.now = round(run.now + run.seconds, 6)
            run.passes += 1
            return {}, True

        monkeypatch.setattr(solver, "dispatch", one_pass)
        monkeypatch.setattr(solver.time, "monotonic", lambda: run.now)
        solver._restarts(run, ["due", "atc_4"], "due", UNTIL, **extension)
        return run

    return restarts


def test_a_restart_starts_only_if_it_ends_before_the_share(restarts):
    # passes of 1.5 s: the 39th ends at 58.5 s; a 40th would end at 60 s, the share's end
    run = restarts(1.5)
    assert run.passes == 39
    assert run.now == pytest.approx(58.5)


def test_slow_restarts_go_on_to_the_longer_share(restarts):
    # passes of 1 s: 84 by 85% of the limit, fewer than the samples asked
    run = restarts(1.0, extend_until=EXTEND_UNTIL, samples=solver.RESTART_SAMPLES)
    assert run.now == pytest.approx(EXTEND_UNTIL - 1.0)
    assert run.passes < solver.RESTART_SAMPLES


def test_restarts_go_on_only_until_they_have_the_samples(restarts):
    # passes of 0.5 s: 119 by 60 s, more than the samples: no extension
    run = restarts(0.5, extend_until=EXTEND_UNTIL, samples=100)
    assert run.passes == 119
    # passes of 0.75 s: 79 by 60 s, on until the 100th ends (75 s), not to 85 s
    run = restarts(0.75, extend_until=EXTEND_UNTIL, samples=100)
    assert run.passes == 100
    assert run.now == pytest.approx(75.0)


def test_restarts_keep_the_time_the_end_of_the_solve_needs(restarts, monkeypatch):
    # the extension never takes what the solve keeps for its end: with the limit at 85 s and
    # passes of 6 s, the one from 78 s would leave less than 1.5 passes (it could reach 84 s)
    monkeypatch.setattr(_Run, "remaining", lambda self: 85.0 - self.now)
    run = restarts(6.0, extend_until=EXTEND_UNTIL, samples=solver.RESTART_SAMPLES)
    assert run.now == pytest.approx(78.0)


@pytest.mark.parametrize(
    "case, expected",
    [
        ("small", ((0.05 * LIMIT,), {})),
        (
            "decomposed",
            (
                (UNTIL,),
                {"extend_until": EXTEND_UNTIL, "samples": solver.RESTART_SAMPLES, "feed": None},
            ),
        ),
        ("repair", None),
        ("keeping", None),
    ],
)
def test_which_solves_restart_and_for_how_long(monkeypatch, case, expected):
    """Only decomposed solves take the extension; repairs and solves that keep the previous
    plan do not restart at all."""
    calls = []
    monkeypatch.setattr(solver, "_restarts", lambda *args, **kw: calls.append((args[3:], kw)))
    monkeypatch.setattr(solver, "_cp_sat_full", lambda run: (None, None))
    monkeypatch.setattr(solver, "closure_feed", lambda problem: None)
    monkeypatch.setattr(solver, "tabu_applicable", lambda problem: False)
    monkeypatch.setattr("med_aps_engine.decompose.improve", lambda run: False)
    monkeypatch.setattr("med_aps_engine.decompose.improve_neighbourhood", lambda run, hood: None)
    problem = SimpleNamespace(
        operations=dict.fromkeys(map(str, range(250))),
        has_named_tools=False,
        is_pure_makespan=False,
        objective={"stability": 30 if case == "keeping" else 0},
    )
    options = SimpleNamespace(
        time_limit=LIMIT,
        max_model_operations=100 if case != "small" else 1000,
        neighbourhood=None,
    )
    run = SimpleNamespace(p=problem, o=options, repair=case == "repair", best={})
    solver._search(run, ["due"], "keep" if case == "keeping" else "due")
    assert calls == ([] if expected is None else [expected])
