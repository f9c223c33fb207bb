from odoo import fields, models


class MrpRoutingWorkcenter(models.Model):
    _inherit = "mrp.routing.workcenter"

    aps_tool_ids = fields.One2many(
        "med.aps.operation.tool",
        "operation_id",
        "Tools",
        copy=True,
        help="The tools, moulds and fixtures the operation needs; the scheduler plans them "
        "beside the work center.",
    )
