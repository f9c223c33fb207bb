from odoo import models


class StockLot(models.Model):
    _inherit = "stock.lot"

    def _aps_is_available_for_planning(self):
        """Only released lots count as available material for the scheduler.

        Lots outside release control (their category does not quarantine them)
        keep the default behaviour; quarantined, rejected and held lots are not
        available until a QA Manager signs their release.
        """
        self.ensure_one()
        if not super()._aps_is_available_for_planning():
            return False
        return self.med_release_state in (False, "released")
