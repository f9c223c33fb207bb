"""A lower bound of the objective that needs no solver (for decomposed plans).

A decomposed solve never has one model of the whole problem, so CP-SAT cannot prove a bound
for it. This bound relaxes the problem to its paths and its machine loads:

* a job cannot finish before the longest path of releases, minimum lags and shortest working
  times that leads to one of its operations ends (fixed operations at their fixed start);
* a resource cannot finish the operations that only it can run before the earliest of their
  heads plus their total shortest working time divided by its capacity;
* changeovers and moved operations cost at least nothing.

* a machine group's queue: see *queueing relaxation* below; the k-th operation of a group
  to start waits for the k-th to end in the group before it, and a batch work center's
  operations for whole cycles.

Calendars, changeovers, batching and maximum lags only make plans longer, so the bound is
valid for every plan.
"""

import bisect
import heapq
import math
import time
from dataclasses import dataclass, field

import numpy as np

from .heuristic import _min_work


def _heads(problem, work):
    """Earliest start and earliest end of every operation: ``(head, end)``. A free
    operation ends no earlier than its shortest work on the working time of the work
    center that would end it first (a night or a weekend in between counts)."""
    ops = problem.operations
    head = {}
    end = {}
    for oid in problem.topo_order:
        op = ops[oid]
        fixed = problem.fixed_position(op)
        if fixed is not None:
            head[oid] = fixed[1]
            end[oid] = fixed[1] + work[oid]
            continue
        h = max(0, op.release)
        for pred in op.predecessors:
            h = max(h, end[pred.op] + pred.min_lag)
        head[oid] = h
        end[oid] = min(_calendar_end(problem, op, mode, h) for mode in op.modes)
    return head, end


def _calendar_end(problem, op, mode, start):
    minutes = problem.work_minutes(op, mode)
    finish = problem.resources[mode.resource].calendar.finish(start, minutes)
    # past the last window (no valid plan gets there) as if it stayed open
    return start + minutes if finish is None else max(finish, start + minutes)


