from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    med_quarantine_customer_returns = fields.Boolean(
        related="company_id.med_quarantine_customer_returns", readonly=False
    )
