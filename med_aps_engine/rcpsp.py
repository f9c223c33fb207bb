"""Single-mode RCPSP (PSPLIB): reader, heuristic, CP-SAT model, checker.

``med-aps solve FILE.rcp --format rcpsp`` reads a Patterson file (``n k``, the ``k``
capacities, then per activity: duration, ``k`` demands, number of successors, successors;
1-based, activity 1 the dummy source and ``n`` the dummy sink) and writes
``{"makespan", "status", "bound", "activities": [{"activity", "start", "end"}]}``.

An RCPSP activity occupies no machine of its own: it only draws on renewable resources
of capacity ``c_r``. The plant model always puts an operation on one unit of a main
resource (unit literals, a no-overlap per unit), so RCPSP is solved by this direct model of
the same families instead (cumulative per resource, precedences, makespan), which adds
what pays off on RCPSP:

* a first schedule from serial schedule generation with several priority rules and random
  sampling, improved by forward-backward improvement (justification); it is the hint and
  its makespan the horizon;
* start windows from the critical path (heads) and the horizon minus the remaining path
  (tails);
* a redundant no-overlap over the activities that pairwise cannot run together (their
  demands on one resource exceed its capacity), which propagates like a machine;
* the makespan's lower bound from the critical path and each resource's energy;
* when the full model has not proven its schedule optimal within its share of the time, a
  large neighbourhood search: windows of consecutive activities re-optimised by short CP-SAT
  sub-solves (``lns``).
"""

import math
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .formats import BenchmarkFormatError, _Tokens

SOLUTION_STATUSES = (cp_model.OPTIMAL, cp_model.FEASIBLE)


@dataclass
class Rcpsp:
    """Activities ``0..n-1`` (file numbers minus one), all in topological order."""

    name: str
    capacities: list
    durations: list
    demands: list  # per activity: one demand per resource
    successors: list  # per activity: list of activity indices
    predecessors: list

    @property
    def n(self):
        return len(self.durations)


def read_rcpsp(path) -> Rcpsp:
    """Read a PSPLIB Patterson (``.rcp``) file; ``BenchmarkFormatError`` names file and line."""
    toks = _Tokens(path)
    n = toks.int("number of activities", minimum=2)
    k = toks.int("number of resources", minimum=0)
    capacities = [toks.int(f"capacity of resource {r + 1}", minimum=0) for r in range(k)]
    durations, demands, successors = [], [], []
    for a in range(n):
        durations.append(toks.int(f"activity {a + 1}: duration", minimum=0))
        demands.append([toks.int(f"activity {a + 1}: demand {r + 1}", minimum=0) for r in range(k)])
        count = toks.int(f"activity {a + 1}: number of successors", minimum=0)
        succ = []
        for _ in range(count):
            line = toks.peek_line()
            j = toks.int(f"activity {a + 1}: successor", minimum=1)
            if j > n:
                raise toks.error(line, f"activity {a + 1}: successor {j} is beyond {n}")
            if j == a + 1:
                raise toks.error(line, f"activity {a + 1}: is its own successor")
            succ.append(j - 1)
        successors.append(succ)
    toks.expect_end()
    for a in range(n):
        for r in range(k):
            if demands[a][r] > capacities[r]:
                raise BenchmarkFormatError(
                    f"{toks.name}: activity {a + 1}: demand {demands[a][r]} on resource {r + 1} "
                    f"exceeds its capacity {capacities[r]}"
                )
    predecessors = [[] for _ in range(n)]
    for a, succ in enumerate(successors):
        for b in succ:
            predecessors[b].append(a)
    problem = Rcpsp(toks.name, capacities, durations, demands, successors, predecessors)
    topological_order(problem)  # refuses cycles
    return problem


def topological_order(problem):
    indeg = [len(p) for p in problem.predecessors]
    order = [a for a in range(problem.n) if indeg[a] == 0]
    for a in order:
        for b in problem.successors[a]:
            indeg[b] -= 1
            if indeg[b] == 0:
                order.append(b)
    if len(order) < problem.n:
        cyclic = min(a for a in range(problem.n) if indeg[a] > 0)
        raise BenchmarkFormatError(
            f"{problem.name}: precedence cycle through activity {cyclic + 1}"
        )
    return order


