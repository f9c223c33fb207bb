"""Large-neighbourhood search over the whole plan of a (flexible) job shop.

The time-window decomposition (``decompose.py``) re-plans one slice of the timeline at a
time; on a job shop every slice is tied to the whole critical path, so it freezes early.
This search keeps the whole plan in one model and relaxes a neighbourhood of it:

* ``machines``: every operation on a few machines, chosen where the critical path runs;
* ``window``: every operation starting in a time window around a critical operation;
* ``jobs``: every operation of a few jobs, those on the critical path first.

The operations outside the neighbourhood keep their machine and their order on it (a
precedence between consecutive kept operations of a machine, not a fixed time: the whole
plan can still shift), the relaxed ones are free. CP-SAT re-solves that model with the
incumbent as hint and the incumbent's makespan as upper bound, so a result is never worse;
an equal one is accepted too (it moves the search along a plateau). The neighbourhood size
adapts: it grows while CP-SAT closes neighbourhoods quickly and shrinks when it times out.
"""

import random
import time
from contextlib import nullcontext

from .model import SOLUTION_STATUSES, JobShopModel, solver_parameters

NEIGHBOURHOODS = ("machines", "window", "jobs")
MIN_FREE = 8  # smallest neighbourhood (operations)


def makespan(assigns):
    return max(a.end for a in assigns.values())


def machine_sequences(assigns):
    """``{machine: [op, ...]}`` in start order."""
    seqs = {}
    for oid, a in sorted(assigns.items(), key=lambda kv: (kv[1].start, kv[1].end, kv[0])):
        seqs.setdefault(a.resource, []).append(oid)
    return seqs


def critical_path(problem, assigns):
    """Operations of one critical path of ``assigns`` (each starts when a job or machine
    predecessor ends, back from an operation ending at the makespan)."""
    machine_pred = {}
    for seq in machine_sequences(assigns).values():
        for before, after in zip(seq, seq[1:], strict=False):
            machine_pred[after] = before
    last = max(assigns, key=lambda oid: (assigns[oid].end, oid))
    path = []
    current = last
    while current is not None:
        path.append(current)
        start = assigns[current].start
        nxt = None
        for pred in problem.operations[current].predecessors:
            if assigns[pred.op].end + pred.min_lag == start:
                nxt = pred.op
                break
        if nxt is None:
            before = machine_pred.get(current)
            if before is not None and assigns[before].end == start:
                nxt = before
        current = nxt
    path.reverse()
    return path


