"""A schedule under construction: assignments, unit timelines and the objective.

Shared by the dispatching heuristic, the CP-SAT models (read back) and the decomposition.
"""

import bisect
from dataclasses import dataclass


@dataclass
class Assign:
    """Where and when one operation runs."""

    resource: str
    unit: int
    start: int
    end: int
    setup: int = 0  # setup minutes allocated inside [start, end) (mode setup + changeover)
    batch: str | None = None
    # secondary units held: (secondary resource, unit, begin, end) per unit
    secondary: tuple = ()
    # (secondary resource, unit) maintained right before this use (its cycles reset)
    maintained: tuple = ()


# ``Timeline.find(far=True)``: how many times a search that tried ``max_gaps`` gaps goes on
# from the next gap as long as the work before it appends after the last entry (each time
# at most ``max_gaps`` more gaps are placed on the calendar)
FAR_JUMPS = 10


class Timeline:
    """Occupations of one resource unit, sorted by start (non-overlapping)."""

    __slots__ = ("coalloc", "ends", "fams", "keys", "starts")

    def __init__(self):
        self.starts = []
        self.ends = []
        self.keys = []  # op id (or batch id on batch resources)
        self.fams = []
        self.coalloc = []  # changeover minutes the entry has room for in its setup

    def __len__(self):
        return len(self.starts)

    def insert(self, start, end, key, fam=None, coalloc=0):
        i = bisect.bisect_left(self.starts, start)
        while i < len(self.starts) and self.starts[i] == start and self.ends[i] <= end:
            i += 1
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        self.keys.insert(i, key)
        self.fams.insert(i, fam)
        self.coalloc.insert(i, coalloc)

    def remove(self, key, start):
        i = bisect.bisect_left(self.starts, start)
        while self.keys[i] != key:
            i += 1
        for lst in (self.starts, self.ends, self.keys, self.fams, self.coalloc):
            del lst[i]

    def is_free(self, start, end):
        i = bisect.bisect_right(self.ends, start)
        return i >= len(self.starts) or self.starts[i] >= end

    def neighbours(self, start):
        """(index of the entry before ``start``, index of the entry at/after it)."""
        i = bisect.bisect_left(self.starts, start)
        return i - 1, i

    def find(
        self, t, work, fam, interruptible, calendar, resource, latest=None, max_gaps=60, far=False
    ):
        """Earliest placement at or after ``t``: ``(start, end, changeover)`` or ``None``.

        The changeover from the previous entry is added to ``work``; inserting before an entry
        is allowed only if that entry has room for the changeover from ``fam``. With
        ``latest`` the start is at most that (``None`` if no gap up to it holds the work).
        After ``max_gaps`` gaps the work goes after the last entry, or with ``far`` on from
        the first gap as long as the work, up to ``FAR_JUMPS`` times.
        """
        n = len(self.starts)
        j = bisect.bisect_right(self.ends, t)
        # a gap shorter than the work and its changeover cannot hold it (a placement takes at
        # least that many minutes): skipped without placing it on the calendar, up to where
        # the calendar surely still holds the work and the longest changeover into it (there
        # the placement always exists, so skipping changes no result; the loader refuses
        # negative changeovers; a list schedule probes thousands of such gaps)
        skip_until = None
        if latest is None and interruptible and work > 0:
            skip_until = calendar.latest_with_minutes(work + resource.max_changeover_to(fam))
        scanned = 0
        jumps = FAR_JUMPS if far else 0
        failed_co = None  # the smallest changeover with which a gap could not hold the work
        while True:
            if scanned > max_gaps and j < n:
                # heavily loaded: append after the last entry (the frontier of a plan built
                # forward), or on from the first gap as long as the work (``far``: a rebuilt
                # plan holds kept work to its end; after a QC lab's Monday queue there is room
                # weeks before its last test)
                if jumps:
                    j = self._first_gap(j, work)
                    jumps -= 1
                else:
                    j = n
                scanned = 0
            scanned += 1
            lo = t
            co = 0
            if j > 0:
                lo = max(t, self.ends[j - 1])
                co = resource.changeover(self.fams[j - 1], fam)
            if latest is not None and lo > latest:
                return None
            if (
                skip_until is not None
                and j < n
                and lo <= skip_until
                and self.starts[j] - lo < work + co
            ):
                j += 1
                continue
            if failed_co is not None and co >= failed_co and j < n:
                j += 1  # fails too: it starts no earlier, with no smaller changeover
                continue
            placed = calendar.place(lo, work + co, interruptible)
            if placed is None or (latest is not None and placed[0] > latest):
                # a later gap starts no earlier and places at least as late, unless a smaller
                # changeover into it lets the work fit where this one did not (before the
                # calendar ends, or before a shift ends)
                if co == 0 or j >= n:
                    return None
                failed_co = co
                j += 1
                continue
            s, e = placed
            if j >= n:
                return s, e, co
            if e <= self.starts[j] and resource.changeover(fam, self.fams[j]) <= self.coalloc[j]:
                return s, e, co
            j += 1

    def _first_gap(self, j, minutes):
        """Index of the first entry from ``j`` on with at least ``minutes`` free before it
        (``len(self)`` if none)."""
        starts, ends = self.starts, self.ends
        return next(
            (k for k in range(max(j, 1), len(starts)) if starts[k] - ends[k - 1] >= minutes),
            len(starts),
        )


