from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    med_require_approved_supplier = fields.Boolean(
        string="Approved Supplier Required",
        help="Receipts of the products of this category are accepted only from suppliers "
        "approved (or conditionally approved) for the product on the approved supplier "
        "list; a lot received from any other supplier goes to quarantine with a "
        "nonconformance. A product with an entry on the list is controlled even when its "
        "category is not.",
    )
