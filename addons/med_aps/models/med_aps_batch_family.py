from odoo import fields, models


class MedApsBatchFamily(models.Model):
    _name = "med.aps.batch.family"
    _description = "APS Batch Family"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Operations of the same batch family may share one batch cycle.")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    active = fields.Boolean(default=True)

    _code_company_uniq = models.Constraint(
        "unique(code, company_id)", "The code of a batch family must be unique per company."
    )