def unit_sequences(problem, assigns):
    """``{(resource, unit): [op ids by start]}`` for non-batch resources, zero-length skipped."""
    seqs = {}
    for oid, a in assigns.items():
        if a.end <= a.start or problem.resources[a.resource].is_batch:
            continue
        seqs.setdefault((a.resource, a.unit), []).append(oid)
    for oids in seqs.values():
        oids.sort(key=lambda o: (assigns[o].start, assigns[o].end, o))
    return seqs


def changeovers(problem, assigns):
    """Actual changeover minutes before every operation (from the unit sequences)."""
    result = dict.fromkeys(assigns, 0)
    for (rid, _u), oids in unit_sequences(problem, assigns).items():
        res = problem.resources[rid]
        for prev, oid in zip(oids, oids[1:], strict=False):
            result[oid] = res.changeover(
                problem.operations[prev].setup_family, problem.operations[oid].setup_family
            )
    return result


def job_finishes(problem, assigns):
    finish = {}
    for jid, job in problem.jobs.items():
        ends = [assigns[o].end for o in job.operations if o in assigns]
        finish[jid] = max(ends) if ends else None
    return finish


def moved_operations(problem, assigns):
    """Operations of the previous plan that ``assigns`` puts on another resource or start."""
    moved = set()
    for oid, (rid, start) in problem.previous_plan.items():
        a = assigns.get(oid)
        if a is not None and (a.resource != rid or a.start != start):
            moved.add(oid)
    return moved


# Why an operation of the previous plan had to move, in the order they are checked:
# fixed       locked or in progress elsewhere than the previous plan had it
# past        its previous start is before the origin (now)
# resource    its previous resource is no longer one of its modes
# release     its previous start is before its release (material, earliest start)
# predecessor a predecessor ends later than its previous start allows
# calendar    its previous resource is not available at its previous start for its length
# occupied    its previous slot is taken (a fixed operation, a changeover, another operation
#             that had to move, a maximum lag)
FORCED_REASONS = (
    "fixed",
    "past",
    "resource",
    "release",
    "predecessor",
    "calendar",
    "occupied",
)


def forced_reason(problem, oid, assigns):
    """Why the previous position of ``oid`` cannot be kept in ``assigns`` (the previous plan
    kept wherever it fits); one of ``FORCED_REASONS``."""
    op = problem.operations[oid]
    rid, start = problem.previous_plan[oid]
    if problem.fixed_position(op) is not None:
        return "fixed"
    if start < 0:
        return "past"
    mode = op.mode_on(rid)
    if mode is None:
        return "resource"
    if start < op.release:
        return "release"
    for pred in op.predecessors:
        a = assigns.get(pred.op)
        if a is not None and a.end + pred.min_lag > start:
            return "predecessor"
    res = problem.resources[rid]
    work = problem.work_minutes(op, mode)
    if work > 0:
        placed = res.calendar.place(start, work, op.interruptible and not res.is_batch)
        if placed is None or placed[0] != start:
            return "calendar"
        if problem.horizon is not None and placed[1] > problem.horizon:
            return "calendar"
    return "occupied"


