from odoo import models


class StockLot(models.Model):
    _inherit = "stock.lot"

    def _aps_is_available_for_planning(self):
        """Whether stock of this lot counts as available material for planning.

        Hook: the quality release bridge returns True only for released lots.
        """
        self.ensure_one()
        return True

    def _aps_filter_available_for_planning(self):
        """Batch helper over :meth:`_aps_is_available_for_planning`."""
        return self.filtered(lambda lot: lot._aps_is_available_for_planning())
