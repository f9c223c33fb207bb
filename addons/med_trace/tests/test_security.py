from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import MedTraceCommon


@tagged("post_install", "-at_install")
class TestSecurity(MedTraceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Sterile Plant B"})
        cls.product_b = cls.env["product.product"].create(
            {"name": "Plant B catheter", "is_storable": True, "tracking": "lot"}
        )
        cls.lot_b = cls.env["stock.lot"].create(
            {"name": "B1", "product_id": cls.product_b.id, "company_id": cls.company_b.id}
        )
        cls.lot_b.action_med_hold("Plant B deviation")
        cls.trace_user = cls.env["res.users"].create(
            {
                "name": "Plant A tracer",
                "login": "plant_a_tracer",
                "company_id": cls.company.id,
                "company_ids": [(6, 0, cls.company.ids)],
                "group_ids": [(6, 0, [cls.env.ref("med_trace.group_trace_user").id])],
            }
        )
        cls.stock_user = cls.env["res.users"].create(
            {
                "name": "Stock clerk",
                "login": "stock_clerk_trace",
                "group_ids": [(6, 0, [cls.env.ref("stock.group_stock_user").id])],
            }
        )

    def test_holds_of_other_company_invisible(self):
        holds = self.env["med.lot.hold"].with_user(self.trace_user).search([])
        self.assertNotIn(self.lot_b.med_hold_ids, holds)
        self.assertEqual(self.lot_b.med_hold_ids.company_id, self.company_b)

    def test_recall_of_other_company_invisible(self):
        recall = (
            self.env["med.recall"]
            .with_company(self.company_b)
            .create({"reason": "Plant B", "suspect_lot_ids": [(6, 0, self.lot_b.ids)]})
        )
        self.assertEqual(recall.company_id, self.company_b)
        visible = self.env["med.recall"].with_user(self.trace_user).search([])
        self.assertNotIn(recall, visible)

    def test_trace_user_can_hold_but_not_release(self):
        lot = self.lot_s1.with_user(self.trace_user)
        lot.action_med_hold("Suspected contamination")
        self.assertTrue(self.lot_s1.med_hold_active)
        with self.assertRaises(AccessError):
            lot.action_med_release_hold("not allowed")
        self.assertTrue(self.lot_s1.med_hold_active)

    def test_stock_user_without_trace_group_cannot_hold(self):
        with self.assertRaises(AccessError):
            self.lot_s1.with_user(self.stock_user).action_med_hold("no right")
        self.assertFalse(self.lot_s1.med_hold_active)
        # but sees why a lot is blocked
        self.lot_s1.action_med_hold("Bioburden")
        reasons = self.lot_s1.with_user(self.stock_user)._med_blocking_reasons("reserve")
        self.assertIn("Bioburden", reasons[self.lot_s1][0])
