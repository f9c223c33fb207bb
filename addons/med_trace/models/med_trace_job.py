import base64
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.med_job.models.med_job_mixin import JobCancelled

from ..tools.export import rows_to_csv, rows_to_xlsx

_logger = logging.getLogger(__name__)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# System parameter: above this many genealogy links (or recall lines), an
# export or a recall analysis runs in the background.
THRESHOLD_PARAM = "med_trace.background_threshold"
DEFAULT_THRESHOLD = 2000
# Rows converted between two progress commits.
CHUNK_SIZE = 500
# A job interrupted this many times (worker killed) is marked as failed.
MAX_ATTEMPTS = 3
# System parameter: finished jobs (and their files) are deleted after this many days.
KEEP_DAYS_PARAM = "med_trace.background_job_days"
DEFAULT_KEEP_DAYS = 30


class MedTraceJob(models.Model):
    """A traceability job run by a scheduled action instead of an HTTP request.

    Large genealogy exports, recall impact analyses and recall customer lists
    are queued as jobs; the scheduled action ``med_trace.ir_cron_med_trace_job``
    processes them, commits its progress as it goes and notifies the requester.
    """

    _name = "med.trace.job"
    _description = "Traceability Background Job"
    _inherit = ["mail.thread", "med.job.mixin"]
    _job_cron_method = "_cron_process_jobs"
    _job_max_attempts = MAX_ATTEMPTS
    _job_started_field = "date_start"
    _job_finished_field = "date_done"
    _job_failure_field = "error"
    _job_step_field = "progress_note"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    job_type = fields.Selection(
        [
            ("genealogy", "Genealogy Export"),
            ("recall_analysis", "Recall Impact Analysis"),
            ("recall_customers", "Recall Customer List"),
        ],
        string="Type",
        required=True,
        readonly=True,
    )
    file_format = fields.Selection([("xlsx", "XLSX"), ("csv", "CSV")], readonly=True)
    lot_id = fields.Many2one(
        "stock.lot",
        string="Lot/Serial Number",
        readonly=True,
        ondelete="cascade",
        check_company=True,
        index="btree_not_null",
    )
    recall_id = fields.Many2one(
        "med.recall", readonly=True, ondelete="cascade", check_company=True, index="btree_not_null"
    )
    # the states of med.job.mixin, tracked in the chatter
    state = fields.Selection(tracking=True)
    progress = fields.Float(string="Progress (%)", digits=(5, 1))
    progress_note = fields.Char(string="Step", readonly=True)
    size = fields.Integer(
        readonly=True,
        help="Genealogy links or recall lines counted when the job was requested; above the "
        "threshold of the system parameter med_trace.background_threshold a job runs in "
        "the background. The links of a recall analysis are counted up to the threshold + 1.",
    )
    row_count = fields.Integer(string="Rows", readonly=True)
    attempt_count = fields.Integer(string="Attempts", readonly=True)
    error = fields.Text(string="Failure Reason", readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="Result File", readonly=True)
    attachment_name = fields.Char(related="attachment_id.name", string="File Name")
    user_id = fields.Many2one(
        "res.users",
        string="Requested By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
        index=True,
    )
    date_start = fields.Datetime(string="Started On", readonly=True)
    date_done = fields.Datetime(string="Finished On", readonly=True)

    @api.constrains("job_type", "lot_id", "recall_id", "file_format")
    def _check_target(self):
        for job in self:
            if job.job_type == "genealogy" and not job.lot_id:
                raise ValidationError(
                    self.env._("Job %(job)s: a genealogy export needs a lot.", job=job.name)
                )
            if job.job_type != "genealogy" and not job.recall_id:
                raise ValidationError(
                    self.env._("Job %(job)s: a recall job needs a recall.", job=job.name)
                )
            if job.job_type != "recall_analysis" and not job.file_format:
                raise ValidationError(
                    self.env._("Job %(job)s: an export needs a file format.", job=job.name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        jobs = super().create(vals_list)
        for job in jobs.filtered(lambda rec: rec.name == "/"):
            job.name = job._med_default_name()
        return jobs

    def _med_default_name(self):
        self.ensure_one()
        types = dict(self._fields["job_type"]._description_selection(self.env))
        target = self.lot_id.display_name or self.recall_id.name or ""
        name = "%s %s" % (types[self.job_type], target)
        if self.file_format:
            name += " (%s)" % self.file_format.upper()
        return name

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_download(self):
        self.ensure_one()
        if self.state != "done" or not self.attachment_id:
            raise UserError(self.env._("Job %(job)s has no result file yet.", job=self.name))
        return {
            "type": "ir.actions.act_url",
            "url": "/web/content/%s?download=true" % self.attachment_id.id,
            "target": "self",
        }

    def action_retry(self):
        not_failed = self.filtered(lambda job: job.state != "failed")
        if not_failed:
            raise UserError(
                self.env._(
                    "Only failed jobs can be retried: %(jobs)s",
                    jobs=", ".join(not_failed.mapped("name")),
                )
            )
        return self._job_requeue()

    def action_cancel(self):
        """Cancel queued or running jobs; a running job stops at its next progress step."""
        return self._job_cancel()

    def action_open_target(self):
        self.ensure_one()
        record = self.recall_id or self.lot_id
        return record._get_records_action()

    # ------------------------------------------------------------------
    # Queueing
    # ------------------------------------------------------------------
    @api.model
    def _med_threshold(self):
        value = self.env["ir.config_parameter"].sudo().get_param(THRESHOLD_PARAM, DEFAULT_THRESHOLD)
        try:
            return max(int(value), 0)
        except (TypeError, ValueError):
            raise UserError(
                self.env._(
                    "The system parameter %(param)s must be a whole number, not '%(value)s'.",
                    param=THRESHOLD_PARAM,
                    value=value,
                )
            ) from None

    @api.model
    def _med_is_large(self, size):
        """Whether work of ``size`` links/lines must run in the background."""
        return size > self._med_threshold()

    @api.model
    def _med_enqueue(self, vals):
        """Create a queued job and wake the scheduled action up."""
        job = self.create(vals)
        job._med_trigger()
        return job

    def _med_trigger(self):
        self._job_trigger()

    def _med_queued_action(self):
        """Client notification telling the user the job runs in the background."""
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Running in the background"),
                "message": self.env._(
                    "%(job)s is large (%(size)s): it runs in the background and you will be "
                    "notified when it is done. Follow it under Traceability > Background Jobs.",
                    job=self.name,
                    size=self._med_size_label(),
                ),
                "type": "info",
                "sticky": False,
                "next": {
                    "type": "ir.actions.act_window",
                    "res_model": self._name,
                    "res_id": self.id,
                    "view_mode": "form",
                    "views": [(False, "form")],
                    "target": "current",
                },
            },
        }

    def _med_size_label(self):
        """How large the job is, as its requester is told."""
        self.ensure_one()
        if self.job_type == "recall_analysis":
            # its links are counted up to the threshold + 1: the count says "above"
            return self.env._("more than %(threshold)s genealogy links", threshold=self.size - 1)
        return self.size

    # ------------------------------------------------------------------
    # File content (shared by the immediate and the background paths)
    # ------------------------------------------------------------------
    @api.model
    def _med_genealogy_file(self, lot, file_format, progress=None, lines=None):
        """Genealogy of ``lot``, both ways, all levels, as a file.

        :param progress: optional callable ``(percent, note)`` called between chunks
        :param lines: the ``med.trace.line`` records of the trace the user has on screen:
            exported as they are (traced afresh when not given)
        :return: ``(file name, content bytes, mimetype, row count)``
        """
        if lines:
            graph = lines._med_graph_rows()
        else:
            graph = [
                (direction, row)
                for direction in ("upstream", "downstream")
                for row in lot._med_trace_graph(direction)
            ]
        if progress:
            progress(10.0, self.env._("Genealogy traced: %(count)s rows", count=len(graph)))
        header = self._med_genealogy_header()
        rows = []
        for start in range(0, len(graph), CHUNK_SIZE):
            rows.extend(self._med_genealogy_rows(graph[start : start + CHUNK_SIZE]))
            if progress:
                progress(
                    10.0 + 80.0 * len(rows) / len(graph),
                    self.env._("%(done)s of %(total)s rows", done=len(rows), total=len(graph)),
                )
        content, mimetype = self._med_render(header, rows, file_format, lot.name)
        return "genealogy-%s.%s" % (lot.name, file_format), content, mimetype, len(rows)

    @api.model
    def _med_genealogy_header(self):
        return [
            self.env._("Direction"),
            self.env._("Level"),
            self.env._("Type"),
            self.env._("Product"),
            self.env._("Lot/Serial Number"),
            self.env._("Lot Reference"),
            self.env._("Linked Lot"),
            self.env._("Quantity"),
            self.env._("Unit"),
            self.env._("Reference"),
            self.env._("Partner"),
            self.env._("From"),
            self.env._("Location"),
            self._med_date_header(),
        ]

    @api.model
    def _med_date_header(self):
        """Header of a date column: the times are in the user's time zone, named."""
        return self.env._("Date (%(tz)s)", tz=self.env.user.tz or "UTC")

    @api.model
    def _med_local_time(self, value):
        """``value`` (UTC) as text in the user's time zone, as the screens show it."""
        if not value:
            return ""
        local = fields.Datetime.context_timestamp(self.with_context(tz=self.env.user.tz), value)
        return local.strftime("%Y-%m-%d %H:%M:%S")

    @api.model
    def _med_genealogy_rows(self, graph):
        """Export rows of ``[(direction, graph row)]`` (names read in batch)."""
        line_model = self.env["med.trace.line"]
        kinds = dict(line_model._fields["kind"]._description_selection(self.env))
        directions = dict(line_model._fields["direction"]._description_selection(self.env))

        def browse(model, key):
            return self.env[model].browse({row[key] for _d, row in graph if row.get(key)})

        # one read per model for the chunk (prefetching)
        lots = browse("stock.lot", "lot_id") | browse("stock.lot", "parent_lot_id")
        products = browse("product.product", "product_id")
        uoms = browse("uom.uom", "uom")
        productions = browse("mrp.production", "production_id")
        unbuilds = browse("mrp.unbuild", "unbuild_id")
        pickings = browse("stock.picking", "picking_id")
        partners = browse("res.partner", "partner_id")
        locations = browse("stock.location", "location_id") | browse(
            "stock.location", "location_src_id"
        )
        lots.mapped("ref")
        products.mapped("display_name")
        locations.mapped("complete_name")
        partners.mapped("display_name")
        for records in (productions, unbuilds, pickings):
            records.mapped("name")

        def name_of(records, record_id, field="name"):
            return records.browse(record_id)[field] or "" if record_id else ""

        rows = []
        for direction, row in graph:
            reference = (
                name_of(productions, row["production_id"])
                or name_of(unbuilds, row["unbuild_id"])
                or name_of(pickings, row["picking_id"])
            )
            rows.append(
                [
                    directions[direction],
                    row["level"],
                    kinds[row["kind"]],
                    name_of(products, row["product_id"], "display_name"),
                    name_of(lots, row["lot_id"]),
                    name_of(lots, row["lot_id"], "ref"),
                    name_of(lots, row["parent_lot_id"]),
                    row["quantity"],
                    name_of(uoms, row["uom"]),
                    reference,
                    name_of(partners, row["partner_id"], "display_name"),
                    name_of(locations, row["location_src_id"], "complete_name"),
                    name_of(locations, row["location_id"], "complete_name"),
                    self._med_local_time(row["date"]),
                ]
            )
        return rows

    @api.model
    def _med_recall_customers_file(self, recall, file_format, progress=None):
        """Customer list of ``recall`` as a file: ``(name, content, mimetype, rows)``."""
        header, rows = recall._med_customer_rows()
        if not rows:
            raise UserError(
                self.env._(
                    "Recall %(recall)s: no delivery to a customer is affected.", recall=recall.name
                )
            )
        if progress:
            progress(80.0, self.env._("%(count)s customer deliveries", count=len(rows)))
        sheet = recall.name.replace("/", "-")
        content, mimetype = self._med_render(header, rows, file_format, sheet)
        return "%s-customers.%s" % (sheet, file_format), content, mimetype, len(rows)

    @api.model
    def _med_render(self, header, rows, file_format, sheet_name):
        if file_format == "csv":
            return rows_to_csv(header, rows), "text/csv"
        return rows_to_xlsx(header, rows, sheet_name=sheet_name), XLSX_MIMETYPE

    @api.autovacuum
    def _gc_finished_jobs(self):
        """Delete the jobs finished (done, failed or cancelled) more than the kept days ago."""
        value = self.env["ir.config_parameter"].sudo().get_param(KEEP_DAYS_PARAM, DEFAULT_KEEP_DAYS)
        try:
            days = int(value)
        except (TypeError, ValueError):
            _logger.warning("System parameter %s is not a number: %r", KEEP_DAYS_PARAM, value)
            return
        if days <= 0:
            return
        limit = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        old = (
            self.sudo()
            .with_context(active_test=False)
            .search([("state", "in", ("done", "failed", "cancelled")), ("date_done", "<", limit)])
        )
        # their result files are attachments of the jobs: deleted with them
        old.unlink()

    # ------------------------------------------------------------------
    # Processing (scheduled action)
    # ------------------------------------------------------------------
    @api.model
    def _cron_process_jobs(self):
        """Run the queued jobs, oldest first, committing progress as it goes (each
        processing scheduled action is one slot of the med.job.mixin)."""
        return self._job_cron_process()

    def _job_execute(self):
        self._med_run()

    def _job_fail(self, reason):
        self._med_fail(reason)

    def _med_run(self):
        """Run one claimed job; its failure is recorded on it (reason) instead of raised."""
        self.ensure_one()
        # the work runs with the requester's access rights and company
        worker = self.with_user(self.user_id).with_company(self.company_id)
        savepoint = [self.env.cr.savepoint()]

        def progress(percent, note):
            # keep the work done so far, record the progress, commit
            savepoint[0].close(rollback=False)
            self.write({"progress": min(percent, 99.0), "progress_note": note})
            self.env["ir.cron"]._commit_progress()
            if self._job_is_cancelled():
                raise JobCancelled()
            savepoint[0] = self.env.cr.savepoint()

        try:
            worker._med_execute(progress)
            savepoint[0].close(rollback=False)
        except JobCancelled:
            _logger.info("Traceability job %s cancelled", self.id)
            self.invalidate_recordset()
            return False
        except Exception as error:  # noqa: BLE001 - any failure is recorded on the job
            savepoint[0].close(rollback=True)
            _logger.info("Traceability job %s failed", self.id, exc_info=True)
            self._med_fail(self._med_error_message(error))
            self.env["ir.cron"]._commit_progress()
            return False
        self._med_notify_done()
        self.env["ir.cron"]._commit_progress()
        return True

    def _med_execute(self, progress):
        self.ensure_one()
        if self.job_type == "recall_analysis":
            recall = self.recall_id
            lines = recall._med_impact_lines()
            progress(60.0, self.env._("%(count)s impact lines found", count=len(lines)))
            recall._med_write_impact(lines)
            self.sudo().write({"row_count": len(lines)})
            return
        if self.job_type == "genealogy":
            # the trace the requester had on screen when asking (the worker runs as them)
            lines = self.env["med.trace.line"].search(
                [("origin_lot_id", "=", self.lot_id.id), ("create_uid", "=", self.env.uid)]
            )
            name, content, mimetype, count = self._med_genealogy_file(
                self.lot_id, self.file_format, progress, lines=lines
            )
        else:
            name, content, mimetype, count = self._med_recall_customers_file(
                self.recall_id, self.file_format, progress
            )
        progress(95.0, self.env._("File written"))
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name,
                    "datas": base64.b64encode(content),
                    "mimetype": mimetype,
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )
        self.sudo().write({"attachment_id": attachment.id, "row_count": count})

    @api.model
    def _med_error_message(self, error):
        if isinstance(error, (UserError, ValidationError)):
            return error.args[0] if error.args else str(error)
        return "%s: %s" % (type(error).__name__, error)

    def _med_fail(self, reason):
        self.write(
            {
                "state": "failed",
                "error": reason,
                "date_done": fields.Datetime.now(),
                "progress_note": False,
            }
        )
        for job in self:
            job.message_post(
                body=self.env._("%(job)s failed: %(reason)s", job=job.name, reason=reason),
                partner_ids=job.user_id.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            if job.recall_id:
                job.recall_id.message_post(
                    body=self.env._("%(job)s failed: %(reason)s", job=job.name, reason=reason)
                )

    def _med_notify_done(self):
        self.ensure_one()
        self.write(
            {
                "state": "done",
                "progress": 100.0,
                "progress_note": False,
                "date_done": fields.Datetime.now(),
            }
        )
        if self.attachment_id:
            body = self.env._(
                "%(job)s is ready: %(file)s (%(rows)s rows).",
                job=self.name,
                file=self.attachment_id.name,
                rows=self.row_count,
            )
        else:
            body = self.env._(
                "%(job)s is done (%(rows)s lines).", job=self.name, rows=self.row_count
            )
        self.message_post(
            body=body,
            partner_ids=self.user_id.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        if self.recall_id:
            self.recall_id.message_post(body=body)
