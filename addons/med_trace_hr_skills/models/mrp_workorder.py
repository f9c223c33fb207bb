from datetime import date

from odoo import fields, models


class MrpWorkorder(models.Model):
    _inherit = "mrp.workorder"

    med_operator_ids = fields.One2many(
        "med.trace.workorder.operator",
        "workorder_id",
        "Operators (DHR)",
        readonly=True,
        help="Who worked on this work order and their qualification when it finished, "
        "as recorded in the Device History Record.",
    )

    def button_finish(self):
        to_finish = self.filtered(lambda wo: wo.state not in ("done", "cancel"))
        res = super().button_finish()
        to_finish.filtered(lambda wo: wo.state == "done")._med_record_operators()
        return res

    def _med_operators(self):
        """Who worked on this work order: the employees of the users who logged time on it;
        when nobody logged time, the operators the plan assigned. ``(employees, source)``."""
        self.ensure_one()
        Employee = self.env["hr.employee"].sudo()
        users = self.time_ids.user_id
        if users:
            # somebody logged time: they worked (a user without an employee is named by the
            # DHR's time logs only, never replaced by the plan's names)
            employees = Employee.search(
                [("user_id", "in", users.ids), ("company_id", "=", self.company_id.id)]
            )
            return employees, "time_log"
        planned = self.sudo().aps_resource_ids.filtered(
            lambda line: line.kind == "operator" and line.res_model == "hr.employee"
        )
        return Employee.browse(planned.mapped("res_id")).exists(), "plan"

    def _med_record_operators(self):
        """Record, once, who worked on these finished work orders and the qualification
        each held at that moment (HR data read as it stands now, then copied)."""
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        vals_list = []
        for workorder in self.filtered(lambda wo: not wo.med_operator_ids):
            employees, source = workorder._med_operators()
            requirements = workorder.operation_id.sudo().aps_skill_ids
            for employee in employees:
                common = {
                    "workorder_id": workorder.id,
                    "production_id": workorder.production_id.id,
                    "company_id": workorder.company_id.id,
                    "employee_id": employee.id,
                    "employee_name": employee.name,
                    "source": source,
                    "recorded_at": now,
                }
                if not requirements:
                    vals_list.append(common)
                for requirement in requirements:
                    vals_list.append(
                        dict(common, **self._med_qualification_vals(employee, requirement, today))
                    )
        return self.env["med.trace.workorder.operator"].sudo().create(vals_list)

    def _med_qualification_vals(self, employee, requirement, today):
        """The qualification ``employee`` held for ``requirement`` on ``today``: the valid
        record at the highest level, else the last one held (then not qualified)."""
        records = (
            employee.sudo()
            .employee_skill_ids.filtered(lambda es: es.skill_id == requirement.skill_id)
            .sorted(lambda es: (es.valid_to or date.max, es.id))
        )
        valid = records.filtered(
            lambda es: (
                (not es.valid_from or es.valid_from <= today)
                and (not es.valid_to or es.valid_to >= today)
            )
        )
        record = valid.sorted(lambda es: es.skill_level_id.level_progress)[-1:] or records[-1:]
        minimum = requirement.skill_level_id.level_progress
        return {
            "skill_name": requirement.skill_id.name,
            "required_level_name": requirement.skill_level_id.name,
            "skill_level_name": record.skill_level_id.name or False,
            "level_progress": record.skill_level_id.level_progress,
            "valid_from": record.valid_from,
            "valid_to": record.valid_to,
            "qualified": bool(record in valid and record.skill_level_id.level_progress >= minimum),
        }
