from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestMedQualityDemoStory(TransactionCase):
    """The demo tells the release story: quarantine, inspection, nonconformance, signed
    release and rejection, and what the gate refuses (``--with-demo``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.good = ref("med_quality_release.demo_lot_silicone_good", raise_if_not_found=False)
        if cls.good:
            cls.bad = ref("med_quality_release.demo_lot_silicone_bad")
            cls.waiting = ref("med_quality_release.demo_lot_silicone_waiting")
            cls.released = ref("med_quality_release.demo_lot_catheter_released")
            cls.rejected = ref("med_quality_release.demo_lot_catheter_rejected")

    def setUp(self):
        super().setUp()
        if not self.good:
            self.skipTest("the med_quality_release demo data is not installed")

    def test_supplier_capa(self):
        capa = self.bad.med_nc_ids.capa_ids
        self.assertEqual(len(capa), 1)
        self.assertEqual((capa.state, capa.cause_category), ("action", "material"))
        self.assertEqual(capa.action_ids.activity_id.user_id, self.env.ref("base.user_admin"))

    def test_admin_decides_releases(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("med_quality_release.group_qa_manager"))

    def test_incoming_inspection(self):
        self.assertEqual(self.good.med_release_state, "released")
        self.assertEqual(self.good.med_check_ids.mapped("state"), ["pass"])
        self.assertFalse(self.good._med_release_signature_problem())
        # the failed lot: its check, the nonconformance closed by signature, rejected
        self.assertEqual(self.bad.med_release_state, "rejected")
        self.assertEqual(self.bad.med_check_ids.mapped("state"), ["fail"])
        nonconformance = self.bad.med_nc_ids
        self.assertEqual(nonconformance.state, "closed")
        self.assertEqual(nonconformance.disposition, "return")
        self.assertTrue(nonconformance.closing_signature_id.hash_valid)
        # the disposition was carried out: the whole lot went back to the supplier
        self.assertEqual(self.bad.product_qty, 0)
        returned = self.env["stock.move.line"].search(
            [
                ("lot_id", "=", self.bad.id),
                ("state", "=", "done"),
                ("location_dest_id.usage", "=", "supplier"),
            ]
        )
        self.assertEqual(sum(returned.mapped("quantity")), 20)
        self.assertEqual(
            returned.picking_id.partner_id,
            self.env.ref("med_quality_release.demo_partner_silicone_vendor"),
        )
        # the third lot still waits for its inspection
        self.assertEqual(self.waiting.med_release_state, "quarantine")
        self.assertIn("Incoming inspection", self.waiting.med_release_blockers)

    def test_released_catheters_with_frozen_dhr_and_coc(self):
        lot = self.released
        self.assertEqual(lot.med_release_state, "released")
        self.assertFalse(lot._med_release_signature_problem())
        self.assertTrue(lot.med_release_signature_id.hash_valid)
        self.assertTrue(lot.med_dhr_frozen)
        self.assertTrue(lot.med_dhr_attachment_id)
        self.assertIn(self.good, lot._med_trace_lots("upstream"))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("med_quality_release.action_report_coc", lot.ids)[0]
            .decode()
        )
        self.assertIn(lot.name, html)
        # 40 of the 100 went to St. Mary's
        delivered = self.env["stock.move.line"].search(
            [("lot_id", "=", lot.id), ("location_dest_id.usage", "=", "customer")]
        )
        self.assertEqual(sum(delivered.mapped("quantity")), 40)
        self.assertEqual(
            delivered.picking_id.partner_id, self.env.ref("med_trace.demo_partner_st_mary")
        )

    def test_finished_lot_waits_in_quarantine_for_its_seal_test(self):
        lot = self.env.ref("med_quality_release.demo_lot_catheter_quarantine")
        self.assertEqual(lot.med_release_state, "quarantine")
        self.assertEqual(lot.med_check_ids.mapped("state"), ["todo"])
        self.assertIn("Seal strength", lot.med_release_blockers)
        lots_to_release = self.env["stock.lot"].search([("med_release_state", "=", "quarantine")])
        self.assertIn(lot, lots_to_release)
        self.assertIn(self.waiting, lots_to_release)

    def test_rejected_catheters_cannot_be_delivered(self):
        lot = self.rejected
        self.assertEqual(lot.med_release_state, "rejected")
        self.assertEqual(lot.med_check_ids.mapped("state"), ["fail"])
        self.assertTrue(lot.med_nc_ids)
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        customers = self.env.ref("stock.stock_location_customers")
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "partner_id": self.env.ref("med_trace.demo_partner_riverside").id,
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": lot.product_id.id,
                            "product_uom_qty": 10,
                            "product_uom": lot.product_id.uom_id.id,
                            "location_id": warehouse.lot_stock_id.id,
                            "location_dest_id": customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        self.env["med.trace.demo"]._med_demo_set_lines(picking.move_ids, {lot.product_id: lot})
        before = lot.product_qty
        with self.assertRaisesRegex(UserError, lot.name):
            picking.button_validate()
        self.assertEqual(lot.product_qty, before)

    def test_order_blocked_by_a_lot_waiting_for_inspection(self):
        production = self.env["mrp.production"].search([("origin", "=", "DEMO-BLOCKED")])
        self.assertEqual(len(production), 1)
        self.assertIn(self.waiting.name, production.message_ids[0].body)
        with self.assertRaisesRegex(UserError, self.waiting.name):
            production.button_mark_done()
        self.assertNotEqual(production.state, "done")
