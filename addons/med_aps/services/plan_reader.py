"""Read the plan Odoo stores back into the engine's plan format.

The work orders' dates, work centers, units and batches as they are in the database, for
checking them with the engine's validator or measuring them against the problem they were
planned from (tests, benchmarks, plan checks).
"""

from collections import defaultdict


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
        for workorder in self.scope.workorders:
            by_resource["WC/%d" % workorder.workcenter_id.id].append(workorder)
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

    def _resource_operations(self, resource, workorders, capacity):
        """The plan operations of the work orders stored on one work center."""
        to_minutes = self.scope.to_minutes
        unit_free = [None] * capacity
        batch_unit = {}
        operations = []
        for workorder in sorted(workorders, key=lambda w: (w.date_start, w.id)):
            start = to_minutes(workorder.date_start)
            end = to_minutes(workorder.date_finished)
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
        return operations
