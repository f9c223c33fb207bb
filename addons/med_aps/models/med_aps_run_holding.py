from odoo import fields, models


class MedApsRun(models.Model):
    _inherit = "med.aps.run"

    holding_cost = fields.Monetary(
        readonly=True,
        copy=False,
        currency_field="company_currency_id",
        help="Cost of the stock the plan holds: components from receipt (or now) to "
        "consumption, finished products from the order's finish to the delivery, valued "
        "at cost and the company's carrying rate.",
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")

    def write(self, vals):
        # a result of the run like its other KPIs: only the run writes it
        self._check_result_write({"holding_cost"} & set(vals))
        return super().write(vals)
