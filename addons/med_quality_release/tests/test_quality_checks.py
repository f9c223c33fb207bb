from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MedQualityCommon


@tagged("post_install", "-at_install")
class TestQualityChecks(MedQualityCommon):
    def test_measurement_out_of_tolerance_opens_nc(self):
        self.category.med_block_consumption = False
        self.receive(self.component, "POUCH-M", 3)
        production = self.produce(3, "KIT-M")
        production.button_mark_done()
        check = production.lot_producing_ids.med_check_ids
        self.assertEqual((check.sample_size, check.norm_min, check.norm_max), (3, 6.0, 12.0))

        inspector_check = check.with_user(self.inspector)
        inspector_check.measure_value = 4.2
        with self.assertRaisesRegex(UserError, "enter the equipment"):
            inspector_check.action_record_measure()
        self.assertEqual(check.state, "todo")

        inspector_check.equipment_ref = "PEEL-TESTER-07"
        inspector_check.action_record_measure()
        self.assertEqual(check.state, "fail")
        nc = check.nonconformance_ids
        self.assertEqual(nc.production_id, production)
        self.assertIn("measured 4.2 N, outside [6.0, 12.0]", nc.description)
        self.assertIn("PEEL-TESTER-07", nc.description)
        with self.assertRaisesRegex(UserError, "already recorded"):
            inspector_check.write({"measure_value": 7.0})
        with self.assertRaisesRegex(UserError, "already recorded"):
            inspector_check.action_record_measure()
        self.assertEqual(check.measure_value, 4.2)

    def test_pass_refused_above_acceptance_number(self):
        _receipt, pouch = self.receive(self.component, "POUCH-AQL", 1000)
        check = pouch.med_check_ids.with_user(self.inspector)
        # lot 1000, level II, AQL 0.65 -> J: 80 units, Ac 1, Re 2
        self.assertEqual((check.sample_size, check.accept_number, check.reject_number), (80, 1, 2))
        check.defect_count = 2
        with self.assertRaisesRegex(UserError, "exceed the acceptance number 1"):
            check.action_pass()
        self.assertEqual(check.state, "todo")
        check.defect_count = 81
        with self.assertRaisesRegex(UserError, "cannot be found in a sample of 80"):
            check.action_fail()
        check.defect_count = 1
        check.action_pass()
        self.assertEqual(check.state, "pass")
        self.assertFalse(check.nonconformance_ids)

    def test_stock_user_cannot_record(self):
        _receipt, pouch = self.receive(self.component, "POUCH-U", 10)
        with self.assertRaises(AccessError):
            pouch.med_check_ids.with_user(self.stock_user).action_pass()
        self.assertEqual(pouch.med_check_ids.state, "todo")

    def test_work_order_operation_checks(self):
        workcenter = self.env["mrp.workcenter"].create({"name": "Sealing line"})
        self.bom.operation_ids = [
            Command.create({"name": "Seal pouch", "workcenter_id": workcenter.id, "time_cycle": 1})
        ]
        operation = self.bom.operation_ids
        point_start = self.env["med.quality.point"].create(
            {
                "name": "Sealer temperature",
                "trigger": "operation",
                "operation_id": operation.id,
                "operation_timing": "start",
                "test_type": "measure",
                "measure_unit": "°C",
                "norm_min": 140,
                "norm_max": 160,
                "product_ids": [Command.set(self.device.ids)],
            }
        )
        point_finish = point_start.copy(
            {"name": "Seal visual", "operation_timing": "finish", "test_type": "passfail"}
        )
        self.receive(self.component, "POUCH-WO", 4)
        production = self.env["mrp.production"].create(
            {"product_id": self.device.id, "bom_id": self.bom.id, "product_qty": 4}
        )
        production.action_confirm()
        lot = self.env["stock.lot"].create({"name": "KIT-WO", "product_id": self.device.id})
        production.lot_producing_ids = lot
        workorder = production.workorder_ids
        workorder.button_start()
        self.assertEqual(production.med_check_ids.point_id, point_start)
        self.assertEqual(production.med_check_ids.workorder_id, workorder)
        workorder.button_start()  # pause/resume does not duplicate
        self.assertEqual(len(production.med_check_ids), 1)
        workorder.button_finish()
        self.assertEqual(production.med_check_ids.point_id, point_start | point_finish)
        self.assertEqual(production.med_check_ids.lot_id, lot)

    def test_operation_point_needs_operation(self):
        with self.assertRaisesRegex(Exception, "choose the operation"):
            self.env["med.quality.point"].create(
                {"name": "No operation", "trigger": "operation", "test_type": "passfail"}
            )

    def test_multi_company_rules(self):
        other = self.env["res.company"].create({"name": "Other Plant"})
        point = self.env["med.quality.point"].create(
            {"name": "Other plant check", "trigger": "receipt", "company_id": other.id}
        )
        nc = self.env["med.quality.nonconformance"].create(
            {"description": "Other plant NC", "company_id": other.id}
        )
        Point = self.env["med.quality.point"].with_user(self.inspector)
        NC = self.env["med.quality.nonconformance"].with_user(self.inspector)
        self.assertNotIn(point, Point.search([]))
        self.assertNotIn(nc, NC.search([]))
        self.assertIn(self.receipt_point, Point.search([]))
        # a point of another company is never applied to this company's receipts
        self.assertFalse(
            Point._med_points_for(self.component, "receipt", self.company).filtered(
                lambda p: p.company_id == other
            )
        )
