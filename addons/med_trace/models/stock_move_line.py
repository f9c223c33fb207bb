from collections import defaultdict

from odoo import models


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    # The genealogy walks done move lines by lot; Odoo has no index on lot_id.
    _med_trace_lot_index = models.Index(
        "(lot_id, location_id, location_dest_id, id, move_id) "
        "WHERE lot_id IS NOT NULL AND state = 'done'"
    )
    # The recall impact lists the open (not done) move lines of every affected lot:
    # few lines, found by lot without reading the done ones.
    _med_open_lot_index = models.Index(
        "(lot_id) WHERE lot_id IS NOT NULL AND (state IS NULL OR state NOT IN ('done', 'cancel'))"
    )

    def _med_lot_usage(self):
        """How processing this line uses its lot, for the blocking check.

        ``'consume'`` for MO components, ``'deliver'`` for outgoing to a customer,
        ``'reserve'`` for moves between internal locations, ``False`` for
        receipts, returns to vendors, scrap/inventory, unbuild of the lot and
        production output (a blocked lot may always be disposed of).
        """
        self.ensure_one()
        move = self.move_id
        # taking the lot apart (Odoo 19 links both sides of an unbuild by ``unbuild_id``)
        if move.consume_unbuild_id or (
            move.unbuild_id and self.location_dest_id.usage == "production"
        ):
            return False
        if move.raw_material_production_id or self.location_dest_id.usage == "production":
            return "consume"
        if self.location_dest_id.usage == "customer":
            return "deliver"
        if self.location_id.usage in ("internal", "transit") and self.location_dest_id.usage in (
            "internal",
            "transit",
        ):
            return "reserve"
        return False

    def _med_check_blocked_lots(self):
        """Raise one UserError if any lot of the lines is blocked for its usage."""
        lots_by_usage = defaultdict(lambda: self.env["stock.lot"])
        for line in self:
            if not line.lot_id or line.state in ("done", "cancel"):
                continue
            if line.product_uom_id.compare(line.quantity, 0) <= 0:
                continue
            usage = line._med_lot_usage()
            if usage:
                lots_by_usage[usage] |= line.lot_id
        if lots_by_usage:
            self.env["stock.lot"]._med_check_usage(lots_by_usage)
