from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models

DAYS_PER_YEAR = 365.0
# how far a finished move is followed to the delivery taking the product
MAX_CHAIN_DEPTH = 5


class MedApsHoldingKpi(models.Model):
    """What the plan costs in stock held: per run and product, value x days held x the
    company's carrying rate (written by the run)."""

    _name = "med.aps.holding.kpi"
    _description = "APS Holding Cost"
    _order = "run_id desc, holding_cost desc, id"
    _check_company_auto = True
    _rec_name = "product_id"

    run_id = fields.Many2one(
        "med.aps.run", "Plan Run", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Datetime("Planned On", readonly=True)
    product_id = fields.Many2one("product.product", required=True, readonly=True, index=True)
    kind = fields.Selection(
        [("component", "Component"), ("finished", "Finished Product")],
        required=True,
        readonly=True,
    )
    quantity = fields.Float(digits="Product Unit", readonly=True)
    value = fields.Monetary(
        "Stock Value", readonly=True, help="Quantity held times the product's cost."
    )
    days = fields.Float(
        "Days Held",
        readonly=True,
        aggregator="avg",
        help="Value-weighted average days from receipt (or from now, for stock on hand) to "
        "consumption; for finished products from the order's finish to the delivery.",
    )
    holding_cost = fields.Monetary(
        readonly=True, help="Value x days held x the company's carrying rate per year / 365."
    )

    @api.model
    def _aps_compute_for_run(self, run, pegs, origin):
        """The holding cost rows of a run from its pegs (components) and its orders'
        finished products with a delivery chained to them."""
        rate = (run.company_id.aps_carrying_rate or 0.0) / 100.0 / DAYS_PER_YEAR
        rows = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])  # qty, value, value x days, cost
        for peg in pegs:
            if peg.supply_kind == "none" or not peg.date_needed:
                continue
            start = max(origin, peg.date_supply or origin)
            self._add(rows, ("component", peg.product_id), peg.quantity, start, peg.date_needed)
        for move, finish, delivery in self._finished_deliveries(pegs, run, origin):
            self._add(rows, ("finished", move.product_id), move.product_qty, finish, delivery)
        vals_list = []
        for (kind, product), (quantity, value, value_days, _cost) in rows.items():
            vals_list.append(
                {
                    "run_id": run.id,
                    "company_id": run.company_id.id,
                    "date": run.date_finished or fields.Datetime.now(),
                    "product_id": product.id,
                    "kind": kind,
                    "quantity": quantity,
                    "value": value,
                    "days": value_days / value if value else 0.0,
                    "holding_cost": value_days * rate,
                }
            )
        kpis = self.sudo().create(vals_list)
        run.sudo().holding_cost = sum(kpis.mapped("holding_cost"))
        return kpis

    @api.model
    def _add(self, rows, key, quantity, start, end):
        days = max(0.0, (end - start).total_seconds() / 86400.0)
        value = quantity * key[1].standard_price
        row = rows[key]
        row[0] += quantity
        row[1] += value
        row[2] += value * days

    @api.model
    def _finished_deliveries(self, pegs, run, origin):
        """[(finished move, planned release, delivery date)] of the planned orders whose
        product goes to a customer through the moves chained to it (``move_dest_ids``:
        make-to-order sales, pick-pack-ship); products to stock have no delivery date."""
        productions = self.env["mrp.production"].search(
            [
                ("company_id", "=", run.company_id.id),
                ("state", "in", ("confirmed", "progress", "to_close")),
                ("aps_planned_finish", "!=", False),
            ]
        )
        result = []
        for production in productions:
            lead = max(0, int(production._aps_release_lead_minutes() or 0))
            finish = max(origin, production.aps_planned_finish) + timedelta(minutes=lead)
            for move in production.move_finished_ids.filtered(
                lambda m, product=production.product_id: (
                    m.product_id == product and m.state not in ("done", "cancel")
                )
            ):
                delivery = _delivery_date(move)
                if delivery:
                    result.append((move, finish, delivery))
        return result


def _delivery_date(move):
    """The earliest date a customer delivery chained after ``move`` is planned for."""
    current = move.move_dest_ids
    for _depth in range(MAX_CHAIN_DEPTH):
        if not current:
            return None
        outgoing = current.filtered(
            lambda m: m.location_dest_id.usage == "customer" and m.state not in ("done", "cancel")
        )
        if outgoing:
            return min(outgoing.mapped("date"))
        current = current.move_dest_ids
    return None
