"""Rule ``keep_chain`` of the dispatcher: the previous plan, where work that lost its slot on a
machine takes the slot of later work of its family, and that work the slot of later work
still, down to the machine's free time after its last slot (an ejection chain), instead of
pushing the machine's whole queue.

On a machine booked back to back to the end of the plan, an overrun of hours takes the slots
of the next few operations. Rules ``keep_slide*`` push every operation after them (and what
follows each in its order) by as much; rule ``keep_evict`` sends them to the machine's next
gap, weeks on. Where work waits long for a later step anyway (on the bench plant the loads
wait days for their sterilizer cycle), the queue can make room instead. Going down the
machine's previous order, an operation the overrun (or the push) reaches takes, if it can,
the latest slot of a later operation of its family that holds its work and ends by its own
latest end (``chain_deadlines``: no kept step after it is delayed), where that operation can
move on the same way, and so on until one reaches the free time after the machine's last slot
in time (``ChainPlan._reaching``); else it is pushed. Each operation taken out of the queue
like this absorbs the push, and the rest of the queue keeps its place. The steps after the
moved operations then go into free time of their machines before the next kept step.

``chain_plan`` returns that as new previous positions (``{op id: (resource, start)}``);
the dispatcher rebuilds the plan from them with rule ``keep_slide`` (what no longer fits
there is placed as by that rule), so every rule of the problem holds whatever the targets
(what the plan fixed stays fixed: ``Dispatcher._chain_previous_plan``). Single-unit machines
are chained; their operations that hold tools or operators stay out of the chains, and their
slots, like fixed work, are in the way of the chains and the pushes. A chain starts wherever
a slot no longer holds its work: fixed work over it (an overrun), time off added, or a push.
"""

import bisect

from .schedule import Timeline

# a step after a moved operation is given this many times its work before the next kept step
# (it may wait for its machine)
CHAIN_STEP_ROOM = 2
# at most this many later slots are tried for one operation (a long queue within its latest
# end: the latest ones are tried first)
CHAIN_MAX_CANDIDATES = 200


def latest_start(calendar, deadline, work):
    """The latest start from which ``work`` working minutes of ``calendar`` end by
    ``deadline`` (None if the calendar has fewer before it)."""
    if work <= 0:
        return deadline
    if calendar.always:
        return deadline - work
    if not calendar.windows:
        return None
    target = calendar.working_minutes(calendar.starts[0], deadline) - work
    if target < 0:
        return None
    k = min(bisect.bisect_right(calendar.cum, target) - 1, len(calendar.windows) - 1)
    return calendar.starts[k] + (target - calendar.cum[k])


def chain_deadlines(problem):
    """The latest end of each operation of the previous plan that delays no kept step after
    it: ``{op id: minute}``. A batch step (its cycle keeps its time) and fixed work bound the
    steps before them; a last step ends by its order's due date, or by its previous end when
    the order was late or has none; every step in between is given ``CHAIN_STEP_ROOM`` times
    its work on its previous machine's calendar. Operations linked by a maximum lag, fixed
    ones and those the previous plan does not hold are left out."""
    p = problem
    ops = p.operations
    previous = p.previous_plan
    deadline = {}
    for oid in reversed(p.topo_order):
        op = ops[oid]
        prev = previous.get(oid)
        if prev is None or op.mode_on(prev[0]) is None or p.fixed_position(op) is not None:
            continue
        if any(pred.max_lag is not None for pred in op.predecessors):
            continue
        latest = None
        if not op.successors:
            end = _previous_end(p, oid, 0)
            due = p.jobs[op.job].due
            latest = end if due is None else max(end, due)
        usable = True
        for succ, min_lag, max_lag in op.successors:
            step = ops[succ]
            step_prev = previous.get(succ)
            fixed = p.fixed_position(step)
            if max_lag is not None:
                usable = False
                break
            if fixed is not None:
                if step.in_progress:
                    continue
                end = fixed[1] - min_lag
            elif step_prev is not None and p.resources[step_prev[0]].is_batch:
                end = step_prev[1] - min_lag
            elif succ in deadline:
                res = p.resources[step_prev[0]]
                work = p.work_minutes(step, step.mode_on(step_prev[0]))
                start = latest_start(res.calendar, deadline[succ], CHAIN_STEP_ROOM * work)
                if start is None:
                    usable = False
                    break
                end = start - min_lag
            else:
                usable = False
                break
            latest = end if latest is None else min(latest, end)
        if usable and latest is not None:
            deadline[oid] = latest
    return deadline