def _resource_finish(problem, work, head):
    """Earliest time each resource can finish the operations only it can run."""
    load = {}
    for op in problem.operations.values():
        if problem.fixed_position(op) is not None:
            continue
        resources = {m.resource for m in op.modes}
        if len(resources) != 1:
            continue
        rid = next(iter(resources))
        if problem.resources[rid].is_batch:
            continue  # one cycle serves several operations
        lo, total = load.get(rid, (None, 0))
        lo = head[op.id] if lo is None else min(lo, head[op.id])
        load[rid] = (lo, total + work[op.id])
    return {
        rid: lo + -(-total // problem.resources[rid].capacity) for rid, (lo, total) in load.items()
    }


def lower_bound(problem, deadline=None):
    """Lower bound of ``schedule.evaluate(problem, plan)["objective"]`` over all plans. The
    queueing relaxation stops at ``deadline`` (``time.monotonic()``), weaker but valid."""
    ops = problem.operations
    work = {oid: _min_work(problem, op) for oid, op in ops.items()}
    head, end = _heads(problem, work)
    w = problem.objective
    wt = flow = 0
    latest = 0
    path_finish = {}
    for job in problem.jobs.values():
        if not job.operations:
            continue
        finish = path_finish[job.id] = max(end[o] for o in job.operations)
        latest = max(latest, finish)
        flow += finish - job.release
        if job.due is not None and finish > job.due:
            wt += job.weight * (finish - job.due)
    extra, queue_makespan = queueing_bound(problem, head, end, work, path_finish, deadline)
    makespan = max([latest, queue_makespan, *_resource_finish(problem, work, head).values()])
    bound = w["weighted_tardiness"] * wt + w["makespan"] * makespan + w["flow_time"] * flow + extra
    if isinstance(bound, float) and bound.is_integer():
        bound = int(bound)
    return bound


# ---------------------------------------------------------------------- queueing relaxation
# On plants whose lateness comes from queueing, the path bound above is near zero: every job
# alone could be on time. The bound below relaxes each machine group (work centers joined
# by operations that may run on either) to one machine as fast as all its units together,
# with release dates and preemption, and keeps its queue:
#
# * In any plan, sort the group's operations by completion. The k-th completes no earlier
#   than the k-th completion of the preemptive SRPT schedule of the relaxed machine (SRPT
#   minimises every k-th completion time on one preemptive machine; a machine of speed c
#   does at least what c units do in the same time).
# * The operation at position k of a job completes no earlier than that, nor than its own
#   release plus work; its job finishes no earlier than that plus the path after it (tail)
#   and than the job's path bound.
# * Costs grow with k, so the jobs' representative operations (one per job: the others
#   cost nothing) take the first positions of an optimal assignment; the cheapest
#   assignment of jobs to those positions is a lower bound of their weighted tardiness and
#   flow time together. Jobs outside the group keep their path bound. The best group gives
#   the bound (each job counted once).
# * The k-th completion is also bounded from the starts: if the k-th operation to start
#   there starts no earlier than R[k] (its head, or the k-th end in the group upstream of
#   it: distinct operations wait for distinct predecessors), then of the first k to end
#   at least k - i + 1 did all their work after R[i], the smallest works at least; a batch
#   work center needs whole cycles for them (``_released_completions``). This carries a
#   bottleneck's queue and the nights of the work centers before it down the routing.
# * Makespan: Jackson's preemptive schedule (largest tail first) on the relaxed machine is
#   optimal for the preemptive relaxation with heads and tails.
# Calendars, changeovers, secondary resources and unit choice only lengthen a plan; fixed
# work is left out of groups, and so are work centers joined to batch work centers of
# another kind (a batch work center's group counts slots of its cycles).

# beyond this many jobs in one group the assignment is not solved (the bound stays valid)
ASSIGNMENT_MAX_JOBS = 2500
COST_SCALE = 1000  # assignment costs are integers: floored, so the bound stays below


def _tails(problem, work):
    """Per operation, the jobs whose end waits for its end and the minimum minutes between:
    ``{op id: {job id: minutes}}``. Its own job through the steps after it; the orders that
    wait for its order (a component order's last step) through their paths."""
    ops = problem.operations
    after = {}
    for oid in reversed(problem.topo_order):
        op = ops[oid]
        reach = {op.job: 0}
        for succ, min_lag, _max_lag in op.successors:
            gap = min_lag + work[succ]
            for job, minutes in after[succ].items():
                if reach.get(job, -1) < gap + minutes:
                    reach[job] = gap + minutes
        after[oid] = reach
    return after


@dataclass
class _MachineGroup:
    """Work centers joined by operations that may run on either, relaxed to one preemptive
    machine: ``work`` is what each operation needs of it and ``rate`` what it does per
    minute with every unit open; a batch work center does ``max_size`` slots per unit, an
    operation needs ``cycle x batch_size`` of them."""

    resources: list
    oids: list = field(default_factory=list)
    work: dict = field(default_factory=dict)
    slots: int = 1  # batch: operations' shares of a cycle per unit; else 1
    completions: object = None  # sorted lower bounds of its completions (numpy array)

    def units(self, problem):
        return sum(problem.resources[rid].capacity for rid in self.resources)

    def profile(self, problem):
        """``[(start, end, rate)]``: what the group does per minute, from minute 0 on (the
        last segment open-ended); a closed unit does nothing."""
        resources = [problem.resources[rid] for rid in self.resources]
        marks = {0}
        for res in resources:
            for a, b in res.calendar.windows:
                marks.update((max(0, a), max(0, b)))
        marks = sorted(marks)
        segments = []
        for a, b in zip(marks, [*marks[1:], math.inf], strict=True):
            rate = sum(
                res.capacity * self.slots
                for res in resources
                if res.calendar.always or _open_at(res.calendar, a)
            )
            if b == math.inf and rate == 0:
                # after the last window (no valid plan reaches it): as if always open
                rate = self.units(problem) * self.slots
            if segments and segments[-1][2] == rate:
                segments[-1] = (segments[-1][0], b, rate)
            else:
                segments.append((a, b, rate))
        return segments


def _open_at(calendar, minute):
    index = bisect.bisect_right(calendar.starts, minute) - 1
    return index >= 0 and minute < calendar.ends[index]


def _machine_groups(problem, work):
    """The machine groups of the free operations. Fixed operations stay out; so do the
    operations of groups mixing batch and other work centers, or batch work centers of
    different cycles or sizes."""
    parent = {}

    def find(rid):
        while parent.setdefault(rid, rid) != rid:
            parent[rid] = parent[parent[rid]]
            rid = parent[rid]
        return rid

    members = []
    for op in problem.operations.values():
        if problem.fixed_position(op) is not None:
            continue
        resources = {m.resource for m in op.modes}
        first = find(next(iter(resources)))
        for rid in resources:
            parent[find(rid)] = first
        members.append(op)
    groups = {}
    for rid in parent:
        groups.setdefault(find(rid), _MachineGroup(resources=[])).resources.append(rid)
    for group in list(groups.values()):
        kinds = {
            (res.batch_cycle, res.batch_max_size) if res.is_batch else None
            for res in (problem.resources[rid] for rid in group.resources)
        }
        if len(kinds) != 1:
            groups = {k: g for k, g in groups.items() if g is not group}
            continue
        kind = kinds.pop()
        if kind is not None:
            group.slots = kind[1]
    for op in members:
        group = groups.get(find(op.modes[0].resource))
        if group is None:
            continue
        group.oids.append(op.id)
        if group.slots > 1 or problem.resources[group.resources[0]].is_batch:
            cycle = problem.resources[group.resources[0]].batch_cycle
            group.work[op.id] = cycle * max(1, op.batch_size)
        else:
            group.work[op.id] = work[op.id]
    return [g for g in groups.values() if g.oids]


def _srpt_completions(releases_and_work, profile):
    """Sorted completion times of preemptive SRPT (shortest remaining work first) on one
    machine doing ``rate`` work per minute over each ``(start, end, rate)`` of ``profile``,
    rounded up to whole minutes."""
    jobs = sorted(releases_and_work)
    done = []
    queue = []  # remaining work
    now = 0.0
    segment = 0
    i = 0
    while i < len(jobs) or queue:
        if not queue:
            now = max(now, jobs[i][0])
        while i < len(jobs) and jobs[i][0] <= now:
            heapq.heappush(queue, jobs[i][1])
            i += 1
        while profile[segment][1] <= now:
            segment += 1
        _start, end, rate = profile[segment]
        next_event = min(jobs[i][0] if i < len(jobs) else math.inf, end)
        if queue[0] <= 0:
            # no work: done when released, open or not
            heapq.heappop(queue)
            done.append(_ceil(now))
            continue
        if rate == 0:
            now = next_event
            continue
        remaining = heapq.heappop(queue)
        finish = now + remaining / rate
        if finish <= next_event:
            now = finish
            done.append(_ceil(now))
        else:
            heapq.heappush(queue, remaining - (next_event - now) * rate)
            now = next_event
    return done


def _ceil(minute):
    # float arithmetic: an exact whole minute may come out a hair above it
    return math.ceil(minute - 1e-6)


def _jackson_makespan(items, speed):
    """Preemptive makespan with heads and tails (largest tail first) on one machine of
    ``speed``, rounded up to whole minutes (time in 1/speed minutes, exact)."""
    jobs = sorted((head * speed, work, tail * speed) for head, work, tail in items)
    queue = []  # (-tail, remaining)
    now = 0
    best = 0
    i = 0
    while i < len(jobs) or queue:
        if not queue:
            now = max(now, jobs[i][0])
        while i < len(jobs) and jobs[i][0] <= now:
            heapq.heappush(queue, (-jobs[i][2], jobs[i][1]))
            i += 1
        neg_tail, remaining = heapq.heappop(queue)
        next_release = jobs[i][0] if i < len(jobs) else math.inf
        finish = now + remaining
        if finish <= next_release:
            now = finish
            best = max(best, now - neg_tail)
        else:
            heapq.heappush(queue, (neg_tail, remaining - (next_release - now)))
            now = next_release
    return -(-best // speed)


class _Capacity:
    """The cumulative work a group's profile does from minute 0, and its inverse, for many
    values at once (numpy arrays)."""

    def __init__(self, profile):
        self.starts = np.array([a for a, _b, _rate in profile], dtype=np.float64)
        self.rates = np.array([rate for _a, _b, rate in profile], dtype=np.float64)
        if self.rates[-1] <= 0:
            self.rates[-1] = 1.0  # closed for good: no plan gets there, as if open
        lengths = np.diff(self.starts)
        self.done = np.concatenate([[0.0], np.cumsum(lengths * self.rates[:-1])])

    def at(self, minute):
        """Work done in ``[0, minute)``."""
        index = np.searchsorted(self.starts, minute, side="right") - 1
        return self.done[index] + (minute - self.starts[index]) * self.rates[index]

    def when(self, amount):
        """Earliest minute by which ``amount`` of work is done (0 for none)."""
        amount = np.asarray(amount, dtype=np.float64)
        # the segment in which the work done reaches the amount (it grows there)
        index = np.maximum(np.searchsorted(self.done, amount, side="left") - 1, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            minute = self.starts[index] + (amount - self.done[index]) / self.rates[index]
        return np.where(amount > 0, minute, 0.0)


# how many of a group's release ranks the released-completions bound tries (each rank alone
# gives a valid bound, so trying fewer weakens it only)
RELEASE_RANKS_MAX = 1500


def _released_completions(problem, group, releases, capacity):
    """Sorted lower bounds of a group's completions when its ``k``-th operation to start
    starts no earlier than ``releases[k]`` (sorted), whichever operation that is.

    Of the first ``k`` operations to complete, at most ``i - 1`` started before
    ``releases[i]``: the other ``k - i + 1`` at least did all their work after it, at least
    the ``k - i + 1`` smallest works of the group, which the group's working time cannot do
    faster than its profile. On batch work centers they need at least
    ``ceil(sizes / max_size)`` cycles (the smallest sizes) of a unit each; when the units
    share one calendar, the busiest runs ``ceil(cycles / units)`` of them one after
    another. Every ``i`` gives a bound; the largest holds."""
    n = len(releases)
    resources = [problem.resources[rid] for rid in group.resources]
    if resources[0].is_batch:
        units = group.units(problem)
        sizes = np.cumsum(sorted(max(1, problem.operations[o].batch_size) for o in group.oids))
        cycles = np.ceil(sizes / group.slots)
        if _one_calendar(resources):
            cycles = np.ceil(cycles / units) * units
        needed = cycles * resources[0].batch_cycle * group.slots
    else:
        needed = np.cumsum(sorted(group.work[o] for o in group.oids)).astype(np.float64)
    releases = np.asarray(releases, dtype=np.float64)
    done_by_release = capacity.at(releases)
    best = np.zeros(n)
    step = max(1, -(-n // RELEASE_RANKS_MAX))
    for i in range(0, n, step):
        ends = capacity.when(done_by_release[i] + needed[: n - i])
        np.maximum(best[i:], np.maximum(ends, releases[i]), out=best[i:])
    return np.ceil(best - 1e-6)


def _one_calendar(resources):
    """True when all these work centers are open at the same minutes."""
    return len({None if r.calendar.always else tuple(r.calendar.windows) for r in resources}) == 1


def _upstream_releases(problem, group, upstream, head):
    """Per group already bounded (``upstream``: ``[(group, sorted completions)]``), sorted
    lower bounds of this group's starts: an operation whose direct predecessor runs in that
    group starts no earlier than the predecessor's end plus the minimum lag, and distinct
    operations have distinct predecessors, so the ``k``-th of them to start starts no
    earlier than the ``k``-th completion there (plus the smallest lag); the others no
    earlier than their heads."""
    ops = problem.operations
    found = []
    for other, completions in upstream:
        members = set(other.oids)
        used = set()
        lags = []
        linked = []
        for oid in group.oids:
            for pred in ops[oid].predecessors:
                if pred.op in members and pred.op not in used:
                    used.add(pred.op)
                    lags.append(pred.min_lag)
                    linked.append(oid)
                    break
        if not linked:
            continue
        linked_set = set(linked)
        starts = np.maximum(
            completions[: len(linked)] + min(lags),
            np.sort([head[o] for o in linked]).astype(np.float64),
        )
        rest = [head[o] for o in group.oids if o not in linked_set]
        found.append(np.sort(np.concatenate([starts, np.asarray(rest, dtype=np.float64)])))
    return found


def _bound_completions(problem, groups, head, deadline=None):
    """Set each group's ``completions``: sorted lower bounds of its operations' completion
    times in any plan, the largest of preemptive SRPT from the heads and of the released
    completions bound from the heads and from each group upstream (groups taken in the
    order of the routings, each using those bounded before it)."""
    position = {oid: index for index, oid in enumerate(problem.topo_order)}
    upstream = []
    for group in sorted(groups, key=lambda g: sum(position[o] for o in g.oids) / len(g.oids)):
        profile = group.profile(problem)
        completions = np.array(
            _srpt_completions([(head[o], group.work[o]) for o in group.oids], profile),
            dtype=np.float64,
        )
        if deadline is None or time.monotonic() + _group_seconds(group) <= deadline:
            capacity = _Capacity(profile)
            heads = np.sort([head[o] for o in group.oids]).astype(np.float64)
            for releases in [heads, *_upstream_releases(problem, group, upstream, head)]:
                completions = np.maximum(
                    completions, _released_completions(problem, group, releases, capacity)
                )
        group.completions = completions
        upstream.append((group, completions))


def _min_cost_assignment(costs):
    """Minimum total of a square integer cost matrix (rows to distinct columns), or None."""
    from ortools.graph.python import linear_sum_assignment

    n = costs.shape[0]
    if n == 0:
        return 0
    solver = linear_sum_assignment.SimpleLinearSumAssignment()
    rows, cols = np.indices((n, n))
    solver.add_arcs_with_cost(rows.ravel(), cols.ravel(), costs.ravel())
    if solver.solve() != solver.OPTIMAL:
        return None
    return solver.optimal_cost()


def _group_extra(problem, group, head, end, work, after, path_finish, claimed):
    """What a group's queue adds to the weighted tardiness and flow time of the jobs not in
    ``claimed`` over their path bounds (objective units, >= 0): ``(extra, jobs counted)``.

    Each job counts once, at the operation of the group whose end it waits for longest (its
    own or a component order's); an operation carries the sum of its jobs' costs, which
    grows with its position. Claimed jobs' operations keep their place in the queue."""
    representative = {}  # job -> (reach, op id)
    for oid in group.oids:
        own_end = end[oid]
        for job, minutes in after[oid].items():
            if job in claimed or job not in path_finish:
                continue
            reach = own_end + minutes
            if job not in representative or reach > representative[job][0]:
                representative[job] = (reach, oid)
    carriers = sorted({oid for _reach, oid in representative.values()})
    if not carriers or len(carriers) > ASSIGNMENT_MAX_JOBS:
        return 0, set()
    row_of = {oid: row for row, oid in enumerate(carriers)}
    positions = group.completions[: len(carriers)]
    job_ids = list(representative)
    rows = np.array([row_of[representative[j][1]] for j in job_ids])
    clocks = _Clocks(problem)

    def finishes(at):
        finish = np.empty((len(job_ids), len(at)))
        for row, job in enumerate(job_ids):
            oid = representative[job][1]
            done = np.maximum(at, end[oid])
            if problem.operations[oid].job == job:
                # its own job's later steps, on their work centers' working time
                finish[row] = clocks.job_finish(oid, done, work)
            else:
                finish[row] = done + after[oid][job]
        return finish

    # costs grow with the position: none at the last, none at all
    if not _job_costs(problem, job_ids, finishes(positions[-1:]), path_finish).any():
        return 0, set(job_ids)
    costs = _job_costs(problem, job_ids, finishes(positions), path_finish)
    by_carrier = np.zeros((len(carriers), len(carriers)), dtype=np.float64)
    np.add.at(by_carrier, rows, costs)
    total = _min_cost_assignment(np.floor(by_carrier * COST_SCALE).astype(np.int64))
    return (total / COST_SCALE if total else 0), set(job_ids)


def _job_costs(problem, job_ids, finish, path_finish):
    """Per job (rows) and queue position (columns): what finishing at ``finish`` (or its
    path bound, if later) adds to the job's weighted tardiness and flow time over its path
    bound (objective units, >= 0)."""
    w = problem.objective
    jobs = [problem.jobs[j] for j in job_ids]
    path = np.array([path_finish[j] for j in job_ids], dtype=np.float64)
    finish = np.maximum(finish, path[:, None])
    late_weight = np.array(
        [w["weighted_tardiness"] * j.weight if j.due is not None else 0.0 for j in jobs]
    )
    due = np.array([j.due if j.due is not None else 0 for j in jobs], dtype=np.float64)
    extra = late_weight[:, None] * (
        np.maximum(finish - due[:, None], 0) - np.maximum(path - due, 0)[:, None]
    ) + w["flow_time"] * (finish - path[:, None])
    return np.maximum(extra, 0)


class _Clocks:
    """The work centers' working time, for many end times at once (numpy arrays)."""

    def __init__(self, problem):
        self.problem = problem
        self.cache = {}

    def _clock(self, rid):
        if rid not in self.cache:
            calendar = self.problem.resources[rid].calendar
            if calendar.always or not calendar.windows:
                self.cache[rid] = None
            else:
                starts = np.array(calendar.starts, dtype=np.float64)
                ends = np.array(calendar.ends, dtype=np.float64)
                before = np.array(calendar.cum[: len(starts)], dtype=np.float64)
                knots = np.column_stack([starts, ends]).ravel()
                worked = np.column_stack([before, before + ends - starts]).ravel()
                self.cache[rid] = (starts, ends, before, before + ends - starts, knots, worked)
        return self.cache[rid]

    def finish(self, rid, start, minutes):
        """Earliest end of ``minutes`` of work on ``rid`` started at ``start`` (array)."""
        clock = self._clock(rid)
        if clock is None or minutes <= 0:
            return start + max(minutes, 0)
        starts, ends, before, worked_by_end, knots, worked = clock
        target = np.interp(start, knots, worked) + minutes
        window = np.searchsorted(worked_by_end, target, side="left")
        inside = np.minimum(window, len(starts) - 1)
        end = starts[inside] + (target - before[inside])
        # past the last window (no valid plan gets there) as if it stayed open
        return np.where(window < len(starts), end, ends[-1] + (target - worked_by_end[-1]))

    def job_finish(self, oid, end, work):
        """Earliest end of the operation's job when the operation ends at ``end`` (array):
        each later step of the job on the working time of the work center that ends it
        first."""
        problem = self.problem
        op = problem.operations[oid]
        finish = end
        for succ, min_lag, _max_lag in op.successors:
            step = problem.operations[succ]
            if step.job != op.job:
                continue
            start = end + min_lag
            if problem.fixed_position(step) is not None:
                step_end = start + work[succ]
            else:
                step_end = np.min(
                    [
                        self.finish(m.resource, start, problem.work_minutes(step, m))
                        for m in step.modes
                    ],
                    axis=0,
                )
            finish = np.maximum(finish, self.job_finish(succ, step_end, work))
        return finish


def _group_seconds(group):
    """A generous estimate of a group's relaxation time (its assignment grows with the
    square of its operations), to stay within a deadline."""
    return 2e-5 * len(group.oids) + 4e-7 * len(group.oids) ** 2


def queueing_bound(problem, head, end, work, path_finish, deadline=None):
    """``(extra, makespan)``: what the machine groups' queues add to the path bound of
    weighted tardiness and flow time (objective units), and the largest makespan a group
    proves (preemptive, or its last completion and the shortest path after it).

    Each job's excess over its path bound is counted in one group only: the groups are
    taken in the order of what each adds alone, and each counts the jobs no group before
    it counted (the others keep their place in its queue at no cost), so the extras add
    up. A group that would end past ``deadline`` (``time.monotonic()``) is skipped: what
    the others add holds."""
    after = _tails(problem, work)
    groups = sorted(
        _machine_groups(problem, work),
        key=lambda g: -sum(g.work.values()) / (g.units(problem) * g.slots),
    )
    w = problem.objective
    costs_time = w["weighted_tardiness"] > 0 or w["flow_time"] > 0
    if costs_time:
        _bound_completions(problem, groups, head, deadline)
    makespan = 0
    alone = {}
    for index, group in enumerate(groups):
        if deadline is not None and time.monotonic() + _group_seconds(group) > deadline:
            continue
        tails = [max(after[o].values()) for o in group.oids]
        makespan = max(
            makespan,
            _jackson_makespan(
                [(head[o], group.work[o], t) for o, t in zip(group.oids, tails, strict=True)],
                group.units(problem) * group.slots,
            ),
        )
        if costs_time:
            makespan = max(makespan, int(group.completions[-1]) + min(tails))
            alone[index] = _group_extra(
                problem, group, head, end, work, after, path_finish, claimed=set()
            )
    claimed = set()
    total = 0
    for index in sorted(alone, key=lambda k: -alone[k][0]):
        group = groups[index]
        if not claimed:
            extra, jobs = alone[index]
        elif deadline is not None and time.monotonic() + _group_seconds(group) > deadline:
            continue
        else:
            extra, jobs = _group_extra(problem, group, head, end, work, after, path_finish, claimed)
        total += extra
        claimed |= jobs
    return total, makespan
