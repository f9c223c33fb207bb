from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import format_datetime

from .common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsPlanEvent(MedApsCommon):
    """Shop-floor and stock events recorded from Odoo's own buttons, said in a planner's
    words."""

    def _events(self, kind=None):
        domain = [("company_id", "=", self.company.id)]
        if kind:
            domain.append(("kind", "=", kind))
        return self.env["med.aps.plan.event"].search(domain, order="id")

    def test_work_order_start_pause_finish(self):
        production = self._create_mo(self.catheter_a, self.bom_a)
        molding = production.workorder_ids.sorted("sequence")[0]
        molding.button_start()
        [started] = self._events("workorder_started")
        self.assertEqual(started.workorder_id, molding)
        self.assertEqual(started.workcenter_id, molding.workcenter_id)
        self.assertEqual(started.state, "pending")
        self.assertIn("started on %s" % molding.workcenter_id.name, started.message)
        molding.button_pending()
        self.assertEqual(len(self._events("workorder_paused")), 1)
        # resumed after the pause (Odoo keeps a paused work order in progress)
        self.assertEqual(molding.state, "progress")
        molding.button_start()
        [resumed] = self._events("workorder_resumed")
        self.assertEqual(resumed.workorder_id, molding)
        self.assertIn("resumed on %s" % molding.workcenter_id.name, resumed.message)
        self.assertEqual(len(self._events("workorder_started")), 1)
        # pressing start again while it runs is no event
        molding.button_start()
        self.assertEqual(len(self._events("workorder_resumed")), 1)
        self.assertEqual(len(molding.time_ids), 2)
        # four hours more than expected were logged
        molding.duration = molding.duration_expected + 240
        molding.button_finish()
        [finished] = self._events("workorder_finished")
        self.assertAlmostEqual(finished.hours, 4.0, delta=0.05)
        self.assertIn("ran 4.0 h over", finished.message)

    def test_a_pause_is_one_event(self):
        production = self._create_mo(self.catheter_a, self.bom_a)
        molding = production.workorder_ids.sorted("sequence")[0]
        molding.button_start()
        molding.button_pending()
        # paused already: nothing happens on the shop floor
        molding.button_pending()
        self.assertEqual(molding.state, "progress")
        [paused] = self._events("workorder_paused")
        self.assertEqual(paused.workorder_id, molding)
        # another operator's timer runs: this user's pause stops nothing
        molding.with_user(self.planner).button_start()
        molding.button_pending()
        self.assertEqual(len(self._events("workorder_paused")), 1)
        molding.with_user(self.planner).button_pending()
        self.assertEqual(len(self._events("workorder_paused")), 2)

    def test_mark_as_done_without_a_timer_finishes_as_expected(self):
        """Odoo records the expected duration for a work order done without a timer: its
        event says it finished, not that it finished early."""
        production = self._create_mo(self.catheter_a, self.bom_a)
        molding = production.workorder_ids.sorted("sequence")[0]
        molding.action_mark_as_done()
        self.assertEqual(molding.duration, molding.duration_expected)
        [finished] = self._events("workorder_finished")
        self.assertEqual(finished.hours, 0.0)
        self.assertEqual(finished.message, "%s finished" % molding.display_name)

    def test_order_confirmed_changed_cancelled(self):
        production = self._create_mo(self.catheter_a, self.bom_a, confirm=False)
        self.assertFalse(self._events())
        production.action_confirm()
        [confirmed] = self._events("production_confirmed")
        self.assertEqual(confirmed.production_id, production)
        self.env["change.production.qty"].create(
            {"mo_id": production.id, "product_qty": 3}
        ).change_prod_qty()
        [changed] = self._events("production_quantity")
        self.assertEqual((changed.before, changed.after), ("1", "3"))
        self.assertIn("quantity 1 → 3", changed.message)
        production.action_cancel()
        self.assertEqual(self._events("production_cancelled").production_id, production)

    def test_work_center_blocked_and_unblocked(self):
        loss = self.env["mrp.workcenter.productivity.loss"].search(
            [("loss_type", "=", "availability")], limit=1
        )
        self.env["mrp.workcenter.productivity"].create(
            {
                "workcenter_id": self.wc_assembly.id,
                "loss_id": loss.id,
                "date_start": fields.Datetime.now(),
                "company_id": self.company.id,
            }
        )
        [blocked] = self._events("workcenter_blocked")
        self.assertEqual(blocked.workcenter_id, self.wc_assembly)
        self.assertIn("%s blocked" % self.wc_assembly.name, blocked.message)
        self.wc_assembly.unblock()
        self.assertEqual(len(self._events("workcenter_unblocked")), 1)

    def test_work_center_blocked_for_a_quality_reason(self):
        """Odoo's Block dialog offers every manual loss; a quality one blocks the work center
        too."""
        production = self._create_mo(self.catheter_a, self.bom_a)
        # the time logs of work in progress block nothing
        production.workorder_ids.sorted("sequence")[0].button_start()
        defect = self.env.ref("mrp.block_reason5")
        self.assertEqual((defect.loss_type, defect.manual), ("quality", True))
        self.env["mrp.workcenter.productivity"].create(
            {"workcenter_id": self.wc_assembly.id, "loss_id": defect.id}
        ).button_block()
        self.assertEqual(self.wc_assembly.working_state, "blocked")
        [blocked] = self._events("workcenter_blocked")
        self.assertEqual(blocked.workcenter_id, self.wc_assembly)
        self.wc_assembly.unblock()
        self.assertEqual(len(self._events("workcenter_unblocked")), 1)

    def test_receipt_of_a_component_rescheduled_and_received(self):
        self._create_mo(self.catheter_a, self.bom_a)
        vendor = self.env["res.partner"].create({"name": "Resin Vendor"})
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.in_type_id.id,
                "partner_id": vendor.id,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": self.warehouse.lot_stock_id.id,
                "scheduled_date": fields.Datetime.now() + timedelta(days=1),
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.resin.id,
                            "product_uom_qty": 10,
                            "product_uom": self.resin.uom_id.id,
                            "location_id": self.env.ref("stock.stock_location_suppliers").id,
                            "location_dest_id": self.warehouse.lot_stock_id.id,
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        receipt.scheduled_date = fields.Datetime.now() + timedelta(days=4)
        [moved] = self._events("receipt_rescheduled")
        self.assertEqual(moved.picking_id, receipt)
        self.assertIn("Receipt %s moved from" % receipt.name, moved.message)
        self.assertEqual(moved.date_after, receipt.scheduled_date)
        # worded when read: a planner in Shanghai reads the dates in his time zone
        self.aps_user.tz = "Asia/Shanghai"
        read_in_shanghai = moved.with_user(self.aps_user)
        after = format_datetime(read_in_shanghai.env, receipt.scheduled_date)
        self.assertNotEqual(after, format_datetime(self.env, receipt.scheduled_date))
        self.assertIn(after, read_in_shanghai.message)
        receipt.move_ids.quantity = 10
        receipt.move_ids.picked = True
        receipt.button_validate()
        self.assertEqual(self._events("receipt_done").picking_id, receipt)
        # a receipt of something no open order needs is no plan event
        other = self.env["product.product"].create({"name": "Office chair", "is_storable": True})
        receipt2 = receipt.copy(
            {
                "move_ids": [
                    Command.create(
                        {
                            "product_id": other.id,
                            "product_uom_qty": 1,
                            "product_uom": other.uom_id.id,
                            "location_id": self.env.ref("stock.stock_location_suppliers").id,
                            "location_dest_id": self.warehouse.lot_stock_id.id,
                        }
                    )
                ]
            }
        )
        receipt2.scheduled_date = fields.Datetime.now() + timedelta(days=9)
        self.assertEqual(len(self._events("receipt_rescheduled")), 1)

    def test_repair_off_records_ignored_events(self):
        self.company.aps_repair_enabled = False
        production = self._create_mo(self.catheter_a, self.bom_a)
        production.workorder_ids.sorted("sequence")[0].button_start()
        self.assertEqual(self._events("workorder_started").state, "ignored")

    def test_events_are_read_not_written_by_users(self):
        production = self._create_mo(self.catheter_a, self.bom_a, confirm=False)
        production.action_confirm()
        self.assertEqual(len(self.env["med.aps.plan.event"].with_user(self.aps_user).search([])), 1)
        with self.assertRaises(AccessError):
            self.env["med.aps.plan.event"].with_user(self.planner).create(
                {"kind": "production_confirmed", "company_id": self.company.id}
            )
