from odoo import api, fields, models
from odoo.exceptions import ValidationError


class MedApsScenarioLine(models.Model):
    _name = "med.aps.scenario.line"
    _description = "APS Scenario Change"
    _order = "scenario_id, sequence, id"
    _check_company_auto = True

    scenario_id = fields.Many2one("med.aps.scenario", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="scenario_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [
            ("new_order", "Hypothetical Order"),
            ("closure", "Work Center Closed"),
            ("capacity", "Extra Capacity"),
            ("order_change", "Order Deadline or Priority"),
        ],
        "Change",
        required=True,
        default="new_order",
    )
    product_id = fields.Many2one(
        "product.product",
        check_company=True,
        help="The product of a hypothetical order (e.g. a rush tender); planned with its bill "
        "of materials and routing, never created as a real order.",
    )
    bom_id = fields.Many2one(
        "mrp.bom",
        "Bill of Materials",
        check_company=True,
        domain="[('product_tmpl_id.product_variant_ids', 'in', product_id)]",
        help="Leave empty to use the bill of materials Odoo would choose.",
    )
    product_qty = fields.Float("Quantity", default=1.0, digits="Product Unit")
    production_id = fields.Many2one(
        "mrp.production",
        "Manufacturing Order",
        check_company=True,
        domain="[('state', 'in', ('confirmed', 'progress', 'to_close'))]",
    )
    date_deadline = fields.Datetime("Deadline")
    priority = fields.Selection([("0", "Normal"), ("1", "Urgent")])
    workcenter_id = fields.Many2one("mrp.workcenter", "Work Center", check_company=True)
    date_from = fields.Datetime("From")
    date_to = fields.Datetime("To")

    @api.constrains(
        "kind",
        "product_id",
        "product_qty",
        "production_id",
        "workcenter_id",
        "date_from",
        "date_to",
        "date_deadline",
        "priority",
    )
    def _check_change(self):
        for line in self:
            problem = line._change_problem()
            if problem:
                raise ValidationError(
                    self.env._(
                        "Scenario %(scenario)s: %(problem)s",
                        scenario=line.scenario_id.name,
                        problem=problem,
                    )
                )

    def _change_problem(self):
        """What is missing or wrong in this change, or None."""
        self.ensure_one()
        env = self.env
        if self.kind == "new_order":
            if not self.product_id:
                return env._("a hypothetical order needs a product.")
            if self.product_qty <= 0:
                return env._(
                    "the quantity of the hypothetical order of %s must be positive.",
                    self.product_id.display_name,
                )
        elif self.kind in ("closure", "capacity"):
            if not (self.workcenter_id and self.date_from and self.date_to):
                return env._("a closure or extra capacity needs a work center and a period.")
            if self.date_from >= self.date_to:
                return env._(
                    "the period of work center %s ends before it starts.", self.workcenter_id.name
                )
        elif self.kind == "order_change":
            if not self.production_id:
                return env._("a deadline or priority change needs a manufacturing order.")
            if not (self.date_deadline or self.priority):
                return env._(
                    "the change of %s sets neither a deadline nor a priority.",
                    self.production_id.name,
                )
        return None

    def _aps_demand_vals(self):
        """The hypothetical order of this change, for the scenario's problem builder."""
        self.ensure_one()
        return {
            "name": self.env._(
                "Scenario %(scenario)s/%(line)s", scenario=self.scenario_id.name, line=self.id
            ),
            "product": self.product_id,
            "quantity": self.product_qty,
            "bom": self.bom_id,
            "deadline": self.date_deadline,
            "priority": self.priority or "0",
        }
