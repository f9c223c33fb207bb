from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    med_switching_ids = fields.One2many(
        "med.quality.switching",
        "partner_id",
        string="ISO 2859-1 Inspection Severities",
        help="Normal, tightened, reduced or discontinued inspection of this supplier's lots, "
        "per control point (and product).",
    )
