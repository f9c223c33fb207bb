from odoo import api, fields, models
from odoo.exceptions import ValidationError

DURING = [
    ("occupation", "Whole Operation"),
    ("setup", "Setup Only"),
]


class MedApsOperationSkill(models.Model):
    """A qualification an operation of a routing needs: ``operator_count`` operators holding
    ``skill_id`` at ``skill_level_id`` or above, with a certification that is valid when they
    work (ISO 13485 §6.2, 21 CFR 820.25)."""

    _name = "med.aps.operation.skill"
    _description = "Operator Qualification Required by an Operation"
    _order = "operation_id, sequence, id"

    sequence = fields.Integer(default=10)
    operation_id = fields.Many2one(
        "mrp.routing.workcenter", required=True, index=True, ondelete="cascade"
    )
    bom_id = fields.Many2one(related="operation_id.bom_id", store=True, index=True)
    company_id = fields.Many2one(related="operation_id.company_id", store=True)
    skill_type_id = fields.Many2one("hr.skill.type", required=True, ondelete="restrict")
    skill_id = fields.Many2one(
        "hr.skill",
        required=True,
        ondelete="restrict",
        domain="[('skill_type_id', '=', skill_type_id)]",
    )
    skill_level_id = fields.Many2one(
        "hr.skill.level",
        "Minimum Level",
        required=True,
        ondelete="restrict",
        domain="[('skill_type_id', '=', skill_type_id)]",
        help="Operators qualify at this level or above (by the level's progress).",
    )
    operator_count = fields.Integer(
        "Operators",
        default=1,
        required=True,
        help="How many qualified operators the operation needs at the same time.",
    )
    during = fields.Selection(
        DURING,
        "Needed During",
        default="occupation",
        required=True,
        help="Whole Operation: the operators stay for the setup and the run. "
        "Setup Only: they are needed for the setup, the machine then runs without them.",
    )

    _operator_count_positive = models.Constraint(
        "CHECK(operator_count > 0)",
        "An operation needs at least one operator for each qualification it requires.",
    )

    @api.depends("skill_id", "skill_level_id", "operator_count")
    def _compute_display_name(self):
        for line in self:
            line.display_name = self.env._(
                "%(count)s × %(skill)s (%(level)s or above)",
                count=line.operator_count,
                skill=line.skill_id.name or "",
                level=line.skill_level_id.name or "",
            )

    @api.constrains("skill_type_id", "skill_id", "skill_level_id")
    def _check_skill_type(self):
        for line in self:
            if (
                line.skill_id.skill_type_id != line.skill_type_id
                or line.skill_level_id.skill_type_id != line.skill_type_id
            ):
                raise ValidationError(
                    self.env._(
                        "Operation %(operation)s: skill %(skill)s and level %(level)s must "
                        "both belong to skill type %(type)s.",
                        operation=line.operation_id.display_name,
                        skill=line.skill_id.name,
                        level=line.skill_level_id.name,
                        type=line.skill_type_id.name,
                    )
                )

    @api.onchange("skill_type_id")
    def _onchange_skill_type_id(self):
        for line in self:
            if line.skill_id.skill_type_id != line.skill_type_id:
                line.skill_id = False
            if line.skill_level_id.skill_type_id != line.skill_type_id:
                line.skill_level_id = line.skill_type_id.skill_level_ids.filtered("default_level")[
                    :1
                ]

    def _aps_qualifying(self, employee_skills):
        """The employee skills among ``employee_skills`` that meet this requirement, whatever
        their validity: the same skill at the minimum level or above."""
        self.ensure_one()
        minimum = self.skill_level_id.level_progress
        return employee_skills.filtered(
            lambda es: es.skill_id == self.skill_id and es.skill_level_id.level_progress >= minimum
        )
