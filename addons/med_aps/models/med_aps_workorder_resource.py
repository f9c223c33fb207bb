from odoo import api, fields, models

RESOURCE_KINDS = [("tool", "Tool"), ("operator", "Operator"), ("equipment", "Equipment")]


class MedApsWorkorderResource(models.Model):
    """A unit of a secondary resource (a tool, a mould, an operator) the plan gives a work
    order, and when the work order holds it. Written by the plan writer from the plan's
    ``secondary`` rows; read back by the plan reader for the validator."""

    _name = "med.aps.workorder.resource"
    _description = "Planned Tool or Operator of a Work Order"
    _order = "date_start, id"

    workorder_id = fields.Many2one(
        "mrp.workorder", "Work Order", required=True, index=True, ondelete="cascade"
    )
    production_id = fields.Many2one(
        "mrp.production", "Manufacturing Order", required=True, index=True, ondelete="cascade"
    )
    workcenter_id = fields.Many2one(related="workorder_id.workcenter_id", string="Work Center")
    company_id = fields.Many2one("res.company", required=True, index=True)
    run_id = fields.Many2one("med.aps.run", "Plan Run", index=True, ondelete="set null")
    kind = fields.Selection(RESOURCE_KINDS, required=True)
    resource_key = fields.Char(
        "Planning Key", required=True, help="The resource's key in the planning problem."
    )
    resource_name = fields.Char(
        "Resource", required=True, help="The tool, mould or operator pool as planned."
    )
    unit_index = fields.Integer("Unit", help="Which unit of the resource (1 is the first).")
    name = fields.Char("Unit Name", required=True, help="Which tool or person holds the work.")
    res_model = fields.Char("Record Model", required=True)
    res_id = fields.Many2oneReference("Record", model_field="res_model", required=True)
    date_start = fields.Datetime("Held From", required=True)
    date_end = fields.Datetime("Held Until", required=True)
    maintenance_start = fields.Datetime(
        help="A maintenance the plan inserts right before this use (a tool at its cycle limit)."
    )
    maintenance_end = fields.Datetime()

    @api.depends("name", "workorder_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = "%s: %s" % (line.name, line.workorder_id.display_name)

    def action_open_record(self):
        """The tool's or operator's own record."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
