"""Turn a complete schedule into the plan dict of the schema (KPIs, utilization, late reasons)."""

import bisect
from datetime import datetime, timedelta

from .problem import SCHEMA_VERSION
from .schedule import changeovers, evaluate


def parse_origin(origin):
    """The plan origin (ISO-8601, ``Z`` allowed) as a datetime, or None when absent or
    unreadable (it is kept for display only)."""
    if not origin:
        return None
    try:
        return datetime.fromisoformat(str(origin).replace("Z", "+00:00"))
    except ValueError:
        return None


def _origin(problem):
    return parse_origin(problem.origin)


def format_minute(problem, minute):
    """``day 3 09:00`` (day 1 is the day of the plan origin)."""
    origin = _origin(problem)
    if origin is None:
        return f"day {minute // 1440 + 1} {minute % 1440 // 60:02d}:{minute % 60:02d}"
    at = origin + timedelta(minutes=minute)
    day = (at.date() - origin.date()).days + 1
    return f"day {day} {at:%H:%M}"


def _hours(minutes):
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes / 60:.1f} h"


def _unit_index(assigns):
    """{(resource, unit): (sorted starts, sorted ends)} of distinct occupations."""
    occ = {}
    for a in assigns.values():
        occ.setdefault((a.resource, a.unit), set()).add((a.start, a.end))
    index = {}
    for key, items in occ.items():
        items = sorted(items)
        index[key] = ([s for s, _e in items], sorted(e for _s, e in items))
    return index


def late_causes(problem, assigns, jid, finish, unit_index=None):
    """Why job ``jid`` finishes after its due date: ``(causes, chain)``.

    ``causes`` are dicts by ``kind``: ``material`` (``until`` minute, ``op``), ``bottleneck``
    (``resource``, ``op`` that waited ``waited`` minutes behind ``ahead`` operations or
    ``batches``), ``no_slack`` (the path alone needs ``until``), ``due_before_release``.
    ``chain`` is the critical path of op ids ending the job (``None`` where shortened)."""
    ops = problem.operations
    job = problem.jobs[jid]
    last = max(job.operations, key=lambda o: (assigns[o].end, ops[o].index))
    chain = []
    material = None
    waits = {}  # resource id -> (waited minutes, op id, ops queued ahead)
    current = last
    seen = set()
    while current is not None and current not in seen:
        seen.add(current)
        op = ops[current]
        a = assigns[current]
        chain.append(current)
        res = problem.resources[a.resource]
        earliest = max(op.release, 0)
        binding_pred = None
        for pred in op.predecessors:
            ready = assigns[pred.op].end + pred.min_lag
            if ready > earliest or (ready == earliest and binding_pred is None and ready > 0):
                earliest = ready
                binding_pred = pred.op
        ready_at = res.calendar.next_available(earliest)
        ready_at = earliest if ready_at is None else ready_at
        if a.start > ready_at and not op.in_progress and not op.locked:
            if unit_index is None:
                unit_index = _unit_index(assigns)
            starts, ends = unit_index[(a.resource, a.unit)]
            ahead = bisect.bisect_left(starts, a.start) - bisect.bisect_right(ends, ready_at)
            wait = a.start - ready_at
            if wait > waits.get(a.resource, (0,))[0]:
                waits[a.resource] = (wait, current, max(ahead, 0))
        if binding_pred is None:
            if op.release > 0 and material is None and a.start >= op.release:
                material = (op.release, op)
            current = None
        else:
            current = binding_pred
    causes = []
    if material is not None:
        release, op = material
        causes.append({"kind": "material", "until": release, "op": op.id})
    if waits:
        rid, (wait, oid, ahead) = max(waits.items(), key=lambda kv: kv[1][0])
        causes.append(
            {
                "kind": "bottleneck",
                "resource": rid,
                "op": oid,
                "ahead": ahead,
                "waited": wait,
                "batches": problem.resources[rid].is_batch,
            }
        )
    if not causes:
        if job.due is not None and job.due < job.release:
            causes.append({"kind": "due_before_release"})
        else:
            causes.append({"kind": "no_slack", "until": finish})
    chain_ids = list(reversed(chain))
    if len(chain_ids) > 5:
        chain_ids = chain_ids[:2] + [None] + chain_ids[-2:]
    return causes, chain_ids


def late_reason(problem, assigns, jid, finish, unit_index=None):
    """A short explanation of why job ``jid`` finishes after its due date (English)."""
    causes, chain_ids = late_causes(problem, assigns, jid, finish, unit_index)
    return describe_late_causes(problem, causes, chain_ids)


def describe_late_causes(problem, causes, chain_ids):
    """The English text of ``late_causes`` (applications translate the structured form)."""
    ops = problem.operations
    parts = []
    for cause in causes:
        kind = cause["kind"]
        if kind == "material":
            op = ops[cause["op"]]
            until = format_minute(problem, cause["until"])
            parts.append(f"Waiting for material until {until} (op {op.name})")
        elif kind == "bottleneck":
            res = problem.resources[cause["resource"]]
            what = "batches" if cause["batches"] else "operations"
            parts.append(
                f"bottleneck {res.name} ({cause['op']} queued behind {cause['ahead']} {what}, "
                f"waited {_hours(cause['waited'])})"
            )
        elif kind == "due_before_release":
            parts.append("Due date is before the release (material arrival)")
        else:
            parts.append(
                f"Not enough time: the chain of operations needs until "
                f"{format_minute(problem, cause['until'])} even without waiting"
            )
    names = ["..." if oid is None else ops[oid].name for oid in chain_ids]
    parts.append("chain " + " -> ".join(names))
    text = "; then ".join(parts[:-1]) if len(parts) > 1 else ""
    return (text + "; " if text else "") + parts[-1]


