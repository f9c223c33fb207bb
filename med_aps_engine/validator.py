"""Independent plan validator.

This module checks a plan against a problem (schema versions 1 and 2, see
``docs/engine-schema.md``)
without sharing any code with the solver: it imports nothing from the rest of
``med_aps_engine`` and works on plain dicts. Every violation is returned as a readable sentence
that names the operation, job or resource, the broken rule and the numbers involved.

``validate(problem, plan)`` checks a full plan; ``validate_details(problem, plan)`` returns the
same violations with their rule family and operations (plan checks that file them per
operation). ``validate_benchmark(fmt, problem, summary)``
checks the compact summary written for the public benchmark formats (``jsplib`` and ``fjsp``).
"""

import bisect
import gc
import math
import numbers
import os

NO_SOLUTION_STATUSES = ("INFEASIBLE", "UNKNOWN", "MODEL_INVALID")
MAX_REPORTED = 200
# the rule families of ``validate_details``
RULES = (
    "plan",  # the plan's own form: operations missing or twice, resource, unit, batch id
    "horizon",  # ends after the horizon
    "fixed",  # a locked or running operation not where it is
    "origin",  # starts before the plan's origin
    "release",  # starts before its release (material)
    "duration",  # shorter or longer than its work through the calendar
    "calendar",  # in closed time of its resource
    "frozen",  # moved inside the frozen window
    "precedence",  # starts before the end of what it waits for (plus its minimum lag)
    "max_lag",  # starts later after what it waits for than its maximum lag allows
    "overlap",  # two operations or batches at once on one unit
    "changeover",  # the setup misses the changeover from the family before it
    "batch",  # a batch of mixed families, times, or over its size
    "secondary",  # tools and operators: units, windows, calendars, overlaps, cycles
    "results",  # what the plan states: changeover minutes, KPIs, job results, objective
)


class _Calendar:
    """Available intervals of one resource; ``None`` means always available."""

    def __init__(self, intervals):
        self.always = intervals is None
        ivs = [] if intervals is None else [(int(s), int(e)) for s, e in intervals if e > s]
        self.starts = [s for s, _e in ivs]
        self.ends = [e for _s, e in ivs]
        self.prefix = [0]
        for s, e in ivs:
            self.prefix.append(self.prefix[-1] + (e - s))

    def is_available(self, t):
        if self.always:
            return True
        i = bisect.bisect_right(self.starts, t) - 1
        return i >= 0 and t < self.ends[i]

    def _covered_before(self, t):
        """Available minutes in (-inf, t)."""
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.prefix[i] + min(t, self.ends[i]) - self.starts[i]

    def working_minutes(self, a, b):
        """Available minutes inside [a, b)."""
        if b <= a:
            return 0
        if self.always:
            return b - a
        return self._covered_before(b) - self._covered_before(a)

    def finish(self, a, work):
        """The minute at which ``work`` available minutes counted from ``a`` are done."""
        if self.always or work <= 0:
            return a + max(work, 0)
        target = self._covered_before(a) + work
        if target > self.prefix[-1]:
            return None
        k = bisect.bisect_left(self.prefix, target) - 1  # interval where it is reached
        return self.starts[k] + (target - self.prefix[k])

    def inside_one_interval(self, a, b):
        if self.always:
            return True
        i = bisect.bisect_right(self.starts, a) - 1
        return i >= 0 and b <= self.ends[i]


