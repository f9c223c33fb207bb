import io
import zipfile
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedTraceCommon


@tagged("post_install", "-at_install")
class TestBackgroundJob(MedTraceCommon):
    """Large exports and recall analyses are queued and run by the scheduled action."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Job = cls.env["med.trace.job"]
        cls.cron = cls.env.ref("med_trace.ir_cron_med_trace_job")

    def setUp(self):
        super().setUp()
        # progress commits are recorded instead of committed (no commit in tests)
        self.commits = []
        job_model = self.Job

        def fake_commit_progress(cron, processed=0, *, remaining=None, deactivate=False):
            running = job_model.sudo().search([("state", "=", "running")])
            self.commits.append([(job.id, job.progress) for job in running])
            return 3600.0

        patcher = patch.object(type(self.env["ir.cron"]), "_commit_progress", fake_commit_progress)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _set_threshold(self, value):
        self.env["ir.config_parameter"].sudo().set_param(
            "med_trace.background_threshold", str(value)
        )

    def _attachment(self, action):
        return self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))

    def _progress_of(self, job):
        return [progress for step in self.commits for job_id, progress in step if job_id == job.id]

    @staticmethod
    def _xlsx_parts(content):
        """Worksheet and strings of an XLSX (its properties hold the creation time)."""
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return {
                name: archive.read(name)
                for name in archive.namelist()
                if name.startswith("xl/") and name.endswith(".xml")
            }

    def test_queued_genealogy_export_same_file_as_immediate(self):
        genealogy = self.env["med.trace.genealogy"].create({"lot_id": self.lot_s1.id})
        size = len(genealogy.line_ids)
        self.assertGreater(size, 3)
        self._set_threshold(size)  # not above the threshold: immediate
        immediate_csv = self._attachment(genealogy.action_export_csv()).raw
        immediate_xlsx = self._attachment(genealogy.action_export_xlsx()).raw
        self.assertIn(self.mo_sub.name, immediate_csv.decode("utf-8-sig"))

        self._set_threshold(size - 1)
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])
        action_csv = genealogy.action_export_csv()
        action_xlsx = genealogy.action_export_xlsx()
        self.assertEqual(action_csv["tag"], "display_notification")
        jobs = self.Job.browse([action_csv["params"]["next"]["res_id"]]) | self.Job.browse(
            action_xlsx["params"]["next"]["res_id"]
        )
        self.assertEqual(jobs.mapped("state"), ["queued", "queued"])
        self.assertEqual(jobs.mapped("size"), [size, size])
        self.assertEqual(jobs.user_id, self.env.user)
        self.assertFalse(jobs.attachment_id)
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)]), triggers
        )

        self.Job._cron_process_jobs()
        self.assertEqual(jobs.mapped("state"), ["done", "done"])
        self.assertEqual(jobs.mapped("progress"), [100.0, 100.0])
        job_csv, job_xlsx = jobs
        self.assertEqual(job_csv.attachment_id.raw, immediate_csv)
        self.assertEqual(job_csv.attachment_id.name, "genealogy-S1.csv")
        self.assertEqual(job_csv.row_count, size)
        self.assertEqual(
            self._xlsx_parts(job_xlsx.attachment_id.raw), self._xlsx_parts(immediate_xlsx)
        )
        # progress was committed step by step, increasing
        progress = self._progress_of(job_csv)
        self.assertEqual(progress, sorted(progress))
        self.assertEqual(progress[:2], [0.0, 10.0])
        self.assertIn(90.0, progress)
        self.assertIn(95.0, progress)
        # the requester is notified and downloads the file from the job
        message = job_csv.message_ids.filtered(lambda msg: "is ready" in str(msg.body))
        self.assertEqual(message.partner_ids, self.env.user.partner_id)
        action = job_csv.action_download()
        self.assertEqual(self._attachment(action), job_csv.attachment_id)

    def test_queued_recall_analysis(self):
        reference = self.env["med.recall.wizard"].create(
            {"mode": "lots", "lot_ids": [(6, 0, self.lot_r1.ids)], "reason": "Resin"}
        )
        reference = self.env["med.recall"].browse(reference.action_compute()["res_id"])
        self.assertTrue(reference.line_ids)

        self._set_threshold(0)
        wizard = self.env["med.recall.wizard"].create(
            {"mode": "lots", "lot_ids": [(6, 0, self.lot_r1.ids)], "reason": "Resin"}
        )
        recall = self.env["med.recall"].browse(wizard.action_compute()["res_id"])
        self.assertFalse(recall.line_ids)
        self.assertTrue(recall.analysis_pending)
        job = recall.job_ids
        self.assertEqual(job.job_type, "recall_analysis")
        self.assertEqual(job.state, "queued")
        with self.assertRaisesRegex(UserError, "still running in the background"):
            recall.action_confirm()
        with self.assertRaisesRegex(UserError, "still running in the background"):
            recall.action_compute()
        self.assertEqual(recall.state, "draft")
        self.assertEqual(len(recall.job_ids), 1)

        self.Job._cron_process_jobs()
        self.assertEqual(job.state, "done")
        self.assertFalse(recall.analysis_pending)

        def key(recall):
            return sorted(
                (line.kind, line.level, line.lot_id.id, line.partner_id.id, line.quantity)
                for line in recall.line_ids
            )

        self.assertEqual(key(recall), key(reference))
        self.assertEqual(job.row_count, len(reference.line_ids))
        self.assertTrue(
            recall.message_ids.filtered(lambda msg: "is done" in str(msg.body)),
            "the recall's chatter says the analysis is done",
        )
        recall.action_confirm()
        self.assertEqual(recall.state, "confirmed")

    def test_failure_recorded_with_reason(self):
        # a customer list of a recall with no delivery: the job fails and says why
        recall = self.env["med.recall"].create(
            {"mode": "lots", "reason": "Resin", "suspect_lot_ids": [(6, 0, self.lot_r1.ids)]}
        )
        job = self.Job._med_enqueue(
            {"job_type": "recall_customers", "recall_id": recall.id, "file_format": "csv"}
        )
        self.Job._cron_process_jobs()
        self.assertEqual(job.state, "failed")
        self.assertIn("no delivery to a customer is affected", job.error)
        self.assertFalse(job.attachment_id)
        self.assertTrue(job.date_done)
        self.assertTrue(
            job.message_ids.filtered(lambda msg: "failed" in str(msg.body)).partner_ids,
            "the requester is notified of the failure",
        )
        with self.assertRaisesRegex(UserError, "has no result file yet"):
            job.action_download()

    def test_failure_midway_rolls_back_the_step(self):
        genealogy = self.env["med.trace.genealogy"].create({"lot_id": self.lot_s1.id})
        self._set_threshold(0)
        job = self.Job.browse(genealogy.action_export_xlsx()["params"]["next"]["res_id"])
        attachments = self.env["ir.attachment"].search_count([])

        def broken_rows(model, graph):
            # work written in the failing step is rolled back
            self.lot_s1.ref = "written by the failing step"
            raise ValueError("disk full")

        with patch.object(type(self.Job), "_med_genealogy_rows", broken_rows):
            self.Job._cron_process_jobs()
        self.assertEqual(job.state, "failed")
        self.assertEqual(job.error, "ValueError: disk full")
        self.assertEqual(self._progress_of(job)[:2], [0.0, 10.0])
        self.assertEqual(job.progress, 10.0, "the progress reached before the failure is kept")
        self.assertFalse(self.lot_s1.ref)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)

        # retried, it runs again from the start
        with self.assertRaisesRegex(UserError, "Only failed jobs can be retried"):
            (
                job
                | self.Job._med_enqueue(
                    {"job_type": "genealogy", "lot_id": self.lot_r1.id, "file_format": "csv"}
                )
            ).action_retry()
        job.action_retry()
        self.assertEqual(job.state, "queued")
        self.assertFalse(job.error)
        self.Job._cron_process_jobs()
        self.assertEqual(job.state, "done")
        self.assertTrue(job.attachment_id.raw.startswith(b"PK"))

    def test_interrupted_job_requeued_then_failed(self):
        job = self.Job._med_enqueue(
            {"job_type": "genealogy", "lot_id": self.lot_r1.id, "file_format": "csv"}
        )
        job.write({"state": "running", "attempt_count": 1})
        self.Job._cron_process_jobs()
        self.assertEqual(job.state, "done")
        self.assertEqual(job.attempt_count, 2)

        stuck = self.Job._med_enqueue(
            {"job_type": "genealogy", "lot_id": self.lot_r1.id, "file_format": "csv"}
        )
        stuck.write({"state": "running", "attempt_count": 3})
        self.Job._cron_process_jobs()
        self.assertEqual(stuck.state, "failed")
        self.assertIn("Interrupted 3 times", stuck.error)

    def test_threshold_parameter_checked(self):
        self._set_threshold("many")
        genealogy = self.env["med.trace.genealogy"].create({"lot_id": self.lot_s1.id})
        with self.assertRaisesRegex(UserError, "med_trace.background_threshold must be a whole"):
            genealogy.action_export_csv()
        self.assertFalse(self.Job.search([("lot_id", "=", self.lot_s1.id)]))

    def test_jobs_visible_to_requester_only(self):
        tracer = self.env["res.users"].create(
            {
                "name": "Tracer",
                "login": "tracer_jobs",
                "group_ids": [(6, 0, [self.env.ref("med_trace.group_trace_user").id])],
            }
        )
        mine = self.Job.with_user(tracer)._med_enqueue(
            {"job_type": "genealogy", "lot_id": self.lot_s1.id, "file_format": "csv"}
        )
        theirs = self.Job._med_enqueue(
            {"job_type": "genealogy", "lot_id": self.lot_s1.id, "file_format": "csv"}
        )
        self.assertEqual(mine.user_id, tracer)
        visible = self.Job.with_user(tracer).search([])
        self.assertIn(mine, visible)
        self.assertNotIn(theirs, visible)
        # run as the requester: the result respects the requester's access
        self.Job._cron_process_jobs()
        self.assertEqual(mine.state, "done")
        self.assertTrue(mine.with_user(tracer).attachment_id.raw)

    def test_finished_jobs_cleaned_up_after_kept_days(self):
        old, recent, queued = (
            self.Job._med_enqueue(
                {"job_type": "genealogy", "lot_id": self.lot_r1.id, "file_format": "csv"}
            )
            for _i in range(3)
        )
        self.Job._cron_process_jobs()
        self.assertEqual((old | recent | queued).mapped("state"), ["done"] * 3)
        queued.write({"state": "queued", "date_done": False})
        file_of_old = old.attachment_id
        self.assertTrue(file_of_old)
        old.date_done = fields.Datetime.subtract(fields.Datetime.now(), days=31)
        queued.create_date = fields.Datetime.subtract(fields.Datetime.now(), days=60)
        self.Job._gc_finished_jobs()
        self.assertFalse(old.exists())
        self.assertFalse(file_of_old.exists(), "the result file goes with its job")
        self.assertTrue(recent.exists())
        self.assertTrue(queued.exists(), "a job not finished is never deleted")

    def test_cancel_a_queued_job_and_a_running_one(self):
        queued = self.Job._med_enqueue(
            {"job_type": "genealogy", "lot_id": self.lot_s1.id, "file_format": "csv"}
        )
        queued.action_cancel()
        self.assertEqual(queued.state, "cancelled")
        self.assertIn("Cancelled by", queued.error)

        running = self.Job._med_enqueue(
            {"job_type": "genealogy", "lot_id": self.lot_s1.id, "file_format": "csv"}
        )
        attachments = self.env["ir.attachment"].search_count([])
        rows_of = type(self.Job)._med_genealogy_rows

        def cancelled_meanwhile(model, graph):
            # a user cancels the job while its worker writes the rows (another transaction)
            running.with_user(self.env.user)._job_cancel()
            running.flush_recordset()
            return rows_of(model, graph)

        with patch.object(type(self.Job), "_med_genealogy_rows", cancelled_meanwhile):
            self.Job._cron_process_jobs()
        self.assertEqual(running.state, "cancelled")
        self.assertFalse(running.attachment_id)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
        self.assertEqual(queued.attempt_count, 0, "a cancelled queued job is never started")
        with self.assertRaisesRegex(UserError, "already finished and cannot be cancelled"):
            running.action_cancel()
        with self.assertRaisesRegex(UserError, "Only failed jobs can be retried"):
            running.action_retry()
