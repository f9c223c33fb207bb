import math

from odoo import api, fields, models
from odoo.exceptions import ValidationError

DURING = [
    ("occupation", "Whole Operation"),
    ("setup", "Setup Only"),
]


class MedApsOperationTool(models.Model):
    """A tool, mould or fixture an operation needs: one of the listed pieces of equipment
    (alternatives), on a work center it fits, while the operation runs (or only during its
    setup)."""

    _name = "med.aps.operation.tool"
    _description = "Tool Needed by an Operation"
    _order = "operation_id, sequence, id"

    sequence = fields.Integer(default=10)
    operation_id = fields.Many2one(
        "mrp.routing.workcenter", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="operation_id.company_id", store=True)
    equipment_ids = fields.Many2many(
        "maintenance.equipment",
        "med_aps_operation_tool_equipment_rel",
        "tool_id",
        "equipment_id",
        "Tools",
        required=True,
        domain=[("category_id.aps_is_tooling", "=", True)],
        help="The tools that can do it: the scheduler picks one (or Count) of them, among "
        "those that fit the work center and are available and calibrated.",
    )
    count = fields.Integer(default=1, required=True, help="How many of the tools it holds.")
    during = fields.Selection(
        DURING,
        "Held",
        default="occupation",
        required=True,
        help="Whole Operation: from setup to cleanup, breaks included (a mould stays "
        "mounted). Setup Only: the tool is free again when the setup is done (a setting "
        "fixture).",
    )
    parts_per_cycle = fields.Float(
        "Parts per Cycle",
        default=1.0,
        digits="Product Unit",
        help="Parts one cycle of the tool makes (the cavities of a mould): a work order of N "
        "parts takes N / parts per cycle cycles of the tool's life, rounded up.",
    )

    @api.constrains("count", "equipment_ids")
    def _check_count(self):
        for line in self:
            if line.count < 1 or line.count > len(line.equipment_ids):
                raise ValidationError(
                    self.env._(
                        "Operation %(operation)s needs %(count)s of %(tools)s: the count must "
                        "be at least 1 and at most the number of tools listed.",
                        operation=line.operation_id.display_name,
                        count=line.count,
                        tools=", ".join(line.equipment_ids.mapped("name")) or "-",
                    )
                )

    @api.constrains("parts_per_cycle")
    def _check_parts_per_cycle(self):
        for line in self:
            if line.parts_per_cycle <= 0:
                raise ValidationError(
                    self.env._(
                        "Operation %s: the parts per cycle of a tool must be positive.",
                        line.operation_id.display_name,
                    )
                )

    def _cycles_for(self, quantity):
        """The tool cycles ``quantity`` parts take (at least one)."""
        self.ensure_one()
        return max(1, math.ceil(round(quantity / self.parts_per_cycle, 6)))

    def _fitting_tools(self, workcenter):
        """The listed tools that fit ``workcenter`` (active ones)."""
        self.ensure_one()
        return self.equipment_ids.filtered(
            lambda tool: (
                tool.active
                and (not tool.aps_fit_workcenter_ids or workcenter in tool.aps_fit_workcenter_ids)
            )
        )
