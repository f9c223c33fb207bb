from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.med_aps.services.problem_builder import ProblemBuilder

from .common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsMaterial(MedApsCommon):
    def test_multi_level_component_made_by_another_order(self):
        tube_mo = self._create_mo(self.tube, self.bom_tube, qty=10, deadline_days=2)
        catheter_mo = self._create_mo(self.catheter_a, self.bom_a, deadline_days=2)
        tube_move = catheter_mo.move_raw_ids.filtered(lambda m: m.product_id == self.tube)
        # the link procurement makes between a component move and the order producing it
        tube_move.move_orig_ids = tube_mo.move_finished_ids.filtered(
            lambda m: m.product_id == self.tube
        )
        run = self._run(tube_mo | catheter_mo)
        self.assertEqual(run.state, "done", run.failure_reason)
        extrusion = tube_mo.workorder_ids
        assembly = catheter_mo.workorder_ids.filtered(lambda wo: wo.name == "Assembly")
        self.assertEqual(tube_move.workorder_id, assembly)
        # 10 tubes x 45 min: the assembly cannot start before the tubes are made
        self.assertGreaterEqual(assembly.date_start, extrusion.date_finished)
        molding = catheter_mo.workorder_ids.filtered(lambda wo: wo.name == "Molding")
        self.assertLess(molding.date_start, extrusion.date_finished, "molding does not wait")
        _problem, _plan, violations = self._rebuild_and_validate(run)
        self.assertEqual(violations, [])

    def test_component_order_started_out_of_sequence_still_feeds_its_consumer(self):
        # an operator inspects the tubes' first cut before the extrusion ran (no work order
        # dependencies on the bill): the extrusion, planned from now, then ends after the
        # started inspection, and the assembly waits for the whole tube order
        self.bom_tube.operation_ids = [
            Command.create(
                {
                    "name": "Inspect",
                    "workcenter_id": self.wc_assembly.id,
                    "time_cycle_manual": 5,
                    "sequence": 200,
                }
            )
        ]
        tube_mo = self._create_mo(self.tube, self.bom_tube, qty=10, deadline_days=2)
        catheter_mo = self._create_mo(self.catheter_a, self.bom_a, deadline_days=2)
        tube_move = catheter_mo.move_raw_ids.filtered(lambda m: m.product_id == self.tube)
        tube_move.move_orig_ids = tube_mo.move_finished_ids.filtered(
            lambda m: m.product_id == self.tube
        )
        extrusion = tube_mo.workorder_ids.filtered(lambda wo: wo.name == "Extrude")
        inspection = tube_mo.workorder_ids.filtered(lambda wo: wo.name == "Inspect")
        inspection.button_start()
        self.assertEqual((inspection.state, extrusion.state), ("progress", "ready"))
        run = self._run(tube_mo | catheter_mo)
        self.assertEqual(run.state, "done", run.failure_reason)
        assembly = catheter_mo.workorder_ids.filtered(lambda wo: wo.name == "Assembly")
        # 10 tubes x 45 min of extrusion end well after the 50 minutes of inspection
        self.assertGreater(extrusion.date_finished, inspection.date_finished)
        self.assertGreaterEqual(assembly.date_start, extrusion.date_finished)
        _problem, _plan, violations = self._rebuild_and_validate(run)
        self.assertEqual(violations, [])

    def test_late_component_receipt_delays_the_operation(self):
        stock = self.warehouse.lot_stock_id
        self.env["stock.quant"]._update_available_quantity(self.resin, stock, -100)
        receipt_date = fields.Datetime.now().replace(second=0, microsecond=0) + timedelta(days=3)
        receipt = self.env["stock.move"].create(
            {
                "product_id": self.resin.id,
                "product_uom_qty": 5,
                "product_uom": self.resin.uom_id.id,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": stock.id,
                "date": receipt_date,
                "company_id": self.company.id,
                "picking_type_id": self.warehouse.in_type_id.id,
            }
        )
        receipt._action_confirm()
        production = self._create_mo(self.catheter_a, self.bom_a, deadline_days=1)
        resin_move = production.move_raw_ids.filtered(lambda m: m.product_id == self.resin)
        minutes = production._aps_component_available_minutes(fields.Datetime.now())
        self.assertIn(resin_move.id, minutes)
        run = self._run(production)
        self.assertEqual(run.state, "done", run.failure_reason)
        molding = production.workorder_ids.filtered(lambda wo: wo.name == "Molding")
        self.assertGreaterEqual(molding.date_start, receipt_date - timedelta(minutes=1))
        self.assertTrue(production.aps_is_late)
        self.assertIn("Waits for components until", production.aps_late_reason)
        self.assertIn("(Molding)", production.aps_late_reason)
        self.assertEqual(production.aps_late_causes["causes"][0]["kind"], "material")
        # worded in the reader's language from the same stored causes
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["med_aps"], ["zh_CN"], overwrite=True)
        chinese = production.with_context(lang="zh_CN").aps_late_reason
        self.assertNotIn("Waits for components", chinese)
        self.assertIn("Molding", chinese)

    def test_stock_on_hand_does_not_delay(self):
        production = self._create_mo(self.catheter_a, self.bom_a, deadline_days=5)
        self.assertEqual(production._aps_component_available_minutes(fields.Datetime.now()), {})
        run = self._run(production)
        self.assertEqual(run.state, "done", run.failure_reason)
        molding = production.workorder_ids.filtered(lambda wo: wo.name == "Molding")
        self.assertLess(molding.date_start, run.plan_origin + timedelta(days=3))

    def test_lot_refused_by_hook_is_not_on_hand(self):
        resin_lot = self.env["product.product"].create(
            {"name": "Medical resin", "is_storable": True, "tracking": "lot"}
        )
        lot = self.env["stock.lot"].create(
            {"name": "RES-001", "product_id": resin_lot.id, "company_id": self.company.id}
        )
        stock = self.warehouse.lot_stock_id
        self.env["stock.quant"]._update_available_quantity(resin_lot, stock, 10, lot_id=lot)
        receipt_date = fields.Datetime.now().replace(second=0, microsecond=0) + timedelta(days=2)
        receipt = self.env["stock.move"].create(
            {
                "product_id": resin_lot.id,
                "product_uom_qty": 10,
                "product_uom": resin_lot.uom_id.id,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": stock.id,
                "date": receipt_date,
                "company_id": self.company.id,
                "picking_type_id": self.warehouse.in_type_id.id,
            }
        )
        receipt._action_confirm()
        bom = self._create_catheter_bom(self.catheter_b)
        bom.bom_line_ids.filtered(lambda line: line.product_id == self.resin).product_id = resin_lot
        production = self._create_mo(self.catheter_b, bom, qty=2)
        move = production.move_raw_ids.filtered(lambda m: m.product_id == resin_lot)
        origin = fields.Datetime.now().replace(second=0, microsecond=0)
        self.assertNotIn(move.id, production._aps_component_available_minutes(origin))
        StockLot = self.env.registry["stock.lot"]
        with patch.object(StockLot, "_aps_is_available_for_planning", lambda lot: False):
            minutes = production._aps_component_available_minutes(origin)
        expected = int((receipt_date - origin).total_seconds() // 60)
        self.assertEqual(minutes.get(move.id), expected, "the refused lot does not count")

    def test_component_made_to_stock_waits_for_the_planned_order(self):
        stock = self.warehouse.lot_stock_id
        self.env["stock.quant"]._update_available_quantity(self.tube, stock, -100)
        tube_mo = self._create_mo(self.tube, self.bom_tube, qty=10, deadline_days=2)
        catheter_mo = self._create_mo(self.catheter_a, self.bom_a, deadline_days=2)
        tube_move = catheter_mo.move_raw_ids.filtered(lambda m: m.product_id == self.tube)
        self.assertFalse(tube_move.move_orig_ids, "made to stock: no chained move")
        # Odoo's schedule says the tubes are there now; only the plan knows when they are made
        now = fields.Datetime.now().replace(second=0, microsecond=0)
        tube_mo.move_finished_ids.date = now
        minutes, made_by = catheter_mo._aps_component_supply(now, tube_mo | catheter_mo)
        self.assertNotIn(tube_move.id, minutes)
        self.assertEqual(made_by, {tube_move.id: tube_mo.id})
        # without the order among those planned, its output is a receipt at its date
        self.assertEqual(catheter_mo._aps_component_supply(now), ({}, {}))
        run = self._run(tube_mo | catheter_mo)
        self.assertEqual(run.state, "done", run.failure_reason)
        extrusion = tube_mo.workorder_ids
        assembly = catheter_mo.workorder_ids.filtered(lambda wo: wo.name == "Assembly")
        molding = catheter_mo.workorder_ids.filtered(lambda wo: wo.name == "Molding")
        # 10 tubes x 45 min: the assembly waits for the planned extrusion, molding does not
        self.assertGreaterEqual(assembly.date_start, extrusion.date_finished)
        self.assertLess(molding.date_start, extrusion.date_finished)
        problem, _plan, violations = self._rebuild_and_validate(run)
        self.assertEqual(violations, [])
        job = next(j for j in problem["jobs"] if j["id"] == "MO/%d" % catheter_mo.id)
        links = [
            pred
            for op in job["operations"]
            for pred in op["predecessors"]
            if pred.get("job") == "MO/%d" % tube_mo.id
        ]
        self.assertEqual(len(links), 1, "only the assembly consumes tubes")

    def test_orders_making_each_others_components_to_stock_still_plan(self):
        """The tube order needs regrind, a by-product of the catheter order, which needs
        tubes: through stock each waits for the other. One link is kept; the other component
        is short (a precedence cycle cannot be planned) and the run says so."""
        stock = self.warehouse.lot_stock_id
        self.env["stock.quant"]._update_available_quantity(self.tube, stock, -100)
        regrind = self.env["product.product"].create({"name": "Regrind", "is_storable": True})
        bom_tube = self.bom_tube.copy()
        bom_tube.bom_line_ids = [Command.create({"product_id": regrind.id, "product_qty": 1})]
        bom_catheter = self._create_catheter_bom(self.catheter_b)
        bom_catheter.byproduct_ids = [Command.create({"product_id": regrind.id, "product_qty": 1})]
        tube_mo = self._create_mo(self.tube, bom_tube, qty=1, deadline_days=3)
        catheter_mo = self._create_mo(self.catheter_b, bom_catheter, deadline_days=3)
        self.assertIn(regrind, catheter_mo.move_finished_ids.product_id)
        run = self._run(tube_mo | catheter_mo)
        self.assertEqual(run.state, "done", run.failure_reason)
        builder = ProblemBuilder(run, origin=run.plan_origin)
        builder.build()
        consuming = (tube_mo | catheter_mo).move_raw_ids.filtered(
            lambda m: m.product_id in (self.tube | regrind)
        )
        self.assertEqual(len(consuming), 2)
        self.assertEqual(len(builder.move_made_by), 1)
        short = consuming.filtered(lambda m: m.id not in builder.move_made_by)
        self.assertNotIn(short.id, builder.move_release)
        self.assertIn(
            "which itself waits for %s" % short.raw_material_production_id.name,
            run.resource_warnings,
        )
        _problem, _plan, violations = self._rebuild_and_validate(run)
        self.assertEqual(violations, [])
