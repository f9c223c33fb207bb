from odoo import models

OPEN_PRODUCTION_STATES = ("confirmed", "progress", "to_close")


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _aps_feeds_production(self):
        """Receipts bringing a component of an open manufacturing order of their company."""
        receipts = self.filtered(lambda p: p.picking_type_code == "incoming")
        if not receipts:
            return receipts
        components = {
            (move.company_id.id, move.product_id.id)
            for move in self.env["stock.move"].search(
                [
                    ("raw_material_production_id.state", "in", OPEN_PRODUCTION_STATES),
                    ("product_id", "in", receipts.move_ids.product_id.ids),
                    ("state", "not in", ("done", "cancel")),
                ]
            )
        }
        return receipts.filtered(
            lambda p: any((p.company_id.id, m.product_id.id) in components for m in p.move_ids)
        )

    def write(self, vals):
        if "scheduled_date" not in vals:
            return super().write(vals)
        # a receipt still being set up (draft) has no date anyone planned with
        feeding = self.filtered(
            lambda p: p.state not in ("draft", "done", "cancel")
        )._aps_feeds_production()
        before = {picking.id: picking.scheduled_date for picking in feeding}
        result = super().write(vals)
        Event = self.env["med.aps.plan.event"]
        for picking in feeding:
            if picking.scheduled_date != before[picking.id]:
                Event._aps_record(
                    "receipt_rescheduled",
                    picking.company_id,
                    picking_id=picking.id,
                    date_before=before[picking.id],
                    date_after=picking.scheduled_date,
                )
        return result

    def _action_done(self):
        feeding = self._aps_feeds_production()
        result = super()._action_done()
        for picking in feeding.filtered(lambda p: p.state == "done"):
            self.env["med.aps.plan.event"]._aps_record(
                "receipt_done", picking.company_id, picking_id=picking.id
            )
        return result
