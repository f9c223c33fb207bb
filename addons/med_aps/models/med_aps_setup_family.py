from odoo import fields, models


class MedApsSetupFamily(models.Model):
    _name = "med.aps.setup.family"
    _description = "APS Setup Family"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Short code shown on the timeline and in changeover rules.")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    active = fields.Boolean(default=True)

    _code_company_uniq = models.Constraint(
        "unique(code, company_id)", "The code of a setup family must be unique per company."
    )
