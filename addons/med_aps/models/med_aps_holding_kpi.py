from collections import defaultdict

from odoo import api, fields, models

DAYS_PER_YEAR = 365.0
# how far a finished move is followed to the delivery taking the product
MAX_CHAIN_DEPTH = 5
QTY_EPSILON = 1e-6


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
        "consumption; for finished products from the order's finish to the delivery of the "
        "sale that takes them, or, made to stock (no delivery), to the order's deadline.",
    )
    holding_cost = fields.Monetary(
        readonly=True, help="Value x days held x the company's carrying rate per year / 365."
    )

    @api.model
    def _aps_compute_for_run(self, run, peg_vals, origin, plan_dates):
        """The holding cost rows of a run from its pegs (values of ``med.aps.peg``:
        components) and its orders' finished products (``plan_dates``: the plan's dates,
        ``services.pegging.WrittenPlan`` or ``SimulatedPlan``); sets the run's holding cost.
        """
        rate = (run.company_id.aps_carrying_rate or 0.0) / 100.0 / DAYS_PER_YEAR
        Product = self.env["product.product"]
        rows = defaultdict(lambda: [0.0, 0.0, 0.0])  # quantity, value, value x days
        pegged_from = defaultdict(float)  # production id: quantity pegged to its product
        for peg in peg_vals:
            if peg["supply_kind"] == "production":
                pegged_from[peg["supply_production_id"]] += peg["quantity"]
            if peg["supply_kind"] == "none" or not peg["date_needed"]:
                continue
            start = max(origin, peg.get("date_supply") or origin)
            product = Product.browse(peg["product_id"])
            self._add(rows, ("component", product), peg["quantity"], start, peg["date_needed"])
        for move, quantity, finish, taken in self._finished_holdings(
            run, origin, plan_dates, pegged_from
        ):
            self._add(rows, ("finished", move.product_id), quantity, finish, taken)
        vals_list = []
        for (kind, product), (quantity, value, value_days) in rows.items():
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
    def _finished_holdings(self, run, origin, plan_dates, pegged_from):
        """[(finished move, quantity, planned release, date taken)] of the planned orders'
        finished products, held from the order's release until

        * the delivery chained to it (``move_dest_ids``: make-to-order sales,
          pick-pack-ship), the earliest one;
        * made to stock (nothing chained): the order's deadline, the date it is planned for
          (no deadline: not counted), for the quantity the plan does not peg to the
          components of other orders (that part is held as their component).

        A product chained to another move than a delivery (a sub-assembly made to order) is
        held as a component of the order consuming it."""
        productions = self.env["mrp.production"].search(
            [
                ("company_id", "=", run.company_id.id),
                ("state", "in", ("confirmed", "progress", "to_close")),
            ]
        )
        result = []
        for production in productions:
            # the planned release counts the release lead after the last operation
            planned_release = plan_dates.production_release(production)
            if not planned_release:
                continue
            finish = max(origin, planned_release)
            moves = production.move_finished_ids.filtered(
                lambda m, product=production.product_id: (
                    m.product_id == product and m.state not in ("done", "cancel")
                )
            )
            for move in moves.filtered("move_dest_ids"):
                delivery = _delivery_date(move)
                if delivery:
                    result.append((move, move.product_qty, finish, delivery))
            to_stock = moves.filtered(lambda m: not m.move_dest_ids)
            deadline = plan_dates.production_deadline(production)
            quantity = sum(to_stock.mapped("product_qty")) - pegged_from.get(production.id, 0.0)
            if to_stock and deadline and quantity > QTY_EPSILON:
                result.append((to_stock[0], quantity, finish, deadline))
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
