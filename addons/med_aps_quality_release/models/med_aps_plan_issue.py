from odoo import fields, models

from odoo.addons.med_quality_release.models.med_lot_release_log import RELEASE_STATES


class MedApsPlanIssue(models.Model):
    _inherit = "med.aps.plan.issue"

    kind = fields.Selection(
        selection_add=[("held_lot", "Consumes a held lot")], ondelete={"held_lot": "cascade"}
    )
    lot_id = fields.Many2one("stock.lot", "Lot/Serial Number", readonly=True)
    lot_release_state = fields.Selection(
        RELEASE_STATES, "Lot Status", readonly=True, help="The lot's status when checked."
    )

    def _aps_describe(self):
        if self.kind != "held_lot":
            return super()._aps_describe()
        values = {
            "consumer": self.workorder_id.display_name or self.production_id.name or "",
            "lot": self.lot_id.name or "",
            "product": self.lot_id.product_id.display_name or "",
        }
        if self.lot_release_state == "quarantine":
            return self.env._(
                "%(consumer)s is planned to consume lot %(lot)s of %(product)s, which is in "
                "quarantine: it must be released before it is consumed.",
                **values,
            )
        if self.lot_release_state == "rejected":
            return self.env._(
                "%(consumer)s is planned to consume lot %(lot)s of %(product)s, which is rejected.",
                **values,
            )
        return self.env._(
            "%(consumer)s is planned to consume lot %(lot)s of %(product)s, which is on hold.",
            **values,
        )
