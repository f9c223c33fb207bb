from odoo import fields, models


class MrpRoutingWorkcenter(models.Model):
    _inherit = "mrp.routing.workcenter"

    aps_skill_ids = fields.One2many(
        "med.aps.operation.skill",
        "operation_id",
        "Operator Qualifications",
        copy=True,
        help="The qualified operators this operation needs. The planner gives each work "
        "order named operators whose qualification is valid when they work, within their "
        "working schedule.",
    )
