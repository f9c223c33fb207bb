from odoo import fields, models


class MrpWorkorder(models.Model):
    _inherit = "mrp.workorder"

    med_equipment_use_ids = fields.One2many(
        "med.trace.equipment.use",
        "workorder_id",
        "Equipment Used",
        readonly=True,
        help="The machines and tools the work order used, with their calibration status at "
        "the time, as recorded when it was done.",
    )

    def _aps_after_finish(self):
        result = super()._aps_after_finish()
        self.env["med.trace.equipment.use"].sudo()._record_uses(self)
        return result

    def _med_equipment_use_vals(self, equipment, role):
        """The device history record's line of ``equipment`` used by this work order."""
        self.ensure_one()
        used_until = self.date_finished or fields.Datetime.now()
        return {
            "workorder_id": self.id,
            "production_id": self.production_id.id,
            "company_id": self.company_id.id,
            "equipment_id": equipment.id,
            "role": role,
            "name": equipment.name,
            "serial_no": equipment.serial_no,
            "used_from": self.date_start,
            "used_until": used_until,
            "calibration_status": equipment._aps_calibration_status_on(used_until.date()),
            "calibration_due_date": equipment.aps_calibration_due_date,
            "calibration_date": equipment.aps_calibration_date,
        }
