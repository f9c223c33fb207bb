from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestReleaseTour(HttpCase):
    def test_release_tour(self):
        manager = new_test_user(
            self.env,
            login="qr_tour_manager",
            name="Tour Manager",
            groups="med_quality_release.group_qa_manager,stock.group_stock_manager",
        )
        category = self.env["product.category"].create(
            {"name": "Tour devices", "med_quarantine_on_receipt": True}
        )
        product = self.env["product.product"].create(
            {"name": "Tour device", "is_storable": True, "tracking": "lot", "categ_id": category.id}
        )
        lot = self.env["stock.lot"].create({"name": "TOUR-LOT-1", "product_id": product.id})
        lot._med_enter_quarantine("tour")
        point = self.env["med.quality.point"].create(
            {
                "name": "Tour check",
                "trigger": "receipt",
                "product_ids": [Command.set(product.ids)],
            }
        )
        check = self.env["med.quality.check"]._med_create_checks(
            point, 10, {"lot_id": lot.id, "product_id": product.id}
        )
        check.with_user(manager).action_pass()
        self.assertEqual(lot.med_release_state, "quarantine")

        self.start_tour(
            f"/odoo/action-stock.action_production_lot_form/{lot.id}",
            "med_quality_release_tour",
            login="qr_tour_manager",
        )
        self.assertEqual(lot.med_release_state, "released")
        signature = lot.med_release_signature_id
        self.assertEqual(signature.signer_id, manager)
        self.assertEqual(signature.comment, "Released by the tour")
        self.assertEqual(signature.meaning, "released")
