from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestGenealogyTour(HttpCase):
    def test_tour_lot_genealogy(self):
        product = self.env["product.product"].create(
            {"name": "Tour catheter", "is_storable": True, "tracking": "lot"}
        )
        self.env["stock.lot"].create({"name": "TOUR-LOT-1", "product_id": product.id})
        self.start_tour(
            "/odoo/action-stock.action_production_lot_form",
            "med_trace_genealogy_tour",
            login="admin",
        )
