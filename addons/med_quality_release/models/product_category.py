from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    med_quarantine_on_receipt = fields.Boolean(
        string="Quarantine on Receipt",
        help="Lots of this category received from a supplier enter quarantine and "
        "must be released (signed) before they can be delivered.",
    )
    med_quarantine_on_production = fields.Boolean(
        string="Quarantine on Production",
        help="Lots of this category produced by a manufacturing order enter quarantine "
        "and must be released (signed) before they can be delivered.",
    )
    med_block_consumption = fields.Boolean(
        string="Block Consumption until Released",
        help="A lot of this category that is not released cannot be consumed by a "
        "manufacturing order.",
    )
    med_release_lead_minutes = fields.Integer(
        string="Release Lead Time (minutes)",
        help="Time the quality department needs after the last operation to review the "
        "records and sign the release; the scheduler plans it after the final operation.",
    )

    _med_release_lead_positive = models.Constraint(
        "CHECK (med_release_lead_minutes >= 0)",
        "The release lead time cannot be negative.",
    )

    def _med_is_release_controlled(self):
        """Whether lots of this category are under release control at all (fail closed: a
        lot of such a category with no release decision is blocked). A product may have no
        category: then it is not."""
        if not self:
            return False
        self.ensure_one()
        return self.med_quarantine_on_receipt or self.med_quarantine_on_production

    def _med_quarantines_from(self, source_usage):
        """Whether a lot of this category entering stock from a location of this usage goes
        into quarantine: receipts from suppliers and production output follow their own
        setting; every other way in (inventory adjustment, customer return, unbuild, transit
        from another company) follows either."""
        if not self:
            return False
        if source_usage == "supplier":
            return self.med_quarantine_on_receipt
        if source_usage == "production":
            return self.med_quarantine_on_production
        return self._med_is_release_controlled()
