"""The lower bound a planner reads as "distance to bound": the path-and-load bound against
the queueing relaxation (med_aps_engine/bound.py), on generated plants, in one run.

    python bench/bench_bound.py --jobs 200 1000 --seeds 1 2 --time-limit 30 --workers 2

For each plant: its operations, the objective of the plan ``solve`` returns in the time
limit, and four proven bounds with the gap each gives ``(objective - bound) / objective``:
the reference (paths in plain minutes and loads), paths on the work centers' working time,
the queues from each operation's own head (the queueing relaxation before its cycles and
upstream ranks), and the engine's bound (docs/engine.md), with the CPU seconds the
engine's bound took.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from med_aps_engine import SolveOptions, solve, validate  # noqa: E402
from med_aps_engine import bound as bound_module  # noqa: E402
from med_aps_engine.heuristic import _min_work  # noqa: E402
from med_aps_engine.plantgen import generate_plant  # noqa: E402
from med_aps_engine.problem import load_problem  # noqa: E402


def reference_bound(problem):
    """The bound before this relaxation (the reference): each job's longest path of
    releases, minimum lags and shortest work in plain minutes, each work center's load
    over its units; nights, weekends and queues ignored."""
    ops = problem.operations
    work = {oid: _min_work(problem, op) for oid, op in ops.items()}
    head = {}
    for oid in problem.topo_order:
        op = ops[oid]
        fixed = problem.fixed_position(op)
        if fixed is not None:
            head[oid] = fixed[1]
            continue
        head[oid] = max(
            [max(0, op.release)] + [head[p.op] + work[p.op] + p.min_lag for p in op.predecessors]
        )
    w = problem.objective
    lateness = flow = latest = 0
    for job in problem.jobs.values():
        if not job.operations:
            continue
        finish = max(head[o] + work[o] for o in job.operations)
        latest = max(latest, finish)
        flow += finish - job.release
        if job.due is not None and finish > job.due:
            lateness += job.weight * (finish - job.due)
    loads = bound_module._resource_finish(problem, work, head).values()
    makespan = max([latest, *loads])
    return w["weighted_tardiness"] * lateness + w["makespan"] * makespan + w["flow_time"] * flow


def calendar_path_bound(problem):
    """The engine's bound without its queueing relaxation: paths on working time."""
    original = bound_module.queueing_bound
    bound_module.queueing_bound = lambda *args: (0, 0)
    try:
        return bound_module.lower_bound(problem)
    finally:
        bound_module.queueing_bound = original


def heads_queue_bound(problem):
    """The engine's bound with each group's completions bounded from its operations' own
    heads only (preemptive SRPT): no whole cycles, no ranks from the group upstream."""
    original = bound_module._released_completions
    bound_module._released_completions = lambda problem, group, releases, capacity: (
        bound_module.np.zeros(len(releases))
    )
    try:
        return bound_module.lower_bound(problem)
    finally:
        bound_module._released_completions = original


def measure(n_jobs, seed, time_limit, workers):
    raw = generate_plant(n_jobs, seed=seed)
    problem = load_problem(raw)
    reference = reference_bound(problem)
    calendar = calendar_path_bound(problem)
    heads = heads_queue_bound(problem)
    start = time.process_time()
    queueing = bound_module.lower_bound(problem)
    seconds = time.process_time() - start
    plan = solve(raw, SolveOptions(time_limit=time_limit, workers=workers))
    assert validate(raw, plan) == []
    objective = plan["objective"]
    if max(reference, calendar, heads, queueing) > objective + 1e-6:
        raise AssertionError(
            "a bound above the plan's objective is no bound: %s jobs, seed %s" % (n_jobs, seed)
        )
    return {
        "jobs": n_jobs,
        "seed": seed,
        "ops": len(problem.operations),
        "objective": objective,
        "reference": reference,
        "calendar": calendar,
        "heads": heads,
        "queueing": queueing,
        "gap_reference": (objective - reference) / objective if objective else 0.0,
        "gap_calendar": (objective - calendar) / objective if objective else 0.0,
        "gap_heads": (objective - heads) / objective if objective else 0.0,
        "gap_queueing": (objective - queueing) / objective if objective else 0.0,
        "seconds": seconds,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    print(
        "| jobs | seed | operations | objective | reference bound | gap | + working time "
        "| gap | + queues from heads | gap | + cycles and upstream ranks (engine) | gap "
        "| bound CPU (s) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n_jobs in args.jobs:
        for seed in args.seeds:
            row = measure(n_jobs, seed, args.time_limit, args.workers)
            print(
                "| {jobs} | {seed} | {ops} | {objective:,.0f} | {reference:,.0f} "
                "| {gap_reference:.3f} | {calendar:,.0f} | {gap_calendar:.3f} "
                "| {heads:,.0f} | {gap_heads:.3f} "
                "| {queueing:,.0f} | {gap_queueing:.3f} | {seconds:.2f} |".format(**row),
                flush=True,
            )


if __name__ == "__main__":
    main()
