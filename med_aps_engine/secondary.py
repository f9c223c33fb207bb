"""Secondary resources: when an operation holds them, which units are free, which unit
serves whom.

A requirement is held over a *window* of the operation's occupation on its main resource:
the whole ``[start, end)`` (setup, processing, cleanup and the breaks in between: a mould
stays mounted over a night), or only the setup, ``[start, setup end)``, where the setup end
is the minute its working minutes are done on the main resource's calendar. An operation in
progress holds its units from ``max(start, 0)`` (the past is not planned) and has no setup
left. A unit serves one window at a time and only inside one available interval of its
resource's calendar; a requirement's ``valid_until`` ends a resource's service to that
requirement alone (an operator's qualification lapses, their other skills stay valid).

Units are identical, so the CP-SAT model counts them (a cumulative per secondary resource)
and ``name_units`` names them afterwards: greedy colouring by start time uses at most as
many units as are busy at once, which the cumulative keeps within the count (an interval
graph's chromatic number is its largest clique). The dispatcher books named units directly
(``UnitBook``).

A tool with ``move_minutes`` needs that long between two consecutive uses of a unit on
different machines (a machine is a main resource's unit): unmounting and mounting. Where a
unit is matters, so such units are told apart in the model too and keep their names.
So are the units of a tool with ``max_cycles``: a unit runs at most that many cycles between
two maintenances; a maintenance of ``maintenance_minutes`` right before a use resets them.
"""

import bisect
from dataclasses import replace

from .schedule import Timeline


def cycles_of(mode, sid):
    """Cycles one use of ``mode`` takes from a unit of ``sid``."""
    return next(req.cycles for req in mode.requires if sid in req.any_of)


def machine(assign):
    """The machine an operation runs on: its main resource and unit."""
    return (assign.resource, assign.unit)


def requirement_window(problem, op, assign, requirement):
    """``[begin, end)`` during which ``op``, placed as ``assign``, holds ``requirement``."""
    begin = max(assign.start, 0) if op.in_progress else assign.start
    if not requirement.setup_only:
        return begin, max(begin, assign.end)
    if op.in_progress or assign.setup <= 0:
        return begin, begin
    cal = problem.resources[assign.resource].calendar
    if op.interruptible and not cal.always:
        setup_end = cal.finish(begin, assign.setup)
    else:
        setup_end = begin + assign.setup
    return begin, min(setup_end, assign.end)


def blocked_until(calendar, begin, end):
    """``None`` if ``[begin, end)`` lies inside one available interval of ``calendar``, else
    the earliest start from which a window of at least this length could: the end of the
    last gap it meets (``INF`` when no interval follows)."""
    if calendar.always or end <= begin:
        return None
    k = bisect.bisect_left(calendar.starts, end) - 1  # last interval starting before end
    if k >= 0 and calendar.starts[k] <= begin and end <= calendar.ends[k]:
        return None
    if k >= 0 and calendar.ends[k] < end:
        return calendar.starts[k + 1] if k + 1 < len(calendar.windows) else INF
    return calendar.starts[k] if k >= 0 else calendar.starts[0] if calendar.windows else INF


INF = 1 << 60


