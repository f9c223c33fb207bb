import logging

from odoo import SUPERUSER_ID, api, fields, models

_logger = logging.getLogger(__name__)


class MedSignatureAttempt(models.Model):
    """Failed electronic signature attempts (21 CFR Part 11 §11.300(d)).

    Rows are committed through their own cursor: they survive the rollback of
    the refused action. They keep plain references (no foreign keys) because
    the signed record may not be committed yet.
    """

    _name = "med.signature.attempt"
    _description = "Failed Signature Attempt"
    _inherit = ["med.immutable.mixin"]
    _order = "id desc"
    _rec_name = "user_login"

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    user_ref = fields.Integer(string="User ID", readonly=True)
    user_login = fields.Char(string="Login", required=True, readonly=True)
    user_name = fields.Char(string="User", readonly=True)
    company_ref = fields.Integer(string="Company ID", readonly=True, index=True)
    res_model = fields.Char(string="Model", readonly=True)
    res_ref = fields.Integer(string="Record ID", readonly=True)
    record_name = fields.Char(string="Record", readonly=True)
    meaning = fields.Char(readonly=True)
    reason = fields.Char(required=True, readonly=True)
    remote_addr = fields.Char(string="IP Address", readonly=True)

    @api.model
    def _med_log_failure(self, record, meaning, reason):
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
            "remote_addr": request.httprequest.remote_addr if request else False,
        }
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env[self._name].create(values)
        _logger.warning(
            "Failed electronic signature by %s on %s,%s (%s)",
            values["user_login"],
            values["res_model"],
            values["res_ref"],
            reason,
        )
