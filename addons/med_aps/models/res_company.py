from odoo import api, fields, models
from odoo.exceptions import ValidationError

# a week of lateness: more would mean "never move", which the frozen window says better
MAX_MOVE_COST_MINUTES = 7 * 24 * 60


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
    aps_repair_move_cost_minutes = fields.Integer(
        "Repair Cost of a Move (min)",
        default=30,
        help="A repair moves a work order that could keep its place only if the move saves "
        "more than this many minutes of lateness of a normal-priority order (a full replan: "
        "30 minutes). Raise it to keep unattended repairs to what the events force.",
    )

    @api.constrains(
        "aps_repair_delay_minutes",
        "aps_repair_time_limit",
        "aps_repair_frozen_hours",
        "aps_repair_move_cost_minutes",
    )
    def _check_aps_repair(self):
        for company in self:
            if (
                company.aps_repair_delay_minutes < 0
                or company.aps_repair_time_limit <= 0
                or company.aps_repair_frozen_hours < 0
                or not 0 <= company.aps_repair_move_cost_minutes <= MAX_MOVE_COST_MINUTES
            ):
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the repair delay, frozen window and cost of a "
                        "move cannot be negative, a move cannot cost more than a week "
                        "(10,080 minutes) and the repair time limit must be positive.",
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
