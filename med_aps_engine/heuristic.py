"""Fast dispatching heuristic: a serial schedule-generation scheme.

Operations are taken in priority order among those whose predecessors are planned (a list
schedule); each goes to the mode/unit where it ends earliest, in the first gap of the unit's
timeline that can hold it (calendar, changeover before and after it) or into an open batch.
Operations linked by maximum lags are placed as a group and shifted later until every maximum
lag holds. Fixed operations (locked, in progress, frozen) are placed first.

Rules ``keep`` and ``keep_shift`` rebuild the previous plan: every operation whose previous
position still fits (resource among its modes, start not before its release or the origin,
predecessors ending in time, calendar open, a unit free with room for the changeovers) is put
exactly there, in the order of the previous starts. The others are shifted as little as
possible on their previous resource: into the first gap from their previous start on (``keep``:
nothing else moves) or right there, shifting what follows them (``keep_shift``). Rule
``keep_evict`` is ``keep`` where an operation that would wait long for its gap takes its slot
from work with slack instead: operations whose next step (or due date) is far enough ahead
that they move into a later gap without delaying anything (on a booked bottleneck the gap of
the displaced work can be weeks away, while the finish of the evicted work does not change).
Rule ``keep_slide`` is ``keep_evict`` where work that misses its slot by minutes (its planned
start passed a few minutes ago, its previous step ends a little later) shifts by those minutes
and pushes what follows it by as much, up to an hour (``keep_slide_2h``, ``keep_slide_3h``: two
and three hours; ``SLIDE_LIMITS``; ``keep_slide_<minutes>m``: longer, see ``SLIDE_WIDENINGS``;
all in minutes in which one of its resources is open: a night they all close for is not counted):
on a resource booked to the end of the plan its next gap is weeks away, a shift of minutes is
what a planner expects. What would wait longer may go to another of its resources. Batch
cycles keep their times; a batch left with room takes ready work of the batch where the work
that missed one is ready, and that work takes its place (``Dispatcher._refill_batches``);
what still waits for a batch added after the last takes a seat of an earlier batch through a
chain of loads with slack that go down (``Dispatcher._chain_batches``). Rule ``keep_chain`` is
``keep_slide`` from a previous plan in which booked machines make room for work that lost its
slot through chains of later slots instead of pushing their queues (``chain.py``).

The result is used as the fallback plan, as the CP-SAT warm start and as the starting point of
the decomposition.
"""

import bisect
import copy
import heapq
import math
import random

from .calendar import open_minutes
from .chain import chain_plan
from .schedule import Assign, Timeline
from .secondary import INF, UnitBook

BIG = 1 << 50
# rule keep_slide where work that lost its slot takes a later slot of its machine instead of
# pushing the queue (an ejection chain, ``chain.chain_plan``)
CHAIN_RULE = "keep_chain"
# the rules that rebuild the previous plan (see ``Dispatcher.keep_previous``)
KEEP_RULES = (
    "keep",
    "keep_shift",
    "keep_evict",
    "keep_slide",
    "keep_slide_2h",
    "keep_slide_3h",
    CHAIN_RULE,
)
# what a repair tries: keep_evict is keep wherever nothing pays for making way
REPAIR_RULES = (
    "keep_evict",
    "keep_shift",
    "keep_slide",
    "keep_slide_2h",
    "keep_slide_3h",
    CHAIN_RULE,
)
# rules keep_slide*: the longest shift from the previous start (or from now) that an
# operation makes, pushing what follows it, rather than wait for the next gap (in minutes in
# which one of its resources is open: a push past closing time is not a night long); longer
# delays (an overrun of hours) go into the next gap or the slot of work with slack, as in rule
# keep_evict. Which is best depends on where the gaps are (one more hour of push can save an
# order from the end of the plan, or send one there): each is a rule, the best plan is kept.
SLIDE_LIMITS = {"keep_slide": 60, "keep_slide_2h": 120, "keep_slide_3h": 180}
# a slide longer than those: rule ``keep_slide_<minutes>m`` (``slide_rule``). After the fixed
# limits the search tries the shortest slide the longest of them refused (a four-hour overrun
# needs a four-hour slide, or the work that cannot wait goes to the next gap, weeks away on a
# booked press), then the shortest slide that pass refused, up to this many times and this long
SLIDE_WIDENINGS = 3
SLIDE_MAX_MINUTES = 24 * 60
# rules keep_slide*: a batch's room moves down at most this many cycles to late work (one
# load of the batch where the late work is ready takes the room: one move, not one per cycle)
REFILL_MAX_HOPS = 6
# rules keep_slide*, last step: a load that missed its batch by a cycle or more takes a seat
# of an earlier batch, and the seat's load goes down to a later batch, and so on (a chain of
# seats, ``Dispatcher._chain_batches``): per hop a load goes at most this many batches down,
# the loads of a batch that may make room are its this many with the most slack, and at most
# this many chains are made per batch resource
CHAIN_MAX_JUMP = 16
CHAIN_MEMBERS = 3
CHAIN_MAX_CHAINS = 20
# ... and a chain uses at most this many batches, from the first one a waiting load is ready for
# (the dynamic programme's work grows with the batches it covers; a chain that would go
# further ends in a batch added after the last)
CHAIN_MAX_BATCHES = 250
# at most this many operations make way for one operation of rule keep_evict
EVICT_MAX_OPERATIONS = 3
# apparent tardiness cost rules and their look-ahead k (slack counted in k mean order works)
ATC_RULES = {"atc_2": 2.0, "atc_3": 3.0, "atc_4": 4.0}
# rule ``<rule>_setups`` (``setup_rule``): ``<rule>``, choosing among units as if a placement
# that needs a changeover ended this many changeover minutes later. A list schedule that only
# asks where work ends first changes family at almost every step of units that take several
# families (a press's 45 minutes of changeover beside an hour of molding), and the changeovers
# then eat the capacity the due dates need; weighed like this, work stays on the unit set up
# for its family unless another ends it much earlier (bench/README.md, "Changeovers weighed
# when choosing a unit")
SETUP_WEIGHT = 16
SETUP_SUFFIX = "_setups"


# how far a rule that keeps the previous plan shifts what no longer fits (None: not at all);
# rule keep_chain is a keep rule whose pass is rule keep_slide (``Dispatcher._pass_rule``)
SHIFT_LIMITS = {"keep_shift": math.inf, **SLIDE_LIMITS, CHAIN_RULE: SLIDE_LIMITS["keep_slide"]}


def _ready_time(item):
    """The sort key of a ``(ready time, load)`` pair of the batch refill."""
    return item[0]


def _start_of(cand):
    """The start of a placement of ``Dispatcher._candidate``."""
    _key, _kind, _res, data = cand
    return data[0]


def setup_rule(rule):
    """Rule ``rule`` choosing among units with the changeovers weighed (``SETUP_WEIGHT``)."""
    return rule + SETUP_SUFFIX


def weighs_setups(problem):
    """Whether some operation of a setup family may run on more than one unit of resources
    with changeovers: only there does rule ``<rule>_setups`` differ from ``<rule>``."""
    for op in problem.operations.values():
        if op.setup_family is None:
            continue
        units = 0
        for mode in op.modes:
            res = problem.resources[mode.resource]
            if res.has_changeovers and not res.is_batch:
                units += res.capacity
        if units > 1:
            return True
    return False


def slide_rule(minutes):
    """The rule ``keep_slide`` with a limit of ``minutes`` (see ``SLIDE_LIMITS``)."""
    return f"keep_slide_{int(minutes)}m"


def shift_limit(rule):
    """How far rule ``rule`` shifts work that no longer fits its previous slot, pushing what
    follows it (minutes, ``math.inf`` for keep_shift); None for rules that do not."""
    if rule in SHIFT_LIMITS:
        return SHIFT_LIMITS[rule]
    if rule.startswith("keep_slide_") and rule.endswith("m") and rule[11:-1].isdigit():
        return int(rule[11:-1])
    return None