class JobShopLns:
    """LNS over the whole plan of a pure-makespan (flexible) job shop (``is_pure_makespan``).

    ``sub_limit`` is the wall time of one neighbourhood's solve (seconds); with
    ``deterministic_limit`` set instead, each solve stops after that much deterministic time
    (with one worker the whole search is then repeatable for a seed)."""

    def __init__(
        self,
        problem,
        seed=0,
        workers=1,
        sub_limit=2.0,
        deterministic_limit=None,
        while_solving=None,
    ):
        self.p = problem
        # context manager around each CP-SAT solve (given the solver): the caller's stop
        self.while_solving = while_solving or (lambda _solver: nullcontext())
        self.rng = random.Random(seed)
        self.seed = seed
        self.workers = workers
        self.sub_limit = sub_limit
        self.deterministic_limit = deterministic_limit
        self.size = max(MIN_FREE, len(problem.operations) // 4)
        self.rounds = 0
        self.build_seconds = 0.0  # longest model build seen (kept out of the deadline)
        self.accepted = 0
        self.improved = 0

    # ------------------------------------------------------------------ neighbourhoods
    def neighbourhood(self, assigns, kind):
        """The operations ``kind`` relaxes around the incumbent's critical path."""
        critical = critical_path(self.p, assigns)
        if kind == "machines":
            return self._machines(assigns, critical)
        if kind == "window":
            return self._window(assigns, critical)
        return self._jobs(assigns, critical)

    def _machines(self, assigns, critical):
        seqs = machine_sequences(assigns)
        on_path = [assigns[oid].resource for oid in critical]
        rest = sorted(seqs)
        self.rng.shuffle(rest)
        free = set()
        # a machine of the critical path first (drawn by how much of the path it carries)
        for machine in [self.rng.choice(on_path), *rest]:
            if len(free) >= self.size:
                break
            free.update(seqs[machine])
        return free

    def _window(self, assigns, critical):
        centre = assigns[self.rng.choice(critical)].start
        by_distance = sorted(assigns, key=lambda oid: (abs(assigns[oid].start - centre), oid))
        return set(by_distance[: self.size])

    def _jobs(self, assigns, critical):
        jobs = sorted({self.p.operations[oid].job for oid in critical})
        self.rng.shuffle(jobs)
        others = sorted(set(self.p.jobs) - set(jobs))
        self.rng.shuffle(others)
        free = set()
        for jid in jobs[: max(1, len(jobs) // 2)] + others:
            if len(free) >= self.size:
                break
            free.update(self.p.jobs[jid].operations)
        return free

    # ------------------------------------------------------------------ one round
    def _model(self, assigns, free):
        """The job-shop model bounded by the incumbent's makespan, the operations outside
        ``free`` on their machine and in their order."""
        model = JobShopModel(self.p, hint=assigns, horizon=makespan(assigns))
        m = model.m
        for seq in machine_sequences(assigns).values():
            kept = [oid for oid in seq if oid not in free]
            for before, after in zip(kept, kept[1:], strict=False):
                m.add(model.start[after] >= model.end[before])
        for oid in assigns:
            lits = model.choice[oid]
            if oid not in free and len(lits) > 1:
                m.add(lits[assigns[oid].resource] == 1)
        return model

    def _solver(self, limit):
        solver = solver_parameters(limit, self.workers, self.seed + self.rounds, jobshop=True)
        if self.deterministic_limit is not None:
            solver.parameters.max_deterministic_time = self.deterministic_limit
            solver.parameters.max_time_in_seconds = max(60.0, limit)
        return solver

    def step(self, assigns, limit):
        """One neighbourhood re-solved: ``(assigns', True)`` when accepted (never worse)."""
        self.rounds += 1
        kind = NEIGHBOURHOODS[self.rounds % len(NEIGHBOURHOODS)]
        free = self.neighbourhood(assigns, kind)
        built = time.monotonic()
        model = self._model(assigns, free)
        self.build_seconds = max(self.build_seconds, time.monotonic() - built)
        solver = self._solver(limit - (time.monotonic() - built))
        with self.while_solving(solver):
            status = solver.solve(model.m)
        closed = solver.status_name(status) == "OPTIMAL"
        # adapt: larger while neighbourhoods close fast, smaller when they time out
        spent = solver.wall_time if self.deterministic_limit is None else solver.deterministic_time
        budget = limit if self.deterministic_limit is None else self.deterministic_limit
        if closed and spent < budget / 2:
            self.size = min(len(self.p.operations), int(self.size * 1.2) + 1)
        elif not closed:
            self.size = max(MIN_FREE, int(self.size * 0.85))
        if status not in SOLUTION_STATUSES:
            return assigns, False
        found = model.read(solver)
        if makespan(found) > makespan(assigns) or found == assigns:
            return assigns, False  # cannot be worse (bounded model); the incumbent stays
        self.accepted += 1
        return found, True

    def improve(self, assigns, deadline, on_improve=None, max_rounds=None, should_stop=None):
        """Improve ``assigns`` until ``deadline`` (``time.monotonic()``), ``max_rounds`` or
        ``should_stop()``; returns the best plan (never worse than ``assigns``).
        ``on_improve(assigns)`` is called on every strictly better one."""
        best = assigns
        while max_rounds is None or self.rounds < max_rounds:
            if should_stop is not None and should_stop():
                break
            left = deadline - time.monotonic() - 2 * self.build_seconds
            if left < 0.2:
                break
            found, accepted = self.step(best, min(self.sub_limit, left - 0.1))
            if not accepted:
                continue
            if makespan(found) < makespan(best):
                self.improved += 1
                if on_improve is not None:
                    on_improve(found)
            best = found
        return best
