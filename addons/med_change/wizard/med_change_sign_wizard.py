from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.med_change_request import APPROVALS

ROLES = [("engineering", "Engineering Approval"), ("quality", "QA Approval")]


class MedChangeSignWizard(models.TransientModel):
    """Approve a change request with an electronic signature.

    The signature mechanism of Quality Release (``med.signature``): password again at every
    signing (passed in the button's context, never stored, failures logged and locked out
    after repeated attempts), a meaning that follows from the role, a comment, the signed
    content hashed and sealed in the audit trail's hash chain. The role's group is checked
    on the server at every step; the record's state decides whether it can be signed.
    """

    _name = "med.change.sign.wizard"
    _description = "Approve Change Request"

    change_id = fields.Many2one("med.change.request", required=True, readonly=True)
    role = fields.Selection(ROLES, required=True, readonly=True)
    printed_name = fields.Char(
        string="Signer", readonly=True, default=lambda self: self.env.user.name
    )
    comment = fields.Text()
    password = fields.Char(store=False)
    statement = fields.Text(compute="_compute_statement")

    @api.depends("role", "change_id", "printed_name")
    def _compute_statement(self):
        meanings = dict(
            self.env["med.signature"]._fields["meaning"]._description_selection(self.env)
        )
        for wizard in self:
            meaning = APPROVALS[wizard.role][1] if wizard.role else False
            wizard.statement = self.env._(
                "I, %(name)s, sign %(record)s with the meaning '%(meaning)s'. This electronic "
                "signature is the legally binding equivalent of my handwritten signature.",
                name=wizard.printed_name,
                record=wizard.change_id.display_name,
                meaning=meanings.get(meaning, ""),
            )

    @api.model
    def _med_check_rights(self, role):
        if role not in APPROVALS:
            raise UserError(self.env._("Unknown approval %(role)s.", role=role))
        if not self.env.user.has_group(APPROVALS[role][2]):
            if role == "engineering":
                raise AccessError(
                    self.env._("Only an Engineering approver can sign the engineering approval.")
                )
            raise AccessError(self.env._("Only a QA Manager can sign the QA approval."))

    @api.model
    def _med_open(self, request, role):
        self._med_check_rights(role)
        request._med_check_can_sign(role)
        wizard = self.create({"change_id": request.id, "role": role})
        return {
            "type": "ir.actions.act_window",
            "name": dict(self._fields["role"]._description_selection(self.env))[role],
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._med_check_rights(vals.get("role"))
        return super().create(vals_list)

    def action_sign(self):
        self.ensure_one()
        return self._med_sign(self.env.context.get("password"), self.comment)

    def _med_sign(self, password, comment):
        """Full signing protocol; also used by tests and scripts."""
        self.ensure_one()
        self._med_check_rights(self.role)
        request = self.change_id.exists()
        if not request:
            raise UserError(self.env._("The change request to sign no longer exists."))
        request._med_check_can_sign(self.role)
        if not (comment or "").strip():
            raise UserError(
                self.env._("A comment is required to sign %(record)s.", record=request.display_name)
            )
        meaning = APPROVALS[self.role][1]
        signatures = self.env["med.signature"]
        signatures._med_authenticate(password, request, meaning)
        signature = signatures._med_sign(request, meaning, comment, request._med_signed_content())
        request._med_apply_signature(self.role, signature)
        return {"type": "ir.actions.act_window_close"}
