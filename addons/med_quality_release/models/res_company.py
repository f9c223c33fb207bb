from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    med_quarantine_customer_returns = fields.Boolean(
        string="Quarantine Customer Returns",
        default=True,
        help="A released lot returned by a customer goes back to quarantine and waits for a "
        "new signed release before it can be delivered again.",
    )
