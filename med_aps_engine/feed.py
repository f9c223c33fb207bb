"""Feeding a batch bottleneck before the work centers in front of it close.

A sterilizer that runs every hour of the week behind presses, lines and a lab that close for
the weekend sterilizes over the weekend only what was packed by Friday night. Planned from a
Thursday or a Friday, a dispatching pass takes the most urgent orders first, packs too few
loads before the closure, and every cycle the bottleneck loses then delays its whole queue
(bench/README.md, "What the Thursday and Friday gaps are made of").

``closure_feed`` finds such a closure; ``fed_problem`` is a copy of the problem in which some
orders with little work before the batch step, due soon after the urgent ones, are due early
enough to be packed before it. The dispatching restarts of a big plan try such copies when
the first plans leave the batch work center idle in the closure (``idle_minutes``); every
plan is judged on the real due dates.
"""

import dataclasses

from .calendar import merged_windows
from .heuristic import _min_work, heads_and_tails

# a closure counts when it starts within this many minutes of the origin
FEED_HORIZON = 7 * 24 * 60
# ... and lasts at least this many cycles of the batch work center (a weekend; not a night,
# which the next shift's work fills)
FEED_MIN_CYCLES = 3
# what one fed copy draws: the share of the closure's loads it moves ahead, how many of the
# earliest-due orders after the urgent ones it chooses them from (times the loads), and where
# it puts their batch step (a share of the time before the closure, and of the closure)
FEED_LOAD_SHARE = (0.5, 1.0)
FEED_POOL_FACTOR = (2.0, 4.0)
FEED_FIRST_SHARE = (0.25, 0.75)
FEED_LAST_SHARE = (0.1, 0.5)


@dataclasses.dataclass
class ClosureFeed:
    """A closure of every work center before ``resource`` (a batch work center) while it
    stays open, and the orders that could be packed for it."""

    resource: str
    start: int
    end: int
    loads: int  # batch sizes the batch work center can run in the closure
    pool: list  # job ids whose batch step may wait for the closure, earliest due first
    upstream: dict  # job id -> shortest work before its batch step (minutes)
    batch_tail: dict  # job id -> shortest path from its batch step's start to its end
    size: dict  # job id -> batch size of its batch step


def _batch_steps(problem):
    """``{resource: {job id: op id}}``: the steps that run only on one batch work center."""
    steps = {}
    for op in problem.operations.values():
        resources = {m.resource for m in op.modes}
        if len(resources) != 1:
            continue
        rid = next(iter(resources))
        if problem.resources[rid].is_batch:
            steps.setdefault(rid, {}).setdefault(op.job, op.id)
    return steps


def _bottleneck(problem, steps):
    """The batch work center with the most cycle time per unit, or None."""

    def load(rid):
        res = problem.resources[rid]
        sizes = sum(max(1, problem.operations[oid].batch_size) for oid in steps[rid].values())
        return sizes / (res.batch_max_size * res.capacity) * res.batch_cycle

    return max(steps, key=load, default=None)


def _upstream(problem, oid):
    """The steps ``oid`` waits for, through its predecessors."""
    ops = problem.operations
    seen = set()
    stack = [oid]
    while stack:
        for pred in ops[stack.pop()].predecessors:
            if pred.op not in seen:
                seen.add(pred.op)
                stack.append(pred.op)
    return seen


def _first_closure(problem, resource_ids, batch):
    """The first ``[start, end)`` after the origin in which every one of ``resource_ids`` is
    closed, starting within FEED_HORIZON and at least FEED_MIN_CYCLES cycles of ``batch``
    long; None if there is none."""
    calendars = [problem.resources[rid].calendar for rid in resource_ids]
    if any(calendar.always for calendar in calendars):
        return None
    merged = merged_windows(calendars)
    for (_start, reach), (a, _end) in zip(merged, merged[1:], strict=False):
        if reach > FEED_HORIZON:
            return None
        if reach > 0 and a - reach >= FEED_MIN_CYCLES * batch.batch_cycle:
            return reach, a
    return None


