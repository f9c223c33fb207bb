from odoo import fields, models

IMPACT_KINDS = [
    ("production", "Open Order"),
    ("wip_lot", "Lot in Work in Progress"),
    ("stock", "Component Stock"),
]

EFFECTS = [
    ("switch", "Not started: will use the new version"),
    ("keep", "Started: keeps its version"),
    ("consumes", "Consumes the component"),
    ("in_production", "Lot in production"),
    ("added", "Added in the new version"),
    ("removed", "Removed in the new version"),
    ("quantity", "Quantity changed"),
    ("unchanged", "Unchanged"),
    ("supplied", "Component of the supplier change"),
]


class MedChangeImpactLine(models.Model):
    """One thing a change request touches, read from the database when it was submitted:
    an open manufacturing order and its planned start, a lot in work in progress, the stock
    on hand of an affected component. Written by the request only."""

    _name = "med.change.impact.line"
    _description = "Change Request Impact"
    _order = "change_id, kind, date, id"

    change_id = fields.Many2one(
        "med.change.request", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="change_id.company_id", store=True)
    kind = fields.Selection(IMPACT_KINDS, required=True, readonly=True)
    production_id = fields.Many2one("mrp.production", string="Order", readonly=True)
    production_state = fields.Selection(related="production_id.state", string="Order Status")
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    date = fields.Datetime(string="Planned Start", readonly=True)
    quantity = fields.Float(digits="Product Unit", readonly=True)
    uom_id = fields.Many2one("uom.uom", string="Unit", readonly=True)
    effect = fields.Selection(EFFECTS, readonly=True)
    old_bom_qty = fields.Float(
        string="Current per BoM",
        digits="Product Unit",
        readonly=True,
        help="In the product's unit.",
    )
    new_bom_qty = fields.Float(
        string="New per BoM", digits="Product Unit", readonly=True, help="In the product's unit."
    )
