from odoo import models

OPEN_PRODUCTION_STATES = ("confirmed", "progress", "to_close")


class StockScrap(models.Model):
    _inherit = "stock.scrap"

    def do_scrap(self):
        result = super().do_scrap()
        # scrap of an open manufacturing order (its product or a component): a plan event
        Event = self.env["med.aps.plan.event"]
        for scrap in self.filtered(
            lambda s: s.state == "done" and s.production_id.state in OPEN_PRODUCTION_STATES
        ):
            production = scrap.production_id
            Event._aps_record(
                "production_scrapped",
                production.company_id,
                production_id=production.id,
                workorder_id=scrap.workorder_id.id,
                workcenter_id=scrap.workorder_id.workcenter_id.id,
                after="%g %s %s"
                % (scrap.scrap_qty, scrap.product_uom_id.name, scrap.product_id.display_name),
            )
        return result
