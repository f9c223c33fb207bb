from datetime import timedelta

import psycopg2

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.med_aps_hr_skills.tests.common import QualifiedOperatorsCommon


@tagged("post_install", "-at_install")
class TestDhrOperators(QualifiedOperatorsCommon):
    """The DHR of a finished lot names, per work order, who worked and the qualification
    they held then; the record stays as it was written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.catheter_a.tracking = "lot"
        cls.production = cls._create_mo(cls.catheter_a, cls.bom_a, deadline_days=2)
        cls.lot = cls.env["stock.lot"].create(
            {"name": "CATH-A-0001", "product_id": cls.catheter_a.id, "company_id": cls.company.id}
        )
        cls.mrp_user = new_test_user(
            cls.env,
            login="dhr_mrp_user",
            groups="mrp.group_mrp_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def _produce(self):
        production = self.production
        production.lot_producing_ids = self.lot
        production.qty_producing = 1
        production.set_qty_producing()
        production.move_raw_ids.picked = True
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        return production

    def _dhr_html(self):
        return str(
            self.env["ir.actions.report"]._render_qweb_html(
                "med_trace.action_report_dhr", self.lot.ids
            )[0]
        )

    def test_the_dhr_of_a_finished_lot_names_its_operators_and_qualifications(self):
        run = self._run(self.production)
        self.assertEqual(run.state, "done", run.failure_reason)
        assembly = self.production.workorder_ids.filtered(lambda wo: wo.name == "Assembly")
        planned = assembly.aps_resource_ids
        self.assertEqual(len(planned), 1)
        production = self._produce()
        recorded = production.workorder_ids.med_operator_ids
        # nobody logged time on the assembly: the planned operator is the one recorded
        self.assertEqual(recorded.workorder_id, assembly)
        self.assertEqual(recorded.employee_id.id, planned.res_id)
        self.assertEqual(recorded.source, "plan")
        self.assertEqual(recorded.skill_name, "Cleanroom gowning")
        self.assertEqual(recorded.skill_level_name, "Qualified")
        self.assertTrue(recorded.qualified)
        qualification = recorded.employee_id.employee_skill_ids
        self.assertEqual(recorded.valid_to, qualification.valid_to)
        html = self._dhr_html()
        self.assertIn("Operators and Qualifications", html)
        self.assertIn(recorded.employee_name, html)
        self.assertIn("Cleanroom gowning", html)

        # frozen: a later renewal, a new name or an attempt to edit does not rewrite it
        before = recorded.read(["employee_name", "skill_level_name", "valid_to", "qualified"])
        qualification.valid_to = qualification.valid_to and qualification.valid_to + timedelta(
            days=400
        )
        recorded.employee_id.name = "Renamed Operator"
        with self.assertRaises(UserError):
            recorded.write({"valid_to": False})
        with self.assertRaises(UserError):
            recorded.unlink()
        with self.assertRaises(UserError):
            recorded.with_user(self.mrp_user).write({"qualified": False})
        with self.assertRaises(AccessError):
            self.env["med.trace.workorder.operator"].with_user(self.mrp_user).create(
                {
                    "workorder_id": assembly.id,
                    "production_id": production.id,
                    "company_id": self.company.id,
                    "employee_name": "Nobody",
                    "source": "plan",
                    "recorded_at": production.date_finished,
                }
            )
        # nor raw SQL (the table's triggers), nor deleting the employee who worked
        refused = self.assertRaises(psycopg2.IntegrityError)
        with mute_logger("odoo.sql_db"), refused, self.cr.savepoint():
            self.cr.execute(
                "UPDATE med_trace_workorder_operator SET qualified = NOT qualified WHERE id = %s",
                [recorded[:1].id],
            )
        worker = recorded[:1].employee_id
        with self.assertRaisesRegex(UserError, "archive them instead"):
            worker.unlink()
        self.assertTrue(worker.exists())
        self.env.invalidate_all()
        self.assertEqual(
            recorded.read(["employee_name", "skill_level_name", "valid_to", "qualified"]),
            before,
        )
        self.assertNotIn("Renamed Operator", self._dhr_html())

    def test_the_operator_who_logged_time_is_recorded_with_an_expired_qualification(self):
        """Who actually worked counts, not who was planned: Li Wei logs time on the
        assembly with her expired qualification; the DHR says she was not qualified."""
        operator_user = new_test_user(
            self.env,
            login="dhr_li_wei",
            groups="mrp.group_mrp_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.li_wei.user_id = operator_user
        assembly = self.production.workorder_ids.filtered(lambda wo: wo.name == "Assembly")
        assembly.with_user(operator_user).button_start()
        production = self._produce()
        recorded = production.workorder_ids.med_operator_ids
        self.assertEqual(recorded.workorder_id, assembly)
        self.assertEqual(recorded.employee_id, self.li_wei)
        self.assertEqual(recorded.source, "time_log")
        self.assertFalse(recorded.qualified)
        self.assertEqual(recorded.valid_to, self.today - timedelta(days=5))
        html = self._dhr_html()
        self.assertIn("Li Wei", html)
