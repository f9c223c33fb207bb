"""Write a validated engine plan back into Odoo's own records, in batches.

Odoo 19 books work center time with one ``resource.calendar.leaves`` record
(``time_type='other'``) per planned work order: ``mrp.workorder.date_start`` and
``date_finished`` are stored computes of ``leave_id`` (see ``_compute_dates`` and
``_set_dates``), and Odoo's own planning looks for free slots between those leaves. The writer
keeps that model: it updates or creates the leaves and the work orders with a few set-based SQL
statements, then invalidates the ORM cache and lets the ORM recompute the stored fields that
depend on what changed (``modified``), as a regular ``write`` would. Only what the plan changes
is written: a work order or order that keeps its place gets only the run's reference and write
date, and nothing is recomputed for it (a repair that moves a few dozen work orders of a
plant's thousands recomputes those few dozen).
"""

import json
from collections import defaultdict

from odoo import fields

CHUNK = 1000
WORKORDER_COLUMNS = [
    "id",
    "workcenter_id",
    "leave_id",
    "date_start",
    "date_finished",
    "duration_expected",
    "aps_changeover_minutes",
    "aps_setup_minutes",
    "aps_batch_ref",
    "aps_unit",
    "aps_run_id",
    "write_date",
    "write_uid",
]
WORKORDER_CASTS = {
    "workcenter_id": "int",
    "leave_id": "int",
    "date_start": "timestamp",
    "date_finished": "timestamp",
    "duration_expected": "numeric",
    "aps_changeover_minutes": "int",
    "aps_setup_minutes": "int",
    "aps_batch_ref": "varchar",
    "aps_unit": "int",
    "aps_run_id": "int",
    "write_date": "timestamp",
    "write_uid": "int",
}
PRODUCTION_COLUMNS = [
    "id",
    "date_start",
    "date_finished",
    "aps_planned_finish",
    "aps_late_causes",
    "aps_last_run_id",
    "write_date",
    "write_uid",
]
PRODUCTION_CASTS = {
    "date_start": "timestamp",
    "date_finished": "timestamp",
    "aps_planned_finish": "timestamp",
    "aps_late_causes": "jsonb",
    "aps_last_run_id": "int",
    "write_date": "timestamp",
    "write_uid": "int",
}


# med_aps_workorder_resource, in the order of PlanWriter._secondary_rows
SECONDARY_COLUMNS = (
    "workorder_id",
    "production_id",
    "company_id",
    "run_id",
    "kind",
    "resource_key",
    "resource_name",
    "unit_index",
    "name",
    "res_model",
    "res_id",
    "date_start",
    "date_end",
    "maintenance_start",
    "maintenance_end",
    "create_date",
    "create_uid",
    "write_date",
    "write_uid",
)


def _chunks(rows, size=CHUNK):
    for index in range(0, len(rows), size):
        yield rows[index : index + size]


