from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

OPEN_RFQ_STATES = ("draft", "sent", "to approve")


class MedApsPurchaseProposal(models.Model):
    """A purchase the plan needs and no supply covers: the buyer turns it into an RFQ."""

    _name = "med.aps.purchase.proposal"
    _description = "APS Purchase Proposal"
    _order = "date_order_latest, id"
    _check_company_auto = True
    _rec_name = "product_id"

    run_id = fields.Many2one("med.aps.run", "Plan Run", readonly=True, ondelete="set null")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    state = fields.Selection(
        [("proposed", "Proposed"), ("ordered", "RFQ Created")],
        default="proposed",
        required=True,
        readonly=True,
        index=True,
    )
    product_id = fields.Many2one("product.product", required=True, readonly=True, index=True)
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    warehouse_id = fields.Many2one("stock.warehouse", required=True, readonly=True)
    quantity = fields.Float(digits="Product Unit", readonly=True)
    date_needed = fields.Datetime(
        "Needed", readonly=True, help="When the plan first needs the missing quantity."
    )
    partner_id = fields.Many2one(
        "res.partner", "Vendor", readonly=True, help="The product's preferred vendor."
    )
    lead_days = fields.Integer(
        "Purchase Lead Time (days)",
        readonly=True,
        help="Vendor lead time plus the company's days to purchase (Odoo's own lead days).",
    )
    date_order_latest = fields.Datetime(
        "Order By",
        readonly=True,
        help="The latest date to order for the goods to arrive when the plan needs them.",
    )
    is_overdue = fields.Boolean(
        "Too Late to Order in Time",
        readonly=True,
        help="The latest order date has passed: the goods will arrive after the plan needs them.",
    )
    production_ids = fields.Many2many(
        "mrp.production", string="Needed by Orders", readonly=True, check_company=True
    )
    purchase_line_id = fields.Many2one(
        "purchase.order.line", "RFQ Line", readonly=True, ondelete="set null"
    )
    purchase_order_id = fields.Many2one(related="purchase_line_id.order_id", string="RFQ")

    # ------------------------------------------------------------------ actions
    def action_create_rfq(self):
        """Buyer's click: order the proposals through the warehouse's Buy route, as the
        replenishment report does (vendor, lead times and grouping into one RFQ per vendor
        are Odoo's). Never called by the plan itself."""
        if not self.env.user.has_group("purchase.group_purchase_user"):
            raise AccessError(self.env._("Only purchase users can create requests for quotation."))
        proposals = self.filtered(lambda p: p.state == "proposed")
        if not proposals:
            raise UserError(self.env._("These proposals were already ordered."))
        for proposal in proposals:
            proposal._create_rfq()
        orders = proposals.purchase_line_id.order_id
        action = self.env["ir.actions.act_window"]._for_xml_id("purchase.purchase_rfq")
        action["domain"] = [("id", "in", orders.ids)]
        if len(orders) == 1:
            action.update(views=[(False, "form")], res_id=orders.id)
        return action

    def _create_rfq(self):
        self.ensure_one()
        warehouse = self.warehouse_id
        buy_route = warehouse.buy_pull_id.route_id or self.env.ref(
            "purchase_stock.route_warehouse0_buy", raise_if_not_found=False
        )
        if not buy_route:
            raise UserError(
                self.env._(
                    "Proposal for %(product)s: warehouse %(warehouse)s has no Buy route.",
                    product=self.product_id.display_name,
                    warehouse=warehouse.name,
                )
            )
        values = self._prepare_procurement_values(buy_route)
        Rule = self.env["stock.rule"].sudo().with_company(self.company_id)
        procurement = Rule.Procurement(
            self.product_id,
            self.quantity,
            self.product_id.uom_id,
            warehouse.lot_stock_id,
            self.product_id.display_name,
            self.env._("APS plan %s", self.run_id.sudo().name or ""),
            self.company_id,
            values,
        )
        before = set(self._open_rfq_lines().ids)
        Rule.with_context(from_orderpoint=True).run([procurement])
        line = self._open_rfq_lines().sorted("id", reverse=True)
        new_lines = line.filtered(lambda pol: pol.id not in before)
        self.sudo().write({"state": "ordered", "purchase_line_id": (new_lines or line)[:1].id})

    def _prepare_procurement_values(self, route):
        """Procurement values of the proposal, as an orderpoint prepares them."""
        dates = self.product_id._get_dates_info(
            self.date_needed, self.warehouse_id.lot_stock_id, route_ids=route
        )
        values = {
            "route_ids": route,
            "date_planned": dates["date_planned"],
            "date_order": max(dates["date_order"], fields.Datetime.now()),
            "date_deadline": self.date_needed,
            "warehouse_id": self.warehouse_id,
        }
        if self.partner_id:
            seller = self.product_id._select_seller(
                partner_id=self.partner_id, quantity=self.quantity, uom_id=self.product_id.uom_id
            )
            if seller:
                values["supplierinfo_id"] = seller
        return values

    def _open_rfq_lines(self):
        self.ensure_one()
        return (
            self.env["purchase.order.line"]
            .sudo()
            .search(
                [
                    ("product_id", "=", self.product_id.id),
                    ("company_id", "=", self.company_id.id),
                    ("state", "in", OPEN_RFQ_STATES),
                ]
            )
        )

    # ------------------------------------------------------------------ business
    @api.model
    def _aps_refresh(self, run, pegs):
        """Replace the open proposals of the run's company by the shortages of its pegs,
        less what open RFQs already order."""
        company = run.company_id
        self.search([("company_id", "=", company.id), ("state", "=", "proposed")]).unlink()
        missing = defaultdict(lambda: self.env["med.aps.peg"])
        for peg in pegs.filtered(lambda p: p.state == "missing"):
            warehouse = peg.move_id.location_id.warehouse_id
            if warehouse:
                missing[(peg.product_id, warehouse)] |= peg
        if not missing:
            return self.browse()
        in_rfq = self._quantities_in_rfq(company, pegs.product_id)
        vals_list = []
        for (product, warehouse), product_pegs in missing.items():
            quantity = sum(product_pegs.mapped("quantity")) - in_rfq.pop(product.id, 0.0)
            if product.uom_id.compare(quantity, 0.0) <= 0:
                continue
            vals_list.append(self._proposal_vals(run, product, warehouse, quantity, product_pegs))
        return self.create(vals_list)

    @api.model
    def _quantities_in_rfq(self, company, products):
        """{product id: quantity} of requests for quotation not confirmed yet (they are no
        supply of the plan until confirmed, but already ordered)."""
        groups = (
            self.env["purchase.order.line"]
            .sudo()
            ._read_group(
                [
                    ("product_id", "in", products.ids),
                    ("company_id", "=", company.id),
                    ("state", "in", OPEN_RFQ_STATES),
                ],
                ["product_id"],
                ["product_qty:sum"],
            )
        )
        return {product.id: quantity for product, quantity in groups}

    @api.model
    def _proposal_vals(self, run, product, warehouse, quantity, pegs):
        date_needed = min(pegs.mapped("date_needed"))
        product = product.with_company(run.company_id)
        seller = (
            product._select_seller(quantity=quantity, uom_id=product.uom_id)
            or (product._prepare_sellers()[:1])
        )
        route = warehouse.buy_pull_id.route_id
        lead_days = 0
        date_order = date_needed
        if route:
            dates = product._get_dates_info(date_needed, warehouse.lot_stock_id, route_ids=route)
            date_order = dates["date_order"]
            lead_days = (date_needed - date_order).days
        return {
            "run_id": run.id,
            "company_id": run.company_id.id,
            "product_id": product.id,
            "warehouse_id": warehouse.id,
            "quantity": quantity,
            "date_needed": date_needed,
            "partner_id": seller.partner_id.id,
            "lead_days": lead_days,
            "date_order_latest": date_order,
            "is_overdue": date_order < fields.Datetime.now(),
            "production_ids": [fields.Command.set(pegs.production_id.ids)],
        }
