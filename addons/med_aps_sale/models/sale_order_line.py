from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..services.promise import PromiseDate


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    aps_promise_date = fields.Datetime(
        "APS Promise Date",
        copy=False,
        readonly=True,
        help="The earliest date the quantity can be delivered: the current plan kept, the "
        "line planned with its bill of materials, routing and components. It becomes the "
        "order's delivery commitment when the order is confirmed.",
    )
    aps_promise_reason = fields.Char(
        "Why Not Earlier", copy=False, readonly=True, help="What the promise date waits for."
    )

    def action_aps_promise_date(self):
        """Compute the APS promise date of these lines (each planned on its own)."""
        self._aps_check_promise_rights()
        for line in self:
            result = line._aps_promise()
            line.write({"aps_promise_date": result["date"], "aps_promise_reason": result["reason"]})
        return True

    def _aps_check_promise_rights(self):
        user = self.env.user
        if self.env.su or user.has_group("sales_team.group_sale_salesman"):
            return
        if user.has_group("med_aps.group_aps_user"):
            return
        raise AccessError(
            self.env._(
                "Only salespeople and APS users can ask for a promise date (user %s is neither).",
                user.name,
            )
        )

    def _aps_promise(self):
        """The promise of this line: see ``PromiseDate.compute``."""
        self.ensure_one()
        if self.display_type or not self.product_id:
            raise UserError(self.env._("A promise date needs a product line."))
        if self.product_uom_qty <= 0:
            raise UserError(
                self.env._(
                    "Line %(line)s of %(order)s: the quantity must be positive.",
                    line=self.product_id.display_name,
                    order=self.order_id.name,
                )
            )
        quantity = self.product_uom_id._compute_quantity(
            self.product_uom_qty, self.product_id.uom_id
        )
        return self._aps_promise_for(
            self.product_id,
            quantity,
            self.order_id.company_id,
            self.env._("Promise %(order)s/%(line)s", order=self.order_id.name, line=self.id),
        )

    @api.model
    def _aps_promise_for(self, product, quantity, company, name):
        # read-only planning of the whole plant: as superuser in the line's company, the
        # answer (a date and a reason) is all the caller gets
        env = self.env(su=True, context=dict(self.env.context, allowed_company_ids=company.ids))
        return PromiseDate(env, env["res.company"].browse(company.id)).compute(
            product.with_env(env), quantity, name
        )

    # ------------------------------------------------------------------
    # API (XML-RPC execute_kw and JSON-2 /json/2/sale.order.line/api_promise_date)
    # ------------------------------------------------------------------
    @api.model
    def api_promise_date(self, line_id=None, product_id=None, quantity=None, company_id=None):
        """The earliest delivery date of a sale order line, or of a quantity of a product
        (a quotation not yet entered).

        :param int line_id: a sale order line; its promise date is stored on it
        :param int product_id: with ``quantity`` (in the product's unit), instead of a line
        :param float quantity: the quantity of ``product_id``
        :param int company_id: the company that makes it (default: the user's current one)
        :returns: ``{"date": "YYYY-MM-DD HH:MM:SS" (UTC), "reason": text, "kind":
            "material" | "bottleneck" | "lead_time", "workcenter": name or False,
            "components": [names], "seconds": float}``
        """
        self._aps_check_promise_rights()
        if line_id is not None:
            if product_id is not None or quantity is not None:
                raise UserError(
                    self.env._("Give either line_id, or product_id and quantity; not both.")
                )
            line = self._aps_visible(self._name, line_id)
            result = line._aps_promise()
            line.write({"aps_promise_date": result["date"], "aps_promise_reason": result["reason"]})
        else:
            if product_id is None or quantity is None:
                raise UserError(self.env._("Give line_id, or product_id and quantity."))
            if isinstance(quantity, bool) or not isinstance(quantity, (int, float)):
                raise UserError(self.env._("quantity must be a number, not %s.", quantity))
            if quantity <= 0:
                raise UserError(self.env._("quantity must be positive, not %s.", quantity))
            product = self._aps_visible("product.product", product_id)
            company = self.env.company
            if company_id is not None:
                company = self._aps_visible("res.company", company_id)
                if company not in self.env.user.company_ids:
                    raise UserError(
                        self.env._("Company %s is not one of your allowed companies.", company_id)
                    )
            result = self._aps_promise_for(
                product,
                float(quantity),
                company,
                self.env._("Promise %(product)s", product=product.display_name),
            )
        return {
            "date": fields.Datetime.to_string(result["date"]),
            "reason": result["reason"],
            "kind": result["kind"],
            "workcenter": result["workcenter"] or False,
            "components": result["components"],
            "seconds": round(result["seconds"], 3),
        }

    @api.model
    def _aps_visible(self, model, record_id):
        """The record of ``model`` with id ``record_id`` the user can read, else an error
        (a record of another company gets the same answer as one that does not exist)."""
        if isinstance(record_id, bool) or not isinstance(record_id, int):
            raise UserError(self.env._("Record ids must be whole numbers: %s.", record_id))
        record = (
            self.env[model]
            .with_context(allowed_company_ids=self.env.user.company_ids.ids)
            .search([("id", "=", record_id)])
        )
        if not record:
            raise UserError(
                self.env._("%(model)s: no record with id %(id)s.", model=model, id=record_id)
            )
        return record