def _previous_end(problem, oid, changeover):
    """The end of ``oid`` at its previous position with ``changeover`` minutes before it
    (None if that resource is no longer among its modes)."""
    op = problem.operations[oid]
    rid, start = problem.previous_plan[oid]
    mode = op.mode_on(rid)
    if mode is None:
        return None
    work = problem.work_minutes(op, mode) + changeover
    placed = problem.resources[rid].calendar.place(start, work, op.interruptible)
    return start + work if placed is None else placed[1]


def _after_fixed(fixed, t, length):
    """The first time from ``t`` on at which ``[t, t + length)`` meets no fixed work."""
    while not fixed.is_free(t, t + length):
        i = bisect.bisect_right(fixed.ends, t)
        t = max(t, fixed.ends[i])
    return t


def _merged(spans):
    """``spans`` (``[start, end)`` pairs) as their disjoint union, in order."""
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


class _Queue:
    """The previous order of one single-unit machine: slots ``[start, end)`` with the
    operation, its family, the changeover before it and whether the calendar still holds it
    from its start (time off added over a slot makes the work miss it)."""

    def __init__(self, problem, rid, oids):
        res = problem.resources[rid]
        self.res = res
        self.starts, self.ends, self.oids, self.fams, self.cos, self.fits = [], [], [], [], [], []
        before = None
        for start, oid in sorted((problem.previous_plan[oid][1], oid) for oid in oids):
            op = problem.operations[oid]
            co = res.changeover(before, op.setup_family) if self.oids else 0
            work = problem.work_minutes(op, op.mode_on(rid)) + co
            placed = res.calendar.place(start, work, op.interruptible)
            self.starts.append(start)
            self.ends.append(start + work if placed is None else placed[1])
            self.oids.append(oid)
            self.fams.append(op.setup_family)
            self.cos.append(co)
            self.fits.append(placed is not None and placed[0] == start)
            before = op.setup_family


