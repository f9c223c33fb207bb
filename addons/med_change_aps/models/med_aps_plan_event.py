from odoo import fields, models


class MedApsPlanEvent(models.Model):
    _inherit = "med.aps.plan.event"

    kind = fields.Selection(
        selection_add=[("production_bom_changed", "Bill of materials version changed")],
        ondelete={"production_bom_changed": "cascade"},
    )

    def _aps_describe(self):
        if self.kind == "production_bom_changed":
            return self.env._(
                "%(mo)s: now made with %(after)s (was %(before)s)",
                mo=self.production_id.name or "",
                before=self.before or "",
                after=self.after or "",
            )
        return super()._aps_describe()
