from collections import defaultdict

from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    med_quality_check_ids = fields.One2many(
        "med.quality.check", "picking_id", string="Incoming Inspection"
    )
    med_switching_ids = fields.Many2many(
        "med.quality.switching",
        string="ISO 2859-1 Inspection Severities",
        compute="_compute_med_switching_ids",
        help="Current severity of the switching rules the checks of this receipt follow.",
    )
    med_switching_log_ids = fields.Many2many(
        "med.quality.switching.log",
        string="Switching History",
        compute="_compute_med_switching_ids",
    )

    def _compute_med_switching_ids(self):
        for picking in self:
            switchings = picking.med_quality_check_ids.switching_id
            picking.med_switching_ids = switchings
            picking.med_switching_log_ids = switchings.log_ids.sorted(
                lambda log: (log.date, log.id), reverse=True
            )

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
