from odoo import api, fields, models
from odoo.exceptions import UserError


class MedLotHold(models.Model):
    _name = "med.lot.hold"
    _description = "Lot Hold"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Lot/Serial Number",
        required=True,
        ondelete="restrict",
        index=True,
        check_company=True,
        tracking=True,
    )
    product_id = fields.Many2one(related="lot_id.product_id", store=True)
    reason = fields.Text(required=True, tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Held By",
        required=True,
        default=lambda self: self.env.user,
        tracking=True,
    )
    date = fields.Datetime(string="Held On", required=True, default=fields.Datetime.now)
    released_by_id = fields.Many2one("res.users", readonly=True, tracking=True)
    release_date = fields.Datetime(string="Released On", readonly=True, tracking=True)
    release_reason = fields.Text(readonly=True, tracking=True)
    state = fields.Selection(
        [("active", "Active"), ("released", "Released")],
        required=True,
        default="active",
        readonly=True,
        tracking=True,
    )
    recall_id = fields.Many2one("med.recall", readonly=True, index="btree_not_null")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
    )

    @api.depends("lot_id.name", "state")
    def _compute_name(self):
        for hold in self:
            hold.name = self.env._("Hold on %(lot)s", lot=hold.lot_id.name or "")

    @api.depends("lot_id")
    def _compute_company_id(self):
        for hold in self:
            hold.company_id = hold.lot_id.company_id or hold.company_id or self.env.company

    # Written only by the release of the hold (``_med_release``), once.
    _RELEASE_FIELDS = frozenset({"state", "released_by_id", "release_date", "release_reason"})

    @api.model_create_multi
    def create(self, vals_list):
        # Holds are created by ``stock.lot._med_hold`` (superuser, after its checks);
        # a user's create over RPC could otherwise forge who, when and the state.
        if not self.env.su:
            raise UserError(
                self.env._(
                    "Holds are created with the Put on Hold action of the lot (%(lots)s), "
                    "not directly.",
                    lots=", ".join(
                        self.env["stock.lot"]
                        .browse([vals["lot_id"] for vals in vals_list if vals.get("lot_id")])
                        .exists()
                        .mapped("display_name")
                    ),
                )
            )
        forged = [
            vals
            for vals in vals_list
            if vals.get("state", "active") != "active"
            or any(vals.get(name) for name in self._RELEASE_FIELDS - {"state"})
        ]
        if forged:
            raise UserError(self.env._("A new hold is active: it cannot be created released."))
        return super().create(vals_list)

    def write(self, vals):
        # A hold is an audit record: only its release can be written, once, and
        # only by ``_med_release`` (superuser). No context key opens this path.
        changed = set(vals) - set(self._fields_mail_thread())
        protected = changed - self._RELEASE_FIELDS
        if protected:
            raise UserError(
                self.env._(
                    "%(hold)s cannot be modified (%(fields)s): a hold is kept as it was "
                    "created; release it and create a new hold instead.",
                    hold=", ".join(self.mapped("name")),
                    fields=", ".join(
                        self._fields[name]._description_string(self.env)
                        for name in sorted(protected)
                    ),
                )
            )
        if changed and not self.env.su:
            raise UserError(
                self.env._(
                    "Use the Release Hold action to release a hold (%(hold)s).",
                    hold=", ".join(self.mapped("name")),
                )
            )
        if changed:
            released = self.filtered(lambda hold: hold.state == "released")
            if released:
                raise UserError(
                    self.env._(
                        "Already released: %(holds)s", holds=", ".join(released.mapped("name"))
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "Holds are kept for the audit trail and cannot be deleted: %(holds)s",
                holds=", ".join(self.mapped("name")),
            )
        )

    def _fields_mail_thread(self):
        return [name for name in self._fields if name.startswith(("message_", "activity_"))]

    def _med_release(self, reason, user):
        """Release the holds (called by ``stock.lot._med_release_holds`` after its checks)."""
        released = self.filtered(lambda hold: hold.state == "released")
        if released:
            raise UserError(
                self.env._("Already released: %(holds)s", holds=", ".join(released.mapped("name")))
            )
        if not (reason or "").strip():
            raise UserError(
                self.env._(
                    "Releasing a hold needs a reason (%(holds)s).",
                    holds=", ".join(self.mapped("name")),
                )
            )
        self.sudo().write(
            {
                "state": "released",
                "released_by_id": user.id,
                "release_date": fields.Datetime.now(),
                "release_reason": reason,
            }
        )

    def action_release(self):
        return self.lot_id.action_med_open_release_wizard()
