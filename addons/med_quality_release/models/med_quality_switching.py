import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..lib import iso2859

SEVERITIES = [
    ("normal", "Normal"),
    ("tightened", "Tightened"),
    ("reduced", "Reduced"),
    ("discontinued", "Discontinued"),
]


class MedQualitySwitching(models.Model):
    """ISO 2859-1 inspection severity of one control point for one supplier (and product).

    The severity and its counters are changed only by the switching rules
    (``lib/iso2859.py``) when a lot check is recorded, and by the QA Manager's
    decisions the standard leaves to the responsible authority (reduced
    inspection, back to normal, resuming a discontinued inspection). Every
    change is written in the switching history with its reason.
    """

    _name = "med.quality.switching"
    _description = "ISO 2859-1 Inspection Severity"
    _order = "point_id, partner_id, product_id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    point_id = fields.Many2one(
        "med.quality.point",
        string="Control Point",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Supplier", readonly=True, index=True, ondelete="restrict"
    )
    product_id = fields.Many2one("product.product", readonly=True, index=True, ondelete="restrict")
    severity = fields.Selection(SEVERITIES, required=True, readonly=True, default="normal")
    score = fields.Integer(
        string="Switching Score",
        readonly=True,
        help="ISO 2859-1 9.3.3.2: reduced inspection may be approved from 30 on.",
    )
    normal_results = fields.Char(
        readonly=True,
        help="Results of the last (up to 5) lots on normal inspection: A accepted, N not accepted.",
    )
    tightened_accepted_run = fields.Integer(
        string="Consecutive Lots Accepted (Tightened)", readonly=True
    )
    tightened_not_accepted = fields.Integer(string="Lots Not Accepted (Tightened)", readonly=True)
    can_reduce = fields.Boolean(string="Reduced Inspection Possible", compute="_compute_can_reduce")
    log_ids = fields.One2many("med.quality.switching.log", "switching_id", string="History")

    _unique_scope = models.Constraint(
        "UNIQUE NULLS NOT DISTINCT (point_id, partner_id, product_id)",
        "There is one inspection severity per control point, supplier and product.",
    )

    @api.depends("severity", "score")
    def _compute_can_reduce(self):
        for switching in self:
            switching.can_reduce = iso2859.can_reduce(switching._med_state())

    @api.depends("point_id", "partner_id", "product_id", "severity")
    def _compute_display_name(self):
        severities = dict(self._fields["severity"]._description_selection(self.env))
        for switching in self:
            scope = [switching.point_id.name or ""]
            scope += [
                record.display_name
                for record in (switching.partner_id, switching.product_id)
                if record
            ]
            switching.display_name = "%s (%s)" % (" / ".join(scope), severities[switching.severity])

    # ------------------------------------------------------------------
    # Actions (QA Manager: the responsible authority)
    # ------------------------------------------------------------------

    def action_open_decision(self):
        self.ensure_one()
        self._med_check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Inspection Severity Decision"),
            "res_model": "med.quality.switching.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_switching_id": self.id},
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _med_check_manager(self):
        if not self.env.user.has_group("med_quality_release.group_qa_manager"):
            raise AccessError(
                self.env._(
                    "Only a QA Manager can change the inspection severity of %(scopes)s.",
                    scopes=", ".join(self.mapped("display_name")),
                )
            )

    def _med_state(self):
        self.ensure_one()
        return {
            "severity": self.severity,
            "score": self.score,
            "normal_results": [char == "A" for char in self.normal_results or ""],
            "tightened_accepted_run": self.tightened_accepted_run,
            "tightened_not_accepted": self.tightened_not_accepted,
        }

    def _med_write_state(self, state, reason=None, note=False, check=False):
        """Store ``state``; log the switch when the severity changed."""
        self.ensure_one()
        before, before_score = self.severity, self.score
        self.sudo().write(
            {
                "severity": state["severity"],
                "score": state["score"],
                "normal_results": "".join("A" if ok else "N" for ok in state["normal_results"]),
                "tightened_accepted_run": state["tightened_accepted_run"],
                "tightened_not_accepted": state["tightened_not_accepted"],
            }
        )
        if reason:
            self.env["med.quality.switching.log"].sudo().create(
                {
                    "switching_id": self.id,
                    "company_id": self.company_id.id,
                    "point_id": self.point_id.id,
                    "partner_id": self.partner_id.id,
                    "product_id": self.product_id.id,
                    "from_severity": before,
                    "to_severity": state["severity"],
                    "reason": reason,
                    "note": note,
                    "check_id": check and check.id,
                    "user_id": self.env.user.id,
                    "score": before_score,
                    "state_json": json.dumps(state, sort_keys=True),
                }
            )

    @api.model
    def _med_for(self, point, partner, product):
        """The severity record of ``point`` for ``partner`` (and ``product``), created normal."""
        product = product if point.switching_per_product else self.env["product.product"]
        partner = partner.commercial_partner_id
        domain = [
            ("point_id", "=", point.id),
            ("partner_id", "=", partner.id or False),
            ("product_id", "=", product.id or False),
        ]
        switching = self.sudo().search(domain, limit=1)
        if not switching:
            switching = self.sudo().create(
                {
                    "company_id": point.company_id.id,
                    "point_id": point.id,
                    "partner_id": partner.id,
                    "product_id": product.id,
                }
            )
        return switching.with_env(self.env)

    def _med_record_check(self, check):
        """Apply the switching rules to the result of the lot check ``check``."""
        self.ensure_one()
        if self.severity == "discontinued":
            return
        accepted = check.state == "pass"
        accepted_tighter = False
        if self.severity == "normal" and check.accept_number >= 2 and check.code_letter:
            tighter = iso2859.tighter_accept_number(check.code_letter, self.point_id.aql)
            accepted_tighter = accepted and tighter is not None and check.defect_count <= tighter
        state, reason = iso2859.record_lot(
            self._med_state(), accepted, check.accept_number, accepted_tighter
        )
        self._med_write_state(state, reason, check=check)

    def _med_decide(self, operation, note):
        """Apply a decision of the responsible authority (see the wizard)."""
        self.ensure_one()
        self._med_check_manager()
        operations = {
            "reduce": iso2859.reduce,
            "normal": iso2859.back_to_normal,
            "resume": iso2859.resume,
        }
        try:
            state, reason = operations[operation](self._med_state())
        except iso2859.SamplingError as error:
            raise UserError(
                self.env._(
                    "Inspection severity %(scope)s cannot change: %(error)s.",
                    scope=self.display_name,
                    error=error,
                )
            ) from None
        self._med_write_state(state, reason, note=note)
