from collections import defaultdict
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsPegging(MedApsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock = cls.warehouse.lot_stock_id
        cls.supplier_location = cls.env.ref("stock.stock_location_suppliers")
        cls.now = fields.Datetime.now().replace(second=0, microsecond=0)
        # 3 resin on hand instead of 100
        cls.env["stock.quant"]._update_available_quantity(cls.resin, cls.stock, -97)

    def _receipt(self, product, qty, date):
        move = self.env["stock.move"].create(
            {
                "product_id": product.id,
                "product_uom_qty": qty,
                "product_uom": product.uom_id.id,
                "location_id": self.supplier_location.id,
                "location_dest_id": self.stock.id,
                "date": date,
                "company_id": self.company.id,
                "picking_type_id": self.warehouse.in_type_id.id,
            }
        )
        move._action_confirm()
        return move

    @staticmethod
    def _open_after(date):
        """The first minute at or after ``date`` the test plant works (two shifts, Monday to
        Friday, 06:00-22:00 UTC). A receipt that comes while the plant is closed is first
        needed when it opens: after a weekend, more than the day a receipt may wait before the
        plan says to postpone it."""
        while date.weekday() > 4 or not 6 <= date.hour < 22:
            date = date.replace(minute=0) + timedelta(hours=1)
        return date

    def _pegs(self, productions):
        return self.env["med.aps.peg"].search([("production_id", "in", productions.ids)])

    def test_every_requirement_pegged_exactly_once(self):
        # in two days, when the plant works (on a Thursday night, two days are a Saturday)
        receipt = self._receipt(self.resin, 4, self._open_after(self.now + timedelta(days=2)))
        tube_mo = self._create_mo(self.tube, self.bom_tube, qty=2, deadline_days=3)
        productions = tube_mo
        for _i in range(3):
            productions |= self._create_mo(self.catheter_a, self.bom_a, qty=2, deadline_days=6)
        catheter_mo = productions[1]
        tube_move = catheter_mo.move_raw_ids.filtered(lambda m: m.product_id == self.tube)
        tube_move.move_orig_ids = tube_mo.move_finished_ids
        run = self._run(productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        pegs = self._pegs(productions)
        requirements = productions.move_raw_ids
        self.assertEqual(set(pegs.move_id.ids), set(requirements.ids))
        pegged = defaultdict(float)
        for peg in pegs:
            pegged[peg.move_id.id] += peg.quantity
            self.assertEqual(peg.run_id, run)
            self.assertEqual(peg.date_needed, peg.workorder_id.date_start)
        for move in requirements:
            self.assertAlmostEqual(pegged[move.id], move.product_qty, msg=move.reference)
        # 6 resin needed: 3 on hand, 3 of the 4 incoming
        resin = pegs.filtered(lambda p: p.product_id == self.resin)
        self.assertAlmostEqual(
            sum(resin.filtered(lambda p: p.supply_kind == "stock").mapped("quantity")), 3
        )
        from_receipt = resin.filtered(lambda p: p.supply_kind == "receipt")
        self.assertEqual(from_receipt.supply_move_id, receipt)
        self.assertAlmostEqual(sum(from_receipt.mapped("quantity")), 3)
        self.assertEqual(set(from_receipt.mapped("state")), {"waiting"})
        for peg in from_receipt:
            # the plan waits for the receipt: the molding starts after it
            self.assertGreaterEqual(peg.date_needed, receipt.date - timedelta(minutes=1))
        self.assertFalse(resin.filtered(lambda p: p.supply_kind == "none"))
        # the tube of the linked order comes from the order making it
        tube_pegs = pegs.filtered(lambda p: p.move_id == tube_move)
        self.assertEqual(tube_pegs.supply_kind, "production")
        self.assertEqual(tube_pegs.supply_production_id, tube_mo)
        self.assertGreaterEqual(tube_pegs.date_needed, tube_mo.workorder_ids.date_finished)
        # a second run replaces the pegs, it does not add to them
        run2 = self._run(productions)
        self.assertEqual(run2.state, "done", run2.failure_reason)
        self.assertEqual(self._pegs(productions).run_id, run2)
        self.assertEqual(len(self._pegs(productions)), len(pegs))
        # the receipt is needed only for 3 of its 4
        self.assertEqual(receipt.aps_qty_needed, 3)
        self.assertEqual(receipt.aps_timing, "reduce")
        self.assertIn("Reduce to 3", receipt.aps_timing_message)

    def test_shortage_has_no_supply_and_the_vendor_lead_time(self):
        vendor = self.env["res.partner"].create({"name": "Resin Vendor"})
        self.env["product.supplierinfo"].create(
            {"partner_id": vendor.id, "product_tmpl_id": self.resin.product_tmpl_id.id, "delay": 10}
        )
        production = self._create_mo(self.catheter_a, self.bom_a, qty=5, deadline_days=3)
        run = self._run(production)
        self.assertEqual(run.state, "done", run.failure_reason)
        pegs = self._pegs(production).filtered(lambda p: p.product_id == self.resin)
        self.assertEqual(sorted(pegs.mapped("supply_kind")), ["none", "stock"])
        missing = pegs.filtered(lambda p: p.supply_kind == "none")
        self.assertEqual(missing.quantity, 2)
        self.assertEqual(missing.state, "missing")
        self.assertTrue(missing.is_shortage)
        # 10 days of lead time from now, after the date the order wants it
        expected = (run.plan_origin + timedelta(days=10) - missing.date_wanted).total_seconds()
        self.assertAlmostEqual(missing.delay_hours, round(expected / 3600.0, 2), delta=0.02)
        shortages = self.env["med.aps.peg"].search([("is_shortage", "=", True)])
        self.assertIn(missing, shortages)
        self.assertNotIn(pegs - missing, shortages)

    def test_late_receipt_gets_an_advance_message_naming_the_order(self):
        self.env["stock.quant"]._update_available_quantity(self.resin, self.stock, -3)
        receipt = self._receipt(self.resin, 1, self.now + timedelta(days=4))
        production = self._create_mo(self.catheter_a, self.bom_a, deadline_days=1)
        run = self._run(production)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.assertTrue(production.aps_is_late)
        peg = self._pegs(production).filtered(lambda p: p.product_id == self.resin)
        self.assertEqual(peg.supply_move_id, receipt)
        self.assertGreater(peg.delay_hours, 24)
        self.assertEqual(receipt.aps_timing, "advance")
        self.assertEqual(receipt.aps_timing_production_id, production)
        self.assertLess(receipt.aps_timing_date, receipt.date - timedelta(days=2))
        self.assertIn("Advance to", receipt.aps_timing_message)
        self.assertIn(production.name, receipt.aps_timing_message)
        shortage = self.env["med.aps.peg"].search(
            [("is_shortage", "=", True), ("production_id", "=", production.id)]
        )
        self.assertEqual(shortage, peg)

    def test_early_receipt_gets_a_postpone_message(self):
        self.env["stock.quant"]._update_available_quantity(self.resin, self.stock, -3)
        receipt = self._receipt(self.resin, 1, self.now + timedelta(hours=1))
        # every work center is closed for the next five days: the order starts after
        self._shut_down_until(self.now + timedelta(days=5))
        production = self._create_mo(self.catheter_a, self.bom_a, deadline_days=20)
        run = self._run(production)
        self.assertEqual(run.state, "done", run.failure_reason)
        molding = production.workorder_ids.filtered(lambda wo: wo.name == "Molding")
        self.assertGreater(molding.date_start, self.now + timedelta(days=5) - timedelta(minutes=1))
        self.assertEqual(receipt.aps_timing, "postpone")
        self.assertEqual(receipt.aps_date_needed, molding.date_start)
        self.assertEqual(receipt.aps_timing_date, molding.date_start)
        self.assertIn("Postpone to", receipt.aps_timing_message)
        self.assertIn("it would sit", receipt.aps_timing_message)

    def test_receipt_without_demand_gets_a_cancel_message(self):
        production = self._create_mo(self.catheter_a, self.bom_a, deadline_days=5)
        receipt = self._receipt(self.resin, 10, self.now + timedelta(days=1))
        run = self._run(production)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.assertEqual(receipt.aps_timing, "cancel")
        self.assertIn("Cancel", receipt.aps_timing_message)
        self.assertFalse(self._pegs(production).filtered(lambda p: p.supply_move_id == receipt))

    def test_lots_first_expiring_first_and_never_expired(self):
        if "expiration_date" not in self.env["stock.lot"]._fields:
            self.skipTest("lot expiry dates come with product_expiry")
        resin_lot = self.env["product.product"].create(
            {"name": "Medical resin", "is_storable": True, "tracking": "lot"}
        )
        lots = {}
        for name, days in (("LATE", 30), ("SOON", 10), ("GONE", -1)):
            lots[name] = self.env["stock.lot"].create(
                {
                    "name": name,
                    "product_id": resin_lot.id,
                    "company_id": self.company.id,
                    "expiration_date": self.now + timedelta(days=days),
                }
            )
            self.env["stock.quant"]._update_available_quantity(
                resin_lot, self.stock, 2, lot_id=lots[name]
            )
        bom = self._create_catheter_bom(self.catheter_b)
        bom.bom_line_ids.filtered(lambda line: line.product_id == self.resin).product_id = resin_lot
        production = self._create_mo(self.catheter_b, bom, qty=3, deadline_days=5)
        run = self._run(production)
        self.assertEqual(run.state, "done", run.failure_reason)
        pegs = self._pegs(production).filtered(lambda p: p.product_id == resin_lot)
        by_lot = {peg.lot_id.name: peg.quantity for peg in pegs}
        # the lot expiring first is used first; an expired lot covers nothing
        self.assertEqual(by_lot, {"SOON": 2, "LATE": 1})

    def test_pegs_are_read_only_for_planners(self):
        production = self._create_mo(self.catheter_a, self.bom_a, deadline_days=5)
        run = self._run(production)
        peg = self._pegs(production)[:1]
        self.assertTrue(peg)
        for user in (self.aps_user, self.planner):
            self.assertTrue(peg.with_user(user).read(["quantity"]))
            with self.assertRaises(AccessError):
                peg.with_user(user).write({"quantity": 99})
            with self.assertRaises(AccessError):
                peg.with_user(user).unlink()
            with self.assertRaises(AccessError):
                self.env["med.aps.peg"].with_user(user).create(
                    {
                        "run_id": run.id,
                        "company_id": self.company.id,
                        "production_id": production.id,
                        "move_id": peg.move_id.id,
                        "product_id": peg.product_id.id,
                        "supply_kind": "none",
                        "state": "missing",
                    }
                )
        self.assertNotEqual(peg.quantity, 99)