class ChainPlan:
    """The new previous positions of one pass of rule ``keep_chain``."""

    def __init__(self, problem, fixed_timelines):
        self.p = problem
        self.deadline = chain_deadlines(problem)
        self.targets = {}  # op id -> (resource, start)
        self.new_ends = {}  # op id -> end at its target
        self.chained = set()  # operations moved along a chain (the others were pushed)
        self.made_way = set()  # of those, the ones whose slot work that lost its own took
        by_resource = {}
        # single-unit machines' work that stays out of the chains (it holds tools or
        # operators): its previous slots are in the way of the chains and the pushes
        self.kept_out = {}
        for oid, (rid, start) in problem.previous_plan.items():
            op = problem.operations[oid]
            res = problem.resources[rid]
            mode = op.mode_on(rid)
            if res.is_batch or res.capacity != 1 or mode is None:
                continue
            if problem.fixed_position(op) is not None:
                continue  # in the dispatcher's fixed timelines
            if mode.requires:
                self.kept_out.setdefault(rid, []).append((start, _previous_end(problem, oid, 0)))
                continue
            by_resource.setdefault(rid, []).append(oid)
        self.queues = {rid: _Queue(problem, rid, oids) for rid, oids in by_resource.items()}
        self.fixed = fixed_timelines

    # ------------------------------------------------------------------ one machine
    def _work(self, oid, rid):
        op = self.p.operations[oid]
        return self.p.work_minutes(op, op.mode_on(rid))

    def _fits_slot(self, oid, queue, j):
        """Whether ``oid`` can take slot ``j`` of ``queue``: of its family, holding its work,
        ending by its latest end; its end there or None."""
        res = queue.res
        op = self.p.operations[oid]
        if res.has_changeovers and queue.fams[j] != op.setup_family:
            return None
        placed = res.calendar.place(
            queue.starts[j], self._work(oid, res.id) + queue.cos[j], op.interruptible
        )
        if (
            placed is None
            or placed[0] != queue.starts[j]
            or placed[1] > min(queue.ends[j], self.deadline[oid])
        ):
            return None
        return placed[1]

    def _candidates(self, oid, queue, after, usable):
        """The slots after index ``after`` that ``oid`` can take and ``usable`` accepts (it
        is asked first: it is cheaper), latest first."""
        latest = self.deadline.get(oid)
        if latest is None:
            return
        last = bisect.bisect_right(queue.starts, latest) - 1
        for j in range(last, max(after, last - CHAIN_MAX_CANDIDATES), -1):
            if usable(j) and self._fits_slot(oid, queue, j) is not None:
                yield j

    def _at_sink(self, oid, queue, sink, taken):
        """Where ``oid`` goes in the machine's free time from ``sink`` on, clear of
        ``taken``, if it ends there by its latest end: ``(start, end)`` or None."""
        res = queue.res
        op = self.p.operations[oid]
        work = self._work(oid, res.id) + res.max_changeover_to(op.setup_family)
        placed = res.calendar.place(sink, work, op.interruptible)
        while placed is not None and taken is not None and not taken.is_free(*placed):
            t = _after_fixed(taken, placed[0], placed[1] - placed[0])
            placed = res.calendar.place(t, work, op.interruptible)
        if placed is None or placed[1] > self.deadline[oid]:
            return None
        return placed

    def _reaching(self, queue, sink):
        """For each slot, whether its operation can move along a chain of later slots to the
        machine's free time after its last slot (``sink``: when that free time begins)."""
        reach = [False] * len(queue.starts)
        for j in range(len(queue.starts) - 1, -1, -1):
            oid = queue.oids[j]
            if oid not in self.deadline:
                continue
            if self._at_sink(oid, queue, sink, None) is not None:
                reach[j] = True
                continue
            reach[j] = next(self._candidates(oid, queue, j, reach.__getitem__), None) is not None
        return reach

    def _chain(self, oid, queue, i, used, reach, sink, taken):
        """Move ``oid`` (which lost its slot ``i``) along a chain of later slots to the free
        time after the last slot: the latest slot it can take whose operation can move on
        (and that no work pushed or chained before, ``taken``, reaches into), and so on.
        Returns the operations placed, or None (nothing changed)."""
        res = queue.res

        def usable(j):
            return j not in used and reach[j] and taken.is_free(queue.starts[j], queue.ends[j])

        hops = []
        current, k = oid, i
        while True:
            placed = self._at_sink(current, queue, sink, taken)
            if placed is not None:
                break
            nxt = next(self._candidates(current, queue, k, usable), None)
            if nxt is None:
                for j, _moved in hops:
                    del used[j]
                return None
            used[nxt] = current
            hops.append((nxt, current))
            current, k = queue.oids[nxt], nxt
        for j, moved in hops:
            self.targets[moved] = (res.id, queue.starts[j])
            self.new_ends[moved] = self._fits_slot(moved, queue, j)
        self.targets[current] = (res.id, placed[0])
        self.new_ends[current] = placed[1]
        moved = [moved for _j, moved in hops] + [current]
        self.chained.update(moved)
        self.made_way.update(queue.oids[j] for j, _moved in hops)
        return moved

    def _chain_queue(self, queue):
        """Rule keep_chain on one machine (see the module's docstring)."""
        res = queue.res
        ops = self.p.operations
        # what is in the way of the chains and the pushes: fixed work, work kept out of the
        # chains (merged: a timeline's search needs entries that do not overlap), and what the
        # chains and pushes placed
        taken = Timeline()
        for start, end in _merged(self._in_the_way(res.id)):
            taken.insert(start, end, None)
        sink = max(queue.ends + taken.ends)
        reach = None
        used = {}  # slot index -> the op id that took it
        cursor = 0  # where the work before ends
        before = None
        for i, start in enumerate(queue.starts):
            oid = queue.oids[i]
            if i in used:
                cursor = max(cursor, self.new_ends[used[i]])
                before = ops[used[i]].setup_family
                continue  # moved along the chain that took its slot
            t = _after_fixed(taken, max(cursor, start), queue.ends[i] - start)
            if t <= start and queue.fits[i]:
                cursor = queue.ends[i]
                before = queue.fams[i]
                continue
            if oid in self.deadline:
                if reach is None:
                    reach = self._reaching(queue, sink)
                chained = self._chain(oid, queue, i, used, reach, sink, taken)
                if chained is not None:
                    for other in chained:
                        taken.insert(self.targets[other][1], self.new_ends[other], other)
                    sink = max(sink, self.new_ends[chained[-1]])
                    continue
            # pushed: where it fits after the work before it
            co = res.changeover(before, queue.fams[i]) if before is not None else 0
            work = self._work(oid, res.id) + co
            placed = res.calendar.place(t, work, ops[oid].interruptible)
            while placed is not None and not taken.is_free(*placed):
                t = _after_fixed(taken, placed[0], placed[1] - placed[0])
                placed = res.calendar.place(t, work, ops[oid].interruptible)
            if placed is None:
                return
            self.targets[oid] = (res.id, placed[0])
            self.new_ends[oid] = placed[1]
            taken.insert(placed[0], placed[1], oid)
            cursor = placed[1]
            before = queue.fams[i]

    def _in_the_way(self, rid):
        """The spans ``[start, end)`` of machine ``rid`` that the chains leave alone: its
        fixed work and its work kept out of the chains."""
        fixed = self.fixed.get((rid, 0))
        spans = [] if fixed is None else list(zip(fixed.starts, fixed.ends, strict=True))
        return spans + self.kept_out.get(rid, [])

    # ------------------------------------------------------------------ the steps after
    def _timelines(self):
        """Each single-unit machine's plan with the targets: a timeline per machine."""
        timelines = {}
        for rid, queue in self.queues.items():
            tl = Timeline()
            for start, end, oid, fam, co in zip(
                queue.starts, queue.ends, queue.oids, queue.fams, queue.cos, strict=True
            ):
                if oid not in self.targets:
                    tl.insert(start, end, oid, fam, co)
            for start, end in _merged(self._in_the_way(rid)):
                tl.insert(start, end, None)
            timelines[rid] = tl
        for oid, (rid, start) in self.targets.items():
            op = self.p.operations[oid]
            room = self.p.resources[rid].max_changeover_to(op.setup_family)
            timelines[rid].insert(start, self.new_ends[oid], oid, op.setup_family, room)
        return timelines

    def _follow(self):
        """The steps after the moved operations that their previous slot no longer holds:
        into the earliest free time of one of their single-unit machines from where the work
        before them ends, by their latest end; in the order of the routings."""
        p = self.p
        if not self.targets:
            return
        timelines = self._timelines()
        for oid in p.topo_order:
            op = p.operations[oid]
            prev = p.previous_plan.get(oid)
            latest = self.deadline.get(oid)
            if oid in self.targets or prev is None or latest is None:
                continue
            if not any(pred.op in self.new_ends for pred in op.predecessors):
                continue
            earliest = max(op.release, 0)
            for pred in op.predecessors:
                end = self.new_ends.get(pred.op)
                if end is None:
                    if pred.op not in p.previous_plan:
                        earliest = None
                        break
                    end = _previous_end(p, pred.op, 0)
                    if end is None:
                        earliest = None
                        break
                earliest = max(earliest, end + pred.min_lag)
            if earliest is None or earliest <= prev[1]:
                continue
            best = None
            for mode in op.modes:
                tl = timelines.get(mode.resource)
                if tl is None or mode.requires:
                    continue
                res = p.resources[mode.resource]
                work = p.work_minutes(op, mode)
                found = tl.find(
                    earliest, work, op.setup_family, op.interruptible, res.calendar, res, latest
                )
                if found is None or found[1] > latest:
                    continue
                if best is None or found[1] < best[1][1]:
                    best = (mode.resource, found)
            if best is None:
                continue
            rid, (start, end, co) = best
            if prev[0] in timelines and _holds(timelines[prev[0]], oid, prev[1]):
                timelines[prev[0]].remove(oid, prev[1])
            timelines[rid].insert(start, end, oid, op.setup_family, co)
            self.targets[oid] = (rid, start)
            self.new_ends[oid] = end


def _holds(timeline, oid, start):
    """Whether ``timeline`` has ``oid`` at ``start``."""
    i = bisect.bisect_left(timeline.starts, start)
    while i < len(timeline) and timeline.starts[i] == start:
        if timeline.keys[i] == oid:
            return True
        i += 1
    return False


def chain_plan(problem, fixed_timelines):
    """Rule ``keep_chain``: the ``ChainPlan`` of ``problem`` (``fixed_timelines``: the
    dispatcher's timelines holding the fixed work only); its ``targets`` are the new previous
    positions ``{op id: (resource, start)}`` of the operations it moves."""
    plan = ChainPlan(problem, fixed_timelines)
    for queue in plan.queues.values():
        plan._chain_queue(queue)
    plan._follow()
    return plan
