from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import format_datetime

from .common import MedTraceCommon


@tagged("post_install", "-at_install")
class TestHold(MedTraceCommon):
    def _snapshot(self, picking):
        quants = self.env["stock.quant"].search([("product_id", "=", self.fin.id)])
        return (
            sorted(
                (q.location_id.id, q.lot_id.id, q.quantity, q.reserved_quantity) for q in quants
            ),
            picking.state,
            sorted(picking.move_ids.mapped("state")),
            sorted((ml.lot_id.id, ml.quantity) for ml in picking.move_ids.move_line_ids),
        )

    def test_hold_fields_and_reason(self):
        # records created in this transaction are not tracked until the
        # pending tracking is finalized (as at the end of a real request)
        self.env.flush_all()
        self.env.cr.precommit.run()
        holds = self.lot_f1.action_med_hold("Customer complaint CC-12")
        self.assertTrue(self.lot_f1.med_hold_active)
        self.assertEqual(holds.state, "active")
        self.assertEqual(holds.user_id, self.env.user)
        # the reason shows the time as the screens do: in the reader's time zone
        self.env.user.tz = "Asia/Shanghai"
        reasons = self.lot_f1._med_blocking_reasons("deliver")
        self.assertEqual(list(reasons), [self.lot_f1])
        local = format_datetime(self.env, holds.date, tz="Asia/Shanghai")
        self.assertNotEqual(local, format_datetime(self.env, holds.date, tz="UTC"))
        self.assertEqual(
            reasons[self.lot_f1][0],
            f"on hold since {local} by {self.env.user.name}: Customer complaint CC-12",
        )
        self.assertFalse(self.lot_s1._med_blocking_reasons("reserve"))
        with self.assertRaisesRegex(UserError, "already on hold"):
            self.lot_f1.action_med_hold("twice")
        with self.assertRaisesRegex(UserError, "needs a reason"):
            self.lot_s1.action_med_hold("  ")
        self.assertFalse(self.lot_s1.med_hold_active)
        with self.assertRaisesRegex(UserError, "cannot be modified"):
            holds.reason = "changed"
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            holds.unlink()
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = self.env["mail.tracking.value"].search(
            [
                ("field_id.name", "=", "med_hold_active"),
                ("mail_message_id.model", "=", "stock.lot"),
                ("mail_message_id.res_id", "=", self.lot_f1.id),
            ]
        )
        self.assertTrue(tracked, "the hold is tracked in the lot's chatter")

    def test_hold_blocks_reservation_then_release_unblocks(self):
        self.lot_f1.action_med_hold("Sterility deviation DEV-7")
        picking = self._delivery_picking(self.fin, 1)
        picking.action_assign()
        self.assertEqual(picking.move_ids.state, "confirmed", "a held lot is not reserved")
        self.assertFalse(picking.move_ids.move_line_ids)
        self.assertEqual(self._quant_qty(self.lot_f1), 1)
        self.lot_f1.action_med_release_hold("Deviation closed, lot conforms")
        hold = self.lot_f1.med_hold_ids
        self.assertEqual(hold.state, "released")
        self.assertEqual(hold.release_reason, "Deviation closed, lot conforms")
        self.assertEqual(hold.released_by_id, self.env.user)
        self.assertFalse(self.lot_f1.med_hold_active)
        picking.action_assign()
        self.assertEqual(picking.move_ids.state, "assigned")
        self.assertEqual(picking.move_ids.move_line_ids.lot_id, self.lot_f1)
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(self._quant_qty(self.lot_f1), 0)

    def test_hold_blocks_delivery_validation_nothing_moves(self):
        picking = self._delivery_picking(self.fin, 1)
        picking.action_assign()
        self.assertEqual(picking.move_ids.move_line_ids.lot_id, self.lot_f1)
        self.lot_f1.action_med_hold("Field safety notice FSN-3")
        picking.move_ids.picked = True
        before = self._snapshot(picking)
        with self.assertRaises(UserError) as error:
            picking.button_validate()
        message = str(error.exception)
        self.assertIn("F1", message)
        self.assertIn("cannot be delivered", message)
        self.assertIn("Field safety notice FSN-3", message)
        self.assertEqual(self._snapshot(picking), before, "nothing moved")
        # the lower-level safety net refuses too
        with self.assertRaisesRegex(UserError, "Field safety notice FSN-3"):
            picking.move_ids._action_done()
        self.assertEqual(self._snapshot(picking), before)
        self.lot_f1.action_med_release_hold("Investigation closed")
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_hold_blocks_mo_consumption(self):
        production = self.env["mrp.production"].create(
            {"product_id": self.fin.id, "product_qty": 1, "bom_id": self.bom_fin.id}
        )
        production.action_confirm()
        production.action_assign()
        self.assertEqual(production.move_raw_ids.move_line_ids.lot_id, self.lot_s1)
        self.lot_s1.action_med_hold("Bioburden out of limits")
        production.lot_producing_ids = self._create_lot(self.fin, "F2")
        production.qty_producing = 1
        production.set_qty_producing()
        production.move_raw_ids.picked = True
        state = production.state
        with self.assertRaisesRegex(UserError, r"S1 \(.*\) cannot be consumed: on hold since"):
            production.button_mark_done()
        self.assertEqual(production.state, state)
        self.assertEqual(production.move_raw_ids.mapped("state"), ["assigned"])
        self.assertEqual(self._quant_qty(self.lot_s1), 1)
        self.lot_s1.action_med_release_hold("Retest passed")
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        self.assertEqual(self._quant_qty(self.lot_s1), 0)

    def test_release_requires_manager(self):
        self.lot_f1.action_med_hold("Complaint")
        user = self.env["res.users"].create(
            {
                "name": "Trace user",
                "login": "trace_user_hold",
                "group_ids": [(6, 0, [self.env.ref("med_trace.group_trace_user").id])],
            }
        )
        with self.assertRaises(AccessError):
            self.lot_f1.with_user(user).action_med_release_hold("no right")
        self.assertTrue(self.lot_f1.med_hold_active)
        with self.assertRaisesRegex(UserError, "not on hold"):
            self.lot_s1.action_med_release_hold("nothing to release")
