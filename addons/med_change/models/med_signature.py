from odoo import fields, models


class MedSignature(models.Model):
    _inherit = "med.signature"

    meaning = fields.Selection(
        selection_add=[
            ("change_engineering", "Change Approved (Engineering)"),
            ("change_quality", "Change Approved (Quality)"),
        ],
        # signatures are retained: a signed meaning is never removed
        ondelete={"change_engineering": "cascade", "change_quality": "cascade"},
    )
