from odoo import api, models


class MrpBomLine(models.Model):
    _inherit = "mrp.bom.line"

    @api.model_create_multi
    def create(self, vals_list):
        boms = self.env["mrp.bom"].browse({vals.get("bom_id") for vals in vals_list} - {None})
        boms._med_check_not_frozen()
        return super().create(vals_list)

    def write(self, vals):
        self.bom_id._med_check_not_frozen()
        if vals.get("bom_id"):
            self.env["mrp.bom"].browse(vals["bom_id"])._med_check_not_frozen()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_frozen_bom(self):
        self.bom_id._med_check_not_frozen()