class PlanWriter:
    """Write an engine plan into the records of the scope it was planned from.

    ``scope`` is the ``PlanScope`` the problem builder returned with ``problem``; the writer
    needs nothing else of the builder.
    """

    def __init__(self, run, scope, problem, plan):
        self.run = run
        self.env = run.env
        self.scope = scope
        self.problem = problem
        self.plan = plan
        self.plan_ops = {op["op"]: op for op in plan["operations"]}
        self.now = fields.Datetime.now()

    def _update_values(self, table, columns, rows, casts):
        """``UPDATE table SET col = v.col ... FROM (VALUES ...) v WHERE table.id = v.id``."""
        if not rows:
            return
        cr = self.env.cr
        set_clause = ", ".join(
            '"%s" = v."%s"::%s' % (column, column, casts[column]) for column in columns[1:]
        )
        column_list = ", ".join('"%s"' % column for column in columns)
        for chunk in _chunks(rows):
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(chunk))
            params = [value for row in chunk for value in row]
            cr.execute(
                'UPDATE "%s" AS t SET %s FROM (VALUES %s) AS v(%s) WHERE t.id = v.id::int'
                % (table, set_clause, placeholders, column_list),
                params,
            )

    def write_plan(self):
        """Write the plan: work orders and their reservations, then the orders' dates and
        their component moves; let the ORM recompute what depends on them, log one chatter
        note per moved order and call ``mrp.workorder._aps_after_plan_write``.

        Returns the run's results: ``moved_count``, ``skipped`` ({wo id: reason}),
        ``workorder_count``, ``late_count``, ``weighted_tardiness_hours`` and
        ``utilization`` ([(wc id, busy minutes, available minutes)]).
        """
        self.env.flush_all()
        free_ids = sorted(self.scope.free_workorders)
        self._check_plan_covers(free_ids)
        self._lock_workorders(free_ids)
        current, skipped = self._lock_current(free_ids)
        closed_mo_ids = self._lock_closed_productions()
        free_ids = [wo_id for wo_id in free_ids if wo_id not in skipped]
        wo_rows, leave_updates, leave_creates, moved_ids = self._workorder_rows(free_ids, current)
        wo_rows, kept_ids = self._changed_workorder_rows(wo_rows, current)
        self._create_leaves(leave_creates, wo_rows)
        self._write_workorders(wo_rows, leave_updates)
        self._set_run(kept_ids)
        self._write_running_ends()
        self._write_fixed_units()
        self._write_secondary_assignments(free_ids)
        mo_rows, raw_rows, mo_changes = self._production_rows(skipped, closed_mo_ids)
        planned_mo_ids = [row[0] for row in mo_rows]
        mo_rows = self._changed_production_rows(mo_rows)
        flagged_ids = self._write_productions(mo_rows, planned_mo_ids)
        move_ids = self._write_component_dates(raw_rows)
        move_ids += self._write_finished_dates(mo_rows)
        self._recompute(
            [row[0] for row in wo_rows],
            leave_updates,
            sorted({row[0] for row in mo_rows} | set(flagged_ids)),
            move_ids,
        )
        productions = self.env["mrp.production"].browse(planned_mo_ids)
        self._notify(mo_changes, moved_ids)
        return {
            "moved_count": len(moved_ids),
            "skipped": skipped,
            "workorder_count": len(self.plan_ops),
            # lateness has one owner: the orders' own computed fields, just recomputed
            "late_count": len(productions.filtered("aps_is_late")),
            "weighted_tardiness_hours": sum(
                mo.aps_tardiness_hours * max(1, mo.aps_weight or 1) for mo in productions
            ),
            "utilization": self._utilization(),
            "warnings": list(self.scope.warnings),
        }

    # ------------------------------------------------------------------ work orders
    def _check_plan_covers(self, free_ids):
        """Refuse a plan without a slot for every free work order: nothing is written."""
        missing = [wo_id for wo_id in free_ids if "WO/%d" % wo_id not in self.plan_ops]
        if missing:
            raise ValueError(
                self.env._(
                    "The plan has no slot for work order %s; nothing was written.",
                    self.scope.names.get("WO/%d" % missing[0], missing[0]),
                )
            )

    def _lock_workorders(self, free_ids):
        """Lock the rows the writer touches in the order the shop floor writes them: the
        orders' stock moves, then the work orders (free and running), each by id, before
        any order. An operator's Finish writes the components' moves, then the work order,
        then its order; taking them the other way round deadlocked with it.

        These locks are where the write meets the shop floor's: their serialization failure
        or deadlock is the run's to report (a write conflict), not an error of the server's
        log."""
        productions = self.scope.productions.ids
        self.env.cr.execute(
            "SELECT id FROM stock_move WHERE raw_material_production_id = ANY(%s) "
            "OR production_id = ANY(%s) ORDER BY id FOR UPDATE",
            [productions, productions],
            log_exceptions=False,
        )
        running = [
            int(operation["id"][3:])
            for job in self.problem["jobs"]
            for operation in job["operations"]
            if operation.get("in_progress") and operation["id"].startswith("WO/")
        ]
        self.env.cr.execute(
            "SELECT id FROM mrp_workorder WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
            [sorted(set(free_ids) | set(running))],
            log_exceptions=False,
        )

    def _lock_current(self, free_ids):
        """Lock the work orders to write and their orders; read their current values.

        Returns ``(current, skipped)``: ``current`` maps a work order id to its row, and
        ``skipped`` maps the id of each work order the plan must not touch to the reason: done
        or cancelled (itself or its order), or changed since the run read it (an operator
        started it, a user moved it). Their real dates stay as they are.
        """
        env = self.env
        env.cr.execute(
            """
            SELECT w.id, w.workcenter_id, w.date_start, w.date_finished, w.leave_id,
                   w.duration_expected, w.production_id, w.state, w.write_date, p.state,
                   w.aps_changeover_minutes, w.aps_setup_minutes, w.aps_batch_ref, w.aps_unit,
                   l.date_from, l.date_to, l.resource_id, l.calendar_id
              FROM mrp_workorder w
              LEFT JOIN resource_calendar_leaves l ON l.id = w.leave_id
              JOIN mrp_production p ON p.id = w.production_id
             WHERE w.id = ANY(%s)
             ORDER BY w.id
               FOR UPDATE OF w, p
            """,
            [free_ids],
            log_exceptions=False,
        )
        current = {row[0]: row for row in env.cr.fetchall()}
        skipped = {}
        for wo_id in free_ids:
            row = current.get(wo_id)
            name = self.scope.workorder_name(wo_id)
            if row is None:
                skipped[wo_id] = env._("%(wo)s was deleted", wo=name)
            elif row[7] in ("done", "cancel") or row[9] in ("done", "cancel"):
                skipped[wo_id] = env._("%(wo)s is done or cancelled", wo=name)
            elif row[8] != self.scope.free_workorders[wo_id].write_date:
                skipped[wo_id] = env._("%(wo)s changed while the run was planning", wo=name)
        return current, skipped

    def _lock_closed_productions(self):
        """Lock the scope's orders; return the ids of those done or cancelled by now. An
        order finished while the run planned may have had no free work order to skip (all
        running or locked): it keeps the dates, planned finish and late causes of its finish
        all the same."""
        self.env.cr.execute(
            "SELECT id, state FROM mrp_production WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
            [self.scope.productions.ids],
            log_exceptions=False,
        )
        return {mo_id for mo_id, state in self.env.cr.fetchall() if state in ("done", "cancel")}

    def _workorder_rows(self, free_ids, current):
        """What to write for each work order: ``(wo_rows, leave_updates, leave_creates,
        moved_ids)``. A row of ``wo_rows`` has the columns of ``WORKORDER_COLUMNS``; its
        ``leave_id`` is None until the leave it needs exists (``leave_creates``: pairs of
        work order id and the leave's values)."""
        scope = self.scope
        run = self.run
        workcenters = {wc.id: wc for wc in scope.workcenters}
        wo_rows, leave_updates, leave_creates, moved_ids = [], [], [], []
        for wo_id in free_ids:
            op = self.plan_ops["WO/%d" % wo_id]
            _id, old_wc, old_start, _old_end, leave_id, old_expected, _mo = current[wo_id][:7]
            new_wc = int(op["resource"].split("/")[1])
            start = scope.to_datetime(op["start"])
            end = scope.to_datetime(op["end"])
            if old_wc != new_wc or old_start != start:
                moved_ids.append(wo_id)
            expected = old_expected
            if old_wc != new_wc:
                duration = scope.free_workorders[wo_id].duration_by_workcenter
                expected = duration.get(new_wc, old_expected)
            workcenter = workcenters[new_wc]
            if leave_id:
                leave = (start, end, workcenter.resource_id.id, workcenter.resource_calendar_id.id)
                if tuple(current[wo_id][14:18]) != leave:
                    leave_updates.append((leave_id, *leave))
            else:
                leave_creates.append(
                    (
                        wo_id,
                        {
                            "name": scope.workorder_name(wo_id),
                            "calendar_id": workcenter.resource_calendar_id.id,
                            "date_from": start,
                            "date_to": end,
                            "resource_id": workcenter.resource_id.id,
                            "time_type": "other",
                        },
                    )
                )
            batch = op.get("batch")
            wo_rows.append(
                [
                    wo_id,
                    new_wc,
                    leave_id,
                    start,
                    end,
                    expected,
                    int(op.get("changeover_minutes") or 0),
                    int(op.get("setup_minutes") or 0),
                    ("%s/%s" % (run.name, batch)) if batch not in (None, False, "") else None,
                    int(op.get("unit") or 0) + 1,
                    run.id,
                    self.now,
                    self.env.uid,
                ]
            )
        return wo_rows, leave_updates, leave_creates, moved_ids

    def _changed_workorder_rows(self, wo_rows, current):
        """The rows of ``wo_rows`` that change their work order, and the ids of the others.

        A batch keeps its reference when the plan keeps it whole (the same work orders, and
        no other holds the reference), so that a repair does not rewrite every batch."""
        old_refs = defaultdict(set)
        for row in wo_rows:
            ref = current[row[0]][12]
            if ref:
                old_refs[ref].add(row[0])
        holders = {}
        if old_refs:
            self.env.cr.execute(
                "SELECT aps_batch_ref, count(*) FROM mrp_workorder "
                "WHERE aps_batch_ref = ANY(%s) GROUP BY aps_batch_ref",
                [list(old_refs)],
            )
            holders = dict(self.env.cr.fetchall())
        new_refs = defaultdict(set)
        for row in wo_rows:
            if row[8]:
                new_refs[row[8]].add(row[0])
        kept_ref = {}
        for ref, members in new_refs.items():
            old_ref = current[next(iter(members))][12]
            if old_ref and old_refs[old_ref] == members and holders.get(old_ref) == len(members):
                kept_ref[ref] = old_ref
        changed, kept_ids = [], []
        for row in wo_rows:
            row[8] = kept_ref.get(row[8], row[8])
            old = current[row[0]]
            new = (row[1], row[2], row[3], row[4], row[6], row[7], row[8], row[9])
            was = (old[1], old[4], old[2], old[3], old[10], old[11], old[12] or None, old[13])
            if row[2] is None or new != was or float(row[5] or 0) != float(old[5] or 0):
                changed.append(row)
            else:
                kept_ids.append(row[0])
        return changed, kept_ids

    def _set_run(self, workorder_ids):
        """The work orders the plan keeps where they are were planned by this run too (and
        written by it: a simulation planned from them before is out of date)."""
        if workorder_ids:
            self.env.cr.execute(
                "UPDATE mrp_workorder SET aps_run_id = %s, write_date = %s, write_uid = %s "
                "WHERE id = ANY(%s)",
                [self.run.id, self.now, self.env.uid, workorder_ids],
            )

    def _create_leaves(self, leave_creates, wo_rows):
        """Create the reservations of work orders that had none and set them on their rows."""
        if not leave_creates:
            return
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .create([vals for _wo_id, vals in leave_creates])
        )
        new_leave = dict(zip([wo_id for wo_id, _vals in leave_creates], leaves.ids, strict=True))
        for row in wo_rows:
            if row[2] is None and row[0] in new_leave:
                row[2] = new_leave[row[0]]
        self.env.flush_all()

    def _write_running_ends(self):
        """A work order in progress keeps its actual start; its planned end becomes the
        plan's (when the time still to log is done). Odoo sets that end only when the work
        order starts, so without this a work order running late would keep an end in the past
        (and its reservation with it)."""
        ends = []
        for job in self.problem["jobs"]:
            for operation in job["operations"]:
                planned = self.plan_ops.get(operation["id"])
                if operation.get("in_progress") and planned and operation["id"].startswith("WO/"):
                    ends.append((int(operation["id"][3:]), self.scope.to_datetime(planned["end"])))
        if not ends:
            return
        cr = self.env.cr
        cr.execute(
            """
            UPDATE mrp_workorder AS w SET date_finished = v.date_finished::timestamp
              FROM (VALUES %s) AS v(id, date_finished)
             WHERE w.id = v.id::int AND w.state = 'progress'
               AND w.date_finished IS DISTINCT FROM v.date_finished::timestamp
            RETURNING w.id, w.leave_id, w.date_finished
            """
            % ", ".join(["(%s, %s)"] * len(ends)),
            [value for row in ends for value in row],
        )
        written = cr.fetchall()
        self._update_values(
            "resource_calendar_leaves",
            ["id", "date_to"],
            [(leave_id, end) for _wo, leave_id, end in written if leave_id],
            {"date_to": "timestamp"},
        )
        self.env["mrp.workorder"].browse([row[0] for row in written]).modified(["date_finished"])

    def _write_fixed_units(self):
        """A running or locked work order keeps its work center and start; the unit of a
        work center with parallel units is the plan's, as for the others, so that the stored
        plan (what the plan check reads back) sequences each unit as the run planned it."""
        units = [
            (int(operation["id"][3:]), int(planned.get("unit") or 0) + 1)
            for job in self.problem["jobs"]
            for operation in job["operations"]
            if operation.get("in_progress")
            and operation["id"].startswith("WO/")
            and (planned := self.plan_ops.get(operation["id"]))
        ]
        if not units:
            return
        cr = self.env.cr
        cr.execute(
            """
            UPDATE mrp_workorder AS w SET aps_unit = v.unit::int
              FROM (VALUES %s) AS v(id, unit)
             WHERE w.id = v.id::int AND w.state NOT IN ('done', 'cancel')
               AND w.aps_unit IS DISTINCT FROM v.unit::int
            RETURNING w.id
            """
            % ", ".join(["(%s, %s)"] * len(units)),
            [value for row in units for value in row],
        )
        self.env["mrp.workorder"].browse([row[0] for row in cr.fetchall()]).invalidate_recordset(
            ["aps_unit"]
        )

    def _write_secondary_assignments(self, free_ids):
        """Store the tools and operators the plan gives each work order
        (``med.aps.workorder.resource``): a free work order's replace its previous ones; a
        fixed one (running, locked) keeps those it has and gets the plan's only when it has
        none (what is mounted or who works stays as the shop floor knows it)."""
        if not self.scope.secondary:
            return
        cr = self.env.cr
        fixed_ids = [
            int(operation["id"][3:])
            for job in self.problem["jobs"]
            for operation in job["operations"]
            if operation.get("in_progress") and operation["id"].startswith("WO/")
        ]
        if fixed_ids:
            cr.execute(
                "SELECT DISTINCT workorder_id FROM med_aps_workorder_resource "
                "WHERE workorder_id = ANY(%s)",
                [fixed_ids],
            )
            assigned = {row[0] for row in cr.fetchall()}
            fixed_ids = [wo_id for wo_id in fixed_ids if wo_id not in assigned]
        if free_ids:
            cr.execute(
                "DELETE FROM med_aps_workorder_resource WHERE workorder_id = ANY(%s)", [free_ids]
            )
        rows = self._secondary_rows(free_ids + fixed_ids)
        columns = SECONDARY_COLUMNS
        for chunk in _chunks(rows):
            cr.execute(
                "INSERT INTO med_aps_workorder_resource (%s) VALUES %s"
                % (
                    ", ".join(columns),
                    ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(chunk)),
                ),
                [value for row in chunk for value in row],
            )
        self.env["med.aps.workorder.resource"].invalidate_model()
        self.env["mrp.workorder"].invalidate_model(["aps_resource_ids"])

    def _secondary_rows(self, workorder_ids):
        """The rows of ``SECONDARY_COLUMNS`` of the work orders' planned units."""
        scope = self.scope
        productions = {wo.id: wo.production_id for wo in scope.workorders}
        rows = []
        for wo_id in workorder_ids:
            production = productions.get(wo_id)
            op = self.plan_ops.get("WO/%d" % wo_id)
            if not op or not production:
                continue
            for held in op.get("secondary") or []:
                source = scope.secondary[held["resource"]]
                unit = int(held.get("unit") or 0)
                maintenance = held.get("maintenance") or {}
                rows.append(
                    (
                        wo_id,
                        production.id,
                        production.company_id.id,
                        self.run.id,
                        source.kind,
                        source.key,
                        source.vals.get("name") or source.key,
                        unit + 1,
                        held.get("unit_name") or source.vals.get("name") or source.key,
                        source.model,
                        source.unit_ids[unit],
                        scope.to_datetime(held["start"]),
                        scope.to_datetime(held["end"]),
                        scope.to_datetime(maintenance["start"]) if maintenance else None,
                        scope.to_datetime(maintenance["end"]) if maintenance else None,
                        self.now,
                        self.env.uid,
                        self.now,
                        self.env.uid,
                    )
                )
        return rows

    def _write_workorders(self, wo_rows, leave_updates):
        """Move the existing reservations and write the work orders' rows."""
        self._update_values(
            "resource_calendar_leaves",
            ["id", "date_from", "date_to", "resource_id", "calendar_id"],
            leave_updates,
            {
                "date_from": "timestamp",
                "date_to": "timestamp",
                "resource_id": "int",
                "calendar_id": "int",
            },
        )
        self._update_values("mrp_workorder", WORKORDER_COLUMNS, wo_rows, WORKORDER_CASTS)

    # ------------------------------------------------------------------ orders
    def _production_rows(self, skipped, closed_mo_ids):
        """What to write for each order: ``(mo_rows, raw_rows, mo_changes)``. An order spans
        its pending work orders as written (the skipped ones keep theirs); an order in
        progress keeps its start; an order done or cancelled by now (``closed_mo_ids``) gets
        nothing. ``raw_rows``: (mo id, start) of the confirmed orders, whose component moves
        follow the start; ``mo_changes``: {mo id: (old start, old finish, new start, new
        finish)} of the orders whose dates moved."""
        scope = self.scope
        span = self._job_spans(skipped)
        late_jobs = {job["job"]: job for job in self.plan.get("jobs", [])}
        production_model = self.env["mrp.production"]
        mo_rows, raw_rows, mo_changes = [], [], {}
        for production in scope.productions:
            job_key = "MO/%d" % production.id
            if job_key not in span or production.id in closed_mo_ids:
                continue
            first, last = span[job_key]
            date_start = scope.to_datetime(first)
            if production.state != "confirmed":
                date_start = production.date_start
            date_finished = max(scope.to_datetime(last), date_start)
            planned_finish = scope.to_datetime(last + scope.finish_offset.get(production.id, 0))
            if (production.date_start, production.date_finished) != (date_start, date_finished):
                mo_changes[production.id] = (
                    production.date_start,
                    production.date_finished,
                    date_start,
                    date_finished,
                )
            reason = None
            if production_model._aps_hours_late(planned_finish, production.date_deadline):
                reason = json.dumps(_odoo_late_causes(scope, late_jobs.get(job_key) or {}))
            mo_rows.append(
                [
                    production.id,
                    date_start,
                    date_finished,
                    planned_finish,
                    reason,
                    self.run.id,
                    self.now,
                    self.env.uid,
                ]
            )
            if production.state == "confirmed":
                raw_rows.append((production.id, date_start))
        return mo_rows, raw_rows, mo_changes

    def _job_spans(self, skipped):
        """{job key: (first start, last end)} over the plan's operations, skipped left out."""
        skipped_keys = {"WO/%d" % wo_id for wo_id in skipped}
        span = {}
        for key, op in self.plan_ops.items():
            if key in skipped_keys:
                continue
            job = op["job"]
            lo, hi = span.get(job, (None, None))
            span[job] = (
                op["start"] if lo is None else min(lo, op["start"]),
                op["end"] if hi is None else max(hi, op["end"]),
            )
        return span

    def _changed_production_rows(self, mo_rows):
        """The rows of ``mo_rows`` that change their order (dates, planned finish, late
        causes); the others get only the run's reference."""
        productions = self.env["mrp.production"].browse([row[0] for row in mo_rows])
        stored = {
            production.id: (
                production.date_start,
                production.date_finished,
                production.aps_planned_finish,
                production.aps_late_causes or None,
            )
            for production in productions
        }
        changed, kept_ids = [], []
        for row in mo_rows:
            causes = json.loads(row[4]) if row[4] else None
            if (row[1], row[2], row[3], causes) != stored[row[0]]:
                changed.append(row)
            else:
                kept_ids.append(row[0])
        if kept_ids:
            self.env.cr.execute(
                "UPDATE mrp_production SET aps_last_run_id = %s, write_date = %s, write_uid = %s "
                "WHERE id = ANY(%s)",
                [self.run.id, self.now, self.env.uid, kept_ids],
            )
        return changed

    def _write_productions(self, mo_rows, planned_mo_ids):
        """Write the orders' rows and mark every planned order so; returns the ids of the
        orders marked now."""
        self._update_values("mrp_production", PRODUCTION_COLUMNS, mo_rows, PRODUCTION_CASTS)
        if not planned_mo_ids:
            return []
        self.env.cr.execute(
            "UPDATE mrp_production SET aps_planned = TRUE, is_planned = TRUE "
            "WHERE id = ANY(%s) AND NOT (aps_planned IS TRUE AND is_planned IS TRUE) "
            "RETURNING id",
            [planned_mo_ids],
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _write_component_dates(self, raw_rows):
        """Component moves follow the order's start, as ``mrp.production.write`` does;
        returns the ids of the moves written."""
        move_ids = []
        for chunk in _chunks(raw_rows):
            placeholders = ", ".join(["(%s, %s)"] * len(chunk))
            self.env.cr.execute(
                """
                UPDATE stock_move AS m
                   SET date = v.date_start::timestamp, date_deadline = v.date_start::timestamp
                  FROM (VALUES %s) AS v(production_id, date_start)
                 WHERE m.raw_material_production_id = v.production_id::int
                   AND m.state NOT IN ('done', 'cancel')
                   AND (m.date IS DISTINCT FROM v.date_start::timestamp
                        OR m.date_deadline IS DISTINCT FROM v.date_start::timestamp)
             RETURNING m.id
                """
                % placeholders,
                [value for row in chunk for value in row],
            )
            move_ids += [row[0] for row in self.env.cr.fetchall()]
        return move_ids

    def _write_finished_dates(self, mo_rows):
        """Finished product moves follow the order's finish, as Odoo's compute of
        ``move_finished_ids`` does on a new ``date_finished``; returns the ids of the moves
        written. Written here in SQL so that the recompute finds them up to date: the
        compute writes each order's moves one by one through ``stock.move.write`` (most of
        the write time of a first plan of 10,000 orders)."""
        move_ids = []
        rows = [(row[0], row[2]) for row in mo_rows]
        for chunk in _chunks(rows):
            placeholders = ", ".join(["(%s, %s)"] * len(chunk))
            self.env.cr.execute(
                """
                UPDATE stock_move AS m
                   SET date = v.date_finished::timestamp
                  FROM (VALUES %s) AS v(production_id, date_finished),
                       mrp_production AS p
                 WHERE m.production_id = v.production_id::int
                   AND p.id = m.production_id
                   AND p.state != 'draft'
                   AND m.state NOT IN ('done', 'cancel')
                   AND m.date IS DISTINCT FROM v.date_finished::timestamp
             RETURNING m.id
                """
                % placeholders,
                [value for row in chunk for value in row],
            )
            move_ids += [row[0] for row in self.env.cr.fetchall()]
        return move_ids

    # ------------------------------------------------------------------ after the write
    def _recompute(self, workorder_ids, leave_updates, production_ids, move_ids):
        """Let the ORM recompute what depends on the columns written."""
        env = self.env
        env.invalidate_all()
        workorders = env["mrp.workorder"].browse(workorder_ids)
        # ``workcenter_id`` is left out on purpose: its only stored dependent is
        # ``duration_expected``, written above with Odoo's expected duration on the chosen
        # work center (the value the plan was computed with)
        workorders.modified(["leave_id", "date_start", "date_finished", "duration_expected"])
        env["resource.calendar.leaves"].browse([row[0] for row in leave_updates]).modified(
            ["date_from", "date_to", "resource_id", "calendar_id"]
        )
        productions = env["mrp.production"].browse(production_ids)
        productions.modified(["date_start", "date_finished", "aps_planned_finish", "is_planned"])
        env["stock.move"].browse(move_ids).modified(["date", "date_deadline"])
        env.flush_all()

    def _notify(self, mo_changes, moved_ids):
        """One chatter note per order whose dates moved, then the extension point of other
        addons: the work orders this run moved."""
        env = self.env
        env["mrp.production"].browse(list(mo_changes))._aps_log_plan_changes(self.run, mo_changes)
        env["mrp.workorder"].browse(moved_ids)._aps_after_plan_write(self.run)
        env.flush_all()

    def _utilization(self):
        """[(wc id, busy minutes, available minutes)] of the problem's resources: the
        engine's figures when it gives them, else counted from the plan and calendars."""
        busy = defaultdict(int)
        for op in self.plan["operations"]:
            busy[op["resource"]] += op["end"] - op["start"]
        utilization = []
        plan_resources = {r["resource"]: r for r in self.plan.get("resources") or []}
        for resource in self.problem["resources"]:
            key = resource["id"]
            info = plan_resources.get(key, {})
            busy_minutes = info.get("busy_minutes", busy.get(key, 0))
            available = info.get("available_minutes")
            if available is None:
                available = sum(end - start for start, end in resource.get("calendar") or [])
                available *= resource.get("capacity", 1)
            utilization.append((int(key.split("/")[1]), busy_minutes, available))
        return utilization


def _record_id(key):
    """The Odoo id of an engine key ``WO/12`` or ``WC/3``, else None."""
    if not key or "/" not in key:
        return None
    _prefix, _slash, number = key.partition("/")
    return int(number) if number.isdigit() else None


def _odoo_late_causes(scope, job):
    """The engine's late causes of a job with Odoo ids and UTC dates (stored as JSON; the
    manufacturing order words them in the reader's language)."""
    causes = []
    for cause in job.get("late_causes") or []:
        item = {"kind": cause["kind"]}
        if "op" in cause:
            item["workorder_id"] = _record_id(cause["op"])
        if "resource" in cause:
            item["workcenter_id"] = _record_id(cause["resource"])
        if "until" in cause:
            item["until"] = fields.Datetime.to_string(scope.to_datetime(cause["until"]))
        for key in ("ahead", "waited", "batches"):
            if key in cause:
                item[key] = cause[key]
        causes.append(item)
    return {
        "causes": causes or [{"kind": "capacity"}],
        "chain": [_record_id(key) for key in job.get("late_chain") or []],
    }
