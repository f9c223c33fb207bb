from odoo import models


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    def button_mark_done(self):
        raw_moves = self.move_raw_ids.filtered(lambda move: move.state not in ("done", "cancel"))
        raw_moves.move_line_ids._med_check_blocked_lots()
        result = super().button_mark_done()
        self._med_set_production_dates()
        return result

    def _med_set_production_dates(self):
        for production in self.filtered(lambda mo: mo.state == "done"):
            lots = production.move_finished_ids.move_line_ids.lot_id.filtered(
                lambda lot: not lot.med_production_date
            )
            if lots:
                finished = production.date_finished or production.write_date
                lots.med_production_date = finished.date()
