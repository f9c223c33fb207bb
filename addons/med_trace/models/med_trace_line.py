from odoo import api, fields, models

KINDS = [
    ("link", "Manufacturing"),
    ("receipt", "Receipt"),
    ("transfer", "Internal Transfer"),
    ("stock", "On Hand"),
    ("delivery", "Delivery"),
]


class MedTraceLine(models.TransientModel):
    _name = "med.trace.line"
    _description = "Lot Genealogy Line"
    _order = "direction desc, level, kind, lot_id, date"
    _transient_max_hours = 4.0

    origin_lot_id = fields.Many2one(
        "stock.lot", string="Traced Lot", required=True, ondelete="cascade", index=True
    )
    direction = fields.Selection(
        [("upstream", "Upstream"), ("downstream", "Downstream")], required=True
    )
    # aggregator=None: group rows of the genealogy list must not add up depths or the
    # quantities of different products and units
    level = fields.Integer(
        string="Depth",
        required=True,
        aggregator=None,
        help="Manufacturing steps between this lot and the traced lot: the upstream depth "
        "counts towards components and suppliers, the downstream depth towards the products "
        "made from it and their customers.",
    )
    kind = fields.Selection(KINDS, required=True)
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number", ondelete="cascade")
    parent_lot_id = fields.Many2one("stock.lot", string="Linked Lot", ondelete="cascade")
    product_id = fields.Many2one("product.product")
    quantity = fields.Float(digits="Product Unit", aggregator=None)
    uom_id = fields.Many2one("uom.uom", string="Unit")
    production_id = fields.Many2one("mrp.production", string="Manufacturing Order")
    unbuild_id = fields.Many2one("mrp.unbuild", string="Unbuild Order")
    picking_id = fields.Many2one("stock.picking", string="Transfer")
    partner_id = fields.Many2one("res.partner")
    location_src_id = fields.Many2one("stock.location", string="From")
    location_id = fields.Many2one("stock.location")
    date = fields.Datetime()
    reference = fields.Char(compute="_compute_reference")
    lot_hold_active = fields.Boolean(related="lot_id.med_hold_active", string="On Hold")
    lot_ref = fields.Char(related="lot_id.ref", string="Vendor/Internal Lot Reference")
    company_id = fields.Many2one(related="origin_lot_id.company_id", store=True)

    @api.depends("production_id", "unbuild_id", "picking_id")
    def _compute_reference(self):
        for line in self:
            line.reference = (
                line.production_id.name or line.unbuild_id.name or line.picking_id.name or False
            )

    @api.model
    def _med_refresh(self, lot):
        """Replace the current user's lines of ``lot`` by a fresh trace, both ways."""
        self.search([("origin_lot_id", "=", lot.id), ("create_uid", "=", self.env.uid)]).unlink()
        vals_list = []
        for direction in ("upstream", "downstream"):
            for row in lot._med_trace_graph(direction):
                vals_list.append(self._med_vals_from_row(lot, direction, row))
        return self.create(vals_list)

    @api.model
    def _med_vals_from_row(self, lot, direction, row):
        return {
            "origin_lot_id": lot.id,
            "direction": direction,
            "level": row["level"],
            "kind": row["kind"],
            "lot_id": row["lot_id"],
            "parent_lot_id": row["parent_lot_id"],
            "product_id": row["product_id"],
            "quantity": row["quantity"],
            "uom_id": row["uom"],
            "production_id": row["production_id"],
            "unbuild_id": row["unbuild_id"],
            "picking_id": row["picking_id"],
            "partner_id": row["partner_id"],
            "location_src_id": row["location_src_id"],
            "location_id": row["location_id"],
            "date": row["date"],
        }

    def _med_graph_rows(self):
        """The lines as the rows ``stock.lot._med_trace_graph`` gave them: ``[(direction,
        row)]`` in the trace's order, for exporting what the user sees without tracing
        again."""
        fields_of_row = (
            "lot_id", "parent_lot_id", "product_id", "production_id", "unbuild_id",
            "picking_id", "partner_id", "location_src_id", "location_id",
        )  # fmt: skip
        graph = []
        for line in self:
            row = {name: line[name].id or False for name in fields_of_row}
            row.update(
                {
                    "level": line.level,
                    "kind": line.kind,
                    "quantity": line.quantity,
                    "uom": line.uom_id.id,
                    "date": line.date or False,
                }
            )
            graph.append((line.direction, row))
        directions = {"upstream": 0, "downstream": 1}
        graph.sort(
            key=lambda item: (
                directions[item[0]],
                item[1]["level"],
                item[1]["kind"] != "link",
                item[1]["lot_id"],
                str(item[1]["date"] or ""),
            )
        )
        return graph

    def action_open_reference(self):
        self.ensure_one()
        record = self.production_id or self.unbuild_id or self.picking_id or self.lot_id
        return record._get_records_action()
