import json
from datetime import datetime, timedelta
from xmlrpc.client import Fault

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestCalibrationSecurity(HttpCase):
    """Calibration is a controlled record: only equipment managers change it. A plain
    manufacturing user cannot, over RPC; neither can a user another module lets write the
    equipment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        workcenter = cls.env["mrp.workcenter"].create({"name": "Leak Test Bench"})
        cls.equipment = cls.env["maintenance.equipment"].create(
            {
                "name": "Leak Tester LT-3",
                "workcenter_id": workcenter.id,
                "aps_calibration_required": True,
                "aps_calibration_date": fields.Date.today() - timedelta(days=400),
                "aps_calibration_interval": 365,
            }
        )
        Users = cls.env["res.users"].with_context(no_reset_password=True)
        cls.mrp_user = Users.create(
            {
                "name": "Shop Floor User",
                "login": "calib_mrp_user",
                "password": "calib_mrp_user",
                "group_ids": [Command.set([cls.env.ref("mrp.group_mrp_user").id])],
            }
        )
        cls.manager = Users.create(
            {
                "name": "Equipment Manager",
                "login": "calib_manager",
                "password": "calib_manager",
                "group_ids": [Command.set([cls.env.ref("maintenance.group_equipment_manager").id])],
            }
        )
        # another module lets a group write the equipment (e.g. to edit its notes)
        writers = cls.env["res.groups"].create({"name": "Equipment Note Writers"})
        cls.env["ir.model.access"].create(
            {
                "name": "equipment note writers",
                "model_id": cls.env.ref("maintenance.model_maintenance_equipment").id,
                "group_id": writers.id,
                "perm_read": True,
                "perm_write": True,
            }
        )
        cls.writer = Users.create(
            {
                "name": "Note Writer",
                "login": "calib_writer",
                "group_ids": [Command.set([cls.env.ref("base.group_user").id, writers.id])],
            }
        )

    def rpc(self, user, model, method, *args):
        with mute_logger("odoo.addons.rpc.controllers.xmlrpc"):
            return self.xmlrpc_object.execute_kw(
                self.env.cr.dbname, user.id, user.login, model, method, list(args), {}
            )

    def test_a_manufacturing_user_cannot_change_a_calibration_over_rpc(self):
        due = self.equipment.aps_calibration_due_date
        self.assertEqual(
            self.rpc(
                self.mrp_user,
                "maintenance.equipment",
                "read",
                [self.equipment.id],
                ["aps_calibration_status"],
            )[0]["aps_calibration_status"],
            "expired",
        )
        for vals in (
            {"aps_calibration_due_date": fields.Date.to_string(due + timedelta(days=365))},
            {"aps_calibration_date": fields.Date.to_string(fields.Date.today())},
            {"aps_calibration_required": False},
        ):
            with mute_logger("odoo.http"), self.assertRaises(Fault) as error:
                self.rpc(self.mrp_user, "maintenance.equipment", "write", [self.equipment.id], vals)
            self.assertIn(
                "Only equipment managers can change the calibration", error.exception.faultString
            )
        self.equipment.invalidate_recordset()
        self.assertEqual(self.equipment.aps_calibration_due_date, due)
        self.assertEqual(self.equipment.aps_calibration_status, "expired")

    def test_a_manufacturing_user_cannot_change_a_calibration_over_json2(self):
        key = (
            self.env["res.users.apikeys"]
            .with_user(self.mrp_user)
            ._generate(
                scope="rpc", name="shop floor", expiration_date=datetime.now() + timedelta(1)
            )
        )
        due = self.equipment.aps_calibration_due_date
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": "bearer %s" % key,
            "X-Odoo-Database": self.env.cr.dbname,
        }

        def call(method, **body):
            return self.url_open(
                "/json/2/maintenance.equipment/%s" % method, data=json.dumps(body), headers=headers
            )

        response = call("read", ids=self.equipment.ids, fields=["aps_calibration_status"])
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()[0]["aps_calibration_status"], "expired")
        with mute_logger("odoo.http"):
            response = call(
                "write",
                ids=self.equipment.ids,
                vals={"aps_calibration_due_date": fields.Date.to_string(due + timedelta(365))},
            )
        self.assertNotEqual(response.status_code, 200)
        self.assertIn("Only equipment managers can change the calibration", response.text)
        self.equipment.invalidate_recordset()
        self.assertEqual(self.equipment.aps_calibration_due_date, due)

    def test_write_access_from_another_module_does_not_open_the_calibration(self):
        self.equipment.message_subscribe(partner_ids=self.writer.partner_id.ids)
        equipment = self.equipment.with_user(self.writer)
        equipment.note = "<p>Cleaned</p>"
        with self.assertRaises(AccessError) as error:
            equipment.aps_calibration_due_date = fields.Date.today() + timedelta(days=30)
        self.assertIn("Only equipment managers can change the calibration", str(error.exception))
        self.assertEqual(self.equipment.aps_calibration_status, "expired")

    def test_an_equipment_manager_records_a_calibration(self):
        today = fields.Date.to_string(fields.Date.today())
        self.rpc(
            self.manager,
            "maintenance.equipment",
            "write",
            [self.equipment.id],
            {"aps_calibration_date": today},
        )
        self.equipment.invalidate_recordset()
        self.assertEqual(
            self.equipment.aps_calibration_due_date, fields.Date.today() + timedelta(days=365)
        )
        self.assertEqual(self.equipment.aps_calibration_status, "valid")
