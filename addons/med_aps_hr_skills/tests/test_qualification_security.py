"""An operator's training record decides who may work in the cleanroom: attacked over
XML-RPC by the operator (a plain manufacturing user) whose qualification it is."""

from datetime import timedelta
from xmlrpc.client import Fault

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestQualificationSecurity(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.skill_type = cls.env["hr.skill.type"].create(
            {
                "name": "Cleanroom Qualification",
                "is_certification": True,
                "skill_ids": [
                    Command.create({"name": "Cleanroom gowning"}),
                    Command.create({"name": "First aid"}),
                ],
                "skill_level_ids": [Command.create({"name": "Qualified", "level_progress": 70})],
            }
        )
        cls.gowning, cls.first_aid = cls.skill_type.skill_ids.sorted("name")[::-1]
        workcenter = cls.env["mrp.workcenter"].create({"name": "Cleanroom", "code": "CRS"})
        product = cls.env["product.product"].create({"name": "Syringe", "is_storable": True})
        bom = cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "operation_ids": [
                    Command.create({"name": "Assembly", "workcenter_id": workcenter.id})
                ],
            }
        )
        cls.env["med.aps.operation.skill"].create(
            {
                "operation_id": bom.operation_ids.id,
                "skill_type_id": cls.skill_type.id,
                "skill_id": cls.gowning.id,
                "skill_level_id": cls.skill_type.skill_level_ids.id,
            }
        )
        cls.operator_user = new_test_user(cls.env, login="cr_operator", groups="mrp.group_mrp_user")
        cls.hr_officer = new_test_user(cls.env, login="cr_hr_officer", groups="hr.group_hr_user")
        cls.employee = cls.env["hr.employee"].create(
            {"name": "Li Wei", "user_id": cls.operator_user.id}
        )
        today = fields.Date.today()
        cls.expired_on = today - timedelta(days=3)
        cls.qualification = cls.env["hr.employee.skill"].create(
            {
                "employee_id": cls.employee.id,
                "skill_type_id": cls.skill_type.id,
                "skill_id": cls.gowning.id,
                "skill_level_id": cls.skill_type.skill_level_ids.id,
                "valid_from": today - timedelta(days=365),
                "valid_to": cls.expired_on,
            }
        )

    def rpc(self, user, model, method, *args, **kwargs):
        with mute_logger("odoo.addons.rpc.controllers.xmlrpc"):
            return self.xmlrpc_object.execute_kw(
                self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs
            )

    def assertRefused(self, user, model, method, *args):
        with mute_logger("odoo.http"), self.assertRaises(Fault) as error:
            self.rpc(user, model, method, *args)
        self.assertIn("Only HR officers may record or change", error.exception.faultString)

    def _qualifications(self):
        self.env.invalidate_all()
        return [
            (es.id, es.skill_id.id, es.skill_level_id.id, es.valid_from, es.valid_to)
            for es in self.env["hr.employee.skill"].search([("employee_id", "=", self.employee.id)])
        ]

    def test_an_operator_cannot_extend_or_renew_their_own_qualification(self):
        before = self._qualifications()
        later = fields.Date.to_string(fields.Date.today() + timedelta(days=365))
        # Odoo lets employees edit their own skills: not the ones production relies on
        self.assertRefused(
            self.operator_user,
            "hr.employee.skill",
            "write",
            [self.qualification.id],
            {"valid_to": later},
        )
        self.assertRefused(
            self.operator_user,
            "hr.employee.skill",
            "create",
            {
                "employee_id": self.employee.id,
                "skill_type_id": self.skill_type.id,
                "skill_id": self.gowning.id,
                "skill_level_id": self.skill_type.skill_level_ids.id,
                "valid_from": fields.Date.to_string(fields.Date.today()),
                "valid_to": later,
            },
        )
        # nor turn another of their skills into it
        other = self.env["hr.employee.skill"].create(
            {
                "employee_id": self.employee.id,
                "skill_type_id": self.skill_type.id,
                "skill_id": self.first_aid.id,
                "skill_level_id": self.skill_type.skill_level_ids.id,
            }
        )
        before = self._qualifications()
        self.assertRefused(
            self.operator_user,
            "hr.employee.skill",
            "write",
            [other.id],
            {"skill_id": self.gowning.id, "valid_to": later},
        )
        self.assertRefused(
            self.operator_user, "hr.employee.skill", "unlink", [self.qualification.id]
        )
        self.assertEqual(self._qualifications(), before, "nothing changed")
        # skills no operation requires stay theirs to keep up to date, as in Odoo
        self.rpc(self.operator_user, "hr.employee.skill", "write", [other.id], {"valid_to": later})
        # the HR officer records the renewal
        self.rpc(
            self.hr_officer,
            "hr.employee.skill",
            "write",
            [self.qualification.id],
            {"valid_to": later},
        )
        self.env.invalidate_all()
        self.assertEqual(fields.Date.to_string(self.qualification.valid_to), later)
