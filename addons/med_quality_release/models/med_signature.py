import hashlib
import json

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessDenied, UserError

MEANINGS = [
    ("released", "Released"),
    ("rejected", "Rejected"),
    ("reviewed", "Reviewed"),
    ("closed", "Closed"),
    ("spc_approved", "SPC Baseline Approved"),
]


def canonical_json(data):
    """Canonical JSON (sorted keys, no whitespace, UTF-8) used for the content hash."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


class MedSignature(models.Model):
    """Electronic signature (21 CFR Part 11 §11.50, §11.70, §11.200).

    Written once by :meth:`_med_sign`; immutable afterwards (ORM and database).
    """

    _name = "med.signature"
    _description = "Electronic Signature"
    _inherit = ["med.immutable.mixin"]
    _order = "signed_at desc, id desc"
    _med_chain = "audit_trail"

    res_model = fields.Char(string="Signed Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Signed Record", model_field="res_model", required=True, readonly=True
    )
    record_name = fields.Char(string="Signed Record Name", required=True, readonly=True)
    lot_id = fields.Many2one("stock.lot", readonly=True, index=True, ondelete="restrict")
    nonconformance_id = fields.Many2one(
        "med.quality.nonconformance", readonly=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    signer_id = fields.Many2one("res.users", required=True, readonly=True, ondelete="restrict")
    printed_name = fields.Char(required=True, readonly=True)
    signed_at = fields.Datetime(string="Signed on (UTC)", required=True, readonly=True)
    signer_tz = fields.Char(string="Time Zone", required=True, readonly=True)
    signed_at_local = fields.Char(string="Signed on (Local Time)", required=True, readonly=True)
    meaning = fields.Selection(MEANINGS, required=True, readonly=True)
    comment = fields.Text(required=True, readonly=True)
    content_json = fields.Text(string="Signed Content", required=True, readonly=True)
    content_hash = fields.Char(string="SHA-256 of Signed Content", required=True, readonly=True)
    hash_valid = fields.Boolean(
        string="Content Hash Verified",
        compute="_compute_hash_valid",
        help="Compares the stored hash with the stored content of this row only, which "
        "someone who can rewrite the row can keep consistent: tampering is detected by "
        "Audit > Verify Audit Trail (hash chain).",
    )

    @api.depends("content_json", "content_hash")
    def _compute_hash_valid(self):
        for signature in self:
            signature.hash_valid = (
                hashlib.sha256((signature.content_json or "").encode()).hexdigest()
                == signature.content_hash
            )

    @api.depends("printed_name", "meaning", "signed_at_local")
    def _compute_display_name(self):
        meanings = dict(self._fields["meaning"]._description_selection(self.env))
        for signature in self:
            signature.display_name = self.env._(
                "%(meaning)s by %(name)s on %(date)s",
                meaning=meanings.get(signature.meaning, ""),
                name=signature.printed_name,
                date=signature.signed_at_local,
            )

    def _med_summary(self):
        self.ensure_one()
        return self.env._(
            "Electronic signature: %(signature)s. Comment: %(comment)s. SHA-256: %(hash)s",
            signature=self.display_name,
            comment=self.comment,
            hash=self.content_hash,
        )

    @api.model
    def _med_authenticate(self, password, record, meaning):
        """Check the signer's password; log and refuse a failed attempt.

        Like Odoo's login cooldown (``base.login_cooldown_after`` failures,
        then ``base.login_cooldown_duration`` seconds), but per signer and
        counted from the failed attempts in the database, so it holds across
        workers and restarts: during the cooldown even the right password is
        refused. The failed attempt is written through a separate cursor so
        that it is committed although the signing transaction is rolled back.
        """
        user = self.env.user
        attempts = self.env["med.signature.attempt"]
        last_success = (
            self.sudo()
            .search([("signer_id", "=", user.id)], order="signed_at desc", limit=1)
            .signed_at
        )
        remaining = attempts._med_cooldown_remaining(user, last_success)
        if remaining:
            attempts._med_log_failure(
                record, meaning, self.env._("signing locked after repeated failures"), "locked"
            )
            raise UserError(
                self.env._(
                    "Signature refused for %(record)s: signing is locked for %(user)s after "
                    "repeated wrong passwords. Try again in %(seconds)s seconds; the QA "
                    "Managers have been notified.",
                    record=record.display_name,
                    user=user.name,
                    seconds=remaining,
                )
            )
        try:
            user._check_credentials(
                {"type": "password", "password": password or ""}, {"interactive": True}
            )
        except AccessDenied:
            attempts._med_log_failure(
                record, meaning, self.env._("wrong password"), "password", last_success
            )
            raise UserError(
                self.env._(
                    "Signature refused for %(record)s: the password of %(user)s is not correct. "
                    "The failed attempt has been logged.",
                    record=record.display_name,
                    user=user.name,
                )
            ) from None

    @api.model
    def _med_sign(self, record, meaning, comment, content):
        """Create the signature of ``record`` (password already verified)."""
        # the field's selection: other addons add their meanings with ``selection_add``
        if meaning not in dict(self._fields["meaning"].selection):
            raise UserError(
                self.env._(
                    "Unknown signature meaning %(meaning)s for %(record)s.",
                    meaning=meaning,
                    record=record.display_name,
                )
            )
        if not (comment or "").strip():
            raise UserError(
                self.env._("A comment is required to sign %(record)s.", record=record.display_name)
            )
        user = self.env.user
        now = fields.Datetime.now()
        tz_name = user.tz or "UTC"
        try:
            tz = pytz.timezone(tz_name)
        except pytz.UnknownTimeZoneError:
            tz_name, tz = "UTC", pytz.utc
        local = pytz.utc.localize(now).astimezone(tz)
        content = dict(
            content,
            signer=user.login,
            printed_name=user.name,
            meaning=meaning,
            comment=comment,
            signed_at_utc=fields.Datetime.to_string(now),
            tz=tz_name,
        )
        content_json = canonical_json(content)
        return self.sudo().create(
            {
                "res_model": record._name,
                "res_id": record.id,
                "record_name": record.display_name,
                "lot_id": record.id
                if record._name == "stock.lot"
                else record.lot_id.id
                if "lot_id" in record._fields
                else False,
                "nonconformance_id": record.id
                if record._name == "med.quality.nonconformance"
                else False,
                "company_id": (record.company_id or self.env.company).id,
                "signer_id": user.id,
                "printed_name": user.name,
                "signed_at": now,
                "signer_tz": tz_name,
                "signed_at_local": local.strftime("%Y-%m-%d %H:%M:%S %Z (UTC%z)"),
                "meaning": meaning,
                "comment": comment,
                "content_json": content_json,
                "content_hash": hashlib.sha256(content_json.encode()).hexdigest(),
            }
        )
