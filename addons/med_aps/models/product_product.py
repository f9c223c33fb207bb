from odoo import models


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _aps_supply_lead_days(self):
        """Days from ordering until a shortage of this product can arrive: the lead time of
        its preferred vendor (product supplier info), 0 without one."""
        self.ensure_one()
        seller = self._prepare_sellers()[:1]
        return seller.delay if seller else 0
