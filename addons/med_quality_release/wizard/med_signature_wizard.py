from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.med_signature import MEANINGS

ACTIONS = [
    ("release", "Release Lot"),
    ("reject", "Reject Lot"),
    ("close_nc", "Close Nonconformance"),
    ("review_nc", "Review Nonconformance"),
    ("spc_baseline", "Freeze SPC Baseline"),
    ("close_capa", "Close CAPA"),
]
ACTION_MEANING = {
    "release": "released",
    "reject": "rejected",
    "close_nc": "closed",
    "review_nc": "reviewed",
    "spc_baseline": "spc_approved",
    "close_capa": "closed",
}
ACTION_MODEL = {
    "release": "stock.lot",
    "reject": "stock.lot",
    "close_nc": "med.quality.nonconformance",
    "review_nc": "med.quality.nonconformance",
    "spc_baseline": "med.quality.point",
    "close_capa": "med.capa",
}


class MedSignatureWizard(models.TransientModel):
    """Sign a record: password again at every signing, meaning and comment.

    The password is never stored: the field is not stored and its value is
    passed in the context of the button (like Odoo's identity check). It is
    only ever *checked*: a missing or wrong password is refused and logged,
    whatever else the caller puts in the context. The meaning follows from
    the action and cannot be chosen by the caller.
    """

    _name = "med.signature.wizard"
    _description = "Electronic Signature"

    action = fields.Selection(ACTIONS, required=True, readonly=True)
    res_model = fields.Char(string="Model", required=True, readonly=True)
    res_id = fields.Integer(string="Record ID", required=True, readonly=True)
    record_name = fields.Char(string="Record", readonly=True)
    meaning = fields.Selection(MEANINGS, compute="_compute_meaning")
    printed_name = fields.Char(
        string="Signer", readonly=True, default=lambda self: self.env.user.name
    )
    comment = fields.Text()
    password = fields.Char(store=False)
    statement = fields.Text(compute="_compute_statement")

    @api.depends("action")
    def _compute_meaning(self):
        for wizard in self:
            wizard.meaning = ACTION_MEANING.get(wizard.action)

    @api.depends("meaning", "record_name", "printed_name")
    def _compute_statement(self):
        meanings = dict(self._fields["meaning"]._description_selection(self.env))
        for wizard in self:
            wizard.statement = self.env._(
                "I, %(name)s, sign %(record)s with the meaning '%(meaning)s'. This electronic "
                "signature is the legally binding equivalent of my handwritten signature.",
                name=wizard.printed_name,
                record=wizard.record_name,
                meaning=meanings.get(wizard.meaning, ""),
            )

    @api.model
    def _med_check_rights(self):
        if not self.env.user.has_group("med_quality_release.group_qa_manager"):
            raise AccessError(
                self.env._(
                    "Only a QA Manager can release or reject lots, close nonconformances and "
                    "CAPAs and freeze SPC baselines."
                )
            )

    @api.model
    def _med_open(self, record, action):
        self._med_check_rights()
        record._med_check_can_sign(action)
        wizard = self.create(
            {
                "action": action,
                "res_model": record._name,
                "res_id": record.id,
                "record_name": record.display_name,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": dict(self._fields["action"]._description_selection(self.env))[action],
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_sign(self):
        self.ensure_one()
        self._med_check_rights()
        if ACTION_MODEL[self.action] != self.res_model:
            raise UserError(self.env._("This signature does not match the signed record."))
        record = self.env[self.res_model].browse(self.res_id).exists()
        if not record:
            raise UserError(self.env._("The record to sign no longer exists."))
        record.check_access("write")
        return self._med_sign_record(record, self.env.context.get("password"), self.comment)

    def _med_sign_record(self, record, password, comment):
        """Full signing protocol; also used by tests and scripts."""
        self._med_check_rights()
        record._med_check_can_sign(self.action)
        if not (comment or "").strip():
            raise UserError(
                self.env._("A comment is required to sign %(record)s.", record=record.display_name)
            )
        meaning = ACTION_MEANING[self.action]
        signatures = self.env["med.signature"]
        signatures._med_authenticate(password, record, meaning)
        signature = signatures._med_sign(record, meaning, comment, record._med_signed_content())
        record._med_apply_signature(self.action, signature)
        return {"type": "ir.actions.act_window_close"}
