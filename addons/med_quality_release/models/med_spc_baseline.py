from odoo import api, fields, models

CHART_TYPES = [("imr", "Individuals and Moving Range (I-MR)"), ("xbar_r", "X-bar and R")]


class MedSpcBaseline(models.Model):
    """Frozen control limits of a measurement control point.

    Created only by the electronic signature of a QA Manager (see
    ``med.quality.point._med_apply_signature``) from the figures in the signed
    content; immutable afterwards and sealed in the audit trail chain. A new
    baseline replaces the previous one for the charts and the run rules, the
    older ones stay as history.
    """

    _name = "med.spc.baseline"
    _description = "SPC Baseline"
    _inherit = ["med.immutable.mixin"]
    _order = "id desc"
    _med_chain = "audit_trail"

    point_id = fields.Many2one(
        "med.quality.point",
        string="Control Point",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    chart_type = fields.Selection(CHART_TYPES, required=True, readonly=True)
    subgroup_size = fields.Integer(required=True, readonly=True)
    sample_count = fields.Integer(
        string="Measurements Used", required=True, readonly=True, help="Sample size n."
    )
    subgroup_count = fields.Integer(
        string="Points Used", readonly=True, help="Plotted points (individuals or subgroups)."
    )
    date_from = fields.Datetime(string="First Measurement", readonly=True)
    date_to = fields.Datetime(string="Last Measurement", readonly=True)
    center = fields.Float(string="Center Line", digits=(16, 6), readonly=True)
    ucl = fields.Float(string="Upper Control Limit", digits=(16, 6), readonly=True)
    lcl = fields.Float(string="Lower Control Limit", digits=(16, 6), readonly=True)
    sigma = fields.Float(
        string="Sigma of the Plotted Value",
        digits=(16, 6),
        readonly=True,
        help="Sigma of an individual value (I-MR) or of a subgroup mean (X-bar and R); "
        "the run rule zones are 1, 2 and 3 of these from the center line.",
    )
    r_center = fields.Float(string="Range Center Line", digits=(16, 6), readonly=True)
    r_ucl = fields.Float(string="Range Upper Control Limit", digits=(16, 6), readonly=True)
    r_lcl = fields.Float(string="Range Lower Control Limit", digits=(16, 6), readonly=True)
    mean = fields.Float(digits=(16, 6), readonly=True)
    sigma_within = fields.Float(digits=(16, 6), readonly=True, help="R-bar / d2 (Cp, Cpk).")
    sigma_overall = fields.Float(
        digits=(16, 6),
        readonly=True,
        help="Sample standard deviation of all measurements (Pp, Ppk).",
    )
    norm_min = fields.Float(string="Lower Specification Limit", digits=(16, 4), readonly=True)
    norm_max = fields.Float(string="Upper Specification Limit", digits=(16, 4), readonly=True)
    cp = fields.Float(digits=(16, 3), readonly=True)
    cpk = fields.Float(digits=(16, 3), readonly=True)
    pp = fields.Float(digits=(16, 3), readonly=True)
    ppk = fields.Float(digits=(16, 3), readonly=True)
    check_ids = fields.Many2many(
        "med.quality.check", string="Measurements", readonly=True, copy=False
    )
    signature_id = fields.Many2one(
        "med.signature", required=True, readonly=True, index=True, ondelete="restrict"
    )
    signer_id = fields.Many2one(related="signature_id.signer_id", string="Frozen by")
    signed_at = fields.Datetime(related="signature_id.signed_at", string="Frozen on")

    @api.depends("point_id", "signature_id")
    def _compute_display_name(self):
        for baseline in self:
            baseline.display_name = self.env._(
                "%(point)s baseline of %(date)s",
                point=baseline.point_id.display_name,
                date=baseline.signature_id.signed_at_local or "",
            )
