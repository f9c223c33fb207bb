import math
from unittest.mock import patch
from xmlrpc.client import Fault

import psycopg2

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsHardening(MedApsCommon, HttpCase):
    """Attacks on planning as the users who would make them, over XML-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mo_1 = cls._create_mo(cls.catheter_a, cls.bom_a, deadline_days=3)
        cls.mo_2 = cls._create_mo(cls.catheter_b, cls.bom_b, deadline_days=4)
        cls.productions = cls.mo_1 | cls.mo_2
        for user in (cls.planner, cls.aps_user):
            user.password = user.login

    def rpc(self, user, model, method, *args, **kwargs):
        with mute_logger("odoo.addons.rpc.controllers.xmlrpc"):
            return self.xmlrpc_object.execute_kw(
                self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs
            )

    def assertRefused(self, message, user, model, method, *args, **kwargs):
        with mute_logger("odoo.http"), self.assertRaises(Fault) as error:
            self.rpc(user, model, method, *args, **kwargs)
        self.assertIn(message, error.exception.faultString)

    def test_run_results_are_written_by_the_run_only(self):
        run = self._run(self.productions)
        self.assertEqual(run.state, "done")
        results = [
            "state",
            "solver_status",
            "user_id",
            "objective",
            "moved_count",
            "moved_followed_count",
        ]
        before = run.read(results)
        for vals in (
            {"state": "failed"},
            {"solver_status": "OPTIMAL"},
            {"user_id": self.aps_user.id},
            {"objective": 0},
            {"moved_followed_count": 0},
        ):
            self.assertRefused(
                "of a plan run are written by the run itself",
                self.planner,
                "med.aps.run",
                "write",
                [run.id],
                vals,
                context={"install_mode": True},
            )
        self.assertRefused(
            "of a plan run are written by the run itself",
            self.planner,
            "med.aps.run",
            "create",
            {"state": "done", "solver_status": "OPTIMAL"},
        )
        self.assertRefused(
            "of a plan run are written by the run itself",
            self.planner,
            "med.aps.run",
            "create",
            {"user_id": self.aps_user.id},
        )
        self.env.invalidate_all()
        self.assertEqual(run.read(results), before)
        # the planner still queues and cancels runs through the actions
        run_id = self.rpc(self.planner, "med.aps.run", "create", {"time_limit": 5})
        self.rpc(self.planner, "med.aps.run", "action_cancel", [run_id])
        self.assertEqual(self.env["med.aps.run"].browse(run_id).state, "cancelled")

    def test_locking_a_plan_needs_a_planner(self):
        workorder = self.mo_1.workorder_ids[:1]
        for model, record in (("mrp.production", self.mo_1), ("mrp.workorder", workorder)):
            self.assertRefused(
                "Only APS planners",
                self.aps_user,
                model,
                "write",
                [record.id],
                {"aps_locked": True},
            )
            self.assertFalse(record.aps_locked)
            self.rpc(self.planner, model, "action_aps_lock", [record.id])
            self.env.invalidate_all()
            self.assertTrue(record.aps_locked)

    def test_time_limit_and_workers_are_bounded(self):
        runs_before = self.env["med.aps.run"].search_count([])
        for params, message in (
            ({"time_limit": math.nan}, "the time limit must be more than 0"),
            ({"time_limit": math.inf}, "the time limit must be more than 0"),
            ({"time_limit": 1e308}, "the time limit must be more than 0"),
            ({"time_limit": -1}, "the time limit must be more than 0"),
            ({"workers": 100_000}, "solver workers must be between 1 and the"),
            ({"workers": 0}, "solver workers must be between 1 and the"),
        ):
            self.assertRefused(
                message,
                self.planner,
                "med.aps.run",
                "api_replan",
                scope={"production_ids": self.productions.ids},
                params=params,
            )
        # the system parameter lowers the longest run allowed
        self.env["ir.config_parameter"].set_param("med_aps.max_time_limit", "60")
        self.assertRefused(
            "at most 60.0 s (system parameter med_aps.max_time_limit)",
            self.planner,
            "med.aps.run",
            "api_replan",
            params={"time_limit": 120},
        )
        self.assertEqual(self.env["med.aps.run"].search_count([]), runs_before)

    def test_finished_work_order_keeps_its_real_dates(self):
        from med_aps_engine import solve as real_solve

        workorder = self.mo_1.workorder_ids.sorted("id")[0]

        def solve_while_the_operator_finishes(problem, options=None):
            plan = real_solve(problem, options=options)
            # meanwhile, on the shop floor
            workorder.button_start()
            workorder.button_finish()
            return plan

        with patch("med_aps_engine.solve", solve_while_the_operator_finishes):
            run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.env.invalidate_all()
        self.assertEqual(workorder.state, "done")
        self.assertNotEqual(workorder.aps_run_id, run, "the run did not write the finished one")
        finished = (workorder.date_start, workorder.date_finished)
        self.assertEqual(run.skipped_count, 1)
        self.assertIn(workorder.display_name, run.skipped_note)
        self.assertIn("is done or cancelled", run.skipped_note)
        others = self.productions.workorder_ids - workorder
        self.assertTrue(all(wo.aps_run_id == run for wo in others))
        self.assertEqual((workorder.date_start, workorder.date_finished), finished)

    def test_lock_is_released_when_the_transaction_aborts(self):
        def broken_progress(run, progress, message):
            run.env.cr.execute("SELECT 1 / 0")

        Run = self.env["med.aps.run"]
        run = Run.create({"production_ids": [Command.set(self.productions.ids)], "workers": 1})
        with (
            patch.object(type(Run), "_set_progress", broken_progress),
            mute_logger("odoo.sql_db", "odoo.addons.med_aps.models.med_aps_run"),
            self.assertRaises(psycopg2.Error),
        ):
            run._process_now()
        with self.registry.cursor() as other_cr:
            other_cr.execute("SELECT pg_try_advisory_lock(%s, %s)", self._company_lock_key())
            self.assertTrue(other_cr.fetchone()[0], "the planning lock was left held")
            other_cr.execute("SELECT pg_advisory_unlock(%s, %s)", self._company_lock_key())

    def test_ids_of_another_company_look_like_missing_ones(self):
        other = self.env["res.company"].create({"name": "Other Plant"})
        hidden_mo = self.mo_1.copy({"company_id": other.id})
        hidden_run = self.env["med.aps.run"].with_company(other).create({"company_id": other.id})
        missing_id = hidden_mo.id + 100_000
        for ids in ([hidden_mo.id], [missing_id]):
            self.assertRefused(
                "production_ids: no record with id(s) %s." % ids[0],
                self.planner,
                "med.aps.run",
                "api_replan",
                scope={"production_ids": ids},
            )
        for run_id in (hidden_run.id, hidden_run.id + 100_000):
            self.assertRefused(
                "There is no plan run with id %s." % run_id,
                self.aps_user,
                "med.aps.run",
                "api_read",
                run_id,
            )
