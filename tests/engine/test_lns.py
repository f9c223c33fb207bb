"""The whole-plan large-neighbourhood search of job shops: every plan it returns validates,
it never worsens the incumbent, and with one worker and a deterministic time per
neighbourhood it repeats itself for a seed."""

import random
import time

import pytest

from med_aps_engine import SolveOptions, decompose, load_problem, solve, validate
from med_aps_engine import solver as solver_module
from med_aps_engine.heuristic import dispatch
from med_aps_engine.lns import JobShopLns, critical_path, makespan
from med_aps_engine.plan import build_plan
from med_aps_engine.plantgen import generate_plant

from . import helpers as eng


def random_shop(n_jobs, n_machines, seed, flexible=False):
    """A Taillard-like job shop (durations 1-99, each job visits every machine once); with
    ``flexible``, each operation may also run on a second machine, a little slower."""
    rng = random.Random(seed)
    machines = [f"M{m}" for m in range(n_machines)]
    jobs = []
    for j in range(n_jobs):
        order = machines[:]
        rng.shuffle(order)
        ops = []
        for k, machine in enumerate(order):
            d = rng.randint(1, 99)
            modes = [(machine, d, 0)]
            if flexible:
                other = rng.choice([m for m in machines if m != machine])
                modes.append((other, d + rng.randint(0, 20), 0))
            preds = [f"J{j}/{k - 1}"] if k else []
            ops.append(eng.op(f"J{j}/{k}", modes, preds=preds))
        jobs.append(eng.job(f"J{j}", ops))
    return eng.problem([eng.resource(m) for m in machines], jobs)


def _start(raw):
    problem = load_problem(raw)
    assigns, ok = dispatch(problem, "tail")
    assert ok and problem.is_pure_makespan
    return problem, assigns


def _valid(raw, problem, assigns):
    plan = build_plan(problem, assigns, "FEASIBLE", "cp-sat-lns", 0.0)
    return validate(raw, plan) == []


def _search(problem, seed=3):
    return JobShopLns(problem, seed=seed, workers=1, deterministic_limit=0.1)


@pytest.mark.parametrize("flexible", [False, True], ids=["job shop", "flexible"])
def test_every_lns_plan_validates_and_never_worsens(flexible):
    raw = random_shop(6, 4, seed=1, flexible=flexible)
    problem, assigns = _start(raw)
    seen = []
    search = _search(problem)
    current = assigns
    for _ in range(12):
        found, accepted = search.step(current, 5.0)
        assert makespan(found) <= makespan(current)
        assert _valid(raw, problem, found)
        if accepted:
            seen.append(makespan(found))
        current = found
    assert makespan(current) < makespan(assigns)  # the dispatcher's plan is far from optimal
    assert seen == sorted(seen, reverse=True)


def test_improve_reports_strict_improvements_only():
    raw = random_shop(8, 5, seed=2)
    problem, assigns = _start(raw)
    reported = []
    best = _search(problem).improve(
        assigns, time.monotonic() + 60, on_improve=lambda a: reported.append(makespan(a)),
        max_rounds=10,
    )  # fmt: skip
    assert reported == sorted(set(reported), reverse=True)
    assert makespan(best) == (reported[-1] if reported else makespan(assigns))
    assert _valid(raw, problem, best)


def test_deterministic_with_a_seed():
    raw = random_shop(10, 6, seed=4)
    problem, assigns = _start(raw)
    runs = [
        _search(problem, seed=5).improve(assigns, time.monotonic() + 60, max_rounds=8)
        for _ in range(2)
    ]
    assert runs[0] == runs[1]


def test_critical_path_ends_at_the_makespan_and_is_tight():
    raw = random_shop(6, 4, seed=6)
    problem, assigns = _start(raw)
    path = critical_path(problem, assigns)
    assert assigns[path[-1]].end == makespan(assigns)
    assert assigns[path[0]].start == 0
    for before, after in zip(path, path[1:], strict=False):
        assert assigns[before].end == assigns[after].start


def test_neighbourhoods_relax_about_their_size():
    raw = random_shop(10, 6, seed=7)
    problem, assigns = _start(raw)
    search = _search(problem)
    for kind in ("machines", "window", "jobs"):
        free = search.neighbourhood(assigns, kind)
        assert search.size <= len(free) < len(assigns)


def _checking_offers(monkeypatch, raw, method):
    """Validate every plan ``method`` offers to the incumbent during a solve."""
    checked = []
    original = solver_module._Run.offer

    def offer(self, assigns, label, objective=None):
        if label == method:
            plan = build_plan(self.p, assigns, "FEASIBLE", label, 0.0)
            checked.append(validate(raw, plan))
        return original(self, assigns, label, objective)

    monkeypatch.setattr(solver_module._Run, "offer", offer)
    return checked


def test_solve_runs_the_lns_on_a_bigger_shop(monkeypatch):
    raw = random_shop(20, 15, seed=8)  # 300 operations: above the LNS threshold
    checked = _checking_offers(monkeypatch, raw, "cp-sat-lns")
    # by default the LNS only fills what the tabu search leaves of its share; give it time
    monkeypatch.setattr(solver_module, "LNS_SHARE", 0.8)
    plan = solve(raw, SolveOptions(time_limit=6, workers=2))
    assert validate(raw, plan) == []
    assert checked and all(v == [] for v in checked)
    assert plan["progress"] == sorted(plan["progress"], key=lambda p: -p[1])


def test_machine_group_windows_of_a_plant_validate(monkeypatch):
    """The decomposition's pass on the machine group where late jobs wait: every plan it
    offers validates (moulds, operators and maintenance windows included)."""
    raw = generate_plant(30, seed=4, molds=True, operators=True, maintenance=True)
    checked = _checking_offers(monkeypatch, raw, "cp-sat-lns")
    groups = []
    original = decompose._group_windows

    def recording(*args):
        for window in original(*args):
            groups.append(window[2])
            yield window

    def group_passes_only(run, ops_per_window, rng, pass_no):
        # every pass is the machine-group pass: on a loaded machine the rolling and late-job
        # passes could use the whole time limit before the third pass begins
        return decompose._group_windows(run, ops_per_window, rng)

    monkeypatch.setattr(decompose, "_group_windows", recording)
    monkeypatch.setattr(decompose, "_windows", group_passes_only)
    plan = solve(raw, SolveOptions(time_limit=8, workers=2, max_model_operations=40))
    assert validate(raw, plan) == []
    assert groups and all(v == [] for v in checked)


def test_generated_benchmark_shops_are_fixed_per_size_and_seed(tmp_path):
    from med_aps_engine.bench.bench_generated import generate_jobshop, parse_sizes
    from med_aps_engine.formats import read_benchmark

    assert parse_sizes("30x15, 100x20") == [(30, 15), (100, 20)]
    with pytest.raises(ValueError, match="JOBSxMACHINES"):
        parse_sizes("30by15")
    text = generate_jobshop(30, 15, 1)
    assert text == generate_jobshop(30, 15, 1) != generate_jobshop(30, 15, 2)
    path = tmp_path / "shop"
    path.write_text(text)
    problem = read_benchmark("jsplib", str(path))
    assert len(problem["jobs"]) == 30
    assert all(len(job["operations"]) == 15 for job in problem["jobs"])