def is_slide_rule(rule):
    """A rule ``keep_slide*``: shifts of a limited length, then eviction and batch refills."""
    limit = shift_limit(rule)
    return limit is not None and limit < math.inf


def is_keep_rule(rule):
    """A rule that rebuilds the previous plan (``KEEP_RULES`` and the longer slides)."""
    return rule in KEEP_RULES or is_slide_rule(rule)


def _max_lag_linked(op):
    """Whether a maximum lag links ``op`` to a predecessor or a successor (such work is
    placed with the others of its group, never moved alone)."""
    return any(pred.max_lag is not None for pred in op.predecessors) or any(
        mx is not None for _succ, _mn, mx in op.successors
    )


class HeuristicFailure(RuntimeError):
    """The dispatcher could not place an operation (e.g. a lock makes the problem infeasible)."""


def _min_work(problem, op):
    if op.in_progress:
        return op.in_progress[2]
    return min(problem.work_minutes(op, m) for m in op.modes)


def heads_and_tails(problem):
    """Earliest start (``head``) and remaining path length (``tail``) of every operation."""
    ops = problem.operations
    work = {oid: _min_work(problem, op) for oid, op in ops.items()}
    head = {}
    for oid in problem.topo_order:
        op = ops[oid]
        h = op.release
        for p in op.predecessors:
            h = max(h, head[p.op] + work[p.op] + p.min_lag)
        head[oid] = h
    tail = {}
    for oid in reversed(problem.topo_order):
        t = 0
        for succ, min_lag, _mx in ops[oid].successors:
            t = max(t, min_lag + tail[succ])
        tail[oid] = work[oid] + t
    return head, tail


def _lock_start(problem, op):
    """The start of ``op`` when it is fixed in time and has not started (locked, or frozen by
    the previous plan), else None: work in progress started whatever came before it."""
    fixed = problem.fixed_position(op)
    return None if fixed is None or op.in_progress else fixed[1]


def fixed_deadlines(problem):
    """The latest end of every free operation that work fixed in time (locked or frozen, not
    started) waits for, through the steps between them at their shortest: ``{op id:
    minute}``; operations that no fixed work waits for are left out. Work in progress waits
    for nothing (it has started)."""
    ops = problem.operations
    deadline = {}
    for oid in reversed(problem.topo_order):
        op = ops[oid]
        if problem.fixed_position(op) is not None:
            continue
        latest = None
        for succ, min_lag, _mx in op.successors:
            step = ops[succ]
            lock = _lock_start(problem, step)
            if lock is not None:
                end = lock - min_lag
            elif step.in_progress:
                continue
            elif succ in deadline:
                end = deadline[succ] - _min_work(problem, step) - min_lag
            else:
                continue
            latest = end if latest is None else min(latest, end)
        if latest is not None:
            deadline[oid] = latest
    return deadline


