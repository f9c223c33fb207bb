from odoo import api, fields, models


class MrpWorkorder(models.Model):
    _inherit = "mrp.workorder"

    aps_tool_ids = fields.Many2many(
        "maintenance.equipment",
        compute="_compute_aps_tool_ids",
        string="Planned Tools",
        help="The tools and moulds the plan gives this work order.",
    )

    @api.depends("aps_resource_ids.res_id", "aps_resource_ids.res_model")
    def _compute_aps_tool_ids(self):
        for workorder in self:
            workorder.aps_tool_ids = workorder._aps_planned_equipment()

    def _aps_planned_equipment(self):
        """The equipment the plan gives this work order (tools and moulds)."""
        self.ensure_one()
        lines = self.aps_resource_ids.filtered(
            lambda line: line.res_model == "maintenance.equipment"
        )
        return self.env["maintenance.equipment"].browse(lines.mapped("res_id")).exists()

    def _aps_mode_requires(self, workcenter, builder):
        """The tools of the operation that fit ``workcenter`` and the run can use; None when
        a tool line has fewer of them there than it needs."""
        requires = super()._aps_mode_requires(workcenter, builder)
        if requires is None:
            return None
        lines = self.operation_id.aps_tool_ids
        if not lines:
            return requires
        quantity = self.qty_remaining or self.qty_production
        requires = list(requires)
        for line in lines:
            keys = [
                "EQ/%d" % tool.id
                for tool in line._fitting_tools(workcenter)
                if "EQ/%d" % tool.id in builder.scope.secondary
            ]
            if len(keys) < line.count:
                return None
            requires.append(
                {
                    "any_of": keys,
                    "count": line.count,
                    "during": line.during,
                    "cycles": line._cycles_for(quantity),
                }
            )
        return requires

    def write(self, vals):
        finishing = (
            self.filtered(lambda workorder: workorder.state != "done")
            if vals.get("state") == "done"
            else self.browse()
        )
        result = super().write(vals)
        if finishing:
            finishing._aps_after_finish()
        return result

    def _aps_after_finish(self):
        """Called once when work orders become done: the tools they used count the cycles."""
        for workorder in self:
            quantity = workorder.qty_produced or workorder.qty_production
            used = workorder._aps_planned_equipment()
            for line in workorder.operation_id.aps_tool_ids:
                for tool in line.equipment_ids & used:
                    if tool.aps_max_cycles:
                        tool.sudo().aps_cycles_used += line._cycles_for(quantity)
