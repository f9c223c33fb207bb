from odoo import fields, models


class MaintenanceEquipmentCategory(models.Model):
    _inherit = "maintenance.equipment.category"

    aps_is_tooling = fields.Boolean(
        "Tooling",
        help="Tools, moulds and fixtures of this category are planned by the scheduler beside "
        "the work centers: an operation that lists one holds it while it runs, and two work "
        "centers never use the same tool at once.",
    )
