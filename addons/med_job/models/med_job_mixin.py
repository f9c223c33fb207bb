"""Background jobs processed by a pool of identical scheduled actions.

See ``docs/background_jobs.md`` for the design and why it is not OCA ``queue_job``.
"""

import logging
import zlib
from contextlib import contextmanager
from datetime import timedelta

import psycopg2

from odoo import api, fields, models, modules, sql_db
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# a job whose company (or other serial value) is busy is looked at again after this delay,
# unless the worker holding the value wakes the pool up earlier
BUSY_RETRY_MINUTES = 1
# how long a cancel waits for the row of a job that another transaction is writing
CANCEL_LOCK_TIMEOUT = "3s"


class JobCancelled(Exception):
    """Raised by a job's own progress check once a user cancelled it: its work stops."""


class MedJobMixin(models.AbstractModel):
    """A record that is a unit of background work.

    Every active scheduled action whose code calls ``model._job_cron_process()`` of the
    model is one processing slot: several of them process several jobs at once, in as many
    cron workers, each job exactly once. While a job runs, its worker holds a
    session advisory lock keyed by (model, job id) on a connection of its own: the lock dies
    with the worker, so a job left 'running' whose lock is free is stale.

    A model sets ``_job_serial_field`` to run at most one job at a time per value of that
    field (e.g. per company); jobs of different values run in parallel.
    """

    _name = "med.job.mixin"
    _description = "Background Job"

    # the method the processing scheduled actions call (each such action is one slot)
    _job_cron_method = "_job_cron_process"
    # one job at a time per value of this field (None: no serialization)
    _job_serial_field = None
    # a job interrupted (worker killed) this many times is failed instead of queued again
    _job_max_attempts = 3
    # the model's own names of the job's start and end dates, failure reason and step
    _job_started_field = "date_started"
    _job_finished_field = "date_finished"
    _job_failure_field = "failure_reason"
    _job_step_field = "progress_message"

    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("running", "Running"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="queued",
        readonly=True,
        copy=False,
        index=True,
    )
    progress = fields.Float(readonly=True, copy=False, digits=(16, 1))
    attempt_count = fields.Integer(
        "Attempts",
        readonly=True,
        copy=False,
        help="How many times a worker started this job. A job whose worker was stopped "
        "(time or memory limit, crash) is started again until the limit of its kind.",
    )

    # ------------------------------------------------------------------
    # Integrity: the job's processing state is written by the mechanism only
    # ------------------------------------------------------------------
    def _job_control_fields(self):
        return {
            "state",
            "progress",
            "attempt_count",
            self._job_started_field,
            self._job_finished_field,
            self._job_failure_field,
            self._job_step_field,
        }

    def _job_check_control_write(self, names):
        """A user changes a job's state through its actions (cancel, retry) only, never by
        writing it (over RPC or otherwise): the actions check who may do it."""
        if names and not self.env.su:
            raise AccessError(
                self.env._(
                    "%(fields)s of background job(s) %(jobs)s are written by the job "
                    "processing, not by users.",
                    fields=", ".join(
                        self._fields[name]._description_string(self.env) for name in sorted(names)
                    ),
                    jobs=", ".join(self.mapped("display_name")) or self.env._("new job"),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            forged = {
                name
                for name in self._job_control_fields() & set(vals)
                if not (name == "state" and vals[name] == "queued")
            }
            self._job_check_control_write(forged)
        return super().create(vals_list)

    def write(self, vals):
        self._job_check_control_write(self._job_control_fields() & set(vals))
        return super().write(vals)

    # ------------------------------------------------------------------
    # Locks
    # ------------------------------------------------------------------
    @api.model
    def _job_lock_namespace(self, suffix=""):
        """First key of the advisory locks of this model (a positive 32-bit integer)."""
        return zlib.crc32(("%s%s" % (self._name, suffix)).encode()) & 0x7FFFFFFF

    def _job_lock_key(self):
        self.ensure_one()
        return (self._job_lock_namespace(), self.id)

    @api.model
    def _job_serial_lock_key(self, value):
        """Lock key of one value of ``_job_serial_field`` (e.g. of one company)."""
        return (self._job_lock_namespace(":" + self._job_serial_field), value)

    def _job_serial_value(self):
        self.ensure_one()
        if not self._job_serial_field:
            return None
        value = self[self._job_serial_field]
        return value.id if isinstance(value, models.BaseModel) else value

    @api.model
    @contextmanager
    def _job_lock_session(self):
        """A database session of its own that only holds advisory locks.

        Session-level locks outlive the commits of the job's own transaction and are always
        released: explicitly at the end (the connection goes back to the pool), or by
        PostgreSQL when the worker dies with its connection. A real connection, also in test
        mode, where the registry's cursors share the test's connection.
        """
        with sql_db.db_connect(self.env.cr.dbname).cursor() as lock_cr:
            try:
                yield lock_cr
            finally:
                lock_cr.execute("SELECT pg_advisory_unlock_all()")

    @api.model
    def _job_try_lock(self, lock_cr, key):
        lock_cr.execute("SELECT pg_try_advisory_lock(%s, %s)", list(key))
        return lock_cr.fetchone()[0]

    @api.model
    def _job_unlock(self, lock_cr, key):
        lock_cr.execute("SELECT pg_advisory_unlock(%s, %s)", list(key))

    @api.model
    def _job_lock_is_free(self, key):
        """Whether no session holds the lock ``key`` right now."""
        with self._job_lock_session() as lock_cr:
            return self._job_try_lock(lock_cr, key)

    @api.model
    def _job_serial_is_busy(self, value):
        """Whether a job of this serial value (e.g. company) is being processed."""
        return bool(self._job_serial_field) and not self._job_lock_is_free(
            self._job_serial_lock_key(value)
        )

    # ------------------------------------------------------------------
    # Hooks of the concrete model
    # ------------------------------------------------------------------
    def _job_execute(self):
        """Do the job's work; called on a claimed job in the scheduled action."""
        raise NotImplementedError

    def _job_seconds_needed(self):
        """Seconds the job may need: a scheduled action's call with less of its loop time
        left (``_commit_progress``) leaves it to the next call, triggered at once, where it
        is the first job taken."""
        return 0.0

    def _job_commit(self, processed=0, remaining=None):
        """Commit (and report the scheduled action's progress); returns its seconds left."""
        return self.env["ir.cron"]._commit_progress(processed, remaining=remaining)

    def _job_check_control_rights(self):
        """Raise unless the user may cancel or queue these jobs again."""
        self.check_access("write")

    def _job_interrupted_reason(self):
        self.ensure_one()
        return self.env._(
            "Interrupted %(count)s times (the worker was stopped, e.g. by the time or memory "
            "limit); not retried automatically.",
            count=self.attempt_count,
        )

    def _job_fail(self, reason):
        self.sudo().write(
            {
                "state": "failed",
                self._job_failure_field: reason,
                self._job_finished_field: fields.Datetime.now(),
            }
        )

    # ------------------------------------------------------------------
    # Queueing, cancel, retry
    # ------------------------------------------------------------------
    @api.model
    def _job_crons(self):
        """The scheduled actions processing this model's jobs (one slot each)."""
        return (
            self.env["ir.cron"]
            .sudo()
            .search([("model_id.model", "=", self._name), ("code", "like", self._job_cron_method)])
        )

    @api.model
    def _job_trigger(self, at=None):
        """Wake up every processing slot: each claims a different job."""
        crons = self._job_crons()
        if not crons:
            _logger.warning("No active scheduled action processes the jobs of %s", self._name)
        for cron in crons:
            cron._trigger(at)

    def _job_cancel(self):
        """Cancel queued or running jobs; a running one stops at its next check."""
        self._job_check_control_rights()
        finished = self.filtered(lambda job: job.state not in ("queued", "running"))
        if finished:
            raise UserError(
                self.env._(
                    "%(jobs)s already finished and cannot be cancelled.",
                    jobs=", ".join(finished.mapped("display_name")),
                )
            )
        vals = {
            "state": "cancelled",
            self._job_failure_field: self.env._("Cancelled by %s.", self.env.user.name),
            self._job_finished_field: fields.Datetime.now(),
        }
        if modules.module.current_test:
            # a test's transaction is the only one (no worker updates the job meanwhile)
            self.sudo().write(vals)
            return True
        # The worker of a running job commits its progress meanwhile: under REPEATABLE READ,
        # this request's transaction, whose snapshot is older than the worker's last commit,
        # could not write the job. A READ COMMITTED transaction of its own waits for the
        # worker's short progress transaction instead. It is not used for jobs this
        # transaction created or locked (they are not visible or the wait times out), nor
        # for jobs finished meanwhile (this transaction's write then fails and is retried).
        with self.env.registry.cursor() as cr:
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cr.execute("SET LOCAL lock_timeout = %s", [CANCEL_LOCK_TIMEOUT])
            try:
                cr.execute(
                    SQL(
                        "SELECT id FROM %s WHERE id = ANY(%s) "
                        "AND state IN ('queued', 'running') FOR UPDATE",
                        SQL.identifier(self._table),
                        self.ids,
                    ),
                    log_exceptions=False,
                )
                own_transaction = cr.rowcount == len(self)
            except psycopg2.errors.LockNotAvailable:
                own_transaction = False
            if own_transaction:
                self.with_env(self.env(cr=cr)).sudo().write(vals)
        if own_transaction:
            self.invalidate_recordset()
        else:
            self.sudo().write(vals)
        return True

    def _job_requeue(self):
        """Queue failed or cancelled jobs again, with a fresh count of attempts."""
        self._job_check_control_rights()
        not_finished = self.filtered(lambda job: job.state not in ("failed", "cancelled"))
        if not_finished:
            raise UserError(
                self.env._(
                    "Only failed or cancelled jobs can be queued again: %(jobs)s",
                    jobs=", ".join(not_finished.mapped("display_name")),
                )
            )
        self.sudo().write(
            {
                "state": "queued",
                "progress": 0.0,
                "attempt_count": 0,
                self._job_step_field: False,
                self._job_failure_field: False,
                self._job_started_field: False,
                self._job_finished_field: False,
            }
        )
        self._job_trigger()
        return True

    def _job_is_cancelled(self):
        """Read the committed state (call it right after a commit: a fresh snapshot)."""
        self.ensure_one()
        self.flush_recordset(["state"])
        self.env.cr.execute(
            SQL("SELECT state FROM %s WHERE id = %s", SQL.identifier(self._table), self.id)
        )
        row = self.env.cr.fetchone()
        return not row or row[0] == "cancelled"

    # ------------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------------
    @api.model
    def _job_recover_stale(self):
        """Jobs left 'running' whose worker is gone: queue them again, or fail them once they
        reached the attempts limit. Reliable while other workers run other jobs: a running
        job's lock is held by its worker's session until the job's end is committed."""
        stale = self.browse()
        for job in self.sudo().search([("state", "=", "running")]):
            with self._job_lock_session() as lock_cr:
                if not self._job_try_lock(lock_cr, job._job_lock_key()):
                    continue  # its worker is alive
                # holding the lock now, lock the row: a worker that finished the job between
                # the search and the lock has updated it since this call's snapshot, which
                # PostgreSQL refuses to lock (the job is not stale)
                job.flush_recordset(["state"])
                try:
                    with self.env.cr.savepoint(flush=False):
                        self.env.cr.execute(
                            SQL(
                                "SELECT state FROM %s WHERE id = %s FOR UPDATE",
                                SQL.identifier(self._table),
                                job.id,
                            ),
                            log_exceptions=False,
                        )
                        row = self.env.cr.fetchone()
                except psycopg2.errors.SerializationFailure:
                    continue
                job.invalidate_recordset()
                if not row or row[0] != "running":
                    continue
                if job.attempt_count >= self._job_max_attempts:
                    job.with_context(lang=job._job_lang())._job_fail(
                        job.with_context(lang=job._job_lang())._job_interrupted_reason()
                    )
                else:
                    job.write({"state": "queued", "progress": 0.0, self._job_step_field: False})
                stale |= job
        return stale

    def _job_lang(self):
        user = self["user_id"] if "user_id" in self._fields else self.env.user
        return user.lang or self.env.lang

    @api.model
    def _job_claim(self, lock_cr, time_left=float("inf")):
        """Take the oldest queued job that no other worker is taking, whose serial value is
        free and that fits in ``time_left``; mark it running. Its locks are taken on
        ``lock_cr``. Returns the job (or an empty recordset) and why jobs were left
        waiting: a set of ``"serial"`` (a busy serial value), ``"time"`` (not enough
        time left) and ``"changed"`` (a queued job changed since this transaction's
        snapshot), empty when none was."""
        looked_at = []
        left_waiting = set()
        while True:
            self.flush_model(["state"])
            # SKIP LOCKED: a row another worker is claiming is not waited for nor taken
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        SQL(
                            "SELECT id FROM %s WHERE state = 'queued' AND NOT id = ANY(%s) "
                            "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
                            SQL.identifier(self._table),
                            looked_at,
                        ),
                        log_exceptions=False,
                    )
                    row = self.env.cr.fetchone()
            except psycopg2.errors.SerializationFailure:
                # a queued job was changed (claimed by another worker, cancelled) after this
                # transaction's snapshot: PostgreSQL refuses to lock it, and only a call with
                # a new snapshot sees what it is now
                left_waiting.add("changed")
                return self.browse(), left_waiting
            if not row:
                return self.browse(), left_waiting
            job = self.sudo().browse(row[0])
            job.invalidate_recordset()
            looked_at.append(job.id)
            if job._job_seconds_needed() > time_left:
                left_waiting.add("time")
                continue
            serial = job._job_serial_value()
            serial_key = serial is not None and self._job_serial_lock_key(serial)
            if serial_key and not self._job_try_lock(lock_cr, serial_key):
                left_waiting.add("serial")
                continue
            if not self._job_try_lock(lock_cr, job._job_lock_key()):
                # processed synchronously by a transaction that has not committed yet
                if serial_key:
                    self._job_unlock(lock_cr, serial_key)
                continue
            job._job_mark_started()
            return job, left_waiting

    def _job_mark_started(self):
        self.ensure_one()
        self.sudo().write(
            {
                "state": "running",
                "progress": 0.0,
                "attempt_count": self.attempt_count + 1,
                self._job_started_field: fields.Datetime.now(),
                self._job_finished_field: False,
                self._job_failure_field: False,
            }
        )
        self.flush_recordset()

    @api.model
    def _job_cron_process(self):
        """Entry point of the processing scheduled actions: recover stale jobs, then claim
        and run jobs one after the other until none can be claimed or time runs out."""
        model = self.sudo()
        model._job_recover_stale()
        # no count of remaining jobs is reported to the scheduled action: the other slots
        # take some of them, and a slot that finds nothing to claim is done, not stuck
        model._job_commit()
        # the first job is taken whatever the time it needs: it could not run anywhere else
        time_left = float("inf")
        left_waiting = set()
        while True:
            with model._job_lock_session() as lock_cr:
                job, left_waiting = model._job_claim(lock_cr, time_left)
                if not job:
                    break
                # the claim is visible (and the row lock released) before the work starts
                model._job_commit()
                job = job.with_context(lang=job._job_lang())
                job._job_execute()
                time_left = model._job_commit(processed=1)
            if left_waiting:
                # what this job's serial value held back can run now, on any slot
                model._job_trigger()
        if left_waiting & {"time", "changed"}:
            # Odoo gives a call about 10 s of loop time: a job that needs more is the next
            # call's first, at once (a first job is taken whatever the time it needs); a
            # job changed since this call's snapshot is seen by the next call's
            model._job_trigger()
        elif left_waiting:
            model._job_trigger(fields.Datetime.now() + timedelta(minutes=BUSY_RETRY_MINUTES))
