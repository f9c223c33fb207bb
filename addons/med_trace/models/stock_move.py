from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _med_reservation_blocks_lots(self):
        """Whether blocked lots must be skipped when reserving for this move."""
        self.ensure_one()
        if self.consume_unbuild_id or (
            self.unbuild_id and self.location_dest_id.usage == "production"
        ):
            return False
        return self.location_dest_id.usage not in ("supplier", "inventory")

    def _update_reserved_quantity_vals(
        self, need, location_id, lot_id=None, package_id=None, owner_id=None, strict=True
    ):
        # Quants of lots with blocking reasons for 'reserve' are hidden from
        # the reservation (see stock.quant._gather).
        move = self
        if need > 0 and self._med_reservation_blocks_lots():
            move = self.with_context(med_trace_reserve_usage="reserve")
        return super(StockMove, move)._update_reserved_quantity_vals(
            need,
            location_id,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
        )

    def _action_done(self, cancel_backorder=False):
        # Safety net for every path that processes moves (pickings, MOs,
        # scripts): refuse blocked lots before anything moves.
        lines = self.move_line_ids.filtered(lambda line: line.picked or line.move_id.picked)
        lines._med_check_blocked_lots()
        return super()._action_done(cancel_backorder=cancel_backorder)
