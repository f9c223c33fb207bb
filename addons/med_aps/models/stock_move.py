from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import format_date, format_datetime

from ..services.pegging import receipt_domain

# a receipt arriving more than this before the plan first needs it should be postponed
POSTPONE_SLACK = timedelta(days=1)
SUPPLY_TIMINGS = [
    ("ok", "On Time"),
    ("advance", "Advance"),
    ("postpone", "Postpone"),
    ("reduce", "Reduce"),
    ("cancel", "Cancel"),
]


class StockMove(models.Model):
    _inherit = "stock.move"

    # what the last plan says of a planned receipt (written by the run)
    aps_date_needed = fields.Datetime(
        "First Needed by the Plan",
        copy=False,
        readonly=True,
        help="When the plan first needs this receipt (planned start of the work order).",
    )
    aps_qty_needed = fields.Float(
        "Needed by the Plan", digits="Product Unit", copy=False, readonly=True
    )
    aps_timing = fields.Selection(
        SUPPLY_TIMINGS, "Plan Exception", copy=False, readonly=True, index="btree_not_null"
    )
    aps_timing_date = fields.Datetime("Move To", copy=False, readonly=True)
    aps_timing_production_id = fields.Many2one(
        "mrp.production", "Delayed Order", copy=False, readonly=True
    )
    aps_timing_delay_hours = fields.Float("Delays the Order (h)", copy=False, readonly=True)
    aps_timing_message = fields.Char("Plan Message", compute="_compute_aps_timing_message")

    @api.depends(
        "aps_timing",
        "aps_timing_date",
        "aps_timing_production_id",
        "aps_timing_delay_hours",
        "aps_qty_needed",
        "date",
    )
    def _compute_aps_timing_message(self):
        for move in self:
            move.aps_timing_message = move._aps_timing_text()

    def _aps_timing_text(self):
        """The exception of a planned receipt in words a buyer reads (the reader's language
        and time zone)."""
        self.ensure_one()
        env = self.env
        timing = self.aps_timing
        if timing == "advance":
            # a buyer reads which order it delays without reading manufacturing orders
            production = self.aps_timing_production_id.sudo()
            return env._(
                "Advance to %(date)s: it delays %(order)s by %(delay)s.",
                date=format_datetime(env, self.aps_timing_date, dt_format="short"),
                order=production.name,
                delay=production._aps_format_duration(self.aps_timing_delay_hours),
            )
        if timing == "postpone":
            days = (self.aps_timing_date - self.date).total_seconds() / 86400.0
            return env._(
                "Postpone to %(date)s: not needed before, it would sit %(days)s days.",
                date=format_date(env, self.aps_timing_date),
                days=f"{days:.0f}",
            )
        if timing == "reduce":
            return env._(
                "Reduce to %(qty)s %(uom)s: the plan needs no more in its horizon.",
                qty=f"{self.aps_qty_needed:g}",
                uom=self.product_id.uom_id.name,
            )
        if timing == "cancel":
            return env._("Cancel: no demand for it in the plan's horizon.")
        return False

    @api.model
    def _aps_update_supply_timing(self, company, pegs, origin):
        """Write the exception of every planned receipt of a component the plan consumes,
        from the pegs of the run: advance (it delays an order), postpone (it would sit in
        stock), reduce or cancel (no demand for it in the horizon)."""
        previous = self.search([("company_id", "=", company.id), ("aps_timing", "!=", False)])
        receipts = self.search(receipt_domain(company, pegs.product_id)) if pegs else self.browse()
        (previous - receipts).write(self._aps_timing_reset_vals())
        by_supply = defaultdict(list)
        for peg in pegs.filtered(lambda p: p.supply_kind == "receipt"):
            by_supply[peg.supply_move_id.id].append(peg)
        for receipt in receipts:
            receipt.write(receipt._aps_timing_vals(by_supply.get(receipt.id, []), origin))

    @api.model
    def _aps_timing_reset_vals(self):
        return {
            "aps_date_needed": False,
            "aps_qty_needed": 0.0,
            "aps_timing": False,
            "aps_timing_date": False,
            "aps_timing_production_id": False,
            "aps_timing_delay_hours": 0.0,
        }

    def _aps_timing_vals(self, pegs, origin):
        """The plan's exception of this receipt from the pegs it covers."""
        self.ensure_one()
        vals = self._aps_timing_reset_vals()
        if not pegs:
            vals["aps_timing"] = "cancel"
            return vals
        needed = sum(peg.quantity for peg in pegs)
        first_need = min(peg.date_needed for peg in pegs)
        vals.update(aps_date_needed=first_need, aps_qty_needed=needed, aps_timing="ok")
        delaying = [peg for peg in pegs if peg.delay_hours > 0]
        if delaying:
            worst = max(delaying, key=lambda peg: (peg.delay_hours, -peg.production_id.id))
            vals.update(
                aps_timing="advance",
                aps_timing_date=max(origin, min(peg.date_wanted for peg in delaying)),
                aps_timing_production_id=worst.production_id.id,
                aps_timing_delay_hours=worst.delay_hours,
            )
        elif first_need - self.date > POSTPONE_SLACK:
            vals.update(aps_timing="postpone", aps_timing_date=first_need)
        elif (
            self.product_uom.compare(self.product_uom_qty, self._aps_needed_in_move_uom(needed)) > 0
        ):
            vals["aps_timing"] = "reduce"
        return vals

    def _aps_needed_in_move_uom(self, quantity):
        self.ensure_one()
        return self.product_id.uom_id._compute_quantity(quantity, self.product_uom)
