from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def button_validate(self):
        moves = self.move_ids.filtered(lambda move: move.state not in ("done", "cancel"))
        moves.move_line_ids._med_check_blocked_lots()
        return super().button_validate()
