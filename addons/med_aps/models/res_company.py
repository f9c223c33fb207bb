from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    aps_repair_enabled = fields.Boolean(
        "Repair the Plan on Events",
        default=True,
        help="Shop-floor and stock events (a work order running long, a blocked work center, "
        "a late receipt, a new order) repair the plan automatically: only what they affect "
        "moves. Off: events are recorded but the plan changes only when a planner replans.",
    )
    aps_repair_delay_minutes = fields.Integer(
        "Repair Delay (min)",
        default=2,
        help="Events within this many minutes are answered by one repair.",
    )
    aps_repair_frozen_hours = fields.Float(
        "Repair Frozen Window (h)",
        default=0.0,
        help="Work orders planned to start within this many hours keep their place in a "
        "repair (started and locked work always does).",
    )
    aps_carrying_rate = fields.Float(
        "Carrying Rate (% per Year)",
        default=20.0,
        help="Cost of holding stock per year, in percent of its value: capital, storage, "
        "insurance, obsolescence. Prices the holding cost of each plan.",
    )
    aps_repair_time_limit = fields.Float(
        "Repair Time Limit (s)",
        default=3.0,
        help="Solver time of a repair; the plan is written right after.",
    )

    @api.constrains("aps_repair_delay_minutes", "aps_repair_time_limit", "aps_repair_frozen_hours")
    def _check_aps_repair(self):
        for company in self:
            if (
                company.aps_repair_delay_minutes < 0
                or company.aps_repair_time_limit <= 0
                or company.aps_repair_frozen_hours < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the repair delay and frozen window cannot be "
                        "negative and the repair time limit must be positive.",
                        company=company.name,
                    )
                )

    @api.constrains("aps_carrying_rate")
    def _check_aps_carrying_rate(self):
        for company in self:
            if company.aps_carrying_rate < 0:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the carrying rate cannot be negative.",
                        company=company.name,
                    )
                )
