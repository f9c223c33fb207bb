from odoo import fields, models


class MedLotHoldWizard(models.TransientModel):
    _name = "med.lot.hold.wizard"
    _description = "Put Lots on Hold or Release Them"

    lot_ids = fields.Many2many("stock.lot", string="Lots/Serial Numbers", required=True)
    mode = fields.Selection(
        [("hold", "Put on Hold"), ("release", "Release Hold")], required=True, default="hold"
    )
    reason = fields.Text(required=True)

    def action_apply(self):
        self.ensure_one()
        if self.mode == "hold":
            self.lot_ids.action_med_hold(self.reason)
        else:
            self.lot_ids.action_med_release_hold(self.reason)
        return {"type": "ir.actions.act_window_close"}
