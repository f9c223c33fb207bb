from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    aps_setup_family_id = fields.Many2one(
        "med.aps.setup.family",
        "APS Setup Family",
        help="Default setup family of the operations making this product.",
    )
    aps_batch_family_id = fields.Many2one(
        "med.aps.batch.family",
        "APS Batch Family",
        help="Default batch family of the operations making this product.",
    )