def _secondary_rows(problem, assign):
    """The secondary units an operation holds: resource, unit (and its name), window."""
    rows = []
    for sid, unit, begin, end in assign.secondary:
        row = {"resource": sid, "unit": unit, "start": begin, "end": end}
        tool = problem.secondary[sid]
        if tool.unit_names:
            row["unit_name"] = tool.unit_names[unit]
        if (sid, unit) in assign.maintained:
            # maintained right before this use: its cycles start again from 0
            row["maintenance"] = {"start": begin - tool.maintenance_minutes, "end": begin}
        rows.append(row)
    return rows


def build_plan(problem, assigns, status, method, seconds, bound=None, progress=None):
    cos = changeovers(problem, assigns)
    ev = evaluate(problem, assigns, cos)
    objective = ev["objective"]
    gap = None
    if bound is not None and objective:
        gap = round(max(0.0, (objective - bound) / abs(objective)), 6)
    elif bound is not None:
        gap = 0.0
    rows = []
    for oid in sorted(assigns, key=lambda o: (assigns[o].start, problem.operations[o].index)):
        a = assigns[oid]
        op = problem.operations[oid]
        rows.append(
            {
                "op": oid,
                "job": op.job,
                "resource": a.resource,
                "unit": a.unit,
                "start": a.start,
                "end": a.end,
                "setup_minutes": a.setup,
                "changeover_minutes": cos[oid],
                "batch": a.batch,
            }
        )
        if problem.secondary:
            rows[-1]["secondary"] = _secondary_rows(problem, a)
    jobs = []
    unit_index = _unit_index(assigns)
    for jid, job in problem.jobs.items():
        finish = ev["finish"][jid]
        tard = 0 if finish is None or job.due is None else max(0, finish - job.due)
        jobs.append(
            {
                "job": jid,
                "finish": finish,
                "due": job.due,
                "tardiness": tard,
                "weighted_tardiness": job.weight * tard,
                "late_reason": None,
                "late_causes": None,
                "late_chain": None,
            }
        )
        if tard > 0:
            causes, chain_ids = late_causes(problem, assigns, jid, finish, unit_index)
            jobs[-1].update(
                late_reason=describe_late_causes(problem, causes, chain_ids),
                late_causes=causes,
                late_chain=chain_ids,
            )
    makespan = ev["makespan"]
    busy = dict.fromkeys(problem.resources, 0)
    seen_batches = set()
    for a in assigns.values():
        if a.batch is not None:
            if a.batch in seen_batches:
                continue
            seen_batches.add(a.batch)
        cal = problem.resources[a.resource].calendar
        busy[a.resource] += cal.working_minutes(max(a.start, 0), a.end)
    resources = []
    for rid, res in problem.resources.items():
        available = res.calendar.working_minutes(0, makespan) * res.capacity
        resources.append(
            {
                "resource": rid,
                "busy_minutes": busy[rid],
                "available_minutes": available,
                "utilization": round(busy[rid] / available, 4) if available else 0.0,
            }
        )
    kpis = {
        key: ev[key]
        for key in (
            "makespan",
            "total_weighted_tardiness",
            "total_tardiness",
            "late_jobs",
            "changeovers",
            "changeover_minutes",
            "moved_operations",
            "total_weighted_earliness",
        )
    }
    return {
        # a plan answers in its problem's version (version 1 problems get version 1 plans)
        "schema_version": problem.schema_version,
        "status": status,
        "objective": objective,
        "bound": bound,
        "gap": gap,
        "solve_seconds": round(seconds, 3),
        "method": method,
        "operations": rows,
        "jobs": jobs,
        "resources": resources,
        "kpis": kpis,
        "progress": [list(x) for x in (progress or [])],
    }


def empty_plan(status, method, seconds, message=None):
    plan = {
        "schema_version": SCHEMA_VERSION,
        "status": status,
        "objective": None,
        "bound": None,
        "gap": None,
        "solve_seconds": round(seconds, 3),
        "method": method,
        "operations": [],
        "jobs": [],
        "resources": [],
        "kpis": {},
        "progress": [],
    }
    if message:
        plan["message"] = message
    return plan


def restate_changeovers(problem: dict, plan: dict) -> dict:
    """Set each operation's ``changeover_minutes`` from the operation before it on its unit
    (the validator's reading), for a plan some operations were taken out of (a simulation's
    hypothetical orders). ``setup_minutes`` stay: the time stays reserved. Returns ``plan``."""
    from .validator import _changeover_minutes

    resources = {res["id"]: res for res in problem.get("resources") or []}
    families = {
        op["id"]: op.get("setup_family")
        for job in problem.get("jobs") or []
        for op in job.get("operations") or []
    }
    by_unit = {}
    for entry in plan.get("operations") or []:
        if entry["end"] > entry["start"] and entry["op"] in families:
            by_unit.setdefault((entry["resource"], entry.get("unit") or 0), []).append(entry)
    for (rid, _unit), entries in by_unit.items():
        entries.sort(key=lambda e: (e["start"], e["end"], e["op"]))
        previous = None
        for entry in entries:
            required = 0
            if previous is not None:
                required = _changeover_minutes(
                    resources.get(rid) or {}, families[previous["op"]], families[entry["op"]]
                )
            if entry.get("changeover_minutes") is not None:
                entry["changeover_minutes"] = required
            previous = entry
    return plan
