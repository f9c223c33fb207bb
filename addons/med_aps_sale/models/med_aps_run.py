from odoo import fields, models


class MedApsRun(models.Model):
    _inherit = "med.aps.run"

    trigger = fields.Selection(
        selection_add=[("sale", "Sale Order Confirmation")], ondelete={"sale": "set default"}
    )
