"""A lower bound of the objective that needs no solver (for decomposed plans).

A decomposed solve never has one model of the whole problem, so CP-SAT cannot prove a bound
for it. This bound relaxes the problem to its paths and its machine loads:

* a job cannot finish before the longest path of releases, minimum lags and shortest working
  times that leads to one of its operations ends (fixed operations at their fixed start);
* a resource cannot finish the operations that only it can run before the earliest of their
  heads plus their total shortest working time divided by its capacity;
* changeovers and moved operations cost at least nothing.

Calendars, changeovers, batching and maximum lags only make plans longer, so the bound is
valid for every plan; it is weak on plants whose tardiness comes from queueing, which the
reported gap then shows.
"""

from .heuristic import _min_work


def _heads(problem, work):
    ops = problem.operations
    head = {}
    for oid in problem.topo_order:
        op = ops[oid]
        fixed = problem.fixed_position(op)
        if fixed is not None:
            head[oid] = fixed[1]
            continue
        h = max(0, op.release)
        for pred in op.predecessors:
            h = max(h, head[pred.op] + work[pred.op] + pred.min_lag)
        head[oid] = h
    return head


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


def lower_bound(problem):
    """Lower bound of ``schedule.evaluate(problem, plan)["objective"]`` over all plans."""
    ops = problem.operations
    work = {oid: _min_work(problem, op) for oid, op in ops.items()}
    head = _heads(problem, work)
    w = problem.objective
    wt = flow = 0
    latest = 0
    for job in problem.jobs.values():
        if not job.operations:
            continue
        finish = max(head[o] + work[o] for o in job.operations)
        latest = max(latest, finish)
        flow += finish - job.release
        if job.due is not None and finish > job.due:
            wt += job.weight * (finish - job.due)
    makespan = max([latest, *_resource_finish(problem, work, head).values()])
    bound = w["weighted_tardiness"] * wt + w["makespan"] * makespan + w["flow_time"] * flow
    if isinstance(bound, float) and bound.is_integer():
        bound = int(bound)
    return bound
