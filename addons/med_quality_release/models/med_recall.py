from odoo import fields, models


class MedRecall(models.Model):
    _inherit = "med.recall"

    capa_ids = fields.Many2many(
        "med.capa",
        "med_capa_recall_rel",
        "recall_id",
        "capa_id",
        string="CAPAs",
        readonly=True,
        copy=False,
    )

    def action_med_open_capa(self):
        self.ensure_one()
        return self.env["med.capa"]._med_action_for(
            self.capa_ids,
            {"title": self.name, "problem": self.reason, "recall_ids": [self.id]},
        )
