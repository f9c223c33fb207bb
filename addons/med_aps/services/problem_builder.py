"""Read the planning scope from Odoo records into a med_aps_engine problem dict.

All times of the problem are integer minutes from ``origin`` (now, rounded down to the
minute, naive UTC like every Odoo datetime). Identifiers: ``WC/<mrp.workcenter id>``,
``MO/<mrp.production id>``, ``WO/<mrp.workorder id>``, ``SF/<setup family id>``,
``BF/<batch family id>``.
"""

import math
import re
from collections import defaultdict
from datetime import timedelta

from odoo import fields
from odoo.tools import float_round

PENDING_MO_STATES = ("confirmed", "progress", "to_close")
DEFAULT_HORIZON_DAYS = 120
UNLIMITED_UNITS_CAP = 50
# Odoo ends a 24:00 attendance at 23:59:59.999999; this much is added before flooring
CALENDAR_END_TOLERANCE = timedelta(seconds=1)
ID_PATTERN = re.compile(r"\b(WO|MO|WC|SF|BF)/(\d+)\b")


class PlanningDataError(Exception):
    """Bad master data; the message names the record and the problem."""


def _merge(intervals):
    merged = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _subtract(intervals, blocked):
    """``intervals`` minus ``blocked`` (both sorted lists of [start, end))."""
    if not blocked:
        return intervals
    result = []
    blocked = _merge(blocked)
    for start, end in intervals:
        cursor = start
        for b_start, b_end in blocked:
            if b_end <= cursor or b_start >= end:
                continue
            if b_start > cursor:
                result.append([cursor, b_start])
            cursor = max(cursor, b_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append([cursor, end])
    return result


def _saturated(bookings, capacity):
    """Sub-intervals where at least ``capacity`` bookings overlap."""
    events = []
    for start, end in bookings:
        events.append((start, 1))
        events.append((end, -1))
    events.sort(key=lambda e: (e[0], e[1]))
    level = 0
    result = []
    open_at = None
    for moment, delta in events:
        level += delta
        if level >= capacity and open_at is None:
            open_at = moment
        elif level < capacity and open_at is not None:
            result.append([open_at, moment])
            open_at = None
    return _merge(result)


def _available_minutes(calendar, start, end):
    total = 0
    for c_start, c_end in calendar:
        lo, hi = max(c_start, start), min(c_end, end)
        if hi > lo:
            total += hi - lo
    return total


# a previous start further back than this is sent as this (the engine's bound is 10 years)
PAST_LIMIT_MINUTES = 366 * 1440


class ProblemBuilder:
    def __init__(self, run):
        self.run = run
        self.env = run.env
        self.origin = fields.Datetime.now().replace(second=0, microsecond=0)
        # work orders of the previous plan whose planned start has passed (not started)
        self.start_passed = set()
        self.write_dates = {}  # wo id -> write_date as stored when the problem was read
        self.names = {}
        self.operation_count = 0
        self.horizon = 0
        # filled by build(), used by the plan writer
        self.productions = self.env["mrp.production"]
        self.workorders = self.env["mrp.workorder"]
        self.free_workorders = {}  # wo id -> {"expected": {wc id: minutes}, ...}
        self.workcenters = self.env["mrp.workcenter"]
        self.calendars = {}  # "WC/x" -> list of [start, end)
        self.finish_offset = {}  # mo id -> minutes from last operation to product release

    # ------------------------------------------------------------------ helpers
    def to_minutes(self, value, rounding="floor"):
        seconds = (value - self.origin).total_seconds()
        if rounding == "ceil":
            return math.ceil(seconds / 60.0)
        return math.floor(seconds / 60.0)

    def to_datetime(self, minutes):
        return self.origin + timedelta(minutes=minutes)

    def stored_plan(self):
        """The plan as Odoo stores it (work orders' dates and work centers), in the engine's
        plan format, for checking with the engine's validator after a build().

        The unit of a multi-unit work center is the one med_aps wrote (``aps_unit``); work
        orders it has not planned get units greedily in start order (a batch keeps one)."""
        capacity = {"WC/%d" % wc.id: max(1, wc.aps_parallel_capacity) for wc in self.workcenters}
        by_resource = defaultdict(list)
        for workorder in self.workorders:
            by_resource["WC/%d" % workorder.workcenter_id.id].append(workorder)
        operations = []
        for resource, workorders in by_resource.items():
            unit_free = [None] * capacity.get(resource, 1)
            batch_unit = {}
            for workorder in sorted(workorders, key=lambda w: (w.date_start, w.id)):
                start = self.to_minutes(workorder.date_start)
                end = self.to_minutes(workorder.date_finished)
                batch = workorder.aps_batch_ref or None
                if 0 < workorder.aps_unit <= len(unit_free):
                    unit = workorder.aps_unit - 1
                    unit_free[unit] = max(unit_free[unit] or end, end)
                elif batch in batch_unit:
                    unit = batch_unit[batch]
                else:
                    unit = next(
                        (i for i, free in enumerate(unit_free) if free is None or free <= start),
                        0,
                    )
                    unit_free[unit] = end
                    if batch:
                        batch_unit[batch] = unit
                operations.append(
                    {
                        "op": "WO/%d" % workorder.id,
                        "job": "MO/%d" % workorder.production_id.id,
                        "resource": resource,
                        "unit": unit,
                        "start": start,
                        "end": end,
                        "setup_minutes": workorder.aps_setup_minutes,
                        "changeover_minutes": workorder.aps_changeover_minutes,
                        "batch": batch,
                    }
                )
        return {"schema_version": 1, "status": "FEASIBLE", "operations": operations}

    def translate_ids(self, text):
        """Replace engine identifiers in a message by the records' names."""
        return ID_PATTERN.sub(lambda m: self.names.get(m.group(0), m.group(0)), text or "")

    def _error(self, message):
        raise PlanningDataError(message)

    # ------------------------------------------------------------------ scope
    def _scope_productions(self):
        run = self.run
        domain = [
            ("state", "in", PENDING_MO_STATES),
            ("company_id", "=", run.company_id.id),
            ("workorder_ids", "any", [("state", "not in", ("done", "cancel"))]),
        ]
        if run.production_ids:
            domain.append(("id", "in", run.production_ids.ids))
        if run.warehouse_id:
            domain.append(("picking_type_id.warehouse_id", "=", run.warehouse_id.id))
        if run.workcenter_ids:
            domain.append(
                (
                    "workorder_ids",
                    "any",
                    [
                        ("workcenter_id", "in", run.workcenter_ids.ids),
                        ("state", "not in", ("done", "cancel")),
                    ],
                )
            )
        if run.date_to:
            domain.append(("date_start", "<=", run.date_to))
        if run.date_from:
            domain += [
                "|",
                ("date_deadline", ">=", run.date_from),
                "&",
                ("date_deadline", "=", False),
                ("date_finished", ">=", run.date_from),
            ]
        return self.env["mrp.production"].search(domain, order="id")

    # ------------------------------------------------------------------ build
    def build(self):
        env = self.env
        run = self.run
        icp = env["ir.config_parameter"].sudo()
        horizon_days = int(icp.get_param("med_aps.horizon_days", DEFAULT_HORIZON_DAYS))
        self.productions = productions = self._scope_productions()
        self.workorders = workorders = env["mrp.workorder"].search(
            [("production_id", "in", productions.ids), ("state", "not in", ("done", "cancel"))],
            order="production_id, sequence, id",
        )
        # write_date as stored: the ORM cache may hold an older one after a flush of
        # recomputed fields (e.g. a run earlier in the same transaction); the writer compares
        # with the stored value
        env.flush_all()
        env.cr.execute(
            "SELECT id, write_date FROM mrp_workorder WHERE id = ANY(%s)", [workorders.ids]
        )
        self.write_dates = dict(env.cr.fetchall())
        for production in productions:
            self.names["MO/%d" % production.id] = production.name
        for workorder in workorders:
            self.names["WO/%d" % workorder.id] = "%s - %s" % (
                workorder.production_id.name,
                workorder.name,
            )

        # fixed (locked / in progress) work orders
        fixed = {}
        for workorder in workorders:
            if workorder.state == "progress":
                fixed[workorder.id] = "progress"
            elif (workorder.aps_locked or workorder.production_id.aps_locked) and (
                workorder.date_start and workorder.date_finished
            ):
                fixed[workorder.id] = "locked"

        # work centers: the work order's own and its alternatives
        candidates = {}
        for workorder in workorders:
            own = workorder.workcenter_id
            if not own:
                self._error(
                    env._("Work order %s has no work center.", self.names["WO/%d" % workorder.id])
                )
            if workorder.id in fixed:
                candidates[workorder.id] = own
            else:
                candidates[workorder.id] = own | own.alternative_workcenter_ids.filtered(
                    lambda wc, own=own: wc.active and wc.company_id == own.company_id
                )
        all_workcenters = env["mrp.workcenter"].browse()
        for wcs in candidates.values():
            all_workcenters |= wcs
        self.workcenters = all_workcenters
        for workcenter in all_workcenters:
            self.names["WC/%d" % workcenter.id] = workcenter.name
            if not workcenter.resource_calendar_id:
                self._error(
                    env._(
                        "Work center %s has no working calendar: set its Working Hours.",
                        workcenter.name,
                    )
                )
            if workcenter.time_efficiency <= 0:
                self._error(
                    env._(
                        "Work center %(wc)s has a time efficiency of %(eff)s%%: it must be "
                        "positive.",
                        wc=workcenter.name,
                        eff=workcenter.time_efficiency,
                    )
                )
            if workcenter.aps_enabled and workcenter.aps_parallel_capacity < 1:
                self._error(
                    env._(
                        "Work center %s has a parallel capacity of zero: set at least 1.",
                        workcenter.name,
                    )
                )

        # horizon: long enough for fixed work
        horizon = horizon_days * 1440
        for workorder in workorders.filtered(lambda wo: wo.id in fixed):
            horizon = max(horizon, self.to_minutes(workorder.date_finished, "ceil") + 1440)
        if run.date_to:
            horizon = max(horizon, self.to_minutes(run.date_to, "ceil"))
        self.horizon = horizon

        self.calendars = self._read_calendars(all_workcenters, workorders, horizon)

        # setup and batch families
        for family in env["med.aps.setup.family"].with_context(active_test=False).search([]):
            self.names["SF/%d" % family.id] = family.name
        for family in env["med.aps.batch.family"].with_context(active_test=False).search([]):
            self.names["BF/%d" % family.id] = family.name

        resources = []
        ops_per_workcenter = defaultdict(int)
        for workorder in workorders:
            for workcenter in candidates[workorder.id]:
                ops_per_workcenter[workcenter.id] += 1
        for workcenter in all_workcenters:
            # an unlimited work center gets as many units as operations could use it
            unlimited_units = max(1, min(ops_per_workcenter[workcenter.id], UNLIMITED_UNITS_CAP))
            resources.append(
                workcenter._aps_resource_vals(
                    self.calendars["WC/%d" % workcenter.id], unlimited_units
                )
            )

        # material availability and multi-level links
        move_release = productions._aps_component_available_minutes(self.origin)
        release_lead = {p.id: max(0, int(p._aps_release_lead_minutes() or 0)) for p in productions}
        production_ids = set(productions.ids)
        workorder_ids = set(workorders.ids)

        wos_by_production = defaultdict(list)
        for workorder in workorders:
            wos_by_production[workorder.production_id.id].append(workorder)

        final_hold = {}
        for production in productions:
            holds = [
                wo.operation_id.aps_hold_minutes
                for wo in wos_by_production[production.id]
                if not wo.needed_by_workorder_ids.filtered(lambda n: n.id in workorder_ids)
            ]
            final_hold[production.id] = max(holds, default=0)
            self.finish_offset[production.id] = (
                release_lead[production.id] + final_hold[production.id]
            )

        jobs = []
        previous_plan = {}
        for production in productions:
            pending = wos_by_production[production.id]
            if not pending:
                continue
            roots = [
                wo
                for wo in pending
                if not wo.blocked_by_workorder_ids.filtered(lambda b: b.id in workorder_ids)
            ]
            op_release = defaultdict(int)
            op_job_preds = defaultdict(dict)
            for move in production.move_raw_ids:
                if move.state in ("done", "cancel"):
                    continue
                consumers = (
                    [move.workorder_id]
                    if move.workorder_id and move.workorder_id.id in workorder_ids
                    else roots
                )
                release = move_release.get(move.id, 0)
                for child in move.move_orig_ids.production_id:
                    if child.state in ("done", "cancel") or child == production:
                        continue
                    if child.id in production_ids:
                        lag = release_lead[child.id] + final_hold[child.id]
                        for consumer in consumers:
                            key = "MO/%d" % child.id
                            op_job_preds[consumer.id][key] = max(
                                op_job_preds[consumer.id].get(key, 0), lag
                            )
                    elif child.date_finished:
                        lead = max(0, int(child._aps_release_lead_minutes() or 0))
                        release = max(release, self.to_minutes(child.date_finished, "ceil") + lead)
                if release > 0:
                    for consumer in consumers:
                        op_release[consumer.id] = max(op_release[consumer.id], release)

            operations = []
            for workorder in pending:
                operation = self._build_operation(
                    workorder,
                    candidates[workorder.id],
                    fixed.get(workorder.id),
                    workorder_ids,
                )
                if workorder.id not in fixed:
                    if op_release.get(workorder.id):
                        operation["release"] = min(op_release[workorder.id], horizon)
                    for job_key_pred, lag in op_job_preds.get(workorder.id, {}).items():
                        operation["predecessors"].append({"job": job_key_pred, "min_lag": lag})
                    # the previous plan is the one a run wrote (what the shop floor follows);
                    # dates from Odoo's own scheduling are no plan to keep
                    if workorder.aps_run_id and workorder.date_start and workorder.workcenter_id:
                        start = self.to_minutes(workorder.date_start)
                        # a start before now (not started) is kept too: the engine moves it
                        # as little as it can (to now, shifting what follows if that pays)
                        # and reports it as a move it had to make (reason "past")
                        previous_plan["WO/%d" % workorder.id] = {
                            "resource": "WC/%d" % workorder.workcenter_id.id,
                            "start": max(start, -PAST_LIMIT_MINUTES),
                        }
                        if start < 0:
                            self.start_passed.add(workorder.id)
                operations.append(workorder._aps_operation_vals(operation))
            due = None
            if production.date_deadline:
                due = max(
                    0,
                    self.to_minutes(production.date_deadline)
                    - release_lead[production.id]
                    - final_hold[production.id],
                )
            jobs.append(production._aps_job_vals(due, operations))
        self.operation_count = sum(len(job["operations"]) for job in jobs)
        problem = {
            "schema_version": 1,
            "origin": self.origin.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "horizon": horizon,
            "resources": resources,
            "jobs": jobs,
            "previous_plan": previous_plan,
            "frozen_until": int(round((run.frozen_hours or 0.0) * 60)),
            "objective": {
                "weighted_tardiness": run.weight_tardiness,
                "makespan": run.weight_makespan,
                "flow_time": run.weight_flow_time,
                "changeover": run.weight_changeover,
                "stability": run.weight_stability,
            },
        }
        return problem

    def _build_operation(self, workorder, workcenters, fixed_kind, workorder_ids):
        env = self.env
        wo_key = "WO/%d" % workorder.id
        wo_name = self.names[wo_key]
        product = workorder.product_id
        operation_rec = workorder.operation_id
        setup_family = (
            operation_rec.aps_setup_family_id or product.product_tmpl_id.aps_setup_family_id
        )
        batch_family = (
            operation_rec.aps_batch_family_id or product.product_tmpl_id.aps_batch_family_id
        )
        modes = []
        expected_by_wc = {}
        for workcenter in workcenters:
            wc_key = "WC/%d" % workcenter.id
            if not self.calendars.get(wc_key) and workcenter != workorder.workcenter_id:
                continue  # an alternative without working time in the horizon
            if workcenter == workorder.workcenter_id:
                # Odoo's stored expected duration, recomputed by Odoo's own logic when empty
                expected = workorder.duration_expected or workorder._get_duration_expected()
            else:
                expected = workorder._get_duration_expected(alternative_workcenter=workcenter)
            _capacity, setup, cleanup = workcenter._get_capacity(
                product, workorder.product_uom_id, workorder.production_bom_id.product_qty or 1
            )
            setup = max(0, int(round(setup or 0)))
            cleanup = max(0, int(round(cleanup or 0)))
            # Odoo stores duration_expected with 2 decimals: round alike so that the
            # minutes planned here match what Odoo recomputes once the plan is written
            expected = float_round(expected or 0.0, precision_digits=2)
            processing = int(math.ceil(max(0.0, expected - setup - cleanup) - 1e-6))
            if (expected or 0.0) > 0 and processing + setup + cleanup <= 0:
                processing = 1  # a few seconds of work still occupy the work center
            if processing + setup + cleanup <= 0 and not (
                workcenter.aps_enabled and workcenter.aps_batch_enabled
            ):
                continue
            expected_by_wc[workcenter.id] = expected
            modes.append(
                {"resource": wc_key, "duration": processing, "setup": setup, "cleanup": cleanup}
            )
        if not modes:
            if not any(self.calendars.get("WC/%d" % wc.id) for wc in workcenters):
                self._error(
                    env._(
                        "Work order %(wo)s: work center %(wc)s has no working time in the "
                        "planning horizon (check its calendar and time off).",
                        wo=wo_name,
                        wc=workorder.workcenter_id.name,
                    )
                )
            self._error(
                env._(
                    "Work order %(wo)s has no duration: set a duration on operation %(operation)s.",
                    wo=wo_name,
                    operation=operation_rec.name or workorder.name,
                )
            )
        if workorder.workcenter_id.id not in expected_by_wc and fixed_kind:
            # a fixed work order keeps its own work center even with a zero duration
            modes.append(
                {
                    "resource": "WC/%d" % workorder.workcenter_id.id,
                    "duration": 1,
                    "setup": 0,
                    "cleanup": 0,
                }
            )
        predecessors = []
        if fixed_kind != "progress":
            for blocker in workorder.blocked_by_workorder_ids:
                if blocker.id not in workorder_ids:
                    continue
                hold = blocker.operation_id
                predecessors.append(
                    {
                        "op": "WO/%d" % blocker.id,
                        "min_lag": max(0, hold.aps_hold_minutes),
                        "max_lag": hold.aps_hold_max_minutes or None,
                    }
                )
        batch_size = 1
        if workorder.workcenter_id.aps_batch_capacity_type == "qty":
            batch_size = workorder.qty_production
        operation = {
            "id": wo_key,
            "name": workorder.name,
            "modes": modes,
            "predecessors": predecessors,
            "release": 0,
            "setup_family": "SF/%d" % setup_family.id if setup_family else None,
            "batch_family": "BF/%d" % batch_family.id if batch_family else None,
            "batch_size": batch_size,
            "interruptible": not operation_rec.aps_non_interruptible,
            "locked": None,
            "in_progress": None,
        }
        wc_key = "WC/%d" % workorder.workcenter_id.id
        if fixed_kind:
            # Fixed work orders are passed as "in progress" on their own work center: the
            # engine keeps their start and blocks the working minutes up to their current
            # end (rounded outwards to whole minutes, so nothing can overlap them).
            start = self.to_minutes(workorder.date_start or self.origin)
            if fixed_kind == "progress":
                remaining = (workorder.duration_expected or 0) - (workorder.duration or 0)
            else:
                remaining = _available_minutes(
                    self.calendars.get(wc_key) or [],
                    max(start, 0),
                    self.to_minutes(workorder.date_finished, "ceil"),
                )
            operation["in_progress"] = {
                "resource": wc_key,
                "start": start,
                "remaining": max(1, int(math.ceil(remaining))),
            }
        else:
            # write_date as read: the writer skips a work order changed since (e.g. started)
            self.free_workorders[workorder.id] = {
                "expected": expected_by_wc,
                "write_date": self.write_dates.get(workorder.id, workorder.write_date),
            }
        return operation

    def _read_calendars(self, workcenters, workorders, horizon):
        """Available intervals per work center: its working time (calendar minus leaves,
        ``mrp.workcenter._aps_working_intervals``) in minutes, minus bookings outside the run."""
        working = workcenters._aps_working_intervals(
            self.origin, self.origin + timedelta(minutes=horizon)
        )
        result = {}
        for workcenter in workcenters:
            minutes = []
            for start, stop in working[workcenter.id]:
                lo = max(0, self.to_minutes(start, "ceil"))
                # without the second, a minute that ends a few microseconds short (an
                # attendance ending at 24:00 stops at 23:59:59.999999) would be lost
                hi = min(horizon, self.to_minutes(stop + CALENDAR_END_TOLERANCE))
                if hi > lo:
                    minutes.append([lo, hi])
            result["WC/%d" % workcenter.id] = _merge(minutes)
        # time booked by work orders outside the scope stays unavailable
        if workcenters:
            self.env.flush_all()
            self.env.cr.execute(
                """
                SELECT workcenter_id, date_start, date_finished
                  FROM mrp_workorder
                 WHERE workcenter_id = ANY(%s)
                   AND state NOT IN ('done', 'cancel')
                   AND NOT (id = ANY(%s))
                   AND date_start IS NOT NULL AND date_finished IS NOT NULL
                   AND date_finished > %s AND date_start < %s
                """,
                [
                    workcenters.ids,
                    workorders.ids,
                    self.origin,
                    self.origin + timedelta(minutes=horizon),
                ],
            )
            bookings = defaultdict(list)
            for wc_id, date_start, date_finished in self.env.cr.fetchall():
                bookings[wc_id].append(
                    [
                        max(0, self.to_minutes(date_start)),
                        min(horizon, self.to_minutes(date_finished, "ceil")),
                    ]
                )
            for workcenter in workcenters:
                if workcenter.id not in bookings:
                    continue
                capacity = workcenter.aps_parallel_capacity if workcenter.aps_enabled else 10**6
                blocked = _saturated(bookings[workcenter.id], max(1, capacity))
                key = "WC/%d" % workcenter.id
                result[key] = _subtract(result[key], blocked)
        return result
