from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.med_job.tests.common import serialization_failure_on


@tagged("post_install", "-at_install")
class TestMedJobMixin(TransactionCase):
    """The mechanism of med.job.mixin on a job model serialized per company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Job = cls.env["test.med.job"]
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Job Test Plant B"})
        cls.cron = cls.env.ref("test_med_job.ir_cron_test_med_job")

    def _job(self, name, company=None, **vals):
        return self.Job.create({"name": name, "company_id": (company or self.company_a).id, **vals})

    def _held_elsewhere(self, key):
        """A session of another worker holding the advisory lock ``key``."""
        session = self.Job._job_lock_session()
        lock_cr = session.__enter__()
        self.addCleanup(session.__exit__, None, None, None)
        self.assertTrue(self.Job._job_try_lock(lock_cr, key))
        return lock_cr

    def test_claim_takes_the_oldest_job_and_holds_its_locks(self):
        first, second = self._job("first"), self._job("second", self.company_b)
        with self.Job._job_lock_session() as lock_cr:
            job, left_waiting = self.Job._job_claim(lock_cr)
            self.assertEqual(job, first)
            self.assertFalse(left_waiting)
            self.assertEqual((job.state, job.attempt_count), ("running", 1))
            self.assertTrue(job.date_started)
            self.assertFalse(self.Job._job_lock_is_free(first._job_lock_key()))
            self.assertTrue(self.Job._job_serial_is_busy(self.company_a.id))
            self.assertFalse(self.Job._job_serial_is_busy(self.company_b.id))
            # another company's job is claimed beside it
            other, _waiting = self.Job._job_claim(lock_cr)
            self.assertEqual(other, second)
        # the session's end releases every lock
        self.assertTrue(self.Job._job_lock_is_free(first._job_lock_key()))
        self.assertFalse(self.Job._job_serial_is_busy(self.company_a.id))

    def test_claim_leaves_the_job_of_a_busy_company_queued(self):
        busy, free = self._job("busy"), self._job("free", self.company_b)
        self._held_elsewhere(self.Job._job_serial_lock_key(self.company_a.id))
        with self.Job._job_lock_session() as lock_cr:
            job, left_waiting = self.Job._job_claim(lock_cr)
            self.assertEqual(job, free)
            self.assertTrue(left_waiting)
            nothing, _waiting = self.Job._job_claim(lock_cr)
            self.assertFalse(nothing)
        self.assertEqual(busy.state, "queued")
        self.assertEqual(busy.attempt_count, 0)

    def test_cron_processes_each_job_once_and_waits_for_a_busy_company(self):
        a1, a2, b1 = self._job("a1"), self._job("a2"), self._job("b1", self.company_b)
        self.Job._job_cron_process()
        self.assertEqual((a1 | a2 | b1).mapped("state"), ["done"] * 3)
        self.assertEqual((a1 | a2 | b1).mapped("attempt_count"), [1, 1, 1])
        self.assertEqual((a1 | a2 | b1).mapped("log"), ["a1;", "a2;", "b1;"])

        waiting = self._job("a3")
        b2 = self._job("b2", self.company_b)
        self._held_elsewhere(self.Job._job_serial_lock_key(self.company_a.id))
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        self.Job._job_cron_process()
        self.assertEqual(b2.state, "done")
        self.assertEqual((waiting.state, waiting.attempt_count, waiting.log), ("queued", 0, False))
        new_triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        self.assertTrue(new_triggers - triggers, "the pool is woken up again for the waiting job")
        # and again in a while: at once only, it would find the company busy again and again
        self.assertGreater(max((new_triggers - triggers).mapped("call_at")), fields.Datetime.now())

    def test_a_job_the_call_has_no_time_left_for_is_the_next_calls_at_once(self):
        """Odoo gives a scheduled action's call some seconds to loop: the job that no
        longer fits in them is taken at once by the next call, not a minute later."""
        first, second = self._job("first"), self._job("second", self.company_b)
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search([("cron_id", "=", self.cron.id)])
        Jobs = type(self.Job)

        def commit(model, processed=0, remaining=None):
            return 5.0 if processed else float("inf")  # 5 s left after the first job

        with (
            patch.object(Jobs, "_job_seconds_needed", lambda job: 60.0),
            patch.object(Jobs, "_job_commit", commit),
        ):
            self.Job._job_cron_process()
        self.assertEqual((first.state, second.state), ("done", "queued"))
        self.assertEqual(second.attempt_count, 0)
        new = Trigger.search([("cron_id", "=", self.cron.id)]) - before
        self.assertTrue(new, "the pool is woken up for the job left")
        self.assertLessEqual(max(new.mapped("call_at")), fields.Datetime.now())

    def test_interrupted_job_queued_again_until_the_attempts_limit(self):
        interrupted = self._job("interrupted")
        interrupted.sudo().write({"state": "running", "attempt_count": 1})
        self.Job._job_cron_process()
        self.assertEqual((interrupted.state, interrupted.attempt_count), ("done", 2))

        stuck = self._job("stuck")
        stuck.sudo().write({"state": "running", "attempt_count": 2})
        self.Job._job_cron_process()
        self.assertEqual(stuck.state, "failed")
        self.assertIn("Interrupted 2 times", stuck.failure_reason)
        self.assertFalse(stuck.log, "a job at the attempts limit is not run again")

    def test_a_job_its_worker_finished_meanwhile_is_not_stale(self):
        """A job seen running that its worker finishes before this call locks it: PostgreSQL
        refuses to lock a row updated since the call's snapshot. The job is left to the
        worker that finished it, and nothing is logged as an error."""
        job = self._job("finishing")
        job.sudo().write({"state": "running", "attempt_count": 1})
        with (
            serialization_failure_on("FOR UPDATE", self.Job._table),
            self.assertNoLogs("odoo.sql_db", "ERROR"),
        ):
            self.assertFalse(self.Job._job_recover_stale())
        self.assertEqual((job.state, job.attempt_count), ("running", 1))

    def test_a_queued_job_changed_since_the_snapshot_is_left_to_the_next_call(self):
        """Another worker claims (or a user changes) a queued job after this call's snapshot:
        PostgreSQL refuses to lock the row in this transaction. The call claims nothing and
        logs no error; the next call, with a new snapshot, sees the job as it is. Real
        sessions (committed), as two workers are."""
        dbname = self.env.cr.dbname
        with sql_db.db_connect(dbname).cursor() as setup_cr:
            job_id = (
                api.Environment(setup_cr, SUPERUSER_ID, {})["test.med.job"]
                .create({"name": "changed meanwhile", "company_id": self.company_a.id})
                .id
            )
            setup_cr.commit()

        def delete_job():
            with sql_db.db_connect(dbname).cursor() as cleanup_cr:
                cleanup_cr.execute("DELETE FROM test_med_job WHERE id = %s", [job_id])
                cleanup_cr.commit()

        self.addCleanup(delete_job)
        with (
            sql_db.db_connect(dbname).cursor() as claiming_cr,
            sql_db.db_connect(dbname).cursor() as other_cr,
        ):
            Jobs = api.Environment(claiming_cr, SUPERUSER_ID, {})["test.med.job"]
            claiming_cr.execute("SELECT 1")  # the claiming call's snapshot: the job is queued
            other_env = api.Environment(other_cr, SUPERUSER_ID, {})
            other_env["test.med.job"].browse(job_id).write({"name": "renamed meanwhile"})
            other_cr.commit()
            with Jobs._job_lock_session() as lock_cr:
                with self.assertNoLogs("odoo.sql_db", "ERROR"):
                    job, left_waiting = Jobs._job_claim(lock_cr)
                self.assertFalse(job)
                self.assertEqual(left_waiting, {"changed"})
                claiming_cr.rollback()
                job, left_waiting = Jobs._job_claim(lock_cr)
                self.assertEqual(job.id, job_id)
                self.assertEqual(
                    (job.name, job.state, job.attempt_count), ("renamed meanwhile", "running", 1)
                )
                self.assertFalse(left_waiting)
                claiming_cr.rollback()

    def test_a_call_that_met_a_changed_job_wakes_the_pool_at_once(self):
        job = self._job("changed meanwhile")
        Jobs = type(self.Job)
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search([("cron_id", "=", self.cron.id)])
        with patch.object(
            Jobs, "_job_claim", lambda model, lock_cr, time_left: (model.browse(), {"changed"})
        ):
            self.Job._job_cron_process()
        self.assertEqual((job.state, job.attempt_count), ("queued", 0))
        new = Trigger.search([("cron_id", "=", self.cron.id)]) - before
        self.assertTrue(new, "the pool is woken up for the changed job")
        self.assertLessEqual(max(new.mapped("call_at")), fields.Datetime.now())

    def test_running_job_of_a_live_worker_is_not_stale(self):
        running = self._job("running")
        running.sudo().write({"state": "running", "attempt_count": 1})
        self._held_elsewhere(running._job_lock_key())
        self.assertFalse(self.Job._job_recover_stale())
        self.Job._job_cron_process()
        self.assertEqual((running.state, running.attempt_count, running.log), ("running", 1, False))

    def test_cancel(self):
        queued, done = self._job("queued"), self._job("done")
        done.sudo().write({"state": "done", "progress": 100.0})
        queued._job_cancel()
        self.assertEqual(queued.state, "cancelled")
        self.assertIn("Cancelled by %s" % self.env.user.name, queued.failure_reason)
        self.assertTrue(queued.date_finished)
        with self.assertRaisesRegex(UserError, "done already finished and cannot be cancelled"):
            (queued | done)._job_cancel()
        self.assertEqual((done.state, done.progress, done.failure_reason), ("done", 100.0, False))
        # a cancelled job is not processed
        self.Job._job_cron_process()
        self.assertFalse(queued.log)

    def test_retry_queues_a_failed_job_again(self):
        failed = self._job("failed", fail_with="disk full")
        self.Job._job_cron_process()
        self.assertEqual((failed.state, failed.failure_reason), ("failed", "disk full"))
        queued = self._job("queued")
        with self.assertRaisesRegex(UserError, "can be queued again: queued"):
            (failed | queued)._job_requeue()
        self.assertEqual(failed.state, "failed")
        failed.fail_with = False
        failed._job_requeue()
        self.assertEqual((failed.state, failed.attempt_count), ("queued", 0))
        self.assertFalse(failed.failure_reason)
        self.assertFalse(failed.date_started)
        self.Job._job_cron_process()
        self.assertEqual((failed.state, failed.attempt_count), ("done", 1))

    def test_users_change_jobs_through_the_checked_actions_only(self):
        user = new_test_user(self.env, "job_reader", groups="base.group_user")
        failed = self._job("failed")
        failed.sudo().write({"state": "failed", "failure_reason": "crash"})
        as_user = failed.with_user(user)
        with mute_logger("odoo.models"):
            with self.assertRaises(AccessError):
                as_user._job_requeue()
            with self.assertRaises(AccessError):
                as_user._job_cancel()
        with self.assertRaisesRegex(AccessError, "are written by the job processing"):
            failed.with_user(self.env.ref("base.user_admin")).write({"state": "queued"})
        with self.assertRaisesRegex(AccessError, "are written by the job processing"):
            self.Job.with_user(self.env.ref("base.user_admin")).create(
                {"name": "forged", "state": "done"}
            )
        self.assertEqual((failed.state, failed.failure_reason), ("failed", "crash"))

    def test_the_pool_is_every_processing_scheduled_action(self):
        second = self.cron.copy({"name": "Test jobs: process (second slot)"})
        self.assertEqual(self.Job._job_crons(), self.cron | second)
        self.Job._job_trigger()
        for cron in self.cron | second:
            self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
