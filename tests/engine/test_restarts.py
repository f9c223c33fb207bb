"""How long the dispatching restarts of a decomposed solve run before the time windows."""

from types import SimpleNamespace

import pytest

from med_aps_engine import solver

LIMIT = 100.0
UNTIL = solver.RESTART_SHARE * LIMIT
EXTEND_UNTIL = solver.RESTART_MAX_SHARE * LIMIT


class _Run:
    """A run on a clock that each dispatching pass moves by ``seconds``."""

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
    def restarts(seconds, **extension):
        run = _Run(seconds)

        def one_pass(problem, rule, seed=None):
            run.now = round(run.now + run.seconds, 6)
            run.passes += 1
            return {}, True

        monkeypatch.setattr(solver, "dispatch", one_pass)
        solver._restarts(run, ["due", "atc_4"], "due", UNTIL, **extension)
        return run

    return restarts


def test_slow_restarts_go_on_to_the_longer_share(restarts):
    # a pass of a second: 85 passes by 85% of the limit, fewer than the samples asked
    run = restarts(1.0, extend_until=EXTEND_UNTIL, samples=solver.RESTART_SAMPLES)
    assert run.now == pytest.approx(EXTEND_UNTIL)
    assert run.passes < solver.RESTART_SAMPLES


def test_restarts_go_on_only_until_they_have_the_samples(restarts):
    # a pass of 0.7 s: 86 passes by 60 s, on until the 100th (70 s), not to 85 s
    run = restarts(0.7, extend_until=EXTEND_UNTIL, samples=100)
    assert run.passes == 100
    assert run.now == pytest.approx(70.0)


def test_fast_restarts_stop_at_the_shorter_share(restarts):
    # a pass of 0.1 s: 600 passes by 60 s, far more than the samples
    run = restarts(0.1, extend_until=EXTEND_UNTIL, samples=solver.RESTART_SAMPLES)
    assert run.now == pytest.approx(UNTIL)


def test_restarts_without_an_extension_stop_at_their_share(restarts):
    run = restarts(1.0)
    assert run.now == pytest.approx(UNTIL)
    assert run.passes == UNTIL


def test_big_plans_take_the_extension_and_small_problems_do_not(monkeypatch):
    """``_search`` extends the restarts of decomposed problems only."""
    calls = []
    monkeypatch.setattr(solver, "_restarts", lambda *args, **kw: calls.append((args, kw)))
    monkeypatch.setattr(solver, "_cp_sat_full", lambda run: (None, None))
    monkeypatch.setattr(solver, "tabu_applicable", lambda problem: False)
    monkeypatch.setattr("med_aps_engine.decompose.improve", lambda run: False)
    for n, decomposed in ((250, False), (250, True)):
        calls.clear()
        ops = {str(k): None for k in range(n)}
        problem = SimpleNamespace(
            operations=ops, has_named_tools=False, is_pure_makespan=False, objective={}
        )
        options = SimpleNamespace(
            time_limit=LIMIT, max_model_operations=100 if decomposed else 1000
        )
        run = SimpleNamespace(p=problem, o=options, repair=False, best={})
        solver._search(run, ["due"], "due")
        ((args, kw),) = calls
        if decomposed:
            assert args[3] == pytest.approx(UNTIL)
            assert kw == {
                "extend_until": pytest.approx(EXTEND_UNTIL),
                "samples": solver.RESTART_SAMPLES,
            }
        else:
            assert args[3] == pytest.approx(0.05 * LIMIT) and kw == {}
