"""Tabu search on the critical path ((flexible) job shops): valid, improving, used by
``solve``."""

import random
import time

from med_aps_engine import SolveOptions, solve, validate
from med_aps_engine.formats import _problem, read_jsplib
from med_aps_engine.heuristic import dispatch
from med_aps_engine.plan import build_plan
from med_aps_engine.problem import load_problem
from med_aps_engine.schedule import Assign
from med_aps_engine.tabu import (
    MIN_FLEXIBLE_OPERATIONS,
    MIN_OPERATIONS,
    JobShopTabu,
    applicable,
)

from . import helpers as eng

FT06 = """6 6
2 1 0 3 1 6 3 7 5 3 4 6
1 8 2 5 4 10 5 10 0 10 3 4
2 5 3 4 5 8 0 9 1 1 4 7
1 5 0 5 2 5 3 3 4 8 5 9
2 9 1 3 4 5 5 4 0 3 3 1
1 3 3 3 5 9 0 10 4 4 2 1
"""


def random_jobshop(jobs, machines, seed):
    rng = random.Random(seed)
    rows = []
    for _j in range(jobs):
        order = list(range(machines))
        rng.shuffle(order)
        rows.append([[(m, rng.randint(1, 99))] for m in order])
    return _problem(machines, 0, rows)


def random_flexible_shop(jobs, steps, machines, seed):
    """Each step on one to three machines with their own durations; consecutive steps of a
    job often share a machine (few machines)."""
    rng = random.Random(seed)
    rows = []
    for _j in range(jobs):
        row = []
        for _s in range(steps):
            choices = rng.sample(range(machines), rng.randint(1, min(3, machines)))
            row.append([(m, rng.randint(1, 20)) for m in choices])
        rows.append(row)
    return _problem(machines, 0, rows)


def makespan(assigns):
    return max(a.end for a in assigns.values())


def check(raw, assigns):
    prob = load_problem(raw)
    plan = build_plan(prob, assigns, "FEASIBLE", "tabu", 0.0)
    assert validate(raw, plan) == [], validate(raw, plan)[:3]


def test_ft06_reaches_the_optimum(tmp_path):
    path = tmp_path / "ft06"
    path.write_text(FT06)
    raw = read_jsplib(path)
    prob = load_problem(raw)
    start, ok = dispatch(prob, "due")
    assert ok and makespan(start) > 55
    found = JobShopTabu(prob, seed=1).improve(start, time.monotonic() + 5.0)
    assert makespan(found) == 55
    check(raw, found)


def test_improves_a_random_job_shop_and_reports_each_new_best():
    raw = random_jobshop(10, 8, seed=3)
    prob = load_problem(raw)
    start, _ok = dispatch(prob, "tail")
    seen = []
    search = JobShopTabu(prob, seed=0)
    found = search.improve(start, time.monotonic() + 1.5, on_improve=seen.append)
    assert makespan(found) < makespan(start)
    assert seen, "no improvement was reported"
    assert [makespan(a) for a in seen] == sorted({makespan(a) for a in seen}, reverse=True)
    assert makespan(seen[-1]) == makespan(found)
    for assigns in (found, seen[0]):
        check(raw, assigns)
    # it searched (many moves evaluated), it did not stop at the first improvement
    assert search.iterations > 100
    assert len(seen) >= 2


def test_patience_stops_before_the_deadline():
    raw = random_jobshop(6, 4, seed=5)
    prob = load_problem(raw)
    start, _ok = dispatch(prob, "tail")
    t0 = time.monotonic()
    found = JobShopTabu(prob).improve(start, t0 + 30.0, stall=50, patience=2)
    assert time.monotonic() - t0 < 10.0
    check(raw, found)


def test_flexible_shop_improves_by_moving_work_to_other_machines():
    raw = random_flexible_shop(12, 8, 5, seed=2)
    prob = load_problem(raw)
    start, _ok = dispatch(prob, "tail")
    seen = []
    found = JobShopTabu(prob, seed=0).improve(start, time.monotonic() + 2.0, on_improve=seen.append)
    assert makespan(found) < makespan(start)
    assert makespan(seen[-1]) == makespan(found)
    moved = [oid for oid in found if found[oid].resource != start[oid].resource]
    assert moved, "no operation changed machine"
    for assigns in (found, seen[0]):
        check(raw, assigns)


def test_only_a_move_to_another_machine_helps():
    # four one-step jobs that run on A or B alike, all started on A: no swap on A can shorten
    # the 20 minutes, moving two of them to B halves it
    raw = eng.problem(
        [eng.resource("A"), eng.resource("B")],
        [eng.job(f"J{k}", [eng.op(f"o{k}", [("A", 5), ("B", 5)])]) for k in range(4)],
    )
    prob = load_problem(raw)
    start = {f"o{k}": Assign("A", 0, 5 * k, 5 * k + 5, 0, None) for k in range(4)}
    found = JobShopTabu(prob, seed=0).improve(start, time.monotonic() + 2.0, patience=2)
    assert makespan(found) == 10
    assert sorted(a.resource for a in found.values()) == ["A", "A", "B", "B"]
    check(raw, found)


