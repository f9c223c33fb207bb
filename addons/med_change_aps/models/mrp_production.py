from odoo import models


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    def _med_after_bom_switch(self, request):
        """An order switched to a new BoM version has new work orders and components: one
        plan event per order, answered by the next plan repair."""
        result = super()._med_after_bom_switch(request)
        previous = request.old_bom_id
        for production in self:
            production._aps_record_event(
                "production_bom_changed",
                before=previous.med_version_label,
                after=production.bom_id.med_version_label,
            )
        return result
