from odoo import fields, models


class MedQualityCheck(models.Model):
    _inherit = "med.quality.check"

    spc_alert_ids = fields.One2many("med.spc.alert", "check_id", string="SPC Alerts")
    workcenter_id = fields.Many2one(related="workorder_id.workcenter_id", string="Work Center")

    def _med_record(self, verdict):
        res = super()._med_record(verdict)
        for check in self.filtered(lambda c: c.test_type == "measure" and c.point_id.spc_enabled):
            check.point_id.sudo()._med_spc_evaluate(check.sudo())
        return res