def test_steps_of_one_job_on_one_machine_are_never_swapped():
    # two machines, six steps per job: a job's next step is often on the same machine and
    # right after it on the critical path; swapping the two would close a cycle. Short
    # stalls make the search jump back (and perturb the schedule) many times.
    raw = random_flexible_shop(8, 6, 2, seed=7)
    prob = load_problem(raw)
    start, _ok = dispatch(prob, "tail")
    search = JobShopTabu(prob, seed=3)
    found = search.improve(start, time.monotonic() + 1.5, stall=5)
    assert makespan(found) <= makespan(start)
    check(raw, found)
    for u in range(len(search.ids)):
        for v in search.job_succ[u]:
            assert (u, v) not in search._moves([[u, v], [v, u]])


def test_applies_only_to_job_shops_above_the_size_threshold():
    plain = load_problem(random_jobshop(MIN_OPERATIONS // 10 + 1, 10, seed=1))
    assert len(plain.operations) > MIN_OPERATIONS
    assert applicable(plain)
    small = load_problem(random_jobshop(MIN_OPERATIONS // 10, 10, seed=1))
    assert len(small.operations) <= MIN_OPERATIONS
    assert not applicable(small)
    flexible = eng.problem(
        [eng.resource("A"), eng.resource("B")],
        [eng.job("J", [eng.op("o", [("A", 5), ("B", 6)])])],
    )
    assert not applicable(load_problem(flexible))
    # a flexible shop from its own, lower threshold
    big_flexible = load_problem(random_flexible_shop(MIN_FLEXIBLE_OPERATIONS // 10 + 1, 10, 5, 1))
    assert len(big_flexible.operations) > MIN_FLEXIBLE_OPERATIONS
    assert any(len(op.modes) > 1 for op in big_flexible.operations.values())
    assert applicable(big_flexible)
    small_flexible = load_problem(random_flexible_shop(MIN_FLEXIBLE_OPERATIONS // 10, 10, 5, 1))
    assert not applicable(small_flexible)
    due = eng.problem(
        [eng.resource("A")],
        [eng.job("J", [eng.op("o", [("A", 5)])], due=3)],
        objective={"weighted_tardiness": 1, "makespan": 1, "flow_time": 0, "changeover": 0},
    )
    assert not applicable(load_problem(due))


def test_solve_uses_it_and_the_plan_validates(monkeypatch):
    calls = []
    original = JobShopTabu.improve

    def spy(self, assigns, until, **kw):
        calls.append(makespan(assigns))
        return original(self, assigns, until, **kw)

    monkeypatch.setattr(JobShopTabu, "improve", spy)
    raw = random_jobshop(MIN_OPERATIONS // 10 + 1, 10, seed=11)
    plan = solve(raw, SolveOptions(time_limit=4.0, workers=2))
    # once, from the dispatcher's best schedule (no worse than the "tail" rule's)
    assert len(calls) == 1
    assert calls[0] <= makespan(dispatch(load_problem(raw), "tail")[0])
    assert validate(raw, plan) == []
    prob = load_problem(raw)
    first, _ok = dispatch(prob, "tail")
    assert plan["kpis"]["makespan"] <= makespan(first)
    objectives = [obj for _t, obj in plan["progress"]]
    assert objectives == sorted(objectives, reverse=True)


def test_solve_uses_it_on_a_flexible_shop_and_the_plan_validates(monkeypatch):
    calls = []
    original = JobShopTabu.improve

    def spy(self, assigns, until, **kw):
        found = original(self, assigns, until, **kw)
        calls.append((makespan(assigns), makespan(found)))
        return found

    monkeypatch.setattr(JobShopTabu, "improve", spy)
    raw = random_flexible_shop(MIN_FLEXIBLE_OPERATIONS // 10 + 2, 10, 6, seed=4)
    plan = solve(raw, SolveOptions(time_limit=4.0, workers=2))
    assert len(calls) == 1
    assert calls[0][1] <= calls[0][0]
    assert validate(raw, plan) == []
    assert plan["kpis"]["makespan"] <= calls[0][1]


def test_back_jumps_survive_zero_minute_steps():
    # a 0-minute step between two steps of one job on one machine: swapping those two on the
    # critical path closes a cycle; the search (and its perturbing back-jumps) must undo it
    for seed in range(40):
        rng = random.Random(seed)
        rows = []
        for _j in range(6):
            rows.append([[(rng.randrange(3), rng.choice([0, 1, 5, 9]))] for _s in range(6)])
        raw = _problem(3, 0, rows)
        prob = load_problem(raw)
        start, _ok = dispatch(prob, "tail")
        found = JobShopTabu(prob, seed=seed).improve(start, time.monotonic() + 0.15, stall=3)
        # (ties of 0-minute steps in the start order can make the search's own start
        # worse than the dispatcher's: solve keeps the better; here only validity counts)
        check(raw, found)


def test_the_evaluation_after_a_shift_equals_a_full_one():
    # the search updates heads, tails and the topological order after each move only where
    # they change: after every shift of a long random walk (an operation to later or earlier
    # on its machine, over one to four others; over one it is a swap) they must equal a full
    # evaluation, and a shift that closes a cycle must be found as the full one finds it
    cycles = 0
    for seed in range(12):
        rng = random.Random(seed)
        rows = [
            [[(rng.randrange(4), rng.choice([0, 1, 3, 7, 20]))] for _s in range(5)]
            for _j in range(7)
        ]
        prob = load_problem(_problem(4, 0, rows))
        start, _ok = dispatch(prob, "tail")
        search, reference = JobShopTabu(prob, seed=seed), JobShopTabu(prob, seed=seed)
        mpred, msucc = search._sequences(start)
        head, tail, _mk = search._evaluate(mpred, msucc)
        for _step in range(300):
            old = [rng.choice([u for u in range(len(mpred)) if msucc[u] >= 0])]
            for _k in range(rng.randint(1, 4)):
                if msucc[old[-1]] >= 0:
                    old.append(msucc[old[-1]])
            new = [*old[1:], old[0]] if rng.random() < 0.5 else [old[-1], *old[:-1]]
            a, b = mpred[old[0]], msucc[old[-1]]
            first, last = search.pos[old[0]], search.pos[old[-1]]
            search._relink(new, a, b, mpred, msucc)
            full = reference._evaluate(mpred, msucc)
            state = search._evaluate_shift(first, last, new, mpred, msucc, head, tail)
            if full is None:
                assert state is None
                cycles += 1
                search._relink(old, a, b, mpred, msucc)
                continue
            assert state == full
            order, pos = search.order, search.pos
            assert sorted(order) == list(range(len(order)))
            assert all(pos[i] == k for k, i in enumerate(order))
            for i in order:  # every arc runs forward in the kept order
                assert all(pos[x] < pos[i] for x in search.job_pred[i])
                assert mpred[i] < 0 or pos[mpred[i]] < pos[i]
    assert cycles  # the walk did meet shifts that close a cycle


def zero_minute_shop(seed):
    """Six jobs of six steps on three machines, some steps of 0 minutes: one job's steps
    often follow each other on one machine, and heads and tails often tie."""
    rng = random.Random(seed)
    rows = [[[(rng.randrange(3), rng.choice([0, 1, 5, 9]))] for _s in range(6)] for _j in range(6)]
    return _problem(3, 0, rows)


def test_shifts_offered_close_no_cycle():
    # every shift the search offers passed its head/tail test: applied, none may close a
    # cycle (classic shops, flexible shops on two machines where one job's steps follow each
    # other on a machine, shops with 0-minute steps), and applying one gives the state of a
    # full evaluation
    shops = [random_jobshop(12, 6, seed) for seed in range(3)]
    shops += [random_flexible_shop(8, 6, 2, seed) for seed in range(3)]
    shops += [zero_minute_shop(seed) for seed in range(6)]
    offered = 0
    for seed, raw in enumerate(shops):
        prob = load_problem(raw)
        start, _ok = dispatch(prob, "tail")
        search = JobShopTabu(prob, seed=seed)
        reference = JobShopTabu(prob)
        mpred, msucc = search._sequences(start)
        reference._use_machines(search.machine)
        state = search._evaluate(mpred, msucc)
        rng = random.Random(seed)
        for _step in range(150):
            head, tail, makespan = state
            moves = search._shifts(
                search._critical_blocks(head, tail, makespan, msucc), head, tail, mpred, msucc
            )
            if not moves:
                break
            for _est, move in moves:
                old, new, _moved, _forward = move
                a, b = mpred[old[0]], msucc[old[-1]]
                search._relink(new, a, b, mpred, msucc)
                assert reference._evaluate(mpred, msucc) is not None, (seed, move)
                search._relink(old, a, b, mpred, msucc)
                offered += 1
            _est, move = rng.choice(moves)
            state = search._apply_shift(move, state, mpred, msucc, {}, 1, (1, 2))
            assert state == reference._evaluate(mpred, msucc)
    assert offered > 1000


def test_a_shift_makes_its_reverse_tabu_and_nothing_else():
    # after a shift, the move that puts the stretch back in its old order is tabu for the
    # tenure; a move that does not touch the moved operation is not made tabu by it
    prob = load_problem(random_jobshop(12, 6, 3))
    start, _ok = dispatch(prob, "tail")
    search = JobShopTabu(prob, seed=3)
    mpred, msucc = search._sequences(start)
    state = search._evaluate(mpred, msucc)
    tabu = {}
    untouched = 0
    for it in range(1, 60):
        head, tail, makespan = state
        blocks = search._critical_blocks(head, tail, makespan, msucc)
        moves = search._shifts(blocks, head, tail, mpred, msucc)
        _est, move = moves[it % len(moves)]
        old, new, moved, forward = move
        state = search._apply_shift(move, state, mpred, msucc, tabu, it, (5, 5))
        assert search._expiry((new, old, moved, not forward), tabu) == it + 5
        head, tail, makespan = state
        blocks = search._critical_blocks(head, tail, makespan, msucc)
        for _est, other in search._shifts(blocks, head, tail, mpred, msucc):
            if moved not in other[0]:
                assert search._expiry(other, tabu) < it + 5
                untouched += 1
    assert untouched
