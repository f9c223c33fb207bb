from odoo import fields, models


class MrpWorkcenter(models.Model):
    _inherit = "mrp.workcenter"

    test_tool_code = fields.Char("Tool (test)")

    def _aps_resource_vals(self, calendar, unlimited_units):
        vals = super()._aps_resource_vals(calendar, unlimited_units)
        if self.test_tool_code:
            vals["extensions"] = {"tool": self.test_tool_code}
        return vals
