from odoo import fields, models

from .med_quality_switching import SEVERITIES

SWITCH_REASONS = [
    ("normal_to_tightened", "2 of 5 or fewer consecutive lots not accepted (9.3.1)"),
    ("tightened_to_normal", "5 consecutive lots accepted on tightened inspection (9.3.2)"),
    (
        "normal_to_reduced",
        "Switching score of 30 or more, steady production, approved by the responsible "
        "authority (9.3.3)",
    ),
    ("reduced_to_normal", "A lot not accepted on reduced inspection (9.3.4)"),
    ("reduced_to_normal_manual", "Production irregular or other conditions (9.3.4)"),
    ("discontinued", "5 lots not accepted on tightened inspection (9.4)"),
    ("resumed", "Supplier action taken: resumed on tightened inspection (9.4)"),
]


class MedQualitySwitchingLog(models.Model):
    """One switch of inspection severity and its reason (write once, sealed in the audit
    trail's hash chain: the inspection history a sampling decision rests on)."""

    _name = "med.quality.switching.log"
    _description = "ISO 2859-1 Switching History"
    _inherit = ["med.immutable.mixin"]
    _med_chain = "audit_trail"
    _order = "date desc, id desc"

    switching_id = fields.Many2one(
        "med.quality.switching",
        string="Inspection Severity",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    # copied from the severity record at creation (a stored related field would be
    # written after the insert, which the immutability trigger refuses)
    point_id = fields.Many2one(
        "med.quality.point", string="Control Point", readonly=True, index=True
    )
    partner_id = fields.Many2one("res.partner", string="Supplier", readonly=True, index=True)
    product_id = fields.Many2one("product.product", readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    from_severity = fields.Selection(SEVERITIES, string="From", required=True, readonly=True)
    to_severity = fields.Selection(SEVERITIES, string="To", required=True, readonly=True)
    reason = fields.Selection(SWITCH_REASONS, required=True, readonly=True)
    note = fields.Text(readonly=True)
    check_id = fields.Many2one(
        "med.quality.check", string="Lot Check", readonly=True, ondelete="restrict"
    )
    lot_id = fields.Many2one(related="check_id.lot_id", string="Lot")
    picking_id = fields.Many2one(related="check_id.picking_id", string="Receipt")
    user_id = fields.Many2one("res.users", string="By", required=True, readonly=True)
    score = fields.Integer(string="Switching Score", readonly=True)
    state_json = fields.Text(string="Counters After the Switch", readonly=True)
