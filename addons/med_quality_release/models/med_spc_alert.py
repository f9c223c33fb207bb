from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

SPC_RULES = [
    ("1", "Rule 1: a point beyond 3 sigma"),
    ("2", "Rule 2: 9 points in a row on one side of the center line"),
    ("3", "Rule 3: 6 points in a row steadily increasing or decreasing"),
    ("4", "Rule 4: 14 points in a row alternating up and down"),
    ("5", "Rule 5: 2 of 3 points beyond 2 sigma on one side"),
    ("6", "Rule 6: 4 of 5 points beyond 1 sigma on one side"),
    ("7", "Rule 7: 15 points in a row within 1 sigma of the center line"),
    ("8", "Rule 8: 8 points in a row beyond 1 sigma on either side"),
    ("r1", "Range chart: a range beyond its control limits"),
    ("r2", "Range chart: 9 ranges in a row on one side of the center line"),
    ("r3", "Range chart: 6 ranges in a row steadily increasing or decreasing"),
]


class MedSpcAlert(models.Model):
    """A run rule violated by a new measurement of a control point under SPC."""

    _name = "med.spc.alert"
    _description = "SPC Alert"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    point_id = fields.Many2one(
        "med.quality.point",
        string="Control Point",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    baseline_id = fields.Many2one("med.spc.baseline", readonly=True, ondelete="restrict")
    rule = fields.Selection(SPC_RULES, required=True, readonly=True, index=True)
    check_id = fields.Many2one(
        "med.quality.check",
        string="New Measurement",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    check_ids = fields.Many2many(
        "med.quality.check",
        "med_spc_alert_check_rel",
        "alert_id",
        "check_id",
        string="Measurements Involved",
        readonly=True,
    )
    value = fields.Float(string="Plotted Value", digits=(16, 6), readonly=True)
    lot_id = fields.Many2one("stock.lot", readonly=True, index=True)
    product_id = fields.Many2one("product.product", readonly=True, index=True)
    production_id = fields.Many2one("mrp.production", string="Manufacturing Order", readonly=True)
    workcenter_id = fields.Many2one("mrp.workcenter", string="Work Center", readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    hold_id = fields.Many2one("med.lot.hold", string="Lot Hold", readonly=True)
    nonconformance_id = fields.Many2one("med.quality.nonconformance", readonly=True)
    state = fields.Selection(
        [("new", "New"), ("acknowledged", "Acknowledged")],
        default="new",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    acknowledged_by_id = fields.Many2one("res.users", readonly=True)
    acknowledged_on = fields.Datetime(readonly=True)
    note = fields.Text(string="Investigation Note")
    capa_ids = fields.Many2many(
        "med.capa",
        "med_capa_spc_alert_rel",
        "alert_id",
        "capa_id",
        string="CAPAs",
        readonly=True,
        copy=False,
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(
                self.env._(
                    "SPC alerts are raised by the run rules on a new measurement, not by hand."
                )
            )
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("med.spc.alert") or "/"
        return super().create(vals_list)

    def write(self, vals):
        changed = {name for name in vals if not name.startswith(("message_", "activity_"))}
        if not self.env.su and changed - {"note"}:
            raise UserError(
                self.env._(
                    "SPC alert %(alerts)s: only the investigation note can be written by hand.",
                    alerts=", ".join(self.mapped("name")),
                )
            )
        return super().write(vals)

    def action_med_open_capa(self):
        self.ensure_one()
        rules = dict(self._fields["rule"]._description_selection(self.env))
        return self.env["med.capa"]._med_action_for(
            self.capa_ids,
            {
                "title": self.name,
                "problem": f"{self.point_id.name}: {rules[self.rule]}",
                "product_id": self.product_id.id,
                "lot_id": self.lot_id.id,
                "spc_alert_ids": [self.id],
            },
        )

    def action_acknowledge(self):
        if not self.env.user.has_group("med_quality_release.group_qa_inspector"):
            raise AccessError(self.env._("Only a QA Inspector can acknowledge SPC alerts."))
        for alert in self:
            if alert.state != "new":
                raise UserError(
                    self.env._("SPC alert %(alert)s is already acknowledged.", alert=alert.name)
                )
            if not (alert.note or "").strip():
                raise UserError(
                    self.env._(
                        "SPC alert %(alert)s: write the investigation note before acknowledging.",
                        alert=alert.name,
                    )
                )
        self.sudo().write(
            {
                "state": "acknowledged",
                "acknowledged_by_id": self.env.user.id,
                "acknowledged_on": fields.Datetime.now(),
            }
        )
        self.sudo().activity_feedback(["mail.mail_activity_data_todo"])
        return True