class UnitBook:
    """Named units of every secondary resource for the dispatcher: one timeline per unit."""

    def __init__(self, problem):
        self.p = problem
        self.timelines = {
            (sid, u): Timeline() for sid, sec in problem.secondary.items() for u in range(sec.count)
        }

    def _unit_blocked_until(self, sid, u, begin, end, where, cycles):
        """``(None, maintain)`` if unit ``u`` of ``sid`` is free over ``[begin, end)`` on
        machine ``where`` (with the move time from and to its neighbouring uses on other
        machines; with a cycle limit, after its last use and with a maintenance before it
        when ``maintain``), else ``(t, False)``: no start before ``t`` can have it (a later
        start only ends later)."""
        tl = self.timelines[(sid, u)]
        tool = self.p.secondary[sid]
        move = tool.move_minutes
        i = bisect.bisect_left(tl.starts, end) - 1  # last booking starting before end
        if i >= 0 and tl.ends[i] > begin:
            return tl.ends[i] + (move if tl.fams[i] != where else 0), False
        if move:
            if i >= 0 and tl.fams[i] != where and tl.ends[i] + move > begin:
                return tl.ends[i] + move, False
            following = i + 1
            if (
                following < len(tl)
                and tl.fams[following] != where
                and end + move > tl.starts[following]
            ):
                return tl.ends[following], False
        if tool.max_cycles is None:
            return None, False
        # cycles counted along the unit's uses: only after its last one
        if len(tl) and tl.ends[-1] > begin:
            return tl.ends[-1], False
        used = tl.coalloc[-1] if len(tl) else tool.cycles_used[u]
        if used + cycles <= tool.max_cycles:
            return None, False
        ready = (tl.ends[-1] if len(tl) else 0) + tool.maintenance_minutes
        return (ready, False) if begin < ready else (None, True)

    def fit(self, op, mode, assign):
        """``(bookings, None)`` with ``bookings`` = ``[(sid, unit, begin, end), ...]`` when
        every requirement of ``mode`` has free units for ``assign``; else ``(None, t)``:
        no start before ``t`` can have them (``INF``: never)."""
        bookings = []
        self.maintain = set()  # units the last fit maintains before their use
        wait = 0
        for req in mode.requires:
            begin, end = requirement_window(self.p, op, assign, req)
            free, later = [], []
            for sid in req.any_of:
                sec = self.p.secondary[sid]
                closed = blocked_until(sec.calendar, begin, end)
                if end > begin and not req.usable(sid, end):
                    later += [INF] * sec.count  # lapsed: a later start only ends later
                    continue
                for u in range(sec.count):
                    if end <= begin:
                        free.append((sid, u))
                        continue
                    until, maintain = closed, False
                    if until is None:
                        until, maintain = self._unit_blocked_until(
                            sid, u, begin, end, machine(assign), req.cycles
                        )
                    if until is None:
                        free.append((sid, u))
                        if maintain:
                            self.maintain.add((sid, u))
                    else:
                        later.append(until)
            if len(free) >= req.count:
                # a tool that moves: first the units already on this machine or unused;
                # then those that need no maintenance yet
                free.sort(
                    key=lambda unit: (
                        self._moves_to(unit, begin, machine(assign)),
                        unit in self.maintain,
                    )
                )
                bookings += [(sid, u, begin, end) for sid, u in free[: req.count]]
                continue
            later.sort()
            # the count-th unit to come free: before that no start has enough
            wait = max(wait, later[req.count - len(free) - 1])
        if wait:
            return None, wait
        self.maintain = {(sid, u) for sid, u, b, e in bookings if (sid, u) in self.maintain}
        return bookings, None

    def _moves_to(self, unit, begin, where):
        """True if ``unit`` (of a tool with move minutes) was last used before ``begin`` on
        another machine than ``where``."""
        if not self.p.secondary[unit[0]].move_minutes:
            return False
        tl = self.timelines[unit]
        i = bisect.bisect_right(tl.starts, begin) - 1
        return i >= 0 and tl.fams[i] != where

    def book(self, oid, mode, bookings, where, maintained=()):
        """Book ``bookings`` for ``oid`` running on machine ``where`` in ``mode``; a unit
        with a cycle limit counts its cycles (reset on the units in ``maintained``)."""
        for sid, u, begin, end in bookings:
            if end > begin:
                tl = self.timelines[(sid, u)]
                tool = self.p.secondary[sid]
                used = 0
                if tool.max_cycles is not None:
                    used = tl.coalloc[-1] if len(tl) else tool.cycles_used[u]
                    used = (0 if (sid, u) in maintained else used) + cycles_of(mode, sid)
                tl.insert(begin, end, oid, where, used)

    def release(self, oid, assign):
        for sid, u, begin, end in assign.secondary:
            if end > begin:
                self.timelines[(sid, u)].remove(oid, begin)


def name_units(problem, assigns, pooled):
    """Name the units of every secondary resource in ``assigns`` ∪ ``pooled``.

    ``assigns``: ``{op: Assign}`` whose ``secondary`` bookings name units (they are renamed
    here); ``pooled``: ``{op: Assign}`` whose ``secondary`` holds ``(sid, None, begin, end)``
    (a count from the model). Returns ``{op: Assign}`` of every operation whose bookings
    changed (new objects: the inputs are not modified). Greedy colouring by start. Units of
    tools with move minutes or cycle limits keep the names they have (the model names them)."""
    items = {}  # sid -> [(begin, end, op, slot)]
    named = {}  # (op, slot) -> unit
    for source in (assigns, pooled):
        for oid, a in source.items():
            for k, (sid, u, begin, end) in enumerate(a.secondary):
                if problem.secondary[sid].named:
                    named[(oid, k)] = u
                else:
                    items.setdefault(sid, []).append((begin, end, oid, k))
    for sid, rows in items.items():
        count = problem.secondary[sid].count
        busy_until = [None] * count  # end of the last window of each unit
        rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
        taken = {}  # op -> units of sid it already holds (zero-length windows)
        for begin, end, oid, k in rows:
            held = taken.setdefault(oid, set())
            unit = next(
                u
                for u in range(count)
                if u not in held
                and (end <= begin or busy_until[u] is None or busy_until[u] <= begin)
            )
            held.add(unit)
            if end > begin:
                busy_until[unit] = end
            named[(oid, k)] = unit
    changed = {}
    for source in (assigns, pooled):
        for oid, a in source.items():
            if not a.secondary:
                continue
            bookings = tuple(
                (sid, named[(oid, k)], begin, end)
                for k, (sid, _u, begin, end) in enumerate(a.secondary)
            )
            if bookings != a.secondary:
                changed[oid] = replace(a, secondary=bookings)
    return changed
