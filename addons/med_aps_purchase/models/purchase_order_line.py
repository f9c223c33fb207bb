from odoo import api, fields, models

from odoo.addons.med_aps.models.stock_move import SUPPLY_TIMINGS

# the most urgent exception of a line's receipts wins
TIMING_ORDER = ("advance", "postpone", "reduce", "cancel", "ok")


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    aps_date_needed = fields.Datetime(
        "First Needed by the Plan",
        compute="_compute_aps_timing",
        store=True,
        help="When the latest plan first needs what this line receives.",
    )
    aps_timing = fields.Selection(
        SUPPLY_TIMINGS,
        string="Plan Exception",
        compute="_compute_aps_timing",
        store=True,
        index="btree_not_null",
    )
    aps_timing_message = fields.Char("Plan Message", compute="_compute_aps_timing_message")
    aps_production_ids = fields.Many2many(
        "mrp.production",
        string="Needed by Orders",
        compute="_compute_aps_production_ids",
        help="Manufacturing orders whose planned components this line covers.",
    )

    @api.depends("move_ids.aps_timing", "move_ids.aps_date_needed")
    def _compute_aps_timing(self):
        for line in self:
            moves = line.move_ids.filtered("aps_timing")
            needed = [d for d in moves.mapped("aps_date_needed") if d]
            line.aps_date_needed = min(needed) if needed else False
            timings = set(moves.mapped("aps_timing"))
            line.aps_timing = next((t for t in TIMING_ORDER if t in timings), False)

    @api.depends("aps_timing", "move_ids.aps_timing_message")
    def _compute_aps_timing_message(self):
        for line in self:
            move = line.move_ids.filtered(lambda m, line=line: m.aps_timing == line.aps_timing)[:1]
            line.aps_timing_message = move.aps_timing_message if line.aps_timing else False

    def _compute_aps_production_ids(self):
        # a buyer sees which orders need the line without reading the plan's pegs
        pegs = self.env["med.aps.peg"].sudo().search([("purchase_line_id", "in", self.ids)])
        for line in self:
            line.aps_production_ids = pegs.filtered(
                lambda p, line=line: p.purchase_line_id == line
            ).production_id.sudo(False)
