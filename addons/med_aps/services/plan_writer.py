"""Write a validated engine plan back into Odoo's own records, in batches.

Odoo 19 books work center time with one ``resource.calendar.leaves`` record
(``time_type='other'``) per planned work order: ``mrp.workorder.date_start`` and
``date_finished`` are stored computes of ``leave_id`` (see ``_compute_dates`` and
``_set_dates``), and Odoo's own planning looks for free slots between those leaves. The writer
keeps that model: it updates or creates the leaves and the work orders with a few set-based SQL
statements, then invalidates the ORM cache and lets the ORM recompute the stored fields that
depend on what changed (``modified``), as a regular ``write`` would.
"""

import json
from collections import defaultdict

from odoo import fields

CHUNK = 1000


def _chunks(rows, size=CHUNK):
    for index in range(0, len(rows), size):
        yield rows[index : index + size]


class PlanWriter:
    def __init__(self, run, builder, problem, plan):
        self.run = run
        self.env = run.env
        self.builder = builder
        self.problem = problem
        self.plan = plan

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
                   w.duration_expected, w.production_id, w.state, w.write_date, p.state
              FROM mrp_workorder w
              JOIN mrp_production p ON p.id = w.production_id
             WHERE w.id = ANY(%s)
             ORDER BY w.id
               FOR UPDATE OF w, p
            """,
            [free_ids],
        )
        current = {row[0]: row for row in env.cr.fetchall()}
        skipped = {}
        for wo_id in free_ids:
            row = current.get(wo_id)
            name = self.builder.names.get("WO/%d" % wo_id, str(wo_id))
            if row is None:
                skipped[wo_id] = env._("%(wo)s was deleted", wo=name)
            elif row[7] in ("done", "cancel") or row[9] in ("done", "cancel"):
                skipped[wo_id] = env._("%(wo)s is done or cancelled", wo=name)
            elif row[8] != self.builder.free_workorders[wo_id].get("write_date"):
                skipped[wo_id] = env._("%(wo)s changed while the run was planning", wo=name)
        return current, skipped

    def write_plan(self):
        env = self.env
        builder = self.builder
        run = self.run
        now = fields.Datetime.now()
        uid = env.uid
        plan_ops = {op["op"]: op for op in self.plan["operations"]}
        env.flush_all()

        free_ids = sorted(builder.free_workorders)
        missing = [wo_id for wo_id in free_ids if "WO/%d" % wo_id not in plan_ops]
        if missing:
            raise ValueError(
                env._(
                    "The plan has no slot for work order %s; nothing was written.",
                    builder.names.get("WO/%d" % missing[0], missing[0]),
                )
            )
        current, skipped = self._lock_current(free_ids)
        free_ids = [wo_id for wo_id in free_ids if wo_id not in skipped]
        workcenters = {wc.id: wc for wc in builder.workcenters}

        wo_rows = []
        leave_updates = []
        leave_creates = []
        leave_create_wo_ids = []
        moved = 0
        moved_ids = []
        for wo_id in free_ids:
            op = plan_ops["WO/%d" % wo_id]
            _id, old_wc, old_start, _old_end, leave_id, old_expected, _mo = current[wo_id][:7]
            new_wc = int(op["resource"].split("/")[1])
            start = builder.to_datetime(op["start"])
            end = builder.to_datetime(op["end"])
            if old_wc != new_wc or old_start != start:
                moved += 1
                moved_ids.append(wo_id)
            expected = old_expected
            if old_wc != new_wc:
                expected = builder.free_workorders[wo_id]["expected"].get(new_wc, old_expected)
            workcenter = workcenters[new_wc]
            if leave_id:
                leave_updates.append(
                    (
                        leave_id,
                        start,
                        end,
                        workcenter.resource_id.id,
                        workcenter.resource_calendar_id.id,
                    )
                )
            else:
                leave_creates.append(
                    {
                        "name": builder.names.get("WO/%d" % wo_id, str(wo_id)),
                        "calendar_id": workcenter.resource_calendar_id.id,
                        "date_from": start,
                        "date_to": end,
                        "resource_id": workcenter.resource_id.id,
                        "time_type": "other",
                    }
                )
                leave_create_wo_ids.append(wo_id)
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
                    now,
                    uid,
                ]
            )
        if leave_creates:
            leaves = env["resource.calendar.leaves"].sudo().create(leave_creates)
            new_leave = dict(zip(leave_create_wo_ids, leaves.ids, strict=True))
            for row in wo_rows:
                if row[2] is None and row[0] in new_leave:
                    row[2] = new_leave[row[0]]
            env.flush_all()
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
        self._update_values(
            "mrp_workorder",
            [
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
            ],
            wo_rows,
            {
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
            },
        )

        # manufacturing orders: span of their pending work orders (as written)
        skipped_keys = {"WO/%d" % wo_id for wo_id in skipped}
        closed_mos = {row[6] for row in current.values() if row[9] in ("done", "cancel")}
        span = {}
        for key, op in plan_ops.items():
            if key in skipped_keys:
                continue
            job = op["job"]
            lo, hi = span.get(job, (None, None))
            span[job] = (
                op["start"] if lo is None else min(lo, op["start"]),
                op["end"] if hi is None else max(hi, op["end"]),
            )
        late_jobs = {job["job"]: job for job in self.plan.get("jobs", [])}
        productions = builder.productions
        mo_rows = []
        raw_rows = []
        production_model = env["mrp.production"]
        mo_changes = {}  # mo id -> (old start, old finish, new start, new finish)
        for production in productions:
            job_key = "MO/%d" % production.id
            if job_key not in span or production.id in closed_mos:
                continue
            first, last = span[job_key]
            date_start = builder.to_datetime(first)
            if production.state != "confirmed":
                date_start = production.date_start
            date_finished = builder.to_datetime(last)
            date_finished = max(date_finished, date_start)
            offset = builder.finish_offset.get(production.id, 0)
            planned_finish = builder.to_datetime(last + offset)
            if (production.date_start, production.date_finished) != (date_start, date_finished):
                mo_changes[production.id] = (
                    production.date_start,
                    production.date_finished,
                    date_start,
                    date_finished,
                )
            reason = None
            if production_model._aps_hours_late(planned_finish, production.date_deadline):
                reason = json.dumps(_odoo_late_causes(builder, late_jobs.get(job_key) or {}))
            mo_rows.append(
                [production.id, date_start, date_finished, planned_finish, reason, run.id, now, uid]
            )
            if production.state == "confirmed":
                raw_rows.append((production.id, date_start))
        self._update_values(
            "mrp_production",
            [
                "id",
                "date_start",
                "date_finished",
                "aps_planned_finish",
                "aps_late_causes",
                "aps_last_run_id",
                "write_date",
                "write_uid",
            ],
            mo_rows,
            {
                "date_start": "timestamp",
                "date_finished": "timestamp",
                "aps_planned_finish": "timestamp",
                "aps_late_causes": "jsonb",
                "aps_last_run_id": "int",
                "write_date": "timestamp",
                "write_uid": "int",
            },
        )
        planned_mo_ids = [row[0] for row in mo_rows]
        if planned_mo_ids:
            env.cr.execute(
                "UPDATE mrp_production SET aps_planned = TRUE, is_planned = TRUE "
                "WHERE id = ANY(%s)",
                [planned_mo_ids],
            )
        # component moves follow the order's start, as mrp.production.write does
        move_ids = []
        for chunk in _chunks(raw_rows):
            placeholders = ", ".join(["(%s, %s)"] * len(chunk))
            env.cr.execute(
                """
                UPDATE stock_move AS m
                   SET date = v.date_start::timestamp, date_deadline = v.date_start::timestamp
                  FROM (VALUES %s) AS v(production_id, date_start)
                 WHERE m.raw_material_production_id = v.production_id::int
                   AND m.state NOT IN ('done', 'cancel')
             RETURNING m.id
                """
                % placeholders,
                [value for row in chunk for value in row],
            )
            move_ids += [row[0] for row in env.cr.fetchall()]

        # let the ORM recompute what depends on the written columns
        env.invalidate_all()
        workorders = env["mrp.workorder"].browse(free_ids)
        # ``workcenter_id`` is left out on purpose: its only stored dependent is
        # ``duration_expected``, written above with Odoo's expected duration on the chosen
        # work center (the value the plan was computed with)
        workorders.modified(["leave_id", "date_start", "date_finished", "duration_expected"])
        env["resource.calendar.leaves"].browse([row[0] for row in leave_updates]).modified(
            ["date_from", "date_to", "resource_id", "calendar_id"]
        )
        mos = env["mrp.production"].browse(planned_mo_ids)
        mos.modified(["date_start", "date_finished", "aps_planned_finish", "is_planned"])
        env["stock.move"].browse(move_ids).modified(["date", "date_deadline"])
        env.flush_all()
        env["mrp.production"].browse(list(mo_changes))._aps_log_plan_changes(run, mo_changes)
        # the extension point of other addons: the work orders this run moved
        env["mrp.workorder"].browse(moved_ids)._aps_after_plan_write(run)
        env.flush_all()

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
        return {
            "moved_count": moved,
            "skipped": skipped,
            "workorder_count": len(plan_ops),
            # lateness has one owner: the orders' own computed fields, just recomputed
            "late_count": len(mos.filtered("aps_is_late")),
            "weighted_tardiness_hours": sum(
                mo.aps_tardiness_hours * max(1, mo.aps_weight or 1) for mo in mos
            ),
            "utilization": utilization,
        }


def _record_id(key):
    """The Odoo id of an engine key ``WO/12`` or ``WC/3``, else None."""
    if not key or "/" not in key:
        return None
    _prefix, _slash, number = key.partition("/")
    return int(number) if number.isdigit() else None


def _odoo_late_causes(builder, job):
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
            item["until"] = fields.Datetime.to_string(builder.to_datetime(cause["until"]))
        for key in ("ahead", "waited", "batches"):
            if key in cause:
                item[key] = cause[key]
        causes.append(item)
    return {
        "causes": causes or [{"kind": "capacity"}],
        "chain": [_record_id(key) for key in job.get("late_chain") or []],
    }
