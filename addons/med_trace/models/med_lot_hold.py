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

    @api.model_create_multi
    def create(self, vals_list):
        holds = super().create(vals_list)
        holds.lot_id._med_sync_hold_flag()
        return holds

    _MUTABLE_FIELDS = frozenset(
        {"released_by_id", "release_date", "release_reason", "state", "name"}
    )

    def write(self, vals):
        # A hold is an audit record: only its release can be written, once.
        protected = set(vals) - self._MUTABLE_FIELDS - set(self._fields_mail_thread())
        if protected and not self.env.context.get("install_mode"):
            raise UserError(
                self.env._(
                    "Hold %(hold)s cannot be modified (%(fields)s); release it and create a "
                    "new hold instead.",
                    hold=", ".join(self.mapped("name")),
                    fields=", ".join(sorted(protected)),
                )
            )
        if "state" in vals and not self.env.context.get("med_hold_releasing"):
            raise UserError(self.env._("Use the Release Hold action to release a hold."))
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

    def _med_release(self, reason):
        released = self.filtered(lambda hold: hold.state == "released")
        if released:
            raise UserError(
                self.env._("Already released: %(holds)s", holds=", ".join(released.mapped("name")))
            )
        self.with_context(med_hold_releasing=True).write(
            {
                "state": "released",
                "released_by_id": self.env.user.id,
                "release_date": fields.Datetime.now(),
                "release_reason": reason,
            }
        )
        self.lot_id._med_sync_hold_flag()

    def action_release(self):
        return self.lot_id.action_med_open_release_wizard()
