from odoo import fields, models


class TestMedApsPlanWriteEvent(models.Model):
    _name = "test.med.aps.plan.write.event"
    _description = "Work order seen by the plan-write hook (test)"

    run_id = fields.Many2one("med.aps.run", required=True, ondelete="cascade")
    workorder_id = fields.Many2one("mrp.workorder", required=True, ondelete="cascade")
    workcenter_id = fields.Many2one("mrp.workcenter")
    date_start = fields.Datetime()
