from odoo import fields, models


class MedApsWorkorderResource(models.Model):
    _inherit = "med.aps.workorder.resource"

    aps_equipment_id = fields.Many2one(
        "maintenance.equipment",
        "Tool",
        compute="_compute_aps_equipment_id",
        search="_search_aps_equipment_id",
        help="The tool or mould, when the unit is equipment (the tool timeline's lanes).",
    )

    def _compute_aps_equipment_id(self):
        for line in self:
            line.aps_equipment_id = (
                line.res_id if line.res_model == "maintenance.equipment" else False
            )

    def _search_aps_equipment_id(self, operator, value):
        if operator != "in":
            return NotImplemented
        ids = [item for item in value if item]
        return [("res_model", "=", "maintenance.equipment"), ("res_id", "in", ids)]
