from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedQualityRpcCase


@tagged("post_install", "-at_install")
class TestStockPaths(MedQualityRpcCase):
    """Every way stock moves in a plant either respects the release gate or is refused."""

    def released_lot(self, name, qty=10):
        _receipt, lot = self.receive(self.component, name, qty)
        self.record_pass(lot.med_check_ids)
        self.sign(lot, "release")
        self.assertEqual(lot.med_release_state, "released")
        return lot

    def quarantined_lot(self, name, qty=10):
        _receipt, lot = self.receive(self.component, name, qty)
        self.assertEqual(lot.med_release_state, "quarantine")
        return lot

    def assertBlocked(self, picking, *texts):
        with self.assertRaises(UserError) as error:
            picking.button_validate()
        for text in texts:
            self.assertIn(text, str(error.exception))
        self.assertNotEqual(picking.state, "done")

    def return_from_customer(self, delivery, qty):
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=delivery.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = qty
        returned = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        returned.action_confirm()
        returned.move_ids.move_line_ids.quantity = qty
        returned.move_ids.picked = True
        returned.button_validate()
        self.assertEqual(returned.state, "done")
        return returned

    def trail(self, lot):
        return lot.med_release_log_ids.sorted("id").mapped("note")

    def test_inventory_adjustment_puts_the_lot_in_quarantine(self):
        lot = self.env["stock.lot"].create({"name": "POUCH-INV", "product_id": self.component.id})
        quant = (
            self.env["stock.quant"]
            .with_context(inventory_mode=True)
            .create(
                {
                    "product_id": self.component.id,
                    "location_id": self.stock_location.id,
                    "lot_id": lot.id,
                    "inventory_quantity": 7,
                }
            )
        )
        quant.action_apply_inventory()
        self.assertEqual(lot.med_release_state, "quarantine")
        self.assertIn("inventory adjustment", self.trail(lot)[-1])
        self.assertBlocked(self.deliver(lot, 7), "POUCH-INV", "in quarantine")

    def test_lot_outside_release_control_is_blocked(self):
        # stock that reached the location without a move (e.g. by a script): fail closed
        lot = self.env["stock.lot"].create({"name": "POUCH-GHOST", "product_id": self.component.id})
        self.env["stock.quant"]._update_available_quantity(
            self.component, self.stock_location, 4, lot_id=lot
        )
        self.assertFalse(lot.med_release_decision)
        self.assertBlocked(self.deliver(lot, 4), "POUCH-GHOST", "never put under release control")

    def test_customer_return_goes_back_to_quarantine(self):
        lot = self.released_lot("POUCH-RET")
        delivery = self.deliver(lot, 10)
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        self.return_from_customer(delivery, 10)
        self.assertEqual(lot.med_release_state, "quarantine")
        self.assertIn("Returned by the customer", self.trail(lot)[-1])
        self.assertBlocked(self.deliver(lot, 10), "POUCH-RET", "in quarantine")

    def test_customer_return_keeps_the_release_when_the_company_says_so(self):
        self.env.company.med_quarantine_customer_returns = False
        lot = self.released_lot("POUCH-RET2")
        delivery = self.deliver(lot, 10)
        delivery.button_validate()
        self.return_from_customer(delivery, 10)
        self.assertEqual(lot.med_release_state, "released")

    def test_delivery_with_backorder_is_refused_for_a_quarantined_lot(self):
        lot = self.quarantined_lot("POUCH-BO")
        delivery = self.deliver(lot, 4)
        delivery.move_ids.product_uom_qty = 10  # 4 of 10 now, the rest as a backorder
        self.assertBlocked(delivery, "POUCH-BO", "cannot be delivered")

    def test_scrap_and_internal_moves_stay_possible_the_delivery_does_not(self):
        lot = self.quarantined_lot("POUCH-INT")
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": self.component.id,
                "lot_id": lot.id,
                "scrap_qty": 2,
                "location_id": self.stock_location.id,
            }
        )
        scrap.action_validate()
        self.assertEqual(scrap.state, "done", "a quarantined lot may be destroyed")
        output = self.warehouse.wh_output_stock_loc_id
        internal = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.int_type_id.id,
                "location_id": self.stock_location.id,
                "location_dest_id": output.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.component.id,
                            "product_uom_qty": 8,
                            "location_id": self.stock_location.id,
                            "location_dest_id": output.id,
                        }
                    )
                ],
            }
        )
        internal.action_confirm()
        internal.action_assign()
        internal.move_ids.move_line_ids.write({"lot_id": lot.id, "quantity": 8})
        internal.move_ids.picked = True
        internal.button_validate()
        self.assertEqual(internal.state, "done")
        self.assertEqual(lot.med_release_state, "quarantine", "moving inside stays in quarantine")
        delivery = self.deliver(lot, 8)
        delivery.move_ids.move_line_ids.location_id = output
        self.assertBlocked(delivery, "POUCH-INT", "cannot be delivered")

    def test_consuming_a_substituted_unreleased_lot_is_refused(self):
        self.released_lot("POUCH-OK")
        blocked = self.quarantined_lot("POUCH-SUB")
        production = self.produce(2, "KIT-SUB")
        component_lines = production.move_raw_ids.move_line_ids
        component_lines.write({"lot_id": blocked.id})
        with self.assertRaises(UserError) as error:
            production.button_mark_done()
        self.assertIn("POUCH-SUB", str(error.exception))
        self.assertIn("cannot be consumed", str(error.exception))
        self.assertNotEqual(production.state, "done")

    def test_changing_the_lot_of_a_done_delivery_is_refused_over_rpc(self):
        released = self.released_lot("POUCH-SHIPPED")
        quarantined = self.quarantined_lot("POUCH-HELD")
        delivery = self.deliver(released, 10)
        delivery.button_validate()
        line = delivery.move_line_ids
        refusal = self.assertRefused(
            "Done stock moves of lots under release control cannot be changed",
            self.stock_user,
            "stock.move.line",
            "write",
            line.ids,
            {"lot_id": quarantined.id},
        )
        self.assertIn("POUCH-SHIPPED", refusal)
        self.env.invalidate_all()
        self.assertEqual(line.lot_id, released)
        self.assertEqual(self.quantity(self.component, quarantined), 10)
        self.assertEqual(quarantined.med_release_state, "quarantine")

    def test_unbuild_of_a_quarantined_kit_returns_components_with_their_decision(self):
        pouch = self.released_lot("POUCH-UB")
        production = self.produce(2, "KIT-UB")
        production.button_mark_done()
        kit = production.lot_producing_ids
        self.assertEqual(kit.med_release_state, "quarantine")
        # taking a blocked kit apart is allowed (disposal), like scrapping it
        unbuild = self.env["mrp.unbuild"].create(
            {
                "product_id": self.device.id,
                "bom_id": self.bom.id,
                "product_qty": 2,
                "lot_id": kit.id,
                "mo_id": production.id,
            }
        )
        unbuild.action_unbuild()
        self.assertEqual(unbuild.state, "done")
        self.assertEqual(self.quantity(self.component, pouch), 10, "the pouches came back")
        self.assertEqual(pouch.med_release_state, "released", "they keep their signed release")

    def test_immediate_transfer_by_a_stock_user_is_refused_for_a_quarantined_lot(self):
        lot = self.quarantined_lot("POUCH-IMM")
        delivery = self.deliver(lot, 10)
        delivery.move_ids.picked = False  # validate without picking: Odoo picks everything
        with self.assertRaises(UserError) as error:
            delivery.with_user(self.stock_user).button_validate()
        self.assertIn("POUCH-IMM", str(error.exception))
        self.assertIn("cannot be delivered", str(error.exception))
        self.assertNotEqual(delivery.state, "done")
        self.assertEqual(self.quantity(self.component, lot), 10)

    def test_receipt_by_another_operation_type_puts_the_lot_in_quarantine(self):
        # goods from a supplier booked with an internal operation type, not a receipt
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.int_type_id.id,
                "location_id": self.supplier_location.id,
                "location_dest_id": self.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.component.id,
                            "product_uom_qty": 6,
                            "location_id": self.supplier_location.id,
                            "location_dest_id": self.stock_location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        lot = self.env["stock.lot"].create(
            {"name": "POUCH-INTYPE", "product_id": self.component.id}
        )
        picking.move_ids.move_line_ids.write({"lot_id": lot.id, "quantity": 6})
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(lot.med_release_state, "quarantine")
        self.assertIn(picking.name, self.trail(lot)[-1])

    def test_quarantined_lot_can_go_back_to_the_vendor(self):
        receipt, lot = self.receive(self.component, "POUCH-BACK", 10)
        self.assertEqual(lot.med_release_state, "quarantine")
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=receipt.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = 10
        returned = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        returned.action_confirm()
        returned.move_ids.move_line_ids.write({"lot_id": lot.id, "quantity": 10})
        returned.move_ids.picked = True
        returned.button_validate()
        self.assertEqual(returned.state, "done", "blocked stock may be sent back")
        self.assertEqual(self.quantity(self.component, lot), 0)
        self.assertEqual(lot.med_release_state, "quarantine")
