from odoo import models


class StockLot(models.Model):
    _inherit = "stock.lot"

    def _med_blocking_reasons(self, usage):
        """A lot received from a supplier not approved for it is neither consumed nor
        delivered while its nonconformance is open, whatever its category says."""
        reasons = super()._med_blocking_reasons(usage)
        if usage not in ("consume", "deliver") or not self.ids:
            return reasons
        ncs = (
            self.env["med.quality.nonconformance"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", self.ids),
                    ("state", "=", "open"),
                    ("med_supplier_id", "!=", False),
                ]
            )
        )
        for nc in ncs:
            reasons.setdefault(self.browse(nc.lot_id.id), []).append(
                self.env._(
                    "received from %(supplier)s, not an approved supplier of it "
                    "(nonconformance %(nc)s open)",
                    supplier=nc.med_supplier_id.name,
                    nc=nc.name,
                )
            )
        return reasons