def closure_feed(problem):
    """The first closure of the work before the busiest batch work center, or None."""
    steps = _batch_steps(problem)
    rid = _bottleneck(problem, steps)
    if rid is None:
        return None
    batch = problem.resources[rid]
    if not batch.batch_cycle:
        return None  # cycles of no time: nothing to feed, no closure to count in them
    ops = problem.operations
    before = {job: _upstream(problem, oid) for job, oid in steps[rid].items()}
    resource_ids = {m.resource for oids in before.values() for o in oids for m in ops[o].modes}
    if not resource_ids or rid in resource_ids:
        return None
    closure = _first_closure(problem, resource_ids, batch)
    if closure is None:
        return None
    start, end = closure
    cycles = batch.calendar.working_minutes(start, end) // batch.batch_cycle
    if cycles < FEED_MIN_CYCLES:
        return None
    head, tail = heads_and_tails(problem)
    pool = []
    upstream = {}
    batch_tail = {}
    size = {}
    for job_id, oid in steps[rid].items():
        job = problem.jobs[job_id]
        if job.due is None or head[oid] >= start:
            continue
        if any(problem.fixed_position(ops[o]) is not None for o in job.operations):
            continue
        batch_tail[job_id] = tail[oid]
        if job.due - tail[oid] < start:
            continue  # urgent: its batch step is due before the closure anyway
        pool.append(job_id)
        upstream[job_id] = sum(_min_work(problem, ops[o]) for o in before[job_id])
        size[job_id] = max(1, ops[oid].batch_size)
    if not pool:
        return None
    pool.sort(key=lambda j: (problem.jobs[j].due, problem.jobs[j].name, j))
    loads = cycles * batch.capacity * batch.batch_max_size
    return ClosureFeed(rid, start, end, loads, pool, upstream, batch_tail, size)


def fed_problem(problem, feed, rng):
    """A copy of ``problem`` in which some orders of ``feed.pool`` are due early enough for
    their batch step to run before or in the closure (random draws from ``rng``); the
    original is untouched."""
    loads = max(1, round(feed.loads * rng.uniform(*FEED_LOAD_SHARE)))
    # how many of the earliest-due orders fill that many loads (batch sizes)
    orders = _orders_filling(feed.pool, feed.size, loads)
    pool = feed.pool[: max(orders, round(orders * rng.uniform(*FEED_POOL_FACTOR)))]
    rank = {job_id: k for k, job_id in enumerate(pool)}
    by_work = sorted(pool, key=lambda j: (feed.upstream[j], rank[j]))
    chosen = by_work[: _orders_filling(by_work, feed.size, loads)]
    chosen.sort(key=rank.get)
    first = feed.start * rng.uniform(*FEED_FIRST_SHARE)
    last = feed.start + (feed.end - feed.start) * rng.uniform(*FEED_LAST_SHARE)
    jobs = dict(problem.jobs)
    for k, job_id in enumerate(chosen):
        target = first + (last - first) * k / max(1, len(chosen) - 1)
        job = jobs[job_id]
        due = min(job.due, int(target) + feed.batch_tail[job_id])
        jobs[job_id] = dataclasses.replace(job, due=due)
    return dataclasses.replace(problem, jobs=jobs)


def _orders_filling(job_ids, size, loads):
    """How many of ``job_ids``, in their order, it takes for their batch sizes to reach
    ``loads`` (all of them if they do not)."""
    total = 0
    for count, job_id in enumerate(job_ids, 1):
        total += size[job_id]
        if total >= loads:
            return count
    return len(job_ids)


def idle_minutes(problem, feed, assigns):
    """Minutes the batch work center's units stand open and idle in the closure in
    ``assigns``."""
    res = problem.resources[feed.resource]
    a, b = feed.start, feed.end
    open_minutes = res.calendar.working_minutes(a, b)
    cycles = {(x.unit, x.start, x.end) for x in assigns.values() if x.resource == feed.resource}
    busy = sum(max(0, min(end, b) - max(start, a)) for _unit, start, end in cycles)
    return max(0, res.capacity * open_minutes - busy)
