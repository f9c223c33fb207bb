from xmlrpc.client import Fault

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsJobs(MedApsCommon, HttpCase):
    """Plan runs as background jobs: one company at a time, companies side by side."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mo_1 = cls._create_mo(cls.catheter_a, cls.bom_a, deadline_days=3)
        cls.mo_2 = cls._create_mo(cls.catheter_b, cls.bom_b, deadline_days=4)
        cls.productions = cls.mo_1 | cls.mo_2
        cls.other_company = cls.env["res.company"].create({"name": "Other APS Plant"})
        cls.env.user.company_ids |= cls.other_company
        for user in (cls.planner, cls.aps_user):
            user.password = user.login

    def _hold(self, key):
        """Another worker's session holding the advisory lock ``key``."""
        session = self.env["med.aps.run"]._job_lock_session()
        lock_cr = session.__enter__()
        self.addCleanup(session.__exit__, None, None, None)
        self.assertTrue(self.env["med.aps.run"]._job_try_lock(lock_cr, key))

    def _running_run(self, company):
        run = (
            self.env["med.aps.run"]
            .with_company(company)
            .create({"company_id": company.id, "time_limit": self.TIME_LIMIT})
        )
        run.sudo().write({"state": "running", "date_started": "2026-01-05 08:00:00"})
        self._hold(self._company_lock_key(company))
        self._hold(run._job_lock_key())
        return run

    def rpc(self, user, model, method, *args, **kwargs):
        with mute_logger("odoo.addons.rpc.controllers.xmlrpc", "odoo.http"):
            return self.xmlrpc_object.execute_kw(
                self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs
            )

    def test_a_running_run_refuses_its_companys_second_run_only(self):
        running = self._running_run(self.company)
        second = self.env["med.aps.run"].create(
            {"production_ids": [Command.set(self.mo_1.ids)], "time_limit": self.TIME_LIMIT}
        )
        before = second.read(["state", "date_started", "attempt_count", "failure_reason"])
        with self.assertRaises(UserError) as refusal:
            second.action_start()
        self.assertEqual(
            str(refusal.exception),
            "Plan run %s (started by %s at 2026-01-05 08:00:00) is still running. Wait until it "
            "is finished or cancel it before starting another one."
            % (running.name, self.env.user.name),
        )
        with self.assertRaisesRegex(UserError, "Another plan run is being processed right now"):
            second._process_now()
        self.env.invalidate_all()
        self.assertEqual(
            second.read(["state", "date_started", "attempt_count", "failure_reason"]), before
        )
        self.assertEqual(running.state, "running", "a live worker's run is not stale")

    def test_another_companys_running_run_does_not_block(self):
        other_running = self._running_run(self.other_company)
        run = self.env["med.aps.run"].create(
            {
                "production_ids": [Command.set(self.productions.ids)],
                "time_limit": self.TIME_LIMIT,
                "workers": 1,
            }
        )
        run.action_start()
        self.assertEqual(run._process_now(), "done", run.failure_reason)
        self.assertEqual(run.attempt_count, 1)
        self.assertEqual(other_running.state, "running")

    def test_the_cron_plans_the_free_company_and_leaves_the_busy_one_queued(self):
        self._hold(self._company_lock_key(self.other_company))
        waiting = (
            self.env["med.aps.run"]
            .with_company(self.other_company)
            .create({"company_id": self.other_company.id, "time_limit": self.TIME_LIMIT})
        )
        run = self.env["med.aps.run"].create(
            {
                "production_ids": [Command.set(self.productions.ids)],
                "time_limit": self.TIME_LIMIT,
                "workers": 1,
            }
        )
        self.env["med.aps.run"]._cron_process_queued_runs()
        self.assertEqual((run.state, run.attempt_count), ("done", 1), run.failure_reason)
        self.assertEqual((waiting.state, waiting.attempt_count), ("queued", 0))

    def test_an_interrupted_run_fails_with_its_reason(self):
        stale = self.env["med.aps.run"].create({"time_limit": self.TIME_LIMIT})
        stale.sudo().write({"state": "running", "attempt_count": 1})
        self._run(self.productions)
        self.assertEqual(stale.state, "failed")
        self.assertEqual(
            stale.failure_reason,
            "The run was interrupted (server restart or crash); nothing was written.",
        )

    def test_cancel_and_retry_need_a_planner_over_rpc(self):
        queued = self.env["med.aps.run"].create(
            {"production_ids": [Command.set(self.mo_1.ids)], "time_limit": self.TIME_LIMIT}
        )
        failed = self.env["med.aps.run"].create({"time_limit": self.TIME_LIMIT})
        failed.sudo().write({"state": "failed", "failure_reason": "crash"})
        runs = self.env["med.aps.run"].search([])
        for method, run in (("action_cancel", queued), ("action_retry", failed)):
            with self.assertRaises(Fault) as refusal:
                self.rpc(self.aps_user, "med.aps.run", method, [run.id])
            self.assertIn("Only APS planners", refusal.exception.faultString)
        for vals in ({"state": "queued"}, {"attempt_count": 0}):
            with self.assertRaises(Fault) as refusal:
                self.rpc(self.planner, "med.aps.run", "write", [failed.id], vals)
            self.assertIn("written by the run itself", refusal.exception.faultString)
        self.env.invalidate_all()
        self.assertEqual((queued.state, failed.state), ("queued", "failed"))
        self.assertEqual(self.env["med.aps.run"].search([]), runs, "no run was queued")
        # the planner may
        self.rpc(self.planner, "med.aps.run", "action_cancel", [queued.id])
        self.rpc(self.planner, "med.aps.run", "action_retry", [failed.id])
        self.env.invalidate_all()
        self.assertEqual(queued.state, "cancelled")
        retried = self.env["med.aps.run"].search([]) - runs
        self.assertEqual((retried.state, retried.user_id), ("queued", self.planner))
