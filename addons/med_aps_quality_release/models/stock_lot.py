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
        if self.med_release_state in ("quarantine", "rejected", "on_hold"):
            return False
        if self.med_release_state == "released":
            # the same check as the release gate: a released signature of this lot
            return not self._med_release_signature_problem()
        # no decision: the gate decides (fail closed where the category blocks consumption)
        return not self._med_blocking_reasons("consume")
