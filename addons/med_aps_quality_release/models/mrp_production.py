from odoo import models


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    def _aps_release_lead_minutes(self):
        """Release lead time of the product category, planned after the final operation.

        Only products whose lots enter quarantine at production wait for a
        release; the longest of the category's lead time and any other
        contribution wins.
        """
        self.ensure_one()
        lead = super()._aps_release_lead_minutes()
        category = self.product_id.categ_id
        if category.med_quarantine_on_production:
            lead = max(lead, category.med_release_lead_minutes)
        return lead
