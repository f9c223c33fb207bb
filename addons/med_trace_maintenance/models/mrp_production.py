from odoo import fields, models


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    med_equipment_use_ids = fields.One2many(
        "med.trace.equipment.use",
        "production_id",
        "Equipment Used",
        readonly=True,
        help="The machines and tools the order's work orders used, with their calibration "
        "status at the time of use.",
    )
