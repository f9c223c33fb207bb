from odoo import fields, models


class MedRecallWizard(models.TransientModel):
    _name = "med.recall.wizard"
    _description = "Recall Impact Analysis"

    mode = fields.Selection(
        [("lots", "Suspect Lots"), ("supplier", "Supplier Receipts")],
        string="Start From",
        required=True,
        default="lots",
    )
    lot_ids = fields.Many2many("stock.lot", string="Suspect Lots")
    supplier_id = fields.Many2one("res.partner")
    date_from = fields.Date(string="Received From")
    date_to = fields.Date(string="Received To")
    reason = fields.Text(required=True)

    def action_compute(self):
        """Create a draft recall with its impact and open it."""
        self.ensure_one()
        with self.env.cr.savepoint():
            recall = self._med_create_recall()
        return {
            "type": "ir.actions.act_window",
            "res_model": "med.recall",
            "res_id": recall.id,
            "view_mode": "form",
            "target": "current",
        }

    def _med_create_recall(self):
        recall = self.env["med.recall"].create(
            {
                "mode": self.mode,
                "reason": self.reason,
                "suspect_lot_ids": [fields.Command.set(self.lot_ids.ids)],
                "supplier_id": self.supplier_id.id,
                "receipt_date_from": self.date_from,
                "receipt_date_to": self.date_to,
            }
        )
        if recall.mode == "supplier":
            recall.suspect_lot_ids = recall._med_suspect_lots()
        recall.action_compute()
        return recall