def heads_and_tails(problem, order=None):
    """Earliest starts and remaining path lengths (duration included) without resources."""
    order = order or topological_order(problem)
    head = [0] * problem.n
    for a in order:
        for b in problem.successors[a]:
            head[b] = max(head[b], head[a] + problem.durations[a])
    tail = [0] * problem.n
    for a in reversed(order):
        tail[a] = problem.durations[a] + max((tail[b] for b in problem.successors[a]), default=0)
    return head, tail


def lower_bound(problem):
    """Critical path and, per resource, total energy over capacity."""
    _head, tail = heads_and_tails(problem)
    bound = max(tail)
    for r, cap in enumerate(problem.capacities):
        energy = sum(d * dem[r] for d, dem in zip(problem.durations, problem.demands, strict=True))
        if cap > 0:
            bound = max(bound, math.ceil(energy / cap))
    return bound


# ================================================================================ heuristic
class _Profile:
    """Resource usage over time (one array per resource, grown on demand)."""

    def __init__(self, capacities, size):
        self.capacities = capacities
        self.free = [[c] * size for c in capacities]

    def fits(self, start, duration, demand):
        for r, need in enumerate(demand):
            if need:
                row = self.free[r]
                for t in range(start, start + duration):
                    if row[t] < need:
                        return t + 1  # first start that might fit
        return None

    def take(self, start, duration, demand):
        for r, need in enumerate(demand):
            if need:
                row = self.free[r]
                for t in range(start, start + duration):
                    row[t] -= need


def serial_sgs(problem, order, preds, succs, size):
    """Serial schedule generation: each activity of ``order`` (a precedence-feasible list)
    at its earliest resource-feasible start after its predecessors (over ``preds``)."""
    profile = _Profile(problem.capacities, size)
    start = [0] * problem.n
    for a in order:
        t = max((start[p] + problem.durations[p] for p in preds[a]), default=0)
        d, dem = problem.durations[a], problem.demands[a]
        while d:
            blocked = profile.fits(t, d, dem)
            if blocked is None:
                break
            t = blocked
        profile.take(t, d, dem)
        start[a] = t
    return start


def _priority_order(problem, key, rng=None, bias=0.0):
    """A precedence-feasible list: among eligible activities the one with the smallest
    ``key`` (sampled with probabilities biased towards small keys when ``rng`` is given)."""
    indeg = [len(p) for p in problem.predecessors]
    eligible = [a for a in range(problem.n) if indeg[a] == 0]
    order = []
    while eligible:
        eligible.sort(key=lambda a: key[a])
        if rng is not None and len(eligible) > 1 and rng.random() < bias:
            pick = min(int(rng.expovariate(1.0)), len(eligible) - 1)
        else:
            pick = 0
        a = eligible.pop(pick)
        order.append(a)
        for b in problem.successors[a]:
            indeg[b] -= 1
            if indeg[b] == 0:
                eligible.append(b)
    return order


def _justify(problem, start, size):
    """Forward-backward improvement: right-justify (activities by decreasing finish, as late
    as possible before the makespan), then left-justify (by increasing start). Never worse."""
    n = problem.n
    dur = problem.durations
    makespan = max(start[a] + dur[a] for a in range(n))
    # backward pass on the reversed project: activity finishing last starts first
    order = sorted(range(n), key=lambda a: -(start[a] + dur[a]))
    rev_start = serial_sgs(problem, order, problem.successors, problem.predecessors, size)
    rev_end = max(rev_start[a] + dur[a] for a in range(n))
    late = [rev_end - rev_start[a] - dur[a] for a in range(n)]
    order = sorted(range(n), key=lambda a: late[a])
    new = serial_sgs(problem, order, problem.predecessors, problem.successors, size)
    new_makespan = max(new[a] + dur[a] for a in range(n))
    return (new, new_makespan) if new_makespan <= makespan else (start, makespan)


