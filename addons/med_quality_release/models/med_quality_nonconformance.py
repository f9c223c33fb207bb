from odoo import api, fields, models
from odoo.exceptions import UserError

DISPOSITIONS = [
    ("rework", "Rework"),
    ("scrap", "Scrap"),
    ("use_as_is", "Use As Is"),
    ("return", "Return to Supplier"),
]


class MedQualityNonconformance(models.Model):
    _name = "med.quality.nonconformance"
    _description = "Nonconformance"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        [("open", "Open"), ("closed", "Closed")],
        default="open",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    lot_id = fields.Many2one("stock.lot", index=True, check_company=True, tracking=True)
    product_id = fields.Many2one("product.product", index=True)
    check_id = fields.Many2one("med.quality.check", string="Quality Check", readonly=True)
    production_id = fields.Many2one("mrp.production", string="Manufacturing Order")
    picking_id = fields.Many2one("stock.picking", string="Receipt")
    description = fields.Text(required=True)
    disposition = fields.Selection(DISPOSITIONS, tracking=True)
    disposition_note = fields.Text(string="Disposition Justification")
    owner_id = fields.Many2one("res.users", default=lambda self: self.env.user, tracking=True)
    date_open = fields.Datetime(
        string="Opened on", default=fields.Datetime.now, required=True, readonly=True
    )
    date_closed = fields.Datetime(string="Closed on", readonly=True, copy=False)
    signature_ids = fields.One2many("med.signature", "nonconformance_id", string="Signatures")
    closing_signature_id = fields.Many2one("med.signature", readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("med.quality.nonconformance") or "/"
                )
            if vals.get("lot_id") and not vals.get("product_id"):
                vals["product_id"] = self.env["stock.lot"].browse(vals["lot_id"]).product_id.id
        return super().create(vals_list)

    def write(self, vals):
        protected = {"lot_id", "description", "disposition", "disposition_note", "check_id"}
        if protected & set(vals) and self.filtered(lambda nc: nc.state == "closed"):
            raise UserError(
                self.env._(
                    "Nonconformance %(ncs)s is closed and signed: it can no longer be changed.",
                    ncs=", ".join(self.filtered(lambda nc: nc.state == "closed").mapped("name")),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never_signed(self):
        if self.signature_ids or self.filtered(lambda nc: nc.state == "closed"):
            raise UserError(self.env._("A signed or closed nonconformance cannot be deleted."))

    def action_close(self):
        self.ensure_one()
        return self.env["med.signature.wizard"]._med_open(self, "close_nc")

    def action_review(self):
        self.ensure_one()
        return self.env["med.signature.wizard"]._med_open(self, "review_nc")

    # ------------------------------------------------------------------
    # Electronic signature protocol (see med.signature.wizard)
    # ------------------------------------------------------------------

    def _med_check_can_sign(self, action):
        self.ensure_one()
        if self.state == "closed":
            raise UserError(self.env._("Nonconformance %(nc)s is already closed.", nc=self.name))
        if action == "close_nc":
            missing = []
            if not self.disposition:
                missing.append(self.env._("a disposition"))
            if not self.owner_id:
                missing.append(self.env._("an owner"))
            if missing:
                raise UserError(
                    self.env._(
                        "Nonconformance %(nc)s cannot be closed without %(missing)s.",
                        nc=self.name,
                        missing=self.env._(" and ").join(missing),
                    )
                )

    def _med_signed_content(self):
        self.ensure_one()
        return {
            "model": self._name,
            "id": self.id,
            "name": self.name,
            "lot": self.lot_id.name or None,
            "product": self.product_id.display_name or None,
            "check": self.check_id.name or None,
            "description": self.description,
            "disposition": self.disposition or None,
            "disposition_note": self.disposition_note or None,
            "owner": self.owner_id.name or None,
        }

    def _med_apply_signature(self, action, signature):
        self.ensure_one()
        if action == "close_nc":
            self.write(
                {
                    "state": "closed",
                    "date_closed": signature.signed_at,
                    "closing_signature_id": signature.id,
                }
            )
        self.message_post(body=signature._med_summary())
