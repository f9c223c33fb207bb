import json

from odoo import api, fields, models
from odoo.tools import SQL


class MedRecallLine(models.Model):
    _name = "med.recall.line"
    _description = "Recall Impact Line"
    _order = "recall_id, kind_sequence, level, lot_id, id"

    recall_id = fields.Many2one("med.recall", required=True, ondelete="cascade", index=True)
    kind = fields.Selection(
        [
            ("lot", "Affected Lot"),
            ("lot_group", "Intermediate Lots"),
            ("on_hand", "On Hand"),
            ("delivered", "Delivered"),
            ("open_mo", "Open Manufacturing Order"),
            ("open_transfer", "Open Transfer"),
        ],
        required=True,
    )
    kind_sequence = fields.Integer(compute="_compute_kind_sequence", store=True)
    level = fields.Integer(help="0 for a suspect lot, 1 for a lot made from it, and so on.")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Lot/Serial Number",
        index=True,
        # a lot named by a recall is never deleted under it
        ondelete="restrict",
        help="Empty on a line of intermediate lots: they are listed by its Lots button.",
    )
    lot_count = fields.Integer(
        string="Lots",
        help="Number of intermediate lots of the level and product on a line of intermediate lots.",
    )
    # The intermediate lots of a level and product, as they were when the impact was
    # computed. A list of ids, not a relation: a raw component of thousands of finished
    # lots has tens of thousands of them, and a relation would insert as many rows, each
    # with its foreign-key checks (what made a line per lot slow).
    grouped_lot_ids = fields.Json(string="Intermediate Lot Ids", readonly=True)
    product_id = fields.Many2one("product.product", required=True)
    quantity = fields.Float(digits="Product Unit")
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    location_id = fields.Many2one("stock.location")
    partner_id = fields.Many2one("res.partner", string="Customer")
    picking_id = fields.Many2one("stock.picking", string="Transfer")
    production_id = fields.Many2one("mrp.production", string="Manufacturing Order")
    date = fields.Datetime()
    lot_hold_active = fields.Boolean(related="lot_id.med_hold_active", string="On Hold")
    company_id = fields.Many2one(related="recall_id.company_id", store=True)

    # the order of the kinds in the impact list: the affected lots, level by level,
    # each level's intermediate lots after its lots; then where the lots are
    _KIND_ORDER = {
        "lot": 0,
        "lot_group": 0,
        "on_hand": 1,
        "delivered": 2,
        "open_mo": 3,
        "open_transfer": 4,
    }

    @api.depends("kind")
    def _compute_kind_sequence(self):
        for line in self:
            line.kind_sequence = self._med_kind_sequence(line.kind)

    @api.model
    def _med_kind_sequence(self, kind):
        return self._KIND_ORDER.get(kind, 99)

    _BULK_COLUMNS = {
        "kind": "varchar",
        "level": "int4",
        "lot_id": "int4",
        "product_id": "int4",
        "quantity": "numeric",
        "location_id": "int4",
        "partner_id": "int4",
        "picking_id": "int4",
        "production_id": "int4",
        "date": "timestamp",
        "lot_count": "int4",
        "grouped_lot_ids": "jsonb",
    }

    @api.model
    def _med_bulk_create(self, recall, vals_list):
        """Insert the impact lines ``vals_list`` of ``recall`` in one statement.

        Only for the values :meth:`med.recall._med_impact_lines` makes (the columns of
        ``_BULK_COLUMNS``); the caller checks the access rights and that the recall is
        editable. The stored computed fields are written here.
        """
        if not vals_list:
            return
        names = list(self._BULK_COLUMNS)
        # unset values (False, as the ORM writes them) are NULL; 0 stays 0
        columns = [
            [None if vals.get(name) is False else vals.get(name) for vals in vals_list]
            for name in names
        ]
        lists = names.index("grouped_lot_ids")
        columns[lists] = [None if ids is None else json.dumps(ids) for ids in columns[lists]]
        columns.append([self._med_kind_sequence(vals["kind"]) for vals in vals_list])
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """INSERT INTO med_recall_line (%s, kind_sequence, recall_id, company_id,
                                                create_uid, write_uid, create_date, write_date)
                   SELECT line.*, %s, %s, %s, %s, now() AT TIME ZONE 'UTC',
                          now() AT TIME ZONE 'UTC'
                     FROM unnest(%s) AS line""",
                SQL(", ").join(SQL.identifier(name) for name in names),
                recall.id,
                recall.company_id.id,
                self.env.uid,
                self.env.uid,
                SQL(", ").join(
                    SQL("%s::%s[]", column, SQL(cast))
                    for column, cast in zip(
                        columns, [*self._BULK_COLUMNS.values(), "int4"], strict=True
                    )
                ),
            )
        )
        recall.invalidate_recordset(["line_ids"])

    def action_view_grouped_lots(self):
        """The intermediate lots of this line (those the user may read)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_production_lot_form")
        action.update(
            name=self.env._(
                "%(recall)s: intermediate lots, level %(level)s, %(product)s",
                recall=self.recall_id.name,
                level=self.level,
                product=self.product_id.display_name,
            ),
            domain=[("id", "in", self.grouped_lot_ids or [])],
            context={"create": False},
        )
        return action

    def write(self, vals):
        self.recall_id._med_check_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_draft(self):
        self.recall_id._med_check_editable()

    @api.model_create_multi
    def create(self, vals_list):
        recalls = self.env["med.recall"].browse({vals.get("recall_id") for vals in vals_list})
        recalls._med_check_editable()
        return super().create(vals_list)
