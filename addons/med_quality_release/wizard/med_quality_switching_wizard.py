from odoo import api, fields, models
from odoo.exceptions import UserError


class MedQualitySwitchingWizard(models.TransientModel):
    """Decision of the responsible authority on an inspection severity (ISO 2859-1 9.3.3,
    9.3.4, 9.4): approve reduced inspection, return to normal, resume after discontinuation."""

    _name = "med.quality.switching.wizard"
    _description = "Inspection Severity Decision"

    switching_id = fields.Many2one(
        "med.quality.switching", string="Inspection Severity", required=True, readonly=True
    )
    severity = fields.Selection(related="switching_id.severity")
    score = fields.Integer(related="switching_id.score")
    operation = fields.Selection(
        [
            ("reduce", "Approve Reduced Inspection"),
            ("normal", "Back to Normal Inspection"),
            ("resume", "Resume on Tightened Inspection"),
        ],
        compute="_compute_operation",
        store=True,
        readonly=False,
        help="Proposed from the current severity.",
    )
    production_steady = fields.Boolean(
        string="Production at a Steady Rate",
        help="ISO 2859-1 9.3.3 b): reduced inspection needs production at a steady rate.",
    )
    note = fields.Text(
        string="Reason",
        help="Why: the authority's approval, the irregular production, the supplier's "
        "corrective action. Kept in the switching history.",
    )

    @api.depends("switching_id")
    def _compute_operation(self):
        default = {"normal": "reduce", "reduced": "normal", "discontinued": "resume"}
        for wizard in self:
            wizard.operation = default.get(wizard.switching_id.severity, False)

    def action_apply(self):
        self.ensure_one()
        self.switching_id._med_check_manager()
        if not self.operation:
            self._compute_operation()
        if not (self.note or "").strip():
            raise UserError(
                self.env._(
                    "Inspection severity %(scope)s: write the reason of the decision.",
                    scope=self.switching_id.display_name,
                )
            )
        if self.operation == "reduce" and not self.production_steady:
            raise UserError(
                self.env._(
                    "Inspection severity %(scope)s: reduced inspection needs production at a "
                    "steady rate (ISO 2859-1 9.3.3).",
                    scope=self.switching_id.display_name,
                )
            )
        self.switching_id._med_decide(self.operation, self.note)
        return {"type": "ir.actions.act_window_close"}
