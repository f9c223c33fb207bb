from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_aps_promise_dates(self):
        """Compute the APS promise date of every product line of the orders."""
        lines = self.order_line.filtered(lambda line: not line.display_type and line.product_id)
        return lines.action_aps_promise_date()

    def action_confirm(self):
        """The APS promise dates become the delivery commitment; the manufacturing orders
        procurement creates for the order (make-to-order) are planned by a queued run."""
        for order in self:
            promised = [d for d in order.order_line.mapped("aps_promise_date") if d]
            if promised:
                order.commitment_date = max(promised)
        result = super().action_confirm()
        self._aps_plan_new_productions()
        return result

    def _aps_plan_new_productions(self):
        """Queue one plan run per company for the orders' new manufacturing orders."""
        Run = self.env["med.aps.run"].sudo()
        for company in self.company_id:
            productions = self.filtered(lambda o, c=company: o.company_id == c).sudo()
            productions = productions.mrp_production_ids.filtered(
                lambda p: p.state == "confirmed" and p.workorder_ids
            )
            if not productions:
                continue
            run = Run.with_company(company).create(
                {
                    "trigger": "sale",
                    "company_id": company.id,
                    "production_ids": [fields.Command.set(productions.ids)],
                }
            )
            run._job_trigger()