def heuristic_schedule(problem, seconds, seed=0, target=None):
    """Best schedule of priority-rule and biased random sampling passes, each improved by
    forward-backward improvement, within ``seconds`` (stops early at ``target``)."""
    t0 = time.monotonic()
    rng = random.Random(seed)
    head, tail = heads_and_tails(problem)
    size = sum(problem.durations) + 1
    horizon = size
    latest_finish = [horizon - tail[a] + problem.durations[a] for a in range(problem.n)]
    energy = [
        problem.durations[a] * sum(problem.demands[a]) + sum(problem.durations[b] for b in succ)
        for a, succ in enumerate(problem.successors)
    ]
    rules = [latest_finish, [-t for t in tail], [-e for e in energy], head]
    best = None
    passes = 0
    while True:
        if passes < len(rules):
            order = _priority_order(problem, rules[passes])
        else:
            order = _priority_order(problem, rules[passes % 2], rng, bias=0.5)
        passes += 1
        start = serial_sgs(problem, order, problem.predecessors, problem.successors, size)
        for _ in range(3):
            start, makespan = _justify(problem, start, size)
        if best is None or makespan < best[1]:
            best = (start, makespan)
        if (target is not None and best[1] <= target) or time.monotonic() - t0 >= seconds:
            return best[0], best[1], passes


# ================================================================================ CP-SAT
class RcpspModel:
    """The engine's RCPSP model (see the module docstring); ``textbook=True`` gives the plain
    model: intervals in ``[0, sum of durations]``, a cumulative per resource, precedences,
    the makespan as the sink's start, nothing else."""

    def __init__(self, problem, hint=None, horizon=None, textbook=False):
        self.p = problem
        m = self.m = cp_model.CpModel()
        n = problem.n
        dur = problem.durations
        if textbook:
            horizon = sum(dur)
            head = [0] * n
            tail = [0] * n
        else:
            head, tail = heads_and_tails(problem)
            horizon = sum(dur) if horizon is None else horizon
        self.start, self.end, self.interval = [], [], []
        for a in range(n):
            latest = max(head[a], horizon - tail[a])
            s = m.new_int_var(head[a], latest, f"start[{a + 1}]")
            iv = m.new_fixed_size_interval_var(s, dur[a], f"activity[{a + 1}]")
            self.start.append(s)
            self.end.append(s + dur[a])
            self.interval.append(iv)
        self._add_precedences()
        self._add_resources()
        if not textbook:
            self._add_disjunctive_sets()
        self._add_makespan(horizon, 0 if textbook else lower_bound(problem))
        if hint is not None:
            for a, value in enumerate(hint):
                m.add_hint(self.start[a], value)
            m.add_hint(self.makespan, max(v + d for v, d in zip(hint, dur, strict=True)))

    def _add_precedences(self):
        for a, succ in enumerate(self.p.successors):
            for b in succ:
                self.m.add(self.start[b] >= self.end[a])

    def _add_resources(self):
        for r, cap in enumerate(self.p.capacities):
            users = [a for a in range(self.p.n) if self.p.demands[a][r] and self.p.durations[a]]
            if users:
                self.m.add_cumulative(
                    [self.interval[a] for a in users], [self.p.demands[a][r] for a in users], cap
                )

    def _add_disjunctive_sets(self):
        """Activities each needing more than half of a resource never overlap: a no-overlap
        (a clique of the conflict graph) propagates edge finding over them."""
        for r, cap in enumerate(self.p.capacities):
            heavy = [
                a for a in range(self.p.n) if self.p.durations[a] and 2 * self.p.demands[a][r] > cap
            ]
            if len(heavy) > 1:
                self.m.add_no_overlap([self.interval[a] for a in heavy])

    def _add_makespan(self, horizon, bound):
        sink_parents = [a for a in range(self.p.n) if not self.p.successors[a]]
        self.makespan = self.m.new_int_var(min(bound, horizon), horizon, "makespan")
        for a in sink_parents:
            self.m.add(self.makespan >= self.end[a])
        self.m.minimize(self.makespan)

    def read(self, solver):
        return [solver.value(s) for s in self.start]


def _solver(time_limit, workers, seed, log):
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, float(time_limit))
    solver.parameters.num_workers = max(1, int(workers))
    solver.parameters.random_seed = int(seed or 0)
    solver.parameters.log_search_progress = bool(log)
    return solver


