from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestMedTraceDemoStory(TransactionCase):
    """The demo tells the traceability story on medical devices (``--with-demo``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.resin_lot = cls.env.ref("med_trace.demo_lot_pp_resin", raise_if_not_found=False)

    def setUp(self):
        super().setUp()
        if not self.resin_lot:
            self.skipTest("the med_trace demo data is not installed")

    def test_resin_lot_leads_to_kits_and_two_hospitals(self):
        ref = self.env.ref
        downstream = self.resin_lot._med_trace_lots("downstream")
        for xmlid in (
            "med_trace.demo_lot_syringe_barrel",
            "med_trace.demo_lot_syringe_kit_a",
            "med_trace.demo_lot_syringe_kit_b",
        ):
            self.assertIn(ref(xmlid), downstream)
        # and back: a kit lot goes up to the resin lot through the molded barrels
        upstream = ref("med_trace.demo_lot_syringe_kit_b")._med_trace_lots("upstream")
        self.assertIn(self.resin_lot, upstream)
        self.assertIn(ref("med_trace.demo_lot_syringe_barrel"), upstream)

    def test_recall_from_the_resin_lot_finds_both_hospitals(self):
        hospitals = self.env.ref("med_trace.demo_partner_st_mary") | self.env.ref(
            "med_trace.demo_partner_riverside"
        )
        # the demo's own analysis, left in draft for the user to confirm
        demo_recall = self.env["med.recall"].search(
            [("suspect_lot_ids", "in", self.resin_lot.ids)], limit=1
        )
        self.assertEqual(demo_recall.state, "draft")
        self.assertEqual(demo_recall.line_ids.partner_id, hospitals)
        # a user running the analysis again gets the same hospitals
        wizard = self.env["med.recall.wizard"].create(
            {"lot_ids": [(6, 0, self.resin_lot.ids)], "reason": "Test recall of the demo resin"}
        )
        recall = wizard._med_create_recall()
        self.assertEqual(recall.line_ids.partner_id, hospitals)
        self.assertEqual(recall.customer_count, 2)

    def test_kit_lot_carries_a_udi(self):
        kit = self.env.ref("med_trace.demo_lot_syringe_kit_a")
        self.assertTrue(kit.med_udi.startswith("(01)07612345000428"), kit.med_udi)
        self.assertIn("(10)%s" % kit.name, kit.med_udi)
