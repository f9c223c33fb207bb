"""Decomposition for problems too big for one CP-SAT model: rolling time-window LNS.

The dispatching heuristic gives a complete valid schedule first. Then, until the time limit,
a window of the timeline is re-optimised with the full CP-SAT model (``PlantModel``): the
operations that start inside the window are free, every other operation is fixed where the
incumbent has it (fixed neighbours bound the free operations through precedences, units,
changeovers and batches). The window slides left to right over the schedule (rolling horizon)
and is centred on late jobs once a pass is done, then relaxes one machine group where the
late jobs wait longest (only that group's operations free); its size adapts to how fast the
subproblems solve. A subproblem result is kept only if the objective of the whole schedule
does not get worse.
"""

import bisect
import random
import time

from ortools.sat.python import cp_model

from .model import CP_SAT_MARGIN, SOLUTION_STATUSES, PlantModel, Recorder, solver_parameters
from .schedule import evaluate, moved_operations


def _late_jobs(run):
    p = run.p
    ev = evaluate(p, run.best)
    return [
        jid
        for jid, job in p.jobs.items()
        if job.due is not None and (ev["finish"][jid] or 0) > job.due
    ]


def _group_windows(run, ops_per_window, rng):
    """Yield ``(lo, hi, machines)``: windows over one machine group (the resources an
    operation may use), those where the late jobs wait longest first (weighted minutes from
    ready to start). Only the group's operations are free, so a window spans a longer time
    than a window of every machine with as many operations."""
    p = run.p
    waiting, starts_of_late = {}, {}
    for jid in _late_jobs(run):
        for oid in p.jobs[jid].operations:
            op, a = p.operations[oid], run.best[oid]
            ready = max([op.release] + [run.best[q.op].end + q.min_lag for q in op.predecessors])
            group = tuple(sorted({mode.resource for mode in op.modes}))
            waiting[group] = waiting.get(group, 0) + max(0, a.start - ready) * p.jobs[jid].weight
            starts_of_late.setdefault(group, []).append(a.start)
    for group in sorted(waiting, key=lambda g: (-waiting[g], g))[:8]:
        if waiting[group] <= 0:
            break
        machines = set(group)
        keys = sorted(
            a.start
            for oid, a in run.best.items()
            if a.resource in machines and p.fixed_position(p.operations[oid]) is None
        )
        if not keys:
            continue
        k = bisect.bisect_left(keys, rng.choice(starts_of_late[group]))
        k0 = max(0, k - ops_per_window * 3 // 4)
        k1 = min(len(keys) - 1, k0 + ops_per_window - 1)
        yield keys[k0], keys[k1] + 1, machines


def _windows(run, ops_per_window, rng, pass_no):
    """Yield ``(lo, hi, machines)`` windows covering the incumbent's start times (``machines``
    None: every machine): a rolling pass, a pass on late jobs, a pass on machine groups."""
    p = run.p
    if pass_no % 3 == 2:
        yield from _group_windows(run, ops_per_window, rng)
        return
    starts = sorted(
        (a.start, oid) for oid, a in run.best.items() if p.fixed_position(p.operations[oid]) is None
    )
    if not starts:
        return
    keys = [s for s, _o in starts]
    step = max(1, ops_per_window * 2 // 3)
    if pass_no % 3 == 1:
        # focus on late jobs: windows ending at the last operation of a late job
        late = _late_jobs(run)
        rng.shuffle(late)
        for jid in late[:50]:
            last = max(p.jobs[jid].operations, key=lambda o: run.best[o].start)
            k = bisect.bisect_left(keys, run.best[last].start)
            k0 = max(0, k - ops_per_window + ops_per_window // 4)
            k1 = min(len(starts) - 1, k0 + ops_per_window - 1)
            yield keys[k0], keys[k1] + 1, None
        return
    k = rng.randrange(0, step) if pass_no else 0
    while k < len(starts):
        k1 = min(len(starts) - 1, k + ops_per_window - 1)
        yield keys[k], keys[k1] + 1, None
        k += step


class _WindowSolver:
    """Solves the windows of one improvement, one CP-SAT subproblem each: the operations of a
    window are free, every other one fixed where ``run.best`` has it, and the result is
    offered to ``run`` (kept only if the whole plan's objective improves).

    Shared by the passes of the improvement: the window size (grown when subproblems are
    solved to optimality fast, shrunk when they hit their time limit), the time to build a
    model per free operation (the largest seen) and the number of windows solved."""

    sub_limit = 4.0  # seconds per subproblem at most
    min_solve = 0.3  # seconds a subproblem needs at least

    def __init__(self, run, ops_per_window, prefix, source, label):
        self.run = run
        self.ops_per_window = ops_per_window
        self.prefix = prefix  # of the batch names of a window's model
        self.source = source  # what found the plans offered
        self.label = label  # what a window is called in the progress report
        self.serial = 0
        self.build_per_op = 0.0
        self.improved_any = False

    def has_time(self, free):
        """Whether a model for ``free`` can still be built and solved."""
        return self.run.remaining() > self.min_solve + self.build_per_op * len(free) * 1.5

    def solve(self, free, lo, region_hi, pass_no):
        """Re-optimise the operations ``free`` between ``lo`` and ``region_hi`` (bounded by the
        horizon). Return whether the plan improved, None when no time was left to solve."""
        run = self.run
        p = run.p
        if p.horizon is not None:
            region_hi = min(region_hi, p.horizon)
        fixed = {oid: a for oid, a in run.best.items() if oid not in free}
        self.serial += 1
        t = time.monotonic()
        model = PlantModel(
            p,
            free,
            fixed,
            lo,
            region_hi,
            hint=run.best,
            batch_prefix=f"{self.prefix}{self.serial}-",
        )
        self.build_per_op = max(self.build_per_op, (time.monotonic() - t) / len(free))
        limit = min(self.sub_limit, run.remaining() - CP_SAT_MARGIN)
        if limit < 0.05:
            return None
        solver = solver_parameters(limit, run.o.workers, run.o.seed + pass_no)
        with run.stoppable(solver):
            status = solver.solve(model.m, Recorder())
        improved = False
        if status in SOLUTION_STATUSES:
            new = dict(fixed)
            new.update(model.read(solver))
            improved = run.offer(new, self.source)
            self.improved_any |= improved
        if not improved:
            run.report(
                f"{self.label} {self.serial} ({len(free)} operations): objective {run.best_obj}"
            )
        # adapt the window: grow when subproblems are solved to optimality fast
        wall = solver.wall_time
        if status == cp_model.OPTIMAL and wall < self.sub_limit / 4:
            self.ops_per_window = min(400, int(self.ops_per_window * 1.25) + 1)
        elif status != cp_model.OPTIMAL and wall >= limit * 0.95:
            self.ops_per_window = max(20, int(self.ops_per_window * 0.8))
        return improved


def improve(run):
    """Improve ``run.best`` by windowed CP-SAT subproblems until the time limit.

    ``run.remaining()`` already excludes the time kept for writing and validating the plan.
    A window is only built when the time to build one (measured per free operation on the
    previous windows) plus a short solve still fits; each solve gets what is left after its
    model is built."""
    p = run.p
    rng = random.Random(run.o.seed)
    windows = _WindowSolver(
        run,
        max(3, min(250, run.o.max_model_operations // 5)),
        prefix="w",
        source="cp-sat-lns",
        label="time window",
    )
    pass_no = 0
    while run.remaining() > windows.min_solve + 0.2:
        for lo, hi, machines in _windows(run, windows.ops_per_window, rng, pass_no):
            if run.remaining() <= windows.min_solve + windows.build_per_op * windows.ops_per_window:
                break
            free = {
                oid
                for oid, a in run.best.items()
                if lo <= a.start < hi
                and (machines is None or a.resource in machines)
                and p.fixed_position(p.operations[oid]) is None
            }
            if not free:
                continue
            if not windows.has_time(free):
                break
            free_end = max(run.best[o].end for o in free)
            span = max(hi - lo, 60)
            # just in time: the window reaches the due dates of its jobs
            region_hi = max(
                free_end + span // 2,
                p.just_in_time_reach({p.operations[o].job for o in free}),
            )
            if windows.solve(free, lo, region_hi, pass_no) is None:
                break
        pass_no += 1
        if pass_no > 50:
            break
    return windows.improved_any


# ---------------------------------------------------------------------- neighbourhood repair
def neighbourhood(p, assigns, seeds=()):
    """The operations a repair may move (``SolveOptions.neighbourhood``).

    The core: the operations of the previous plan that ``assigns`` moved (what the kept plan
    had to move), those planned for the first time, and the ``seeds`` the caller knows are
    disrupted. Then the affected resources: every operation on a resource of the core
    (previous or new) between the core's earliest start (previous or new) and its latest
    end there. Then what follows: the later operations of the jobs of all these, through
    their successors. Fixed operations (locked, in progress, frozen) are never in it; a
    fixed seed (work in progress that overran) still marks its resource over its run."""
    ops = p.operations

    def movable(oid):
        return p.fixed_position(ops[oid]) is None

    core = moved_operations(p, assigns)
    core |= {oid for oid in ops if oid not in p.previous_plan}
    core |= {oid for oid in seeds if oid in ops and oid in assigns}
    spans = {}

    def widen(rid, lo, hi):
        span = spans.setdefault(rid, [lo, hi])
        span[0] = min(span[0], lo)
        span[1] = max(span[1], hi)

    for oid in core:
        a = assigns[oid]
        prev = p.previous_plan.get(oid)
        widen(a.resource, a.start if prev is None else min(a.start, prev[1]), a.end)
        if prev is not None and prev[0] != a.resource:
            widen(prev[0], prev[1], prev[1] + a.end - a.start)
    hood = {oid for oid in core if movable(oid)}
    for oid, a in assigns.items():
        span = spans.get(a.resource)
        if span and a.end > span[0] and a.start < span[1] and movable(oid):
            hood.add(oid)
    stack = list(hood)
    while stack:
        oid = stack.pop()
        for succ, _mn, _mx in ops[oid].successors:
            if succ not in hood and movable(succ):
                hood.add(succ)
                stack.append(succ)
    return hood


def improve_neighbourhood(run, seeds=()):
    """Neighbourhood repair: improve ``run.best`` (the kept previous plan) by CP-SAT windows
    over the neighbourhood of the disruption only (``neighbourhood``); every operation
    outside it stays exactly where ``run.best`` has it, whatever it could gain by moving.

    The neighbourhood's operations are taken in the order of their start and freed a window
    of consecutive ones at a time, from the disruption on; a window's model spans from its
    first start to its last end plus half its span, with everything else fixed (so a model
    stays as small as a decomposition window, however far the kept plan pushed some work).
    A result is kept only if the whole plan's objective improves (moves pay the stability
    weight). Passes repeat (the neighbourhood recomputed, the windows shifted) until the
    time limit."""
    p = run.p
    rng = random.Random(run.o.seed)
    windows = _WindowSolver(
        run,
        max(3, min(250, run.o.max_model_operations // 2)),
        prefix="r",
        source="cp-sat-repair",
        label="repair window",
    )
    pass_no = 0
    while run.remaining() > windows.min_solve + 0.2 and pass_no <= 50:
        hood = neighbourhood(p, run.best, seeds)
        if not hood:
            break
        order = sorted(hood, key=lambda oid: (run.best[oid].start, oid))
        step = max(1, windows.ops_per_window * 2 // 3)
        k = rng.randrange(0, step) if pass_no else 0
        improved_pass = False
        while k < len(order):
            free = set(order[k : k + windows.ops_per_window])
            k += step
            if not windows.has_time(free):
                break
            lo = max(0, min(run.best[oid].start for oid in free))
            free_end = max(run.best[oid].end for oid in free)
            improved = windows.solve(free, lo, free_end + max(free_end - lo, 60) // 2, pass_no)
            if improved is None:
                break
            improved_pass |= improved
            step = max(1, windows.ops_per_window * 2 // 3)
        pass_no += 1
        if len(order) <= windows.ops_per_window and not improved_pass and pass_no > 1:
            # the whole neighbourhood fitted one window and nothing more was found
            break
    return windows.improved_any
