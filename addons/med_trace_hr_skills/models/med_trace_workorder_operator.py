from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.med_trace.tools.immutable_sql import reject_changes_in_database

SOURCES = [
    ("time_log", "Time Log"),
    ("plan", "Plan"),
]


class MedTraceWorkorderOperator(models.Model):
    """Who worked on a work order and the qualification they held when it finished, as the
    Device History Record shows it (ISO 13485 §6.2 and §7.5.9, 21 CFR 820.25 and 820.184).
    Written once when the work order finishes, never changed: names, levels and dates are
    copied, so a later change of the employee or of their skills does not rewrite history."""

    _name = "med.trace.workorder.operator"
    _description = "Operator of a Finished Work Order (DHR)"
    _order = "workorder_id, employee_name, skill_name, id"

    workorder_id = fields.Many2one(
        "mrp.workorder", "Work Order", required=True, index=True, ondelete="restrict"
    )
    production_id = fields.Many2one(
        "mrp.production", "Manufacturing Order", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    # restrict: the record keeps who worked (archive the employee instead of deleting)
    employee_id = fields.Many2one("hr.employee", index=True, ondelete="restrict")
    employee_name = fields.Char("Operator", required=True)
    source = fields.Selection(
        SOURCES,
        required=True,
        help="Time Log: the operator recorded time on the work order. "
        "Plan: nobody recorded time; the operators the plan assigned are recorded.",
    )
    skill_name = fields.Char("Qualification")
    skill_level_name = fields.Char("Level")
    level_progress = fields.Integer()
    required_level_name = fields.Char("Required Level")
    valid_from = fields.Date()
    valid_to = fields.Date("Valid Until")
    qualified = fields.Boolean(
        "Qualified at Finish",
        help="The operator held the required qualification, at the required level, "
        "valid on the day the work order finished.",
    )
    recorded_at = fields.Datetime("Recorded", required=True)

    def init(self):
        """Also in the database: UPDATE, DELETE and TRUNCATE of recorded operators are
        refused."""
        result = super().init()
        reject_changes_in_database(
            self.env.cr, self._table, "med_trace_hr_skills_reject_change", "med_trace_hr_skills"
        )
        return result

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "The operators recorded in a Device History Record cannot be changed: %(records)s.",
                records=", ".join(self.mapped("employee_name")),
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "The operators recorded in a Device History Record cannot be deleted: %(records)s.",
                records=", ".join(self.mapped("employee_name")),
            )
        )
