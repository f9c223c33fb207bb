import datetime
import logging
import random
import time

import psycopg2.errors
from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Odoo's login cooldown parameters as a new database gets them (ir.config_parameter)
DEFAULT_COOLDOWN_AFTER = 10
DEFAULT_COOLDOWN_SECONDS = 60
LOG_TRIES = 5


class MedSignatureAttempt(models.Model):
    """Failed electronic signature attempts (21 CFR Part 11 §11.300(d)).

    Rows are committed through their own cursor: they survive the rollback of
    the refused action. They keep plain references (no foreign keys) because
    the signed record may not be committed yet. They are sealed in their own
    hash chain: the signing transaction may already hold the head of the
    audit-trail chain, which the separate cursor would wait for forever.
    """

    _name = "med.signature.attempt"
    _description = "Failed Signature Attempt"
    _inherit = ["med.immutable.mixin"]
    _order = "id desc"
    _rec_name = "user_login"
    _med_chain = "signature_attempts"

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    user_ref = fields.Integer(string="User ID", readonly=True, index=True)
    user_login = fields.Char(string="Login", required=True, readonly=True)
    user_name = fields.Char(string="User", readonly=True)
    company_ref = fields.Integer(string="Company ID", readonly=True, index=True)
    res_model = fields.Char(string="Model", readonly=True)
    res_ref = fields.Integer(string="Record ID", readonly=True)
    record_name = fields.Char(string="Record", readonly=True)
    meaning = fields.Char(readonly=True)
    reason = fields.Char(required=True, readonly=True)
    # not required, no default: older rows (NULL = wrong password) cannot be updated
    failure_type = fields.Selection(
        [("password", "Wrong Password"), ("locked", "Refused: Signing Locked")],
        readonly=True,
    )
    remote_addr = fields.Char(string="IP Address", readonly=True)

    # ------------------------------------------------------------------
    # Lockout (same parameters as Odoo's login cooldown)
    # ------------------------------------------------------------------

    @api.model
    def _med_cooldown_settings(self):
        """(failures before the lockout, lockout seconds). Odoo's parameters;
        0 or an invalid value does not disable the lockout of signing (§11.300(d))."""
        params = self.env["ir.config_parameter"].sudo()
        values = []
        for key, default in (
            ("base.login_cooldown_after", DEFAULT_COOLDOWN_AFTER),
            ("base.login_cooldown_duration", DEFAULT_COOLDOWN_SECONDS),
        ):
            try:
                value = int(params.get_param(key, default))
            except (TypeError, ValueError):
                value = default
            values.append(value if value > 0 else default)
        return tuple(values)

    @api.model
    def _med_failure_status(self, cr, user_id, since):
        """(wrong passwords of ``user_id`` after ``since``, date of the last one),
        read through ``cr``: the committed attempts, whatever the snapshot of the
        signing transaction."""
        cr.execute(
            SQL(
                "SELECT count(*), max(date) FROM med_signature_attempt "
                "WHERE user_ref = %s AND date > %s "
                "AND (failure_type IS NULL OR failure_type = 'password')",
                user_id,
                since or datetime.datetime.min,
            )
        )
        return cr.fetchone()

    @api.model
    def _med_cooldown_remaining(self, user, last_success):
        """Seconds ``user`` must still wait before signing (0: may sign)."""
        after, seconds = self._med_cooldown_settings()
        with self.env.registry.cursor() as cr:
            failures, last_failure = self._med_failure_status(cr, user.id, last_success)
        if failures < after:
            return 0
        elapsed = (fields.Datetime.now() - last_failure).total_seconds()
        return max(0, int(seconds - elapsed + 0.999))

    # ------------------------------------------------------------------
    # Logging and notification
    # ------------------------------------------------------------------

    @api.model
    def _med_log_failure(self, record, meaning, reason, failure_type="password", since=None):
        """Commit a failed attempt; notify the QA Managers at every
        ``base.login_cooldown_after``-th wrong password since the last signature."""
        from odoo.http import request

        values = {
            "date": fields.Datetime.now(),
            "user_ref": self.env.user.id,
            "user_login": self.env.user.login,
            "user_name": self.env.user.name,
            "company_ref": self.env.company.id,
            "res_model": record._name,
            "res_ref": record.id,
            "record_name": record.display_name,
            "meaning": meaning,
            "reason": reason,
            "failure_type": failure_type,
            "remote_addr": request.httprequest.remote_addr if request else False,
        }
        after, _seconds = self._med_cooldown_settings()
        for attempt in range(1, LOG_TRIES + 1):
            try:
                with self.env.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    env[self._name].create(values)
                    if failure_type == "password":
                        failures, _last = self._med_failure_status(cr, values["user_ref"], since)
                        if failures and failures % after == 0:
                            env[self._name]._med_notify_repeated_failures(values, failures)
                break
            except psycopg2.errors.SerializationFailure:
                # another failure was sealed concurrently: retry on a fresh snapshot
                if attempt == LOG_TRIES:
                    raise
                time.sleep(random.uniform(0.05, 0.2 * attempt))
        _logger.warning(
            "Failed electronic signature by %s on %s,%s (%s)",
            values["user_login"],
            values["res_model"],
            values["res_ref"],
            reason,
        )

    @api.model
    def _med_notify_repeated_failures(self, values, failures):
        """Notify every QA Manager (inbox or e-mail, per their preference)."""
        managers = self.env.ref("med_quality_release.group_qa_manager").all_user_ids.filtered(
            lambda user: user.active and not user.share
        )
        if not managers:
            _logger.warning(
                "No QA Manager to notify of %s failed signatures by %s",
                failures,
                values["user_login"],
            )
            return
        text = self.env._(
            "%(count)s failed electronic signature attempts by %(user)s (%(login)s) since "
            "their last signature, the last one on %(record)s from %(address)s. Signing is "
            "locked for this user for a while; check whether someone else is trying to sign "
            "in their name (21 CFR 11.300(d)).",
            count=failures,
            user=values["user_name"],
            login=values["user_login"],
            record=values["record_name"],
            address=values["remote_addr"] or self.env._("no address"),
        )
        self.env["mail.thread"].message_notify(
            partner_ids=managers.partner_id.ids,
            subject=self.env._(
                "Repeated failed signatures by %(login)s", login=values["user_login"]
            ),
            body=Markup("<p>%s</p>") % text,
        )
