from odoo import models
from odoo.exceptions import UserError

# what a done line says happened to a lot; changing it afterwards would move stock without
# the release gate (e.g. a quarantined lot "delivered" by editing a done delivery)
_DONE_LINE_FACTS = frozenset({"lot_id", "lot_name", "location_id", "location_dest_id", "quantity"})


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    def write(self, vals):
        if not self.env.su and _DONE_LINE_FACTS & set(vals):
            self._med_check_done_line_change()
        return super().write(vals)

    def _med_check_done_line_change(self):
        controlled = self.filtered(
            lambda line: (
                line.state == "done"
                and line.product_id.tracking != "none"
                and line.product_id.categ_id._med_is_release_controlled()
            )
        )
        if controlled:
            raise UserError(
                self.env._(
                    "Done stock moves of lots under release control cannot be changed "
                    "(%(lines)s): their lot, locations and quantity are the record of what "
                    "happened. Return the goods or make a new transfer instead.",
                    lines=", ".join(
                        "%s (%s)" % (line.reference or line.move_id.display_name, line.lot_id.name)
                        for line in controlled
                    ),
                )
            )
