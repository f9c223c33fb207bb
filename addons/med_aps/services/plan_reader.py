"""Read the plan Odoo stores back into the engine's plan format.

The work orders' dates, work centers, units and batches as they are in the database, for
checking them with the engine's validator or measuring them against the problem they were
planned from (tests, benchmarks, plan checks).
"""

from collections import defaultdict

from .problem_builder import sql_id_array


class PlanReader:
    def __init__(self, scope):
        self.scope = scope

    def read_plan(self):
        """The stored plan of the scope's work orders (schema version 1, or 2 with the tools
        and operators of the scope: each work order's ``aps_resource_ids`` as ``secondary``).

        The unit of a multi-unit work center is the one med_aps wrote (``aps_unit``); work
        orders it has not planned get units greedily in start order (a batch keeps one)."""
        capacity = {
            "WC/%d" % wc.id: max(1, wc.aps_parallel_capacity) for wc in self.scope.workcenters
        }
        by_resource = defaultdict(list)
        for row in self._stored_rows():
            by_resource["WC/%d" % row["workcenter_id"]].append(row)
        operations = []
        for resource, workorders in by_resource.items():
            operations += self._resource_operations(resource, workorders, capacity.get(resource, 1))
        if not self.scope.secondary:
            return {"schema_version": 1, "status": "FEASIBLE", "operations": operations}
        held = self._secondary_rows()
        for operation in operations:
            operation["secondary"] = held.get(operation["op"], [])
        return {"schema_version": 2, "status": "FEASIBLE", "operations": operations}

    def _secondary_rows(self):
        """{"WO/x": the plan's ``secondary`` rows} from the stored tools and operators."""
        to_minutes = self.scope.to_minutes
        held = defaultdict(list)
        lines = (
            self.scope.workorders.env["med.aps.workorder.resource"]
            .sudo()
            .search([("workorder_id", "in", self.scope.workorders.ids)], order="id")
        )
        for line in lines:
            row = {
                "resource": line.resource_key,
                "unit": line.unit_index - 1,
                "start": to_minutes(line.date_start),
                "end": to_minutes(line.date_end),
            }
            if line.maintenance_start and line.maintenance_end:
                row["maintenance"] = {
                    "start": to_minutes(line.maintenance_start),
                    "end": to_minutes(line.maintenance_end),
                }
            held["WO/%d" % line.workorder_id.id].append(row)
        return held

    def _stored_rows(self):
        """The scope's dated work orders as stored, in the scope's order: one query
        (thousands of them), after the pending changes are flushed."""
        workorders = self.scope.workorders
        workorders.env["mrp.workorder"].flush_model()
        workorders.env.cr.execute(
            """
            SELECT id, production_id, workcenter_id, date_start, date_finished, aps_unit,
                   aps_batch_ref, aps_setup_minutes, aps_changeover_minutes
              FROM mrp_workorder
             WHERE id = ANY(%s::int[])
            """,
            [sql_id_array(workorders.ids)],
        )
        position = {workorder_id: index for index, workorder_id in enumerate(workorders.ids)}
        # a work order without dates has no place in the plan (the validator says so)
        rows = [
            row
            for row in workorders.env.cr.dictfetchall()
            if row["date_start"] and row["date_finished"]
        ]
        return sorted(rows, key=lambda row: position[row["id"]])

    def _resource_operations(self, resource, rows, capacity):
        """The plan operations of the work orders stored on one work center."""
        to_minutes = self.scope.to_minutes
        unit_free = [None] * capacity
        batch_unit = {}
        operations = []
        for row in sorted(rows, key=lambda r: (r["date_start"], r["id"])):
            start = to_minutes(row["date_start"])
            end = to_minutes(row["date_finished"])
            batch = row["aps_batch_ref"] or None
            aps_unit = row["aps_unit"] or 0
            if 0 < aps_unit <= len(unit_free):
                unit = aps_unit - 1
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
                    "op": "WO/%d" % row["id"],
                    "job": "MO/%d" % row["production_id"],
                    "resource": resource,
                    "unit": unit,
                    "start": start,
                    "end": end,
                    "setup_minutes": row["aps_setup_minutes"] or 0,
                    "changeover_minutes": row["aps_changeover_minutes"] or 0,
                    "batch": batch,
                }
            )
        return operations
