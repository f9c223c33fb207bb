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

    # ------------------------------------------------------------------ plan events
    def _med_set_decision(self, decision, signature=False, note=False):
        usable_before = {lot.id: lot._aps_is_available_for_planning() for lot in self}
        if decision == "rejected":
            # the reject signature exists before the decision is written, and already makes
            # the release signature look superseded: a released lot was usable until then
            for lot in self.filtered(lambda lot: lot.med_release_state == "released"):
                usable_before[lot.id] = True
        result = super()._med_set_decision(decision, signature=signature, note=note)
        self._aps_record_availability_events(usable_before)
        return result

    def _med_hold(self, reason, recall=False):
        usable_before = {lot.id: lot._aps_is_available_for_planning() for lot in self}
        result = super()._med_hold(reason, recall=recall)
        self._aps_record_availability_events(usable_before)
        return result

    def _med_release_holds(self, reason):
        usable_before = {lot.id: lot._aps_is_available_for_planning() for lot in self}
        result = super()._med_release_holds(reason)
        self._aps_record_availability_events(usable_before)
        return result

    def _aps_record_availability_events(self, usable_before):
        """A lot that became usable or unusable for planning is a plan event when an open
        manufacturing order of its company needs its product."""
        changed = self.filtered(
            lambda lot: lot._aps_is_available_for_planning() != usable_before[lot.id]
        )
        if not changed:
            return
        needed = self.env["stock.move"].search(
            [
                ("raw_material_production_id.state", "in", ("confirmed", "progress", "to_close")),
                ("product_id", "in", changed.product_id.ids),
                ("state", "not in", ("done", "cancel")),
            ]
        )
        needed_products = {(move.company_id.id, move.product_id.id) for move in needed}
        Event = self.env["med.aps.plan.event"]
        for lot in changed:
            company = lot.company_id or self.env.company
            if (company.id, lot.product_id.id) not in needed_products:
                continue
            kind = "lot_released" if lot._aps_is_available_for_planning() else "lot_blocked"
            Event._aps_record(kind, company, lot_id=lot.id)