class Dispatcher:
    """Builds one schedule; ``run(rule)`` returns ``{op id: Assign}``."""

    def __init__(self, problem):
        self.p = problem
        self.head, self.tail = heads_and_tails(problem)
        self.timelines = {}
        for res in problem.resources.values():
            for u in range(res.capacity):
                self.timelines[(res.id, u)] = Timeline()
        # named units of the secondary resources (tools, operators), when there are any
        self.units = UnitBook(problem) if problem.secondary else None
        self.batches = {}  # batch id -> dict(resource, unit, start, end, family, size, ops)
        self.batch_seq = 0
        # (resource, family) -> [(start, creation number, batch id)] sorted: the batches work
        # of that family may join, found by their start (a scan of every batch per placement
        # took a quarter of a pass on 50,000 operations)
        self.family_batches = {}
        self.assign = {}
        # rule "keep": every operation at its previous position where that still fits
        self.keep = False
        # rule "keep_evict": work with slack makes way for an operation that had to move
        self.evict = False
        # operations kept at their previous position that made way (rule keep_evict)
        self.evicted = set()
        # rules "keep_slide*": the shortest slide past the limit that was refused (minutes in
        # which some resource of the work is open; None: every slide fitted the limit)
        self.refused_slide = None
        self.calendars_of = {}  # op id -> the distinct calendars of its resources
        # rules "keep_slide*", after the previous plan is rebuilt: what could neither keep its
        # slot nor slide may go to another of its resources
        self.any_resource = False
        # each job's work in minutes (its operations' shortest), for the ATC rules
        self._job_work = None
        # minutes a placement's end counts later per minute of its changeover, when choosing
        # among units (rules ``<rule>_setups``)
        self.setup_weight = 0
        # rule keep_chain: the chains of this pass (``chain.ChainPlan``)
        self.chain = None

    # ------------------------------------------------------------------ placement primitives
    def _place_batch(self, op, res, t, latest, fixed_start=None):
        """Best (start, end, unit, batch id or None) on batch resource ``res``."""
        best = None
        if op.batch_family is not None:
            # the earliest batch with room from t on (of equal starts, the first made)
            index = self.family_batches.get((res.id, op.batch_family), ())
            since = t if fixed_start is None else max(t, fixed_start)
            for start, _number, bid in index[bisect.bisect_left(index, (since, -1)) :]:
                if (latest is not None and start > latest) or (
                    fixed_start is not None and start != fixed_start
                ):
                    break
                b = self.batches[bid]
                if b["size"] + op.batch_size <= res.batch_max_size:
                    best = (start, b["end"], b["unit"], bid)
                    break
        for u in range(res.capacity):
            tl = self.timelines[(res.id, u)]
            if fixed_start is not None:
                s = fixed_start
                e = s + res.batch_cycle
                if not tl.is_free(s, e):
                    continue
            else:
                found = tl.find(
                    t, res.batch_cycle, None, False, res.calendar, res, latest, far=self.keep
                )
                if found is None:
                    continue
                s, e, _co = found
            if best is None or s < best[0]:
                best = (s, e, u, None)
        return best

    def _commit_batch(self, op, res, found):
        s, e, u, bid = found
        if bid is None:
            self.batch_seq += 1
            bid = f"{res.id}#{u}/{self.batch_seq}"
            self.batches[bid] = {
                "resource": res.id,
                "unit": u,
                "start": s,
                "end": e,
                "family": op.batch_family,
                "size": 0,
                "ops": [],
            }
            self.timelines[(res.id, u)].insert(s, e, bid)
            if op.batch_family is not None:
                index = self.family_batches.setdefault((res.id, op.batch_family), [])
                bisect.insort(index, (s, self.batch_seq, bid))
        b = self.batches[bid]
        b["size"] += op.batch_size
        b["ops"].append(op.id)
        self.assign[op.id] = Assign(res.id, u, s, e, 0, bid)

    def _candidate(self, op, t, latest=None):
        """Best placement over all modes/units: ``((end, start), kind, resource, data)``;
        rules ``<rule>_setups`` count the end later by the weighed changeover."""
        best = None
        for mode in self._modes(op):
            res = self.p.resources[mode.resource]
            if res.is_batch:
                found = self._place_batch(op, res, t, latest)
                if found is not None:
                    key = (found[1], found[0])
                    if best is None or key < best[0]:
                        best = (key, "batch", res, found)
                continue
            work = self.p.work_minutes(op, mode)
            for u in range(res.capacity):
                found = self._find_on_unit(op, mode, res, u, t, work, latest)
                if found is None:
                    continue
                s, e, co, bookings = found
                key = (e + self.setup_weight * co, s)
                if best is None or key < best[0]:
                    best = (key, "unit", res, (s, e, co, u, mode, bookings))
        return best

    def _find_on_unit(self, op, mode, res, u, t, work, latest=None):
        """Earliest ``(start, end, changeover, secondary bookings)`` on unit ``u`` at or
        after ``t``: a gap of the unit's timeline where the mode's secondary units are free
        too (when they are not, the search goes on from where enough of them come free)."""
        tl = self.timelines[(res.id, u)]
        while True:
            if work == 0:
                found = (max(t, 0), max(t, 0), 0)
            else:
                # a rebuilt plan: what had to move searches on past long queues
                found = tl.find(
                    t,
                    work,
                    op.setup_family,
                    op.interruptible,
                    res.calendar,
                    res,
                    latest,
                    far=self.keep,
                )
            if found is None:
                return None
            if not mode.requires:
                return (*found, ((), ()))
            s, e, co = found
            bookings, wait = self.units.fit(op, mode, Assign(res.id, u, s, e, mode.setup + co))
            if bookings is not None:
                return (s, e, co, (tuple(bookings), tuple(sorted(self.units.maintain))))
            if wait >= INF or (latest is not None and wait > latest):
                return None
            t = max(wait, s + 1)

    def _calendars(self, op):
        """The distinct calendars of the resources ``op`` may run on."""
        found = self.calendars_of.get(op.id)
        if found is None:
            found = []
            for mode in op.modes:
                calendar = self.p.resources[mode.resource].calendar
                if not any(calendar is c or calendar.windows == c.windows for c in found):
                    found.append(calendar)
            self.calendars_of[op.id] = found
        return found

    def _modes(self, op):
        """The modes to try: only the previous resource when the previous plan is kept (rule
        keep_slide*: once the previous plan is rebuilt, all: what could neither keep its slot
        nor slide may end earlier on another resource than in the next gap of its own)."""
        if self.keep and not self.any_resource:
            prev = self.p.previous_plan.get(op.id)
            if prev is not None:
                kept = [mode for mode in op.modes if mode.resource == prev[0]]
                if kept:
                    return kept
        return op.modes

    def _commit(self, op, cand):
        _key, kind, res, data = cand
        if kind == "batch":
            self._commit_batch(op, res, data)
            return
        s, e, co, u, mode, (bookings, maintained) = data
        if e > s:
            self.timelines[(res.id, u)].insert(s, e, op.id, op.setup_family, co)
        if bookings:
            self.units.book(op.id, mode, bookings, (res.id, u), maintained)
        self.assign[op.id] = Assign(res.id, u, s, e, mode.setup + co, None, bookings, maintained)

    def _unplace(self, oid):
        a = self.assign.pop(oid)
        if a.batch is not None:
            b = self.batches[a.batch]
            b["ops"].remove(oid)
            b["size"] -= self.p.operations[oid].batch_size
            if not b["ops"]:
                self.timelines[(a.resource, a.unit)].remove(a.batch, a.start)
                del self.batches[a.batch]
                if b["family"] is not None:
                    index = self.family_batches[(a.resource, b["family"])]
                    k = bisect.bisect_left(index, (a.start, -1))
                    while index[k][2] != a.batch:
                        k += 1
                    del index[k]
        elif a.end > a.start:
            self.timelines[(a.resource, a.unit)].remove(oid, a.start)
        if a.secondary:
            self.units.release(oid, a)

    def _ends_after_fixed_successor(self, op, end):
        """Whether ``op`` ending at ``end`` would end too late for a fixed successor already
        placed that has not started (locked or frozen: work in progress started whatever
        came before it)."""
        p = self.p
        return any(
            succ in self.assign
            and _lock_start(p, p.operations[succ]) is not None
            and end + min_lag > self.assign[succ].start
            for succ, min_lag, _max_lag in op.successors
        )

    def _broken_follower(self, left):
        """The work that followed ``left`` (an assignment just taken off its unit) there, if
        its changeover room no longer holds the changeover from the work now before it (its
        room was measured from ``left``'s family); None if it holds or the work is fixed."""
        res = self.p.resources[left.resource]
        if res.is_batch or not res.has_changeovers:
            return None
        tl = self.timelines[(left.resource, left.unit)]
        i = bisect.bisect_left(tl.starts, left.start)
        if i == 0 or i >= len(tl):
            return None
        if res.changeover(tl.fams[i - 1], tl.fams[i]) <= tl.coalloc[i]:
            return None
        follower = tl.keys[i]
        if self.p.fixed_position(self.p.operations[follower]) is not None:
            return None
        return follower

    def _replace_broken_followers(self, left):
        """After ``left`` was taken off its unit once the plan is built: the work that
        followed it there without room for its new changeover goes where it fits from its
        earliest start on, and so on down the unit and the routing."""
        follower = self._broken_follower(left)
        while follower is not None:
            op = self.p.operations[follower]
            old = self.assign[follower]
            self._unplace(follower)
            cand = self._candidate(op, self._earliest(op))
            if cand is None:
                raise HeuristicFailure(f"operation {follower!r}: cannot be placed")
            self._commit(op, cand)
            if self.assign[follower].end > old.end:
                self._push_successors(follower)
            follower = self._broken_follower(old)

    # ------------------------------------------------------------------ fixed operations
    @staticmethod
    def _in_progress_end(op, res, start, remaining):
        begin = max(start, 0)
        if remaining == 0:
            return begin
        begin = res.calendar.next_available(begin)
        end = res.calendar.finish(begin, remaining) if begin is not None else None
        if end is None:
            raise HeuristicFailure(
                f"operation {op.id!r}: its {remaining} remaining minutes do not fit the calendar "
                f"of {res.id!r}"
            )
        return end

    def place_fixed(self):
        fixed = []
        for op in self.p.operations.values():
            pos = self.p.fixed_position(op)
            if pos is not None:
                fixed.append((pos[1], op.index, op, pos))
        fixed.sort(key=lambda x: (x[0], x[1]))
        for _s, _i, op, (rid, start, remaining) in fixed:
            res = self.p.resources[rid]
            cal = res.calendar
            if res.is_batch and remaining is not None:
                end = self._in_progress_end(op, res, start, remaining)
                for u in range(res.capacity):
                    if self.timelines[(rid, u)].is_free(start, end):
                        self.batch_seq += 1
                        bid = f"{rid}#{u}/{self.batch_seq}"
                        self.batches[bid] = {
                            "resource": rid,
                            "unit": u,
                            "start": start,
                            "end": end,
                            "family": None,
                            "size": res.batch_max_size,
                            "ops": [op.id],
                        }
                        self.timelines[(rid, u)].insert(start, end, bid)
                        self.assign[op.id] = Assign(rid, u, start, end, 0, bid)
                        break
                else:
                    raise HeuristicFailure(
                        f"operation {op.id!r}: in progress on {rid!r} but every unit is taken"
                    )
                continue
            if res.is_batch and remaining is None:
                found = self._place_batch(op, res, start, start, fixed_start=start)
                if found is None:
                    raise HeuristicFailure(
                        f"operation {op.id!r}: no free unit of {rid!r} at its fixed start {start}"
                    )
                self._commit_batch(op, res, found)
                continue
            placed = no_units = False
            for u in range(res.capacity):
                tl = self.timelines[(rid, u)]
                if remaining is not None:
                    end = self._in_progress_end(op, res, start, remaining)
                    co = 0
                    setup = 0
                else:
                    mode = op.mode_on(rid)
                    prev_i, _next_i = tl.neighbours(start)
                    co = res.changeover(tl.fams[prev_i], op.setup_family) if prev_i >= 0 else 0
                    work = self.p.work_minutes(op, mode) + co
                    if op.interruptible:
                        end = cal.finish(start, work)
                    else:
                        end = start + work
                    setup = mode.setup + co
                if end is None or not tl.is_free(start, end):
                    continue
                _p, nxt = tl.neighbours(start)
                if (
                    nxt < len(tl)
                    and res.changeover(op.setup_family, tl.fams[nxt]) > tl.coalloc[nxt]
                ):
                    continue
                assign = Assign(rid, u, start, end, setup, None)
                mode = op.mode_on(rid)
                if mode.requires:
                    bookings, _wait = self.units.fit(op, mode, assign)
                    if bookings is None:
                        no_units = True
                        continue
                    assign.secondary = tuple(bookings)
                    assign.maintained = tuple(sorted(self.units.maintain))
                    self.units.book(op.id, mode, bookings, (rid, u), assign.maintained)
                if end > start:
                    tl.insert(start, end, op.id, op.setup_family, co)
                self.assign[op.id] = assign
                placed = True
                break
            if not placed:
                taken = "units of its secondary resources are" if no_units else "every unit is"
                raise HeuristicFailure(
                    f"operation {op.id!r}: fixed at {start} on {rid!r} but {taken} taken"
                )

    # ------------------------------------------------------------------ previous plan
    def _keep_exact(self, op, rid, start):
        """Put ``op`` exactly at its previous ``start`` on resource ``rid`` if that still fits;
        True if placed. Among the units where it fits, the one with the shortest changeover,
        then the tightest fit (the unit whose last entry ends latest)."""
        mode = op.mode_on(rid)
        if mode is None or start < max(op.release, 0):
            return False
        for pred in op.predecessors:
            pa = self.assign.get(pred.op)
            if pa is None or pa.end + pred.min_lag > start:
                return False
            if pred.max_lag is not None and start > pa.end + pred.max_lag:
                return False
        res = self.p.resources[rid]
        if res.is_batch:
            found = self._place_batch(op, res, start, start, fixed_start=start)
            if found is None:
                return False
            if found[3] is None and res.calendar.place(start, res.batch_cycle, False) != (
                start,
                found[1],
            ):
                return False
            self._commit_batch(op, res, found)
            return True
        work = self.p.work_minutes(op, mode)
        best = None
        for u in range(res.capacity):
            tl = self.timelines[(rid, u)]
            found = self._find_on_unit(op, mode, res, u, start, work, start)
            if found is None or found[0] != start:
                continue
            prev_i, _next_i = tl.neighbours(start)
            idle = start - tl.ends[prev_i] if prev_i >= 0 else BIG
            key = (found[1], idle)
            if best is None or key < best[0]:
                best = (key, (found[0], found[1], found[2], u, mode, found[3]))
        if best is None:
            return False
        self._commit(op, (best[0], "unit", res, best[1]))
        return True

    def keep_previous(self, limit=None):
        """Rules ``keep``, ``keep_shift`` and ``keep_slide*``, first step: every operation of
        the previous plan whose position still fits goes exactly there, in the order of the
        previous starts.

        An operation whose position no longer fits is left to the dispatcher (``keep``: it
        goes into the first gap from its previous start on, the others stay) or, with a
        ``limit`` (minutes), is placed at once at the earliest time it fits from its
        previous start on if that is at most ``limit`` after its previous start (or
        after now, for a start that has passed), so that the operations after it shift right
        as far as needed (``keep_shift``, no limit: the classic right-shift repair;
        ``keep_slide*``: shifts of one to 24 working hours, see ``SLIDE_WIDENINGS``). Operations
        linked by maximum lags stay only all together, and an operation stays only if all its
        predecessors are placed, so the dispatcher that places the rest never has to push a
        predecessor behind a placed successor."""
        p = self.p
        topo = {oid: k for k, oid in enumerate(p.topo_order)}
        group_of = {}
        for members in self._groups().values():
            for oid in members:
                group_of[oid] = members
        fixed = set(self.assign)

        def lagged(op):
            """Linked by a maximum lag to a fixed operation: the dispatcher's group placement
            keeps that lag, placing it here would not."""
            return any(pr.max_lag is not None and pr.op in fixed for pr in op.predecessors) or any(
                mx is not None and succ in fixed for succ, _mn, mx in op.successors
            )

        todo = sorted(
            (
                (prev[1], topo[oid], oid)
                for oid, prev in p.previous_plan.items()
                if oid not in fixed and not lagged(p.operations[oid])
            ),
        )
        kept = set()
        for _start, _k, oid in todo:
            rid, start = p.previous_plan[oid]
            op = p.operations[oid]
            if self._keep_exact(op, rid, start):
                if self._ends_after_fixed_successor(op, self.assign[oid].end):
                    # its successor is fixed earlier than the previous plan had it: the
                    # dispatcher places it from its earliest start (nothing is placed after
                    # it yet, so taking it off leaves every changeover room as it was)
                    self._unplace(oid)
                    continue
                kept.add(oid)
            elif (
                limit is not None
                and len(group_of.get(oid, ())) <= 1
                and not any(pred.max_lag is not None for pred in op.predecessors)
                and all(pred.op in self.assign for pred in op.predecessors)
            ):
                cand = self._candidate(op, self._earliest(op, start))
                if cand is None or (limit < math.inf and cand[1] == "batch"):
                    continue
                # the minutes some resource of it could work: a push across a night or a
                # weekend they all close for is a push of the work before it, not of the
                # clock; across one resource's breakdown, while another works, it is
                slide = open_minutes(self._calendars(op), max(start, 0), _start_of(cand))
                if self._ends_after_fixed_successor(op, cand[3][1]):
                    continue
                if slide <= limit:
                    self._commit(op, cand)
                    kept.add(oid)
                elif self.refused_slide is None or slide < self.refused_slide:
                    self.refused_slide = slide
        changed = True
        while changed:
            changed = False
            for oid in p.topo_order:
                if oid not in kept:
                    continue
                op = p.operations[oid]
                if any(m not in kept for m in group_of.get(oid, ())) or any(
                    pred.op not in self.assign for pred in op.predecessors
                ):
                    left = self.assign[oid]
                    self._unplace(oid)
                    kept.discard(oid)
                    changed = True
                    # the work after it on its unit had room for the changeover from it only
                    follower = self._broken_follower(left)
                    while follower is not None:
                        left = self.assign[follower]
                        self._unplace(follower)
                        kept.discard(follower)
                        follower = self._broken_follower(left)
        return kept

    # ------------------------------------------------------------------ eviction (keep_evict)
    def _place_evicting(self, op, t, cand):
        """Rule ``keep_evict``: place ``op`` (an operation that could not keep its previous
        position) at ``t`` on its unit by moving the work there into later gaps that delay
        nothing, when what its order gains pays for the moves (``cand``: its placement
        without eviction). True if placed; else nothing changed."""
        p = self.p
        job = p.jobs[op.job]
        weights = p.objective
        if (
            cand[1] != "unit"
            or job.due is None
            or weights["weighted_tardiness"] <= 0
            or _max_lag_linked(op)
        ):
            return False
        # what follows the operation in its order takes at least this long
        rest = self.tail[op.id] - _min_work(p, op)

        def lateness(end):
            return max(0, end + rest - job.due)

        normal_end = cand[0][0]
        if lateness(normal_end) <= 0:
            return False
        for mode in self._modes(op):
            res = p.resources[mode.resource]
            work = p.work_minutes(op, mode)
            if res.is_batch or mode.requires or work == 0:
                continue
            for u in range(res.capacity):
                result = self._evict_on_unit(op, mode, res, u, t, work, normal_end)
                if result is None:
                    continue
                end, made_way, undo = result
                gain = (
                    weights["weighted_tardiness"]
                    * job.weight
                    * (lateness(normal_end) - lateness(end))
                )
                if gain > weights["stability"] * len(made_way):
                    self.evicted |= made_way
                    return True
                self._undo_eviction(op, undo)
        return False

    def _evict_on_unit(self, op, mode, res, u, t, work, normal_end):
        """Move the operations of unit ``u`` in the way of ``op`` at ``t`` into later gaps
        that end before their next step starts (or their order's due date, for a last step
        that is on time), then place ``op``. Returns ``(op's end, the evicted operations kept
        at their previous position, the undo record)`` or None (nothing changed)."""
        p = self.p
        tl = self.timelines[(res.id, u)]
        longest = work + res.max_changeover_to(op.setup_family)
        placed = res.calendar.place(t, longest, op.interruptible)
        if placed is None or placed[1] >= normal_end:
            return None
        i = bisect.bisect_right(tl.ends, t)
        victims = []
        while i < len(tl) and tl.starts[i] < placed[1]:
            victims.append(tl.keys[i])
            i += 1
        if not victims or len(victims) > EVICT_MAX_OPERATIONS:
            return None
        limits = {}
        for oid in victims:
            limit = self._evictable_until(oid, op, victims)
            if limit is None:
                return None
            limits[oid] = limit
        old = {oid: self.assign[oid] for oid in victims}
        for oid in victims:
            self._unplace(oid)
        undo = (old, [])
        found = self._find_on_unit(op, mode, res, u, t, work)
        if found is None or found[1] >= normal_end:
            self._undo_eviction(None, undo)
            return None
        s, e, co, bookings = found
        self._commit(op, ((e, s), "unit", res, (s, e, co, u, mode, bookings)))
        for oid in victims:
            vop = p.operations[oid]
            a = old[oid]
            vres = p.resources[a.resource]
            vmode = vop.mode_on(a.resource)
            vwork = p.work_minutes(vop, vmode)
            best = None
            for vu in range(vres.capacity):
                got = self._find_on_unit(vop, vmode, vres, vu, a.start, vwork, limits[oid])
                if got is not None and got[1] <= limits[oid] and (best is None or got[1] < best[1]):
                    best = (*got[:3], vu)
            if best is None:
                self._undo_eviction(op, undo)
                return None
            vs, ve, vco, vu = best
            self._commit(vop, ((ve, vs), "unit", vres, (vs, ve, vco, vu, vmode, ((), ()))))
            undo[1].append(oid)
        made_way = {
            oid
            for oid in victims
            if tuple(p.previous_plan.get(oid) or ()) == (old[oid].resource, old[oid].start)
        }
        return e, made_way, undo

    def _evictable_until(self, oid, op, victims):
        """The latest end ``oid`` may move to without delaying anything, or None if it may
        not make way: fixed, in a batch, holding secondary units, linked by a maximum lag, of
        the same order as ``op``, or followed by a step not placed yet or also in the way."""
        p = self.p
        vop = p.operations.get(oid)
        if vop is None or vop.job == op.job or p.fixed_position(vop) is not None:
            return None
        a = self.assign[oid]
        if a.batch is not None or a.secondary or vop.mode_on(a.resource).requires:
            return None
        if any(pred.max_lag is not None for pred in vop.predecessors):
            return None
        limit = None
        for succ, min_lag, max_lag in vop.successors:
            sa = self.assign.get(succ)
            if max_lag is not None or sa is None or succ in victims:
                return None
            limit = sa.start - min_lag if limit is None else min(limit, sa.start - min_lag)
        if limit is None:
            due = p.jobs[vop.job].due
            limit = a.end if due is None else max(a.end, due)
        if p.horizon is not None:
            limit = min(limit, p.horizon)
        return limit if limit > a.end else None

    def _undo_eviction(self, op, undo):
        """Put back what ``_evict_on_unit`` moved (``op`` placed, or None)."""
        old, replaced = undo
        if op is not None and op.id in self.assign:
            self._unplace(op.id)
        for oid in replaced:
            self._unplace(oid)
        for oid, a in old.items():
            vop = self.p.operations[oid]
            co = a.setup - vop.mode_on(a.resource).setup
            self.timelines[(a.resource, a.unit)].insert(a.start, a.end, oid, vop.setup_family, co)
            self.assign[oid] = a

    # ------------------------------------------------------------------ main loop
    def _earliest(self, op, lower=0):
        t = max(op.release, lower, 0)
        for pred in op.predecessors:
            t = max(t, self.assign[pred.op].end + pred.min_lag)
        return t

    def _groups(self, placed=()):
        """Operations linked by maximum lags (union-find), each group in topological order;
        operations already assigned are left out except those of ``placed``."""
        parent = {oid: oid for oid in self.p.operations}
        placed = set(placed)

        def open_(oid):
            return oid not in self.assign or oid in placed

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for op in self.p.operations.values():
            if not open_(op.id):
                continue
            for pred in op.predecessors:
                if pred.max_lag is not None and open_(pred.op):
                    parent[find(op.id)] = find(pred.op)
        groups = {}
        for oid in self.p.topo_order:
            if open_(oid):
                groups.setdefault(find(oid), []).append(oid)
        return groups

    def _place_one(self, op, t, alone):
        """Place ``op`` where it ends earliest from ``t`` on (rule keep_evict: or in the slot of
        work with slack, when it is not linked to others by maximum lags)."""
        cand = self._candidate(op, t)
        if cand is None:
            raise HeuristicFailure(
                f"operation {op.id!r}: no resource of its modes has room in its calendar"
            )
        if not (self.evict and alone and self._place_evicting(op, t, cand)):
            self._commit(op, cand)

    def _group_violations(self, members, lower):
        """After placing a group: whether a maximum lag (or a fixed successor's start, from
        the previous start) calls for another attempt, with ``lower`` raised for it; and
        whether a member ends after a fixed successor starts from its earliest start too."""
        ops = self.p.operations
        violation = False
        late = False  # ends after a fixed successor starts, from its earliest start too
        for oid in members:
            a = self.assign[oid]
            for pred in ops[oid].predecessors:
                if pred.max_lag is None:
                    continue
                pa = self.assign[pred.op]
                if a.start > pa.end + pred.max_lag:
                    violation = True
                    if pred.op in lower:
                        need = a.start - pred.max_lag - (pa.end - pa.start)
                        lower[pred.op] = max(lower[pred.op], need, pa.start + 1)
            # fixed successors with a maximum lag bound this operation from below
            for succ, _mn, mx in ops[oid].successors:
                if mx is None or succ in lower or succ not in self.assign:
                    continue
                sa = self.assign[succ]
                if sa.start > a.end + mx:
                    violation = True
                    need = sa.start - mx - (a.end - a.start)
                    lower[oid] = max(lower[oid], need, a.start + 1)
            if self._ends_after_fixed_successor(ops[oid], a.end):
                if self.keep and lower[oid] > 0:
                    # from its previous start (taken since) it ends after a locked successor
                    # starts: from its earliest start instead
                    violation = True
                    lower[oid] = 0
                else:
                    late = True
        return violation, late

    def _place_group(self, members):
        ops = self.p.operations
        lower = dict.fromkeys(members, 0)
        if self.keep:
            for oid in members:
                prev = self.p.previous_plan.get(oid)
                if prev is not None:
                    lower[oid] = prev[1]
        for _attempt in range(40):
            for oid in members:
                self._place_one(ops[oid], self._earliest(ops[oid], lower[oid]), len(members) == 1)
            violation, late = self._group_violations(members, lower)
            if late and not violation:
                # the work before it ends too late for the fixed successor: no attempt helps,
                # and the plan breaks a rule
                return False
            if not violation:
                return True
            for oid in reversed(members):
                self._unplace(oid)
        # last attempt failed: place anyway (the plan will not validate)
        for oid in members:
            if oid not in self.assign:
                op = ops[oid]
                cand = self._candidate(op, self._earliest(op, lower[oid]))
                if cand is None:
                    raise HeuristicFailure(f"operation {oid!r}: cannot be placed")
                self._commit(op, cand)
        return False

    def _chain_previous_plan(self):
        """Rule keep_chain: the previous plan with the chains' new positions, from which
        this pass rebuilds the plan as rule keep_slide does (``chain.chain_plan``; made once
        per problem: the restarts of the rule use it again)."""
        problem = self.p
        chains = getattr(problem, "_chain_plan", None)
        if chains is None:
            scratch = Dispatcher(problem)
            scratch.place_fixed()
            chains = chain_plan(problem, scratch.timelines)
            problem._chain_plan = chains
        self.chain = chains
        if chains.targets:
            chained = copy.copy(problem)
            chained.previous_plan = {**problem.previous_plan, **chains.targets}
            # what is fixed stays what the plan had fixed: a new position inside the frozen
            # window does not freeze the work, one out of it does not free it
            chained.fixed_position = problem.fixed_position
            self.p = chained

    def _pass_rule(self, rule):
        """The rule this pass places the work by: rule keep_chain is rule keep_slide from
        the previous plan with the chains' new positions."""
        if rule != CHAIN_RULE:
            return rule
        self._chain_previous_plan()
        return "keep_slide"

    def run(self, rule="tail", seed=None):
        rule = self._pass_rule(rule)
        p = self.p
        ops = p.operations
        weighed = rule.endswith(SETUP_SUFFIX)
        if weighed:
            rule = rule[: -len(SETUP_SUFFIX)]
        self.setup_weight = SETUP_WEIGHT if weighed else 0
        self.keep = is_keep_rule(rule)
        self.evict = rule == "keep_evict" or is_slide_rule(rule)
        self.any_resource = False
        self.evicted = set()
        self.refused_slide = None
        self.place_fixed()
        if self.keep:
            self.keep_previous(limit=shift_limit(rule))
            self.any_resource = is_slide_rule(rule)
        rng = random.Random(seed) if seed is not None else None
        groups = self._groups()
        group_of = {}
        for gid, members in groups.items():
            for oid in members:
                group_of[oid] = gid
        # priority of a group: its best member (randomised: noise of a few operation lengths);
        # work that fixed work waits for comes first, by its latest end: placed by the rule's
        # order it could take its slot after other work and end too late for the lock
        # (bench/bench_locks.py: rules other than ``due`` broke a lock in 35 to 39 of 40
        # plants planned from scratch, now where ``due`` does)
        noise = 0.2 * sum(self.tail.values()) / max(1, len(self.tail))
        deadlines = fixed_deadlines(p)
        prio = {}
        for gid, members in groups.items():
            keys = [self._priority(ops[o], rule) for o in members]
            key = min(keys)
            latest = [deadlines[o] for o in members if o in deadlines]
            if latest:
                key = (min(latest) - 2 * BIG, key[1])
            if rng is not None:
                key = (key[0] + rng.gauss(0, noise), key[1])
            prio[gid] = key
        # indegree of groups over predecessors outside the group
        indeg = dict.fromkeys(groups, 0)
        succ_groups = {gid: [] for gid in groups}
        for gid, members in groups.items():
            for oid in members:
                for pred in ops[oid].predecessors:
                    pg = group_of.get(pred.op)
                    if pg is None or pg == gid:
                        continue
                    indeg[gid] += 1
                    succ_groups[pg].append(gid)
        heap = [(prio[g], g) for g, d in indeg.items() if d == 0]
        heapq.heapify(heap)
        done = 0
        valid = True
        while heap:
            _k, gid = heapq.heappop(heap)
            valid &= self._place_group(groups[gid])
            done += 1
            for sg in succ_groups[gid]:
                indeg[sg] -= 1
                if indeg[sg] == 0:
                    heapq.heappush(heap, (prio[sg], sg))
        if done < len(groups):
            # groups depend on each other in a cycle (through maximum lags): plain order
            for oid in p.topo_order:
                if oid not in self.assign:
                    op = ops[oid]
                    cand = self._candidate(op, self._earliest(op))
                    if cand is None:
                        raise HeuristicFailure(f"operation {oid!r}: cannot be placed")
                    self._commit(op, cand)
            valid = False
        self._finish_previous_plan()
        return self.assign, valid

    def _finish_previous_plan(self):
        """Rules keep_slide* and keep_chain, once every operation is placed: the batch
        refills and seat chains; what made way for work that lost its slot moved to improve
        the plan."""
        if self.any_resource:
            self._refill_batches()
            self._chain_batches()
        if self.chain is not None:
            self.evicted |= self.chain.made_way

    # ------------------------------------------------------------------ refill (keep_slide*)
    def _refill_batches(self):
        """Rules ``keep_slide*``, last step: a batch that has room (work that missed it went to a
        later one) takes ready work of later batches of its resource, down to the work that
        missed a batch (``_refill_resource``). On a batch resource booked to the end of the plan the
        work that missed its batch otherwise waits for a batch added at the end: the room a
        batch is left with is moved down the plan, to that work. What follows pulled work
        moves up behind it where it then ends earlier."""
        pulled = []
        for res in self.p.resources.values():
            if res.is_batch:
                pulled.extend(self._refill_resource(res))
        for oid in sorted(pulled, key=lambda o: (self.assign[o].start, o)):
            self._move_up_successors(oid)

    def _pullable(self, oid):
        """Whether ``oid`` may leave its batch for an earlier one: free, with a batch family,
        without tools, operators or maximum lags."""
        op = self.p.operations[oid]
        a = self.assign[oid]
        return (
            op.batch_family is not None
            and self.p.fixed_position(op) is None
            and not a.secondary
            and not op.mode_on(a.resource).requires
            and not _max_lag_linked(op)
        )

    def _batches_in_time_order(self, res):
        """The batches of ``res`` as ``[(start, batch id)]`` in time order, and the ids of
        those holding fixed work (they keep their loads)."""
        p = self.p
        batches = sorted(
            (b["start"], bid) for bid, b in self.batches.items() if b["resource"] == res.id
        )
        fixed = {
            bid
            for _start, bid in batches
            if any(p.fixed_position(p.operations[o]) is not None for o in self.batches[bid]["ops"])
        }
        return batches, fixed

    def _missed_its_batch(self, oid, start, res):
        """Whether load ``oid``, now in the batch at ``start``, missed its previous batch by a
        cycle or more."""
        prev = self.p.previous_plan.get(oid)
        return prev is not None and start - max(prev[1], 0) >= res.batch_cycle

    def _refill_resource(self, res):
        """Fill the batches of ``res`` that have room, in time order, with ready work of their
        family from later batches: work that missed its previous batch by at least a cycle
        (``late``) where it is ready, else, while such work is ready within
        ``REFILL_MAX_HOPS`` cycles and an earlier batch than its own could take it, a load of
        the batch where it is ready (``_refill_target``: the room goes to the late work in
        one move). Returns the work pulled forward."""
        p = self.p
        pulled = []
        batches, fixed = self._batches_in_time_order(res)
        ready = {}
        late = set()
        for start, bid in batches:
            if bid in fixed:
                continue
            for oid in self.batches[bid]["ops"]:
                if self._pullable(oid):
                    ready[oid] = self._earliest(p.operations[oid])
                    if self._missed_its_batch(oid, start, res):
                        late.add(oid)
        # loads only move to earlier batches: once the batch being filled is at or after a
        # load's, that load stays; what may still move is kept in order of readiness, so a
        # batch looks at the work ready within REFILL_MAX_HOPS cycles only (scanning every
        # later batch for every batch with room took 3 of the 5 s of a pass on 50,000
        # operations)
        movable = sorted((ready_at, oid) for oid, ready_at in ready.items())
        starts = [start for start, _bid in batches]
        for start, bid in batches:
            if start < 0 or bid in fixed or bid not in self.batches:
                continue
            batch = self.batches[bid]
            reach = bisect.bisect_right(
                movable, start + REFILL_MAX_HOPS * res.batch_cycle, key=_ready_time
            )
            still = [item for item in movable[:reach] if self.assign[item[1]].start > start]
            movable[:reach] = still
            reach = len(still)
            after = bisect.bisect_right(starts, start)

            def takes(oid, batch=batch):
                """Whether the batch (at its size now) could take load ``oid``."""
                return (
                    p.operations[oid].batch_family == batch["family"]
                    and batch["size"] + p.operations[oid].batch_size <= res.batch_max_size
                )

            def first_from(t, after=after, takes=takes):
                """The first later batch from ``t`` on that holds work this one could take
                (the batches of the family, not fixed, from which work can come)."""
                for i in range(max(after, bisect.bisect_left(starts, t)), len(batches)):
                    later_start, later_bid = batches[i]
                    if later_bid in self.batches:
                        ops = self.batches[later_bid]["ops"]
                        if any(oid in ready and takes(oid) for oid in ops):
                            return later_start
                return math.inf

            while batch["size"] < res.batch_max_size:
                fits = [
                    oid
                    for _ready_at, oid in movable[:reach]
                    if self.assign[oid].start > start and takes(oid)
                ]
                candidates = [oid for oid in fits if ready[oid] <= start]
                late_here = [oid for oid in candidates if oid in late]
                late_soon = [
                    ready[oid]
                    for oid in fits
                    if oid in late and first_from(ready[oid]) < self.assign[oid].start
                ]
                if late_here:
                    best = max(
                        late_here,
                        key=lambda o: (p.jobs[p.operations[o].job].weight, -ready[o], o),
                    )
                    late.discard(best)
                elif candidates and late_soon:
                    best = self._refill_target(start, candidates, first_from(min(late_soon)))
                else:
                    break
                self._unplace(best)
                self._commit_batch(
                    p.operations[best], res, (start, batch["end"], batch["unit"], bid)
                )
                pulled.append(best)
        return pulled

    def _refill_target(self, room_start, candidates, target):
        """Of ``candidates`` (work of later batches ready for the batch with room at
        ``room_start``), the one whose place the late work can take: in the batch at
        ``target`` (the first of the family from when the late work is ready), else in the
        last batch before it. The room goes straight to the late work: one load moves, not
        one per batch in between. When every candidate is after the target, the earliest:
        the late work then takes a place a little later, still far before a batch added
        after the last (on the bench plant, 1,000 h of an order's lateness)."""
        p = self.p
        before = [oid for oid in candidates if self.assign[oid].start <= target]
        if not before:
            return min(candidates, key=lambda o: (self.assign[o].start, o))

        def gain(oid):
            """Weighted minutes of lateness the move saves its order (about)."""
            op = p.operations[oid]
            job = p.jobs[op.job]
            a = self.assign[oid]
            if job.due is None:
                return 0
            late = max(0, a.end + self.tail[oid] - _min_work(p, op) - job.due)
            return job.weight * min(late, a.start - room_start)

        # from the latest batch up to the target; there, the order that gains most
        return min(before, key=lambda o: (-self.assign[o].start, -gain(o), o))

    def _move_up_successors(self, oid):
        """The work after ``oid`` in its order (not in batches, not fixed) moves to where it
        ends earliest now, if that is earlier than where it is."""
        p = self.p
        todo = [succ for succ, _mn, _mx in p.operations[oid].successors]
        seen = set()
        while todo:
            sid = todo.pop(0)
            if sid in seen or sid not in self.assign:
                continue
            seen.add(sid)
            op = p.operations[sid]
            a = self.assign[sid]
            if (
                a.batch is not None
                or p.fixed_position(op) is not None
                or a.secondary
                or _max_lag_linked(op)
            ):
                continue
            cand = self._candidate(op, self._earliest(op))
            if cand is None or cand[1] != "unit" or cand[0][0] >= a.end:
                continue
            self._unplace(sid)
            self._commit(op, cand)
            self._replace_broken_followers(a)
            todo.extend(succ for succ, _mn, _mx in op.successors)

    # ------------------------------------------------------------------ seat chains (keep_slide*)
    def _chain_batches(self):
        """Rules ``keep_slide*``, after the refills: a load that missed its previous batch by a
        cycle or more and still waits for a later one (on a batch resource booked to the end
        of the plan: a batch added after the last, about 1,000 hours later on the bench plant)
        takes a seat of an earlier batch if a chain of seats makes room at less cost: the
        seat's load goes down to a later batch, whose load goes further down, and so on to a
        batch with room (or one added after the last). Each load that goes down is one with
        slack (its order stays on time, or loses less than the chain gains), so the lateness
        of the missed batch is spread over orders that can take it instead of falling on one.
        The cheapest chain is found by dynamic programming over the batches
        (``_cheapest_chain``), costs in objective units (weighted tardiness of the orders and
        the stability weight of the moves); chains are made while one gains."""
        for res in self.p.resources.values():
            if not res.is_batch:
                continue
            seat_costs = {}  # (load, batch end) -> cost, kept over the chains of a resource
            for _chain in range(CHAIN_MAX_CHAINS):
                chain = self._cheapest_chain(res, seat_costs)
                if chain is None:
                    break
                self._apply_chain(res, chain)

    def _order_finish_after(self, oid, end):
        """When ``oid``'s order would finish if ``oid`` ended at ``end``: each later step of
        the order where it would go now (``math.inf`` if one has no place)."""
        p = self.p
        op = p.operations[oid]
        finish = end
        for succ, min_lag, _max_lag in op.successors:
            step = p.operations[succ]
            if step.job != op.job:
                continue
            cand = self._candidate(step, end + min_lag)
            if cand is None:
                return math.inf
            # a unit's placement and a batch's both end at index 1
            finish = max(finish, self._order_finish_after(succ, cand[3][1]))
        return finish

    def _moves_if_later(self, oid):
        """How many of ``oid`` and the later steps of its order are at their previous
        position (they become moves when ``oid`` goes to a later batch)."""
        p = self.p
        count = 0
        todo = [oid]
        seen = set()
        while todo:
            current = todo.pop()
            if current in seen or current not in self.assign:
                continue
            seen.add(current)
            a = self.assign[current]
            if p.previous_plan.get(current) == (a.resource, a.start):
                count += 1
            op = p.operations[current]
            todo.extend(s for s, _mn, _mx in op.successors if p.operations[s].job == op.job)
        return count

    def _goes_down_freely(self, oid):
        """Whether ``oid`` (a load that may leave its batch) can go to a later batch: no
        later step of its order is fixed or linked by a maximum lag (the later steps it
        pushes go where they fit, one at a time, and could not keep such a lag)."""
        p = self.p
        todo = [s for s, _mn, _mx in p.operations[oid].successors]
        seen = set()
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            step = p.operations[current]
            if p.fixed_position(step) is not None or _max_lag_linked(step):
                return False
            todo.extend(s for s, _mn, _mx in p.operations[current].successors)
        return True

    def _seat_cost(self, oid, end, seat_costs):
        """What ``oid``'s order costs (weighted tardiness, objective units) if ``oid`` ends at
        ``end``; cached in ``seat_costs`` over the chains of a resource."""
        key = (oid, end)
        if key not in seat_costs:
            p = self.p
            job = p.jobs[p.operations[oid].job]
            late = 0 if job.due is None else max(0, self._order_finish_after(oid, end) - job.due)
            seat_costs[key] = p.objective["weighted_tardiness"] * job.weight * late
        return seat_costs[key]

    def _chain_batches_of(self, res):
        """The batches of ``res`` a chain may use (not fixed, not before now), in time order,
        and the end of a batch added after the last one of its unit."""
        batches, fixed = self._batches_in_time_order(res)
        order = [bid for start, bid in batches if start >= 0 and bid not in fixed]
        unit_ends = {}
        for _start, bid in batches:
            b = self.batches[bid]
            unit_ends[b["unit"]] = max(unit_ends.get(b["unit"], 0), b["end"])
        appended_end = min(unit_ends.values(), default=0) + res.batch_cycle
        return order, appended_end

    def _room_costs(self, res, order, appended_end, seat_costs):
        """Per batch of ``order`` and load size: ``(cost, hops)`` of the cheapest way to make
        room for one more load of that size there (nothing if it has room; else one of its
        loads with the most slack goes down, to a later batch within ``CHAIN_MAX_JUMP``, which
        makes room in turn, or to a batch added after the last). From the last batch back."""
        p = self.p
        move_weight = p.objective.get("stability", 0)
        sizes = {
            p.operations[o].batch_size
            for bid in order
            for o in self.batches[bid]["ops"]
            if self._pullable(o)
        }

        def slack(oid):
            job = p.jobs[p.operations[oid].job]
            return math.inf if job.due is None else job.due - self.assign[oid].end

        room = [None] * len(order)
        for k in range(len(order) - 1, -1, -1):
            b = self.batches[order[k]]
            members = sorted(
                (o for o in b["ops"] if self._pullable(o) and self._goes_down_freely(o)),
                key=lambda o: (-slack(o), o),
            )[:CHAIN_MEMBERS]
            room[k] = {}
            for size in sizes:
                if b["size"] + size <= res.batch_max_size:
                    room[k][size] = (0, ())
                    continue
                best = (math.inf, ())
                for load in members:
                    load_size = p.operations[load].batch_size
                    if b["size"] - load_size + size > res.batch_max_size:
                        continue
                    leave = move_weight * self._moves_if_later(load)
                    leave -= self._seat_cost(load, b["end"], seat_costs)
                    appended = leave + self._seat_cost(load, appended_end, seat_costs)
                    if appended < best[0]:
                        best = (appended, ((load, None),))
                    for j in range(k + 1, min(len(order), k + 1 + CHAIN_MAX_JUMP)):
                        target = self.batches[order[j]]
                        if target["family"] != b["family"]:
                            continue
                        here = leave + self._seat_cost(load, target["end"], seat_costs)
                        if here >= best[0]:
                            continue
                        rest, hops = room[j][load_size]
                        if here + rest < best[0]:
                            best = (here + rest, ((load, order[j]), *hops))
                room[k][size] = best
        return room

    def _waiting_loads(self, res, order):
        """The loads of ``order``'s batches that missed their previous batch by a cycle or
        more and may take an earlier seat: ``[(load, ready)]``."""
        p = self.p
        waiting = []
        for bid in order:
            start = self.batches[bid]["start"]
            for oid in self.batches[bid]["ops"]:
                if self._missed_its_batch(oid, start, res) and self._pullable(oid):
                    waiting.append((oid, self._earliest(p.operations[oid])))
        return waiting

    def _cheapest_chain(self, res, seat_costs):
        """The chain of seats on batch resource ``res`` that gains most, or None: a tuple of
        ``(load, batch id or None)`` from the load that takes an earlier seat to the last
        load that goes down (None: a batch added after the last). The loads that may take an
        earlier seat missed their previous batch by a cycle or more; the chain uses the
        ``CHAIN_MAX_BATCHES`` batches from the first one such a load is ready for."""
        p = self.p
        order, appended_end = self._chain_batches_of(res)
        waiting = self._waiting_loads(res, order)
        if not waiting:
            return None
        earliest = min(ready for _oid, ready in waiting)
        first = next(
            (k for k, bid in enumerate(order) if self.batches[bid]["start"] >= earliest),
            len(order),
        )
        order = order[first : first + CHAIN_MAX_BATCHES]
        room = self._room_costs(res, order, appended_end, seat_costs)
        best = (0, None)
        for oid, ready in waiting:
            op = p.operations[oid]
            own = self.assign[oid]
            now = self._seat_cost(oid, own.end, seat_costs)
            for k, bid in enumerate(order):
                target = self.batches[bid]
                if target["start"] >= own.start:
                    break
                if target["start"] < ready or target["family"] != op.batch_family:
                    continue
                gain = self._seat_cost(oid, target["end"], seat_costs) - now
                if gain >= best[0]:
                    continue
                rest, hops = room[k][op.batch_size]
                if gain + rest < best[0] and all(load != oid for load, _bid in hops):
                    best = (gain + rest, ((oid, bid), *hops))
        return best[1]

    def _apply_chain(self, res, chain):
        """Make the chain of seats of ``_cheapest_chain``: the last load first, so that each
        load finds the seat the next one left."""
        p = self.p
        slots = {
            bid: (self.batches[bid]["start"], self.batches[bid]["end"], self.batches[bid]["unit"])
            for _oid, bid in chain
            if bid is not None
        }
        for oid, bid in reversed(chain):
            op = p.operations[oid]
            old = self.assign[oid]
            self._unplace(oid)
            if bid is None:
                # after its batch's cycle (a batch with room there, or one added after the last),
                # past every batch of the chain: those cycles stay theirs even when one of them
                # lost its only load and is made again below
                found = self._place_batch(op, res, max(self._earliest(op), old.end), None)
            elif bid not in self.batches:
                # its only load went down: the batch is made again where it was, if its unit is
                # still free there
                start, end, unit = slots[bid]
                if self.timelines[(res.id, unit)].is_free(start, end):
                    found = (start, end, unit, None)
                else:
                    found = self._place_batch(op, res, start, None)
            elif self.batches[bid]["size"] + op.batch_size <= res.batch_max_size:
                b = self.batches[bid]
                found = (b["start"], b["end"], b["unit"], bid)
            else:
                found = self._place_batch(op, res, self.batches[bid]["start"], None)
            if found is None:
                raise HeuristicFailure(f"operation {oid!r}: no batch of {res.id!r} takes it")
            self._commit_batch(op, res, found)
            if self.assign[oid].end > old.end:
                self._push_successors(oid)
            else:
                self._move_up_successors(oid)

    def _push_successors(self, oid):
        """The work after ``oid`` that now starts too early goes where it fits from then on,
        and so on down the routing."""
        p = self.p
        for succ, _min_lag, _max_lag in p.operations[oid].successors:
            if succ not in self.assign:
                continue
            op = p.operations[succ]
            earliest = self._earliest(op)
            if self.assign[succ].start >= earliest:
                continue
            if p.fixed_position(op) is not None:
                raise HeuristicFailure(f"operation {succ!r} is fixed before its previous step ends")
            old = self.assign[succ]
            self._unplace(succ)
            cand = self._candidate(op, earliest)
            if cand is None:
                raise HeuristicFailure(f"operation {succ!r}: cannot be placed")
            self._commit(op, cand)
            self._replace_broken_followers(old)
            self._push_successors(succ)

    def _priority(self, op, rule):
        tail = self.tail[op.id]
        if rule == "due":
            due = self.p.jobs[op.job].due
            if due is None:
                return (BIG - tail, -tail)
            return (due - tail, -tail)
        if rule == "weighted_due":
            # the planner's own order: most important orders first, then earliest due
            job = self.p.jobs[op.job]
            slack = BIG - tail if job.due is None else job.due - tail
            return (-job.weight, slack)
        if rule in ATC_RULES:
            return (self._atc_key(op, ATC_RULES[rule]), -tail)
        if rule == "head":
            return (self.head[op.id], -tail)
        if rule == "previous" or is_keep_rule(rule):
            prev = self.p.previous_plan.get(op.id)
            return (prev[1] if prev else self.head[op.id], -tail)
        return (-tail, self.head[op.id])

    def _atc_key(self, op, look_ahead):
        """Apparent tardiness cost (Vepsalainen and Morton) as a key in minutes.

        The index ``w / p * exp(-slack / (k * mean p))`` ranks late orders by weight per
        minute of work (what minimises weighted tardiness once they are late) and the others
        by slack; its negated logarithm times ``k * mean p`` orders the same way and stays in
        minutes, so the restarts' noise means the same as for the due-date rules."""
        job = self.p.jobs[op.job]
        if job.due is None:
            return BIG
        if self._job_work is None:
            self._job_work = {}
            for other in self.p.operations.values():
                work = _min_work(self.p, other)
                self._job_work[other.job] = self._job_work.get(other.job, 0) + work
        scale = look_ahead * max(1.0, sum(self._job_work.values()) / len(self._job_work))
        slack = max(0, job.due - self.tail[op.id] - self.head[op.id])
        work = max(1, self._job_work[op.job])
        return slack - scale * math.log(max(job.weight, 1e-9) / work)


def dispatch(problem, rule="tail", seed=None):
    """One dispatching pass: ``({op id: Assign}, ok)``; ``ok`` False if a max lag is broken."""
    return Dispatcher(problem).run(rule, seed)
