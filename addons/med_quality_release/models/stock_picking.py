from collections import defaultdict

from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        res = super()._action_done()
        receipts = self.filtered(lambda p: p.picking_type_code == "incoming" and p.state == "done")
        receipts._med_after_receipt()
        return res

    def _med_after_receipt(self):
        """Create the incoming inspection checks of the received lots (their quarantine is
        stock.move's, as for every way into stock)."""
        Check = self.env["med.quality.check"]
        Point = self.env["med.quality.point"]
        for picking in self:
            quantities = defaultdict(float)
            for line in picking.move_line_ids.filtered(lambda ml: ml.lot_id and ml.state == "done"):
                quantities[line.lot_id] += line.quantity_product_uom
            for lot, qty in quantities.items():
                points = Point._med_points_for(lot.product_id, "receipt", picking.company_id)
                Check._med_create_checks(
                    points,
                    qty,
                    {
                        "lot_id": lot.id,
                        "product_id": lot.product_id.id,
                        "picking_id": picking.id,
                    },
                )
