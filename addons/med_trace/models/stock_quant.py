from odoo import models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    def _gather(
        self,
        product_id,
        location_id,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=False,
        qty=0,
    ):
        quants = super()._gather(
            product_id,
            location_id,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
            qty=qty,
        )
        usage = self.env.context.get("med_trace_reserve_usage")
        if usage and product_id.tracking != "none" and quants.lot_id:
            blocked = quants.lot_id._med_blocking_reasons(usage)
            if blocked:
                blocked_ids = {lot.id for lot in blocked}
                quants = quants.filtered(lambda quant: quant.lot_id.id not in blocked_ids)
        return quants
