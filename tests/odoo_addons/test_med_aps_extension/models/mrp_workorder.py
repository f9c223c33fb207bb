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
