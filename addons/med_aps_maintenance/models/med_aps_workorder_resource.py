from odoo import fields, models


class MedApsWorkorderResource(models.Model):
    _inherit = "med.aps.workorder.resource"

    # a many2many of one record: the tool timeline (OCA web_timeline) groups by it without
    # sorting on it, which a computed field could not
    aps_equipment_ids = fields.Many2many(
        "maintenance.equipment",
        string="Tool",
        compute="_compute_aps_equipment_ids",
        search="_search_aps_equipment_ids",
        help="The tool or mould, when the unit is equipment (the tool timeline's lanes).",
    )

    def _compute_aps_equipment_ids(self):
        Equipment = self.env["maintenance.equipment"]
        for line in self:
            line.aps_equipment_ids = (
                Equipment.browse(line.res_id)
                if line.res_model == "maintenance.equipment"
                else Equipment
            )

    def _search_aps_equipment_ids(self, operator, value):
        if operator != "in":
            return NotImplemented
        ids = [item for item in value if item]
        return [("res_model", "=", "maintenance.equipment"), ("res_id", "in", ids)]