def _processing(duration, efficiency):
    """Processing minutes ``ceil(duration * 100 / efficiency)``, exact for integers."""
    if efficiency <= 0:
        return 0
    if isinstance(efficiency, numbers.Integral):
        return -(-duration * 100 // int(efficiency))
    return math.ceil(duration * 100 / efficiency)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


# the objective weights a problem leaves out (docs/engine-schema.md)
OBJECTIVE_DEFAULTS = {
    "weighted_tardiness": 1000,
    "makespan": 1,
    "flow_time": 0,
    "changeover": 1,
    "stability": 30000,
    "earliness": 0,
}


def _num(value, default=0):
    return default if value is None else value


def _changeover_minutes(resource, fam_from, fam_to):
    if fam_from is None or fam_to is None:
        return 0
    spec = resource.get("changeover") or {}
    for rule in spec.get("rules") or []:
        if rule.get("from") == fam_from and rule.get("to") == fam_to:
            return int(_num(rule.get("minutes")))
    if fam_from != fam_to:
        return int(_num(spec.get("default")))
    return 0


def validate(problem: dict, plan: dict) -> list[str]:
    """Return the list of rule violations of ``plan`` for ``problem`` (empty = valid).

    A plan whose status says that no solution exists (``INFEASIBLE``, ``UNKNOWN``,
    ``MODEL_INVALID``) and that lists no operation claims nothing and is therefore valid.
    """
    gc_was_enabled = gc.isenabled()
    gc.disable()  # large plans create many small objects; collection cycles only slow us down
    try:
        return _validate(problem, plan)
    finally:
        if gc_was_enabled:
            gc.enable()


def validate_details(problem: dict, plan: dict) -> list[dict]:
    """The violations of ``validate``, each as ``{"rule", "operation", "other", "message",
    "values"}``: its rule family (one of ``RULES``), the operation it concerns and the other
    operation involved (operation ids, or None), the sentence ``validate`` returns, and
    minutes of the plan where the rule gives them (``duration``: ``needed`` and ``planned``
    working minutes; ``precedence``: ``ready``, the first minute it may start; ``max_lag``:
    ``latest``, the last; ``changeover``: ``required`` changeover minutes). All of them, in
    the same order (``validate`` stops at ``MAX_REPORTED`` sentences)."""
    if plan.get("status") in NO_SOLUTION_STATUSES and not plan.get("operations"):
        return []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        check = _PlanCheck(problem, plan)
        check.run()
        return check.details
    finally:
        if gc_was_enabled:
            gc.enable()


def _validate(problem, plan):
    status = plan.get("status")
    plan_ops = plan.get("operations") or []
    if status in NO_SOLUTION_STATUSES and not plan_ops:
        return []
    v = _PlanCheck(problem, plan).run()
    if len(v) > MAX_REPORTED:
        v = v[:MAX_REPORTED] + [f"... and {len(v) - MAX_REPORTED} more violations"]
    return v


def _mode_of(op, rid):
    for mode in op.get("modes") or []:
        if mode.get("resource") == rid:
            return mode
    return None


class _PlanCheck:
    """One validation: the problem and plan indexed once, then one method per rule family;
    every violation is appended to ``self.v``."""

    def __init__(self, problem, plan):
        self.problem = problem
        self.plan = plan
        self.v = []
        # the same violations with their rule family and operations (``validate_details``)
        self.details = []
        self.ok_ops = {}  # op id -> entry for operations whose resource/unit are valid
        self.job_finish = {}
        self.changeover_total = 0
        self.changeover_count = 0

    def run(self):
        self._index_problem()
        self._index_plan()
        for oid, entry in self.placed.items():
            self._check_operation(oid, entry)
        self._check_precedences()
        self._check_units()
        self._check_secondary()
        self._check_batch_homes()
        self._check_results()
        return self.v

    def _report(self, rule, operation, other, message, **values):
        """Record one violation: its sentence, and its rule family (``RULES``) with the
        operation it concerns, the other operation involved, if any, and the minutes that
        tell how far the plan is from the rule (``values``)."""
        self.v.append(message)
        self.details.append(
            {
                "rule": rule,
                "operation": operation,
                "other": other,
                "message": message,
                "values": values,
            }
        )

    # ---- index the problem
    def _index_problem(self):
        problem = self.problem
        self.resources = {}
        self.calendars = {}
        for res in problem.get("resources") or []:
            self.resources[res["id"]] = res
            self.calendars[res["id"]] = _Calendar(res.get("calendar"))
        self.ops = {}  # op id -> (job, op)
        self.job_ops = {}
        self.jobs = {}
        for job in problem.get("jobs") or []:
            self.jobs[job["id"]] = job
            self.job_ops[job["id"]] = []
            for op in job.get("operations") or []:
                self.ops[op["id"]] = (job, op)
                self.job_ops[job["id"]].append(op["id"])
        self.secondary = {}
        self.secondary_calendars = {}
        for sec in problem.get("secondary_resources") or []:
            self.secondary[sec["id"]] = sec
            self.secondary_calendars[sec["id"]] = _Calendar(sec.get("calendar"))
        self.horizon = problem.get("horizon")
        self.frozen_until = problem.get("frozen_until")
        self.previous = problem.get("previous_plan") or {}

    # ---- index the plan: each operation exactly once
    def _index_plan(self):
        ops = self.ops
        self.placed = {}
        for entry in self.plan.get("operations") or []:
            oid = entry.get("op")
            if oid not in ops:
                self._report(
                    "plan", oid, None, f"plan lists operation {oid!r} that is not in the problem"
                )
                continue
            if oid in self.placed:
                self._report("plan", oid, None, f"operation {oid!r} is planned more than once")
                continue
            self.placed[oid] = entry
        for oid, (job, _op) in ops.items():
            if oid not in self.placed:
                self._report(
                    "plan", oid, None, f"operation {oid!r} of job {job['id']!r} is not planned"
                )

    # ---- per-operation checks: mode, unit, duration, calendar, release, lock, horizon
    def _check_operation(self, oid, entry):
        job, op = self.ops[oid]
        name = f"operation {oid!r} of job {job['id']!r}"
        if entry.get("job") is not None and entry.get("job") != job["id"]:
            self._report(
                "plan", oid, None, f"{name}: plan says it belongs to job {entry.get('job')!r}"
            )
        rid = entry.get("resource")
        start, end = entry.get("start"), entry.get("end")
        if not _is_int(start) or not _is_int(end):
            self._report(
                "plan",
                oid,
                None,
                f"{name}: start {start!r} and end {end!r} must be integers (minutes)",
            )
            return
        start, end = int(start), int(end)
        if end < start:
            self._report("plan", oid, None, f"{name}: end {end} is before start {start}")
            return
        if rid not in self.resources:
            self._report("plan", oid, None, f"{name}: planned on unknown resource {rid!r}")
            return
        res = self.resources[rid]
        mode = _mode_of(op, rid)
        in_progress = op.get("in_progress")
        if mode is None and not (in_progress and in_progress.get("resource") == rid):
            eligible = [m.get("resource") for m in op.get("modes") or []]
            self._report(
                "plan",
                oid,
                None,
                f"{name}: resource {rid!r} is not eligible (eligible: {eligible})",
            )
            return
        capacity = int(_num(res.get("capacity"), 1))
        unit = entry.get("unit", 0)
        if unit is None:
            unit = 0
        if not _is_int(unit) or not 0 <= unit < capacity:
            self._report(
                "plan",
                oid,
                None,
                f"{name}: unit {unit!r} does not exist on resource {rid!r} "
                f"(capacity {capacity}, units 0..{capacity - 1})",
            )
            return
        self.ok_ops[oid] = entry
        self._check_fixed(name, op, rid, start, end)
        if not in_progress:
            self._check_timing(name, job, op, entry, mode, rid, start, end)
        if self.horizon is not None and end > self.horizon:
            self._report(
                "horizon",
                oid,
                None,
                f"{name}: horizon violated: end {end} > horizon {self.horizon}",
            )
        self._check_frozen(name, oid, rid, start)

    def _check_fixed(self, name, op, rid, start, end):
        """Locked operations keep their resource and start; operations in progress too, and
        end where their remaining minutes are done."""
        locked = op.get("locked")
        in_progress = op.get("in_progress")
        if locked:
            if locked.get("resource") != rid or locked.get("start") != start:
                self._report(
                    "fixed",
                    op["id"],
                    None,
                    f"{name}: locked on resource {locked.get('resource')!r} at "
                    f"{locked.get('start')}, planned on {rid!r} at {start}",
                )
        if in_progress:
            if in_progress.get("resource") != rid or in_progress.get("start") != start:
                self._report(
                    "fixed",
                    op["id"],
                    None,
                    f"{name}: in progress on resource {in_progress.get('resource')!r} since "
                    f"{in_progress.get('start')}, planned on {rid!r} at {start}",
                )
            cal = self.calendars[rid]
            remaining = int(_num(in_progress.get("remaining")))
            begin = max(start, 0)
            worked = cal.working_minutes(begin, end)
            if worked != remaining or (remaining > 0 and not cal.is_available(end - 1)):
                self._report(
                    "fixed",
                    op["id"],
                    None,
                    f"{name}: in progress with {remaining} remaining minutes from {begin} on "
                    f"{rid!r}, but [{begin}, {end}) holds {worked} available minutes "
                    f"(end must be where the remaining minutes are done)",
                )

    def _check_timing(self, name, job, op, entry, mode, rid, start, end):
        """Origin, release, and the duration through the calendar (batch cycle or setup +
        processing + cleanup, interruptible or not)."""
        res = self.resources[rid]
        cal = self.calendars[rid]
        if start < 0:
            self._report(
                "origin", op["id"], None, f"{name}: start {start} is before the plan origin 0"
            )
        release = max(int(_num(job.get("release"))), int(_num(op.get("release"))))
        if start < release:
            self._report(
                "release",
                op["id"],
                None,
                f"{name}: release violated: start {start} < release {release}",
            )
        batch = res.get("batch")
        if batch:
            cycle = int(batch.get("cycle_minutes") or 0)
            if end - start != cycle:
                self._report(
                    "duration",
                    op["id"],
                    None,
                    f"{name}: batch cycle on {rid!r} must last {cycle} minutes, "
                    f"planned [{start}, {end}) = {end - start}",
                    needed=cycle,
                    planned=end - start,
                )
            if not cal.inside_one_interval(start, end):
                self._report(
                    "calendar",
                    op["id"],
                    None,
                    f"{name}: batch cycle [{start}, {end}) on {rid!r} is not inside one "
                    f"available calendar interval",
                )
            return
        eff = _num(res.get("efficiency"), 100)
        proc = _processing(int(_num(mode.get("duration"))), eff)
        setup = entry.get("setup_minutes")
        mode_setup = int(_num(mode.get("setup")))
        if setup is None:
            setup = mode_setup + int(_num(entry.get("changeover_minutes")))
        if setup < mode_setup:
            self._report(
                "duration",
                op["id"],
                None,
                f"{name}: setup_minutes {setup} is less than the mode setup {mode_setup} "
                f"on {rid!r}",
            )
        cleanup = int(_num(mode.get("cleanup")))
        need = setup + proc + cleanup
        interruptible = op.get("interruptible", True)
        if interruptible is None:
            interruptible = True
        if need == 0:
            if end != start:
                self._report(
                    "duration",
                    op["id"],
                    None,
                    f"{name}: needs 0 working minutes, [{start}, {end}) is not empty",
                )
        elif interruptible:
            worked = cal.working_minutes(start, end)
            if worked != need:
                self._report(
                    "duration",
                    op["id"],
                    None,
                    f"{name}: duration mismatch on {rid!r}: needs {need} working minutes "
                    f"(setup {setup} + processing {proc} + cleanup {cleanup}), "
                    f"[{start}, {end}) holds {worked}",
                    needed=need,
                    planned=worked,
                )
            if not cal.is_available(start):
                self._report(
                    "calendar",
                    op["id"],
                    None,
                    f"{name}: calendar violated: start {start} is not an available "
                    f"minute of {rid!r}",
                )
            if not cal.is_available(end - 1):
                self._report(
                    "calendar",
                    op["id"],
                    None,
                    f"{name}: calendar violated: last minute {end - 1} is not an "
                    f"available minute of {rid!r}",
                )
        else:
            if end - start != need:
                self._report(
                    "duration",
                    op["id"],
                    None,
                    f"{name}: duration mismatch on {rid!r}: non-interruptible, needs "
                    f"{need} minutes (setup {setup} + processing {proc} + cleanup "
                    f"{cleanup}), planned [{start}, {end}) = {end - start}",
                    needed=need,
                    planned=end - start,
                )
            if not cal.inside_one_interval(start, end):
                self._report(
                    "calendar",
                    op["id"],
                    None,
                    f"{name}: calendar violated: non-interruptible [{start}, {end}) is "
                    f"not inside one available interval of {rid!r}",
                )

    def _check_frozen(self, name, oid, rid, start):
        prev = self.previous.get(oid)
        frozen_until = self.frozen_until
        if (
            prev
            and frozen_until is not None
            and prev.get("start") is not None
            and 0 <= prev["start"] < frozen_until
            and (prev.get("resource") != rid or prev.get("start") != start)
        ):
            self._report(
                "frozen",
                oid,
                None,
                f"{name}: frozen window violated: previous start {prev['start']} on "
                f"{prev.get('resource')!r} is before frozen_until {frozen_until}, planned on "
                f"{rid!r} at {start}",
            )

    # ---- precedences (within and across jobs) with min/max lags
    def _check_precedences(self):
        ops, ok_ops = self.ops, self.ok_ops
        for jid, oids in self.job_ops.items():
            ends = [self.placed[o]["end"] for o in oids if o in ok_ops]
            if ends and len(ends) == len(oids):
                self.job_finish[jid] = max(ends)
        for oid, entry in ok_ops.items():
            job, op = ops[oid]
            if op.get("in_progress"):
                continue
            name = f"operation {oid!r} of job {job['id']!r}"
            start = entry["start"]
            for pred in op.get("predecessors") or []:
                min_lag = int(_num(pred.get("min_lag")))
                max_lag = pred.get("max_lag")
                if pred.get("op") is not None:
                    pid = pred["op"]
                    if pid not in ok_ops:
                        continue
                    ref_end = ok_ops[pid]["end"]
                    what = f"predecessor operation {pid!r}"
                elif pred.get("job") is not None:
                    pjid = pred["job"]
                    if pjid not in self.job_finish:
                        continue
                    ref_end = self.job_finish[pjid]
                    what = f"predecessor job {pjid!r} (cross-job precedence)"
                else:
                    continue
                if start < ref_end + min_lag:
                    self._report(
                        "precedence",
                        oid,
                        pred.get("op"),
                        f"{name}: precedence violated: start {start} < end {ref_end} of {what} "
                        f"+ min_lag {min_lag}",
                        ready=ref_end + min_lag,
                    )
                if max_lag is not None and start > ref_end + int(max_lag):
                    self._report(
                        "max_lag",
                        oid,
                        pred.get("op"),
                        f"{name}: max_lag violated: start {start} > end {ref_end} of {what} "
                        f"+ max_lag {int(max_lag)}",
                        latest=ref_end + int(max_lag),
                    )

    # ---- units: no overlap, changeovers, batches
    def _check_units(self):
        by_unit = {}
        for oid, entry in self.ok_ops.items():
            by_unit.setdefault((entry["resource"], entry.get("unit") or 0), []).append(oid)
        for (rid, unit), oids in sorted(by_unit.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
            where = f"resource {rid!r} unit {unit}"
            if self.resources[rid].get("batch"):
                self._check_batch_unit(rid, where, oids)
            else:
                self._check_sequence(rid, where, oids)

    def _check_batch_unit(self, rid, where, oids):
        """The batches of one unit: one family, one start and end, within the size, no
        overlap between batches."""
        ops, ok_ops = self.ops, self.ok_ops
        max_size = int(_num(self.resources[rid]["batch"].get("max_size"), 1))
        batches = {}
        for oid in oids:
            bid = ok_ops[oid].get("batch")
            if bid is None:
                self._report(
                    "batch",
                    oid,
                    None,
                    f"operation {oid!r}: planned on batch resource {rid!r} without a batch",
                )
                bid = ("__single__", oid)
            batches.setdefault(bid, []).append(oid)
        intervals = []
        for bid, members in batches.items():
            first = ok_ops[members[0]]
            fams = {ops[o][1].get("batch_family") for o in members}
            if len(members) > 1 and (len(fams) > 1 or None in fams):
                self._report(
                    "batch",
                    members[-1],
                    members[0],
                    f"batch {bid!r} on {where}: operations {sorted(members)} have different "
                    f"batch families {sorted(str(f) for f in fams)}",
                )
            for o in members[1:]:
                e = ok_ops[o]
                if (e["start"], e["end"]) != (first["start"], first["end"]):
                    self._report(
                        "batch",
                        o,
                        members[0],
                        f"batch {bid!r} on {where}: operation {o!r} runs [{e['start']}, "
                        f"{e['end']}) but operation {members[0]!r} runs [{first['start']}, "
                        f"{first['end']})",
                    )
            size = sum(int(_num(ops[o][1].get("batch_size"), 1)) for o in members)
            if size > max_size:
                self._report(
                    "batch",
                    members[-1],
                    None,
                    f"batch {bid!r} on {where}: total batch_size {size} exceeds "
                    f"max_size {max_size}",
                )
            intervals.append((first["start"], first["end"], f"batch {bid!r}", members[0]))
        intervals.sort()
        for a, b in zip(intervals, intervals[1:], strict=False):
            if b[0] < a[1] and a[1] > a[0] and b[1] > b[0]:
                self._report(
                    "overlap",
                    b[3],
                    a[3],
                    f"{where}: overlap: {b[2]} starts at {b[0]} before {a[2]} ends at {a[1]}",
                )

    def _check_sequence(self, rid, where, oids):
        """The operations of one unit in time order: no overlap, and the changeover from each
        to the next inside the next one's setup."""
        ops, ok_ops = self.ops, self.ok_ops
        res = self.resources[rid]
        seq = sorted(
            (o for o in oids if ok_ops[o]["end"] > ok_ops[o]["start"]),
            key=lambda o: (ok_ops[o]["start"], ok_ops[o]["end"], o),
        )
        prev = None
        for oid in seq:
            entry = ok_ops[oid]
            op = ops[oid][1]
            required = 0
            if prev is not None:
                pe = ok_ops[prev]
                if entry["start"] < pe["end"]:
                    self._report(
                        "overlap",
                        oid,
                        prev,
                        f"{where}: overlap: operation {oid!r} [{entry['start']}, {entry['end']}) "
                        f"starts before operation {prev!r} [{pe['start']}, {pe['end']}) ends",
                    )
                required = _changeover_minutes(
                    res, ops[prev][1].get("setup_family"), op.get("setup_family")
                )
            if not op.get("in_progress"):
                mode = _mode_of(op, rid) or {}
                mode_setup = int(_num(mode.get("setup")))
                setup = entry.get("setup_minutes")
                if setup is not None and required > 0 and setup < mode_setup + required:
                    self._report(
                        "changeover",
                        oid,
                        prev,
                        f"operation {oid!r} on {where}: changeover violated: after operation "
                        f"{prev!r} (family {ops[prev][1].get('setup_family')!r} -> "
                        f"{op.get('setup_family')!r}) needs setup {mode_setup} + changeover "
                        f"{required} minutes, plan has setup_minutes {setup}",
                        required=required,
                    )
                declared = entry.get("changeover_minutes")
                if declared is not None and declared != required:
                    self._report(
                        "results",
                        oid,
                        prev,
                        f"operation {oid!r} on {where}: changeover_minutes {declared} but the "
                        f"changeover from the previous operation "
                        f"{'(none)' if prev is None else repr(prev)} is {required}",
                    )
            if required > 0:
                self.changeover_total += required
                self.changeover_count += 1
            prev = oid

    # ---- secondary resources: alternatives, counts, windows, calendars, no overlap per unit,
    # move minutes between consecutive uses of a unit on different machines
    def _check_secondary(self):
        held = {}  # (secondary resource, unit) -> [(begin, end, op)]
        self.maintenance_rows = {}  # (op, secondary resource, unit) -> {start, end}
        for oid, entry in self.ok_ops.items():
            job, op = self.ops[oid]
            name = f"operation {oid!r} of job {job['id']!r}"
            mode = _mode_of(op, entry["resource"]) or {}
            for sid, unit, begin, end in self._secondary_of(name, op, entry, mode):
                held.setdefault((sid, unit), []).append((begin, end, oid))
        for (sid, unit), rows in sorted(held.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
            rows = sorted(r for r in rows if r[1] > r[0])
            self._check_cycles(sid, unit, rows)
            move = int(_num(self.secondary[sid].get("move_minutes")))
            for (_b1, e1, o1), (b2, _e2, o2) in zip(rows, rows[1:], strict=False):
                if b2 < e1:
                    self._report(
                        "secondary",
                        o2,
                        o1,
                        f"secondary resource {sid!r} unit {unit}: overlap: operation {o2!r} "
                        f"holds it from {b2} before operation {o1!r} releases it at {e1}",
                    )
                    continue
                first, second = self.ok_ops[o1], self.ok_ops[o2]
                m1 = (first["resource"], first.get("unit") or 0)
                m2 = (second["resource"], second.get("unit") or 0)
                if move and m1 != m2 and b2 < e1 + move:
                    self._report(
                        "secondary",
                        o2,
                        o1,
                        f"secondary resource {sid!r} unit {unit}: moves from {m1[0]!r} unit "
                        f"{m1[1]} (operation {o1!r}, until {e1}) to {m2[0]!r} unit {m2[1]} "
                        f"(operation {o2!r}, from {b2}) in {b2 - e1} minutes, needs {move}",
                    )

    def _check_cycles(self, sid, unit, rows):
        """A unit with ``max_cycles``: counted from its ``cycles_used`` along its uses in time
        order, reset by a maintenance of ``maintenance_minutes`` right before a use (after the
        previous use, not before minute 0), never above ``max_cycles``."""
        tool = self.secondary[sid]
        limit = tool.get("max_cycles")
        length = int(_num(tool.get("maintenance_minutes")))
        used = list(tool.get("cycles_used") or [])
        count = used[unit] if unit < len(used) else 0
        previous_end = None
        for begin, end, oid in rows:
            row = self.maintenance_rows.get((oid, sid, unit))
            where = f"secondary resource {sid!r} unit {unit}"
            if row is not None:
                m_start, m_end = row.get("start"), row.get("end")
                if limit is None:
                    self._report(
                        "secondary",
                        oid,
                        None,
                        f"{where}: maintenance before operation {oid!r}, no max_cycles",
                    )
                elif m_end != begin or not _is_int(m_start) or m_end - m_start != length:
                    self._report(
                        "secondary",
                        oid,
                        None,
                        f"{where}: maintenance before operation {oid!r} must be the {length} "
                        f"minutes right before its use at {begin}, plan says [{m_start}, {m_end})",
                    )
                elif m_start < 0 or (previous_end is not None and m_start < previous_end):
                    self._report(
                        "secondary",
                        oid,
                        None,
                        f"{where}: maintenance [{m_start}, {m_end}) before operation {oid!r} "
                        f"starts before minute 0 or before the previous use ends ({previous_end})",
                    )
                count = 0
            previous_end = end
            if limit is None:
                continue
            job, op = self.ops[oid]
            mode = _mode_of(op, self.ok_ops[oid]["resource"]) or {}
            for req in mode.get("requires") or []:
                if sid in (req.get("any_of") or []):
                    count += int(_num(req.get("cycles"), 1))
            if count > limit:
                self._report(
                    "secondary",
                    oid,
                    None,
                    f"{where}: {count} cycles since its last maintenance at operation {oid!r} "
                    f"of job {job['id']!r}, over max_cycles {limit}",
                )

    def _secondary_window(self, op, entry, requirement):
        """``[begin, end)`` the operation must hold ``requirement``: its occupation (from
        minute 0 when in progress) or its setup, measured on the main calendar."""
        start, end = entry["start"], entry["end"]
        in_progress = op.get("in_progress")
        begin = max(start, 0) if in_progress else start
        if (requirement.get("during") or "occupation") == "occupation":
            return begin, max(begin, end)
        setup = entry.get("setup_minutes") or 0
        if in_progress or setup <= 0:
            return begin, begin
        interruptible = op.get("interruptible")
        cal = self.calendars[entry["resource"]]
        if interruptible is False:
            setup_end = begin + setup
        else:
            setup_end = cal.finish(begin, setup)
            setup_end = end if setup_end is None else setup_end
        return begin, min(setup_end, end)

    def _secondary_of(self, name, op, entry, mode):
        """Check the units an operation names against its mode's requirements; returns the
        valid bookings ``(secondary resource, unit, begin, end)``."""
        requirements = mode.get("requires") or []
        listed = entry.get("secondary") or []
        owner = {}
        for k, req in enumerate(requirements):
            for sid in req.get("any_of") or []:
                owner[sid] = k
        counts = [0] * len(requirements)
        seen = set()
        bookings = []
        for row in listed:
            sid, unit = row.get("resource"), row.get("unit")
            sec = self.secondary.get(sid)
            if sec is None:
                self._report(
                    "secondary",
                    entry["op"],
                    None,
                    f"{name}: holds unknown secondary resource {sid!r}",
                )
                continue
            if sid not in owner:
                self._report(
                    "secondary",
                    entry["op"],
                    None,
                    f"{name}: holds secondary resource {sid!r}, which its mode on "
                    f"{entry['resource']!r} does not require",
                )
                continue
            count = int(_num(sec.get("count"), 1))
            if not _is_int(unit) or not 0 <= unit < count:
                self._report(
                    "secondary",
                    entry["op"],
                    None,
                    f"{name}: unit {unit!r} does not exist on secondary resource {sid!r} "
                    f"(count {count}, units 0..{count - 1})",
                )
                continue
            if (sid, unit) in seen:
                self._report(
                    "secondary",
                    entry["op"],
                    None,
                    f"{name}: holds unit {unit} of secondary resource {sid!r} twice",
                )
                continue
            seen.add((sid, unit))
            if row.get("maintenance") is not None:
                self.maintenance_rows[(entry["op"], sid, unit)] = row["maintenance"]
            names = sec.get("unit_names") or []
            if "unit_name" in row and names and row["unit_name"] != names[unit]:
                self._report(
                    "secondary",
                    entry["op"],
                    None,
                    f"{name}: unit {unit} of {sid!r} is named {names[unit]!r}, the plan says "
                    f"{row['unit_name']!r}",
                )
            req = requirements[owner[sid]]
            counts[owner[sid]] += 1
            begin, end = self._secondary_window(op, entry, req)
            if (row.get("start", begin), row.get("end", end)) != (begin, end):
                self._report(
                    "secondary",
                    entry["op"],
                    None,
                    f"{name}: holds {sid!r} unit {unit} over [{row.get('start')}, "
                    f"{row.get('end')}), its {req.get('during') or 'occupation'} is "
                    f"[{begin}, {end})",
                )
            if end > begin and not self.secondary_calendars[sid].inside_one_interval(begin, end):
                self._report(
                    "secondary",
                    entry["op"],
                    None,
                    f"{name}: secondary resource {sid!r} is not available over [{begin}, "
                    f"{end}) (not inside one interval of its calendar)",
                )
            limit = (req.get("valid_until") or {}).get(sid)
            if end > begin and limit is not None and end > limit:
                self._report(
                    "secondary",
                    entry["op"],
                    None,
                    f"{name}: secondary resource {sid!r} serves this requirement only until "
                    f"{limit}, the window ends at {end}",
                )
            bookings.append((sid, unit, begin, end))
        for k, req in enumerate(requirements):
            need = int(_num(req.get("count"), 1))
            if counts[k] != need:
                self._report(
                    "secondary",
                    entry["op"],
                    None,
                    f"{name}: needs {need} unit(s) of {list(req.get('any_of') or [])} on "
                    f"{entry['resource']!r}, the plan names {counts[k]}",
                )
        return bookings

    def _check_batch_homes(self):
        """A batch id must not be reused on another unit or resource."""
        batch_home = {}
        for oid, entry in self.ok_ops.items():
            bid = entry.get("batch")
            if bid is None or not self.resources[entry["resource"]].get("batch"):
                continue
            home = (entry["resource"], entry.get("unit") or 0)
            if batch_home.setdefault(bid, home) != home:
                self._report(
                    "plan",
                    oid,
                    None,
                    f"batch {bid!r}: operation {oid!r} is on resource {home[0]!r} unit "
                    f"{home[1]}, other operations of the batch on {batch_home[bid][0]!r} unit "
                    f"{batch_home[bid][1]}",
                )

    # ---- KPIs and job results
    def _check_results(self):
        complete = len(self.ok_ops) == len(self.ops) and len(self.ok_ops) == len(self.placed)
        if not complete:
            return
        reported = len(self.v)
        _check_kpis(
            self.v,
            self.problem,
            self.plan,
            self.ops,
            self.ok_ops,
            self.jobs,
            self.job_finish,
            self.previous,
        )
        for message in self.v[reported:]:
            self.details.append(
                {
                    "rule": "results",
                    "operation": None,
                    "other": None,
                    "message": message,
                    "values": {},
                }
            )
        kpis = self.plan.get("kpis") or {}
        for key, value in (
            ("changeovers", self.changeover_count),
            ("changeover_minutes", self.changeover_total),
        ):
            if key in kpis and kpis[key] != value:
                self._report(
                    "results", None, None, f"KPI {key}: plan says {kpis[key]}, recomputed {value}"
                )
        self._check_objective()

    def _check_objective(self):
        """The plan's objective is the weighted sum of what the plan does (the weights of
        docs/engine-schema.md, defaults included), recomputed from the operations."""
        objective = self.plan.get("objective")
        if not isinstance(objective, numbers.Number) or isinstance(objective, bool):
            return
        weights = dict(OBJECTIVE_DEFAULTS)
        weights.update(self.problem.get("objective") or {})
        ends = [e["end"] for e in self.ok_ops.values()]
        wtard = early = flow = 0
        for jid, job in self.jobs.items():
            finish = self.job_finish.get(jid)
            if finish is None:
                continue
            due = job.get("due")
            weight = _num(job.get("weight"), 1)
            flow += finish - _num(job.get("release"), 0)
            if due is not None:
                wtard += weight * max(0, finish - due)
                early += weight * max(0, due - finish)
        moved = sum(
            1
            for oid, prev in self.previous.items()
            if (e := self.ok_ops.get(oid))
            and (e["resource"] != prev.get("resource") or e["start"] != prev.get("start"))
        )
        value = (
            weights["weighted_tardiness"] * wtard
            + weights["makespan"] * (max(ends) if ends else 0)
            + weights["flow_time"] * flow
            + weights["changeover"] * self.changeover_total
            + weights["stability"] * moved
            + weights["earliness"] * early
        )
        if abs(objective - value) > 1e-6 * max(1.0, abs(value)):
            self._report(
                "results", None, None, f"objective: plan says {objective}, recomputed {value}"
            )


def _check_kpis(v, problem, plan, ops, ok_ops, jobs, job_finish, previous):
    kpis = plan.get("kpis") or {}
    ends = [e["end"] for e in ok_ops.values()]
    makespan = max(ends) if ends else 0
    total_tard = 0
    total_wtard = 0
    total_wearly = 0
    late = 0
    per_job = {}
    for jid, job in jobs.items():
        finish = job_finish.get(jid)
        due = job.get("due")
        tard = 0 if finish is None or due is None else max(0, finish - due)
        weight = _num(job.get("weight"), 1)
        per_job[jid] = (finish, tard, weight * tard)
        total_tard += tard
        total_wtard += weight * tard
        if finish is not None and due is not None:
            total_wearly += weight * max(0, due - finish)
        late += 1 if tard > 0 else 0
    moved = 0
    for oid, prev in previous.items():
        e = ok_ops.get(oid)
        if e and (e["resource"] != prev.get("resource") or e["start"] != prev.get("start")):
            moved += 1
    expected = {
        "makespan": makespan,
        "total_weighted_earliness": total_wearly,
        "total_weighted_tardiness": total_wtard,
        "total_tardiness": total_tard,
        "late_jobs": late,
        "moved_operations": moved,
    }
    for key, value in expected.items():
        if key in kpis and kpis[key] is not None and abs(kpis[key] - value) > 1e-6:
            v.append(f"KPI {key}: plan says {kpis[key]}, recomputed {value}")
    rows = plan.get("jobs")
    if rows:
        listed = {row.get("job") for row in rows}
        for jid in per_job:
            if jid not in listed:
                v.append(f"job {jid!r}: missing from the plan's job results")
    for row in rows or []:
        jid = row.get("job")
        if jid not in per_job:
            v.append(f"plan lists job {jid!r} that is not in the problem")
            continue
        finish, tard, wtard = per_job[jid]
        if tard > 0 and "late_reason" in row and not row["late_reason"]:
            v.append(f"job {jid!r}: late by {tard} minutes but the plan gives no late_reason")
        for key, value in (("finish", finish), ("tardiness", tard), ("weighted_tardiness", wtard)):
            if key in row and row[key] is not None and value is not None:
                if abs(row[key] - value) > 1e-6:
                    v.append(f"job {jid!r}: {key} is {row[key]} in the plan, recomputed {value}")


# ---------------------------------------------------------------- benchmark summaries


def _read_benchmark_file(fmt, path):
    """Minimal independent reader for the jsplib / fjsp text formats.

    Returns ``(machines, jobs)`` where ``jobs[j][o]`` maps machine number -> duration.
    """
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    tokens = []
    for line in lines:
        if line.strip().startswith("#"):
            continue
        tokens.extend(line.split())
    pos = 0

    def take():
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError(f"{os.path.basename(path)}: unexpected end of file")
        pos += 1
        return int(float(tokens[pos - 1]))

    n, m = take(), take()
    jobs = []
    if fmt == "jsplib":
        for _j in range(n):
            jobs.append([{take(): take()} for _o in range(m)])
    elif fmt == "fjsp":
        # the third header value (if any) is informational: skip it when it cannot be a job line
        first_job_line = next(
            i for i, line in enumerate(lines) if line.strip() and not line.strip().startswith("#")
        )
        if len(lines[first_job_line].split()) > 2:
            pos += 1
        for _j in range(n):
            job = []
            for _o in range(take()):
                modes = {}
                for _c in range(take()):
                    mach = take()
                    modes[mach] = take()
                job.append(modes)
            jobs.append(job)
    else:
        raise ValueError(f"unknown benchmark format {fmt!r} (expected 'jsplib' or 'fjsp')")
    return m, jobs


def validate_benchmark(fmt: str, problem, summary: dict) -> list[str]:
    """Check a benchmark summary ``{makespan, status, bound, operations}``.

    ``problem`` is the instance file path or the schema-v1 problem dict read from it. Job,
    operation and machine numbers in ``summary["operations"]`` are numbered as in the file.
    """
    if fmt not in ("jsplib", "fjsp"):
        return [f"unknown benchmark format {fmt!r} (expected 'jsplib' or 'fjsp')"]
    status = summary.get("status")
    sops = summary.get("operations") or []
    if status in NO_SOLUTION_STATUSES and not sops:
        return []
    if isinstance(problem, dict):
        prob = problem
    else:
        _m, raw = _read_benchmark_file(fmt, problem)
        jobs = []
        for j, raw_job in enumerate(raw):
            operations = []
            for o, modes in enumerate(raw_job):
                operations.append(
                    {
                        "id": f"J{j}.{o}",
                        "modes": [{"resource": f"M{k}", "duration": d} for k, d in modes.items()],
                        "predecessors": [{"op": f"J{j}.{o - 1}"}] if o else [],
                    }
                )
            jobs.append({"id": f"J{j}", "operations": operations})
        machines = sorted({k for job in raw for modes in job for k in modes})
        prob = {
            "schema_version": 1,
            "resources": [{"id": f"M{k}", "capacity": 1} for k in machines],
            "jobs": jobs,
        }
    v = []
    plan_ops = []
    for row in sops:
        try:
            j, o, mach = int(row["job"]), int(row["op"]), int(row["machine"])
            start, end = int(row["start"]), int(row["end"])
        except (KeyError, TypeError, ValueError):
            v.append(f"summary operation {row!r} lacks integer job/op/machine/start/end")
            continue
        plan_ops.append(
            {
                "op": f"J{j}.{o}",
                "job": f"J{j}",
                "resource": f"M{mach}",
                "unit": 0,
                "start": start,
                "end": end,
            }
        )
    v.extend(validate(prob, {"status": status or "FEASIBLE", "operations": plan_ops}))
    ends = [p["end"] for p in plan_ops]
    makespan = summary.get("makespan")
    if ends and makespan != max(ends):
        v.append(f"makespan {makespan} differs from the latest operation end {max(ends)}")
    bound = summary.get("bound")
    if bound is not None and makespan is not None and bound > makespan + 1e-6:
        v.append(f"bound {bound} is above the makespan {makespan}")
    return v


# ---------------------------------------------------------------- RCPSP (PSPLIB Patterson)


def _read_rcpsp_file(path):
    """Minimal independent reader of a Patterson ``.rcp`` file: ``(capacities, durations,
    demands, successors)``, activities 1-based as in the file."""
    with open(path, encoding="utf-8") as handle:
        tokens = [int(tok) for tok in handle.read().split()]
    pos = 0

    def take():
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError(f"{os.path.basename(str(path))}: unexpected end of file")
        pos += 1
        return tokens[pos - 1]

    n, k = take(), take()
    capacities = [take() for _r in range(k)]
    durations, demands, successors = {}, {}, {}
    for a in range(1, n + 1):
        durations[a] = take()
        demands[a] = [take() for _r in range(k)]
        successors[a] = [take() for _s in range(take())]
    return capacities, durations, demands, successors


def validate_rcpsp(path, summary: dict) -> list[str]:
    """Check an RCPSP summary ``{makespan, status, bound, activities: [{activity, start,
    end}]}`` against the Patterson file at ``path``: every activity once with its duration,
    precedences, resource capacities at every start, makespan and bound."""
    status = summary.get("status")
    rows = summary.get("activities") or []
    if status in NO_SOLUTION_STATUSES and not rows:
        return []
    capacities, durations, demands, successors = _read_rcpsp_file(path)
    v = []
    start = {}
    for row in rows:
        a, s, e = row.get("activity"), row.get("start"), row.get("end")
        if not _is_int(a) or a not in durations:
            v.append(f"unknown activity {a!r}")
            continue
        if not _is_int(s) or not _is_int(e):
            v.append(f"activity {a}: start {s!r} and end {e!r} must be integers")
            continue
        if a in start:
            v.append(f"activity {a} is scheduled more than once")
            continue
        if s < 0:
            v.append(f"activity {a}: start {s} is before 0")
        if e - s != durations[a]:
            v.append(f"activity {a}: [{s}, {e}) does not last its duration {durations[a]}")
        start[a] = s
    missing = [a for a in durations if a not in start]
    if missing:
        v.append(f"{len(missing)} activities not scheduled, e.g. {missing[:5]}")
        return v
    for a, succ in successors.items():
        for b in succ:
            if start[b] < start[a] + durations[a]:
                v.append(
                    f"activity {b} starts at {start[b]} before its predecessor {a} ends at "
                    f"{start[a] + durations[a]}"
                )
    for t in sorted(set(start.values())):
        running = [a for a in start if start[a] <= t < start[a] + durations[a]]
        for r, cap in enumerate(capacities):
            used = sum(demands[a][r] for a in running)
            if used > cap:
                v.append(f"resource {r + 1}: {used} units in use at {t}, capacity {cap}")
    makespan = max(start[a] + durations[a] for a in start)
    if summary.get("makespan") != makespan:
        v.append(f"makespan {summary.get('makespan')} differs from the latest end {makespan}")
    bound = summary.get("bound")
    if bound is not None and bound > makespan:
        v.append(f"bound {bound} is above the makespan {makespan}")
    return v
