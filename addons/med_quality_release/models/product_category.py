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
