from odoo import models


class MrpWorkorder(models.Model):
    _inherit = "mrp.workorder"

    def button_start(self, raise_on_invalid_state=False):
        res = super().button_start(raise_on_invalid_state=raise_on_invalid_state)
        self._med_create_operation_checks("start")
        return res

    def button_finish(self):
        res = super().button_finish()
        self._med_create_operation_checks("finish")
        return res

    def _med_create_operation_checks(self, timing):
        Point = self.env["med.quality.point"]
        for workorder in self.filtered("operation_id"):
            production = workorder.production_id
            points = Point._med_points_for(
                production.product_id,
                "operation",
                production.company_id,
                operation=workorder.operation_id,
                timing=timing,
            )
            if not points:
                continue
            self.env["med.quality.check"]._med_create_checks(
                points,
                production.product_qty,
                {
                    "lot_id": production.lot_producing_ids[:1].id,
                    "product_id": production.product_id.id,
                    "production_id": production.id,
                    "workorder_id": workorder.id,
                },
            )
