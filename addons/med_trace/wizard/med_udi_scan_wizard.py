from odoo import api, fields, models


class MedUdiScanWizard(models.TransientModel):
    _name = "med.udi.scan.wizard"
    _description = "Scan a UDI"

    udi = fields.Char(string="UDI", required=True)
    product_id = fields.Many2one("product.product", readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number", readonly=True)
    production_date = fields.Date(readonly=True)
    expiry_date = fields.Date(readonly=True)

    @api.onchange("udi")
    def _onchange_udi(self):
        if self.udi:
            result = self.env["med.udi"].parse(self.udi)
            self.product_id = result["product"]
            self.lot_id = result["lot"]
            self.production_date = result["production_date"]
            self.expiry_date = result["expiry_date"]

    def action_open_lot(self):
        self.ensure_one()
        result = self.env["med.udi"].parse(self.udi)
        record = result["lot"] or result["product"]
        return record._get_records_action()
