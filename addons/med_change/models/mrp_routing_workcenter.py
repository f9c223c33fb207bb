from odoo import models


class MrpRoutingWorkcenter(models.Model):
    # the mixin first: its checks run before the create and write of mrp
    _name = "mrp.routing.workcenter"
    _inherit = ["med.change.bom.part.mixin", "mrp.routing.workcenter"]
