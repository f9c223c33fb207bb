from odoo import api, fields, models


class MedApsPeg(models.Model):
    _inherit = "med.aps.peg"

    purchase_line_id = fields.Many2one(
        related="supply_move_id.purchase_line_id", store=True, index=True, string="Purchase Line"
    )

    @api.model
    def _aps_compute_for_run(self, run, origin):
        """Propose purchases for what no supply covers, after the pegs are written."""
        pegs = super()._aps_compute_for_run(run, origin)
        self.env["med.aps.purchase.proposal"].sudo()._aps_refresh(run, pegs)
        return pegs
