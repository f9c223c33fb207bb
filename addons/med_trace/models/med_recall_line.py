from odoo import api, fields, models


class MedRecallLine(models.Model):
    _name = "med.recall.line"
    _description = "Recall Impact Line"
    _order = "recall_id, kind_sequence, level, lot_id, id"

    recall_id = fields.Many2one("med.recall", required=True, ondelete="cascade", index=True)
    kind = fields.Selection(
        [
            ("lot", "Affected Lot"),
            ("on_hand", "On Hand"),
            ("delivered", "Delivered"),
            ("open_mo", "Open Manufacturing Order"),
            ("open_transfer", "Open Transfer"),
        ],
        required=True,
    )
    kind_sequence = fields.Integer(compute="_compute_kind_sequence", store=True)
    level = fields.Integer(help="0 for a suspect lot, 1 for a lot made from it, and so on.")
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number", required=True, index=True)
    product_id = fields.Many2one("product.product", required=True)
    quantity = fields.Float(digits="Product Unit")
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    location_id = fields.Many2one("stock.location")
    partner_id = fields.Many2one("res.partner", string="Customer")
    picking_id = fields.Many2one("stock.picking", string="Transfer")
    production_id = fields.Many2one("mrp.production", string="Manufacturing Order")
    date = fields.Datetime()
    lot_hold_active = fields.Boolean(related="lot_id.med_hold_active", string="On Hold")
    company_id = fields.Many2one(related="recall_id.company_id", store=True)

    @api.depends("kind")
    def _compute_kind_sequence(self):
        order = ["lot", "on_hand", "delivered", "open_mo", "open_transfer"]
        for line in self:
            line.kind_sequence = order.index(line.kind) if line.kind in order else 99

    def write(self, vals):
        self.recall_id._med_check_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_draft(self):
        self.recall_id._med_check_editable()

    @api.model_create_multi
    def create(self, vals_list):
        recalls = self.env["med.recall"].browse({vals.get("recall_id") for vals in vals_list})
        recalls._med_check_editable()
        return super().create(vals_list)