def _result(problem, starts, status, bound, seconds, method):
    """The summary ``{makespan, status, bound, activities}`` (plus solve_seconds, method)."""
    activities = []
    makespan = None
    if starts is not None:
        for a, s in enumerate(starts):
            activities.append({"activity": a + 1, "start": s, "end": s + problem.durations[a]})
        makespan = max(row["end"] for row in activities)
    return {
        "makespan": makespan,
        "status": status,
        "bound": bound,
        "activities": activities,
        "solve_seconds": round(seconds, 3),
        "method": method,
    }


# share of the time limit the heuristic may use before CP-SAT, and the share the full CP-SAT
# model may use (the rest goes to the large neighbourhood search when it is not optimal)
HEURISTIC_SHARE = 0.1
FULL_SHARE = 0.15


def solve_rcpsp(problem, time_limit=30.0, workers=2, seed=0, log=False):
    """The engine: heuristic schedule, the CP-SAT model hinted with it (proves the easy
    instances), then large neighbourhood search from the best schedule until the limit."""
    t0 = time.monotonic()
    bound = lower_bound(problem)
    starts, makespan, _passes = heuristic_schedule(
        problem, HEURISTIC_SHARE * time_limit, seed, target=bound
    )
    if makespan <= bound:
        return _result(problem, starts, "OPTIMAL", bound, time.monotonic() - t0, "heuristic")
    model = RcpspModel(problem, hint=starts, horizon=makespan)
    solver = _solver(FULL_SHARE * time_limit, workers, seed, log)
    status = solver.solve(model.m)
    method = "heuristic"
    if status == cp_model.OPTIMAL:
        starts = model.read(solver)
        bound = max(starts[a] + problem.durations[a] for a in range(problem.n))
        return _result(problem, starts, "OPTIMAL", bound, time.monotonic() - t0, "cp-sat")
    if status in SOLUTION_STATUSES and solver.objective_value <= makespan:
        starts, makespan = model.read(solver), round(solver.objective_value)
        bound = max(bound, math.ceil(solver.best_objective_bound - 1e-6))
        method = "cp-sat"
    left = time_limit - (time.monotonic() - t0)
    if makespan > bound and left > 0.1:
        new, new_makespan, _iterations = lns(
            problem, starts, seconds=left, seed=seed, bound=bound, workers=workers
        )
        if new_makespan < makespan:
            starts, makespan, method = new, new_makespan, "cp-sat lns"
    status_name = "OPTIMAL" if makespan <= bound else "FEASIBLE"
    return _result(problem, starts, status_name, bound, time.monotonic() - t0, method)


def solve_textbook(problem, time_limit=30.0, workers=2, seed=0):
    """The textbook CP-SAT cumulative model, default parameters (the benchmark baseline)."""
    t0 = time.monotonic()
    model = RcpspModel(problem, textbook=True)
    solver = _solver(time_limit, workers, seed, False)
    status = solver.solve(model.m)
    if status not in SOLUTION_STATUSES:
        name = "INFEASIBLE" if status == cp_model.INFEASIBLE else "UNKNOWN"
        return _result(problem, None, name, None, time.monotonic() - t0, "textbook")
    bound = math.ceil(solver.best_objective_bound - 1e-6)
    name = "OPTIMAL" if status == cp_model.OPTIMAL else "FEASIBLE"
    return _result(problem, model.read(solver), name, bound, time.monotonic() - t0, "textbook")


# ================================================================================ LNS
# wall-clock limit of one sub-solve (0.15, 0.3, 0.6 s measured on the hard j120 groups: 0.3
# and 0.6 alike, 0.15 worse), and its deterministic limit when iterations are counted
LNS_SECONDS = 0.6
LNS_DETERMINISTIC_TIME = 0.02


