from odoo import api, models
from odoo.exceptions import UserError


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    @api.ondelete(at_uninstall=False)
    def _unlink_except_dhr_operator(self):
        """Who worked stays in the device history records: archive, do not delete."""
        recorded = (
            self.env["med.trace.workorder.operator"]
            .sudo()
            .search([("employee_id", "in", self.ids)])
            .employee_id
        )
        if recorded:
            raise UserError(
                self.env._(
                    "%(employees)s worked on work orders recorded in device history records "
                    "and cannot be deleted; archive them instead.",
                    employees=", ".join(recorded.sudo().mapped("name")),
                )
            )
