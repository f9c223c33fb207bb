"""Reference baselines for the benchmarks (they do not use the engine).

* ``textbook_jobshop``: the plain textbook CP-SAT job-shop model: one interval variable per
  operation, one no-overlap per machine, precedences along each job, makespan via a max
  equality, default parameters apart from the time limit and the worker count.
* ``greedy``: the job-by-job baseline. Jobs are taken in order and every operation is put into
  the first free gap of its machine after its predecessor ends, which is how Odoo's own Plan
  button places work orders. For flexible job shops the machine giving the earliest finish is
  chosen.

Both take the schema-v1 problem dicts produced by ``med_aps_engine.formats`` (capacity-1
machines, no calendars, chained operations) and return plan dicts in the engine's plan format.
"""

import bisect
import time

from ortools.sat.python import cp_model


def _routing(problem):
    """``[(job_id, [(op_id, {resource: duration}), ...]), ...]`` in file order."""
    routing = []
    for job in problem["jobs"]:
        ops = [
            (op["id"], {m["resource"]: int(m["duration"]) for m in op["modes"]})
            for op in job["operations"]
        ]
        routing.append((job["id"], ops))
    return routing


def _plan(status, rows, bound, seconds, method):
    makespan = max((r["end"] for r in rows), default=0)
    return {
        "schema_version": 1,
        "status": status,
        "objective": makespan if rows else None,
        "bound": bound,
        "solve_seconds": round(seconds, 3),
        "method": method,
        "operations": rows,
        "kpis": {"makespan": makespan} if rows else {},
    }


def _row(op_id, job_id, resource, start, end):
    return {
        "op": op_id,
        "job": job_id,
        "resource": resource,
        "unit": 0,
        "start": start,
        "end": end,
        "setup_minutes": 0,
        "changeover_minutes": 0,
        "batch": None,
    }


def textbook_jobshop(problem: dict, time_limit: float = 30.0, workers: int = 2) -> dict:
    """Solve a (non-flexible) job shop with the plain textbook CP-SAT model."""
    t0 = time.monotonic()
    routing = _routing(problem)
    horizon = sum(max(modes.values()) for _j, ops in routing for _o, modes in ops)
    model = cp_model.CpModel()
    per_machine = {}
    starts, ends, machine_of, job_of = {}, {}, {}, {}
    for job_id, ops in routing:
        previous_end = None
        for op_id, modes in ops:
            if len(modes) != 1:
                raise ValueError(
                    f"textbook job-shop model: operation {op_id!r} has {len(modes)} machines "
                    "(flexible job shops are not supported by this baseline)"
                )
            ((machine, duration),) = modes.items()
            start = model.new_int_var(0, horizon, f"s_{op_id}")
            end = model.new_int_var(0, horizon, f"e_{op_id}")
            interval = model.new_interval_var(start, duration, end, f"i_{op_id}")
            per_machine.setdefault(machine, []).append(interval)
            if previous_end is not None:
                model.add(start >= previous_end)
            previous_end = end
            starts[op_id], ends[op_id] = start, end
            machine_of[op_id], job_of[op_id] = machine, job_id
    for intervals in per_machine.values():
        model.add_no_overlap(intervals)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, list(ends.values()))
    model.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = int(workers)
    code = solver.solve(model)
    status = solver.status_name(code)
    rows = []
    bound = None
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = int(solver.best_objective_bound)
        for op_id, start in starts.items():
            rows.append(
                _row(
                    op_id,
                    job_of[op_id],
                    machine_of[op_id],
                    solver.value(start),
                    solver.value(ends[op_id]),
                )
            )
    return _plan(status, rows, bound, time.monotonic() - t0, "textbook-cp-sat")


class _Timeline:
    """Busy intervals of one machine, kept sorted; finds the first free gap."""

    def __init__(self):
        self.starts = []
        self.ends = []

    def earliest(self, ready, duration):
        """Earliest start >= ready such that [start, start+duration) is free."""
        if duration == 0:
            return ready
        i = bisect.bisect_right(self.ends, ready)
        t = ready
        while i < len(self.starts):
            if t + duration <= self.starts[i]:
                return t
            t = max(t, self.ends[i])
            i += 1
        return t

    def insert(self, start, end):
        if end <= start:
            return
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def greedy(problem: dict) -> dict:
    """Job-by-job first-gap placement (earliest finish among eligible machines)."""
    t0 = time.monotonic()
    timelines = {res["id"]: _Timeline() for res in problem["resources"]}
    rows = []
    for job_id, ops in _routing(problem):
        ready = 0
        for op_id, modes in ops:
            best = None
            for machine, duration in modes.items():
                start = timelines[machine].earliest(ready, duration)
                key = (start + duration, start, machine)
                if best is None or key < best[0]:
                    best = (key, machine, start, start + duration)
            _key, machine, start, end = best
            timelines[machine].insert(start, end)
            rows.append(_row(op_id, job_id, machine, start, end))
            ready = end
    return _plan("FEASIBLE", rows, None, time.monotonic() - t0, "greedy")