def _window_subproblem(problem, starts, makespan, free, after):
    """CP-SAT model of one neighbourhood: the activities of ``free`` anywhere before the
    makespan, those of ``after`` moved together by one shift (never later), all others fixed
    at their starts. The current schedule (shift 0) is a solution, so the model is feasible."""
    m = cp_model.CpModel()
    n = problem.n
    dur = problem.durations
    shift = m.new_int_var(-makespan, 0, "shift")
    start = [None] * n
    interval = [None] * n
    for a in range(n):
        if a in free:
            s = m.new_int_var(0, makespan - dur[a], f"s{a}")
            m.add_hint(s, starts[a])
            interval[a] = m.new_fixed_size_interval_var(s, dur[a], f"i{a}")
        elif a in after:
            s = m.new_int_var(0, makespan - dur[a], f"s{a}")
            m.add(s == starts[a] + shift)
            interval[a] = m.new_fixed_size_interval_var(s, dur[a], f"i{a}")
        else:
            s = starts[a]
            interval[a] = m.new_fixed_size_interval_var(s, dur[a], f"i{a}")
        start[a] = s
    m.add_hint(shift, 0)
    for a, succ in enumerate(problem.successors):
        for b in succ:
            if a in free or b in free or (a in after) != (b in after):
                m.add(start[b] >= start[a] + dur[a])
    for r, cap in enumerate(problem.capacities):
        users = [a for a in range(n) if problem.demands[a][r] and dur[a]]
        if users:
            m.add_cumulative(
                [interval[a] for a in users], [problem.demands[a][r] for a in users], cap
            )
    span = m.new_int_var(0, makespan, "makespan")
    for a in range(n):
        if not problem.successors[a]:
            m.add(span >= start[a] + dur[a])
    m.add_hint(span, makespan)
    # among schedules of the same makespan prefer the earliest: compact for the next window
    weight = (len(free) + len(after)) * makespan + 1
    m.minimize(weight * span + sum(start[a] for a in free) + len(after) * shift)
    return m, start


def lns(problem, starts, seconds=None, iterations=None, seed=0, bound=0, workers=1, size=20):
    """Large neighbourhood search around CP-SAT: a window of ``size`` consecutive activities
    (by start) is re-optimised, the activities after it move together, the ones before stay;
    improvements and equal makespans are accepted. Stops after ``seconds`` or ``iterations``
    (deterministic for a seed with ``iterations``: each sub-solve has a deterministic limit)
    or at ``bound``. Returns ``(starts, makespan, iterations)``."""
    t0 = time.monotonic()
    rng = random.Random(seed)
    n = problem.n
    dur = problem.durations
    starts = list(starts)
    makespan = max(starts[a] + dur[a] for a in range(n))
    size = min(size, n)
    done = 0
    while makespan > bound:
        if iterations is not None and done >= iterations:
            break
        left = None if seconds is None else seconds - (time.monotonic() - t0)
        if left is not None and left < 0.05:
            break
        order = sorted(range(n), key=lambda a: (starts[a], rng.random()))
        tasks = []
        for _ in range(max(1, int(workers))):
            first = rng.randrange(0, max(1, n - size + 1))
            free = set(order[first : first + size])
            after = set(order[first + size :])
            tasks.append((free, after, rng.randrange(1 << 30)))

        def sub_solve(task, starts=starts, makespan=makespan, left=left):
            model, var = _window_subproblem(problem, starts, makespan, task[0], task[1])
            solver = cp_model.CpSolver()
            solver.parameters.num_workers = 1
            solver.parameters.random_seed = task[2]
            if iterations is not None:
                solver.parameters.max_deterministic_time = LNS_DETERMINISTIC_TIME
            if left is not None:
                solver.parameters.max_time_in_seconds = max(0.02, min(LNS_SECONDS, left))
            status = solver.solve(model)
            if status not in SOLUTION_STATUSES:
                return status, None, None
            new = [v if isinstance(v, int) else solver.value(v) for v in var]
            return status, new, solver.objective_value

        if len(tasks) == 1:
            outcomes = [sub_solve(tasks[0])]
        else:
            with ThreadPoolExecutor(len(tasks)) as pool:
                outcomes = list(pool.map(sub_solve, tasks))
        done += 1
        found = [o for o in outcomes if o[1] is not None]
        if found:
            _status, new, _objective = min(found, key=lambda o: o[2])
            new, new_makespan = _justify(problem, new, sum(dur) + 1)
            if new_makespan <= makespan:
                starts, makespan = new, new_makespan
        if all(o[0] == cp_model.OPTIMAL for o in outcomes) and size < n:
            size += 1
        elif any(o[0] != cp_model.OPTIMAL for o in outcomes) and size > 8:
            size -= 1
    return starts, makespan, done
