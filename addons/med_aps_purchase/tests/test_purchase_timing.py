from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.med_aps.tests.common import MedApsCommon


@tagged("post_install", "-at_install")
class TestPurchaseTiming(MedApsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock = cls.warehouse.lot_stock_id
        cls.now = fields.Datetime.now().replace(second=0, microsecond=0)
        # no resin on hand: what the orders need comes from purchases
        cls.env["stock.quant"]._update_available_quantity(cls.resin, cls.stock, -100)
        cls.vendor = cls.env["res.partner"].create({"name": "Polymer Supplies"})
        cls.env["product.supplierinfo"].create(
            {
                "partner_id": cls.vendor.id,
                "product_tmpl_id": cls.resin.product_tmpl_id.id,
                "delay": 7,
                "price": 12.0,
            }
        )
        cls.buyer = cls.env["res.users"].create(
            {
                "name": "Buyer",
                "login": "aps_buyer_test",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "group_ids": [
                    Command.set(
                        [
                            cls.env.ref("purchase.group_purchase_user").id,
                            cls.env.ref("base.group_user").id,
                        ]
                    )
                ],
            }
        )

    def _purchase(self, qty, date_planned):
        order = self.env["purchase.order"].create(
            {
                "partner_id": self.vendor.id,
                "company_id": self.company.id,
                "picking_type_id": self.warehouse.in_type_id.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.resin.id,
                            "product_qty": qty,
                            "price_unit": 12.0,
                            "date_planned": date_planned,
                        }
                    )
                ],
            }
        )
        order.button_confirm()
        return order.order_line

    def test_late_purchase_line_is_to_advance_naming_the_order(self):
        line = self._purchase(1, self.now + timedelta(days=4))
        production = self._create_mo(self.catheter_a, self.bom_a, deadline_days=1)
        run = self._run(production)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.assertTrue(production.aps_is_late)
        peg = self.env["med.aps.peg"].search(
            [("production_id", "=", production.id), ("product_id", "=", self.resin.id)]
        )
        self.assertEqual(peg.purchase_line_id, line)
        self.assertEqual(line.aps_timing, "advance")
        self.assertEqual(line.aps_date_needed, peg.date_needed)
        self.assertEqual(line.aps_production_ids, production)
        message = line.with_user(self.buyer).aps_timing_message
        self.assertIn("Advance to", message)
        self.assertIn(production.name, message)
        exceptions = self.env["purchase.order.line"].search([("aps_timing", "=", "advance")])
        self.assertIn(line, exceptions)

    def test_early_purchase_line_is_to_postpone(self):
        line = self._purchase(1, self.now + timedelta(hours=1))
        self._shut_down_until(self.now + timedelta(days=5))
        production = self._create_mo(self.catheter_a, self.bom_a, deadline_days=20)
        run = self._run(production)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.assertEqual(line.aps_timing, "postpone")
        self.assertGreater(
            line.aps_date_needed, self.now + timedelta(days=5) - timedelta(minutes=1)
        )
        self.assertIn("Postpone to", line.aps_timing_message)
        self.assertIn("it would sit", line.aps_timing_message)

    def test_shortage_is_proposed_and_ordered_in_one_click(self):
        production = self._create_mo(self.catheter_a, self.bom_a, qty=3, deadline_days=15)
        run = self._run(production)
        self.assertEqual(run.state, "done", run.failure_reason)
        Proposal = self.env["med.aps.purchase.proposal"]
        proposal = Proposal.search([("company_id", "=", self.company.id)])
        self.assertEqual(len(proposal), 1)
        self.assertEqual(proposal.product_id, self.resin)
        self.assertEqual(proposal.quantity, 3)
        self.assertEqual(proposal.partner_id, self.vendor)
        self.assertEqual(proposal.production_ids, production)
        # order by = needed less the vendor's 7 days (and the company's days to purchase)
        lead = 7 + self.company.days_to_purchase
        self.assertEqual(proposal.lead_days, lead)
        self.assertEqual(proposal.date_order_latest, proposal.date_needed - timedelta(days=lead))
        # the plan orders nothing by itself
        self.assertFalse(
            self.env["purchase.order.line"].search(
                [("product_id", "=", self.resin.id), ("company_id", "=", self.company.id)]
            )
        )
        # a planner without purchase rights cannot order
        with self.assertRaises(AccessError):
            proposal.with_user(self.aps_user).action_create_rfq()
        with self.assertRaises(AccessError):
            proposal.with_user(self.buyer).write({"quantity": 100})
        self.assertEqual(proposal.state, "proposed")
        proposal.with_user(self.buyer).action_create_rfq()
        self.assertEqual(proposal.state, "ordered")
        line = proposal.purchase_line_id
        self.assertEqual(line.order_id.partner_id, self.vendor)
        self.assertEqual(line.order_id.state, "draft")
        self.assertEqual(line.product_qty, 3)
        # the next run does not propose what the RFQ already orders
        run2 = self._run(production)
        self.assertEqual(run2.state, "done", run2.failure_reason)
        self.assertFalse(
            Proposal.search([("company_id", "=", self.company.id), ("state", "=", "proposed")])
        )
        self.assertTrue(proposal.exists())
