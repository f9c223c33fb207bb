from xmlrpc.client import Fault

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import MedTraceCommon


@tagged("post_install", "-at_install")
class TestBackgroundJobSecurity(MedTraceCommon, HttpCase):
    """Cancel and retry of traceability jobs attacked over XML-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tracer = new_test_user(
            cls.env, "job_tracer", groups="med_trace.group_trace_user", password="job_tracer"
        )
        cls.other_tracer = new_test_user(
            cls.env, "job_tracer_2", groups="med_trace.group_trace_user", password="job_tracer_2"
        )
        cls.clerk = new_test_user(
            cls.env, "job_clerk", groups="stock.group_stock_user", password="job_clerk"
        )
        Job = cls.env["med.trace.job"]
        cls.failed = Job.with_user(cls.tracer)._med_enqueue(
            {"job_type": "genealogy", "lot_id": cls.lot_s1.id, "file_format": "csv"}
        )
        cls.failed.sudo().write({"state": "failed", "error": "crash", "attempt_count": 3})
        cls.queued = Job.with_user(cls.tracer)._med_enqueue(
            {"job_type": "genealogy", "lot_id": cls.lot_s1.id, "file_format": "csv"}
        )

    def rpc(self, user, method, job, *args):
        with mute_logger("odoo.addons.rpc.controllers.xmlrpc", "odoo.http"):
            return self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                user.id,
                user.login,
                "med.trace.job",
                method,
                [job.ids, *args],
            )

    def _states(self):
        self.env.invalidate_all()
        return (self.failed | self.queued).read(["state", "error", "attempt_count"])

    def test_only_the_requester_or_a_manager_cancels_and_retries(self):
        before = self._states()
        for user in (self.other_tracer, self.clerk):
            for method, job in (("action_retry", self.failed), ("action_cancel", self.queued)):
                with self.assertRaises(Fault, msg=f"{user.login} {method}") as refusal:
                    self.rpc(user, method, job)
                self.assertRegex(refusal.exception.faultString, "AccessError|not allowed|access")
        # nobody writes a job's state directly, not even its requester
        for vals in ({"state": "queued"}, {"attempt_count": 0}, {"state": "cancelled"}):
            with self.assertRaises(Fault) as refusal:
                self.rpc(self.tracer, "write", self.failed, vals)
            self.assertIn("written by the job processing", refusal.exception.faultString)
        self.assertEqual(self._states(), before)

        self.rpc(self.tracer, "action_retry", self.failed)
        self.rpc(self.tracer, "action_cancel", self.queued)
        self.env.invalidate_all()
        self.assertEqual((self.failed.state, self.failed.attempt_count), ("queued", 0))
        self.assertEqual(self.queued.state, "cancelled")
