from odoo import api, fields, models
from odoo.exceptions import ValidationError


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
    weight_earliness = fields.Integer(
        "Earliness Weight",
        default=0,
        help="Cost of each minute an order finishes before its deadline (times its priority "
        "weight). 0 plans as early as possible; a weight above the makespan weight plans "
        "orders just in time against their deadlines, trading holding cost against the risk "
        "of lateness (compare with the tardiness weight: 1000 per minute late by default).",
    )

    @api.constrains("weight_earliness")
    def _check_weight_earliness(self):
        for run in self:
            if run.weight_earliness < 0:
                raise ValidationError(
                    self.env._("Run %(run)s: objective weights cannot be negative.", run=run.name)
                )

    def write(self, vals):
        # a result of the run like its other KPIs: only the run writes it
        self._check_result_write({"holding_cost"} & set(vals))
        return super().write(vals)
