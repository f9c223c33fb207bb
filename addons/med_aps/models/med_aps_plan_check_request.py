from odoo import fields, models


class MedApsPlanCheckRequest(models.Model):
    """A company's plan to check soon: an event was recorded or a plan written
    (``med.aps.plan.check._aps_check_soon``).

    The scheduled check checks the companies of the requests it sees and deletes those; a
    request committed after the check's snapshot stays for the next call, however long its
    transaction took. The events and runs themselves cannot tell: their dates are those of
    their transactions' start, not of their commits."""

    _name = "med.aps.plan.check.request"
    _description = "Plan Check Request"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="cascade"
    )
