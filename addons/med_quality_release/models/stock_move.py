from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        moves._med_quarantine_inbound_lots()
        return moves

    def _med_quarantine_inbound_lots(self):
        """Put under release control every lot that enters stock from outside.

        One place for every way in: receipts of any operation type, production output,
        inventory adjustments, unbuild, customer returns, transit. A lot without a decision
        enters quarantine when its category controls that source; a released lot returned by
        a customer goes back to quarantine unless the company says otherwise.
        """
        first_line = {}
        for line in self.move_line_ids:
            if line.state != "done" or not line.lot_id or line.lot_id in first_line:
                continue
            if line.location_dest_id.usage not in ("internal", "transit"):
                continue
            if line.location_id.usage in ("internal", "transit", "view"):
                continue
            first_line[line.lot_id] = line
        for lot, line in first_line.items():
            category = lot.product_id.categ_id
            source = line.location_id.usage
            origin = line.move_id._med_origin_label()
            if source == "customer" and lot.med_release_decision == "released":
                if (line.company_id or self.env.company).med_quarantine_customer_returns:
                    lot._med_set_decision(
                        "quarantine",
                        note=self.env._("Returned by the customer: %(origin)s", origin=origin),
                    )
            elif not lot.med_release_decision and category._med_quarantines_from(source):
                lot._med_enter_quarantine(origin)

    def _med_origin_label(self):
        """Where the move comes from, for the release trail."""
        self.ensure_one()
        if self.picking_id:
            return self.env._("transfer %(name)s", name=self.picking_id.name)
        if self.production_id:
            return self.env._("manufacturing order %(mo)s", mo=self.production_id.name)
        if self.unbuild_id:
            return self.env._("unbuild order %(name)s", name=self.unbuild_id.name)
        if self.is_inventory:
            return self.env._("inventory adjustment %(name)s", name=self.reference or "")
        return self.reference or self.env._("stock move %(id)s", id=self.id)
