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
there is placed as by that rule), so every rule of the problem holds whatever the targets.
Only single-unit machines without secondary resources are chained.
"""

import bisect

from .schedule import Timeline

# a step after a moved operation is given this many times its work before the next kept step
# (it may wait for its machine)
CHAIN_STEP_ROOM = 2
# an operation gives its slot to one that lost its own only if it has this many minutes of
# slack after its previous end (it has to move on in turn)
CHAIN_MIN_SLACK = 60
# at most this many later slots are tried for one operation (a long queue within its latest
# end: the latest ones are tried first)
CHAIN_MAX_CANDIDATES = 200


def latest_start(calendar, deadline, work):
    """The latest start from which ``work`` working minutes of ``calendar`` end by
    ``deadline`` (None if the calendar has fewer before it)."""
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
    the order was late; every step in between is given ``CHAIN_STEP_ROOM`` times its work on
    its previous machine's calendar. Operations linked by a maximum lag, fixed ones and those
    the previous plan does not hold are left out."""
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
    """The end of ``oid`` at its previous position with ``changeover`` minutes before it."""
    op = problem.operations[oid]
    rid, start = problem.previous_plan[oid]
    work = problem.work_minutes(op, op.mode_on(rid)) + changeover
    placed = problem.resources[rid].calendar.place(start, work, op.interruptible)
    return start + work if placed is None else placed[1]


def _after_fixed(fixed, t, length):
    """The first time from ``t`` on at which ``[t, t + length)`` meets no fixed work."""
    while not fixed.is_free(t, t + length):
        i = bisect.bisect_right(fixed.ends, t)
        t = max(t, fixed.ends[i])
    return t


class _Queue:
    """The previous order of one single-unit machine: slots ``[start, end)`` with the
    operation, its family and the changeover before it."""

    def __init__(self, problem, rid, oids):
        res = problem.resources[rid]
        self.res = res
        self.starts, self.ends, self.oids, self.fams, self.cos = [], [], [], [], []
        before = None
        for start, oid in sorted((problem.previous_plan[oid][1], oid) for oid in oids):
            fam = problem.operations[oid].setup_family
            co = res.changeover(before, fam) if self.oids else 0
            self.starts.append(start)
            self.ends.append(_previous_end(problem, oid, co))
            self.oids.append(oid)
            self.fams.append(fam)
            self.cos.append(co)
            before = fam


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
        for oid, (rid, _start) in problem.previous_plan.items():
            op = problem.operations[oid]
            res = problem.resources[rid]
            if (
                res.is_batch
                or res.capacity != 1
                or op.mode_on(rid) is None
                or op.mode_on(rid).requires
                or problem.fixed_position(op) is not None
            ):
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

    def _candidates(self, oid, queue, after):
        """The slots after index ``after`` that ``oid`` can take, latest first."""
        latest = self.deadline.get(oid)
        if latest is None:
            return
        last = bisect.bisect_right(queue.starts, latest) - 1
        for j in range(last, max(after, last - CHAIN_MAX_CANDIDATES), -1):
            if self._fits_slot(oid, queue, j) is not None:
                yield j

    def _reaching(self, queue, sink):
        """For each slot, whether its operation can move along a chain of later slots to the
        machine's free time after its last slot (``sink``: when that free time begins)."""
        res = queue.res
        ops = self.p.operations
        reach = [False] * len(queue.starts)
        for j in range(len(queue.starts) - 1, -1, -1):
            oid = queue.oids[j]
            latest = self.deadline.get(oid)
            if latest is None:
                continue
            work = self._work(oid, res.id) + res.max_changeover_to(queue.fams[j])
            placed = res.calendar.place(sink, work, ops[oid].interruptible)
            if placed is not None and placed[1] <= latest:
                reach[j] = True
                continue
            reach[j] = any(reach[k] for k in self._candidates(oid, queue, j))
        return reach

    def _chain(self, oid, queue, i, used, reach, sink, taken):
        """Move ``oid`` (which lost its slot ``i``) along a chain of later slots to the free
        time after the last slot: the latest slot it can take whose operation can move on
        (and that no work pushed or chained before, ``taken``, reaches into), and so on.
        Returns the operations that took a slot and the free time's new beginning, or None
        (nothing changed)."""
        res = queue.res
        ops = self.p.operations
        hops = []
        current, k = oid, i
        while True:
            placed = res.calendar.place(
                sink,
                self._work(current, res.id) + res.max_changeover_to(ops[current].setup_family),
                ops[current].interruptible,
            )
            if placed is not None and placed[1] <= self.deadline[current]:
                break
            nxt = next(
                (
                    j
                    for j in self._candidates(current, queue, k)
                    if j not in used and reach[j] and taken.is_free(queue.starts[j], queue.ends[j])
                ),
                None,
            )
            if nxt is None:
                for j, _ in hops:
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
        self.chained.update(moved for _j, moved in hops)
        self.chained.add(current)
        self.made_way.update(queue.oids[j] for j, _moved in hops)
        return [moved for _j, moved in hops], placed[1]

    def _chain_queue(self, queue):
        """Rule keep_chain on one machine (see the module's docstring)."""
        res = queue.res
        fixed = self.fixed.get((res.id, 0))
        if fixed is None or not len(fixed) or not queue.starts:
            return
        ops = self.p.operations
        sink = max(*queue.ends, *fixed.ends)
        reach = None
        # what the chains placed: fixed for the work pushed after them
        taken = Timeline()
        for start, end, key in zip(fixed.starts, fixed.ends, fixed.keys, strict=True):
            taken.insert(start, end, key)
        used = {}  # slot index -> the op id that took it
        cursor = 0
        before = None
        for i, start in enumerate(queue.starts):
            oid = queue.oids[i]
            if i in used:
                cursor = max(cursor, self.new_ends[used[i]])
                before = ops[used[i]].setup_family
                continue  # moved along the chain that took its slot
            cursor = _after_fixed(taken, max(cursor, start), queue.ends[i] - start)
            if cursor <= start:
                cursor = queue.ends[i]
                before = queue.fams[i]
                continue
            if oid in self.deadline:
                if reach is None:
                    reach = self._reaching(queue, sink)
                chained = self._chain(oid, queue, i, used, reach, sink, taken)
                if chained is not None:
                    moved, sink = chained
                    for other in moved:
                        taken.insert(self.targets[other][1], self.new_ends[other], other)
                    continue
            # pushed: where it fits after the work before it
            co = res.changeover(before, queue.fams[i]) if before is not None else 0
            work = self._work(oid, res.id) + co
            placed = res.calendar.place(cursor, work, ops[oid].interruptible)
            while placed is not None and not taken.is_free(*placed):
                cursor = _after_fixed(taken, placed[0], placed[1] - placed[0])
                placed = res.calendar.place(cursor, work, ops[oid].interruptible)
            if placed is None:
                return
            self.targets[oid] = (res.id, placed[0])
            self.new_ends[oid] = placed[1]
            taken.insert(placed[0], placed[1], oid)
            cursor = placed[1]
            before = queue.fams[i]

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
            fixed = self.fixed.get((rid, 0))
            if fixed is not None:
                for start, end, key, fam, co in zip(
                    fixed.starts, fixed.ends, fixed.keys, fixed.fams, fixed.coalloc, strict=True
                ):
                    tl.insert(start, end, key, fam, co)
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
