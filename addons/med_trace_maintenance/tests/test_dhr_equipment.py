from datetime import timedelta

import psycopg2

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.med_aps_maintenance.tests.common import MedApsToolingCommon


@tagged("post_install", "-at_install")
class TestDhrEquipment(MedApsToolingCommon):
    """The device history record of a finished lot names the machine and the tools each
    work order used, with their calibration status at the time of use, frozen."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.catheter_a.tracking = "lot"
        cls.press = cls._press_cls(
            "Press 1",
            cls.wc_molding_1,
            serial_no="PRS-0001",
            aps_calibration_required=True,
            aps_calibration_due_date=fields.Date.today() + timedelta(days=10),
        )
        cls.mould.write(
            {
                "serial_no": "MLD-CATH7-01",
                "aps_calibration_required": True,
                "aps_calibration_due_date": fields.Date.today() + timedelta(days=200),
            }
        )
        cls.production = cls._create_mo(cls.catheter_a, cls.bom_a, qty=1, deadline_days=3)

    @classmethod
    def _press_cls(cls, name, workcenter, **values):
        return cls.env["maintenance.equipment"].create(
            dict(
                name=name,
                category_id=cls.press_category.id,
                company_id=cls.company.id,
                workcenter_id=workcenter.id,
                **values,
            )
        )

    def _produce(self, production):
        lot = self.env["stock.lot"].create(
            {
                "name": "LOT-CATH-A-001",
                "product_id": self.catheter_a.id,
                "company_id": self.company.id,
            }
        )
        production.lot_producing_ids = lot
        production.qty_producing = 1
        production.set_qty_producing()
        for workorder in production.workorder_ids.sorted("sequence"):
            workorder.button_start()
            workorder.button_finish()
        production.move_raw_ids.picked = True
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        return lot

    def test_the_dhr_of_a_finished_lot_names_tools_and_calibration(self):
        run = self._run(self.production)
        self.assertEqual(run.state, "done", run.failure_reason)
        molding = self.production.workorder_ids.filtered(lambda wo: wo.name == "Molding")
        self.assertEqual(molding.aps_tool_ids, self.mould)
        # keep the press on Molding 1 for the test (the run may pick Molding 2)
        molding.workcenter_id = self.wc_molding_1
        lot = self._produce(self.production)
        uses = self.production.med_equipment_use_ids
        self.assertEqual(uses.workorder_id, molding)
        press_use = uses.filtered(lambda use: use.role == "machine")
        mould_use = uses.filtered(lambda use: use.role == "tool")
        self.assertEqual(press_use.equipment_id, self.press)
        self.assertEqual(press_use.calibration_status, "due_soon")
        self.assertEqual(mould_use.equipment_id, self.mould)
        self.assertEqual(mould_use.serial_no, "MLD-CATH7-01")
        self.assertEqual(mould_use.calibration_status, "valid")

        html = self.env["ir.actions.report"]._render_qweb_html("med_trace.report_dhr", lot.ids)[0]
        html = html.decode()
        self.assertIn("Equipment and Tools", html)
        self.assertIn("Mould CATH-7", html)
        self.assertIn("MLD-CATH7-01", html)
        self.assertIn("PRS-0001", html)
        self.assertIn("Due Soon", html)

        # frozen with the record: a later calibration does not change what was used
        self.press.aps_calibration_due_date = fields.Date.today() - timedelta(days=1)
        self.assertEqual(press_use.calibration_status, "due_soon")
        with self.assertRaises(UserError):
            press_use.sudo().write({"calibration_status": "valid"})
        with self.assertRaises(UserError):
            mould_use.sudo().unlink()
        refused = self.assertRaises(psycopg2.IntegrityError)
        with mute_logger("odoo.sql_db"), refused, self.cr.savepoint():
            self.cr.execute(
                "UPDATE med_trace_equipment_use SET calibration_status = 'valid' WHERE id = %s",
                [press_use.id],
            )
        press_use.invalidate_recordset()
        self.assertEqual(press_use.calibration_status, "due_soon")
        # a finished work order is recorded once
        molding.write({"state": "done"})
        self.assertEqual(len(self.production.med_equipment_use_ids), 2)