def followed_operations(problem, assigns, oids):
    """Those of ``oids`` (moved operations) that ``assigns`` only pushed later on their
    previous resource by the work before them, e.g. a queue behind a work order that ran over:
    at the previous start a predecessor has not ended (with its minimum lag) or every unit of
    the resource is busy with other work (its changeover included), and the operation starts
    right behind what comes before it (its predecessors, the work before it on its unit):
    the resource has less working time between them than the operation's work. The rest
    moved elsewhere, earlier, into a slot that was still free, or further than that."""
    timelines = {}
    for a in sorted(assigns.values(), key=lambda a: (a.start, a.end)):
        if a.end <= a.start:
            continue  # zero-length work sits inside other work without taking its place
        starts, ends = timelines.setdefault((a.resource, a.unit), ([], []))
        starts.append(a.start)
        ends.append(a.end)
    followed = set()
    for oid in oids:
        rid, start = problem.previous_plan[oid]
        a = assigns.get(oid)
        if a is None or a.resource != rid or a.start <= start:
            continue
        op = problem.operations[oid]
        res = problem.resources[rid]
        ready = [
            assigns[pred.op].end + pred.min_lag for pred in op.predecessors if pred.op in assigns
        ]
        blocked = any(t > start for t in ready)
        if not blocked:
            # a unit's work does not overlap (a batch's loads share one interval): the last
            # work to start by then is the only one that can still run then
            busy = 0
            for unit in range(res.capacity):
                starts, ends = timelines.get((rid, unit), ((), ()))
                k = bisect.bisect_right(starts, start) - 1
                busy += k >= 0 and ends[k] > start
            blocked = busy == res.capacity
        if not blocked:
            continue
        starts, ends = timelines.get((rid, a.unit), ((), ()))
        k = bisect.bisect_left(starts, a.start) - 1  # the work before it (a batch: the one before)
        behind = max([*ready, ends[k] if k >= 0 else 0])
        mode = op.mode_on(rid)
        work = problem.work_minutes(op, mode) if mode is not None else 0
        if res.calendar.working_minutes(behind, a.start) < max(1, work):
            followed.add(oid)
    return followed


def evaluate(problem, assigns, cos=None):
    """Objective value and its components for a complete schedule."""
    if cos is None:
        cos = changeovers(problem, assigns)
    finish = job_finishes(problem, assigns)
    wt = tard = late = flow = early = 0
    for jid, job in problem.jobs.items():
        f = finish[jid]
        if f is None:
            continue
        flow += f - job.release
        if job.due is not None and f < job.due:
            early += job.weight * (job.due - f)
        if job.due is not None and f > job.due:
            tard += f - job.due
            wt += job.weight * (f - job.due)
            late += 1
    makespan = max((a.end for a in assigns.values()), default=0)
    co_minutes = sum(cos.values())
    co_count = sum(1 for v in cos.values() if v > 0)
    moved = len(moved_operations(problem, assigns))
    w = problem.objective
    objective = (
        w["weighted_tardiness"] * wt
        + w["makespan"] * makespan
        + w["flow_time"] * flow
        + w["changeover"] * co_minutes
        + w["stability"] * moved
        + w["earliness"] * early
    )
    if isinstance(objective, float) and objective.is_integer():
        objective = int(objective)
    return {
        "objective": objective,
        "makespan": makespan,
        "total_weighted_tardiness": wt,
        "total_tardiness": tard,
        "late_jobs": late,
        "flow_time": flow,
        "changeovers": co_count,
        "changeover_minutes": co_minutes,
        "moved_operations": moved,
        "total_weighted_earliness": early,
        "finish": finish,
    }
