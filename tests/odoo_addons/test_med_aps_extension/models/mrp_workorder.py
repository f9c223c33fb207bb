from odoo import models


class MrpWorkorder(models.Model):
    _inherit = "mrp.workorder"

    def _aps_operation_vals(self, operation):
        vals = super()._aps_operation_vals(operation)
        vals["extensions"] = {"operation": self.operation_id.name or ""}
        return vals

    def _aps_after_plan_write(self, run):
        res = super()._aps_after_plan_write(run)
        # what the observer sees: the work orders with their new dates already written
        self.env["test.med.aps.plan.write.event"].sudo().create(
            [
                {
                    "run_id": run.id,
                    "workorder_id": workorder.id,
                    "workcenter_id": workorder.workcenter_id.id,
                    "date_start": workorder.date_start,
                }
                for workorder in self
            ]
        )
        return res

    def _aps_mode_requires(self, workcenter, builder):
        requires = super()._aps_mode_requires(workcenter, builder)
        if requires is None:
            return None
        fixtures = self.env["test.med.aps.fixture"].search(
            [("operation_ids", "in", self.operation_id.ids)]
        )
        if not fixtures:
            return requires
        keys = [
            "FX/%d" % fixture.id
            for fixture in fixtures
            if fixture.in_service and workcenter in fixture.workcenter_ids
        ]
        if not keys:
            return None  # no fixture in service fits this work center
        return requires + [{"any_of": keys, "count": 1}]
