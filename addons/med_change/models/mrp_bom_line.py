from odoo import models


class MrpBomLine(models.Model):
    # the mixin first: its checks run before the create and write of mrp
    _name = "mrp.bom.line"
    _inherit = ["med.change.bom.part.mixin", "mrp.bom.line"]
