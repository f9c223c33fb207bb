from odoo import fields, models


class MedTrailChainVerification(models.TransientModel):
    """Result of a verification of the audit trail hash chains (see
    ``med.trail.chain.action_med_verify``): intact, or the first break."""

    _name = "med.trail.chain.verification"
    _description = "Audit Trail Verification"

    intact = fields.Boolean(readonly=True)
    entry_count = fields.Integer(string="Entries Verified", readonly=True)
    report = fields.Text(readonly=True)
    break_chain = fields.Char(string="Broken Chain", readonly=True)
    break_seq = fields.Integer(string="Entry", readonly=True)
    break_record = fields.Char(string="Record", readonly=True)
    break_problem = fields.Char(string="Problem", readonly=True)
    expected_hash = fields.Char(string="Expected", readonly=True)
    found_hash = fields.Char(string="Found", readonly=True)
