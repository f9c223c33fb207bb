from odoo import models


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    def _aps_job_vals(self, due, operations):
        vals = super()._aps_job_vals(due, operations)
        vals["extensions"] = {"origin": self.origin or ""}
        return vals
