from odoo import fields, models

RELEASE_STATES = [
    ("quarantine", "Quarantine"),
    ("released", "Released"),
    ("rejected", "Rejected"),
    ("on_hold", "On Hold"),
]


class MedLotReleaseLog(models.Model):
    """Append-only audit trail of the release status of lots."""

    _name = "med.lot.release.log"
    _description = "Lot Release Audit Trail"
    _inherit = ["med.immutable.mixin"]
    _order = "date desc, id desc"
    _rec_name = "lot_id"
    _med_chain = "audit_trail"

    lot_id = fields.Many2one(
        "stock.lot", required=True, readonly=True, index=True, ondelete="restrict"
    )
    product_id = fields.Many2one("product.product", readonly=True, ondelete="restrict")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", required=True, readonly=True, ondelete="restrict")
    old_state = fields.Selection(RELEASE_STATES, string="From", readonly=True)
    new_state = fields.Selection(RELEASE_STATES, string="To", required=True, readonly=True)
    note = fields.Text(readonly=True)
    signature_id = fields.Many2one("med.signature", readonly=True, ondelete="restrict")
