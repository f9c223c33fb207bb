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
    capa_ids = fields.Many2many(
        "med.capa",
        "med_capa_nonconformance_rel",
        "nonconformance_id",
        "capa_id",
        string="CAPAs",
        readonly=True,
        copy=False,
    )

    # Set only by the system: the failed check that opened the NC, its opening
    # date, and the closure applied by the electronic signature.
    _SYSTEM_FIELDS = frozenset(
        {"name", "state", "check_id", "date_open", "date_closed", "closing_signature_id"}
    )
    # Closed and signed: nothing changes any more, superuser included.
    _FROZEN_WHEN_CLOSED = frozenset(
        {
            "lot_id",
            "product_id",
            "check_id",
            "production_id",
            "picking_id",
            "company_id",
            "description",
            "disposition",
            "disposition_note",
            "owner_id",
            "state",
            "date_open",
            "date_closed",
            "closing_signature_id",
        }
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not self.env.su:
                forged = sorted(
                    name for name in self._SYSTEM_FIELDS - {"name", "state"} if vals.get(name)
                )
                if vals.get("state", "open") != "open":
                    forged.append("state")
                if forged:
                    raise UserError(
                        self.env._(
                            "A nonconformance is created open: %(fields)s cannot be set by "
                            "hand, only by the quality check and the closing signature.",
                            fields=", ".join(
                                self._fields[name]._description_string(self.env)
                                for name in sorted(forged)
                            ),
                        )
                    )
                # explicit values: no ``default_*`` context key sets them either
                vals.update(
                    state="open",
                    check_id=False,
                    date_open=fields.Datetime.now(),
                    date_closed=False,
                    closing_signature_id=False,
                )
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("med.quality.nonconformance") or "/"
                )
            if vals.get("lot_id") and not vals.get("product_id"):
                vals["product_id"] = self.env["stock.lot"].browse(vals["lot_id"]).product_id.id
        return super().create(vals_list)

    def write(self, vals):
        changed = {name for name in vals if not name.startswith(("message_", "activity_"))}
        closed = self.filtered(lambda nc: nc.state == "closed")
        if closed and changed & self._FROZEN_WHEN_CLOSED:
            raise UserError(
                self.env._(
                    "Nonconformance %(ncs)s is closed and signed: it can no longer be changed.",
                    ncs=", ".join(closed.mapped("name")),
                )
            )
        if not self.env.su:
            system = sorted(changed & self._SYSTEM_FIELDS)
            if system:
                raise UserError(
                    self.env._(
                        "Nonconformance %(ncs)s: %(fields)s cannot be written by hand; a "
                        "nonconformance is closed only by the electronic signature of a QA "
                        "Manager (Sign and Close).",
                        ncs=", ".join(self.mapped("name")),
                        fields=", ".join(
                            self._fields[name]._description_string(self.env) for name in system
                        ),
                    )
                )
            # a nonconformance stays on its lot: moving it would unblock that lot
            moved = self.filtered(
                lambda nc: (
                    ("lot_id" in vals and nc.lot_id and nc.lot_id.id != vals["lot_id"])
                    or (
                        nc.check_id
                        and changed & {"product_id", "production_id", "picking_id", "company_id"}
                    )
                )
            )
            if moved:
                raise UserError(
                    self.env._(
                        "Nonconformance %(ncs)s cannot be moved to another lot, product or "
                        "document: it stays on %(lots)s until it is closed with a signature.",
                        ncs=", ".join(moved.mapped("name")),
                        lots=", ".join(moved.lot_id.mapped("display_name"))
                        or ", ".join(moved.mapped("name")),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never_signed(self):
        if self.signature_ids or self.filtered(lambda nc: nc.state == "closed"):
            raise UserError(self.env._("A signed or closed nonconformance cannot be deleted."))
        # deleting it would unblock its lot or its failed check without a signature
        blocking = self.filtered(lambda nc: nc.check_id or nc.lot_id)
        if blocking:
            raise UserError(
                self.env._(
                    "Nonconformance %(ncs)s blocks its lot or its failed check: it is closed "
                    "with a signature, never deleted.",
                    ncs=", ".join(blocking.mapped("name")),
                )
            )

    def action_close(self):
        self.ensure_one()
        return self.env["med.signature.wizard"]._med_open(self, "close_nc")

    def action_med_open_capa(self):
        self.ensure_one()
        return self.env["med.capa"]._med_action_for(
            self.capa_ids,
            {
                "title": self.name,
                "problem": self.description,
                "product_id": self.product_id.id,
                "lot_id": self.lot_id.id,
                "nonconformance_ids": [self.id],
            },
        )

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
        """Apply a signature made by ``med.signature.wizard`` (the only way to close)."""
        self.ensure_one()
        expected = {"close_nc": "closed", "review_nc": "reviewed"}.get(action)
        if not expected or signature.nonconformance_id != self or signature.meaning != expected:
            raise UserError(
                self.env._(
                    "Nonconformance %(nc)s: the signature %(signature)s does not sign this "
                    "action on it.",
                    nc=self.name,
                    signature=signature.display_name,
                )
            )
        if action == "close_nc":
            self.sudo().write(
                {
                    "state": "closed",
                    "date_closed": signature.signed_at,
                    "closing_signature_id": signature.id,
                }
            )
        self.message_post(body=signature._med_summary())
