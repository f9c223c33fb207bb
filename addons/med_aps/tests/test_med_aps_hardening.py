import json
import math
from datetime import datetime, timedelta
from unittest.mock import patch
from xmlrpc.client import Fault

import psycopg2
import psycopg2.errors

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..services.plan_writer import PlanWriter
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

    def json2(self, user, model, method, payload):
        """``POST /json/2/<model>/<method>`` as ``user`` with an API key of theirs."""
        key = (
            self.env["res.users.apikeys"]
            .with_user(user)
            ._generate(
                scope="rpc", name="json2", expiration_date=datetime.now() + timedelta(days=1)
            )
        )
        with mute_logger("odoo.http"):
            return self.url_open(
                "/json/2/%s/%s" % (model, method),
                data=json.dumps(payload),
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "Authorization": "bearer %s" % key,
                    "X-Odoo-Database": self.env.cr.dbname,
                },
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
            "conflict_retries",
        ]
        before = run.read(results)
        for vals in (
            {"state": "failed"},
            {"solver_status": "OPTIMAL"},
            {"user_id": self.aps_user.id},
            {"objective": 0},
            {"moved_followed_count": 0},
            # a repair's repeats after conflicts: raised, it would stop the next repeat
            {"conflict_retries": 2},
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
        self.assertRefused(
            "Repeats After a Conflict of a plan run are written by the run itself",
            self.planner,
            "med.aps.run",
            "create",
            {"trigger": "repair", "conflict_retries": 2},
        )
        self.env.invalidate_all()
        self.assertEqual(run.read(results), before)
        # the planner still queues and cancels runs through the actions
        run_id = self.rpc(self.planner, "med.aps.run", "create", {"time_limit": 5})
        self.rpc(self.planner, "med.aps.run", "action_cancel", [run_id])
        self.assertEqual(self.env["med.aps.run"].browse(run_id).state, "cancelled")

    def test_a_runs_utilization_is_the_runs(self):
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        line = run.workcenter_line_ids[:1]
        self.assertTrue(line)
        before = line.read(["busy_hours", "available_hours", "utilization"])
        for method, args in (
            ("write", ([line.id], {"utilization": 10.0, "busy_hours": 1.0})),
            ("unlink", ([line.id],)),
            ("create", ({"run_id": run.id, "workcenter_id": self.wc_assembly.id},)),
        ):
            self.assertRefused(
                "You are not allowed to", self.planner, "med.aps.run.workcenter", method, *args
            )
        self.env.invalidate_all()
        self.assertEqual(line.read(["busy_hours", "available_hours", "utilization"]), before)
        # a planner's next run writes its own, as the run
        answer = self.rpc(
            self.planner,
            "med.aps.run",
            "api_replan",
            scope={"production_ids": self.productions.ids},
            params={"time_limit": 2, "workers": 1},
            wait=True,
        )
        self.assertEqual(answer["state"], "done")
        self.assertTrue(self.env["med.aps.run"].browse(answer["id"]).workcenter_line_ids)

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

    def test_a_write_that_meets_the_shop_floor_fails_clearly_and_writes_nothing(self):
        before = self._snapshot(self.productions)
        with (
            patch.object(PlanWriter, "write_plan", side_effect=psycopg2.errors.DeadlockDetected),
            mute_logger("odoo.sql_db"),
        ):
            run = self._run(self.productions)
        self.assertEqual(run.state, "failed")
        self.assertEqual(
            run.failure_reason,
            "Orders changed on the shop floor while the plan was being written; nothing was "
            "written. The next event or a replan plans again.",
        )
        self.assertEqual(self._snapshot(self.productions), before)

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

    def _manufacturing_manager(self):
        """A Manufacturing administrator who is no APS planner (Odoo's own group)."""
        manager = self.env["res.users"].create(
            {
                "name": "MRP Manager",
                "login": "mrp_manager_no_aps",
                "password": "mrp_manager_no_aps",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "group_ids": [
                    Command.set(
                        [
                            self.env.ref("mrp.group_mrp_manager").id,
                            self.env.ref("base.group_user").id,
                        ]
                    )
                ],
            }
        )
        self.assertFalse(manager.has_group("med_aps.group_aps_planner"))
        return manager

    def test_a_queued_run_is_the_planners(self):
        manager = self._manufacturing_manager()
        run = self.env["med.aps.run"].create(
            {"production_ids": [Command.set(self.productions.ids)], "time_limit": 5}
        )
        settings = ["frozen_hours", "weight_stability", "time_limit", "trigger", "state"]
        before = run.read(settings)
        self.assertRefused(
            "Only APS planners can change plan runs (user MRP Manager is not an APS Planner",
            manager,
            "med.aps.run",
            "write",
            [run.id],
            {"frozen_hours": 0, "weight_stability": 0, "time_limit": 1},
        )
        self.assertRefused(
            "Run %s is Queued: cancel it before deleting it." % run.name,
            manager,
            "med.aps.run",
            "unlink",
            [run.id],
        )
        # where a run comes from decides which events it answers: set once, at creation
        self.assertRefused(
            "Where a plan run comes from is set when it is created (%s)." % run.name,
            self.planner,
            "med.aps.run",
            "write",
            [run.id],
            {"trigger": "repair"},
        )
        self.env.invalidate_all()
        self.assertEqual(run.read(settings), before)
        # the planner still adjusts a queued run; a finished one is the plan it made
        self.rpc(self.planner, "med.aps.run", "write", [run.id], {"time_limit": 3})
        self.env.invalidate_all()
        self.assertEqual(run.time_limit, 3)
        run._process_now()
        self.assertEqual(run.state, "done", run.failure_reason)
        self.assertRefused(
            "Run %s is Done: its settings describe the plan it made and cannot change." % run.name,
            self.planner,
            "med.aps.run",
            "write",
            [run.id],
            {"weight_stability": 0},
        )
        # old runs remain the Manufacturing administrator's to delete
        self.rpc(manager, "med.aps.run", "unlink", [run.id])
        self.assertFalse(run.exists())

    def test_plan_results_are_written_by_the_runs_only(self):
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        workorder = self.mo_1.workorder_ids.sorted("id")[0]
        # the operator starts the work: the plan in force is kept, by the shop-floor hook
        workorder.with_user(self.aps_user).button_start()
        self.env.invalidate_all()
        self.assertTrue(workorder.aps_planned_start)
        columns = ["aps_planned_start", "aps_planned_end", "aps_unit", "aps_batch_ref"]
        before = workorder.read(columns)
        planned_finish = self.mo_1.aps_planned_finish
        forged = {
            "aps_planned_start": "2026-01-05 08:00:00",
            "aps_planned_end": "2026-01-05 09:00:00",
            "aps_unit": 7,
            "aps_batch_ref": "X",
        }
        for name, value in forged.items():
            self.assertRefused(
                "are written by plan runs, not by users",
                self.aps_user,
                "mrp.workorder",
                "write",
                [workorder.id],
                {name: value},
            )
        self.assertRefused(
            "Planned Finish of %s are written by plan runs, not by users." % self.mo_1.name,
            self.planner,
            "mrp.production",
            "write",
            [self.mo_1.id],
            {"aps_planned_finish": "2030-01-01 00:00:00"},
        )
        # nor by creating an order that says it was planned
        self.assertRefused(
            "Planned Finish of Manufacturing Order are written by plan runs, not by users.",
            self.aps_user,
            "mrp.production",
            "create",
            {
                "product_id": self.catheter_a.id,
                "bom_id": self.bom_a.id,
                "aps_planned_finish": "2030-01-01 00:00:00",
            },
        )
        self.env.invalidate_all()
        self.assertEqual(workorder.read(columns), before)
        self.assertEqual(self.mo_1.aps_planned_finish, planned_finish)

    def test_plan_results_are_refused_over_json2(self):
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        workorder = self.mo_1.workorder_ids.sorted("id")[0]
        unit = workorder.aps_unit
        response = self.json2(
            self.aps_user,
            "mrp.workorder",
            "write",
            {"ids": workorder.ids, "vals": {"aps_unit": unit + 5}},
        )
        self.assertNotEqual(response.status_code, 200)
        self.assertIn("are written by plan runs, not by users", response.text)
        self.env.invalidate_all()
        self.assertEqual(workorder.aps_unit, unit)

    def test_plan_health_is_the_checks_alone(self):
        """A planner may check the plan, not rewrite what the check found: a broken rule's
        issue cannot be written, created or deleted, over XML-RPC or JSON-2."""
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        workorder = self.mo_2.workorder_ids.filtered(
            lambda wo: not wo.workcenter_id.aps_batch_enabled
        ).sorted("date_start")[-1]
        workorder.duration_expected += 600  # its work now needs more than its plan gives
        self.rpc(self.planner, "med.aps.plan.issue", "action_check_now")
        issue = self.env["med.aps.plan.issue"].search(
            [("kind", "=", "rule"), ("workorder_id", "=", workorder.id)]
        )
        self.assertEqual(issue.rule, "duration")
        fields_read = ["kind", "rule", "minutes", "detail", "workorder_id"]
        before = issue.read(fields_read)
        for method, args in (
            ("write", ([issue.id], {"rule": "calendar", "minutes": 0, "detail": "fine"})),
            ("unlink", ([issue.id],)),
            ("create", ({"check_id": issue.check_id.id, "kind": "rule", "rule": "batch"},)),
        ):
            self.assertRefused(
                "You are not allowed to", self.planner, "med.aps.plan.issue", method, *args
            )
        response = self.json2(
            self.planner,
            "med.aps.plan.issue",
            "write",
            {"ids": issue.ids, "vals": {"detail": "fine"}},
        )
        self.assertNotEqual(response.status_code, 200)
        self.assertIn("You are not allowed to", response.text)
        self.env.invalidate_all()
        self.assertEqual(issue.read(fields_read), before)
