from odoo import api, models
from odoo.exceptions import AccessError


class HrEmployeeSkill(models.Model):
    _inherit = "hr.employee.skill"

    def _aps_check_qualification_rights(self, skill_ids):
        """Qualifications that production operations require are training records (ISO 13485
        §6.2, 21 CFR 820.25): only HR officers record them. Odoo lets every employee edit
        their own skills, so without this an operator could extend their own expiry."""
        if self.env.su or self.env.user.has_group("hr.group_hr_user"):
            return
        required = (
            self.env["med.aps.operation.skill"]
            .sudo()
            .search([("skill_id", "in", list(skill_ids))])
            .skill_id
        )
        if required:
            raise AccessError(
                self.env._(
                    "Only HR officers may record or change the production qualification "
                    "%(skills)s: operations require it, so it decides who may work on them.",
                    skills=", ".join(required.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._aps_check_qualification_rights({vals.get("skill_id") for vals in vals_list})
        return super().create(vals_list)

    def write(self, vals):
        skill_ids = set(self.skill_id.ids)
        if vals.get("skill_id"):
            skill_ids.add(vals["skill_id"])
        self._aps_check_qualification_rights(skill_ids)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_production_qualification(self):
        self._aps_check_qualification_rights(set(self.skill_id.ids))
