from odoo import fields, models


class MedApsRunWorkcenter(models.Model):
    _name = "med.aps.run.workcenter"
    _description = "APS Run Work Center Utilization"
    _order = "run_id desc, utilization desc, id"

    run_id = fields.Many2one("med.aps.run", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True)
    workcenter_id = fields.Many2one("mrp.workcenter", "Work Center", required=True)
    busy_hours = fields.Float("Busy (h)", digits=(16, 2))
    available_hours = fields.Float("Available (h)", digits=(16, 2))
    utilization = fields.Float("Utilization (%)", digits=(16, 1), aggregator="avg")
